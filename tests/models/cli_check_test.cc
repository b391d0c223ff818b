// `detport check` as users run it: exit codes, the report's shape, the JSON schema, the matrix,
// and the demo's check step.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace detport {
namespace {

using testing::models_dir;
using testing::run_detport;

std::string model(const std::string& dir) {
  return "'" + (models_dir() / dir).string() + "'";
}

TEST(CheckCli, CompatibleButSlowerExitsZeroWithTheVerdictFirst) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyoloe_plus_p24");
  auto r = run_detport("check " + model("ppyoloe_plus_p24") + " --target 2.3.2");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("compatible: Paddle 2.3.2 loads this model and computes the same results, "
                        "but slower",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("\nslow (1)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[extra-attr-default] conv2d.use_cudnn"), std::string::npos);
  EXPECT_NE(r.out.find("\nsources\n"), std::string::npos);
}

TEST(CheckCli, IncompatibleExitsOne) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyolo_tiny_650e_p24");
  auto r = run_detport("check " + model("ppyolo_tiny_650e_p24") + " --target 2.0.1");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.rfind("INCOMPATIBLE: Paddle 2.0.1 cannot load this model", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("[op-missing] Paddle 2.0.1 does not have the op multiclass_nms3"),
            std::string::npos);
}

TEST(CheckCli, JsonFollowsTheSchema) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyolo_tiny_650e_p24");
  auto r = run_detport("check " + model("ppyolo_tiny_650e_p24") + " --target 2.0 --json");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "detport.check/1");
  EXPECT_EQ(j["model"]["format"], "legacy");
  EXPECT_EQ(j["model"]["producer"], "2.4.0");
  EXPECT_EQ(j["target"]["release"], "2.0");
  EXPECT_EQ(j["target"]["data_release"], "2.0");
  EXPECT_EQ(j["verdict"], "fails");
  EXPECT_EQ(j["compatible"], false);
  EXPECT_GE(j["counts"]["breaks-load"].get<int>(), 1);
  bool seen = false;
  for (const auto& f : j["findings"]) {
    for (const char* k : {"rule", "severity", "title", "explanation", "fix", "convert_rule",
                          "evidence", "op_count", "ops"})
      EXPECT_TRUE(f.contains(k)) << k;
    for (const auto& id : f["evidence"]) EXPECT_TRUE(j["sources"].contains(id.get<std::string>()));
    if (f["rule"] == "op-missing") {
      seen = true;
      EXPECT_EQ(f["ops"][0]["type"], "multiclass_nms3");
      EXPECT_EQ(f["ops"][0]["block"], 0);
    }
  }
  EXPECT_TRUE(seen);
}

TEST(CheckCli, AllReleasesPrintsTheMatrix) {
  DETPORT_REQUIRE_SHARED(models_dir() / "picodet_layout_p251");
  auto r = run_detport("check " + model("picodet_layout_p251") + " --all-releases");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  2.0      fails"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  2.4      loads (same results, slower)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  2.5      loads "), std::string::npos) << r.out;
  auto j = run_detport("check " + model("picodet_layout_p251") + " --all-releases --json");
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["schema"], "detport.check-matrix/1");
  EXPECT_EQ(doc["releases"].size(), 12u);
  EXPECT_EQ(doc["releases"][0]["release"], "1.8");
}

TEST(CheckCli, PirProgramsAreCheckedForFormatVersionAndOps) {
  DETPORT_REQUIRE_SHARED(models_dir() / "pir_pp_ocrv5_server_rec_pirv2");
  auto r = run_detport("check " + model("pir_pp_ocrv5_server_rec_pirv2") + " --target 2.6");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("[format-not-readable]"), std::string::npos) << r.out;
  auto v = run_detport("check " + model("pir_pp_ocrv5_server_rec_pirv2") + " --target 3.0");
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_NE(v.out.find("[pir-version-newer] PIR version 2 is newer than Paddle 3.0's 1"),
            std::string::npos)
      << v.out;
  EXPECT_EQ(
      run_detport("check " + model("pir_pp_ocrv5_server_rec_pirv2") + " --target 3.1").exit_code,
      0);
}

TEST(CheckCli, UnusableInputExitsTwo) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyoloe_plus_p24");
  auto unknown = run_detport("check " + model("ppyoloe_plus_p24") + " --target 2.7");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("detport has no facts about Paddle 2.7 (known: 1.8, 2.0"),
            std::string::npos)
      << unknown.err;
  EXPECT_EQ(run_detport("check " + model("ppyoloe_plus_p24")).exit_code, 2);
  EXPECT_EQ(run_detport("check /nonexistent --target 2.3").exit_code, 2);
  testing::TempDir empty;
  auto bad_data = run_detport("check " + model("ppyoloe_plus_p24") + " --target 2.3 --data '" +
                              empty.path().string() + "'");
  EXPECT_EQ(bad_data.exit_code, 2);
  EXPECT_NE(bad_data.err.find("sources.json is missing"), std::string::npos) << bad_data.err;
}

TEST(DemoCli, ChecksTheTwoPointSixFormAgainstTwoPointThreeTwo) {
  testing::TempDir out;
  auto r = run_detport("demo --out '" + out.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--target 2.3.2"), std::string::npos);
  EXPECT_NE(r.out.find("[extra-attr-stripped] swish has no beta = 1.0"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[extra-attr-default] conv2d.use_cudnn"), std::string::npos);
  EXPECT_NE(r.out.find("written by Paddle 2.6.1"), std::string::npos);
  // The ONNX steps: the file is written, and native vs OpenCV DNN agree.
  EXPECT_TRUE(std::filesystem::exists(out.path() / "ppyoloe_like.onnx")) << r.out;
  EXPECT_NE(r.out.find("--backends native,opencv"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nsame: every output within"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace detport
