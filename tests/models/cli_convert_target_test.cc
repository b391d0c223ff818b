// `detport convert --target` as users run it: exit codes, the JSON document, byte-copied params and
// companions, no partial output on refusal, refusing to overwrite the input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "compat/catalog.h"
#include "compat/export_form.h"
#include "formats/model_io.h"
#include "test_support.h"
#include "zoo/ppyoloe_like.h"

namespace detport {
namespace {

namespace fs = std::filesystem;
using testing::run_detport;
using testing::slurp;

std::string q(const fs::path& p) {
  return "'" + p.string() + "'";
}

// The demo's model: PP-YOLOE+-shaped, with weights, as Paddle 2.6.1 exports it.
fs::path write_261_model(const fs::path& dir) {
  ir::Model m = zoo::ppyoloe_like();
  const ir::Release p261{2, 6, 1};
  auto catalog = compat::Catalog::load_builtin();
  EXPECT_TRUE(compat::apply_export_form(m, *catalog->find(p261), p261).ok());
  fs::create_directories(dir);
  EXPECT_TRUE(formats::save_model(m, dir).ok());
  testing::spit(dir / "infer_cfg.yml", "mode: paddle\narch: YOLO\n");
  return dir;
}

bool has_temp_leftovers(const fs::path& parent) {
  for (const auto& e : fs::directory_iterator(parent))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) return true;
  return false;
}

TEST(ConvertTargetCli, ConvertsCopiesParamsAndChecksClean) {
  testing::TempDir tmp;
  const fs::path in = write_261_model(tmp.path() / "p261");
  const fs::path out = tmp.path() / "p232";
  auto r = run_detport("convert " + q(in) + " --target 2.3.2 -o " + q(out));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("beta: (absent) -> 1 [restore-stripped-attrs]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("program version: 2006001 -> 2003002 [set-program-version]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("compatible: Paddle 2.3.2 loads this model"), std::string::npos) << r.out;
  // Params unchanged: the same bytes; the deploy config carried along.
  EXPECT_EQ(slurp(out / "model.pdiparams"), slurp(in / "model.pdiparams"));
  EXPECT_EQ(slurp(out / "infer_cfg.yml"), slurp(in / "infer_cfg.yml"));
  auto check = run_detport("check " + q(out) + " --target 2.3.2");
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_FALSE(has_temp_leftovers(tmp.path()));
}

TEST(ConvertTargetCli, JsonDocument) {
  testing::TempDir tmp;
  const fs::path in = write_261_model(tmp.path() / "p261");
  auto r = run_detport("convert " + q(in) + " --target 2.3.2 --json -o " + q(tmp.path() / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "detport.convert/1");
  EXPECT_EQ(j["status"], "converted");
  EXPECT_EQ(j["target"], "2.3.2");
  EXPECT_EQ(j["format"], "legacy");
  EXPECT_EQ(j["check"]["breaks_load"], 0);
  EXPECT_EQ(j["check"]["wrong_result"], 0);
  bool beta = false;
  for (const auto& c : j["changes"])
    beta = beta || (c["op"] == "swish" && c["attr"] == "beta" && c["before"] == "(absent)" &&
                    c["rule"] == "restore-stripped-attrs");
  EXPECT_TRUE(beta) << r.out;
  EXPECT_TRUE(j["refusals"].empty());
}

TEST(ConvertTargetCli, RefusalExitsOneAndWritesNothing) {
  testing::TempDir tmp;
  const fs::path in = write_261_model(tmp.path() / "p261");
  const fs::path out = tmp.path() / "p201";
  auto r = run_detport("convert " + q(in) + " --target 2.0.1 -o " + q(out));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("REFUSED breaks-load [op-missing]"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(has_temp_leftovers(tmp.path()));
  auto j = nlohmann::json::parse(
      run_detport("convert " + q(in) + " --target 2.0.1 --json -o " + q(out)).out);
  EXPECT_EQ(j["status"], "refused");
  EXPECT_FALSE(j["refusals"].empty());
}

TEST(ConvertTargetCli, BadInputExitsTwo) {
  testing::TempDir tmp;
  const fs::path in = write_261_model(tmp.path() / "p261");
  const std::string program = slurp(in / "model.pdmodel");
  // Overwriting the input is refused, and the input is left alone.
  auto same = run_detport("convert " + q(in) + " --target 2.3.2 -o " + q(in));
  EXPECT_EQ(same.exit_code, 2) << same.out;
  EXPECT_NE(same.err.find("refusing to overwrite the input"), std::string::npos) << same.err;
  EXPECT_EQ(slurp(in / "model.pdmodel"), program);
  EXPECT_EQ(run_detport("convert " + q(in) + " --target 9.9 -o " + q(tmp.path() / "x")).exit_code,
            2);
  EXPECT_EQ(run_detport("convert /nonexistent --target 2.3.2 -o " + q(tmp.path() / "x")).exit_code,
            2);
  EXPECT_EQ(run_detport("convert " + q(in) + " --target 2.3.2").exit_code, 2);  // no -o
  // A non-empty output directory is not overwritten either.
  fs::create_directories(tmp.path() / "full");
  testing::spit(tmp.path() / "full" / "keep", "x");
  EXPECT_EQ(
      run_detport("convert " + q(in) + " --target 2.3.2 -o " + q(tmp.path() / "full")).exit_code,
      2);
  EXPECT_EQ(slurp(tmp.path() / "full" / "keep"), "x");
}

TEST(ConvertTargetCli, DryRunWritesNothing) {
  testing::TempDir tmp;
  const fs::path in = write_261_model(tmp.path() / "p261");
  auto r =
      run_detport("convert " + q(in) + " --target 2.3.2 --dry-run -o " + q(tmp.path() / "out"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("dry run: nothing written"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp.path() / "out"));
}

TEST(ConvertTargetCli, SharedModelKeepsItsDeployConfigAndCompanions) {
  const fs::path in = testing::models_dir() / "ppyoloe_plus_p24";
  DETPORT_REQUIRE_SHARED(in);
  testing::TempDir tmp;
  auto r = run_detport("convert " + q(in) + " --target 2.3.2 -o " + q(tmp.path() / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(slurp(tmp.path() / "out" / "infer_cfg.yml"), slurp(in / "infer_cfg.yml"));
  EXPECT_TRUE(fs::exists(tmp.path() / "out" / "model.pdiparams.info"));
}

TEST(DemoCli, ConvertsToTwoPointThreeTwoAndChecksClean) {
  testing::TempDir out;
  auto r = run_detport("demo --out " + q(out.path()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("detport convert"), std::string::npos);
  const auto last = r.out.rfind("compatible: Paddle 2.3.2 loads this model");
  EXPECT_NE(last, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("INCOMPATIBLE", last), std::string::npos);
}

}  // namespace
}  // namespace detport
