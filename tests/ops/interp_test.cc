#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

std::vector<ir::NamedAttribute> interp_attrs(const std::string& method, bool align_corners,
                                             int align_mode,
                                             std::vector<ir::NamedAttribute> extra = {}) {
  std::vector<ir::NamedAttribute> a{{"interp_method", Attribute::str(method)},
                                    {"align_corners", Attribute::boolean(align_corners)},
                                    {"align_mode", Attribute::i32(align_mode)},
                                    {"data_layout", Attribute::str("NCHW")}};
  for (auto& e : extra) a.push_back(std::move(e));
  return a;
}

Tensor row(std::vector<float> v, int64_t h = 1) {
  const int64_t w = static_cast<int64_t>(v.size()) / h;
  return make_tensor<float>({1, 1, h, w}, std::move(v), ir::DType::kFloat32);
}

TEST(Interp, NearestIndicesByHand) {
  const Tensor x = row({0, 1, 2, 3, 4});
  // 5 -> 8 without align_corners: int(k * 5/8) = 0 0 1 1 2 3 3 4.
  auto v = values(
      run_reference("nearest_interp_v2", {{"X", x}},
                    interp_attrs("nearest", false, 1,
                                 {{"out_h", Attribute::i32(1)}, {"out_w", Attribute::i32(8)}}),
                    {{"Out"}}));
  EXPECT_EQ(v, (std::vector<float>{0, 0, 1, 1, 2, 3, 3, 4}));
  // With align_corners: int(k * 4/7 + 0.5) = 0 1 1 2 2 3 3 4.
  v = values(
      run_reference("nearest_interp_v2", {{"X", x}},
                    interp_attrs("nearest", true, 1,
                                 {{"out_h", Attribute::i32(1)}, {"out_w", Attribute::i32(8)}}),
                    {{"Out"}}));
  EXPECT_EQ(v, (std::vector<float>{0, 1, 1, 2, 2, 3, 3, 4}));
  // v1 with the float scale attribute (YOLOv3 / PP-YOLO fluid exports: scale=2, align_corners).
  v = values(run_reference("nearest_interp", {{"X", row({0, 1, 2, 3, 4, 5}, 2)}},
                           interp_attrs("nearest", true, 1, {{"scale", Attribute::f32(2)}}),
                           {{"Out"}}));
  ASSERT_EQ(v.size(), 4u * 6u);
  // Rows: ratio (2-1)/(4-1) -> int(k/3 + 0.5) = 0 0 1 1; cols: (3-1)/(6-1) = 0.4 -> 0 0 1 1 2 2.
  EXPECT_EQ(std::vector<float>(v.begin(), v.begin() + 6), (std::vector<float>{0, 0, 1, 1, 2, 2}));
  EXPECT_EQ(std::vector<float>(v.begin() + 18, v.end()), (std::vector<float>{3, 3, 4, 4, 5, 5}));
}

TEST(Interp, BilinearModesByHand) {
  const Tensor x = row({0, 10, 20});
  auto bilinear = [&](bool align_corners, int align_mode, int out_w) {
    return values(run_reference(
        "bilinear_interp_v2", {{"X", x}},
        interp_attrs("bilinear", align_corners, align_mode,
                     {{"out_h", Attribute::i32(1)}, {"out_w", Attribute::i32(out_w)}}),
        {{"Out"}}));
  };
  // align_corners: src = k * (3-1)/(5-1).
  EXPECT_EQ(bilinear(true, 0, 5), (std::vector<float>{0, 5, 10, 15, 20}));
  // align_mode 0 (half pixel): src = (k + 0.5) * 3/6 - 0.5, clipped at 0.
  EXPECT_EQ(bilinear(false, 0, 6), (std::vector<float>{0, 2.5f, 7.5f, 12.5f, 17.5f, 20}));
  // align_mode 1: src = k * 3/6.
  EXPECT_EQ(bilinear(false, 1, 6), (std::vector<float>{0, 5, 10, 15, 20, 20}));
  // linear_interp_v2 on [N, C, W].
  const Tensor x3 = make_tensor<float>({1, 1, 3}, {0, 10, 20}, ir::DType::kFloat32);
  EXPECT_EQ(values(run_reference("linear_interp_v2", {{"X", x3}},
                                 interp_attrs("linear", true, 0, {{"out_w", Attribute::i32(5)}}),
                                 {{"Out"}})),
            (std::vector<float>{0, 5, 10, 15, 20}));
}

TEST(Interp, V1AndV2ApplyScaleDifferently) {
  // in 2x3, scale 1.5 -> out int(2 * 1.5) x int(3 * 1.5) = 3x4, align_mode 1, no align_corners.
  const Tensor x = row({0, 10, 20, 30, 40, 50}, 2);
  // v2: ratio = 1 / 1.5 (phi Interpolate2DCPUFwd: new_scale = 1. / scale) -> src 0, 2/3, 4/3, 2.
  auto v2 = values(run_reference(
      "bilinear_interp_v2", {{"X", x}},
      interp_attrs("bilinear", false, 1, {{"scale", Attribute::f32s({1.5f, 1.5f})}}), {{"Out"}}));
  ASSERT_EQ(v2.size(), 12u);
  EXPECT_NEAR(v2[1], 20.0f / 3, 1e-5);
  EXPECT_NEAR(v2[2], 40.0f / 3, 1e-5);
  EXPECT_EQ(v2[3], 20.0f);
  // v1: ratio = in / out = 3/4 (fluid Interpolate2DCPUFwd) -> src 0, 0.75, 1.5, 2.25.
  auto v1 = values(run_reference(
      "bilinear_interp", {{"X", x}},
      interp_attrs("bilinear", false, 1, {{"scale", Attribute::f32(1.5f)}}), {{"Out"}}));
  ASSERT_EQ(v1.size(), 12u);
  EXPECT_EQ(v1[1], 7.5f);
  EXPECT_EQ(v1[2], 15.0f);
  EXPECT_EQ(v1[3], 20.0f);
}

TEST(Interp, BicubicByHand) {
  // x = 10 * i on 6 columns, align_corners, 6 -> 11: src = k / 2. Keys' kernel (A = -0.75)
  // reproduces a linear ramp away from the borders: at k = 5 (src 2.5) the taps 1..4 weigh
  // -0.09375, 0.59375, 0.59375, -0.09375 -> 25; at k = 4 (src 2) the weights are 0 1 0 0 -> 20.
  const Tensor x = row({0, 10, 20, 30, 40, 50});
  auto v = values(
      run_reference("bicubic_interp_v2", {{"X", x}},
                    interp_attrs("bicubic", true, 0,
                                 {{"out_h", Attribute::i32(1)}, {"out_w", Attribute::i32(11)}}),
                    {{"Out"}}));
  ASSERT_EQ(v.size(), 11u);
  EXPECT_FLOAT_EQ(v[5], 25.0f);
  EXPECT_FLOAT_EQ(v[4], 20.0f);
  EXPECT_FLOAT_EQ(v[0], 0.0f);
  EXPECT_FLOAT_EQ(v[10], 50.0f);
}

TEST(Interp, SizeInputsAndTheirPriority) {
  const Tensor x = random_tensor({1, 2, 3, 4}, 5);
  const auto attrs = interp_attrs("nearest", false, 1,
                                  {{"out_h", Attribute::i32(5)},
                                   {"out_w", Attribute::i32(5)},
                                   {"scale", Attribute::f32s({2, 2})}});
  // scale beats out_h/out_w.
  auto out = run_reference("nearest_interp_v2", {{"X", x}}, attrs, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 2, 6, 8}));
  // OutSize (a constant here) beats scale.
  const Tensor size = make_tensor<int32_t>({2}, {4, 7}, ir::DType::kInt32);
  out = run_reference("nearest_interp_v2", {{"X", x}, {"OutSize", size, true}}, attrs, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 2, 4, 7}));
  // SizeTensor (computed at run time: graph inputs) beats everything.
  const Tensor h = make_tensor<int32_t>({1}, {3}, ir::DType::kInt32);
  const Tensor w = make_tensor<int32_t>({1}, {9}, ir::DType::kInt32);
  const std::vector<OpInput> in{
      {"X", x}, {"OutSize", size, true}, {"SizeTensor", h}, {"SizeTensor", w}};
  out = run_reference("nearest_interp_v2", in, attrs, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 2, 3, 9}));
  check_optimized_matches_reference("nearest_interp_v2", in, attrs, {{"Out"}}, 0);
  // A Scale input computed at run time: the output size is only known then.
  const Tensor scale = make_tensor<float>({1}, {2.5f}, ir::DType::kFloat32);
  out = run_reference("bilinear_interp_v2", {{"X", x}, {"Scale", scale}},
                      interp_attrs("bilinear", false, 0), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 2, 7, 10}));
  check_optimized_matches_reference("bilinear_interp_v2", {{"X", x}, {"Scale", scale}},
                                    interp_attrs("bilinear", false, 0), {{"Out"}}, 0);
}

TEST(Interp, ChannelsLastDataLayoutIsTheTransposedOp) {
  // data_layout NHWC on [N,H,W,C] equals the NCHW op on the transposed tensor.
  const Tensor x = random_tensor({2, 3, 5, 4}, 9);
  Tensor xt = Tensor::empty(ir::DType::kFloat32, {2, 5, 4, 3});
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t h = 0; h < 5; ++h)
        for (int64_t w = 0; w < 4; ++w)
          xt.data<float>()[((n * 5 + h) * 4 + w) * 3 + c] =
              x.data<float>()[((n * 3 + c) * 5 + h) * 4 + w];
  for (const char* method : {"nearest", "bilinear", "bicubic"}) {
    SCOPED_TRACE(method);
    const std::string type = std::string(method) + "_interp_v2";
    auto attrs = interp_attrs(method, false, 0, {{"scale", Attribute::f32s({1.7f, 2.2f})}});
    const auto a = values(run_reference(type, {{"X", x}}, attrs, {{"Out"}}));
    attrs[3].value = Attribute::str("NHWC");
    const auto out = run_reference(type, {{"X", xt}}, attrs, {{"Out"}});
    ASSERT_EQ(out[0].tensor.dims(), (Dims{2, 8, 8, 3}));
    const auto b = values(out);
    for (int64_t n = 0; n < 2; ++n)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t i = 0; i < 64; ++i)
          ASSERT_EQ(a[static_cast<std::size_t>((n * 3 + c) * 64 + i)],
                    b[static_cast<std::size_t>((n * 64 + i) * 3 + c)]);
    check_optimized_matches_reference(type, {{"X", xt}}, attrs, {{"Out"}}, 0);
  }
}

TEST(Interp, BadSizesAreClearErrors) {
  const Tensor x = random_tensor({1, 2, 3, 4}, 5);
  EXPECT_NE(
      op_error("bilinear_interp_v2", {{"X", x}},
               interp_attrs("bilinear", false, 0, {{"scale", Attribute::f32s({2})}}), {{"Out"}})
          .find("1-value scale"),
      std::string::npos);
  EXPECT_NE(op_error("nearest_interp_v2", {{"X", x}}, interp_attrs("nearest", false, 0), {{"Out"}})
                .find("not positive"),
            std::string::npos);
  EXPECT_NE(op_error("nearest_interp", {{"X", x}},
                     interp_attrs("bicubic", false, 0, {{"scale", Attribute::f32(2)}}), {{"Out"}})
                .find("bicubic"),
            std::string::npos);
}

struct InterpCase {
  std::string type;
  Dims x;
  bool align_corners;
  int align_mode;
  std::vector<ir::NamedAttribute> size;
};

void PrintTo(const InterpCase& c, std::ostream* os) {
  *os << c.type << " x" << runtime::dims_to_string(c.x) << " align_corners=" << c.align_corners
      << " align_mode=" << c.align_mode;
}

class InterpShapes : public ::testing::TestWithParam<InterpCase> {};

std::vector<ir::NamedAttribute> case_attrs(const InterpCase& c) {
  std::string method = c.type.substr(0, c.type.find('_'));
  return interp_attrs(method, c.align_corners, c.align_mode, c.size);
}

TEST_P(InterpShapes, OptimizedMatchesReferenceExactly) {
  const InterpCase& c = GetParam();
  const Tensor x = random_tensor(c.x, 21, -3, 3);
  check_optimized_matches_reference(c.type, {{"X", x}}, case_attrs(c), {{"Out"}}, 0);
}

TEST_P(InterpShapes, ChannelsLastMatchesReferenceExactly) {
  const InterpCase& c = GetParam();
  if (c.x.size() != 4) GTEST_SKIP() << "3-D input";
  const Tensor x = random_tensor(c.x, 22, -3, 3);
  check_nhwc_matches_reference(c.type, {{"X", x}}, case_attrs(c), {{"Out"}}, 0);
}

std::vector<ir::NamedAttribute> hw(int h, int w) {
  return {{"out_h", Attribute::i32(h)}, {"out_w", Attribute::i32(w)}};
}
std::vector<ir::NamedAttribute> scale2(float h, float w) {
  return {{"scale", Attribute::f32s({h, w})}};
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, InterpShapes,
    ::testing::Values(
        // FPN/PAN upsampling as PP-YOLOE / PicoDet / HRNet export it.
        InterpCase{"nearest_interp_v2", {2, 19, 5, 7}, false, 0, scale2(2, 2)},
        InterpCase{"nearest_interp_v2", {1, 17, 4, 3}, false, 0, scale2(8, 8)},
        InterpCase{"nearest_interp", {1, 13, 19, 19}, true, 1, {{"scale", Attribute::f32(2)}}},
        InterpCase{"nearest_interp_v2", {1, 5, 9, 11}, true, 1, hw(4, 5)},  // downsampling
        InterpCase{"nearest_interp_v2", {1, 1, 1, 1}, false, 1, hw(3, 2)},
        InterpCase{"bilinear_interp_v2", {1, 24, 8, 6}, true, 0, hw(16, 12)},  // HRNet
        InterpCase{"bilinear_interp_v2", {2, 9, 7, 5}, false, 0, hw(15, 11)},
        InterpCase{"bilinear_interp_v2", {1, 9, 7, 5}, false, 1, scale2(1.7f, 2.3f)},
        InterpCase{"bilinear_interp_v2", {1, 9, 7, 5}, false, 0, hw(3, 2)},
        InterpCase{"bilinear_interp", {1, 3, 6, 6}, false, 1, hw(13, 9)},
        InterpCase{"bilinear_interp_v2", {1, 3, 6, 6}, true, 1, hw(6, 6)},  // copy
        InterpCase{"bicubic_interp_v2", {1, 7, 5, 6}, false, 0, hw(11, 13)},
        InterpCase{"bicubic_interp_v2", {2, 3, 5, 6}, true, 0, scale2(0.6f, 1.5f)},
        InterpCase{"linear_interp_v2", {2, 5, 7}, false, 0, {{"out_w", Attribute::i32(12)}}},
        InterpCase{"linear_interp_v2", {1, 5, 7}, true, 1, {{"scale", Attribute::f32s({1.5f})}}}));

}  // namespace
}  // namespace detport::testing
