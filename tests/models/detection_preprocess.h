// PaddleDetection's deploy preprocessing (deploy/python/preprocess.py) for the end-to-end model
// tests: decode (BGR -> RGB), optional Resize (cv::resize with fx/fy, the configured interp,
// im_shape the resized size and scale_factor (sy, sx)), NormalizeImage (x / 255 if is_scale, then
// (x - mean) / std), Permute (HWC -> CHW). The pipeline (issue 8) will own the real thing; this is
// only what the tests need.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ir/deploy_config.h"
#include "runtime/tensor.h"

namespace detport::testing {

struct Preprocess {
  bool resize = false;
  int target_h = 0, target_w = 0;
  int interp = 1;  // OpenCV interpolation code (PaddleDetection's default 1 = INTER_LINEAR)
  bool is_scale = true;
  // float64, as numpy holds them: PaddleDetection subtracts and divides in double, then stores
  // float32.
  std::array<double, 3> mean{0.485, 0.456, 0.406};
  std::array<double, 3> std{0.229, 0.224, 0.225};
};

// Reads Resize / NormalizeImage / Permute from an infer_cfg.yml; an error message for anything
// else (the tests only cover these transforms).
std::optional<Preprocess> preprocess_from(const ir::DeployConfig& cfg, std::string* error);

struct ImageInputs {
  runtime::Tensor image;         // [1, 3, H, W] float32
  runtime::Tensor im_shape;      // [1, 2] (h, w) after resizing
  runtime::Tensor scale_factor;  // [1, 2] (sy, sx)
  int orig_h = 0, orig_w = 0;
};

std::optional<ImageInputs> preprocess_image(const std::filesystem::path& path, const Preprocess& p);

// Stacks images of equal size into a batch.
ImageInputs batch(const std::vector<ImageInputs>& images);

// Draws [class, score, x1, y1, x2, y2] rows with score >= threshold onto the image and writes a
// PNG.
bool draw_detections(const std::filesystem::path& image, const std::vector<float>& rows,
                     float threshold, const std::filesystem::path& out);

}  // namespace detport::testing
