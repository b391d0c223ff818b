#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

struct ConvCase {
  Dims x;
  int64_t m, kh, kw, stride, groups, dilation;
  std::vector<int32_t> paddings;
  std::string algorithm;
};

std::vector<ir::NamedAttribute> conv_attrs(const ConvCase& c) {
  return {{"strides",
           Attribute::i32s({static_cast<int32_t>(c.stride), static_cast<int32_t>(c.stride)})},
          {"paddings", Attribute::i32s(c.paddings)},
          {"dilations",
           Attribute::i32s({static_cast<int32_t>(c.dilation), static_cast<int32_t>(c.dilation)})},
          {"groups", Attribute::i32(static_cast<int32_t>(c.groups))},
          {"padding_algorithm", Attribute::str(c.algorithm)},
          {"data_format", Attribute::str("NCHW")}};
}

TEST(Conv, ReferenceByHand) {
  // 1x1x3x3 input, 1x1x2x2 filter of ones, stride 1, no padding: sums of 2x2 windows.
  Tensor x = make_tensor<float>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, ir::DType::kFloat32);
  Tensor w = make_tensor<float>({1, 1, 2, 2}, {1, 1, 1, 1}, ir::DType::kFloat32);
  ConvCase c{{1, 1, 3, 3}, 1, 2, 2, 1, 1, 1, {0, 0}, "EXPLICIT"};
  auto out =
      run_reference("conv2d", {{"Input", x}, {"Filter", w, true}}, conv_attrs(c), {{"Output"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 2, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{12, 16, 24, 28}));
  // SAME padding with stride 2 on 3x3: output 2x2, pads (0 before, 1 after) per Paddle's rule.
  ConvCase same{{1, 1, 3, 3}, 1, 2, 2, 2, 1, 1, {0, 0}, "SAME"};
  out =
      run_reference("conv2d", {{"Input", x}, {"Filter", w, true}}, conv_attrs(same), {{"Output"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{12, 9, 15, 9}));
}

TEST(Conv, SamePaddingIgnoresDilation) {
  // Paddle's UpdatePaddingAndDilation: SAME pads for the undilated kernel and resets dilations to
  // 1. 3x3 input, 2x2 ones, dilation 2, stride 1: pads (0, 1), plain 2x2 window sums.
  Tensor x = make_tensor<float>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}, ir::DType::kFloat32);
  Tensor w = make_tensor<float>({1, 1, 2, 2}, {1, 1, 1, 1}, ir::DType::kFloat32);
  ConvCase c{{1, 1, 3, 3}, 1, 2, 2, 1, 1, 2, {0, 0}, "SAME"};
  auto out =
      run_reference("conv2d", {{"Input", x}, {"Filter", w, true}}, conv_attrs(c), {{"Output"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(),
            (std::vector<float>{12, 16, 9, 24, 28, 15, 15, 17, 9}));
  check_optimized_matches_reference("conv2d", {{"Input", x}, {"Filter", w, true}}, conv_attrs(c),
                                    {{"Output"}}, 1e-5);
}

class ConvShapes : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvShapes, OneDnnMatchesReference) {
  const ConvCase& c = GetParam();
  const int64_t cin = c.x[1];
  Tensor x = random_tensor(c.x, 11);
  Tensor w = random_tensor({c.m, cin / c.groups, c.kh, c.kw}, 12);
  check_optimized_matches_reference(c.groups == cin && c.groups > 1 ? "depthwise_conv2d" : "conv2d",
                                    {{"Input", x}, {"Filter", w, true}}, conv_attrs(c),
                                    {{"Output"}}, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvShapes,
    ::testing::Values(
        ConvCase{{1, 3, 17, 23}, 8, 3, 3, 2, 1, 1, {1, 1}, "EXPLICIT"},     // stem, odd sizes
        ConvCase{{2, 16, 9, 9}, 24, 1, 1, 1, 1, 1, {0, 0}, "EXPLICIT"},     // pointwise, batch 2
        ConvCase{{1, 32, 10, 10}, 32, 5, 5, 1, 32, 1, {2, 2}, "EXPLICIT"},  // depthwise 5x5
        ConvCase{{1, 24, 15, 15}, 24, 3, 3, 2, 24, 1, {1, 1}, "EXPLICIT"},  // depthwise stride 2
        ConvCase{{1, 12, 8, 8}, 18, 3, 3, 1, 3, 1, {1, 1}, "EXPLICIT"},     // grouped
        ConvCase{{1, 5, 13, 11}, 7, 3, 3, 1, 1, 2, {2, 2}, "EXPLICIT"},     // dilated
        ConvCase{{1, 4, 10, 7}, 6, 3, 3, 2, 1, 1, {0, 0}, "SAME"},
        ConvCase{{1, 4, 10, 7}, 6, 3, 2, 1, 1, 1, {0, 0}, "VALID"},
        ConvCase{{1, 6, 9, 9}, 5, 3, 3, 1, 1, 1, {0, 1, 2, 1}, "EXPLICIT"}));  // 4 paddings

TEST(Conv, BadGeometryIsAClearError) {
  ConvCase c{{1, 3, 2, 2}, 4, 5, 5, 1, 1, 1, {0, 0}, "EXPLICIT"};
  const std::vector<OpInput> in{{"Input", random_tensor(c.x, 1)},
                                {"Filter", random_tensor({4, 3, 5, 5}, 2), true}};
  auto r = run_model(one_op_model("conv2d", in, conv_attrs(c), {{"Output"}}), feeds(in), true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("smaller than the 5x5 kernel"), std::string::npos)
      << r.error().describe();
}

}  // namespace
}  // namespace detport::testing
