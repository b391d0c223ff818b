// multiclass_nms3 / multiclass_nms exported as NonMaxSuppression + post-processing, run by ONNX
// Runtime for several batch sizes against a reference written from Paddle's kernel
// (phi/kernels/cpu/multiclass_nms3_kernel.cc): per class, scores > score_threshold, best
// nms_top_k, greedy suppression when IoU > nms_threshold (+1 on sizes when not normalized);
// keep_top_k best per image by a stable sort; rows ordered by class then score; Index = image *
// M + box; no detections: [0, 6] (v3) or one row [-1] (v1).
#include <algorithm>
#include <map>
#include <random>

#include "onnx/nms_reference.h"
#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using testing::HostTensor;
using testing::Row;
using testing::Settings;

ir::Model nms_model(const std::string& type, int c, int m, const Settings& s) {
  std::vector<testing::Arg> outs{{"Out", "bbox", ir::DType::kFloat32, {-1, 6}}};
  if (type == "multiclass_nms3") {
    outs.push_back({"Index", "index", ir::DType::kInt32, {-1, 1}});
    outs.push_back({"NmsRoisNum", "bbox_num", ir::DType::kInt32, {-1}});
  }
  return testing::one_op(type,
                         {{"BBoxes", "boxes", ir::DType::kFloat32, {-1, m, 4}},
                          {"Scores", "scores", ir::DType::kFloat32, {-1, c, m}}},
                         outs,
                         {{"score_threshold", Attribute::f32(s.score_threshold)},
                          {"nms_threshold", Attribute::f32(s.nms_threshold)},
                          {"nms_top_k", Attribute::i32(s.nms_top_k)},
                          {"keep_top_k", Attribute::i32(s.keep_top_k)},
                          {"background_label", Attribute::i32(s.background_label)},
                          {"normalized", Attribute::boolean(s.normalized)},
                          {"nms_eta", Attribute::f32(1.f)}});
}

// Clustered boxes so that suppression happens, and scores in [0, 1).
std::pair<std::vector<float>, std::vector<float>> inputs(int n, int c, int m, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> boxes, scores;
  for (int i = 0; i < n * m; ++i) {
    const float cx = 20.f + 60.f * static_cast<float>((i / 3) % 4) / 3 + 8 * u(rng);
    const float cy = 20.f + 60.f * u(rng);
    const float w = 10 + 20 * u(rng), h = 10 + 20 * u(rng);
    boxes.insert(boxes.end(), {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2});
  }
  for (int i = 0; i < n * c * m; ++i) scores.push_back(u(rng));
  return {boxes, scores};
}

void expect_rows(const testing::RunResult& r, const std::vector<Row>& rows,
                 const std::vector<int>& counts, bool v3) {
  const auto out = r.out(0).as<float>();
  ASSERT_EQ(r.out(0).dims, (std::vector<int64_t>{static_cast<int64_t>(rows.size()), 6}));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    EXPECT_EQ(out[i * 6], rows[i].label);
    EXPECT_FLOAT_EQ(out[i * 6 + 1], rows[i].score);
    for (int k = 0; k < 4; ++k)
      EXPECT_FLOAT_EQ(out[i * 6 + 2 + static_cast<std::size_t>(k)], rows[i].box[k]);
  }
  if (!v3) {
    EXPECT_EQ(r.out(1).as<int32_t>(), counts);  // the extra bbox_num output
    return;
  }
  const auto index = r.out(1).as<int32_t>();
  ASSERT_EQ(index.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(index[i], rows[i].index);
  EXPECT_EQ(r.out(2).as<int32_t>(), counts);
}

TEST(OnnxNms, MatchesPaddleForEveryBatchSize) {
  const int c = 3, m = 40;
  testing::OrtBatch batch;
  std::vector<std::pair<std::string, Settings>> cases;
  cases.push_back({"defaults", Settings{}});
  Settings bg;
  bg.background_label = 0;
  cases.push_back({"background 0", bg});
  Settings unnorm;
  unnorm.normalized = false;
  unnorm.nms_threshold = 0.3f;
  cases.push_back({"not normalized", unnorm});
  Settings all;
  all.nms_top_k = -1;
  all.keep_top_k = -1;
  cases.push_back({"no top-k limits", all});
  for (const auto& [label, s] : cases) {
    auto model = nms_model("multiclass_nms3", c, m, s);
    for (int opset : {11, 13, 17}) {
      const std::string bytes = testing::export_or_fail(model, opset);
      for (int n : {1, 3}) {
        auto [boxes, scores] = inputs(n, c, m, static_cast<unsigned>(n * 10 + opset));
        auto [rows, counts] = testing::nms_reference(boxes, scores, n, c, m, s);
        // The inputs exercise truncation to keep_top_k.
        if (s.keep_top_k > 0) {
          EXPECT_EQ(*std::max_element(counts.begin(), counts.end()), s.keep_top_k);
        }
        batch.add(label + " opset " + std::to_string(opset) + " batch " + std::to_string(n), bytes,
                  {{"boxes", HostTensor::f32({n, m, 4}, boxes)},
                   {"scores", HostTensor::f32({n, c, m}, scores)}},
                  [rows = rows, counts = counts](const testing::RunResult& r) {
                    expect_rows(r, rows, counts, true);
                  });
      }
    }
  }
  batch.run();
}

TEST(OnnxNms, ScoreThresholdIsStrict) {
  // Paddle keeps scores > threshold; a score equal to it is dropped.
  Settings s;
  s.score_threshold = 0.5f;
  auto model = nms_model("multiclass_nms3", 1, 3, s);
  const std::vector<float> boxes{0, 0, 10, 10, 20, 20, 30, 30, 40, 40, 50, 50};
  const std::vector<float> scores{0.5f, 0.6f, 0.4f};
  testing::OrtBatch batch;
  batch.add("strict", testing::export_or_fail(model, 13),
            {{"boxes", HostTensor::f32({1, 3, 4}, boxes)},
             {"scores", HostTensor::f32({1, 1, 3}, scores)}},
            [](const testing::RunResult& r) {
              ASSERT_EQ(r.out(0).dims, (std::vector<int64_t>{1, 6}));
              EXPECT_FLOAT_EQ(r.out(0).as<float>()[1], 0.6f);
            });
  batch.run();
}

TEST(OnnxNms, NoDetections) {
  Settings s;
  s.score_threshold = 2.f;
  const int c = 2, m = 5;
  auto [boxes, scores] = inputs(2, c, m, 3);
  testing::OrtBatch batch;
  batch.add("v3", testing::export_or_fail(nms_model("multiclass_nms3", c, m, s), 13),
            {{"boxes", HostTensor::f32({2, m, 4}, boxes)},
             {"scores", HostTensor::f32({2, c, m}, scores)}},
            [](const testing::RunResult& r) {
              EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{0, 6}));
              EXPECT_EQ(r.out(2).as<int32_t>(), (std::vector<int32_t>{0, 0}));
            });
  // v1 (multiclass_nms): one row holding -1, as the phi kernel writes without return_index.
  batch.add("v1", testing::export_or_fail(nms_model("multiclass_nms", c, m, s), 13),
            {{"boxes", HostTensor::f32({2, m, 4}, boxes)},
             {"scores", HostTensor::f32({2, c, m}, scores)}},
            [](const testing::RunResult& r) {
              EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{1, 1}));
              EXPECT_EQ(r.out(0).as<float>(), (std::vector<float>{-1.f}));
              EXPECT_EQ(r.outputs.at(1).first, "bbox_num");
              EXPECT_EQ(r.out(1).as<int32_t>(), (std::vector<int32_t>{0, 0}));
            });
  batch.run();
}

TEST(OnnxNms, V1GetsPerImageCounts) {
  const int c = 2, m = 30;
  Settings s;
  auto model = nms_model("multiclass_nms", c, m, s);
  auto [boxes, scores] = inputs(2, c, m, 9);
  auto [rows, counts] = testing::nms_reference(boxes, scores, 2, c, m, s);
  testing::OrtBatch batch;
  batch.add("v1 batch 2", testing::export_or_fail(model, 11),
            {{"boxes", HostTensor::f32({2, m, 4}, boxes)},
             {"scores", HostTensor::f32({2, c, m}, scores)}},
            [rows = rows, counts = counts](const testing::RunResult& r) {
              expect_rows(r, rows, counts, false);
            });
  batch.run();
}

TEST(OnnxNms, RefusedSettingsAreListed) {
  Settings s;
  auto model = nms_model("multiclass_nms3", 2, 5, s);
  model.program.global_block().ops[2].set_attr("nms_eta", Attribute::f32(0.5f));
  auto plan = onnx_export::plan_export(model);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->unsupported.size(), 1u);
  EXPECT_NE(plan->unsupported[0].reason.find("nms_eta"), std::string::npos);
  // Cutting the graph before NMS exports the rest.
  onnx_export::ExportOptions o;
  o.exclude_nms = true;
  auto cut = onnx_export::plan_export(model, o);
  ASSERT_TRUE(cut.ok());
  EXPECT_TRUE(cut->unsupported.empty());
}

}  // namespace
}  // namespace detport
