// detport convert MODEL --to onnx -o model.onnx [--opset N] [--exclude-nms] [--fp16]
// [--weights random] [--dry-run]: the ONNX export. Registered as the `convert` subcommand while
// cmd_convert.cc (--format/--target conversions) lives elsewhere; the two merge into one
// `convert` command.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "cli.h"
#include "export/onnx/onnx_export.h"
#include "formats/model_io.h"
#include "ir/random_weights.h"

namespace detport::cli {
namespace {

struct Options {
  std::string model;
  std::string model_file, params_file;
  std::string to;
  std::string out;
  int opset = 0;
  bool exclude_nms = false;
  bool fp16 = false;
  std::string weights;
  bool dry_run = false;
};

void print_plan(const onnx_export::ExportPlan& plan) {
  fmt::print("  ops exported     {}\n", plan.exported_ops);
  fmt::print("  opsets covering  {} to {}\n", plan.min_opset, plan.max_opset);
  for (const auto& n : plan.notes) fmt::print("  note             {}\n", n);
}

int run_export(const Options& o) {
  if (o.to != "onnx")
    return report(make_error(ErrorCode::kInvalidInput,
                             fmt::format("--to {}: this build converts to onnx only", o.to)));
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

}  // namespace

void add_export_onnx(CLI::App& app, Runner& run) {
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("convert", "Convert a model (--to onnx: export to ONNX)");
  cmd->add_option("MODEL", opts->model,
                  "model directory, path prefix or program file (or give --model-file)");
  cmd->add_option("--model-file", opts->model_file, "program file (overrides discovery)");
  cmd->add_option("--params-file", opts->params_file, "params file (overrides discovery)");
  cmd->add_option("--to", opts->to, "target format: onnx")->required();
  cmd->add_option("-o,--out", opts->out, "the ONNX file to write");
  cmd->add_option("--opset", opts->opset,
                  "ONNX opset (11-17); default: the lowest that covers the model");
  cmd->add_flag("--exclude-nms", opts->exclude_nms,
                "cut the graph before NMS: outputs are the NMS inputs, boxes and scores");
  cmd->add_flag("--fp16", opts->fp16,
                "store float32 weights as float16 (cast back to float32 in the graph)");
  cmd->add_option("--weights", opts->weights,
                  "'random': fill missing weights of a graph-only model with seeded values");
  cmd->add_flag("--dry-run", opts->dry_run,
                "check the model and report every op that cannot be exported; write nothing");
  cmd->callback([opts, &run] { run = [opts] { return run_export(*opts); }; });
}

}  // namespace detport::cli
