#include "runtime/kernels/tensor_util.h"

#include <cmath>
#include <limits>

namespace detport::runtime::kernels {

DType dtype_attr(const ir::Op& op, std::string_view name, DType fallback) {
  const int64_t code = op.int_attr(name, -1);
  if (code < 0 || !ir::is_known_var_type(static_cast<int32_t>(code))) return fallback;
  const auto t = static_cast<DType>(code);
  return ir::is_element_type(t) ? t : fallback;
}

bool is_float(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16 ||
         t == DType::kBFloat16;
}

bool is_integer(DType t) {
  return t == DType::kInt8 || t == DType::kUInt8 || t == DType::kInt16 || t == DType::kInt32 ||
         t == DType::kInt64;
}

Tensor& output_for(KernelContext& ctx, std::string_view slot, std::size_t i, DType dtype,
                   const Dims& dims) {
  Tensor& t = ctx.output(slot, i);
  if (t.dtype() == dtype && t.dims() == dims && (t.raw() != nullptr || numel_of(dims) == 0))
    return t;
  return ctx.allocate(slot, i, {dtype, dims});
}

template <typename T>
T saturate_cast(double v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v != 0;  // NaN is true, as in C++
  } else if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(v);
  } else {
    if (std::isnan(v)) return 0;
    constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
    // For int64 the max rounds up to 2^63, itself out of range: hence >=.
    constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
    if (v <= lo) return std::numeric_limits<T>::min();
    if (v >= hi) return std::numeric_limits<T>::max();
    return static_cast<T>(v);
  }
}

template float saturate_cast<float>(double);
template double saturate_cast<double>(double);
template int32_t saturate_cast<int32_t>(double);
template int64_t saturate_cast<int64_t>(double);
template int16_t saturate_cast<int16_t>(double);
template int8_t saturate_cast<int8_t>(double);
template uint8_t saturate_cast<uint8_t>(double);
template bool saturate_cast<bool>(double);

void store_double(Tensor& t, int64_t i, double v) {
  visit_numeric(t.dtype(), [&]<typename T>() { t.data<T>()[i] = saturate_cast<T>(v); });
}

}  // namespace detport::runtime::kernels
