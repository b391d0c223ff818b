// yolo_box, prior_box, density_prior_box, anchor_generator and box_coder: hand-computed cases from
// Paddle's formulas (quoted at the top of each kernel file under src/runtime/kernels/detection/)
// and checks that the reference and optimised paths agree.
#include <cmath>

#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using ir::DType;
using ir::NamedAttribute;

// ---- yolo_box ----

float logit(float p) {
  return std::log(p / (1 - p));
}

// X for one image, A anchors, C classes, H x W, with every value `fill`; set(a, entry, r, c, v).
struct YoloInput {
  int64_t a, c, h, w;
  bool iou_aware = false;
  Tensor x;
  YoloInput(int64_t a_, int64_t c_, int64_t h_, int64_t w_, bool iou = false, float fill = 0)
      : a(a_), c(c_), h(h_), w(w_), iou_aware(iou) {
    x = Tensor::empty(DType::kFloat32, {1, a * (5 + c) + (iou ? a : 0), h, w});
    for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = fill;
  }
  void set(int64_t anchor, int64_t entry, int64_t r, int64_t col, float v) {
    const int64_t ch = (iou_aware ? a : 0) + anchor * (5 + c) + entry;
    x.data<float>()[(ch * h + r) * w + col] = v;
  }
  void set_iou(int64_t anchor, int64_t r, int64_t col, float v) {
    x.data<float>()[(anchor * h + r) * w + col] = v;
  }
};

std::vector<NamedAttribute> yolo_attrs(std::vector<int32_t> anchors, int class_num,
                                       float conf_thresh, int ratio, bool clip = false,
                                       float scale_x_y = 1.0f, bool iou_aware = false,
                                       float iou_factor = 0.5f) {
  return {{"anchors", Attribute::i32s(std::move(anchors))},
          {"class_num", Attribute::i32(class_num)},
          {"conf_thresh", Attribute::f32(conf_thresh)},
          {"downsample_ratio", Attribute::i32(ratio)},
          {"clip_bbox", Attribute::boolean(clip)},
          {"scale_x_y", Attribute::f32(scale_x_y)},
          {"iou_aware", Attribute::boolean(iou_aware)},
          {"iou_aware_factor", Attribute::f32(iou_factor)}};
}

std::vector<runtime::NamedTensor> yolo(const Tensor& x, int32_t img_h, int32_t img_w,
                                       std::vector<NamedAttribute> attrs) {
  Tensor img = make_tensor<int32_t>({1, 2}, {img_h, img_w}, DType::kInt32);
  return run_reference("yolo_box", {{"X", x}, {"ImgSize", img}}, attrs,
                       {{"Boxes", DType::kFloat32}, {"Scores", DType::kFloat32}});
}

TEST(YoloBox, DecodesCentersSizesAndScores) {
  // One anchor (10, 20), one class, 2x2 grid, downsample 32 (input 64x64), image 128 high, 256
  // wide. All logits 0 -> sigmoids 0.5: conf 0.5, score 0.25. Cell (0,0): cx = (0 + 0.5) * 256 / 2
  // = 64, cy = 0.5 * 128 / 2 = 32, w = 1 * 10 * 256 / 64 = 40, h = 20 * 128 / 64 = 40.
  YoloInput in(1, 1, 2, 2);
  in.set(0, 0, 1, 1, logit(0.75f));    // cell (1,1): tx -> cx = (1 + 0.75) * 128 = 224
  in.set(0, 2, 1, 1, std::log(2.0f));  // w doubles to 80
  in.set(0, 4, 0, 1, -10.0f);          // cell (0,1): conf 4.5e-5 < 0.01 -> zeros
  auto r = yolo(in.x, 128, 256, yolo_attrs({10, 20}, 1, 0.01f, 32));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tensor.dims(), (Dims{1, 4, 4}));
  EXPECT_EQ(r[1].tensor.dims(), (Dims{1, 4, 1}));
  auto b = r[0].tensor.to_vector<float>();
  auto s = r[1].tensor.to_vector<float>();
  const std::vector<float> cell0{44, 12, 84, 52};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(b[k], cell0[static_cast<std::size_t>(k)], 1e-4) << k;
  for (int k = 0; k < 4; ++k) EXPECT_EQ(b[4 + k], 0) << "suppressed cell";
  EXPECT_EQ(s[1], 0);
  EXPECT_NEAR(s[0], 0.25f, 1e-7);
  // Cell (1,1) (box 3): cx 224, cy = 1.5 * 64 = 96, w 80, h 40.
  const std::vector<float> cell3{184, 76, 264, 116};
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(b[12 + k], cell3[static_cast<std::size_t>(k)], 1e-4);
  // clip_bbox clamps to [0, w-1] x [0, h-1]: x2 264 -> 255.
  r = yolo(in.x, 128, 256, yolo_attrs({10, 20}, 1, 0.01f, 32, true));
  EXPECT_NEAR(r[0].tensor.to_vector<float>()[14], 255, 1e-4);
}

TEST(YoloBox, ScaleXYStretchesTheOffsetAroundTheCellCenter) {
  // bias = -0.5 * (1.05 - 1) = -0.025; sigmoid 0.75: cx = (0 + 0.75 * 1.05 - 0.025) * 256 / 2
  // = 97.6.
  YoloInput in(1, 1, 2, 2);
  in.set(0, 0, 0, 0, logit(0.75f));
  auto r = yolo(in.x, 128, 256, yolo_attrs({10, 20}, 1, 0.01f, 32, false, 1.05f));
  auto b = r[0].tensor.to_vector<float>();
  EXPECT_NEAR((b[0] + b[2]) / 2, 97.6f, 1e-4);
  // sigmoid 0.5 stays at the cell center whatever the scale.
  EXPECT_NEAR((b[1] + b[3]) / 2, 32.0f, 1e-4);
}

TEST(YoloBox, AnchorsAreOuterAndIouAwareMixesConfidence) {
  // Two anchors, 2 classes, 1x2 grid: box k = anchor * H * W + cell.
  YoloInput in(2, 2, 1, 2);
  in.set(1, 6, 0, 1, logit(0.9f));  // anchor 1, class 1, cell 1 -> box 3
  auto r = yolo(in.x, 64, 64, yolo_attrs({4, 4, 8, 8}, 2, 0.01f, 16));
  auto s = r[1].tensor.to_vector<float>();
  EXPECT_EQ(r[1].tensor.dims(), (Dims{1, 4, 2}));
  EXPECT_NEAR(s[3 * 2 + 1], 0.5f * 0.9f, 1e-6);
  EXPECT_NEAR(s[3 * 2 + 0], 0.25f, 1e-6);
  // iou_aware: X gets A IoU channels first; conf = sigmoid(obj)^(1-f) * sigmoid(iou)^f.
  YoloInput ia(1, 1, 1, 1, true);
  ia.set_iou(0, 0, 0, logit(0.75f));
  r = yolo(ia.x, 32, 32, yolo_attrs({4, 4}, 1, 0.01f, 32, false, 1.0f, true, 0.5f));
  EXPECT_NEAR(r[1].tensor.to_vector<float>()[0], std::sqrt(0.5f * 0.75f) * 0.5f, 1e-6);
}

TEST(YoloBox, RejectsMismatchedChannels) {
  ir::Model m = one_op_model("yolo_box",
                             {{"X", random_tensor({1, 17, 2, 2}, 1)},
                              {"ImgSize", make_tensor<int32_t>({1, 2}, {64, 64}, DType::kInt32)}},
                             yolo_attrs({10, 20, 30, 40}, 3, 0.01f, 32),
                             {{"Boxes", DType::kFloat32}, {"Scores", DType::kFloat32}});
  auto r = run_model(m,
                     feeds({{"X", random_tensor({1, 17, 2, 2}, 1)},
                            {"ImgSize", make_tensor<int32_t>({1, 2}, {64, 64}, DType::kInt32)}}),
                     false);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("channels"), std::string::npos) << r.error().message;
}

TEST(YoloBox, BatchAndOptimizedPath) {
  Tensor x = random_tensor({3, 3 * (5 + 4), 5, 7}, 9, -3, 3);
  Tensor img = make_tensor<int32_t>({3, 2}, {100, 200, 33, 47, 320, 320}, DType::kInt32);
  check_optimized_matches_reference("yolo_box", {{"X", x}, {"ImgSize", img}},
                                    yolo_attrs({10, 13, 16, 30, 33, 23}, 4, 0.3f, 8, true, 1.2f),
                                    {{"Boxes", DType::kFloat32}, {"Scores", DType::kFloat32}}, 0);
}

// ---- prior_box ----

std::vector<runtime::NamedTensor> prior_box(Dims feature, Dims image,
                                            std::vector<NamedAttribute> attrs) {
  return run_reference("prior_box",
                       {{"Input", random_tensor(feature, 1)}, {"Image", random_tensor(image, 2)}},
                       attrs, {{"Boxes", DType::kFloat32}, {"Variances", DType::kFloat32}});
}

TEST(PriorBox, AspectRatiosMaxSizesAndOrder) {
  // 2x2 feature map on a 20x20 image: step 10, centers 5 and 15. min 4, max 9, ratios [2] flipped
  // -> [1, 2, 0.5]; P = 3 * 1 + 1 = 4.
  std::vector<NamedAttribute> attrs{{"min_sizes", Attribute::f32s({4})},
                                    {"max_sizes", Attribute::f32s({9})},
                                    {"aspect_ratios", Attribute::f32s({2.0f, 2.0000001f})},
                                    {"flip", Attribute::boolean(true)},
                                    {"variances", Attribute::f32s({0.1f, 0.1f, 0.2f, 0.2f})}};
  auto r = prior_box({1, 8, 2, 2}, {1, 3, 20, 20}, attrs);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tensor.dims(), (Dims{2, 2, 4, 4}));
  auto b = r[0].tensor.to_vector<float>();
  const float s2 = std::sqrt(2.0f);
  // Cell (0,0), center (5,5): ar 1 -> half 2; ar 2 -> half (2*sqrt2, sqrt2); ar 0.5 swapped;
  // then sqrt(4*9)/2 = 3.
  const std::vector<float> want{
      3 / 20.f,          3 / 20.f,          7 / 20.f,          7 / 20.f,
      (5 - 2 * s2) / 20, (5 - s2) / 20,     (5 + 2 * s2) / 20, (5 + s2) / 20,
      (5 - s2) / 20,     (5 - 2 * s2) / 20, (5 + s2) / 20,     (5 + 2 * s2) / 20,
      2 / 20.f,          2 / 20.f,          8 / 20.f,          8 / 20.f};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(b[i], want[i], 1e-6) << i;
  // Cell (1,0) is the third cell in [H, W] order: h = 1, w = 0 -> center (5, 15).
  EXPECT_NEAR(b[2 * 16 + 1], 13 / 20.f, 1e-6);
  EXPECT_EQ(r[1].tensor.to_vector<float>()[6], 0.2f);
  // min_max_aspect_ratios_order: min square, max square, then the other ratios.
  attrs.push_back({"min_max_aspect_ratios_order", Attribute::boolean(true)});
  b = prior_box({1, 8, 2, 2}, {1, 3, 20, 20}, attrs)[0].tensor.to_vector<float>();
  EXPECT_NEAR(b[4], 2 / 20.f, 1e-6);
  EXPECT_NEAR(b[8], (5 - 2 * s2) / 20, 1e-6);
}

TEST(PriorBox, StepsOffsetAndClip) {
  std::vector<NamedAttribute> attrs{{"min_sizes", Attribute::f32s({12})},
                                    {"step_w", Attribute::f32(8)},
                                    {"step_h", Attribute::f32(8)},
                                    {"offset", Attribute::f32(0.25f)},
                                    {"clip", Attribute::boolean(true)}};
  // Center (0.25 * 8, 0.25 * 8) = (2, 2); half 6 -> (-4, -4, 8, 8) / 20, clipped at 0.
  auto b = prior_box({1, 1, 3, 3}, {1, 3, 20, 20}, attrs)[0].tensor.to_vector<float>();
  EXPECT_EQ(b[0], 0);
  EXPECT_NEAR(b[2], 8 / 20.f, 1e-6);
  // Cell (0, 1): center x = 1.25 * 8 = 10 -> x1 = 4 / 20.
  EXPECT_NEAR(b[4], 4 / 20.f, 1e-6);
}

TEST(PriorBox, FoldsToAConstant) {
  // The boxes depend only on shapes: the compiled plan has no prior_box node left.
  ir::Model m = one_op_model(
      "prior_box",
      {{"Input", random_tensor({1, 4, 3, 5}, 1)}, {"Image", random_tensor({1, 3, 30, 50}, 2)}},
      {{"min_sizes", Attribute::f32s({8, 16})}, {"aspect_ratios", Attribute::f32s({2})}},
      {{"Boxes", DType::kFloat32}, {"Variances", DType::kFloat32}});
  auto s = runtime::compile(m);
  ASSERT_TRUE(s.ok());
  auto out = s->run(feeds(
      {{"Input", random_tensor({1, 4, 3, 5}, 1)}, {"Image", random_tensor({1, 3, 30, 50}, 2)}}));
  ASSERT_TRUE(out.ok()) << out.error().describe();
  EXPECT_EQ((*out)[0].tensor.dims(), (Dims{3, 5, 4, 4}));
  EXPECT_NE(s->plan_summary().find("0 nodes"), std::string::npos) << s->plan_summary();
}

TEST(DensityPriorBox, DenseGridOfFixedSizes) {
  // 1x1 map on an 8x8 image: step 8, center 4; size 4, ratio 1, density 2: step_average 8,
  // shift 4, first center 4 - 4 + 2 = 2 -> centers (2,2), (6,2), (2,6), (6,6), half 2.
  auto r = run_reference(
      "density_prior_box",
      {{"Input", random_tensor({1, 2, 1, 1}, 1)}, {"Image", random_tensor({1, 3, 8, 8}, 2)}},
      {{"fixed_sizes", Attribute::f32s({4})},
       {"fixed_ratios", Attribute::f32s({1})},
       {"densities", Attribute::i32s({2})},
       {"variances", Attribute::f32s({0.1f, 0.1f, 0.2f, 0.2f})},
       {"flatten_to_2d", Attribute::boolean(true)}},
      {{"Boxes", DType::kFloat32}, {"Variances", DType::kFloat32}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tensor.dims(), (Dims{4, 4}));
  EXPECT_EQ(
      r[0].tensor.to_vector<float>(),
      (std::vector<float>{0, 0, 0.5f, 0.5f, 0.5f, 0, 1, 0.5f, 0, 0.5f, 0.5f, 1, 0.5f, 0.5f, 1, 1}));
}

TEST(AnchorGenerator, PixelAnchorsPerRatioThenSize) {
  // Stride 16, offset 0.5: centers 0.5 * 15 = 7.5 and 16 + 7.5. Ratio 0.5: base_w =
  // round(sqrt(256 / 0.5)) = round(22.6) = 23, base_h = round(11.5) = 12, size 32 -> scale 2:
  // 46 x 24 -> (7.5 - 22.5, 7.5 - 11.5, 7.5 + 22.5, 7.5 + 11.5). Ratio 1: 32 x 32 -> +-15.5.
  auto r = run_reference("anchor_generator", {{"Input", random_tensor({1, 2, 1, 2}, 1)}},
                         {{"anchor_sizes", Attribute::f32s({32})},
                          {"aspect_ratios", Attribute::f32s({0.5f, 1.0f})},
                          {"stride", Attribute::f32s({16, 16})},
                          {"variances", Attribute::f32s({1, 1, 2, 2})}},
                         {{"Anchors", DType::kFloat32}, {"Variances", DType::kFloat32}});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tensor.dims(), (Dims{1, 2, 2, 4}));
  EXPECT_EQ(r[0].tensor.to_vector<float>(),
            (std::vector<float>{-15, -4, 30, 19, -8, -8, 23, 23, 1, -4, 46, 19, 8, -8, 39, 23}));
  EXPECT_EQ(r[1].tensor.to_vector<float>()[3], 2);
}

// ---- box_coder ----

std::vector<NamedAttribute> coder_attrs(const char* code, bool normalized, int axis = 0,
                                        std::vector<float> variance = {}) {
  std::vector<NamedAttribute> a{{"code_type", Attribute::str(code)},
                                {"box_normalized", Attribute::boolean(normalized)},
                                {"axis", Attribute::i32(axis)}};
  if (!variance.empty()) a.push_back({"variance", Attribute::f32s(std::move(variance))});
  return a;
}

TEST(BoxCoder, EncodeByHand) {
  // Pixel prior [0,0,10,10]: w = 11, center 5.5. Target [2,2,8,8]: center 5, w 7.
  // -> ((5 - 5.5) / 11, same, log(7/11), log(7/11)) / (0.1, 0.1, 0.2, 0.2).
  Tensor prior = make_tensor<float>({1, 4}, {0, 0, 10, 10}, DType::kFloat32);
  Tensor target = make_tensor<float>({1, 4}, {2, 2, 8, 8}, DType::kFloat32);
  auto r = run_reference("box_coder", {{"PriorBox", prior}, {"TargetBox", target}},
                         coder_attrs("encode_center_size", false, 0, {0.1f, 0.1f, 0.2f, 0.2f}),
                         {{"OutputBox", DType::kFloat32}});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].tensor.dims(), (Dims{1, 1, 4}));
  auto o = r[0].tensor.to_vector<float>();
  EXPECT_NEAR(o[0], -0.5f / 11 / 0.1f, 1e-6);
  EXPECT_NEAR(o[2], std::log(7.0f / 11) / 0.2f, 1e-6);
}

TEST(BoxCoder, DecodeByHandAndRoundTrip) {
  // Normalized prior [0.1,0.2,0.5,0.6]: w = h = 0.4, center (0.3, 0.4). Deltas (1, 0, 0, ln 2):
  // cx = 0.7, cy = 0.4, w 0.4, h 0.8 -> (0.5, 0, 0.9, 0.8).
  Tensor prior = make_tensor<float>({1, 4}, {0.1f, 0.2f, 0.5f, 0.6f}, DType::kFloat32);
  Tensor deltas = make_tensor<float>({1, 1, 4}, {1, 0, 0, std::log(2.0f)}, DType::kFloat32);
  auto o =
      run_reference("box_coder", {{"PriorBox", prior}, {"TargetBox", deltas}},
                    coder_attrs("decode_center_size", true), {{"OutputBox", DType::kFloat32}})[0]
          .tensor.to_vector<float>();
  const std::vector<float> want{0.5f, 0.0f, 0.9f, 0.8f};
  for (int k = 0; k < 4; ++k)
    EXPECT_NEAR(o[static_cast<std::size_t>(k)], want[static_cast<std::size_t>(k)], 1e-6);
  // Encoding then decoding gives normalized targets back. Pixel boxes come back 0.5 smaller on
  // every side: encode takes the target center as (x1 + x2) / 2 but its width as x2 - x1 + 1,
  // while decode puts x2 at center + width / 2 - 1 (Paddle's formulas, reproduced).
  Tensor priors =
      make_tensor<float>({3, 4}, {0, 0, 10, 10, 5, 5, 20, 30, 1, 2, 3, 4}, DType::kFloat32);
  Tensor vars = make_tensor<float>({3, 4}, {0.1f, 0.1f, 0.2f, 0.2f, 1, 1, 1, 1, 0.5f, 0.5f, 2, 2},
                                   DType::kFloat32);
  Tensor targets = make_tensor<float>({2, 4}, {1, 1, 9, 12, 4, 6, 7, 8}, DType::kFloat32);
  for (bool normalized : {true, false}) {
    auto enc = run_reference(
        "box_coder", {{"PriorBox", priors}, {"PriorBoxVar", vars}, {"TargetBox", targets}},
        coder_attrs("encode_center_size", normalized), {{"OutputBox", DType::kFloat32}});
    ASSERT_EQ(enc.size(), 1u);
    EXPECT_EQ(enc[0].tensor.dims(), (Dims{2, 3, 4}));
    auto dec = run_reference(
        "box_coder", {{"PriorBox", priors}, {"PriorBoxVar", vars}, {"TargetBox", enc[0].tensor}},
        coder_attrs("decode_center_size", normalized), {{"OutputBox", DType::kFloat32}});
    auto d = dec[0].tensor.to_vector<float>();
    auto t = targets.to_vector<float>();
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k)
          EXPECT_NEAR(d[static_cast<std::size_t>((i * 3 + j) * 4 + k)],
                      t[static_cast<std::size_t>(i * 4 + k)] - (normalized ? 0.0f : 0.5f), 1e-4);
  }
}

TEST(BoxCoder, AxisOneTakesThePriorOfTheRow) {
  // TargetBox [2, 3, 4] of zeros decodes to the prior of its row (axis 1), minus nothing
  // (normalized).
  Tensor priors = make_tensor<float>({2, 4}, {0, 0, 1, 1, 2, 2, 4, 4}, DType::kFloat32);
  Tensor zeros = make_tensor<float>({2, 3, 4}, std::vector<float>(24, 0), DType::kFloat32);
  auto o = run_reference("box_coder", {{"PriorBox", priors}, {"TargetBox", zeros}},
                         coder_attrs("decode_center_size", true, 1, {0.1f, 0.1f, 0.2f, 0.2f}),
                         {{"OutputBox", DType::kFloat32}})[0]
               .tensor.to_vector<float>();
  EXPECT_EQ(o[2 * 4 + 2], 1);    // row 0, col 2
  EXPECT_EQ(o[(3 + 1) * 4], 2);  // row 1, col 1
}

TEST(BoxCoder, RejectsVarianceTwiceAndBadCodeType) {
  Tensor priors = random_tensor({3, 4}, 1);
  for (const auto& attrs : {coder_attrs("encode_center_size", true, 0, {1, 1, 1, 1}),
                            coder_attrs("decode_corner", true)}) {
    const std::vector<OpInput> in{
        {"PriorBox", priors}, {"PriorBoxVar", priors}, {"TargetBox", random_tensor({2, 4}, 2)}};
    auto r = run_model(one_op_model("box_coder", in, attrs, {{"OutputBox", DType::kFloat32}}),
                       feeds(in), false);
    EXPECT_FALSE(r.ok());
  }
}

}  // namespace
}  // namespace detport::testing

namespace detport::testing {
namespace {

// ---- bipartite_match ----

std::vector<runtime::NamedTensor> match(const Tensor& dist, const char* type, float threshold) {
  return run_reference(
      "bipartite_match", {{"DistMat", dist}},
      {{"match_type", ir::Attribute::str(type)}, {"dist_threshold", ir::Attribute::f32(threshold)}},
      {{"ColToRowMatchIndices", ir::DType::kInt32}, {"ColToRowMatchDist", ir::DType::kFloat32}});
}

TEST(BipartiteMatch, GreedyLargestFirstThenPerPrediction) {
  // Largest entry 0.9 pairs row 0 with column 1; row 1 then takes its best free column, 0 (0.8);
  // column 2 stays unmatched. per_prediction gives it its best row at >= 0.25: row 0 (0.3).
  Tensor d = make_tensor<float>({2, 3}, {0.1f, 0.9f, 0.3f, 0.8f, 0.85f, 0.2f}, ir::DType::kFloat32);
  auto r = match(d, "bipartite", 0.5f);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].tensor.dims(), (Dims{1, 3}));
  EXPECT_EQ(r[0].tensor.to_vector<int32_t>(), (std::vector<int32_t>{1, 0, -1}));
  EXPECT_EQ(r[1].tensor.to_vector<float>(), (std::vector<float>{0.8f, 0.9f, 0}));
  r = match(d, "per_prediction", 0.25f);
  EXPECT_EQ(r[0].tensor.to_vector<int32_t>(), (std::vector<int32_t>{1, 0, 0}));
  EXPECT_EQ(r[1].tensor.to_vector<float>(), (std::vector<float>{0.8f, 0.9f, 0.3f}));
  // Entries below 1e-6 never match.
  Tensor z = make_tensor<float>({1, 2}, {0, 1e-7f}, ir::DType::kFloat32);
  EXPECT_EQ(match(z, "bipartite", 0.5f)[0].tensor.to_vector<int32_t>(),
            (std::vector<int32_t>{-1, -1}));
}

TEST(BipartiteMatch, ManyRowsTakeTheSortedPathWithTheSameResult) {
  // Paddle switches to a sort-based implementation from 130 rows; on distinct values it must equal
  // the greedy definition, computed independently here.
  const int64_t rows = 140, cols = 60;
  Tensor d = random_tensor({rows, cols}, 17, 0.001f, 1.0f);
  std::vector<int32_t> want(cols, -1);
  std::vector<bool> row_used(rows, false);
  for (int64_t k = 0; k < std::min(rows, cols); ++k) {
    float best = -1;
    int64_t bi = -1, bj = -1;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        if (!row_used[static_cast<std::size_t>(i)] && want[static_cast<std::size_t>(j)] == -1 &&
            d.data<float>()[i * cols + j] > best) {
          best = d.data<float>()[i * cols + j];
          bi = i;
          bj = j;
        }
    want[static_cast<std::size_t>(bj)] = static_cast<int32_t>(bi);
    row_used[static_cast<std::size_t>(bi)] = true;
  }
  EXPECT_EQ(match(d, "bipartite", 0.5f)[0].tensor.to_vector<int32_t>(), want);
}

}  // namespace
}  // namespace detport::testing
