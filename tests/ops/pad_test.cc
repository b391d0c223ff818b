#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

std::vector<ir::NamedAttribute> pad2d_attrs(std::vector<int32_t> pads, const std::string& mode,
                                            float value = 0, const std::string& format = "NCHW") {
  return {{"paddings", ints(std::move(pads))},
          {"mode", Attribute::str(mode)},
          {"pad_value", Attribute::f32(value)},
          {"data_format", Attribute::str(format)}};
}

std::vector<ir::NamedAttribute> pad3d_attrs(std::vector<int32_t> pads, const std::string& mode,
                                            float value = 0, const std::string& format = "NCDHW") {
  return {{"paddings", ints(std::move(pads))},
          {"mode", Attribute::str(mode)},
          {"value", Attribute::f32(value)},
          {"data_format", Attribute::str(format)}};
}

TEST(Pad2d, ModesByHand) {
  const Tensor x = iota_tensor({1, 1, 2, 3});  // 1 2 3 / 4 5 6
  // paddings [top, bottom, left, right] = [1, 0, 2, 1] -> 3x6.
  auto v = [&](const std::string& mode, float value = 0) {
    auto out =
        run_reference("pad2d", {{"X", x}}, pad2d_attrs({1, 0, 2, 1}, mode, value), {{"Out"}});
    EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 3, 6}));
    return values(out);
  };
  EXPECT_EQ(v("constant", 7),
            (std::vector<float>{7, 7, 7, 7, 7, 7, 7, 7, 1, 2, 3, 7, 7, 7, 4, 5, 6, 7}));
  // reflect mirrors without repeating the edge: columns -2 -1 -> 2 1, column 3 -> 1.
  EXPECT_EQ(v("reflect"),
            (std::vector<float>{6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5}));
  EXPECT_EQ(v("edge"), (std::vector<float>{1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6}));
  EXPECT_NE(op_error("pad2d", {{"X", x}}, pad2d_attrs({2, 0, 0, 0}, "reflect"), {{"Out"}})
                .find("reflect"),
            std::string::npos);
}

TEST(Pad3d, ModesAndPaddingOrderByHand) {
  const Tensor x = iota_tensor({1, 1, 1, 1, 3});  // 1 2 3 along W
  auto v = [&](const std::string& mode, float value = 0) {
    // [left, right, top, bottom, front, back]: the first pair pads W.
    return values(run_reference("pad3d", {{"X", x}}, pad3d_attrs({2, 1, 0, 0, 0, 0}, mode, value),
                                {{"Out"}}));
  };
  EXPECT_EQ(v("constant", 9), (std::vector<float>{9, 9, 1, 2, 3, 9}));
  EXPECT_EQ(v("reflect"), (std::vector<float>{3, 2, 1, 2, 3, 2}));
  EXPECT_EQ(v("replicate"), (std::vector<float>{1, 1, 1, 2, 3, 3}));
  EXPECT_EQ(v("circular"), (std::vector<float>{2, 3, 1, 2, 3, 1}));
  // The last pair pads D (front, back).
  auto out = run_reference("pad3d", {{"X", iota_tensor({1, 1, 2, 1, 1})}},
                           pad3d_attrs({0, 0, 0, 0, 1, 0}, "constant"), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 3, 1, 1}));
  EXPECT_EQ(values(out), (std::vector<float>{0, 1, 2}));
  // NDHWC: channels last, W is dim 3.
  out = run_reference("pad3d", {{"X", iota_tensor({1, 1, 1, 2, 2})}},
                      pad3d_attrs({1, 0, 0, 0, 0, 0}, "replicate", 0, "NDHWC"), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 1, 3, 2}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 2, 1, 2, 3, 4}));
}

TEST(Pad2d, PaddingsInputComputedAtRunTime) {
  const Tensor x = iota_tensor({1, 1, 2, 2});
  const Tensor pads = make_tensor<int32_t>({4}, {0, 1, 1, 0}, ir::DType::kInt32);
  const std::vector<OpInput> in{{"X", x}, {"Paddings", pads}};
  auto out = run_reference("pad2d", in, pad2d_attrs({0, 0, 0, 0}, "constant"), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 3, 3}));
  EXPECT_EQ(values(out), (std::vector<float>{0, 1, 2, 0, 3, 4, 0, 0, 0}));
  check_optimized_matches_reference("pad2d", in, pad2d_attrs({0, 0, 0, 0}, "constant"), {{"Out"}},
                                    0);
}

TEST(Pad2d, OptimizedAndChannelsLastMatchReference) {
  for (const std::string mode : {"constant", "reflect", "edge"})
    for (const auto& pads :
         std::vector<std::vector<int32_t>>{{1, 2, 3, 0}, {0, 0, 0, 0}, {2, 2, 2, 2}}) {
      SCOPED_TRACE(mode);
      const Tensor x = random_tensor({2, 5, 4, 7}, 3);
      check_optimized_matches_reference("pad2d", {{"X", x}}, pad2d_attrs(pads, mode, 0.5f),
                                        {{"Out"}}, 0);
      check_nhwc_matches_reference("pad2d", {{"X", x}}, pad2d_attrs(pads, mode, 0.5f), {{"Out"}},
                                   0);
      check_optimized_matches_reference("pad2d", {{"X", random_tensor({1, 4, 7, 3}, 4)}},
                                        pad2d_attrs(pads, mode, -1, "NHWC"), {{"Out"}}, 0);
    }
}

}  // namespace
}  // namespace detport::testing
