#include "pipeline/preprocess_ops.h"

#include <fmt/format.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace detport::pipeline {
namespace {

Error bad(const std::string& where, const std::string& key, const std::string& what) {
  return make_error(ErrorCode::kInvalidInput, what, key.empty() ? where : where + "." + key);
}

Result<double> number(const Params& p, const std::string& key, double fallback,
                      const std::string& where) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return fallback;
  if (!it->is_number()) return bad(where, key, "expected a number, found " + it->dump());
  return it->get<double>();
}

Result<bool> boolean(const Params& p, const std::string& key, bool fallback,
                     const std::string& where) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return bad(where, key, "expected true or false, found " + it->dump());
  return it->get<bool>();
}

// An int, or a list of `n` ints; an int means the same value n times (PaddleDetection's
// convention).
Result<std::vector<double>> numbers(const Params& p, const std::string& key, std::size_t n,
                                    const std::string& where, std::vector<double> fallback = {}) {
  auto it = p.find(key);
  if (it == p.end() || it->is_null()) {
    if (fallback.empty()) return bad(where, key, "is required");
    return fallback;
  }
  if (it->is_number()) return std::vector<double>(n, it->get<double>());
  if (!it->is_array() || it->size() != n)
    return bad(where, key,
               fmt::format("expected a number or a list of {} numbers, found {}", n, it->dump()));
  std::vector<double> out;
  for (const auto& v : *it) {
    if (!v.is_number()) return bad(where, key, "expected numbers, found " + it->dump());
    out.push_back(v.get<double>());
  }
  return out;
}

class Resize final : public Transform {
 public:
  int target_h = 0, target_w = 0, interp = cv::INTER_LINEAR, max_size = 0;
  bool keep_ratio = true;
  bool fluid = false;  // 1.x form: target_size is the short side, max_size caps the long side
  Status apply(ImageState& s) const override {
    if (s.normalize_pending) materialize(s);  // resizing uint8 would round normalised values
    const double h = s.image.rows, w = s.image.cols;
    double sy, sx;
    if (fluid) {
      if (max_size != 0) {
        double scale = target_h / std::min(h, w);
        if (std::round(scale * std::max(h, w)) > max_size) scale = max_size / std::max(h, w);
        sy = sx = scale;
      } else {
        sx = target_w / w;
        sy = target_h / h;
      }
    } else if (keep_ratio) {
      const double tmin = std::min(target_h, target_w), tmax = std::max(target_h, target_w);
      double scale = tmin / std::min(h, w);
      if (std::round(scale * std::max(h, w)) > tmax) scale = tmax / std::max(h, w);
      sy = sx = scale;
    } else {
      sy = target_h / h;
      sx = target_w / w;
    }
    // cv2.resize(im, None, None, fx, fy): the output size rounds w*fx, and the sampling grid uses
    // fx/fy themselves, not the rounded size.
    cv::Mat out;
    cv::resize(s.image, out, cv::Size(), sx, sy, interp);
    s.image = out;
    s.im_shape = {static_cast<float>(out.rows), static_cast<float>(out.cols)};
    s.scale_factor = {static_cast<float>(sy * s.decode_scale[0]),
                      static_cast<float>(sx * s.decode_scale[1])};
    return {};
  }
  std::string name() const override { return "Resize"; }
};

class Normalize final : public Transform {
 public:
  std::array<float, 3> mean{0, 0, 0}, std{1, 1, 1};
  double scale = 1.0 / 255.0;  // is_scale; 1.0 when false
  bool mean_std = true;        // norm_type mean_std (else `none`: only the scale)
  Status apply(ImageState& s) const override {
    // x * scale, then (x - mean) / std: one affine map per channel.
    std::array<float, 3> mul, add;
    for (int c = 0; c < 3; ++c) {
      const double sd = mean_std ? std[static_cast<std::size_t>(c)] : 1.0;
      const double mu = mean_std ? mean[static_cast<std::size_t>(c)] : 0.0;
      mul[static_cast<std::size_t>(c)] = static_cast<float>(scale / sd);
      add[static_cast<std::size_t>(c)] = static_cast<float>(-mu / sd);
    }
    if (s.normalize_pending) {  // compose with an earlier pending map
      for (std::size_t c = 0; c < 3; ++c) {
        s.add[c] = s.add[c] * mul[c] + add[c];
        s.mul[c] *= mul[c];
      }
      return {};
    }
    s.mul = mul;
    s.add = add;
    s.normalize_pending = true;
    return {};
  }
  std::string name() const override { return "NormalizeImage"; }
};

class Permute final : public Transform {
 public:
  bool to_bgr = false;
  Status apply(ImageState& s) const override {
    s.chw = true;
    if (to_bgr) {  // 1.x Permute{to_bgr: true}: the channels reverse after the transpose
      materialize(s);
      cv::cvtColor(s.image, s.image, cv::COLOR_BGR2RGB);
    }
    return {};
  }
  std::string name() const override { return "Permute"; }
};

class PadStride final : public Transform {
 public:
  int stride = 0;
  Status apply(ImageState& s) const override {
    s.pad_stride = stride;
    return {};
  }
  std::string name() const override { return "PadStride"; }
};

class LetterBox final : public Transform {
 public:
  int height = 0, width = 0;
  Status apply(ImageState& s) const override {
    materialize_if_pending(s);
    const double h = s.image.rows, w = s.image.cols;
    const double ratio = std::min(height / h, width / w);
    const int new_w = static_cast<int>(python_round(w * ratio)),
              new_h = static_cast<int>(python_round(h * ratio));
    const double padw = (width - new_w) / 2.0, padh = (height - new_h) / 2.0;
    const int top = static_cast<int>(python_round(padh - 0.1)),
              bottom = static_cast<int>(python_round(padh + 0.1));
    const int left = static_cast<int>(python_round(padw - 0.1)),
              right = static_cast<int>(python_round(padw + 0.1));
    cv::Mat resized, out;
    cv::resize(s.image, resized, cv::Size(new_w, new_h), 0, 0, cv::INTER_AREA);
    cv::copyMakeBorder(resized, out, top, bottom, left, right, cv::BORDER_CONSTANT,
                       cv::Scalar(127.5, 127.5, 127.5));
    s.image = out;
    s.im_shape = {static_cast<float>(python_round(h * ratio)),
                  static_cast<float>(python_round(w * ratio))};
    s.scale_factor = {static_cast<float>(ratio * s.decode_scale[0]),
                      static_cast<float>(ratio * s.decode_scale[1])};
    return {};
  }
  std::string name() const override { return "LetterBoxResize"; }
  static void materialize_if_pending(ImageState& s) {
    if (s.normalize_pending) materialize(s);
  }
};

class Pad final : public Transform {
 public:
  int height = 0, width = 0;
  std::array<double, 3> fill{114, 114, 114};
  Status apply(ImageState& s) const override {
    materialize(s);  // PaddleDetection pads in float32
    if (s.image.rows == height && s.image.cols == width) return {};
    if (s.image.rows > height || s.image.cols > width)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("Pad to {}x{} but the image is {}x{}", height, width,
                                    s.image.rows, s.image.cols));
    // fill_value is RGB; the image may still be stored BGR.
    const cv::Scalar value =
        s.bgr ? cv::Scalar(fill[2], fill[1], fill[0]) : cv::Scalar(fill[0], fill[1], fill[2]);
    cv::Mat canvas(height, width, CV_32FC3, value);
    s.image.copyTo(canvas(cv::Rect(0, 0, s.image.cols, s.image.rows)));
    s.image = canvas;
    return {};
  }
  std::string name() const override { return "Pad"; }
};

// PaddleDetection's get_affine_transform with rot 0: three point pairs mapping the centre and a
// point half the (square) source width above it onto the output.
cv::Mat affine_transform(cv::Point2f center, float src_w, cv::Size2f out) {
  cv::Point2f src[3], dst[3];
  src[0] = center;
  src[1] = center + cv::Point2f(0, -0.5f * src_w);
  dst[0] = cv::Point2f(out.width * 0.5f, out.height * 0.5f);
  dst[1] = dst[0] + cv::Point2f(0, -0.5f * out.width);
  auto third = [](cv::Point2f a, cv::Point2f b) {
    const cv::Point2f d = a - b;
    return b + cv::Point2f(-d.y, d.x);
  };
  src[2] = third(src[0], src[1]);
  dst[2] = third(dst[0], dst[1]);
  return cv::getAffineTransform(src, dst);
}

class WarpAffine final : public Transform {
 public:
  bool keep_res = false;
  int pad = 31, input_h = 512, input_w = 512;
  Status apply(ImageState& s) const override {
    materialize(s);
    // The deploy code converts RGB to BGR first: the output keeps that order.
    s.bgr = !s.bgr;
    const int h = s.image.rows, w = s.image.cols;
    int oh = input_h, ow = input_w;
    cv::Point2f c;
    float size;
    if (keep_res) {
      oh = (h | pad) + 1;
      ow = (w | pad) + 1;
      c = cv::Point2f(static_cast<float>(w / 2), static_cast<float>(h / 2));
      size = static_cast<float>(ow);
    } else {
      c = cv::Point2f(w / 2.0f, h / 2.0f);
      size = static_cast<float>(std::max(h, w));
    }
    cv::Mat out;
    cv::warpAffine(
        s.image, out,
        affine_transform(c, size, cv::Size2f(static_cast<float>(ow), static_cast<float>(oh))),
        cv::Size(ow, oh), cv::INTER_LINEAR);
    s.image = out;
    return {};
  }
  std::string name() const override { return "WarpAffine"; }
};

class TopDownAffine final : public Transform {
 public:
  int train_w = 0, train_h = 0;
  bool use_udp = false;
  Status apply(ImageState& s) const override {
    materialize(s);
    const float w = static_cast<float>(s.image.cols), h = static_cast<float>(s.image.rows);
    cv::Mat trans;
    if (use_udp) {
      // get_warp_matrix with theta 0, size_input = size_target = (w, h): a pure scale.
      const double sx = (train_w - 1.0) / w, sy = (train_h - 1.0) / h;
      trans = (cv::Mat_<double>(2, 3) << sx, 0, 0, 0, sy, 0);
    } else {
      trans =
          affine_transform(cv::Point2f(w / 2, h / 2), w,
                           cv::Size2f(static_cast<float>(train_w), static_cast<float>(train_h)));
    }
    cv::Mat out;
    cv::warpAffine(s.image, out, trans, cv::Size(train_w, train_h), cv::INTER_LINEAR);
    s.image = out;
    return {};
  }
  std::string name() const override { return "TopDownEvalAffine"; }
};

class ResizeImage final : public Transform {
 public:
  int width = 0, height = 0;
  Status apply(ImageState& s) const override {
    if (s.normalize_pending) materialize(s);
    const double h = s.image.rows, w = s.image.cols;
    cv::Mat out;
    cv::resize(s.image, out, cv::Size(width, height), 0, 0, cv::INTER_LINEAR);
    s.image = out;
    s.im_shape = {static_cast<float>(height), static_cast<float>(width)};
    s.scale_factor = {static_cast<float>(height / h * s.decode_scale[0]),
                      static_cast<float>(width / w * s.decode_scale[1])};
    return {};
  }
  std::string name() const override { return "ResizeImage"; }
};

}  // namespace

Result<int> cv_interpolation(int64_t interp, const std::string& where) {
  switch (interp) {
    case 0:
      return cv::INTER_NEAREST;
    case 1:
      return cv::INTER_LINEAR;
    case 2:
      return cv::INTER_CUBIC;
    case 3:
      return cv::INTER_AREA;
    case 4:
      return cv::INTER_LANCZOS4;
    default:
      return bad(where, "interp",
                 fmt::format("is {}; expected 0 (nearest) .. 4 (lanczos4)", interp));
  }
}

TransformResult make_resize(const Params& p, const std::string& where) {
  auto r = std::make_unique<Resize>();
  DETPORT_ASSIGN(const double interp, number(p, "interp", 1, where));
  DETPORT_ASSIGN(r->interp, cv_interpolation(static_cast<int64_t>(interp), where));
  DETPORT_ASSIGN(auto target, numbers(p, "target_size", 2, where));
  if (target[0] <= 0 || target[1] <= 0) return bad(where, "target_size", "must be positive");
  r->target_h = static_cast<int>(target[0]);
  r->target_w = static_cast<int>(target[1]);
  // 1.x static-graph configs: target_size is an int and max_size caps the long side.
  r->fluid = p.contains("max_size") || p.contains("use_cv2") || p.contains("image_shape");
  DETPORT_ASSIGN(const double max_size, number(p, "max_size", 0, where));
  r->max_size = static_cast<int>(max_size);
  DETPORT_ASSIGN(r->keep_ratio, boolean(p, "keep_ratio", true, where));
  return TransformResult(std::move(r));
}

TransformResult make_normalize(const Params& p, const std::string& where) {
  auto n = std::make_unique<Normalize>();
  // PaddleX: {scale: 0.0039.. or "1./255.", mean, std, order}; PaddleDetection: {is_scale, mean,
  // std, norm_type}.
  if (auto it = p.find("scale"); it != p.end()) {
    if (it->is_number()) {
      n->scale = it->get<double>();
    } else if (it->is_string() &&
               (it->get<std::string>() == "1./255." || it->get<std::string>() == "1.0/255.0")) {
      n->scale = 1.0 / 255.0;
    } else {
      return bad(where, "scale", "expected a number or \"1./255.\", found " + it->dump());
    }
  } else {
    DETPORT_ASSIGN(const bool is_scale, boolean(p, "is_scale", true, where));
    n->scale = is_scale ? 1.0 / 255.0 : 1.0;
  }
  if (auto it = p.find("order");
      it != p.end() && it->is_string() && it->get<std::string>() == "chw")
    return bad(where, "order", "chw input to NormalizeImage is not supported");
  if (auto it = p.find("norm_type"); it != p.end()) {
    if (!it->is_string() ||
        (it->get<std::string>() != "mean_std" && it->get<std::string>() != "none"))
      return bad(where, "norm_type", "expected mean_std or none, found " + it->dump());
    n->mean_std = it->get<std::string>() == "mean_std";
  }
  DETPORT_ASSIGN(auto mean, numbers(p, "mean", 3, where, {0.485, 0.456, 0.406}));
  DETPORT_ASSIGN(auto sd, numbers(p, "std", 3, where, {0.229, 0.224, 0.225}));
  for (std::size_t c = 0; c < 3; ++c) {
    if (sd[c] == 0) return bad(where, "std", "has a zero");
    n->mean[c] = static_cast<float>(mean[c]);
    n->std[c] = static_cast<float>(sd[c]);
  }
  if (auto it = p.find("is_channel_first"); it != p.end() && it->is_boolean() && it->get<bool>())
    return bad(where, "is_channel_first", "channel-first input to Normalize is not supported");
  return TransformResult(std::move(n));
}

TransformResult make_permute(const Params& p, const std::string& where) {
  auto t = std::make_unique<Permute>();
  DETPORT_ASSIGN(t->to_bgr, boolean(p, "to_bgr", false, where));
  DETPORT_ASSIGN(const bool channel_first, boolean(p, "channel_first", true, where));
  if (!channel_first) return bad(where, "channel_first", "false (HWC models) is not supported");
  return TransformResult(std::move(t));
}

TransformResult make_pad_stride(const Params& p, const std::string& where) {
  auto t = std::make_unique<PadStride>();
  DETPORT_ASSIGN(const double stride, number(p, "stride", 0, where));
  t->stride = static_cast<int>(stride);
  return TransformResult(std::move(t));
}

TransformResult make_letterbox(const Params& p, const std::string& where) {
  auto t = std::make_unique<LetterBox>();
  DETPORT_ASSIGN(auto target, numbers(p, "target_size", 2, where));
  t->height = static_cast<int>(target[0]);
  t->width = static_cast<int>(target[1]);
  if (t->height <= 0 || t->width <= 0) return bad(where, "target_size", "must be positive");
  return TransformResult(std::move(t));
}

TransformResult make_pad(const Params& p, const std::string& where) {
  auto t = std::make_unique<Pad>();
  DETPORT_ASSIGN(auto size, numbers(p, "size", 2, where));
  t->height = static_cast<int>(size[0]);
  t->width = static_cast<int>(size[1]);
  DETPORT_ASSIGN(auto fill, numbers(p, "fill_value", 3, where, {114.0, 114.0, 114.0}));
  t->fill = {fill[0], fill[1], fill[2]};
  return TransformResult(std::move(t));
}

TransformResult make_warp_affine(const Params& p, const std::string& where) {
  auto t = std::make_unique<WarpAffine>();
  DETPORT_ASSIGN(t->keep_res, boolean(p, "keep_res", false, where));
  DETPORT_ASSIGN(const double pad, number(p, "pad", 31, where));
  DETPORT_ASSIGN(const double ih, number(p, "input_h", 512, where));
  DETPORT_ASSIGN(const double iw, number(p, "input_w", 512, where));
  t->pad = static_cast<int>(pad);
  t->input_h = static_cast<int>(ih);
  t->input_w = static_cast<int>(iw);
  return TransformResult(std::move(t));
}

TransformResult make_topdown_affine(const Params& p, const std::string& where) {
  auto t = std::make_unique<TopDownAffine>();
  DETPORT_ASSIGN(auto size, numbers(p, "trainsize", 2, where));  // [w, h]
  t->train_w = static_cast<int>(size[0]);
  t->train_h = static_cast<int>(size[1]);
  DETPORT_ASSIGN(t->use_udp, boolean(p, "use_udp", false, where));
  return TransformResult(std::move(t));
}

TransformResult make_resize_image(const Params& p, const std::string& where) {
  auto t = std::make_unique<ResizeImage>();
  if (p.contains("resize_short"))
    return bad(where, "resize_short", "is not supported; give size: [w, h]");
  DETPORT_ASSIGN(auto size, numbers(p, "size", 2, where));  // [w, h]
  t->width = static_cast<int>(size[0]);
  t->height = static_cast<int>(size[1]);
  return TransformResult(std::move(t));
}

}  // namespace detport::pipeline
