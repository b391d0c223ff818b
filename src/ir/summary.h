// What `detport inspect` reports about a model, computed from the IR alone.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/model.h"

namespace detport::ir {

struct TensorInfo {
  std::string name;
  std::optional<DType> dtype;
  std::vector<int64_t> dims;  // -1 = dynamic
};

struct OpTypeCount {
  std::string type;
  int64_t count = 0;
  std::optional<int32_t> version;  // from the model's op_version_map
};

struct FlopsEstimate {
  double flops = 0;         // multiply-adds counted as 2, batch taken as 1 where dynamic
  int64_t counted_ops = 0;  // conv/matmul ops whose shapes were known
  int64_t unknown_ops = 0;  // conv/matmul ops with dynamic spatial dims
};

struct ModelSummary {
  std::vector<TensorInfo> inputs;
  std::vector<TensorInfo> outputs;
  std::vector<OpTypeCount> ops;  // by count, then name
  int64_t op_count = 0;          // every op of every block
  int64_t block_count = 0;
  int64_t var_count = 0;
  int64_t persistable_count = 0;
  int64_t param_bytes = 0;  // from the weights if present, else from VarDesc dims
  std::map<std::string, int64_t> param_dtypes;  // dtype name -> tensor count
  FlopsEstimate flops;
};

ModelSummary summarize(const Model& model);

}  // namespace detport::ir
