// deformable_conv (v2: modulated by the Mask input; Mask may be absent) and deformable_conv_v1
// (no Mask). Input [N, Cin, H, W], Offset [N, 2 * dg * kh * kw, OH, OW], Mask [N, dg * kh * kw,
// OH, OW], Filter [Cout, Cin / groups, kh, kw]; strides, paddings ([h, w]), dilations, groups,
// deformable_groups (dg); OH/OW as for conv2d. Semantics (phi deformable_conv_functor.cc,
// ModulatedDeformableIm2col):
//   tap (i, j) of output (oh, ow) for input channel c samples the image at
//     h = oh * stride_h - pad_h + i * dil_h + Offset[n, 2 * (d * kh * kw + i * kw + j), oh, ow]
//     w = ow * stride_w - pad_w + j * dil_w + Offset[n, 2 * (d * kh * kw + i * kw + j) + 1, oh, ow]
//   with d = c / (Cin / dg), bilinearly (corners outside the image count 0; nothing at all
//   unless -1 < h < H and -1 < w < W), times Mask[n, d * kh * kw + i * kw + j, oh, ow];
//   the output is the grouped convolution of these samples with Filter.
// The reference evaluates that sum directly in double. The optimised kernel builds the sampled
// columns (im2col, parallel) and multiplies them by the filter with a oneDNN matmul per sample.
#include <cmath>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/onednn_util.h"

namespace detport::runtime::kernels {
namespace {

struct DcnGeometry {
  int64_t n = 0, cin = 0, h = 0, w = 0, cout = 0, kh = 1, kw = 1;
  int64_t groups = 1, dg = 1;
  int64_t sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  int64_t oh = 0, ow = 0;
};

Result<DcnGeometry> dcn_geometry(const ir::Op& op, const Dims& x, const Dims& f) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  if (x.size() != 4 || f.size() != 4)
    return bad(
        fmt::format("Input {} and Filter {} must be 4-D", dims_to_string(x), dims_to_string(f)));
  DcnGeometry g;
  g.n = x[0], g.cin = x[1], g.h = x[2], g.w = x[3];
  g.cout = f[0], g.kh = f[2], g.kw = f[3];
  g.groups = std::max<int64_t>(op.int_attr("groups", 1), 1);
  g.dg = std::max<int64_t>(op.int_attr("deformable_groups", 1), 1);
  const auto strides = op.ints_attr("strides", {1, 1});
  const auto pads = op.ints_attr("paddings", {0, 0});
  const auto dil = op.ints_attr("dilations", {1, 1});
  if (strides.size() != 2 || pads.size() != 2 || dil.size() != 2)
    return bad("strides, paddings and dilations need 2 values each");
  g.sh = strides[0], g.sw = strides[1], g.ph = pads[0], g.pw = pads[1], g.dh = dil[0],
  g.dw = dil[1];
  if (g.sh <= 0 || g.sw <= 0 || g.dh <= 0 || g.dw <= 0 || g.ph < 0 || g.pw < 0)
    return bad("strides and dilations must be positive and paddings non-negative");
  if (f[1] * g.groups != g.cin)
    return bad(fmt::format("Input has {} channels but Filter {} expects {} x {} groups", g.cin,
                           dims_to_string(f), f[1], g.groups));
  if (g.cout % g.groups != 0 || g.cin % g.dg != 0)
    return bad(fmt::format("channels do not split into groups ({}) / deformable_groups ({})",
                           g.groups, g.dg));
  g.oh = (g.h + 2 * g.ph - (g.dh * (g.kh - 1) + 1)) / g.sh + 1;
  g.ow = (g.w + 2 * g.pw - (g.dw * (g.kw - 1) + 1)) / g.sw + 1;
  if (g.oh <= 0 || g.ow <= 0) return bad("the input is smaller than the kernel");
  return g;
}

bool has_mask(const ir::Op& op, bool mask_present) {
  return op.type == "deformable_conv" && mask_present;
}

Status infer(InferContext& ctx) {
  for (const char* s : {"Input", "Offset", "Filter"}) DETPORT_TRY(require_input(ctx, s));
  const TensorMeta& x = ctx.input("Input");
  if (x.dtype != DType::kFloat32) return ctx.error("deformable_conv takes float32 input");
  auto g = dcn_geometry(ctx.op(), x.dims, ctx.input("Filter").dims);
  if (!g.ok()) return ctx.error(g.error().message);
  const Dims offset{g->n, 2 * g->dg * g->kh * g->kw, g->oh, g->ow};
  if (ctx.input("Offset").dims != offset)
    return ctx.error(fmt::format("Offset has dims {}; expected {}",
                                 dims_to_string(ctx.input("Offset").dims), dims_to_string(offset)));
  if (has_mask(ctx.op(), ctx.has_input("Mask"))) {
    const Dims mask{g->n, g->dg * g->kh * g->kw, g->oh, g->ow};
    if (ctx.input("Mask").dims != mask)
      return ctx.error(fmt::format("Mask has dims {}; expected {}",
                                   dims_to_string(ctx.input("Mask").dims), dims_to_string(mask)));
  }
  ctx.set_output("Output", {x.dtype, {g->n, g->cout, g->oh, g->ow}});
  return {};
}

// DmcnIm2colBilinear: corners outside the image contribute 0.
template <typename T>
T bilinear(const float* im, int64_t height, int64_t width, T h, T w) {
  const int64_t h_low = static_cast<int64_t>(std::floor(h)),
                w_low = static_cast<int64_t>(std::floor(w));
  const int64_t h_high = h_low + 1, w_high = w_low + 1;
  const T lh = h - static_cast<T>(h_low), lw = w - static_cast<T>(w_low);
  const T hh = 1 - lh, hw = 1 - lw;
  const T v1 = (h_low >= 0 && w_low >= 0) ? im[h_low * width + w_low] : T(0);
  const T v2 = (h_low >= 0 && w_high <= width - 1) ? im[h_low * width + w_high] : T(0);
  const T v3 = (h_high <= height - 1 && w_low >= 0) ? im[h_high * width + w_low] : T(0);
  const T v4 = (h_high <= height - 1 && w_high <= width - 1) ? im[h_high * width + w_high] : T(0);
  return hh * hw * v1 + hh * lw * v2 + lh * hw * v3 + lh * lw * v4;
}

// The sampled value of channel c, tap (i, j), output (oh, ow) of sample b (mask applied).
template <typename T>
T sample(const DcnGeometry& g, const float* x, const float* offset, const float* mask, int64_t b,
         int64_t c, int64_t i, int64_t j, int64_t oh, int64_t ow) {
  const int64_t d = c / (g.cin / g.dg);
  const int64_t tap = d * g.kh * g.kw + i * g.kw + j;
  const int64_t plane = g.oh * g.ow, pos = oh * g.ow + ow;
  const float* off = offset + b * 2 * g.dg * g.kh * g.kw * plane;
  const T h =
      static_cast<T>(oh * g.sh - g.ph + i * g.dh) + static_cast<T>(off[(2 * tap) * plane + pos]);
  const T w = static_cast<T>(ow * g.sw - g.pw + j * g.dw) +
              static_cast<T>(off[(2 * tap + 1) * plane + pos]);
  T v = 0;
  if (h > -1 && w > -1 && h < static_cast<T>(g.h) && w < static_cast<T>(g.w))
    v = bilinear<T>(x + (b * g.cin + c) * g.h * g.w, g.h, g.w, h, w);
  if (mask != nullptr) v *= static_cast<T>(mask[(b * g.dg * g.kh * g.kw + tap) * plane + pos]);
  return v;
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("Input");
    const Tensor& f = ctx.input("Filter");
    auto gr = dcn_geometry(ctx.op(), x.dims(), f.dims());
    if (!gr.ok()) return ctx.error(gr.error().message);
    const DcnGeometry& g = *gr;
    const float* mask =
        has_mask(ctx.op(), ctx.has_input("Mask")) ? ctx.input("Mask").data<float>() : nullptr;
    const float* off = ctx.input("Offset").data<float>();
    const float* px = x.data<float>();
    const float* pf = f.data<float>();
    float* y = ctx.output("Output").data<float>();
    const int64_t cig = g.cin / g.groups, cog = g.cout / g.groups;
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t oc = 0; oc < g.cout; ++oc) {
        const int64_t grp = oc / cog;
        for (int64_t oh = 0; oh < g.oh; ++oh)
          for (int64_t ow = 0; ow < g.ow; ++ow) {
            double acc = 0;
            for (int64_t ic = 0; ic < cig; ++ic)
              for (int64_t i = 0; i < g.kh; ++i)
                for (int64_t j = 0; j < g.kw; ++j)
                  acc += sample<double>(g, px, off, mask, b, grp * cig + ic, i, j, oh, ow) *
                         pf[((oc * cig + ic) * g.kh + i) * g.kw + j];
            y[((b * g.cout + oc) * g.oh + oh) * g.ow + ow] = static_cast<float>(acc);
          }
      }
    return {};
  }
};

// im2col of the sampled values, then Output[b] = Filter (as [groups, Cout/g, Cin/g*kh*kw]) x
// columns ([groups, Cin/g*kh*kw, OH*OW]) with a oneDNN matmul.
class DcnIm2col final : public Kernel {
 public:
  explicit DcnIm2col(const KernelSpec& spec)
      : g_(dcn_geometry(spec.node.op, spec.input("Input").dims, spec.input("Filter").dims)
               .value()) {
    const int64_t k = g_.cin / g_.groups * g_.kh * g_.kw, p = g_.oh * g_.ow,
                  cog = g_.cout / g_.groups;
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc w_md({g_.groups, cog, k}, dt::f32, tag::abc);
    dnnl::memory::desc col_md({g_.groups, k, p}, dt::f32, tag::abc);
    dnnl::memory::desc out_md({g_.groups, cog, p}, dt::f32, tag::abc);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(w_md, col_md, out_md), onednn_engine());
    prim_ = dnnl::matmul(pd);
    w_ = dnnl::memory(w_md, onednn_engine(), nullptr);
    col_mem_ = dnnl::memory(col_md, onednn_engine(), nullptr);
    out_ = dnnl::memory(out_md, onednn_engine(), nullptr);
    col_.assign(static_cast<std::size_t>(g_.cin * g_.kh * g_.kw * p), 0.0f);
    impl_ = "native:dcn-im2col+" + onednn_impl(pd.impl_info_str());
  }

  Status run(KernelContext& ctx) override {
    const float* px = ctx.input("Input").data<float>();
    const float* off = ctx.input("Offset").data<float>();
    const float* mask =
        has_mask(ctx.op(), ctx.has_input("Mask")) ? ctx.input("Mask").data<float>() : nullptr;
    float* y = ctx.output("Output").data<float>();
    const int64_t p = g_.oh * g_.ow, taps = g_.kh * g_.kw;
    w_.set_data_handle(const_cast<void*>(ctx.input("Filter").raw()));
    col_mem_.set_data_handle(col_.data());
    for (int64_t b = 0; b < g_.n; ++b) {
      // Row (c * kh + i) * kw + j of the columns holds that tap for every output position.
      parallel_for(g_.cin * taps, 1, [&](int64_t row) {
        const int64_t c = row / taps, i = (row % taps) / g_.kw, j = row % g_.kw;
        float* dst = col_.data() + row * p;
        for (int64_t oh = 0; oh < g_.oh; ++oh)
          for (int64_t ow = 0; ow < g_.ow; ++ow)
            dst[oh * g_.ow + ow] = sample<float>(g_, px, off, mask, b, c, i, j, oh, ow);
      });
      out_.set_data_handle(y + b * g_.cout * p);
      prim_.execute(onednn_stream(),
                    {{DNNL_ARG_SRC, w_}, {DNNL_ARG_WEIGHTS, col_mem_}, {DNNL_ARG_DST, out_}});
      onednn_stream().wait();
    }
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  DcnGeometry g_;
  dnnl::matmul prim_;
  dnnl::memory w_, col_mem_, out_;
  std::vector<float> col_;
  std::string impl_;
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<DcnIm2col>(spec);
}
bool supports(const KernelSpec& spec) {
  return spec.input("Filter").dtype == DType::kFloat32 &&
         spec.input("Offset").dtype == DType::kFloat32 &&
         (!spec.node.input("Mask") || spec.node.input("Mask")->empty() ||
          spec.input("Mask").dtype == DType::kFloat32);
}
double flops(const KernelSpec& spec) {
  const TensorMeta& f = spec.input("Filter");
  return 2.0 * static_cast<double>(spec.output("Output").numel()) *
         static_cast<double>(f.dims[1] * f.dims[2] * f.dims[3]);
}

}  // namespace

void register_deformable_conv(OpRegistry& r) {
  for (const char* type : {"deformable_conv", "deformable_conv_v1"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.supports = supports;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
