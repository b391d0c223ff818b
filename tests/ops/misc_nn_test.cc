// pixel_shuffle, prelu, p_norm, lrn: reference kernels against hand-computed values.
#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

Tensor f32(Dims d, std::vector<float> v) {
  return make_tensor<float>(std::move(d), std::move(v), ir::DType::kFloat32);
}

TEST(PixelShuffle, ByHand) {
  // 4 channels of 1x1, r = 2 -> one 2x2 channel: out[h*2+i][w*2+j] = in[i*2+j].
  auto out = run_reference("pixel_shuffle", {{"X", f32({1, 4, 1, 1}, {1, 2, 3, 4})}},
                           {{"upscale_factor", Attribute::i32(2)}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 1, 2, 2}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 2, 3, 4}));
  // 8 channels of 1x2 -> 2 channels of 2x4; channel 1 takes inputs 4..7.
  out = run_reference("pixel_shuffle", {{"X", iota_tensor({1, 8, 1, 2}, 0)}},
                      {{"upscale_factor", Attribute::i32(2)}}, {{"Out"}});
  EXPECT_EQ(values(out),
            (std::vector<float>{0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15}));
  out = run_reference(
      "pixel_shuffle", {{"X", f32({1, 1, 1, 4}, {1, 2, 3, 4})}},
      {{"upscale_factor", Attribute::i32(2)}, {"data_format", Attribute::str("NHWC")}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 2, 2, 1}));
  EXPECT_EQ(values(out), (std::vector<float>{1, 2, 3, 4}));
}

TEST(Prelu, ModesByHand) {
  const Tensor x = f32({1, 2, 1, 2}, {-1, 2, -3, 4});
  auto v = [&](const std::string& mode, Tensor alpha, const std::string& format = "NCHW") {
    return values(run_reference(
        "prelu", {{"X", x}, {"Alpha", alpha, true}},
        {{"mode", Attribute::str(mode)}, {"data_format", Attribute::str(format)}}, {{"Out"}}));
  };
  EXPECT_EQ(v("all", f32({1}, {0.5f})), (std::vector<float>{-0.5f, 2, -1.5f, 4}));
  EXPECT_EQ(v("channel", f32({2}, {0.1f, 0.5f})), (std::vector<float>{-0.1f, 2, -1.5f, 4}));
  // NHWC: the channel is the last dim (here W's position: 2 values alternate).
  EXPECT_EQ(v("channel", f32({2}, {0.1f, 0.5f}), "NHWC"), (std::vector<float>{-0.1f, 2, -0.3f, 4}));
  EXPECT_EQ(v("element", f32({1, 2, 1, 2}, {1, 2, 3, 4})), (std::vector<float>{-1, 2, -9, 4}));
}

TEST(PNorm, ByHand) {
  const Tensor x = f32({2, 3}, {3, 4, 0, 1, -1, 1});
  auto v = [&](float p, std::vector<ir::NamedAttribute> extra = {}) {
    extra.push_back({"porder", Attribute::f32(p)});
    return run_reference("p_norm", {{"X", x}}, extra, {{"Out"}});
  };
  auto out = v(2, {{"axis", Attribute::i32(1)}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2}));
  EXPECT_NEAR(values(out)[0], 5, 1e-6);
  EXPECT_NEAR(values(out)[1], std::sqrt(3.f), 1e-6);
  EXPECT_EQ(values(v(INFINITY, {{"axis", Attribute::i32(-1)}})), (std::vector<float>{4, 1}));
  EXPECT_EQ(values(v(-INFINITY, {{"axis", Attribute::i32(-1)}})), (std::vector<float>{0, 1}));
  EXPECT_EQ(values(v(0, {{"axis", Attribute::i32(1)}})), (std::vector<float>{2, 3}));
  out = v(1, {{"axis", Attribute::i32(0)}, {"keepdim", Attribute::boolean(true)}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 3}));
  EXPECT_EQ(values(out), (std::vector<float>{4, 5, 1}));
  out = v(2, {{"asvector", Attribute::boolean(true)}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1}));
  EXPECT_NEAR(values(out)[0], std::sqrt(28.f), 1e-5);
}

TEST(Lrn, ByHand) {
  // n 3, k 1, alpha 0.1, beta 1: mid[c] = 1 + 0.1 * (x[c-1]^2 + x[c]^2 + x[c+1]^2).
  auto out = run_reference("lrn", {{"X", f32({1, 3, 1, 1}, {1, 2, 3})}},
                           {{"n", Attribute::i32(3)},
                            {"k", Attribute::f32(1)},
                            {"alpha", Attribute::f32(0.1f)},
                            {"beta", Attribute::f32(1)}},
                           {{"Out"}, {"MidOut"}});
  EXPECT_NEAR(values(out)[0], 1 / 1.5f, 1e-6);
  EXPECT_NEAR(values(out)[1], 2 / 2.4f, 1e-6);
  EXPECT_NEAR(values(out)[2], 3 / 2.3f, 1e-6);
  EXPECT_NEAR(values(out, 1)[1], 2.4f, 1e-6);
  // An even n: the window is c - (n-1)/2 .. c - (n-1)/2 + n - 1 = c .. c+1 for n = 2.
  out = run_reference("lrn", {{"X", f32({1, 3, 1, 1}, {1, 2, 3})}},
                      {{"n", Attribute::i32(2)},
                       {"k", Attribute::f32(0)},
                       {"alpha", Attribute::f32(1)},
                       {"beta", Attribute::f32(1)}},
                      {{"Out"}, {"MidOut"}});
  EXPECT_EQ(values(out, 1), (std::vector<float>{5, 13, 9}));
}

}  // namespace
}  // namespace detport::testing
