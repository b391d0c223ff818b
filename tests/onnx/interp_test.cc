// nearest/bilinear interpolation (v1 and v2) exported as Resize, run by ONNX Runtime, against
// Paddle's kernels (phi interpolate_kernel.cc NearestNeighborInterpolate, BilinearInterpolation):
// ratio = (in-1)/(out-1) with align_corners, else 1/scale (v2 given a scale) or in/out.
#include <cmath>

#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using testing::HostTensor;

struct Interp {
  std::string type = "nearest_interp_v2";
  bool align_corners = false;
  int align_mode = 0;
  float scale = 0;  // > 0: scale attribute
  int out_h = -1, out_w = -1;
  bool out_size_input = false;  // OutSize tensor input instead of attributes
};

float ratio(const Interp& p, int in, int out) {
  if (out <= 1) return 0.f;
  if (p.align_corners) return static_cast<float>(in - 1) / static_cast<float>(out - 1);
  const bool v2 = p.type.find("_v2") != std::string::npos;
  if (v2 && p.scale > 0) return static_cast<float>(1. / p.scale);
  return static_cast<float>(in) / static_cast<float>(out);
}

std::vector<double> reference(const Interp& p, const std::vector<float>& x, int nc, int ih, int iw,
                              int oh, int ow) {
  const float rh = ratio(p, ih, oh), rw = ratio(p, iw, ow);
  const bool nearest = p.type.rfind("nearest", 0) == 0;
  const bool align_flag = p.align_mode == 0 && !p.align_corners;
  std::vector<double> out;
  for (int c = 0; c < nc; ++c)
    for (int k = 0; k < oh; ++k)
      for (int l = 0; l < ow; ++l) {
        auto at = [&](int y, int xx) {
          return static_cast<double>(x[static_cast<std::size_t>((c * ih + y) * iw + xx)]);
        };
        if (nearest) {
          const int yk =
              p.align_corners ? static_cast<int>(rh * k + 0.5) : static_cast<int>(rh * k);
          const int xl =
              p.align_corners ? static_cast<int>(rw * l + 0.5) : static_cast<int>(rw * l);
          out.push_back(at(yk, xl));
          continue;
        }
        auto axis = [&](float r, int i, int in, int& lo, int& hi, float& d) {
          lo = align_flag ? static_cast<int>(r * (i + 0.5f) - 0.5f) : static_cast<int>(r * i);
          lo = std::max(lo, 0);
          hi = std::min(lo + 1, in - 1);
          const float src = std::max(r * (i + 0.5f) - 0.5f, 0.f);
          d = align_flag ? src - static_cast<float>(lo)
                         : r * static_cast<float>(i) - static_cast<float>(lo);
        };
        int yn, ys, xw, xe;
        float dn, dw;
        axis(rh, k, ih, yn, ys, dn);
        axis(rw, l, iw, xw, xe, dw);
        const double ds = 1 - dn, de = 1 - dw;
        out.push_back(at(yn, xw) * ds * de + at(ys, xw) * dn * de + at(yn, xe) * ds * dw +
                      at(ys, xe) * dn * dw);
      }
  return out;
}

void add(testing::OrtBatch& batch, const std::string& label, const Interp& p, int ih, int iw,
         bool dynamic_in = false) {
  const int n = 2, c = 3;
  int oh = p.out_h, ow = p.out_w;
  if (p.scale > 0) {
    oh = static_cast<int>(static_cast<float>(ih) * p.scale);
    ow = static_cast<int>(static_cast<float>(iw) * p.scale);
  }
  testing::AttrList attrs{
      {"interp_method", Attribute::str(p.type.rfind("nearest", 0) == 0 ? "nearest" : "bilinear")},
      {"align_corners", Attribute::boolean(p.align_corners)},
      {"align_mode", Attribute::i32(p.align_mode)},
      {"data_layout", Attribute::str("NCHW")},
      {"out_d", Attribute::i32(-1)}};
  const bool v2 = p.type.find("_v2") != std::string::npos;
  if (v2)
    attrs.push_back({"scale", Attribute::f32s(p.scale > 0 ? std::vector<float>{p.scale, p.scale}
                                                          : std::vector<float>{})});
  else
    attrs.push_back({"scale", Attribute::f32(p.scale)});
  attrs.push_back({"out_h", Attribute::i32(p.out_size_input ? -1 : p.out_h)});
  attrs.push_back({"out_w", Attribute::i32(p.out_size_input ? -1 : p.out_w)});
  std::vector<testing::Arg> inputs{
      {"X", "x", ir::DType::kFloat32, {-1, c, dynamic_in ? -1 : ih, dynamic_in ? -1 : iw}}};
  testing::Named feeds;
  auto x = testing::random_floats(static_cast<std::size_t>(n * c * ih * iw), -1, 1, 11);
  feeds.push_back({"x", HostTensor::f32({n, c, ih, iw}, x)});
  if (p.out_size_input) {
    inputs.push_back({"OutSize", "size", ir::DType::kInt32, {2}});
    feeds.push_back({"size", HostTensor::i32({2}, {oh, ow})});
  }
  auto model =
      testing::one_op(p.type, inputs, {{"Out", "y", ir::DType::kFloat32, {-1, c, -1, -1}}}, attrs);
  auto expected = reference(p, x, n * c, ih, iw, oh, ow);
  batch.add_opsets(label, model, {11, 13}, feeds, [expected, oh, ow](const testing::RunResult& r) {
    EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 3, oh, ow}));
    EXPECT_TRUE(testing::all_close(r.out(0).values(), expected, 1e-5, 1e-5));
  });
}

TEST(OnnxInterp, NearestMatchesPaddle) {
  testing::OrtBatch batch;
  Interp p;
  p.scale = 2;  // PP-YOLOE / PicoDet upsampling
  add(batch, "v2 scale 2", p, 5, 4);
  add(batch, "v2 scale 2, dynamic input", p, 5, 4, true);
  Interp v1;  // YOLOv3 (fluid): nearest_interp, align_corners, align_mode 1, scale 2
  v1.type = "nearest_interp";
  v1.align_corners = true;
  v1.align_mode = 1;
  v1.scale = 2;
  add(batch, "v1 align_corners scale 2", v1, 5, 4);
  Interp sized;
  sized.out_h = 7;
  sized.out_w = 9;
  add(batch, "v2 out size 7x9", sized, 5, 4);
  sized.out_size_input = true;
  add(batch, "v2 OutSize tensor", sized, 5, 4, true);
  Interp frac;
  frac.scale = 1.5f;
  add(batch, "v2 scale 1.5", frac, 5, 4);
  batch.run();
}

TEST(OnnxInterp, BilinearMatchesPaddle) {
  testing::OrtBatch batch;
  Interp hrnet;  // HRNet head: align_corners, out_h/out_w
  hrnet.type = "bilinear_interp_v2";
  hrnet.align_corners = true;
  hrnet.out_h = 8;
  hrnet.out_w = 6;
  add(batch, "align_corners 4x3 -> 8x6", hrnet, 4, 3);
  Interp half;  // align_mode 0: half-pixel centres, clamped at 0
  half.type = "bilinear_interp_v2";
  half.scale = 2;
  add(batch, "half pixel scale 2", half, 5, 4);
  half.scale = 0;
  half.out_h = 7;
  half.out_w = 3;
  add(batch, "half pixel 5x4 -> 7x3", half, 5, 4, true);
  Interp asym;
  asym.type = "bilinear_interp_v2";
  asym.align_mode = 1;
  asym.out_h = 9;
  asym.out_w = 7;
  add(batch, "align_mode 1", asym, 5, 4);
  batch.run();
}

}  // namespace
}  // namespace detport
