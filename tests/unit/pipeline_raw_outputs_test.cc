// Detections from models exported without NMS: hand-computed cases for each output form
// (pipeline/raw_outputs.h). Expected boxes are worked out in the comments, not by the code.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "pipeline/postprocess.h"

namespace detport::pipeline {
namespace {

using runtime::NamedTensor;
using runtime::Tensor;

ImageState image(int h, int w, float sy, float sx) {
  ImageState s;
  s.image = cv::Mat(h, w, CV_8UC3, cv::Scalar(0, 0, 0));
  s.im_shape = {static_cast<float>(h), static_cast<float>(w)};
  s.scale_factor = {sy, sx};
  return s;
}

PostprocessOptions opts() {
  PostprocessOptions o;
  o.threshold = 0.3f;
  o.nms_score_threshold = 0.01f;
  o.nms_iou_threshold = 0.5f;
  return o;
}

void expect_box(const Detection& d, int cls, float score, std::array<float, 4> box) {
  EXPECT_EQ(d.class_id, cls);
  EXPECT_FLOAT_EQ(d.score, score);
  EXPECT_NEAR(d.x1, box[0], 1e-4);
  EXPECT_NEAR(d.y1, box[1], 1e-4);
  EXPECT_NEAR(d.x2, box[2], 1e-4);
  EXPECT_NEAR(d.y2, box[3], 1e-4);
}

TEST(RawOutputs, BoxesAndScoresGetMulticlassNms) {
  // Boxes 0 and 1 overlap with IoU 81/119 = 0.68 > 0.5; box 2 is apart.
  const std::vector<float> boxes{0, 0, 10, 10, 1, 1, 10, 10, 50, 50, 60, 60};
  // Class 0: 0.9, 0.8, 0.1; class 1: 0.05, 0.05, 0.7.
  const std::vector<float> scores{0.9f, 0.8f, 0.1f, 0.05f, 0.05f, 0.7f};
  std::vector<NamedTensor> out{{"boxes", Tensor::from({1, 3, 4}, boxes, ir::DType::kFloat32)},
                               {"scores", Tensor::from({1, 2, 3}, scores, ir::DType::kFloat32)}};
  ASSERT_EQ(classify_outputs(out), OutputKind::kBoxesAndScores);
  auto dets = postprocess(out, {image(100, 100, 1, 1)}, opts());
  ASSERT_TRUE(dets.ok()) << dets.error().describe();
  ASSERT_EQ(dets->size(), 1u);
  ASSERT_EQ((*dets)[0].boxes.size(), 2u);  // box 1 suppressed, box 2's class 0 below 0.3
  expect_box((*dets)[0].boxes[0], 0, 0.9f, {0, 0, 10, 10});
  expect_box((*dets)[0].boxes[1], 1, 0.7f, {50, 50, 60, 60});
}

TEST(RawOutputs, ConcatenatedBoxesAreDividedByTheScaleFactor) {
  // [1, 2, 4 + 1]: input-pixel boxes then one class score; scale_factor (y 2, x 4).
  const std::vector<float> v{8, 4, 40, 20, 0.95f, 0, 0, 4, 4, 0.2f};
  std::vector<NamedTensor> out{{"o", Tensor::from({1, 2, 5}, v, ir::DType::kFloat32)}};
  ASSERT_EQ(classify_outputs(out), OutputKind::kConcatenated);
  auto dets = postprocess(out, {image(100, 100, 2, 4)}, opts());
  ASSERT_TRUE(dets.ok()) << dets.error().describe();
  ASSERT_EQ((*dets)[0].boxes.size(), 1u);
  expect_box((*dets)[0].boxes[0], 0, 0.95f, {2, 2, 10, 10});
}

TEST(RawOutputs, PicoDetDistributionsDecodeLikeTheDeployCode) {
  // One level, stride 8, a 16x16 input: a 2x2 map (anchors 0..3), one class, reg_max 1 (two
  // bins). Anchor 0, centre (4, 4), equal logits: each distance 0.5 * 1 * 8 = 4 -> (0, 0, 8, 8).
  // Anchor 3, centre (12, 12), logits (0, 20): distance ~8 -> (4, 4, 20, 20), clipped to the
  // 16x16 input -> (4, 4, 16, 16). Scale factor 0.5 doubles both back to original pixels.
  std::vector<float> dist(4 * 8, 0.0f);
  for (int side = 0; side < 4; ++side) dist[3 * 8 + side * 2 + 1] = 20.0f;
  const std::vector<float> score{0.9f, 0.1f, 0.1f, 0.8f};
  std::vector<NamedTensor> out{{"s", Tensor::from({1, 4, 1}, score, ir::DType::kFloat32)},
                               {"d", Tensor::from({1, 4, 8}, dist, ir::DType::kFloat32)}};
  ASSERT_EQ(classify_outputs(out), OutputKind::kPicoDetRaw);
  PostprocessOptions o = opts();
  o.fpn_stride = {8};
  auto dets = postprocess(out, {image(16, 16, 0.5f, 0.5f)}, o);
  ASSERT_TRUE(dets.ok()) << dets.error().describe();
  ASSERT_EQ((*dets)[0].boxes.size(), 2u);
  expect_box((*dets)[0].boxes[0], 0, 0.9f, {0, 0, 16, 16});
  const float d = 8.0f / (1.0f + std::exp(-20.0f)) * 2;  // 8 * softmax weight of bin 1, * 2
  expect_box((*dets)[0].boxes[1], 0, 0.8f, {(12 - d / 2) * 2, (12 - d / 2) * 2, 32, 32});
}

TEST(RawOutputs, PicoDetWithMoreLevelsThanStridesIsAClearError) {
  std::vector<NamedTensor> out{
      {"s", Tensor::from({1, 4, 1}, std::vector<float>(4, 0.5f), ir::DType::kFloat32)},
      {"d", Tensor::from({1, 4, 8}, std::vector<float>(32, 0.0f), ir::DType::kFloat32)}};
  PostprocessOptions o = opts();
  o.fpn_stride = {};
  auto dets = postprocess(out, {image(16, 16, 1, 1)}, o);
  ASSERT_FALSE(dets.ok());
  EXPECT_NE(dets.error().message.find("fpn_stride lists 0 strides"), std::string::npos);
}

}  // namespace
}  // namespace detport::pipeline
