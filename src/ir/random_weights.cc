#include "ir/random_weights.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <random>
#include <unordered_map>

namespace detport::ir {
namespace {

// How a persistable var is used decides its distribution.
enum class Role {
  kGeneric,
  kConvFilter,
  kMatrix,
  kNormScale,
  kNormShift,
  kNormMean,
  kNormVariance
};

Role role_of(const Op& op, const std::string& slot) {
  const bool norm = op.type == "batch_norm" || op.type == "layer_norm" || op.type == "group_norm" ||
                    op.type == "instance_norm" || op.type == "sync_batch_norm";
  if (norm && slot == "Scale") return Role::kNormScale;
  if (norm && slot == "Bias") return Role::kNormShift;
  if (norm && slot == "Mean") return Role::kNormMean;
  if (norm && slot == "Variance") return Role::kNormVariance;
  if (slot == "Filter") return Role::kConvFilter;
  if ((op.type == "matmul" || op.type == "matmul_v2" || op.type == "mul") && slot == "Y")
    return Role::kMatrix;
  return Role::kGeneric;
}

}  // namespace

Status randomize_weights(Model& model, uint32_t seed, bool replace_all) {
  if (model.program.blocks.empty())
    return make_error(ErrorCode::kInvalidInput, "the program has no blocks");
  const Block& block = model.program.global_block();
  std::unordered_map<std::string_view, const Var*> vars;
  for (const Var& v : block.vars) vars.emplace(v.name, &v);
  // The first use of each var decides its role.
  std::unordered_map<std::string, Role> roles;
  for (const Op& op : block.ops)
    for (const Slot& s : op.inputs)
      for (const std::string& arg : s.args) roles.emplace(arg, role_of(op, s.name));
  std::mt19937 rng(seed);
  std::normal_distribution<double> standard(0.0, 1.0);
  std::uniform_real_distribution<double> positive(0.5, 1.5);
  int filled = 0;
  for (const std::string& name : persistable_names(model.program)) {
    if (!replace_all && model.weights.count(name) > 0) continue;
    const Var* var = vars.at(name);
    if (!var->tensor)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("persistable var '{}' declares no dims", name));
    const auto numel = checked_numel(var->tensor->dims);
    if (!numel)
      return make_error(
          ErrorCode::kInvalidInput,
          fmt::format(
              "persistable var '{}' has dynamic or overflowing dims; cannot invent its weights",
              name));
    if (*numel > (int64_t{1} << 31))
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("persistable var '{}' has {} elements", name, *numel));
    const DType dtype = var->tensor->dtype;
    const auto& dims = var->tensor->dims;
    const auto it = roles.find(name);
    const Role role = it == roles.end() ? Role::kGeneric : it->second;
    int64_t fan_in = 1;
    if (role == Role::kConvFilter && dims.size() == 4) fan_in = dims[1] * dims[2] * dims[3];
    if (role == Role::kMatrix && !dims.empty()) fan_in = dims.front();
    // Fan-in scaling keeps activations of order 1 through deep stacks of convolutions.
    const double stddev = role == Role::kConvFilter || role == Role::kMatrix
                              ? std::sqrt(1.0 / static_cast<double>(std::max<int64_t>(fan_in, 1)))
                              : 0.02;
    std::vector<double> values(static_cast<std::size_t>(*numel));
    for (double& v : values) {
      switch (role) {
        case Role::kNormScale:
          v = 1.0 + 0.01 * standard(rng);
          break;
        case Role::kNormShift:
        case Role::kNormMean:
          v = 0.01 * standard(rng);
          break;
        case Role::kNormVariance:
          v = positive(rng);
          break;
        default:
          v = stddev * standard(rng);
          break;
      }
    }
    std::vector<std::byte> bytes(static_cast<std::size_t>(*numel) * dtype_size(dtype));
    for (std::size_t i = 0; i < values.size(); ++i) {
      switch (dtype) {
        case DType::kFloat32: {
          const float f = static_cast<float>(values[i]);
          std::memcpy(bytes.data() + i * 4, &f, 4);
          break;
        }
        case DType::kFloat64:
          std::memcpy(bytes.data() + i * 8, &values[i], 8);
          break;
        case DType::kInt32: {
          const int32_t k = 0;
          std::memcpy(bytes.data() + i * 4, &k, 4);
          break;
        }
        case DType::kInt64: {
          const int64_t k = 0;
          std::memcpy(bytes.data() + i * 8, &k, 8);
          break;
        }
        default:
          break;  // other types: zeros
      }
    }
    model.weights[name] = Tensor::owned(dtype, dims, std::move(bytes));
    ++filled;
  }
  if (filled > 0 && model.meta.params_layout == ParamsLayout::kNone)
    model.meta.params_layout = ParamsLayout::kCombined;
  return {};
}

}  // namespace detport::ir
