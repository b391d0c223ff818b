// The OpenCV DNN backend: the model exported to ONNX in memory and run by OpenCV DNN
// (DNN_BACKEND_OPENCV on the CPU). It sits in pipeline because it needs both the exporter and the
// runtime, which may not include each other.
//
// OpenCV DNN needs fixed input shapes, so the graph is exported again for each new set of input
// dims (with --input-shape's pinning) and cached. OpenCV DNN 4.6 has no NonMaxSuppression: a model
// with NMS is exported cut before it (exclude_nms) and the NMS ops, with every op after them, run
// in detport's native runtime on OpenCV's outputs. That fallback is stated in summary(), which the
// CLI prints before running; ops neither engine can run are refused at creation with every reason.
#pragma once

#include <memory>

#include "core/result.h"
#include "ir/model.h"
#include "runtime/backend.h"

namespace detport::pipeline {

// `tail` compiles the ops run natively after OpenCV (the NMS and what follows it).
Result<std::unique_ptr<runtime::Backend>> make_opencv_backend(
    const ir::Model& model, const runtime::CompileOptions& tail = {});

}  // namespace detport::pipeline
