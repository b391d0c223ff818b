// Channel shuffles as Paddle exports them (paddle.nn.functional.channel_shuffle was added late;
// ShuffleNet-style backbones such as Lite-HRNet, PP-TinyPose and ESNet write it out):
//   reshape2 [N,C,H,W] -> [N,g,C/g,H,W], transpose2 [0,2,1,3,4], reshape2 -> [N,C,H,W].
// Reshapes need plain layout, so each one leaves the channels-last region (two conversions and
// three copies). One channel_shuffle node does the same in a single pass, on NHWC data too.
#include "runtime/op_registry.h"
#include "runtime/passes/passes.h"

namespace detport::runtime::passes {
namespace {

bool is_reshape(const Node& n) {
  return n.op.type == "reshape2" || n.op.type == "reshape";
}
bool is_transpose(const Node& n) {
  return n.op.type == "transpose2" || n.op.type == "transpose";
}

// The node's only consumer when `v` has exactly one and is not a graph output; else -1.
int sole_consumer(const Graph& g, ValueId v) {
  if (v == kNoValue) return -1;
  const Value& val = g.value(v);
  if (val.is_output || val.consumers.size() != 1 || val.dynamic) return -1;
  return val.consumers.front();
}

// Outputs other than `keep` (XShape) must be unused.
bool only_output_used(const Graph& g, const Node& n, ValueId keep) {
  for (const auto& s : n.outputs)
    for (ValueId v : s.values)
      if (v != keep && (g.value(v).is_output || !g.value(v).consumers.empty())) return false;
  return true;
}

}  // namespace

int fuse_channel_shuffle(Graph& graph) {
  graph.relink();
  const OpDef* def = OpRegistry::global().find("channel_shuffle");
  if (def == nullptr) return 0;
  int fused = 0;
  for (auto& first : graph.nodes) {
    if (first.removed || first.dynamic || !is_reshape(first)) continue;
    const ValueId x = first.input_value("X"), a = first.output_value("Out");
    if (x == kNoValue || a == kNoValue) continue;
    const Dims& xd = graph.value(x).meta.dims;
    const Dims& ad = graph.value(a).meta.dims;
    if (graph.value(x).dynamic || xd.size() != 4 || ad.size() != 5) continue;
    if (ad[0] != xd[0] || ad[1] * ad[2] != xd[1] || ad[3] != xd[2] || ad[4] != xd[3]) continue;
    const int ti = sole_consumer(graph, a);
    if (ti < 0) continue;
    Node& t = graph.nodes[static_cast<std::size_t>(ti)];
    if (!is_transpose(t) || t.dynamic ||
        t.op.ints_attr("axis") != std::vector<int64_t>{0, 2, 1, 3, 4})
      continue;
    const ValueId b = t.output_value("Out");
    const int si = sole_consumer(graph, b);
    if (si < 0) continue;
    Node& second = graph.nodes[static_cast<std::size_t>(si)];
    if (!is_reshape(second) || second.dynamic || second.input_value("X") != b) continue;
    const ValueId y = second.output_value("Out");
    if (y == kNoValue || graph.value(y).meta.dims != xd) continue;
    if (!only_output_used(graph, first, a) || !only_output_used(graph, t, b) ||
        !only_output_used(graph, second, y))
      continue;
    // The first reshape becomes the shuffle, writing the second reshape's output.
    Node shuffle;
    shuffle.op.type = "channel_shuffle";
    shuffle.op.inputs.push_back({"X", {graph.value(x).name}});
    shuffle.op.outputs = second.op.outputs;
    shuffle.op.attrs = {{"groups", ir::Attribute::i32(static_cast<int32_t>(ad[1]))},
                        {"data_format", ir::Attribute::str("NCHW")}};
    shuffle.inputs.push_back({"X", {x}});
    shuffle.outputs.push_back({"Out", {y}});
    shuffle.def = def;
    shuffle.source_index = first.source_index;
    first = std::move(shuffle);
    t.removed = true;
    second.removed = true;
    graph.relink();
    ++fused;
  }
  return fused;
}

}  // namespace detport::runtime::passes
