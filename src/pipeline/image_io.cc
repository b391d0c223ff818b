#include "pipeline/image_io.h"

#include <fmt/format.h>

#include <opencv2/imgcodecs.hpp>

#include "core/mapped_file.h"

namespace detport::pipeline {

std::optional<cv::Size> jpeg_size(std::span<const uint8_t> b) {
  if (b.size() < 4 || b[0] != 0xFF || b[1] != 0xD8) return std::nullopt;
  std::size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return std::nullopt;
    const uint8_t marker = b[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      i += 2;
      continue;
    }
    const std::size_t len = (static_cast<std::size_t>(b[i + 2]) << 8) | b[i + 3];
    if (len < 2 || i + 2 + len > b.size()) return std::nullopt;
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (len < 7) return std::nullopt;
      const int h = (b[i + 5] << 8) | b[i + 6];
      const int w = (b[i + 7] << 8) | b[i + 8];
      if (h <= 0 || w <= 0) return std::nullopt;
      return cv::Size(w, h);
    }
    if (marker == 0xDA) return std::nullopt;  // scan started without a frame header
    i += 2 + len;
  }
  return std::nullopt;
}

Result<Decoded> decode_image(std::span<const uint8_t> bytes, const DecodeOptions& options,
                             const std::string& label) {
  if (bytes.empty()) return make_error(ErrorCode::kInvalidInput, "the image file is empty", label);
  Decoded d;
  int flags = cv::IMREAD_COLOR;
  const auto size = jpeg_size(bytes);
  if (options.reduced && size && options.min_height > 0 && options.min_width > 0) {
    // libjpeg scales by 1/r rounding up: the largest r that still covers the target.
    for (int r : {8, 4, 2}) {
      const int h = (size->height + r - 1) / r, w = (size->width + r - 1) / r;
      if (h >= options.min_height && w >= options.min_width) {
        flags = r == 8   ? cv::IMREAD_REDUCED_COLOR_8
                : r == 4 ? cv::IMREAD_REDUCED_COLOR_4
                         : cv::IMREAD_REDUCED_COLOR_2;
        break;
      }
    }
  }
  // OpenCV's decoders refuse absurd dimensions themselves (CV_IO_MAX_IMAGE_PIXELS); a corrupt file
  // gives an empty Mat or an exception.
  cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<uint8_t*>(bytes.data()));
  try {
    d.bgr = cv::imdecode(raw, flags);
  } catch (const cv::Exception& e) {
    return make_error(ErrorCode::kInvalidInput, fmt::format("cannot decode the image: {}", e.err),
                      label);
  }
  if (d.bgr.empty())
    return make_error(ErrorCode::kInvalidInput,
                      "cannot decode the image (corrupt, truncated or not an image)", label);
  if (d.bgr.type() != CV_8UC3) d.bgr.convertTo(d.bgr, CV_8UC3);
  d.original = size.value_or(d.bgr.size());
  if (flags == cv::IMREAD_COLOR) d.original = d.bgr.size();
  d.scale_y = static_cast<double>(d.bgr.rows) / d.original.height;
  d.scale_x = static_cast<double>(d.bgr.cols) / d.original.width;
  return d;
}

Result<Decoded> read_image(const std::filesystem::path& path, const DecodeOptions& options) {
  DETPORT_ASSIGN(auto file, MappedFile::open(path));
  auto bytes = file->bytes();
  return decode_image(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      options, path.string());
}

}  // namespace detport::pipeline
