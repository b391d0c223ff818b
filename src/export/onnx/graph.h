// Building an ONNX graph node by node: unique value and node names, deduplicated constant
// initializers, and the opset-dependent forms of the few ONNX ops whose signature changed between
// opset 11 and 17 (Squeeze/Unsqueeze/Split/ReduceSum axes moved from attributes to inputs in 13).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.h"
#include "ir/tensor.h"
#include "ir/types.h"

namespace detport::onnx_export {

// ONNX TensorProto.DataType of a Paddle element type; nullopt for types ONNX lacks.
std::optional<int32_t> onnx_dtype(ir::DType t);

onnx::AttributeProto attr(const std::string& name, int64_t v);
onnx::AttributeProto attr_f(const std::string& name, float v);
onnx::AttributeProto attr(const std::string& name, const std::string& v);
onnx::AttributeProto attr(const std::string& name, const std::vector<int64_t>& v);
onnx::AttributeProto attr_fs(const std::string& name, const std::vector<float>& v);
onnx::AttributeProto attr(const std::string& name, const onnx::TensorProto& v);

using Attrs = std::vector<onnx::AttributeProto>;

class Graph {
 public:
  Graph(onnx::GraphProto& proto, int opset) : g_(proto), opset_(opset) {}

  int opset() const { return opset_; }
  onnx::GraphProto& proto() { return g_; }

  // A value name not used yet, derived from `hint`.
  std::string fresh(std::string_view hint);
  // Marks a name as taken (graph inputs, initializers named after weights).
  void reserve(const std::string& name) { names_.insert(name); }
  bool taken(const std::string& name) const { return names_.count(name) != 0; }

  // Node names start with the origin (the Paddle op being mapped, e.g. "conv2d#12") so that a
  // checker error names the Paddle op too.
  void set_origin(std::string origin) { origin_ = std::move(origin); }
  const std::string& origin() const { return origin_; }

  // The op type of the node that writes `value` ("" for inputs and initializers).
  std::string producer(const std::string& value) const {
    auto it = producers_.find(value);
    return it == producers_.end() ? std::string() : it->second;
  }

  // Adds a node writing `outputs` (names chosen by the caller).
  void add_to(std::string_view op, const std::vector<std::string>& inputs,
              const std::vector<std::string>& outputs, const Attrs& attrs = {});
  // Adds a node with `n` fresh outputs and returns them.
  std::vector<std::string> add(std::string_view op, const std::vector<std::string>& inputs,
                               std::size_t n, const Attrs& attrs = {});
  // Adds a single-output node and returns its output.
  std::string op(std::string_view op, const std::vector<std::string>& inputs,
                 const Attrs& attrs = {});

  // Constants, stored as initializers and shared when equal.
  std::string constant(int32_t onnx_type, const std::vector<int64_t>& dims,
                       std::span<const std::byte> bytes, std::string_view hint = "const");
  std::string i64s(const std::vector<int64_t>& v);                                // 1-D int64
  std::string i64(int64_t v);                                                     // 0-D int64
  std::string f32s(const std::vector<float>& v, std::vector<int64_t> dims = {});  // 1-D default
  std::string f32(float v);                                                       // 0-D float
  // A constant of any element type holding `values` (converted), with the given dims.
  Result<std::string> typed(ir::DType dtype, const std::vector<int64_t>& dims,
                            const std::vector<double>& values);
  // An initializer named `name` holding a weight tensor (name reserved). With `as_fp16`, float32
  // data is stored as float16 (the caller casts it back).
  Result<std::string> weight(const std::string& name, const ir::Tensor& t, bool as_fp16 = false);
  // An empty float tensor (Resize's absent roi/scales in opset 11-12).
  std::string empty_f32();

  // Opset-aware helpers.
  std::string unsqueeze(const std::string& x, const std::vector<int64_t>& axes);
  std::string squeeze(const std::string& x, const std::vector<int64_t>& axes);
  std::string reshape(const std::string& x, const std::vector<int64_t>& shape);
  std::string cast(const std::string& x, int32_t onnx_type);
  std::string slice(const std::string& x, const std::vector<int64_t>& starts,
                    const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                    const std::vector<int64_t>& steps = {});
  std::string concat(const std::vector<std::string>& xs, int64_t axis);
  std::vector<std::string> split(const std::string& x, int64_t axis,
                                 const std::vector<int64_t>& sizes);
  std::string reduce(std::string_view op, const std::string& x, const std::vector<int64_t>& axes,
                     bool keepdims);
  // x[..., i] along `axis` for a constant index, keeping the axis (Slice) or dropping it (Gather).
  std::string take(const std::string& x, int64_t axis, int64_t index, bool keep_axis);
  // Elementwise min/max of int64 values (ONNX's Min/Max take integers only from opset 12).
  std::string min_i64(const std::string& a, const std::string& b);
  std::string max_i64(const std::string& a, const std::string& b);
  // Shape(x)[start:end] as a 1-D int64.
  std::string shape_slice(const std::string& x, int64_t start, int64_t end);

 private:
  std::string node_name(std::string_view op);

  onnx::GraphProto& g_;
  int opset_;
  std::string origin_;
  std::unordered_set<std::string> names_;
  std::unordered_map<std::string, std::string> producers_;
  std::map<std::string, int> name_counters_;
  std::map<std::string, std::string, std::less<>> constants_;  // content key -> name
  int node_counter_ = 0;
};

}  // namespace detport::onnx_export
