// The deploy config that PaddleDetection (`infer_cfg.yml`) or PaddleX (`inference.yml`) writes
// beside an exported model: what preprocessing and post-processing the network expects.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace detport::ir {

// One preprocessing step: PaddleDetection writes `{type: Resize, target_size: [..], ...}`;
// PaddleX classification/OCR configs write `{ResizeImage: {size: [..]}}`. Both become a type and
// its parameters.
struct DeployTransform {
  std::string type;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
};

struct NmsConfig {
  std::string name;  // MultiClassNMS, MatrixNMS, ...
  std::optional<int64_t> nms_top_k;
  std::optional<int64_t> keep_top_k;
  std::optional<double> score_threshold;
  std::optional<double> nms_threshold;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();  // every key, as written
};

struct DeployConfig {
  enum class Flavor { kPaddleDetection, kPaddleX };
  Flavor flavor = Flavor::kPaddleDetection;
  std::string file;        // where it was read from
  std::string mode;        // "paddle", or "fluid" for 1.x-era static-graph exports
  std::string arch;        // YOLO, PPYOLOE, PicoDet, GFL, SSD, RCNN, DETR, HRNet, ...
  std::string metric;      // COCO, VOC, KeyPointTopDownCOCOEval, ...
  std::string model_name;  // PaddleX Global.model_name
  std::optional<int64_t> min_subgraph_size;
  std::optional<double> draw_threshold;
  std::optional<bool> use_dynamic_shape;
  std::vector<DeployTransform> preprocess;
  std::vector<std::string> label_list;
  std::optional<NmsConfig> nms;
  std::vector<int64_t> fpn_stride;
  std::string postprocess_name;  // PaddleX PostProcess.name (DBPostProcess, CTCLabelDecode)
  nlohmann::ordered_json raw;    // the whole document, for keys not typed above
};

}  // namespace detport::ir
