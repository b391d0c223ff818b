// roi_align and roi_pool: pool each region of interest ROIs [R, 4] (x1, y1, x2, y2 in input-image
// pixels) from the feature map X [N, C, H, W] into Out [R, C, pooled_height, pooled_width].
// RoisNum [N] (int32/int64) says how many consecutive ROIs belong to each image; without it (the
// runtime carries no LoD) every ROI belongs to image 0, which is only accepted when N == 1.
//
// Paddle's definitions (paddle/phi/kernels/cpu/roi_align_kernel.cc, roi_pool_kernel.cc):
//  - roi_align: roi = box * spatial_scale - (aligned ? 0.5 : 0); without `aligned` its width and
//    height are at least 1. Bin (ph, pw) averages a grid of g_h x g_w bilinear samples (g =
//    sampling_ratio, or ceil(roi size / pooled size) when sampling_ratio <= 0) at
//    y = y1 + bin_h * (ph + (iy + 0.5) / g_h); samples with y < -1, y > H, x < -1 or x > W count
//    as 0; others are clamped to >= 0 and to the last row/column before interpolating.
//  - roi_pool: the box is rounded (half away from zero) after scaling, forced to at least 1x1;
//    bin (ph, pw) covers rows [floor(ph * h / PH), ceil((ph + 1) * h / PH)) offset by the box
//    start and clamped to the map; its max (0 for an empty bin) and the flat index h * W + w of the
//    max (-1 when empty) go to Out and Argmax (int64).
#include <cmath>
#include <limits>

#include "runtime/kernels/detection/detection_util.h"

namespace detport::runtime::kernels {
namespace {

namespace du = detection_util;

struct RoiAttrs {
  int64_t ph = 1, pw = 1;
  float spatial_scale = 1.0f;
  int sampling_ratio = -1;
  bool aligned = false;
};

Result<RoiAttrs> roi_attrs(const ir::Op& op) {
  RoiAttrs a;
  a.ph = op.int_attr("pooled_height", 1);
  a.pw = op.int_attr("pooled_width", 1);
  a.spatial_scale = static_cast<float>(op.float_attr("spatial_scale", 1.0));
  a.sampling_ratio = static_cast<int>(op.int_attr("sampling_ratio", -1));
  a.aligned = op.bool_attr("aligned", false);
  if (a.ph <= 0 || a.pw <= 0)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("pooled size {}x{} must be positive", a.ph, a.pw));
  if (!(a.spatial_scale > 0))
    return make_error(ErrorCode::kInvalidInput, "spatial_scale must be positive");
  return a;
}

Status check_roi_inputs(const TensorMeta& x, const TensorMeta& rois, const TensorMeta* rois_num,
                        const std::function<Error(std::string)>& error) {
  if (x.dims.size() != 4) return error("X must be [N, C, H, W]");
  if (!du::is_float_type(x.dtype) || rois.dtype != x.dtype)
    return error("X and ROIs must have the same float type");
  if (rois.dims.size() != 2 || rois.dims[1] != 4)
    return error(fmt::format("ROIs must be [R, 4], got {}", dims_to_string(rois.dims)));
  if (rois_num != nullptr) {
    if (rois_num->dims.size() != 1 || !du::is_int_type(rois_num->dtype))
      return error("RoisNum must be a 1-D int32 or int64 tensor");
    if (rois_num->dims[0] != x.dims[0])
      return error(fmt::format("RoisNum has {} images but X has {}", rois_num->dims[0], x.dims[0]));
  } else if (x.dims[0] != 1) {
    return error(
        "ROIs of a batch of images need RoisNum (the runtime carries no LoD to assign them)");
  }
  return {};
}

Status infer_roi(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "ROIs"));
  auto a = roi_attrs(ctx.op());
  if (!a.ok()) return ctx.error(a.error().message);
  const TensorMeta& x = ctx.input("X");
  const TensorMeta& rois = ctx.input("ROIs");
  DETPORT_TRY(check_roi_inputs(x, rois, ctx.has_input("RoisNum") ? &ctx.input("RoisNum") : nullptr,
                               [&](std::string m) { return ctx.error(std::move(m)); }));
  const Dims out{rois.dims[0], x.dims[1], a->ph, a->pw};
  ctx.set_output("Out", {x.dtype, out});
  if (ctx.has_output("Argmax")) ctx.set_output("Argmax", {DType::kInt64, out});
  return {};
}

// Image of each ROI.
Result<std::vector<int64_t>> roi_images(const KernelContext& ctx, int64_t rois) {
  std::vector<int64_t> image(static_cast<std::size_t>(rois), 0);
  if (!ctx.has_input("RoisNum")) return image;
  DETPORT_ASSIGN(auto off, du::offsets_from_rois_num(ctx.input("RoisNum"), rois));
  for (std::size_t n = 0; n + 1 < off.size(); ++n)
    for (int64_t i = off[n]; i < off[n + 1]; ++i)
      image[static_cast<std::size_t>(i)] = static_cast<int64_t>(n);
  return image;
}

// One bilinear sample: four flat offsets and weights (all zero outside the map).
template <typename T>
struct Sample {
  int64_t o[4] = {0, 0, 0, 0};  // (xl, yl), (xh, yl), (xl, yh), (xh, yh)
  T w[4] = {0, 0, 0, 0};
};

// Paddle's sample positions and weights for one ROI, in (ph, pw, iy, ix) order.
template <typename T>
std::vector<Sample<T>> roi_samples(const RoiAttrs& a, const T* box, int64_t height, int64_t width,
                                   int64_t& grid_h, int64_t& grid_w) {
  const T off = a.aligned ? T(0.5) : T(0);
  const T x1 = box[0] * a.spatial_scale - off, y1 = box[1] * a.spatial_scale - off;
  const T x2 = box[2] * a.spatial_scale - off, y2 = box[3] * a.spatial_scale - off;
  T rw = x2 - x1, rh = y2 - y1;
  if (!a.aligned) {
    rw = std::max(rw, T(1));
    rh = std::max(rh, T(1));
  }
  // Bounded so that absurd boxes cannot ask for billions of samples.
  constexpr int64_t kMaxGrid = 1 << 12;
  grid_h = a.sampling_ratio > 0
               ? a.sampling_ratio
               : du::clamp_to_int(std::ceil(rh / static_cast<T>(a.ph)), 0, kMaxGrid);
  grid_w = a.sampling_ratio > 0
               ? a.sampling_ratio
               : du::clamp_to_int(std::ceil(rw / static_cast<T>(a.pw)), 0, kMaxGrid);
  const T bin_w = rw / static_cast<T>(a.pw), bin_h = rh / static_cast<T>(a.ph);
  std::vector<Sample<T>> s;
  s.reserve(static_cast<std::size_t>(std::max<int64_t>(a.ph * a.pw * grid_h * grid_w, 0)));
  for (int64_t py = 0; py < a.ph; ++py)
    for (int64_t px = 0; px < a.pw; ++px)
      for (int64_t iy = 0; iy < grid_h; ++iy) {
        T y = y1 + bin_h * (static_cast<T>(py) +
                            static_cast<T>(static_cast<float>(iy) + .5f) / static_cast<T>(grid_h));
        for (int64_t ix = 0; ix < grid_w; ++ix) {
          T x = x1 + bin_w * (static_cast<T>(px) + static_cast<T>(static_cast<float>(ix) + .5f) /
                                                       static_cast<T>(grid_w));
          Sample<T> p;
          // (NaN coordinates count as outside, where Paddle's cast to an index is undefined.)
          if (!(y >= -1.0 && y <= static_cast<T>(height) && x >= -1.0 &&
                x <= static_cast<T>(width))) {
            s.push_back(p);
            continue;
          }
          T yy = y <= 0 ? T(0) : y, xx = x <= 0 ? T(0) : x;
          int64_t xl = static_cast<int64_t>(xx), xh;
          if (xl >= width - 1) {
            xh = xl = width - 1;
            xx = static_cast<T>(xl);
          } else {
            xh = xl + 1;
          }
          int64_t yl = static_cast<int64_t>(yy), yh;
          if (yl >= height - 1) {
            yh = yl = height - 1;
            yy = static_cast<T>(yl);
          } else {
            yh = yl + 1;
          }
          const T xr = static_cast<T>(xh) - xx, yr = static_cast<T>(yh) - yy;
          p.o[0] = yl * width + xl;
          p.o[1] = yl * width + xh;
          p.o[2] = yh * width + xl;
          p.o[3] = yh * width + xh;
          p.w[0] = xr * yr;
          p.w[1] = (1 - xr) * yr;
          p.w[2] = xr * (1 - yr);
          p.w[3] = (1 - xr) * (1 - yr);
          s.push_back(p);
        }
      }
  return s;
}

// Pools one ROI over every channel from precomputed samples.
template <typename T>
void align_one(const RoiAttrs& a, const std::vector<Sample<T>>& samples, int64_t grid, const T* map,
               int64_t channels, int64_t plane, T* out) {
  const T count = static_cast<T>(1.0 / static_cast<double>(grid));
  const int64_t bins = a.ph * a.pw;
  for (int64_t c = 0; c < channels; ++c) {
    const T* d = map + c * plane;
    for (int64_t b = 0; b < bins; ++b) {
      T sum = 0;
      for (int64_t g = 0; g < grid; ++g) {
        const Sample<T>& p = samples[static_cast<std::size_t>(b * grid + g)];
        sum += p.w[0] * d[p.o[0]] + p.w[1] * d[p.o[1]] + p.w[2] * d[p.o[2]] + p.w[3] * d[p.o[3]];
      }
      out[c * bins + b] = sum * count;
    }
  }
}

template <typename T>
Status roi_align(KernelContext& ctx, const RoiAttrs& a, bool parallel) {
  const Tensor& x = ctx.input("X");
  const Tensor& rois = ctx.input("ROIs");
  const int64_t r = rois.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  DETPORT_ASSIGN(const auto image, roi_images(ctx, r));
  T* out = ctx.output("Out").data<T>();
  auto one = [&](int64_t i) {
    int64_t gh = 0, gw = 0;
    const auto samples = roi_samples<T>(a, rois.data<T>() + i * 4, h, w, gh, gw);
    const T* map = x.data<T>() + image[static_cast<std::size_t>(i)] * c * h * w;
    align_one(a, samples, gh * gw, map, c, h * w, out + i * c * a.ph * a.pw);
  };
  if (parallel)
    parallel_for(r, 1, one);
  else
    for (int64_t i = 0; i < r; ++i) one(i);
  return {};
}

template <typename T>
Status roi_pool(KernelContext& ctx, const RoiAttrs& a) {
  const Tensor& x = ctx.input("X");
  const Tensor& rois = ctx.input("ROIs");
  const int64_t r = rois.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  DETPORT_ASSIGN(const auto image, roi_images(ctx, r));
  T* out = ctx.output("Out").data<T>();
  int64_t* arg = ctx.has_output("Argmax") ? ctx.output("Argmax").data<int64_t>() : nullptr;
  const T* box = rois.data<T>();
  for (int64_t i = 0; i < r; ++i, box += 4) {
    auto rounded = [&](T v) {
      return static_cast<int>(
          du::clamp_to_int(std::round(v * a.spatial_scale), -(1 << 24), 1 << 24));
    };
    const int sw = rounded(box[0]), sh = rounded(box[1]), ew = rounded(box[2]),
              eh = rounded(box[3]);
    const int bh = std::max(eh - sh + 1, 1), bw = std::max(ew - sw + 1, 1);
    const float bin_h = static_cast<float>(bh) / static_cast<float>(a.ph);
    const float bin_w = static_cast<float>(bw) / static_cast<float>(a.pw);
    const T* map = x.data<T>() + image[static_cast<std::size_t>(i)] * c * h * w;
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t py = 0; py < a.ph; ++py)
        for (int64_t px = 0; px < a.pw; ++px) {
          auto clampi = [](int64_t v, int64_t hi) { return std::min(std::max<int64_t>(v, 0), hi); };
          const int64_t hs =
              clampi(static_cast<int64_t>(std::floor(static_cast<float>(py) * bin_h)) + sh, h);
          const int64_t he =
              clampi(static_cast<int64_t>(std::ceil(static_cast<float>(py + 1) * bin_h)) + sh, h);
          const int64_t ws =
              clampi(static_cast<int64_t>(std::floor(static_cast<float>(px) * bin_w)) + sw, w);
          const int64_t we =
              clampi(static_cast<int64_t>(std::ceil(static_cast<float>(px + 1) * bin_w)) + sw, w);
          const bool empty = he <= hs || we <= ws;
          T best = empty ? T(0) : -std::numeric_limits<T>::max();
          int64_t best_at = -1;
          const T* d = map + ch * h * w;
          for (int64_t yy = hs; yy < he; ++yy)
            for (int64_t xx = ws; xx < we; ++xx)
              if (d[yy * w + xx] > best) {
                best = d[yy * w + xx];
                best_at = yy * w + xx;
              }
          const int64_t o = ((i * c + ch) * a.ph + py) * a.pw + px;
          out[o] = best;
          if (arg != nullptr) arg[o] = best_at;
        }
  }
  return {};
}

template <bool kAlign>
class RoiKernel final : public Kernel {
 public:
  explicit RoiKernel(bool parallel) : parallel_(parallel) {}
  Status run(KernelContext& ctx) override {
    auto a = roi_attrs(ctx.op());
    if (!a.ok()) return ctx.error(a.error().message);
    const Tensor& x = ctx.input("X");
    DETPORT_TRY(check_roi_inputs(x.meta(), ctx.input("ROIs").meta(),
                                 ctx.has_input("RoisNum") ? &ctx.input("RoisNum").meta() : nullptr,
                                 [&](std::string m) { return ctx.error(std::move(m)); }));
    return du::dispatch_float(ctx, x.dtype(), [&](auto tag) -> Status {
      using T = decltype(tag);
      if constexpr (kAlign)
        return roi_align<T>(ctx, *a, parallel_);
      else
        return roi_pool<T>(ctx, *a);
    });
  }
  std::string impl() const override { return parallel_ ? "native:roi" : "reference"; }

 private:
  bool parallel_;
};

template <bool kAlign, bool kParallel>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<RoiKernel<kAlign>>(kParallel);
}

}  // namespace

void register_detection_roi(OpRegistry& r) {
  OpDef d;
  d.type = "roi_align";
  d.infer = infer_roi;
  d.reference = make<true, false>;
  d.optimized = make<true, true>;
  r.add(d);
  OpDef p;
  p.type = "roi_pool";
  p.infer = infer_roi;
  p.reference = make<false, false>;
  r.add(p);
}

}  // namespace detport::runtime::kernels
