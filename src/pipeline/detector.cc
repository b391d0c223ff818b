#include "pipeline/detector.h"

#include <fmt/format.h>

#include <chrono>

#include "pipeline/feed.h"

namespace detport::pipeline {
namespace {

using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

// The size the first transform resizes to, when it is a resize (for reduced-scale decoding).
std::optional<std::pair<int, int>> first_resize_target(const ir::DeployConfig& cfg) {
  if (cfg.preprocess.empty()) return std::nullopt;
  const auto& t = cfg.preprocess.front();
  auto dims = [&](const char* key) -> std::optional<std::pair<int, int>> {
    auto it = t.params.find(key);
    if (it == t.params.end()) return std::nullopt;
    if (it->is_number()) return std::make_pair(it->get<int>(), it->get<int>());
    if (it->is_array() && it->size() == 2 && (*it)[0].is_number() && (*it)[1].is_number())
      return std::make_pair((*it)[0].get<int>(), (*it)[1].get<int>());
    return std::nullopt;
  };
  // keep_ratio resizes fit the short side to the smaller target: only the smaller bounds the
  // decode.
  if (t.type == "Resize") {
    auto d = dims("target_size");
    if (!d) return std::nullopt;
    const bool keep = t.params.value("keep_ratio", true) || t.params.contains("max_size");
    if (keep) {
      const int m = std::min(d->first, d->second);
      return std::make_pair(m, m);
    }
    return d;
  }
  if (t.type == "ResizeImage") {
    auto d = dims("size");
    if (d) return std::make_pair(d->second, d->first);  // [w, h]
  }
  return std::nullopt;
}

}  // namespace

Result<Detector> Detector::create(const ir::Model& model, std::unique_ptr<runtime::Backend> backend,
                                  const DetectorOptions& options) {
  if (!model.meta.deploy)
    return make_error(ErrorCode::kInvalidInput,
                      "the model has no deploy config (infer_cfg.yml or inference.yml beside it); "
                      "detport needs it to know the preprocessing: pass one with --config FILE",
                      model.meta.files.dir.string());
  Detector d;
  d.backend_ = std::move(backend);
  DETPORT_ASSIGN(auto transforms, build_transforms(*model.meta.deploy));
  for (auto& t : transforms) d.transforms_.push_back(std::move(t));
  d.labels_ = model.meta.deploy->label_list;
  d.post_ = postprocess_options(&*model.meta.deploy, options.threshold);
  if (options.reduced_decode) {
    if (auto target = first_resize_target(*model.meta.deploy)) {
      // A keep_ratio resize fits the short side: the decoded short side must cover it.
      d.decode_.min_height = target->first;
      d.decode_.min_width = target->second;
      d.decode_.reduced = true;
    }
  }
  return d;
}

Result<std::vector<ImageDetections>> Detector::detect(std::vector<Decoded> images,
                                                      StageTimes* times) {
  auto t0 = clock_type::now();
  std::vector<ImageState> states(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    ImageState& s = states[i];
    s.image = std::move(images[i].bgr);
    s.bgr = true;
    s.original = images[i].original;
    s.decode_scale = {images[i].scale_y, images[i].scale_x};
    s.im_shape = {static_cast<float>(s.image.rows), static_cast<float>(s.image.cols)};
    s.scale_factor = {static_cast<float>(s.decode_scale[0]), static_cast<float>(s.decode_scale[1])};
    for (const auto& t : transforms_) {
      if (Status st = t->apply(s); !st.ok()) return Error(std::move(st).error()).within(t->name());
    }
  }
  DETPORT_ASSIGN(auto feeds, build_feeds(backend_->inputs(), states));
  if (times != nullptr) times->preprocess += since(t0);
  t0 = clock_type::now();
  DETPORT_ASSIGN(last_outputs_, backend_->run(feeds));
  if (times != nullptr) times->inference += since(t0);
  t0 = clock_type::now();
  kind_ = classify_outputs(last_outputs_);
  if (kind_ == OutputKind::kNotDetection) {
    if (times != nullptr) times->postprocess += since(t0);
    return std::vector<ImageDetections>(images.size());
  }
  DETPORT_ASSIGN(auto dets, postprocess(last_outputs_, states, post_));
  if (times != nullptr) times->postprocess += since(t0);
  return dets;
}

}  // namespace detport::pipeline
