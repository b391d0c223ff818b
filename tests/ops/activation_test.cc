#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

TEST(Activation, PaddleFormulasByHand) {
  Tensor x = make_tensor<float>({5}, {-4, -1, 0, 1, 4}, ir::DType::kFloat32);
  auto v = [&](const char* type, std::vector<ir::NamedAttribute> attrs = {}) {
    return run_reference(type, {{"X", x}}, attrs, {{"Out"}})[0].tensor.to_vector<float>();
  };
  EXPECT_EQ(v("relu"), (std::vector<float>{0, 0, 0, 1, 4}));
  EXPECT_EQ(v("relu6", {{"threshold", Attribute::f32(3)}}), (std::vector<float>{0, 0, 0, 1, 3}));
  EXPECT_EQ(v("leaky_relu")[0], -4 * 0.02f);  // Paddle's default alpha
  // hard_swish: x * min(max(x + 3, 0), 6) / 6
  auto hs = v("hard_swish");
  EXPECT_FLOAT_EQ(hs[1], -1.0f * 2 / 6);
  EXPECT_FLOAT_EQ(hs[4], 4.0f);
  // hard_sigmoid defaults: slope 0.2, offset 0.5
  EXPECT_FLOAT_EQ(v("hard_sigmoid")[3], 0.7f);
  // swish without beta (stripped by 2.6 exporters) means beta = 1
  EXPECT_NEAR(v("swish")[3], 1.0f / (1.0f + std::exp(-1.0f)), 1e-6);
  EXPECT_NEAR(v("swish", {{"beta", Attribute::f32(2)}})[3], 1.0f / (1.0f + std::exp(-2.0f)), 1e-6);
  EXPECT_EQ(v("scale", {{"scale", Attribute::f32(2)},
                        {"bias", Attribute::f32(1)},
                        {"bias_after_scale", Attribute::boolean(false)}})[3],
            4.0f);
  EXPECT_EQ(v("clip", {{"min", Attribute::f32(-1)}, {"max", Attribute::f32(2)}}),
            (std::vector<float>{-1, -1, 0, 1, 2}));
  EXPECT_NEAR(v("mish")[3], 1.0f * std::tanh(std::log1p(std::exp(1.0f))), 1e-6);
  EXPECT_NEAR(v("gelu")[3], 0.8413447f, 1e-6);
}

TEST(Activation, OptimizedMatchesReferenceOnOddSizes) {
  const std::vector<std::pair<const char*, std::vector<ir::NamedAttribute>>> ops{
      {"relu", {}},
      {"relu6", {}},
      {"leaky_relu", {{"alpha", Attribute::f32(0.1f)}}},
      {"elu", {}},
      {"gelu", {}},
      {"gelu", {{"approximate", Attribute::boolean(true)}}},
      {"sigmoid", {}},
      {"logsigmoid", {}},
      {"hard_sigmoid", {{"slope", Attribute::f32(0.1666667f)}, {"offset", Attribute::f32(0.5f)}}},
      {"hard_swish", {}},
      {"swish", {}},
      {"silu", {}},
      {"mish", {}},
      {"softplus", {}},
      {"softsign", {}},
      {"tanh", {}},
      {"exp", {}},
      {"square", {}},
      {"abs", {}},
      {"floor", {}},
      {"ceil", {}},
      {"round", {}},
      {"sign", {}},
      {"sin", {}},
      {"cos", {}},
      {"erf", {}},
      {"clip", {{"min", Attribute::f32(-0.5f)}, {"max", Attribute::f32(0.5f)}}},
      {"scale", {{"scale", Attribute::f32(-1.5f)}, {"bias", Attribute::f32(0.25f)}}},
      {"pow", {{"factor", Attribute::f32(2.0f)}}}};
  for (const Dims& dims : {Dims{1}, Dims{7}, Dims{3, 5, 7}, Dims{2, 33, 17, 19}}) {
    for (const auto& [type, attrs] : ops) {
      SCOPED_TRACE(type);
      check_optimized_matches_reference(type, {{"X", random_tensor(dims, 7, -5, 5)}}, attrs,
                                        {{"Out"}}, 1e-5);
    }
  }
  for (const char* type : {"sqrt", "rsqrt", "log", "log2", "log10", "reciprocal"})
    check_optimized_matches_reference(type, {{"X", random_tensor({4, 9}, 3, 0.1f, 9.0f)}}, {},
                                      {{"Out"}}, 1e-5);
}

TEST(Activation, ClipTakesItsBoundsFromTensorsWhenGiven) {
  Tensor x = make_tensor<float>({3}, {-5, 0, 5}, ir::DType::kFloat32);
  Tensor lo = make_tensor<float>({1}, {-1}, ir::DType::kFloat32);
  Tensor hi = make_tensor<float>({1}, {2}, ir::DType::kFloat32);
  auto out =
      run_reference("clip", {{"X", x}, {"Min", lo, true}, {"Max", hi, true}},
                    {{"min", Attribute::f32(-100)}, {"max", Attribute::f32(100)}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{-1, 0, 2}));
}

}  // namespace
}  // namespace detport::testing
