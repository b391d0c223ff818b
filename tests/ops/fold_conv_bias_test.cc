// fold_conv_bias: a conv followed by an add of a per-channel constant becomes one conv with a
// Bias. Each case runs unfused reference kernels against the folded graph, both with reference
// kernels (the pass alone) and with the optimised oneDNN kernels and post-op fusion.
#include "op_test_util.h"
#include "runtime/passes/passes.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using ir::DType;

ir::Tensor weight(Dims dims, uint32_t seed) {
  Tensor t = random_tensor(std::move(dims), seed, -1, 1);
  std::vector<std::byte> bytes(t.bytes());
  std::memcpy(bytes.data(), t.raw(), bytes.size());
  return ir::Tensor::owned(DType::kFloat32, t.dims(), std::move(bytes));
}

Result<std::vector<runtime::NamedTensor>> run_with(const ir::Model& model,
                                                   const std::vector<runtime::NamedTensor>& in,
                                                   bool optimized, bool fuse) {
  runtime::CompileOptions o;
  o.optimized = optimized;
  o.fuse = fuse;
  auto s = runtime::compile(model, o);
  if (!s.ok()) return s.error();
  return s->run(in);
}

struct Case {
  int64_t n, c, h, w, m, k, stride, groups;
  Dims bias;            // dims of the added constant
  int axis;             // the add's axis
  bool second_add;      // a second per-channel add after the first (both fold)
  bool swish_shortcut;  // then swish and a residual add of the input (needs m == c, stride 1)
  bool folds;           // whether the pass must fold the first add
};

ir::Model model_for(const Case& s) {
  ir::ProgramBuilder b;
  b.input("x", DType::kFloat32, {s.n, s.c, s.h, s.w});
  b.param("w", weight({s.m, s.c / s.groups, s.k, s.k}, 1));
  b.param("b1", weight(s.bias, 2));
  b.param("b2", weight(s.bias, 3));
  for (const char* t : {"c", "a1", "a2", "s", "y"}) b.temp(t, DType::kFloat32, {});
  const auto p = static_cast<int32_t>(s.k / 2);
  const auto st = static_cast<int32_t>(s.stride);
  b.op(s.groups > 1 ? "depthwise_conv2d" : "conv2d")
      .in("Input", {"x"})
      .in("Filter", {"w"})
      .in("Bias", {})
      .in("ResidualData", {})
      .out("Output", {"c"})
      .attr("strides", Attribute::i32s({st, st}))
      .attr("paddings", Attribute::i32s({p, p}))
      .attr("dilations", Attribute::i32s({1, 1}))
      .attr("groups", Attribute::i32(static_cast<int32_t>(s.groups)))
      .build();
  auto add = [&](const char* x, const char* y, const char* out, int axis) {
    b.op("elementwise_add")
        .in("X", {x})
        .in("Y", {y})
        .out("Out", {out})
        .attr("axis", Attribute::i32(axis))
        .build();
  };
  std::string last = "a1";
  add("c", "b1", "a1", s.axis);
  if (s.second_add) {
    add("a1", "b2", "a2", s.axis);
    last = "a2";
  }
  if (s.swish_shortcut) {
    b.op("swish").in("X", {last}).out("Out", {"s"}).attr("beta", Attribute::f32(1.0f)).build();
    add("x", "s", "y", -1);
    last = "y";
  }
  b.output(last);
  return std::move(b).finish(ir::Release{2, 4, 0});
}

class FoldConvBias : public ::testing::TestWithParam<Case> {};

TEST_P(FoldConvBias, MatchesTheUnfusedReference) {
  const Case& s = GetParam();
  const ir::Model model = model_for(s);
  const std::vector<runtime::NamedTensor> in{{"x", random_tensor({s.n, s.c, s.h, s.w}, 7)}};
  auto ref = run_with(model, in, false, false);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  for (const bool optimized : {false, true}) {
    auto got = run_with(model, in, optimized, true);
    ASSERT_TRUE(got.ok()) << got.error().describe();
    expect_close((*got)[0].tensor, (*ref)[0].tensor, 1e-4,
                 optimized ? "optimised, fused" : "reference kernels, folded");
  }
  // The pass itself: how many adds it folds.
  auto g = runtime::build_graph(model);
  ASSERT_TRUE(g.ok()) << g.error().describe();
  const int want = s.folds ? (s.second_add ? 2 : 1) : 0;
  EXPECT_EQ(runtime::passes::fold_conv_bias(*g), want);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, FoldConvBias,
    ::testing::Values(
        // RepVGG-style 3x3 with [C] bias on axis 1, swish and shortcut (PP-YOLOE+).
        Case{1, 16, 13, 11, 16, 3, 1, 1, {16}, 1, false, true, true},
        // [1,C,1,1] bias, odd channels, stride 2, batch 2.
        Case{2, 5, 9, 7, 7, 3, 2, 1, {1, 7, 1, 1}, -1, false, false, true},
        // Two bias adds in a row fold into one Bias.
        Case{1, 3, 8, 8, 17, 1, 1, 1, {17}, 1, true, false, true},
        // Depthwise 5x5 with bias, 1x1 spatial output edge cases.
        Case{1, 24, 5, 3, 24, 5, 1, 24, {24}, 1, false, true, true},
        // [C] on the last axis (axis -1, W == C) is not a channel bias: not folded.
        Case{1, 4, 6, 6, 6, 3, 1, 1, {6}, -1, false, false, false}));

}  // namespace
}  // namespace detport::testing
