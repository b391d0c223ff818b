// detport convert MODEL --format legacy|pir|onnx ... -o OUT: one command for every target format;
// with --target RELEASE, also for a Paddle release (convert_target.cc).
#include <fmt/format.h>

#include <filesystem>

#include "cli.h"
#include "convert_onnx.h"
#include "convert_target.h"
#include "formats/convert.h"
#include "formats/model_io.h"

namespace detport::cli {

void add_convert(CLI::App& app, Runner& run) {
  struct Options {
    std::string model, model_file, params_file, out, format, target, data;
    bool json = false, allow_approx = false;
    int64_t pir_version = -1;
    OnnxConvertOptions onnx;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "convert",
      "Write the model in another format (legacy .pdmodel, Paddle 3 PIR .json, ONNX), or for "
      "another Paddle release (--target)");
  cmd->add_option("MODEL", opts->model, "model directory, path prefix or program file");
  cmd->add_option("--model-file", opts->model_file, "program file (overrides discovery)");
  cmd->add_option("--params-file", opts->params_file, "params file (overrides discovery)");
  cmd->add_option("--format,--to", opts->format,
                  "legacy, pir or onnx (with --target: default the release's export format)")
      ->check(CLI::IsMember({"legacy", "pir", "onnx"}));
  cmd->add_option("--target", opts->target,
                  "make the model load and compute the same on this Paddle release, e.g. 2.3.2");
  cmd->add_flag("--json", opts->json,
                "--target: print the detport.convert/1 document (docs/CLI.md)");
  cmd->add_flag("--allow-approx", opts->allow_approx,
                "--target: allow rewrites that may change numbers (float64 -> float32), reported");
  cmd->add_option("--data", opts->data, "--target: release data directory instead of the built-in");
  cmd->add_option("--pir-version", opts->pir_version,
                  "PIR version to write (default: the model's own, else 1)");
  cmd->add_option("-o,--out", opts->out,
                  "output directory (created if missing); for onnx, the .onnx file");
  auto& x = opts->onnx;
  cmd->add_option("--opset", x.opset, "onnx: opset (11-17); default the lowest covering the model");
  cmd->add_flag("--exclude-nms", x.exclude_nms,
                "onnx: cut the graph before NMS; outputs are the NMS inputs, boxes and scores");
  cmd->add_flag("--fp16", x.fp16,
                "onnx: store float32 weights as float16 (cast back in the graph)");
  cmd->add_option("--weights", x.weights,
                  "onnx: 'random' fills missing weights of a graph-only model with seeded values");
  cmd->add_option("--input-shape", x.input_shapes,
                  "onnx: fix an input's dims, NAME=D0,D1,... (repeatable), e.g. image=1,3,640,640; "
                  "runtimes that need static shapes (OpenCV DNN) then get a static graph");
  cmd->add_flag("--dry-run", x.dry_run,
                "onnx, --target: report every op that cannot be exported (every change); write "
                "nothing");
  cmd->callback([opts, &run] {
    run = [opts] {
      if (!opts->target.empty()) {
        if (opts->format == "onnx")
          return report(make_error(ErrorCode::kInvalidInput,
                                   "--target makes a Paddle model; it does not combine with onnx"));
        TargetConvertCliOptions t;
        t.model = opts->model;
        t.model_file = opts->model_file;
        t.params_file = opts->params_file;
        t.out = opts->out;
        t.target = opts->target;
        t.format = opts->format;
        t.data = opts->data;
        t.dry_run = opts->onnx.dry_run;
        t.json = opts->json;
        t.allow_approx = opts->allow_approx;
        return convert_to_target(t);
      }
      if (opts->format.empty())
        return report(make_error(ErrorCode::kInvalidInput, "convert needs --format or --target"));
      if (opts->format == "onnx") {
        OnnxConvertOptions o = opts->onnx;
        o.model = opts->model;
        o.model_file = opts->model_file;
        o.params_file = opts->params_file;
        o.out = opts->out;
        return convert_to_onnx(o);
      }
      if (opts->model.empty() && opts->model_file.empty())
        return report(make_error(ErrorCode::kInvalidInput, "convert needs MODEL or --model-file"));
      if (opts->out.empty())
        return report(make_error(ErrorCode::kInvalidInput, "convert needs -o OUT_DIR"));
      formats::LoadOptions lo;
      if (!opts->model_file.empty()) lo.model_file = opts->model_file;
      if (!opts->params_file.empty()) lo.params_file = opts->params_file;
      auto model = formats::load_model(opts->model, lo);
      if (!model.ok()) return report(model.error());
      formats::ConvertOptions co;
      co.format =
          opts->format == "legacy" ? formats::TargetFormat::kLegacy : formats::TargetFormat::kPir;
      if (opts->pir_version >= 0) co.pir_version = opts->pir_version;
      auto converted = formats::convert_model(*model, co);
      if (!converted.ok()) return report(converted.error());
      std::error_code ec;
      std::filesystem::create_directories(opts->out, ec);
      if (ec)
        return report(
            make_error(ErrorCode::kIo, "cannot create the directory: " + ec.message(), opts->out));
      if (auto s = formats::save_model(converted->model, opts->out); !s.ok())
        return report(s.error());
      const auto& m = converted->model;
      fmt::print("wrote {}{}\n", (std::filesystem::path(opts->out) / m.meta.files.program).string(),
                 m.meta.pir_version ? fmt::format(" (PIR version {})", *m.meta.pir_version) : "");
      for (const auto& note : converted->notes) fmt::print("  {}\n", note);
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace detport::cli
