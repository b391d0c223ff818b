// softmax, matmul, reductions, arg_max, top_k_v2, normalisations, cast, gather, fill_constant and
// dropout exported to ONNX and run by ONNX Runtime against direct computations of Paddle's
// definitions.
#include <cmath>
#include <numeric>

#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using ir::DType;
using testing::HostTensor;

TEST(OnnxMath, SoftmaxOnAnInnerAxis) {
  // PP-YOLOE's DFL softmax runs over axis 1 of [N, 17, A, 4]; before opset 13 ONNX's Softmax
  // would flatten, so the axis is moved last and back.
  const int n = 2, c = 5, a = 3, d = 4;
  auto x = testing::random_floats(n * c * a * d, -3, 3, 1);
  std::vector<double> expected(x.size());
  for (int b = 0; b < n; ++b)
    for (int i = 0; i < a * d; ++i) {
      double sum = 0;
      for (int k = 0; k < c; ++k)
        sum += std::exp(x[static_cast<std::size_t>((b * c + k) * a * d + i)]);
      for (int k = 0; k < c; ++k) {
        const auto idx = static_cast<std::size_t>((b * c + k) * a * d + i);
        expected[idx] = std::exp(x[idx]) / sum;
      }
    }
  auto model = testing::one_op("softmax", {{"X", "x", DType::kFloat32, {-1, c, a, d}}},
                               {{"Out", "y", DType::kFloat32, {-1, c, a, d}}},
                               {{"axis", Attribute::i32(1)}});
  testing::OrtBatch batch;
  batch.add_opsets("axis 1", model, {11, 12, 13, 17}, {{"x", HostTensor::f32({n, c, a, d}, x)}},
                   [expected](const testing::RunResult& r) {
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), expected, 1e-6, 1e-5));
                   });
  batch.run();
}

TEST(OnnxMath, MatmulVariants) {
  testing::OrtBatch batch;
  // matmul_v2 with trans_y: [2, 3, 4] x [2, 5, 4]^T.
  auto x = testing::random_floats(24, -1, 1, 2), y = testing::random_floats(40, -1, 1, 3);
  std::vector<double> expected;
  for (int b = 0; b < 2; ++b)
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 5; ++j) {
        double s = 0;
        for (int k = 0; k < 4; ++k)
          s += static_cast<double>(x[static_cast<std::size_t>((b * 3 + i) * 4 + k)]) *
               y[static_cast<std::size_t>((b * 5 + j) * 4 + k)];
        expected.push_back(s);
      }
  auto v2 = testing::one_op(
      "matmul_v2", {{"X", "x", DType::kFloat32, {2, 3, 4}}, {"Y", "y", DType::kFloat32, {2, 5, 4}}},
      {{"Out", "out", DType::kFloat32, {2, 3, 5}}},
      {{"trans_x", Attribute::boolean(false)}, {"trans_y", Attribute::boolean(true)}});
  batch.add_opsets("matmul_v2 trans_y", v2, {11},
                   {{"x", HostTensor::f32({2, 3, 4}, x)}, {"y", HostTensor::f32({2, 5, 4}, y)}},
                   [expected](const testing::RunResult& r) {
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), expected, 1e-5, 1e-5));
                   });
  // PicoDet's DFL integral: [N, 8] x [8] -> [N].
  auto vec = testing::one_op(
      "matmul_v2", {{"X", "x", DType::kFloat32, {-1, 8}}}, {{"Out", "out", DType::kFloat32, {-1}}},
      {{"trans_x", Attribute::boolean(false)}, {"trans_y", Attribute::boolean(false)}},
      {{"Y", "proj",
        ir::Tensor::from_values(DType::kFloat32, {8},
                                std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7})}});
  batch.add_opsets(
      "matrix x vector", vec, {11},
      {{"x", HostTensor::f32({3, 8}, testing::random_floats(24, 0, 1, 4))}},
      [](const testing::RunResult& r) { EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{3})); });
  // matmul (v1) alpha scales the product.
  auto v1 = testing::one_op(
      "matmul", {{"X", "x", DType::kFloat32, {2, 2}}, {"Y", "y", DType::kFloat32, {2, 2}}},
      {{"Out", "out", DType::kFloat32, {2, 2}}},
      {{"transpose_X", Attribute::boolean(true)}, {"alpha", Attribute::f32(0.5f)}});
  batch.add_opsets(
      "matmul alpha transpose_X", v1, {11},
      {{"x", HostTensor::f32({2, 2}, {1, 2, 3, 4})}, {"y", HostTensor::f32({2, 2}, {1, 0, 0, 1})}},
      [](const testing::RunResult& r) {
        EXPECT_EQ(r.out(0).as<float>(), (std::vector<float>{0.5f, 1.5f, 1.f, 2.f}));
      });
  batch.run();
}

TEST(OnnxMath, ReductionsAndArgMax) {
  testing::OrtBatch batch;
  const std::vector<float> x{1, 5, 3, 4, 2, 6, 0, 9, 8, 5, 7, 7};  // [2, 2, 3]
  auto mean = testing::one_op("reduce_mean", {{"X", "x", DType::kFloat32, {-1, 2, 3}}},
                              {{"Out", "y", DType::kFloat32, {-1, 2, 1}}},
                              {{"dim", Attribute::i32s({2})},
                               {"keep_dim", Attribute::boolean(true)},
                               {"reduce_all", Attribute::boolean(false)}});
  batch.add_opsets("reduce_mean keep_dim", mean, {11, 17}, {{"x", HostTensor::f32({2, 2, 3}, x)}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 2, 1}));
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), {3, 4, 17. / 3, 19. / 3}));
                   });
  // reduce_all before Paddle 2.5 declares a [1] result.
  auto sum = testing::one_op("reduce_sum", {{"X", "x", DType::kFloat32, {2, 2, 3}}},
                             {{"Out", "y", DType::kFloat32, {1}}},
                             {{"dim", Attribute::i32s({0})},
                              {"keep_dim", Attribute::boolean(false)},
                              {"reduce_all", Attribute::boolean(true)}});
  batch.add_opsets("reduce_sum all", sum, {11, 13}, {{"x", HostTensor::f32({2, 2, 3}, x)}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{1}));
                     EXPECT_EQ(r.out(0).as<float>(), (std::vector<float>{57}));
                   });
  // arg_max with dtype int32 (HRNet's keypoint head) and keepdims false; ties take the first.
  auto am = testing::one_op("arg_max", {{"X", "x", DType::kFloat32, {-1, 2, 3}}},
                            {{"Out", "y", DType::kInt32, {-1, 2}}},
                            {{"axis", Attribute::i64(-1)},
                             {"dtype", Attribute::i32(2)},
                             {"keepdims", Attribute::boolean(false)},
                             {"flatten", Attribute::boolean(false)}});
  batch.add_opsets("arg_max int32", am, {11}, {{"x", HostTensor::f32({2, 2, 3}, x)}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dtype, DType::kInt32);
                     EXPECT_EQ(r.out(0).as<int32_t>(), (std::vector<int32_t>{1, 2, 1, 1}));
                   });
  auto tk = testing::one_op(
      "top_k_v2", {{"X", "x", DType::kFloat32, {-1, 2, 3}}},
      {{"Out", "v", DType::kFloat32, {-1, 2, 2}}, {"Indices", "i", DType::kInt64, {-1, 2, 2}}},
      {{"k", Attribute::i32(2)},
       {"axis", Attribute::i32(-1)},
       {"largest", Attribute::boolean(true)},
       {"sorted", Attribute::boolean(true)}});
  batch.add_opsets(
      "top_k_v2", tk, {11}, {{"x", HostTensor::f32({2, 2, 3}, x)}},
      [](const testing::RunResult& r) {
        EXPECT_EQ(r.out(0).as<float>(), (std::vector<float>{5, 3, 6, 4, 9, 8, 7, 7}));
        EXPECT_EQ(r.out(1).as<int64_t>(), (std::vector<int64_t>{1, 2, 2, 0, 1, 2, 1, 2}));
      });
  batch.run();
}

TEST(OnnxMath, Normalisations) {
  testing::OrtBatch batch;
  const int n = 2, c = 3, hw = 4;
  auto x = testing::random_floats(n * c * hw, -2, 2, 6);
  const std::vector<float> scale{1.5f, 0.5f, 1.f}, bias{0.1f, -0.2f, 0.3f}, mean{0.2f, -0.1f, 0.f},
      var{0.5f, 2.f, 1.f};
  std::vector<double> bn;
  for (int b = 0; b < n; ++b)
    for (int k = 0; k < c; ++k)
      for (int i = 0; i < hw; ++i) {
        const auto kk = static_cast<std::size_t>(k);
        bn.push_back((x[static_cast<std::size_t>((b * c + k) * hw + i)] - mean[kk]) /
                         std::sqrt(var[kk] + 1e-5) * scale[kk] +
                     bias[kk]);
      }
  auto t = [](const std::vector<float>& v) {
    return ir::Tensor::from_values(DType::kFloat32, {3}, v);
  };
  auto bnm = testing::one_op("batch_norm", {{"X", "x", DType::kFloat32, {-1, c, 2, 2}}},
                             {{"Y", "y", DType::kFloat32, {-1, c, 2, 2}}},
                             {{"epsilon", Attribute::f32(1e-5f)},
                              {"is_test", Attribute::boolean(true)},
                              {"data_layout", Attribute::str("NCHW")}},
                             {{"Scale", "s", t(scale)},
                              {"Bias", "b", t(bias)},
                              {"Mean", "m", t(mean)},
                              {"Variance", "v", t(var)}});
  batch.add_opsets("batch_norm", bnm, {11, 15}, {{"x", HostTensor::f32({n, c, 2, 2}, x)}},
                   [bn](const testing::RunResult& r) {
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), bn, 1e-5, 1e-5));
                   });
  // layer_norm over the last axis (PP-OCRv5 rec's SVTR blocks): decomposed before opset 17.
  std::vector<double> ln;
  for (int row = 0; row < n * c; ++row) {
    double mu = 0, s2 = 0;
    for (int i = 0; i < hw; ++i) mu += x[static_cast<std::size_t>(row * hw + i)];
    mu /= hw;
    for (int i = 0; i < hw; ++i) s2 += std::pow(x[static_cast<std::size_t>(row * hw + i)] - mu, 2);
    s2 /= hw;
    for (int i = 0; i < hw; ++i)
      ln.push_back(
          (x[static_cast<std::size_t>(row * hw + i)] - mu) / std::sqrt(s2 + 1e-5) * (i + 1) - i);
  }
  auto lnm = testing::one_op(
      "layer_norm", {{"X", "x", DType::kFloat32, {-1, c, hw}}},
      {{"Y", "y", DType::kFloat32, {-1, c, hw}}},
      {{"epsilon", Attribute::f32(1e-5f)}, {"begin_norm_axis", Attribute::i32(2)}},
      {{"Scale", "s",
        ir::Tensor::from_values(DType::kFloat32, {4}, std::vector<float>{1, 2, 3, 4})},
       {"Bias", "b",
        ir::Tensor::from_values(DType::kFloat32, {4}, std::vector<float>{0, -1, -2, -3})}});
  batch.add_opsets("layer_norm", lnm, {11, 17}, {{"x", HostTensor::f32({n, c, hw}, x)}},
                   [ln](const testing::RunResult& r) {
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), ln, 1e-4, 1e-4));
                   });
  batch.run();
}

TEST(OnnxMath, CreationCastGatherDropout) {
  testing::OrtBatch batch;
  auto cast = testing::one_op("cast", {{"X", "x", DType::kFloat32, {4}}},
                              {{"Out", "y", DType::kInt32, {4}}},
                              {{"in_dtype", Attribute::i32(5)}, {"out_dtype", Attribute::i32(2)}});
  batch.add_opsets("cast float->int32", cast, {11},
                   {{"x", HostTensor::f32({4}, {1.7f, -1.7f, 0.f, 3.f})}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).as<int32_t>(), (std::vector<int32_t>{1, -1, 0, 3}));
                   });
  auto gather = testing::one_op(
      "gather", {{"X", "x", DType::kFloat32, {3, 2}}, {"Index", "i", DType::kInt32, {2, 1}}},
      {{"Out", "y", DType::kFloat32, {2, 2}}}, {{"axis", Attribute::i32(0)}});
  batch.add_opsets(
      "gather [N,1] index", gather, {11},
      {{"x", HostTensor::f32({3, 2}, {1, 2, 3, 4, 5, 6})}, {"i", HostTensor::i32({2, 1}, {2, 0})}},
      [](const testing::RunResult& r) {
        EXPECT_EQ(r.out(0).as<float>(), (std::vector<float>{5, 6, 1, 2}));
      });
  auto drop = testing::one_op(
      "dropout", {{"X", "x", DType::kFloat32, {2}}}, {{"Out", "y", DType::kFloat32, {2}}},
      {{"dropout_prob", Attribute::f32(0.25f)}, {"is_test", Attribute::boolean(true)}});
  batch.add_opsets("dropout downgrade_in_infer", drop, {11}, {{"x", HostTensor::f32({2}, {4, 8})}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).as<float>(), (std::vector<float>{3, 6}));
                   });
  // fill_constant too large to track (over kMaxKnownElements): ConstantOfShape; str_value wins
  // over value.
  ir::ProgramBuilder b;
  auto x = b.input("x", DType::kFloat32, {1});
  auto fc = b.temp("fc", DType::kFloat32, {600, 500});
  b.op("fill_constant")
      .out("Out", {fc})
      .attr("dtype", Attribute::i32(5))
      .attr("shape", Attribute::i64s({600, 500}))
      .attr("value", Attribute::f32(0))
      .attr("str_value", Attribute::str("0.25"))
      .build();
  auto y = b.temp("y", DType::kFloat32, {600, 500});
  b.op("elementwise_add")
      .in("X", {fc})
      .in("Y", {x})
      .out("Out", {y})
      .attr("axis", Attribute::i32(-1))
      .build();
  b.output(y);
  auto model = std::move(b).finish(ir::Release{2, 4, 0});
  batch.add_opsets("fill_constant", model, {11}, {{"x", HostTensor::f32({1}, {1.f})}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{600, 500}));
                     EXPECT_EQ(r.out(0).as<float>().back(), 1.25f);
                   });
  batch.run();
}

}  // namespace
}  // namespace detport
