// detport check MODEL --target RELEASE [--json] [--all-releases]: what breaks when this model meets
// that Paddle release, and why. Exit 0 compatible (same results, perhaps slower), 1 incompatible
// (fails or computes differently), 2 unusable input.
#include <fmt/format.h>

#include "check_report.h"
#include "cli.h"
#include "compat/catalog.h"
#include "compat/checker.h"
#include "formats/model_io.h"

namespace detport::cli {

void add_check(CLI::App& app, Runner& run) {
  struct Options {
    std::string model, model_file, params_file, target, data;
    bool json = false;
    bool all = false;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "check", "Tell whether a Paddle release loads this model and computes the same, and why not");
  cmd->add_option("MODEL", opts->model, "model directory, path prefix or program file");
  cmd->add_option("--target", opts->target, "the Paddle release to check against, e.g. 2.3.2");
  cmd->add_flag("--all-releases", opts->all, "a matrix of the model against every known release");
  cmd->add_flag("--json", opts->json, "print the stable JSON document (docs/CLI.md)");
  cmd->add_option("--model-file", opts->model_file, "program file (overrides discovery)");
  cmd->add_option("--params-file", opts->params_file, "params file (overrides discovery)");
  cmd->add_option("--data", opts->data,
                  "release data directory instead of the built-in data/compat (also "
                  "$DETPORT_COMPAT_DATA)");
  cmd->callback([opts, &run] {
    run = [opts] {
      if (opts->model.empty() && opts->model_file.empty())
        return report(make_error(ErrorCode::kInvalidInput, "check needs MODEL or --model-file"));
      if (opts->target.empty() && !opts->all)
        return report(make_error(ErrorCode::kInvalidInput,
                                 "check needs --target RELEASE (e.g. 2.3.2) or --all-releases"));
      auto catalog = opts->data.empty() ? compat::Catalog::load_default()
                                        : compat::Catalog::load_dir(opts->data);
      if (!catalog.ok()) return report(catalog.error());
      const compat::ReleaseData* target = nullptr;
      if (!opts->target.empty()) {
        auto t = catalog->resolve(opts->target);
        if (!t.ok()) return report(t.error());
        target = *t;
      }
      formats::LoadOptions lo;
      lo.load_deploy_config = false;
      if (!opts->model_file.empty()) lo.model_file = opts->model_file;
      if (!opts->params_file.empty()) lo.params_file = opts->params_file;
      auto model = formats::load_model(opts->model, lo);
      if (!model.ok()) return report(model.error());

      if (opts->all) {
        std::vector<compat::Report> reports;
        for (const compat::ReleaseData& r : catalog->releases())
          reports.push_back(compat::check(*model, *catalog, r, r.name));
        if (opts->json)
          fmt::print("{}\n", matrix_json(*model, reports).dump(2));
        else
          fmt::print("{}", matrix_text(*model, reports));
        if (target == nullptr) return static_cast<int>(kOk);
        if (!opts->json) fmt::print("\n");
      }
      const compat::Report rep = compat::check(*model, *catalog, *target, opts->target);
      if (opts->json && !opts->all)
        fmt::print("{}\n", check_json(*model, rep, *catalog).dump(2));
      else if (!opts->json)
        fmt::print("{}", check_text(*model, rep, *catalog));
      const compat::Verdict v = rep.verdict();
      return static_cast<int>(
          v == compat::Verdict::kLoads || v == compat::Verdict::kSlower ? kOk : kIncompatible);
    };
  });
}

}  // namespace detport::cli
