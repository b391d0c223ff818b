#include "runtime/op_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace detport::runtime {
namespace {

const std::vector<ValueId>* slot_of(const std::vector<NodeSlot>& slots, std::string_view name) {
  for (const auto& s : slots)
    if (s.name == name) return &s.values;
  return nullptr;
}

std::size_t count(const std::vector<NodeSlot>& slots, std::string_view name) {
  const auto* v = slot_of(slots, name);
  return v == nullptr ? 0 : v->size();
}

ValueId at(const std::vector<NodeSlot>& slots, std::string_view name, std::size_t i,
           const Node& node) {
  const auto* v = slot_of(slots, name);
  if (v == nullptr || i >= v->size())
    throw std::out_of_range(fmt::format("{}: slot {}[{}] is absent", node.label(), name, i));
  return (*v)[i];
}

}  // namespace

std::size_t InferContext::input_count(std::string_view slot) const {
  return count(node_.inputs, slot);
}
const TensorMeta& InferContext::input(std::string_view slot, std::size_t i) const {
  return graph_.value(at(node_.inputs, slot, i, node_)).meta;
}
const Tensor* InferContext::constant(std::string_view slot, std::size_t i) const {
  const auto& v = graph_.value(at(node_.inputs, slot, i, node_));
  return v.constant ? &*v.constant : nullptr;
}
std::size_t InferContext::output_count(std::string_view slot) const {
  return count(node_.outputs, slot);
}
const TensorMeta& InferContext::output_meta(std::string_view slot, std::size_t i) const {
  return graph_.value(at(node_.outputs, slot, i, node_)).meta;
}
void InferContext::set_output(std::string_view slot, std::size_t i, TensorMeta meta) {
  Value& v = graph_.value(at(node_.outputs, slot, i, node_));
  v.meta = std::move(meta);
  v.meta_known = true;
}
void InferContext::set_dynamic_output(std::string_view slot, std::size_t i, TensorMeta meta) {
  set_output(slot, i, std::move(meta));
  graph_.value(at(node_.outputs, slot, i, node_)).dynamic = true;
}
void InferContext::set_constant_output(std::string_view slot, std::size_t i, Tensor value) {
  set_output(slot, i, value.meta());
  graph_.value(at(node_.outputs, slot, i, node_)).constant = std::move(value);
}
Error InferContext::error(std::string message) const {
  return make_error(ErrorCode::kInvalidInput, std::move(message), node_.label());
}

std::size_t KernelContext::input_count(std::string_view slot) const {
  return count(node_.inputs, slot);
}
const Tensor& KernelContext::input(std::string_view slot, std::size_t i) const {
  return values_[static_cast<std::size_t>(at(node_.inputs, slot, i, node_))];
}
std::size_t KernelContext::output_count(std::string_view slot) const {
  return count(node_.outputs, slot);
}
Tensor& KernelContext::output(std::string_view slot, std::size_t i) {
  return values_[static_cast<std::size_t>(at(node_.outputs, slot, i, node_))];
}
Tensor& KernelContext::allocate(std::string_view slot, std::size_t i, TensorMeta meta) {
  Tensor& t = output(slot, i);
  t = Tensor::empty(meta.dtype, std::move(meta.dims));
  return t;
}
const Tensor& KernelContext::fused_input(std::size_t fused, std::size_t i) const {
  return values_[static_cast<std::size_t>(node_.fused.at(fused).extra.at(i))];
}
Error KernelContext::error(std::string message) const {
  return make_error(ErrorCode::kInvalidInput, std::move(message), node_.label());
}

const TensorMeta& KernelSpec::input(std::string_view slot, std::size_t i) const {
  return graph.value(at(node.inputs, slot, i, node)).meta;
}
const Tensor* KernelSpec::constant(std::string_view slot, std::size_t i) const {
  const auto& v = graph.value(at(node.inputs, slot, i, node));
  return v.constant ? &*v.constant : nullptr;
}
const TensorMeta& KernelSpec::output(std::string_view slot, std::size_t i) const {
  return graph.value(at(node.outputs, slot, i, node)).meta;
}

const OpRegistry& OpRegistry::global() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_all_ops(r);
    return r;
  }();
  return registry;
}

void OpRegistry::add(OpDef def) {
  std::string type = def.type;
  defs_[type] = std::move(def);
}

const OpDef* OpRegistry::find(std::string_view type) const {
  auto it = defs_.find(std::string(type));
  return it == defs_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpRegistry::types() const {
  std::vector<std::string> out;
  for (const auto& [type, def] : defs_) out.push_back(type);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace detport::runtime
