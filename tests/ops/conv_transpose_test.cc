#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

struct DeconvCase {
  Dims x;
  int64_t cout, kh, kw, stride, groups, dilation;
  std::vector<int32_t> paddings;
  std::string algorithm = "EXPLICIT";
  std::vector<int32_t> output_padding = {}, output_size = {};
  bool onednn = true;  // the optimised path runs a oneDNN deconvolution (on NHWC)
};

void PrintTo(const DeconvCase& c, std::ostream* os) {
  *os << runtime::dims_to_string(c.x) << " cout " << c.cout << " k" << c.kh << "x" << c.kw << " s"
      << c.stride << " g" << c.groups << " d" << c.dilation << " " << c.algorithm;
}

std::vector<ir::NamedAttribute> attrs(const DeconvCase& c) {
  const auto s = static_cast<int32_t>(c.stride), d = static_cast<int32_t>(c.dilation);
  return {{"strides", ints({s, s})},
          {"paddings", ints(c.paddings)},
          {"dilations", ints({d, d})},
          {"groups", Attribute::i32(static_cast<int32_t>(c.groups))},
          {"padding_algorithm", Attribute::str(c.algorithm)},
          {"output_padding", ints(c.output_padding)},
          {"output_size", ints(c.output_size)},
          {"data_format", Attribute::str("NCHW")}};
}

Tensor filter_for(const DeconvCase& c, uint32_t seed) {
  return random_tensor({c.x[1], c.cout / c.groups, c.kh, c.kw}, seed);
}

std::vector<runtime::NamedTensor> deconv_ref(const Tensor& x, const Tensor& f,
                                             const DeconvCase& c) {
  return run_reference("conv2d_transpose", {{"Input", x}, {"Filter", f, true}}, attrs(c),
                       {{"Output"}});
}

TEST(ConvTranspose, ByHand) {
  const Tensor x = iota_tensor({1, 1, 2, 2});  // 1 2 / 3 4
  const Tensor ones = make_tensor<float>({1, 1, 2, 2}, {1, 1, 1, 1}, ir::DType::kFloat32);
  // Stride 2, k2: every input pixel becomes a 2x2 block.
  auto out = deconv_ref(x, ones, {{1, 1, 2, 2}, 1, 2, 2, 2, 1, 1, {0, 0}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 4, 4}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}));
  // Stride 1: overlapping copies, out (2-1) + 2 = 3.
  out = deconv_ref(x, ones, {{1, 1, 2, 2}, 1, 2, 2, 1, 1, 1, {0, 0}});
  EXPECT_EQ(values(out), (std::vector<float>{1, 3, 2, 4, 10, 6, 3, 7, 4}));
  // Padding 1 crops one from each side: the centre.
  out = deconv_ref(x, ones, {{1, 1, 2, 2}, 1, 2, 2, 1, 1, 1, {1, 1}});
  EXPECT_EQ(values(out), (std::vector<float>{10}));
  // output_padding 1 and output_size 5 add a zero row and column.
  for (const DeconvCase& c :
       {DeconvCase{{1, 1, 2, 2}, 1, 2, 2, 2, 1, 1, {0, 0}, "EXPLICIT", {1, 1}},
        DeconvCase{{1, 1, 2, 2}, 1, 2, 2, 2, 1, 1, {0, 0}, "EXPLICIT", {}, {5, 5}}}) {
    out = deconv_ref(x, ones, c);
    EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 5, 5}));
    EXPECT_EQ(values(out)[4], 0.0f);
    EXPECT_EQ(values(out)[24], 0.0f);
    EXPECT_EQ(values(out)[18], 4.0f);
  }
  // Dilation 2 on a 1x2 row with a 1x2 kernel: taps at iw + 2j -> 1 2 1 2.
  out = deconv_ref(make_tensor<float>({1, 1, 1, 2}, {1, 2}, ir::DType::kFloat32),
                   make_tensor<float>({1, 1, 1, 2}, {1, 1}, ir::DType::kFloat32),
                   {{1, 1, 1, 2}, 1, 1, 2, 1, 1, 2, {0, 0}});
  EXPECT_EQ(values(out), (std::vector<float>{1, 2, 1, 2}));
  // SAME, stride 2, k3 on a 1x2 input: pads from the input size (H: 2 -> (1, 1); W: 1 -> (0, 1)),
  // dilation reset to 1 (here 3 is ignored): out H (1-1)*2 - 2 + 3 = 1, W (2-1)*2 - 1 + 3 = 4.
  out =
      deconv_ref(make_tensor<float>({1, 1, 1, 2}, {1, 2}, ir::DType::kFloat32),
                 make_tensor<float>({1, 1, 3, 3}, {0, 0, 0, 1, 1, 1, 0, 0, 0}, ir::DType::kFloat32),
                 {{1, 1, 1, 2}, 1, 3, 3, 2, 1, 3, {0, 0}, "SAME"});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 1, 4}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 1, 3, 2}));
  // Groups: channel g only feeds output channel g.
  out = run_reference(
      "conv2d_transpose",
      {{"Input", make_tensor<float>({1, 2, 1, 1}, {1, 2}, ir::DType::kFloat32)},
       {"Filter", make_tensor<float>({2, 1, 1, 1}, {10, 100}, ir::DType::kFloat32), true}},
      attrs({{1, 2, 1, 1}, 2, 1, 1, 1, 2, 1, {0, 0}}), {{"Output"}});
  EXPECT_EQ(values(out), (std::vector<float>{10, 200}));
}

TEST(ConvTranspose, BadOutputSizeIsAClearError) {
  const DeconvCase c{{1, 1, 2, 2}, 1, 2, 2, 2, 1, 1, {0, 0}, "EXPLICIT", {}, {6, 6}};
  EXPECT_NE(op_error("conv2d_transpose",
                     {{"Input", iota_tensor({1, 1, 2, 2})}, {"Filter", filter_for(c, 1), true}},
                     attrs(c), {{"Output"}})
                .find("output_size 6 must lie in [4, 6)"),
            std::string::npos);
}

class DeconvShapes : public ::testing::TestWithParam<DeconvCase> {};

TEST_P(DeconvShapes, OneDnnMatchesReference) {
  const DeconvCase& c = GetParam();
  const std::string type =
      c.groups == c.x[1] && c.groups > 1 ? "depthwise_conv2d_transpose" : "conv2d_transpose";
  const std::vector<OpInput> in{{"Input", random_tensor(c.x, 3)},
                                {"Filter", filter_for(c, 4), true}};
  check_optimized_matches_reference(type, in, attrs(c), {{"Output"}}, 1e-4);
  const std::string impl = optimized_impl(type, in, attrs(c), {{"Output"}});
  if (c.onednn)
    EXPECT_TRUE(impl.rfind("onednn:", 0) == 0 && impl.find("nhwc") != std::string::npos) << impl;
  else
    EXPECT_EQ(impl, "reference");
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, DeconvShapes,
    ::testing::Values(DeconvCase{{1, 8, 5, 7}, 6, 4, 4, 2, 1, 1, {1, 1}},  // 2x upsampling head
                      DeconvCase{{2, 5, 3, 3}, 7, 3, 3, 2, 1, 1, {1, 1}, "EXPLICIT", {1, 1}},
                      DeconvCase{{1, 6, 4, 5}, 9, 3, 3, 1, 3, 1, {1, 1}},        // grouped
                      DeconvCase{{1, 16, 6, 6}, 16, 4, 4, 2, 16, 1, {1, 1}},     // depthwise
                      DeconvCase{{1, 3, 5, 4}, 4, 3, 2, 1, 1, 2, {2, 0, 1, 1}},  // dilated, 4 pads
                      DeconvCase{{1, 4, 6, 5}, 3, 3, 3, 2, 1, 1, {0, 0}, "SAME"},
                      DeconvCase{{1, 4, 6, 5}, 3, 2, 3, 3, 1, 1, {3, 3}, "VALID"},
                      DeconvCase{{1, 4, 3, 3}, 2, 3, 3, 2, 1, 1, {1, 1}, "EXPLICIT", {}, {6, 6}},
                      DeconvCase{{1, 1, 1, 1}, 1, 1, 1, 1, 1, 1, {0, 0}},
                      // output_padding past the pad: oneDNN would need negative right pads, so
                      // the reference runs on both paths.
                      DeconvCase{
                          {1, 2, 3, 3}, 2, 2, 2, 2, 1, 1, {0, 0}, "EXPLICIT", {1, 1}, {}, false}));

TEST(ConvTranspose, RunsChannelsLastWithFusedActivation) {
  // conv2d_transpose -> relu: NHWC oneDNN deconvolution with relu as a post-op.
  ir::ProgramBuilder b;
  b.input("x", ir::DType::kFloat32, {1, 8, 5, 6});
  const Tensor f = random_tensor({8, 4, 4, 4}, 9);
  std::vector<std::byte> bytes(f.bytes());
  std::memcpy(bytes.data(), f.raw(), bytes.size());
  b.param("f", ir::Tensor::owned(ir::DType::kFloat32, f.dims(), std::move(bytes)));
  const std::string mid = b.temp("mid", ir::DType::kFloat32, {});
  auto op = b.op("conv2d_transpose").in("Input", {"x"}).in("Filter", {"f"}).out("Output", {mid});
  for (auto& a : attrs({{1, 8, 5, 6}, 4, 4, 4, 2, 1, 1, {1, 1}})) op.attr(a.name, a.value);
  op.build();
  const std::string out = b.temp("out", ir::DType::kFloat32, {});
  b.op("relu").in("X", {mid}).out("Out", {out}).build();
  b.output(out);
  const ir::Model m = std::move(b).finish(ir::Release{2, 6, 1});
  const std::vector<runtime::NamedTensor> in{{"x", random_tensor({1, 8, 5, 6}, 10)}};
  auto ref = run_model(m, in, false);
  runtime::CompileOptions o;
  o.profile = true;
  auto s = runtime::compile(m, o);
  ASSERT_TRUE(s.ok() && ref.ok());
  auto opt = s->run(in);
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  expect_close((*opt)[0].tensor, (*ref)[0].tensor, 1e-5, "deconv+relu");
  bool seen = false;
  for (const auto& n : s->profile().nodes)
    if (n.type == "conv2d_transpose+relu") {
      seen = true;
      EXPECT_NE(n.impl.find("nhwc"), std::string::npos) << n.impl;
    }
  EXPECT_TRUE(seen) << s->plan_summary();
}

}  // namespace
}  // namespace detport::testing
