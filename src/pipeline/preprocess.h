// Preprocessing driven by the model's deploy config, with PaddleDetection's deploy semantics
// (deploy/python/preprocess.py, keypoint_preprocess.py): Resize, NormalizeImage, Permute,
// PadStride, LetterBoxResize, Pad, WarpAffine, TopDownEvalAffine, the 1.x-era Normalize/Resize, and
// PaddleX's ResizeImage/NormalizeImage/ToCHWImage. The image is RGB HWC after decoding, as
// PaddleDetection's decode_image (imdecode + BGR2RGB) leaves it.
#pragma once

#include <opencv2/core.hpp>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/deploy_config.h"

namespace detport::pipeline {

// One image on its way through the transforms. `image` is HWC (uint8 or float32) until a
// Permute/ToCHW makes it CHW float (`chw` then holds C planes of H x W).
struct ImageState {
  cv::Mat image;    // HWC, CV_8UC3 or CV_32FC3, channels in `bgr` order
  bool bgr = true;  // OpenCV decodes BGR; PaddleDetection feeds RGB (decode_image converts)
  // Deferred per-channel affine x * mul + add (NormalizeImage on a uint8 image) and HWC->CHW
  // (Permute): applied in the single pass that writes the input tensor. Indexed by RGB channel.
  bool normalize_pending = false;
  std::array<float, 3> mul{1, 1, 1};
  std::array<float, 3> add{0, 0, 0};
  bool chw = false;    // Permute seen: the tensor is CHW
  int pad_stride = 0;  // PadStride: tensor dims rounded up to a multiple (zero padding)
  std::array<float, 2> im_shape{0, 0};      // [h, w] after resizing, as fed to the graph
  std::array<float, 2> scale_factor{1, 1};  // [scale_y, scale_x] relative to the original image
  cv::Size original;                        // size of the image as stored in the file
  std::array<double, 2> decode_scale{
      1, 1};  // [y, x]: decoded size / original size (reduced JPEG decoding)
};

// Applies deferred normalisation to the pixels: the image becomes float32 HWC.
void materialize(ImageState& state);

// Tensor dims [C, H, W] the state will be written as (padding included).
std::array<int64_t, 3> tensor_dims(const ImageState& state);

// Writes the image into a CHW float region of dims tensor_dims() (or larger: [3, h, w], zeroed by
// the caller; the image goes top-left). Channel order is RGB unless `want_bgr`.
void write_chw(const ImageState& state, float* dst, int64_t h, int64_t w, bool want_bgr = false);

class Transform {
 public:
  virtual ~Transform() = default;
  virtual Status apply(ImageState& state) const = 0;
  virtual std::string name() const = 0;
};

// Builds the transforms of a deploy config; unknown transform types are one error listing every
// unknown one and the supported names.
Result<std::vector<std::unique_ptr<Transform>>> build_transforms(const ir::DeployConfig& config);

// Names of every supported transform (for messages and docs).
std::vector<std::string> supported_transforms();

// Python's round() on a float: halves go to the even neighbour (LetterBoxResize uses it).
double python_round(double x);

}  // namespace detport::pipeline
