// transpose2, flip, roll: hand-checked permutations, and the tiled strided copy against the
// index-by-index reference on odd shapes and element widths.
#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

TEST(Transpose, ByHand) {
  // x[i][j] = 3i + j for a 2x3; the transpose is 3x2 with out[j][i] = x[i][j].
  auto out = run_both("transpose2", {{"X", iota({2, 3})}}, {{"axis", Attribute::i32s({1, 0})}},
                      {{"Out"}, {"XShape"}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(out[1].tensor.dims(), (Dims{0, 2, 3}));
}

struct Perm {
  Dims x;
  std::vector<int32_t> axis;
};
void PrintTo(const Perm& p, std::ostream* os) {
  *os << runtime::dims_to_string(p.x) << " perm " << ::testing::PrintToString(p.axis);
}
class TransposeShapes : public ::testing::TestWithParam<Perm> {};

TEST_P(TransposeShapes, TiledCopyMatchesReference) {
  const Perm& p = GetParam();
  run_both("transpose2", {{"X", random_tensor(p.x, 3)}}, {{"axis", Attribute::i32s(p.axis)}},
           {{"Out"}});
  // int64 and uint8 elements take other copy widths.
  Tensor wide = Tensor::empty(DType::kInt64, p.x);
  for (int64_t i = 0; i < wide.numel(); ++i) wide.data<int64_t>()[i] = i * 7919;
  run_both("transpose", {{"X", wide}}, {{"axis", Attribute::i32s(p.axis)}},
           {{"Out", DType::kInt64}});
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, TransposeShapes,
    ::testing::Values(Perm{{2, 2, 20, 64, 48}, {0, 2, 1, 3, 4}},  // hrnet's channel shuffle
                      Perm{{1, 68, 20, 20}, {0, 2, 3, 1}},        // head: NCHW -> NHWC
                      Perm{{2, 300, 13}, {0, 2, 1}},              // yolo scores
                      Perm{{3, 1, 5, 7}, {3, 2, 1, 0}},           // reversal with a 1
                      Perm{{37, 45}, {1, 0}},                     // ragged tiles
                      Perm{{5}, {0}}));

TEST(Transpose, NotAPermutationIsAnError) {
  EXPECT_NE(
      op_error("transpose2", {{"X", iota({2, 3})}}, {{"axis", Attribute::i32s({0, 0})}}, {{"Out"}})
          .find("repeats"),
      std::string::npos);
  EXPECT_NE(
      op_error("transpose2", {{"X", iota({2, 3})}}, {{"axis", Attribute::i32s({0})}}, {{"Out"}})
          .find("does not permute"),
      std::string::npos);
}

TEST(Flip, ReversesListedAxes) {
  auto out = run_both("flip", {{"X", iota({2, 3})}}, {{"axis", Attribute::i32s({1})}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{2, 1, 0, 5, 4, 3}));
  out = run_both("flip", {{"X", iota({2, 3})}}, {{"axis", Attribute::i32s({0, -1})}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{5, 4, 3, 2, 1, 0}));
  run_both("flip", {{"X", random_tensor({3, 17, 9, 5}, 4)}}, {{"axis", Attribute::i32s({1, 3})}},
           {{"Out"}});
}

TEST(Roll, ShiftsWrapAround) {
  // numpy.roll semantics: out[(i + s) % n] = x[i].
  auto out =
      run_both("roll", {{"X", iota({2, 3})}},
               {{"shifts", Attribute::i64s({1})}, {"axis", Attribute::i64s({1})}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{2, 0, 1, 5, 3, 4}));
  // No axis: the flattened tensor rolls; negative shifts go the other way.
  out = run_both("roll", {{"X", iota({2, 3})}},
                 {{"shifts", Attribute::i64s({-2})}, {"axis", Attribute::i64s({})}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{2, 3, 4, 5, 0, 1}));
}

TEST(ChannelShuffle, ByHandAndBothPaths) {
  // 6 channels in 2 groups: output channel i*2 + j reads input channel j*3 + i -> 0 3 1 4 2 5.
  auto out =
      run_both("channel_shuffle", {{"X", iota({1, 6, 1, 1})}},
               {{"groups", Attribute::i32(2)}, {"data_format", Attribute::str("NCHW")}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  out =
      run_both("channel_shuffle", {{"X", iota({1, 1, 1, 6})}},
               {{"groups", Attribute::i32(3)}, {"data_format", Attribute::str("NHWC")}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 2, 4, 1, 3, 5}));
  run_both("channel_shuffle", {{"X", random_tensor({2, 40, 7, 5}, 1)}},
           {{"groups", Attribute::i32(4)}, {"data_format", Attribute::str("NCHW")}}, {{"Out"}});
}

// conv -> reshape2 [N,g,C/g,H,W] -> transpose2 [0,2,1,3,4] -> reshape2 -> conv, with the shapes
// given as hrnet exports them (ShapeTensor lists). The pass makes it one NHWC channel_shuffle.
TEST(ChannelShuffle, ExportedPatternIsFusedAndStaysChannelsLast) {
  ir::ProgramBuilder b;
  const std::string x = b.input("x", DType::kFloat32, {-1, 3, 6, 5});
  const std::string a = pointwise(b, x, 3, 8, "a");
  auto constant = [&](const std::string& name, int32_t v) {
    Tensor t = i32({1}, {v});
    std::vector<std::byte> bytes(t.bytes());
    std::memcpy(bytes.data(), t.raw(), bytes.size());
    return b.param(name, ir::Tensor::owned(DType::kInt32, {1}, std::move(bytes)));
  };
  const std::string r =
      b.op("reshape2")
          .in("X", {a})
          .in("ShapeTensor", {constant("n", 2), constant("g", 2), constant("c", 4),
                              constant("h", 6), constant("w", 5)})
          .out("Out", {b.temp("r", DType::kFloat32, {})})
          .out("XShape", {b.temp("rx", DType::kFloat32, {})})
          .attr("shape", Attribute::i32s({-1, 2, 4, 6, 5}))
          .build();
  const std::string t = b.op("transpose2")
                            .in("X", {r})
                            .out("Out", {b.temp("t", DType::kFloat32, {})})
                            .out("XShape", {b.temp("tx", DType::kFloat32, {})})
                            .attr("axis", Attribute::i32s({0, 2, 1, 3, 4}))
                            .build();
  const std::string s = b.op("reshape2")
                            .in("X", {t})
                            .out("Out", {b.temp("s", DType::kFloat32, {})})
                            .out("XShape", {b.temp("sx", DType::kFloat32, {})})
                            .attr("shape", Attribute::i32s({-1, 8, 6, 5}))
                            .build();
  b.output(pointwise(b, s, 8, 3, "o"));
  const ir::Model m = std::move(b).finish(ir::Release{2, 6, 0});
  auto c = compare_paths(m, {{"x", random_tensor({2, 3, 6, 5}, 2)}});
  EXPECT_NE(c.optimized_plan.find("2 layout conversions"), std::string::npos) << c.optimized_plan;
  runtime::CompileOptions o;
  o.profile = true;
  auto session = runtime::compile(m, o);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(session->run({{"x", random_tensor({2, 3, 6, 5}, 2)}}).ok());
  std::vector<std::string> ran;
  for (const auto& p : session->profile().nodes) ran.push_back(p.type);
  EXPECT_NE(std::find(ran.begin(), ran.end(), "channel_shuffle"), ran.end());
  EXPECT_EQ(std::find(ran.begin(), ran.end(), "transpose2"), ran.end());
}

}  // namespace
}  // namespace detport::testing
