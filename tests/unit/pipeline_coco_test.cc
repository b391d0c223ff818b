// COCO evaluation on small cases computed by hand with pycocotools' rules.
#include <gtest/gtest.h>

#include "pipeline/coco.h"

namespace detport::pipeline {
namespace {

CocoDataset dataset(std::vector<CocoAnnotation> anns, int images = 1,
                    std::vector<int64_t> cats = {1}) {
  CocoDataset d;
  for (int i = 1; i <= images; ++i)
    d.images.push_back({i, "im" + std::to_string(i) + ".jpg", 200, 200});
  int64_t id = 1;
  for (auto& a : anns) {
    a.id = id++;
    if (a.area == 0) a.area = static_cast<double>(a.w) * a.h;
    d.annotations.push_back(a);
  }
  for (int64_t c : cats) d.categories.push_back({c, "c" + std::to_string(c)});
  return d;
}

CocoAnnotation gt(int64_t image, int64_t cat, float x, float y, float w, float h,
                  bool crowd = false) {
  CocoAnnotation a;
  a.image_id = image;
  a.category_id = cat;
  a.x = x, a.y = y, a.w = w, a.h = h;
  a.iscrowd = crowd;
  return a;
}

TEST(CocoEval, PerfectDetectionsScoreOne) {
  auto d = dataset({gt(1, 1, 10, 10, 50, 40), gt(2, 2, 0, 0, 100, 120), gt(2, 1, 30, 30, 20, 20)},
                   2, {1, 2});
  std::vector<CocoResult> dets{
      {1, 1, 10, 10, 50, 40, 0.9f}, {2, 2, 0, 0, 100, 120, 0.8f}, {2, 1, 30, 30, 20, 20, 0.7f}};
  auto m = evaluate_coco(d, dets);
  EXPECT_DOUBLE_EQ(m.map, 1.0);
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
  EXPECT_DOUBLE_EQ(m.ar100, 1.0);
  EXPECT_DOUBLE_EQ(m.per_category.at(2), 1.0);
}

TEST(CocoEval, ShiftedBoxCountsOnlyBelowItsIoU) {
  // IoU of [2,0,10,10] with [0,0,10,10] is 80/120 = 0.667: matched at thresholds .50 .55 .60 .65.
  auto d = dataset({gt(1, 1, 0, 0, 10, 10)});
  auto m = evaluate_coco(d, {{1, 1, 2, 0, 10, 10, 0.9f}});
  EXPECT_NEAR(m.map, 0.4, 1e-12);
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
  EXPECT_DOUBLE_EQ(m.ap75, 0.0);
  EXPECT_NEAR(m.ap_small, 0.4, 1e-12);  // area 100 < 32^2
  EXPECT_EQ(m.ap_medium, -1.0);         // no medium ground truth
  EXPECT_NEAR(m.ar100, 0.4, 1e-12);
}

TEST(CocoEval, MissedObjectHalvesRecall) {
  // Precision 1 up to recall 0.5: recall points 0.00..0.50 (51 of 101) count 1.
  auto d = dataset({gt(1, 1, 0, 0, 40, 40), gt(1, 1, 100, 100, 40, 40)});
  auto m = evaluate_coco(d, {{1, 1, 0, 0, 40, 40, 0.9f}});
  EXPECT_NEAR(m.map, 51.0 / 101.0, 1e-12);
  EXPECT_NEAR(m.ar100, 0.5, 1e-12);
}

TEST(CocoEval, DuplicateDetectionsAreFalsePositives) {
  // A looser, higher-scored duplicate (IoU 0.7) and an exact one: at IoU <= .70 the first matches
  // and the exact one is a false positive after it (AP 1); above .70 the first is a false positive
  // ahead of the match (precision 0.5 at every recall): mAP = (5 * 1 + 5 * 0.5) / 10.
  auto d = dataset({gt(1, 1, 0, 0, 40, 40)});
  // [0,0,40,28.4] inside [0,0,40,40]: IoU = 28.4 / 40 = 0.71.
  auto m = evaluate_coco(d, {{1, 1, 0, 0, 40, 28.4f, 0.95f}, {1, 1, 0, 0, 40, 40, 0.9f}});
  EXPECT_NEAR(m.map, 0.75, 1e-12);
  // Both on the same object with the exact one first: the duplicate after it costs nothing.
  auto m2 = evaluate_coco(d, {{1, 1, 0, 0, 40, 40, 0.9f}, {1, 1, 0, 0, 40, 40, 0.8f}});
  EXPECT_DOUBLE_EQ(m2.map, 1.0);
}

TEST(CocoEval, CrowdRegionsAbsorbDetections) {
  // A detection inside a crowd region matches it (IoU over the detection's own area) and is
  // ignored.
  auto d = dataset({gt(1, 1, 0, 0, 10, 10), gt(1, 1, 50, 50, 100, 100, true)});
  auto m = evaluate_coco(d, {{1, 1, 60, 60, 20, 20, 0.95f}, {1, 1, 0, 0, 10, 10, 0.8f}});
  EXPECT_DOUBLE_EQ(m.map, 1.0);
  // Without the crowd flag the same detection is a false positive ranked first: precision 0.5.
  auto plain = dataset({gt(1, 1, 0, 0, 10, 10)});
  auto m2 = evaluate_coco(plain, {{1, 1, 60, 60, 20, 20, 0.95f}, {1, 1, 0, 0, 10, 10, 0.8f}});
  EXPECT_NEAR(m2.map, 0.5, 1e-12);
}

TEST(CocoEval, AreaRanges) {
  auto d = dataset({gt(1, 1, 0, 0, 10, 10), gt(1, 1, 20, 20, 50, 50), gt(1, 1, 80, 80, 100, 100)});
  // Small and large found; the medium one missed.
  auto m = evaluate_coco(d, {{1, 1, 0, 0, 10, 10, 0.9f}, {1, 1, 80, 80, 100, 100, 0.8f}});
  EXPECT_DOUBLE_EQ(m.ap_small, 1.0);
  EXPECT_DOUBLE_EQ(m.ap_large, 1.0);
  EXPECT_DOUBLE_EQ(m.ap_medium, 0.0);
  EXPECT_NEAR(m.map, 67.0 / 101.0, 1e-12);  // recall 2/3 at precision 1: points 0.00..0.66
}

TEST(CocoEval, CategoriesWithoutGroundTruthAreUndefined) {
  auto d = dataset({gt(1, 1, 0, 0, 10, 10)}, 1, {1, 7});
  auto m = evaluate_coco(d, {{1, 1, 0, 0, 10, 10, 0.9f}, {1, 7, 5, 5, 5, 5, 0.9f}});
  EXPECT_EQ(m.per_category.at(7), -1.0);
  EXPECT_DOUBLE_EQ(m.map, 1.0);
}

}  // namespace
}  // namespace detport::pipeline
