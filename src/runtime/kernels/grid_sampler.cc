// grid_sampler: X [N, C, H, W] sampled at Grid [N, OH, OW, 2] ((x, y) in [-1, 1]) -> Output
// [N, C, OH, OW]. Semantics (phi cpu/grid_sample_kernel.cc, grid_sample_utils.h):
//  - unnormalise: align_corners ? (g + 1) / 2 * (size - 1) : (g + 1) * size / 2 - 0.5;
//  - padding_mode border clamps to [0, size - 1]; reflection reflects about the edges (about
//    -0.5 and size - 0.5 without align_corners, then clamps), zeros leaves the coordinate;
//  - bilinear: the four neighbours floor(x), floor(x) + 1 (same in y), each counting 0 when it
//    lies outside the image, weighted by the distances;
//  - nearest: the coordinate rounded half away from zero, 0 when outside the image.
// The arithmetic is in X's type (float), like Paddle's. Only the 4-D form is supported.
#include <cmath>

#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels {
namespace {

enum class Padding { kZeros, kBorder, kReflection };

struct Params {
  bool bilinear = true;
  Padding padding = Padding::kZeros;
  bool align_corners = true;
};

Result<Params> params_of(const ir::Op& op) {
  Params p;
  const std::string mode = op.string_attr("mode", "bilinear");
  const std::string pad = op.string_attr("padding_mode", "zeros");
  if (mode != "bilinear" && mode != "nearest")
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("grid_sampler mode '{}' is not supported", mode));
  p.bilinear = mode == "bilinear";
  if (pad == "zeros")
    p.padding = Padding::kZeros;
  else if (pad == "border")
    p.padding = Padding::kBorder;
  else if (pad == "reflection")
    p.padding = Padding::kReflection;
  else
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("padding_mode '{}' is not supported", pad));
  p.align_corners = op.bool_attr("align_corners", true);
  return p;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "Grid"));
  const TensorMeta& x = ctx.input("X");
  const TensorMeta& grid = ctx.input("Grid");
  if (x.dtype != DType::kFloat32 || grid.dtype != DType::kFloat32)
    return ctx.error("grid_sampler takes float32 X and Grid");
  if (x.dims.size() != 4)
    return ctx.error(
        fmt::format("X has dims {}; only 4-D grid sampling is supported", dims_to_string(x.dims)));
  if (grid.dims.size() != 4 || grid.dims[3] != 2 || grid.dims[0] != x.dims[0])
    return ctx.error(fmt::format("Grid has dims {}; expected [{}, H, W, 2]",
                                 dims_to_string(grid.dims), x.dims[0]));
  auto p = params_of(ctx.op());
  if (!p.ok()) return ctx.error(p.error().message);
  ctx.set_output("Output", {x.dtype, {x.dims[0], x.dims[1], grid.dims[1], grid.dims[2]}});
  return {};
}

// Grid value -> pixel coordinate along a dim of `size`, padding applied.
float coordinate(const Params& p, float g, int64_t size) {
  const int max_val = static_cast<int>(size - 1);
  float v = p.align_corners ? (g + 1.0f) * static_cast<float>(max_val * 0.5)
                            : (g + 1.0f) * static_cast<float>((max_val + 1) * 0.5) - 0.5f;
  if (p.padding == Padding::kBorder) {
    v = std::min(std::max(v, 0.0f), static_cast<float>(max_val));
  } else if (p.padding == Padding::kReflection) {
    if (p.align_corners) {
      const float range = static_cast<float>(max_val * 2);
      const float a = std::abs(v);
      const float extra = a - std::floor(a / range) * range;
      v = max_val == 0 ? 0.0f : std::min(extra, range - extra);
    } else {
      const float range = static_cast<float>((max_val + 1) * 2);
      const float a = std::abs(v + 0.5f);
      const float extra = a - std::floor(a / range) * range;
      v = std::min(extra, range - extra) - 0.5f;
      v = std::min(std::max(v, 0.0f), static_cast<float>(max_val));
    }
  }
  return v;
}

class GridSampler final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    const Tensor& grid = ctx.input("Grid");
    auto pr = params_of(ctx.op());
    if (!pr.ok()) return ctx.error(pr.error().message);
    const Params p = *pr;
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    const int64_t oh = grid.dim(1), ow = grid.dim(2);
    const float* px = x.data<float>();
    const float* pg = grid.data<float>();
    float* y = ctx.output("Output").data<float>();
    auto in_bounds = [&](float xx, float yy) {
      return !(xx < 0 || xx > static_cast<float>(w - 1) || yy < 0 ||
               yy > static_cast<float>(h - 1));
    };
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          const float* gp = pg + ((b * oh + i) * ow + j) * 2;
          const float gx = coordinate(p, gp[0], w), gy = coordinate(p, gp[1], h);
          for (int64_t ch = 0; ch < c; ++ch) {
            const float* plane = px + (b * c + ch) * h * w;
            auto value = [&](float xx, float yy) {
              return in_bounds(xx, yy) ? plane[static_cast<int64_t>(std::round(yy)) * w +
                                               static_cast<int64_t>(std::round(xx))]
                                       : 0.0f;
            };
            float out;
            if (!p.bilinear) {
              out = value(std::round(gx), std::round(gy));
            } else {
              const float xw = std::floor(gx), xe = xw + 1, yn = std::floor(gy), ys = yn + 1;
              const float dw = gx - xw, de = xe - gx, dn = gy - yn, ds = ys - gy;
              out = value(xw, yn) * de * ds + value(xe, yn) * dw * ds + value(xw, ys) * de * dn +
                    value(xe, ys) * dw * dn;
            }
            y[((b * c + ch) * oh + i) * ow + j] = out;
          }
        }
    return {};
  }
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<GridSampler>();
}

}  // namespace

void register_grid_sampler(OpRegistry& r) {
  OpDef d;
  d.type = "grid_sampler";
  d.infer = infer;
  d.reference = make_reference;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
