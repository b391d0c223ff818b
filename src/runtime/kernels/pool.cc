// pool2d: max and average pooling with Paddle's attributes (pooling_type, ksize, strides,
// paddings, padding_algorithm, global_pooling, adaptive, exclusive, ceil_mode, data_format).
// Semantics from phi's PoolInferMeta, funcs::UpdatePadding and Pool2dFunctor (CPU):
//  - paddings of 2 values mean [h, w] on both sides; 4 values are [top, bottom, left, right];
//  - SAME pads (ceil(in / s) - 1) * s + k - in split low-first; VALID pads nothing; global or
//    adaptive pooling ignores the paddings; global pooling sets ksize to the input size;
//  - output size: adaptive -> ksize; else (in - k + pad_before + pad_after [+ s - 1]) / s + 1;
//  - a window runs past the input only up to `pad_before` (Paddle keeps one pad per dim), and
//    non-exclusive averages divide by that window's size, exclusive ones by the clipped size;
//  - adaptive windows are [floor(i * in / out), ceil((i + 1) * in / out)) in float arithmetic.
// Paddle's max pooling kernel ignores `adaptive` (it runs plain ksize/stride windows while the
// output takes the adaptive size) and its oneDNN kernel does not, so max + adaptive is refused.
#include <cfloat>

#include "runtime/kernels/nn_util.h"
#include "runtime/kernels/pool_geometry.h"

namespace detport::runtime::kernels {

Result<PoolGeometry> pool_geometry(const ir::Op& op, const Dims& x) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  if (x.size() != 4)
    return bad(fmt::format("X has dims {}; pool2d takes 4-D input", dims_to_string(x)));
  PoolGeometry g;
  const std::string type = op.string_attr("pooling_type", "max");
  if (type != "max" && type != "avg")
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("pooling_type '{}' is not supported (max or avg)", type));
  g.max = type == "max";
  auto cl = channel_last_attr(op, "data_format");
  if (!cl.ok()) return cl.error();
  g.channel_last = *cl;
  g.h = g.channel_last ? x[1] : x[2];
  g.w = g.channel_last ? x[2] : x[3];
  g.adaptive = op.bool_attr("adaptive", false);
  g.exclusive = op.bool_attr("exclusive", true);
  const bool global = op.bool_attr("global_pooling", false);
  const bool ceil_mode = op.bool_attr("ceil_mode", false);
  if (g.max && g.adaptive)
    return make_error(
        ErrorCode::kUnsupported,
        "max pool2d with adaptive=true: Paddle's native kernel ignores `adaptive` for max pooling "
        "(plain ksize/stride windows) while its oneDNN kernel honours it, so the result depends "
        "on how Paddle was run; refusing rather than guessing");
  if (!op.has_attr("ksize")) return bad("attribute ksize is missing");
  const auto* ks = op.attr("ksize");
  if (ks->kind() == ir::AttrKind::kVar || ks->kind() == ir::AttrKind::kVars)
    return make_error(ErrorCode::kUnsupported, "ksize given by a tensor is not supported");
  const auto ksize = op.ints_attr("ksize");
  const auto strides = op.ints_attr("strides", {1, 1});
  auto pads = op.ints_attr("paddings", {0, 0});
  if (ksize.size() != 2 || strides.size() != 2)
    return bad(fmt::format("ksize and strides need 2 values (got {} and {})", ksize.size(),
                           strides.size()));
  if (pads.size() == 2) pads = {pads[0], pads[0], pads[1], pads[1]};
  if (pads.size() != 4) return bad(fmt::format("paddings need 2 or 4 values, got {}", pads.size()));
  g.kh = ksize[0], g.kw = ksize[1], g.sh = strides[0], g.sw = strides[1];
  if (g.sh <= 0 || g.sw <= 0) return bad("strides must be positive");
  const std::string algo = op.string_attr("padding_algorithm", "EXPLICIT");
  if (algo == "SAME") {
    const int64_t in[2] = {g.h, g.w}, k[2] = {g.kh, g.kw}, s[2] = {g.sh, g.sw};
    for (int i = 0; i < 2; ++i) {
      const int64_t out = (in[i] + s[i] - 1) / s[i];
      const int64_t sum = std::max<int64_t>((out - 1) * s[i] + k[i] - in[i], 0);
      pads[static_cast<std::size_t>(2 * i)] = sum / 2;
      pads[static_cast<std::size_t>(2 * i + 1)] = sum - sum / 2;
    }
  } else if (algo == "VALID") {
    pads = {0, 0, 0, 0};
  } else if (algo != "EXPLICIT") {
    return bad(fmt::format("padding_algorithm '{}' is not EXPLICIT, SAME or VALID", algo));
  }
  if (global || g.adaptive) pads = {0, 0, 0, 0};
  g.pad_top = pads[0], g.pad_bottom = pads[1], g.pad_left = pads[2], g.pad_right = pads[3];
  for (int64_t p : pads)
    if (p < 0) return bad("negative paddings");
  if (global) g.kh = g.h, g.kw = g.w;
  if (g.kh <= 0 || g.kw <= 0) return bad("ksize must be positive");
  if (g.adaptive) {
    g.out_h = g.kh, g.out_w = g.kw;
  } else {
    const int64_t extra_h = ceil_mode ? g.sh - 1 : 0, extra_w = ceil_mode ? g.sw - 1 : 0;
    g.out_h = (g.h - g.kh + g.pad_top + g.pad_bottom + extra_h) / g.sh + 1;
    g.out_w = (g.w - g.kw + g.pad_left + g.pad_right + extra_w) / g.sw + 1;
    // C++ division truncates; Paddle's does too, so a negative numerator rounds towards zero.
  }
  if (g.out_h <= 0 || g.out_w <= 0)
    return bad(fmt::format("the {}x{} input gives an empty {}x{} output for a {}x{} window", g.h,
                           g.w, g.out_h, g.out_w, g.kh, g.kw));
  return g;
}

namespace {

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64)
    return ctx.error(
        fmt::format("X is {}; pool2d takes float32 or float64", ir::var_type_name(x.dtype)));
  auto g = pool_geometry(ctx.op(), x.dims);
  if (!g.ok()) return ctx.error(g.error().message);
  ctx.set_output("Out", {x.dtype, image_dims(x.dims[0], g->channel_last ? x.dims[3] : x.dims[1],
                                             g->out_h, g->out_w, g->channel_last)});
  return {};
}

// The definition, one output element at a time, accumulating in double.
template <typename T>
void pool_reference(const PoolGeometry& g, const Tensor& x, Tensor& y) {
  const Image4 in = image_view(x, g.channel_last);
  const Image4 out = image_view(y, g.channel_last);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  for (int64_t n = 0; n < in.n; ++n)
    for (int64_t c = 0; c < in.c; ++c)
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const PoolSpan sh = pool_span(g.adaptive, oh, g.h, g.out_h, g.kh, g.sh, g.pad_top);
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          const PoolSpan sw = pool_span(g.adaptive, ow, g.w, g.out_w, g.kw, g.sw, g.pad_left);
          double acc = g.max ? -static_cast<double>(FLT_MAX) : 0.0;
          for (int64_t ih = sh.begin; ih < sh.end; ++ih)
            for (int64_t iw = sw.begin; iw < sw.end; ++iw) {
              const double v = px[in.at(n, c, ih, iw)];
              acc = g.max ? std::max(acc, v) : acc + v;
            }
          if (!g.max) {
            const int64_t count = (g.exclusive || g.adaptive)
                                      ? (sh.end - sh.begin) * (sw.end - sw.begin)
                                      : sh.extent * sw.extent;
            acc /= static_cast<double>(count);
          }
          py[out.at(n, c, oh, ow)] = static_cast<T>(acc);
        }
      }
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    auto g = pool_geometry(ctx.op(), x.dims());
    if (!g.ok()) return ctx.error(g.error().message);
    Tensor& y = ctx.output("Out");
    if (x.dtype() == DType::kFloat64)
      pool_reference<double>(*g, x, y);
    else
      pool_reference<float>(*g, x, y);
    return {};
  }
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}

bool supports(const KernelSpec& spec) {
  return spec.input("X").dtype == DType::kFloat32 &&
         pool_geometry(spec.node.op, spec.input("X").dims).ok();
}

double flops(const KernelSpec& spec) {
  auto g = pool_geometry(spec.node.op, spec.input("X").dims);
  if (!g.ok()) return 0;
  const double window =
      g->adaptive ? static_cast<double>(g->h * g->w) / static_cast<double>(g->out_h * g->out_w)
                  : static_cast<double>(g->kh * g->kw);
  return static_cast<double>(spec.output("Out").numel()) * window;
}

}  // namespace

void register_pool(OpRegistry& r) {
  OpDef d;
  d.type = "pool2d";
  d.infer = infer;
  d.reference = make_reference;
  d.optimized = make_pool_optimized;
  d.supports = supports;
  d.nhwc_ok = pool_nhwc_ok;
  d.flops = flops;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
