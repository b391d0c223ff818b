// Helpers for the data-movement, indexing, constant and reduction kernels: shape code written once
// for both shape inference (metas and compile-time constants) and kernels (run-time tensors),
// Paddle's int-list inputs (attribute, 1-D tensor or list of 1-element tensors), element-type
// dispatch and outputs whose size the data decides.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels {

// Uniform input access: at compile time an input's value is known only when it is a constant.
inline const Dims& in_dims(const InferContext& c, std::string_view s, std::size_t i = 0) {
  return c.input(s, i).dims;
}
inline const Dims& in_dims(const KernelContext& c, std::string_view s, std::size_t i = 0) {
  return c.input(s, i).dims();
}
inline DType in_dtype(const InferContext& c, std::string_view s, std::size_t i = 0) {
  return c.input(s, i).dtype;
}
inline DType in_dtype(const KernelContext& c, std::string_view s, std::size_t i = 0) {
  return c.input(s, i).dtype();
}
inline const Tensor* in_value(const InferContext& c, std::string_view s, std::size_t i = 0) {
  return c.constant(s, i);
}
inline const Tensor* in_value(const KernelContext& c, std::string_view s, std::size_t i = 0) {
  return &c.input(s, i);
}

// An int list Paddle takes either from tensor inputs or from an attribute. The first of `slots`
// that holds tensors wins (each tensor contributes all its elements, so a 1-D tensor and a list of
// 1-element tensors read alike); else the attribute. Unset: a tensor's value is not known yet.
struct IntList {
  bool known = true;
  bool from_tensor = false;
  std::vector<int64_t> values;
};
template <typename Ctx>
IntList int_list(const Ctx& c, std::initializer_list<std::string_view> slots, std::string_view attr,
                 std::vector<int64_t> fallback = {}) {
  for (std::string_view slot : slots) {
    const std::size_t n = c.input_count(slot);
    if (n == 0) continue;
    IntList out;
    out.from_tensor = true;
    for (std::size_t i = 0; i < n; ++i) {
      const Tensor* t = in_value(c, slot, i);
      if (t == nullptr) return {false, true, {}};
      auto v = t->to_int64();
      out.values.insert(out.values.end(), v.begin(), v.end());
    }
    return out;
  }
  return {true, false, c.op().ints_attr(attr, std::move(fallback))};
}

// One number Paddle takes from a 1-element tensor input when present, else from an attribute.
// nullopt: the tensor's value is not known yet.
template <typename Ctx>
std::optional<double> scalar_input(const Ctx& c, std::string_view slot, std::string_view attr,
                                   double fallback) {
  if (c.has_input(slot)) {
    const Tensor* t = in_value(c, slot);
    if (t == nullptr) return std::nullopt;
    if (t->numel() < 1) return fallback;
    return element_as_double(*t, 0);
  }
  return c.op().float_attr(attr, fallback);
}

// Paddle 2.5 made results without dims (a fully decreased slice, a full reduction, a flattened
// arg_max) 0-D; earlier releases made them [1]. The output's declared rank says which one the
// program was built for.
inline Dims scalar_dims(bool one_d) {
  return one_d ? Dims{1} : Dims{};
}
inline bool declared_1d(const InferContext& c, std::string_view slot = "Out", std::size_t i = 0) {
  return c.output_meta(slot, i).dims.size() == 1;
}
inline bool declared_1d(const KernelSpec& s, std::string_view slot = "Out", std::size_t i = 0) {
  return s.output(slot, i).dims.size() == 1;
}

// Paddle's VarType code of a `dtype`-style attribute; `fallback` when absent or negative (-1 means
// "same as the input" in fill_any_like, reduce ops and arg_max).
DType dtype_attr(const ir::Op& op, std::string_view name, DType fallback);
bool is_float(DType t);
bool is_integer(DType t);

// The output to write: the planned buffer when it has these dims, else a fresh allocation (outputs
// whose dims the data decides).
Tensor& output_for(KernelContext& ctx, std::string_view slot, std::size_t i, DType dtype,
                   const Dims& dims);

// Calls f.template operator()<T>() for the element type; false when the type is not numeric.
template <typename F>
bool visit_numeric(DType t, F&& f) {
  switch (t) {
    case DType::kFloat32:
      f.template operator()<float>();
      return true;
    case DType::kFloat64:
      f.template operator()<double>();
      return true;
    case DType::kInt32:
      f.template operator()<int32_t>();
      return true;
    case DType::kInt64:
      f.template operator()<int64_t>();
      return true;
    case DType::kInt16:
      f.template operator()<int16_t>();
      return true;
    case DType::kInt8:
      f.template operator()<int8_t>();
      return true;
    case DType::kUInt8:
      f.template operator()<uint8_t>();
      return true;
    case DType::kBool:
      f.template operator()<bool>();
      return true;
    default:
      return false;
  }
}

// Converts a double to T the way C++ casts do, but defined for every input: NaN -> 0 and values
// outside T's range saturate (a plain cast is undefined behaviour there).
template <typename T>
T saturate_cast(double v);

// Writes `v` converted to the tensor's element type at element i.
void store_double(Tensor& t, int64_t i, double v);

// Index of a row-major coordinate and back.
inline int64_t numel_of(const Dims& d) {
  int64_t n = 1;
  for (int64_t x : d) n *= x;
  return n;
}

// Normalises a possibly negative axis, or returns an error naming the attribute.
template <typename Ctx>
Result<int> axis_arg(const Ctx& c, int64_t axis, int rank, std::string_view what = "axis") {
  const int a = normalize_axis(axis, rank);
  if (a < 0)
    return c.error(fmt::format("{} {} is out of range for a rank-{} tensor", what, axis, rank));
  return a;
}

}  // namespace detport::runtime::kernels
