#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

TEST(Elementwise, PaddleAxisBroadcastingByHand) {
  // X [2,3,2], Y [3] at axis 1: Y varies along dim 1.
  Tensor x =
      make_tensor<float>({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, ir::DType::kFloat32);
  Tensor y = make_tensor<float>({3}, {100, 200, 300}, ir::DType::kFloat32);
  auto out = run_reference("elementwise_add", {{"X", x}, {"Y", y}}, {{"axis", Attribute::i32(1)}},
                           {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(),
            (std::vector<float>{100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311}));
  // axis -1: trailing alignment, Y [2] varies along the last dim.
  Tensor y2 = make_tensor<float>({2}, {10, 20}, ir::DType::kFloat32);
  out = run_reference("elementwise_mul", {{"X", x}, {"Y", y2}}, {{"axis", Attribute::i32(-1)}},
                      {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>()[1], 20.0f);
  EXPECT_EQ(out[0].tensor.to_vector<float>()[11], 220.0f);
}

TEST(Elementwise, IntegerDivisionModAndComparisons) {
  Tensor a = make_tensor<int64_t>({4}, {7, -7, 7, -7}, ir::DType::kInt64);
  Tensor b = make_tensor<int64_t>({4}, {2, 2, -2, -2}, ir::DType::kInt64);
  auto mod =
      run_reference("elementwise_mod", {{"X", a}, {"Y", b}}, {}, {{"Out", ir::DType::kInt64}});
  EXPECT_EQ(mod[0].tensor.to_vector<int64_t>(),
            (std::vector<int64_t>{1, 1, -1, -1}));  // Python-style mod
  auto fdiv =
      run_reference("elementwise_floordiv", {{"X", a}, {"Y", b}}, {}, {{"Out", ir::DType::kInt64}});
  EXPECT_EQ(fdiv[0].tensor.to_vector<int64_t>(), (std::vector<int64_t>{3, -4, -4, 3}));
  auto lt = run_reference("less_than", {{"X", a}, {"Y", b}}, {}, {{"Out", ir::DType::kBool}});
  EXPECT_EQ(lt[0].tensor.to_vector<bool>(), (std::vector<bool>{false, true, false, true}));
}

struct Shapes {
  Dims x, y;
  int axis;
};

class ElementwiseShapes : public ::testing::TestWithParam<Shapes> {};

TEST_P(ElementwiseShapes, OptimizedMatchesReference) {
  const auto& p = GetParam();
  for (const char* type :
       {"elementwise_add", "elementwise_sub", "elementwise_mul", "elementwise_div",
        "elementwise_max", "elementwise_min", "greater_than", "equal"}) {
    SCOPED_TRACE(type);
    Tensor x = random_tensor(p.x, 1);
    Tensor y = random_tensor(p.y, 2, 0.5f, 2.0f);
    const bool cmp = std::string(type) == "greater_than" || std::string(type) == "equal";
    check_optimized_matches_reference(type, {{"X", x}, {"Y", y}},
                                      {{"axis", Attribute::i32(p.axis)}},
                                      {{"Out", cmp ? ir::DType::kBool : ir::DType::kFloat32}});
  }
}

INSTANTIATE_TEST_SUITE_P(Broadcasts, ElementwiseShapes,
                         ::testing::Values(Shapes{{2, 3, 5, 7}, {2, 3, 5, 7}, -1},    // same shape
                                           Shapes{{2, 17, 9, 11}, {17}, 1},           // per channel
                                           Shapes{{1, 16, 8, 8}, {1, 16, 1, 1}, -1},  // SE gate
                                           Shapes{{3, 5}, {1}, -1},                   // scalar
                                           Shapes{{1, 1, 7}, {4, 6, 1}, -1},  // both broadcast
                                           Shapes{{2, 3, 4}, {3, 4}, 1},      // trailing at axis
                                           Shapes{{5}, {2, 5}, -1},           // X smaller than Y
                                           Shapes{{1, 64, 40, 40}, {1, 64, 40, 40}, -1}));

TEST(Elementwise, MismatchedDimsAreAClearError) {
  const ir::Model m =
      one_op_model("elementwise_add",
                   {{"X", random_tensor({2, 3}, 1)}, {"Y", random_tensor({4}, 2)}}, {}, {{"Out"}});
  auto r =
      run_model(m, feeds({{"X", random_tensor({2, 3}, 1)}, {"Y", random_tensor({4}, 2)}}), false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("do not broadcast"), std::string::npos) << r.error().describe();
  EXPECT_NE(r.error().context.find("elementwise_add"), std::string::npos) << r.error().describe();
}

}  // namespace
}  // namespace detport::testing
