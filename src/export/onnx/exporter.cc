#include "export/onnx/exporter.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace detport::onnx_export {
namespace {

bool is_nms(std::string_view type) {
  return type == "multiclass_nms" || type == "multiclass_nms2" || type == "multiclass_nms3" ||
         type == "matrix_nms" || type == "locality_aware_nms";
}

bool is_io(std::string_view type) {
  return type == "feed" || type == "fetch";
}

// Ops whose outputs become constants when every input value is known.
bool foldable(std::string_view t) {
  return t == "fill_constant" || t == "assign_value" || t == "shape" || t == "shape64" ||
         t == "cast" || t == "scale" || t == "slice" || t == "concat" || t == "stack" ||
         t == "reshape2" || t == "reshape" || t == "squeeze2" || t == "unsqueeze2" ||
         t == "squeeze" || t == "unsqueeze" || t == "flatten_contiguous_range" || t == "gather" ||
         t == "assign" || t.rfind("elementwise_", 0) == 0;
}

std::string first_output(const ir::Op& op) {
  for (const auto& s : op.outputs)
    if (!s.args.empty()) return s.args.front();
  return {};
}

}  // namespace

Exporter::Exporter(const ir::Model& model, const ExportOptions& options)
    : model_(model), options_(options), block_(model.program.global_block()) {
  for (const auto& v : block_.vars) vars_.emplace(v.name, &v);
}

VarMeta Exporter::meta(const std::string& var) const {
  return var_meta(var, model_, options_, vars_, refined_);
}

OpView Exporter::view(std::size_t i) const {
  return OpView(block_.ops[i], i, model_, options_, vars_, refined_);
}

std::vector<std::size_t> Exporter::live_ops(const std::vector<std::string>& outputs) const {
  std::set<std::string> needed(outputs.begin(), outputs.end());
  std::vector<std::size_t> live;
  for (std::size_t i = block_.ops.size(); i-- > 0;) {
    const ir::Op& op = block_.ops[i];
    if (is_io(op.type)) continue;
    bool used = false;
    for (const auto& o : op.all_outputs()) used = used || needed.count(o) != 0;
    if (!used) continue;
    live.push_back(i);
    for (const auto& o : op.all_outputs()) needed.erase(o);
    for (const auto& in : op.all_inputs()) needed.insert(in);
  }
  std::reverse(live.begin(), live.end());
  return live;
}

Status Exporter::choose_outputs() {
  if (block_.ops.empty()) return make_error(ErrorCode::kInvalidInput, "the program has no ops");
  for (const auto& t : ir::feed_targets(model_.program)) inputs_.push_back(t.name);
  for (const auto& t : ir::fetch_targets(model_.program)) {
    GraphOutput o;
    o.var = t.name;
    o.name = t.name;
    const VarMeta m = meta(t.name);
    o.dtype = m.dtype;
    o.dims = m.dims;
    outputs_.push_back(o);
  }
  if (outputs_.empty())
    return make_error(ErrorCode::kInvalidInput,
                      "the program has no fetch ops, so it has no outputs to export");
  for (const auto& [name, dims] : options_.input_shapes) {
    if (std::find(inputs_.begin(), inputs_.end(), name) == inputs_.end())
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("--input-shape names '{}', which is not an input of the "
                                    "model (inputs: {})",
                                    name, fmt::join(inputs_, ", ")));
    auto it = vars_.find(name);
    const auto* declared =
        it != vars_.end() && it->second->tensor ? &it->second->tensor->dims : nullptr;
    bool fits = declared != nullptr && declared->size() == dims.size();
    for (std::size_t d = 0; fits && d < dims.size(); ++d)
      fits = dims[d] > 0 && ((*declared)[d] < 0 || (*declared)[d] == dims[d]);
    if (!fits)
      return make_error(
          ErrorCode::kInvalidInput,
          fmt::format("input shape [{}] does not fit the declared [{}]", fmt::join(dims, ","),
                      declared ? fmt::format("{}", fmt::join(*declared, ",")) : ""),
          name);
  }
  if (!options_.exclude_nms) return {};

  // Cut before NMS: NMS inputs become outputs; outputs computed from NMS results are dropped.
  std::vector<std::string> outs;
  for (const auto& o : outputs_) outs.push_back(o.var);
  std::set<std::string> after_nms;
  std::vector<GraphOutput> cut;
  int count = 0;
  for (std::size_t i : live_ops(outs)) {
    const ir::Op& op = block_.ops[i];
    bool downstream = is_nms(op.type);
    for (const auto& in : op.all_inputs()) downstream = downstream || after_nms.count(in) != 0;
    if (!downstream) continue;
    for (const auto& o : op.all_outputs()) after_nms.insert(o);
    if (!is_nms(op.type)) continue;
    if (!op.has_input("BBoxes") || !op.has_input("Scores"))
      return make_error(ErrorCode::kInvalidInput, "NMS op without BBoxes/Scores inputs",
                        fmt::format("{}#{}", op.type, i));
    const std::string suffix = count == 0 ? "" : fmt::format("_{}", count);
    ++count;
    for (const auto& [slot, name] : {std::pair{"BBoxes", "boxes"}, std::pair{"Scores", "scores"}}) {
      GraphOutput g;
      g.var = op.input(slot).front();
      g.name = name + suffix;
      const VarMeta m = meta(g.var);
      g.dtype = m.dtype;
      g.dims = m.dims;
      cut.push_back(g);
    }
    nlohmann::json j;
    j["op"] = op.type;
    j["boxes"] = "boxes" + suffix;
    j["scores"] = "scores" + suffix;
    for (const auto& a : op.attrs) {
      if (auto d = a.value.as_double()) j[a.name] = *d;
    }
    nms_metadata_.push_back(j.dump());
  }
  if (count == 0) return {};  // nothing to cut
  for (const auto& o : outputs_)
    if (after_nms.count(o.var) == 0) cut.push_back(o);
  outputs_ = std::move(cut);
  return {};
}

Result<ExportPlan> Exporter::plan() {
  DETPORT_TRY(choose_outputs());
  for (const auto& var : options_.extra_outputs) {
    bool dup = std::find(inputs_.begin(), inputs_.end(), var) != inputs_.end();
    for (const auto& o : outputs_) dup = dup || o.name == var;
    if (dup) continue;
    if (!vars_.count(var))
      return make_error(ErrorCode::kInvalidInput, "no such var in block 0", var);
    GraphOutput o;
    o.var = var;
    o.name = var;
    const VarMeta m = meta(var);
    o.dtype = m.dtype;
    o.dims = m.dims;
    outputs_.push_back(o);
  }
  ExportPlan p;
  std::vector<std::string> outs;
  for (const auto& o : outputs_) outs.push_back(o.var);
  live_ = live_ops(outs);
  p.exported_ops = live_.size();
  if (options_.opset && (*options_.opset < kMinOpset || *options_.opset > kMaxOpset))
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("opset {} is not supported: detport writes opsets {} to {}",
                                  *options_.opset, kMinOpset, kMaxOpset));

  const MapperTable& table = mapper_table();
  std::map<std::pair<std::string, std::string>, Unsupported> bad;
  std::map<std::string, std::pair<int, int>> needs;  // op type -> (min, max) over instances
  int lo = kMinOpset, hi = kMaxOpset;
  std::set<std::string> written;
  std::set<std::string> missing;
  for (const auto& in : inputs_) written.insert(in);
  for (std::size_t i : live_) {
    const ir::Op& op = block_.ops[i];
    for (const auto& in : op.all_inputs()) {
      if (written.count(in) || model_.weights.count(in)) continue;
      auto v = vars_.find(in);
      if (v != vars_.end() && v->second->holds_weights()) missing.insert(in);
    }
    for (const auto& o : op.all_outputs()) written.insert(o);

    const Mapper* m = table.find(op.type);
    Support s;
    if (m == nullptr) {
      s = Support::no("detport has no ONNX mapping for this op");
    } else {
      s = m->check ? m->check(view(i)) : Support{};
      s.min_opset = std::max(s.min_opset, m->min_opset);
      s.max_opset = std::min(s.max_opset, m->max_opset);
    }
    if (!s.reason.empty()) {
      auto& u = bad[{op.type, s.reason}];
      u.op_type = op.type;
      u.reason = s.reason;
      u.op_indices.push_back(i);
      u.outputs.push_back(first_output(op));
      continue;
    }
    lo = std::max(lo, s.min_opset);
    hi = std::min(hi, s.max_opset);
    auto [it, inserted] = needs.emplace(op.type, std::pair{s.min_opset, s.max_opset});
    if (!inserted) {
      it->second.first = std::max(it->second.first, s.min_opset);
      it->second.second = std::min(it->second.second, s.max_opset);
    }
  }
  for (auto& [key, u] : bad) p.unsupported.push_back(std::move(u));
  p.missing_weights.assign(missing.begin(), missing.end());
  p.min_opset = lo;
  p.max_opset = hi;
  const int want = options_.opset.value_or(lo);
  for (const auto& [type, range] : needs) {
    if (range.first > want)
      p.opset_conflicts.push_back(fmt::format("{} needs opset >= {}", type, range.first));
    else if (range.second < want)
      p.opset_conflicts.push_back(fmt::format("{} needs opset <= {}", type, range.second));
  }
  if (p.opset_conflicts.empty()) p.opset = want;
  for (const auto& o : outputs_)
    if (o.name != o.var)
      p.notes.push_back(fmt::format("output '{}' is the NMS input '{}'", o.name, o.var));
  return p;
}

Result<std::string> Exporter::value_of(const std::string& var, const OpView& reader) {
  if (auto it = current_.find(var); it != current_.end()) return it->second;
  auto w = model_.weights.find(var);
  if (w == model_.weights.end())
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("reads '{}', which no exported op writes and which is not a "
                                  "weight",
                                  var),
                      reader.where());
  const bool half = options_.fp16_weights && w->second.dtype == ir::DType::kFloat32;
  const std::string saved = graph_->origin();
  graph_->set_origin("weights");
  DETPORT_ASSIGN(std::string name, graph_->weight(var, w->second, half));
  std::string value = name;
  if (half) value = graph_->cast(name, onnx::TensorProto_DataType_FLOAT);
  graph_->set_origin(saved);
  current_[var] = value;
  return value;
}

const Known* Exporter::known_value(const std::string& var) const {
  auto it = current_.find(var);
  if (it == current_.end()) return nullptr;
  auto k = known_.find(it->second);
  return k == known_.end() ? nullptr : &k->second;
}

void Exporter::bind(const std::string& var, const std::string& value) {
  current_[var] = value;
}

void Exporter::set_known(const std::string& var, Known k) {
  auto it = current_.find(var);
  if (it != current_.end()) known_[it->second] = std::move(k);
}

bool Exporter::fold(std::size_t i) {
  const ir::Op& op = block_.ops[i];
  if (!foldable(op.type)) return false;
  auto input = [&](std::string_view slot, std::size_t k) -> const Known* {
    auto args = op.input(slot);
    return k < args.size() ? known_value(args[k]) : nullptr;
  };
  auto declared = [&](const std::string& var) -> std::optional<Declared> {
    const VarMeta m = meta(var);
    if (!m.known) return std::nullopt;
    return Declared{m.dtype, m.dims};
  };
  auto outs = evaluate(op, input, declared);
  if (outs.empty()) return false;
  bool all = true;
  for (const auto& o : outs) all = all && o.value.full();
  // Only fold when the op's whole result is known; else keep what is known for later ops.
  if (all) {
    for (auto& o : outs) {
      auto c = graph_->typed(o.value.dtype, o.value.dims, o.value.values());
      if (!c.ok()) return false;
      const std::string& var = op.output(o.slot)[o.index];
      bind(var, *c);
      set_known(var, o.value);
    }
    return true;
  }
  return false;
}

Status Exporter::emit_op(std::size_t i, std::vector<std::string>& failures) {
  const ir::Op& op = block_.ops[i];
  graph_->set_origin(fmt::format("{}#{}", op.type, i));
  for (const auto& in : op.all_inputs()) {
    auto it = current_.find(in);
    if (it != current_.end() && bad_values_.count(it->second)) {
      // An input failed already: mark this op's outputs failed too, without a second message.
      for (const auto& o : op.all_outputs()) {
        bind(o, "<failed:" + o + ">");
        bad_values_.insert("<failed:" + o + ">");
      }
      return {};
    }
  }
  if (fold(i)) return {};
  const Mapper* m = mapper_table().find(op.type);
  MapContext ctx(view(i), *this, *graph_);
  Status s = m->emit(ctx);
  if (!s.ok()) {
    failures.push_back(s.error().describe());
    for (const auto& o : op.all_outputs()) {
      bind(o, "<failed:" + o + ">");
      bad_values_.insert("<failed:" + o + ">");
    }
    return {};
  }
  // Keep what is known about the outputs (partly known shapes) for later ops.
  auto input = [&](std::string_view slot, std::size_t k) -> const Known* {
    auto args = op.input(slot);
    return k < args.size() ? known_value(args[k]) : nullptr;
  };
  auto declared = [&](const std::string& var) -> std::optional<Declared> {
    const VarMeta mm = meta(var);
    if (!mm.known) return std::nullopt;
    return Declared{mm.dtype, mm.dims};
  };
  if (foldable(op.type))
    for (auto& o : evaluate(op, input, declared)) set_known(op.output(o.slot)[o.index], o.value);
  return {};
}

void Exporter::add_value_info(onnx::ValueInfoProto* vi, const std::string& name, ir::DType dtype,
                              const std::vector<int64_t>& dims, bool is_input) const {
  vi->set_name(name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx_dtype(dtype).value_or(onnx::TensorProto_DataType_FLOAT));
  auto* shape = tt->mutable_shape();
  for (std::size_t d = 0; d < dims.size(); ++d) {
    auto* dim = shape->add_dim();
    if (dims[d] >= 0) {
      dim->set_dim_value(dims[d]);
    } else if (is_input) {
      dim->set_dim_param(d == 0 ? "N" : fmt::format("{}_d{}", name, d));
    }
  }
}

void Exporter::prune(onnx::GraphProto& g) const {
  std::set<std::string> needed;
  for (const auto& o : g.output()) needed.insert(o.name());
  std::vector<bool> keep(static_cast<std::size_t>(g.node_size()), false);
  for (int i = g.node_size(); i-- > 0;) {
    const auto& n = g.node(i);
    bool used = false;
    for (const auto& o : n.output()) used = used || needed.count(o) != 0;
    if (!used) continue;
    keep[static_cast<std::size_t>(i)] = true;
    for (const auto& in : n.input()) needed.insert(in);
    // Subgraphs (If branches) read outer values by name.
    for (const auto& a : n.attribute())
      if (a.has_g())
        for (const auto& sn : a.g().node())
          for (const auto& in : sn.input()) needed.insert(in);
  }
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  for (int i = 0; i < g.node_size(); ++i)
    if (keep[static_cast<std::size_t>(i)]) *nodes.Add() = g.node(i);
  g.mutable_node()->Swap(&nodes);
  google::protobuf::RepeatedPtrField<onnx::TensorProto> inits;
  for (const auto& t : g.initializer())
    if (needed.count(t.name())) *inits.Add() = t;
  g.mutable_initializer()->Swap(&inits);
}

Result<onnx::ModelProto> Exporter::emit(const ExportPlan& plan) {
  onnx::ModelProto model;
  const int opset = plan.opset;
  model.set_ir_version(opset >= 15 ? 8 : (opset >= 12 ? 7 : 6));
  model.set_producer_name("detport");
  model.set_producer_version("0.1.0");
  auto* imp = model.add_opset_import();
  imp->set_domain("");
  imp->set_version(opset);
  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name("detport");
  graph_ = std::make_unique<Graph>(g, opset);

  for (const auto& in : inputs_) {
    const VarMeta m = meta(in);
    if (!onnx_dtype(m.dtype))
      return make_error(
          ErrorCode::kUnsupported,
          fmt::format("input of type {} has no ONNX equivalent", ir::var_type_name(m.dtype)), in);
    add_value_info(g.add_input(), in, m.dtype, m.dims, true);
    graph_->reserve(in);
    bind(in, in);
  }
  for (const auto& o : outputs_) graph_->reserve(o.name);

  std::vector<std::string> failures;
  for (std::size_t i : live_) DETPORT_TRY(emit_op(i, failures));
  if (!failures.empty())
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("{} op(s) could not be exported:\n  {}", failures.size(),
                                  fmt::join(failures, "\n  ")));

  graph_->set_origin("outputs");
  std::vector<GraphOutput> all = outputs_;
  for (auto& o : all) {
    auto it = current_.find(o.var);
    if (it == current_.end())
      return make_error(ErrorCode::kInternal, "no exported op writes the output", o.var);
    o.value = it->second;
  }
  for (const auto& e : extra_outputs_) all.push_back(e);
  for (const auto& o : all) {
    if (o.value != o.name) graph_->add_to("Identity", {o.value}, {o.name});
    std::vector<int64_t> dims = o.dims;
    if (dynamic_.count(o.var)) std::fill(dims.begin(), dims.end(), -1);
    add_value_info(g.add_output(), o.name, o.dtype, dims, false);
  }
  prune(g);

  auto* meta_source = model.add_metadata_props();
  meta_source->set_key("detport.source");
  meta_source->set_value(fmt::format(
      "{} program{}", ir::source_format_name(model_.meta.format),
      model_.meta.producer ? " written by Paddle " + model_.meta.producer->to_string() : ""));
  if (!nms_metadata_.empty()) {
    auto* p = model.add_metadata_props();
    p->set_key("detport.nms");
    p->set_value("[" + fmt::format("{}", fmt::join(nms_metadata_, ",")) + "]");
  }
  return model;
}

}  // namespace detport::onnx_export
