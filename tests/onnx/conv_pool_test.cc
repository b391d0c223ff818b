// conv2d / depthwise_conv2d / conv2d_transpose and pool2d exported to ONNX and run by ONNX
// Runtime, against direct loops over Paddle's definitions (paddings [top, bottom, left, right],
// SAME with the odd pixel at the end, exclusive average pooling, ceil_mode, adaptive pooling).
#include <cmath>
#include <limits>

#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using testing::HostTensor;

struct Conv {
  int n = 2, cin = 4, cout = 6, h = 7, w = 6, k = 3, groups = 2;
  std::vector<int> strides{2, 1}, dilations{1, 2};
  std::vector<int> pads{1, 0, 2, 1};  // top, bottom, left, right
  std::string algo = "EXPLICIT";
};

int out_size(int in, int k, int s, int d, int p0, int p1) {
  return (in + p0 + p1 - (d * (k - 1) + 1)) / s + 1;
}

std::vector<double> conv_reference(const Conv& p, const std::vector<float>& x,
                                   const std::vector<float>& wt, int& oh, int& ow) {
  std::vector<int> pads = p.pads;
  if (pads.size() == 2) pads = {pads[0], pads[0], pads[1], pads[1]};
  std::vector<int> dil = p.dilations;
  if (p.algo == "SAME") {
    dil = {1, 1};
    for (int d = 0; d < 2; ++d) {
      const int in = d == 0 ? p.h : p.w, s = p.strides[static_cast<std::size_t>(d)];
      const int out = (in + s - 1) / s;
      const int total = std::max((out - 1) * s + p.k - in, 0);
      pads[static_cast<std::size_t>(2 * d)] = total / 2;
      pads[static_cast<std::size_t>(2 * d + 1)] = total - total / 2;
    }
  }
  oh = out_size(p.h, p.k, p.strides[0], dil[0], pads[0], pads[1]);
  ow = out_size(p.w, p.k, p.strides[1], dil[1], pads[2], pads[3]);
  const int cin_g = p.cin / p.groups, cout_g = p.cout / p.groups;
  std::vector<double> y;
  for (int b = 0; b < p.n; ++b)
    for (int o = 0; o < p.cout; ++o)
      for (int i = 0; i < oh; ++i)
        for (int j = 0; j < ow; ++j) {
          double acc = 0;
          const int g = o / cout_g;
          for (int ci = 0; ci < cin_g; ++ci)
            for (int ki = 0; ki < p.k; ++ki)
              for (int kj = 0; kj < p.k; ++kj) {
                const int yy = i * p.strides[0] - pads[0] + ki * dil[0];
                const int xx = j * p.strides[1] - pads[2] + kj * dil[1];
                if (yy < 0 || yy >= p.h || xx < 0 || xx >= p.w) continue;
                const int c = g * cin_g + ci;
                acc += static_cast<double>(
                           x[static_cast<std::size_t>(((b * p.cin + c) * p.h + yy) * p.w + xx)]) *
                       wt[static_cast<std::size_t>(((o * cin_g + ci) * p.k + ki) * p.k + kj)];
              }
          y.push_back(acc);
        }
  return y;
}

void add_conv(testing::OrtBatch& batch, const std::string& label, const Conv& p, bool dynamic_hw) {
  const std::string type = p.groups == p.cin && p.cout == p.cin ? "depthwise_conv2d" : "conv2d";
  auto x = testing::random_floats(static_cast<std::size_t>(p.n * p.cin * p.h * p.w), -1, 1, 3);
  auto wt = testing::random_floats(static_cast<std::size_t>(p.cout * p.cin / p.groups * p.k * p.k),
                                   -1, 1, 4);
  int oh = 0, ow = 0;
  auto expected = conv_reference(p, x, wt, oh, ow);
  auto model = testing::one_op(
      type,
      {{"Input",
        "x",
        ir::DType::kFloat32,
        {-1, p.cin, dynamic_hw ? -1 : p.h, dynamic_hw ? -1 : p.w}}},
      {{"Output", "y", ir::DType::kFloat32, {-1, p.cout, -1, -1}}},
      {{"strides", Attribute::i32s(p.strides)},
       {"paddings", Attribute::i32s(p.pads)},
       {"dilations", Attribute::i32s(p.dilations)},
       {"groups", Attribute::i32(p.groups)},
       {"padding_algorithm", Attribute::str(p.algo)},
       {"data_format", Attribute::str("NCHW")}},
      {{"Filter", "w",
        ir::Tensor::from_values(ir::DType::kFloat32, {p.cout, p.cin / p.groups, p.k, p.k}, wt)}});
  batch.add_opsets(label, model, {11}, {{"x", HostTensor::f32({p.n, p.cin, p.h, p.w}, x)}},
                   [expected, oh, ow, p](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{p.n, p.cout, oh, ow}));
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), expected, 1e-4, 1e-4));
                   });
}

TEST(OnnxConv, MatchesPaddle) {
  testing::OrtBatch batch;
  Conv p;  // asymmetric 4-element paddings, strides, dilations, groups
  add_conv(batch, "grouped, asymmetric pads", p, false);
  Conv same;
  same.algo = "SAME";
  same.strides = {2, 2};
  add_conv(batch, "SAME, static dims (explicit pads)", same, false);
  add_conv(batch, "SAME, dynamic dims (SAME_UPPER)", same, true);
  Conv dw;
  dw.groups = dw.cin = dw.cout = 4;
  dw.pads = {1, 1};
  dw.strides = {1, 1};
  dw.dilations = {1, 1};
  add_conv(batch, "depthwise", dw, false);
  batch.run();
}

TEST(OnnxConv, TransposeWithOutputSize) {
  // conv2d_transpose: y[o, i*s - p + ki] += x[c, i] * w[c, o, ki]; output_size beyond the natural
  // size adds padding at the end.
  const int n = 1, cin = 2, cout = 3, h = 3, w = 4, k = 3, s = 2, pad = 1;
  auto x = testing::random_floats(static_cast<std::size_t>(n * cin * h * w), -1, 1, 5);
  auto wt = testing::random_floats(static_cast<std::size_t>(cin * cout * k * k), -1, 1, 6);
  const int oh = 6, ow = 8;  // natural (h-1)*s - 2p + k = 5 and 7, plus 1
  std::vector<double> y(static_cast<std::size_t>(n * cout * oh * ow), 0.0);
  for (int c = 0; c < cin; ++c)
    for (int o = 0; o < cout; ++o)
      for (int i = 0; i < h; ++i)
        for (int j = 0; j < w; ++j)
          for (int ki = 0; ki < k; ++ki)
            for (int kj = 0; kj < k; ++kj) {
              const int yy = i * s - pad + ki, xx = j * s - pad + kj;
              if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
              y[static_cast<std::size_t>((o * oh + yy) * ow + xx)] +=
                  static_cast<double>(x[static_cast<std::size_t>((c * h + i) * w + j)]) *
                  wt[static_cast<std::size_t>(((c * cout + o) * k + ki) * k + kj)];
            }
  auto model = testing::one_op(
      "conv2d_transpose", {{"Input", "x", ir::DType::kFloat32, {-1, cin, h, w}}},
      {{"Output", "y", ir::DType::kFloat32, {-1, cout, oh, ow}}},
      {{"strides", Attribute::i32s({s, s})},
       {"paddings", Attribute::i32s({pad, pad})},
       {"dilations", Attribute::i32s({1, 1})},
       {"groups", Attribute::i32(1)},
       {"output_size", Attribute::i32s({oh, ow})},
       {"output_padding", Attribute::i32s({})},
       {"padding_algorithm", Attribute::str("EXPLICIT")},
       {"data_format", Attribute::str("NCHW")}},
      {{"Filter", "w", ir::Tensor::from_values(ir::DType::kFloat32, {cin, cout, k, k}, wt)}});
  testing::OrtBatch batch;
  batch.add_opsets("transpose", model, {11, 17}, {{"x", HostTensor::f32({n, cin, h, w}, x)}},
                   [y](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{1, 3, 6, 8}));
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), y, 1e-4, 1e-4));
                   });
  batch.run();
}

struct Pool {
  std::string type = "max";
  std::vector<int> k{2, 2}, s{2, 2}, pads{0, 0};
  bool ceil = false, exclusive = true, global = false, adaptive = false;
};

std::vector<double> pool_reference(const Pool& p, const std::vector<float>& x, int nc, int h, int w,
                                   int& oh, int& ow) {
  std::vector<int> k = p.k, s = p.s, pads = p.pads;
  if (pads.size() == 2) pads = {pads[0], pads[0], pads[1], pads[1]};
  if (p.global || (p.adaptive && k[0] == 1 && k[1] == 1)) {
    k = {h, w};
    s = {1, 1};
    pads = {0, 0, 0, 0};
  } else if (p.adaptive) {
    k = {h / p.k[0], w / p.k[1]};
    s = k;
  }
  auto size = [&](int in, int kk, int ss, int p0, int p1) {
    const int span = in + p0 + p1 - kk;
    return (p.ceil ? (span + ss - 1) / ss : span / ss) + 1;
  };
  oh = size(h, k[0], s[0], pads[0], pads[1]);
  ow = size(w, k[1], s[1], pads[2], pads[3]);
  std::vector<double> y;
  for (int c = 0; c < nc; ++c)
    for (int i = 0; i < oh; ++i)
      for (int j = 0; j < ow; ++j) {
        int hs = i * s[0] - pads[0], ws = j * s[1] - pads[2];
        int he = std::min(hs + k[0], h + pads[1]), we = std::min(ws + k[1], w + pads[3]);
        hs = std::max(hs, 0);
        ws = std::max(ws, 0);
        he = std::min(he, h);
        we = std::min(we, w);
        double acc = p.type == "max" ? -std::numeric_limits<double>::infinity() : 0.0;
        for (int yy = hs; yy < he; ++yy)
          for (int xx = ws; xx < we; ++xx) {
            const double v = x[static_cast<std::size_t>((c * h + yy) * w + xx)];
            acc = p.type == "max" ? std::max(acc, v) : acc + v;
          }
        if (p.type == "avg") acc /= p.exclusive ? (he - hs) * (we - ws) : k[0] * k[1];
        y.push_back(acc);
      }
  return y;
}

void add_pool(testing::OrtBatch& batch, const std::string& label, const Pool& p, int h, int w) {
  const int n = 2, c = 3;
  auto x = testing::random_floats(static_cast<std::size_t>(n * c * h * w), -1, 1, 8);
  int oh = 0, ow = 0;
  auto expected = pool_reference(p, x, n * c, h, w, oh, ow);
  auto model = testing::one_op("pool2d", {{"X", "x", ir::DType::kFloat32, {-1, c, h, w}}},
                               {{"Out", "y", ir::DType::kFloat32, {-1, c, -1, -1}}},
                               {{"pooling_type", Attribute::str(p.type)},
                                {"ksize", Attribute::i32s(p.k)},
                                {"strides", Attribute::i32s(p.s)},
                                {"paddings", Attribute::i32s(p.pads)},
                                {"ceil_mode", Attribute::boolean(p.ceil)},
                                {"exclusive", Attribute::boolean(p.exclusive)},
                                {"global_pooling", Attribute::boolean(p.global)},
                                {"adaptive", Attribute::boolean(p.adaptive)},
                                {"padding_algorithm", Attribute::str("EXPLICIT")},
                                {"data_format", Attribute::str("NCHW")}});
  batch.add_opsets(label, model, {11}, {{"x", HostTensor::f32({n, c, h, w}, x)}},
                   [expected, oh, ow](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 3, oh, ow}));
                     EXPECT_TRUE(testing::all_close(r.out(0).values(), expected, 1e-5, 1e-5));
                   });
}

TEST(OnnxPool, MatchesPaddle) {
  testing::OrtBatch batch;
  Pool blaze;  // BlazeFace: max 2x2/2 with ceil_mode, odd input
  blaze.ceil = true;
  add_pool(batch, "max ceil_mode odd input", blaze, 7, 5);
  Pool spp;  // PP-YOLOE SPP: max 5x5/1 pad 2
  spp.k = {5, 5};
  spp.s = {1, 1};
  spp.pads = {2, 2};
  add_pool(batch, "max 5x5 pad 2", spp, 6, 6);
  Pool avg;  // exclusive average with padding: divide by the in-bounds count
  avg.type = "avg";
  avg.k = {3, 3};
  avg.pads = {1, 0, 1, 1};
  add_pool(batch, "avg exclusive asymmetric pads", avg, 7, 6);
  avg.exclusive = false;
  add_pool(batch, "avg inclusive", avg, 7, 6);
  Pool slider;  // PP-YOLO: avg 2x2/2 ceil_mode exclusive
  slider.type = "avg";
  slider.ceil = true;
  add_pool(batch, "avg ceil exclusive", slider, 7, 5);
  Pool gap;  // ESE/SE: adaptive to 1x1
  gap.type = "avg";
  gap.adaptive = true;
  gap.k = {1, 1};
  add_pool(batch, "adaptive 1x1", gap, 5, 4);
  Pool ad2;
  ad2.type = "max";
  ad2.adaptive = true;
  ad2.k = {2, 3};
  add_pool(batch, "adaptive 2x3 of 4x6", ad2, 4, 6);
  Pool glob;
  glob.type = "max";
  glob.global = true;
  add_pool(batch, "global max", glob, 3, 5);
  batch.run();
}

TEST(OnnxPool, UnevenAdaptiveIsRefused) {
  auto model = testing::one_op("pool2d", {{"X", "x", ir::DType::kFloat32, {-1, 3, 5, 5}}},
                               {{"Out", "y", ir::DType::kFloat32, {-1, 3, 2, 2}}},
                               {{"pooling_type", Attribute::str("avg")},
                                {"ksize", Attribute::i32s({2, 2})},
                                {"adaptive", Attribute::boolean(true)}});
  auto plan = onnx_export::plan_export(model);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->unsupported.size(), 1u);
  EXPECT_NE(plan->unsupported[0].reason.find("uneven"), std::string::npos);
}

}  // namespace
}  // namespace detport
