// Runs every (backend, threads, batch) combination of a model through the whole pipeline,
// interleaving the combinations run by run so that drift in the machine's speed hits all alike.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/report.h"
#include "core/result.h"
#include "ir/model.h"
#include "runtime/backend.h"

namespace detport::bench {

using BackendFactory = std::function<Result<std::unique_ptr<runtime::Backend>>(
    const ir::Model&, const std::string& backend, int threads)>;

struct BenchOptions {
  std::vector<std::string> backends{"native"};
  std::vector<int> threads;  // empty: every core
  std::vector<int> batches{1};
  int warmup = 3;
  int runs = 20;
  double seconds = 0;  // > 0: run until this much time has passed (at least 3 runs each)
  std::optional<std::filesystem::path> images;  // a directory; else a synthetic JPEG
  int synthetic_width = 1280, synthetic_height = 720;
  BackendFactory make_backend;
  std::function<void(const std::string&)> log;  // progress lines
};

Result<BenchReport> run_bench(const ir::Model& model, double load_seconds,
                              const BenchOptions& options);

}  // namespace detport::bench
