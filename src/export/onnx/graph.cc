#include "export/onnx/graph.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace detport::onnx_export {
namespace {

// IEEE binary16 from binary32, rounding to nearest even; overflow gives infinity.
uint16_t to_half(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t exp = (x >> 23) & 0xffu;
  uint32_t mant = x & 0x7fffffu;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));
  const int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    const int shift = 14 - e;
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t mid = 1u << (shift - 1);
    if (rem > mid || (rem == mid && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) ++half;  // may carry into the exponent
  return static_cast<uint16_t>(sign | half);
}

template <typename T>
std::vector<std::byte> pack(const std::vector<double>& values) {
  std::vector<std::byte> out(values.size() * sizeof(T));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const T v = static_cast<T>(values[i]);
    std::memcpy(out.data() + i * sizeof(T), &v, sizeof(T));
  }
  return out;
}

}  // namespace

std::optional<int32_t> onnx_dtype(ir::DType t) {
  using ir::DType;
  switch (t) {
    case DType::kBool:
      return onnx::TensorProto_DataType_BOOL;
    case DType::kInt16:
      return onnx::TensorProto_DataType_INT16;
    case DType::kInt32:
      return onnx::TensorProto_DataType_INT32;
    case DType::kInt64:
      return onnx::TensorProto_DataType_INT64;
    case DType::kFloat16:
      return onnx::TensorProto_DataType_FLOAT16;
    case DType::kFloat32:
      return onnx::TensorProto_DataType_FLOAT;
    case DType::kFloat64:
      return onnx::TensorProto_DataType_DOUBLE;
    case DType::kUInt8:
      return onnx::TensorProto_DataType_UINT8;
    case DType::kInt8:
      return onnx::TensorProto_DataType_INT8;
    case DType::kBFloat16:
      return onnx::TensorProto_DataType_BFLOAT16;
    default:
      return std::nullopt;
  }
}

onnx::AttributeProto attr(const std::string& name, int64_t v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INT);
  a.set_i(v);
  return a;
}

onnx::AttributeProto attr_f(const std::string& name, float v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a.set_f(v);
  return a;
}

onnx::AttributeProto attr(const std::string& name, const std::string& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_STRING);
  a.set_s(v);
  return a;
}

onnx::AttributeProto attr(const std::string& name, const std::vector<int64_t>& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a.add_ints(x);
  return a;
}

onnx::AttributeProto attr_fs(const std::string& name, const std::vector<float>& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_FLOATS);
  for (float x : v) a.add_floats(x);
  return a;
}

onnx::AttributeProto attr(const std::string& name, const onnx::TensorProto& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_TENSOR);
  *a.mutable_t() = v;
  return a;
}

std::string Graph::fresh(std::string_view hint) {
  std::string base(hint.empty() ? "v" : hint);
  if (!taken(base)) {
    names_.insert(base);
    return base;
  }
  int& n = name_counters_[base];
  std::string name;
  do name = fmt::format("{}_{}", base, ++n);
  while (taken(name));
  names_.insert(name);
  return name;
}

std::string Graph::node_name(std::string_view op) {
  return fmt::format("{}/{}_{}", origin_.empty() ? "detport" : origin_, op, node_counter_++);
}

void Graph::add_to(std::string_view op, const std::vector<std::string>& inputs,
                   const std::vector<std::string>& outputs, const Attrs& attrs) {
  onnx::NodeProto* n = g_.add_node();
  n->set_op_type(std::string(op));
  n->set_name(node_name(op));
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) {
    names_.insert(o);
    producers_[o] = std::string(op);
    n->add_output(o);
  }
  for (const auto& a : attrs) *n->add_attribute() = a;
}

std::vector<std::string> Graph::add(std::string_view op, const std::vector<std::string>& inputs,
                                    std::size_t n, const Attrs& attrs) {
  std::vector<std::string> outs;
  const std::string hint = fmt::format("{}.{}", origin_.empty() ? "t" : origin_, op);
  for (std::size_t i = 0; i < n; ++i) outs.push_back(fresh(hint));
  add_to(op, inputs, outs, attrs);
  return outs;
}

std::string Graph::op(std::string_view op_type, const std::vector<std::string>& inputs,
                      const Attrs& attrs) {
  return add(op_type, inputs, 1, attrs).front();
}

std::string Graph::constant(int32_t onnx_type, const std::vector<int64_t>& dims,
                            std::span<const std::byte> bytes, std::string_view hint) {
  std::string key = fmt::format("{}|{}|", onnx_type, fmt::join(dims, ","));
  key.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (auto it = constants_.find(key); it != constants_.end()) return it->second;
  const std::string name = fresh(hint);
  onnx::TensorProto* t = g_.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx_type);
  for (int64_t d : dims) t->add_dims(d);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  constants_.emplace(std::move(key), name);
  return name;
}

std::string Graph::i64s(const std::vector<int64_t>& v) {
  return constant(onnx::TensorProto_DataType_INT64, {static_cast<int64_t>(v.size())},
                  std::as_bytes(std::span(v)));
}

std::string Graph::i64(int64_t v) {
  return constant(onnx::TensorProto_DataType_INT64, {}, std::as_bytes(std::span(&v, 1)));
}

std::string Graph::f32s(const std::vector<float>& v, std::vector<int64_t> dims) {
  if (dims.empty()) dims = {static_cast<int64_t>(v.size())};
  return constant(onnx::TensorProto_DataType_FLOAT, dims, std::as_bytes(std::span(v)));
}

std::string Graph::f32(float v) {
  return constant(onnx::TensorProto_DataType_FLOAT, {}, std::as_bytes(std::span(&v, 1)));
}

std::string Graph::empty_f32() {
  return constant(onnx::TensorProto_DataType_FLOAT, {0}, {});
}

Result<std::string> Graph::typed(ir::DType dtype, const std::vector<int64_t>& dims,
                                 const std::vector<double>& values) {
  using ir::DType;
  std::vector<std::byte> bytes;
  switch (dtype) {
    case DType::kFloat32:
      bytes = pack<float>(values);
      break;
    case DType::kFloat64:
      bytes = pack<double>(values);
      break;
    case DType::kInt32:
      bytes = pack<int32_t>(values);
      break;
    case DType::kInt64:
      bytes = pack<int64_t>(values);
      break;
    case DType::kInt16:
      bytes = pack<int16_t>(values);
      break;
    case DType::kInt8:
      bytes = pack<int8_t>(values);
      break;
    case DType::kUInt8:
    case DType::kBool:
      bytes = pack<uint8_t>(values);
      break;
    case DType::kFloat16: {
      std::vector<uint16_t> h(values.size());
      for (std::size_t i = 0; i < values.size(); ++i) h[i] = to_half(static_cast<float>(values[i]));
      bytes.resize(h.size() * 2);
      if (!h.empty()) std::memcpy(bytes.data(), h.data(), bytes.size());
      break;
    }
    default:
      return make_error(
          ErrorCode::kUnsupported,
          fmt::format("constants of type {} cannot be written to ONNX", ir::var_type_name(dtype)));
  }
  return constant(*onnx_dtype(dtype), dims, bytes);
}

Result<std::string> Graph::weight(const std::string& name, const ir::Tensor& t, bool as_fp16) {
  auto type = onnx_dtype(t.dtype);
  if (!type)
    return make_error(
        ErrorCode::kUnsupported,
        fmt::format("weight of type {} has no ONNX equivalent", ir::var_type_name(t.dtype)), name);
  const int64_t n = t.numel();
  if (n < 0 || static_cast<std::size_t>(n) * ir::dtype_size(t.dtype) != t.bytes.size())
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("weight holds {} bytes but its dims and type need {}", t.bytes.size(),
                    n * static_cast<int64_t>(ir::dtype_size(t.dtype))),
        name);
  const std::string out = taken(name) ? fresh(name) : name;
  names_.insert(out);
  onnx::TensorProto* p = g_.add_initializer();
  p->set_name(out);
  for (int64_t d : t.dims) p->add_dims(d);
  if (as_fp16 && t.dtype == ir::DType::kFloat32) {
    p->set_data_type(onnx::TensorProto_DataType_FLOAT16);
    const auto values = t.values<float>();
    std::string raw(values.size() * 2, '\0');
    for (std::size_t i = 0; i < values.size(); ++i) {
      const uint16_t h = to_half(values[i]);
      std::memcpy(raw.data() + i * 2, &h, 2);
    }
    p->set_raw_data(std::move(raw));
  } else {
    p->set_data_type(*type);
    p->set_raw_data(std::string(reinterpret_cast<const char*>(t.bytes.data()), t.bytes.size()));
  }
  return out;
}

std::string Graph::unsqueeze(const std::string& x, const std::vector<int64_t>& axes) {
  if (opset_ >= 13) return op("Unsqueeze", {x, i64s(axes)});
  return op("Unsqueeze", {x}, {attr("axes", axes)});
}

std::string Graph::squeeze(const std::string& x, const std::vector<int64_t>& axes) {
  if (opset_ >= 13) return op("Squeeze", {x, i64s(axes)});
  return op("Squeeze", {x}, {attr("axes", axes)});
}

std::string Graph::reshape(const std::string& x, const std::vector<int64_t>& shape) {
  return op("Reshape", {x, i64s(shape)});
}

std::string Graph::cast(const std::string& x, int32_t onnx_type) {
  return op("Cast", {x}, {attr("to", int64_t{onnx_type})});
}

std::string Graph::slice(const std::string& x, const std::vector<int64_t>& starts,
                         const std::vector<int64_t>& ends, const std::vector<int64_t>& axes,
                         const std::vector<int64_t>& steps) {
  std::vector<std::string> in{x, i64s(starts), i64s(ends), i64s(axes)};
  if (!steps.empty()) in.push_back(i64s(steps));
  return op("Slice", in);
}

std::string Graph::concat(const std::vector<std::string>& xs, int64_t axis) {
  if (xs.size() == 1) return op("Identity", xs);
  return op("Concat", xs, {attr("axis", axis)});
}

std::vector<std::string> Graph::split(const std::string& x, int64_t axis,
                                      const std::vector<int64_t>& sizes) {
  if (opset_ >= 13) return add("Split", {x, i64s(sizes)}, sizes.size(), {attr("axis", axis)});
  return add("Split", {x}, sizes.size(), {attr("axis", axis), attr("split", sizes)});
}

std::string Graph::reduce(std::string_view op_type, const std::string& x,
                          const std::vector<int64_t>& axes, bool keepdims) {
  // ReduceSum takes axes as an input from opset 13, the other reductions from opset 18.
  const bool axes_input = op_type == "ReduceSum" ? opset_ >= 13 : opset_ >= 18;
  Attrs attrs{attr("keepdims", int64_t{keepdims ? 1 : 0})};
  if (axes.empty()) return op(op_type, {x}, attrs);
  if (axes_input) return op(op_type, {x, i64s(axes)}, attrs);
  attrs.push_back(attr("axes", axes));
  return op(op_type, {x}, attrs);
}

std::string Graph::take(const std::string& x, int64_t axis, int64_t index, bool keep_axis) {
  if (keep_axis) return slice(x, {index}, {index + 1}, {axis});
  return op("Gather", {x, i64(index)}, {attr("axis", axis)});
}

std::string Graph::min_i64(const std::string& a, const std::string& b) {
  if (opset_ >= 12) return op("Min", {a, b});
  return op("Where", {op("Less", {a, b}), a, b});
}

std::string Graph::max_i64(const std::string& a, const std::string& b) {
  if (opset_ >= 12) return op("Max", {a, b});
  return op("Where", {op("Greater", {a, b}), a, b});
}

std::string Graph::shape_slice(const std::string& x, int64_t start, int64_t end) {
  return slice(op("Shape", {x}), {start}, {end}, {0});
}

}  // namespace detport::onnx_export
