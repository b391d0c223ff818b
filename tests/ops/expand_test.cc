// expand_v2, expand_as_v2, expand (v1), tile, meshgrid.
#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

TEST(Expand, TargetShapesAndMinusOne) {
  auto out = run_both("expand_v2", {{"X", f32({2, 1}, {1, 2})}},
                      {{"shape", Attribute::i32s({3, -1, 2})}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 2, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(),
            (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2}));
  // expand_shapes_tensor entries override the attribute.
  out = run_both("expand_v2",
                 {{"X", f32({2, 1}, {1, 2})},
                  {"expand_shapes_tensor", i32({1}, {2}), true},
                  {"expand_shapes_tensor", i32({1}, {3}), true}},
                 {{"shape", Attribute::i32s({-1, -1})}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 3}));
  out = run_both("expand_as_v2", {{"X", f32({1, 2}, {1, 2})}, {"Y", iota({3, 2})}},
                 {{"target_shape", Attribute::i32s({})}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 2}));
  EXPECT_NE(
      op_error("expand_v2", {{"X", iota({2, 3})}}, {{"shape", Attribute::i32s({2, 4})}}, {{"Out"}})
          .find("cannot expand"),
      std::string::npos);
  run_both("expand_v2", {{"X", random_tensor({1, 17, 1, 5}, 1)}},
           {{"shape", Attribute::i32s({3, 2, 17, 9, 5})}}, {{"Out"}});
}

TEST(Tile, RepeatsAndRankAlignment) {
  auto out = run_both("tile", {{"X", f32({2}, {1, 2})}},
                      {{"repeat_times", Attribute::i32s({2, 2})}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 4}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 2, 1, 2, 1, 2, 1, 2}));
  // Fewer repeats than dims: leading 1s.
  out = run_both("tile", {{"X", iota({2, 3})}, {"RepeatTimes", i32({1}, {2})}}, {}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 6}));
  out = run_both("expand", {{"X", iota({2, 1})}}, {{"expand_times", Attribute::i32s({1, 3})}},
                 {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 0, 0, 1, 1, 1}));
  run_both("tile", {{"X", random_tensor({3, 1, 5}, 2)}},
           {{"repeat_times", Attribute::i32s({2, 1, 7, 3})}}, {{"Out"}});
}

TEST(Meshgrid, IjIndexing) {
  auto out = run_both("meshgrid", {{"X", f32({2}, {1, 2})}, {"X", f32({3}, {7, 8, 9})}}, {},
                      {{"Out", DType::kFloat32, 2}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 3}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(out[1].tensor.to_vector<float>(), (std::vector<float>{7, 8, 9, 7, 8, 9}));
}

}  // namespace
}  // namespace detport::testing
