// Every real PIR program in ../shared/models: read, inspected (op counts equal to a count of the
// JSON's ops made here with nlohmann::json), written back equal, converted to legacy and back
// equal, and moved between PIR versions with exactly the changes the patches describe. And every
// legacy model: converted to PIR and back to a legacy program with the same ops, attributes and
// params.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "formats/convert.h"
#include "formats/model_io.h"
#include "formats/paddle_pir/pir_patches.h"
#include "test_support.h"

namespace detport {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::models_dir;
using testing::slurp;
using testing::TempDir;

struct PirModel {
  std::string dir;
  int64_t version;
  bool has_params;
};

const std::vector<PirModel> kPirModels{
    {"pir_pp_doclayout_s", 1, false},
    {"pir_pp_lcnet_x0_25_textline_ori", 1, true},
    {"pir_pp_ocrv5_mobile_det", 1, false},
    {"pir_pp_ocrv5_server_det_pirv3", 3, false},
    {"pir_pp_ocrv5_server_rec_pirv2", 2, false},
};

void PrintTo(const PirModel& m, std::ostream* os) {
  *os << m.dir;
}

json read_json(const fs::path& p) {
  return json::parse(slurp(p));
}

// Op name -> count over every block, nested regions included.
void count_ops(const json& block, std::map<std::string, int64_t>& counts) {
  for (const auto& op : block["ops"]) {
    ++counts[op["#"].get<std::string>()];
    if (op.contains("regions"))
      for (const auto& r : op["regions"])
        for (const auto& b : r["blocks"]) count_ops(b, counts);
  }
}

std::map<std::string, int64_t> json_op_counts(const json& doc) {
  std::map<std::string, int64_t> counts;
  for (const auto& r : doc["program"]["regions"])
    for (const auto& b : r["blocks"]) count_ops(b, counts);
  return counts;
}

class PirModelTest : public ::testing::TestWithParam<PirModel> {};

TEST_P(PirModelTest, ReadsAndWritesBackEqual) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  auto model = formats::load_model(dir);
  ASSERT_TRUE(model.ok()) << model.error().describe();
  EXPECT_EQ(model->meta.format, ir::SourceFormat::kPir);
  EXPECT_EQ(model->meta.pir_version, p.version);
  EXPECT_EQ(model->has_weights(), p.has_params);
  TempDir out;
  ASSERT_TRUE(formats::save_model(*model, out.path()).ok());
  const json original = read_json(dir / "inference.json");
  const json written = read_json(out / "inference.json");
  EXPECT_TRUE(written == original) << json::diff(original, written).dump().substr(0, 2000);
  if (p.has_params) {
    EXPECT_TRUE(slurp(out / "inference.pdiparams") == slurp(dir / "inference.pdiparams"));
  }
}

TEST_P(PirModelTest, InspectOpCountsMatchTheJson) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  auto r = testing::run_detport("inspect --json '" + dir.string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["format"], "pir");
  EXPECT_EQ(j["pir_version"], p.version);
  const auto theirs = json_op_counts(read_json(dir / "inference.json"));
  std::map<std::string, int64_t> ours = j["pir_ops"].get<std::map<std::string, int64_t>>();
  EXPECT_EQ(ours, theirs);
  // The IR has one op per PIR op except parameters (persistable vars) and builtin.combine/split
  // (folded into multi-argument slots).
  int64_t total = 0;
  for (const auto& [name, n] : theirs)
    if (name != "p" && name != "0.combine" && name != "0.split") total += n;
  EXPECT_EQ(j["op_count"], total);
  EXPECT_EQ(j["params"]["persistable"], theirs.count("p") ? theirs.at("p") : 0);
  auto human = testing::run_detport("inspect '" + dir.string() + "'");
  ASSERT_EQ(human.exit_code, 0) << human.err;
  EXPECT_NE(human.out.find("PIR version " + std::to_string(p.version)), std::string::npos);
}

TEST_P(PirModelTest, ConvertsToLegacyAndBackEqual) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  TempDir legacy, back;
  auto r = testing::run_detport("convert '" + dir.string() + "' --format legacy -o '" +
                                legacy.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(fs::exists(legacy / "inference.pdmodel"));
  auto m = formats::load_model(legacy.path());
  ASSERT_TRUE(m.ok()) << m.error().describe();
  EXPECT_EQ(m->meta.format, ir::SourceFormat::kLegacy);
  // The legacy program is in the legacy vocabulary.
  for (const auto& op : m->program.global_block().ops) {
    EXPECT_EQ(op.type.find('.'), std::string::npos) << op.type;
    EXPECT_NE(op.type, "data");
  }
  EXPECT_FALSE(ir::feed_targets(m->program).empty());
  EXPECT_FALSE(ir::fetch_targets(m->program).empty());
  r = testing::run_detport("convert '" + legacy.path().string() + "' --format pir -o '" +
                           back.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json original = read_json(dir / "inference.json");
  const json again = read_json(back / "inference.json");
  EXPECT_TRUE(again == original) << json::diff(original, again).dump().substr(0, 2000);
  if (p.has_params) {
    EXPECT_TRUE(slurp(back / "inference.pdiparams") == slurp(dir / "inference.pdiparams"));
  }
}

// PIR int_array/scalar operands the legacy op takes as an attribute, by operand position, from
// Paddle's op_compat.yaml (int_array:/scalar: sections and attrs: renames): kind 'l' INTS, 'i' INT,
// 'f' FLOAT.
struct Folded {
  std::size_t operand;
  const char* attr;
  char kind;
};
const std::map<std::string, std::vector<Folded>> kFolded{
    {"1.pool2d", {{1, "ksize", 'l'}}},  {"1.conv2d_transpose", {{2, "output_size", 'l'}}},
    {"1.reshape", {{1, "shape", 'l'}}}, {"1.slice", {{1, "starts", 'l'}, {2, "ends", 'l'}}},
    {"1.squeeze", {{1, "axes", 'l'}}},  {"1.unsqueeze", {{1, "axes", 'l'}}},
    {"1.concat", {{1, "axis", 'i'}}},   {"1.split_with_num", {{1, "axis", 'i'}}},
    {"1.scale", {{1, "scale", 'f'}}},   {"1.dropout", {{2, "dropout_prob", 'f'}}},
};
// Legacy tensor slots op_compat.yaml names for computed int_array/scalar operands.
const std::set<std::string> kTensorSlots{
    "Shape",          "ShapeTensor", "StartsTensor",   "StartsTensorList", "EndsTensor",
    "EndsTensorList", "AxesTensor",  "AxesTensorList", "AxisTensor",       "ScaleTensor"};

// The values a pd_op.full_int_array or pd_op.full of the JSON holds; nullopt for other ops.
std::optional<std::vector<double>> json_constant(const json& op) {
  const auto attr = [&](const char* n) -> const json* {
    for (const auto& a : op["A"])
      if (a["N"] == n) return &a["AT"];
    return nullptr;
  };
  std::vector<double> out;
  if (op["#"] == "1.full_int_array") {
    for (const auto& e : (*attr("value"))["D"]) out.push_back(e["D"].get<double>());
    return out;
  }
  if (op["#"] == "1.full") {
    int64_t n = 1;
    for (const auto& d : (*attr("shape"))["D"]) n *= d.get<int64_t>();
    out.assign(static_cast<std::size_t>(n), (*attr("value"))["D"].get<double>());
    return out;
  }
  return std::nullopt;
}

std::vector<double> attr_values(const ir::Attribute& a, char kind) {
  if (kind == 'l') {
    EXPECT_EQ(a.kind(), ir::AttrKind::kInts);
    auto v = a.as_ints().value_or(std::vector<int64_t>{});
    return std::vector<double>(v.begin(), v.end());
  }
  EXPECT_EQ(a.kind(), kind == 'i' ? ir::AttrKind::kInt : ir::AttrKind::kFloat);
  return {a.as_double().value_or(-12345.0)};
}

// Converted to legacy, every constant int_array/scalar operand is the legacy attribute with the
// value the JSON's full_int_array/full holds (read here from the JSON), its constant op is gone,
// and computed ones sit in the legacy tensor slots; no PIR-only (lower-case) slot is left.
TEST_P(PirModelTest, LegacyTakesIntArrayAndScalarOperandsAsAttributes) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  TempDir legacy;
  auto r = testing::run_detport("convert '" + dir.string() + "' --format legacy -o '" +
                                legacy.path().string() + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  formats::LoadOptions lo;
  lo.load_weights = false;
  auto m = formats::load_model(legacy.path(), lo);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  const ir::Block& block = m->program.global_block();
  std::map<std::string, const ir::Op*> by_output;
  std::set<std::string> read;
  for (const auto& op : block.ops) {
    for (const auto& s : op.outputs)
      for (const auto& a : s.args) by_output[a] = &op;
    for (const auto& s : op.inputs) {
      for (const auto& a : s.args) read.insert(a);
      if (op.type != "feed") {
        EXPECT_FALSE(std::islower(static_cast<unsigned char>(s.name[0])))
            << op.type << " keeps the PIR operand " << s.name;
      }
    }
  }
  const json doc = read_json(dir / "inference.json");
  std::map<int64_t, const json*> producer;
  std::map<int64_t, int64_t> first_part;  // a vector result -> the first value builtin.split makes
  for (const auto& op : doc["program"]["regions"][0]["blocks"][0]["ops"]) {
    for (const auto& o : op["O"])
      if (o.contains("%")) producer[o["%"].get<int64_t>()] = &op;
    if (op["#"] == "0.split")
      first_part[op["I"][0]["%"].get<int64_t>()] = op["O"][0]["%"].get<int64_t>();
  }
  int64_t folded = 0, computed = 0;
  for (const auto& op : doc["program"]["regions"][0]["blocks"][0]["ops"]) {
    auto rules = kFolded.find(op["#"].get<std::string>());
    if (rules == kFolded.end()) continue;
    int64_t result = op["O"][0]["%"].get<int64_t>();
    if (first_part.count(result)) result = first_part[result];
    const std::string out = "var_" + std::to_string(result);
    ASSERT_TRUE(by_output.count(out)) << op["#"] << " " << out;
    const ir::Op& lop = *by_output[out];
    for (const Folded& f : rules->second) {
      SCOPED_TRACE(lop.type + "." + f.attr + " of " + out);
      const int64_t id = op["I"][f.operand]["%"].get<int64_t>();
      if (id == 0) continue;
      const json& src = *producer.at(id);
      const auto values = json_constant(src);
      const std::string var = "var_" + std::to_string(id);
      if (!values) {  // computed: a legacy tensor slot
        ++computed;
        bool in_slot = false;
        for (const auto& s : lop.inputs)
          if (kTensorSlots.count(s.name)) in_slot = true;
        EXPECT_TRUE(in_slot);
        continue;
      }
      ++folded;
      const ir::Attribute* a = lop.attr(f.attr);
      ASSERT_NE(a, nullptr);
      EXPECT_EQ(attr_values(*a, f.kind), *values);
      for (const auto& s : lop.inputs)
        EXPECT_TRUE(std::find(s.args.begin(), s.args.end(), var) == s.args.end()) << s.name;
      // The constant op is gone when nothing else reads its result.
      if (!read.count(var)) {
        EXPECT_FALSE(by_output.count(var));
      }
    }
  }
  EXPECT_GT(folded, 0);
  if (p.dir == "pir_pp_ocrv5_server_rec_pirv2") {
    EXPECT_EQ(computed, 1);  // a reshape shape from stack
  }
}

// The changes patch `version` makes going up, computed here from the patch facts of
// PADDLE_FORMATS.md / patches.json for the ops these models have: pool2d strides/paddings
// elements a_i32 -> a_i64 (2); nearest_interp scale elements a_f32 -> a_f64 (4).
std::set<std::string> expected_paths(const json& doc, int64_t from, int64_t to) {
  std::set<std::string> paths;
  const int64_t lo = std::min(from, to), hi = std::max(from, to);
  const auto& ops = doc["program"]["regions"][0]["blocks"][0]["ops"];
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& op = ops[i];
    for (std::size_t k = 0; op.contains("A") && op["#"] != "p" && k < op["A"].size(); ++k) {
      const auto& a = op["A"][k];
      const bool pool = op["#"] == "1.pool2d" && (a["N"] == "strides" || a["N"] == "paddings") &&
                        lo < 2 && hi >= 2;
      const bool interp = op["#"] == "1.nearest_interp" && a["N"] == "scale" && lo < 4 && hi >= 4;
      if (!pool && !interp) continue;
      for (std::size_t e = 0; e < a["AT"]["D"].size(); ++e)
        paths.insert("/program/regions/0/blocks/0/ops/" + std::to_string(i) + "/A/" +
                     std::to_string(k) + "/AT/D/" + std::to_string(e) + "/#");
    }
  }
  paths.insert("/base_code/version");
  return paths;
}

TEST_P(PirModelTest, MovesBetweenPirVersionsExactlyAsThePatchesSay) {
  const auto& p = GetParam();
  const fs::path dir = models_dir() / p.dir;
  DETPORT_REQUIRE_SHARED(dir);
  const json original = read_json(dir / "inference.json");
  for (int64_t to : {1, 2, 3}) {
    SCOPED_TRACE("to version " + std::to_string(to));
    json moved = original;
    auto changes = formats::pir::change_pir_version(moved, to);
    ASSERT_TRUE(changes.ok()) << changes.error().describe();
    std::set<std::string> changed;
    for (const auto& d : json::diff(original, moved)) {
      EXPECT_EQ(d["op"], "replace") << d.dump();
      changed.insert(d["path"].get<std::string>());
    }
    if (to == p.version) {
      EXPECT_TRUE(moved == original);
      continue;
    }
    EXPECT_EQ(changed, expected_paths(original, p.version, to));
    // Through the CLI, from the files: the same document.
    TempDir out;
    auto r = testing::run_detport("convert '" + dir.string() + "' --format pir --pir-version " +
                                  std::to_string(to) + " -o '" + out.path().string() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(read_json(out / "inference.json") == moved);
    // And back down (or up) again: the original.
    auto back = formats::pir::change_pir_version(moved, p.version);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_TRUE(moved == original);
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, PirModelTest, ::testing::ValuesIn(kPirModels),
                         [](const ::testing::TestParamInfo<PirModel>& p) { return p.param.dir; });

TEST(PirLcnet, LoadsWithItsWeights) {
  const fs::path dir = models_dir() / "pir_pp_lcnet_x0_25_textline_ori";
  DETPORT_REQUIRE_SHARED(dir);
  auto m = formats::load_model(dir);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  ASSERT_EQ(m->meta.params_layout, ir::ParamsLayout::kCombined);
  const auto counts = json_op_counts(read_json(dir / "inference.json"));
  EXPECT_EQ(static_cast<int64_t>(m->weights.size()), counts.at("p"));
  int64_t bytes = 0;
  for (const auto& [name, t] : m->weights) {
    const ir::Var* v = m->program.global_block().find_var(name);
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ(t.dims, v->tensor->dims) << name;
    bytes += static_cast<int64_t>(t.bytes.size());
  }
  // Every tensor: 16 bytes of header, a TensorDesc, the data; the data is most of the file.
  EXPECT_GT(bytes, 300000);
  EXPECT_LT(bytes, static_cast<int64_t>(fs::file_size(dir / "inference.pdiparams")));
}

// Legacy models: to PIR (files), back to legacy (files), compared op by op.
struct LegacyModel {
  std::string dir;
};
class LegacyToPirTest : public ::testing::TestWithParam<std::string> {};

std::string attrs_text(const ir::Op& op) {
  std::string out;
  for (const auto& a : op.attrs)
    out += a.name + ":" + ir::attr_kind_name(a.value.kind()) + "=" +
           a.value.to_string().substr(0, 40) + " ";
  return out;
}

void expect_same_program(const ir::Program& a, const ir::Program& b) {
  ASSERT_EQ(a.blocks.size(), b.blocks.size());
  for (std::size_t bi = 0; bi < a.blocks.size(); ++bi) {
    const auto& x = a.blocks[bi];
    const auto& y = b.blocks[bi];
    ASSERT_EQ(x.ops.size(), y.ops.size()) << "block " << bi;
    for (std::size_t i = 0; i < x.ops.size(); ++i) {
      SCOPED_TRACE("block " + std::to_string(bi) + " op " + std::to_string(i) + " " +
                   x.ops[i].type);
      EXPECT_EQ(x.ops[i].type, y.ops[i].type);
      EXPECT_TRUE(x.ops[i].inputs == y.ops[i].inputs);
      EXPECT_TRUE(x.ops[i].outputs == y.ops[i].outputs);
      EXPECT_TRUE(x.ops[i].attrs == y.ops[i].attrs) << attrs_text(x.ops[i]) << "\n vs\n"
                                                    << attrs_text(y.ops[i]);
      EXPECT_EQ(x.ops[i].is_target, y.ops[i].is_target);
    }
  }
  EXPECT_EQ(ir::persistable_names(a), ir::persistable_names(b));
  for (const auto& name : ir::persistable_names(a)) {
    const auto* va = a.global_block().find_var(name);
    const auto* vb = b.global_block().find_var(name);
    ASSERT_NE(vb, nullptr) << name;
    EXPECT_TRUE(va->tensor == vb->tensor) << name;
  }
  EXPECT_EQ(a.version, b.version);
  EXPECT_TRUE(a.op_version_map == b.op_version_map);
}

TEST_P(LegacyToPirTest, ConvertsToPirAndBackWithTheSameOpsAttributesAndParams) {
  const fs::path dir = models_dir() / GetParam();
  DETPORT_REQUIRE_SHARED(dir);
  auto original = formats::load_model(dir);
  ASSERT_TRUE(original.ok()) << original.error().describe();
  TempDir pir_dir, legacy_dir;
  auto to_pir = formats::convert_model(*original, {formats::TargetFormat::kPir, std::nullopt});
  ASSERT_TRUE(to_pir.ok()) << to_pir.error().describe();
  ASSERT_TRUE(formats::save_model(to_pir->model, pir_dir.path()).ok());
  auto pir = formats::load_model(pir_dir.path());
  ASSERT_TRUE(pir.ok()) << pir.error().describe();
  EXPECT_EQ(pir->meta.pir_version, 1);
  EXPECT_EQ(pir->has_weights(), original->has_weights());
  auto to_legacy = formats::convert_model(*pir, {formats::TargetFormat::kLegacy, std::nullopt});
  ASSERT_TRUE(to_legacy.ok()) << to_legacy.error().describe();
  ASSERT_TRUE(formats::save_model(to_legacy->model, legacy_dir.path()).ok());
  auto back = formats::load_model(legacy_dir.path());
  ASSERT_TRUE(back.ok()) << back.error().describe();
  expect_same_program(original->program, back->program);
  ASSERT_EQ(back->weights.size(), original->weights.size());
  for (const auto& [name, t] : original->weights) {
    auto it = back->weights.find(name);
    ASSERT_NE(it, back->weights.end()) << name;
    EXPECT_TRUE(std::equal(t.bytes.begin(), t.bytes.end(), it->second.bytes.begin(),
                           it->second.bytes.end()))
        << name;
  }
}

INSTANTIATE_TEST_SUITE_P(Shared, LegacyToPirTest,
                         ::testing::Values("blazeface_p23", "hrnet_hand_kpt_p26",
                                           "picodet_layout_p251", "ppyolo_slider_fluid_p184",
                                           "ppyolo_tiny_650e_p24", "ppyoloe_plus_p24",
                                           "yolov3_mbv1_fluid_p201"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace detport
