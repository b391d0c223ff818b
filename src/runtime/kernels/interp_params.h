// The interpolation ops' output size and source-coordinate ratios, as Paddle computes them.
//
// v1 ops (nearest_interp, bilinear_interp; fluid interpolate_op.h): out_h/out_w attributes,
// overridden by the float attribute `scale` or the Scale input (out = int(in * scale)), overridden
// by the OutSize input; SizeTensor (a list of [1] int32 tensors) beats all of them. The ratio is
// always derived from the sizes: (in - 1) / (out - 1) with align_corners, else in / out.
//
// v2 ops (nearest/bilinear/bicubic/linear_interp_v2; phi interpolate_kernel.cc): the same
// priority, but `scale` is a list ([h, w]; a 2-D op ignores a 1-value list, so we refuse it) and
// the Scale input may hold 1 or 2 values; when a scale is in force the ratio without
// align_corners is 1 / scale (even if OutSize then overrides the size). Paddle before 2.3 (fluid
// interpolate_v2_op.h) used in / out there too; the two agree whenever in * scale is integral.
//
// Every ratio is a float; the kernels repeat Paddle's float/double arithmetic exactly, so the
// source indices and weights are Paddle's to the bit.
#pragma once

#include <optional>
#include <vector>

#include "runtime/op_registry.h"

namespace detport::runtime::kernels {

enum class InterpMethod { kNearest, kBilinear, kBicubic, kLinear };

struct InterpParams {
  InterpMethod method = InterpMethod::kNearest;
  bool channel_last = false;  // data_layout NHWC (NWC for linear)
  bool align_corners = false;
  int align_mode = 0;
  int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;  // linear: h = 1
  float ratio_h = 0, ratio_w = 0;
  bool copy = false;  // output size == input size: Paddle copies the input
};

// The size-determining inputs' values (empty optional: the input is absent).
struct InterpSizeInputs {
  std::optional<std::vector<int64_t>> size_tensor;  // one value per SizeTensor entry
  std::optional<std::vector<int64_t>> out_size;
  std::optional<std::vector<double>> scale;
};

bool is_interp_v2(const std::string& type);

// x: the input's logical dims. Errors are messages for the node.
Result<InterpParams> interp_params(const ir::Op& op, const Dims& x, const InterpSizeInputs& in);

// The input's logical dims in the op's layout with the spatial sizes replaced by the output's.
Dims interp_out_dims(const InterpParams& p, const Dims& x);

// The optimised kernel (interp_fast.cc): index/weight tables, parallel, NCHW or NHWC storage.
std::unique_ptr<Kernel> make_interp_optimized(const KernelSpec& spec);
bool interp_nhwc_ok(const KernelSpec& spec);
// The optimised kernel needs float32 and sizes known at compile time.
bool interp_supports(const KernelSpec& spec);
// Reads the size inputs from a running node.
InterpSizeInputs interp_size_inputs(const KernelContext& ctx);

// Paddle's per-output-index source positions along one dim.
struct LinearTap {
  int64_t lo = 0, hi = 0;    // source indices
  float w_lo = 1, w_hi = 0;  // weights (d_e / d_w in Paddle's names)
};
LinearTap linear_tap(float ratio, int64_t k, int64_t in, bool align_flag);
int64_t nearest_index(float ratio, int64_t k, int64_t in, bool align_corners);
struct CubicTap {
  int64_t idx[4];
  float coef[4];
};
CubicTap cubic_tap(float ratio, int64_t k, int64_t in, bool align_corners);

}  // namespace detport::runtime::kernels
