// The interpolation ops' optimised kernel: Paddle's source indices and weights computed once per
// output row and column (interp.cc has the formulas), then a parallel loop that evaluates every
// output element with the same float expressions as the reference, so the two agree to the bit.
// On channels-last storage each output pixel is a vector over C (contiguous loads and stores);
// on NCHW one (n, c) plane at a time.
//
// oneDNN's resampling is not used: its nearest rounds (dst + 0.5) * in / out (e.g. 5 -> 8 picks
// 0 0 1 2 2 3 4 4 where Paddle picks 0 0 1 1 2 3 3 4) and it has neither align_corners nor
// Paddle's 1 / scale ratios; only bilinear with align_mode 0 and size-derived ratios would match.
#include "runtime/kernels/interp_params.h"
#include "runtime/kernels/nn_util.h"

namespace detport::runtime::kernels {
namespace {

class InterpKernel final : public Kernel {
 public:
  InterpKernel(const KernelSpec& spec, InterpParams p) : p_(p) {
    const bool align_flag = p_.align_mode == 0 && !p_.align_corners;
    nhwc_ = p_.channel_last || spec.node.layout == Layout::kNhwc;
    if (p_.method == InterpMethod::kNearest) {
      for (int64_t k = 0; k < p_.out_h; ++k)
        near_h_.push_back(nearest_index(p_.ratio_h, k, p_.in_h, p_.align_corners));
      for (int64_t k = 0; k < p_.out_w; ++k)
        near_w_.push_back(nearest_index(p_.ratio_w, k, p_.in_w, p_.align_corners));
    } else if (p_.method == InterpMethod::kBicubic) {
      for (int64_t k = 0; k < p_.out_h; ++k)
        cubic_h_.push_back(cubic_tap(p_.ratio_h, k, p_.in_h, p_.align_corners));
      for (int64_t k = 0; k < p_.out_w; ++k)
        cubic_w_.push_back(cubic_tap(p_.ratio_w, k, p_.in_w, p_.align_corners));
    } else {
      if (p_.method == InterpMethod::kLinear) {
        lin_h_.push_back({});  // H = 1: the single row, weight 1 on lo, 0 on hi
      } else {
        for (int64_t k = 0; k < p_.out_h; ++k)
          lin_h_.push_back(linear_tap(p_.ratio_h, k, p_.in_h, align_flag));
      }
      for (int64_t k = 0; k < p_.out_w; ++k)
        lin_w_.push_back(linear_tap(p_.ratio_w, k, p_.in_w, align_flag));
    }
    impl_ = std::string("native:interp:") + (nhwc_ ? "nhwc" : "nchw");
  }

  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& y = ctx.output("Out");
    const bool linear = p_.method == InterpMethod::kLinear;
    auto as4 = [&](const Tensor& t) {
      return linear ? (p_.channel_last ? Dims{t.dim(0), 1, t.dim(1), t.dim(2)}
                                       : Dims{t.dim(0), t.dim(1), 1, t.dim(2)})
                    : t.dims();
    };
    const Image4 in = image_view(as4(x), x.layout(), p_.channel_last);
    const Image4 out = image_view(as4(y), y.layout(), p_.channel_last);
    const float* px = x.data<float>();
    float* py = y.data<float>();
    if (p_.copy) {
      const int64_t n = x.numel();
      parallel_for((n + 65535) / 65536, 1, [&](int64_t b) {
        const int64_t i0 = b * 65536, i1 = std::min(n, i0 + 65536);
        std::copy(px + i0, px + i1, py + i0);
      });
      return {};
    }
    if (in.sc == 1 && in.c > 1)
      channels_last(in, out, px, py);
    else
      planes(in, out, px, py);
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  // One output pixel = C contiguous values.
  void channels_last(const Image4& in, const Image4& out, const float* px, float* py) const {
    const int64_t c = in.c;
    parallel_for(in.n * p_.out_h, 1, [&](int64_t row) {
      const int64_t n = row / p_.out_h, oh = row % p_.out_h;
      for (int64_t ow = 0; ow < p_.out_w; ++ow) {
        float* dst = py + out.at(n, 0, oh, ow);
        if (p_.method == InterpMethod::kNearest) {
          const float* src = px + in.at(n, 0, near_h_[static_cast<std::size_t>(oh)],
                                        near_w_[static_cast<std::size_t>(ow)]);
          std::copy(src, src + c, dst);
        } else if (p_.method == InterpMethod::kBicubic) {
          const CubicTap& ty = cubic_h_[static_cast<std::size_t>(oh)];
          const CubicTap& tx = cubic_w_[static_cast<std::size_t>(ow)];
          for (int64_t ic = 0; ic < c; ++ic) {
            float rows[4];
            for (int i = 0; i < 4; ++i) {
              float acc = px[in.at(n, ic, ty.idx[i], tx.idx[0])] * tx.coef[0];
              for (int j = 1; j < 4; ++j)
                acc += px[in.at(n, ic, ty.idx[i], tx.idx[j])] * tx.coef[j];
              rows[i] = acc;
            }
            float v = rows[0] * ty.coef[0];
            for (int i = 1; i < 4; ++i) v += rows[i] * ty.coef[i];
            dst[ic] = v;
          }
        } else if (p_.method == InterpMethod::kLinear) {
          const LinearTap& tx = lin_w_[static_cast<std::size_t>(ow)];
          const float* a = px + in.at(n, 0, 0, tx.lo);
          const float* b = px + in.at(n, 0, 0, tx.hi);
          for (int64_t ic = 0; ic < c; ++ic) dst[ic] = a[ic] * tx.w_lo + b[ic] * tx.w_hi;
        } else {
          const LinearTap& ty = lin_h_[static_cast<std::size_t>(oh)];
          const LinearTap& tx = lin_w_[static_cast<std::size_t>(ow)];
          const float* a = px + in.at(n, 0, ty.lo, tx.lo);
          const float* b = px + in.at(n, 0, ty.hi, tx.lo);
          const float* d = px + in.at(n, 0, ty.lo, tx.hi);
          const float* e = px + in.at(n, 0, ty.hi, tx.hi);
          const float ylo = ty.w_lo, yhi = ty.w_hi, xlo = tx.w_lo, xhi = tx.w_hi;
          for (int64_t ic = 0; ic < c; ++ic)
            dst[ic] = a[ic] * ylo * xlo + b[ic] * yhi * xlo + d[ic] * ylo * xhi + e[ic] * yhi * xhi;
        }
      }
    });
  }

  // One (n, c) plane per task, any strides.
  void planes(const Image4& in, const Image4& out, const float* px, float* py) const {
    parallel_for(in.n * in.c, 1, [&](int64_t plane) {
      const int64_t n = plane / in.c, c = plane % in.c;
      const float* src = px + in.at(n, c, 0, 0);
      float* dst = py + out.at(n, c, 0, 0);
      auto at = [&](int64_t ih, int64_t iw) { return src[ih * in.sh + iw * in.sw]; };
      for (int64_t oh = 0; oh < p_.out_h; ++oh)
        for (int64_t ow = 0; ow < p_.out_w; ++ow) {
          float v;
          if (p_.method == InterpMethod::kNearest) {
            v = at(near_h_[static_cast<std::size_t>(oh)], near_w_[static_cast<std::size_t>(ow)]);
          } else if (p_.method == InterpMethod::kBicubic) {
            const CubicTap& ty = cubic_h_[static_cast<std::size_t>(oh)];
            const CubicTap& tx = cubic_w_[static_cast<std::size_t>(ow)];
            float rows[4];
            for (int i = 0; i < 4; ++i) {
              float acc = at(ty.idx[i], tx.idx[0]) * tx.coef[0];
              for (int j = 1; j < 4; ++j) acc += at(ty.idx[i], tx.idx[j]) * tx.coef[j];
              rows[i] = acc;
            }
            v = rows[0] * ty.coef[0];
            for (int i = 1; i < 4; ++i) v += rows[i] * ty.coef[i];
          } else if (p_.method == InterpMethod::kLinear) {
            const LinearTap& tx = lin_w_[static_cast<std::size_t>(ow)];
            v = at(0, tx.lo) * tx.w_lo + at(0, tx.hi) * tx.w_hi;
          } else {
            const LinearTap& ty = lin_h_[static_cast<std::size_t>(oh)];
            const LinearTap& tx = lin_w_[static_cast<std::size_t>(ow)];
            v = at(ty.lo, tx.lo) * ty.w_lo * tx.w_lo + at(ty.hi, tx.lo) * ty.w_hi * tx.w_lo +
                at(ty.lo, tx.hi) * ty.w_lo * tx.w_hi + at(ty.hi, tx.hi) * ty.w_hi * tx.w_hi;
          }
          dst[oh * out.sh + ow * out.sw] = v;
        }
    });
  }

  InterpParams p_;
  bool nhwc_ = false;
  std::vector<int64_t> near_h_, near_w_;
  std::vector<LinearTap> lin_h_, lin_w_;
  std::vector<CubicTap> cubic_h_, cubic_w_;
  std::string impl_;
};

// The node's parameters when every size input is a compile-time constant.
std::optional<InterpParams> static_params(const KernelSpec& spec) {
  const Node& node = spec.node;
  InterpSizeInputs s;
  auto ints_of = [&](const std::string& slot,
                     std::size_t i) -> std::optional<std::vector<int64_t>> {
    const Tensor* t = spec.constant(slot, i);
    if (t == nullptr) return std::nullopt;
    return t->to_int64();
  };
  if (const auto* st = node.input("SizeTensor"); st != nullptr && !st->empty()) {
    s.size_tensor.emplace();
    for (std::size_t i = 0; i < st->size(); ++i) {
      auto v = ints_of("SizeTensor", i);
      if (!v || v->empty()) return std::nullopt;
      s.size_tensor->push_back((*v)[0]);
    }
  } else {
    if (const auto* o = node.input("OutSize"); o != nullptr && !o->empty()) {
      s.out_size = ints_of("OutSize", 0);
      if (!s.out_size) return std::nullopt;
    }
    if (const auto* sc = node.input("Scale"); sc != nullptr && !sc->empty()) {
      const Tensor* t = spec.constant("Scale", 0);
      if (t == nullptr) return std::nullopt;
      s.scale = t->to_double();
    }
  }
  auto p = interp_params(node.op, spec.input("X").dims, s);
  if (!p.ok()) return std::nullopt;
  return *p;
}

}  // namespace

std::unique_ptr<Kernel> make_interp_optimized(const KernelSpec& spec) {
  auto p = static_params(spec);
  if (!p) return nullptr;
  return std::make_unique<InterpKernel>(spec, *p);
}

bool interp_supports(const KernelSpec& spec) {
  return spec.input("X").dtype == DType::kFloat32 && static_params(spec).has_value();
}

bool interp_nhwc_ok(const KernelSpec& spec) {
  return nhwc_candidate(spec, "data_layout", "X", "Out") && static_params(spec).has_value();
}

}  // namespace detport::runtime::kernels
