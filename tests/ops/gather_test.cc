// Indexing and selection: gather, gather_nd, index_select, take_along_axis, index_sample,
// lookup_table_v2, one_hot_v2, where, where_index (nonzero) and masked_select (data-dependent
// output sizes, also downstream of them).
#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

TEST(Gather, AxisIndexAndZeroDIndex) {
  Tensor x = iota({3, 4});
  auto out = run_both("gather", {{"X", x}, {"Index", i64({2}, {2, 0})}},
                      {{"axis", Attribute::i32(0)}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{8, 9, 10, 11, 0, 1, 2, 3}));
  out =
      run_both("gather", {{"X", x}, {"Index", i32({3}, {3, 3, 1})}, {"Axis", i32({1}, {1}), true}},
               {}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 3}));
  EXPECT_EQ(out[0].tensor.to_vector<float>()[3], 7.0f);
  // A 0-D index drops the axis (Paddle 2.5+).
  out = run_both("gather", {{"X", x}, {"Index", i64({}, {1})}}, {{"axis", Attribute::i32(1)}},
                 {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 5, 9}));
  EXPECT_NE(op_error("gather", {{"X", x}, {"Index", i64({1}, {3})}}, {{"axis", Attribute::i32(0)}},
                     {{"Out"}})
                .find("out of range"),
            std::string::npos);
  out = run_both("index_select", {{"X", x}, {"Index", i64({2}, {3, 0})}},
                 {{"dim", Attribute::i32(-1)}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{3, 0, 7, 4, 11, 8}));
}

TEST(GatherNd, RowsOfCoordinates) {
  // RT-DETR gathers top-k queries with [batch, index] pairs.
  Tensor x = iota({2, 3, 2});
  auto out = run_both("gather_nd", {{"X", x}, {"Index", i64({2, 2}, {1, 2, 0, 1})}}, {}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{10, 11, 2, 3}));
  out = run_both("gather_nd", {{"X", x}, {"Index", i64({1, 3}, {1, 0, 1})}}, {}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{7}));
}

TEST(TakeAlongAxis, AndIndexSample) {
  Tensor x = iota({2, 3});
  auto out = run_both("take_along_axis", {{"Input", x}, {"Index", i64({2, 2}, {2, 0, -1, 1})}},
                      {{"Axis", Attribute::i32(1)}}, {{"Result"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{2, 0, 5, 4}));
  out = run_both("index_sample", {{"X", x}, {"Index", i32({2, 1}, {1, 2})}}, {}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 5}));
}

TEST(LookupTable, RowsAndPadding) {
  auto out = run_both("lookup_table_v2", {{"W", iota({4, 2}), true}, {"Ids", i64({3}, {3, 0, 1})}},
                      {{"padding_idx", Attribute::i64(0)}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{6, 7, 0, 0, 2, 3}));
}

TEST(OneHot, DepthAndOutOfRange) {
  auto out = run_both("one_hot_v2", {{"X", i64({3}, {0, 2, 1})}},
                      {{"depth", Attribute::i32(3)},
                       {"dtype", Attribute::i32(5)},
                       {"allow_out_of_range", Attribute::boolean(false)}},
                      {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 1, 0}));
  out = run_both("one_hot_v2", {{"X", i64({2}, {5, 1})}},
                 {{"depth", Attribute::i32(2)},
                  {"dtype", Attribute::i32(5)},
                  {"allow_out_of_range", Attribute::boolean(true)}},
                 {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 0, 0, 1}));
  EXPECT_NE(
      op_error("one_hot_v2", {{"X", i64({1}, {5})}}, {{"depth", Attribute::i32(2)}}, {{"Out"}})
          .find("outside"),
      std::string::npos);
}

TEST(Where, ChoosesAndBroadcasts) {
  Tensor c = bools({2, 2}, {1, 0, 0, 1});
  auto out = run_both(
      "where",
      {{"Condition", c}, {"X", f32({2, 2}, {1, 2, 3, 4})}, {"Y", f32({2, 2}, {-1, -2, -3, -4})}},
      {}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, -2, -3, 4}));
  out = run_both("where", {{"Condition", c}, {"X", f32({2, 1}, {1, 2})}, {"Y", f32({1}, {0})}}, {},
                 {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 0, 0, 2}));
}

TEST(WhereIndex, CoordinatesOfTrueElements) {
  Tensor c = bools({2, 3}, {0, 1, 0, 1, 0, 1});
  auto out = run_both("where_index", {{"Condition", c}}, {}, {{"Out", DType::kInt64}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 1, 0, 1, 2}));
}

TEST(MaskedSelect, FeedsAnOpShapedAtRunTime) {
  // masked_select's output size is the mask's count; the scale after it is shaped when it runs.
  ir::ProgramBuilder b;
  const std::string x = b.input("x", DType::kFloat32, {2, 3});
  const std::string m = b.input("m", DType::kBool, {1, 3});
  const std::string y = b.op("masked_select")
                            .in("X", {x})
                            .in("Mask", {m})
                            .out("Y", {b.temp("y", DType::kFloat32, {})})
                            .build();
  const std::string z = b.op("scale")
                            .in("X", {y})
                            .out("Out", {b.temp("z", DType::kFloat32, {})})
                            .attr("scale", Attribute::f32(2))
                            .attr("bias", Attribute::f32(0))
                            .attr("bias_after_scale", Attribute::boolean(true))
                            .build();
  b.output(z);
  const ir::Model model = std::move(b).finish(ir::Release{2, 6, 0});
  auto c = compare_paths(model, {{"x", iota({2, 3})}, {"m", bools({1, 3}, {1, 0, 1})}});
  ASSERT_EQ(c.reference.size(), 1u);
  EXPECT_EQ(c.reference[0].tensor.to_vector<float>(), (std::vector<float>{0, 4, 6, 10}));
  // Another mask on the same plan: another size.
  auto s = runtime::compile(model, {});
  ASSERT_TRUE(s.ok());
  auto r = s->run({{"x", iota({2, 3})}, {"m", bools({1, 3}, {0, 0, 1})}});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*r)[0].tensor.to_vector<float>(), (std::vector<float>{4, 10}));
}

}  // namespace
}  // namespace detport::testing
