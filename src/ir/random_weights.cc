#include "ir/random_weights.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

namespace detport::ir {
namespace {

enum class Role { kOther, kFilter, kMatrix, kBnScale, kBnVariance, kBnShift };

// What each weight is used for, from the ops that read it.
std::map<std::string, Role, std::less<>> roles(const Block& block) {
  std::map<std::string, Role, std::less<>> out;
  auto mark = [&](const Op& op, std::string_view slot, Role r) {
    for (const auto& a : op.input(slot)) out[a] = r;
  };
  for (const Op& op : block.ops) {
    if (op.type.find("conv") != std::string::npos) mark(op, "Filter", Role::kFilter);
    if (op.type.rfind("matmul", 0) == 0 || op.type == "mul" || op.type == "fc") {
      mark(op, "Y", Role::kMatrix);
      mark(op, "W", Role::kMatrix);
    }
    if (op.type.find("batch_norm") != std::string::npos || op.type == "layer_norm" ||
        op.type == "instance_norm" || op.type == "group_norm") {
      mark(op, "Scale", Role::kBnScale);
      mark(op, "Variance", Role::kBnVariance);
      mark(op, "Mean", Role::kBnShift);
      mark(op, "Bias", Role::kBnShift);
    }
  }
  return out;
}

// FNV-1a of the name, mixed with the seed: a per-tensor stream independent of fill order.
uint64_t stream_seed(std::string_view name, uint64_t seed) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (char ch : name) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

Result<std::vector<std::string>> fill_random_weights(Model& model, uint64_t seed) {
  std::vector<std::string> filled;
  if (model.program.blocks.empty()) return filled;
  const Block& block = model.program.global_block();
  const auto role = roles(block);
  for (const Var& v : block.vars) {
    if (!v.holds_weights() || model.weights.count(v.name)) continue;
    if (!v.tensor)
      return make_error(ErrorCode::kInvalidInput, "a persistable var without a declared shape",
                        v.name);
    auto n = checked_numel(v.tensor->dims);
    if (!n)
      return make_error(
          ErrorCode::kInvalidInput,
          fmt::format("persistable var has dims [{}]; random weights need static dims",
                      fmt::join(v.tensor->dims, ", ")),
          v.name);
    const DType t = v.tensor->dtype;
    const std::size_t count = static_cast<std::size_t>(*n);
    std::mt19937_64 rng(stream_seed(v.name, seed));
    const auto it = role.find(v.name);
    const Role r = it == role.end() ? Role::kOther : it->second;
    std::vector<double> values(count, 0.0);
    if (t == DType::kFloat32 || t == DType::kFloat64 || t == DType::kFloat16) {
      const auto& d = v.tensor->dims;
      double fan_in = 1;
      if (r == Role::kFilter && d.size() >= 2)
        for (std::size_t i = 1; i < d.size(); ++i) fan_in *= static_cast<double>(d[i]);
      if (r == Role::kMatrix && !d.empty()) fan_in = static_cast<double>(d.front());
      std::normal_distribution<double> normal(0.0, 1.0);
      std::uniform_real_distribution<double> uniform(0.5, 1.5);
      for (double& x : values) {
        switch (r) {
          case Role::kFilter:
          case Role::kMatrix:
            x = normal(rng) * std::sqrt(2.0 / std::max(fan_in, 1.0));
            break;
          case Role::kBnScale:
            x = 1.0 + 0.1 * normal(rng);
            break;
          case Role::kBnVariance:
            x = uniform(rng);
            break;
          default:
            x = 0.1 * normal(rng);
        }
      }
    }
    std::vector<std::byte> bytes(count * dtype_size(t));
    for (std::size_t i = 0; i < count; ++i) {
      std::byte* dst = bytes.data() + i * dtype_size(t);
      if (t == DType::kFloat32) {
        const float f = static_cast<float>(values[i]);
        std::memcpy(dst, &f, sizeof f);
      } else if (t == DType::kFloat64) {
        std::memcpy(dst, &values[i], sizeof(double));
      }
      // Other types (integers, bool, float16) stay zero.
    }
    if (!is_element_type(t) || dtype_size(t) == 0)
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("random weights of type {}", var_type_name(t)), v.name);
    model.weights[v.name] = Tensor::owned(t, v.tensor->dims, std::move(bytes));
    filled.push_back(v.name);
  }
  return filled;
}

Status randomize_weights(Model& model, uint64_t seed, bool replace_all) {
  if (replace_all && !model.program.blocks.empty())
    for (const Var& v : model.program.global_block().vars)
      if (v.holds_weights()) model.weights.erase(v.name);
  auto filled = fill_random_weights(model, seed);
  if (!filled.ok()) return filled.error();
  return {};
}

}  // namespace detport::ir
