// Regression: Paddle exports write conv2d with an empty `Bias=()` slot; folding batch_norm into
// such a conv must fill that slot (it once added a second "Bias" slot that kernels never saw,
// dropping the folded bias on every real model). Found running PP-YOLO tiny end to end.
#include "op_test_util.h"
#include "runtime/passes/passes.h"
#include "runtime/plan.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using ir::DType;

ir::Tensor weight(Dims dims, uint32_t seed, float lo, float hi) {
  Tensor t = random_tensor(std::move(dims), seed, lo, hi);
  std::vector<std::byte> bytes(t.bytes());
  std::memcpy(bytes.data(), t.raw(), bytes.size());
  return ir::Tensor::owned(DType::kFloat32, t.dims(), std::move(bytes));
}

TEST(FoldBatchNorm, FillsTheEmptyBiasSlotOfExportedConvs) {
  ir::ProgramBuilder b;
  b.input("x", DType::kFloat32, {1, 3, 7, 6});
  b.param("w", weight({4, 3, 3, 3}, 1, -1, 1));
  b.param("scale", weight({4}, 2, 0.5f, 2));
  b.param("beta", weight({4}, 3, 1, 3));  // large shifts: a dropped bias shows
  b.param("mean", weight({4}, 4, -1, 1));
  b.param("var", weight({4}, 5, 0.1f, 2));
  b.temp("c", DType::kFloat32, {});
  b.temp("y", DType::kFloat32, {});
  b.op("conv2d")
      .in("Input", {"x"})
      .in("Filter", {"w"})
      .in("Bias", {})
      .in("ResidualData", {})
      .out("Output", {"c"})
      .attr("strides", Attribute::i32s({1, 1}))
      .attr("paddings", Attribute::i32s({1, 1}))
      .attr("dilations", Attribute::i32s({1, 1}))
      .attr("groups", Attribute::i32(1))
      .build();
  b.op("batch_norm")
      .in("X", {"c"})
      .in("Scale", {"scale"})
      .in("Bias", {"beta"})
      .in("Mean", {"mean"})
      .in("Variance", {"var"})
      .in("MomentumTensor", {})
      .out("Y", {"y"})
      .out("MeanOut", {"mean"})
      .out("VarianceOut", {"var"})
      .attr("epsilon", Attribute::f32(1e-5f))
      .attr("is_test", Attribute::boolean(true))  // as inference exports set it
      .build();
  b.output("y");
  const ir::Model model = std::move(b).finish(ir::Release{2, 4, 0});
  // Run the pass directly (batch_norm's own kernel belongs to another family): the conv must end
  // up with one Bias slot holding the folded bias, and compute BN(conv(x)).
  auto g = runtime::build_graph(model);
  ASSERT_TRUE(g.ok()) << g.error().describe();
  for (auto& n : g->nodes) n.def = runtime::OpRegistry::global().find(n.op.type);
  const std::vector<runtime::TensorMeta> metas{{DType::kFloat32, {1, 3, 7, 6}}};
  const std::vector<runtime::NamedTensor> in{{"x", random_tensor({1, 3, 7, 6}, 9)}};
  runtime::CompileOptions o;
  o.optimized = false;
  o.fuse = false;
  // conv(x) alone.
  runtime::Graph conv_only = *g;
  conv_only.outputs = {g->nodes[0].output_value("Output")};
  conv_only.nodes[1].removed = true;
  conv_only.relink();
  auto pc = runtime::Plan::build(conv_only, metas, o);
  ASSERT_TRUE(pc.ok()) << pc.error().describe();
  auto c = (*pc)->execute(in, nullptr);
  ASSERT_TRUE(c.ok());
  // The folded graph.
  runtime::Graph folded = *g;
  ASSERT_EQ(runtime::passes::fold_batch_norm(folded), 1);
  int bias_slots = 0;
  for (const auto& s : folded.nodes[0].inputs) bias_slots += s.name == "Bias" ? 1 : 0;
  EXPECT_EQ(bias_slots, 1);
  auto pf = runtime::Plan::build(folded, metas, o);
  ASSERT_TRUE(pf.ok()) << pf.error().describe();
  auto y = (*pf)->execute(in, nullptr);
  ASSERT_TRUE(y.ok());
  auto vals = [&](const char* name) {
    const auto& t = model.weights.at(name);
    std::vector<float> v(t.bytes.size() / 4);
    std::memcpy(v.data(), t.bytes.data(), t.bytes.size());
    return v;
  };
  const auto scale = vals("scale"), beta = vals("beta"), mean = vals("mean"), var = vals("var");
  Tensor want = (*c)[0].tensor.clone();
  const int64_t plane = want.numel() / 4;
  for (int64_t ch = 0; ch < 4; ++ch)
    for (int64_t i = 0; i < plane; ++i) {
      float& v = want.data<float>()[ch * plane + i];
      const auto k = static_cast<std::size_t>(ch);
      v = (v - mean[k]) / std::sqrt(var[k] + 1e-5f) * scale[k] + beta[k];
    }
  expect_close((*y)[0].tensor, want, 1e-5, "conv + folded batch_norm");
}

}  // namespace
}  // namespace detport::testing
