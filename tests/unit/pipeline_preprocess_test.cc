// Each transform against a straightforward re-implementation of PaddleDetection's Python deploy
// code (deploy/python/preprocess.py): float math in the same order, OpenCV calls with the same
// arguments.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "formats/deploy_config/deploy_config_reader.h"
#include "pipeline/feed.h"
#include "pipeline/image_io.h"
#include "pipeline/preprocess.h"

namespace detport::pipeline {
namespace {

cv::Mat random_bgr(int h, int w, uint32_t seed) {
  cv::Mat m(h, w, CV_8UC3);
  cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(255));
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0, 256);
  return m;
}

ir::DeployConfig config(const std::string& yaml) {
  auto c = formats::parse_deploy_config(yaml, "test.yml");
  EXPECT_TRUE(c.ok()) << c.error().describe();
  return c.ok() ? *c : ir::DeployConfig{};
}

// Runs the config's transforms and writes the CHW tensor.
std::vector<float> run(const ir::DeployConfig& cfg, const cv::Mat& bgr, ImageState* out = nullptr) {
  auto transforms = build_transforms(cfg);
  EXPECT_TRUE(transforms.ok()) << transforms.error().describe();
  ImageState s;
  s.image = bgr.clone();
  s.original = bgr.size();
  s.im_shape = {static_cast<float>(bgr.rows), static_cast<float>(bgr.cols)};
  for (auto& t : *transforms) EXPECT_TRUE(t->apply(s).ok());
  const auto d = tensor_dims(s);
  std::vector<float> v(static_cast<std::size_t>(d[0] * d[1] * d[2]), 0.0f);
  write_chw(s, v.data(), d[1], d[2]);
  if (out != nullptr) *out = s;
  return v;
}

// decode_image + Resize(keep_ratio=False, interp) + NormalizeImage + Permute, step by step.
std::vector<float> paddle_reference(const cv::Mat& bgr, int th, int tw, int interp,
                                    const double mean[3], const double sd[3]) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  const double sy = static_cast<double>(th) / bgr.rows, sx = static_cast<double>(tw) / bgr.cols;
  cv::Mat resized;
  cv::resize(rgb, resized, cv::Size(), sx, sy, interp);
  std::vector<float> out(static_cast<std::size_t>(3 * resized.rows * resized.cols));
  for (int y = 0; y < resized.rows; ++y)
    for (int x = 0; x < resized.cols; ++x)
      for (int c = 0; c < 3; ++c) {
        float v = static_cast<float>(resized.at<cv::Vec3b>(y, x)[c]);
        v = static_cast<float>(v / 255.0);
        v = static_cast<float>(v - mean[c]);
        v = static_cast<float>(v / sd[c]);
        out[static_cast<std::size_t>((c * resized.rows + y) * resized.cols + x)] = v;
      }
  return out;
}

TEST(Preprocess, ResizeNormalizePermuteMatchesPaddleDetection) {
  const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
  for (int interp : {0, 1, 2, 3}) {
    const cv::Mat img = random_bgr(97, 131, static_cast<uint32_t>(interp));
    const auto cfg = config(fmt::format(
        "Preprocess:\n- {{type: Resize, target_size: [64, 80], keep_ratio: false, interp: {}}}\n"
        "- {{type: NormalizeImage, is_scale: true, mean: [0.485, 0.456, 0.406], std: [0.229, "
        "0.224, 0.225]}}\n"
        "- {{type: Permute}}\n",
        interp));
    ImageState s;
    const auto ours = run(cfg, img, &s);
    const auto ref = paddle_reference(img, 64, 80, interp, mean, sd);
    ASSERT_EQ(ours.size(), ref.size());
    double worst = 0;
    for (std::size_t i = 0; i < ours.size(); ++i)
      worst = std::max(worst, std::abs(double(ours[i]) - ref[i]));
    EXPECT_LT(worst, 2e-6) << "interp " << interp;
    EXPECT_FLOAT_EQ(s.scale_factor[0], 64.0f / 97);
    EXPECT_FLOAT_EQ(s.scale_factor[1], 80.0f / 131);
    EXPECT_EQ(s.im_shape[0], 64);
    EXPECT_EQ(s.im_shape[1], 80);
  }
}

TEST(Preprocess, KeepRatioResizeFollowsGenerateScale) {
  // 404x640 into [320, 320]: 320/404 would make the long side 507 > 320, so scale = 320/640.
  const auto cfg = config(
      "Preprocess:\n- {type: Resize, target_size: [320, 320], keep_ratio: true, interp: 1}\n- "
      "{type: Permute}\n");
  ImageState s;
  run(cfg, random_bgr(404, 640, 1), &s);
  EXPECT_FLOAT_EQ(s.scale_factor[0], 0.5f);
  EXPECT_FLOAT_EQ(s.scale_factor[1], 0.5f);
  EXPECT_EQ(s.image.rows, 202);
  EXPECT_EQ(s.image.cols, 320);
  // [800, 1333] R-CNN style on a 480x640 image: 800/480 * 640 = 1067 <= 1333, so scale 800/480.
  const auto rcnn = config(
      "Preprocess:\n- {type: Resize, target_size: [800, 1333], keep_ratio: true, interp: 1}\n");
  run(rcnn, random_bgr(480, 640, 2), &s);
  EXPECT_EQ(s.image.rows, 800);
  EXPECT_EQ(s.image.cols, 1067);
}

TEST(Preprocess, PadStrideRoundsTheTensorUpWithZeros) {
  const auto cfg = config(
      "Preprocess:\n- {type: Resize, target_size: [50, 70], keep_ratio: false, interp: 1}\n"
      "- {type: NormalizeImage, is_scale: true, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5]}\n"
      "- {type: Permute}\n- {type: PadStride, stride: 32}\n");
  ImageState s;
  const auto v = run(cfg, random_bgr(40, 40, 3), &s);
  const auto d = tensor_dims(s);
  EXPECT_EQ(d[1], 64);
  EXPECT_EQ(d[2], 96);
  // Padding is zero in normalised space (PaddleDetection pads the normalised CHW array).
  EXPECT_EQ(v[static_cast<std::size_t>(63 * 96 + 95)], 0.0f);
  EXPECT_EQ(v[static_cast<std::size_t>(2 * 64 * 96 + 10 * 96 + 80)], 0.0f);
  EXPECT_EQ(s.im_shape[0], 50);  // the real image size, not the padded one
}

TEST(Preprocess, LetterBoxUsesPythonRounding) {
  EXPECT_EQ(python_round(2.5), 2);
  EXPECT_EQ(python_round(3.5), 4);
  EXPECT_EQ(python_round(-0.5), -0.0);
  EXPECT_EQ(python_round(2.4), 2);
  // 300x500 into 320x320: ratio 0.64, new 320x192, padh 64 -> top round(63.9)=64, bottom
  // round(64.1)=64.
  const auto cfg = config(
      "Preprocess:\n- {type: LetterBoxResize, target_size: [320, 320]}\n- {type: Permute}\n");
  ImageState s;
  const auto v = run(cfg, random_bgr(300, 500, 4), &s);
  EXPECT_EQ(s.image.rows, 320);
  EXPECT_EQ(s.image.cols, 320);
  EXPECT_FLOAT_EQ(s.scale_factor[0], 0.64f);
  EXPECT_EQ(s.im_shape[0], 192);
  EXPECT_EQ(s.im_shape[1], 320);
  // The border is 127.5 on uint8, i.e. 128 (OpenCV saturates with rounding).
  EXPECT_EQ(v[0], 128.0f);
}

TEST(Preprocess, PadFillsWithTheRgbFillValue) {
  const auto cfg = config(
      "Preprocess:\n- {type: Pad, size: [8, 10], fill_value: [10, 20, 30]}\n- {type: Permute}\n");
  ImageState s;
  const auto v = run(cfg, random_bgr(5, 6, 5), &s);
  // Channel 0 of the tensor is R: the fill's first value.
  EXPECT_EQ(v[static_cast<std::size_t>(7 * 10 + 9)], 10.0f);
  EXPECT_EQ(v[static_cast<std::size_t>(80 + 7 * 10 + 9)], 20.0f);
  EXPECT_EQ(v[static_cast<std::size_t>(160 + 7 * 10 + 9)], 30.0f);
}

TEST(Preprocess, FluidEraResizeAndNormalize) {
  // A 1.x export's config: Resize{target_size: 608, max_size: 0}, Normalize, Permute{to_bgr:
  // false}.
  const auto cfg = config(
      "Preprocess:\n- {type: Resize, target_size: 608, max_size: 0, interp: 2, image_shape: [608, "
      "608], use_cv2: true}\n"
      "- {type: Normalize, is_channel_first: false, is_scale: true, mean: [0.485, 0.456, 0.406], "
      "std: [0.229, 0.224, 0.225]}\n"
      "- {type: Permute, channel_first: true, to_bgr: false}\n");
  ImageState s;
  const cv::Mat img = random_bgr(480, 640, 6);
  const auto v = run(cfg, img, &s);
  EXPECT_EQ(s.image.rows, 608);
  EXPECT_EQ(s.image.cols, 608);
  const double mean[3] = {0.485, 0.456, 0.406}, sd[3] = {0.229, 0.224, 0.225};
  const auto ref = paddle_reference(img, 608, 608, 2, mean, sd);
  double worst = 0;
  for (std::size_t i = 0; i < v.size(); ++i)
    worst = std::max(worst, std::abs(double(v[i]) - ref[i]));
  EXPECT_LT(worst, 2e-6);
}

TEST(Preprocess, UnknownTransformsAreListedWithTheSupportedOnes) {
  const auto cfg = config(
      "Preprocess:\n- {type: Resize, target_size: 10}\n- {type: Mosaic}\n- {type: RandomFlip}\n");
  auto t = build_transforms(cfg);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("unsupported preprocessing transforms Mosaic, RandomFlip"),
            std::string::npos)
      << t.error().message;
  EXPECT_NE(t.error().message.find("LetterBoxResize"), std::string::npos);
  const auto bad = config("Preprocess:\n- {type: Resize, target_size: [10, 10], interp: 9}\n");
  auto b = build_transforms(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().describe().find("Preprocess[0] (Resize).interp"), std::string::npos)
      << b.error().describe();
}

TEST(Preprocess, TopDownEvalAffineScalesTheWholeImage) {
  const auto cfg = config(
      "Preprocess:\n- {type: TopDownEvalAffine, trainsize: [192, 256]}\n- {type: Permute}\n");
  ImageState s;
  cv::Mat img(100, 100, CV_8UC3, cv::Scalar(10, 20, 30));
  run(cfg, img, &s);
  EXPECT_EQ(s.image.cols, 192);
  EXPECT_EQ(s.image.rows, 256);
  // The centre maps to the centre; a uniform image stays uniform inside the mapped area.
  EXPECT_NEAR(s.image.at<cv::Vec3f>(128, 96)[0], 10.0f, 1e-3);
}

TEST(ImageIo, ReadsJpegSizesFromTheHeaderAndDecodesReduced) {
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", random_bgr(123, 301, 7), jpeg);
  const auto size = jpeg_size(jpeg);
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->width, 301);
  EXPECT_EQ(size->height, 123);
  EXPECT_FALSE(jpeg_size(std::vector<uint8_t>{0xFF, 0xD8, 0xFF}).has_value());
  DecodeOptions o;
  o.reduced = true;
  o.min_height = 30;
  o.min_width = 30;
  auto d = decode_image(jpeg, o, "mem.jpg");
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_EQ(d->bgr.rows, 31);  // ceil(123 / 4): 1/8 would be 16 < 30
  EXPECT_EQ(d->bgr.cols, 76);
  EXPECT_EQ(d->original, cv::Size(301, 123));
  EXPECT_NEAR(d->scale_x, 76.0 / 301, 1e-12);
  auto corrupt = decode_image(std::vector<uint8_t>(jpeg.begin(), jpeg.begin() + 40), {}, "cut.jpg");
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().context, "cut.jpg");
}

TEST(Feed, BatchesOfDifferentSizesArePaddedBottomRight) {
  std::vector<ImageState> states(2);
  states[0].image = cv::Mat(4, 6, CV_8UC3, cv::Scalar(1, 2, 3));
  states[0].im_shape = {4, 6};
  states[0].scale_factor = {0.5f, 0.25f};
  states[0].original = cv::Size(24, 8);
  states[1].image = cv::Mat(5, 3, CV_8UC3, cv::Scalar(4, 5, 6));
  states[1].im_shape = {5, 3};
  states[1].original = cv::Size(3, 5);
  std::vector<runtime::InputInfo> inputs{{"im_shape", ir::DType::kFloat32, {-1, 2}},
                                         {"image", ir::DType::kFloat32, {-1, 3, -1, -1}},
                                         {"scale_factor", ir::DType::kFloat32, {-1, 2}},
                                         {"im_size", ir::DType::kInt32, {-1, 2}}};
  auto feeds = build_feeds(inputs, states);
  ASSERT_TRUE(feeds.ok()) << feeds.error().describe();
  ASSERT_EQ(feeds->size(), 4u);
  EXPECT_EQ((*feeds)[1].tensor.dims(), (runtime::Dims{2, 3, 5, 6}));
  const float* img = (*feeds)[1].tensor.data<float>();
  EXPECT_EQ(img[0], 3.0f);          // image 0, R (stored BGR: 3 is red)
  EXPECT_EQ(img[4 * 6 + 0], 0.0f);  // image 0, row 4 is padding
  EXPECT_EQ(img[90 + 0], 6.0f);     // image 1, R
  EXPECT_EQ(img[90 + 5], 0.0f);     // image 1, column 5 is padding
  EXPECT_EQ((*feeds)[2].tensor.to_vector<float>(), (std::vector<float>{0.5f, 0.25f, 1, 1}));
  EXPECT_EQ((*feeds)[3].tensor.to_vector<int32_t>(), (std::vector<int32_t>{8, 24, 5, 3}));
  std::vector<runtime::InputInfo> odd{{"image", ir::DType::kFloat32, {-1, 3, -1, -1}},
                                      {"mask", ir::DType::kFloat32, {-1}}};
  auto r = build_feeds(odd, states);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("mask"), std::string::npos);
}

}  // namespace
}  // namespace detport::pipeline
