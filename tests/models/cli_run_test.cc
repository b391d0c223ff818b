// detport run on real exports end to end (decode, deploy-config preprocessing, the native
// runtime, post-processing, COCO results). BlazeFace ships no infer_cfg.yml: --config supplies
// PaddleDetection's BlazeFace TestReader settings, and the face found in 000000014439.jpg must be
// the one tests/golden/blazeface_p23 records (checked there by drawing it: it lies on a face).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.h"

namespace detport::testing {
namespace {

constexpr const char* kBlazeFaceConfig = R"(mode: paddle
draw_threshold: 0.5
arch: BlazeFace
Preprocess:
- is_scale: false
  mean: [123, 117, 104]
  std: [127.502231, 127.502231, 127.502231]
  type: NormalizeImage
- type: Permute
label_list:
- face
)";

TEST(RunCli, BlazeFaceWithASuppliedConfigFindsTheGoldenFace) {
  DETPORT_REQUIRE_SHARED(models_dir() / "blazeface_p23");
  DETPORT_REQUIRE_SHARED(shared_dir() / "images" / "000000014439.jpg");
  TempDir dir;
  spit(dir.path() / "infer_cfg.yml", kBlazeFaceConfig);
  const std::string model = (models_dir() / "blazeface_p23").string();
  const std::string image = (shared_dir() / "images" / "000000014439.jpg").string();
  // Without a config the error says how to give one.
  auto bare = run_detport("run '" + model + "' '" + image + "'");
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_NE(bare.err.find("--config"), std::string::npos) << bare.err;

  auto r = run_detport("run '" + model + "' '" + image + "' --config '" +
                       (dir.path() / "infer_cfg.yml").string() + "' --out '" +
                       (dir.path() / "out").string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto results = nlohmann::json::parse(slurp(dir.path() / "out" / "results.json"));
  ASSERT_EQ(results.size(), 1u) << results.dump();
  const auto& d = results[0];
  EXPECT_EQ(d["category_id"], 0);
  EXPECT_NEAR(d["score"].get<double>(), 0.978, 0.001);
  // Golden box [527.89, 120.52, 542.31, 138.42] as COCO [x, y, w, h].
  EXPECT_NEAR(d["bbox"][0].get<double>(), 527.89, 0.05);
  EXPECT_NEAR(d["bbox"][1].get<double>(), 120.52, 0.05);
  EXPECT_NEAR(d["bbox"][2].get<double>(), 542.31 - 527.89, 0.05);
  EXPECT_NEAR(d["bbox"][3].get<double>(), 138.42 - 120.52, 0.05);
}

}  // namespace
}  // namespace detport::testing
