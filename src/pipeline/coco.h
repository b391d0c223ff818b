// COCO formats: detection results JSON ([{image_id, category_id, bbox: [x, y, w, h], score}]) and
// the standard COCO bbox evaluation (mAP over IoU 0.50:0.95, 101-point interpolated precision,
// area ranges, maxDets 100, crowd regions ignored), as pycocotools' COCOeval defines it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "pipeline/detection.h"

namespace detport::pipeline {

struct CocoResult {
  int64_t image_id = 0;
  int64_t category_id = 0;
  float x = 0, y = 0, w = 0, h = 0;
  float score = 0;
};

nlohmann::json results_to_json(const std::vector<CocoResult>& results);

struct CocoImage {
  int64_t id = 0;
  std::string file_name;
  int width = 0, height = 0;
};

struct CocoAnnotation {
  int64_t id = 0, image_id = 0, category_id = 0;
  float x = 0, y = 0, w = 0, h = 0;
  double area = 0;
  bool iscrowd = false;
};

struct CocoDataset {
  std::vector<CocoImage> images;
  std::vector<CocoAnnotation> annotations;
  std::vector<std::pair<int64_t, std::string>> categories;  // sorted by id
};

Result<CocoDataset> read_coco(const std::filesystem::path& annotations);

struct CocoMetrics {
  double map = 0;  // AP @ IoU 0.50:0.95, area all, maxDets 100
  double ap50 = 0, ap75 = 0;
  double ap_small = 0, ap_medium = 0, ap_large = 0;
  double ar100 = 0;  // AR @ maxDets 100
  std::map<int64_t, double>
      per_category;  // AP 0.50:0.95 per category id (-1 where no ground truth)
};

// Evaluates detections against the dataset (pycocotools semantics; -1 where undefined, as there).
CocoMetrics evaluate_coco(const CocoDataset& gt, const std::vector<CocoResult>& dets);

}  // namespace detport::pipeline
