// End to end on the real Paddle 3 PIR classifier with weights in ../shared/models:
// PP-LCNet_x0_25_textline_ori (text-line orientation, classes 0_degree / 180_degree), read from
// its inference.json + inference.pdiparams, run through the reference path (no fusion, reference
// kernels) and the optimised path; the two must agree to 1e-4 relative, and match the golden
// probabilities in tests/golden/pir_pp_lcnet_x0_25_textline_ori/.
//
// Preprocessing is the model's own inference.yml (PaddleX): ResizeImage to 160x80 (w x h, cv2's
// default bilinear), NormalizeImage scale 1/255 with ImageNet mean/std in HWC order, ToCHWImage.
// Channel order: RGB, as PaddleX's classification predictor reads images (inferred from its
// docs, not verified); the text-line cases below are black on white, where R = G = B, so they do
// not depend on it.
//
// How the results were judged plausible: the model is meant for cropped text lines, so the test
// renders one (cv::putText) and checks the classifier calls it 0_degree and its 180-degree
// rotation 180_degree, confidently (> 0.9). That expectation comes from how the image was made,
// not from the code under test. The COCO demo photos are not text lines; for them only the
// reference/optimised agreement and the golden probabilities are checked.
//
// Set DETPORT_UPDATE_GOLDEN=1 to (re)write the golden files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "formats/model_io.h"
#include "runtime/session.h"
#include "test_support.h"

namespace detport::testing {
namespace {

constexpr const char* kModel = "pir_pp_lcnet_x0_25_textline_ori";
constexpr int kW = 160, kH = 80;

// inference.yml's transform_ops on an RGB image.
runtime::Tensor to_input(const cv::Mat& rgb) {
  cv::Mat resized;
  cv::resize(rgb, resized, cv::Size(kW, kH), 0, 0, cv::INTER_LINEAR);
  const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
  auto t = runtime::Tensor::empty(ir::DType::kFloat32, {1, 3, kH, kW});
  float* p = t.data<float>();
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < kH; ++y)
      for (int x = 0; x < kW; ++x)
        p[(c * kH + y) * kW + x] =
            (static_cast<float>(resized.at<cv::Vec3b>(y, x)[c]) / 255.0f - mean[c]) / std[c];
  return t;
}

std::optional<ir::Model> load(std::string* error) {
  auto m = formats::load_model(models_dir() / kModel);
  if (!m.ok()) {
    *error = m.error().describe();
    return std::nullopt;
  }
  return std::move(m).value();
}

Result<std::vector<float>> classify(const ir::Model& model, bool optimized,
                                    const runtime::Tensor& x) {
  runtime::CompileOptions o;
  o.optimized = optimized;
  o.fuse = optimized;
  DETPORT_ASSIGN(auto session, runtime::compile(model, o));
  DETPORT_ASSIGN(auto out, session.run({{session.inputs().at(0).name, x}}));
  if (out.size() != 1 || out[0].tensor.rank() != 2 || out[0].tensor.dim(1) != 2)
    return make_error(ErrorCode::kInternal, "expected one output of shape [N, 2]");
  return out[0].tensor.to_vector<float>();
}

void expect_close(const std::vector<float>& a, const std::vector<float>& b, float rel,
                  const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_LE(std::abs(a[i] - b[i]), rel * std::max(1.0f, std::abs(b[i])))
        << what << " [" << i << "]: " << a[i] << " vs " << b[i];
}

// A black-on-white text line, 4:1 like the crops the model is trained on.
cv::Mat text_line(const char* text) {
  cv::Mat img(96, 480, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::putText(img, text, cv::Point(12, 64), cv::FONT_HERSHEY_SIMPLEX, 1.5, cv::Scalar(0, 0, 0), 3,
              cv::LINE_AA);
  return img;
}

TEST(ClassifierModel, RendersTextLinesAndTheirRotationsCorrectly) {
  DETPORT_REQUIRE_SHARED(models_dir() / kModel);
  std::string error;
  auto model = load(&error);
  ASSERT_TRUE(model) << error;
  for (const char* text : {"Paddle exports 2.3", "the quick brown fox", "Invoice No. 4711"}) {
    SCOPED_TRACE(text);
    const cv::Mat upright = text_line(text);
    cv::Mat rotated;
    cv::rotate(upright, rotated, cv::ROTATE_180);
    for (const auto& [img, want] : {std::pair{upright, 0}, std::pair{rotated, 1}}) {
      auto x = to_input(img);
      auto ref = classify(*model, false, x);
      ASSERT_TRUE(ref.ok()) << ref.error().describe();
      auto opt = classify(*model, true, x);
      ASSERT_TRUE(opt.ok()) << opt.error().describe();
      expect_close(*opt, *ref, 1e-4f, "optimised vs reference");
      EXPECT_NEAR((*opt)[0] + (*opt)[1], 1.0f, 1e-5f) << "softmax output";
      EXPECT_GT((*opt)[want], 0.9f) << (want == 0 ? "upright" : "rotated") << " line: p = ["
                                    << (*opt)[0] << ", " << (*opt)[1] << "]";
    }
  }
}

class ClassifierGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(ClassifierGolden, ReferenceAndOptimizedAgreeAndMatchTheGoldenProbabilities) {
  const auto image = shared_dir() / "images" / GetParam();
  DETPORT_REQUIRE_SHARED(image);
  DETPORT_REQUIRE_SHARED(models_dir() / kModel);
  std::string error;
  auto model = load(&error);
  ASSERT_TRUE(model) << error;
  cv::Mat bgr = cv::imread(image.string(), cv::IMREAD_COLOR), rgb;
  ASSERT_FALSE(bgr.empty()) << "cannot decode " << image;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  auto x = to_input(rgb);
  auto ref = classify(*model, false, x);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  auto opt = classify(*model, true, x);
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  expect_close(*opt, *ref, 1e-4f, "optimised vs reference");

  const auto path = source_dir() / "tests" / "golden" / kModel /
                    (std::filesystem::path(GetParam()).stem().string() + ".json");
  if (std::getenv("DETPORT_UPDATE_GOLDEN") != nullptr) {
    std::filesystem::create_directories(path.parent_path());
    spit(path,
         fmt::format("{{\n \"model\": \"{}\",\n \"image\": \"{}\",\n \"input_hw\": [{}, {}],\n"
                     " \"labels\": [\"0_degree\", \"180_degree\"],\n"
                     " \"judged\": \"not a text line: no expected class; see the test\",\n"
                     " \"probabilities\": [{}, {}]\n}}\n",
                     kModel, GetParam(), kH, kW, (*opt)[0], (*opt)[1]));
  }
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " is missing; run with DETPORT_UPDATE_GOLDEN=1 and review the result";
  const auto golden = nlohmann::json::parse(slurp(path));
  expect_close(*opt, golden.at("probabilities").get<std::vector<float>>(), 1e-3f, path.string());
}

INSTANTIATE_TEST_SUITE_P(Shared, ClassifierGolden,
                         ::testing::Values("000000014439.jpg", "000000087038.jpg",
                                           "000000570688.jpg"),
                         [](const auto& param_info) {
                           return std::filesystem::path(param_info.param).stem().string();
                         });

}  // namespace
}  // namespace detport::testing
