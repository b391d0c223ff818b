// Activations exported to ONNX and run by ONNX Runtime, against values computed from Paddle's
// definition of each op (paddle/phi/kernels/funcs/activation_functor.h), including the defaults
// of attributes that Paddle 2.6+ no longer writes (swish beta, relu6 threshold, hard_swish,
// hard_sigmoid, leaky_relu alpha).
#include <cmath>
#include <functional>

#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using testing::AttrList;
using testing::HostTensor;

const std::vector<float> kX{-100.f, -7.5f, -3.f, -2.9f, -0.5f, 0.f,
                            0.25f,  2.5f,  3.f,  6.f,   7.5f,  100.f};

// Adds `type` applied to x, at each opset, with the expected values from `paddle`.
void add_unary(testing::OrtBatch& batch, const std::string& type, const AttrList& attrs,
               const std::function<double(double)>& paddle, std::vector<int> opsets = {13},
               std::vector<float> x = kX, double tol = 1e-5) {
  const int64_t n = static_cast<int64_t>(x.size());
  auto model = testing::one_op(type, {{"X", "x", ir::DType::kFloat32, {2, n / 2}}},
                               {{"Out", "y", ir::DType::kFloat32, {2, n / 2}}}, attrs);
  std::vector<double> expected;
  for (float v : x) expected.push_back(static_cast<float>(paddle(v)));
  batch.add_opsets(type, model, opsets, {{"x", HostTensor::f32({2, n / 2}, x)}},
                   [expected, tol](const testing::RunResult& r) {
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), expected, tol, tol));
                   });
}

double sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

TEST(OnnxActivation, Relu6WithoutThresholdUsesSix) {
  testing::OrtBatch batch;
  // Paddle 2.6 stopped writing relu6.threshold (Paddle2ONNX#1208).
  add_unary(batch, "relu6", {}, [](double x) { return std::min(std::max(x, 0.0), 6.0); }, {11, 17});
  batch.run();
}

TEST(OnnxActivation, Relu6WithThreshold) {
  testing::OrtBatch batch;
  add_unary(batch, "relu6", {{"threshold", Attribute::f32(4.f)}},
            [](double x) { return std::min(std::max(x, 0.0), 4.0); });
  batch.run();
}

TEST(OnnxActivation, SwishWithoutBetaUsesOne) {
  testing::OrtBatch batch;
  // Paddle 2.6 strips swish.beta on export (Paddle2ONNX#1153/#1167: "Cannot found attribute beta").
  add_unary(batch, "swish", {}, [](double x) { return x * sigmoid(x); }, {11, 17});
  batch.run();
}

TEST(OnnxActivation, SwishWithBeta) {
  testing::OrtBatch batch;
  add_unary(batch, "swish", {{"beta", Attribute::f32(2.f)}},
            [](double x) { return x * sigmoid(2 * x); });
  batch.run();
}

TEST(OnnxActivation, HardSwishDefaultsAcrossOpsets) {
  testing::OrtBatch batch;
  // x * min(max(x + offset, 0), threshold) / scale with 3, 6, 6: HardSigmoid form before
  // opset 14, HardSwish from 14.
  add_unary(batch, "hard_swish", {},
            [](double x) { return x * std::min(std::max(x + 3, 0.0), 6.0) / 6; }, {11, 13, 14, 17});
  batch.run();
}

TEST(OnnxActivation, HardSwishCustom) {
  testing::OrtBatch batch;
  add_unary(batch, "hard_swish",
            {{"threshold", Attribute::f32(4.f)},
             {"scale", Attribute::f32(5.f)},
             {"offset", Attribute::f32(2.f)}},
            [](double x) { return x * std::min(std::max(x + 2, 0.0), 4.0) / 5; }, {11, 14});
  batch.run();
}

TEST(OnnxActivation, HardSigmoidDefaults) {
  testing::OrtBatch batch;
  // Paddle's legacy defaults: slope 0.2, offset 0.5.
  add_unary(batch, "hard_sigmoid", {},
            [](double x) { return std::max(0.0, std::min(1.0, 0.2 * x + 0.5)); });
  add_unary(batch, "hard_sigmoid",
            {{"slope", Attribute::f32(0.1666667f)}, {"offset", Attribute::f32(0.5f)}},
            [](double x) { return std::max(0.0, std::min(1.0, 0.1666667f * x + 0.5)); });
  batch.run();
}

TEST(OnnxActivation, LeakyReluDefaultAlpha) {
  testing::OrtBatch batch;
  add_unary(batch, "leaky_relu", {}, [](double x) { return x > 0 ? x : 0.02 * x; });
  add_unary(batch, "leaky_relu", {{"alpha", Attribute::f32(0.1f)}},
            [](double x) { return x > 0 ? x : 0.1 * x; });
  batch.run();
}

TEST(OnnxActivation, ClipAttributes) {
  testing::OrtBatch batch;
  add_unary(batch, "clip", {{"min", Attribute::f32(-1.f)}, {"max", Attribute::f32(2.f)}},
            [](double x) { return std::min(std::max(x, -1.0), 2.0); }, {11, 13});
  add_unary(batch, "clip", {{"min", Attribute::f32(1e-7f)}, {"max", Attribute::f32(1e7f)}},
            [](double x) { return std::min(std::max(x, 1e-7), 1e7); });
  batch.run();
}

TEST(OnnxActivation, Scale) {
  testing::OrtBatch batch;
  add_unary(batch, "scale",
            {{"scale", Attribute::f32(2.f)},
             {"bias", Attribute::f32(1.f)},
             {"bias_after_scale", Attribute::boolean(true)}},
            [](double x) { return 2 * x + 1; });
  add_unary(batch, "scale",
            {{"scale", Attribute::f32(2.f)},
             {"bias", Attribute::f32(1.f)},
             {"bias_after_scale", Attribute::boolean(false)}},
            [](double x) { return 2 * (x + 1); });
  add_unary(batch, "scale", {{"scale", Attribute::f32(-1.f)}}, [](double x) { return -x; });
  batch.run();
}

TEST(OnnxActivation, Pow) {
  testing::OrtBatch batch;
  const std::vector<float> pos{0.5f, 1.f, 1.5f, 2.f, 3.f, 7.f};
  add_unary(
      batch, "pow", {{"factor", Attribute::f32(0.6f)}},
      [](double x) { return std::pow(x, static_cast<double>(0.6f)); }, {13}, pos, 1e-5);
  add_unary(batch, "pow", {{"factor", Attribute::f32(2.f)}}, [](double x) { return x * x; });
  batch.run();
}

TEST(OnnxActivation, SmoothFunctions) {
  testing::OrtBatch batch;
  add_unary(batch, "sigmoid", {}, sigmoid);
  add_unary(batch, "tanh", {}, [](double x) { return std::tanh(x); });
  add_unary(batch, "gelu", {},
            [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); });
  add_unary(batch, "mish", {}, [](double x) { return x * std::tanh(std::log1p(std::exp(x))); },
            {13}, {-7.5f, -3.f, -0.5f, 0.f, 0.25f, 2.5f, 3.f, 6.f, 7.5f, 15.f});
  add_unary(batch, "elu", {}, [](double x) { return x > 0 ? x : std::expm1(x); });
  const std::vector<float> pos{0.5f, 1.f, 1.5f, 2.f, 3.f, 7.f};
  add_unary(
      batch, "sqrt", {}, [](double x) { return std::sqrt(x); }, {13}, pos);
  add_unary(
      batch, "log", {}, [](double x) { return std::log(x); }, {13}, pos);
  add_unary(
      batch, "exp", {}, [](double x) { return std::exp(x); }, {13}, pos);
  batch.run();
}

}  // namespace
}  // namespace detport
