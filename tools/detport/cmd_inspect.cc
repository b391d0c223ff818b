// detport inspect MODEL [--json]: what is inside an export.
#include <fmt/format.h>

#include "cli.h"
#include "formats/model_io.h"
#include "inspect_report.h"

namespace detport::cli {

void add_inspect(CLI::App& app, Runner& run) {
  struct Options {
    std::string model;
    std::string model_file, params_file;
    bool json = false;
    bool ops = false;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "inspect", "Show format, producing release, inputs/outputs, ops, params and FLOPs");
  cmd->add_option("MODEL", opts->model,
                  "model directory, path prefix or program file (or give --model-file)");
  cmd->add_option("--model-file", opts->model_file, "program file (overrides discovery)");
  cmd->add_option("--params-file", opts->params_file, "params file (overrides discovery)");
  cmd->add_flag("--json", opts->json, "print the stable JSON document (schema detport.inspect/1)");
  cmd->add_flag("--ops", opts->ops, "list every op with its inputs, outputs and attributes");
  cmd->callback([opts, &run] {
    run = [opts] {
      if (opts->model.empty() && opts->model_file.empty())
        return report(make_error(ErrorCode::kInvalidInput, "inspect needs MODEL or --model-file"));
      formats::LoadOptions lo;
      if (!opts->model_file.empty()) lo.model_file = opts->model_file;
      if (!opts->params_file.empty()) lo.params_file = opts->params_file;
      auto model = formats::load_model(opts->model, lo);
      if (!model.ok()) return report(model.error());
      const auto summary = ir::summarize(*model);
      if (opts->json)
        fmt::print("{}\n", inspect_json(*model, summary).dump(2));
      else
        fmt::print("{}", inspect_text(*model, summary));
      if (opts->ops && !opts->json) fmt::print("\n{}", ops_text(*model));
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace detport::cli
