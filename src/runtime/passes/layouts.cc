// Channels-last regions: convolutions run on NHWC (oneDNN's brgemm kernels are 2-10x faster there
// than on NCHW, docs/PERFORMANCE.md), so the pass starts NHWC at each optimised conv, extends it
// through nodes that can run on NHWC, and inserts a conversion where a node needs plain NCHW.
#include <map>

#include "runtime/op_registry.h"
#include "runtime/passes/passes.h"

namespace detport::runtime::passes {
namespace {

bool is_4d(const Value& v) {
  return v.meta_known && !v.dynamic && v.meta.dims.size() == 4;
}

bool can_run_nhwc(const Graph& g, Node& node, const CompileOptions& options) {
  const Layout saved = node.layout;
  node.layout = Layout::kNhwc;
  KernelSpec spec{g, node, options};
  bool ok = false;
  if (node.use_optimized && node.def->nhwc_ok != nullptr) ok = node.def->nhwc_ok(spec);
  if (!ok && node.def->layout_agnostic) {
    // Every tensor input and output must be 4-D of one shape for storage order not to matter.
    ok = true;
    for (const auto* slots : {&node.inputs, &node.outputs})
      for (const auto& s : *slots)
        for (ValueId v : s.values)
          if (!is_4d(g.value(v))) ok = false;
  }
  node.layout = saved;
  return ok;
}

}  // namespace

int assign_layouts(Graph& graph, const CompileOptions& options) {
  graph.relink();
  std::vector<Node> out_nodes;
  out_nodes.reserve(graph.nodes.size() + 16);
  std::map<std::pair<ValueId, Layout>, ValueId> converted;  // reuse one conversion per value
  int conversions = 0;

  auto convert = [&](ValueId v, Layout to) -> ValueId {
    if (auto it = converted.find({v, to}); it != converted.end()) return it->second;
    const Value src = graph.value(v);
    const ValueId nv =
        graph.add_value(src.name + (to == Layout::kNhwc ? "@nhwc" : "@nchw"), src.meta);
    graph.value(nv).meta_known = true;
    graph.value(nv).layout = to;
    Node conv;
    conv.op.type = to == Layout::kNhwc ? "detport.to_nhwc" : "detport.to_nchw";
    conv.op.inputs.push_back({"X", {src.name}});
    conv.op.outputs.push_back({"Out", {graph.value(nv).name}});
    conv.inputs.push_back({"X", {v}});
    conv.outputs.push_back({"Out", {nv}});
    conv.def = OpRegistry::global().find(conv.op.type);
    conv.layout = Layout::kPlain;
    conv.use_optimized = false;
    out_nodes.push_back(std::move(conv));
    converted[{v, to}] = nv;
    ++conversions;
    return nv;
  };

  for (auto& node : graph.nodes) {
    if (node.removed) {
      out_nodes.push_back(std::move(node));
      continue;
    }
    bool nhwc_input = false;
    for (const auto& s : node.inputs)
      for (ValueId v : s.values) nhwc_input |= graph.value(v).layout == Layout::kNhwc;
    node.layout = Layout::kPlain;
    if ((node.def->prefers_nhwc || nhwc_input) && !node.dynamic &&
        can_run_nhwc(graph, node, options))
      node.layout = Layout::kNhwc;
    // Inputs: 4-D activations in the node's layout, all others plain. Constants (weights) stay
    // plain: kernels read them in their own storage order.
    for (auto& s : node.inputs)
      for (ValueId& v : s.values) {
        const Value& val = graph.value(v);
        if (val.constant) continue;
        const Layout want =
            (node.layout == Layout::kNhwc && is_4d(val)) ? Layout::kNhwc : Layout::kPlain;
        if (val.layout != want) v = convert(v, want);
      }
    for (auto& f : node.fused)
      for (ValueId& v : f.extra) {
        const Value& val = graph.value(v);
        if (val.constant) continue;
        const Layout want =
            (node.layout == Layout::kNhwc && is_4d(val)) ? Layout::kNhwc : Layout::kPlain;
        if (val.layout != want) v = convert(v, want);
      }
    for (const auto& s : node.outputs)
      for (ValueId v : s.values)
        graph.value(v).layout = (node.layout == Layout::kNhwc && is_4d(graph.value(v)))
                                    ? Layout::kNhwc
                                    : Layout::kPlain;
    out_nodes.push_back(std::move(node));
  }
  // Graph outputs leave in plain layout.
  for (ValueId& o : graph.outputs)
    if (graph.value(o).layout != Layout::kPlain) o = convert(o, Layout::kPlain);
  graph.nodes = std::move(out_nodes);
  graph.relink();
  return conversions;
}

}  // namespace detport::runtime::passes
