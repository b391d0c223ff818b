// How ops plug into the runtime. Each op family file registers OpDefs: shape inference, a plain
// reference kernel, and optionally an optimised kernel (oneDNN or vectorised) that may accept
// channels-last (NHWC) 4-D tensors. Kernels are created per node once shapes are known.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "runtime/graph.h"

namespace detport::runtime {

// Shape inference for one node: reads input metas (and constant input values, which shape-like
// inputs such as reshape2's ShapeTensor need) and sets every output meta.
class InferContext {
 public:
  InferContext(Graph& graph, Node& node) : graph_(graph), node_(node) {}
  const ir::Op& op() const { return node_.op; }
  const Node& node() const { return node_; }

  std::size_t input_count(std::string_view slot) const;
  bool has_input(std::string_view slot) const { return input_count(slot) > 0; }
  const TensorMeta& input(std::string_view slot, std::size_t i = 0) const;
  // The input's value when known at compile time, else nullptr.
  const Tensor* constant(std::string_view slot, std::size_t i = 0) const;
  std::size_t output_count(std::string_view slot) const;
  bool has_output(std::string_view slot) const { return output_count(slot) > 0; }
  // The output's meta before this inference: as the program declares it (VarDesc), or as an
  // earlier inference of a run-time node set it. Its rank tells whether a 0-D result is stored as
  // [] (Paddle 2.5+) or [1] (earlier releases).
  const TensorMeta& output_meta(std::string_view slot, std::size_t i = 0) const;
  void set_output(std::string_view slot, std::size_t i, TensorMeta meta);
  void set_output(std::string_view slot, TensorMeta meta) { set_output(slot, 0, std::move(meta)); }
  // Marks an output whose dims depend on the data (e.g. NMS results); `meta` is an upper bound or
  // has -1 where unknown.
  void set_dynamic_output(std::string_view slot, std::size_t i, TensorMeta meta);
  // An output whose value is known now (e.g. `shape` of a tensor with known dims); enables folding.
  void set_constant_output(std::string_view slot, std::size_t i, Tensor value);

  // An error naming the node.
  Error error(std::string message) const;

 private:
  Graph& graph_;
  Node& node_;
};

// Inputs and outputs of one node while it runs. Static outputs are pre-allocated views into the
// plan's arena; dynamic outputs are allocated by the kernel with allocate().
class KernelContext {
 public:
  KernelContext(const Node& node, std::span<Tensor> values) : node_(node), values_(values) {}
  const ir::Op& op() const { return node_.op; }
  const Node& node() const { return node_; }

  std::size_t input_count(std::string_view slot) const;
  bool has_input(std::string_view slot) const { return input_count(slot) > 0; }
  const Tensor& input(std::string_view slot, std::size_t i = 0) const;
  std::size_t output_count(std::string_view slot) const;
  bool has_output(std::string_view slot) const { return output_count(slot) > 0; }
  Tensor& output(std::string_view slot, std::size_t i = 0);
  // Allocates (replaces) an output of data-dependent size.
  Tensor& allocate(std::string_view slot, std::size_t i, TensorMeta meta);
  // The extra inputs of the node's i-th fused op.
  const Tensor& fused_input(std::size_t fused, std::size_t i) const;

  Error error(std::string message) const;

 private:
  const Node& node_;
  std::span<Tensor> values_;  // indexed by ValueId
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status run(KernelContext& ctx) = 0;
  // Which implementation runs (for profiles): "reference", "onednn:brgconv:avx512_core", ...
  virtual std::string impl() const { return "reference"; }
};

struct CompileOptions;

// What a kernel factory sees: the node with every value's meta known.
struct KernelSpec {
  const Graph& graph;
  const Node& node;
  const CompileOptions& options;
  const TensorMeta& input(std::string_view slot, std::size_t i = 0) const;
  const Tensor* constant(std::string_view slot, std::size_t i = 0) const;
  const TensorMeta& output(std::string_view slot, std::size_t i = 0) const;
};

using InferFn = Status (*)(InferContext&);
using KernelFactory = std::unique_ptr<Kernel> (*)(const KernelSpec&);
// Work estimate of one node: floating-point operations (multiply-add = 2).
using FlopsFn = double (*)(const KernelSpec&);
// Can `fused` (an op consuming this node's only output) be folded into this node's optimised
// kernel?
using CanFuseFn = bool (*)(const KernelSpec&, const ir::Op& fused, const Graph& graph,
                           const Node& fused_node);

// Does the optimised kernel handle this node (its metas, attributes, and node.layout)?
using SupportsFn = bool (*)(const KernelSpec&);

struct OpDef {
  std::string type;
  InferFn infer = nullptr;
  // The reference kernel reads every shape from the tensors at run time, so it also serves nodes
  // whose input dims are only known then. It runs on plain layouts (and on NHWC for
  // layout-agnostic ops).
  KernelFactory reference = nullptr;
  // The optimised kernel, used when `supports` (if given) accepts the node; created once shapes
  // and the node's layout are fixed.
  KernelFactory optimized = nullptr;
  SupportsFn supports = nullptr;
  // Layouts: `prefers_nhwc` ops (convolutions) start channels-last regions; `nhwc_ok` says whether
  // the optimised kernel can run this node with its 4-D tensors in NHWC (the layout pass extends
  // regions through such nodes instead of converting back).
  bool prefers_nhwc = false;
  SupportsFn nhwc_ok = nullptr;
  // Elementwise ops whose every tensor has one layout run on NHWC data as they are, reference too.
  bool layout_agnostic = false;
  FlopsFn flops = nullptr;
  CanFuseFn can_fuse = nullptr;
  // Constant inputs -> constant outputs can be computed at compile time.
  bool foldable = true;
  // Output "Out" holds exactly the bytes of input "X" (reshape-family ops): the planner lets it
  // share X's storage, and the kernel must then do nothing when the two pointers are equal.
  bool aliases_input = false;
};

class OpRegistry {
 public:
  static const OpRegistry& global();
  void add(OpDef def);
  const OpDef* find(std::string_view type) const;
  std::vector<std::string> types() const;

 private:
  std::unordered_map<std::string, OpDef> defs_;
};

// Every op family registers itself here (kernels/*.cc); called once by OpRegistry::global().
void register_all_ops(OpRegistry& registry);

}  // namespace detport::runtime
