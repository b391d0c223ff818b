#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/random_weights.h"
#include "ops/op_test_util.h"
#include "runtime/session.h"

namespace detport::runtime {
namespace {

using ir::Attribute;
using testing::expect_close;
using testing::random_tensor;

std::vector<ir::NamedAttribute> conv_attrs(int groups = 1, int pad = 1) {
  return {{"strides", Attribute::i32s({1, 1})},
          {"paddings", Attribute::i32s({pad, pad})},
          {"dilations", Attribute::i32s({1, 1})},
          {"groups", Attribute::i32(groups)},
          {"padding_algorithm", Attribute::str("EXPLICIT")},
          {"data_format", Attribute::str("NCHW")}};
}

// x -> conv3x3 -> hard_swish -> conv1x1 + residual(conv3x3 out) -> relu -> out; a second output
// keeps an intermediate alive.
ir::Model residual_block() {
  ir::ProgramBuilder b;
  auto x = b.input("image", ir::DType::kFloat32, {-1, 8, -1, -1});
  auto w1 = b.random_param("w1", {16, 8, 3, 3}, 0.2f);
  auto w2 = b.random_param("w2", {16, 16, 1, 1}, 0.2f);
  auto bias = b.random_param("bias", {16}, 0.1f);
  auto c1 = b.temp("c1", ir::DType::kFloat32, {});
  auto op1 = b.op("conv2d").in("Input", {x}).in("Filter", {w1}).out("Output", {c1});
  for (auto& a : conv_attrs()) op1.attr(a.name, a.value);
  op1.build();
  auto c1b = b.temp("c1b", ir::DType::kFloat32, {});
  b.op("elementwise_add")
      .in("X", {c1})
      .in("Y", {bias})
      .out("Out", {c1b})
      .attr("axis", Attribute::i32(1))
      .build();
  auto h = b.temp("h", ir::DType::kFloat32, {});
  b.op("hard_swish").in("X", {c1b}).out("Out", {h}).build();
  auto c2 = b.temp("c2", ir::DType::kFloat32, {});
  auto op2 = b.op("conv2d").in("Input", {h}).in("Filter", {w2}).out("Output", {c2});
  for (auto& a : conv_attrs(1, 0)) op2.attr(a.name, a.value);
  op2.build();
  auto sum = b.temp("sum", ir::DType::kFloat32, {});
  b.op("elementwise_add")
      .in("X", {c2})
      .in("Y", {c1b})
      .out("Out", {sum})
      .attr("axis", Attribute::i32(-1))
      .build();
  auto out = b.temp("out", ir::DType::kFloat32, {});
  b.op("relu").in("X", {sum}).out("Out", {out}).build();
  b.output(out);
  return std::move(b).finish(ir::Release{2, 6, 1});
}

std::vector<NamedTensor> image(int64_t n, int64_t h, int64_t w, uint32_t seed = 1) {
  return {{"image", random_tensor({n, 8, h, w}, seed)}};
}

TEST(Session, FusedOptimisedPathMatchesTheReference) {
  const ir::Model m = residual_block();
  CompileOptions ref_opts;
  ref_opts.optimized = false;
  ref_opts.fuse = false;
  auto ref = compile(m, ref_opts);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  CompileOptions fast;
  fast.profile = true;
  auto opt = compile(m, fast);
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  for (auto dims : {std::vector<int64_t>{1, 13, 17}, std::vector<int64_t>{2, 8, 8}}) {
    auto in = image(dims[0], dims[1], dims[2]);
    auto a = ref->run(in);
    auto b = opt->run(in);
    ASSERT_TRUE(a.ok()) << a.error().describe();
    ASSERT_TRUE(b.ok()) << b.error().describe();
    expect_close((*b)[0].tensor, (*a)[0].tensor, 1e-4, "out");
  }
  // The per-channel bias add becomes the first conv's Bias input (fold_conv_bias, not a post-op;
  // hard_swish cannot fuse: the biased output also feeds the residual), the residual add and relu
  // fuse into the second conv as post-ops; one conversion in, one out.
  const std::string summary = opt->plan_summary();
  EXPECT_NE(summary.find("5 nodes (2 fused ops folded in, 2 layout conversions)"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("onednn:"), std::string::npos) << summary;
  ASSERT_FALSE(opt->profile().nodes.empty());
  double flops = 0;
  for (const auto& n : opt->profile().nodes) flops += n.flops;
  // Batch 2 at 8x8: both convs (2 flops per multiply-add) and one flop per hard_swish element.
  EXPECT_DOUBLE_EQ(flops, 2.0 * 16 * 8 * 8 * (8 * 9 + 16) * 2 + 2 * 16 * 8 * 8);
}

TEST(Session, PlanCacheIsBounded) {
  CompileOptions o;
  o.plan_cache = 3;
  auto s = compile(residual_block(), o);
  ASSERT_TRUE(s.ok());
  for (int64_t size = 4; size < 12; ++size) ASSERT_TRUE(s->run(image(1, size, size)).ok());
  EXPECT_EQ(s->cached_plans(), 3u);
  ASSERT_TRUE(s->run(image(1, 11, 11)).ok());  // most recent: still cached
  EXPECT_EQ(s->cached_plans(), 3u);
}

TEST(Session, InputsAreValidatedAgainstTheModel) {
  auto s = compile(residual_block());
  ASSERT_TRUE(s.ok());
  auto wrong_name = s->run({{"img", random_tensor({1, 8, 4, 4}, 1)}});
  ASSERT_FALSE(wrong_name.ok());
  EXPECT_NE(wrong_name.error().message.find("expected 'image'"), std::string::npos);
  auto wrong_dims = s->run({{"image", random_tensor({1, 3, 4, 4}, 1)}});
  ASSERT_FALSE(wrong_dims.ok());
  EXPECT_NE(wrong_dims.error().message.find("the model declares [-1, 8, -1, -1]"),
            std::string::npos)
      << wrong_dims.error().message;
  auto too_many = s->run({{"image", random_tensor({1, 8, 4, 4}, 1)}, {"x", random_tensor({1}, 1)}});
  ASSERT_FALSE(too_many.ok());
}

TEST(Session, UnsupportedOpsAreListedAllAtOnce) {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {1, 4});
  auto y = b.temp("y", ir::DType::kFloat32, {1, 4});
  auto z = b.temp("z", ir::DType::kFloat32, {1, 4});
  auto w = b.temp("w", ir::DType::kFloat32, {1, 4});
  b.op("frobnicate").in("X", {x}).out("Out", {y}).build();
  b.op("relu").in("X", {y}).out("Out", {z}).build();
  b.op("frobnicate").in("X", {z}).out("Out", {w}).build();
  auto q = b.temp("q", ir::DType::kFloat32, {1, 4});
  b.op("teleport").in("X", {w}).out("Out", {q}).build();
  b.output(q);
  auto s = compile(std::move(b).finish(ir::Release{2, 6, 1}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(s.error().message.find("2 op types without a kernel: frobnicate (x2), teleport (x1)"),
            std::string::npos)
      << s.error().message;
}

TEST(Session, ConstantSubgraphsAreFoldedAtCompileTime) {
  // relu(w) + x: relu of a weight folds into a constant; only the add runs.
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {2, 3});
  auto w = b.random_param("w", {2, 3}, 1.0f);
  auto r = b.temp("r", ir::DType::kFloat32, {});
  b.op("relu").in("X", {w}).out("Out", {r}).build();
  auto y = b.temp("y", ir::DType::kFloat32, {});
  b.op("elementwise_add").in("X", {x}).in("Y", {r}).out("Out", {y}).build();
  b.output(y);
  const ir::Model m = std::move(b).finish(ir::Release{2, 6, 1});
  auto s = compile(m);
  ASSERT_TRUE(s.ok());
  Tensor zero = Tensor::empty(ir::DType::kFloat32, {2, 3});
  auto out = s->run({{"x", zero}});
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_NE(s->plan_summary().find("1 nodes"), std::string::npos) << s->plan_summary();
  const auto weights = m.weights.at("w").values<float>();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ((*out)[0].tensor.data<float>()[i],
              std::max(0.0f, weights[static_cast<std::size_t>(i)]));
}

TEST(Session, GraphOnlyModelsRunWithRandomWeights) {
  ir::Model m = residual_block();
  m.weights.clear();
  m.meta.params_layout = ir::ParamsLayout::kNone;
  auto missing = compile(m);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().describe().find("persistable var without weights"), std::string::npos)
      << missing.error().describe();
  ASSERT_TRUE(ir::randomize_weights(m, 7).ok());
  EXPECT_EQ(m.weights.size(), 3u);
  auto s = compile(m);
  ASSERT_TRUE(s.ok());
  auto out = s->run(image(1, 6, 6));
  ASSERT_TRUE(out.ok()) << out.error().describe();
  for (int64_t i = 0; i < (*out)[0].tensor.numel(); ++i)
    ASSERT_TRUE(std::isfinite((*out)[0].tensor.data<float>()[i]));
  // Seeded: the same seed gives the same weights.
  ir::Model again = residual_block();
  again.weights.clear();
  ASSERT_TRUE(ir::randomize_weights(again, 7).ok());
  EXPECT_EQ(again.weights.at("w2").values<float>(), m.weights.at("w2").values<float>());
}

}  // namespace
}  // namespace detport::runtime
