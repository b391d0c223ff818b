#include "formats/paddle_pir/pir_tables.h"

#include "formats/paddle_pir/pir_data.h"

namespace detport::formats::pir {
namespace {

Tables load() {
  Tables t;
  const Json map = Json::parse(op_map_json());
  for (const auto& a : map["pir_only_attrs"]) t.pir_only_attrs.insert(a.get<std::string>());
  for (const auto& o : map["ops"]) {
    OpEntry e;
    e.pir = compress_op_name(o["pir"].get<std::string>());
    e.legacy = o["legacy"].get<std::string>();
    e.inputs = o["inputs"].get<std::vector<std::string>>();
    e.outputs = o["outputs"].get<std::vector<std::string>>();
    if (o.contains("attrs"))
      for (const auto& [k, v] : o["attrs"].items()) {
        e.to_legacy[k] = v.get<std::string>();
        e.to_pir[v.get<std::string>()] = k;
      }
    if (o.contains("pir_only"))
      for (const auto& a : o["pir_only"]) e.pir_only.insert(a.get<std::string>());
    if (o.contains("operands"))
      for (const auto& r : o["operands"]) {
        OperandRule rule;
        rule.slot = r["slot"].get<std::string>();
        rule.attr = r["attr"].get<std::string>();
        const std::string kind = r["kind"].get<std::string>();
        // Anything but the three kinds the data may name is kept visibly wrong (BLOCK) for the
        // data test to catch.
        rule.kind = kind == "int"     ? ir::AttrKind::kInt
                    : kind == "float" ? ir::AttrKind::kFloat
                    : kind == "ints"  ? ir::AttrKind::kInts
                                      : ir::AttrKind::kBlock;
        rule.tensor = r.value("tensor", "");
        rule.tensors = r.value("tensors", "");
        e.operands.push_back(std::move(rule));
      }
    t.ops.push_back(std::move(e));
  }
  const Json patches = Json::parse(patches_json());
  t.min_version = patches["min_version"].get<int>();
  t.max_version = patches["max_version"].get<int>();
  for (const auto& [version, actions] : patches["patches"].items()) {
    auto& list = t.patches[std::stoi(version)];
    for (const auto& a : actions) {
      PatchAction p;
      p.op = a["op"].get<std::string>();
      p.action = a["action"].get<std::string>();
      p.attr = a.value("attr", "");
      p.array = a.value("array", false);
      p.from = a.value("from", "");
      p.to = a.value("to", "");
      p.kind = a.value("kind", "");
      p.value = a.value("value", Json());
      p.index = a.value("index", 0);
      p.type = a.value("type", Json());
      list.push_back(std::move(p));
    }
  }
  return t;
}

}  // namespace

const OpEntry* Tables::by_pir(std::string_view name) const {
  for (const auto& e : ops)
    if (e.pir == name) return &e;
  return nullptr;
}

const OpEntry* Tables::by_legacy(std::string_view name) const {
  for (const auto& e : ops)
    if (e.legacy == name) return &e;
  return nullptr;
}

const Tables& tables() {
  static const Tables t = load();
  return t;
}

std::string compress_op_name(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kIds[] = {
      {"builtin", "0"}, {"pd_op", "1"}, {"cf", "2"}, {"custom_op", "3"}, {"pd_dist", "4"}};
  const auto dot = name.find('.');
  if (dot == std::string_view::npos) return std::string(name);
  for (const auto& [dialect, id] : kIds)
    if (name.substr(0, dot) == dialect) return std::string(id) + std::string(name.substr(dot));
  return std::string(name);
}

}  // namespace detport::formats::pir
