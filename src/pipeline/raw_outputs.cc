#include "pipeline/raw_outputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/kernels/detection/nms.h"

namespace detport::pipeline {
namespace {

namespace nms = runtime::detection;

Status expect_float(const runtime::Tensor& t, const char* what) {
  if (t.dtype() != ir::DType::kFloat32)
    return make_error(ErrorCode::kUnsupported, fmt::format("{} is {}; expected float32", what,
                                                           ir::var_type_name(t.dtype())));
  return {};
}

Status expect_batch(int64_t n, const std::vector<ImageState>& images) {
  if (n != static_cast<int64_t>(images.size()))
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("the outputs hold {} images; {} were fed", n, images.size()));
  return {};
}

nms::NmsOptions nms_options(const PostprocessOptions& o) {
  nms::NmsOptions n;
  n.score_threshold = o.nms_score_threshold;
  n.nms_threshold = o.nms_iou_threshold;
  n.nms_top_k = o.nms_top_k;
  n.keep_top_k = o.keep_top_k;
  n.background_label = o.background_label;
  n.normalized = o.normalized;
  return n;
}

// Multi-class NMS of one image whose boxes are already in original pixels; keeps rows scoring at
// least the draw threshold, score-descending.
ImageDetections suppress(const nms::Candidates<float>& cand, const PostprocessOptions& o) {
  ImageDetections out;
  for (const nms::Detection& d : nms::multiclass_nms(cand, nms_options(o))) {
    const float s = cand.score(d.label, d.index);
    if (s < o.threshold) continue;
    const float* b = cand.box(d.label, d.index);
    out.boxes.push_back({d.label, s, b[0], b[1], b[2], b[3]});
  }
  std::stable_sort(out.boxes.begin(), out.boxes.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  return out;
}

}  // namespace

Result<std::vector<ImageDetections>> decode_boxes_and_scores(const runtime::Tensor& boxes,
                                                             const runtime::Tensor& scores,
                                                             const std::vector<ImageState>& images,
                                                             const PostprocessOptions& options) {
  DETPORT_TRY(expect_float(boxes, "the boxes output"));
  DETPORT_TRY(expect_float(scores, "the scores output"));
  DETPORT_TRY(expect_batch(boxes.dim(0), images));
  if (scores.dim(0) != boxes.dim(0) || scores.dim(2) != boxes.dim(1))
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("scores [{}] do not match boxes [{}]",
                                  fmt::join(scores.dims(), ", "), fmt::join(boxes.dims(), ", ")));
  const int64_t a = boxes.dim(1);
  const int c = static_cast<int>(scores.dim(1));
  std::vector<ImageDetections> out;
  for (int64_t i = 0; i < boxes.dim(0); ++i)
    out.push_back(suppress(nms::Candidates<float>::shared(boxes.data<float>() + i * a * 4,
                                                          scores.data<float>() + i * c * a, a, c),
                           options));
  return out;
}

Result<std::vector<ImageDetections>> decode_concatenated(const runtime::Tensor& t,
                                                         const std::vector<ImageState>& images,
                                                         const PostprocessOptions& options) {
  DETPORT_TRY(expect_float(t, "the output"));
  DETPORT_TRY(expect_batch(t.dim(0), images));
  const int64_t a = t.dim(1), w = t.dim(2);
  const int c = static_cast<int>(w - 4);
  std::vector<ImageDetections> out;
  std::vector<float> boxes(static_cast<std::size_t>(a * 4));
  for (int64_t i = 0; i < t.dim(0); ++i) {
    const float* p = t.data<float>() + i * a * w;
    const auto& sf = images[static_cast<std::size_t>(i)].scale_factor;  // [y, x]
    for (int64_t k = 0; k < a; ++k)
      for (int j = 0; j < 4; ++j)
        boxes[static_cast<std::size_t>(k * 4 + j)] = p[k * w + j] / sf[j % 2 == 0 ? 1 : 0];
    nms::Candidates<float> cand;
    cand.boxes = boxes.data();
    cand.box_stride = 4;
    cand.scores = p + 4;
    cand.score_stride = w;
    cand.score_class_stride = 1;
    cand.num_boxes = a;
    cand.num_classes = c;
    out.push_back(suppress(cand, options));
  }
  return out;
}

Result<std::vector<ImageDetections>> decode_picodet(
    const std::vector<runtime::NamedTensor>& outputs, const std::vector<ImageState>& images,
    const PostprocessOptions& options) {
  const std::size_t levels = outputs.size() / 2;
  if (levels > options.fpn_stride.size())
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("the model has {} output levels but fpn_stride lists {} strides",
                                  levels, options.fpn_stride.size()));
  for (const auto& o : outputs) DETPORT_TRY(expect_float(o.tensor, o.name.c_str()));
  const int c = static_cast<int>(outputs[0].tensor.dim(2));
  const int64_t reg = outputs[levels].tensor.dim(2) / 4;  // reg_max + 1
  // The batch tensor is as wide as its widest image (batches are padded to a common size).
  int64_t tensor_w = 0;
  for (const ImageState& im : images) tensor_w = std::max(tensor_w, tensor_dims(im)[2]);
  std::vector<ImageDetections> out;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const ImageState& im = images[i];
    const float in_h = im.im_shape[0], in_w = im.im_shape[1];
    std::vector<float> boxes, scores;  // [M,4], [M,C]
    for (std::size_t l = 0; l < levels; ++l) {
      const runtime::Tensor& s = outputs[l].tensor;
      const runtime::Tensor& r = outputs[levels + l].tensor;
      DETPORT_TRY(expect_batch(s.dim(0), images));
      if (s.dim(2) != c || r.dim(2) != reg * 4)
        return make_error(ErrorCode::kInvalidInput,
                          fmt::format("PicoDet level {} has {} classes and {} distribution values; "
                                      "level 0 has {} and {}",
                                      l, s.dim(2), r.dim(2), c, reg * 4));
      const int64_t hw = s.dim(1);
      const auto stride = static_cast<float>(options.fpn_stride[l]);
      // The feature map of this level: the padded input divided by the stride.
      const auto fw = static_cast<int64_t>(std::ceil(static_cast<float>(tensor_w) / stride));
      if (fw <= 0 || hw % fw != 0)
        return make_error(ErrorCode::kInvalidInput,
                          fmt::format("PicoDet level {} has {} anchors, not a multiple of its "
                                      "width {} (input width {} / stride {})",
                                      l, hw, fw, tensor_w, stride));
      const float* sp = s.data<float>() + static_cast<int64_t>(i) * hw * c;
      const float* rp = r.data<float>() + static_cast<int64_t>(i) * hw * reg * 4;
      std::vector<int64_t> order(static_cast<std::size_t>(hw));
      std::iota(order.begin(), order.end(), 0);
      std::vector<float> best(static_cast<std::size_t>(hw));
      for (int64_t k = 0; k < hw; ++k)
        best[static_cast<std::size_t>(k)] = *std::max_element(sp + k * c, sp + (k + 1) * c);
      std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
        return best[static_cast<std::size_t>(x)] > best[static_cast<std::size_t>(y)];
      });
      if (options.nms_top_k > 0 && static_cast<int64_t>(order.size()) > options.nms_top_k)
        order.resize(static_cast<std::size_t>(options.nms_top_k));
      for (int64_t k : order) {
        const float cx = (static_cast<float>(k % fw) + 0.5f) * stride;
        const float cy = (static_cast<float>(k / fw) + 0.5f) * stride;
        float d[4];
        for (int side = 0; side < 4; ++side) {
          const float* v = rp + k * reg * 4 + side * reg;
          const float m = *std::max_element(v, v + reg);
          double sum = 0, acc = 0;
          for (int64_t j = 0; j < reg; ++j) {
            const double e = std::exp(static_cast<double>(v[j] - m));
            sum += e;
            acc += e * static_cast<double>(j);
          }
          d[side] = static_cast<float>(acc / sum) * stride;
        }
        boxes.insert(boxes.end(), {cx - d[0], cy - d[1], cx + d[2], cy + d[3]});
        scores.insert(scores.end(), sp + k * c, sp + (k + 1) * c);
      }
    }
    nms::Candidates<float> cand;
    cand.boxes = boxes.data();
    cand.scores = scores.data();
    cand.score_stride = c;
    cand.score_class_stride = 1;
    cand.num_boxes = static_cast<int64_t>(boxes.size() / 4);
    cand.num_classes = c;
    nms::NmsOptions n = nms_options(options);
    n.nms_top_k = -1;  // already cut per level
    n.background_label = -1;
    ImageDetections det;
    for (int cls = 0; cls < c; ++cls) {
      auto kept = nms::greedy_nms(cand, cls, n);
      if (options.keep_top_k > 0 && static_cast<int64_t>(kept.size()) > options.keep_top_k)
        kept.resize(static_cast<std::size_t>(options.keep_top_k));
      for (int64_t k : kept) {
        const float s = cand.score(cls, k);
        if (s < options.threshold) continue;
        const float* b = cand.box(cls, k);
        // Clip to the network input, then back to original pixels.
        const float x1 = std::clamp(b[0], 0.0f, in_w), y1 = std::clamp(b[1], 0.0f, in_h);
        const float x2 = std::clamp(b[2], 0.0f, in_w), y2 = std::clamp(b[3], 0.0f, in_h);
        det.boxes.push_back({cls, s, x1 / im.scale_factor[1], y1 / im.scale_factor[0],
                             x2 / im.scale_factor[1], y2 / im.scale_factor[0]});
      }
    }
    std::stable_sort(det.boxes.begin(), det.boxes.end(),
                     [](const Detection& a, const Detection& b) { return a.score > b.score; });
    out.push_back(std::move(det));
  }
  return out;
}

}  // namespace detport::pipeline
