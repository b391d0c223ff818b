// pool2d's geometry as Paddle computes it (phi PoolInferMeta, UpdatePadding, Pool2dFunctor):
// paddings of 2 ([h, w]) or 4 ([top, bottom, left, right]) values, padding_algorithm SAME/VALID,
// global_pooling (kernel = input size, no padding), adaptive (output size = ksize, no padding),
// ceil_mode, and the window of each output element.
#pragma once

#include <cmath>

#include "core/result.h"
#include "ir/program.h"
#include "runtime/op_registry.h"

namespace detport::runtime::kernels {

struct PoolGeometry {
  bool max = true;
  bool adaptive = false;
  bool exclusive = true;
  bool channel_last = false;  // data_format NHWC
  int64_t h = 0, w = 0;       // input size
  int64_t kh = 1, kw = 1, sh = 1, sw = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t out_h = 0, out_w = 0;
};

// x: the input's logical dims ([N,C,H,W], or [N,H,W,C] for data_format NHWC).
Result<PoolGeometry> pool_geometry(const ir::Op& op, const Dims& x);

// One output element's input window along one dim: [begin, end) clipped to the input, and the
// divisor Paddle uses for average pooling along that dim (the product over both dims is taken).
struct PoolSpan {
  int64_t begin = 0, end = 0;
  int64_t extent = 0;  // non-exclusive divisor factor: the window clipped to input + pad_before
};

// Paddle's window for output index `o` along a dim of input size `in` and output size `out`.
inline PoolSpan pool_span(bool adaptive, int64_t o, int64_t in, int64_t out, int64_t k,
                          int64_t stride, int64_t pad_before) {
  PoolSpan s;
  if (adaptive) {
    // AdaptStartIndex / AdaptEndIndex: computed in float, as Paddle does.
    s.begin =
        static_cast<int64_t>(std::floor(static_cast<float>(o * in) / static_cast<float>(out)));
    s.end =
        static_cast<int64_t>(std::ceil(static_cast<float>((o + 1) * in) / static_cast<float>(out)));
    s.extent = s.end - s.begin;
    return s;
  }
  // The window may run into the padding after the input only up to pad_before (Paddle keeps one
  // pad per dim here: paddings [top, left] after UpdatePadding).
  const int64_t start = o * stride - pad_before;
  const int64_t stop = std::min(start + k, in + pad_before);
  s.extent = stop - start;
  s.begin = std::max<int64_t>(start, 0);
  s.end = std::min(stop, in);
  return s;
}

// The optimised kernel (pool_fast.cc): oneDNN pooling where its semantics equal Paddle's,
// otherwise a parallel loop; both run on NCHW and channels-last storage.
std::unique_ptr<Kernel> make_pool_optimized(const KernelSpec& spec);
bool pool_nhwc_ok(const KernelSpec& spec);

}  // namespace detport::runtime::kernels
