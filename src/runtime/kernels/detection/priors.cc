// Prior and anchor generators: prior_box (SSD), density_prior_box, anchor_generator (Faster
// R-CNN). Their outputs depend only on the input dims and attributes, so shape inference computes
// them as constants and the plan folds them away (no kernel runs per image).
//
// Paddle's definitions (paddle/phi/kernels/cpu/prior_box_kernel.cc + prior_box_kernel.h
// ExpandAspectRatios, fluid/operators/detection/density_prior_box_op.h,
// phi/kernels/impl/anchor_generator_kernel_impl.h):
//  - prior_box: aspect ratios expand to [1, ar..., and 1/ar when flip], skipping any within 1e-6
//    of one already present. Per cell (h, w) the center is ((w + offset) * step_w, (h + offset) *
//    step_h), steps defaulting to image size / feature size; per min_size s: boxes of size
//    s*sqrt(ar) x s/sqrt(ar) for every ar, then sqrt(s * max_size) square if max_sizes are given
//    (min_max_aspect_ratios_order: s square, max square, then the ars other than 1). Coordinates
//    are normalised by the image width/height; clip clamps them to [0, 1]. Out [H, W, P, 4].
//  - density_prior_box: per fixed size s (density d, shift = int((step_w + step_h) / 2) / d) and
//    fixed ratio r, a d x d grid of boxes of size s*sqrt(r) x s/sqrt(r) centred at
//    center - step_avg/2 + shift/2 + (dj, di) * shift; always clamped to [0, 1].
//    flatten_to_2d gives [H*W*P, 4] instead of [H, W, P, 4].
//  - anchor_generator: per cell center (w * stride_w + offset * (stride_w - 1), likewise y); per
//    aspect ratio ar (outer) and anchor size s (inner): base_w = round(sqrt(stride_w * stride_h /
//    ar)), base_h = round(base_w * ar), size (s / stride_w * base_w, s / stride_h * base_h), box =
//    center -/+ 0.5 * (size - 1). Pixel coordinates. Out [H, W, A, 4].
// Variances: every box gets the `variances` attribute (4 values).
#include <cmath>

#include "runtime/kernels/detection/detection_util.h"

namespace detport::runtime::kernels {
namespace {

namespace du = detection_util;

template <typename T>
Tensor filled_variances(const Dims& dims, const std::vector<float>& variances, DType dtype) {
  Tensor v = Tensor::empty(dtype, dims);
  T* p = v.data<T>();
  for (int64_t i = 0; i < v.numel(); ++i)
    p[i] = static_cast<T>(variances[static_cast<std::size_t>(i % 4)]);
  return v;
}

Status check_variances(const InferContext& ctx, const std::vector<float>& v) {
  if (v.size() != 4)
    return ctx.error(fmt::format("attribute 'variances' must hold 4 values, got {}", v.size()));
  return {};
}

// Output dtype: the feature map's (Paddle registers float and double).
Result<DType> feature_dtype(const InferContext& ctx, std::string_view slot) {
  const TensorMeta& m = ctx.input(slot);
  if (m.dims.size() != 4)
    return ctx.error(fmt::format("{} must be 4-D, got {}", slot, dims_to_string(m.dims)));
  if (!du::is_float_type(m.dtype)) return ctx.error(fmt::format("{} must be float", slot));
  return m.dtype;
}

// ---- prior_box ----

struct PriorBoxAttrs {
  std::vector<float> min_sizes, max_sizes, ratios, variances;
  bool clip = false, order = false;
  float step_w = 0, step_h = 0, offset = 0.5f;
};

std::vector<float> expand_aspect_ratios(const std::vector<float>& in, bool flip) {
  std::vector<float> out{1.0f};
  for (float ar : in) {
    bool exists = false;
    for (float o : out)
      if (std::fabs(ar - o) < 1e-6f) {
        exists = true;
        break;
      }
    if (exists) continue;
    out.push_back(ar);
    if (flip) out.push_back(1.0f / ar);
  }
  return out;
}

Result<PriorBoxAttrs> prior_box_attrs(const InferContext& ctx) {
  const ir::Op& op = ctx.op();
  PriorBoxAttrs a;
  a.min_sizes = du::floats(op, "min_sizes");
  a.max_sizes = du::floats(op, "max_sizes");
  a.ratios =
      expand_aspect_ratios(du::floats(op, "aspect_ratios", {1.0f}), op.bool_attr("flip", false));
  a.variances = du::floats(op, "variances", {0.1f, 0.1f, 0.2f, 0.2f});
  a.clip = op.bool_attr("clip", false);
  a.order = op.bool_attr("min_max_aspect_ratios_order", false);
  a.step_w = static_cast<float>(op.float_attr("step_w", 0.0));
  a.step_h = static_cast<float>(op.float_attr("step_h", 0.0));
  a.offset = static_cast<float>(op.float_attr("offset", 0.5));
  if (a.min_sizes.empty()) return ctx.error("attribute 'min_sizes' is empty");
  for (float s : a.min_sizes)
    if (!(s > 0)) return ctx.error("every min_size must be positive");
  if (!a.max_sizes.empty()) {
    if (a.max_sizes.size() != a.min_sizes.size())
      return ctx.error(
          fmt::format("{} max_sizes for {} min_sizes", a.max_sizes.size(), a.min_sizes.size()));
    for (std::size_t i = 0; i < a.max_sizes.size(); ++i)
      if (!(a.max_sizes[i] > a.min_sizes[i]))
        return ctx.error("every max_size must be greater than its min_size");
  }
  if (a.step_w < 0 || a.step_h < 0) return ctx.error("step_w and step_h must not be negative");
  DETPORT_TRY(check_variances(ctx, a.variances));
  return a;
}

template <typename T>
Tensor prior_boxes(const PriorBoxAttrs& a, int64_t fh, int64_t fw, int64_t ih, int64_t iw,
                   DType dtype) {
  const int64_t priors =
      static_cast<int64_t>(a.ratios.size() * a.min_sizes.size() + a.max_sizes.size());
  Tensor out = Tensor::empty(dtype, {fh, fw, priors, 4});
  T step_w = static_cast<T>(a.step_w), step_h = static_cast<T>(a.step_h);
  if (step_w == 0 || step_h == 0) {
    step_w = static_cast<T>(iw) / static_cast<T>(fw);
    step_h = static_cast<T>(ih) / static_cast<T>(fh);
  }
  const T offset = static_cast<T>(a.offset);
  T* b = out.data<T>();
  auto put = [&](T cx, T cy, T half_w, T half_h) {
    b[0] = (cx - half_w) / static_cast<T>(iw);
    b[1] = (cy - half_h) / static_cast<T>(ih);
    b[2] = (cx + half_w) / static_cast<T>(iw);
    b[3] = (cy + half_h) / static_cast<T>(ih);
    b += 4;
  };
  for (int64_t h = 0; h < fh; ++h)
    for (int64_t w = 0; w < fw; ++w) {
      const T cx = (static_cast<T>(w) + offset) * step_w;
      const T cy = (static_cast<T>(h) + offset) * step_h;
      for (std::size_t s = 0; s < a.min_sizes.size(); ++s) {
        const float min_size = a.min_sizes[s];
        auto max_square = [&] {
          if (a.max_sizes.empty()) return;
          const T half = static_cast<T>(std::sqrt(min_size * a.max_sizes[s]) / 2.);
          put(cx, cy, half, half);
        };
        auto ratio_box = [&](float ar) {
          put(cx, cy, static_cast<T>(min_size * std::sqrt(ar) / 2.),
              static_cast<T>(min_size / std::sqrt(ar) / 2.));
        };
        if (a.order) {
          const T half = static_cast<T>(min_size / 2.);
          put(cx, cy, half, half);
          max_square();
          for (float ar : a.ratios)
            if (std::fabs(ar - 1.) >= 1e-6) ratio_box(ar);
        } else {
          for (float ar : a.ratios) ratio_box(ar);
          max_square();
        }
      }
    }
  if (a.clip) {
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = std::min<T>(std::max<T>(p[i], 0), 1);
  }
  return out;
}

Status infer_prior_box(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  DETPORT_TRY(require_input(ctx, "Image"));
  DETPORT_ASSIGN(const DType dtype, feature_dtype(ctx, "Input"));
  const Dims& img = ctx.input("Image").dims;
  if (img.size() != 4) return ctx.error("Image must be 4-D");
  DETPORT_ASSIGN(const PriorBoxAttrs a, prior_box_attrs(ctx));
  const Dims& f = ctx.input("Input").dims;
  Tensor boxes = dtype == DType::kFloat32
                     ? prior_boxes<float>(a, f[2], f[3], img[2], img[3], dtype)
                     : prior_boxes<double>(a, f[2], f[3], img[2], img[3], dtype);
  Tensor vars = dtype == DType::kFloat32
                    ? filled_variances<float>(boxes.dims(), a.variances, dtype)
                    : filled_variances<double>(boxes.dims(), a.variances, dtype);
  ctx.set_constant_output("Boxes", 0, std::move(boxes));
  if (ctx.has_output("Variances")) ctx.set_constant_output("Variances", 0, std::move(vars));
  return {};
}

// ---- density_prior_box ----

struct DensityAttrs {
  std::vector<float> fixed_sizes, fixed_ratios, variances;
  std::vector<int64_t> densities;
  bool clip = false, flatten = false;
  float step_w = 0, step_h = 0, offset = 0.5f;
  int64_t priors() const {
    int64_t n = 0;
    for (int64_t d : densities) n += static_cast<int64_t>(fixed_ratios.size()) * d * d;
    return n;
  }
};

Result<DensityAttrs> density_attrs(const InferContext& ctx) {
  const ir::Op& op = ctx.op();
  DensityAttrs a;
  a.fixed_sizes = du::floats(op, "fixed_sizes");
  a.fixed_ratios = du::floats(op, "fixed_ratios");
  a.densities = op.ints_attr("densities");
  a.variances = du::floats(op, "variances", {0.1f, 0.1f, 0.2f, 0.2f});
  a.clip = op.bool_attr("clip", false);
  a.flatten = op.bool_attr("flatten_to_2d", false);
  a.step_w = static_cast<float>(op.float_attr("step_w", 0.0));
  a.step_h = static_cast<float>(op.float_attr("step_h", 0.0));
  a.offset = static_cast<float>(op.float_attr("offset", 0.5));
  if (a.fixed_sizes.size() != a.densities.size())
    return ctx.error(
        fmt::format("{} fixed_sizes for {} densities", a.fixed_sizes.size(), a.densities.size()));
  for (int64_t d : a.densities)
    if (d <= 0) return ctx.error("every density must be positive");
  if (a.step_w < 0 || a.step_h < 0) return ctx.error("step_w and step_h must not be negative");
  DETPORT_TRY(check_variances(ctx, a.variances));
  return a;
}

template <typename T>
Tensor density_boxes(const DensityAttrs& a, int64_t fh, int64_t fw, int64_t ih, int64_t iw,
                     DType dtype) {
  const int64_t priors = a.priors();
  Tensor out =
      Tensor::empty(dtype, a.flatten ? Dims{fh * fw * priors, 4} : Dims{fh, fw, priors, 4});
  T step_w = static_cast<T>(a.step_w), step_h = static_cast<T>(a.step_h);
  if (step_w == 0 || step_h == 0) {
    step_w = static_cast<T>(iw) / static_cast<T>(fw);
    step_h = static_cast<T>(ih) / static_cast<T>(fh);
  }
  const T offset = static_cast<T>(a.offset);
  const int step_average = static_cast<int>((step_w + step_h) * 0.5);
  std::vector<float> sqrt_ratios;
  for (float r : a.fixed_ratios) sqrt_ratios.push_back(std::sqrt(r));
  T* b = out.data<T>();
  for (int64_t h = 0; h < fh; ++h)
    for (int64_t w = 0; w < fw; ++w) {
      const T cx = (static_cast<T>(w) + offset) * step_w;
      const T cy = (static_cast<T>(h) + offset) * step_h;
      for (std::size_t s = 0; s < a.fixed_sizes.size(); ++s) {
        const float size = a.fixed_sizes[s];
        const int density = static_cast<int>(a.densities[s]);
        const int shift = step_average / density;
        for (std::size_t r = 0; r < sqrt_ratios.size(); ++r) {
          const float bw = size * sqrt_ratios[r];
          const float bh = size / sqrt_ratios[r];
          const float dcx = static_cast<float>(cx - step_average / 2. + shift / 2.);
          const float dcy = static_cast<float>(cy - step_average / 2. + shift / 2.);
          for (int di = 0; di < density; ++di)
            for (int dj = 0; dj < density; ++dj) {
              const float x = dcx + static_cast<float>(dj * shift);
              const float y = dcy + static_cast<float>(di * shift);
              b[0] = static_cast<T>(std::max((x - bw / 2.) / static_cast<double>(iw), 0.));
              b[1] = static_cast<T>(std::max((y - bh / 2.) / static_cast<double>(ih), 0.));
              b[2] = static_cast<T>(std::min((x + bw / 2.) / static_cast<double>(iw), 1.));
              b[3] = static_cast<T>(std::min((y + bh / 2.) / static_cast<double>(ih), 1.));
              b += 4;
            }
        }
      }
    }
  if (a.clip) {
    T* p = out.data<T>();
    for (int64_t i = 0; i < out.numel(); ++i) p[i] = std::min<T>(std::max<T>(p[i], 0), 1);
  }
  return out;
}

Status infer_density_prior_box(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  DETPORT_TRY(require_input(ctx, "Image"));
  DETPORT_ASSIGN(const DType dtype, feature_dtype(ctx, "Input"));
  const Dims& img = ctx.input("Image").dims;
  if (img.size() != 4) return ctx.error("Image must be 4-D");
  DETPORT_ASSIGN(const DensityAttrs a, density_attrs(ctx));
  const Dims& f = ctx.input("Input").dims;
  Tensor boxes = dtype == DType::kFloat32
                     ? density_boxes<float>(a, f[2], f[3], img[2], img[3], dtype)
                     : density_boxes<double>(a, f[2], f[3], img[2], img[3], dtype);
  Tensor vars = dtype == DType::kFloat32
                    ? filled_variances<float>(boxes.dims(), a.variances, dtype)
                    : filled_variances<double>(boxes.dims(), a.variances, dtype);
  ctx.set_constant_output("Boxes", 0, std::move(boxes));
  if (ctx.has_output("Variances")) ctx.set_constant_output("Variances", 0, std::move(vars));
  return {};
}

// ---- anchor_generator ----

struct AnchorAttrs {
  std::vector<float> sizes, ratios, variances, stride;
  float offset = 0.5f;
};

Result<AnchorAttrs> anchor_attrs(const InferContext& ctx) {
  const ir::Op& op = ctx.op();
  AnchorAttrs a;
  a.sizes = du::floats(op, "anchor_sizes", {64, 128, 256, 512});
  a.ratios = du::floats(op, "aspect_ratios", {0.5f, 1.0f, 2.0f});
  a.variances = du::floats(op, "variances", {0.1f, 0.1f, 0.2f, 0.2f});
  a.stride = du::floats(op, "stride", {16, 16});
  a.offset = static_cast<float>(op.float_attr("offset", 0.5));
  if (a.sizes.empty() || a.ratios.empty())
    return ctx.error("anchor_sizes and aspect_ratios must not be empty");
  for (float v : a.sizes)
    if (!(v > 0)) return ctx.error("every anchor size must be positive");
  for (float v : a.ratios)
    if (!(v > 0)) return ctx.error("every aspect ratio must be positive");
  if (a.stride.size() != 2 || !(a.stride[0] > 0) || !(a.stride[1] > 0))
    return ctx.error("attribute 'stride' must hold 2 positive values");
  DETPORT_TRY(check_variances(ctx, a.variances));
  return a;
}

template <typename T>
Tensor anchors(const AnchorAttrs& a, int64_t fh, int64_t fw, DType dtype) {
  const int64_t count = static_cast<int64_t>(a.sizes.size() * a.ratios.size());
  Tensor out = Tensor::empty(dtype, {fh, fw, count, 4});
  const T sw = static_cast<T>(a.stride[0]), sh = static_cast<T>(a.stride[1]);
  const T offset = static_cast<T>(a.offset);
  T* b = out.data<T>();
  for (int64_t h = 0; h < fh; ++h)
    for (int64_t w = 0; w < fw; ++w) {
      const T x_ctr = static_cast<T>(w) * sw + offset * (sw - 1);
      const T y_ctr = static_cast<T>(h) * sh + offset * (sh - 1);
      for (float ar : a.ratios)
        for (float size : a.sizes) {
          const T area = sw * sh;
          const T area_ratios = area / static_cast<T>(ar);
          const T base_w = static_cast<T>(std::round(std::sqrt(static_cast<double>(area_ratios))));
          const T base_h = static_cast<T>(std::round(static_cast<double>(base_w * ar)));
          const T width = static_cast<T>(size) / sw * base_w;
          const T height = static_cast<T>(size) / sh * base_h;
          b[0] = static_cast<T>(x_ctr - 0.5 * (width - 1));
          b[1] = static_cast<T>(y_ctr - 0.5 * (height - 1));
          b[2] = static_cast<T>(x_ctr + 0.5 * (width - 1));
          b[3] = static_cast<T>(y_ctr + 0.5 * (height - 1));
          b += 4;
        }
    }
  return out;
}

Status infer_anchor_generator(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  DETPORT_ASSIGN(const DType dtype, feature_dtype(ctx, "Input"));
  DETPORT_ASSIGN(const AnchorAttrs a, anchor_attrs(ctx));
  const Dims& f = ctx.input("Input").dims;
  Tensor boxes = dtype == DType::kFloat32 ? anchors<float>(a, f[2], f[3], dtype)
                                          : anchors<double>(a, f[2], f[3], dtype);
  Tensor vars = dtype == DType::kFloat32
                    ? filled_variances<float>(boxes.dims(), a.variances, dtype)
                    : filled_variances<double>(boxes.dims(), a.variances, dtype);
  ctx.set_constant_output("Anchors", 0, std::move(boxes));
  if (ctx.has_output("Variances")) ctx.set_constant_output("Variances", 0, std::move(vars));
  return {};
}

// The outputs are constants once shapes are known; a kernel only runs when the plan infers the
// node at run time (input dims known only then), and copies what inference computed.
class CopyInferred final : public Kernel {
 public:
  explicit CopyInferred(InferFn infer) : infer_(infer) {}
  Status run(KernelContext& ctx) override {
    // Re-infer on a scratch graph holding this node's input metas.
    Graph g;
    Node n = ctx.node();
    for (auto& s : n.inputs)
      for (auto& v : s.values) {
        const Tensor& t = ctx.input(s.name, static_cast<std::size_t>(&v - s.values.data()));
        v = g.add_value("", t.meta());
        g.value(v).meta_known = true;
      }
    for (auto& s : n.outputs)
      for (auto& v : s.values) v = g.add_value("", {});
    InferContext ic(g, n);
    DETPORT_TRY(infer_(ic));
    for (const auto& s : n.outputs)
      for (std::size_t i = 0; i < s.values.size(); ++i) {
        const Value& v = g.value(s.values[i]);
        if (!v.constant) continue;
        Tensor& out = ctx.output(s.name, i);
        if (out.bytes() != v.constant->bytes()) return ctx.error("output size changed");
        std::memcpy(out.raw(), v.constant->raw(), out.bytes());
      }
    return {};
  }

 private:
  InferFn infer_;
};

template <InferFn kInfer>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<CopyInferred>(kInfer);
}

}  // namespace

void register_detection_priors(OpRegistry& r) {
  OpDef d;
  d.type = "prior_box";
  d.infer = infer_prior_box;
  d.reference = make<infer_prior_box>;
  r.add(d);
  d.type = "density_prior_box";
  d.infer = infer_density_prior_box;
  d.reference = make<infer_density_prior_box>;
  r.add(d);
  d.type = "anchor_generator";
  d.infer = infer_anchor_generator;
  d.reference = make<infer_anchor_generator>;
  r.add(d);
}

}  // namespace detport::runtime::kernels
