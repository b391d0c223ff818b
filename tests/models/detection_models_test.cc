// End to end on the real detectors with weights in ../shared/models: PP-YOLO tiny (yolo_box +
// multiclass_nms3) and BlazeFace (prior_box + box decoding + multiclass_nms3) run on the demo
// images in ../shared/images through the reference path (no fusion, reference kernels) and the
// optimised path; their detections must agree, and match the golden files in tests/golden/.
//
// Preprocessing follows PaddleDetection's deploy code (detection_preprocess.h):
//  - ppyolo_tiny_650e_p24: its infer_cfg.yml (Resize 320x320 interp 2 = cubic, keep_ratio false;
//    NormalizeImage ImageNet mean/std, is_scale; Permute).
//  - blazeface_p23 ships no infer_cfg.yml; we use PaddleDetection's BlazeFace TestReader
//    (configs/face_detection/_base_/face_reader.yml: Decode, NormalizeImage mean [123, 117, 104],
//    std 127.502231, is_scale false, Permute; no resize), with im_shape the image size and
//    scale_factor (1, 1) as deploy/python/preprocess.py's decode step sets them. The model's own
//    repo (misterplus/FaceDetection webservice.py) feeds the same mean/std.
//
// How the golden detections were judged plausible (see tests/golden/README.md):
//  - BlazeFace: the boxes above 0.5 were drawn on the images (DETPORT_DRAW_DIR) and inspected:
//    each lies on a face.
//  - PP-YOLO tiny is a trash-classification model (13 custom classes) run on COCO street/indoor
//    photos, so its classes mean nothing here; it was judged by geometry: boxes lie inside the
//    image, are ordered and non-degenerate, scores are in (0, 1], and the confident ones sit on
//    objects when drawn.
//
// Set DETPORT_UPDATE_GOLDEN=1 to (re)write the golden files, DETPORT_DRAW_DIR=dir to get PNGs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "detection_preprocess.h"
#include "formats/model_io.h"
#include "runtime/session.h"
#include "test_support.h"

namespace detport::testing {
namespace {

using runtime::Tensor;

struct ModelCase {
  const char* model;
  const char* image;
  float golden_threshold;  // detections kept in the golden file
  bool clipped;            // the model clips boxes to the image (yolo_box clip_bbox)
  const char* judged;      // how the golden detections were judged plausible
};

constexpr const char* kPpyoloJudged =
    "trash-classification model (13 custom classes) on COCO photos: its class ids mean nothing "
    "here and its scores stay low (< 0.14); judged by geometry: boxes clipped inside the image, "
    "ordered, not degenerate, and when drawn they frame real objects (the kite, groups of people, "
    "the skater)";
constexpr const char* kBlazeJudged =
    "drawn on the image and inspected: detections above 0.5 lie on faces; lower ones may be "
    "false positives and are kept as the model's output";

const ModelCase kCases[] = {
    {"ppyolo_tiny_650e_p24", "000000014439.jpg", 0.005f, true, kPpyoloJudged},
    {"ppyolo_tiny_650e_p24", "000000087038.jpg", 0.005f, true, kPpyoloJudged},
    {"ppyolo_tiny_650e_p24", "000000570688.jpg", 0.005f, true, kPpyoloJudged},
    {"blazeface_p23", "000000014439.jpg", 0.3f, false, kBlazeJudged},
    {"blazeface_p23", "000000087038.jpg", 0.3f, false, kBlazeJudged},
    {"blazeface_p23", "000000570688.jpg", 0.3f, false, kBlazeJudged},
};

Preprocess blazeface_preprocess() {
  Preprocess p;
  p.is_scale = false;
  p.mean = {123, 117, 104};
  p.std = {127.502231, 127.502231, 127.502231};
  return p;
}

// Loads the model and works out its preprocessing; skips (with the reason) when the shared data or
// kernels this tree does not have yet are missing.
struct Loaded {
  ir::Model model;
  Preprocess pre;
};

std::optional<Loaded> load(const std::string& name, std::string* skip, std::string* error) {
  const auto dir = models_dir() / name;
  if (!std::filesystem::exists(dir)) {
    *skip = "shared test data not found at " + dir.string();
    return std::nullopt;
  }
  auto m = formats::load_model(dir);
  if (!m.ok()) {
    *error = m.error().describe();
    return std::nullopt;
  }
  if (auto missing = runtime::unsupported_ops(*m); !missing.empty()) {
    std::string list;
    for (const auto& [type, n] : missing) list += fmt::format(" {} (x{})", type, n);
    *skip = "this build has no kernels for:" + list +
            " (they come with the shape/tensor and nn kernel families)";
    return std::nullopt;
  }
  Loaded l{std::move(m).value(), {}};
  if (name == "blazeface_p23") {
    l.pre = blazeface_preprocess();
  } else {
    if (!l.model.meta.deploy) {
      *error = "no infer_cfg.yml";
      return std::nullopt;
    }
    auto p = preprocess_from(*l.model.meta.deploy, error);
    if (!p) return std::nullopt;
    l.pre = *p;
  }
  return l;
}

std::vector<runtime::NamedTensor> feeds_for(const runtime::Session& s, const ImageInputs& in) {
  std::vector<runtime::NamedTensor> f;
  for (const auto& i : s.inputs()) {
    if (i.name == "image") f.push_back({i.name, in.image});
    if (i.name == "im_shape") f.push_back({i.name, in.im_shape});
    if (i.name == "scale_factor") f.push_back({i.name, in.scale_factor});
  }
  return f;
}

struct Detections {
  std::vector<float> rows;  // [K, 6]
  std::vector<int32_t> per_image;
};

Result<Detections> detect(const ir::Model& model, bool optimized, const ImageInputs& in) {
  runtime::CompileOptions o;
  o.optimized = optimized;
  o.fuse = optimized;
  DETPORT_ASSIGN(auto session, runtime::compile(model, o));
  DETPORT_ASSIGN(auto out, session.run(feeds_for(session, in)));
  if (out.size() != 2 || out[0].tensor.rank() != 2 || out[0].tensor.dim(1) != 6)
    return make_error(ErrorCode::kInternal, "expected outputs bbox [K, 6] and bbox_num");
  return Detections{out[0].tensor.to_vector<float>(), out[1].tensor.to_vector<int32_t>()};
}

bool close(float a, float b, float rel) {
  return std::abs(a - b) <= rel * std::max(1.0f, std::abs(b));
}

bool same_row(const float* a, const float* b, float rel) {
  if (a[0] != b[0]) return false;
  for (int k = 1; k < 6; ++k)
    if (!close(a[k], b[k], rel)) return false;
  return true;
}

// What may legitimately differ between two runs whose scores differ in the last bits: a row whose
// score sits at the score threshold, or below the other run's lowest row when that run is full
// (keep_top_k).
struct Boundary {
  float score_threshold = 0;
  int keep_top_k = -1;
};

Boundary nms_boundary(const ir::Model& m) {
  for (const auto& op : m.program.global_block().ops)
    if (op.type.rfind("multiclass_nms", 0) == 0)
      return {static_cast<float>(op.float_attr("score_threshold", 0)),
              static_cast<int>(op.int_attr("keep_top_k", -1))};
  return {};
}

// Compares detections robustly but strictly: rows must pair up (same class, score and box within
// `rel` relative to max(1, |value|)); NMS may order near-ties differently, so pairing ignores
// order, and a row may go unpaired only on a Boundary. Returns a description of every violation.
std::string compare(const Detections& a, const Detections& b, float rel, Boundary bound) {
  std::string problems;
  if (a.per_image.size() != b.per_image.size()) return "different image counts";
  std::size_t off_a = 0, off_b = 0;
  for (std::size_t img = 0; img < a.per_image.size(); ++img) {
    const std::size_t na = static_cast<std::size_t>(a.per_image[img]);
    const std::size_t nb = static_cast<std::size_t>(b.per_image[img]);
    const float* ra = a.rows.data() + off_a * 6;
    const float* rb = b.rows.data() + off_b * 6;
    std::vector<bool> used(nb, false);
    float min_b = 2;
    for (std::size_t j = 0; j < nb; ++j) min_b = std::min(min_b, rb[j * 6 + 1]);
    for (std::size_t i = 0; i < na; ++i) {
      bool found = false;
      // In order first (the common case), then anywhere.
      if (i < nb && !used[i] && same_row(ra + i * 6, rb + i * 6, rel)) {
        used[i] = found = true;
      } else {
        for (std::size_t j = 0; j < nb && !found; ++j)
          if (!used[j] && same_row(ra + i * 6, rb + j * 6, rel)) used[j] = found = true;
      }
      if (found) continue;
      const float* r = ra + i * 6;
      const bool at_threshold = close(r[1], bound.score_threshold, rel);
      const bool cut_by_top_k = bound.keep_top_k >= 0 &&
                                nb == static_cast<std::size_t>(bound.keep_top_k) &&
                                (r[1] <= min_b || close(r[1], min_b, rel));
      if (at_threshold || cut_by_top_k) continue;
      problems += fmt::format(
          "image {}: row {} [{}, {:.6f}, {:.3f}, {:.3f}, {:.3f}, {:.3f}] has no match\n", img, i,
          r[0], r[1], r[2], r[3], r[4], r[5]);
    }
    off_a += na;
    off_b += nb;
  }
  return problems;
}

std::filesystem::path golden_path(const ModelCase& c) {
  return source_dir() / "tests" / "golden" / c.model /
         (std::filesystem::path(c.image).stem().string() + ".json");
}

class DetectionModelTest : public ::testing::TestWithParam<ModelCase> {};

TEST_P(DetectionModelTest, ReferenceAndOptimizedAgreeAndMatchTheGoldenDetections) {
  const ModelCase& c = GetParam();
  const auto image = shared_dir() / "images" / c.image;
  DETPORT_REQUIRE_SHARED(image);
  std::string skip, error;
  auto loaded = load(c.model, &skip, &error);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_TRUE(loaded) << error;
  auto in = preprocess_image(image, loaded->pre);
  ASSERT_TRUE(in) << "cannot decode " << image;

  auto ref = detect(loaded->model, false, *in);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  auto opt = detect(loaded->model, true, *in);
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  ASSERT_EQ(ref->per_image.size(), 1u);
  const Boundary nms = nms_boundary(loaded->model);
  EXPECT_EQ(compare(*ref, *opt, 1e-4f, nms), "") << "reference rows missing from the optimised run";
  EXPECT_EQ(compare(*opt, *ref, 1e-4f, nms), "") << "optimised rows missing from the reference run";

  // Plausibility that holds whatever the weights: ordered boxes, scores in (0, 1]; a model that
  // clips (PP-YOLO's yolo_box clip_bbox) keeps them inside the original image. BlazeFace decodes
  // without clipping, so its low-score boxes may cross the border.
  const auto& rows = opt->rows;
  for (std::size_t i = 0; i + 6 <= rows.size(); i += 6) {
    EXPECT_GT(rows[i + 1], 0.0f);
    EXPECT_LE(rows[i + 1], 1.0f);
    EXPECT_LE(rows[i + 2], rows[i + 4] + 1e-3f);
    EXPECT_LE(rows[i + 3], rows[i + 5] + 1e-3f);
    if (!c.clipped) continue;
    EXPECT_GE(rows[i + 2], 0.0f);
    EXPECT_GE(rows[i + 3], 0.0f);
    EXPECT_LE(rows[i + 4], static_cast<float>(in->orig_w - 1));
    EXPECT_LE(rows[i + 5], static_cast<float>(in->orig_h - 1));
  }

  if (const char* dir = std::getenv("DETPORT_DRAW_DIR"))
    draw_detections(
        image, rows, c.golden_threshold,
        std::filesystem::path(dir) /
            fmt::format("{}_{}.png", c.model, std::filesystem::path(c.image).stem().string()));

  // The golden file: detections with score >= golden_threshold, in the runtime's order.
  nlohmann::json kept = nlohmann::json::array();
  for (std::size_t i = 0; i + 6 <= rows.size(); i += 6)
    if (rows[i + 1] >= c.golden_threshold)
      kept.push_back(std::vector<float>(rows.begin() + static_cast<std::ptrdiff_t>(i),
                                        rows.begin() + static_cast<std::ptrdiff_t>(i + 6)));
  const auto path = golden_path(c);
  if (std::getenv("DETPORT_UPDATE_GOLDEN") != nullptr) {
    // One detection per line, floats in their shortest exact form.
    std::string text = fmt::format(
        "{{\n \"model\": \"{}\",\n \"image\": \"{}\",\n \"input_hw\": [{}, {}],\n"
        " \"rows_total\": {},\n \"score_threshold\": {},\n \"judged\": \"{}\",\n"
        " \"detections\": [",
        c.model, c.image, in->image.dim(2), in->image.dim(3), rows.size() / 6, c.golden_threshold,
        c.judged);
    for (std::size_t i = 0; i < kept.size(); ++i) {
      text += i == 0 ? "\n  [" : ",\n  [";
      for (std::size_t k = 0; k < 6; ++k)
        text += fmt::format("{}{}", k == 0 ? "" : ", ", kept[i][k].get<float>());
      text += "]";
    }
    text += "\n ]\n}\n";
    std::filesystem::create_directories(path.parent_path());
    spit(path, text);
  }
  ASSERT_TRUE(std::filesystem::exists(path))
      << path << " is missing; run with DETPORT_UPDATE_GOLDEN=1 and review the result";
  const auto golden = nlohmann::json::parse(slurp(path));
  Detections want, got;
  for (const auto& r : golden.at("detections"))
    for (const auto& v : r) want.rows.push_back(v.get<float>());
  want.per_image = {static_cast<int32_t>(want.rows.size() / 6)};
  got.rows.assign(kept.size() * 6, 0);
  for (std::size_t i = 0; i < kept.size(); ++i)
    for (std::size_t k = 0; k < 6; ++k) got.rows[i * 6 + k] = kept[i][k].get<float>();
  got.per_image = {static_cast<int32_t>(kept.size())};
  // Golden tolerance is looser than ref-vs-opt (1e-3 relative): other kernels may change the
  // last bits; rows near the threshold may come and go.
  const Boundary cut{c.golden_threshold, -1};
  EXPECT_EQ(compare(want, got, 1e-3f, cut), "") << "golden rows missing, " << path;
  EXPECT_EQ(compare(got, want, 1e-3f, cut), "") << "rows not in " << path;
}

INSTANTIATE_TEST_SUITE_P(Shared, DetectionModelTest, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) {
                           std::string n =
                               std::string(param_info.param.model) + "_" +
                               std::filesystem::path(param_info.param.image).stem().string();
                           for (char& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

// Batches: the two 640x480 images through BlazeFace, all three through PP-YOLO tiny (resized to
// 320x320); each image's rows equal its single-image run, and bbox_num splits them.
TEST(DetectionModels, BatchesSplitPerImage) {
  const std::vector<const char*> images480{"000000087038.jpg", "000000570688.jpg"};
  for (const auto& [name, images] :
       {std::pair<const char*, std::vector<const char*>>{
            "ppyolo_tiny_650e_p24", {"000000014439.jpg", "000000087038.jpg", "000000570688.jpg"}},
        {"blazeface_p23", images480}}) {
    SCOPED_TRACE(name);
    std::string skip, error;
    auto loaded = load(name, &skip, &error);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_TRUE(loaded) << error;
    std::vector<ImageInputs> ins;
    for (const char* im : images) {
      DETPORT_REQUIRE_SHARED(shared_dir() / "images" / im);
      auto in = preprocess_image(shared_dir() / "images" / im, loaded->pre);
      ASSERT_TRUE(in);
      ins.push_back(std::move(*in));
    }
    auto all = detect(loaded->model, true, batch(ins));
    ASSERT_TRUE(all.ok()) << all.error().describe();
    ASSERT_EQ(all->per_image.size(), ins.size());
    Detections singles;
    for (const auto& in : ins) {
      auto one = detect(loaded->model, true, in);
      ASSERT_TRUE(one.ok()) << one.error().describe();
      singles.rows.insert(singles.rows.end(), one->rows.begin(), one->rows.end());
      singles.per_image.push_back(one->per_image.at(0));
    }
    EXPECT_EQ(compare(*all, singles, 1e-4f, nms_boundary(loaded->model)), "");
    EXPECT_EQ(compare(singles, *all, 1e-4f, nms_boundary(loaded->model)), "");
  }
}

}  // namespace
}  // namespace detport::testing
