#include "runtime/kernels/detection/nms.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>
#include <utility>

namespace detport::runtime::detection {

template <typename T>
T box_area(const T* box, bool normalized) {
  if (box[2] < box[0] || box[3] < box[1]) return static_cast<T>(0);
  const T w = box[2] - box[0];
  const T h = box[3] - box[1];
  return normalized ? w * h : (w + 1) * (h + 1);
}

namespace {

// IoU given both areas; `a` is the candidate and `b` the kept box, in Paddle's operand order (the
// float sum a + b - inter is not associative).
template <typename T>
T overlap_with_areas(const T* a, const T* b, T area_a, T area_b, bool normalized) {
  if (b[0] > a[2] || b[2] < a[0] || b[1] > a[3] || b[3] < a[1]) return static_cast<T>(0);
  const T inter_xmin = std::max(a[0], b[0]);
  const T inter_ymin = std::max(a[1], b[1]);
  const T inter_xmax = std::min(a[2], b[2]);
  const T inter_ymax = std::min(a[3], b[3]);
  const T norm = normalized ? static_cast<T>(0) : static_cast<T>(1);
  const T inter_w = inter_xmax - inter_xmin + norm;
  const T inter_h = inter_ymax - inter_ymin + norm;
  const T inter_area = inter_w * inter_h;
  return inter_area / (area_a + area_b - inter_area);
}

// Paddle's adaptive threshold update after a box is kept.
template <typename T>
void adapt(T& threshold, T eta) {
  if (eta < 1 && threshold > 0.5) threshold *= eta;
}

// The reference: Paddle's GetMaxScoreIndex + NMSFast, step by step.
template <typename T>
std::vector<int64_t> greedy_reference(const Candidates<T>& cand, int cls, const NmsOptions& o) {
  const T score_threshold = static_cast<T>(o.score_threshold);
  std::vector<std::pair<T, int64_t>> sorted;
  for (int64_t i = 0; i < cand.num_boxes; ++i)
    if (cand.score(cls, i) > score_threshold) sorted.emplace_back(cand.score(cls, i), i);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (o.nms_top_k > -1 && static_cast<std::size_t>(o.nms_top_k) < sorted.size())
    sorted.resize(static_cast<std::size_t>(o.nms_top_k));
  T adaptive = static_cast<T>(o.nms_threshold);
  const T eta = static_cast<T>(o.nms_eta);
  std::vector<int64_t> kept;
  for (const auto& [score, idx] : sorted) {
    (void)score;
    bool keep = true;
    for (int64_t k : kept) {
      keep = jaccard_overlap(cand.box(cls, idx), cand.box(cls, k), o.normalized) <= adaptive;
      if (!keep) break;
    }
    if (keep) {
      kept.push_back(idx);
      adapt(adaptive, eta);
    }
  }
  return kept;
}

// The fast path: filter, then order only the top_k by (score descending, index ascending), which
// is the order the stable sort gives; boxes are gathered once with their areas. Stops after
// `max_kept` kept boxes: whether a box is kept depends only on the boxes kept before it.
template <typename T>
std::vector<int64_t> greedy_fast(const Candidates<T>& cand, int cls, const NmsOptions& o,
                                 std::size_t max_kept = std::numeric_limits<std::size_t>::max()) {
  const T score_threshold = static_cast<T>(o.score_threshold);
  std::vector<int64_t> order;
  for (int64_t i = 0; i < cand.num_boxes; ++i)
    if (cand.score(cls, i) > score_threshold) order.push_back(i);
  auto before = [&](int64_t a, int64_t b) {
    const T sa = cand.score(cls, a), sb = cand.score(cls, b);
    return sa > sb || (!(sb > sa) && a < b);
  };
  if (o.nms_top_k > -1 && static_cast<std::size_t>(o.nms_top_k) < order.size()) {
    const auto k = static_cast<std::ptrdiff_t>(o.nms_top_k);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
    order.resize(static_cast<std::size_t>(k));
  } else {
    std::sort(order.begin(), order.end(), before);
  }
  const std::size_t n = order.size();
  std::vector<T> boxes(n * 4), areas(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(cand.box(cls, order[i]), 4, boxes.data() + i * 4);
    areas[i] = box_area(boxes.data() + i * 4, o.normalized);
  }
  T adaptive = static_cast<T>(o.nms_threshold);
  const T eta = static_cast<T>(o.nms_eta);
  std::vector<std::size_t> kept;  // positions in `order`
  for (std::size_t i = 0; i < n && kept.size() < max_kept; ++i) {
    const T* a = boxes.data() + i * 4;
    bool keep = true;
    for (std::size_t k : kept)
      if (!(overlap_with_areas(a, boxes.data() + k * 4, areas[i], areas[k], o.normalized) <=
            adaptive)) {
        keep = false;
        break;
      }
    if (keep) {
      kept.push_back(i);
      adapt(adaptive, eta);
    }
  }
  std::vector<int64_t> out(kept.size());
  for (std::size_t i = 0; i < kept.size(); ++i) out[i] = order[kept[i]];
  return out;
}

}  // namespace

template <typename T>
T jaccard_overlap(const T* a, const T* b, bool normalized) {
  if (b[0] > a[2] || b[2] < a[0] || b[1] > a[3] || b[3] < a[1]) return static_cast<T>(0);
  return overlap_with_areas(a, b, box_area(a, normalized), box_area(b, normalized), normalized);
}

template <typename T>
Candidates<T> Candidates<T>::shared(const T* boxes, const T* scores, int64_t num_boxes,
                                    int num_classes) {
  Candidates c;
  c.boxes = boxes;
  c.box_stride = 4;
  c.box_class_stride = 0;
  c.scores = scores;
  c.score_stride = 1;
  c.score_class_stride = num_boxes;
  c.num_boxes = num_boxes;
  c.num_classes = num_classes;
  return c;
}

template <typename T>
Candidates<T> Candidates<T>::per_class(const T* boxes, const T* scores, int64_t num_boxes,
                                       int num_classes) {
  Candidates c;
  c.boxes = boxes;
  c.box_stride = 4 * static_cast<int64_t>(num_classes);
  c.box_class_stride = 4;
  c.scores = scores;
  c.score_stride = num_classes;
  c.score_class_stride = 1;
  c.num_boxes = num_boxes;
  c.num_classes = num_classes;
  return c;
}

template <typename T>
std::vector<int64_t> greedy_nms(const Candidates<T>& cand, int cls, const NmsOptions& options,
                                NmsImpl impl) {
  return impl == NmsImpl::kReference ? greedy_reference(cand, cls, options)
                                     : greedy_fast(cand, cls, options);
}

template <typename T>
std::vector<Detection> multiclass_nms(const Candidates<T>& cand, const NmsOptions& o, NmsImpl impl,
                                      bool parallel) {
  const int classes = cand.num_classes;
  std::vector<std::vector<int64_t>> kept(static_cast<std::size_t>(std::max(classes, 0)));
  // keep_top_k keeps the best boxes of the image ranked by score, and a class's kept boxes come in
  // descending score order, ties in index order (the order the ranking's stable sort sees them
  // in): a class's kept box after its first keep_top_k can never rank among the image's best
  // keep_top_k. So the fast path stops each class there. (With double scores and index order, two
  // scores equal as floats could rank in index order; that case keeps the full search.)
  const bool cap = o.keep_top_k > -1 && (!o.index_order || std::is_same_v<T, float>);
  const std::size_t max_kept =
      cap ? static_cast<std::size_t>(o.keep_top_k) : std::numeric_limits<std::size_t>::max();
  auto one = [&](int c) {
    if (c == o.background_label) return;
    auto& k = kept[static_cast<std::size_t>(c)];
    k = impl == NmsImpl::kReference ? greedy_reference(cand, c, o)
                                    : greedy_fast(cand, c, o, max_kept);
    if (o.index_order) std::sort(k.begin(), k.end());
  };
  if (parallel && classes > 1) {
#pragma omp parallel for schedule(dynamic)
    for (int c = 0; c < classes; ++c) one(c);
  } else {
    for (int c = 0; c < classes; ++c) one(c);
  }
  std::size_t num_det = 0;
  for (const auto& k : kept) num_det += k.size();
  if (o.keep_top_k > -1 && num_det > static_cast<std::size_t>(o.keep_top_k)) {
    // Paddle ranks (score as float, (label, index)) pairs with a stable sort.
    struct Ranked {
      float score;
      int label;
      int64_t index;
    };
    std::vector<Ranked> ranked;
    ranked.reserve(num_det);
    for (int c = 0; c < classes; ++c)
      for (int64_t i : kept[static_cast<std::size_t>(c)])
        ranked.push_back({static_cast<float>(cand.score(c, i)), c, i});
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Ranked& a, const Ranked& b) { return a.score > b.score; });
    ranked.resize(static_cast<std::size_t>(o.keep_top_k));
    for (auto& k : kept) k.clear();
    for (const Ranked& r : ranked) kept[static_cast<std::size_t>(r.label)].push_back(r.index);
    if (o.index_order)
      for (auto& k : kept) std::sort(k.begin(), k.end());
  }
  std::vector<Detection> out;
  out.reserve(
      std::min(num_det, o.keep_top_k > -1 ? static_cast<std::size_t>(o.keep_top_k) : num_det));
  for (int c = 0; c < classes; ++c)
    for (int64_t i : kept[static_cast<std::size_t>(c)]) out.push_back({c, i});
  return out;
}

namespace {

// Paddle's NMSMatrix for one class: appends kept (index, decayed score) pairs.
template <typename T>
void matrix_nms_class(const Candidates<T>& cand, int cls, const MatrixNmsOptions& o,
                      std::vector<int64_t>& indices, std::vector<T>& scores) {
  const T score_threshold = static_cast<T>(o.score_threshold);
  const T post_threshold = static_cast<T>(o.post_threshold);
  std::vector<int64_t> perm(static_cast<std::size_t>(cand.num_boxes));
  std::iota(perm.begin(), perm.end(), 0);
  auto end = std::remove_if(perm.begin(), perm.end(),
                            [&](int64_t i) { return cand.score(cls, i) <= score_threshold; });
  int64_t num_pre = end - perm.begin();
  if (num_pre <= 0) return;
  if (o.nms_top_k > -1 && num_pre > o.nms_top_k) num_pre = o.nms_top_k;
  std::partial_sort(perm.begin(), perm.begin() + num_pre, end,
                    [&](int64_t a, int64_t b) { return cand.score(cls, a) > cand.score(cls, b); });
  if (num_pre <= 0) return;
  const auto n = static_cast<std::size_t>(num_pre);
  // Lower-triangular IoU matrix and, per box, its max IoU with any higher-scored box.
  std::vector<T> iou((n * (n - 1)) / 2), iou_max(n, static_cast<T>(0));
  for (std::size_t i = 1; i < n; ++i) {
    T max_iou = 0;
    for (std::size_t j = 0; j < i; ++j) {
      const T v = jaccard_overlap(cand.box(cls, perm[i]), cand.box(cls, perm[j]), o.normalized);
      max_iou = std::max(max_iou, v);
      iou[i * (i - 1) / 2 + j] = v;
    }
    iou_max[i] = max_iou;
  }
  const T top = cand.score(cls, perm[0]);
  if (top > post_threshold) {
    indices.push_back(perm[0]);
    scores.push_back(top);
  }
  const float sigma = o.gaussian_sigma;
  for (std::size_t i = 1; i < n; ++i) {
    T min_decay = 1;
    for (std::size_t j = 0; j < i; ++j) {
      const T max_iou = iou_max[j];
      const T v = iou[i * (i - 1) / 2 + j];
      // Paddle: gaussian exp((max^2 - iou^2) * sigma) in T; linear (1 - iou) / (1 - max) in double.
      const T decay = o.use_gaussian ? static_cast<T>(std::exp((max_iou * max_iou - v * v) * sigma))
                                     : static_cast<T>((1. - v) / (1. - max_iou));
      min_decay = std::min(min_decay, decay);
    }
    const T ds = min_decay * cand.score(cls, perm[i]);
    if (ds <= post_threshold) continue;
    indices.push_back(perm[i]);
    scores.push_back(ds);
  }
}

}  // namespace

template <typename T>
std::vector<ScoredDetection<T>> matrix_nms(const Candidates<T>& cand, const MatrixNmsOptions& o,
                                           bool parallel) {
  const int classes = std::max(cand.num_classes, 0);
  std::vector<std::vector<int64_t>> idx(static_cast<std::size_t>(classes));
  std::vector<std::vector<T>> sc(static_cast<std::size_t>(classes));
  auto one = [&](int c) {
    if (c == o.background_label) return;
    matrix_nms_class(cand, c, o, idx[static_cast<std::size_t>(c)], sc[static_cast<std::size_t>(c)]);
  };
  if (parallel && classes > 1) {
#pragma omp parallel for schedule(dynamic)
    for (int c = 0; c < classes; ++c) one(c);
  } else {
    for (int c = 0; c < classes; ++c) one(c);
  }
  // Concatenated in class order, as Paddle appends them.
  std::vector<int64_t> all_idx;
  std::vector<T> all_scores;
  std::vector<int> all_classes;
  for (int c = 0; c < classes; ++c) {
    const auto& i = idx[static_cast<std::size_t>(c)];
    all_idx.insert(all_idx.end(), i.begin(), i.end());
    const auto& s = sc[static_cast<std::size_t>(c)];
    all_scores.insert(all_scores.end(), s.begin(), s.end());
    all_classes.insert(all_classes.end(), i.size(), c);
  }
  std::size_t num_det = all_idx.size();
  if (num_det == 0) return {};
  if (o.keep_top_k > -1) num_det = std::min(num_det, static_cast<std::size_t>(o.keep_top_k));
  std::vector<int32_t> perm(all_idx.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::partial_sort(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(num_det), perm.end(),
                    [&](int32_t a, int32_t b) {
                      return all_scores[static_cast<std::size_t>(a)] >
                             all_scores[static_cast<std::size_t>(b)];
                    });
  std::vector<ScoredDetection<T>> out(num_det);
  for (std::size_t i = 0; i < num_det; ++i) {
    const auto p = static_cast<std::size_t>(perm[i]);
    out[i] = {all_classes[p], all_idx[p], all_scores[p]};
  }
  return out;
}

template <typename T>
std::vector<int64_t> proposal_nms(const T* boxes, const T* scores, int64_t num_boxes,
                                  T nms_threshold, float eta, bool pixel_offset) {
  std::vector<std::pair<T, int64_t>> sorted;
  sorted.reserve(static_cast<std::size_t>(num_boxes));
  for (int64_t i = 0; i < num_boxes; ++i) sorted.emplace_back(scores[i], i);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const bool normalized = !pixel_offset;
  T adaptive = nms_threshold;
  std::vector<int64_t> kept;
  while (!sorted.empty()) {
    const int64_t idx = sorted.back().second;
    bool keep = true;
    for (int64_t k : kept) {
      keep = jaccard_overlap(boxes + idx * 4, boxes + k * 4, normalized) <= adaptive;
      if (!keep) break;
    }
    if (keep) kept.push_back(idx);
    sorted.pop_back();
    if (keep && eta < 1 && adaptive > 0.5) adaptive *= eta;
  }
  return kept;
}

#define DETPORT_NMS_INSTANTIATE(T)                                                           \
  template T box_area<T>(const T*, bool);                                                    \
  template T jaccard_overlap<T>(const T*, const T*, bool);                                   \
  template struct Candidates<T>;                                                             \
  template std::vector<int64_t> greedy_nms<T>(const Candidates<T>&, int, const NmsOptions&,  \
                                              NmsImpl);                                      \
  template std::vector<Detection> multiclass_nms<T>(const Candidates<T>&, const NmsOptions&, \
                                                    NmsImpl, bool);                          \
  template std::vector<ScoredDetection<T>> matrix_nms<T>(const Candidates<T>&,               \
                                                         const MatrixNmsOptions&, bool);     \
  template std::vector<int64_t> proposal_nms<T>(const T*, const T*, int64_t, T, float, bool);

DETPORT_NMS_INSTANTIATE(float)
DETPORT_NMS_INSTANTIATE(double)

}  // namespace detport::runtime::detection
