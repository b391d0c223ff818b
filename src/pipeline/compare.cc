#include "pipeline/compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace detport::pipeline {
namespace {

double iou(const Detection& a, const Detection& b) {
  const double ix = std::max(0.0f, std::min(a.x2, b.x2) - std::max(a.x1, b.x1));
  const double iy = std::max(0.0f, std::min(a.y2, b.y2) - std::max(a.y1, b.y1));
  const double inter = ix * iy;
  const double ua = (a.x2 - a.x1) * static_cast<double>(a.y2 - a.y1) +
                    (b.x2 - b.x1) * static_cast<double>(b.y2 - b.y1) - inter;
  if (ua <= 0) return a.x1 == b.x1 && a.y1 == b.y1 && a.x2 == b.x2 && a.y2 == b.y2 ? 1.0 : 0.0;
  return inter / ua;
}

}  // namespace

OutputDiff diff_tensors(const std::string& name, const runtime::Tensor& a, const runtime::Tensor& b,
                        const Tolerances& t) {
  OutputDiff d;
  d.name = name;
  d.shape_a = runtime::meta_to_string(a.meta());
  d.shape_b = runtime::meta_to_string(b.meta());
  if (a.dims() != b.dims()) {
    d.shapes_match = false;
    d.within = false;
    return d;
  }
  const auto va = a.to_double(), vb = b.to_double();
  for (std::size_t i = 0; i < va.size(); ++i) {
    if (std::isnan(va[i]) && std::isnan(vb[i])) continue;
    const double abs_err = std::abs(va[i] - vb[i]);
    const double rel_err = abs_err / std::max(std::abs(vb[i]), 1e-12);
    d.max_abs = std::max(d.max_abs, std::isnan(abs_err) ? INFINITY : abs_err);
    if (abs_err > t.atol) d.max_rel = std::max(d.max_rel, rel_err);
    if (!(abs_err <= t.atol + t.rtol * std::abs(vb[i]))) d.within = false;
  }
  return d;
}

DetectionDiff diff_detections(const ImageDetections& a, const ImageDetections& b,
                              const Tolerances& t) {
  DetectionDiff d;
  d.boxes_a = static_cast<int>(a.boxes.size());
  d.boxes_b = static_cast<int>(b.boxes.size());
  std::vector<char> used(b.boxes.size(), 0);
  // Greedy by score: each box of A takes the unused box of B of its class with the highest IoU.
  for (const Detection& x : a.boxes) {
    int best = -1;
    double best_iou = 0;
    for (std::size_t k = 0; k < b.boxes.size(); ++k) {
      if (used[k] || b.boxes[k].class_id != x.class_id) continue;
      const double v = iou(x, b.boxes[k]);
      if (v > best_iou) best_iou = v, best = static_cast<int>(k);
    }
    if (best < 0 || best_iou < 0.5) continue;
    used[static_cast<std::size_t>(best)] = 1;
    ++d.matched;
    d.min_iou = std::min(d.min_iou, best_iou);
    d.max_score_diff = std::max(
        d.max_score_diff,
        static_cast<double>(std::abs(x.score - b.boxes[static_cast<std::size_t>(best)].score)));
  }
  d.within = d.matched == d.boxes_a && d.matched == d.boxes_b && d.min_iou >= t.min_iou &&
             d.max_score_diff <= t.score_tol;
  return d;
}

void finish_verdict(Comparison& c, const Tolerances& t) {
  c.same = true;
  std::vector<std::string> problems;
  for (const auto& o : c.outputs) {
    if (o.within) continue;
    c.same = false;
    problems.push_back(
        o.shapes_match ? fmt::format("{}: max abs error {:.3g}, max rel error {:.3g}", o.name,
                                     o.max_abs, o.max_rel)
                       : fmt::format("{}: shapes differ ({} vs {})", o.name, o.shape_a, o.shape_b));
  }
  for (std::size_t i = 0; i < c.detections.size(); ++i) {
    const auto& d = c.detections[i];
    if (d.within) continue;
    c.same = false;
    problems.push_back(fmt::format(
        "input {}: {} vs {} boxes, {} matched, min IoU {:.4f}, max score difference {:.3g}", i + 1,
        d.boxes_a, d.boxes_b, d.matched, d.min_iou, d.max_score_diff));
  }
  if (c.same) {
    c.verdict = fmt::format(
        "same: every output within rtol {} / atol {}{}", t.rtol, t.atol,
        c.detections.empty() ? ""
                             : fmt::format(", every box matched with IoU >= {} and score within {}",
                                           t.min_iou, t.score_tol));
  } else {
    c.verdict = "different: ";
    for (std::size_t i = 0; i < problems.size() && i < 6; ++i)
      c.verdict += (i ? "; " : "") + problems[i];
    if (problems.size() > 6) c.verdict += fmt::format("; and {} more", problems.size() - 6);
  }
}

nlohmann::json to_json(const Comparison& c) {
  nlohmann::json outs = nlohmann::json::array(), dets = nlohmann::json::array();
  for (const auto& o : c.outputs)
    outs.push_back({{"name", o.name},
                    {"shape_a", o.shape_a},
                    {"shape_b", o.shape_b},
                    {"max_abs", o.max_abs},
                    {"max_rel", o.max_rel},
                    {"within", o.within}});
  for (const auto& d : c.detections)
    dets.push_back({{"boxes_a", d.boxes_a},
                    {"boxes_b", d.boxes_b},
                    {"matched", d.matched},
                    {"min_iou", d.min_iou},
                    {"max_score_diff", d.max_score_diff},
                    {"within", d.within}});
  return {{"schema", "detport.compare/1"},
          {"same", c.same},
          {"verdict", c.verdict},
          {"outputs", outs},
          {"detections", dets}};
}

}  // namespace detport::pipeline
