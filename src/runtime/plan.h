// A compiled plan for one set of input dims: the graph after shape inference, constant folding
// and passes, the kernels, and a memory arena laid out by value lifetimes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/graph.h"
#include "runtime/op_registry.h"
#include "runtime/session.h"

namespace detport::runtime {

class Plan {
 public:
  static Result<std::unique_ptr<Plan>> build(const Graph& base,
                                             const std::vector<TensorMeta>& inputs,
                                             const CompileOptions& options);
  Result<std::vector<NamedTensor>> execute(const std::vector<NamedTensor>& inputs,
                                           Profile* profile);
  std::string summary() const;
  const Graph& graph() const { return graph_; }
  std::size_t arena_bytes() const { return arena_bytes_; }

 private:
  Plan() = default;
  Status infer_and_fold(const CompileOptions& options);
  Status choose_kernels(const CompileOptions& options);
  Status plan_memory(const CompileOptions& options);
  Status infer_at_run_time(Node& node);

  Graph graph_;
  std::vector<std::unique_ptr<Kernel>> kernels_;  // by node index; null for removed nodes
  std::vector<int> order_;                        // node indices to run
  std::vector<double> flops_;                     // by node index
  std::vector<Tensor> values_;                    // by value id: constants, arena views, inputs
  std::vector<int64_t> offsets_;                  // by value id: arena offset, -1 if none
  std::shared_ptr<void> arena_;
  std::size_t arena_bytes_ = 0;
};

}  // namespace detport::runtime
