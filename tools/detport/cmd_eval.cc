// detport eval MODEL --coco ANNOTATIONS.json --images DIR: COCO mAP of the model on a labelled set.
#include <fmt/format.h>

#include <map>

#include "cli.h"
#include "model_options.h"
#include "pipeline/runner.h"

namespace detport::cli {

void add_eval(CLI::App& app, Runner& run) {
  struct Options {
    ModelOptions model;
    std::string coco, images;
    bool json = false;
    bool reduced_decode = false;
    int batch = 1;
  };
  auto o = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("eval", "COCO mAP (0.50:0.95, 0.50, per class) on a labelled image set");
  o->model.add_to(*cmd);
  cmd->add_option("--coco", o->coco, "COCO annotations JSON")->required();
  cmd->add_option("--images", o->images, "directory holding the annotated images")->required();
  cmd->add_option("--batch", o->batch, "images per batch")->check(CLI::Range(1, 256));
  cmd->add_flag("--reduced-decode", o->reduced_decode,
                "decode JPEGs at reduced scale when the resize allows");
  cmd->add_flag("--json", o->json, "print the metrics as JSON");
  cmd->callback([o, &run] {
    run = [o]() -> int {
      auto gt = pipeline::read_coco(o->coco);
      if (!gt.ok()) return report(gt.error());
      auto model = o->model.load();
      if (!model.ok()) return report(model.error());
      auto backend = o->model.make_backend(*model);
      if (!backend.ok()) return report(backend.error());
      pipeline::DetectorOptions dopts;
      dopts.threshold = 0.0f;  // COCO evaluation ranks every detection
      dopts.reduced_decode = o->reduced_decode;
      auto detector = pipeline::Detector::create(*model, std::move(backend).value(), dopts);
      if (!detector.ok()) return report(detector.error());
      std::vector<std::filesystem::path> paths;
      for (const auto& im : gt->images)
        paths.push_back(std::filesystem::path(o->images) / im.file_name);
      pipeline::RunOptions ropts;
      ropts.batch = o->batch;
      auto summary = pipeline::run_images(*detector, paths, ropts);
      if (!summary.ok()) return report(summary.error());
      for (const auto& p : summary->problems) fmt::print(stderr, "detport: skipped: {}\n", p);
      // Image ids: the run numbers images by position; map back to the annotation's ids. Classes
      // map to categories in sorted id order, as PaddleDetection's COCODataSet does.
      std::vector<int64_t> cats;
      for (const auto& [id, name] : gt->categories) cats.push_back(id);
      auto results = pipeline::to_coco_results(*summary, &cats);
      for (auto& r : results) r.image_id = gt->images[static_cast<std::size_t>(r.image_id - 1)].id;
      const auto m = pipeline::evaluate_coco(*gt, results);
      if (o->json) {
        nlohmann::json per = nlohmann::json::object();
        for (const auto& [id, ap] : m.per_category) per[std::to_string(id)] = ap;
        fmt::print("{}\n", nlohmann::json{{"mAP", m.map},
                                          {"AP50", m.ap50},
                                          {"AP75", m.ap75},
                                          {"AP_small", m.ap_small},
                                          {"AP_medium", m.ap_medium},
                                          {"AP_large", m.ap_large},
                                          {"AR100", m.ar100},
                                          {"per_category", per},
                                          {"images", summary->images_ok}}
                               .dump(2));
      } else {
        fmt::print("COCO bbox on {} images ({} detections)\n", summary->images_ok, results.size());
        fmt::print("  mAP@[.50:.95] {:.4f}\n  AP@.50       {:.4f}\n  AP@.75       {:.4f}\n", m.map,
                   m.ap50, m.ap75);
        fmt::print("  AP small {:.4f}  medium {:.4f}  large {:.4f}  AR@100 {:.4f}\n", m.ap_small,
                   m.ap_medium, m.ap_large, m.ar100);
        std::map<int64_t, std::string> names(gt->categories.begin(), gt->categories.end());
        for (const auto& [id, ap] : m.per_category)
          fmt::print("  {:<24} {}\n", names[id],
                     ap < 0 ? std::string("-") : fmt::format("{:.4f}", ap));
      }
      return static_cast<int>(kOk);
    };
  });
}

}  // namespace detport::cli
