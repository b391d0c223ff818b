// detport convert MODEL --format onnx -o model.onnx [--opset N] [--exclude-nms] [--fp16]
// [--weights random] [--input-shape NAME=DIMS] [--dry-run]: the ONNX export.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli.h"
#include "convert_onnx.h"
#include "export/onnx/onnx_export.h"
#include "formats/model_io.h"
#include "ir/random_weights.h"

namespace detport::cli {
namespace {

// "image=1,3,640,640" -> ("image", {1, 3, 640, 640}).
Result<std::pair<std::string, std::vector<int64_t>>> parse_shape(const std::string& s) {
  const auto eq = s.find('=');
  if (eq == std::string::npos || eq == 0)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("--input-shape '{}': expected NAME=D0,D1,... (e.g. "
                                  "image=1,3,640,640)",
                                  s));
  std::vector<int64_t> dims;
  std::size_t pos = eq + 1;
  while (pos <= s.size()) {
    const auto comma = std::min(s.find(',', pos), s.size());
    try {
      std::size_t used = 0;
      const std::string part = s.substr(pos, comma - pos);
      dims.push_back(std::stoll(part, &used));
      if (used != part.size()) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("--input-shape '{}': '{}' is not a dimension", s,
                                    s.substr(pos, comma - pos)));
    }
    pos = comma + 1;
  }
  return std::pair{s.substr(0, eq), dims};
}

void print_plan(const onnx_export::ExportPlan& plan) {
  fmt::print("  ops exported     {}\n", plan.exported_ops);
  fmt::print("  opsets covering  {} to {}\n", plan.min_opset, plan.max_opset);
  for (const auto& n : plan.notes) fmt::print("  note             {}\n", n);
}

}  // namespace

int convert_to_onnx(const OnnxConvertOptions& o) {
  if (o.model.empty() && o.model_file.empty())
    return report(make_error(ErrorCode::kInvalidInput, "convert needs MODEL or --model-file"));
  if (o.out.empty() && !o.dry_run)
    return report(make_error(ErrorCode::kInvalidInput, "convert --to onnx needs -o FILE.onnx"));
  if (!o.weights.empty() && o.weights != "random")
    return report(make_error(ErrorCode::kInvalidInput,
                             fmt::format("--weights {}: the only choice is 'random'", o.weights)));
  formats::LoadOptions lo;
  if (!o.model_file.empty()) lo.model_file = o.model_file;
  if (!o.params_file.empty()) lo.params_file = o.params_file;
  auto model = formats::load_model(o.model, lo);
  if (!model.ok()) return report(model.error());
  if (o.weights == "random") {
    auto filled = ir::fill_random_weights(*model);
    if (!filled.ok()) return report(filled.error());
    if (!filled->empty())
      fmt::print("filled {} persistable var(s) with seeded random weights\n", filled->size());
  }
  onnx_export::ExportOptions eo;
  if (o.opset != 0) eo.opset = o.opset;
  eo.exclude_nms = o.exclude_nms;
  eo.fp16_weights = o.fp16;
  for (const auto& s : o.input_shapes) {
    auto parsed = parse_shape(s);
    if (!parsed.ok()) return report(parsed.error());
    eo.input_shapes[parsed->first] = parsed->second;
  }

  if (o.dry_run) {
    auto plan = onnx_export::plan_export(*model, eo);
    if (!plan.ok()) return report(plan.error());
    print_plan(*plan);
    if (!plan->ok())
      return report(make_error(plan->unsupported.empty() && plan->opset_conflicts.empty()
                                   ? ErrorCode::kInvalidInput
                                   : ErrorCode::kIncompatible,
                               plan->describe_problems()));
    fmt::print("exportable to ONNX with opset {}\n", plan->opset);
    return static_cast<int>(kOk);
  }

  onnx_export::ExportPlan plan;
  auto bytes = onnx_export::export_onnx_bytes(*model, eo, &plan);
  if (!bytes.ok()) return report(bytes.error());
  std::ofstream out(o.out, std::ios::binary | std::ios::trunc);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  out.close();
  if (!out) return report(make_error(ErrorCode::kIo, "cannot write the ONNX file", o.out));
  fmt::print("wrote {} ({:.1f} MiB, opset {}, checked by the ONNX checker and shape inference)\n",
             o.out, static_cast<double>(bytes->size()) / (1024.0 * 1024.0), plan.opset);
  print_plan(plan);
  return static_cast<int>(kOk);
}

}  // namespace detport::cli
