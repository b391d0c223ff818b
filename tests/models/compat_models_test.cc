// The release data against the real exports in ../shared/models: it predicts each export's
// op_version_map and the attribute sets and slots each op carries; and the rules, run on the real
// models, find what the data says differs.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "compat/catalog.h"
#include "compat/checker.h"
#include "compat/export_form.h"
#include "formats/model_io.h"
#include "test_support.h"

namespace detport::compat {
namespace {

namespace fs = std::filesystem;
using testing::models_dir;

const Catalog& catalog() {
  static const Catalog c = [] {
    auto r = Catalog::load_builtin();
    if (!r.ok()) ADD_FAILURE() << r.error().describe();
    return std::move(r).value();
  }();
  return c;
}

Result<ir::Model> load(const std::string& dir) {
  formats::LoadOptions lo;
  lo.load_deploy_config = false;
  lo.load_weights = false;
  return formats::load_model(models_dir() / dir, lo);
}

std::optional<Finding> find(const Report& r, std::string_view rule,
                            std::string_view title_part = {}) {
  for (const Finding& f : r.findings)
    if (f.rule == rule && f.title.find(title_part) != std::string::npos) return f;
  return std::nullopt;
}

Report check_against(const ir::Model& m, const std::string& target) {
  auto t = catalog().resolve(target);
  EXPECT_TRUE(t.ok());
  return check(m, catalog(), **t, target);
}

struct Export {
  std::string dir;
  std::string release;  // the exporting release (ProgramDesc.version)
  bool has_map;
};

const std::vector<Export> kExports{
    {"ppyolo_slider_fluid_p184", "1.8.4", false},
    {"yolov3_mbv1_fluid_p201", "2.0.1", true},
    {"blazeface_p23", "2.3.0", false},
    {"ppyolo_tiny_650e_p24", "2.4.0", true},
    {"ppyoloe_plus_p24", "2.4.0", true},
    {"picodet_layout_p251", "2.5.1", true},
    {"hrnet_hand_kpt_p26", "2.6.0", true},
};

void PrintTo(const Export& e, std::ostream* os) {
  *os << e.dir;
}

class RealExport : public ::testing::TestWithParam<Export> {};

TEST_P(RealExport, TheDataPredictsItsOpVersionMapExactly) {
  const Export& e = GetParam();
  DETPORT_REQUIRE_SHARED(models_dir() / e.dir);
  auto m = load(e.dir);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  ASSERT_EQ(m->meta.producer->to_string(), e.release);
  const ReleaseData* data = catalog().find(*m->meta.producer);
  ASSERT_NE(data, nullptr);
  if (!e.has_map) {
    EXPECT_FALSE(m->program.op_version_map.has_value());
    if (e.release == "1.8.4") {
      EXPECT_FALSE(data->op_version_map.written);
    }
    return;
  }
  ASSERT_TRUE(data->op_version_map.entries.has_value()) << data->name;
  // Same entries in the same order (the exporter's hash-map order, which the data records).
  EXPECT_EQ(*m->program.op_version_map, *data->op_version_map.entries);
  // And each op's registry version agrees with the map for the ops the model uses, where the data
  // took it from this map (arg_max keeps its checkpoint in 2.5+ though the map no longer lists it).
  for (const ir::Op& op : m->program.global_block().ops) {
    const OpInfo* info = data->op(op.type);
    if (info != nullptr && info->version && info->version_evidence == Evidence::kTested) {
      EXPECT_EQ(m->program.op_version(op.type).value_or(0), *info->version) << op.type;
    }
  }
}

TEST_P(RealExport, TheDataPredictsTheAttributesAndSlotsEveryOpCarries) {
  const Export& e = GetParam();
  DETPORT_REQUIRE_SHARED(models_dir() / e.dir);
  auto m = load(e.dir);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  const ReleaseData* data = catalog().find(*m->meta.producer);
  ASSERT_NE(data, nullptr);
  const ExportInfo& ex = data->export_rules;
  std::size_t checked = 0;
  for (const ir::Op& op : m->program.global_block().ops) {
    const OpInfo* info = data->op(op.type);
    ASSERT_NE(info, nullptr) << op.type << " is not in the " << data->name << " data";
    EXPECT_TRUE(info->complete) << op.type;
    // What the exporter writes: declared attributes, minus extras and the clipped common ones
    // when it clips this op (an op without extras keeps everything); plus the common ones.
    std::set<std::string> predicted;
    const bool clipped = ex.clip_extra_attrs && info->has_extras();
    for (const auto& [name, a] : info->attrs)
      if (!(clipped && a.extra)) predicted.insert(name);
    for (const std::string& c : ex.common_attrs)
      if (!(clipped &&
            std::count(ex.clipped_common_attrs.begin(), ex.clipped_common_attrs.end(), c)))
        predicted.insert(c);
    std::set<std::string> actual;
    for (const ir::NamedAttribute& a : op.attrs) actual.insert(a.name);
    EXPECT_EQ(actual, predicted) << op.type << " in " << e.dir;
    std::set<std::string> in_pred, in_actual, out_pred, out_actual;
    for (const auto& [name, s] : info->inputs) in_pred.insert(name);
    for (const auto& [name, s] : info->outputs)
      if (!(ex.clip_extra_outputs && s.extra)) out_pred.insert(name);
    for (const ir::Slot& s : op.inputs) in_actual.insert(s.name);
    for (const ir::Slot& s : op.outputs) out_actual.insert(s.name);
    EXPECT_EQ(in_actual, in_pred) << op.type << " inputs in " << e.dir;
    EXPECT_EQ(out_actual, out_pred) << op.type << " outputs in " << e.dir;
    ++checked;
  }
  EXPECT_GT(checked, 100u);
}

TEST_P(RealExport, LoadsAndComputesTheSameInItsOwnRelease) {
  const Export& e = GetParam();
  DETPORT_REQUIRE_SHARED(models_dir() / e.dir);
  auto m = load(e.dir);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  const Report r = check_against(*m, e.release);
  EXPECT_EQ(r.verdict(), Verdict::kLoads) << r.headline();
  EXPECT_EQ(r.count(Severity::kSlow), 0u);
}

INSTANTIATE_TEST_SUITE_P(Shared, RealExport, ::testing::ValuesIn(kExports),
                         [](const ::testing::TestParamInfo<Export>& p) { return p.param.dir; });

TEST(RealModelRules, PpyoloePlusFromTwoPointFourRunsSlowerOnTwoPointThree) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyoloe_plus_p24");
  auto m = load("ppyoloe_plus_p24");
  ASSERT_TRUE(m.ok());
  const Report r = check_against(*m, "2.3.2");
  auto f = find(r, "extra-attr-default", "conv2d.use_cudnn");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kSlow);
  EXPECT_EQ(f->op_count, 108u);  // every conv2d (REAL_MODELS_OPS.md)
  EXPECT_TRUE(find(r, "producer-newer"));
  EXPECT_EQ(r.verdict(), Verdict::kSlower);
}

// The case: a PP-YOLOE+ in Paddle 2.6's export form, run on 2.3.2. The real 2.4.0 export
// is put into 2.6.1's form with the 2.6 data (what 2.6's exporter strips), then checked.
TEST(RealModelRules, PpyoloePlusInTwoPointSixFormOnTwoPointThreeTwo) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyoloe_plus_p24");
  auto m = load("ppyoloe_plus_p24");
  ASSERT_TRUE(m.ok());
  auto stats = apply_export_form(*m, *catalog().find({2, 6, 0}), {2, 6, 1});
  ASSERT_TRUE(stats.ok()) << stats.error().describe();
  const Report r = check_against(*m, "2.3.2");
  std::set<std::string> rules;
  for (const Finding& f : r.findings)
    rules.insert(f.rule + ":" + std::string(severity_name(f.severity)));
  // Each concrete difference and its consequence:
  EXPECT_TRUE(rules.count("producer-newer:info"));       // 2006001 > 2.3.2, not checked
  EXPECT_TRUE(rules.count("extra-attr-stripped:info"));  // swish.beta: same default 1.0
  EXPECT_TRUE(rules.count("output-stripped:info"));      // transpose2/squeeze2 XShape
  auto conv = find(r, "extra-attr-default", "conv2d.use_cudnn");
  auto softmax = find(r, "extra-attr-default", "softmax.use_cudnn");
  ASSERT_TRUE(conv && softmax);
  EXPECT_EQ(conv->severity, Severity::kSlow);
  EXPECT_EQ(softmax->severity, Severity::kSlow);
  auto beta = find(r, "extra-attr-stripped", "swish");
  ASSERT_TRUE(beta);
  EXPECT_EQ(beta->op_count, 89u);
  EXPECT_NE(beta->explanation.find("Cannot found attribute beta in op: swish"), std::string::npos);
  EXPECT_EQ(r.count(Severity::kBreaksLoad), 0u);
  EXPECT_EQ(r.count(Severity::kWrongResult), 0u);
}

TEST(RealModelRules, OpsAndOutputsOlderReleasesLack) {
  DETPORT_REQUIRE_SHARED(models_dir() / "picodet_layout_p251");
  auto tiny = load("ppyolo_tiny_650e_p24");
  ASSERT_TRUE(tiny.ok());
  auto missing = find(check_against(*tiny, "2.0.1"), "op-missing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->ops.at(0).type, "multiclass_nms3");

  auto pico = load("picodet_layout_p251");
  ASSERT_TRUE(pico.ok());
  auto xshape = find(check_against(*pico, "2.1"), "output-missing");
  ASSERT_TRUE(xshape);
  EXPECT_EQ(xshape->ops.at(0).type, "transpose2");
  EXPECT_TRUE(find(check_against(*pico, "2.3"), "output-stripped"));
  auto softmax = find(check_against(*pico, "2.4"), "extra-attr-default", "softmax.use_cudnn");
  ASSERT_TRUE(softmax);
  EXPECT_EQ(softmax->severity, Severity::kSlow);
}

TEST(RealModelRules, OldExportsOnNewerReleases) {
  DETPORT_REQUIRE_SHARED(models_dir() / "yolov3_mbv1_fluid_p201");
  auto yolo = load("yolov3_mbv1_fluid_p201");
  ASSERT_TRUE(yolo.ok());
  const Report on25 = check_against(*yolo, "2.5");
  auto bias = find(on25, "input-unknown", "conv2d input Bias");
  ASSERT_TRUE(bias);
  EXPECT_EQ(bias->severity, Severity::kInfo);  // empty in the export
  EXPECT_TRUE(find(on25, "attr-unknown"));
  EXPECT_TRUE(find(on25, "attr-missing", "yolo_box"));  // iou_aware, iou_aware_factor
  EXPECT_EQ(on25.verdict(), Verdict::kLoads);

  const Report on18 = check_against(*yolo, "1.8");
  EXPECT_TRUE(find(on18, "proto-field-dropped", "op_version_map"));
  auto conv = find(on18, "op-version-newer", "conv2d");
  ASSERT_TRUE(conv);
  EXPECT_EQ(conv->severity, Severity::kInfo);  // use_addto, default false

  auto slider = load("ppyolo_slider_fluid_p184");
  ASSERT_TRUE(slider.ok());
  EXPECT_TRUE(find(check_against(*slider, "2.3"), "proto-field-dropped", "OpCompatibleMap"));

  auto blaze = load("blazeface_p23");
  ASSERT_TRUE(blaze.ok());
  EXPECT_TRUE(find(check_against(*blaze, "2.4"), "op-version-map-missing"));
  auto hrnet = load("hrnet_hand_kpt_p26");
  ASSERT_TRUE(hrnet.ok());
  EXPECT_TRUE(find(check_against(*hrnet, "2.3"), "producer-newer"));
}

// PIR programs: their ops are not read yet (another module); the format rules need only the
// metadata, taken here from the file's base_code.
ir::Model pir_shell(const std::string& dir) {
  std::ifstream in(models_dir() / dir / "inference.json");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = nlohmann::json::parse(ss.str());
  ir::Model m;
  m.meta.format = ir::SourceFormat::kPir;
  m.meta.pir_version = j["base_code"]["version"].get<int64_t>();
  return m;
}

TEST(RealModelRules, PirExports) {
  DETPORT_REQUIRE_SHARED(models_dir() / "pir_pp_ocrv5_server_det_pirv3");
  const ir::Model v1 = pir_shell("pir_pp_doclayout_s");
  const ir::Model v2 = pir_shell("pir_pp_ocrv5_server_rec_pirv2");
  const ir::Model v3 = pir_shell("pir_pp_ocrv5_server_det_pirv3");
  EXPECT_TRUE(find(check_against(v1, "2.6.1"), "format-not-readable"));
  EXPECT_EQ(check_against(v1, "3.0.0").verdict(), Verdict::kLoads);
  auto newer = find(check_against(v2, "3.0.0"), "pir-version-newer");
  ASSERT_TRUE(newer);
  EXPECT_NE(newer->explanation.find("pool2d"), std::string::npos);
  EXPECT_TRUE(find(check_against(v3, "3.1"), "pir-version-newer"));
  EXPECT_EQ(check_against(v3, "3.2").verdict(), Verdict::kLoads);
}

}  // namespace
}  // namespace detport::compat
