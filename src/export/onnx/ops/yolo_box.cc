// yolo_box decomposed into ONNX ops, following Paddle's kernel (phi yolo_box, funcs/
// yolo_box_util.h) for anchor a at grid cell (k, l) of an H x W map:
//   conf  = sigmoid(obj)                      (iou_aware: conf^(1-f) * sigmoid(iou)^f)
//   cx    = (l + sigmoid(tx) * scale_x_y + bias) * img_w / W,  bias = -0.5 (scale_x_y - 1)
//   cy    = (k + sigmoid(ty) * scale_x_y + bias) * img_h / H
//   w     = exp(tw) * anchor_w[a] * img_w / (downsample_ratio * W), h likewise
//   box   = [cx - w/2, cy - h/2, cx + w/2, cy + h/2], clip_bbox: to [0, img_w - 1] x [0, img_h - 1]
//   score = conf * sigmoid(class logits)
// and both are 0 where conf < conf_thresh (multiplied by a 0/1 mask: a box whose exp() overflowed
// to inf gives NaN there instead of 0). Boxes [N, A*H*W, 4] and Scores [N, A*H*W, C] are
// ordered anchor, row, column. img_h/img_w come from ImgSize [N, 2] (int32 h, w).
#include <fmt/format.h>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kF32 = onnx::TensorProto_DataType_FLOAT;

Support check(const OpView& v) {
  const VarMeta x = v.in_meta("X");
  const auto anchors = v.op().ints_attr("anchors");
  if (anchors.empty() || anchors.size() % 2 != 0) return Support::no("anchors must come in pairs");
  const int64_t an = static_cast<int64_t>(anchors.size() / 2);
  const int64_t cls = v.op().int_attr("class_num", 0);
  const bool iou = v.op().bool_attr("iou_aware", false);
  if (!x.known || x.rank() != 4) return Support::no("X must be declared 4-D");
  if (x.dims[1] >= 0 && x.dims[1] != an * (5 + cls + (iou ? 1 : 0)))
    return Support::no(fmt::format("X has {} channels, expected {} anchors x ({} + {})", x.dims[1],
                                   an, iou ? 6 : 5, cls));
  if (v.op().string_attr("data_format", "NCHW") == "NHWC") return Support::no("NHWC input");
  return {};
}

Status emit(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string img, c.in("ImgSize"));
  auto& g = c.g();
  const ir::Op& op = c.op();
  const auto anchors = op.ints_attr("anchors");
  const int64_t an = static_cast<int64_t>(anchors.size() / 2);
  const int64_t cls = op.int_attr("class_num", 0);
  const float conf_thresh = static_cast<float>(op.float_attr("conf_thresh", 0.01));
  const int64_t ratio = op.int_attr("downsample_ratio", 32);
  const bool clip = op.bool_attr("clip_bbox", true);
  const float scale = static_cast<float>(op.float_attr("scale_x_y", 1.0));
  const float bias = -0.5f * (scale - 1.f);
  const bool iou_aware = op.bool_attr("iou_aware", false);
  const float iou_factor = static_cast<float>(op.float_attr("iou_aware_factor", 0.5));
  const VarMeta xm = c.in_meta("X");

  // Everything is laid out [N, K] with K = A*H*W in Paddle's output order (anchor, row,
  // column), so each broadcast is along one axis: OpenCV DNN 4.6 handles no other kind.
  std::string iou;
  if (iou_aware) {
    iou = g.reshape(g.slice(x, {0}, {an}, {1}), {0, -1});  // [N, K]
    x = g.slice(x, {an}, {an * (6 + cls)}, {1});
  }
  const std::string p = g.reshape(x, {0, an, 5 + cls, -1});  // [N, A, 5+C, HW]
  auto part = [&](int64_t i) { return g.reshape(g.slice(p, {i}, {i + 1}, {2}), {0, -1}); };
  const std::string tx = part(0), ty = part(1), tw = part(2), th = part(3), obj = part(4);
  const std::string logits = g.reshape(g.op("Transpose", {g.slice(p, {5}, {5 + cls}, {2})},
                                            {attr("perm", std::vector<int64_t>{0, 1, 3, 2})}),
                                       {0, -1, cls});  // [N, K, C]

  // Per-position constants [1, K]: grid column, grid row, anchor width and height.
  std::vector<float> aw, ah;
  for (int64_t a = 0; a < an; ++a) {
    aw.push_back(static_cast<float>(anchors[static_cast<std::size_t>(2 * a)]));
    ah.push_back(static_cast<float>(anchors[static_cast<std::size_t>(2 * a + 1)]));
  }
  std::string gx, gy, anchor_w, anchor_h, grid_w, grid_h;
  if (xm.dims[2] > 0 && xm.dims[3] > 0) {
    const int64_t h = xm.dims[2], w = xm.dims[3];
    std::vector<float> vx, vy, vw, vh;
    for (int64_t a = 0; a < an; ++a)
      for (int64_t k = 0; k < h; ++k)
        for (int64_t l = 0; l < w; ++l) {
          vx.push_back(static_cast<float>(l));
          vy.push_back(static_cast<float>(k));
          vw.push_back(aw[static_cast<std::size_t>(a)]);
          vh.push_back(ah[static_cast<std::size_t>(a)]);
        }
    const int64_t k = an * h * w;
    gx = g.f32s(vx, {1, k});
    gy = g.f32s(vy, {1, k});
    anchor_w = g.f32s(vw, {1, k});
    anchor_h = g.f32s(vh, {1, k});
    grid_w = g.f32(static_cast<float>(w));
    grid_h = g.f32(static_cast<float>(h));
  } else {
    const std::string hw = g.cast(g.shape_slice(x, 2, 4), kF32);  // [2] = H, W
    grid_h = g.take(hw, 0, 0, false);
    grid_w = g.take(hw, 0, 1, false);
    const std::string r = g.op("Range", {g.f32(0.f), g.op("Mul", {grid_h, grid_w}), g.f32(1.f)});
    const std::string row = g.op("Floor", {g.op("Div", {r, grid_w})});
    const std::string col = g.op("Sub", {r, g.op("Mul", {row, grid_w})});
    const std::string cells = g.shape_slice(r, 0, 1);                      // [1] = HW
    const std::string per_anchor = g.concat({g.i64s({1, an}), cells}, 0);  // [1, A, HW]
    auto tile = [&](const std::string& v) {
      return g.reshape(g.op("Expand", {g.reshape(v, {1, 1, -1}), per_anchor}), {1, -1});
    };
    gx = tile(col);
    gy = tile(row);
    anchor_w = g.reshape(g.op("Expand", {g.f32s(aw, {1, an, 1}), per_anchor}), {1, -1});
    anchor_h = g.reshape(g.op("Expand", {g.f32s(ah, {1, an, 1}), per_anchor}), {1, -1});
  }
  // Image sizes as [N, K] (times a row of ones: OpenCV DNN 4.6 cannot broadcast a variable
  // [1, 1] against [1, K]; the product is exact).
  const std::string imgf = g.cast(img, kF32);
  auto per_position = [&](int64_t i) {
    const std::string v = g.take(imgf, 1, i, true);  // [N, 1]
    if (xm.dims[2] > 0 && xm.dims[3] > 0)
      return g.op("MatMul",
                  {v, g.f32s(std::vector<float>(
                                 static_cast<std::size_t>(an * xm.dims[2] * xm.dims[3]), 1.f),
                             {1, an * xm.dims[2] * xm.dims[3]})});
    return g.op("Mul", {v, g.op("ConstantOfShape", {g.op("Shape", {tx})}, {attr("value", [] {
                                  onnx::TensorProto t;
                                  t.set_data_type(kF32);
                                  t.add_dims(1);
                                  t.add_float_data(1.f);
                                  return t;
                                }())})});
  };
  const std::string img_h = per_position(0);
  const std::string img_w = per_position(1);

  auto center = [&](const std::string& t, const std::string& grid, const std::string& size,
                    const std::string& cells) {
    std::string v = g.op("Sigmoid", {t});
    if (scale != 1.f) v = g.op("Mul", {v, g.f32(scale)});
    v = g.op("Add", {v, grid});
    if (bias != 0.f) v = g.op("Add", {v, g.f32(bias)});
    return g.op("Div", {g.op("Mul", {v, size}), cells});
  };
  const std::string cx = center(tx, gx, img_w, grid_w);
  const std::string cy = center(ty, gy, img_h, grid_h);
  const std::string ratio_f = g.f32(static_cast<float>(ratio));
  auto extent = [&](const std::string& t, const std::string& anchor, const std::string& size,
                    const std::string& cells) {
    const std::string v = g.op("Mul", {g.op("Exp", {t}), anchor});
    return g.op("Div", {g.op("Mul", {v, size}), g.op("Mul", {ratio_f, cells})});
  };
  const std::string bw = extent(tw, anchor_w, img_w, grid_w);
  const std::string bh = extent(th, anchor_h, img_h, grid_h);
  const std::string half = g.f32(2.f);
  std::string x1 = g.op("Sub", {cx, g.op("Div", {bw, half})});
  std::string y1 = g.op("Sub", {cy, g.op("Div", {bh, half})});
  std::string x2 = g.op("Add", {cx, g.op("Div", {bw, half})});
  std::string y2 = g.op("Add", {cy, g.op("Div", {bh, half})});
  if (clip) {
    const std::string one = g.f32(1.f);
    x1 = g.op("Relu", {x1});  // max(x, 0)
    y1 = g.op("Relu", {y1});
    x2 = g.op("Min", {x2, g.op("Sub", {img_w, one})});
    y2 = g.op("Min", {y2, g.op("Sub", {img_h, one})});
  }

  std::string conf = g.op("Sigmoid", {obj});
  if (iou_aware) {
    conf = g.op("Mul", {g.op("Pow", {conf, g.f32(1.f - iou_factor)}),
                        g.op("Pow", {g.op("Sigmoid", {iou}), g.f32(iou_factor)})});
  }
  // keep = conf >= conf_thresh as 0/1: sign(sign(conf - t) + 1) (a float difference is negative
  // exactly when conf < t). Arithmetic instead of Where/Less: OpenCV DNN 4.6 has neither.
  const std::string keep = g.op(
      "Sign", {g.op("Add", {g.op("Sign", {g.op("Sub", {conf, g.f32(conf_thresh)})}), g.f32(1.f)})});
  const std::string keep3 = g.unsqueeze(keep, {2});  // [N, K, 1]
  const std::string box =
      g.op("Concat",
           {g.unsqueeze(x1, {2}), g.unsqueeze(y1, {2}), g.unsqueeze(x2, {2}), g.unsqueeze(y2, {2})},
           {attr("axis", int64_t{2})});
  const std::string boxes = g.op("Mul", {box, keep3});
  const std::string scores =
      g.op("Mul", {g.op("Sigmoid", {logits}), g.unsqueeze(g.op("Mul", {conf, keep}), {2})});
  c.set_out("Boxes", boxes);
  c.set_out("Scores", scores);
  return {};
}

}  // namespace

void add_yolo_box_mappers(MapperTable& t) {
  t.add({"yolo_box", emit, check, kMinOpset, kMaxOpset,
         "Reshape, Slice, Sigmoid, Exp, Mul, Div, Max/Min, Where, Concat, Transpose",
         "decomposed: conf_thresh zeroes boxes and scores, clip_bbox to img-1, scale_x_y, "
         "iou_aware; static H, W give a constant grid, dynamic ones a Range"});
}

}  // namespace detport::onnx_export
