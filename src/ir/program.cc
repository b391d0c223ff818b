#include "ir/program.h"

#include <algorithm>

namespace detport::ir {
namespace {

std::span<const std::string> slot_args(const std::vector<Slot>& slots, std::string_view name) {
  for (const Slot& s : slots)
    if (s.name == name) return s.args;
  return {};
}

std::vector<std::string> flatten(const std::vector<Slot>& slots) {
  std::vector<std::string> out;
  for (const Slot& s : slots) out.insert(out.end(), s.args.begin(), s.args.end());
  return out;
}

std::vector<IoTarget> io_targets(const Program& program, std::string_view op_type,
                                 std::string_view slot) {
  std::vector<IoTarget> out;
  if (program.blocks.empty()) return out;
  for (const Op& op : program.global_block().ops) {
    if (op.type != op_type) continue;
    auto args = slot_args(op_type == "feed" ? op.outputs : op.inputs, slot);
    if (args.empty()) continue;
    out.push_back({args.front(), op.int_attr("col", static_cast<int64_t>(out.size()))});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const IoTarget& a, const IoTarget& b) { return a.col < b.col; });
  return out;
}

}  // namespace

const Attribute* Op::attr(std::string_view name) const {
  for (const NamedAttribute& a : attrs)
    if (a.name == name) return &a.value;
  return nullptr;
}

Attribute* Op::attr(std::string_view name) {
  for (NamedAttribute& a : attrs)
    if (a.name == name) return &a.value;
  return nullptr;
}

void Op::set_attr(std::string name, Attribute value) {
  if (Attribute* existing = attr(name)) {
    *existing = std::move(value);
    return;
  }
  attrs.push_back({std::move(name), std::move(value)});
}

bool Op::erase_attr(std::string_view name) {
  auto it = std::find_if(attrs.begin(), attrs.end(),
                         [&](const NamedAttribute& a) { return a.name == name; });
  if (it == attrs.end()) return false;
  attrs.erase(it);
  return true;
}

std::span<const std::string> Op::input(std::string_view slot) const {
  return slot_args(inputs, slot);
}
std::span<const std::string> Op::output(std::string_view slot) const {
  return slot_args(outputs, slot);
}
std::vector<std::string> Op::all_inputs() const {
  return flatten(inputs);
}
std::vector<std::string> Op::all_outputs() const {
  return flatten(outputs);
}

int64_t Op::int_attr(std::string_view name, int64_t fallback) const {
  const Attribute* a = attr(name);
  if (a == nullptr) return fallback;
  return a->as_int().value_or(fallback);
}

double Op::float_attr(std::string_view name, double fallback) const {
  const Attribute* a = attr(name);
  if (a == nullptr) return fallback;
  return a->as_double().value_or(fallback);
}

bool Op::bool_attr(std::string_view name, bool fallback) const {
  const Attribute* a = attr(name);
  if (a == nullptr) return fallback;
  return a->as_bool().value_or(fallback);
}

std::string Op::string_attr(std::string_view name, std::string fallback) const {
  const Attribute* a = attr(name);
  if (a == nullptr || a->as_string() == nullptr) return fallback;
  return *a->as_string();
}

std::vector<int64_t> Op::ints_attr(std::string_view name, std::vector<int64_t> fallback) const {
  const Attribute* a = attr(name);
  if (a == nullptr) return fallback;
  return a->as_ints().value_or(std::move(fallback));
}

std::vector<double> Op::floats_attr(std::string_view name, std::vector<double> fallback) const {
  const Attribute* a = attr(name);
  if (a == nullptr) return fallback;
  return a->as_doubles().value_or(std::move(fallback));
}

bool Var::holds_weights() const {
  return is_persistable() && type != VarType::kFeedMinibatch && type != VarType::kFetchList &&
         type != VarType::kRaw;
}

const Var* Block::find_var(std::string_view name) const {
  for (const Var& v : vars)
    if (v.name == name) return &v;
  return nullptr;
}

Var* Block::find_var(std::string_view name) {
  for (Var& v : vars)
    if (v.name == name) return &v;
  return nullptr;
}

std::optional<int32_t> Program::op_version(std::string_view op) const {
  if (!op_version_map) return std::nullopt;
  for (const OpVersion& v : *op_version_map)
    if (v.op == op) return v.version;
  return std::nullopt;
}

std::vector<IoTarget> feed_targets(const Program& program) {
  return io_targets(program, "feed", "Out");
}

std::vector<IoTarget> fetch_targets(const Program& program) {
  return io_targets(program, "fetch", "X");
}

std::vector<std::string> persistable_names(const Program& program) {
  std::vector<std::string> names;
  if (program.blocks.empty()) return names;
  for (const Var& v : program.global_block().vars)
    if (v.holds_weights()) names.push_back(v.name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace detport::ir
