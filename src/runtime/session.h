// The runtime's public API: compile an ir::Model once, run it many times.
//   auto session = detport::runtime::compile(model, options);
//   auto outputs = session->run({{"image", image}, {"scale_factor", sf}});
// Plans (shape inference, folding, fusion, layouts, memory, kernels) are built per distinct input
// shape and kept in a bounded LRU cache.
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/model.h"
#include "runtime/tensor.h"

namespace detport::runtime {

struct CompileOptions {
  int threads = 0;        // 0: every core
  bool fuse = true;       // graph passes (BN folding, post-op fusion, no-op removal); --no-fuse
  bool optimized = true;  // optimised kernels where available; false: reference only
  bool profile = false;   // time every node
  std::size_t plan_cache = 8;                           // plans kept for distinct input shapes
  std::size_t max_arena_bytes = std::size_t{16} << 30;  // refuse plans needing more
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct NodeProfile {
  std::string label;   // "conv2d #12 (-> conv2d_3.tmp_0)"
  std::string type;    // op type (fused ops appended: "conv2d+hard_swish")
  std::string impl;    // "onednn:brgconv:avx512_core", "reference", ...
  double seconds = 0;  // of the last run
  double flops = 0;
  double bytes = 0;  // inputs + outputs
};

struct Profile {
  std::vector<NodeProfile> nodes;
  double total_seconds = 0;
};

struct InputInfo {
  std::string name;
  DType dtype;
  Dims dims;  // as declared; -1 dynamic
};

class Plan;

class Session {
 public:
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  const std::vector<InputInfo>& inputs() const { return inputs_; }
  const std::vector<std::string>& output_names() const { return output_names_; }
  const CompileOptions& options() const { return options_; }

  // Runs the model; outputs are in fetch order and own their memory.
  Result<std::vector<NamedTensor>> run(const std::vector<NamedTensor>& inputs);
  // Builds (or finds) the plan for these input dims without running; returns its summary.
  Status prepare(const std::vector<NamedTensor>& inputs);

  // Profile of the last run (when options.profile) and a summary of the current plan.
  const Profile& profile() const { return profile_; }
  std::size_t cached_plans() const { return cache_.size(); }
  // Arena bytes, kernel count by implementation, fused nodes... of the last used plan.
  std::string plan_summary() const;

 private:
  friend Result<Session> compile(const ir::Model& model, const CompileOptions& options);
  Session();
  Result<Plan*> plan_for(const std::vector<NamedTensor>& inputs);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  CompileOptions options_;
  std::vector<InputInfo> inputs_;
  std::vector<std::string> output_names_;
  std::list<std::pair<std::string, std::unique_ptr<Plan>>> cache_;  // most recent first
  Plan* last_ = nullptr;
  Profile profile_;
};

// Checks that every op is supported (listing all unsupported ones at once) and prepares the graph.
Result<Session> compile(const ir::Model& model, const CompileOptions& options = {});

// Op types of the model that have no kernel, with their counts (empty when all are supported).
std::vector<std::pair<std::string, int>> unsupported_ops(const ir::Model& model);

}  // namespace detport::runtime
