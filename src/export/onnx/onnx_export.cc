#include "export/onnx/onnx_export.h"

#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <exception>
#include <unordered_map>

#include "export/onnx/exporter.h"
#include "export/onnx/onnx_model.h"

namespace detport::onnx_export {

std::string ExportPlan::describe_problems() const {
  std::string out;
  if (!unsupported.empty()) {
    std::size_t n = 0;
    for (const auto& u : unsupported) n += u.op_indices.size();
    out += fmt::format("{} op(s) cannot be exported to ONNX:\n", n);
    for (const auto& u : unsupported) {
      std::vector<std::string> where;
      for (std::size_t i = 0; i < u.op_indices.size() && i < 4; ++i)
        where.push_back(fmt::format("#{} ({})", u.op_indices[i], u.outputs[i]));
      if (u.op_indices.size() > 4)
        where.push_back(fmt::format("... {} more", u.op_indices.size() - 4));
      out += fmt::format("  {} x{}: {} [{}]\n", u.op_type, u.op_indices.size(), u.reason,
                         fmt::join(where, ", "));
    }
  }
  if (!missing_weights.empty()) {
    std::vector<std::string> names(
        missing_weights.begin(),
        missing_weights.begin() +
            static_cast<std::ptrdiff_t>(std::min<std::size_t>(missing_weights.size(), 8)));
    if (missing_weights.size() > 8)
      names.push_back(fmt::format("... {} more", missing_weights.size() - 8));
    out += fmt::format(
        "{} persistable var(s) have no weights (the model is graph-only): {}; load the params "
        "file, or export with seeded random weights (--weights random)\n",
        missing_weights.size(), fmt::join(names, ", "));
  }
  for (const auto& c : opset_conflicts) out += fmt::format("opset: {}\n", c);
  if (!opset_conflicts.empty())
    out += fmt::format("the model's ops support opsets {} to {}\n", min_opset, max_opset);
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

Result<ExportPlan> plan_export(const ir::Model& model, const ExportOptions& options) {
  if (model.program.blocks.empty())
    return make_error(ErrorCode::kInvalidInput, "the program has no blocks");
  Exporter e(model, options);
  return e.plan();
}

Status validate_onnx(const onnx::ModelProto& model) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("the ONNX checker rejects the exported graph: {}", e.what()));
  }
  try {
    onnx::ModelProto copy = model;
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(true, 1, false));
  } catch (const std::exception& e) {
    return make_error(
        ErrorCode::kInternal,
        fmt::format("ONNX shape inference fails on the exported graph: {}", e.what()));
  }
  return {};
}

namespace {

// Concrete dims ONNX shape inference finds for the values bound to Paddle vars.
std::unordered_map<std::string, std::vector<int64_t>> inferred_dims(
    onnx::ModelProto model, const std::unordered_map<std::string, std::string>& bindings) {
  std::unordered_map<std::string, std::vector<int64_t>> out;
  try {
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(false, 0, true));
  } catch (const std::exception&) {
    return out;
  }
  std::unordered_map<std::string, const onnx::ValueInfoProto*> infos;
  for (const auto& vi : model.graph().value_info()) infos[vi.name()] = &vi;
  for (const auto& vi : model.graph().output()) infos[vi.name()] = &vi;
  for (const auto& [var, value] : bindings) {
    auto it = infos.find(value);
    if (it == infos.end() || !it->second->type().tensor_type().has_shape()) continue;
    std::vector<int64_t> dims;
    for (const auto& d : it->second->type().tensor_type().shape().dim())
      dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
    out[var] = std::move(dims);
  }
  return out;
}

}  // namespace

Result<onnx::ModelProto> export_onnx(const ir::Model& model, const ExportOptions& options,
                                     ExportPlan* plan_out) {
  if (model.program.blocks.empty())
    return make_error(ErrorCode::kInvalidInput, "the program has no blocks");
  Exporter e(model, options);
  DETPORT_ASSIGN(ExportPlan plan, e.plan());
  if (plan_out != nullptr) *plan_out = plan;
  if (!options.input_shapes.empty() && !options.shape_probe) {
    // Fixed input shapes: a probe export, shape-inferred by ONNX, tells the dims the program
    // leaves unknown, so that the real export can fold what depends on them (prior_box, SAME
    // pads, Resize scales) and compute what needs them (conv2d_transpose's output_size). The probe
    // gives a conv2d_transpose with output_size its natural size, which is what output_size asks
    // in the exports we have (kernel 2, stride 2); a later conv2d_transpose reading a different
    // size would see off dims. One probe only: repeating it on refined dims broke
    // pir_pp_ocrv5_server_rec_pirv2 (its squeeze2 then also dropped the batch of 1).
    ExportOptions probe_options = options;
    probe_options.shape_probe = true;
    probe_options.validate = false;
    std::unordered_map<std::string, std::vector<int64_t>> dims;
    bool learned = false;
    {
      Exporter probe(model, probe_options);
      auto probe_plan = probe.plan();
      if (probe_plan.ok() && probe_plan->ok()) {
        auto first = probe.emit(*probe_plan);
        if (first.ok()) {
          dims = inferred_dims(*first, probe.bindings());
          learned = true;
        }
      }
    }
    if (learned) {
      Exporter refined(model, options);
      refined.set_refined(std::move(dims));
      DETPORT_ASSIGN(plan, refined.plan());
      if (plan_out != nullptr) *plan_out = plan;
      if (plan.ok()) {
        DETPORT_ASSIGN(onnx::ModelProto proto, refined.emit(plan));
        if (options.validate) DETPORT_TRY(validate_onnx(proto));
        return proto;
      }
    }
  }
  if (!plan.ok()) {
    const ErrorCode code = plan.unsupported.empty() && plan.opset_conflicts.empty()
                               ? ErrorCode::kInvalidInput
                               : ErrorCode::kIncompatible;
    return make_error(code, plan.describe_problems());
  }
  DETPORT_ASSIGN(onnx::ModelProto proto, e.emit(plan));
  if (options.validate) DETPORT_TRY(validate_onnx(proto));
  return proto;
}

Result<std::string> export_onnx_bytes(const ir::Model& model, const ExportOptions& options,
                                      ExportPlan* plan) {
  DETPORT_ASSIGN(onnx::ModelProto proto, export_onnx(model, options, plan));
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    return make_error(ErrorCode::kInternal,
                      "the ONNX model could not be serialized (over 2 GiB of weights?)");
  return bytes;
}

std::vector<MapperInfo> supported_ops() {
  std::vector<MapperInfo> out;
  for (const auto& m : mapper_table().all())
    out.push_back({m.type, m.min_opset, m.max_opset, m.onnx_ops, m.notes});
  return out;
}

}  // namespace detport::onnx_export
