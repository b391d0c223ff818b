#include "export/onnx/mapper.h"

#include <fmt/format.h>

#include "export/onnx/exporter.h"

namespace detport::onnx_export {

bool VarMeta::static_dims() const {
  if (!known) return false;
  for (int64_t d : dims)
    if (d < 0) return false;
  return true;
}

VarMeta var_meta(const std::string& var, const ir::Model& model, const ExportOptions& options,
                 const std::unordered_map<std::string_view, const ir::Var*>& vars,
                 const std::unordered_map<std::string, std::vector<int64_t>>& refined) {
  VarMeta m;
  auto it = vars.find(var);
  if (auto s = options.input_shapes.find(var); s != options.input_shapes.end()) {
    if (it != vars.end() && it->second->tensor) m.dtype = it->second->tensor->dtype;
    m.dims = s->second;
    m.known = true;
    return m;
  }
  if (it != vars.end() && it->second->tensor) {
    m.dtype = it->second->tensor->dtype;
    m.dims = it->second->tensor->dims;
    m.known = true;
    auto r = refined.find(var);
    if (r != refined.end() && r->second.size() == m.dims.size())
      for (std::size_t d = 0; d < m.dims.size(); ++d)
        if (m.dims[d] < 0) m.dims[d] = r->second[d];
  } else if (auto w = model.weights.find(var); w != model.weights.end()) {
    m.dtype = w->second.dtype;
    m.dims = w->second.dims;
    m.known = true;
  }
  return m;
}

VarMeta OpView::meta(const std::string& var) const {
  return var_meta(var, model_, options_, vars_, refined_);
}

VarMeta OpView::in_meta(std::string_view slot, std::size_t i) const {
  auto args = op_.input(slot);
  return i < args.size() ? meta(args[i]) : VarMeta{};
}

VarMeta OpView::out_meta(std::string_view slot, std::size_t i) const {
  auto args = op_.output(slot);
  return i < args.size() ? meta(args[i]) : VarMeta{};
}

std::string OpView::where() const {
  for (const auto& s : op_.outputs)
    if (!s.args.empty()) return fmt::format("{}#{} ({})", op_.type, index_, s.args.front());
  return fmt::format("{}#{}", op_.type, index_);
}

Result<std::string> MapContext::in(std::string_view slot, std::size_t i) {
  auto args = op().input(slot);
  if (i >= args.size())
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("input slot {} has {} argument(s), wanted #{}", slot, args.size(), i), where());
  return exporter_.value_of(args[i], *this);
}

Result<std::vector<std::string>> MapContext::ins(std::string_view slot) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < in_count(slot); ++i) {
    DETPORT_ASSIGN(std::string v, in(slot, i));
    out.push_back(std::move(v));
  }
  return out;
}

const Known* MapContext::known(std::string_view slot, std::size_t i) const {
  auto args = op().input(slot);
  return i < args.size() ? exporter_.known_value(args[i]) : nullptr;
}

void MapContext::set_out(std::string_view slot, std::size_t i, const std::string& value) {
  auto args = op().output(slot);
  if (i < args.size()) exporter_.bind(args[i], value);
}

std::string MapContext::out_name(std::string_view slot, std::size_t i) {
  auto args = op().output(slot);
  return g_.fresh(i < args.size() ? args[i] : std::string(op().type));
}

std::string MapContext::emit1(std::string_view onnx_op, const std::vector<std::string>& inputs,
                              const Attrs& attrs, std::string_view slot, std::size_t i) {
  // An Identity is an alias: bind the output to its input instead of writing a node. OpenCV DNN
  // 4.6 cannot import an Identity whose input it holds as a constant (an initializer, or a
  // subgraph of constants it folds, such as blazeface's priors through `scale` 1): it wants a
  // layer producing it.
  if (onnx_op == "Identity" && inputs.size() == 1) {
    set_out(slot, i, inputs[0]);
    return inputs[0];
  }
  const std::string out = out_name(slot, i);
  g_.add_to(onnx_op, inputs, {out}, attrs);
  set_out(slot, i, out);
  return out;
}

void MapContext::set_known(std::string_view slot, std::size_t i, Known k) {
  auto args = op().output(slot);
  if (i < args.size()) exporter_.set_known(args[i], std::move(k));
}

void MapContext::set_dynamic(std::string_view slot, std::size_t i) {
  auto args = op().output(slot);
  if (i < args.size()) exporter_.set_dynamic(args[i]);
}

void MapContext::add_output(const std::string& name, const std::string& value, ir::DType dtype,
                            std::vector<int64_t> dims) {
  GraphOutput o;
  o.name = name;
  o.value = value;
  o.dtype = dtype;
  o.dims = std::move(dims);
  exporter_.add_output(std::move(o));
}

Result<int32_t> MapContext::onnx_type(const VarMeta& m) const {
  auto t = onnx_dtype(m.dtype);
  if (!t)
    return error(fmt::format("element type {} has no ONNX equivalent", ir::var_type_name(m.dtype)));
  return *t;
}

std::optional<std::vector<int64_t>> MapContext::int_list(std::string_view attr_name,
                                                         std::string_view tensor_slot,
                                                         std::string_view list_slot) const {
  if (!tensor_slot.empty() && has_in(tensor_slot)) {
    const Known* k = known(tensor_slot);
    if (k == nullptr || !k->full()) return std::nullopt;
    return k->ints();
  }
  if (!list_slot.empty() && has_in(list_slot)) {
    std::vector<int64_t> out;
    for (std::size_t i = 0; i < in_count(list_slot); ++i) {
      const Known* k = known(list_slot, i);
      if (k == nullptr || !k->full() || k->v.size() != 1) return std::nullopt;
      out.push_back(k->ints().front());
    }
    return out;
  }
  if (!op().has_attr(attr_name)) return std::nullopt;
  return op().ints_attr(attr_name);
}

Error MapContext::error(std::string message) const {
  return make_error(ErrorCode::kUnsupported, std::move(message), where());
}

void MapperTable::add(Mapper m) {
  index_[m.type] = mappers_.size();
  mappers_.push_back(std::move(m));
}

const Mapper* MapperTable::find(std::string_view type) const {
  auto it = index_.find(std::string(type));
  return it == index_.end() ? nullptr : &mappers_[it->second];
}

Support require_nchw(const OpView& v, std::string_view attr_name) {
  const std::string layout = v.op().string_attr(attr_name, "NCHW");
  if (layout == "NHWC")
    return Support::no(fmt::format("{}=NHWC is not exported (only NCHW)", attr_name));
  return {};
}

}  // namespace detport::onnx_export
