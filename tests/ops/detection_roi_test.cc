// roi_align, roi_pool, generate_proposals(_v2), distribute_fpn_proposals and
// collect_fpn_proposals: hand-computed cases from Paddle's formulas (quoted at the top of roi.cc
// and proposals.cc) and optimised-vs-reference checks.
#include <cmath>

#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using ir::DType;
using ir::NamedAttribute;

// A [n, 1, 4, 4] map holding f(y, x) = 4y + x (+ 100 per image): bilinear samples of a linear
// function are exact, so averages are f at the mean sample position.
Tensor linear_map(int64_t n = 1) {
  Tensor t = Tensor::empty(DType::kFloat32, {n, 1, 4, 4});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t i = 0; i < 16; ++i) t.data<float>()[b * 16 + i] = static_cast<float>(i + 100 * b);
  return t;
}

std::vector<NamedAttribute> align_attrs(int ph, int pw, int sampling, bool aligned,
                                        float scale = 1.0f) {
  return {{"pooled_height", Attribute::i32(ph)},
          {"pooled_width", Attribute::i32(pw)},
          {"spatial_scale", Attribute::f32(scale)},
          {"sampling_ratio", Attribute::i32(sampling)},
          {"aligned", Attribute::boolean(aligned)}};
}

std::vector<float> align(const Tensor& x, const Tensor& rois, std::vector<NamedAttribute> attrs,
                         const Tensor* rois_num = nullptr) {
  std::vector<OpInput> in{{"X", x}, {"ROIs", rois}};
  if (rois_num != nullptr) in.push_back({"RoisNum", *rois_num});
  auto r = run_reference("roi_align", in, attrs, {{"Out", DType::kFloat32}});
  return r.empty() ? std::vector<float>{} : r[0].tensor.to_vector<float>();
}

TEST(RoiAlign, SamplesAverageBilinearValues) {
  Tensor roi = make_tensor<float>({1, 4}, {0, 0, 3, 3}, DType::kFloat32);
  // Not aligned, 2x2 samples at 0.75 and 2.25 -> mean (1.5, 1.5) -> 4 * 1.5 + 1.5 = 7.5.
  EXPECT_NEAR(align(linear_map(), roi, align_attrs(1, 1, 2, false))[0], 7.5f, 1e-5);
  // aligned shifts the box by -0.5: samples at 0.25 and 1.75 -> mean 1 -> 5.
  EXPECT_NEAR(align(linear_map(), roi, align_attrs(1, 1, 2, true))[0], 5.0f, 1e-5);
}

TEST(RoiAlign, AdaptiveGridClampsAtTheBorderAndDropsOutsideSamples) {
  // [0,0,4,4] pooled 2x2, grid ceil(4/2/... ) = 2 per bin: samples 0.5, 1.5 | 2.5, 3.5; 3.5 lies
  // past the last row (3) and is clamped to 3: bin means 1 and 2.75.
  Tensor roi = make_tensor<float>({1, 4}, {0, 0, 4, 4}, DType::kFloat32);
  auto v = align(linear_map(), roi, align_attrs(2, 2, -1, false));
  const std::vector<float> want{5.0f, 4 + 2.75f, 4 * 2.75f + 1, 5 * 2.75f};
  ASSERT_EQ(v.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(v[i], want[i], 1e-5) << i;
  // [0,0,10,10], 2x2 samples at 2.5 and 7.5: 7.5 > W = 4 contributes 0, so only (2.5, 2.5) counts:
  // 12.5 / 4.
  roi = make_tensor<float>({1, 4}, {0, 0, 10, 10}, DType::kFloat32);
  EXPECT_NEAR(align(linear_map(), roi, align_attrs(1, 1, 2, false))[0], 12.5f / 4, 1e-5);
  // spatial_scale 0.5 maps [0,0,6,6] to [0,0,3,3].
  roi = make_tensor<float>({1, 4}, {0, 0, 6, 6}, DType::kFloat32);
  EXPECT_NEAR(align(linear_map(), roi, align_attrs(1, 1, 2, false, 0.5f))[0], 7.5f, 1e-5);
}

TEST(RoiAlign, RoisNumAssignsImages) {
  Tensor rois = make_tensor<float>({3, 4}, {0, 0, 3, 3, 0, 0, 3, 3, 0, 0, 3, 3}, DType::kFloat32);
  Tensor num = make_tensor<int32_t>({2}, {1, 2}, DType::kInt32);
  auto v = align(linear_map(2), rois, align_attrs(1, 1, 2, false), &num);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_NEAR(v[1], v[0] + 100, 1e-4);
  EXPECT_NEAR(v[2], v[0] + 100, 1e-4);
  // A batch without RoisNum is refused: nothing says which image a ROI belongs to.
  const std::vector<OpInput> in{{"X", linear_map(2)}, {"ROIs", rois}};
  auto r = run_model(one_op_model("roi_align", in, align_attrs(1, 1, 2, false), {{"Out"}}),
                     feeds(in), false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("RoisNum"), std::string::npos);
}

TEST(RoiAlign, OptimizedMatchesReference) {
  Tensor x = random_tensor({2, 5, 13, 17}, 3);
  Tensor rois = random_tensor({9, 4}, 4, 0, 40);
  for (int64_t i = 0; i < 9; ++i) {  // make x2 >= x1, y2 >= y1 for most
    float* b = rois.data<float>() + i * 4;
    if (b[2] < b[0]) std::swap(b[0], b[2]);
    if (b[3] < b[1]) std::swap(b[1], b[3]);
  }
  Tensor num = make_tensor<int64_t>({2}, {4, 5}, DType::kInt64);
  for (bool aligned : {false, true})
    for (int sampling : {-1, 2})
      check_optimized_matches_reference("roi_align", {{"X", x}, {"ROIs", rois}, {"RoisNum", num}},
                                        align_attrs(3, 2, sampling, aligned, 0.25f), {{"Out"}}, 0);
}

TEST(RoiPool, MaxOverRoundedBins) {
  // [0,0,3,3] -> a 4x4 box, 2x2 bins of 2x2 cells: maxima f(1,1) = 5, f(1,3) = 7, f(3,1) = 13,
  // f(3,3) = 15 at flat indices equal to the values.
  Tensor roi = make_tensor<float>({1, 4}, {0, 0, 3, 3}, DType::kFloat32);
  auto r = run_reference("roi_pool", {{"X", linear_map()}, {"ROIs", roi}},
                         {{"pooled_height", Attribute::i32(2)},
                          {"pooled_width", Attribute::i32(2)},
                          {"spatial_scale", Attribute::f32(1.0f)}},
                         {{"Out", DType::kFloat32}, {"Argmax", DType::kInt64}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tensor.to_vector<float>(), (std::vector<float>{5, 7, 13, 15}));
  EXPECT_EQ(r[1].tensor.to_vector<int64_t>(), (std::vector<int64_t>{5, 7, 13, 15}));
  // Scale 0.5 and rounding half away from zero: [1,1,5,5] -> [0.5, 2.5] -> [1, 3]: max f(3,3).
  roi = make_tensor<float>({1, 4}, {1, 1, 5, 5}, DType::kFloat32);
  r = run_reference("roi_pool", {{"X", linear_map()}, {"ROIs", roi}},
                    {{"pooled_height", Attribute::i32(1)},
                     {"pooled_width", Attribute::i32(1)},
                     {"spatial_scale", Attribute::f32(0.5f)}},
                    {{"Out", DType::kFloat32}, {"Argmax", DType::kInt64}});
  EXPECT_EQ(r[0].tensor.to_vector<float>(), (std::vector<float>{15}));
}

// ---- generate_proposals_v2 ----

struct Proposals {
  std::vector<float> rois, probs;
  std::vector<int32_t> num;
};

Proposals proposals(const Tensor& scores, const Tensor& deltas, const Tensor& im,
                    const Tensor& anchors, std::vector<NamedAttribute> attrs,
                    const char* type = "generate_proposals_v2") {
  Tensor vars = make_tensor<float>(
      anchors.dims(), std::vector<float>(static_cast<std::size_t>(anchors.numel()), 1.0f),
      DType::kFloat32);
  auto r = run_reference(type,
                         {{"Scores", scores},
                          {"BboxDeltas", deltas},
                          {std::string(type) == "generate_proposals" ? "ImInfo" : "ImShape", im},
                          {"Anchors", anchors, true},
                          {"Variances", vars, true}},
                         attrs,
                         {{"RpnRois", DType::kFloat32},
                          {"RpnRoiProbs", DType::kFloat32},
                          {"RpnRoisNum", DType::kInt32}});
  Proposals p;
  if (r.size() != 3) return p;
  p.rois = r[0].tensor.to_vector<float>();
  p.probs = r[1].tensor.to_vector<float>();
  p.num = r[2].tensor.to_vector<int32_t>();
  return p;
}

std::vector<NamedAttribute> proposal_attrs(int pre, int post, float nms, float min_size) {
  return {{"pre_nms_topN", Attribute::i32(pre)}, {"post_nms_topN", Attribute::i32(post)},
          {"nms_thresh", Attribute::f32(nms)},   {"min_size", Attribute::f32(min_size)},
          {"eta", Attribute::f32(1.0f)},         {"pixel_offset", Attribute::boolean(true)}};
}

TEST(GenerateProposals, ZeroDeltasGiveTheAnchorsInScoreOrderAfterNms) {
  // A = 3 anchors on a 1x1 map: a0 and a1 overlap heavily (pixel IoU 240/256 > 0.5), a2 is apart.
  // Zero deltas decode to the anchors themselves (pixel boxes: width x2 - x1 + 1, center
  // x1 + width / 2, x2 = center + width / 2 - 1).
  Tensor anchors = make_tensor<float>({1, 1, 3, 4}, {0, 0, 15, 15, 1, 0, 15, 15, 20, 0, 31, 15},
                                      DType::kFloat32);
  Tensor scores = make_tensor<float>({1, 3, 1, 1}, {0.3f, 0.8f, 0.5f}, DType::kFloat32);
  Tensor deltas = make_tensor<float>({1, 12, 1, 1}, std::vector<float>(12, 0), DType::kFloat32);
  Tensor im = make_tensor<float>({1, 2}, {16, 32}, DType::kFloat32);
  auto p = proposals(scores, deltas, im, anchors, proposal_attrs(-1, 10, 0.5f, 0.1f));
  EXPECT_EQ(p.num, (std::vector<int32_t>{2}));
  EXPECT_EQ(p.rois, (std::vector<float>{1, 0, 15, 15, 20, 0, 31, 15}));
  EXPECT_EQ(p.probs, (std::vector<float>{0.8f, 0.5f}));
  // post_nms_topN 1 keeps the best; pre_nms_topN 1 considers only it.
  EXPECT_EQ(proposals(scores, deltas, im, anchors, proposal_attrs(-1, 1, 0.5f, 0.1f)).probs,
            (std::vector<float>{0.8f}));
  EXPECT_EQ(proposals(scores, deltas, im, anchors, proposal_attrs(1, 10, 0.5f, 0.1f)).probs,
            (std::vector<float>{0.8f}));
  // Clipping to an image 10 wide: x in [0, 9], so a2 becomes [9,0,9,15], 1 pixel wide, which
  // min_size 2 drops (widths below max(min_size, 1) go); a0 [0,0,9,15] then loses to a1 [1,0,9,15]
  // (IoU 0.9).
  Tensor narrow = make_tensor<float>({1, 2}, {16, 10}, DType::kFloat32);
  p = proposals(scores, deltas, narrow, anchors, proposal_attrs(-1, 10, 0.5f, 2.0f));
  EXPECT_EQ(p.rois, (std::vector<float>{1, 0, 9, 15}));
  // Nothing left: one all-zero box with score 0.
  p = proposals(scores, deltas, im, anchors, proposal_attrs(-1, 10, 0.5f, 100.0f));
  EXPECT_EQ(p.rois, (std::vector<float>{0, 0, 0, 0}));
  EXPECT_EQ(p.probs, (std::vector<float>{0}));
  EXPECT_EQ(p.num, (std::vector<int32_t>{1}));
}

TEST(GenerateProposals, DeltasDecodeAgainstAnchors) {
  // Anchor [0,0,15,15]: width 16, center 8. dx = 0.5 -> center 16; dw = ln 2 -> width 32:
  // x1 = 0, x2 = 16 + 16 - 1 = 31 (clipped to im_w - 1 = 39 leaves it).
  Tensor anchors = make_tensor<float>({1, 1, 1, 4}, {0, 0, 15, 15}, DType::kFloat32);
  Tensor scores = make_tensor<float>({1, 1, 1, 1}, {0.9f}, DType::kFloat32);
  Tensor deltas = make_tensor<float>({1, 4, 1, 1}, {0.5f, 0, std::log(2.0f), 0}, DType::kFloat32);
  Tensor im = make_tensor<float>({1, 2}, {40, 40}, DType::kFloat32);
  auto p = proposals(scores, deltas, im, anchors, proposal_attrs(-1, 10, 0.7f, 0.1f));
  ASSERT_EQ(p.rois.size(), 4u);
  EXPECT_NEAR(p.rois[0], 0, 1e-4);
  EXPECT_NEAR(p.rois[2], 31, 1e-4);
  EXPECT_NEAR(p.rois[3], 15, 1e-4);
  // v1 (ImInfo = h, w, scale 2) clips to round(40 / 2) - 1 = 19.
  Tensor info = make_tensor<float>({1, 3}, {40, 40, 2}, DType::kFloat32);
  p = proposals(scores, deltas, info, anchors,
                {{"pre_nms_topN", Attribute::i32(-1)},
                 {"post_nms_topN", Attribute::i32(10)},
                 {"nms_thresh", Attribute::f32(0.7f)},
                 {"min_size", Attribute::f32(0.1f)},
                 {"eta", Attribute::f32(1.0f)}},
                "generate_proposals");
  ASSERT_EQ(p.rois.size(), 4u);
  EXPECT_NEAR(p.rois[2], 19, 1e-4);
}

TEST(DistributeFpnProposals, LevelsByScaleWithRestoreIndex) {
  // refer_scale 224 at level 4, levels 2..5, no pixel offset: 224 -> 4, 112 -> 3, 10 -> 2
  // (floor(log2(10/224)) + 4 = -1, clamped), 1000 -> 6 clamped to 5.
  Tensor rois = make_tensor<float>(
      {4, 4}, {0, 0, 224, 224, 0, 0, 10, 10, 0, 0, 1000, 1000, 0, 0, 112, 112}, DType::kFloat32);
  Tensor num = make_tensor<int32_t>({2}, {2, 2}, DType::kInt32);
  auto r = run_reference("distribute_fpn_proposals", {{"FpnRois", rois}, {"RoisNum", num}},
                         {{"min_level", Attribute::i32(2)},
                          {"max_level", Attribute::i32(5)},
                          {"refer_level", Attribute::i32(4)},
                          {"refer_scale", Attribute::i32(224)},
                          {"pixel_offset", Attribute::boolean(false)}},
                         {{"MultiFpnRois", DType::kFloat32, 4},
                          {"RestoreIndex", DType::kInt32},
                          {"MultiLevelRoIsNum", DType::kInt32, 4}});
  ASSERT_EQ(r.size(), 9u);
  EXPECT_EQ(r[0].tensor.to_vector<float>(), (std::vector<float>{0, 0, 10, 10}));
  EXPECT_EQ(r[1].tensor.to_vector<float>(), (std::vector<float>{0, 0, 112, 112}));
  EXPECT_EQ(r[2].tensor.to_vector<float>(), (std::vector<float>{0, 0, 224, 224}));
  EXPECT_EQ(r[3].tensor.to_vector<float>(), (std::vector<float>{0, 0, 1000, 1000}));
  EXPECT_EQ(r[4].tensor.to_vector<int32_t>(), (std::vector<int32_t>{2, 0, 3, 1}));
  EXPECT_EQ(r[5].tensor.to_vector<int32_t>(), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(r[6].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(r[7].tensor.to_vector<int32_t>(), (std::vector<int32_t>{1, 0}));
  EXPECT_EQ(r[8].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0, 1}));
}

TEST(CollectFpnProposals, TopByScoreThenGroupedByImage) {
  // Level 0: r00 (image 0, 0.5), r01 (image 1, 0.9); level 1: r10 (image 0, 0.7), r11 (image 0,
  // 0.2), r12 (image 1, 0.6). Top 4: 0.9, 0.7, 0.6, 0.5; grouped by image: r10, r00 | r01, r12.
  Tensor l0 = make_tensor<float>({2, 4}, {0, 0, 1, 1, 1, 1, 2, 2}, DType::kFloat32);
  Tensor l1 =
      make_tensor<float>({3, 4}, {10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 13, 13}, DType::kFloat32);
  Tensor s0 = make_tensor<float>({2, 1}, {0.5f, 0.9f}, DType::kFloat32);
  Tensor s1 = make_tensor<float>({3, 1}, {0.7f, 0.2f, 0.6f}, DType::kFloat32);
  Tensor n0 = make_tensor<int32_t>({2}, {1, 1}, DType::kInt32);
  Tensor n1 = make_tensor<int32_t>({2}, {2, 1}, DType::kInt32);
  auto run = [&](const Tensor& score0, int top) {
    return run_reference("collect_fpn_proposals",
                         {{"MultiLevelRois", l0},
                          {"MultiLevelRois", l1},
                          {"MultiLevelScores", score0},
                          {"MultiLevelScores", s1},
                          {"MultiLevelRoIsNum", n0},
                          {"MultiLevelRoIsNum", n1}},
                         {{"post_nms_topN", Attribute::i32(top)}},
                         {{"FpnRois", DType::kFloat32}, {"RoisNum", DType::kInt32}});
  };
  auto r = run(s0, 4);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tensor.to_vector<float>(),
            (std::vector<float>{10, 10, 11, 11, 0, 0, 1, 1, 1, 1, 2, 2, 12, 12, 13, 13}));
  EXPECT_EQ(r[1].tensor.to_vector<int32_t>(), (std::vector<int32_t>{2, 2}));
  // Paddle ranks with `a >= b`: on a tie libstdc++'s stable_sort (insertion sort on short ranges)
  // moves the later element first. r00 0.7 ties r10 0.7: r10 (later) comes first.
  Tensor tie = make_tensor<float>({2, 1}, {0.7f, 0.9f}, DType::kFloat32);
  r = run(tie, 2);
  EXPECT_EQ(r[0].tensor.to_vector<float>(), (std::vector<float>{10, 10, 11, 11, 1, 1, 2, 2}));
  EXPECT_EQ(r[1].tensor.to_vector<int32_t>(), (std::vector<int32_t>{1, 1}));
}

}  // namespace
}  // namespace detport::testing
