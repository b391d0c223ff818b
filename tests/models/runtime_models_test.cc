// Every export in ../shared/models (legacy and PIR, Paddle 1.8 to 3.x) compiles and runs on the
// native runtime at 320x320 with seeded random weights where the export has none, and its float
// outputs are finite. Models whose detections are pinned by golden files are in
// detection_models_test.cc; this test is about coverage: no op without a kernel, no shape
// inference failure, no crash.
#include <gtest/gtest.h>

#include <cmath>

#include "formats/convert.h"
#include "formats/model_io.h"
#include "ir/random_weights.h"
#include "runtime/session.h"
#include "same_outputs.h"
#include "test_support.h"

namespace detport::testing {
namespace {

class RuntimeModels : public ::testing::TestWithParam<std::string> {};

// Seeded random feeds at 320x320 for the session's inputs (im_shape/im_size 320, scale 1).
std::vector<runtime::NamedTensor> random_feeds(const runtime::Session& session) {
  std::vector<runtime::NamedTensor> feeds;
  uint32_t state = 12345;
  for (const auto& in : session.inputs()) {
    runtime::Dims dims = in.dims;
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (dims[i] < 0) dims[i] = i == 0 ? 1 : (i + 2 >= dims.size() ? 320 : 1);
    runtime::Tensor t = runtime::Tensor::empty(in.dtype, dims);
    for (int64_t i = 0; i < t.numel(); ++i) {
      const bool pair = in.name == "im_shape" || in.name == "im_size";
      const double v = pair ? 320.0
                       : in.name == "scale_factor"
                           ? 1.0
                           : ((state = state * 1664525u + 1013904223u) >> 8) / 16777216.0 - 0.5;
      if (in.dtype == ir::DType::kFloat32) t.data<float>()[i] = static_cast<float>(v);
      if (in.dtype == ir::DType::kInt32) t.data<int32_t>()[i] = static_cast<int32_t>(v);
    }
    feeds.push_back({in.name, std::move(t)});
  }
  return feeds;
}

TEST_P(RuntimeModels, RunsWithFiniteOutputs) {
  const auto dir = models_dir() / GetParam();
  DETPORT_REQUIRE_SHARED(dir);
  auto model = formats::load_model(dir);
  ASSERT_TRUE(model.ok()) << model.error().describe();
  auto filled = ir::fill_random_weights(*model);
  ASSERT_TRUE(filled.ok()) << filled.error().describe();
  runtime::CompileOptions options;
  options.threads = 2;
  auto session = runtime::compile(*model, options);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  auto out = session->run(random_feeds(*session));
  ASSERT_TRUE(out.ok()) << out.error().describe();
  ASSERT_FALSE(out->empty());
  for (const auto& o : *out) {
    if (o.tensor.dtype() != ir::DType::kFloat32) continue;
    for (int64_t i = 0; i < o.tensor.numel(); ++i)
      ASSERT_TRUE(std::isfinite(o.tensor.data<float>()[i])) << o.name << " element " << i;
  }
}

// A PIR export and its legacy conversion (written and read back; int_array/scalar operands folded
// into legacy attributes) compute the same bits on the same feeds and weights.
class PirLegacyRuntime : public ::testing::TestWithParam<std::string> {};

TEST_P(PirLegacyRuntime, LegacyConversionComputesBitIdenticalOutputs) {
  const auto dir = models_dir() / GetParam();
  DETPORT_REQUIRE_SHARED(dir);
  auto pir = formats::load_model(dir);
  ASSERT_TRUE(pir.ok()) << pir.error().describe();
  ASSERT_TRUE(ir::fill_random_weights(*pir).ok());
  auto conv = formats::convert_model(*pir, {formats::TargetFormat::kLegacy, std::nullopt});
  ASSERT_TRUE(conv.ok()) << conv.error().describe();
  TempDir out_dir;
  ASSERT_TRUE(formats::save_model(conv->model, out_dir.path()).ok());
  auto legacy = formats::load_model(out_dir.path());
  ASSERT_TRUE(legacy.ok()) << legacy.error().describe();
  ASSERT_EQ(legacy->meta.format, ir::SourceFormat::kLegacy);
  // Random weights are not written (the export has none); give the legacy program the same ones.
  if (legacy->weights.empty()) legacy->weights = pir->weights;
  ASSERT_EQ(legacy->weights.size(), pir->weights.size());
  runtime::CompileOptions options;
  options.threads = 2;
  auto a = runtime::compile(*pir, options);
  auto b = runtime::compile(*legacy, options);
  ASSERT_TRUE(a.ok()) << a.error().describe();
  ASSERT_TRUE(b.ok()) << b.error().describe();
  const auto feeds = random_feeds(*a);
  auto ra = a->run(feeds);
  auto rb = b->run(feeds);
  ASSERT_TRUE(ra.ok()) << ra.error().describe();
  ASSERT_TRUE(rb.ok()) << rb.error().describe();
  EXPECT_EQ(bitwise_differences(*ra, *rb), "");
}

INSTANTIATE_TEST_SUITE_P(Shared, PirLegacyRuntime,
                         ::testing::Values("pir_pp_doclayout_s", "pir_pp_lcnet_x0_25_textline_ori",
                                           "pir_pp_ocrv5_mobile_det",
                                           "pir_pp_ocrv5_server_det_pirv3",
                                           "pir_pp_ocrv5_server_rec_pirv2"),
                         [](const auto& p) { return p.param; });

INSTANTIATE_TEST_SUITE_P(
    Shared, RuntimeModels,
    ::testing::Values("blazeface_p23", "hrnet_hand_kpt_p26", "picodet_layout_p251",
                      "ppyolo_slider_fluid_p184", "ppyolo_tiny_650e_p24", "ppyoloe_plus_p24",
                      "yolov3_mbv1_fluid_p201", "pir_pp_doclayout_s",
                      "pir_pp_lcnet_x0_25_textline_ori", "pir_pp_ocrv5_mobile_det",
                      "pir_pp_ocrv5_server_det_pirv3", "pir_pp_ocrv5_server_rec_pirv2"),
    [](const auto& p) { return p.param; });

}  // namespace
}  // namespace detport::testing
