// Reading images: decoding with OpenCV (imdecode, BGR), optionally at a reduced JPEG DCT scale
// (1/2, 1/4, 1/8) when the first resize shrinks the image at least that much anyway.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"

namespace detport::pipeline {

struct DecodeOptions {
  // Smallest size the decoded image may have (the first resize's target); 0 disables reduction.
  int min_height = 0, min_width = 0;
  bool reduced = false;  // allow reduced-scale JPEG decoding
};

struct Decoded {
  cv::Mat bgr;                          // CV_8UC3
  cv::Size original;                    // as stored in the file
  double scale_y = 1.0, scale_x = 1.0;  // decoded / original (1, ~1/2, ~1/4, ~1/8)
};

// Width and height from a JPEG's SOF marker, without decoding; nullopt if not a (valid) JPEG.
std::optional<cv::Size> jpeg_size(std::span<const uint8_t> bytes);

Result<Decoded> decode_image(std::span<const uint8_t> bytes, const DecodeOptions& options,
                             const std::string& label);
Result<Decoded> read_image(const std::filesystem::path& path, const DecodeOptions& options);

}  // namespace detport::pipeline
