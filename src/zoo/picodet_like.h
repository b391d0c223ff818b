// Synthetic models built with the IR builder, shaped like real PaddleDetection exports, with
// seeded random weights. The demo, tests and benchmarks use them where no real model is at hand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "ir/model.h"

namespace detport::zoo {

struct PicoDetOptions {
  int64_t input_size = 320;  // square input, a multiple of 32
  int64_t num_classes = 4;
  int64_t width = 64;                     // neck and head channels
  int reg_max = 7;                        // DFL bins - 1
  std::string activation = "hard_swish";  // hard_swish (PicoDet) or swish (PP-YOLOE-style)
  bool with_nms = true;                   // multiclass_nms3 in the graph, as exported by default
  ir::Release producer{2, 6, 1};
  std::optional<std::vector<ir::OpVersion>> op_version_map;  // as the producing release writes it
};

// A PicoDet/GFL-shaped detector: LCNet-like backbone (depthwise separable blocks, an SE block),
// a top-down neck with nearest upsampling, per-level heads with a distribution (DFL) box branch,
// anchor-point decoding, scaling back by scale_factor, and multiclass_nms3. Inputs are `image`
// [N,3,S,S] and `scale_factor` [N,2]; outputs the NMS `bbox` [M,6] and `bbox_num` [N] (or, without
// NMS, boxes [N,A,4] and scores [N,C,A]).
ir::Model picodet_like(const PicoDetOptions& options = {});

// The infer_cfg.yml PaddleDetection writes for such a model (Resize, NormalizeImage, Permute).
ir::DeployConfig picodet_deploy_config(const PicoDetOptions& options = {});

}  // namespace detport::zoo
