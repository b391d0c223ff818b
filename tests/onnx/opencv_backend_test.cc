// The OpenCV DNN backend (src/pipeline/opencv_backend) and ONNX Runtime against the native runtime
// on the same feeds: a real detector with weights on the images of ../shared/images (fed
// through the deploy config's preprocessing), and the demo's synthetic PP-YOLOE+ on seeded random
// feeds. Every output (the NMS rows and counts included) must agree within 1e-4 of its largest
// magnitude; the expected values are the native runtime's, an independent implementation.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include "export/onnx/onnx_model.h"
#include "formats/model_io.h"
#include "models/detection_preprocess.h"
#include "onnx/onnx_test_util.h"
#include "pipeline/detector.h"
#include "pipeline/opencv_backend.h"
#include "pipeline/runner.h"
#include "test_support.h"
#include "zoo/ppyoloe_like.h"

namespace detport {
namespace {

using runtime::NamedTensor;
using FeedSet = std::vector<NamedTensor>;

// Passes runs through to the native backend and keeps the feeds the pipeline built.
class Recorder final : public runtime::Backend {
 public:
  Recorder(std::unique_ptr<runtime::Backend> inner, std::vector<FeedSet>* out)
      : inner_(std::move(inner)), out_(out) {}
  std::string name() const override { return inner_->name(); }
  const std::vector<runtime::InputInfo>& inputs() const override { return inner_->inputs(); }
  const std::vector<std::string>& output_names() const override { return inner_->output_names(); }
  Result<std::vector<NamedTensor>> run(const std::vector<NamedTensor>& inputs) override {
    out_->push_back(inputs);
    return inner_->run(inputs);
  }

 private:
  std::unique_ptr<runtime::Backend> inner_;
  std::vector<FeedSet>* out_;
};

std::unique_ptr<runtime::Backend> native(const ir::Model& m) {
  auto b = runtime::make_native_backend(m, {});
  EXPECT_TRUE(b.ok()) << b.error().describe();
  return b.ok() ? std::move(b).value() : nullptr;
}

// The feeds the detection pipeline builds for each image of ../shared/images.
std::vector<FeedSet> image_feeds(const ir::Model& model) {
  std::vector<FeedSet> feeds;
  auto det = pipeline::Detector::create(model, std::make_unique<Recorder>(native(model), &feeds),
                                        {0.0f, false});
  EXPECT_TRUE(det.ok()) << det.error().describe();
  if (!det.ok()) return {};
  auto list = pipeline::expand_inputs({(testing::shared_dir() / "images").string()});
  EXPECT_FALSE(list.images.empty());
  for (const auto& img : list.images) {
    auto r = pipeline::run_images(*det, {img}, {});
    EXPECT_TRUE(r.ok()) << r.error().describe();
  }
  return feeds;
}

// A seeded image in [0, 1), im_shape = its size, scale_factor = 1.
FeedSet random_feeds(const ir::Model& model, int64_t size) {
  FeedSet f;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0, 1);
  for (const auto& t : ir::feed_targets(model.program)) {
    if (t.name == "image") {
      auto x = runtime::Tensor::empty(ir::DType::kFloat32, {1, 3, size, size});
      for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = u(rng);
      f.push_back({t.name, x});
    } else {
      const float v = t.name == "im_shape" ? static_cast<float>(size) : 1.0f;
      f.push_back({t.name, runtime::Tensor::from<float>({1, 2}, {v, v}, ir::DType::kFloat32)});
    }
  }
  return f;
}

testing::HostTensor to_host(const runtime::Tensor& t) {
  testing::HostTensor h;
  h.dtype = t.dtype();
  h.dims = t.dims();
  h.data.resize(t.bytes());
  if (!h.data.empty()) std::memcpy(h.data.data(), t.raw(), h.data.size());
  return h;
}

// |a - b| <= 1e-4 * max|b| over the tensor; returns the measured max |a - b| / max|b|.
double expect_close(const std::string& what, const testing::HostTensor& a,
                    const testing::HostTensor& b) {
  SCOPED_TRACE(what);
  const auto va = a.values(), vb = b.values();
  EXPECT_EQ(va.size(), vb.size()) << "element counts differ";
  if (va.size() != vb.size()) return INFINITY;
  double scale = 1e-6, worst = 0;
  for (double v : vb) scale = std::max(scale, std::fabs(v));
  for (std::size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::fabs(va[i] - vb[i]));
  EXPECT_LE(worst, 1e-4 * scale) << "max |diff| " << worst << " vs max |native| " << scale;
  return worst / scale;
}

// NMS rows [M, 6] (class, score, box): detections of equal score may come out in another order
// when an engine's scores differ from the native ones in the last bit (blazeface has many at low
// scores), so each native row must be matched by a distinct row of the same class whose values
// are within 1e-4 of the largest magnitude. Returns the worst difference of the matched rows.
double expect_same_rows(const std::string& what, const testing::HostTensor& a,
                        const testing::HostTensor& b) {
  SCOPED_TRACE(what);
  const auto va = a.values(), vb = b.values();
  EXPECT_EQ(va.size(), vb.size()) << "row counts differ";
  if (va.size() != vb.size()) return INFINITY;
  double scale = 1e-6;
  for (double v : vb) scale = std::max(scale, std::fabs(v));
  const std::size_t rows = vb.size() / 6;
  std::vector<bool> used(rows, false);
  double worst = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t best = rows;
    double best_diff = INFINITY;
    for (std::size_t q = 0; q < rows; ++q) {
      if (used[q] || va[q * 6] != vb[r * 6]) continue;
      double d = 0;
      for (std::size_t j = 1; j < 6; ++j) d = std::max(d, std::fabs(va[q * 6 + j] - vb[r * 6 + j]));
      if (d < best_diff) {
        best_diff = d;
        best = q;
      }
      if (d == 0) break;
    }
    EXPECT_LE(best_diff, 1e-4 * scale) << "native row " << r << " has no match";
    if (best < rows) used[best] = true;
    worst = std::max(worst, best_diff);
  }
  return worst / scale;
}

double expect_close_or_rows(const std::string& what, const testing::HostTensor& a,
                            const testing::HostTensor& b) {
  if (b.dims.size() == 2 && b.dims[1] == 6) return expect_same_rows(what, a, b);
  return expect_close(what, a, b);
}

// OpenCV and ONNX Runtime against the native runtime on each feed set.
void check_engines(const std::string& label, const ir::Model& model,
                   const std::vector<FeedSet>& feeds) {
  ASSERT_FALSE(feeds.empty());
  auto nat = native(model);
  ASSERT_NE(nat, nullptr);
  auto ocv = pipeline::make_opencv_backend(model);
  ASSERT_TRUE(ocv.ok()) << ocv.error().describe();
  std::cout << "[ NOTE     ] " << label << ": " << (*ocv)->summary() << "\n";
  ASSERT_EQ((*ocv)->output_names(), nat->output_names());
  std::vector<testing::OrtJob> jobs;
  std::vector<std::vector<NamedTensor>> expected;
  double worst_ocv = 0, worst_ort = 0;
  for (std::size_t k = 0; k < feeds.size(); ++k) {
    SCOPED_TRACE(label + " input " + std::to_string(k + 1));
    auto want = nat->run(feeds[k]);
    ASSERT_TRUE(want.ok()) << want.error().describe();
    auto got = (*ocv)->run(feeds[k]);
    ASSERT_TRUE(got.ok()) << got.error().describe();
    ASSERT_EQ(got->size(), want->size());
    for (std::size_t o = 0; o < want->size(); ++o)
      worst_ocv = std::max(
          worst_ocv, expect_close_or_rows("OpenCV " + (*want)[o].name, to_host((*got)[o].tensor),
                                          to_host((*want)[o].tensor)));
    // ONNX Runtime runs the whole graph, NMS included, at these input dims.
    onnx_export::ExportOptions eo;
    testing::Named named;
    for (const auto& f : feeds[k]) {
      eo.input_shapes[f.name] = f.tensor.dims();
      named.push_back({f.name, to_host(f.tensor)});
    }
    auto bytes = onnx_export::export_onnx_bytes(model, eo);
    ASSERT_TRUE(bytes.ok()) << bytes.error().describe();
    jobs.push_back({*bytes, named});
    expected.push_back(std::move(*want));
  }
  auto runs = testing::run_ort_many(jobs);
  if (runs.empty() || runs[0].skipped) {
    std::cout << "[ NOTE     ] ONNX Runtime not available: "
              << (runs.empty() ? "" : runs[0].message) << "\n";
  } else {
    for (std::size_t k = 0; k < runs.size(); ++k) {
      SCOPED_TRACE(label + " input " + std::to_string(k + 1));
      ASSERT_TRUE(runs[k].ok) << runs[k].message;
      ASSERT_EQ(runs[k].outputs.size(), expected[k].size());
      for (std::size_t o = 0; o < expected[k].size(); ++o)
        worst_ort = std::max(
            worst_ort, expect_close_or_rows("ONNX Runtime " + expected[k][o].name, runs[k].out(o),
                                            to_host(expected[k][o].tensor)));
    }
  }
  std::cout << "[ NOTE     ] " << label << ": " << feeds.size()
            << " input(s), max |diff| / max |native|: OpenCV " << worst_ocv << ", ONNX Runtime "
            << worst_ort << "\n";
}

class OpenCvBackendShared : public ::testing::TestWithParam<std::string> {};

TEST_P(OpenCvBackendShared, AgreesWithNativeOnTheSharedImages) {
  const auto dir = testing::models_dir() / GetParam();
  DETPORT_REQUIRE_SHARED(dir);
  DETPORT_REQUIRE_SHARED(testing::shared_dir() / "images");
  auto model = formats::load_model(dir);
  ASSERT_TRUE(model.ok()) << model.error().describe();
  ASSERT_TRUE(model->has_weights());
  check_engines(GetParam(), *model, image_feeds(*model));
}

INSTANTIATE_TEST_SUITE_P(WithWeights, OpenCvBackendShared,
                         ::testing::Values("ppyolo_tiny_650e_p24"));

// blazeface_p23 ships no deploy config: its images are fed with PaddleDetection's BlazeFace
// TestReader (see tests/models/detection_models_test.cc), at each image's own size.
TEST(OpenCvBackendBlazeface, AgreesWithNativeOnTheSharedImages) {
  const auto dir = testing::models_dir() / "blazeface_p23";
  DETPORT_REQUIRE_SHARED(dir);
  DETPORT_REQUIRE_SHARED(testing::shared_dir() / "images");
  auto model = formats::load_model(dir);
  ASSERT_TRUE(model.ok()) << model.error().describe();
  ASSERT_TRUE(model->has_weights());
  testing::Preprocess pre;
  pre.is_scale = false;
  pre.mean = {123, 117, 104};
  pre.std = {127.502231, 127.502231, 127.502231};
  std::vector<FeedSet> feeds;
  for (const char* name : {"000000014439.jpg", "000000087038.jpg", "000000570688.jpg"}) {
    auto in = testing::preprocess_image(testing::shared_dir() / "images" / name, pre);
    ASSERT_TRUE(in.has_value()) << name;
    feeds.push_back(
        {{"im_shape", in->im_shape}, {"image", in->image}, {"scale_factor", in->scale_factor}});
  }
  check_engines("blazeface_p23", *model, feeds);
}

// An op OpenCV DNN 4.6 cannot import (TopK, from top_k_v2; OpenCV has no TopK layer before 4.9) is
// reported when the backend is created, naming the Paddle op, before any input is run.
TEST(OpenCvBackend, RefusesAtCreationAnOpItCannotImport) {
  const ir::Model model =
      testing::one_op("top_k_v2", {{"X", "x", ir::DType::kFloat32, {1, 8}}},
                      {{"Out", "values", ir::DType::kFloat32, {1, 3}},
                       {"Indices", "indices", ir::DType::kInt64, {1, 3}}},
                      {{"k", ir::Attribute::i32(3)}, {"axis", ir::Attribute::i32(-1)}});
  // The exporter itself has no objection: ONNX Runtime runs it.
  ASSERT_TRUE(onnx_export::export_onnx_bytes(model).ok());
  auto b = pipeline::make_opencv_backend(model);
  ASSERT_FALSE(b.ok()) << "OpenCV DNN 4.6 imported TopK";
  EXPECT_NE(b.error().message.find("top_k_v2#"), std::string::npos) << b.error().describe();
  EXPECT_NE(b.error().message.find("TopK"), std::string::npos) << b.error().describe();
}

TEST(OpenCvBackend, AgreesWithNativeOnTheDemoModel) {
  const ir::Model model = zoo::ppyoloe_like();
  check_engines("ppyoloe_like", model, {random_feeds(model, zoo::PPYoloEOptions{}.input_size)});
}

}  // namespace
}  // namespace detport
