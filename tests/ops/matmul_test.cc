#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using F = ir::DType;

Tensor f32(Dims d, std::vector<float> v) {
  return make_tensor<float>(std::move(d), std::move(v), F::kFloat32);
}

std::vector<ir::NamedAttribute> v2(bool tx, bool ty) {
  return {{"trans_x", Attribute::boolean(tx)}, {"trans_y", Attribute::boolean(ty)}};
}
std::vector<ir::NamedAttribute> v1(bool tx, bool ty, float alpha = 1) {
  return {{"transpose_X", Attribute::boolean(tx)},
          {"transpose_Y", Attribute::boolean(ty)},
          {"alpha", Attribute::f32(alpha)}};
}

TEST(Matmul, V2VectorsAndTransposesByHand) {
  const Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  // [2,3] x [3] -> [2] (PicoDet's DFL head: [?, 8] x [8]).
  auto out = run_reference("matmul_v2", {{"X", x}, {"Y", f32({3}, {1, 0, -1}), true}},
                           v2(false, false), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2}));
  EXPECT_EQ(values(out), (std::vector<float>{-2, -2}));
  // [3] x [3] -> [1].
  out = run_reference("matmul_v2", {{"X", f32({3}, {1, 2, 3})}, {"Y", f32({3}, {4, 5, 6})}},
                      v2(true, true), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1}));
  EXPECT_EQ(values(out), (std::vector<float>{32}));
  // [3] x [3,2] -> [2].
  out = run_reference("matmul_v2",
                      {{"X", f32({3}, {1, 1, 1})}, {"Y", f32({3, 2}, {1, 2, 3, 4, 5, 6})}},
                      v2(false, false), {{"Out"}});
  EXPECT_EQ(values(out), (std::vector<float>{9, 12}));
  // trans_x: x^T [3,2] x [2,3]... here X [2,3] transposed is [3,2]; Y [2,1].
  out = run_reference("matmul_v2", {{"X", x}, {"Y", f32({2, 1}, {1, 1})}}, v2(true, false),
                      {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 1}));
  EXPECT_EQ(values(out), (std::vector<float>{5, 7, 9}));
  // trans_y: X [2,3] x (Y [2,3])^T -> [2,2] of row dot products.
  out = run_reference("matmul_v2", {{"X", x}, {"Y", x}}, v2(false, true), {{"Out"}});
  EXPECT_EQ(values(out), (std::vector<float>{14, 32, 32, 77}));
}

TEST(Matmul, V2BroadcastsBatchDims) {
  // X [2,1,1,2] (two 1x2 rows), Y [3,2,1] (three 2x1 columns) -> [2,3,1,1].
  const Tensor x = f32({2, 1, 1, 2}, {1, 2, 3, 4});
  const Tensor y = f32({3, 2, 1}, {1, 0, 0, 1, 1, 1});
  auto out = run_reference("matmul_v2", {{"X", x}, {"Y", y}}, v2(false, false), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 3, 1, 1}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 2, 3, 3, 4, 7}));
  EXPECT_NE(op_error("matmul_v2",
                     {{"X", random_tensor({2, 2, 3}, 1)}, {"Y", random_tensor({3, 3, 2}, 2)}},
                     v2(false, false), {{"Out"}})
                .find("broadcast"),
            std::string::npos);
}

TEST(Matmul, V1AlphaBatchesAndVectorsByHand) {
  auto out =
      run_reference("matmul", {{"X", f32({2, 2}, {1, 2, 3, 4})}, {"Y", f32({2, 2}, {1, 0, 0, 1})}},
                    v1(false, false, 2), {{"Out"}});
  EXPECT_EQ(values(out), (std::vector<float>{2, 4, 6, 8}));
  // Batches flatten: X [2,3,2,4] with Y [6,4,5] -> X's dims [2,3,2,5].
  out = run_reference("matmul",
                      {{"X", random_tensor({2, 3, 2, 4}, 1)}, {"Y", random_tensor({6, 4, 5}, 2)}},
                      v1(false, false), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 3, 2, 5}));
  // A 1-D X is a row [1, K]; transposed it is a column [K, 1]: an outer product with Y [1, 2].
  out = run_reference("matmul", {{"X", f32({3}, {1, 2, 3})}, {"Y", f32({1, 2}, {1, 10})}},
                      v1(true, false), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 2}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 10, 2, 20, 3, 30}));
  // 1-D x 1-D -> [1].
  out = run_reference("matmul", {{"X", f32({2}, {1, 2})}, {"Y", f32({2}, {3, 4})}},
                      v1(false, false), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1}));
  EXPECT_EQ(values(out), (std::vector<float>{11}));
  EXPECT_NE(
      op_error("matmul", {{"X", random_tensor({2, 2, 3}, 1)}, {"Y", random_tensor({3, 3, 2}, 2)}},
               v1(false, false), {{"Out"}})
          .find("batch sizes"),
      std::string::npos);
}

TEST(Matmul, MulAndFcByHand) {
  // mul: X [1,2,2] flattened at 2 -> [2,2]; Y [2,1,2] flattened at 1 -> [2,2]; Out [1,2,1,2].
  auto out = run_reference(
      "mul", {{"X", f32({1, 2, 2}, {1, 2, 3, 4})}, {"Y", f32({2, 1, 2}, {1, 1, 0, 1}), true}},
      {{"x_num_col_dims", Attribute::i32(2)}, {"y_num_col_dims", Attribute::i32(1)}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 2, 1, 2}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 3, 3, 7}));
  // fc: relu(X W + b).
  out = run_reference(
      "fc",
      {{"Input", f32({2, 2}, {1, 2, 3, 4})},
       {"W", f32({2, 2}, {1, -1, 1, -1}), true},
       {"Bias", f32({2}, {0, 1}), true}},
      {{"in_num_col_dims", Attribute::i32(1)}, {"activation_type", Attribute::str("relu")}},
      {{"Out"}});
  EXPECT_EQ(values(out), (std::vector<float>{3, 0, 7, 0}));
  EXPECT_NE(op_error("fc", {{"Input", f32({1, 2}, {1, 2})}, {"W", f32({2, 1}, {1, 1}), true}},
                     {{"activation_type", Attribute::str("tanh")}}, {{"Out"}})
                .find("activation_type"),
            std::string::npos);
}

struct MatmulCase {
  std::string type;
  Dims x, y;
  std::vector<ir::NamedAttribute> attrs;
  bool y_constant = false;
};

void PrintTo(const MatmulCase& c, std::ostream* os) {
  *os << c.type << " " << runtime::dims_to_string(c.x) << " x " << runtime::dims_to_string(c.y);
}

class MatmulShapes : public ::testing::TestWithParam<MatmulCase> {};

TEST_P(MatmulShapes, OneDnnMatchesReference) {
  const MatmulCase& c = GetParam();
  std::vector<OpInput> in{{c.type == "fc" ? "Input" : "X", random_tensor(c.x, 1)},
                          {c.type == "fc" ? "W" : "Y", random_tensor(c.y, 2), c.y_constant}};
  if (c.type == "fc") in.push_back({"Bias", random_tensor({c.y[1]}, 3), true});
  check_optimized_matches_reference(c.type, in, c.attrs, {{"Out"}}, 1e-5);
  if (c.type != "fc") {
    EXPECT_EQ(optimized_impl(c.type, in, c.attrs, {{"Out"}}).rfind("onednn:", 0), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, MatmulShapes,
    ::testing::Values(
        MatmulCase{"matmul_v2", {4, 8}, {8}, v2(false, false), true},
        MatmulCase{"matmul_v2", {2, 17, 33}, {33, 9}, v2(false, false), true},
        MatmulCase{"matmul_v2", {2, 33, 17}, {9, 33}, v2(true, true)},
        MatmulCase{"matmul_v2", {3, 1, 5, 7}, {4, 7, 6}, v2(false, false)},
        MatmulCase{"matmul_v2", {2, 8, 5, 16}, {2, 8, 7, 16}, v2(false, true)},  // attention QK^T
        MatmulCase{"matmul_v2", {1, 1}, {1, 1}, v2(false, false)},
        MatmulCase{"matmul_v2", {7}, {7}, v2(false, false)},
        MatmulCase{"matmul_v2", {5}, {3, 5, 2}, v2(false, false)},
        MatmulCase{"matmul", {2, 3, 4, 5}, {6, 5, 3}, v1(false, false, 0.125f)},
        MatmulCase{"matmul", {4, 5}, {2, 3, 6, 4}, v1(true, true, 2.0f)},
        MatmulCase{"matmul", {9}, {9, 4}, v1(false, false)},
        MatmulCase{"mul", {2, 3, 4}, {12, 5}, {{"x_num_col_dims", Attribute::i32(1)}}, true},
        MatmulCase{"mul", {2, 3, 4}, {4, 2, 3}, {{"x_num_col_dims", Attribute::i32(2)}}, true},
        MatmulCase{"fc", {3, 10}, {10, 7}, {{"activation_type", Attribute::str("relu")}}, true},
        MatmulCase{"fc", {2, 3, 4}, {4, 6}, {{"in_num_col_dims", Attribute::i32(2)}}, true}));

TEST(Matmul, FusedActivationMatchesReference) {
  // matmul_v2 -> gelu: the activation becomes a oneDNN post-op.
  ir::ProgramBuilder b;
  b.input("x", F::kFloat32, {2, 6, 10});
  std::vector<std::byte> bytes(10 * 4 * sizeof(float));
  const Tensor w = random_tensor({10, 4}, 5);
  std::memcpy(bytes.data(), w.raw(), bytes.size());
  b.param("w", ir::Tensor::owned(F::kFloat32, {10, 4}, std::move(bytes)));
  const std::string mid = b.temp("mid", F::kFloat32, {});
  b.op("matmul_v2")
      .in("X", {"x"})
      .in("Y", {"w"})
      .out("Out", {mid})
      .attr("trans_x", Attribute::boolean(false))
      .attr("trans_y", Attribute::boolean(false))
      .build();
  const std::string out = b.temp("out", F::kFloat32, {});
  b.op("gelu").in("X", {mid}).out("Out", {out}).build();
  b.output(out);
  const ir::Model m = std::move(b).finish(ir::Release{2, 6, 1});
  const std::vector<runtime::NamedTensor> in{{"x", random_tensor({2, 6, 10}, 6)}};
  auto ref = run_model(m, in, false);
  runtime::CompileOptions o;
  o.profile = true;
  auto s = runtime::compile(m, o);
  ASSERT_TRUE(s.ok() && ref.ok());
  auto opt = s->run(in);
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  expect_close((*opt)[0].tensor, (*ref)[0].tensor, 1e-5, "matmul+gelu");
  ASSERT_EQ(s->profile().nodes.size(), 1u) << s->plan_summary();
  EXPECT_EQ(s->profile().nodes[0].type, "matmul_v2+gelu");
}

}  // namespace
}  // namespace detport::testing
