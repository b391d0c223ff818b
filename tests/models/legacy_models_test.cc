// Every legacy model in ../shared/models: read, written back byte for byte, and inspected with op
// counts equal to those of an independent decoder (protoc --decode_raw).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "formats/model_io.h"
#include "formats/paddle_legacy/params_codec.h"
#include "formats/paddle_legacy/program_codec.h"
#include "test_support.h"

namespace detport {
namespace {

namespace fs = std::filesystem;
using testing::models_dir;
using testing::slurp;
using testing::TempDir;

struct LegacyModel {
  std::string dir;
  std::string program;  // file name
  std::string release;  // from PROVENANCE.md / REAL_MODELS_OPS.md, decoded independently
  bool has_params;
  int64_t ops;  // total ops (REAL_MODELS_OPS.md)
};

const std::vector<LegacyModel> kModels{
    {"blazeface_p23", "model.pdmodel", "2.3.0", true, 214},
    {"hrnet_hand_kpt_p26", "model.pdmodel", "2.6.0", false, 1488},
    {"picodet_layout_p251", "model.pdmodel", "2.5.1", false, 374},
    {"ppyolo_slider_fluid_p184", "__model__", "1.8.4", false, 466},
    {"ppyolo_tiny_650e_p24", "model.pdmodel", "2.4.0", true, 281},
    {"ppyoloe_plus_p24", "model.pdmodel", "2.4.0", false, 400},
    {"yolov3_mbv1_fluid_p201", "__model__", "2.0.1", false, 164},
};

void PrintTo(const LegacyModel& m, std::ostream* os) {
  *os << m.dir;
}

class LegacyModelTest : public ::testing::TestWithParam<LegacyModel> {};

TEST_P(LegacyModelTest, ReadsAndWritesBackByteExact) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  auto model = formats::load_model(dir);
  ASSERT_TRUE(model.ok()) << model.error().describe();
  EXPECT_EQ(model->has_weights(), p.has_params);
  ASSERT_TRUE(model->meta.producer.has_value());
  EXPECT_EQ(model->meta.producer->to_string(), p.release);

  TempDir out;
  ASSERT_TRUE(formats::save_model(*model, out.path()).ok());
  EXPECT_TRUE(slurp(out / p.program) == slurp(dir / p.program)) << "program bytes differ";
  if (p.has_params) {
    const std::string params = model->meta.files.params->filename().string();
    EXPECT_TRUE(slurp(out / params) == slurp(dir / params)) << "params bytes differ";
  }
  // And what was written reads back to the same IR.
  auto again = formats::load_model(out.path());
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_TRUE(again->program == model->program);
}

// Op type counts from protoc with a three-message schema written here, independent of detport's
// framework.proto: ProgramDesc.blocks = 1, BlockDesc.ops = 4, OpDesc.type = 3. (--decode_raw alone
// is ambiguous: the bytes of "unsqueeze2" happen to parse as a message, and it prints them so.)
std::map<std::string, int64_t> protoc_op_counts(const fs::path& program) {
  TempDir tmp;
  testing::spit(tmp / "mini.proto",
                "syntax = \"proto2\"; package mini;\n"
                "message OpDesc { optional string type = 3; }\n"
                "message BlockDesc { repeated OpDesc ops = 4; }\n"
                "message ProgramDesc { repeated BlockDesc blocks = 1; }\n");
  auto r =
      testing::run_command("protoc --proto_path='" + tmp.path().string() +
                           "' --decode=mini.ProgramDesc mini.proto < '" + program.string() + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int64_t> counts;
  std::istringstream in(r.out);
  std::string line;
  static const std::regex kType(R"re(^    type: "(.*)"$)re");
  std::smatch m;
  while (std::getline(in, line))
    if (std::regex_match(line, m, kType)) ++counts[m[1]];
  return counts;
}

TEST_P(LegacyModelTest, InspectOpCountsMatchAnIndependentDecoder) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  if (testing::run_command("command -v protoc").exit_code != 0)
    GTEST_SKIP() << "protoc not installed";
  auto r = testing::run_detport("inspect --json '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "detport.inspect/1");
  EXPECT_EQ(j["producer"]["release"], p.release);
  EXPECT_EQ(j["op_count"], p.ops);
  std::map<std::string, int64_t> ours;
  for (const auto& op : j["ops"]) ours[op["type"]] = op["count"];
  const auto theirs = protoc_op_counts(dir / p.program);
  EXPECT_EQ(ours, theirs);
  int64_t total = 0;
  for (const auto& [type, n] : theirs) total += n;
  EXPECT_EQ(total, p.ops);
}

TEST_P(LegacyModelTest, InspectsInHumanForm) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  auto r = testing::run_detport("inspect '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Paddle " + p.release), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inputs (feed order)"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Shared, LegacyModelTest, ::testing::ValuesIn(kModels),
                         [](const ::testing::TestParamInfo<LegacyModel>& p) {
                           return p.param.dir;
                         });

TEST(BlazeFace, WeightsMatchTheProvenanceCounts) {
  // PROVENANCE.md: 198 fp32 tensors, 119,616 elements.
  const fs::path dir = models_dir() / "blazeface_p23";
  DETPORT_REQUIRE_SHARED(dir);
  auto m = formats::load_model(dir);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  int64_t elements = 0;
  for (const auto& [name, t] : m->weights) {
    EXPECT_EQ(t.dtype, ir::DType::kFloat32) << name;
    elements += t.numel();
  }
  EXPECT_EQ(m->weights.size(), 198u);
  EXPECT_EQ(elements, 119616);
}

TEST(PpyoloTiny, WeightsMatchTheProvenanceCounts) {
  // PROVENANCE.md: 358 fp32 tensors, 1,024,344 elements.
  const fs::path dir = models_dir() / "ppyolo_tiny_650e_p24";
  DETPORT_REQUIRE_SHARED(dir);
  auto m = formats::load_model(dir);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  int64_t elements = 0;
  for (const auto& [name, t] : m->weights) elements += t.numel();
  EXPECT_EQ(m->weights.size(), 358u);
  EXPECT_EQ(elements, 1024344);
}

}  // namespace
}  // namespace detport
