// No-op removal and dead-node removal.
#include <algorithm>

#include "runtime/kernels/dropout.h"
#include "runtime/op_registry.h"
#include "runtime/passes/passes.h"

namespace detport::runtime::passes {
namespace {

// The data input and output of an op that might be an identity.
bool identity_io(const Graph& g, const Node& n, ValueId& in, ValueId& out) {
  const std::string& t = n.op.type;
  in = n.input_value("X");
  out = n.output_value("Out");
  if (in == kNoValue || out == kNoValue) return false;
  const TensorMeta& a = g.value(in).meta;
  const TensorMeta& b = g.value(out).meta;
  if (a != b) return false;  // dims or dtype change: not an identity
  if (t == "dropout")
    return n.op.bool_attr("is_test", false) && kernels::dropout_mode(n.op) == "upscale_in_train";
  if (t == "scale")
    return n.input_value("ScaleTensor") == kNoValue && n.op.float_attr("scale", 1.0) == 1.0 &&
           n.op.float_attr("bias", 0.0) == 0.0;
  if (t == "assign" || t == "cast") return true;
  if (t == "reshape2" || t == "reshape" || t == "squeeze2" || t == "unsqueeze2" ||
      t == "flatten2" || t == "flatten_contiguous_range" || t == "squeeze" || t == "unsqueeze")
    return true;
  return false;
}

}  // namespace

int remove_noops(Graph& graph) {
  int removed = 0;
  for (auto& node : graph.nodes) {
    if (node.removed) continue;
    ValueId in, out;
    if (!identity_io(graph, node, in, out)) continue;
    if (graph.value(in).dynamic || graph.value(out).dynamic) continue;
    graph.replace_uses(out, in);
    node.removed = true;
    ++removed;
  }
  if (removed > 0) graph.relink();
  return removed;
}

int remove_dead(Graph& graph) {
  graph.relink();
  int removed = 0;
  for (auto it = graph.nodes.rbegin(); it != graph.nodes.rend(); ++it) {
    Node& node = *it;
    if (node.removed) continue;
    bool used = false;
    for (const auto& s : node.outputs)
      for (ValueId v : s.values)
        used |= !graph.value(v).consumers.empty() || graph.value(v).is_output;
    if (used) continue;
    node.removed = true;
    ++removed;
    // Its inputs lose a consumer.
    const int self = static_cast<int>(&node - graph.nodes.data());
    for (const auto& s : node.inputs)
      for (ValueId v : s.values) {
        auto& c = graph.value(v).consumers;
        c.erase(std::remove(c.begin(), c.end(), self), c.end());
      }
  }
  return removed;
}

}  // namespace detport::runtime::passes
