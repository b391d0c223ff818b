// How long `detport check` takes: loading the release data, reading each real model in
// ../shared/models, and running the rules against a target (2.3.2, the case). The target
// is < 50 ms for the whole command on any of these models (DESIGN.md performance targets).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>

#include "compat/catalog.h"
#include "compat/checker.h"
#include "compat/export_form.h"
#include "formats/model_io.h"
#include "zoo/ppyoloe_like.h"

namespace {

namespace fs = std::filesystem;
using namespace detport;

const char* const kModels[] = {"blazeface_p23",         "hrnet_hand_kpt_p26",
                               "picodet_layout_p251",   "ppyolo_slider_fluid_p184",
                               "ppyolo_tiny_650e_p24",  "ppyoloe_plus_p24",
                               "yolov3_mbv1_fluid_p201"};

fs::path model_dir(const std::string& name) {
  return fs::path(DETPORT_SHARED_DIR) / "models" / name;
}

const compat::Catalog& catalog() {
  static const compat::Catalog c = compat::Catalog::load_builtin().value();
  return c;
}

void BM_LoadReleaseData(benchmark::State& state) {
  for (auto _ : state) {
    auto c = compat::Catalog::load_builtin();
    if (!c.ok()) state.SkipWithError(c.error().describe().c_str());
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_LoadReleaseData)->Unit(benchmark::kMillisecond);

// The rules alone, on a model already in memory.
void BM_CheckRules(benchmark::State& state, const std::string& name) {
  if (!fs::exists(model_dir(name))) {
    state.SkipWithError("../shared/models is not available");
    return;
  }
  formats::LoadOptions lo;
  lo.load_deploy_config = false;
  auto model = formats::load_model(model_dir(name), lo);
  if (!model.ok()) {
    state.SkipWithError(model.error().describe().c_str());
    return;
  }
  const compat::ReleaseData* target = *catalog().resolve("2.3.2");
  std::size_t findings = 0;
  for (auto _ : state) {
    auto report = compat::check(*model, catalog(), *target, "2.3.2");
    findings = report.findings.size();
    benchmark::DoNotOptimize(report);
  }
  state.counters["ops"] = static_cast<double>(model->program.global_block().ops.size());
  state.counters["findings"] = static_cast<double>(findings);
}

// What `detport check MODEL --target 2.3.2` does end to end: release data, model, rules.
void BM_CheckCommand(benchmark::State& state, const std::string& name) {
  if (!fs::exists(model_dir(name))) {
    state.SkipWithError("../shared/models is not available");
    return;
  }
  for (auto _ : state) {
    auto c = compat::Catalog::load_builtin();
    formats::LoadOptions lo;
    lo.load_deploy_config = false;
    auto model = formats::load_model(model_dir(name), lo);
    auto target = c->resolve("2.3.2");
    auto report = compat::check(*model, *c, **target, "2.3.2");
    benchmark::DoNotOptimize(report);
  }
}

// Reading the model alone (formats; part of the command above).
void BM_ReadModel(benchmark::State& state, const std::string& name) {
  if (!fs::exists(model_dir(name))) {
    state.SkipWithError("../shared/models is not available");
    return;
  }
  for (auto _ : state) {
    formats::LoadOptions lo;
    lo.load_deploy_config = false;
    auto model = formats::load_model(model_dir(name), lo);
    benchmark::DoNotOptimize(model);
  }
}

void BM_CheckAllReleases(benchmark::State& state) {
  ir::Model m = zoo::ppyoloe_like();
  auto stats = compat::apply_export_form(m, *catalog().find({2, 6, 0}), {2, 6, 1});
  if (!stats.ok()) state.SkipWithError(stats.error().describe().c_str());
  for (auto _ : state)
    for (const compat::ReleaseData& r : catalog().releases())
      benchmark::DoNotOptimize(compat::check(m, catalog(), r, r.name));
}
BENCHMARK(BM_CheckAllReleases)->Unit(benchmark::kMillisecond);

int register_models() {
  for (const char* name : kModels) {
    benchmark::RegisterBenchmark(("BM_CheckRules/" + std::string(name)).c_str(),
                                 [name](benchmark::State& s) { BM_CheckRules(s, name); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_ReadModel/" + std::string(name)).c_str(),
                                 [name](benchmark::State& s) { BM_ReadModel(s, name); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_CheckCommand/" + std::string(name)).c_str(),
                                 [name](benchmark::State& s) { BM_CheckCommand(s, name); })
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}
const int kRegistered = register_models();

}  // namespace

BENCHMARK_MAIN();
