// yolo_box and prior_box exported to ONNX ops and run by ONNX Runtime, against references written
// from Paddle's kernels (phi yolo_box + funcs/yolo_box_util.h, phi cpu/prior_box_kernel.cc), with
// static and dynamic feature-map sizes.
#include <cmath>

#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using testing::HostTensor;

double sig(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

struct Yolo {
  std::vector<int32_t> anchors{10, 13, 16, 30, 33, 23};
  int cls = 2;
  float conf = 0.3f;
  int ratio = 8;
  bool clip = true;
  float scale = 1.05f;
  bool iou_aware = false;
  float iou_factor = 0.5f;
};

// Paddle's yolo_box for X [n, c, h, w] (NCHW) and image sizes [n, 2] = (h, w).
void yolo_reference(const Yolo& p, const std::vector<float>& x, const std::vector<int32_t>& img,
                    int n, int h, int w, std::vector<double>& boxes, std::vector<double>& scores) {
  const int an = static_cast<int>(p.anchors.size() / 2);
  const int per = 5 + p.cls, c = an * (per + (p.iou_aware ? 1 : 0));
  const float bias = -0.5f * (p.scale - 1.f);
  auto at = [&](int b, int ch, int k, int l) {
    return static_cast<double>(x[static_cast<std::size_t>(((b * c + ch) * h + k) * w + l)]);
  };
  boxes.assign(static_cast<std::size_t>(n * an * h * w * 4), 0.0);
  scores.assign(static_cast<std::size_t>(n * an * h * w * p.cls), 0.0);
  for (int b = 0; b < n; ++b) {
    const double ih = img[static_cast<std::size_t>(2 * b)],
                 iw = img[static_cast<std::size_t>(2 * b + 1)];
    for (int a = 0; a < an; ++a)
      for (int k = 0; k < h; ++k)
        for (int l = 0; l < w; ++l) {
          const int base = (p.iou_aware ? an : 0) + a * per;
          double conf = sig(at(b, base + 4, k, l));
          if (p.iou_aware)
            conf = std::pow(conf, 1.0 - p.iou_factor) * std::pow(sig(at(b, a, k, l)), p.iou_factor);
          if (conf < p.conf) continue;
          const double cx = (l + sig(at(b, base, k, l)) * p.scale + bias) * iw / w;
          const double cy = (k + sig(at(b, base + 1, k, l)) * p.scale + bias) * ih / h;
          const double bw = std::exp(at(b, base + 2, k, l)) *
                            p.anchors[static_cast<std::size_t>(2 * a)] * iw / (p.ratio * w);
          const double bh = std::exp(at(b, base + 3, k, l)) *
                            p.anchors[static_cast<std::size_t>(2 * a + 1)] * ih / (p.ratio * h);
          double box[4] = {cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2};
          if (p.clip) {
            box[0] = std::max(box[0], 0.0);
            box[1] = std::max(box[1], 0.0);
            box[2] = std::min(box[2], iw - 1);
            box[3] = std::min(box[3], ih - 1);
          }
          const std::size_t idx = static_cast<std::size_t>(((b * an + a) * h + k) * w + l);
          for (int i = 0; i < 4; ++i) boxes[idx * 4 + static_cast<std::size_t>(i)] = box[i];
          for (int i = 0; i < p.cls; ++i)
            scores[idx * static_cast<std::size_t>(p.cls) + static_cast<std::size_t>(i)] =
                conf * sig(at(b, base + 5 + i, k, l));
        }
  }
}

void add_yolo(testing::OrtBatch& batch, const std::string& label, const Yolo& p, bool dynamic_hw) {
  const int n = 2, h = 4, w = 3, an = static_cast<int>(p.anchors.size() / 2);
  const int c = an * (5 + p.cls + (p.iou_aware ? 1 : 0));
  const int64_t hd = dynamic_hw ? -1 : h, wd = dynamic_hw ? -1 : w;
  auto model = testing::one_op("yolo_box",
                               {{"X", "x", ir::DType::kFloat32, {-1, c, hd, wd}},
                                {"ImgSize", "img", ir::DType::kInt32, {-1, 2}}},
                               {{"Boxes", "boxes", ir::DType::kFloat32, {-1, -1, 4}},
                                {"Scores", "scores", ir::DType::kFloat32, {-1, -1, p.cls}}},
                               {{"anchors", Attribute::i32s(p.anchors)},
                                {"class_num", Attribute::i32(p.cls)},
                                {"conf_thresh", Attribute::f32(p.conf)},
                                {"downsample_ratio", Attribute::i32(p.ratio)},
                                {"clip_bbox", Attribute::boolean(p.clip)},
                                {"scale_x_y", Attribute::f32(p.scale)},
                                {"iou_aware", Attribute::boolean(p.iou_aware)},
                                {"iou_aware_factor", Attribute::f32(p.iou_factor)}});
  auto x = testing::random_floats(static_cast<std::size_t>(n * c * h * w), -2, 2, 5);
  const std::vector<int32_t> img{64, 48, 100, 70};
  std::vector<double> boxes, scores;
  yolo_reference(p, x, img, n, h, w, boxes, scores);
  std::size_t masked = 0;
  for (double s : scores) masked += s == 0;
  EXPECT_GT(masked, 0u);  // conf_thresh matters in these inputs
  batch.add_opsets(label, model, {11, 13},
                   {{"x", HostTensor::f32({n, c, h, w}, x)}, {"img", HostTensor::i32({n, 2}, img)}},
                   [boxes, scores](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 36, 4}));
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), boxes, 1e-4, 1e-5));
                     EXPECT_TRUE(testing::all_close(r.out(1).values(), scores, 1e-6, 1e-5));
                   });
}

TEST(OnnxYoloBox, MatchesPaddle) {
  testing::OrtBatch batch;
  Yolo p;
  add_yolo(batch, "static grid", p, false);
  add_yolo(batch, "dynamic grid", p, true);
  Yolo noclip;
  noclip.clip = false;
  noclip.scale = 1.f;
  add_yolo(batch, "no clip, scale 1", noclip, false);
  Yolo iou;
  iou.iou_aware = true;
  iou.iou_factor = 0.4f;
  add_yolo(batch, "iou aware", iou, true);
  batch.run();
}

struct PriorCase {
  std::vector<float> min_sizes{16, 32};
  std::vector<float> max_sizes{};
  std::vector<float> ratios{1.f};
  bool flip = false;
  bool clip = false;
  float step = 8;
  bool mm_order = false;
};

// Paddle's ExpandAspectRatios and PriorBoxKernel.
void prior_reference(const PriorCase& p, int fh, int fw, int ih, int iw, std::vector<double>& out) {
  std::vector<float> ars{1.f};
  for (float ar : p.ratios) {
    bool seen = false;
    for (float o : ars) seen = seen || std::fabs(ar - o) < 1e-6;
    if (seen) continue;
    ars.push_back(ar);
    if (p.flip) ars.push_back(1.f / ar);
  }
  const float sw = p.step == 0 ? static_cast<float>(iw) / fw : p.step;
  const float sh = p.step == 0 ? static_cast<float>(ih) / fh : p.step;
  auto push = [&](float cx, float cy, float bw, float bh) {
    for (float v : {(cx - bw) / iw, (cy - bh) / ih, (cx + bw) / iw, (cy + bh) / ih})
      out.push_back(p.clip ? std::min(std::max(v, 0.f), 1.f) : v);
  };
  for (int h = 0; h < fh; ++h)
    for (int w = 0; w < fw; ++w) {
      const float cx = (w + 0.5f) * sw, cy = (h + 0.5f) * sh;
      for (std::size_t s = 0; s < p.min_sizes.size(); ++s) {
        const float mn = p.min_sizes[s];
        if (p.mm_order) {
          push(cx, cy, mn / 2.f, mn / 2.f);
          if (!p.max_sizes.empty()) {
            const float q = std::sqrt(mn * p.max_sizes[s]) / 2.f;
            push(cx, cy, q, q);
          }
          for (float ar : ars)
            if (std::fabs(ar - 1.) >= 1e-6)
              push(cx, cy, mn * std::sqrt(ar) / 2.f, mn / std::sqrt(ar) / 2.f);
        } else {
          for (float ar : ars) push(cx, cy, mn * std::sqrt(ar) / 2.f, mn / std::sqrt(ar) / 2.f);
          if (!p.max_sizes.empty()) {
            const float q = std::sqrt(mn * p.max_sizes[s]) / 2.f;
            push(cx, cy, q, q);
          }
        }
      }
    }
}

void add_prior(testing::OrtBatch& batch, const std::string& label, const PriorCase& p,
               bool dynamic) {
  const int fh = 3, fw = 5, ih = 24, iw = 40;
  std::vector<double> expected;
  prior_reference(p, fh, fw, ih, iw, expected);
  const int64_t np = static_cast<int64_t>(expected.size() / (fh * fw * 4));
  auto dims = [&](int64_t v) { return dynamic ? -1 : v; };
  std::vector<float> vars{0.1f, 0.1f, 0.2f, 0.2f};
  auto model =
      testing::one_op("prior_box",
                      {{"Input", "feat", ir::DType::kFloat32, {-1, 2, dims(fh), dims(fw)}},
                       {"Image", "image", ir::DType::kFloat32, {-1, 3, dims(ih), dims(iw)}}},
                      {{"Boxes", "boxes", ir::DType::kFloat32, {dims(fh), dims(fw), np, 4}},
                       {"Variances", "vars", ir::DType::kFloat32, {dims(fh), dims(fw), np, 4}}},
                      {{"min_sizes", Attribute::f32s(p.min_sizes)},
                       {"max_sizes", Attribute::f32s(p.max_sizes)},
                       {"aspect_ratios", Attribute::f32s(p.ratios)},
                       {"variances", Attribute::f32s(vars)},
                       {"flip", Attribute::boolean(p.flip)},
                       {"clip", Attribute::boolean(p.clip)},
                       {"step_w", Attribute::f32(p.step)},
                       {"step_h", Attribute::f32(p.step)},
                       {"offset", Attribute::f32(0.5f)},
                       {"min_max_aspect_ratios_order", Attribute::boolean(p.mm_order)}});
  batch.add_opsets(
      label, model, {11, 13},
      {{"feat", HostTensor::f32({1, 2, fh, fw}, std::vector<float>(2 * fh * fw, 0.f))},
       {"image", HostTensor::f32({1, 3, ih, iw}, std::vector<float>(3 * ih * iw, 0.f))}},
      [expected, np](const testing::RunResult& r) {
        EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{fh, fw, np, 4}));
        EXPECT_TRUE(testing::all_close(r.out(0).values(), expected, 1e-6, 1e-5));
        const auto v = r.out(1).as<float>();
        ASSERT_EQ(v.size(), expected.size());
        EXPECT_FLOAT_EQ(v[2], 0.2f);
        EXPECT_FLOAT_EQ(v[v.size() - 4], 0.1f);
      });
}

TEST(OnnxPriorBox, MatchesPaddleFoldedAndDynamic) {
  testing::OrtBatch batch;
  PriorCase blaze;  // BlazeFace's settings
  add_prior(batch, "blazeface-like, folded", blaze, false);
  add_prior(batch, "blazeface-like, dynamic", blaze, true);
  PriorCase ssd;
  ssd.min_sizes = {10, 20};
  ssd.max_sizes = {20, 40};
  ssd.ratios = {2.f, 3.f};
  ssd.flip = true;
  ssd.clip = true;
  ssd.step = 0;
  add_prior(batch, "ssd-like, folded", ssd, false);
  add_prior(batch, "ssd-like, dynamic", ssd, true);
  ssd.mm_order = true;
  add_prior(batch, "min-max order", ssd, true);
  batch.run();
}

}  // namespace
}  // namespace detport
