#include "runtime/session.h"

#include <fmt/format.h>
#include <omp.h>

#include <exception>
#include <map>

#include "runtime/op_registry.h"
#include "runtime/plan.h"

namespace detport::runtime {

struct Session::Impl {
  Graph graph;
};

Session::Session() : impl_(std::make_unique<Impl>()) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

std::vector<std::pair<std::string, int>> unsupported_ops(const ir::Model& model) {
  std::map<std::string, int> missing;
  if (model.program.blocks.empty()) return {};
  for (const auto& op : model.program.global_block().ops) {
    if (op.type == "feed" || op.type == "fetch") continue;
    if (OpRegistry::global().find(op.type) == nullptr) ++missing[op.type];
  }
  return {missing.begin(), missing.end()};
}

Result<Session> compile(const ir::Model& model, const CompileOptions& options) {
  if (auto missing = unsupported_ops(model); !missing.empty()) {
    std::string list;
    for (const auto& [type, n] : missing)
      list += fmt::format("{}{} (x{})", list.empty() ? "" : ", ", type, n);
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("{} op type{} without a kernel: {}", missing.size(),
                                  missing.size() == 1 ? "" : "s", list));
  }
  if (model.program.blocks.size() > 1) {
    for (const auto& op : model.program.global_block().ops)
      for (const auto& a : op.attrs)
        if (a.value.kind() == ir::AttrKind::kBlock || a.value.kind() == ir::AttrKind::kBlocks)
          return make_error(
              ErrorCode::kUnsupported,
              fmt::format("op '{}' runs a sub-block (control flow); the native runtime runs "
                          "straight-line programs only",
                          op.type));
  }
  DETPORT_ASSIGN(Graph graph, build_graph(model));
  for (auto& node : graph.nodes) node.def = OpRegistry::global().find(node.op.type);
  Session s;
  s.options_ = options;
  for (std::size_t i = 0; i < graph.inputs.size(); ++i) {
    const Value& v = graph.value(graph.inputs[i]);
    s.inputs_.push_back({graph.input_names[i], v.meta.dtype, v.meta.dims});
  }
  s.output_names_ = graph.output_names;
  s.impl_->graph = std::move(graph);
  return s;
}

Result<Plan*> Session::plan_for(const std::vector<NamedTensor>& inputs) {
  if (inputs.size() != inputs_.size())
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("the model takes {} inputs, {} were given", inputs_.size(), inputs.size()));
  std::vector<TensorMeta> metas;
  std::string key;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const InputInfo& want = inputs_[i];
    const Tensor& t = inputs[i].tensor;
    if (inputs[i].name != want.name)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("input {} is '{}'; expected '{}' (inputs go in feed order)", i,
                                    inputs[i].name, want.name));
    if (t.dtype() != want.dtype)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("input '{}' is {}; the model declares {}", want.name,
                                    ir::var_type_name(t.dtype()), ir::var_type_name(want.dtype)));
    bool match = t.dims().size() == want.dims.size();
    for (std::size_t d = 0; match && d < t.dims().size(); ++d)
      match = want.dims[d] < 0 || want.dims[d] == t.dims()[d];
    if (!match)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("input '{}' has dims {}; the model declares {}", want.name,
                                    dims_to_string(t.dims()), dims_to_string(want.dims)));
    for (int64_t d : t.dims())
      if (d <= 0)
        return make_error(ErrorCode::kInvalidInput,
                          fmt::format("input '{}' has dims {}; every dim must be positive",
                                      want.name, dims_to_string(t.dims())));
    metas.push_back(t.meta());
    key += dims_to_string(t.dims()) + ";";
  }
  for (auto it = cache_.begin(); it != cache_.end(); ++it)
    if (it->first == key) {
      cache_.splice(cache_.begin(), cache_, it);
      return cache_.front().second.get();
    }
  if (options_.threads > 0) omp_set_num_threads(options_.threads);
  DETPORT_ASSIGN(auto plan, Plan::build(impl_->graph, metas, options_));
  cache_.emplace_front(key, std::move(plan));
  while (cache_.size() > std::max<std::size_t>(options_.plan_cache, 1)) cache_.pop_back();
  return cache_.front().second.get();
}

Status Session::prepare(const std::vector<NamedTensor>& inputs) {
  try {
    DETPORT_ASSIGN(last_, plan_for(inputs));
    return {};
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("while compiling: ") + e.what());
  }
}

Result<std::vector<NamedTensor>> Session::run(const std::vector<NamedTensor>& inputs) {
  try {
    DETPORT_ASSIGN(last_, plan_for(inputs));
    if (options_.threads > 0) omp_set_num_threads(options_.threads);
    return last_->execute(inputs, options_.profile ? &profile_ : nullptr);
  } catch (const std::bad_alloc&) {
    return make_error(ErrorCode::kIo, "out of memory while running the model");
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("while running: ") + e.what());
  }
}

std::string Session::plan_summary() const {
  return last_ == nullptr ? std::string("no plan yet") : last_->summary();
}

}  // namespace detport::runtime
