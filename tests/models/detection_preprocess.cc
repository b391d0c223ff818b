#include "detection_preprocess.h"

#include <fmt/format.h>

#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace detport::testing {

std::optional<Preprocess> preprocess_from(const ir::DeployConfig& cfg, std::string* error) {
  Preprocess p;
  for (const auto& t : cfg.preprocess) {
    const auto& q = t.params;
    if (t.type == "Resize") {
      if (q.value("keep_ratio", true)) {
        *error = "Resize with keep_ratio is not covered by the test helper";
        return std::nullopt;
      }
      const auto size = q.at("target_size");
      p.resize = true;
      p.target_h = size.at(0).get<int>();
      p.target_w = size.at(1).get<int>();
      p.interp = q.value("interp", 1);
    } else if (t.type == "NormalizeImage") {
      if (q.value("norm_type", std::string("mean_std")) != "mean_std") {
        *error = "NormalizeImage norm_type other than mean_std";
        return std::nullopt;
      }
      p.is_scale = q.value("is_scale", true);
      for (int c = 0; c < 3; ++c) {
        p.mean[static_cast<std::size_t>(c)] =
            q.at("mean").at(static_cast<std::size_t>(c)).get<double>();
        p.std[static_cast<std::size_t>(c)] =
            q.at("std").at(static_cast<std::size_t>(c)).get<double>();
      }
    } else if (t.type != "Permute") {
      *error = fmt::format("transform {} is not covered by the test helper", t.type);
      return std::nullopt;
    }
  }
  return p;
}

std::optional<ImageInputs> preprocess_image(const std::filesystem::path& path,
                                            const Preprocess& p) {
  cv::Mat bgr = cv::imread(path.string(), cv::IMREAD_COLOR);
  if (bgr.empty()) return std::nullopt;
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  ImageInputs in;
  in.orig_h = rgb.rows;
  in.orig_w = rgb.cols;
  float sy = 1, sx = 1;
  if (p.resize) {
    // PaddleDetection: scale = target / origin, cv2.resize(im, None, None, fx=sx, fy=sy, interp).
    const double fy = static_cast<double>(p.target_h) / rgb.rows;
    const double fx = static_cast<double>(p.target_w) / rgb.cols;
    cv::Mat resized;
    cv::resize(rgb, resized, cv::Size(), fx, fy, p.interp);
    rgb = resized;
    sy = static_cast<float>(fy);
    sx = static_cast<float>(fx);
  }
  const int h = rgb.rows, w = rgb.cols;
  in.image = runtime::Tensor::empty(ir::DType::kFloat32, {1, 3, h, w});
  float* dst = in.image.data<float>();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const cv::Vec3b px = rgb.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) {
        float v = static_cast<float>(px[c]);
        if (p.is_scale) v *= 1.0f / 255.0f;
        v = static_cast<float>(static_cast<double>(v) - p.mean[static_cast<std::size_t>(c)]);
        v = static_cast<float>(static_cast<double>(v) / p.std[static_cast<std::size_t>(c)]);
        dst[(static_cast<int64_t>(c) * h + y) * w + x] = v;
      }
    }
  in.im_shape = runtime::Tensor::from<float>({1, 2}, {static_cast<float>(h), static_cast<float>(w)},
                                             ir::DType::kFloat32);
  in.scale_factor = runtime::Tensor::from<float>({1, 2}, {sy, sx}, ir::DType::kFloat32);
  return in;
}

ImageInputs batch(const std::vector<ImageInputs>& images) {
  auto stack = [&](auto member) {
    const runtime::Tensor& first = images.front().*member;
    runtime::Dims dims = first.dims();
    dims[0] = static_cast<int64_t>(images.size());
    runtime::Tensor t = runtime::Tensor::empty(first.dtype(), dims);
    auto* p = static_cast<unsigned char*>(t.raw());
    for (const auto& im : images) {
      std::memcpy(p, (im.*member).raw(), (im.*member).bytes());
      p += (im.*member).bytes();
    }
    return t;
  };
  ImageInputs b;
  b.image = stack(&ImageInputs::image);
  b.im_shape = stack(&ImageInputs::im_shape);
  b.scale_factor = stack(&ImageInputs::scale_factor);
  return b;
}

bool draw_detections(const std::filesystem::path& image, const std::vector<float>& rows,
                     float threshold, const std::filesystem::path& out) {
  cv::Mat im = cv::imread(image.string(), cv::IMREAD_COLOR);
  if (im.empty()) return false;
  for (std::size_t i = 0; i + 6 <= rows.size(); i += 6) {
    if (rows[i + 1] < threshold) continue;
    const cv::Point a(static_cast<int>(rows[i + 2]), static_cast<int>(rows[i + 3]));
    const cv::Point b(static_cast<int>(rows[i + 4]), static_cast<int>(rows[i + 5]));
    cv::rectangle(im, a, b, cv::Scalar(0, 0, 255), 2);
    cv::putText(im, fmt::format("{}:{:.2f}", static_cast<int>(rows[i]), rows[i + 1]),
                a + cv::Point(2, 12), cv::FONT_HERSHEY_SIMPLEX, 0.4, cv::Scalar(0, 255, 0), 1);
  }
  return cv::imwrite(out.string(), im);
}

}  // namespace detport::testing
