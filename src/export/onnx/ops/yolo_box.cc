// yolo_box decomposed into ONNX ops, following Paddle's kernel (phi yolo_box, funcs/
// yolo_box_util.h) for anchor a at grid cell (k, l) of an H x W map:
//   conf  = sigmoid(obj)                      (iou_aware: conf^(1-f) * sigmoid(iou)^f)
//   cx    = (l + sigmoid(tx) * scale_x_y + bias) * img_w / W,  bias = -0.5 (scale_x_y - 1)
//   cy    = (k + sigmoid(ty) * scale_x_y + bias) * img_h / H
//   w     = exp(tw) * anchor_w[a] * img_w / (downsample_ratio * W), h likewise
//   box   = [cx - w/2, cy - h/2, cx + w/2, cy + h/2], clip_bbox: to [0, img_w - 1] x [0, img_h - 1]
//   score = conf * sigmoid(class logits)
// and both are 0 where conf < conf_thresh. Boxes [N, A*H*W, 4] and Scores [N, A*H*W, C] are
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

  std::string iou;
  if (iou_aware) {
    iou = g.reshape(g.slice(x, {0}, {an}, {1}), {0, an, 1, -1});  // [N, A, 1, HW]
    x = g.slice(x, {an}, {an * (6 + cls)}, {1});
  }
  const std::string p = g.reshape(x, {0, an, 5 + cls, -1});  // [N, A, 5+C, HW]
  auto part = [&](int64_t from, int64_t to) { return g.slice(p, {from}, {to}, {2}); };
  const std::string tx = part(0, 1), ty = part(1, 2), tw = part(2, 3), th = part(3, 4);
  const std::string obj = part(4, 5), logits = part(5, 5 + cls);

  // Grid coordinates of every cell, flattened row-major: [HW] as [1, 1, 1, HW].
  std::string gx, gy, grid_w, grid_h;
  if (xm.dims[2] > 0 && xm.dims[3] > 0) {
    const int64_t h = xm.dims[2], w = xm.dims[3];
    std::vector<float> vx, vy;
    for (int64_t k = 0; k < h; ++k)
      for (int64_t l = 0; l < w; ++l) {
        vx.push_back(static_cast<float>(l));
        vy.push_back(static_cast<float>(k));
      }
    gx = g.f32s(vx, {1, 1, 1, h * w});
    gy = g.f32s(vy, {1, 1, 1, h * w});
    grid_w = g.f32(static_cast<float>(w));
    grid_h = g.f32(static_cast<float>(h));
  } else {
    const std::string hw = g.cast(g.shape_slice(x, 2, 4), kF32);  // [2] = H, W
    grid_h = g.take(hw, 0, 0, false);
    grid_w = g.take(hw, 0, 1, false);
    const std::string cells = g.op("Mul", {grid_h, grid_w});
    const std::string r = g.op("Range", {g.f32(0.f), cells, g.f32(1.f)});
    gy = g.reshape(g.op("Floor", {g.op("Div", {r, grid_w})}), {1, 1, 1, -1});
    gx = g.reshape(
        g.op("Sub", {r, g.op("Mul", {g.op("Floor", {g.op("Div", {r, grid_w})}), grid_w})}),
        {1, 1, 1, -1});
  }
  // Image sizes [N, 1, 1, 1].
  const std::string imgf = g.cast(img, kF32);
  const std::string img_h = g.reshape(g.take(imgf, 1, 0, true), {-1, 1, 1, 1});
  const std::string img_w = g.reshape(g.take(imgf, 1, 1, true), {-1, 1, 1, 1});

  auto center = [&](const std::string& t, const std::string& grid, const std::string& size,
                    const std::string& cells) {
    std::string v = g.op("Sigmoid", {t});
    if (scale != 1.f) v = g.op("Mul", {v, g.f32(scale)});
    v = g.op("Add", {grid, v});
    if (bias != 0.f) v = g.op("Add", {v, g.f32(bias)});
    return g.op("Div", {g.op("Mul", {v, size}), cells});
  };
  const std::string cx = center(tx, gx, img_w, grid_w);
  const std::string cy = center(ty, gy, img_h, grid_h);
  std::vector<float> aw, ah;
  for (int64_t a = 0; a < an; ++a) {
    aw.push_back(static_cast<float>(anchors[static_cast<std::size_t>(2 * a)]));
    ah.push_back(static_cast<float>(anchors[static_cast<std::size_t>(2 * a + 1)]));
  }
  const std::string ratio_f = g.f32(static_cast<float>(ratio));
  auto extent = [&](const std::string& t, const std::vector<float>& anchor, const std::string& size,
                    const std::string& cells) {
    const std::string v = g.op("Mul", {g.op("Exp", {t}), g.f32s(anchor, {1, an, 1, 1})});
    return g.op("Div", {g.op("Mul", {v, size}), g.op("Mul", {ratio_f, cells})});
  };
  const std::string bw = extent(tw, aw, img_w, grid_w);
  const std::string bh = extent(th, ah, img_h, grid_h);
  const std::string half = g.f32(2.f);
  std::string x1 = g.op("Sub", {cx, g.op("Div", {bw, half})});
  std::string y1 = g.op("Sub", {cy, g.op("Div", {bh, half})});
  std::string x2 = g.op("Add", {cx, g.op("Div", {bw, half})});
  std::string y2 = g.op("Add", {cy, g.op("Div", {bh, half})});
  if (clip) {
    const std::string zero = g.f32(0.f), one = g.f32(1.f);
    x1 = g.op("Max", {x1, zero});
    y1 = g.op("Max", {y1, zero});
    x2 = g.op("Min", {x2, g.op("Sub", {img_w, one})});
    y2 = g.op("Min", {y2, g.op("Sub", {img_h, one})});
  }

  std::string conf = g.op("Sigmoid", {obj});
  if (iou_aware) {
    conf = g.op("Mul", {g.op("Pow", {conf, g.f32(1.f - iou_factor)}),
                        g.op("Pow", {g.op("Sigmoid", {iou}), g.f32(iou_factor)})});
  }
  const std::string keep = g.op("Not", {g.op("Less", {conf, g.f32(conf_thresh)})});
  const std::string zero = g.f32(0.f);
  const std::string box =
      g.op("Where", {keep, g.op("Concat", {x1, y1, x2, y2}, {attr("axis", int64_t{2})}), zero});
  const std::string boxes = g.reshape(
      g.op("Transpose", {box}, {attr("perm", std::vector<int64_t>{0, 1, 3, 2})}), {0, -1, 4});
  const std::string score =
      g.op("Where", {keep, g.op("Mul", {conf, g.op("Sigmoid", {logits})}), zero});
  const std::string scores = g.reshape(
      g.op("Transpose", {score}, {attr("perm", std::vector<int64_t>{0, 1, 3, 2})}), {0, -1, cls});
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
