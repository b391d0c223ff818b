// Materialising deferred work and writing the image into the input tensor in one pass.
#include <opencv2/imgproc.hpp>

#include "pipeline/preprocess.h"

namespace detport::pipeline {

void materialize(ImageState& s) {
  if (!s.normalize_pending) {
    if (s.image.depth() != CV_32F) s.image.convertTo(s.image, CV_32F);
    return;
  }
  cv::Mat out(s.image.rows, s.image.cols, CV_32FC3);
  // mul/add are indexed by RGB channel; the pixels may be stored BGR.
  float mul[3], add[3];
  for (int c = 0; c < 3; ++c) {
    const int rgb = s.bgr ? 2 - c : c;
    mul[c] = s.mul[static_cast<std::size_t>(rgb)];
    add[c] = s.add[static_cast<std::size_t>(rgb)];
  }
  const int n = s.image.rows * s.image.cols;
  if (s.image.depth() == CV_8U) {
    const cv::Mat src = s.image.isContinuous() ? s.image : s.image.clone();
    const uint8_t* p = src.ptr<uint8_t>();
    float* q = out.ptr<float>();
    for (int i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c) q[i * 3 + c] = p[i * 3 + c] * mul[c] + add[c];
  } else {
    cv::Mat src;
    s.image.convertTo(src, CV_32F);
    if (!src.isContinuous()) src = src.clone();
    const float* p = src.ptr<float>();
    float* q = out.ptr<float>();
    for (int i = 0; i < n; ++i)
      for (int c = 0; c < 3; ++c) q[i * 3 + c] = p[i * 3 + c] * mul[c] + add[c];
  }
  s.image = out;
  s.normalize_pending = false;
  s.mul = {1, 1, 1};
  s.add = {0, 0, 0};
}

std::array<int64_t, 3> tensor_dims(const ImageState& s) {
  int64_t h = s.image.rows, w = s.image.cols;
  if (s.pad_stride > 0) {
    h = (h + s.pad_stride - 1) / s.pad_stride * s.pad_stride;
    w = (w + s.pad_stride - 1) / s.pad_stride * s.pad_stride;
  }
  return {3, h, w};
}

namespace {

// One pass over the pixels: per output channel c, read source channel src_c, apply x * m + a.
template <typename T>
void write_planes(const cv::Mat& img, float* dst, int64_t h, int64_t w, const int src_c[3],
                  const float m[3], const float a[3]) {
  const int rows = img.rows, cols = img.cols;
  for (int y = 0; y < rows; ++y) {
    const T* row = img.ptr<T>(y);
    float* d0 = dst + (0 * h + y) * w;
    float* d1 = dst + (1 * h + y) * w;
    float* d2 = dst + (2 * h + y) * w;
    for (int x = 0; x < cols; ++x) {
      const T* px = row + x * 3;
      d0[x] = static_cast<float>(px[src_c[0]]) * m[0] + a[0];
      d1[x] = static_cast<float>(px[src_c[1]]) * m[1] + a[1];
      d2[x] = static_cast<float>(px[src_c[2]]) * m[2] + a[2];
    }
  }
}

}  // namespace

void write_chw(const ImageState& s, float* dst, int64_t h, int64_t w, bool want_bgr) {
  // Output channel c (RGB, or BGR if wanted) comes from stored channel src_c[c].
  int src_c[3];
  float m[3], a[3];
  for (int c = 0; c < 3; ++c) {
    const int rgb = want_bgr ? 2 - c : c;  // which colour output channel c holds
    src_c[c] = s.bgr ? 2 - rgb : rgb;      // where that colour is stored
    m[c] = s.normalize_pending ? s.mul[static_cast<std::size_t>(rgb)] : 1.0f;
    a[c] = s.normalize_pending ? s.add[static_cast<std::size_t>(rgb)] : 0.0f;
  }
  if (s.image.depth() == CV_8U)
    write_planes<uint8_t>(s.image, dst, h, w, src_c, m, a);
  else
    write_planes<float>(s.image, dst, h, w, src_c, m, a);
}

}  // namespace detport::pipeline
