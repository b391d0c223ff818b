// Helpers shared by the detection op families: attribute access with Paddle's "required"
// attributes, float/double dispatch, and the boxes-per-image split given by a RoisNum tensor.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels::detection_util {

// A float attribute that Paddle's op maker declares without a default: an error when absent.
inline Result<float> required_float(const ir::Op& op, std::string_view name) {
  if (!op.has_attr(name))
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("attribute '{}' is missing (Paddle's op requires it)", name));
  return static_cast<float>(op.float_attr(name, 0.0));
}
inline Result<int> required_int(const ir::Op& op, std::string_view name) {
  if (!op.has_attr(name))
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("attribute '{}' is missing (Paddle's op requires it)", name));
  return static_cast<int>(op.int_attr(name, 0));
}

// FLOATS attributes as float (Paddle stores them as std::vector<float>).
inline std::vector<float> floats(const ir::Op& op, std::string_view name,
                                 std::vector<float> fallback = {}) {
  if (!op.has_attr(name)) return fallback;
  std::vector<float> out;
  for (double v : op.floats_attr(name)) out.push_back(static_cast<float>(v));
  return out;
}

// Paddle casts float results to int without checks (NaN or huge values are undefined behaviour in
// C++); we clamp instead, NaN going to `lo`. Identical to Paddle for every value in range.
inline int64_t clamp_to_int(double v, int64_t lo, int64_t hi) {
  if (!(v >= static_cast<double>(lo))) return lo;
  if (v >= static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(v);
}

inline bool is_float_type(DType t) {
  return t == DType::kFloat32 || t == DType::kFloat64;
}

inline bool is_int_type(DType t) {
  return t == DType::kInt32 || t == DType::kInt64;
}

// Calls f(float{}) or f(double{}) for the tensor's element type.
template <typename F>
Status dispatch_float(const KernelContext& ctx, DType t, F&& f) {
  if (t == DType::kFloat32) return f(float{});
  if (t == DType::kFloat64) return f(double{});
  return ctx.error(fmt::format("element type {} is not supported (float32 or float64 expected)",
                               ir::var_type_name(t)));
}

// Start offsets of each image's rows from a RoisNum tensor ([N] int32/int64): N + 1 entries.
// Errors when the counts are negative or do not add up to `rows`.
inline Result<std::vector<int64_t>> offsets_from_rois_num(const Tensor& rois_num, int64_t rows) {
  std::vector<int64_t> off{0};
  for (int64_t n : rois_num.to_int64()) {
    if (n < 0)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("RoisNum holds a negative count {}", n));
    off.push_back(off.back() + n);
  }
  if (off.back() != rows)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("RoisNum adds up to {} rows but the boxes tensor has {}", off.back(), rows));
  return off;
}

}  // namespace detport::runtime::kernels::detection_util
