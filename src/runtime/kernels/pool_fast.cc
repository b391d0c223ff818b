// pool2d's optimised kernel. oneDNN pooling where its definition equals Paddle's for this node:
//  - every window holds at least one input element (oneDNN never sees an all-padding window);
//  - max, or exclusive average (oneDNN's avg_exclude_padding divides by the clipped window);
//  - non-exclusive average only when no window runs past the input by more than pad_top/left
//    (Paddle divides by the window clipped there, oneDNN's avg_include_padding by kh * kw);
//  - adaptive average only when the input size is a multiple of the output size (the windows
//    are then plain k = in / out, stride k windows).
// Otherwise (and if oneDNN refuses the descriptor) a parallel loop over output rows that works
// on NCHW and channels-last storage alike, vectorised across channels for NHWC.
#include <cfloat>
#include <optional>

#include "runtime/kernels/nn_util.h"
#include "runtime/kernels/onednn_util.h"
#include "runtime/kernels/pool_geometry.h"

namespace detport::runtime::kernels {
namespace {

// Every output window along a dim contains an input element.
bool windows_nonempty(const PoolGeometry& g, bool height) {
  const int64_t out = height ? g.out_h : g.out_w;
  for (int64_t o = 0; o < out; ++o) {
    const PoolSpan s = height ? pool_span(g.adaptive, o, g.h, g.out_h, g.kh, g.sh, g.pad_top)
                              : pool_span(g.adaptive, o, g.w, g.out_w, g.kw, g.sw, g.pad_left);
    if (s.end <= s.begin) return false;
  }
  return true;
}

struct OneDnnPoolShape {
  dnnl::algorithm alg;
  dnnl::memory::dims kernel, strides, pad_l, pad_r;
};

// The oneDNN pooling equal to Paddle's for this geometry, if there is one.
std::optional<OneDnnPoolShape> onednn_shape(const PoolGeometry& g) {
  if (!windows_nonempty(g, true) || !windows_nonempty(g, false)) return std::nullopt;
  OneDnnPoolShape s;
  if (g.adaptive) {
    if (g.h % g.out_h != 0 || g.w % g.out_w != 0) return std::nullopt;
    const int64_t kh = g.h / g.out_h, kw = g.w / g.out_w;
    s.alg = dnnl::algorithm::pooling_avg_exclude_padding;
    s.kernel = {kh, kw};
    s.strides = {kh, kw};
    s.pad_l = {0, 0};
    s.pad_r = {0, 0};
    return s;
  }
  if (g.max) {
    s.alg = dnnl::algorithm::pooling_max;
  } else if (g.exclusive) {
    s.alg = dnnl::algorithm::pooling_avg_exclude_padding;
  } else {
    // Paddle's divisor is the window clipped at in + pad_before; oneDNN's is kh * kw.
    if ((g.out_h - 1) * g.sh - g.pad_top + g.kh > g.h + g.pad_top) return std::nullopt;
    if ((g.out_w - 1) * g.sw - g.pad_left + g.kw > g.w + g.pad_left) return std::nullopt;
    s.alg = dnnl::algorithm::pooling_avg_include_padding;
  }
  // oneDNN wants explicit right pads that give exactly our output size (ceil_mode adds some).
  const int64_t pr_h = std::max(g.pad_bottom, (g.out_h - 1) * g.sh + g.kh - g.h - g.pad_top);
  const int64_t pr_w = std::max(g.pad_right, (g.out_w - 1) * g.sw + g.kw - g.w - g.pad_left);
  if ((g.h + g.pad_top + pr_h - g.kh) / g.sh + 1 != g.out_h) return std::nullopt;
  if ((g.w + g.pad_left + pr_w - g.kw) / g.sw + 1 != g.out_w) return std::nullopt;
  s.kernel = {g.kh, g.kw};
  s.strides = {g.sh, g.sw};
  s.pad_l = {g.pad_top, g.pad_left};
  s.pad_r = {pr_h, pr_w};
  return s;
}

class PoolKernel final : public Kernel {
 public:
  explicit PoolKernel(const KernelSpec& spec)
      : g_(pool_geometry(spec.node.op, spec.input("X").dims).value()) {
    const TensorMeta& x = spec.input("X");
    nhwc_ = g_.channel_last || spec.node.layout == Layout::kNhwc;
    if (auto s = onednn_shape(g_)) {
      try {
        const int64_t n = x.dims[0], c = g_.channel_last ? x.dims[3] : x.dims[1];
        const auto tag = nhwc_ ? dnnl::memory::format_tag::nhwc : dnnl::memory::format_tag::nchw;
        dnnl::memory::desc src_md({n, c, g_.h, g_.w}, dnnl::memory::data_type::f32, tag);
        dnnl::memory::desc dst_md({n, c, g_.out_h, g_.out_w}, dnnl::memory::data_type::f32, tag);
        dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, s->alg, src_md, dst_md,
                                         s->strides, s->kernel, s->pad_l, s->pad_r);
        dnnl::pooling_forward::primitive_desc pd(desc, onednn_engine());
        prim_ = dnnl::pooling_forward(pd);
        src_ = dnnl::memory(src_md, onednn_engine(), nullptr);
        dst_ = dnnl::memory(dst_md, onednn_engine(), nullptr);
        impl_ = onednn_impl(pd.impl_info_str()) + (nhwc_ ? ":nhwc" : ":nchw");
        use_onednn_ = true;
      } catch (const dnnl::error&) {
        use_onednn_ = false;  // the loop below computes the same thing
      }
    }
    if (!use_onednn_) impl_ = nhwc_ ? "native:pool2d:nhwc" : "native:pool2d:nchw";
  }

  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& y = ctx.output("Out");
    if (use_onednn_) {
      src_.set_data_handle(const_cast<void*>(x.raw()));
      dst_.set_data_handle(y.raw());
      prim_.execute(onednn_stream(), {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, dst_}});
      onednn_stream().wait();
      return {};
    }
    const Image4 in = image_view(x, g_.channel_last);
    const Image4 out = image_view(y, g_.channel_last);
    if (in.sc == 1)
      run_channels_last(in, out, x.data<float>(), y.data<float>());
    else
      run_planes(in, out, x.data<float>(), y.data<float>());
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  float divisor(const PoolSpan& a, const PoolSpan& b) const {
    return static_cast<float>((g_.exclusive || g_.adaptive) ? (a.end - a.begin) * (b.end - b.begin)
                                                            : a.extent * b.extent);
  }

  // Channels contiguous: one output pixel is a vector over C.
  void run_channels_last(const Image4& in, const Image4& out, const float* px, float* py) const {
    const int64_t c = in.c;
    parallel_for(in.n * g_.out_h, 1, [&](int64_t row) {
      const int64_t n = row / g_.out_h, oh = row % g_.out_h;
      const PoolSpan sh = pool_span(g_.adaptive, oh, g_.h, g_.out_h, g_.kh, g_.sh, g_.pad_top);
      for (int64_t ow = 0; ow < g_.out_w; ++ow) {
        const PoolSpan sw = pool_span(g_.adaptive, ow, g_.w, g_.out_w, g_.kw, g_.sw, g_.pad_left);
        float* dst = py + out.at(n, 0, oh, ow);
        const float init = g_.max ? -FLT_MAX : 0.0f;
        for (int64_t ic = 0; ic < c; ++ic) dst[ic] = init;
        for (int64_t ih = sh.begin; ih < sh.end; ++ih)
          for (int64_t iw = sw.begin; iw < sw.end; ++iw) {
            const float* src = px + in.at(n, 0, ih, iw);
            if (g_.max) {
              for (int64_t ic = 0; ic < c; ++ic) dst[ic] = std::max(dst[ic], src[ic]);
            } else {
              for (int64_t ic = 0; ic < c; ++ic) dst[ic] += src[ic];
            }
          }
        if (!g_.max) {
          const float d = divisor(sh, sw);
          for (int64_t ic = 0; ic < c; ++ic) dst[ic] /= d;
        }
      }
    });
  }

  // Channel planes: one (n, c) plane per task.
  void run_planes(const Image4& in, const Image4& out, const float* px, float* py) const {
    parallel_for(in.n * in.c, 1, [&](int64_t plane) {
      const int64_t n = plane / in.c, c = plane % in.c;
      const float* src = px + in.at(n, c, 0, 0);
      float* dst = py + out.at(n, c, 0, 0);
      for (int64_t oh = 0; oh < g_.out_h; ++oh) {
        const PoolSpan sh = pool_span(g_.adaptive, oh, g_.h, g_.out_h, g_.kh, g_.sh, g_.pad_top);
        for (int64_t ow = 0; ow < g_.out_w; ++ow) {
          const PoolSpan sw = pool_span(g_.adaptive, ow, g_.w, g_.out_w, g_.kw, g_.sw, g_.pad_left);
          float acc = g_.max ? -FLT_MAX : 0.0f;
          for (int64_t ih = sh.begin; ih < sh.end; ++ih) {
            const float* r = src + ih * in.sh;
            if (g_.max) {
              for (int64_t iw = sw.begin; iw < sw.end; ++iw) acc = std::max(acc, r[iw]);
            } else {
              for (int64_t iw = sw.begin; iw < sw.end; ++iw) acc += r[iw];
            }
          }
          dst[oh * out.sh + ow] = g_.max ? acc : acc / divisor(sh, sw);
        }
      }
    });
  }

  PoolGeometry g_;
  bool nhwc_ = false;
  bool use_onednn_ = false;
  dnnl::pooling_forward prim_;
  dnnl::memory src_, dst_;
  std::string impl_;
};

}  // namespace

std::unique_ptr<Kernel> make_pool_optimized(const KernelSpec& spec) {
  return std::make_unique<PoolKernel>(spec);
}

bool pool_nhwc_ok(const KernelSpec& spec) {
  return nhwc_candidate(spec, "data_format", "X", "Out") &&
         pool_geometry(spec.node.op, spec.input("X").dims).ok();
}

}  // namespace detport::runtime::kernels
