// Comparing two models (an original and a converted one) or one model on two backends: per output
// the max absolute and relative errors, and for detection outputs boxes matched by class and IoU
// with their score differences; a verdict against tolerances.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pipeline/detection.h"
#include "runtime/session.h"

namespace detport::pipeline {

struct Tolerances {
  double rtol = 1e-4;  // |a - b| <= atol + rtol * |b| for every element
  double atol = 1e-5;
  double min_iou = 0.99;    // matched boxes must overlap at least this much
  double score_tol = 1e-3;  // and differ in score by at most this
};

struct OutputDiff {
  std::string name;
  bool shapes_match = true;
  std::string shape_a, shape_b;
  double max_abs = 0, max_rel = 0;
  bool within = true;
};

struct DetectionDiff {
  int boxes_a = 0, boxes_b = 0, matched = 0;
  double min_iou = 1, max_score_diff = 0;
  bool within = true;
};

struct Comparison {
  std::vector<OutputDiff> outputs;        // raw tensors (skipped when detection matching applies)
  std::vector<DetectionDiff> detections;  // per input set, when both give detections
  bool same = true;
  std::string verdict;
};

OutputDiff diff_tensors(const std::string& name, const runtime::Tensor& a, const runtime::Tensor& b,
                        const Tolerances& t);
DetectionDiff diff_detections(const ImageDetections& a, const ImageDetections& b,
                              const Tolerances& t);
void finish_verdict(Comparison& c, const Tolerances& t);
nlohmann::json to_json(const Comparison& c);

}  // namespace detport::pipeline
