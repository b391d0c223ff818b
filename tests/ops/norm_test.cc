// softmax / log_softmax, batch_norm, affine_channel, layer_norm, group_norm, instance_norm.
#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using F = ir::DType;

Tensor f32(Dims d, std::vector<float> v) {
  return make_tensor<float>(std::move(d), std::move(v), F::kFloat32);
}

TEST(Softmax, ByHand) {
  const Tensor x = f32({2, 3}, {1, 2, 3, 0, 0, 0});
  auto v = values(run_reference("softmax", {{"X", x}}, {{"axis", Attribute::i32(-1)}}, {{"Out"}}));
  const float s = std::exp(1.f) + std::exp(2.f) + std::exp(3.f);
  EXPECT_NEAR(v[0], std::exp(1.f) / s, 1e-7);
  EXPECT_NEAR(v[2], std::exp(3.f) / s, 1e-7);
  EXPECT_NEAR(v[4], 1.f / 3, 1e-7);
  // axis 0: columns.
  v = values(run_reference("softmax", {{"X", x}}, {{"axis", Attribute::i32(0)}}, {{"Out"}}));
  EXPECT_NEAR(v[0], std::exp(1.f) / (std::exp(1.f) + 1), 1e-7);
  EXPECT_NEAR(v[3], 1 / (std::exp(1.f) + 1), 1e-7);
  v = values(run_reference("log_softmax", {{"X", x}}, {{"axis", Attribute::i32(1)}}, {{"Out"}}));
  EXPECT_NEAR(v[1], 2 - std::log(s), 1e-6);
  EXPECT_NEAR(v[5], -std::log(3.f), 1e-6);
}

TEST(Softmax, OptimizedMatchesReference) {
  for (const char* type : {"softmax", "log_softmax"})
    for (const auto& [dims, axis] : std::vector<std::pair<Dims, int>>{{{3, 17}, -1},
                                                                      {{2, 17, 40, 4}, 1},
                                                                      {{1, 5, 7, 3}, 2},
                                                                      {{1}, 0},
                                                                      {{4, 1}, 1},
                                                                      {{1, 8, 4, 10105}, 1}}) {
      SCOPED_TRACE(std::string(type) + " " + runtime::dims_to_string(dims));
      check_optimized_matches_reference(type, {{"X", random_tensor(dims, 3, -8, 8)}},
                                        {{"axis", Attribute::i32(axis)}}, {{"Out"}}, 1e-5);
    }
  EXPECT_NE(op_error("softmax", {{"X", random_tensor({2, 3}, 1)}}, {{"axis", Attribute::i32(2)}},
                     {{"Out"}})
                .find("out of range"),
            std::string::npos);
}

std::vector<OpInput> bn_inputs(const Tensor& x, int64_t c, bool constant, uint32_t seed) {
  return {{"X", x},
          {"Scale", random_tensor({c}, seed, 0.5f, 1.5f), constant},
          {"Bias", random_tensor({c}, seed + 1), constant},
          {"Mean", random_tensor({c}, seed + 2), constant},
          {"Variance", random_tensor({c}, seed + 3, 0.1f, 2.0f), constant}};
}

const std::vector<OpOutput> kBnOutputs{
    {"Y"}, {"MeanOut"}, {"VarianceOut"}, {"SavedMean"}, {"SavedVariance"}};

std::vector<ir::NamedAttribute> bn_attrs(bool is_test, const std::string& layout = "NCHW",
                                         float eps = 1e-5f) {
  return {{"epsilon", Attribute::f32(eps)},
          {"momentum", Attribute::f32(0.9f)},
          {"is_test", Attribute::boolean(is_test)},
          {"use_global_stats", Attribute::boolean(false)},
          {"trainable_statistics", Attribute::boolean(false)},
          {"data_layout", Attribute::str(layout)}};
}

TEST(BatchNorm, ByHand) {
  // Running statistics: y = (x - mean) / sqrt(var + eps) * scale + bias, eps 0.
  const std::vector<OpInput> in{{"X", f32({1, 2, 1, 2}, {1, 2, 3, 4})},
                                {"Scale", f32({2}, {2, 1}), true},
                                {"Bias", f32({2}, {0, 1}), true},
                                {"Mean", f32({2}, {1, 2}), true},
                                {"Variance", f32({2}, {4, 1}), true}};
  auto out = run_reference("batch_norm", in, bn_attrs(true, "NCHW", 0), kBnOutputs);
  EXPECT_EQ(values(out), (std::vector<float>{0, 1, 2, 3}));
  EXPECT_EQ(values(out, 1), (std::vector<float>{1, 2}));  // MeanOut = Mean
  EXPECT_EQ(values(out, 2), (std::vector<float>{4, 1}));
  // Batch statistics (is_test false): x = 1 3 5 7 over N=2, W=2 -> mean 4, variance 5.
  const std::vector<OpInput> in2{{"X", f32({2, 1, 1, 2}, {1, 3, 5, 7})},
                                 {"Scale", f32({1}, {1}), true},
                                 {"Bias", f32({1}, {0}), true},
                                 {"Mean", f32({1}, {10}), true},
                                 {"Variance", f32({1}, {20}), true}};
  out = run_reference("batch_norm", in2, bn_attrs(false, "NCHW", 0), kBnOutputs);
  EXPECT_NEAR(values(out)[0], -3 / std::sqrt(5.f), 1e-6);
  EXPECT_NEAR(values(out)[3], 3 / std::sqrt(5.f), 1e-6);
  EXPECT_NEAR(values(out, 1)[0], 10 * 0.9f + 4 * 0.1f, 1e-5);  // MeanOut moves by momentum
  EXPECT_NEAR(values(out, 2)[0], 20 * 0.9f + 5 * 0.1f, 1e-5);
  EXPECT_NEAR(values(out, 3)[0], 4, 1e-6);                   // SavedMean
  EXPECT_NEAR(values(out, 4)[0], 1 / std::sqrt(5.f), 1e-6);  // SavedVariance: inverse std
  // data_layout NHWC: channels last.
  auto nhwc = in;
  nhwc[0].value = f32({1, 1, 2, 2}, {1, 3, 2, 4});
  out = run_reference("batch_norm", nhwc, bn_attrs(true, "NHWC", 0), kBnOutputs);
  EXPECT_EQ(values(out), (std::vector<float>{0, 2, 1, 3}));
}

TEST(BatchNorm, FuseWithReluIsRefused) {
  auto attrs = bn_attrs(true);
  attrs.push_back({"fuse_with_relu", Attribute::boolean(true)});
  EXPECT_NE(op_error("batch_norm", bn_inputs(random_tensor({1, 2, 3, 3}, 1), 2, true, 1), attrs,
                     kBnOutputs)
                .find("fuse_with_relu"),
            std::string::npos);
}

TEST(BatchNorm, OptimizedMatchesReference) {
  for (const auto& [dims, layout] :
       std::vector<std::pair<Dims, std::string>>{{{2, 7, 5, 3}, "NCHW"},
                                                 {{3, 11}, "NCHW"},
                                                 {{2, 3, 5, 7}, "NHWC"},
                                                 {{1, 6, 2, 3, 4}, "NCHW"},
                                                 {{1, 1, 1, 1}, "NCHW"}}) {
    SCOPED_TRACE(runtime::dims_to_string(dims) + layout);
    const int64_t c = layout == "NHWC" ? dims.back() : dims[1];
    const Tensor x = random_tensor(dims, 4, -3, 3);
    check_optimized_matches_reference("batch_norm", bn_inputs(x, c, true, 10),
                                      bn_attrs(true, layout), kBnOutputs, 1e-5);
    check_optimized_matches_reference("batch_norm", bn_inputs(x, c, false, 20),
                                      bn_attrs(true, layout), kBnOutputs, 1e-5);
    // Batch statistics run the reference on both paths (and must not be folded into weights).
    check_optimized_matches_reference("batch_norm", bn_inputs(x, c, true, 30),
                                      bn_attrs(false, layout), kBnOutputs, 1e-5);
  }
}

TEST(BatchNorm, RunsChannelsLastAfterAConv) {
  // Scale as a graph input keeps the batch_norm from being folded into the conv.
  const Tensor x = random_tensor({2, 13, 6, 5}, 6);
  check_nhwc_matches_reference("batch_norm", bn_inputs(x, 13, false, 40), bn_attrs(true),
                               kBnOutputs, 1e-5);
  check_nhwc_matches_reference(
      "affine_channel",
      {{"X", x}, {"Scale", random_tensor({13}, 1), true}, {"Bias", random_tensor({13}, 2), true}},
      {{"data_layout", Attribute::str("NCHW")}}, {{"Out"}}, 1e-6);
}

TEST(BatchNorm, BatchStatisticsAreNotFoldedIntoTheConv) {
  // conv -> batch_norm(is_test=false): folding would freeze the running statistics.
  const Tensor x = random_tensor({2, 4, 5, 5}, 7);
  const auto in = bn_inputs(x, 4, true, 50);
  const ir::Model m = nhwc_op_model("batch_norm", in, bn_attrs(false), kBnOutputs);
  auto ref = run_model(m, feeds(in), false);
  auto opt = run_model(m, feeds(in), true);
  ASSERT_TRUE(ref.ok() && opt.ok());
  expect_close((*opt)[0].tensor, (*ref)[0].tensor, 1e-5, "Y");
  // And y really is normalised by the batch: channel 0's mean is its bias.
  const auto y = values(*ref);
  double s = 0;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t i = 0; i < 25; ++i) s += y[static_cast<std::size_t>(n * 100 + i)];
  EXPECT_NEAR(s / 50, in[2].value.data<float>()[0], 1e-5);
}

TEST(BatchNorm, FoldedOnlyWhenItsStatisticsOutputsAreUnused) {
  // conv -> batch_norm with MeanOut etc. fetched: folding would drop their producer.
  const Tensor x = random_tensor({1, 4, 5, 5}, 8);
  const auto in = bn_inputs(x, 4, true, 60);
  const ir::Model m = nhwc_op_model("batch_norm", in, bn_attrs(true), kBnOutputs);
  auto ref = run_model(m, feeds(in), false);
  auto opt = run_model(m, feeds(in), true);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  for (std::size_t i = 0; i < 3; ++i) expect_close((*opt)[i].tensor, (*ref)[i].tensor, 1e-5, "out");
}

TEST(AffineChannel, ByHand) {
  auto out = run_reference("affine_channel",
                           {{"X", f32({1, 2, 1, 1}, {1, 2})},
                            {"Scale", f32({2}, {3, 4}), true},
                            {"Bias", f32({2}, {1, 1}), true}},
                           {}, {{"Out"}});
  EXPECT_EQ(values(out), (std::vector<float>{4, 9}));
}

TEST(LayerNorm, ByHand) {
  auto out = run_reference("layer_norm", {{"X", f32({2, 3}, {1, 2, 3, 2, 4, 6})}},
                           {{"begin_norm_axis", Attribute::i32(1)}, {"epsilon", Attribute::f32(0)}},
                           {{"Y"}, {"Mean"}, {"Variance"}});
  const float r = std::sqrt(1.5f);  // 1 / sqrt(2/3)
  EXPECT_NEAR(values(out)[0], -r, 1e-6);
  EXPECT_NEAR(values(out)[1], 0, 1e-6);
  EXPECT_NEAR(values(out)[5], r, 1e-6);
  EXPECT_EQ(values(out, 1), (std::vector<float>{2, 4}));
  EXPECT_NEAR(values(out, 2)[1], 8.0f / 3, 1e-6);  // biased variance of 2 4 6
  // Scale and bias per normalised element; begin_norm_axis 2 of a 3-D tensor.
  out = run_reference("layer_norm",
                      {{"X", f32({1, 2, 2}, {0, 2, 5, 5})},
                       {"Scale", f32({2}, {1, 10}), true},
                       {"Bias", f32({2}, {0, 1}), true}},
                      {{"begin_norm_axis", Attribute::i32(2)}, {"epsilon", Attribute::f32(0)}},
                      {{"Y"}, {"Mean"}, {"Variance"}});
  EXPECT_NEAR(values(out)[0], -1, 1e-6);
  EXPECT_NEAR(values(out)[1], 11, 1e-6);
  EXPECT_EQ(values(out, 1), (std::vector<float>{1, 5}));
  EXPECT_TRUE(std::isnan(values(out)[2]));  // a constant row with epsilon 0: 0 * (1 / 0)
}

TEST(GroupNorm, ByHand) {
  // 4 channels, 2 groups: {1, 2} -> -1 1; {3, 5} -> -1 1 (eps 0).
  auto out = run_reference("group_norm", {{"X", f32({1, 4, 1, 1}, {1, 2, 3, 5})}},
                           {{"groups", Attribute::i32(2)}, {"epsilon", Attribute::f32(0)}},
                           {{"Y"}, {"Mean"}, {"Variance"}});
  EXPECT_EQ(values(out), (std::vector<float>{-1, 1, -1, 1}));
  EXPECT_EQ(values(out, 1), (std::vector<float>{1.5f, 4}));
  EXPECT_EQ(values(out, 2), (std::vector<float>{0.25f, 1}));
  // NHWC: channels last, each group spans its channels at every position.
  out = run_reference("group_norm",
                      {{"X", f32({1, 2, 1, 4}, {1, 2, 3, 5, 3, 4, 9, 11})},
                       {"Scale", f32({4}, {1, 1, 2, 2}), true}},
                      {{"groups", Attribute::i32(2)},
                       {"epsilon", Attribute::f32(0)},
                       {"data_layout", Attribute::str("NHWC")}},
                      {{"Y"}, {"Mean"}, {"Variance"}});
  // group 0 = {1, 2, 3, 4}: mean 2.5, var 1.25; group 1 = {3, 5, 9, 11}: mean 7, var 10.
  EXPECT_NEAR(values(out)[0], -1.5f / std::sqrt(1.25f), 1e-6);
  EXPECT_NEAR(values(out)[6], 2 * 2 / std::sqrt(10.f), 1e-6);
  EXPECT_EQ(values(out, 1), (std::vector<float>{2.5f, 7}));
  EXPECT_NE(op_error("group_norm", {{"X", random_tensor({1, 6, 2, 2}, 1)}},
                     {{"groups", Attribute::i32(4)}}, {{"Y"}, {"Mean"}, {"Variance"}})
                .find("groups"),
            std::string::npos);
}

TEST(InstanceNorm, ByHand) {
  auto out =
      run_reference("instance_norm",
                    {{"X", f32({1, 2, 1, 2}, {1, 3, 10, 14})},
                     {"Scale", f32({2}, {1, 2}), true},
                     {"Bias", f32({2}, {0, 1}), true}},
                    {{"epsilon", Attribute::f32(0)}}, {{"Y"}, {"SavedMean"}, {"SavedVariance"}});
  EXPECT_EQ(values(out), (std::vector<float>{-1, 1, -1, 3}));
  EXPECT_EQ(values(out, 1), (std::vector<float>{2, 12}));
  EXPECT_EQ(values(out, 2), (std::vector<float>{1, 0.5f}));  // 1 / sqrt(var + eps)
}

}  // namespace
}  // namespace detport::testing
