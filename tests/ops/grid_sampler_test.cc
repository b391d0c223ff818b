// grid_sampler (reference kernel only) against hand-computed samples.
#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

std::vector<float> sample(std::vector<float> grid, const std::string& mode,
                          const std::string& padding, bool align_corners) {
  const Tensor x = iota_tensor({1, 1, 2, 2});  // 1 2 / 3 4
  const int64_t points = static_cast<int64_t>(grid.size()) / 2;
  const Tensor g = make_tensor<float>({1, 1, points, 2}, std::move(grid), ir::DType::kFloat32);
  return values(run_reference("grid_sampler", {{"X", x}, {"Grid", g}},
                              {{"mode", Attribute::str(mode)},
                               {"padding_mode", Attribute::str(padding)},
                               {"align_corners", Attribute::boolean(align_corners)}},
                              {{"Output"}}));
}

TEST(GridSampler, BilinearByHand) {
  // align_corners: -1 -> 0, 1 -> size - 1; (0, 0) is the centre 2.5.
  EXPECT_EQ(sample({-1, -1, 1, 1, 0, 0, 1, -1}, "bilinear", "zeros", true),
            (std::vector<float>{1, 4, 2.5f, 2}));
  // Without align_corners -1 -> -0.5: only pixel (0,0) is inside, weighted 0.5 * 0.5.
  EXPECT_EQ(sample({-1, -1}, "bilinear", "zeros", false), (std::vector<float>{0.25f}));
  // border clamps to pixel (0, 0); reflection (about -0.5) lands on -0.5 -> clamped to 0.
  EXPECT_EQ(sample({-1, -1}, "bilinear", "border", false), (std::vector<float>{1}));
  EXPECT_EQ(sample({-1, -1}, "bilinear", "reflection", false), (std::vector<float>{1}));
  // Reflection with align_corners: x = (1.5 + 1) / 2 = 1.25 reflects to 0.75 (range 2).
  EXPECT_FLOAT_EQ(sample({1.5f, -1}, "bilinear", "reflection", true)[0], 1 * 0.25f + 2 * 0.75f);
  // Zeros: 1.25 keeps (1, 0) at weight 0.75 and loses the outside (2, 0).
  EXPECT_FLOAT_EQ(sample({1.5f, -1}, "bilinear", "zeros", true)[0], 2 * 0.75f);
}

TEST(GridSampler, NearestByHand) {
  // (0.1, -0.1) -> (0.55, 0.45) -> rounds to x 1, y 0 -> 2.
  EXPECT_EQ(sample({0.1f, -0.1f}, "nearest", "zeros", true), (std::vector<float>{2}));
  // x = 1.5 rounds to 2: outside -> 0; border clamps first -> 1 -> 2.
  EXPECT_EQ(sample({2, -1}, "nearest", "zeros", true), (std::vector<float>{0}));
  EXPECT_EQ(sample({2, -1}, "nearest", "border", true), (std::vector<float>{2}));
  // -0.4 rounds to -0 (half away from zero only at .5): inside.
  EXPECT_EQ(sample({-1.8f, -1}, "nearest", "zeros", true), (std::vector<float>{1}));
}

TEST(GridSampler, BadModesAreClearErrors) {
  const std::vector<OpInput> in{{"X", random_tensor({1, 2, 3, 3}, 1)},
                                {"Grid", random_tensor({1, 2, 2, 2}, 2)}};
  EXPECT_NE(op_error("grid_sampler", in, {{"mode", Attribute::str("bicubic")}}, {{"Output"}})
                .find("bicubic"),
            std::string::npos);
  EXPECT_NE(op_error("grid_sampler", in, {{"padding_mode", Attribute::str("wrap")}}, {{"Output"}})
                .find("wrap"),
            std::string::npos);
}

}  // namespace
}  // namespace detport::testing
