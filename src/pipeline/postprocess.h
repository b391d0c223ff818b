// Turning the graph's outputs into detections: models exported with NMS give bbox [M,6]
// (class, score, x1, y1, x2, y2 in original-image pixels) and bbox_num [N]; models exported without
// NMS (PP-YOLOE exclude_nms: boxes [N,A,4] + scores [N,C,A]; PP-YOLOE exclude_post_process:
// [N,A,4+C] in input pixels; PicoDet without post_process: per-level scores and box distributions)
// get detport's own decoding and multi-class NMS with the deploy config's NMS settings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/deploy_config.h"
#include "pipeline/detection.h"
#include "pipeline/preprocess.h"
#include "runtime/session.h"

namespace detport::pipeline {

enum class OutputKind {
  kNmsBoxes,        // bbox [M,6] + bbox_num [N]
  kBoxesAndScores,  // [N,A,4] + [N,C,A], boxes in original pixels
  kConcatenated,    // [N,A,4+C], boxes in input pixels
  kPicoDetRaw,      // k score maps [N,HW,C] then k distributions [N,HW,4(R+1)]
  kNotDetection,    // anything else (classifiers, keypoints): raw outputs only
};

std::string output_kind_name(OutputKind k);
OutputKind classify_outputs(const std::vector<runtime::NamedTensor>& outputs);

struct PostprocessOptions {
  float threshold = 0.5f;  // draw_threshold or --threshold
  // NMS for models exported without it (the deploy config's NMS section, else PP-YOLOE's defaults).
  float nms_score_threshold = 0.01f, nms_iou_threshold = 0.7f;
  int nms_top_k = 1000, keep_top_k = 300;
  int background_label = -1;  // PaddleDetection's MultiClassNMS default
  bool normalized = true;
  std::vector<int64_t> fpn_stride{8, 16, 32, 64};
};

PostprocessOptions postprocess_options(const ir::DeployConfig* config,
                                       std::optional<float> threshold);

Result<std::vector<ImageDetections>> postprocess(const std::vector<runtime::NamedTensor>& outputs,
                                                 const std::vector<ImageState>& images,
                                                 const PostprocessOptions& options);

}  // namespace detport::pipeline
