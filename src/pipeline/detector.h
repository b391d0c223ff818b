// The whole detection pipeline around a backend: decode, deploy-config preprocessing, feeding,
// inference, post-processing; each stage timed.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/model.h"
#include "pipeline/detection.h"
#include "pipeline/image_io.h"
#include "pipeline/postprocess.h"
#include "pipeline/preprocess.h"
#include "runtime/backend.h"

namespace detport::pipeline {

struct StageTimes {
  double decode = 0, preprocess = 0, inference = 0, postprocess = 0;  // seconds
  double total() const { return decode + preprocess + inference + postprocess; }
};

struct DetectorOptions {
  std::optional<float> threshold;  // default: the deploy config's draw_threshold, else 0.5
  bool reduced_decode = false;     // decode JPEGs at 1/2..1/8 scale when the resize allows
};

class Detector {
 public:
  // The model must carry a deploy config (infer_cfg.yml / inference.yml).
  static Result<Detector> create(const ir::Model& model, std::unique_ptr<runtime::Backend> backend,
                                 const DetectorOptions& options = {});

  // Decode options matching the first resize (for reduced-scale decoding).
  DecodeOptions decode_options() const { return decode_; }
  // Preprocesses decoded images and runs them as one batch.
  Result<std::vector<ImageDetections>> detect(std::vector<Decoded> images,
                                              StageTimes* times = nullptr);
  // The raw outputs of the last batch (for models that are not detectors, and for compare).
  const std::vector<runtime::NamedTensor>& last_outputs() const { return last_outputs_; }
  OutputKind output_kind() const { return kind_; }

  const std::vector<std::string>& labels() const { return labels_; }
  float threshold() const { return post_.threshold; }
  runtime::Backend& backend() { return *backend_; }

 private:
  Detector() = default;
  std::unique_ptr<runtime::Backend> backend_;
  std::vector<std::shared_ptr<const Transform>> transforms_;
  std::vector<std::string> labels_;
  PostprocessOptions post_;
  DecodeOptions decode_;
  OutputKind kind_ = OutputKind::kNotDetection;
  std::vector<runtime::NamedTensor> last_outputs_;
};

}  // namespace detport::pipeline
