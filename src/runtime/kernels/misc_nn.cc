// Small neural-network ops with reference kernels only (rare in detection exports):
//  - pixel_shuffle (upscale_factor r, data_format): [N, C*r*r, H, W] -> [N, C, H*r, W*r] with
//    out[n, c, h*r + i, w*r + j] = in[n, c*r*r + i*r + j, h, w] (channels last alike).
//  - prelu (Alpha; mode all / channel / element, data_format): x > 0 ? x : alpha * x where alpha
//    is Alpha[0], Alpha[channel] (axis 1, or last for NHWC) or Alpha[index within the sample].
//  - p_norm (porder, axis, keepdim, asvector): (sum |x|^p)^(1/p) along axis (every element when
//    asvector); porder inf / -inf give max / min |x|, 0 counts non-zeros. Without keepdim the axis
//    is dropped ([1] when nothing is left, as Paddle < 2.5 does; 2.5+ gives a 0-D tensor);
//    asvector gives [1] (all-ones dims with keepdim). epsilon only matters for the gradient.
//  - lrn (n, k, alpha, beta, data_format; fluid lrn_op.cc): mid = k + alpha * sum of x^2 over
//    channels c - (n-1)/2 .. c - (n-1)/2 + n - 1 (zero outside; alpha is not divided by n),
//    Out = x * mid^-beta, MidOut = mid.
#include <cmath>

#include "runtime/kernels/nn_util.h"

namespace detport::runtime::kernels {
namespace {

Status require_float(const InferContext& ctx, const TensorMeta& x) {
  if (x.dtype != DType::kFloat32)
    return ctx.error(fmt::format("X is {}; expected float32", ir::var_type_name(x.dtype)));
  return {};
}

// --- pixel_shuffle ---

Status pixel_shuffle_infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_TRY(require_float(ctx, x));
  auto cl = channel_last_attr(ctx.op(), "data_format");
  if (!cl.ok()) return ctx.error(cl.error().message);
  if (x.dims.size() != 4) return ctx.error("pixel_shuffle takes 4-D input");
  const int64_t r = ctx.op().int_attr("upscale_factor", 1);
  const int64_t c = *cl ? x.dims[3] : x.dims[1];
  if (r <= 0 || c % (r * r) != 0)
    return ctx.error(
        fmt::format("{} channels are not a multiple of upscale_factor^2 = {}", c, r * r));
  const int64_t h = *cl ? x.dims[1] : x.dims[2], w = *cl ? x.dims[2] : x.dims[3];
  ctx.set_output("Out", {x.dtype, image_dims(x.dims[0], c / (r * r), h * r, w * r, *cl)});
  return {};
}

class PixelShuffle final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& y = ctx.output("Out");
    const bool cl = is_channel_last(ctx.op(), "data_format");
    const int64_t r = ctx.op().int_attr("upscale_factor", 1);
    const Image4 in = image_view(x, cl), out = image_view(y, cl);
    for (int64_t n = 0; n < out.n; ++n)
      for (int64_t c = 0; c < out.c; ++c)
        for (int64_t h = 0; h < out.h; ++h)
          for (int64_t w = 0; w < out.w; ++w)
            y.data<float>()[out.at(n, c, h, w)] =
                x.data<float>()[in.at(n, c * r * r + (h % r) * r + (w % r), h / r, w / r)];
    return {};
  }
};

// --- prelu ---

Status prelu_infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "Alpha"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_TRY(require_float(ctx, x));
  const std::string mode = ctx.op().string_attr("mode", "all");
  auto cl = channel_last_attr(ctx.op(), "data_format");
  if (!cl.ok()) return ctx.error(cl.error().message);
  int64_t want = 1;
  if (mode == "channel") {
    if (x.dims.size() < 2) return ctx.error("channel mode needs at least 2-D X");
    want = *cl ? x.dims.back() : x.dims[1];
  } else if (mode == "element") {
    for (std::size_t i = 1; i < x.dims.size(); ++i) want *= x.dims[i];
  } else if (mode != "all") {
    return ctx.error(fmt::format("prelu mode '{}' is not all, channel or element", mode));
  }
  if (ctx.input("Alpha").numel() != want)
    return ctx.error(fmt::format("Alpha has {} values; mode {} needs {}",
                                 ctx.input("Alpha").numel(), mode, want));
  ctx.set_output("Out", x);
  return {};
}

class Prelu final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    const float* alpha = ctx.input("Alpha").data<float>();
    float* y = ctx.output("Out").data<float>();
    const std::string mode = ctx.op().string_attr("mode", "all");
    const bool cl = is_channel_last(ctx.op(), "data_format");
    const Dims& d = x.dims();
    int64_t inner = 1, per_sample = 1;
    for (std::size_t i = 2; i < d.size(); ++i) inner *= d[i];
    for (std::size_t i = 1; i < d.size(); ++i) per_sample *= d[i];
    for (int64_t i = 0; i < x.numel(); ++i) {
      int64_t k = 0;
      if (mode == "channel") k = cl ? i % d.back() : (i / inner) % d[1];
      if (mode == "element") k = i % per_sample;
      const float v = x.data<float>()[i];
      y[i] = v > 0 ? v : alpha[k] * v;
    }
    return {};
  }
};

// --- p_norm ---

struct PNormShape {
  int64_t outer = 1, axis = 1, inner = 1;
  Dims out;
};

Result<PNormShape> p_norm_shape(const ir::Op& op, const Dims& x) {
  PNormShape s;
  const bool keepdim = op.bool_attr("keepdim", false);
  if (x.empty()) return make_error(ErrorCode::kInvalidInput, "p_norm of a 0-D tensor");
  if (op.bool_attr("asvector", false)) {
    for (int64_t d : x) s.axis *= d;
    s.out = keepdim ? Dims(x.size(), 1) : Dims{1};
    return s;
  }
  const int axis = normalize_axis(op.int_attr("axis", -1), static_cast<int>(x.size()));
  if (axis < 0)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("axis {} is out of range", op.int_attr("axis", -1)));
  for (int i = 0; i < axis; ++i) s.outer *= x[static_cast<std::size_t>(i)];
  s.axis = x[static_cast<std::size_t>(axis)];
  for (std::size_t i = static_cast<std::size_t>(axis) + 1; i < x.size(); ++i) s.inner *= x[i];
  for (std::size_t i = 0; i < x.size(); ++i)
    if (static_cast<int>(i) != axis)
      s.out.push_back(x[i]);
    else if (keepdim)
      s.out.push_back(1);
  if (s.out.empty()) s.out = {1};
  return s;
}

Status p_norm_infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_TRY(require_float(ctx, x));
  auto s = p_norm_shape(ctx.op(), x.dims);
  if (!s.ok()) return ctx.error(s.error().message);
  ctx.set_output("Out", {x.dtype, s->out});
  return {};
}

class PNorm final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    auto s = p_norm_shape(ctx.op(), x.dims());
    if (!s.ok()) return ctx.error(s.error().message);
    const double p = ctx.op().float_attr("porder", 2.0);
    float* y = ctx.output("Out").data<float>();
    for (int64_t o = 0; o < s->outer; ++o)
      for (int64_t i = 0; i < s->inner; ++i) {
        double acc = std::isinf(p) ? (p > 0 ? 0.0 : INFINITY) : 0.0;
        for (int64_t a = 0; a < s->axis; ++a) {
          const double v =
              std::abs(static_cast<double>(x.data<float>()[(o * s->axis + a) * s->inner + i]));
          if (p == 0)
            acc += v != 0 ? 1 : 0;
          else if (std::isinf(p))
            acc = p > 0 ? std::max(acc, v) : std::min(acc, v);
          else
            acc += std::pow(v, p);
        }
        if (p != 0 && !std::isinf(p)) acc = std::pow(acc, 1.0 / p);
        y[o * s->inner + i] = static_cast<float>(acc);
      }
    return {};
  }
};

// --- lrn ---

Status lrn_infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_TRY(require_float(ctx, x));
  if (x.dims.size() != 4) return ctx.error("lrn takes 4-D input");
  auto cl = channel_last_attr(ctx.op(), "data_format");
  if (!cl.ok()) return ctx.error(cl.error().message);
  if (ctx.op().int_attr("n", 5) <= 0) return ctx.error("n must be positive");
  ctx.set_output("Out", x);
  if (ctx.has_output("MidOut")) ctx.set_output("MidOut", x);
  return {};
}

class Lrn final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    const ir::Op& op = ctx.op();
    const bool cl = is_channel_last(op, "data_format");
    const int64_t n = op.int_attr("n", 5);
    const double k = op.float_attr("k", 2.0), alpha = op.float_attr("alpha", 1e-4),
                 beta = op.float_attr("beta", 0.75);
    const Image4 v = image_view(x, cl);
    const float* px = x.data<float>();
    float* out = ctx.output("Out").data<float>();
    float* mid = ctx.has_output("MidOut") ? ctx.output("MidOut").data<float>() : nullptr;
    const int64_t pre = (n - 1) / 2;
    for (int64_t b = 0; b < v.n; ++b)
      for (int64_t c = 0; c < v.c; ++c)
        for (int64_t h = 0; h < v.h; ++h)
          for (int64_t w = 0; w < v.w; ++w) {
            double sum = 0;
            for (int64_t j = c - pre; j < c - pre + n; ++j)
              if (j >= 0 && j < v.c) {
                const double e = px[v.at(b, j, h, w)];
                sum += e * e;
              }
            const double m = k + alpha * sum;
            const int64_t at = v.at(b, c, h, w);
            out[at] = static_cast<float>(px[at] * std::pow(m, -beta));
            if (mid != nullptr) mid[at] = static_cast<float>(m);
          }
    return {};
  }
};

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}

void add(OpRegistry& r, const char* type, InferFn infer, KernelFactory reference) {
  OpDef d;
  d.type = type;
  d.infer = infer;
  d.reference = reference;
  r.add(std::move(d));
}

}  // namespace

void register_misc_nn(OpRegistry& r) {
  add(r, "pixel_shuffle", pixel_shuffle_infer, make<PixelShuffle>);
  add(r, "prelu", prelu_infer, make<Prelu>);
  add(r, "p_norm", p_norm_infer, make<PNorm>);
  add(r, "lrn", lrn_infer, make<Lrn>);
}

}  // namespace detport::runtime::kernels
