// `detport run` and `detport eval` as library calls: expand inputs, run batches through a Detector
// (skipping unreadable images with a message), write COCO results and drawn images.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "pipeline/coco.h"
#include "pipeline/detector.h"

namespace detport::pipeline {

// Images named by the inputs: image files, directories (their images, sorted by name) and list
// files (.txt, one path per line, relative to the list). Unreadable entries are reported in
// `skipped`.
struct InputList {
  std::vector<std::filesystem::path> images;
  std::vector<std::string> problems;
};
InputList expand_inputs(const std::vector<std::string>& inputs);

struct RunOptions {
  int batch = 1;
  std::optional<std::filesystem::path> out_dir;  // results.json and drawn images
  bool draw = true;
  // Called after each batch with (done, total); the CLI draws a progress bar.
  std::function<void(std::size_t, std::size_t)> progress;
};

struct RunItem {
  std::filesystem::path path;
  int64_t image_id = 0;  // 1-based position in the input list
  ImageDetections detections;
};

struct RunSummary {
  std::vector<RunItem> items;
  std::vector<std::string> problems;  // unreadable images and other skips, one line each
  StageTimes times;                   // summed over images
  double wall_seconds = 0;
  std::size_t images_ok = 0;
};

Result<RunSummary> run_images(Detector& detector, const std::vector<std::filesystem::path>& images,
                              const RunOptions& options);

// COCO results of a run: category ids are class indices unless a mapping is given.
std::vector<CocoResult> to_coco_results(const RunSummary& run,
                                        const std::vector<int64_t>* category_of_class = nullptr);

}  // namespace detport::pipeline
