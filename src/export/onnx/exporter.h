// The exporter's state while it plans and writes one model (internal to the export module).
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "export/onnx/mapper.h"

namespace detport::onnx_export {

struct GraphOutput {
  std::string var;    // the Paddle var (or "" for values the exporter adds)
  std::string name;   // the ONNX output name
  std::string value;  // the ONNX value, once emitted
  ir::DType dtype = ir::DType::kFloat32;
  std::vector<int64_t> dims;
};

class Exporter {
 public:
  Exporter(const ir::Model& model, const ExportOptions& options);

  // Works out the exported part of the graph and checks every op of it.
  Result<ExportPlan> plan();
  // Writes the ModelProto for a plan that is ok().
  Result<onnx::ModelProto> emit(const ExportPlan& plan);

  // Used by MapContext.
  Result<std::string> value_of(const std::string& var, const OpView& reader);
  const Known* known_value(const std::string& var) const;
  void bind(const std::string& var, const std::string& value);
  void set_known(const std::string& var, Known k);
  void add_output(GraphOutput out) { extra_outputs_.push_back(std::move(out)); }
  // Output dims only known at run time (NMS results): declared as dynamic in the ONNX outputs.
  void set_dynamic(const std::string& var) { dynamic_.insert(var); }
  VarMeta meta(const std::string& var) const;
  Graph* graph() { return graph_.get(); }

  // Paddle var -> the ONNX value holding it, after emit().
  const std::unordered_map<std::string, std::string>& bindings() const { return current_; }
  // Dims learned elsewhere (ONNX shape inference of a first export with fixed input shapes) that
  // replace the program's unknown (-1) dims.
  void set_refined(std::unordered_map<std::string, std::vector<int64_t>> dims) {
    refined_ = std::move(dims);
  }

 private:
  OpView view(std::size_t i) const;
  std::vector<std::size_t> live_ops(const std::vector<std::string>& outputs) const;
  Status choose_outputs();
  Status emit_op(std::size_t i, std::vector<std::string>& failures);
  bool fold(std::size_t i);
  void prune(onnx::GraphProto& g) const;
  void add_value_info(onnx::ValueInfoProto* vi, const std::string& name, ir::DType dtype,
                      const std::vector<int64_t>& dims, bool is_input) const;

  const ir::Model& model_;
  const ExportOptions& options_;
  const ir::Block& block_;
  std::unordered_map<std::string_view, const ir::Var*> vars_;
  std::vector<std::string> inputs_;
  std::vector<GraphOutput> outputs_;
  std::vector<GraphOutput> extra_outputs_;
  std::vector<std::size_t> live_;
  std::vector<std::string> nms_metadata_;  // JSON objects, one per NMS op cut off

  std::unique_ptr<Graph> graph_;
  std::unordered_map<std::string, std::string> current_;  // Paddle var -> ONNX value
  std::unordered_map<std::string, Known> known_;          // ONNX value -> known contents
  std::unordered_map<std::string, std::vector<int64_t>> refined_;
  std::set<std::string> dynamic_;
  std::set<std::string> bad_values_;  // values of ops that failed (no cascading errors)
};

}  // namespace detport::onnx_export
