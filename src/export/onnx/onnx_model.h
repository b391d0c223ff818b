// The ONNX ModelProto side of the exporter, for code that works on the graph itself (the OpenCV
// backend, tests). Needs the ONNX headers: link detport_export, which sets ONNX_ML and
// ONNX_NAMESPACE for its users.
#pragma once

#include <onnx/onnx_pb.h>

#include "export/onnx/onnx_export.h"

namespace detport::onnx_export {

// Exports the model (see export_onnx_bytes) and returns the ModelProto.
Result<onnx::ModelProto> export_onnx(const ir::Model& model, const ExportOptions& options = {},
                                     ExportPlan* plan = nullptr);

// Runs the ONNX checker and strict shape inference (ONNX 1.12). A failure names the node (and
// so the Paddle op it came from: node names start with "<paddle op>#<index>").
Status validate_onnx(const onnx::ModelProto& model);

}  // namespace detport::onnx_export
