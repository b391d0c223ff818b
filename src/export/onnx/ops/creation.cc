// Constants and type changes: fill_constant (folded into an initializer when its shape is known,
// else ConstantOfShape), assign_value, assign, cast, fill_any_like / fill_zeros_like,
// fill_constant_batch_size_like, range, linspace (constant inputs).
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "export/onnx/ops/families.h"
#include "ir/constant_values.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kI64 = onnx::TensorProto_DataType_INT64;

ir::DType dtype_attr(const ir::Op& op, std::string_view name, ir::DType fallback) {
  const int64_t code = op.int_attr(name, -1);
  if (code < 0 || !ir::is_known_var_type(static_cast<int32_t>(code))) return fallback;
  return static_cast<ir::DType>(code);
}

// A 1-element TensorProto for ConstantOfShape's `value`.
Result<onnx::TensorProto> value_tensor(ir::DType dtype, double v) {
  auto type = onnx_dtype(dtype);
  if (!type)
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("constants of type {}", ir::var_type_name(dtype)));
  onnx::TensorProto t;
  t.set_data_type(*type);
  t.add_dims(1);
  // ONNX's typed fields: int32 holds bool/int8/int16/int32/uint8/float16 bits, etc.
  switch (dtype) {
    case ir::DType::kFloat32:
      t.add_float_data(static_cast<float>(v));
      break;
    case ir::DType::kFloat64:
      t.add_double_data(v);
      break;
    case ir::DType::kInt64:
      t.add_int64_data(static_cast<int64_t>(v));
      break;
    case ir::DType::kInt32:
    case ir::DType::kInt16:
    case ir::DType::kInt8:
    case ir::DType::kUInt8:
      t.add_int32_data(static_cast<int32_t>(v));
      break;
    case ir::DType::kBool:
      t.add_int32_data(v != 0 ? 1 : 0);
      break;
    default:
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("fill value of type {}", ir::var_type_name(dtype)));
  }
  return t;
}

double fill_value(const ir::Op& op) {
  double v = op.float_attr("value", 0.0);
  const std::string s = op.string_attr("str_value", "");
  if (!s.empty()) {
    char* end = nullptr;
    const double parsed = std::strtod(s.c_str(), &end);
    if (end != s.c_str()) v = parsed;
  }
  return v;
}

Status emit_fill_constant(MapContext& c) {
  const ir::DType dtype = dtype_attr(c.op(), "dtype", ir::DType::kFloat32);
  auto& g = c.g();
  std::string shape;
  if (auto s = c.int_list("shape", "ShapeTensor", "ShapeTensorList")) {
    shape = g.i64s(*s);
  } else if (c.has_in("ShapeTensor")) {
    DETPORT_ASSIGN(shape, c.in("ShapeTensor"));
    if (c.in_meta("ShapeTensor").dtype != ir::DType::kInt64) shape = g.cast(shape, kI64);
  } else {
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < c.in_count("ShapeTensorList"); ++i) {
      DETPORT_ASSIGN(std::string p, c.in("ShapeTensorList", i));
      if (c.in_meta("ShapeTensorList", i).dtype != ir::DType::kInt64) p = g.cast(p, kI64);
      parts.push_back(g.reshape(p, {-1}));
    }
    if (parts.empty()) return c.error("no shape");
    shape = g.concat(parts, 0);
  }
  if (c.has_in("ValueTensor")) {
    const Known* k = c.known("ValueTensor");
    if (k == nullptr || !k->full()) {
      DETPORT_ASSIGN(std::string v, c.in("ValueTensor"));
      DETPORT_ASSIGN(int32_t t, c.onnx_type(VarMeta{dtype, {}, true}));
      c.emit1("Expand", {g.reshape(g.cast(v, t), {}), shape});
      return {};
    }
    DETPORT_ASSIGN(onnx::TensorProto value, value_tensor(dtype, k->values().front()));
    c.emit1("ConstantOfShape", {shape}, {attr("value", value)});
    return {};
  }
  DETPORT_ASSIGN(onnx::TensorProto value, value_tensor(dtype, fill_value(c.op())));
  c.emit1("ConstantOfShape", {shape}, {attr("value", value)});
  return {};
}

Status emit_assign_value(MapContext& c) {
  auto k = ir::assign_value_constant(c.op());
  if (!k.ok()) return c.error(k.error().message);
  DETPORT_ASSIGN(std::string v, c.g().typed(k->dtype, k->dims, k->values));
  c.set_out("Out", v);
  return {};
}

Status emit_assign(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  c.emit1("Identity", {x});
  return {};
}

Status emit_cast(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const ir::DType in = c.in_meta("X").dtype;
  const ir::DType out = dtype_attr(c.op(), "out_dtype", in);
  if (in == out && c.in_meta("X").known) {
    c.emit1("Identity", {x});
    return {};
  }
  DETPORT_ASSIGN(int32_t t, c.onnx_type(VarMeta{out, {}, true}));
  c.emit1("Cast", {x}, {attr("to", int64_t{t})});
  return {};
}

Status emit_fill_like(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  ir::DType dtype = dtype_attr(c.op(), "dtype", c.in_meta("X").dtype);
  const double v = c.op().type == "fill_zeros_like" ? 0.0 : fill_value(c.op());
  DETPORT_ASSIGN(onnx::TensorProto value, value_tensor(dtype, v));
  c.emit1("ConstantOfShape", {c.g().op("Shape", {x})}, {attr("value", value)});
  return {};
}

Status emit_fill_batch_like(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("Input"));
  const ir::DType dtype = dtype_attr(c.op(), "dtype", ir::DType::kFloat32);
  auto shape = c.op().ints_attr("shape");
  const int64_t in_idx = c.op().int_attr("input_dim_idx", 0);
  const int64_t out_idx = c.op().int_attr("output_dim_idx", 0);
  if (out_idx < 0 || out_idx >= static_cast<int64_t>(shape.size()))
    return c.error("output_dim_idx out of range");
  auto& g = c.g();
  std::vector<std::string> parts;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i)
    parts.push_back(i == out_idx ? g.shape_slice(x, in_idx, in_idx + 1)
                                 : g.i64s({shape[static_cast<std::size_t>(i)]}));
  DETPORT_ASSIGN(onnx::TensorProto value, value_tensor(dtype, fill_value(c.op())));
  c.emit1("ConstantOfShape", {g.concat(parts, 0)}, {attr("value", value)});
  return {};
}

Status emit_range(MapContext& c) {
  std::vector<std::string> in;
  for (const char* slot : {"Start", "End", "Step"}) {
    DETPORT_ASSIGN(std::string v, c.in(slot));
    in.push_back(c.g().reshape(v, {}));
  }
  c.emit1("Range", in);
  return {};
}

Status emit_linspace(MapContext& c) {
  const Known* s = c.known("Start");
  const Known* e = c.known("Stop");
  const Known* n = c.known("Num");
  if (!s || !e || !n || !s->full() || !e->full() || !n->full())
    return c.error("linspace with inputs not known at export time");
  const double a = s->values().front(), b = e->values().front();
  const int64_t num = n->ints().front();
  std::vector<double> v;
  for (int64_t i = 0; i < num; ++i)
    v.push_back(num == 1 ? a : a + (b - a) * static_cast<double>(i) / static_cast<double>(num - 1));
  const ir::DType dtype = dtype_attr(c.op(), "dtype", ir::DType::kFloat32);
  DETPORT_ASSIGN(std::string out, c.g().typed(dtype, {num}, v));
  c.set_out("Out", out);
  return {};
}

}  // namespace

void add_creation_mappers(MapperTable& t) {
  t.add({"fill_constant", emit_fill_constant, nullptr, kMinOpset, kMaxOpset,
         "initializer, or ConstantOfShape", "str_value wins over value; ShapeTensor(List)"});
  t.add({"assign_value", emit_assign_value, nullptr, kMinOpset, kMaxOpset, "initializer",
         "typed *_values lists (<= 2.4) or SCALARS `values` (2.5+)"});
  t.add({"assign", emit_assign, nullptr, kMinOpset, kMaxOpset, "Identity", ""});
  t.add({"share_data", emit_assign, nullptr, kMinOpset, kMaxOpset, "Identity", ""});
  t.add({"cast", emit_cast, nullptr, kMinOpset, kMaxOpset, "Cast", ""});
  for (const char* type : {"fill_any_like", "fill_zeros_like", "full_like"})
    t.add({type, emit_fill_like, nullptr, kMinOpset, kMaxOpset, "Shape, ConstantOfShape", ""});
  t.add({"fill_constant_batch_size_like", emit_fill_batch_like, nullptr, kMinOpset, kMaxOpset,
         "Shape, Slice, Concat, ConstantOfShape", ""});
  t.add({"range", emit_range, nullptr, kMinOpset, kMaxOpset, "Range", ""});
  t.add({"arange", emit_range, nullptr, kMinOpset, kMaxOpset, "Range", ""});
  t.add({"linspace", emit_linspace, nullptr, kMinOpset, kMaxOpset, "initializer",
         "inputs must be known at export time"});
}

}  // namespace detport::onnx_export
