// A bench report: every (backend, threads, batch) combination measured in one interleaved run, with
// per-stage statistics, the native backend's per-op profile, the environment and a verdict.
// Serialised as JSON (schema detport.bench/1, docs/BENCH.md) so reports from different machines
// can be compared by `detport report`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/environment.h"
#include "bench/stats.h"
#include "core/result.h"

namespace detport::bench {

inline constexpr const char* kSchema = "detport.bench/1";

struct OpProfile {
  std::string name;  // op type (with fused ops) or node label
  std::string impl;
  int count = 0;       // nodes aggregated
  double seconds = 0;  // median per run, summed over the nodes
  double flops = 0;    // per run
  double share = 0;    // of the inference time
  double gflops_per_second() const { return seconds > 0 ? flops / seconds / 1e9 : 0; }
};

struct ComboResult {
  std::string backend;
  int threads = 1;
  int batch = 1;
  // Seconds per batch.
  Stats decode, preprocess, inference, postprocess, end_to_end;
  std::vector<double> end_to_end_samples;
  double images_per_second = 0;      // batch / p50 end-to-end
  double compile_seconds = 0;        // backend creation
  double first_run_seconds = 0;      // planning happens in the first run
  std::string plan;                  // the backend's one-line summary
  std::vector<OpProfile> op_types;   // by op type, most time first (native only)
  std::vector<OpProfile> top_nodes;  // the heaviest nodes
};

struct BenchReport {
  std::string schema = kSchema;
  std::string created;  // ISO 8601 UTC
  std::string model, model_name,
      input;               // path, short name, "synthetic 1280x720" or "images DIR (N)"
  double model_flops = 0;  // per image, from the profile
  double load_seconds = 0;
  double peak_rss_mib = 0;
  int warmup = 0, runs = 0;
  Environment environment;
  std::vector<ComboResult> combos;
  std::string verdict;
};

nlohmann::json to_json(const BenchReport& r);
Result<BenchReport> report_from_json(const nlohmann::json& j, const std::string& label);
Result<BenchReport> read_report(const std::string& path);

// One paragraph naming the bottleneck stage and op class and what would help.
std::string make_verdict(const BenchReport& r);
// Human-readable tables of one report.
std::string report_text(const BenchReport& r);

}  // namespace detport::bench
