#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

struct DcnCase {
  Dims x;
  int64_t cout, k, stride, pad, dilation, groups, dg;
  bool mask = true;
};

void PrintTo(const DcnCase& c, std::ostream* os) {
  *os << runtime::dims_to_string(c.x) << " cout " << c.cout << " k" << c.k << " s" << c.stride
      << " p" << c.pad << " d" << c.dilation << " g" << c.groups << " dg" << c.dg
      << (c.mask ? " mask" : "");
}

std::vector<ir::NamedAttribute> attrs(const DcnCase& c) {
  const auto s = static_cast<int32_t>(c.stride), p = static_cast<int32_t>(c.pad),
             d = static_cast<int32_t>(c.dilation);
  return {{"strides", ints({s, s})},
          {"paddings", ints({p, p})},
          {"dilations", ints({d, d})},
          {"groups", Attribute::i32(static_cast<int32_t>(c.groups))},
          {"deformable_groups", Attribute::i32(static_cast<int32_t>(c.dg))},
          {"im2col_step", Attribute::i32(1)}};
}

Dims out_hw(const DcnCase& c) {
  const int64_t ext = c.dilation * (c.k - 1) + 1;
  return {(c.x[2] + 2 * c.pad - ext) / c.stride + 1, (c.x[3] + 2 * c.pad - ext) / c.stride + 1};
}

std::vector<OpInput> inputs(const DcnCase& c, float offset_range, uint32_t seed) {
  const Dims o = out_hw(c);
  std::vector<OpInput> in{
      {"Input", random_tensor(c.x, seed)},
      {"Offset", random_tensor({c.x[0], 2 * c.dg * c.k * c.k, o[0], o[1]}, seed + 1, -offset_range,
                               offset_range)},
      {"Filter", random_tensor({c.cout, c.x[1] / c.groups, c.k, c.k}, seed + 2), true}};
  if (c.mask)
    in.push_back({"Mask", random_tensor({c.x[0], c.dg * c.k * c.k, o[0], o[1]}, seed + 3, 0, 1)});
  return in;
}

TEST(DeformableConv, ZeroOffsetsAndUnitMaskAreAConvolution) {
  for (const DcnCase& c :
       {DcnCase{{2, 4, 7, 6}, 6, 3, 1, 1, 1, 2, 2}, DcnCase{{1, 3, 9, 9}, 5, 3, 2, 1, 2, 1, 1}}) {
    auto in = inputs(c, 0, 5);
    std::fill(in[1].value.data<float>(), in[1].value.data<float>() + in[1].value.numel(), 0.0f);
    std::fill(in[3].value.data<float>(), in[3].value.data<float>() + in[3].value.numel(), 1.0f);
    const auto dcn = run_reference("deformable_conv", in, attrs(c), {{"Output"}});
    auto conv_attrs = attrs(c);
    conv_attrs.resize(4);
    const auto conv = run_reference("conv2d", {in[0], in[2]}, conv_attrs, {{"Output"}});
    ASSERT_EQ(dcn.size(), 1u);
    expect_close(dcn[0].tensor, conv[0].tensor, 1e-5, "deformable_conv vs conv2d");
  }
}

TEST(DeformableConv, BilinearSamplesByHand) {
  // 1x1 kernel of weight 1 on 1 2 / 3 4; offsets (dy, dx) per output position.
  const Tensor x = iota_tensor({1, 1, 2, 2});
  Tensor offset = Tensor::empty(ir::DType::kFloat32, {1, 2, 2, 2});  // channel 0: dy, 1: dx
  float* o = offset.data<float>();
  o[0] = 0.5f, o[4] = 0.5f;  // output (0,0): samples (0.5, 0.5) -> mean of all four = 2.5
  o[3] = 0.5f, o[7] = 0.5f;  // output (1,1): (1.5, 1.5) -> only (1,1) is inside: 4 * 0.25
  o[1] = -1.0f;              // output (0,1): h = -1 is outside (needs h > -1) -> 0
  const Tensor w = make_tensor<float>({1, 1, 1, 1}, {1}, ir::DType::kFloat32);
  const DcnCase c{{1, 1, 2, 2}, 1, 1, 1, 0, 1, 1, 1};
  auto out =
      run_reference("deformable_conv_v1", {{"Input", x}, {"Offset", offset}, {"Filter", w, true}},
                    attrs(c), {{"Output"}});
  EXPECT_EQ(values(out), (std::vector<float>{2.5f, 0, 3, 1}));
  // The Mask scales each sample (v2).
  const Tensor mask = make_tensor<float>({1, 1, 2, 2}, {0.5f, 1, 2, 0}, ir::DType::kFloat32);
  out = run_reference("deformable_conv",
                      {{"Input", x}, {"Offset", offset}, {"Filter", w, true}, {"Mask", mask}},
                      attrs(c), {{"Output"}});
  EXPECT_EQ(values(out), (std::vector<float>{1.25f, 0, 6, 0}));
}

TEST(DeformableConv, WrongOffsetShapeIsAClearError) {
  const DcnCase c{{1, 2, 5, 5}, 2, 3, 1, 1, 1, 1, 1};
  auto in = inputs(c, 1, 3);
  in[1].value = random_tensor({1, 9, 5, 5}, 1);
  EXPECT_NE(op_error("deformable_conv", in, attrs(c), {{"Output"}}).find("Offset has dims"),
            std::string::npos);
}

class DcnShapes : public ::testing::TestWithParam<DcnCase> {};

TEST_P(DcnShapes, Im2colMatchesReference) {
  const DcnCase& c = GetParam();
  const auto in = inputs(c, 2.5f, 11);
  check_optimized_matches_reference(c.mask ? "deformable_conv" : "deformable_conv_v1", in, attrs(c),
                                    {{"Output"}}, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, DcnShapes,
    ::testing::Values(DcnCase{{1, 16, 9, 9}, 16, 3, 1, 1, 1, 1, 1},  // PP-YOLO DCN
                      DcnCase{{1, 16, 10, 10}, 8, 3, 2, 1, 1, 1, 1},
                      DcnCase{{2, 8, 7, 5}, 12, 3, 1, 2, 2, 2, 4},
                      DcnCase{{1, 6, 6, 7}, 6, 1, 1, 0, 1, 3, 2, false},
                      DcnCase{{1, 1, 1, 1}, 1, 1, 1, 0, 1, 1, 1}));

}  // namespace
}  // namespace detport::testing
