// Folds activations and residual adds into the optimised node that produces their input.
#include "runtime/op_registry.h"
#include "runtime/passes/passes.h"

namespace detport::runtime::passes {

int fuse_post_ops(Graph& graph, const CompileOptions& options) {
  graph.relink();
  int fused = 0;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& node = graph.nodes[i];
    if (node.removed || !node.use_optimized || node.def->can_fuse == nullptr) continue;
    while (true) {
      // The node's single output, used once, by a node that is not removed.
      if (node.outputs.size() != 1 || node.outputs[0].values.size() != 1) break;
      const ValueId out = node.outputs[0].values[0];
      const Value& v = graph.value(out);
      if (v.is_output || v.consumers.size() != 1) break;
      Node& next = graph.nodes[static_cast<std::size_t>(v.consumers[0])];
      if (next.removed || next.dynamic || next.outputs.empty()) break;
      KernelSpec spec{graph, node, options};
      if (!node.def->can_fuse(spec, next.op, graph, next)) break;
      FusedOp f{next.op, {}};
      bool ready = true;
      for (const auto& s : next.inputs)
        for (ValueId in : s.values)
          if (in != out) {
            f.extra.push_back(in);
            // The node runs at its own position: its other operands must exist by then (a
            // residual add whose other branch is computed later cannot move up into this node).
            ready &= graph.value(in).producer < static_cast<int>(i);
          }
      if (!ready) break;
      ValueId result = kNoValue;
      for (const auto& s : next.outputs)
        if (!s.values.empty()) result = s.values[0];
      if (result == kNoValue) break;
      node.fused.push_back(std::move(f));
      node.outputs[0].values[0] = result;
      next.removed = true;
      ++fused;
      graph.relink();
    }
  }
  return fused;
}

}  // namespace detport::runtime::passes
