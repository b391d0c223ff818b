#include "inspect_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unordered_map>

#include "formats/paddle_pir/pir_program.h"

namespace detport::cli {
namespace {

using json = nlohmann::ordered_json;

std::string dims_text(const std::vector<int64_t>& dims) {
  std::vector<std::string> parts;
  for (int64_t d : dims) parts.push_back(d < 0 ? "?" : std::to_string(d));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

json tensors_json(const std::vector<ir::TensorInfo>& list) {
  json out = json::array();
  for (const auto& t : list)
    out.push_back({{"name", t.name},
                   {"dtype", t.dtype ? json(ir::var_type_name(*t.dtype)) : json(nullptr)},
                   {"dims", t.dims}});
  return out;
}

const char* layout_name(ir::ParamsLayout l) {
  switch (l) {
    case ir::ParamsLayout::kNone:
      return "none";
    case ir::ParamsLayout::kCombined:
      return "combined";
    case ir::ParamsLayout::kSeparate:
      return "separate";
  }
  return "none";
}

const char* format_id(ir::SourceFormat f) {
  switch (f) {
    case ir::SourceFormat::kBuilt:
      return "built";
    case ir::SourceFormat::kLegacy:
      return "legacy";
    case ir::SourceFormat::kPir:
      return "pir";
  }
  return "unknown";
}

std::string human_bytes(int64_t b) {
  if (b >= (int64_t{1} << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(b) / (1 << 20));
  if (b >= 1024) return fmt::format("{:.1f} KiB", static_cast<double>(b) / 1024);
  return fmt::format("{} B", b);
}

std::string dtype_counts(const std::map<std::string, int64_t>& counts) {
  std::vector<std::string> parts;
  for (const auto& [dtype, n] : counts) parts.push_back(fmt::format("{} x{}", dtype, n));
  return parts.empty() ? std::string("none") : fmt::format("{}", fmt::join(parts, ", "));
}

std::string compact(const json& params) {
  std::vector<std::string> parts;
  for (auto it = params.begin(); it != params.end(); ++it)
    parts.push_back(fmt::format("{}={}", it.key(), it.value().dump()));
  return fmt::format("{}", fmt::join(parts, " "));
}

}  // namespace

json inspect_json(const ir::Model& model, const ir::ModelSummary& s) {
  const auto& files = model.meta.files;
  json j;
  j["schema"] = "detport.inspect/1";
  j["files"] = {
      {"program", files.program.string()},
      {"params", files.params ? json(files.params->string()) : json(nullptr)},
      {"deploy_config", files.deploy_config ? json(files.deploy_config->string()) : json(nullptr)}};
  j["format"] = format_id(model.meta.format);
  if (model.program.version) {
    const auto r = ir::Release::from_program_version(*model.program.version);
    j["producer"] = {{"program_version", *model.program.version},
                     {"release", r.to_string()},
                     {"develop_build", r.is_develop()}};
  } else {
    j["producer"] = nullptr;
  }
  j["pir_version"] = model.meta.pir_version ? json(*model.meta.pir_version) : json(nullptr);
  // The ops as the PIR document names them (parameter ops "p", builtin.combine/split included);
  // null for programs not read from PIR.
  const auto pir_ops = formats::pir::pir_op_counts(model.program);
  j["pir_ops"] = pir_ops.empty() ? json(nullptr) : json(pir_ops);
  j["op_version_map"] =
      model.program.op_version_map
          ? json{{"present", true}, {"entries", model.program.op_version_map->size()}}
          : json{{"present", false}, {"entries", 0}};
  j["op_compatible_map"] = model.program.op_compatible_map
                               ? json{{"entries", model.program.op_compatible_map->pairs.size()}}
                               : json(nullptr);
  j["inputs"] = tensors_json(s.inputs);
  j["outputs"] = tensors_json(s.outputs);
  j["blocks"] = s.block_count;
  j["vars"] = s.var_count;
  j["op_count"] = s.op_count;
  json ops = json::array();
  for (const auto& o : s.ops)
    ops.push_back({{"type", o.type},
                   {"count", o.count},
                   {"version", o.version ? json(*o.version) : json(nullptr)}});
  j["ops"] = std::move(ops);
  j["params"] = {{"persistable", s.persistable_count},
                 {"weights_present", model.has_weights()},
                 {"layout", layout_name(model.meta.params_layout)},
                 {"bytes", s.param_bytes},
                 {"dtypes", s.param_dtypes}};
  j["flops"] = {{"total", s.flops.flops},
                {"counted_ops", s.flops.counted_ops},
                {"unknown_ops", s.flops.unknown_ops}};
  if (model.meta.deploy) {
    const auto& d = *model.meta.deploy;
    json pre = json::array();
    for (const auto& t : d.preprocess) pre.push_back({{"type", t.type}, {"params", t.params}});
    json nms = nullptr;
    if (d.nms) nms = d.nms->params;
    j["deploy_config"] = {
        {"file", d.file},
        {"flavor", d.flavor == ir::DeployConfig::Flavor::kPaddleX ? "paddlex" : "paddledetection"},
        {"mode", d.mode},
        {"arch", d.arch},
        {"model_name", d.model_name},
        {"min_subgraph_size", d.min_subgraph_size ? json(*d.min_subgraph_size) : json(nullptr)},
        {"draw_threshold", d.draw_threshold ? json(*d.draw_threshold) : json(nullptr)},
        {"preprocess", std::move(pre)},
        {"label_count", d.label_list.size()},
        {"label_list", d.label_list},
        {"nms", std::move(nms)},
        {"fpn_stride", d.fpn_stride}};
  } else {
    j["deploy_config"] = nullptr;
  }
  return j;
}

std::string inspect_text(const ir::Model& model, const ir::ModelSummary& s) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    out += fmt::format("  {:<16}{}\n", key, value);
  };
  const auto& files = model.meta.files;
  out += fmt::format("{}\n",
                     files.program.empty() ? std::string("(in memory)") : files.program.string());
  line("format", model.meta.pir_version
                     ? fmt::format("{} (PIR version {})", ir::source_format_name(model.meta.format),
                                   *model.meta.pir_version)
                     : ir::source_format_name(model.meta.format));
  if (model.program.version) {
    const auto r = ir::Release::from_program_version(*model.program.version);
    line("written by", r.is_develop() ? "a develop build of Paddle (ProgramDesc.version 0)"
                                      : fmt::format("Paddle {} (ProgramDesc.version {})",
                                                    r.to_string(), *model.program.version));
  } else if (model.meta.format == ir::SourceFormat::kPir) {
    line("written by", "Paddle 3.x (PIR programs do not record the release)");
  } else {
    line("written by", "unknown (ProgramDesc.version absent)");
  }
  if (model.program.op_version_map)
    line("op versions",
         fmt::format("{} entries in op_version_map", model.program.op_version_map->size()));
  else if (model.program.op_compatible_map)
    line("op versions", fmt::format("none; a 1.x op_compatible_map with {} entries",
                                    model.program.op_compatible_map->pairs.size()));
  else
    line("op versions", "none (op_version_map absent)");
  line("program",
       fmt::format("{} block{}, {} vars, {} ops of {} types", s.block_count,
                   s.block_count == 1 ? "" : "s", s.var_count, s.op_count, s.ops.size()));
  line("params",
       fmt::format("{} persistable, {} ({}), weights {}", s.persistable_count,
                   human_bytes(s.param_bytes), dtype_counts(s.param_dtypes),
                   model.has_weights() ? (files.params ? "in " + files.params->filename().string()
                                                       : std::string("in one file per var"))
                                       : std::string("absent (graph only)")));
  std::string flops = fmt::format("{:.3f} GFLOPs", s.flops.flops / 1e9);
  if (s.flops.unknown_ops > 0)
    flops += fmt::format(" over {} conv/matmul ops; {} more have dynamic spatial dims",
                         s.flops.counted_ops, s.flops.unknown_ops);
  line("compute", flops);

  std::size_t width = 12;
  for (const auto* list : {&s.inputs, &s.outputs})
    for (const auto& t : *list) width = std::max(width, t.name.size() + 2);
  auto tensors = [&](const char* title, const std::vector<ir::TensorInfo>& list) {
    out += fmt::format("\n  {}\n", title);
    if (list.empty()) out += "    (none)\n";
    for (const auto& t : list)
      out += fmt::format("    {:<{}}{:<10}{}\n", t.name, width,
                         t.dtype ? ir::var_type_name(*t.dtype) : "?", dims_text(t.dims));
  };
  tensors("inputs (feed order)", s.inputs);
  tensors("outputs (fetch order)", s.outputs);

  out += fmt::format("\n  {:<28}{:>7}  {}\n", "op", "count", "version");
  for (const auto& o : s.ops)
    out += fmt::format("  {:<28}{:>7}  {}\n", o.type, o.count,
                       o.version ? std::to_string(*o.version) : "-");

  if (model.meta.deploy) {
    const auto& d = *model.meta.deploy;
    out += fmt::format("\n  deploy config   {}\n", d.file);
    if (!d.arch.empty())
      out += fmt::format("    arch          {}{}\n", d.arch,
                         d.mode.empty() ? "" : " (mode " + d.mode + ")");
    if (!d.model_name.empty()) out += fmt::format("    model name    {}\n", d.model_name);
    for (const auto& t : d.preprocess)
      out += fmt::format("    preprocess    {} {}\n", t.type, compact(t.params));
    if (!d.label_list.empty())
      out += fmt::format(
          "    labels        {}: {}{}\n", d.label_list.size(),
          fmt::join(d.label_list.begin(),
                    d.label_list.begin() + std::min<std::size_t>(d.label_list.size(), 8), ", "),
          d.label_list.size() > 8 ? ", ..." : "");
    if (d.draw_threshold) out += fmt::format("    threshold     {}\n", *d.draw_threshold);
    if (d.nms) out += fmt::format("    NMS           {}\n", compact(d.nms->params));
    if (!d.fpn_stride.empty())
      out += fmt::format("    fpn_stride    {}\n", fmt::join(d.fpn_stride, ", "));
  }
  return out;
}

std::string ops_text(const ir::Model& model) {
  std::string out;
  for (const auto& block : model.program.blocks) {
    std::unordered_map<std::string_view, const ir::Var*> vars;
    for (const auto& v : block.vars) vars.emplace(v.name, &v);
    auto arg = [&](const std::string& name) {
      auto it = vars.find(name);
      if (it == vars.end() || !it->second->tensor) return name;
      return fmt::format("{}{}", name, dims_text(it->second->tensor->dims));
    };
    auto slots = [&](const std::vector<ir::Slot>& list) {
      std::vector<std::string> parts;
      for (const auto& s : list) {
        std::vector<std::string> args;
        for (const auto& a : s.args) args.push_back(arg(a));
        parts.push_back(fmt::format("{}=({})", s.name, fmt::join(args, ", ")));
      }
      return fmt::format("{}", fmt::join(parts, " "));
    };
    out += fmt::format("block {} (parent {}): {} ops\n", block.idx, block.parent_idx,
                       block.ops.size());
    for (std::size_t i = 0; i < block.ops.size(); ++i) {
      const auto& op = block.ops[i];
      out += fmt::format("  [{}] {}  {} -> {}\n", i, op.type, slots(op.inputs), slots(op.outputs));
      std::vector<std::string> attrs;
      for (const auto& a : op.attrs)
        if (a.name != "op_callstack" && a.name != "op_namescope" && a.name != "op_role_var")
          attrs.push_back(fmt::format("{}={}", a.name, a.value.to_string()));
      if (!attrs.empty()) out += fmt::format("        {}\n", fmt::join(attrs, " "));
    }
  }
  return out;
}

}  // namespace detport::cli
