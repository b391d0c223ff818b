// batch_norm (BatchNormalization, inference statistics), layer_norm (LayerNormalization at opset
// 17, else ReduceMean/Sub/Mul/Sqrt/Div, which every runtime runs), instance_norm
// (InstanceNormalization) and group_norm (decomposed over [N, groups, -1]).
#include <fmt/format.h>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

Support check_batch_norm(const OpView& v) {
  Support s = require_nchw(v, "data_layout");
  if (!s.reason.empty()) return s;
  if (v.op().has_attr("is_test") && !v.op().bool_attr("is_test", true) &&
      !v.op().bool_attr("use_global_stats", false) &&
      !v.op().bool_attr("trainable_statistics", false))
    return Support::no("training-mode batch_norm (is_test=false): batch statistics at run time");
  return {};
}

Status emit_batch_norm(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string scale, c.in("Scale"));
  DETPORT_ASSIGN(std::string bias, c.in("Bias"));
  DETPORT_ASSIGN(std::string mean, c.in("Mean"));
  DETPORT_ASSIGN(std::string var, c.in("Variance"));
  c.emit1("BatchNormalization", {x, scale, bias, mean, var},
          {attr_f("epsilon", static_cast<float>(c.op().float_attr("epsilon", 1e-5)))}, "Y");
  return {};
}

Support check_layer_norm(const OpView& v) {
  const VarMeta x = v.in_meta("X");
  if (!x.known) return Support::no("the rank of X is not declared");
  const int64_t begin = norm_axis(v.op().int_attr("begin_norm_axis", 1), x.rank());
  if (begin < 0 || begin >= x.rank()) return Support::no("begin_norm_axis out of range");
  if ((v.has_in("Scale") || v.has_in("Bias")) && begin != x.rank() - 1) {
    for (int64_t d = begin; d < x.rank(); ++d)
      if (x.dims[static_cast<std::size_t>(d)] < 0)
        return Support::no("Scale/Bias over several dynamic normalized dims");
  }
  return {};
}

Status emit_layer_norm(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const VarMeta xm = c.in_meta("X");
  const int64_t begin = norm_axis(c.op().int_attr("begin_norm_axis", 1), xm.rank());
  const float eps = static_cast<float>(c.op().float_attr("epsilon", 1e-5));
  auto& g = c.g();
  // Paddle's Scale/Bias are 1-D over the flattened normalized dims.
  std::vector<int64_t> norm_dims(xm.dims.begin() + begin, xm.dims.end());
  auto param = [&](std::string_view slot) -> Result<std::optional<std::string>> {
    if (!c.has_in(slot)) return std::optional<std::string>();
    DETPORT_ASSIGN(std::string p, c.in(slot));
    if (norm_dims.size() > 1) p = g.reshape(p, norm_dims);
    return std::optional<std::string>(p);
  };
  DETPORT_ASSIGN(auto scale, param("Scale"));
  DETPORT_ASSIGN(auto bias, param("Bias"));
  if (c.opset() >= 17) {
    std::vector<std::string> in{x};
    if (!scale) {
      DETPORT_ASSIGN(std::string one, g.typed(xm.dtype, {}, {1.0}));
      // LayerNormalization needs a scale: ones shaped like the normalized dims.
      scale = g.op("Expand", {one, g.shape_slice(x, begin, xm.rank())});
    }
    in.push_back(*scale);
    if (bias) in.push_back(*bias);
    const auto outs =
        g.add("LayerNormalization", in, 1, {attr("axis", begin), attr_f("epsilon", eps)});
    c.set_out("Y", outs.front());
    return {};
  }
  std::vector<int64_t> axes;
  for (int64_t d = begin; d < xm.rank(); ++d) axes.push_back(d);
  const std::string mean = g.reduce("ReduceMean", x, axes, true);
  const std::string d = g.op("Sub", {x, mean});
  const std::string var = g.reduce("ReduceMean", g.op("Mul", {d, d}), axes, true);
  DETPORT_ASSIGN(std::string e, g.typed(xm.dtype, {}, {eps}));
  std::string y = g.op("Div", {d, g.op("Sqrt", {g.op("Add", {var, e})})});
  // OpenCV DNN 4.6 turns a Mul/Add by a constant into its Scale layer, which lines the constant
  // up with the input from axis 1 only (ScaleLayer::forward: total(shape, 1, end) must equal the
  // constant's size; else it asserts in shape_utils.hpp `total`). Normalising over later axes
  // (PP-OCRv5 rec: [N, T, C] over C), the affine step runs on the view [-1, W] (W = the
  // normalized dims' product) and the result is reshaped back, which every runtime computes
  // alike.
  int64_t w = 1;
  for (int64_t n : norm_dims) w = n < 0 || w < 0 ? -1 : w * n;
  const bool flat = begin >= 2 && w > 0 && (scale || bias);
  if (flat) {
    auto flat_param = [&](std::string_view slot) -> Result<std::optional<std::string>> {
      if (!c.has_in(slot)) return std::optional<std::string>();
      DETPORT_ASSIGN(std::string p, c.in(slot));
      return std::optional<std::string>(p);
    };
    DETPORT_ASSIGN(scale, flat_param("Scale"));
    DETPORT_ASSIGN(bias, flat_param("Bias"));
    y = g.reshape(y, {-1, w});
  }
  if (scale) y = g.op("Mul", {y, *scale});
  if (bias) y = g.op("Add", {y, *bias});
  if (flat) y = g.op("Reshape", {y, g.op("Shape", {x})});
  c.set_out("Y", y);
  return {};
}

Support check_channels(const OpView& v) {
  Support s = require_nchw(v, "data_layout");
  if (!s.reason.empty()) return s;
  const VarMeta x = v.in_meta("X");
  if (!x.known || x.rank() < 3 || x.dims[1] < 0)
    return Support::no("needs X declared with rank >= 3 and a static channel dim");
  return {};
}

// Scale or Bias input, or a constant when absent.
Result<std::string> channel_param(MapContext& c, std::string_view slot, double fill) {
  if (c.has_in(slot)) return c.in(slot);
  const VarMeta x = c.in_meta("X");
  return c.g().typed(x.dtype, {x.dims[1]},
                     std::vector<double>(static_cast<std::size_t>(x.dims[1]), fill));
}

Status emit_instance_norm(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string scale, channel_param(c, "Scale", 1.0));
  DETPORT_ASSIGN(std::string bias, channel_param(c, "Bias", 0.0));
  c.emit1("InstanceNormalization", {x, scale, bias},
          {attr_f("epsilon", static_cast<float>(c.op().float_attr("epsilon", 1e-5)))}, "Y");
  return {};
}

Support check_group_norm(const OpView& v) {
  Support s = check_channels(v);
  if (!s.reason.empty()) return s;
  const int64_t groups = v.op().int_attr("groups", 1);
  if (groups <= 0 || v.in_meta("X").dims[1] % groups != 0)
    return Support::no("channels are not a multiple of groups");
  return {};
}

Status emit_group_norm(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const VarMeta xm = c.in_meta("X");
  const int64_t groups = c.op().int_attr("groups", 1);
  auto& g = c.g();
  const std::string grouped = g.op("Reshape", {x, g.i64s({0, groups, -1})});
  const std::string mean = g.reduce("ReduceMean", grouped, {2}, true);
  const std::string d = g.op("Sub", {grouped, mean});
  const std::string var = g.reduce("ReduceMean", g.op("Mul", {d, d}), {2}, true);
  DETPORT_ASSIGN(std::string e, g.typed(xm.dtype, {}, {c.op().float_attr("epsilon", 1e-5)}));
  const std::string normed = g.op("Div", {d, g.op("Sqrt", {g.op("Add", {var, e})})});
  std::string y = g.op("Reshape", {normed, g.op("Shape", {x})});
  std::vector<int64_t> bcast{xm.dims[1]};
  for (int i = 2; i < xm.rank(); ++i) bcast.push_back(1);
  if (c.has_in("Scale")) {
    DETPORT_ASSIGN(std::string s, c.in("Scale"));
    y = g.op("Mul", {y, g.reshape(s, bcast)});
  }
  if (c.has_in("Bias")) {
    DETPORT_ASSIGN(std::string b, c.in("Bias"));
    y = g.op("Add", {y, g.reshape(b, bcast)});
  }
  c.set_out("Y", y);
  return {};
}

}  // namespace

void add_norm_mappers(MapperTable& t) {
  t.add({"batch_norm", emit_batch_norm, check_batch_norm, kMinOpset, kMaxOpset,
         "BatchNormalization", "running mean/variance (inference)"});
  t.add({"sync_batch_norm", emit_batch_norm, check_batch_norm, kMinOpset, kMaxOpset,
         "BatchNormalization", ""});
  t.add({"layer_norm", emit_layer_norm, check_layer_norm, kMinOpset, kMaxOpset,
         "LayerNormalization (17) or ReduceMean, Sub, Mul, Sqrt, Div",
         "1-D Scale/Bias reshaped to the normalized dims"});
  t.add({"instance_norm", emit_instance_norm, check_channels, kMinOpset, kMaxOpset,
         "InstanceNormalization", "absent Scale/Bias become 1/0"});
  t.add({"group_norm", emit_group_norm, check_group_norm, kMinOpset, kMaxOpset,
         "Reshape, ReduceMean, Sub, Mul, Sqrt, Div", ""});
}

}  // namespace detport::onnx_export
