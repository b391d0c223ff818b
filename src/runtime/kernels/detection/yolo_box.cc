// yolo_box: decodes a YOLOv3 head output X [N, A*(5+C), H, W] (A anchors; with iou_aware an extra
// A IoU channels come first: [N, A*(6+C), H, W]) into Boxes [N, A*H*W, 4] (x1, y1, x2, y2 in pixels
// of ImgSize [N, 2] = (height, width), int32) and Scores [N, A*H*W, C].
//
// Paddle's definition (paddle/phi/kernels/cpu/yolo_box_kernel.cc, funcs/yolo_box_util.h), in T
// arithmetic with the same operation order:
//   conf = sigmoid(t_obj); with iou_aware conf = conf^(1-f) * sigmoid(t_iou)^f
//   when conf < conf_thresh the box and its scores stay 0; otherwise
//   cx = (col + sigmoid(tx) * scale_x_y + bias) * img_w / W,  bias = -0.5 * (scale_x_y - 1)
//   cy = (row + sigmoid(ty) * scale_x_y + bias) * img_h / H
//   w = exp(tw) * anchor_w * img_w / (downsample_ratio * W), h likewise
//   box = (cx - w/2, cy - h/2, cx + w/2, cy + h/2), clipped to [0, img_w-1] x [0, img_h-1] when
//   clip_bbox; score[c] = conf * sigmoid(t_c)
// with sigmoid(x) = 1.0 / (1.0 + exp(-x)) evaluated in double around a T exp, as Paddle does.
// Box k of an image is anchor a, cell (row, col): k = a*H*W + row*W + col.
#include <cmath>

#include "runtime/kernels/detection/detection_util.h"

namespace detport::runtime::kernels {
namespace {

namespace du = detection_util;

struct YoloParams {
  std::vector<int64_t> anchors;
  int64_t class_num = 0;
  float conf_thresh = 0;
  int64_t downsample_ratio = 0;
  bool clip_bbox = true;
  float scale_x_y = 1.0f;
  bool iou_aware = false;
  float iou_aware_factor = 0.5f;
};

Result<YoloParams> yolo_params(const ir::Op& op) {
  YoloParams p;
  p.anchors = op.ints_attr("anchors");
  if (p.anchors.empty() || p.anchors.size() % 2 != 0)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("attribute 'anchors' must hold (width, height) pairs; it has {} "
                                  "values",
                                  p.anchors.size()));
  DETPORT_ASSIGN(const int class_num, du::required_int(op, "class_num"));
  p.class_num = class_num;
  if (p.class_num <= 0)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("attribute 'class_num' must be positive, got {}", p.class_num));
  DETPORT_ASSIGN(p.conf_thresh, du::required_float(op, "conf_thresh"));
  DETPORT_ASSIGN(const int ratio, du::required_int(op, "downsample_ratio"));
  p.downsample_ratio = ratio;
  if (p.downsample_ratio <= 0)
    return make_error(ErrorCode::kInvalidInput, "attribute 'downsample_ratio' must be positive");
  p.clip_bbox = op.bool_attr("clip_bbox", true);
  p.scale_x_y = static_cast<float>(op.float_attr("scale_x_y", 1.0));
  if (p.scale_x_y <= 0)
    return make_error(ErrorCode::kInvalidInput, "attribute 'scale_x_y' must be positive");
  p.iou_aware = op.bool_attr("iou_aware", false);
  p.iou_aware_factor = static_cast<float>(op.float_attr("iou_aware_factor", 0.5));
  if (p.iou_aware && (p.iou_aware_factor < 0 || p.iou_aware_factor > 1))
    return make_error(ErrorCode::kInvalidInput, "attribute 'iou_aware_factor' must be in [0, 1]");
  return p;
}

Status check_shapes(const YoloParams& p, const TensorMeta& x, const TensorMeta& img,
                    const std::function<Error(std::string)>& error) {
  if (x.dims.size() != 4)
    return error(fmt::format("X must be 4-D, got {}", dims_to_string(x.dims)));
  if (!du::is_float_type(x.dtype)) return error("X must be float32 or float64");
  const int64_t an = static_cast<int64_t>(p.anchors.size() / 2);
  const int64_t want = an * (5 + p.class_num + (p.iou_aware ? 1 : 0));
  if (x.dims[1] != want)
    return error(fmt::format("X has {} channels; {} anchors x (5{} + class_num {}) = {} expected",
                             x.dims[1], an, p.iou_aware ? " + 1 IoU" : "", p.class_num, want));
  if (img.dims.size() != 2 || img.dims[1] != 2 || img.dims[0] != x.dims[0])
    return error(fmt::format("ImgSize must be [N, 2] with N = {}, got {}", x.dims[0],
                             dims_to_string(img.dims)));
  if (!du::is_int_type(img.dtype)) return error("ImgSize must be int32 (or int64)");
  return {};
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "ImgSize"));
  auto p = yolo_params(ctx.op());
  if (!p.ok()) return ctx.error(p.error().message);
  const TensorMeta& x = ctx.input("X");
  DETPORT_TRY(check_shapes(*p, x, ctx.input("ImgSize"),
                           [&](std::string m) { return ctx.error(std::move(m)); }));
  const int64_t boxes = static_cast<int64_t>(p->anchors.size() / 2) * x.dims[2] * x.dims[3];
  ctx.set_output("Boxes", {x.dtype, {x.dims[0], boxes, 4}});
  ctx.set_output("Scores", {x.dtype, {x.dims[0], boxes, p->class_num}});
  return {};
}

template <typename T>
T sigmoid(T x) {
  return static_cast<T>(1.0 / (1.0 + std::exp(-x)));
}

template <typename T>
void decode(const YoloParams& p, const Tensor& x_t, const std::vector<int64_t>& img,
            Tensor& boxes_t, Tensor& scores_t) {
  const int64_t n = x_t.dim(0), h = x_t.dim(2), w = x_t.dim(3);
  const int64_t an = static_cast<int64_t>(p.anchors.size() / 2), cls = p.class_num;
  const int64_t hw = h * w, box_num = an * hw;
  const int64_t input_h = p.downsample_ratio * h, input_w = p.downsample_ratio * w;
  const float scale = p.scale_x_y, bias = -0.5f * (scale - 1.f);
  // Channel c of anchor a in image b; with iou_aware the A IoU channels come first.
  const int64_t per_anchor = 5 + cls;
  const int64_t per_image = an * per_anchor + (p.iou_aware ? an : 0);
  const T* x = x_t.data<T>();
  auto at = [&](int64_t b, int64_t a, int64_t entry, int64_t cell) {
    const int64_t ch = (p.iou_aware ? an : 0) + a * per_anchor + entry;
    return x[(b * per_image + ch) * hw + cell];
  };
  T* boxes = boxes_t.data<T>();
  T* scores = scores_t.data<T>();
  std::fill_n(boxes, boxes_t.numel(), T(0));
  std::fill_n(scores, scores_t.numel(), T(0));
  for (int64_t b = 0; b < n; ++b) {
    const int64_t img_h = img[static_cast<std::size_t>(2 * b)];
    const int64_t img_w = img[static_cast<std::size_t>(2 * b + 1)];
    for (int64_t a = 0; a < an; ++a)
      for (int64_t row = 0; row < h; ++row)
        for (int64_t col = 0; col < w; ++col) {
          const int64_t cell = row * w + col;
          T conf = sigmoid(at(b, a, 4, cell));
          if (p.iou_aware) {
            const T iou = sigmoid(x[(b * per_image + a) * hw + cell]);
            conf = std::pow(conf, static_cast<T>(1. - p.iou_aware_factor)) *
                   std::pow(iou, static_cast<T>(p.iou_aware_factor));
          }
          if (conf < p.conf_thresh) continue;
          const T cx = (static_cast<T>(col) + sigmoid(at(b, a, 0, cell)) * scale + bias) *
                       static_cast<T>(img_w) / static_cast<T>(w);
          const T cy = (static_cast<T>(row) + sigmoid(at(b, a, 1, cell)) * scale + bias) *
                       static_cast<T>(img_h) / static_cast<T>(h);
          const T bw = std::exp(at(b, a, 2, cell)) *
                       static_cast<T>(p.anchors[static_cast<std::size_t>(2 * a)]) *
                       static_cast<T>(img_w) / static_cast<T>(input_w);
          const T bh = std::exp(at(b, a, 3, cell)) *
                       static_cast<T>(p.anchors[static_cast<std::size_t>(2 * a + 1)]) *
                       static_cast<T>(img_h) / static_cast<T>(input_h);
          const int64_t k = b * box_num + a * hw + cell;
          T* box = boxes + k * 4;
          box[0] = cx - bw / 2;
          box[1] = cy - bh / 2;
          box[2] = cx + bw / 2;
          box[3] = cy + bh / 2;
          if (p.clip_bbox) {
            box[0] = box[0] > 0 ? box[0] : T(0);
            box[1] = box[1] > 0 ? box[1] : T(0);
            box[2] = box[2] < static_cast<T>(img_w - 1) ? box[2] : static_cast<T>(img_w - 1);
            box[3] = box[3] < static_cast<T>(img_h - 1) ? box[3] : static_cast<T>(img_h - 1);
          }
          T* score = scores + k * cls;
          for (int64_t c = 0; c < cls; ++c) score[c] = conf * sigmoid(at(b, a, 5 + c, cell));
        }
  }
}

class YoloBox final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    auto p = yolo_params(ctx.op());
    if (!p.ok()) return ctx.error(p.error().message);
    const Tensor& x = ctx.input("X");
    const Tensor& img = ctx.input("ImgSize");
    DETPORT_TRY(check_shapes(*p, x.meta(), img.meta(),
                             [&](std::string m) { return ctx.error(std::move(m)); }));
    const std::vector<int64_t> sizes = img.to_int64();
    return du::dispatch_float(ctx, x.dtype(), [&](auto tag) -> Status {
      decode<decltype(tag)>(*p, x, sizes, ctx.output("Boxes"), ctx.output("Scores"));
      return {};
    });
  }
};

std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<YoloBox>();
}

}  // namespace

void register_detection_yolo_box(OpRegistry& r) {
  OpDef d;
  d.type = "yolo_box";
  d.infer = infer;
  d.reference = make;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
