// Helpers shared by kernels: threading, attribute access, shape checks, the generic strided
// broadcast loop behind every elementwise op.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/op_registry.h"

namespace detport::runtime::kernels {

// Splits [0, n) over the OpenMP threads when the work is large enough to be worth it.
template <typename F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= grain) {
    for (int64_t i = 0; i < n; ++i) f(i);
    return;
  }
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) f(i);
}

// Paddle attribute int lists that may be INTS or LONGS.
inline std::vector<int64_t> ints(const ir::Op& op, std::string_view name,
                                 std::vector<int64_t> fallback = {}) {
  return op.ints_attr(name, std::move(fallback));
}

// Normalises a possibly negative axis against a rank; -1 when out of range.
inline int normalize_axis(int64_t axis, int rank) {
  if (axis < 0) axis += rank;
  return axis < 0 || axis >= rank ? -1 : static_cast<int>(axis);
}

// Returns an error unless the slot holds an input.
inline Status require_input(const InferContext& ctx, std::string_view slot) {
  if (!ctx.has_input(slot)) return ctx.error(fmt::format("input '{}' is missing", slot));
  return {};
}

// Row-major strides of dims.
inline std::vector<int64_t> strides_of(const Dims& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i)
    s[static_cast<std::size_t>(i)] =
        s[static_cast<std::size_t>(i) + 1] * dims[static_cast<std::size_t>(i) + 1];
  return s;
}

// Logical-order strides of a tensor as stored (plain row-major, or NHWC for 4-D).
inline std::vector<int64_t> storage_strides(const Dims& dims, Layout layout) {
  if (layout == Layout::kNhwc && dims.size() == 4) {
    const int64_t c = dims[1], h = dims[2], w = dims[3];
    return {h * w * c, 1, w * c, c};
  }
  return strides_of(dims);
}

// Paddle's elementwise broadcast: Y (or X, if smaller) is aligned to the larger operand starting at
// `axis` (-1: trailing, numpy-style), then dims broadcast numpy-style. Returns the output dims and
// each operand's dims padded to the output rank, or an error message.
struct Broadcast {
  Dims out;
  Dims x;  // padded to out's rank
  Dims y;
};
Result<Broadcast> paddle_broadcast(const Dims& x, const Dims& y, int64_t axis);

// out[i] = f(a[i], b[i]) over `out_dims` with per-operand logical strides (0 = broadcast), the
// output stored with `out_strides`. Iterates in the output's storage order; parallel over the
// outer dims when `parallel`.
template <typename TA, typename TB, typename TO, typename F>
void broadcast_apply(const Dims& out_dims, const std::vector<int64_t>& out_strides, const TA* a,
                     const std::vector<int64_t>& a_strides, const TB* b,
                     const std::vector<int64_t>& b_strides, TO* out, F f, bool parallel);

// Reads element i of any numeric tensor as double (shape-like inputs, constants).
double element_as_double(const Tensor& t, int64_t i);

}  // namespace detport::runtime::kernels

#include "runtime/kernels/broadcast_apply.inl"
