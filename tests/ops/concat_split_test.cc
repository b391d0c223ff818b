// concat, split, stack, unstack, unbind; and concat/split inside channels-last regions, where
// they must keep NHWC (no layout conversion around them) and still agree with the reference.
#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

TEST(Concat, ByHand) {
  // [2,1] ++ [2,2] along axis 1: rows join.
  auto out = run_both("concat", {{"X", f32({2, 1}, {0, 1})}, {"X", f32({2, 2}, {10, 11, 12, 13})}},
                      {{"axis", Attribute::i32(1)}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 3}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 10, 11, 1, 12, 13}));
  // Negative axis, and AxisTensor overriding the attribute.
  out = run_both("concat",
                 {{"X", iota({2, 2})}, {"X", iota({1, 2})}, {"AxisTensor", i32({1}, {0}), true}},
                 {{"axis", Attribute::i32(-1)}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 2}));
}

TEST(Concat, MismatchIsAnError) {
  EXPECT_NE(op_error("concat", {{"X", iota({2, 2})}, {"X", iota({3, 3})}},
                     {{"axis", Attribute::i32(0)}}, {{"Out"}})
                .find("do not match"),
            std::string::npos);
}

TEST(Concat, OddShapesAllAxes) {
  for (int axis = 0; axis < 4; ++axis) {
    SCOPED_TRACE(axis);
    Dims a{2, 3, 5, 7}, b{2, 3, 5, 7};
    b[static_cast<std::size_t>(axis)] = 1;
    run_both("concat",
             {{"X", random_tensor(a, 1)}, {"X", random_tensor(b, 2)}, {"X", random_tensor(a, 3)}},
             {{"axis", Attribute::i32(axis)}}, {{"Out"}});
  }
}

TEST(Split, NumSectionsAndMinusOne) {
  auto out = run_both(
      "split", {{"X", iota({2, 6})}},
      {{"axis", Attribute::i32(1)}, {"num", Attribute::i32(3)}, {"sections", Attribute::i32s({})}},
      {{"Out", DType::kFloat32, 3}});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].tensor.to_vector<float>(), (std::vector<float>{2, 3, 8, 9}));
  out = run_both("split", {{"X", iota({5, 2})}},
                 {{"axis", Attribute::i32(0)},
                  {"num", Attribute::i32(0)},
                  {"sections", Attribute::i32s({1, -1, 2})}},
                 {{"Out", DType::kFloat32, 3}});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].tensor.dims(), (Dims{2, 2}));
  EXPECT_EQ(out[2].tensor.to_vector<float>(), (std::vector<float>{6, 7, 8, 9}));
  // SectionsTensorList overrides the attribute.
  out = run_both("split",
                 {{"X", iota({5, 2})},
                  {"SectionsTensorList", i32({1}, {4}), true},
                  {"SectionsTensorList", i32({1}, {1}), true}},
                 {{"axis", Attribute::i32(0)},
                  {"num", Attribute::i32(0)},
                  {"sections", Attribute::i32s({1, 4})}},
                 {{"Out", DType::kFloat32, 2}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{4, 2}));
  EXPECT_NE(op_error("split", {{"X", iota({5, 2})}},
                     {{"axis", Attribute::i32(0)}, {"num", Attribute::i32(2)}},
                     {{"Out", DType::kFloat32, 2}})
                .find("equal parts"),
            std::string::npos);
}

TEST(Stack, NewAxisAnywhere) {
  auto out = run_both("stack", {{"X", f32({2}, {1, 2})}, {"X", f32({2}, {3, 4})}},
                      {{"axis", Attribute::i32(-1)}}, {{"Y"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 3, 2, 4}));
  for (int axis = 0; axis <= 3; ++axis)
    run_both("stack",
             {{"X", random_tensor({3, 5, 7}, 1)},
              {"X", random_tensor({3, 5, 7}, 2)},
              {"X", random_tensor({3, 5, 7}, 3)}},
             {{"axis", Attribute::i32(axis)}}, {{"Y"}});
  // 0-D inputs stack into a vector.
  out = run_both("stack", {{"X", f32({}, {5})}, {"X", f32({}, {6})}}, {{"axis", Attribute::i32(0)}},
                 {{"Y"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2}));
}

TEST(Unstack, AndUnbind) {
  auto out = run_both("unstack", {{"X", iota({2, 3})}},
                      {{"axis", Attribute::i32(1)}, {"num", Attribute::i32(3)}},
                      {{"Y", DType::kFloat32, 3}});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2].tensor.to_vector<float>(), (std::vector<float>{2, 5}));
  out = run_both("unbind", {{"X", iota({2, 3})}}, {{"axis", Attribute::i32(0)}},
                 {{"Out", DType::kFloat32, 2}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].tensor.to_vector<float>(), (std::vector<float>{3, 4, 5}));
}

// conv -> concat (with a CoordConv-style constant) -> conv -> split -> two convs: a CSP/PAN-like
// neck. With concat and split NHWC-capable, the only conversions are into and out of the region.
ir::Model neck(int64_t n, int64_t h, int64_t w) {
  ir::ProgramBuilder b;
  const std::string x = b.input("x", DType::kFloat32, {n, 3, h, w});
  const std::string a = pointwise(b, x, 3, 5, "a");
  const std::string c = pointwise(b, x, 3, 4, "c");
  Tensor coord = iota({1, 1, h, w});
  std::vector<std::byte> bytes(coord.bytes());
  std::memcpy(bytes.data(), coord.raw(), bytes.size());
  // A constant can only join a batch-1 tensor (concat needs equal dims off the axis).
  std::vector<std::string> parts = {a, c};
  if (n == 1)
    parts.push_back(
        b.param("coord", ir::Tensor::owned(DType::kFloat32, {1, 1, h, w}, std::move(bytes))));
  const int64_t cat_c = 9 + (n == 1 ? 1 : 0);
  const std::string cat = b.op("concat")
                              .in("X", parts)
                              .out("Out", {b.temp("cat", DType::kFloat32, {})})
                              .attr("axis", Attribute::i32(1))
                              .build();
  const std::string mix = pointwise(b, cat, cat_c, 6, "mix");
  const std::string p0 = b.temp("p0", DType::kFloat32, {}), p1 = b.temp("p1", DType::kFloat32, {});
  b.op("split")
      .in("X", {mix})
      .out("Out", {p0, p1})
      .attr("axis", Attribute::i32(1))
      .attr("num", Attribute::i32(0))
      .attr("sections", Attribute::i32s({2, 4}))
      .build();
  b.output(pointwise(b, p0, 2, 3, "o0"));
  b.output(pointwise(b, p1, 4, 3, "o1"));
  return std::move(b).finish(ir::Release{2, 6, 0});
}

TEST(ConcatSplit, StayChannelsLastBetweenConvs) {
  for (int64_t n : {1, 2}) {
    SCOPED_TRACE(n);
    const ir::Model m = neck(n, 7, 9);
    auto c = compare_paths(m, {{"x", random_tensor({n, 3, 7, 9}, 5)}});
    // One conversion into NHWC for x, one out for each of the two outputs.
    EXPECT_NE(c.optimized_plan.find("3 layout conversions"), std::string::npos) << c.optimized_plan;
  }
}

}  // namespace
}  // namespace detport::testing
