// prior_box (SSD anchors), after Paddle's kernel: for feature cell (h, w) the centre is
// ((w + offset) * step_w, (h + offset) * step_h), step = step_w/step_h or image / feature size,
// and each prior (min sizes x expanded aspect ratios, plus sqrt(min*max) squares, in Paddle's
// order) gives [(cx - bw)/img_w, (cy - bh)/img_h, (cx + bw)/img_w, (cy + bh)/img_h], optionally
// clipped to [0, 1]. Boxes and Variances are [H, W, P, 4]. They depend on shapes only: constants
// when the input and image sizes are declared, else computed from Shape with Range.
#include <fmt/format.h>

#include <cmath>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kF32 = onnx::TensorProto_DataType_FLOAT;

struct Prior {
  float half_w;
  float half_h;
};

// Aspect ratios as Paddle expands them: 1 first, then each new ratio (and 1/ratio with flip).
std::vector<float> expand_ratios(const std::vector<double>& in, bool flip) {
  std::vector<float> out{1.f};
  for (double d : in) {
    const float ar = static_cast<float>(d);
    bool seen = false;
    for (float o : out) seen = seen || std::fabs(ar - o) < 1e-6;
    if (seen) continue;
    out.push_back(ar);
    if (flip) out.push_back(1.f / ar);
  }
  return out;
}

std::vector<Prior> priors(const ir::Op& op) {
  const auto min_sizes = op.floats_attr("min_sizes");
  const auto max_sizes = op.floats_attr("max_sizes");
  const auto ratios = expand_ratios(op.floats_attr("aspect_ratios"), op.bool_attr("flip", false));
  const bool mm_order = op.bool_attr("min_max_aspect_ratios_order", false);
  std::vector<Prior> out;
  auto square = [](double size) {
    const auto h = static_cast<float>(size / 2.);
    return Prior{h, h};
  };
  for (std::size_t s = 0; s < min_sizes.size(); ++s) {
    const float min_size = static_cast<float>(min_sizes[s]);
    auto ratio_prior = [&](float ar) {
      return Prior{static_cast<float>(min_size * std::sqrt(ar) / 2.),
                   static_cast<float>(min_size / std::sqrt(ar) / 2.)};
    };
    if (mm_order) {
      out.push_back(square(min_size));
      if (!max_sizes.empty())
        out.push_back(square(std::sqrt(min_size * static_cast<float>(max_sizes[s]))));
      for (float ar : ratios)
        if (std::fabs(ar - 1.) >= 1e-6) out.push_back(ratio_prior(ar));
    } else {
      for (float ar : ratios) out.push_back(ratio_prior(ar));
      if (!max_sizes.empty())
        out.push_back(square(std::sqrt(min_size * static_cast<float>(max_sizes[s]))));
    }
  }
  return out;
}

Support check(const OpView& v) {
  const auto min_sizes = v.op().floats_attr("min_sizes");
  const auto max_sizes = v.op().floats_attr("max_sizes");
  if (min_sizes.empty()) return Support::no("no min_sizes");
  if (!max_sizes.empty() && max_sizes.size() != min_sizes.size())
    return Support::no("max_sizes and min_sizes differ in length");
  if (v.op().floats_attr("variances").size() != 4)
    return Support::no("variances must have 4 values");
  if (!v.in_meta("Input").known || v.in_meta("Input").rank() != 4 || !v.in_meta("Image").known ||
      v.in_meta("Image").rank() != 4)
    return Support::no("Input and Image must be declared 4-D");
  return {};
}

Status emit(MapContext& c) {
  const ir::Op& op = c.op();
  auto& g = c.g();
  const auto ps = priors(op);
  const int64_t np = static_cast<int64_t>(ps.size());
  std::vector<float> var;
  for (double v : op.floats_attr("variances")) var.push_back(static_cast<float>(v));
  const float step_w_attr = static_cast<float>(op.float_attr("step_w", 0.0));
  const float step_h_attr = static_cast<float>(op.float_attr("step_h", 0.0));
  const float offset = static_cast<float>(op.float_attr("offset", 0.5));
  const bool clip = op.bool_attr("clip", false);
  const VarMeta in = c.in_meta("Input"), image = c.in_meta("Image");

  if (in.dims[2] > 0 && in.dims[3] > 0 && image.dims[2] > 0 && image.dims[3] > 0) {
    const int64_t fh = in.dims[2], fw = in.dims[3];
    const auto img_h = static_cast<float>(image.dims[2]), img_w = static_cast<float>(image.dims[3]);
    float step_w = step_w_attr, step_h = step_h_attr;
    if (step_w == 0 || step_h == 0) {
      step_w = img_w / static_cast<float>(fw);
      step_h = img_h / static_cast<float>(fh);
    }
    std::vector<float> boxes, vars;
    for (int64_t h = 0; h < fh; ++h)
      for (int64_t w = 0; w < fw; ++w) {
        const float cx = (static_cast<float>(w) + offset) * step_w;
        const float cy = (static_cast<float>(h) + offset) * step_h;
        for (const Prior& p : ps) {
          float b[4] = {(cx - p.half_w) / img_w, (cy - p.half_h) / img_h, (cx + p.half_w) / img_w,
                        (cy + p.half_h) / img_h};
          for (float v : b) boxes.push_back(clip ? std::min(std::max(v, 0.f), 1.f) : v);
          vars.insert(vars.end(), var.begin(), var.end());
        }
      }
    c.set_out("Boxes", g.f32s(boxes, {fh, fw, np, 4}));
    c.set_out("Variances", g.f32s(vars, {fh, fw, np, 4}));
    // Known values let the exporter fold the arithmetic Paddle does on the priors (blazeface
    // decodes centres and sizes from them with slice/scale/elementwise ops) into initializers.
    // OpenCV DNN 4.6 folds such constant chains itself and then fails on a Mul of a constant by a
    // constant scalar ("Different shapes case is not supported with constant inputs").
    auto record = [&](std::string_view slot, const std::vector<float>& values) {
      Known k;
      k.dtype = ir::DType::kFloat32;
      k.dims = {fh, fw, np, 4};
      if (static_cast<int64_t>(values.size()) > kMaxKnownElements) return;
      k.v.assign(values.begin(), values.end());
      c.set_known(slot, 0, std::move(k));
    };
    record("Boxes", boxes);
    record("Variances", vars);
    return {};
  }

  DETPORT_ASSIGN(std::string input, c.in("Input"));
  DETPORT_ASSIGN(std::string img, c.in("Image"));
  const std::string fhw = g.shape_slice(input, 2, 4);  // int64 [2]
  const std::string fh = g.take(fhw, 0, 0, false), fw = g.take(fhw, 0, 1, false);
  const std::string ihw = g.cast(g.shape_slice(img, 2, 4), kF32);
  const std::string img_h = g.take(ihw, 0, 0, false), img_w = g.take(ihw, 0, 1, false);
  std::string step_w, step_h;
  if (step_w_attr == 0 || step_h_attr == 0) {
    step_w = g.op("Div", {img_w, g.cast(fw, kF32)});
    step_h = g.op("Div", {img_h, g.cast(fh, kF32)});
  } else {
    step_w = g.f32(step_w_attr);
    step_h = g.f32(step_h_attr);
  }
  auto centres = [&](const std::string& n, const std::string& step) {
    const std::string r = g.cast(g.op("Range", {g.i64(0), n, g.i64(1)}), kF32);
    return g.op("Mul", {g.op("Add", {r, g.f32(offset)}), step});
  };
  const std::string cx = g.reshape(centres(fw, step_w), {1, -1, 1});  // [1, W, 1]
  const std::string cy = g.reshape(centres(fh, step_h), {-1, 1, 1});  // [H, 1, 1]
  std::vector<float> hw, hh;
  for (const Prior& p : ps) {
    hw.push_back(p.half_w);
    hh.push_back(p.half_h);
  }
  const std::string half_w = g.f32s(hw, {1, 1, np}), half_h = g.f32s(hh, {1, 1, np});
  const std::string shape = g.concat({g.unsqueeze(fh, {0}), g.unsqueeze(fw, {0}), g.i64s({np})}, 0);
  auto coord = [&](const char* op_type, const std::string& centre, const std::string& half,
                   const std::string& size) {
    std::string v = g.op("Div", {g.op(op_type, {centre, half}), size});
    if (clip) v = g.op("Max", {g.op("Min", {v, g.f32(1.f)}), g.f32(0.f)});
    return g.unsqueeze(g.op("Expand", {v, shape}), {3});
  };
  const std::string boxes = g.op("Concat",
                                 {coord("Sub", cx, half_w, img_w), coord("Sub", cy, half_h, img_h),
                                  coord("Add", cx, half_w, img_w), coord("Add", cy, half_h, img_h)},
                                 {attr("axis", int64_t{3})});
  c.set_out("Boxes", boxes);
  const std::string shape4 = g.concat({shape, g.i64s({4})}, 0);
  c.set_out("Variances", g.op("Expand", {g.f32s(var), shape4}));
  return {};
}

}  // namespace

void add_prior_box_mappers(MapperTable& t) {
  t.add({"prior_box", emit, check, kMinOpset, kMaxOpset,
         "initializers (static sizes), else Shape, Range, Mul, Add, Div, Expand, Concat",
         "constant-folded when the feature and image sizes are declared"});
}

}  // namespace detport::onnx_export
