// Exporting an ir::Model to ONNX. Every Paddle op has a mapper that declares the opsets it can
// target; the exporter first checks the whole model and reports every op it cannot export (with
// the reason) in one report, then picks the opset (the one asked for, or the lowest that covers
// the model), writes the graph, and validates it with the ONNX checker and shape inference.
//
// This header is free of ONNX types; `export/onnx/onnx_model.h` gives the ModelProto itself.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/model.h"

namespace detport::onnx_export {

// The opsets detport writes. ONNX 1.12 (Debian 12's libonnx, which validates our files) knows
// opsets up to 17.
constexpr int kMinOpset = 11;
constexpr int kMaxOpset = 17;

struct ExportOptions {
  std::optional<int> opset;  // nullopt: the lowest opset that covers every op of the model
  // Cut the graph before NMS ops: the outputs become the NMS inputs (boxes [N,M,4] and scores
  // [N,C,M]), named "boxes" and "scores", and the NMS settings go into metadata_props.
  bool exclude_nms = false;
  // Store float32 weights as float16 (halves the file); each is cast back to float32 in the
  // graph, so the computation stays float32.
  bool fp16_weights = false;
  bool validate = true;  // run the ONNX checker and shape inference on the result
  // Fixed dims for graph inputs (name -> dims), replacing the dynamic ones the program declares:
  // runtimes that need static shapes (OpenCV DNN) can then fold the graph's shape arithmetic.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Paddle vars to expose as extra graph outputs after the model's own (debugging, per-layer
  // comparisons); each must be computed by the exported graph.
  std::vector<std::string> extra_outputs;
  // Internal: a first export made only to learn the dims of intermediate vars from ONNX shape
  // inference (with input_shapes set). Ops that need static dims they do not know yet emit an
  // approximation (conv2d_transpose ignores output_size) instead of being refused; the real
  // export then sees the learned dims.
  bool shape_probe = false;
};

// One reason an op cannot be exported, with every op instance it applies to.
struct Unsupported {
  std::string op_type;
  std::string reason;
  std::vector<std::size_t> op_indices;  // positions in block 0
  std::vector<std::string> outputs;     // the first output var of each instance, for messages
};

struct ExportPlan {
  int opset = 0;  // the opset the export uses (0 when the model cannot be exported)
  // The opsets every exported op supports: [min_opset, max_opset].
  int min_opset = kMinOpset;
  int max_opset = kMaxOpset;
  std::vector<Unsupported> unsupported;
  // Persistable vars the exported graph reads that have no weights (graph-only model).
  std::vector<std::string> missing_weights;
  // Ops that need a higher opset than asked for: "hard_swish needs opset >= 14".
  std::vector<std::string> opset_conflicts;
  // How the model's outputs map to the ONNX outputs and what the exporter changed (NMS cut,
  // extra outputs), one line each.
  std::vector<std::string> notes;
  std::size_t exported_ops = 0;  // Paddle ops that take part in the exported graph

  bool ok() const {
    return unsupported.empty() && missing_weights.empty() && opset_conflicts.empty() && opset > 0;
  }
  // Everything that prevents the export, as a multi-line message.
  std::string describe_problems() const;
};

// Checks every op of the model's exported part (everything the graph outputs depend on) without
// building anything. Fails only on a malformed model; problems are listed in the plan.
Result<ExportPlan> plan_export(const ir::Model& model, const ExportOptions& options = {});

// Exports the model and returns the serialized ModelProto. Fails with the whole plan's problem
// list when the model cannot be exported (kIncompatible for ops or opsets, kInvalidInput for
// missing weights); a checker failure (kInternal) names the node.
Result<std::string> export_onnx_bytes(const ir::Model& model, const ExportOptions& options = {},
                                      ExportPlan* plan = nullptr);

// One row of the mapping table (docs/ONNX.md is generated from the same data): Paddle op,
// opset range, ONNX ops used.
struct MapperInfo {
  std::string op_type;
  int min_opset = kMinOpset;
  int max_opset = kMaxOpset;
  std::string onnx_ops;
  std::string notes;
};
std::vector<MapperInfo> supported_ops();

}  // namespace detport::onnx_export
