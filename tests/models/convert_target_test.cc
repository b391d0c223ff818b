// detport convert --target: every shared model against every release in the data (clean or refused
// with the findings it cannot fix), A -> B -> A round trips, bit-identical outputs of the original
// and the converted model on the native runtime, and the command line (exit codes, atomic output,
// refusing to overwrite the input).
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "compat/catalog.h"
#include "compat/export_form.h"
#include "compat/rules.h"
#include "formats/model_io.h"
#include "ir/random_weights.h"
#include "pipeline/convert_target.h"
#include "runtime/session.h"
#include "same_outputs.h"
#include "test_support.h"
#include "zoo/picodet_like.h"
#include "zoo/ppyoloe_like.h"

namespace detport {
namespace {

namespace fs = std::filesystem;
using testing::models_dir;
using testing::run_detport;

const compat::Catalog& catalog() {
  static const compat::Catalog c = *compat::Catalog::load_builtin();
  return c;
}

std::vector<fs::path> shared_models() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(models_dir()))
    if (e.is_directory()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

ir::Model load_graph(const fs::path& dir) {
  formats::LoadOptions lo;
  lo.load_weights = false;
  auto m = formats::load_model(dir, lo);
  EXPECT_TRUE(m.ok()) << dir << ": " << m.error().describe();
  return m.ok() ? std::move(*m) : ir::Model{};
}

// Each shared model is read once for every test here, and its format stage (formats::convert_model,
// which depends only on the model and the plan) is computed once per distinct plan; the rewrites
// run for every release. convert_cached(g, r) composes the same stages as
// pipeline::convert_for_target(g.model, catalog(), r, r.name).
struct SharedGraph {
  ir::Model model;
  std::vector<std::pair<pipeline::FormatPlan, pipeline::TargetConvertResult>> formatted;
};

SharedGraph& shared_graph(const fs::path& dir) {
  static std::map<fs::path, SharedGraph> cache;
  auto it = cache.find(dir);
  if (it == cache.end()) it = cache.emplace(dir, SharedGraph{load_graph(dir), {}}).first;
  return it->second;
}

Result<pipeline::TargetConvertResult> convert_cached(SharedGraph& g, const compat::ReleaseData& r) {
  DETPORT_ASSIGN(pipeline::FormatPlan plan, pipeline::plan_format(g.model, r, r.name));
  for (const auto& [p, f] : g.formatted)
    if (p == plan) return pipeline::rewrite_converted(f, catalog(), r, r.name);
  DETPORT_ASSIGN(pipeline::TargetConvertResult f, pipeline::convert_format(g.model, plan));
  g.formatted.emplace_back(plan, f);
  return pipeline::rewrite_converted(std::move(f), catalog(), r, r.name);
}

bool blocking(const compat::Report& r) {
  return std::any_of(r.findings.begin(), r.findings.end(), compat::is_blocking);
}

// Every shared model x every release: converted and clean, or refused with blocking findings and a
// reason each; a model the target already accepts is never refused.
TEST(ConvertMatrix, EveryModelEveryReleaseIsCleanOrRefusedWithItsFindings) {
  DETPORT_REQUIRE_SHARED(models_dir());
  std::size_t converted = 0, refused = 0;
  std::string table;
  for (const fs::path& dir : shared_models()) {
    SharedGraph& g = shared_graph(dir);
    const ir::Model& m = g.model;
    table += dir.filename().string() + ":";
    for (const compat::ReleaseData& r : catalog().releases()) {
      const compat::Report before = compat::check(m, catalog(), r, r.name);
      auto conv = convert_cached(g, r);
      ASSERT_TRUE(conv.ok()) << dir << " -> " << r.name << ": " << conv.error().describe();
      if (conv->rewrite.refusals.empty()) {
        ++converted;
        table += " " + r.name;
        const compat::Report after = compat::check(conv->model, catalog(), r, r.name);
        for (const compat::Finding& f : after.findings)
          EXPECT_FALSE(compat::is_blocking(f)) << dir << " -> " << r.name << ": " << f.title;
      } else {
        ++refused;
        table += " (" + r.name + ")";
        EXPECT_TRUE(blocking(before)) << dir << " -> " << r.name << " was clean but refused";
        for (const compat::Refusal& f : conv->rewrite.refusals) {
          EXPECT_TRUE(compat::is_blocking(f.finding)) << f.finding.title;
          EXPECT_FALSE(f.reason.empty()) << f.finding.title;
        }
      }
    }
    table += "\n";
  }
  std::cout << "converted " << converted << ", refused " << refused << " (parenthesised)\n"
            << table;
  EXPECT_GT(converted, 0u);
}

TEST(ConvertMatrix, KnownOutcomes) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyolo_tiny_650e_p24");
  // 2.0 has no multiclass_nms3 and no op computes the same (PADDLE_FORMATS.md 3).
  const ir::Model& tiny = shared_graph(models_dir() / "ppyolo_tiny_650e_p24").model;
  auto old = pipeline::convert_for_target(tiny, catalog(), **catalog().resolve("2.0.1"), "2.0.1");
  ASSERT_TRUE(old.ok());
  bool nms = false;
  for (const compat::Refusal& r : old->rewrite.refusals)
    nms = nms || r.finding.title.find("multiclass_nms3") != std::string::npos;
  EXPECT_TRUE(nms);
  auto ok = pipeline::convert_for_target(tiny, catalog(), **catalog().resolve("2.3.2"), "2.3.2");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->rewrite.refusals.empty());
}

// PIR exports (Paddle 3) for 2.3-2.5, which read only .pdmodel: the conversion to legacy folds the
// int_array/scalar operands into the legacy attributes (pool2d ksize, ...), so nothing is refused
// and the check is clean. Before the folding, pool2d's `kernel_size` operand (and squeeze2's
// AxesTensor) were refused as inputs those releases do not know.
TEST(ConvertMatrix, PirExportsConvertCleanlyForTwoThreeToTwoFive) {
  DETPORT_REQUIRE_SHARED(models_dir() / "pir_pp_ocrv5_server_rec_pirv2");
  for (const fs::path& dir : shared_models()) {
    if (dir.filename().string().rfind("pir_", 0) != 0) continue;
    const ir::Model m = load_graph(dir);
    ASSERT_EQ(m.meta.format, ir::SourceFormat::kPir);
    for (const char* target : {"2.3.2", "2.4.2", "2.5.2"}) {
      SCOPED_TRACE(dir.filename().string() + " -> " + target);
      const compat::ReleaseData& r = **catalog().resolve(target);
      auto conv = pipeline::convert_for_target(m, catalog(), r, target);
      ASSERT_TRUE(conv.ok()) << conv.error().describe();
      for (const compat::Refusal& f : conv->rewrite.refusals) ADD_FAILURE() << f.finding.title;
      EXPECT_EQ(conv->model.meta.format, ir::SourceFormat::kLegacy);
      for (const compat::Finding& f : compat::check(conv->model, catalog(), r, target).findings)
        EXPECT_FALSE(compat::is_blocking(f)) << f.title;
      for (const auto& op : conv->model.program.global_block().ops)
        for (const auto& slot : op.inputs)
          EXPECT_TRUE(slot.name != "kernel_size" && slot.name != "output_size" &&
                      slot.name != "p" && !(op.type == "squeeze2" && slot.name == "AxesTensor"))
              << op.type << "." << slot.name;
    }
  }
}

// The value an absent attribute takes on release `r` (its data default), for comparing programs.
bool absent_means(const compat::ReleaseData& r, const std::string& op,
                  const ir::NamedAttribute& a) {
  const compat::OpInfo* info = r.op(op);
  const compat::AttrInfo* ai = info != nullptr ? info->attr(a.name) : nullptr;
  if (ai == nullptr) return true;  // the release does not read it
  if (!ai->default_value) return false;
  return compat::detail::same_value(compat::detail::attr_json(a.value), *ai->default_value);
}

// Slots with arguments: an empty slot and an absent one mean the same to Paddle.
std::vector<ir::Slot> used(const std::vector<ir::Slot>& slots) {
  std::vector<ir::Slot> out;
  for (const ir::Slot& s : slots)
    if (!s.args.empty()) out.push_back(s);
  return out;
}

// A -> B -> A, A the release that exported the model: same ops, slots, attribute values (an
// attribute dropped on the way must be one A fills with the same value), same persistable set.
TEST(ConvertRoundTrip, DowngradeAndBackReproducesTheProgram) {
  DETPORT_REQUIRE_SHARED(models_dir());
  std::size_t trips = 0;
  for (const fs::path& dir : shared_models()) {
    SharedGraph& g = shared_graph(dir);
    const ir::Model& a = g.model;
    if (!a.meta.producer || a.meta.producer->is_develop()) continue;
    const compat::ReleaseData* home = catalog().find(*a.meta.producer);
    if (home == nullptr) continue;
    const std::string home_name = a.meta.producer->to_string();
    for (const compat::ReleaseData& b : catalog().releases()) {
      if (&b == home) continue;
      auto there = convert_cached(g, b);
      ASSERT_TRUE(there.ok());
      if (!there->rewrite.refusals.empty()) continue;
      pipeline::TargetConvertOptions o;
      o.format = a.meta.format == ir::SourceFormat::kPir ? formats::TargetFormat::kPir
                                                         : formats::TargetFormat::kLegacy;
      auto back = pipeline::convert_for_target(there->model, catalog(), *home, home_name, o);
      ASSERT_TRUE(back.ok());
      ASSERT_TRUE(back->rewrite.refusals.empty())
          << dir << " " << b.name << " -> back: " << back->rewrite.refusals.front().finding.title;
      ++trips;
      const ir::Program& pa = a.program;
      const ir::Program& pb = back->model.program;
      ASSERT_EQ(pa.blocks.size(), pb.blocks.size()) << dir << " via " << b.name;
      for (std::size_t k = 0; k < pa.blocks.size(); ++k) {
        const auto& oa = pa.blocks[k].ops;
        const auto& ob = pb.blocks[k].ops;
        ASSERT_EQ(oa.size(), ob.size()) << dir << " via " << b.name;
        for (std::size_t i = 0; i < oa.size(); ++i) {
          ASSERT_EQ(oa[i].type, ob[i].type) << dir << " via " << b.name << " op " << i;
          EXPECT_TRUE(used(oa[i].inputs) == used(ob[i].inputs))
              << dir << " via " << b.name << " " << oa[i].type;
          for (const ir::NamedAttribute& at : oa[i].attrs) {
            const ir::Attribute* got = ob[i].attr(at.name);
            if (got == nullptr)
              EXPECT_TRUE(absent_means(*home, oa[i].type, at))
                  << dir << " via " << b.name << ": " << oa[i].type << "." << at.name;
            else
              EXPECT_TRUE(compat::detail::same_value(compat::detail::attr_json(*got),
                                                     compat::detail::attr_json(at.value)))
                  << dir << " via " << b.name << ": " << oa[i].type << "." << at.name << " "
                  << at.value.to_string() << " -> " << got->to_string();
          }
        }
      }
      EXPECT_EQ(ir::persistable_names(pa), ir::persistable_names(pb)) << dir << " via " << b.name;
    }
  }
  EXPECT_GT(trips, 0u);
}

std::vector<runtime::NamedTensor> random_inputs(const ir::Model& m) {
  std::vector<runtime::NamedTensor> in;
  uint64_t seed = 7;
  for (const ir::IoTarget& t : ir::feed_targets(m.program)) {
    const ir::Var* v = m.program.global_block().find_var(t.name);
    std::vector<int64_t> dims = v->tensor->dims;
    for (int64_t& d : dims) d = d < 0 ? 1 : d;
    runtime::Tensor x = runtime::Tensor::empty(v->tensor->dtype, dims);
    std::mt19937 rng(static_cast<uint32_t>(seed++));
    std::uniform_real_distribution<float> dist(0.5f, 1.5f);
    float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) p[i] = dist(rng);
    in.push_back({t.name, std::move(x)});
  }
  return in;
}

void expect_same_outputs(const ir::Model& a, const ir::Model& b) {
  auto sa = runtime::compile(a);
  auto sb = runtime::compile(b);
  ASSERT_TRUE(sa.ok()) << sa.error().describe();
  ASSERT_TRUE(sb.ok()) << sb.error().describe();
  const auto in = random_inputs(a);
  auto ra = sa->run(in);
  auto rb = sb->run(in);
  ASSERT_TRUE(ra.ok()) << ra.error().describe();
  ASSERT_TRUE(rb.ok()) << rb.error().describe();
  EXPECT_EQ(detport::testing::bitwise_differences(*ra, *rb), "");
}

TEST(ConvertRuntime, ConvertedModelsComputeBitIdenticalOutputs) {
  const ir::Release p261{2, 6, 1};
  for (ir::Model m : {zoo::ppyoloe_like(), zoo::picodet_like()}) {
    ASSERT_TRUE(compat::apply_export_form(m, *catalog().find(p261), p261).ok());
    for (const char* target : {"2.3.2", "2.1.0"}) {
      auto conv = pipeline::convert_for_target(m, catalog(), **catalog().resolve(target), target);
      ASSERT_TRUE(conv.ok());
      if (!conv->rewrite.refusals.empty()) continue;  // 2.1: multiclass_nms3 is missing
      expect_same_outputs(m, conv->model);
    }
  }
}

TEST(ConvertRuntime, SharedGraphOnlyModelsComputeTheSameWithRandomWeights) {
  DETPORT_REQUIRE_SHARED(models_dir() / "ppyoloe_plus_p24");
  for (const char* name : {"ppyoloe_plus_p24", "picodet_layout_p251"}) {
    ir::Model m = load_graph(models_dir() / name);
    ASSERT_TRUE(ir::randomize_weights(m).ok());
    auto conv = pipeline::convert_for_target(m, catalog(), **catalog().resolve("2.3.2"), "2.3.2");
    ASSERT_TRUE(conv.ok());
    ASSERT_TRUE(conv->rewrite.refusals.empty()) << name;
    expect_same_outputs(m, conv->model);
  }
}

}  // namespace
}  // namespace detport
