// How Paddle ops map to ONNX. Each op family file registers Mappers: the opsets the mapping can
// target, an optional per-instance check (attribute values, static dims) run over the whole model
// before anything is built, and the emitter that writes the ONNX nodes.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "export/onnx/graph.h"
#include "export/onnx/known.h"
#include "export/onnx/onnx_export.h"
#include "ir/model.h"

namespace detport::onnx_export {

// What the program declares about a var: element type and dims (-1 unknown). `known` is false
// when the var has no declaration (then dims are meaningless).
struct VarMeta {
  ir::DType dtype = ir::DType::kFloat32;
  std::vector<int64_t> dims;
  bool known = false;

  int rank() const { return static_cast<int>(dims.size()); }
  bool static_dims() const;
  int64_t dim(int i) const { return dims[static_cast<std::size_t>(i < 0 ? i + rank() : i)]; }
};

// Read access to one Paddle op and the declarations of its vars (shared by check and emit).
class OpView {
 public:
  OpView(const ir::Op& op, std::size_t index, const ir::Model& model, const ExportOptions& options,
         const std::unordered_map<std::string_view, const ir::Var*>& vars,
         const std::unordered_map<std::string, std::vector<int64_t>>& refined)
      : op_(op), index_(index), model_(model), options_(options), vars_(vars), refined_(refined) {}

  const ir::Op& op() const { return op_; }
  std::size_t index() const { return index_; }
  const ExportOptions& options() const { return options_; }
  const ir::Model& model() const { return model_; }

  VarMeta meta(const std::string& var) const;
  bool has_in(std::string_view slot) const { return op_.has_input(slot); }
  std::size_t in_count(std::string_view slot) const { return op_.input(slot).size(); }
  const std::string& in_name(std::string_view slot, std::size_t i = 0) const {
    return op_.input(slot)[i];
  }
  VarMeta in_meta(std::string_view slot, std::size_t i = 0) const;
  bool has_out(std::string_view slot) const { return op_.has_output(slot); }
  VarMeta out_meta(std::string_view slot, std::size_t i = 0) const;

  // "conv2d#12 (conv2d_42.tmp_0)": names the op in messages.
  std::string where() const;

 private:
  const ir::Op& op_;
  std::size_t index_;
  const ir::Model& model_;
  const ExportOptions& options_;
  const std::unordered_map<std::string_view, const ir::Var*>& vars_;
  const std::unordered_map<std::string, std::vector<int64_t>>& refined_;
};

// What is known about a var: its declaration, with dims fixed by ExportOptions::input_shapes or
// learned by a first export (`refined`) where the program leaves them unknown; or the weight's.
VarMeta var_meta(const std::string& var, const ir::Model& model, const ExportOptions& options,
                 const std::unordered_map<std::string_view, const ir::Var*>& vars,
                 const std::unordered_map<std::string, std::vector<int64_t>>& refined);

// What a check says about one op instance.
struct Support {
  std::string reason;  // non-empty: cannot be exported, and why
  int min_opset = kMinOpset;
  int max_opset = kMaxOpset;

  static Support no(std::string why) { return Support{std::move(why)}; }
  static Support from(int min_opset, int max_opset = kMaxOpset) {
    return Support{{}, min_opset, max_opset};
  }
};

class Exporter;

// Emission of one op: inputs as ONNX value names, outputs bound to ONNX values, constants known
// at export time.
class MapContext : public OpView {
 public:
  MapContext(const OpView& view, Exporter& exporter, Graph& graph)
      : OpView(view), exporter_(exporter), g_(graph) {}

  Graph& g() { return g_; }
  int opset() const { return g_.opset(); }

  // The ONNX value holding an input var (weights become initializers on first use).
  Result<std::string> in(std::string_view slot, std::size_t i = 0);
  // All inputs of a slot.
  Result<std::vector<std::string>> ins(std::string_view slot);
  // The export-time value of an input, if the exporter could work it out (shape arithmetic,
  // fill_constant, assign_value, ...); nullptr otherwise.
  const Known* known(std::string_view slot, std::size_t i = 0) const;
  // Binds an output var to an ONNX value (renaming it to the var's name when free).
  void set_out(std::string_view slot, std::size_t i, const std::string& value);
  void set_out(std::string_view slot, const std::string& value) { set_out(slot, 0, value); }
  // Records the export-time value of an output.
  void set_known(std::string_view slot, std::size_t i, Known k);
  // The output's dims are only known at run time (declared dims are an export-time guess).
  void set_dynamic(std::string_view slot, std::size_t i = 0);
  // A fresh ONNX value name derived from the name of output var slot[i].
  std::string out_name(std::string_view slot = "Out", std::size_t i = 0);
  // Emits one single-output node and binds its output to slot[i] (named after the var).
  std::string emit1(std::string_view onnx_op, const std::vector<std::string>& inputs,
                    const Attrs& attrs = {}, std::string_view slot = "Out", std::size_t i = 0);
  // An extra graph output (e.g. the per-image count of multiclass_nms v1, which Paddle carries
  // as LoD).
  void add_output(const std::string& name, const std::string& value, ir::DType dtype,
                  std::vector<int64_t> dims);

  // The ONNX element type of a var (error when ONNX lacks it).
  Result<int32_t> onnx_type(const VarMeta& m) const;

  // An int-list parameter given as an attribute or, when the op has it, as a tensor input (or a
  // list of 1-element tensors) whose values are known at export time. nullopt when neither.
  std::optional<std::vector<int64_t>> int_list(std::string_view attr_name,
                                               std::string_view tensor_slot = {},
                                               std::string_view list_slot = {}) const;

  // An error naming the op.
  Error error(std::string message) const;

 private:
  Exporter& exporter_;
  Graph& g_;
};

using CheckFn = Support (*)(const OpView&);
using EmitFn = Status (*)(MapContext&);

struct Mapper {
  std::string type;
  EmitFn emit = nullptr;
  CheckFn check = nullptr;  // nullptr: every instance is supported at [min_opset, max_opset]
  int min_opset = kMinOpset;
  int max_opset = kMaxOpset;
  std::string onnx_ops;  // for docs/ONNX.md: the ONNX ops the mapping emits
  std::string notes;
};

class MapperTable {
 public:
  void add(Mapper m);
  const Mapper* find(std::string_view type) const;
  const std::vector<Mapper>& all() const { return mappers_; }

 private:
  std::vector<Mapper> mappers_;
  std::unordered_map<std::string, std::size_t> index_;
};

// Every mapper detport has (ops/all_mappers.cc).
const MapperTable& mapper_table();

// Helpers shared by mapper files.
// Normalises a possibly negative axis against `rank`.
inline int64_t norm_axis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}
// Support unless the op's data layout attribute says NHWC.
Support require_nchw(const OpView& v, std::string_view attr_name);

}  // namespace detport::onnx_export
