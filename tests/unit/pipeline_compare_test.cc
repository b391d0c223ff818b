#include <gtest/gtest.h>

#include "formats/model_io.h"
#include "ir/builder.h"
#include "pipeline/compare.h"
#include "test_support.h"

namespace detport::pipeline {
namespace {

using ir::Attribute;

TEST(Compare, TensorDiffsUseRelativeAndAbsoluteTolerances) {
  auto a = runtime::Tensor::from<float>({3}, {1.0f, 100.0f, 0.0f}, ir::DType::kFloat32);
  auto b = runtime::Tensor::from<float>({3}, {1.00005f, 100.009f, 0.000001f}, ir::DType::kFloat32);
  Tolerances t;
  auto d = diff_tensors("out", a, b, t);
  EXPECT_TRUE(d.within);
  EXPECT_NEAR(d.max_abs, 0.009, 1e-4);
  auto c = runtime::Tensor::from<float>({3}, {1.0f, 100.1f, 0.0f}, ir::DType::kFloat32);
  EXPECT_FALSE(diff_tensors("out", a, c, t).within);
  auto shape = runtime::Tensor::from<float>({1, 3}, {1, 2, 3}, ir::DType::kFloat32);
  auto s = diff_tensors("out", a, shape, t);
  EXPECT_FALSE(s.shapes_match);
}

TEST(Compare, DetectionsMatchByClassAndIoU) {
  ImageDetections a{{{0, 0.9f, 10, 10, 50, 50}, {1, 0.8f, 60, 60, 90, 90}}};
  ImageDetections same{{{1, 0.8f, 60, 60, 90, 90}, {0, 0.9f, 10, 10, 50, 50}}};
  Tolerances t;
  auto d = diff_detections(a, same, t);
  EXPECT_TRUE(d.within);
  EXPECT_EQ(d.matched, 2);
  ImageDetections moved{{{0, 0.9f, 11, 10, 51, 50}, {1, 0.8f, 60, 60, 90, 90}}};
  auto m = diff_detections(a, moved, t);
  EXPECT_FALSE(m.within);
  EXPECT_LT(m.min_iou, 0.99);
  ImageDetections relabelled{{{2, 0.9f, 10, 10, 50, 50}, {1, 0.8f, 60, 60, 90, 90}}};
  EXPECT_EQ(diff_detections(a, relabelled, t).matched, 1);
  ImageDetections rescored{{{0, 0.7f, 10, 10, 50, 50}, {1, 0.8f, 60, 60, 90, 90}}};
  EXPECT_FALSE(diff_detections(a, rescored, t).within);
}

// A small network the runtime runs today: conv + bias + hard_swish, then a 1x1 conv.
ir::Model small_net(float leaky_alpha) {
  ir::ProgramBuilder b;
  auto x = b.input("image", ir::DType::kFloat32, {-1, 3, -1, -1});
  auto w1 = b.random_param("w1", {8, 3, 3, 3}, 0.3f);
  auto w2 = b.random_param("w2", {4, 8, 1, 1}, 0.3f);
  auto c1 = b.temp("c1", ir::DType::kFloat32, {});
  b.op("conv2d")
      .in("Input", {x})
      .in("Filter", {w1})
      .out("Output", {c1})
      .attr("strides", Attribute::i32s({1, 1}))
      .attr("paddings", Attribute::i32s({1, 1}))
      .attr("dilations", Attribute::i32s({1, 1}))
      .attr("groups", Attribute::i32(1))
      .build();
  auto a1 = b.temp("a1", ir::DType::kFloat32, {});
  b.op("leaky_relu")
      .in("X", {c1})
      .out("Out", {a1})
      .attr("alpha", Attribute::f32(leaky_alpha))
      .build();
  auto c2 = b.temp("c2", ir::DType::kFloat32, {});
  b.op("conv2d")
      .in("Input", {a1})
      .in("Filter", {w2})
      .out("Output", {c2})
      .attr("strides", Attribute::i32s({1, 1}))
      .attr("paddings", Attribute::i32s({0, 0}))
      .attr("dilations", Attribute::i32s({1, 1}))
      .attr("groups", Attribute::i32(1))
      .build();
  b.output(c2);
  return std::move(b).finish(ir::Release{2, 6, 1});
}

TEST(CompareCli, SameModelIsSamePerturbedWeightOrWrongAttributeIsNot) {
  testing::TempDir dir;
  const auto a = dir / "a", w = dir / "perturbed", attr = dir / "attr";
  for (const auto& p : {a, w, attr}) std::filesystem::create_directories(p);
  ir::Model m = small_net(0.1f);
  ASSERT_TRUE(formats::save_model(m, a).ok());
  // One weight nudged by 1%: a converted model that silently changed a parameter.
  ir::Model perturbed = m;
  auto values = perturbed.weights.at("w2").values<float>();
  values[5] *= 1.01f;
  perturbed.weights["w2"] = ir::Tensor::from_values(ir::DType::kFloat32, {4, 8, 1, 1}, values);
  ASSERT_TRUE(formats::save_model(perturbed, w).ok());
  // leaky_relu alpha 0.02 (Paddle's default) where the original says 0.1: an attribute lost in
  // conversion.
  ASSERT_TRUE(formats::save_model(small_net(0.02f), attr).ok());
  auto same = testing::run_detport("compare '" + a.string() + "' '" + a.string() + "' --random 2");
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("same:"), std::string::npos) << same.out;
  auto diff = testing::run_detport("compare '" + a.string() + "' '" + w.string() + "' --random 2");
  EXPECT_EQ(diff.exit_code, 1) << diff.out << diff.err;
  EXPECT_NE(diff.out.find("different:"), std::string::npos) << diff.out;
  auto wrong = testing::run_detport("compare '" + a.string() + "' '" + attr.string() +
                                    "' --random 1 --json");
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out << wrong.err;
  auto j = nlohmann::json::parse(wrong.out);
  EXPECT_FALSE(j["same"].get<bool>());
  auto bad = testing::run_detport("compare '" + a.string() + "'");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("needs a second model"), std::string::npos);
}

}  // namespace
}  // namespace detport::pipeline
