// detport convert MODEL --format legacy|pir [--pir-version N] -o OUT_DIR
#include <fmt/format.h>

#include <filesystem>

#include "cli.h"
#include "formats/convert.h"
#include "formats/model_io.h"

namespace detport::cli {

void add_convert(CLI::App& app, Runner& run) {
  struct Options {
    std::string model, model_file, params_file, out, format;
    int64_t pir_version = -1;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "convert", "Write the model in another format: legacy .pdmodel or Paddle 3 PIR .json");
  cmd->add_option("MODEL", opts->model, "model directory, path prefix or program file");
  cmd->add_option("--model-file", opts->model_file, "program file (overrides discovery)");
  cmd->add_option("--params-file", opts->params_file, "params file (overrides discovery)");
  cmd->add_option("--format", opts->format, "legacy or pir")
      ->required()
      ->check(CLI::IsMember({"legacy", "pir"}));
  cmd->add_option("--pir-version", opts->pir_version,
                  "PIR version to write (default: the model's own, else 1)");
  cmd->add_option("-o,--out", opts->out, "output directory (created if missing)")->required();
  cmd->callback([opts, &run] {
    run = [opts] {
      if (opts->model.empty() && opts->model_file.empty())
        return report(make_error(ErrorCode::kInvalidInput, "convert needs MODEL or --model-file"));
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
