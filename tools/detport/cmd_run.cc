// detport run MODEL INPUT... : the whole detection pipeline, driven by the model's deploy config.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "cli.h"
#include "model_options.h"
#include "pipeline/runner.h"

namespace detport::cli {
namespace {

void progress_bar(std::size_t done, std::size_t total) {
  const int width = 30;
  const int filled = static_cast<int>(width * done / std::max<std::size_t>(total, 1));
  fmt::print(stderr, "\r[{}{}] {}/{}", std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(width - filled), '.'), done, total);
  if (done == total) fmt::print(stderr, "\n");
}

}  // namespace

void add_run(CLI::App& app, Runner& run) {
  struct Options {
    ModelOptions model;
    std::vector<std::string> inputs;
    std::string out;
    float threshold = -1;
    int batch = 1;
    bool json = false;
    bool reduced_decode = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "run", "Detect objects in images with the model's own preprocessing and post-processing");
  o->model.add_to(*cmd);
  cmd->add_option("INPUT", o->inputs, "images, directories of images, or .txt lists of image paths")
      ->required();
  cmd->add_option("--out", o->out,
                  "write results.json (COCO results), images.json and drawn images here");
  cmd->add_option("--threshold", o->threshold,
                  "score threshold (default: the config's draw_threshold)");
  cmd->add_option("--batch", o->batch, "images per batch")->check(CLI::Range(1, 256));
  cmd->add_flag("--json", o->json, "print the detections as JSON on stdout");
  cmd->add_flag("--reduced-decode", o->reduced_decode,
                "decode JPEGs at 1/2..1/8 scale when the resize allows");
  cmd->callback([o, &run] {
    run = [o]() -> int {
      auto model = o->model.load();
      if (!model.ok()) return report(model.error());
      auto backend = o->model.make_backend(*model);
      if (!backend.ok()) return report(backend.error());
      pipeline::DetectorOptions dopts;
      if (o->threshold >= 0) dopts.threshold = o->threshold;
      dopts.reduced_decode = o->reduced_decode;
      auto detector = pipeline::Detector::create(*model, std::move(backend).value(), dopts);
      if (!detector.ok()) return report(detector.error());
      auto inputs = pipeline::expand_inputs(o->inputs);
      for (const auto& p : inputs.problems) fmt::print(stderr, "detport: warning: {}\n", p);
      if (inputs.images.empty())
        return report(make_error(ErrorCode::kInvalidInput, "no images to run"));
      pipeline::RunOptions ropts;
      ropts.batch = o->batch;
      if (!o->out.empty()) ropts.out_dir = o->out;
      if (isatty(STDERR_FILENO) && inputs.images.size() > 4) ropts.progress = progress_bar;
      auto summary = pipeline::run_images(*detector, inputs.images, ropts);
      if (!summary.ok()) return report(summary.error());
      for (const auto& p : summary->problems) fmt::print(stderr, "detport: skipped: {}\n", p);
      if (o->json) {
        nlohmann::json j = nlohmann::json::array();
        for (const auto& item : summary->items) {
          nlohmann::json boxes = nlohmann::json::array();
          for (const auto& d : item.detections.boxes) {
            const auto& labels = detector->labels();
            boxes.push_back(
                {{"class_id", d.class_id},
                 {"label", d.class_id >= 0 && static_cast<std::size_t>(d.class_id) < labels.size()
                               ? labels[static_cast<std::size_t>(d.class_id)]
                               : ""},
                 {"score", d.score},
                 {"bbox", {d.x1, d.y1, d.x2, d.y2}}});
          }
          j.push_back(
              {{"image", item.path.string()}, {"image_id", item.image_id}, {"detections", boxes}});
        }
        fmt::print("{}\n", j.dump(1));
      } else {
        for (const auto& item : summary->items) {
          fmt::print("{}: {} detection{}\n", item.path.string(), item.detections.boxes.size(),
                     item.detections.boxes.size() == 1 ? "" : "s");
          for (const auto& d : item.detections.boxes) {
            const auto& labels = detector->labels();
            const std::string name =
                d.class_id >= 0 && static_cast<std::size_t>(d.class_id) < labels.size()
                    ? labels[static_cast<std::size_t>(d.class_id)]
                    : fmt::format("class {}", d.class_id);
            fmt::print("  {:<16} {:.3f}  [{:.1f}, {:.1f}, {:.1f}, {:.1f}]\n", name, d.score, d.x1,
                       d.y1, d.x2, d.y2);
          }
        }
      }
      const double n = static_cast<double>(std::max<std::size_t>(summary->images_ok, 1));
      const auto& t = summary->times;
      fmt::print(stderr,
                 "{} image{} in {:.2f} s: {:.1f} images/s (per image: decode {:.1f} ms, preprocess "
                 "{:.1f} ms, "
                 "inference {:.1f} ms, postprocess {:.1f} ms){}\n",
                 summary->images_ok, summary->images_ok == 1 ? "" : "s", summary->wall_seconds,
                 summary->images_ok / std::max(summary->wall_seconds, 1e-9), t.decode / n * 1e3,
                 t.preprocess / n * 1e3, t.inference / n * 1e3, t.postprocess / n * 1e3,
                 o->out.empty() ? "" : fmt::format("; results in {}", o->out));
      return summary->images_ok > 0 ? static_cast<int>(kOk) : static_cast<int>(kBadInput);
    };
  });
}

}  // namespace detport::cli
