#include "pipeline/runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "pipeline/draw.h"

namespace detport::pipeline {
namespace fs = std::filesystem;

namespace {

bool is_image_file(const fs::path& p) {
  static const std::set<std::string> kExt{".jpg",  ".jpeg", ".png", ".bmp",
                                          ".webp", ".tif",  ".tiff"};
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return kExt.count(ext) > 0;
}

}  // namespace

InputList expand_inputs(const std::vector<std::string>& inputs) {
  InputList out;
  for (const auto& in : inputs) {
    const fs::path p(in);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.is_regular_file(ec) && is_image_file(e.path())) found.push_back(e.path());
      std::sort(found.begin(), found.end());
      if (found.empty()) out.problems.push_back(fmt::format("{}: no images in this directory", in));
      out.images.insert(out.images.end(), found.begin(), found.end());
    } else if (p.extension() == ".txt" && fs::is_regular_file(p, ec)) {
      std::ifstream list(p);
      std::string line;
      while (std::getline(list, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        fs::path item(line);
        if (item.is_relative()) item = p.parent_path() / item;
        out.images.push_back(item);
      }
    } else if (fs::exists(p, ec)) {
      out.images.push_back(p);
    } else {
      out.problems.push_back(fmt::format("{}: no such file or directory", in));
    }
  }
  return out;
}

Result<RunSummary> run_images(Detector& detector, const std::vector<fs::path>& images,
                              const RunOptions& options) {
  using clock = std::chrono::steady_clock;
  RunSummary summary;
  const auto start = clock::now();
  const std::size_t batch = static_cast<std::size_t>(std::max(1, options.batch));
  if (options.out_dir) {
    std::error_code ec;
    fs::create_directories(*options.out_dir, ec);
    if (ec)
      return make_error(ErrorCode::kIo, "cannot create the output directory: " + ec.message(),
                        options.out_dir->string());
  }
  std::size_t next = 0;
  while (next < images.size()) {
    std::vector<Decoded> decoded;
    std::vector<std::size_t> index;
    std::vector<cv::Mat> originals;
    // Fill a batch with images that decode.
    while (next < images.size() && decoded.size() < batch) {
      const std::size_t i = next++;
      const auto t0 = clock::now();
      auto d = read_image(images[i], detector.decode_options());
      summary.times.decode += std::chrono::duration<double>(clock::now() - t0).count();
      if (!d.ok()) {
        summary.problems.push_back(d.error().describe());
        continue;
      }
      // Keep a full-size copy to draw on (a reduced decode is re-read at full size when drawing).
      if (options.out_dir && options.draw)
        originals.push_back(d->scale_x == 1.0 ? d->bgr.clone() : cv::Mat());
      decoded.push_back(std::move(d).value());
      index.push_back(i);
    }
    if (decoded.empty()) break;
    auto dets = detector.detect(std::move(decoded), &summary.times);
    if (!dets.ok()) {
      // A model-level failure (not one image's) ends the run.
      return std::move(dets).error();
    }
    for (std::size_t k = 0; k < index.size(); ++k) {
      RunItem item{images[index[k]], static_cast<int64_t>(index[k] + 1), std::move((*dets)[k])};
      if (options.out_dir && options.draw) {
        cv::Mat canvas = originals[k];
        if (canvas.empty()) {
          auto original = read_image(images[index[k]], DecodeOptions{});
          if (original.ok()) canvas = original->bgr;
        }
        draw_detections(canvas, item.detections, detector.labels());
        const fs::path out = *options.out_dir / images[index[k]].filename();
        if (!cv::imwrite(out.string(), canvas))
          summary.problems.push_back(fmt::format("{}: cannot write", out.string()));
      }
      summary.items.push_back(std::move(item));
      ++summary.images_ok;
    }
    if (options.progress) options.progress(next, images.size());
  }
  summary.wall_seconds = std::chrono::duration<double>(clock::now() - start).count();
  if (options.out_dir) {
    std::ofstream json(*options.out_dir / "results.json");
    json << results_to_json(to_coco_results(summary)).dump(1) << "\n";
    nlohmann::json index = nlohmann::json::array();
    for (const auto& item : summary.items)
      index.push_back({{"id", item.image_id}, {"file_name", item.path.string()}});
    std::ofstream images_json(*options.out_dir / "images.json");
    images_json << index.dump(1) << "\n";
  }
  return summary;
}

std::vector<CocoResult> to_coco_results(const RunSummary& run,
                                        const std::vector<int64_t>* category_of_class) {
  std::vector<CocoResult> out;
  for (const auto& item : run.items)
    for (const auto& d : item.detections.boxes) {
      int64_t cat = d.class_id;
      if (category_of_class != nullptr) {
        if (d.class_id < 0 || static_cast<std::size_t>(d.class_id) >= category_of_class->size())
          continue;
        cat = (*category_of_class)[static_cast<std::size_t>(d.class_id)];
      }
      out.push_back({item.image_id, cat, d.x1, d.y1, d.x2 - d.x1, d.y2 - d.y1, d.score});
    }
  return out;
}

}  // namespace detport::pipeline
