// Binary elementwise ops with Paddle's axis broadcasting, run by ONNX Runtime. Expected values
// follow Paddle's rule: the smaller operand is aligned at `axis` of the larger one (trailing when
// axis is -1), after dropping its trailing unit dims if it would not fit.
#include <cmath>
#include <functional>

#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using testing::HostTensor;

int64_t numel(const std::vector<int64_t>& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

// Expected out[i] = f(x[i], y[map(i)]) where y's dims sit at `start` of x's dims.
std::vector<double> broadcast(const std::vector<float>& x, const std::vector<int64_t>& xd,
                              const std::vector<float>& y, const std::vector<int64_t>& yd,
                              int start, const std::function<double(double, double)>& f,
                              bool y_first = false) {
  std::vector<double> out;
  const int64_t n = numel(xd);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, yi = 0, ystride = 1;
    std::vector<int64_t> idx(xd.size());
    for (int d = static_cast<int>(xd.size()) - 1; d >= 0; --d) {
      idx[static_cast<std::size_t>(d)] = rem % xd[static_cast<std::size_t>(d)];
      rem /= xd[static_cast<std::size_t>(d)];
    }
    for (int d = static_cast<int>(yd.size()) - 1; d >= 0; --d) {
      const int64_t dim = yd[static_cast<std::size_t>(d)];
      const int64_t v = dim == 1 ? 0 : idx[static_cast<std::size_t>(start + d)];
      yi += v * ystride;
      ystride *= dim;
    }
    const double a = x[static_cast<std::size_t>(i)], b = y[static_cast<std::size_t>(yi)];
    out.push_back(static_cast<float>(y_first ? f(b, a) : f(a, b)));
  }
  return out;
}

void add_case(testing::OrtBatch& batch, const std::string& type, std::vector<int64_t> xd,
              std::vector<int64_t> yd, int axis, int start,
              const std::function<double(double, double)>& f, std::vector<int> opsets = {13}) {
  auto x = testing::random_floats(static_cast<std::size_t>(numel(xd)), -3, 3, 1);
  auto y = testing::random_floats(static_cast<std::size_t>(numel(yd)), 0.5f, 2, 2);
  auto model = testing::one_op(
      type, {{"X", "x", ir::DType::kFloat32, xd}, {"Y", "y", ir::DType::kFloat32, yd}},
      {{"Out", "out", ir::DType::kFloat32, xd}}, {{"axis", Attribute::i32(axis)}});
  auto expected = broadcast(x, xd, y, yd, start, f);
  batch.add_opsets(type, model, opsets,
                   {{"x", HostTensor::f32(xd, x)}, {"y", HostTensor::f32(yd, y)}},
                   [expected](const testing::RunResult& r) {
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), expected));
                   });
}

TEST(OnnxElementwise, AxisAlignsTheSmallerOperand) {
  testing::OrtBatch batch;
  auto add = [](double a, double b) { return a + b; };
  auto mul = [](double a, double b) { return a * b; };
  // A [C,H] operand at axis 1 of [N,C,H,W] (Unsqueeze to [C,H,1]).
  add_case(batch, "elementwise_add", {2, 3, 4, 5}, {3, 4}, 1, 1, add, {11, 13});
  // A per-channel vector at axis 1.
  add_case(batch, "elementwise_mul", {2, 3, 4, 5}, {3}, 1, 1, mul);
  // axis -1: trailing alignment, as numpy.
  add_case(batch, "elementwise_add", {2, 3, 4, 5}, {5}, -1, 3, add);
  add_case(batch, "elementwise_sub", {2, 3, 4, 5}, {4, 5}, -1, 2,
           [](double a, double b) { return a - b; });
  // Trailing 1s of Y are dropped when Y would overhang: [3,1] at axis 1 of [2,3].
  add_case(batch, "elementwise_div", {2, 3}, {3, 1}, 1, 1, [](double a, double b) { return a / b; },
           {11, 13});
  add_case(batch, "elementwise_max", {2, 3, 4}, {3}, 1, 1,
           [](double a, double b) { return std::max(a, b); });
  add_case(batch, "elementwise_pow", {2, 3}, {3}, -1, 1,
           [](double a, double b) { return std::pow(a, b); });
  batch.run();
}

TEST(OnnxElementwise, SmallerXIsAlignedInY) {
  // Paddle applies axis to whichever operand has fewer dims.
  std::vector<int64_t> xd{3}, yd{2, 3, 4};
  auto x = testing::random_floats(3, -1, 1, 3);
  auto y = testing::random_floats(24, -1, 1, 4);
  auto model = testing::one_op(
      "elementwise_sub", {{"X", "x", ir::DType::kFloat32, xd}, {"Y", "y", ir::DType::kFloat32, yd}},
      {{"Out", "out", ir::DType::kFloat32, yd}}, {{"axis", Attribute::i32(1)}});
  auto expected = broadcast(
      y, yd, x, xd, 1, [](double a, double b) { return a - b; }, true);
  testing::OrtBatch batch;
  batch.add_opsets("x smaller", model, {11, 17},
                   {{"x", HostTensor::f32(xd, x)}, {"y", HostTensor::f32(yd, y)}},
                   [expected](const testing::RunResult& r) {
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), expected));
                   });
  batch.run();
}

TEST(OnnxElementwise, ModAndFloorDivFollowPaddle) {
  // Paddle's mod takes the divisor's sign (Python-style), for floats too.
  const std::vector<float> x{7.5f, -7.5f, 7.5f, -7.5f, 6.f, -6.f};
  const std::vector<float> y{2.f, 2.f, -2.f, -2.f, 3.f, 3.f};
  testing::OrtBatch batch;
  for (const char* type : {"elementwise_mod", "elementwise_floordiv"}) {
    auto model = testing::one_op(
        type, {{"X", "x", ir::DType::kFloat32, {6}}, {"Y", "y", ir::DType::kFloat32, {6}}},
        {{"Out", "out", ir::DType::kFloat32, {6}}}, {{"axis", Attribute::i32(-1)}});
    std::vector<double> expected;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double q = std::floor(static_cast<double>(x[i]) / y[i]);
      expected.push_back(std::string(type) == "elementwise_mod" ? x[i] - q * y[i] : q);
    }
    batch.add_opsets(type, model, {11},
                     {{"x", HostTensor::f32({6}, x)}, {"y", HostTensor::f32({6}, y)}},
                     [expected](const testing::RunResult& r) {
                       EXPECT_TRUE(testing::all_close(r.out(0).values(), expected));
                     });
  }
  // Integer mod: Paddle's floor mod too.
  auto model = testing::one_op(
      "elementwise_mod", {{"X", "x", ir::DType::kInt64, {4}}, {"Y", "y", ir::DType::kInt64, {4}}},
      {{"Out", "out", ir::DType::kInt64, {4}}}, {{"axis", Attribute::i32(-1)}});
  batch.add_opsets(
      "int mod", model, {13},
      {{"x", HostTensor::i64({4}, {7, -7, 7, -7})}, {"y", HostTensor::i64({4}, {3, 3, -3, -3})}},
      [](const testing::RunResult& r) {
        EXPECT_EQ(r.out(0).as<int64_t>(), (std::vector<int64_t>{1, 2, -2, -1}));
      });
  batch.run();
}

TEST(OnnxElementwise, ComparisonsGiveBool) {
  const std::vector<float> x{1, 2, 3, 4}, y{2, 2, 2, 2};
  const std::pair<const char*, std::vector<uint8_t>> cases[] = {
      {"equal", {0, 1, 0, 0}},        {"not_equal", {1, 0, 1, 1}},
      {"less_than", {1, 0, 0, 0}},    {"less_equal", {1, 1, 0, 0}},
      {"greater_than", {0, 0, 1, 1}}, {"greater_equal", {0, 1, 1, 1}}};
  testing::OrtBatch batch;
  for (const auto& [type, want] : cases) {
    auto model = testing::one_op(
        type, {{"X", "x", ir::DType::kFloat32, {4}}, {"Y", "y", ir::DType::kFloat32, {4}}},
        {{"Out", "out", ir::DType::kBool, {4}}}, {{"axis", Attribute::i32(-1)}});
    batch.add_opsets(type, model, {11},
                     {{"x", HostTensor::f32({4}, x)}, {"y", HostTensor::f32({4}, y)}},
                     [want = want](const testing::RunResult& r) {
                       EXPECT_EQ(r.out(0).dtype, ir::DType::kBool);
                       EXPECT_EQ(r.out(0).as<uint8_t>(), want);
                     });
  }
  batch.run();
}

TEST(OnnxElementwise, UnalignableOperandsAreReported) {
  auto model = testing::one_op(
      "elementwise_add",
      {{"X", "x", ir::DType::kFloat32, {2, 3}}, {"Y", "y", ir::DType::kFloat32, {4, 5}}},
      {{"Out", "out", ir::DType::kFloat32, {2, 3}}}, {{"axis", Attribute::i32(1)}});
  auto plan = onnx_export::plan_export(model);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->unsupported.size(), 1u);
  EXPECT_EQ(plan->unsupported[0].op_type, "elementwise_add");
  EXPECT_NE(plan->unsupported[0].reason.find("cannot be aligned"), std::string::npos);
}

}  // namespace
}  // namespace detport
