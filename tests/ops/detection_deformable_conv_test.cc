// deformable_conv / deformable_conv_v1: with zero offsets and a mask of ones DCN is an ordinary
// convolution; hand-computed bilinear samples (Paddle's DmcnIm2colBilinear, quoted in
// deformable_conv.cc) including samples half outside the map; optimised (im2col + oneDNN matmul)
// against the reference on odd shapes with groups and deformable groups.
#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using ir::DType;
using ir::NamedAttribute;

std::vector<NamedAttribute> dcn_attrs(int stride, int pad, int dil, int groups, int dg) {
  return {{"strides", Attribute::i32s({stride, stride})}, {"paddings", Attribute::i32s({pad, pad})},
          {"dilations", Attribute::i32s({dil, dil})},     {"groups", Attribute::i32(groups)},
          {"deformable_groups", Attribute::i32(dg)},      {"im2col_step", Attribute::i32(1)}};
}

Tensor filled(Dims dims, float v) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(dims));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = v;
  return t;
}

TEST(DeformableConvDcn, ZeroOffsetsAndUnitMaskIsAConvolution) {
  Tensor x = random_tensor({2, 4, 9, 8}, 1);
  Tensor w = random_tensor({6, 2, 3, 3}, 2);
  // stride 2, pad 1, dilation 1: out 5x4; 2 deformable groups x 9 taps.
  Tensor offset = filled({2, 2 * 2 * 9, 5, 4}, 0.0f);
  Tensor mask = filled({2, 2 * 9, 5, 4}, 1.0f);
  auto conv = run_reference("conv2d", {{"Input", x}, {"Filter", w, true}},
                            {{"strides", Attribute::i32s({2, 2})},
                             {"paddings", Attribute::i32s({1, 1})},
                             {"dilations", Attribute::i32s({1, 1})},
                             {"groups", Attribute::i32(2)}},
                            {{"Output"}});
  auto dcn = run_reference("deformable_conv",
                           {{"Input", x}, {"Offset", offset}, {"Mask", mask}, {"Filter", w, true}},
                           dcn_attrs(2, 1, 1, 2, 2), {{"Output"}});
  ASSERT_EQ(conv.size(), 1u);
  ASSERT_EQ(dcn.size(), 1u);
  expect_close(dcn[0].tensor, conv[0].tensor, 1e-5, "dcn with zero offsets vs conv");
  // The mask scales every sample: 0.5 halves the output.
  auto half = run_reference("deformable_conv",
                            {{"Input", x},
                             {"Offset", offset},
                             {"Mask", filled({2, 18, 5, 4}, 0.5f)},
                             {"Filter", w, true}},
                            dcn_attrs(2, 1, 1, 2, 2), {{"Output"}});
  auto h = half[0].tensor.to_vector<float>();
  auto c = conv[0].tensor.to_vector<float>();
  for (std::size_t i = 0; i < h.size(); ++i) EXPECT_NEAR(h[i], 0.5f * c[i], 1e-5);
}

TEST(DeformableConvDcn, BilinearSamplesByHand) {
  // One channel 3x3 map f(y, x) = 10y + x, a 1x1 kernel, one output per position (3x3 out).
  Tensor x = Tensor::empty(DType::kFloat32, {1, 1, 3, 3});
  for (int i = 0; i < 9; ++i) x.data<float>()[i] = static_cast<float>(10 * (i / 3) + i % 3);
  Tensor w = filled({1, 1, 1, 1}, 1.0f);
  Tensor offset = filled({1, 2, 3, 3}, 0.0f);
  // Output (0,0): dy 0.5, dx 0.25 -> f(0.5, 0.25) = 5.25 (bilinear of a linear function).
  offset.data<float>()[0] = 0.5f;
  offset.data<float>()[9] = 0.25f;
  // Output (1,1): dy -1.5 -> y = -0.5: the top corners lie outside and count 0, the bottom ones
  // (row 0) weigh 0.5: 0.5 * f(0, 1) = 0.5.
  offset.data<float>()[4] = -1.5f;
  // Output (2,2): dx 1 -> x = 3 = W: outside (x < W fails): 0.
  offset.data<float>()[9 + 8] = 1.0f;
  auto r =
      run_reference("deformable_conv_v1", {{"Input", x}, {"Offset", offset}, {"Filter", w, true}},
                    dcn_attrs(1, 0, 1, 1, 1), {{"Output"}});
  ASSERT_EQ(r.size(), 1u);
  auto v = r[0].tensor.to_vector<float>();
  EXPECT_NEAR(v[0], 5.25f, 1e-6);
  EXPECT_NEAR(v[4], 0.5f, 1e-6);
  EXPECT_EQ(v[8], 0.0f);
  EXPECT_EQ(v[1], 1.0f);  // untouched: f(0, 1)
}

TEST(DeformableConvDcn, OptimizedMatchesReference) {
  for (int dg : {1, 2})
    for (int groups : {1, 2}) {
      Tensor x = random_tensor({2, 4, 11, 7}, 3);
      Tensor w = random_tensor({6, 4 / groups, 3, 3}, 4);
      // stride 2, pad 2, dilation 2: out (11 + 4 - 5) / 2 + 1 = 6, (7 + 4 - 5) / 2 + 1 = 4.
      Tensor offset = random_tensor({2, 2 * dg * 9, 6, 4}, 5, -2.5f, 2.5f);
      Tensor mask = random_tensor({2, dg * 9, 6, 4}, 6, 0, 1);
      check_optimized_matches_reference(
          "deformable_conv",
          {{"Input", x}, {"Offset", offset}, {"Mask", mask}, {"Filter", w, true}},
          dcn_attrs(2, 2, 2, groups, dg), {{"Output"}}, 1e-4);
      check_optimized_matches_reference("deformable_conv_v1",
                                        {{"Input", x}, {"Offset", offset}, {"Filter", w, true}},
                                        dcn_attrs(2, 2, 2, groups, dg), {{"Output"}}, 1e-4);
    }
}

TEST(DeformableConvDcn, RejectsMismatchedOffsets) {
  const std::vector<OpInput> in{{"Input", random_tensor({1, 2, 5, 5}, 1)},
                                {"Offset", random_tensor({1, 17, 5, 5}, 2)},
                                {"Mask", random_tensor({1, 9, 5, 5}, 3)},
                                {"Filter", random_tensor({2, 2, 3, 3}, 4), true}};
  auto r = run_model(one_op_model("deformable_conv", in, dcn_attrs(1, 1, 1, 1, 1), {{"Output"}}),
                     feeds(in), false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("Offset"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace detport::testing
