// The runtime's graph: block 0 of an ir::Program in SSA form. Every write to a Paddle variable name
// makes a new Value (Paddle programs write some vars in place, e.g. batch_norm's MeanOut), so each
// value has exactly one producer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "ir/model.h"
#include "runtime/tensor.h"

namespace detport::runtime {

using ValueId = int32_t;
constexpr ValueId kNoValue = -1;

struct OpDef;

struct Value {
  std::string name;
  TensorMeta meta;
  bool meta_known = false;
  // Dims that depend on the data (e.g. NMS output counts): known only when the op runs.
  bool dynamic = false;
  std::optional<Tensor> constant;  // known at compile time (weights, folded subgraphs)
  Layout layout = Layout::kPlain;
  int producer = -1;           // node index; -1 for graph inputs and weights
  std::vector<int> consumers;  // node indices
  bool is_input = false;
  bool is_output = false;
};

struct NodeSlot {
  std::string name;
  std::vector<ValueId> values;
};

// An op fused into the node that produces its input (activation, residual add, ...): applied to
// the node's output in order. `extra` are its other inputs (e.g. the residual).
struct FusedOp {
  ir::Op op;
  std::vector<ValueId> extra;
};

struct Node {
  ir::Op op;  // type and attributes (inputs/outputs here are Paddle var names, for messages)
  std::vector<NodeSlot> inputs;
  std::vector<NodeSlot> outputs;
  const OpDef* def = nullptr;
  bool removed = false;
  Layout layout = Layout::kPlain;  // physical layout of its 4-D inputs/outputs
  std::vector<FusedOp> fused;
  bool use_optimized = false;  // run the optimised kernel (else the reference one)
  bool dynamic = false;        // some input has data-dependent dims: infer and allocate at run time
  int source_index = 0;        // position in the program's op list, for messages

  const std::vector<ValueId>* input(std::string_view slot) const;
  const std::vector<ValueId>* output(std::string_view slot) const;
  ValueId input_value(std::string_view slot, std::size_t i = 0) const;
  ValueId output_value(std::string_view slot, std::size_t i = 0) const;
  // "conv2d #12 (-> conv2d_3.tmp_0)": how errors name a node.
  std::string label() const;
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ValueId> inputs;   // feed targets, in col order
  std::vector<ValueId> outputs;  // fetch targets, in col order
  std::vector<std::string> input_names, output_names;

  Value& value(ValueId id) { return values[static_cast<std::size_t>(id)]; }
  const Value& value(ValueId id) const { return values[static_cast<std::size_t>(id)]; }
  ValueId add_value(std::string name, TensorMeta meta);
  // Points every consumer of `from` at `to` (graph outputs included).
  void replace_uses(ValueId from, ValueId to);
  // Recomputes producer/consumer links after passes rewired nodes.
  void relink();
};

// Builds the graph of block 0: feed ops become inputs, fetch ops outputs, persistable vars with
// weights become constants (copied into aligned memory). Declared VarDesc metas seed shape
// inference.
Result<Graph> build_graph(const ir::Model& model);

}  // namespace detport::runtime
