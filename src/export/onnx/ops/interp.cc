// nearest_interp, bilinear_interp (v1) and nearest_interp_v2, bilinear_interp_v2,
// bicubic_interp_v2 -> Resize. Paddle's source coordinates:
//   nearest, align_corners:  round(dst * (in-1)/(out-1))   -> align_corners + round_prefer_ceil
//   nearest, otherwise:      floor(dst * ratio)            -> asymmetric + floor
//   linear, align_corners:   dst * (in-1)/(out-1)          -> align_corners
//   linear, align_mode 0:    (dst+0.5) * ratio - 0.5, >= 0 -> half_pixel
//   linear, align_mode 1:    dst * ratio                   -> asymmetric
// where ratio is 1/scale when v2 was given a scale, else in/out (v1 always uses in/out). ONNX's
// `scales` give x/scale, its `sizes` give x*in/out, so a scale becomes `scales` (a static graph,
// which OpenCV DNN needs) and an output size becomes `scales` when out/in is exact in float,
// else `sizes`.
#include <fmt/format.h>

#include <cmath>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kI64 = onnx::TensorProto_DataType_INT64;
constexpr int32_t kF32 = onnx::TensorProto_DataType_FLOAT;

std::string method_of(const ir::Op& op) {
  std::string m = op.string_attr("interp_method", "");
  if (!m.empty()) return m;
  if (op.type.rfind("nearest", 0) == 0) return "nearest";
  if (op.type.rfind("bicubic", 0) == 0) return "bicubic";
  return "bilinear";
}

bool is_v2(const ir::Op& op) {
  return op.type.size() > 3 && op.type.compare(op.type.size() - 3, 3, "_v2") == 0;
}

Support check(const OpView& v) {
  Support s = require_nchw(v, "data_layout");
  if (!s.reason.empty()) return s;
  const std::string m = method_of(v.op());
  if (m != "nearest" && m != "bilinear" && m != "bicubic")
    return Support::no(fmt::format("interp_method '{}'", m));
  const VarMeta x = v.in_meta("X");
  if (x.known && x.rank() != 4) return Support::no("only 2-D (4-D input) interpolation");
  return {};
}

// The scale Paddle uses (h, w), when it uses one.
std::optional<std::pair<double, double>> scale_of(MapContext& c) {
  if (c.has_in("SizeTensor")) return std::nullopt;
  if (c.has_in("Scale")) {
    const Known* k = c.known("Scale");
    if (k == nullptr || !k->full() || k->v.empty()) return std::nullopt;
    const auto v = k->values();
    return std::pair{v[0], v.size() > 1 ? v[1] : v[0]};
  }
  if (is_v2(c.op())) {
    const auto v = c.op().floats_attr("scale");
    if (v.size() >= 2 && v[0] > 0 && v[1] > 0) return std::pair{v[0], v[1]};
    if (v.size() == 1 && v[0] > 0) return std::pair{v[0], v[0]};
  } else {
    const double s = c.op().float_attr("scale", 0.0);
    if (s > 0) return std::pair{s, s};
  }
  return std::nullopt;
}

// The output size when it is given (attributes, or OutSize/SizeTensor known at export time).
std::optional<std::pair<int64_t, int64_t>> size_of(MapContext& c) {
  if (auto s = c.int_list("", "", "SizeTensor"); s && s->size() == 2)
    return std::pair{(*s)[0], (*s)[1]};
  if (auto s = c.int_list("", "OutSize"); s && s->size() == 2) return std::pair{(*s)[0], (*s)[1]};
  if (c.has_in("SizeTensor") || c.has_in("OutSize")) return std::nullopt;
  const int64_t h = c.op().int_attr("out_h", -1), w = c.op().int_attr("out_w", -1);
  if (h > 0 && w > 0) return std::pair{h, w};
  return std::nullopt;
}

// Would Resize with scales `s` produce `out` from `in` (float math, as runtimes do)?
bool exact(int64_t in, int64_t out, float s) {
  return static_cast<int64_t>(std::floor(static_cast<float>(in) * s)) == out &&
         static_cast<float>(out) / static_cast<float>(in) == s;
}

Status emit(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto& g = c.g();
  const VarMeta xm = c.in_meta("X");
  const std::string method = method_of(c.op());
  const bool align = c.op().bool_attr("align_corners", !is_v2(c.op()));
  const int64_t align_mode = c.op().int_attr("align_mode", is_v2(c.op()) ? 0 : 1);
  Attrs attrs;
  if (method == "nearest") {
    attrs.push_back(attr("mode", std::string("nearest")));
    attrs.push_back(attr("coordinate_transformation_mode",
                         std::string(align ? "align_corners" : "asymmetric")));
    attrs.push_back(attr("nearest_mode", std::string(align ? "round_prefer_ceil" : "floor")));
  } else {
    attrs.push_back(attr("mode", std::string(method == "bilinear" ? "linear" : "cubic")));
    std::string ctm = "half_pixel";
    if (align)
      ctm = "align_corners";
    else if (method == "bilinear" && align_mode == 1)
      ctm = "asymmetric";
    attrs.push_back(attr("coordinate_transformation_mode", ctm));
    if (method == "bicubic") attrs.push_back(attr_f("cubic_coeff_a", -0.75f));
  }
  const std::string roi = g.empty_f32();
  const bool static_hw = xm.known && xm.rank() == 4 && xm.dims[2] > 0 && xm.dims[3] > 0;
  auto scale = scale_of(c);
  auto size = size_of(c);
  std::string scales, sizes;
  if (size) {
    // An explicit size wins over a scale; Paddle then still uses 1/scale as ratio when given
    // both (ONNX uses in/out: the same unless they disagree).
    if (static_hw) {
      const float sh = static_cast<float>((*size).first) / static_cast<float>(xm.dims[2]);
      const float sw = static_cast<float>((*size).second) / static_cast<float>(xm.dims[3]);
      if (exact(xm.dims[2], size->first, sh) && exact(xm.dims[3], size->second, sw))
        scales = g.f32s({1.f, 1.f, sh, sw});
    }
    if (scales.empty())
      sizes = g.concat({g.shape_slice(x, 0, 2), g.i64s({size->first, size->second})}, 0);
  } else if (scale) {
    const bool integral =
        std::floor(scale->first) == scale->first && std::floor(scale->second) == scale->second;
    if (is_v2(c.op()) || integral || align) {
      scales =
          g.f32s({1.f, 1.f, static_cast<float>(scale->first), static_cast<float>(scale->second)});
    } else {
      // v1 with a fractional scale: out = floor(in * scale), ratio in/out: pass the sizes.
      const std::string hw = g.cast(g.shape_slice(x, 2, 4), kF32);
      const std::string out_hw =
          g.cast(g.op("Floor", {g.op("Mul", {hw, g.f32s({static_cast<float>(scale->first),
                                                         static_cast<float>(scale->second)})})}),
                 kI64);
      sizes = g.concat({g.shape_slice(x, 0, 2), out_hw}, 0);
    }
  } else {
    // A size only known at run time.
    std::string hw;
    if (c.has_in("SizeTensor")) {
      std::vector<std::string> parts;
      for (std::size_t i = 0; i < c.in_count("SizeTensor"); ++i) {
        DETPORT_ASSIGN(std::string p, c.in("SizeTensor", i));
        parts.push_back(g.reshape(g.cast(p, kI64), {-1}));
      }
      hw = g.concat(parts, 0);
    } else if (c.has_in("OutSize")) {
      DETPORT_ASSIGN(hw, c.in("OutSize"));
      hw = g.reshape(g.cast(hw, kI64), {-1});
    } else if (c.has_in("Scale")) {
      DETPORT_ASSIGN(std::string s, c.in("Scale"));
      s = g.cast(g.reshape(s, {-1}), kF32);
      // A one-element Scale applies to both dims.
      s = g.op("Expand", {s, g.i64s({2})});
      const std::string in_hw = g.cast(g.shape_slice(x, 2, 4), kF32);
      hw = g.cast(g.op("Floor", {g.op("Mul", {in_hw, s})}), kI64);
    } else {
      return c.error("no output size or scale (out_h/out_w, scale, OutSize, SizeTensor, Scale)");
    }
    sizes = g.concat({g.shape_slice(x, 0, 2), hw}, 0);
  }
  std::vector<std::string> in{x, roi, scales.empty() ? g.empty_f32() : scales};
  if (!sizes.empty()) in.push_back(sizes);
  c.emit1("Resize", in, attrs);
  return {};
}

}  // namespace

void add_interp_mappers(MapperTable& t) {
  const char* notes =
      "nearest: align_corners+round_prefer_ceil or asymmetric+floor; bilinear: align_corners, "
      "half_pixel (align_mode 0) or asymmetric (align_mode 1); scale -> scales, out size -> "
      "scales when exact else sizes";
  for (const char* type : {"nearest_interp", "bilinear_interp", "nearest_interp_v2",
                           "bilinear_interp_v2", "bicubic_interp_v2", "bicubic_interp"})
    t.add({type, emit, check, kMinOpset, kMaxOpset, "Resize", notes});
}

}  // namespace detport::onnx_export
