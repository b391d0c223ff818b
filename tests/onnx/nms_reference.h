// A reference of Paddle's multiclass NMS (phi/kernels/cpu/multiclass_nms3_kernel.cc), written from
// its definition for the exporter's tests: per class, scores > score_threshold, best nms_top_k
// (stable), greedy suppression when IoU > nms_threshold (+1 on sizes when not normalized);
// keep_top_k best per image by a stable sort; rows ordered by class then score.
#pragma once

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace detport::testing {

struct Settings {
  float score_threshold = 0.3f;
  float nms_threshold = 0.5f;
  int nms_top_k = 10;
  int keep_top_k = 12;
  int background_label = -1;
  bool normalized = true;
  // IoU of boxes given with x2 < x1 or y2 < y1 as ONNX NonMaxSuppression computes it (corners
  // sorted, zero-area boxes never suppress) instead of Paddle's (such boxes are empty).
  bool sorted_corners = false;
};

struct Row {
  float label, score, box[4];
  int index;
};

inline float area(const float* b, bool normalized) {
  if (b[2] < b[0] || b[3] < b[1]) return 0;
  const float w = b[2] - b[0], h = b[3] - b[1];
  return normalized ? w * h : (w + 1) * (h + 1);
}

inline float iou(const float* a, const float* b, bool normalized, bool sorted_corners = false) {
  if (sorted_corners) {
    const float sa[4] = {std::min(a[0], a[2]), std::min(a[1], a[3]), std::max(a[0], a[2]),
                         std::max(a[1], a[3])};
    const float sb[4] = {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]),
                         std::max(b[1], b[3])};
    if (area(sa, normalized) <= 0 || area(sb, normalized) <= 0) return 0;
    return iou(sa, sb, normalized);
  }
  if (b[0] > a[2] || b[2] < a[0] || b[1] > a[3] || b[3] < a[1]) return 0;
  const float norm = normalized ? 0.f : 1.f;
  const float iw = std::min(a[2], b[2]) - std::max(a[0], b[0]) + norm;
  const float ih = std::min(a[3], b[3]) - std::max(a[1], b[1]) + norm;
  const float inter = iw * ih;
  return inter / (area(a, normalized) + area(b, normalized) - inter);
}

// Paddle's MultiClassNMS + MultiClassOutput for one model call.
inline std::pair<std::vector<Row>, std::vector<int>> nms_reference(const std::vector<float>& boxes,
                                                                   const std::vector<float>& scores,
                                                                   int n, int c, int m,
                                                                   const Settings& s) {
  std::vector<Row> rows;
  std::vector<int> counts;
  for (int i = 0; i < n; ++i) {
    std::map<int, std::vector<int>> kept;
    int total = 0;
    auto score = [&](int cls, int idx) {
      return scores[static_cast<std::size_t>((i * c + cls) * m + idx)];
    };
    auto box = [&](int idx) { return &boxes[static_cast<std::size_t>((i * m + idx) * 4)]; };
    for (int cls = 0; cls < c; ++cls) {
      if (cls == s.background_label) continue;
      std::vector<std::pair<float, int>> cand;
      for (int j = 0; j < m; ++j)
        if (score(cls, j) > s.score_threshold) cand.emplace_back(score(cls, j), j);
      std::stable_sort(cand.begin(), cand.end(),
                       [](auto& a, auto& b) { return a.first > b.first; });
      if (s.nms_top_k > -1 && s.nms_top_k < static_cast<int>(cand.size()))
        cand.resize(static_cast<std::size_t>(s.nms_top_k));
      auto& sel = kept[cls];
      for (const auto& [sc, j] : cand) {
        bool keep = true;
        for (int k : sel)
          keep = keep && iou(box(j), box(k), s.normalized, s.sorted_corners) <= s.nms_threshold;
        if (keep) sel.push_back(j);
      }
      total += static_cast<int>(sel.size());
    }
    if (s.keep_top_k > -1 && total > s.keep_top_k) {
      std::vector<std::pair<float, std::pair<int, int>>> pairs;
      for (const auto& [cls, idxs] : kept)
        for (int j : idxs) pairs.push_back({score(cls, j), {cls, j}});
      std::stable_sort(pairs.begin(), pairs.end(),
                       [](auto& a, auto& b) { return a.first > b.first; });
      pairs.resize(static_cast<std::size_t>(s.keep_top_k));
      std::map<int, std::vector<int>> top;
      for (const auto& p : pairs) top[p.second.first].push_back(p.second.second);
      kept.swap(top);
      total = s.keep_top_k;
    }
    for (const auto& [cls, idxs] : kept)
      for (int j : idxs) {
        Row r{static_cast<float>(cls), score(cls, j), {}, i * m + j};
        std::copy(box(j), box(j) + 4, r.box);
        rows.push_back(r);
      }
    counts.push_back(total);
  }
  return {rows, counts};
}

}  // namespace detport::testing
