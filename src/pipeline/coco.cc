#include "pipeline/coco.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <unordered_map>

#include "core/mapped_file.h"

namespace detport::pipeline {

nlohmann::json results_to_json(const std::vector<CocoResult>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : results)
    out.push_back({{"image_id", r.image_id},
                   {"category_id", r.category_id},
                   {"bbox", {r.x, r.y, r.w, r.h}},
                   {"score", r.score}});
  return out;
}

Result<CocoDataset> read_coco(const std::filesystem::path& path) {
  DETPORT_ASSIGN(std::string text, read_file(path, std::size_t{1} << 31));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return make_error(ErrorCode::kInvalidInput, fmt::format("not valid JSON: {}", e.what()),
                      fmt::format("{}: byte {}", path.string(), e.byte));
  }
  auto bad = [&](const std::string& pointer, const std::string& what) {
    return make_error(ErrorCode::kInvalidInput, what,
                      fmt::format("{}: {}", path.string(), pointer));
  };
  if (!j.is_object() || !j.contains("images") || !j.contains("annotations") ||
      !j.contains("categories"))
    return bad("/", "expected a COCO object with images, annotations and categories");
  CocoDataset d;
  try {
    for (std::size_t i = 0; i < j["images"].size(); ++i) {
      const auto& im = j["images"][i];
      d.images.push_back({im.at("id").get<int64_t>(), im.value("file_name", std::string()),
                          im.value("width", 0), im.value("height", 0)});
    }
    for (std::size_t i = 0; i < j["annotations"].size(); ++i) {
      const auto& a = j["annotations"][i];
      const auto& bb = a.at("bbox");
      if (!bb.is_array() || bb.size() != 4)
        return bad(fmt::format("/annotations/{}/bbox", i), "expected [x, y, w, h]");
      CocoAnnotation ann;
      ann.id = a.value("id", static_cast<int64_t>(i + 1));
      ann.image_id = a.at("image_id").get<int64_t>();
      ann.category_id = a.at("category_id").get<int64_t>();
      ann.x = bb[0].get<float>();
      ann.y = bb[1].get<float>();
      ann.w = bb[2].get<float>();
      ann.h = bb[3].get<float>();
      ann.area = a.contains("area") ? a["area"].get<double>() : static_cast<double>(ann.w) * ann.h;
      ann.iscrowd = a.value("iscrowd", 0) != 0 || a.value("ignore", 0) != 0;
      d.annotations.push_back(ann);
    }
    for (const auto& c : j["categories"])
      d.categories.push_back({c.at("id").get<int64_t>(), c.value("name", std::string())});
  } catch (const nlohmann::json::exception& e) {
    return bad("/", fmt::format("malformed COCO field: {}", e.what()));
  }
  std::sort(d.categories.begin(), d.categories.end());
  return d;
}

namespace {

constexpr int kIous = 10;
constexpr int kRecalls = 101;
constexpr int kMaxDet = 100;
const std::array<std::array<double, 2>, 4> kAreas{
    {{0, 1e10}, {0, 32.0 * 32}, {32.0 * 32, 96.0 * 96}, {96.0 * 96, 1e10}}};

double iou(const CocoResult& d, const CocoAnnotation& g) {
  const double ix =
      std::max(0.0, std::min<double>(d.x + d.w, g.x + g.w) - std::max<double>(d.x, g.x));
  const double iy =
      std::max(0.0, std::min<double>(d.y + d.h, g.y + g.h) - std::max<double>(d.y, g.y));
  const double inter = ix * iy;
  const double da = static_cast<double>(d.w) * d.h;
  // A crowd region counts only the detection's own area (pycocotools' iscrowd rule).
  const double uni = g.iscrowd ? da : da + static_cast<double>(g.w) * g.h - inter;
  return uni <= 0 ? 0 : inter / uni;
}

// Matches of one (image, category, area range): per IoU threshold, per detection.
struct ImageEval {
  std::vector<float> scores;                     // detections, score-sorted, at most kMaxDet
  std::array<std::vector<char>, kIous> matched;  // dtMatches != 0
  std::array<std::vector<char>, kIous> ignored;  // dtIgnore
  int non_ignored_gt = 0;
};

ImageEval evaluate_image(std::vector<const CocoAnnotation*> gts, std::vector<const CocoResult*> dts,
                         const std::array<double, 2>& area) {
  ImageEval e;
  auto gt_ignored = [&](const CocoAnnotation* g) {
    return g->iscrowd || g->area < area[0] || g->area > area[1];
  };
  std::stable_sort(gts.begin(), gts.end(),
                   [&](auto* a, auto* b) { return gt_ignored(a) < gt_ignored(b); });
  std::stable_sort(dts.begin(), dts.end(), [](auto* a, auto* b) { return a->score > b->score; });
  if (dts.size() > kMaxDet) dts.resize(kMaxDet);
  for (auto* g : gts) e.non_ignored_gt += gt_ignored(g) ? 0 : 1;
  for (auto* d : dts) e.scores.push_back(d->score);
  std::vector<std::vector<double>> ious(dts.size(), std::vector<double>(gts.size()));
  for (std::size_t i = 0; i < dts.size(); ++i)
    for (std::size_t k = 0; k < gts.size(); ++k) ious[i][k] = iou(*dts[i], *gts[k]);
  for (int t = 0; t < kIous; ++t) {
    const double thr = 0.5 + 0.05 * t;
    std::vector<char> gt_matched(gts.size(), 0);
    e.matched[static_cast<std::size_t>(t)].assign(dts.size(), 0);
    e.ignored[static_cast<std::size_t>(t)].assign(dts.size(), 0);
    for (std::size_t i = 0; i < dts.size(); ++i) {
      double best = std::min(thr, 1 - 1e-10);
      int m = -1;
      for (std::size_t k = 0; k < gts.size(); ++k) {
        if (gt_matched[k] && !gts[k]->iscrowd) continue;
        // Sorted: once matched to a real gt, stop at the first ignored one.
        if (m > -1 && !gt_ignored(gts[static_cast<std::size_t>(m)]) && gt_ignored(gts[k])) break;
        if (ious[i][k] < best) continue;
        best = ious[i][k];
        m = static_cast<int>(k);
      }
      if (m == -1) continue;
      e.ignored[static_cast<std::size_t>(t)][i] =
          gt_ignored(gts[static_cast<std::size_t>(m)]) ? 1 : 0;
      e.matched[static_cast<std::size_t>(t)][i] = 1;
      gt_matched[static_cast<std::size_t>(m)] = 1;
    }
    // Unmatched detections outside the area range are ignored too.
    for (std::size_t i = 0; i < dts.size(); ++i) {
      const double a = static_cast<double>(dts[i]->w) * dts[i]->h;
      if (!e.matched[static_cast<std::size_t>(t)][i] && (a < area[0] || a > area[1]))
        e.ignored[static_cast<std::size_t>(t)][i] = 1;
    }
  }
  return e;
}

// Precision (101 recall points, averaged) and recall for one category and area range, per IoU.
struct Accumulated {
  std::array<double, kIous> ap{};  // mean of the 101 precision points; -1 when no ground truth
  std::array<double, kIous> recall{};
  bool defined = false;
};

Accumulated accumulate(const std::vector<ImageEval>& evals) {
  Accumulated acc;
  int npig = 0;
  std::vector<float> scores;
  for (const auto& e : evals) {
    npig += e.non_ignored_gt;
    scores.insert(scores.end(), e.scores.begin(), e.scores.end());
  }
  if (npig == 0) {
    acc.ap.fill(-1);
    acc.recall.fill(-1);
    return acc;
  }
  acc.defined = true;
  // Stable sort by descending score over the concatenation (numpy mergesort on -score).
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  for (int t = 0; t < kIous; ++t) {
    std::vector<char> m, ig;
    for (const auto& e : evals) {
      m.insert(m.end(), e.matched[static_cast<std::size_t>(t)].begin(),
               e.matched[static_cast<std::size_t>(t)].end());
      ig.insert(ig.end(), e.ignored[static_cast<std::size_t>(t)].begin(),
                e.ignored[static_cast<std::size_t>(t)].end());
    }
    std::vector<double> rc, pr;
    double tp = 0, fp = 0;
    for (std::size_t k : order) {
      if (ig[k]) {
        // Ignored detections leave the running sums unchanged but still occupy a position.
      } else if (m[k]) {
        tp += 1;
      } else {
        fp += 1;
      }
      rc.push_back(tp / npig);
      pr.push_back(tp / (tp + fp + 2.220446049250313e-16));
    }
    acc.recall[static_cast<std::size_t>(t)] = rc.empty() ? 0 : rc.back();
    for (std::size_t i = pr.size(); i-- > 1;) pr[i - 1] = std::max(pr[i - 1], pr[i]);
    double sum = 0;
    for (int r = 0; r < kRecalls; ++r) {
      const double thr = r / 100.0;
      const auto it = std::lower_bound(rc.begin(), rc.end(), thr);  // searchsorted side='left'
      if (it != rc.end()) sum += pr[static_cast<std::size_t>(it - rc.begin())];
    }
    acc.ap[static_cast<std::size_t>(t)] = sum / kRecalls;
  }
  return acc;
}

double mean_defined(const std::vector<double>& v) {
  double s = 0;
  int n = 0;
  for (double x : v)
    if (x > -1) s += x, ++n;
  return n == 0 ? -1 : s / n;
}

}  // namespace

CocoMetrics evaluate_coco(const CocoDataset& gt, const std::vector<CocoResult>& dets) {
  // Group by (image, category).
  std::map<std::pair<int64_t, int64_t>, std::vector<const CocoAnnotation*>> g;
  std::map<std::pair<int64_t, int64_t>, std::vector<const CocoResult*>> d;
  std::unordered_map<int64_t, bool> known_images;
  for (const auto& im : gt.images) known_images[im.id] = true;
  for (const auto& a : gt.annotations) g[{a.image_id, a.category_id}].push_back(&a);
  for (const auto& r : dets)
    if (known_images.count(r.image_id)) d[{r.image_id, r.category_id}].push_back(&r);
  CocoMetrics out;
  std::vector<double> ap_all, ap50, ap75, aps[3], ar;
  for (const auto& [cat, name] : gt.categories) {
    (void)name;
    std::array<Accumulated, 4> per_area;
    for (std::size_t a = 0; a < kAreas.size(); ++a) {
      std::vector<ImageEval> evals;
      for (const auto& im : gt.images) {
        auto gi = g.find({im.id, cat});
        auto di = d.find({im.id, cat});
        evals.push_back(evaluate_image(
            gi == g.end() ? std::vector<const CocoAnnotation*>{} : gi->second,
            di == d.end() ? std::vector<const CocoResult*>{} : di->second, kAreas[a]));
      }
      per_area[a] = accumulate(evals);
    }
    const auto& all = per_area[0];
    double cat_ap = -1;
    if (all.defined) {
      cat_ap = 0;
      for (double x : all.ap) cat_ap += x;
      cat_ap /= kIous;
    }
    out.per_category[cat] = cat_ap;
    for (int t = 0; t < kIous; ++t) {
      ap_all.push_back(all.ap[static_cast<std::size_t>(t)]);
      ar.push_back(all.recall[static_cast<std::size_t>(t)]);
      for (int a = 0; a < 3; ++a)
        aps[a].push_back(per_area[static_cast<std::size_t>(a + 1)].ap[static_cast<std::size_t>(t)]);
    }
    ap50.push_back(all.ap[0]);
    ap75.push_back(all.ap[5]);
  }
  out.map = mean_defined(ap_all);
  out.ap50 = mean_defined(ap50);
  out.ap75 = mean_defined(ap75);
  out.ap_small = mean_defined(aps[0]);
  out.ap_medium = mean_defined(aps[1]);
  out.ap_large = mean_defined(aps[2]);
  out.ar100 = mean_defined(ar);
  return out;
}

}  // namespace detport::pipeline
