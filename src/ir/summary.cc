#include "ir/summary.h"

#include <algorithm>
#include <unordered_map>

namespace detport::ir {
namespace {

TensorInfo tensor_info(const Block& block, const std::string& name) {
  TensorInfo info{name, std::nullopt, {}};
  if (const Var* v = block.find_var(name); v != nullptr && v->tensor) {
    info.dtype = v->tensor->dtype;
    info.dims = v->tensor->dims;
  }
  return info;
}

// Dims with a dynamic batch taken as 1; nullopt if any other dim is dynamic.
std::optional<std::vector<int64_t>> static_dims(const Var* v) {
  if (v == nullptr || !v->tensor) return std::nullopt;
  std::vector<int64_t> dims = v->tensor->dims;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] >= 0) continue;
    if (i == 0)
      dims[i] = 1;
    else
      return std::nullopt;
  }
  return dims;
}

double product(const std::vector<int64_t>& d, std::size_t from, std::size_t to) {
  double p = 1;
  for (std::size_t i = from; i < to && i < d.size(); ++i) p *= static_cast<double>(d[i]);
  return p;
}

// FLOPs of one conv or matmul op, or nullopt if its shapes are not static.
std::optional<double> op_flops(const Op& op,
                               const std::unordered_map<std::string_view, const Var*>& vars) {
  auto var = [&](std::span<const std::string> args) -> const Var* {
    if (args.empty()) return nullptr;
    auto it = vars.find(args.front());
    return it == vars.end() ? nullptr : it->second;
  };
  if (op.type == "conv2d" || op.type == "depthwise_conv2d" || op.type == "conv2d_transpose" ||
      op.type == "depthwise_conv2d_transpose" || op.type == "deformable_conv" ||
      op.type == "conv3d") {
    auto filter = static_dims(var(op.input("Filter")));
    const bool transpose = op.type.find("transpose") != std::string::npos;
    // For convs the output carries the spatial size; transposed convs do the work per input pixel.
    auto act = static_dims(var(transpose ? op.input("Input") : op.output("Output")));
    if (!filter || !act || filter->size() < 3 || act->size() < 3) return std::nullopt;
    // filter [Cout, Cin/g, k...] (transposed: [Cin, Cout/g, k...]); act [N, C, spatial...]
    const double per_pixel = product(*filter, 1, filter->size());
    const double pixels = product(*act, 2, act->size()) * static_cast<double>((*act)[0]);
    const double channels = static_cast<double>((*filter)[0]);
    return 2.0 * per_pixel * pixels * channels;
  }
  if (op.type == "matmul" || op.type == "matmul_v2" || op.type == "mul") {
    auto x = static_dims(var(op.input("X")));
    auto out = static_dims(var(op.output("Out")));
    if (!x || !out || x->empty() || out->empty()) return std::nullopt;
    bool trans_x = op.bool_attr(op.type == "matmul" ? "transpose_X" : "trans_x", false);
    double k;
    if (op.type == "mul") {
      const auto xcols = static_cast<std::size_t>(op.int_attr("x_num_col_dims", 1));
      k = product(*x, xcols, x->size());
    } else {
      k = static_cast<double>(x->size() == 1 ? (*x)[0]
                                             : (trans_x ? (*x)[x->size() - 2] : x->back()));
    }
    return 2.0 * k * product(*out, 0, out->size());
  }
  return std::nullopt;
}

bool is_flops_op(const std::string& type) {
  return type.find("conv") != std::string::npos || type == "matmul" || type == "matmul_v2" ||
         type == "mul" || type == "deformable_conv";
}

}  // namespace

ModelSummary summarize(const Model& model) {
  ModelSummary s;
  const Program& p = model.program;
  if (p.blocks.empty()) return s;
  const Block& global = p.global_block();
  for (const IoTarget& t : feed_targets(p)) s.inputs.push_back(tensor_info(global, t.name));
  for (const IoTarget& t : fetch_targets(p)) s.outputs.push_back(tensor_info(global, t.name));

  std::map<std::string, int64_t> counts;
  std::unordered_map<std::string_view, const Var*> vars;
  for (const Block& b : p.blocks) {
    ++s.block_count;
    s.var_count += static_cast<int64_t>(b.vars.size());
    for (const Var& v : b.vars) vars.emplace(v.name, &v);
  }
  for (const Block& b : p.blocks) {
    for (const Op& op : b.ops) {
      ++s.op_count;
      ++counts[op.type];
      if (!is_flops_op(op.type)) continue;
      if (auto f = op_flops(op, vars)) {
        s.flops.flops += *f;
        ++s.flops.counted_ops;
      } else {
        ++s.flops.unknown_ops;
      }
    }
  }
  // With a map present, an op it does not list is at version 0; without one, versions are unknown.
  for (const auto& [type, count] : counts)
    s.ops.push_back(
        {type, count,
         p.op_version_map ? std::optional<int32_t>(p.op_version(type).value_or(0)) : std::nullopt});
  std::stable_sort(s.ops.begin(), s.ops.end(),
                   [](const OpTypeCount& a, const OpTypeCount& b) { return a.count > b.count; });

  for (const std::string& name : persistable_names(p)) {
    ++s.persistable_count;
    auto found = vars.find(name);
    const Var* v = found == vars.end() ? nullptr : found->second;
    if (auto it = model.weights.find(name); it != model.weights.end()) {
      s.param_bytes += static_cast<int64_t>(it->second.bytes.size());
      ++s.param_dtypes[var_type_name(it->second.dtype)];
    } else if (v != nullptr && v->tensor) {
      s.param_bytes += std::max<int64_t>(0, checked_numel(v->tensor->dims).value_or(0)) *
                       static_cast<int64_t>(dtype_size(v->tensor->dtype));
      ++s.param_dtypes[var_type_name(v->tensor->dtype)];
    }
  }
  return s;
}

}  // namespace detport::ir
