// multiclass_nms{,2,3} and matrix_nms: hand-computed cases pinning Paddle's semantics (expected
// values worked out from the formulas in paddle/phi/kernels/cpu/multiclass_nms3_kernel.cc and
// matrix_nms_kernel.cc, quoted in src/runtime/kernels/detection/nms.h), edge cases, and the
// optimised path against the reference on random inputs full of ties.
#include "op_test_util.h"
#include "runtime/kernels/detection/nms.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using ir::DType;
using ir::NamedAttribute;

std::vector<NamedAttribute> nms_attrs(float score_threshold, int nms_top_k, int keep_top_k,
                                      float nms_threshold, int background_label,
                                      bool normalized = true, float eta = 1.0f) {
  return {{"score_threshold", Attribute::f32(score_threshold)},
          {"nms_top_k", Attribute::i32(nms_top_k)},
          {"keep_top_k", Attribute::i32(keep_top_k)},
          {"nms_threshold", Attribute::f32(nms_threshold)},
          {"background_label", Attribute::i32(background_label)},
          {"normalized", Attribute::boolean(normalized)},
          {"nms_eta", Attribute::f32(eta)}};
}

const std::vector<OpOutput> kNms3Outputs{
    {"Out", DType::kFloat32}, {"Index", DType::kInt32}, {"NmsRoisNum", DType::kInt32}};

struct NmsResult {
  std::vector<float> out;
  Dims out_dims;
  std::vector<int32_t> index;
  std::vector<int32_t> rois_num;
};

NmsResult nms3(const Tensor& boxes, const Tensor& scores, std::vector<NamedAttribute> attrs,
               const Tensor* rois_num = nullptr) {
  std::vector<OpInput> in{{"BBoxes", boxes}, {"Scores", scores}};
  if (rois_num != nullptr) in.push_back({"RoisNum", *rois_num});
  auto r = run_reference("multiclass_nms3", in, attrs, kNms3Outputs);
  NmsResult res;
  if (r.size() != 3) return res;
  res.out = r[0].tensor.to_vector<float>();
  res.out_dims = r[0].tensor.dims();
  res.index = r[1].tensor.to_vector<int32_t>();
  res.rois_num = r[2].tensor.to_vector<int32_t>();
  return res;
}

// Four boxes: b0 and b3 identical, b1 overlaps b0 with IoU 81/119 = 0.68, b2 is far away.
Tensor four_boxes() {
  return make_tensor<float>({1, 4, 4}, {0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 10, 10},
                            DType::kFloat32);
}

TEST(MulticlassNms, GreedyPerClassWithTiesGroupedByClass) {
  // Class 0 scores: b0 and b3 tie at 0.9; the stable sort keeps the lower index first, so b0 is
  // kept and b3 (IoU 1) and b1 (IoU 0.68 > 0.5) are suppressed. Class 1 (threshold 0.15): b2 0.75
  // and b3 0.2 are disjoint, both kept. Rows are grouped by class, then by score.
  Tensor scores = make_tensor<float>({1, 2, 4}, {0.9f, 0.8f, 0.7f, 0.9f, 0.1f, 0.05f, 0.75f, 0.2f},
                                     DType::kFloat32);
  auto r = nms3(four_boxes(), scores, nms_attrs(0.15f, -1, -1, 0.5f, -1));
  EXPECT_EQ(r.out_dims, (Dims{4, 6}));
  EXPECT_EQ(r.out, (std::vector<float>{0, 0.9f,  0,  0,  10, 10, 0, 0.7f, 20, 20, 30, 30,
                                       1, 0.75f, 20, 20, 30, 30, 1, 0.2f, 0,  0,  10, 10}));
  EXPECT_EQ(r.index, (std::vector<int32_t>{0, 2, 2, 3}));  // i * M + box
  EXPECT_EQ(r.rois_num, (std::vector<int32_t>{4}));
}

TEST(MulticlassNms, KeepTopKRanksAcrossClassesButKeepsClassGrouping) {
  Tensor scores = make_tensor<float>({1, 2, 4}, {0.9f, 0.8f, 0.7f, 0.9f, 0.1f, 0.05f, 0.75f, 0.2f},
                                     DType::kFloat32);
  // Kept before the cut: c0 {b0 .9, b2 .7}, c1 {b2 .75, b3 .2}. Top 3 by score: .9, .75, .7; the
  // output is still class 0 first.
  auto r = nms3(four_boxes(), scores, nms_attrs(0.15f, -1, 3, 0.5f, -1));
  EXPECT_EQ(r.out, (std::vector<float>{0, 0.9f, 0, 0, 10, 10, 0, 0.7f, 20, 20, 30, 30, 1, 0.75f, 20,
                                       20, 30, 30}));
  EXPECT_EQ(r.rois_num, (std::vector<int32_t>{3}));
  r = nms3(four_boxes(), scores, nms_attrs(0.15f, -1, 2, 0.5f, -1));
  EXPECT_EQ(r.index, (std::vector<int32_t>{0, 2}));  // c0 b0, c1 b2
  EXPECT_EQ(r.out[0], 0);
  EXPECT_EQ(r.out[6], 1);
}

TEST(MulticlassNms, BackgroundLabelAndNmsTopK) {
  Tensor scores = make_tensor<float>({1, 2, 4}, {0.9f, 0.8f, 0.7f, 0.9f, 0.1f, 0.05f, 0.75f, 0.2f},
                                     DType::kFloat32);
  // background_label 0: only class 1 runs.
  auto r = nms3(four_boxes(), scores, nms_attrs(0.15f, -1, -1, 0.5f, 0));
  EXPECT_EQ(r.index, (std::vector<int32_t>{2, 3}));
  // nms_top_k 1: each class considers only its best box (class 0: b0 by the tie rule).
  r = nms3(four_boxes(), scores, nms_attrs(0.15f, 1, -1, 0.5f, -1));
  EXPECT_EQ(r.index, (std::vector<int32_t>{0, 2}));
}

TEST(MulticlassNms, PixelBoxesAddOneToWidthAndHeight) {
  // b0 [0,0,9,9], b1 [5,0,14,9]. normalized: inter 4*9 = 36, IoU 36 / (81+81-36) = 0.2857.
  // pixel (+1): inter 5*10 = 50, IoU 50 / (100+100-50) = 0.3333. Threshold 0.3 splits them.
  Tensor boxes = make_tensor<float>({1, 2, 4}, {0, 0, 9, 9, 5, 0, 14, 9}, DType::kFloat32);
  Tensor scores = make_tensor<float>({1, 1, 2}, {0.9f, 0.8f}, DType::kFloat32);
  EXPECT_EQ(nms3(boxes, scores, nms_attrs(0, -1, -1, 0.3f, -1, true)).index,
            (std::vector<int32_t>{0, 1}));
  EXPECT_EQ(nms3(boxes, scores, nms_attrs(0, -1, -1, 0.3f, -1, false)).index,
            (std::vector<int32_t>{0}));
}

TEST(MulticlassNms, EtaShrinksTheThresholdAfterEachKeptBoxWhileAboveHalf) {
  // b1 [0,0,10,4] has IoU 40/100 = 0.4 with b0; b2 [0,6,10,10] has IoU 0.4 with b0 and 0 with b1.
  Tensor boxes =
      make_tensor<float>({1, 3, 4}, {0, 0, 10, 10, 0, 0, 10, 4, 0, 6, 10, 10}, DType::kFloat32);
  Tensor scores = make_tensor<float>({1, 1, 3}, {0.9f, 0.8f, 0.7f}, DType::kFloat32);
  // eta 1: threshold stays 0.6, all kept.
  EXPECT_EQ(nms3(boxes, scores, nms_attrs(0, -1, -1, 0.6f, -1, true, 1.0f)).index,
            (std::vector<int32_t>{0, 1, 2}));
  // eta 0.5: after b0 the threshold becomes 0.3 (0.6 > 0.5), so 0.4 suppresses b1 and b2.
  EXPECT_EQ(nms3(boxes, scores, nms_attrs(0, -1, -1, 0.6f, -1, true, 0.5f)).index,
            (std::vector<int32_t>{0}));
  // eta 0.9 from 0.45: never shrinks (0.45 <= 0.5) and 0.4 <= 0.45 keeps both.
  EXPECT_EQ(nms3(boxes, scores, nms_attrs(0, -1, -1, 0.45f, -1, true, 0.9f)).index,
            (std::vector<int32_t>{0, 1, 2}));
}

TEST(MulticlassNms, NoDetections) {
  Tensor scores = make_tensor<float>({2, 1, 4}, std::vector<float>(8, 0.01f), DType::kFloat32);
  Tensor boxes = make_tensor<float>({2, 4, 4}, std::vector<float>(32, 1.0f), DType::kFloat32);
  // With an Index output (nms2/nms3): Out [0, 6], Index [0, 1], zero rows per image.
  auto r = nms3(boxes, scores, nms_attrs(0.5f, -1, -1, 0.5f, -1));
  EXPECT_EQ(r.out_dims, (Dims{0, 6}));
  EXPECT_TRUE(r.index.empty());
  EXPECT_EQ(r.rois_num, (std::vector<int32_t>{0, 0}));
  // multiclass_nms (no Index): a single row holding -1.
  auto v1 = run_reference("multiclass_nms", {{"BBoxes", boxes}, {"Scores", scores}},
                          nms_attrs(0.5f, -1, -1, 0.5f, -1), {{"Out", DType::kFloat32}});
  ASSERT_EQ(v1.size(), 1u);
  EXPECT_EQ(v1[0].tensor.dims(), (Dims{1, 1}));
  EXPECT_EQ(v1[0].tensor.to_vector<float>(), (std::vector<float>{-1}));
}

TEST(MulticlassNms, BatchWithDifferentCountsPerImage) {
  // Image 0: b0 and b2 survive; image 1: only b1 is above the threshold.
  Tensor boxes = make_tensor<float>(
      {2, 3, 4}, {0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 1, 1, 5, 5, 6, 6, 9, 9, 10, 10},
      DType::kFloat32);
  Tensor scores =
      make_tensor<float>({2, 1, 3}, {0.9f, 0.8f, 0.7f, 0.1f, 0.6f, 0.2f}, DType::kFloat32);
  auto r = nms3(boxes, scores, nms_attrs(0.3f, -1, -1, 0.5f, -1));
  EXPECT_EQ(r.rois_num, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(r.index, (std::vector<int32_t>{0, 2, 3 + 1}));
  EXPECT_EQ(r.out_dims, (Dims{3, 6}));
  EXPECT_FLOAT_EQ(r.out[12 + 1], 0.6f);
}

TEST(MulticlassNms, PerClassBoxesWithRoisNum) {
  // BBoxes [M=3, C=2, 4], Scores [3, 2], two images of 2 and 1 rows. Within a class the rows come
  // in ascending box order, not score order; Index = (first row of image + box) * C + label.
  Tensor boxes =
      make_tensor<float>({3, 2, 4}, {0,  0,  10, 10, 50, 50, 60, 60,  // row 0: class 0, class 1
                                     20, 20, 30, 30, 0,  0,  1,  1,   // row 1
                                     0,  0,  5,  5,  0,  0,  5,  5},  // row 2 (image 1)
                         DType::kFloat32);
  Tensor scores = make_tensor<float>({3, 2}, {0.5f, 0.1f, 0.9f, 0.1f, 0.1f, 0.8f}, DType::kFloat32);
  Tensor rois_num = make_tensor<int32_t>({2}, {2, 1}, DType::kInt32);
  auto r = nms3(boxes, scores, nms_attrs(0.3f, -1, -1, 0.5f, -1), &rois_num);
  EXPECT_EQ(r.rois_num, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(r.out, (std::vector<float>{0, 0.5f, 0, 0, 10, 10, 0, 0.9f, 20, 20, 30, 30, 1, 0.8f, 0,
                                       0, 5, 5}));
  EXPECT_EQ(r.index, (std::vector<int32_t>{0 * 2 + 0, 1 * 2 + 0, 2 * 2 + 1}));
}

TEST(MulticlassNms, RefusesPolygonBoxesAndMissingAttributes) {
  ir::Model m = one_op_model(
      "multiclass_nms3",
      {{"BBoxes", random_tensor({1, 4, 8}, 1)}, {"Scores", random_tensor({1, 2, 4}, 2)}},
      nms_attrs(0.1f, -1, -1, 0.5f, -1), kNms3Outputs);
  auto r = run_model(
      m, feeds({{"BBoxes", random_tensor({1, 4, 8}, 1)}, {"Scores", random_tensor({1, 2, 4}, 2)}}),
      false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("polygon"), std::string::npos) << r.error().message;
  m = one_op_model(
      "multiclass_nms3",
      {{"BBoxes", random_tensor({1, 4, 4}, 1)}, {"Scores", random_tensor({1, 2, 4}, 2)}},
      {{"nms_threshold", Attribute::f32(0.5f)}}, kNms3Outputs);
  r = run_model(
      m, feeds({{"BBoxes", random_tensor({1, 4, 4}, 1)}, {"Scores", random_tensor({1, 2, 4}, 2)}}),
      false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("score_threshold"), std::string::npos) << r.error().message;
}

// Boxes on a coarse grid and scores from a few levels: many exact ties and duplicates.
Tensor grid_boxes(Dims dims, uint32_t seed, float extent) {
  Tensor t = Tensor::empty(DType::kFloat32, dims);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pos(0, 20), size(1, 8);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.numel() / 4; ++i) {
    const float x = static_cast<float>(pos(rng)), y = static_cast<float>(pos(rng));
    const float s = extent / 28.0f;
    p[4 * i] = x * s;
    p[4 * i + 1] = y * s;
    p[4 * i + 2] = (x + static_cast<float>(size(rng))) * s;
    p[4 * i + 3] = (y + static_cast<float>(size(rng))) * s;
  }
  return t;
}

Tensor tied_scores(Dims dims, uint32_t seed) {
  Tensor t = Tensor::empty(DType::kFloat32, dims);
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> level(0, 9);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = static_cast<float>(level(rng)) / 10;
  return t;
}

TEST(MulticlassNms, OptimizedMatchesReferenceExactlyWithTies) {
  for (int64_t n : {1, 3})
    for (const auto& attrs :
         {nms_attrs(0.05f, -1, -1, 0.5f, -1), nms_attrs(0.25f, 50, 40, 0.45f, 0),
          nms_attrs(0.0f, 200, 7, 0.3f, 2, false),
          nms_attrs(0.1f, -1, 100, 0.7f, -1, true, 0.8f)}) {
      Tensor boxes = grid_boxes({n, 301, 4}, 11 + static_cast<uint32_t>(n), 1.0f);
      Tensor scores = tied_scores({n, 5, 301}, 5 + static_cast<uint32_t>(n));
      check_optimized_matches_reference("multiclass_nms3", {{"BBoxes", boxes}, {"Scores", scores}},
                                        attrs, kNms3Outputs, 0.0);
      check_optimized_matches_reference("multiclass_nms2", {{"BBoxes", boxes}, {"Scores", scores}},
                                        attrs, {{"Out", DType::kFloat32}, {"Index", DType::kInt32}},
                                        0.0);
    }
  // The per-class-box form.
  Tensor boxes = grid_boxes({257, 4, 4}, 3, 100.0f);
  Tensor scores = tied_scores({257, 4}, 4);
  Tensor rois_num = make_tensor<int64_t>({3}, {100, 0, 157}, DType::kInt64);
  check_optimized_matches_reference("multiclass_nms3",
                                    {{"BBoxes", boxes}, {"Scores", scores}, {"RoisNum", rois_num}},
                                    nms_attrs(0.1f, 30, 20, 0.5f, 0, false), kNms3Outputs, 0.0);
}

TEST(NmsApi, FastGreedyEqualsReferenceOnRandomTiedInputs) {
  for (uint32_t seed = 0; seed < 20; ++seed) {
    Tensor boxes = grid_boxes({400, 4}, seed, 1.0f);
    Tensor scores = tied_scores({3, 400}, seed + 100);
    auto cand = runtime::detection::Candidates<float>::shared(boxes.data<float>(),
                                                              scores.data<float>(), 400, 3);
    runtime::detection::NmsOptions o;
    o.score_threshold = 0.15f;
    o.nms_top_k = seed % 2 == 0 ? -1 : 60;
    o.keep_top_k = seed % 3 == 0 ? -1 : 25;
    o.nms_threshold = 0.4f;
    o.nms_eta = seed % 4 == 0 ? 0.9f : 1.0f;
    o.normalized = seed % 5 != 0;
    o.background_label = -1;
    for (int c = 0; c < 3; ++c)
      EXPECT_EQ(
          runtime::detection::greedy_nms(cand, c, o, runtime::detection::NmsImpl::kFast),
          runtime::detection::greedy_nms(cand, c, o, runtime::detection::NmsImpl::kReference));
    auto a = runtime::detection::multiclass_nms(cand, o, runtime::detection::NmsImpl::kFast, true);
    auto b = runtime::detection::multiclass_nms(cand, o, runtime::detection::NmsImpl::kReference);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].label, b[i].label);
      EXPECT_EQ(a[i].index, b[i].index);
    }
  }
}

std::vector<NamedAttribute> matrix_attrs(float post_threshold, int keep_top_k, bool gaussian,
                                         int background_label = -1, bool normalized = true) {
  return {{"score_threshold", Attribute::f32(0.05f)},
          {"post_threshold", Attribute::f32(post_threshold)},
          {"nms_top_k", Attribute::i32(-1)},
          {"keep_top_k", Attribute::i32(keep_top_k)},
          {"use_gaussian", Attribute::boolean(gaussian)},
          {"gaussian_sigma", Attribute::f32(2.0f)},
          {"background_label", Attribute::i32(background_label)},
          {"normalized", Attribute::boolean(normalized)}};
}

const std::vector<OpOutput> kMatrixOutputs{
    {"Out", DType::kFloat32}, {"Index", DType::kInt32}, {"RoisNum", DType::kInt32}};

TEST(MatrixNms, DecaysScoresByTheMatrixFormula) {
  // b0 [0,0,10,10] .9, b1 [0,0,10,5] .8 (IoU with b0: 50/100 = 0.5), b2 far away .7.
  // max IoU with a higher box: b0 0, b1 0.5, b2 0.
  // linear: decay(b1) = (1 - 0.5) / (1 - 0) = 0.5 -> 0.4; decay(b2) = min((1-0)/(1-0),
  // (1-0)/(1-0.5)) = 1 -> 0.7. gaussian (sigma 2): decay(b1) = exp((0 - 0.25) * 2) = 0.60653.
  Tensor boxes =
      make_tensor<float>({1, 3, 4}, {0, 0, 10, 10, 0, 0, 10, 5, 20, 20, 30, 30}, DType::kFloat32);
  Tensor scores = make_tensor<float>({1, 1, 3}, {0.9f, 0.8f, 0.7f}, DType::kFloat32);
  auto run = [&](std::vector<NamedAttribute> attrs) {
    return run_reference("matrix_nms", {{"BBoxes", boxes}, {"Scores", scores}}, attrs,
                         kMatrixOutputs);
  };
  auto r = run(matrix_attrs(0.0f, -1, false));
  ASSERT_EQ(r.size(), 3u);
  auto out = r[0].tensor.to_vector<float>();
  EXPECT_EQ(r[0].tensor.dims(), (Dims{3, 6}));
  EXPECT_FLOAT_EQ(out[1], 0.9f);
  EXPECT_FLOAT_EQ(out[7], 0.7f);
  EXPECT_FLOAT_EQ(out[13], 0.4f);
  EXPECT_EQ(r[1].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0, 2, 1}));
  EXPECT_EQ(r[2].tensor.to_vector<int32_t>(), (std::vector<int32_t>{3}));
  r = run(matrix_attrs(0.0f, -1, true));
  EXPECT_NEAR(r[0].tensor.to_vector<float>()[13], 0.8f * std::exp(-0.5f), 1e-6);
  // post_threshold 0.45 drops the decayed 0.4; keep_top_k 1 keeps the best.
  r = run(matrix_attrs(0.45f, -1, false));
  EXPECT_EQ(r[1].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0, 2}));
  r = run(matrix_attrs(0.0f, 1, false));
  EXPECT_EQ(r[1].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0}));
  // background_label 0 skips the only class: no rows.
  r = run(matrix_attrs(0.0f, -1, false, 0));
  EXPECT_EQ(r[0].tensor.dims(), (Dims{0, 6}));
  EXPECT_EQ(r[2].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0}));
}

TEST(MatrixNms, OptimizedMatchesReferenceExactly) {
  for (bool gaussian : {false, true})
    for (int64_t n : {1, 2}) {
      Tensor boxes = grid_boxes({n, 211, 4}, 21 + static_cast<uint32_t>(n), 50.0f);
      Tensor scores = tied_scores({n, 4, 211}, 31 + static_cast<uint32_t>(n));
      check_optimized_matches_reference("matrix_nms", {{"BBoxes", boxes}, {"Scores", scores}},
                                        matrix_attrs(0.1f, 60, gaussian, 1, !gaussian),
                                        kMatrixOutputs, 0.0);
    }
}

}  // namespace
}  // namespace detport::testing
