// detport bench MODEL: every stage and op timed, for every combination of backends, threads and
// batch sizes, interleaved; JSON and HTML reports; a verdict naming the bottleneck.
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <regex>

#include "bench/bench_runner.h"
#include "bench/report_html.h"
#include "cli.h"
#include "model_options.h"

namespace detport::cli {

void add_bench(CLI::App& app, Runner& run) {
  struct Options {
    ModelOptions model;
    std::string images, synthetic = "1280x720", json, html;
    std::vector<std::string> backends{"native"};
    std::vector<int> threads, batches{1};
    int warmup = 3, runs = 20;
    double seconds = 0;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("bench",
                                 "Time decode, preprocess, inference and postprocess, per op, "
                                 "across backends, threads and batches");
  o->model.add_to(*cmd);
  cmd->add_option("--images", o->images, "directory of images to cycle through");
  cmd->add_option("--synthetic", o->synthetic,
                  "size of a synthetic JPEG input, WxH (default 1280x720)");
  cmd->add_option("--backends", o->backends, "backends to compare (comma separated)")
      ->delimiter(',');
  cmd->add_option("--threads-list,--thread-counts", o->threads,
                  "thread counts to compare, e.g. 1,2")
      ->delimiter(',');
  cmd->add_option("--batch", o->batches, "batch sizes to compare, e.g. 1,4")->delimiter(',');
  cmd->add_option("--warmup", o->warmup, "untimed runs per configuration")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--runs", o->runs, "timed runs per configuration")->check(CLI::Range(1, 100000));
  cmd->add_option("--seconds", o->seconds, "time budget instead of --runs");
  cmd->add_option("--json", o->json, "write the report as JSON (schema detport.bench/1)");
  cmd->add_option("--html", o->html, "write a self-contained HTML report");
  cmd->callback([o, &run] {
    run = [o]() -> int {
      const auto t0 = std::chrono::steady_clock::now();
      auto model = o->model.load();
      if (!model.ok()) return report(model.error());
      const double load =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      bench::BenchOptions bo;
      bo.backends = o->backends;
      bo.threads = o->threads;
      if (bo.threads.empty() && o->model.threads > 0) bo.threads = {o->model.threads};
      bo.batches = o->batches;
      bo.warmup = o->warmup;
      bo.runs = o->runs;
      bo.seconds = o->seconds;
      if (!o->images.empty()) bo.images = o->images;
      std::smatch m;
      if (!std::regex_match(o->synthetic, m, std::regex("(\\d+)x(\\d+)")))
        return report(make_error(ErrorCode::kInvalidInput, "--synthetic takes WxH, e.g. 1280x720"));
      bo.synthetic_width = std::stoi(m[1]);
      bo.synthetic_height = std::stoi(m[2]);
      const ModelOptions mo = o->model;
      bo.make_backend = [mo](const ir::Model& mdl, const std::string& backend, int threads) {
        ModelOptions copy = mo;
        copy.threads = threads;
        copy.backend = backend;
        return copy.make_backend(mdl, /*profile=*/true);
      };
      bo.log = [](const std::string& s) { fmt::print(stderr, "{}\n", s); };
      auto r = bench::run_bench(*model, load, bo);
      if (!r.ok()) return report(r.error());
      fmt::print("{}", bench::report_text(*r));
      if (!o->json.empty()) {
        std::ofstream(o->json) << bench::to_json(*r).dump(1) << "\n";
        fmt::print("JSON report: {}\n", o->json);
      }
      if (!o->html.empty()) {
        std::ofstream(o->html) << bench::render_html({*r}, {""});
        fmt::print("HTML report: {}\n", o->html);
      }
      return static_cast<int>(kOk);
    };
  });
}

void add_report(CLI::App& app, Runner& run) {
  struct Options {
    std::vector<std::string> files;
    std::string html;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "report", "Compare bench reports from different machines, backends or models");
  cmd->add_option("REPORT", o->files, "bench JSON reports")->required();
  cmd->add_option("--html", o->html, "write a self-contained HTML comparison");
  cmd->callback([o, &run] {
    run = [o]() -> int {
      std::vector<bench::BenchReport> reports;
      std::vector<std::string> labels;
      for (const auto& f : o->files) {
        auto r = bench::read_report(f);
        if (!r.ok()) return report(r.error());
        reports.push_back(std::move(r).value());
        labels.push_back(std::filesystem::path(f).stem().string());
      }
      // Side by side: every configuration of every report, with its speed relative to the first.
      const double base =
          reports.front().combos.empty() ? 1 : reports.front().combos.front().end_to_end.p50;
      fmt::print("{:<28}{:<20}{:>5}{:>6}{:>11}{:>11}{:>10}{:>9}\n", "report", "model", "thr",
                 "batch", "e2e p50 ms", "infer ms", "images/s", "vs first");
      for (std::size_t i = 0; i < reports.size(); ++i)
        for (const auto& c : reports[i].combos)
          fmt::print("{:<28}{:<20}{:>5}{:>6}{:>11.2f}{:>11.2f}{:>10.1f}{:>8.2f}x\n",
                     labels[i] + " " + c.backend, reports[i].model_name, c.threads, c.batch,
                     c.end_to_end.p50 * 1e3, c.inference.p50 * 1e3, c.images_per_second,
                     base / std::max(c.end_to_end.p50, 1e-12));
      for (std::size_t i = 0; i < reports.size(); ++i)
        fmt::print("{}: {} / {} ({})\n", labels[i], reports[i].environment.cpu_model,
                   reports[i].environment.onednn_isa, reports[i].created);
      if (!o->html.empty()) {
        std::ofstream(o->html) << bench::render_html(reports, labels);
        fmt::print("HTML report: {}\n", o->html);
      }
      return static_cast<int>(kOk);
    };
  });
}

void add_doctor(CLI::App& app, Runner& run) {
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "doctor", "What this machine has: CPU ISA, cores, memory, library versions, GPUs");
  cmd->add_flag("--json", *json, "print as JSON");
  cmd->callback([json, &run] {
    run = [json]() -> int {
      const auto e = bench::probe_environment();
      if (*json)
        fmt::print("{}\n", bench::to_json(e).dump(2));
      else
        fmt::print("detport 0.1.0 on this machine\n{}", bench::to_text(e));
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace detport::cli
