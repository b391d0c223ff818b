#include "formats/paddle_pir/pir_operands.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>

#include "formats/paddle_pir/pir_json.h"
#include "formats/paddle_pir/pir_tables.h"
#include "ir/constant_values.h"

namespace detport::formats::pir {
namespace {

// Keys of the side info (see pir_program.h) this file adds and removes again.
constexpr const char* kOpKey = "lowered";         // on an op: what happened to its operands
constexpr const char* kBlockKey = "lowered_ops";  // on a block: the constant ops removed

Json side_of(const std::string& pir) {
  if (pir.empty()) return Json::object();
  Json j = Json::parse(pir, nullptr, false);
  return j.is_object() ? j : Json::object();
}

bool native_pir(const ir::Op& op) {
  return !op.pir.empty() && op.pir.find("\"detport\"") == std::string::npos;
}

// The values a constant op produces: assign_value (legacy, or pd_op.full_int_array as read) and
// fill_constant (pd_op.full). nullopt when the op is not one of those or not constant.
std::optional<std::vector<double>> constant_values(const ir::Op& op) {
  if (op.type == "assign_value") {
    auto c = ir::assign_value_constant(op);
    if (!c.ok()) return std::nullopt;
    return c->values;
  }
  if (op.type != "fill_constant" || !op.inputs.empty()) return std::nullopt;
  const ir::Attribute* value = op.attr("value");
  if (value == nullptr) return std::nullopt;
  const auto v = value->as_double();
  if (!v) return std::nullopt;
  int64_t n = 1;
  if (const ir::Attribute* shape = op.attr("shape")) {
    const auto dims = shape->as_ints();
    if (!dims) return std::nullopt;
    for (int64_t d : *dims) {
      if (d < 0 || d > 4096) return std::nullopt;  // a shape operand is small; this is not one
      n *= d;
    }
  }
  if (n > 4096) return std::nullopt;
  return std::vector<double>(static_cast<std::size_t>(n), *v);
}

bool fits_i32(double v) {
  return std::nearbyint(v) == v && v >= std::numeric_limits<int32_t>::min() &&
         v <= std::numeric_limits<int32_t>::max();
}

// The legacy attribute for `values`, or nullopt when they do not fit its kind.
std::optional<ir::Attribute> as_attribute(const std::vector<double>& values, ir::AttrKind kind) {
  if (kind == ir::AttrKind::kInts) {
    std::vector<int32_t> out;
    for (double v : values) {
      if (!fits_i32(v)) return std::nullopt;
      out.push_back(static_cast<int32_t>(v));
    }
    return ir::Attribute::i32s(std::move(out));
  }
  if (values.size() != 1) return std::nullopt;
  if (kind == ir::AttrKind::kInt) {
    if (!fits_i32(values[0])) return std::nullopt;
    return ir::Attribute::i32(static_cast<int32_t>(values[0]));
  }
  return ir::Attribute::f32(static_cast<float>(values[0]));
}

// The IR attributes the PIR reader made from an op's side info (pir_reader.cc: every attribute
// with a legacy name, decoded as read). Used to rebuild a removed op from its side info alone.
std::optional<std::vector<ir::NamedAttribute>> attrs_from_side(const Json& side) {
  std::vector<ir::NamedAttribute> out;
  if (!side.contains("A") || !side["A"].is_array() || side.contains("syn")) return std::nullopt;
  for (const auto& a : side["A"]) {
    if (!a.is_array() || a.size() != 3) return std::nullopt;
    if (!a[1].is_string()) continue;
    auto v = decode_attr(a[2], "");
    if (!v.ok() || !*v) return std::nullopt;
    out.push_back({a[1].get<std::string>(), std::move(**v)});
  }
  return out;
}

Json slots_json(const std::vector<ir::Slot>& slots) {
  Json out = Json::array();
  for (const auto& s : slots) out.push_back({s.name, s.args});
  return out;
}

std::vector<ir::Slot> slots_from(const Json& j) {
  std::vector<ir::Slot> out;
  for (const auto& s : j)
    out.push_back({s[0].get<std::string>(), s[1].get<std::vector<std::string>>()});
  return out;
}

bool fed_by_combine(const Json& side, const std::string& slot) {
  if (!side.contains("I")) return false;
  for (const auto& i : side["I"])
    if (i.is_object() && i.value("s", "") == slot && i.contains("c")) return true;
  return false;
}

std::unordered_map<std::string, int64_t> reader_counts(const ir::Program& program) {
  std::unordered_map<std::string, int64_t> readers;
  for (const auto& b : program.blocks)
    for (const auto& o : b.ops)
      for (const auto& s : o.inputs)
        for (const auto& a : s.args) ++readers[a];
  return readers;
}

}  // namespace

Result<LoweringReport> lower_operands(ir::Program& program) {
  LoweringReport report;
  const Tables& tab = tables();
  for (auto& b : program.blocks) {
    // Constant producers of this block: var -> op index.
    std::unordered_map<std::string, std::size_t> producer;
    std::vector<std::size_t> candidates;  // producers whose result a folded operand read
    for (std::size_t i = 0; i < b.ops.size(); ++i) {
      ir::Op& op = b.ops[i];
      if (!native_pir(op)) continue;
      if ((op.type == "assign_value" || op.type == "fill_constant") && op.outputs.size() == 1 &&
          op.outputs[0].args.size() == 1)
        producer[op.outputs[0].args[0]] = i;
      Json side = side_of(op.pir);
      const OpEntry* e = tab.by_pir(side.value("#", ""));
      if (e == nullptr || e->operands.empty()) continue;
      Json log = Json::array();
      for (const OperandRule& rule : e->operands) {
        auto slot = std::find_if(op.inputs.begin(), op.inputs.end(),
                                 [&](const ir::Slot& s) { return s.name == rule.slot; });
        if (slot == op.inputs.end() || slot->args.empty()) continue;
        std::vector<double> values;
        bool constant = !op.has_attr(rule.attr);
        std::vector<std::size_t> used;
        for (const auto& arg : slot->args) {
          auto p = producer.find(arg);
          if (!constant || p == producer.end()) {
            constant = false;
            break;
          }
          auto v = constant_values(b.ops[p->second]);
          if (!v) {
            constant = false;
            break;
          }
          values.insert(values.end(), v->begin(), v->end());
          used.push_back(p->second);
        }
        std::optional<ir::Attribute> attr;
        if (constant) attr = as_attribute(values, rule.kind);
        if (attr) {
          const auto k = static_cast<std::size_t>(slot - op.inputs.begin());
          log.push_back({{"s", rule.slot}, {"k", k}, {"args", slot->args}, {"a", rule.attr}});
          op.inputs.erase(slot);
          op.set_attr(rule.attr, std::move(*attr));
          candidates.insert(candidates.end(), used.begin(), used.end());
          ++report.folded;
          continue;
        }
        const bool list = slot->args.size() > 1 || fed_by_combine(side, rule.slot);
        const std::string& target = list ? rule.tensors : rule.tensor;
        if (target.empty()) {
          report.kept.push_back(op.type + "." + rule.slot);
          continue;
        }
        ++report.moved;
        if (target == rule.slot) continue;
        log.push_back({{"s", rule.slot}, {"t", target}});
        slot->name = target;
      }
      if (log.empty()) continue;
      side[kOpKey] = std::move(log);
      op.pir = side.dump();
    }
    // Remove the constant ops nothing reads any more (their vars stay declared).
    if (candidates.empty()) continue;
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    const auto readers = reader_counts(program);
    Json removed = Json::array();
    std::vector<std::size_t> drop;
    for (std::size_t i : candidates) {
      const ir::Op& op = b.ops[i];
      if (readers.count(op.outputs[0].args[0])) continue;
      const Json side = side_of(op.pir);
      const auto rebuilt = attrs_from_side(side);
      if (!rebuilt || !(*rebuilt == op.attrs) || !op.extra.empty()) continue;  // keep it
      Json r = {{"at", i},
                {"type", op.type},
                {"in", slots_json(op.inputs)},
                {"out", slots_json(op.outputs)},
                {"pir", op.pir}};
      if (op.is_target) r["target"] = *op.is_target;
      removed.push_back(std::move(r));
      drop.push_back(i);
    }
    if (drop.empty()) continue;
    for (auto it = drop.rbegin(); it != drop.rend(); ++it)
      b.ops.erase(b.ops.begin() + static_cast<std::ptrdiff_t>(*it));
    report.producers_removed += static_cast<int64_t>(drop.size());
    Json bside = side_of(b.pir);
    bside[kBlockKey] = std::move(removed);
    b.pir = bside.dump();
  }
  return report;
}

Status raise_operands(ir::Program& program) {
  for (auto& b : program.blocks) {
    if (b.pir.find(kBlockKey) != std::string::npos) {
      Json bside = side_of(b.pir);
      if (bside.contains(kBlockKey) && bside[kBlockKey].is_array()) {
        for (const auto& r : bside[kBlockKey]) {
          if (!r.is_object() || !r["at"].is_number_unsigned() || !r["pir"].is_string())
            return make_error(ErrorCode::kInvalidInput,
                              "malformed record of a removed constant op in the PIR side info");
          ir::Op op;
          op.type = r["type"].get<std::string>();
          op.inputs = slots_from(r["in"]);
          op.outputs = slots_from(r["out"]);
          op.pir = r["pir"].get<std::string>();
          if (r.contains("target")) op.is_target = r["target"].get<bool>();
          auto attrs = attrs_from_side(side_of(op.pir));
          if (!attrs)
            return make_error(
                ErrorCode::kInvalidInput,
                fmt::format("the removed constant op '{}' has unreadable side info", op.type));
          op.attrs = std::move(*attrs);
          const auto at = std::min(r["at"].get<std::size_t>(), b.ops.size());
          b.ops.insert(b.ops.begin() + static_cast<std::ptrdiff_t>(at), std::move(op));
        }
        bside.erase(kBlockKey);
        b.pir = bside.empty() ? std::string() : bside.dump();
      }
    }
    for (auto& op : b.ops) {
      if (op.pir.find(kOpKey) == std::string::npos) continue;
      Json side = side_of(op.pir);
      if (!side.contains(kOpKey) || !side[kOpKey].is_array()) continue;
      const Json& log = side[kOpKey];
      for (auto it = log.rbegin(); it != log.rend(); ++it) {
        const Json& l = *it;
        const std::string slot = l.value("s", "");
        if (l.contains("t")) {
          for (auto& s : op.inputs)
            if (s.name == l["t"].get<std::string>()) s.name = slot;
          continue;
        }
        op.erase_attr(l.value("a", ""));
        const auto k = std::min(l.value("k", std::size_t{0}), op.inputs.size());
        op.inputs.insert(op.inputs.begin() + static_cast<std::ptrdiff_t>(k),
                         ir::Slot{slot, l["args"].get<std::vector<std::string>>()});
      }
      side.erase(kOpKey);
      op.pir = side.dump();
    }
  }
  return {};
}

}  // namespace detport::formats::pir
