#include "pipeline/postprocess.h"

#include <fmt/format.h>

#include <algorithm>

#include "pipeline/raw_outputs.h"

namespace detport::pipeline {

std::string output_kind_name(OutputKind k) {
  switch (k) {
    case OutputKind::kNmsBoxes:
      return "NMS boxes (bbox + bbox_num)";
    case OutputKind::kBoxesAndScores:
      return "boxes and scores without NMS";
    case OutputKind::kConcatenated:
      return "boxes and scores concatenated, without NMS";
    case OutputKind::kPicoDetRaw:
      return "PicoDet head outputs without post-processing";
    case OutputKind::kNotDetection:
      return "not a detector's outputs";
  }
  return "?";
}

OutputKind classify_outputs(const std::vector<runtime::NamedTensor>& outputs) {
  if (outputs.size() >= 2) {
    const auto& a = outputs[0].tensor;
    const auto& b = outputs[1].tensor;
    if (outputs.size() == 2 && a.rank() == 2 && a.dim(1) == 6 && b.rank() == 1 &&
        (b.dtype() == ir::DType::kInt32 || b.dtype() == ir::DType::kInt64))
      return OutputKind::kNmsBoxes;
    if (outputs.size() == 2 && a.rank() == 3 && a.dim(2) == 4 && b.rank() == 3 &&
        b.dim(2) == a.dim(1))
      return OutputKind::kBoxesAndScores;
    if (outputs.size() % 2 == 0) {
      const std::size_t k = outputs.size() / 2;
      bool pico = true;
      for (std::size_t i = 0; i < k && pico; ++i) {
        const auto& s = outputs[i].tensor;
        const auto& r = outputs[k + i].tensor;
        pico = s.rank() == 3 && r.rank() == 3 && s.dim(1) == r.dim(1) && r.dim(2) % 4 == 0 &&
               r.dim(2) >= 8;
      }
      if (pico) return OutputKind::kPicoDetRaw;
    }
  }
  if (outputs.size() == 1 && outputs[0].tensor.rank() == 3 && outputs[0].tensor.dim(2) > 4)
    return OutputKind::kConcatenated;
  return OutputKind::kNotDetection;
}

PostprocessOptions postprocess_options(const ir::DeployConfig* config,
                                       std::optional<float> threshold) {
  PostprocessOptions o;
  if (config != nullptr) {
    if (config->draw_threshold) o.threshold = static_cast<float>(*config->draw_threshold);
    if (config->nms) {
      if (config->nms->score_threshold)
        o.nms_score_threshold = static_cast<float>(*config->nms->score_threshold);
      if (config->nms->nms_threshold)
        o.nms_iou_threshold = static_cast<float>(*config->nms->nms_threshold);
      if (config->nms->nms_top_k) o.nms_top_k = static_cast<int>(*config->nms->nms_top_k);
      if (config->nms->keep_top_k) o.keep_top_k = static_cast<int>(*config->nms->keep_top_k);
      const auto& params = config->nms->params;
      if (auto it = params.find("background_label"); it != params.end() && it->is_number_integer())
        o.background_label = it->get<int>();
      if (auto it = params.find("normalized"); it != params.end() && it->is_boolean())
        o.normalized = it->get<bool>();
    }
    if (!config->fpn_stride.empty()) o.fpn_stride = config->fpn_stride;
  }
  if (threshold) o.threshold = *threshold;
  return o;
}

namespace {

Result<std::vector<ImageDetections>> from_nms_boxes(const runtime::Tensor& bbox,
                                                    const runtime::Tensor& num, std::size_t images,
                                                    float threshold) {
  const auto counts = num.to_int64();
  if (counts.size() != images)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("bbox_num has {} entries for {} images", counts.size(), images));
  std::vector<ImageDetections> out(images);
  int64_t row = 0;
  const float* p = bbox.data<float>();
  for (std::size_t i = 0; i < images; ++i) {
    if (counts[i] < 0 || row + counts[i] > bbox.dim(0))
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("bbox_num says {} boxes for image {} but bbox has {} rows",
                                    counts[i], i, bbox.dim(0)));
    for (int64_t k = 0; k < counts[i]; ++k, ++row) {
      const float* r = p + row * 6;
      // Paddle writes a placeholder row with class -1 when an image has no detection.
      if (r[0] < 0 || r[1] < threshold) continue;
      out[i].boxes.push_back({static_cast<int>(r[0]), r[1], r[2], r[3], r[4], r[5]});
    }
    std::stable_sort(out[i].boxes.begin(), out[i].boxes.end(),
                     [](const Detection& a, const Detection& b) { return a.score > b.score; });
  }
  return out;
}

}  // namespace

Result<std::vector<ImageDetections>> postprocess(const std::vector<runtime::NamedTensor>& outputs,
                                                 const std::vector<ImageState>& images,
                                                 const PostprocessOptions& options) {
  switch (classify_outputs(outputs)) {
    case OutputKind::kNmsBoxes:
      return from_nms_boxes(outputs[0].tensor, outputs[1].tensor, images.size(), options.threshold);
    case OutputKind::kBoxesAndScores:
      return decode_boxes_and_scores(outputs[0].tensor, outputs[1].tensor, images, options);
    case OutputKind::kConcatenated:
      return decode_concatenated(outputs[0].tensor, images, options);
    case OutputKind::kPicoDetRaw:
      return decode_picodet(outputs, images, options);
    case OutputKind::kNotDetection:
      break;
  }
  return make_error(ErrorCode::kUnsupported, "the model's outputs are not those of a detector");
}

}  // namespace detport::pipeline
