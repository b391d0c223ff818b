// Interpolation ops: nearest_interp, bilinear_interp (v1) and nearest_interp_v2,
// bilinear_interp_v2, bicubic_interp_v2, linear_interp_v2. Sizes and ratios: interp_params.h.
// Per output index (phi interpolate_kernel.cc, fluid interpolate_op.h):
//  - nearest: src = int(ratio * k), or int(ratio * k + 0.5) with align_corners;
//  - bilinear/linear: align_flag = align_mode == 0 && !align_corners; lo = int(align_flag ?
//    ratio * (k + 0.5) - 0.5 : ratio * k) clipped at 0, hi = min(lo + 1, in - 1); the weight of
//    hi is (align_flag ? max(ratio * (k + 0.5) - 0.5, 0) : ratio * k) - lo;
//  - bicubic: src = align_corners ? ratio * k : ratio * (k + 0.5) - 0.5, taps floor(src) - 1 ..
//    floor(src) + 2 clamped to the input, Keys' kernel with A = -0.75, rows then columns.
// Source indices past the input (possible only when OutSize contradicts a v2 scale; Paddle reads
// out of bounds there) are clamped to the last row/column.
#include <cmath>

#include "runtime/kernels/interp_params.h"
#include "runtime/kernels/nn_util.h"

namespace detport::runtime::kernels {

bool is_interp_v2(const std::string& type) {
  return type.size() > 3 && type.compare(type.size() - 3, 3, "_v2") == 0;
}

namespace {

Result<InterpMethod> method_of(const ir::Op& op, int spatial) {
  std::string fallback = "nearest";
  if (op.type.rfind("bilinear", 0) == 0) fallback = "bilinear";
  if (op.type.rfind("bicubic", 0) == 0) fallback = "bicubic";
  if (op.type.rfind("linear", 0) == 0) fallback = "linear";
  // Paddle's kernels dispatch on the attribute, not on the op type.
  const std::string m = op.string_attr("interp_method", fallback);
  if (spatial == 1) {
    if (m == "linear") return InterpMethod::kLinear;
  } else {
    if (m == "nearest") return InterpMethod::kNearest;
    if (m == "bilinear") return InterpMethod::kBilinear;
    if (m == "bicubic" && is_interp_v2(op.type)) return InterpMethod::kBicubic;
  }
  return make_error(
      ErrorCode::kUnsupported,
      fmt::format("interp_method '{}' on a {}-D input is not supported", m, spatial + 2));
}

float ratio_for(int64_t in, int64_t out, bool align_corners, float scale) {
  if (out <= 1) return 0.0f;
  if (align_corners) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  if (scale > 0) return static_cast<float>(1. / scale);
  return static_cast<float>(in) / static_cast<float>(out);
}

}  // namespace

Result<InterpParams> interp_params(const ir::Op& op, const Dims& x, const InterpSizeInputs& in) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  const bool v2 = is_interp_v2(op.type);
  if (x.size() != 3 && x.size() != 4)
    return bad(fmt::format("X has dims {}; expected 3-D (linear) or 4-D", dims_to_string(x)));
  const int spatial = static_cast<int>(x.size()) - 2;
  if (spatial == 1 && !v2) return bad("v1 interpolation takes 4-D input");
  InterpParams p;
  DETPORT_ASSIGN(p.method, method_of(op, spatial));
  auto cl = channel_last_attr(op, "data_layout");
  if (!cl.ok()) return cl.error();
  p.channel_last = *cl;
  p.align_corners = op.bool_attr("align_corners", true);
  p.align_mode = static_cast<int>(op.int_attr("align_mode", 1));
  if (spatial == 2) {
    p.in_h = p.channel_last ? x[1] : x[2];
    p.in_w = p.channel_last ? x[2] : x[3];
  } else {
    p.in_w = p.channel_last ? x[1] : x[2];
  }
  int64_t out_h = spatial == 2 ? op.int_attr("out_h", -1) : 1;
  int64_t out_w = op.int_attr("out_w", -1);
  float scale_h = -1, scale_w = -1;
  if (in.size_tensor) {
    const auto& s = *in.size_tensor;
    if (static_cast<int>(s.size()) != spatial)
      return bad(fmt::format("SizeTensor holds {} values; a {}-D input needs {}", s.size(),
                             x.size(), spatial));
    if (spatial == 2) out_h = s[0];
    out_w = s.back();
  } else {
    if (in.scale) {
      const auto& s = *in.scale;
      if (s.empty() || static_cast<int>(s.size()) > spatial)
        return bad(fmt::format("Scale holds {} values; expected 1 or {}", s.size(), spatial));
      if (v2) {
        scale_h = static_cast<float>(s[0]);
        scale_w = static_cast<float>(s.back());
      } else {
        scale_h = scale_w = static_cast<float>(s[0]);
      }
      if (v2 && (scale_h <= 0 || scale_w <= 0))
        return bad("the Scale input must be greater than 0");
    } else if (const auto* a = op.attr("scale")) {
      if (a->kind() == ir::AttrKind::kFloat || a->kind() == ir::AttrKind::kFloat64) {
        scale_h = scale_w = static_cast<float>(op.float_attr("scale", 0));
      } else {
        const auto list = op.floats_attr("scale");
        if (spatial == 2 && list.size() == 1)
          return make_error(ErrorCode::kUnsupported,
                            "a 1-value scale list on a 2-D interpolation: Paddle's kernel ignores "
                            "it while its shape inference reads a second value; refusing");
        if (!list.empty()) {
          scale_h = static_cast<float>(list[0]);
          scale_w = static_cast<float>(list[spatial == 2 ? 1 : 0]);
          if (scale_h <= 0 || scale_w <= 0) return bad("scale must be greater than 0");
        }
      }
    }
    if (scale_h > 0 && scale_w > 0) {
      if (spatial == 2) out_h = static_cast<int64_t>(static_cast<float>(p.in_h) * scale_h);
      out_w = static_cast<int64_t>(static_cast<float>(p.in_w) * scale_w);
    }
    if (in.out_size) {
      const auto& s = *in.out_size;
      if (static_cast<int>(s.size()) != spatial)
        return bad(fmt::format("OutSize holds {} values; expected {}", s.size(), spatial));
      if (spatial == 2) out_h = s[0];
      out_w = s.back();
    }
  }
  if (out_h <= 0 || out_w <= 0)
    return bad(
        fmt::format("the output size {}x{} is not positive (set out_h/out_w, scale, "
                    "OutSize or SizeTensor)",
                    out_h, out_w));
  p.out_h = out_h;
  p.out_w = out_w;
  p.copy = p.out_h == p.in_h && p.out_w == p.in_w;
  // v1 ratios ignore the scale (fluid Interpolate2DCPUFwd).
  p.ratio_h = ratio_for(p.in_h, p.out_h, p.align_corners, v2 ? scale_h : -1.0f);
  p.ratio_w = ratio_for(p.in_w, p.out_w, p.align_corners, v2 ? scale_w : -1.0f);
  return p;
}

Dims interp_out_dims(const InterpParams& p, const Dims& x) {
  Dims d = x;
  if (x.size() == 4) {
    d[p.channel_last ? 1 : 2] = p.out_h;
    d[p.channel_last ? 2 : 3] = p.out_w;
  } else {
    d[p.channel_last ? 1 : 2] = p.out_w;
  }
  return d;
}

int64_t nearest_index(float ratio, int64_t k, int64_t in, bool align_corners) {
  const float rk = ratio * static_cast<float>(k);
  const int64_t i = align_corners ? static_cast<int64_t>(static_cast<double>(rk) + 0.5)
                                  : static_cast<int64_t>(rk);
  return std::min(i, in - 1);
}

LinearTap linear_tap(float ratio, int64_t k, int64_t in, bool align_flag) {
  LinearTap t;
  const double half = static_cast<double>(ratio) * (static_cast<double>(k) + 0.5) - 0.5;
  const float rk = ratio * static_cast<float>(k);
  int64_t lo = align_flag ? static_cast<int64_t>(half) : static_cast<int64_t>(rk);
  lo = std::max<int64_t>(lo, 0);
  float src = static_cast<float>(half);
  src = src > 0 ? src : 0;
  const float d = align_flag ? src - static_cast<float>(lo) : rk - static_cast<float>(lo);
  t.lo = std::min(lo, in - 1);
  t.hi = std::min(lo + 1, in - 1);
  t.w_hi = d;
  t.w_lo = 1.f - d;
  return t;
}

CubicTap cubic_tap(float ratio, int64_t k, int64_t in, bool align_corners) {
  const float src =
      align_corners
          ? ratio * static_cast<float>(k)
          : static_cast<float>(static_cast<double>(ratio) * (static_cast<double>(k) + 0.5) - 0.5);
  const int64_t base = static_cast<int64_t>(std::floor(src));
  const float t = src - static_cast<float>(base);
  const float a = -0.75f;
  // Keys' cubic convolution: |x| <= 1 and 1 < |x| < 2 branches, in float like Paddle.
  auto conv1 = [a](float x) { return ((a + 2) * x - (a + 3)) * x * x + 1; };
  auto conv2 = [a](float x) { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a; };
  CubicTap c;
  c.coef[0] = conv2(static_cast<float>(static_cast<double>(t) + 1.0));
  c.coef[1] = conv1(t);
  const float t2 = static_cast<float>(1.0 - static_cast<double>(t));
  c.coef[2] = conv1(t2);
  c.coef[3] = conv2(static_cast<float>(static_cast<double>(t2) + 1.0));
  for (int i = 0; i < 4; ++i) c.idx[i] = std::clamp<int64_t>(base - 1 + i, 0, in - 1);
  return c;
}

InterpSizeInputs interp_size_inputs(const KernelContext& ctx) {
  InterpSizeInputs s;
  if (ctx.has_input("SizeTensor")) {
    s.size_tensor.emplace();
    for (std::size_t i = 0; i < ctx.input_count("SizeTensor"); ++i)
      s.size_tensor->push_back(ctx.input("SizeTensor", i).to_int64().at(0));
  } else {
    if (ctx.has_input("OutSize")) s.out_size = ctx.input("OutSize").to_int64();
    if (ctx.has_input("Scale")) s.scale = ctx.input("Scale").to_double();
  }
  return s;
}

namespace {

// Size inputs known at compile time, or nullopt when a deciding one is computed at run time.
std::optional<InterpSizeInputs> constant_size_inputs(const InferContext& ctx) {
  InterpSizeInputs s;
  if (ctx.has_input("SizeTensor")) {
    s.size_tensor.emplace();
    for (std::size_t i = 0; i < ctx.input_count("SizeTensor"); ++i) {
      const Tensor* t = ctx.constant("SizeTensor", i);
      if (t == nullptr || t->numel() < 1) return std::nullopt;
      s.size_tensor->push_back(t->to_int64()[0]);
    }
    return s;
  }
  if (ctx.has_input("OutSize")) {
    const Tensor* t = ctx.constant("OutSize");
    if (t == nullptr) return std::nullopt;
    s.out_size = t->to_int64();
  }
  if (ctx.has_input("Scale")) {
    const Tensor* t = ctx.constant("Scale");
    if (t == nullptr && !s.out_size) return std::nullopt;
    // With OutSize known, the scale only changes ratios, which the kernel reads at run time.
    if (t != nullptr) s.scale = t->to_double();
    if (t == nullptr) s.scale = std::vector<double>{1.0};
  }
  return s;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64)
    return ctx.error(
        fmt::format("X is {}; interpolation takes float32 or float64", ir::var_type_name(x.dtype)));
  auto sizes = constant_size_inputs(ctx);
  if (!sizes) {
    // The output size comes from tensors computed at run time.
    auto m = method_of(ctx.op(), static_cast<int>(x.dims.size()) - 2);
    if (x.dims.size() != 3 && x.dims.size() != 4) return ctx.error("X must be 3-D or 4-D");
    if (!m.ok()) return ctx.error(m.error().message);
    Dims d = x.dims;
    auto cl = channel_last_attr(ctx.op(), "data_layout");
    if (!cl.ok()) return ctx.error(cl.error().message);
    for (std::size_t i = *cl ? 1 : 2; i < (*cl ? d.size() - 1 : d.size()); ++i) d[i] = -1;
    ctx.set_dynamic_output("Out", 0, {x.dtype, d});
    return {};
  }
  auto p = interp_params(ctx.op(), x.dims, *sizes);
  if (!p.ok()) return ctx.error(p.error().message);
  ctx.set_output("Out", {x.dtype, interp_out_dims(*p, x.dims)});
  return {};
}

// The definition: every output element from its taps, in Paddle's float arithmetic.
template <typename T>
void interp_reference(const InterpParams& p, const Tensor& x, Tensor& y) {
  const bool linear = p.method == InterpMethod::kLinear;
  // A 3-D [N,C,W] tensor is a 4-D one with H = 1.
  const Dims xd = linear ? (p.channel_last ? Dims{x.dim(0), 1, x.dim(1), x.dim(2)}
                                           : Dims{x.dim(0), x.dim(1), 1, x.dim(2)})
                         : x.dims();
  const Dims yd = linear ? (p.channel_last ? Dims{y.dim(0), 1, y.dim(1), y.dim(2)}
                                           : Dims{y.dim(0), y.dim(1), 1, y.dim(2)})
                         : y.dims();
  const Image4 in = image_view(xd, x.layout(), p.channel_last);
  const Image4 out = image_view(yd, y.layout(), p.channel_last);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  const bool align_flag = p.align_mode == 0 && !p.align_corners;
  for (int64_t n = 0; n < in.n; ++n)
    for (int64_t c = 0; c < in.c; ++c)
      for (int64_t oh = 0; oh < p.out_h; ++oh)
        for (int64_t ow = 0; ow < p.out_w; ++ow) {
          T v;
          auto at = [&](int64_t ih, int64_t iw) { return px[in.at(n, c, ih, iw)]; };
          if (p.copy) {
            v = at(oh, ow);
          } else if (p.method == InterpMethod::kNearest) {
            v = at(nearest_index(p.ratio_h, oh, p.in_h, p.align_corners),
                   nearest_index(p.ratio_w, ow, p.in_w, p.align_corners));
          } else if (p.method == InterpMethod::kLinear) {
            const LinearTap tx = linear_tap(p.ratio_w, ow, p.in_w, align_flag);
            v = at(0, tx.lo) * static_cast<T>(tx.w_lo) + at(0, tx.hi) * static_cast<T>(tx.w_hi);
          } else if (p.method == InterpMethod::kBilinear) {
            const LinearTap ty = linear_tap(p.ratio_h, oh, p.in_h, align_flag);
            const LinearTap tx = linear_tap(p.ratio_w, ow, p.in_w, align_flag);
            const T ylo = static_cast<T>(ty.w_lo), yhi = static_cast<T>(ty.w_hi);
            const T xlo = static_cast<T>(tx.w_lo), xhi = static_cast<T>(tx.w_hi);
            v = at(ty.lo, tx.lo) * ylo * xlo + at(ty.hi, tx.lo) * yhi * xlo +
                at(ty.lo, tx.hi) * ylo * xhi + at(ty.hi, tx.hi) * yhi * xhi;
          } else {
            const CubicTap ty = cubic_tap(p.ratio_h, oh, p.in_h, p.align_corners);
            const CubicTap tx = cubic_tap(p.ratio_w, ow, p.in_w, p.align_corners);
            T rows[4];
            for (int i = 0; i < 4; ++i) {
              T acc = at(ty.idx[i], tx.idx[0]) * static_cast<T>(tx.coef[0]);
              for (int j = 1; j < 4; ++j)
                acc += at(ty.idx[i], tx.idx[j]) * static_cast<T>(tx.coef[j]);
              rows[i] = acc;
            }
            v = rows[0] * static_cast<T>(ty.coef[0]);
            for (int i = 1; i < 4; ++i) v += rows[i] * static_cast<T>(ty.coef[i]);
          }
          py[out.at(n, c, oh, ow)] = v;
        }
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    auto p = interp_params(ctx.op(), x.dims(), interp_size_inputs(ctx));
    if (!p.ok()) return ctx.error(p.error().message);
    const Dims dims = interp_out_dims(*p, x.dims());
    Tensor* y = &ctx.output("Out");
    if (y->dims() != dims || y->raw() == nullptr) y = &ctx.allocate("Out", 0, {x.dtype(), dims});
    if (x.dtype() == DType::kFloat64)
      interp_reference<double>(*p, x, *y);
    else
      interp_reference<float>(*p, x, *y);
    return {};
  }
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}

double flops(const KernelSpec& spec) {
  const double taps = spec.node.op.type.rfind("bicubic", 0) == 0   ? 32
                      : spec.node.op.type.rfind("nearest", 0) == 0 ? 0
                                                                   : 8;
  return static_cast<double>(spec.output("Out").numel()) * taps;
}

}  // namespace

void register_interp(OpRegistry& r) {
  for (const char* type : {"nearest_interp", "bilinear_interp", "nearest_interp_v2",
                           "bilinear_interp_v2", "bicubic_interp_v2", "linear_interp_v2"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_interp_optimized;
    d.supports = interp_supports;
    d.nhwc_ok = interp_nhwc_ok;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
