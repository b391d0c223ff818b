// PIR JSON -> ir::Program (see pir_program.h).
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "formats/paddle_pir/pir_program.h"
#include "formats/paddle_pir/pir_tables.h"

namespace detport::formats::pir {
namespace {

struct Pending {  // a builtin.combine waiting for the op that consumes it
  int64_t id = 0;
  std::vector<std::string> args;
  Json tmpl;
};

struct Reader {
  ir::Program& program;
  std::unordered_map<int64_t, std::string> names;  // value id -> var name
  int64_t ops_read = 0;

  Status define(int64_t id, const std::string& name, const std::string& pointer) {
    if (id == 0) return {};
    if (!names.emplace(id, name).second)
      return at(pointer, fmt::format("value id {} is defined twice", id));
    return {};
  }

  Result<std::string> use(const Json& operand, const std::string& pointer) {
    if (!operand.is_object() || !operand.contains("%") || !operand["%"].is_number_integer())
      return at(pointer, "expected an operand {\"%\": <value id>}");
    const auto id = operand["%"].get<int64_t>();
    if (id == 0) return std::string();
    auto it = names.find(id);
    if (it == names.end())
      return at(pointer + "/%",
                fmt::format("value id {} is not defined by an earlier op or block argument", id));
    return it->second;
  }

  ir::Var& var(int32_t block, const std::string& name) {
    ir::Block& b = program.blocks[static_cast<std::size_t>(block)];
    if (ir::Var* v = b.find_var(name)) return *v;
    b.vars.push_back(ir::Var{});
    b.vars.back().name = name;
    return b.vars.back();
  }

  void holder(const char* name, ir::VarType type) {
    ir::Block& b = program.blocks.front();
    if (b.find_var(name)) return;
    ir::Var v;
    v.name = name;
    v.type = type;
    v.persistable = true;
    b.vars.push_back(std::move(v));
  }

  Status typed_var(int32_t block, const std::string& name, const Json& tt,
                   const std::string& pointer) {
    DETPORT_ASSIGN(ValueType t, decode_type(tt, pointer));
    if (t.type == ir::VarType::kRaw || t.type == ir::VarType::kTuple) return {};
    ir::Var& v = var(block, name);
    if (v.persistable) return {};  // a feed/fetch holder or a parameter keeps its own type
    v.type = t.type;
    v.tensor = t.tensor;
    v.tensor_field = 3;
    return {};
  }

  Status parameter(int32_t block, const Json& op, const std::string& p, int64_t position);
  Status read_op(int32_t block, const Json& op, const std::string& p, Pending* combine,
                 Json* previous_side, ir::Op* previous);
  Status read_block(int32_t block, const Json& b, const std::string& p);
};

Status Reader::parameter(int32_t block, const Json& op, const std::string& p, int64_t position) {
  const auto a = op.find("A");
  if (a == op.end() || !a->is_array() || a->size() != 4 || !(*a)[0].is_number_integer() ||
      !(*a)[1].is_number_integer() || !(*a)[2].is_number_integer() || !(*a)[3].is_string())
    return at(p + "/A", "a parameter op needs A = [is_distributed, is_parameter, need_clip, name]");
  const auto o = op.find("O");
  if (o == op.end() || !o->is_object() || !o->contains("%") || !(*o)["%"].is_number_integer() ||
      !o->contains("TT"))
    return at(p + "/O", "a parameter op needs O = {\"%\": id, \"TT\": type}");
  if (auto oa = op.find("OA"); oa != op.end() && (!oa->is_array() || oa->size() != 3))
    return at(p + "/OA", "a parameter op's OA is [persistable, stop_gradient, trainable]");
  const std::string name = (*a)[3].get<std::string>();
  if (name.empty()) return at(p + "/A/3", "the parameter name is empty");
  if (program.blocks[static_cast<std::size_t>(block)].find_var(name))
    return at(p + "/A/3", fmt::format("parameter '{}' is declared twice", name));
  DETPORT_ASSIGN(ValueType t, decode_type((*o)["TT"], p + "/O/TT"));
  if (!t.tensor) return at(p + "/O/TT", "a parameter must be a dense tensor");
  const auto id = (*o)["%"].get<int64_t>();
  if (id <= 0) return at(p + "/O/%", fmt::format("value id {} must be positive", id));
  DETPORT_TRY(define(id, name, p + "/O/%"));
  ir::Var& v = var(block, name);
  v.type = ir::VarType::kDenseTensor;
  v.tensor = t.tensor;
  v.tensor_field = 3;
  v.persistable = true;
  v.is_parameter = (*a)[1].get<int64_t>() != 0;
  if (auto oa = op.find("OA"); oa != op.end() && (*oa)[1].is_number_integer())
    v.stop_gradient = (*oa)[1].get<int64_t>() != 0;
  Json side = op;
  side.erase("O");
  side["TT"] = (*o)["TT"];
  side["at"] = position;
  v.pir = side.dump();
  return {};
}

Status check_array(const Json& op, const char* key, const std::string& p) {
  if (!op.contains(key) || !op[key].is_array())
    return at(p + "/" + key, fmt::format("expected the array {}", key));
  return {};
}

Status Reader::read_op(int32_t block, const Json& op, const std::string& p, Pending* combine,
                       Json* previous_side, ir::Op* previous) {
  const std::string name = op["#"].get<std::string>();
  const Tables& tab = tables();
  DETPORT_TRY(check_array(op, "I", p));
  DETPORT_TRY(check_array(op, "O", p));
  if (op.contains("A") && !op["A"].is_array()) return at(p + "/A", "expected the array A");
  const Json empty = Json::array();
  const Json& attrs = op.contains("A") ? op["A"] : empty;
  const Json* note = op.contains("detport") ? &op["detport"] : nullptr;
  if (note && (!note->is_object() || !(*note)["in"].is_array() || !(*note)["out"].is_array() ||
               !(*note)["attrs"].is_array() || !(*note)["type"].is_string()))
    return at(p + "/detport", "malformed detport annotation");
  const OpEntry* entry = tab.by_pir(name);
  if (!entry && !note && name != "0.combine" && name != "0.split") {
    const auto dot = name.find('.');
    const std::string d = dot == std::string::npos ? "" : name.substr(0, dot);
    if (d != "0" && d != "1" && d != "2" && d != "3" && d != "4")
      return at(p + "/#",
                fmt::format("unknown dialect in op '{}'; expected 0 (builtin), 1 (pd_op), 2 (cf), "
                            "3 (custom_op) or 4 (pd_dist) before the dot",
                            name));
    return at(
        p + "/#",
        fmt::format("unknown op '{}': not in detport's pd_op table (data/pir/op_map.json)", name),
        ErrorCode::kUnsupported);
  }
  if (name == "0.split") {
    if (!previous_side || op["I"].size() != 1)
      return at(p, "builtin.split must follow the op whose vector result it splits");
    DETPORT_ASSIGN(std::string src, use(op["I"][0], p + "/I/0"));
    (void)src;
    const auto id = op["I"][0]["%"].get<int64_t>();
    Json* vec = nullptr;
    for (auto& r : (*previous_side)["O"])
      if (r.contains("vec") && r["vec"] == id) vec = &r;
    if (!vec)
      return at(p + "/I/0", "builtin.split must split the vector result of the op just before it",
                ErrorCode::kUnsupported);
    Json tmpl = op;
    tmpl.erase("I");
    tmpl.erase("O");
    tmpl["TTs"] = Json::array();
    std::vector<std::string> args;
    const auto known = previous->output((*vec)["s"].get<std::string>());  // legacy names
    const bool named = known.size() == op["O"].size();
    for (std::size_t j = 0; j < op["O"].size(); ++j) {
      const std::string rp = fmt::format("{}/O/{}", p, j);
      const Json& r = op["O"][j];
      if (!r.is_object() || !r.contains("%") || !r["%"].is_number_integer() || !r.contains("TT"))
        return at(rp, "expected a result {\"%\": id, \"TT\": type}");
      const std::string vname = named ? known[j] : fmt::format("var_{}", r["%"].get<int64_t>());
      DETPORT_TRY(define(r["%"].get<int64_t>(), vname, rp + "/%"));
      DETPORT_TRY(typed_var(block, vname, r["TT"], rp + "/TT"));
      tmpl["TTs"].push_back(r["TT"]);
      args.push_back(vname);
    }
    (*vec)["sp"] = std::move(tmpl);
    (*vec).erase("vec");
    for (auto& s : previous->outputs)
      if (s.name == (*vec)["s"].get<std::string>()) s.args = args;
    names.erase(id);
    return {};
  }
  if (name == "0.combine") {
    if (op["O"].size() != 1) return at(p + "/O", "builtin.combine has one result");
    Pending c;
    for (std::size_t k = 0; k < op["I"].size(); ++k) {
      DETPORT_ASSIGN(std::string arg, use(op["I"][k], fmt::format("{}/I/{}", p, k)));
      c.args.push_back(arg);
    }
    const Json& r = op["O"][0];
    if (!r.is_object() || !r.contains("%") || !r["%"].is_number_integer() || !r.contains("TT"))
      return at(p + "/O/0", "expected a result {\"%\": id, \"TT\": type}");
    DETPORT_TRY(decode_type(r["TT"], p + "/O/0/TT"));
    c.id = r["%"].get<int64_t>();
    if (names.count(c.id))
      return at(p + "/O/0/%", fmt::format("value id {} is defined twice", c.id));
    c.tmpl = op;
    c.tmpl.erase("I");
    c.tmpl.erase("O");
    c.tmpl["TT"] = r["TT"];
    *combine = std::move(c);
    return {};
  }

  ir::Block& b = program.blocks[static_cast<std::size_t>(block)];
  ir::Op out;
  Json side = Json::object();
  side["#"] = name;
  side["I"] = Json::array();
  side["O"] = Json::array();
  side["A"] = Json::array();
  Json syn = Json::array();
  auto in_slot = [&](std::size_t k) -> std::string {
    if (note) {
      const Json& ops = (*note)["operands"];
      return ops.is_array() && k < ops.size() && ops[k].is_string() ? ops[k].get<std::string>()
                                                                    : std::string();
    }
    if (entry->inputs.empty()) return "";
    return entry->inputs[std::min(k, entry->inputs.size() - 1)];
  };
  auto out_slot = [&](std::size_t k) -> std::string {
    if (note) {
      const Json& rs = (*note)["results"];
      return rs.is_array() && k < rs.size() && rs[k].is_string() ? rs[k].get<std::string>()
                                                                 : std::string();
    }
    if (entry->outputs.empty()) return "";
    return entry->outputs[std::min(k, entry->outputs.size() - 1)];
  };
  auto slot_of = [](std::vector<ir::Slot>& slots, const std::string& s) -> ir::Slot& {
    for (auto& x : slots)
      if (x.name == s) return x;
    slots.push_back({s, {}});
    return slots.back();
  };
  out.type = note ? (*note)["type"].get<std::string>() : entry->legacy;
  bool used_combine = false;
  for (std::size_t k = 0; k < op["I"].size(); ++k) {
    const std::string ip = fmt::format("{}/I/{}", p, k);
    const Json& operand = op["I"][k];
    if (operand.is_object() && operand.contains("%") && operand["%"].is_number_integer() &&
        operand["%"].get<int64_t>() == 0) {
      side["I"].push_back(nullptr);
      continue;
    }
    const std::string slot = in_slot(k);
    if (slot.empty())
      return at(ip, fmt::format("'{}' has more operands than the {} its table entry names", name,
                                note ? (*note)["in"].size() : entry->inputs.size()));
    if (operand.is_object() && operand.contains("%") && operand["%"].is_number_integer() &&
        combine->id != 0 && operand["%"].get<int64_t>() == combine->id) {
      side["I"].push_back({{"s", slot}, {"c", combine->tmpl}});
      auto& s = slot_of(out.inputs, slot);
      s.args.insert(s.args.end(), combine->args.begin(), combine->args.end());
      used_combine = true;
      continue;
    }
    DETPORT_ASSIGN(std::string arg, use(operand, ip));
    if (arg.empty()) {
      side["I"].push_back(nullptr);
      continue;
    }
    auto& s = slot_of(out.inputs, slot);
    side["I"].push_back({{"s", slot}, {"i", s.args.size()}});
    s.args.push_back(arg);
  }
  if (combine->id != 0 && !used_combine)
    return at(p, "the builtin.combine just before this op is not one of its operands",
              ErrorCode::kUnsupported);
  *combine = Pending{};
  const bool is_data = name == "1.data";
  const bool is_fetch = name == "1.fetch";
  if (is_data) {
    holder("feed", ir::VarType::kFeedMinibatch);
    out.inputs = {{"X", {"feed"}}};
  }
  if (is_fetch) holder("fetch", ir::VarType::kFetchList);
  // Attributes.
  std::unordered_set<std::string> seen;
  std::string data_name;
  for (std::size_t k = 0; k < attrs.size(); ++k) {
    const std::string ap = fmt::format("{}/A/{}", p, k);
    const Json& a = attrs[k];
    if (!a.is_object() || !a.contains("N") || !a["N"].is_string() || !a.contains("AT"))
      return at(ap, "expected an attribute {\"N\": name, \"AT\": value}");
    const std::string an = a["N"].get<std::string>();
    if (!seen.insert(an).second)
      return at(ap + "/N", fmt::format("attribute '{}' appears twice", an));
    DETPORT_ASSIGN(auto value, decode_attr(a["AT"], ap + "/AT"));
    if (is_data && an == "name" && value && value->as_string()) data_name = *value->as_string();
    std::string ir_name;
    ir::AttrKind legacy_kind = ir::AttrKind::kInt;
    if (note) {
      for (const auto& la : (*note)["attrs"])
        if (la.is_array() && la.size() == 3 && la[2] == an && la[0].is_string() &&
            la[1].is_number_integer()) {
          ir_name = la[0].get<std::string>();
          legacy_kind =
              static_cast<ir::AttrKind>(std::clamp(la[1].get<int>(), 0, ir::kMaxAttrKind));
        }
    } else if (value && !tab.pir_only_attrs.count(an) && !entry->pir_only.count(an)) {
      auto it = entry->to_legacy.find(an);
      ir_name = it == entry->to_legacy.end() ? an : it->second;
    }
    if (!ir_name.empty() && value) {
      if (note) value = coerce(*value, legacy_kind);
      out.attrs.push_back({ir_name, std::move(*value)});
      side["A"].push_back({an, ir_name, a["AT"]});
    } else {
      side["A"].push_back({an, nullptr, a["AT"]});
    }
  }
  if (note) {  // legacy attributes Paddle's form does not carry, in legacy order
    std::vector<ir::NamedAttribute> ordered;
    for (const auto& la : (*note)["attrs"]) {
      if (!la.is_array() || la.size() < 2 || !la[0].is_string() || !la[1].is_number_integer())
        return at(p + "/detport/attrs",
                  "expected [name, kind, PIR name] or [name, kind, null, value]");
      const std::string ln = la[0].get<std::string>();
      if (la[1].get<int>() < 0 || la[1].get<int>() > ir::kMaxAttrKind)
        return at(p + "/detport/attrs",
                  fmt::format("attribute kind {} is not an AttrType", la[1].get<int>()));
      const auto kind = static_cast<ir::AttrKind>(la[1].get<int>());
      if (la.size() == 4) {
        DETPORT_ASSIGN(auto v, decode_attr(la[3], p + "/detport/attrs"));
        if (!v) return at(p + "/detport/attrs", "unreadable legacy attribute value");
        ordered.push_back({ln, coerce(*v, kind)});
        syn.push_back(ln);
      } else if (const ir::Attribute* v = out.attr(ln)) {
        ordered.push_back({ln, *v});
      }
    }
    out.attrs = std::move(ordered);
    if ((*note).contains("target")) out.is_target = (*note)["target"].get<bool>();
  } else if (is_data) {
    int64_t col = 0;
    for (const auto& o : b.ops)
      if (o.type == "feed") ++col;
    out.attrs.insert(out.attrs.begin(), {"col", ir::Attribute::i32(static_cast<int32_t>(col))});
    syn.push_back("col");
  }
  // Results.
  for (std::size_t j = 0; j < op["O"].size(); ++j) {
    const std::string rp = fmt::format("{}/O/{}", p, j);
    const Json& r = op["O"][j];
    if (!r.is_object() || !r.contains("%") || !r["%"].is_number_integer() || !r.contains("TT"))
      return at(rp, "expected a result {\"%\": id, \"TT\": type}");
    const auto id = r["%"].get<int64_t>();
    DETPORT_ASSIGN(ValueType t, decode_type(r["TT"], rp + "/TT"));
    if (id == 0 || t.type == ir::VarType::kRaw) {
      side["O"].push_back({{"null", true}, {"TT", r["TT"]}});
      continue;
    }
    if (id < 0) return at(rp + "/%", fmt::format("result value id {} must be positive", id));
    const std::string slot = out_slot(j);
    if (slot.empty())
      return at(rp, fmt::format("'{}' has more results than its table entry names", name));
    auto& s = slot_of(out.outputs, slot);
    if (t.type ==
        ir::VarType::kTuple) {  // a vector: the builtin.split after the op names its parts
      if (names.count(id)) return at(rp + "/%", fmt::format("value id {} is defined twice", id));
      names.emplace(id, std::string());
      side["O"].push_back({{"s", slot}, {"vec", id}, {"TT", r["TT"]}});
      continue;
    }
    std::string vname;
    if (note)
      for (const auto& o : (*note)["out"])
        if (o.is_array() && o.size() == 2 && o[0] == slot && o[1].is_array() && !o[1].empty() &&
            o[1][0].is_string())
          vname = o[1][0].get<std::string>();
    if (vname.empty())
      vname = is_data && !data_name.empty() ? data_name
              : is_fetch                    ? std::string("fetch")
                                            : fmt::format("var_{}", id);
    DETPORT_TRY(define(id, vname, rp + "/%"));
    DETPORT_TRY(typed_var(block, vname, r["TT"], rp + "/TT"));
    side["O"].push_back({{"s", slot}, {"i", s.args.size()}, {"TT", r["TT"]}});
    s.args.push_back(vname);
  }
  if (note) {  // the legacy slots exactly (in-place outputs, empty slots)
    out.inputs.clear();
    out.outputs.clear();
    for (const auto& s : (*note)["in"])
      out.inputs.push_back({s[0].get<std::string>(), s[1].get<std::vector<std::string>>()});
    for (const auto& s : (*note)["out"])
      out.outputs.push_back({s[0].get<std::string>(), s[1].get<std::vector<std::string>>()});
    for (const auto& s : out.outputs)
      for (const auto& a : s.args)
        if (!b.find_var(a)) var(block, a);
  }
  Json x = Json::object();
  for (const auto& [k, v] : op.items())
    if (k != "#" && k != "I" && k != "O" && k != "A" && k != "regions") x[k] = v;
  side["X"] = std::move(x);
  if (!syn.empty()) side["syn"] = std::move(syn);
  // Control flow: each region's blocks become sub-blocks.
  if (op.contains("regions")) {
    if (!op["regions"].is_array()) return at(p + "/regions", "expected an array of regions");
    std::vector<int32_t> subs;
    Json counts = Json::array();
    for (std::size_t ri = 0; ri < op["regions"].size(); ++ri) {
      const Json& reg = op["regions"][ri];
      const std::string rgp = fmt::format("{}/regions/{}", p, ri);
      if (!reg.is_object() || !reg.contains("blocks") || !reg["blocks"].is_array())
        return at(rgp, "expected a region {\"#\": name, \"blocks\": [...]}");
      counts.push_back(reg["blocks"].size());
      for (std::size_t bi = 0; bi < reg["blocks"].size(); ++bi) {
        const auto idx = static_cast<int32_t>(program.blocks.size());
        ir::Block nb;
        nb.idx = idx;
        nb.parent_idx = block;
        program.blocks.push_back(std::move(nb));
        subs.push_back(idx);
        DETPORT_TRY(read_block(idx, reg["blocks"][bi], fmt::format("{}/blocks/{}", rgp, bi)));
      }
    }
    out.attrs.push_back({"sub_blocks", ir::Attribute::blocks(std::move(subs))});
    side["R"] = std::move(counts);
    if (!side.contains("syn")) side["syn"] = Json::array();
    side["syn"].push_back("sub_blocks");
  }
  ir::Block& target = program.blocks[static_cast<std::size_t>(block)];
  out.pir = side.dump();
  target.ops.push_back(std::move(out));
  ++ops_read;
  return {};
}

Status Reader::read_block(int32_t block, const Json& b, const std::string& p) {
  if (!b.is_object() || !b.contains("#") || !b["#"].is_string())
    return at(p, "expected a block {\"#\": name, \"args\": [...], \"ops\": [...]}");
  if (!b.contains("ops") || !b["ops"].is_array()) return at(p + "/ops", "expected the array ops");
  if (b.contains("kwargs") && !b["kwargs"].empty())
    return at(p + "/kwargs", "blocks with keyword arguments are not supported",
              ErrorCode::kUnsupported);
  Json side = {{"#", b["#"]}, {"args", Json::array()}};
  if (b.contains("args")) {
    if (!b["args"].is_array()) return at(p + "/args", "expected the array args");
    for (std::size_t i = 0; i < b["args"].size(); ++i) {
      const Json& a = b["args"][i];
      const std::string ap = fmt::format("{}/args/{}", p, i);
      if (!a.is_object() || !a.contains("#") || !a["#"].is_number_integer() || !a.contains("TT"))
        return at(ap, "expected a block argument {\"#\": negative id, \"TT\": type}");
      const auto id = a["#"].get<int64_t>();
      if (id >= 0) return at(ap + "/#", fmt::format("block argument id {} must be negative", id));
      const std::string name = fmt::format("arg_{}", -id);
      DETPORT_TRY(define(id, name, ap + "/#"));
      DETPORT_TRY(typed_var(block, name, a["TT"], ap + "/TT"));
      side["args"].push_back({name, a["TT"]});
    }
  }
  program.blocks[static_cast<std::size_t>(block)].pir = side.dump();
  Pending combine;
  const Json& ops = b["ops"];
  int64_t position = 0;
  Json prev_side;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const std::string op_p = fmt::format("{}/ops/{}", p, i);
    const Json& op = ops[i];
    if (!op.is_object() || !op.contains("#") || !op["#"].is_string())
      return at(op_p, "expected an op {\"#\": name, \"I\": [...], \"O\": [...], \"A\": [...]}");
    if (op["#"] == "p") {
      if (combine.id != 0)
        return at(op_p, "a builtin.combine must be followed by its consumer",
                  ErrorCode::kUnsupported);
      DETPORT_TRY(parameter(block, op, op_p, position));
      continue;
    }
    auto& blk_ops = program.blocks[static_cast<std::size_t>(block)].ops;
    const bool split = op["#"] == "0.split";
    if (split && blk_ops.empty())
      return at(op_p, "builtin.split must follow the op whose vector result it splits",
                ErrorCode::kUnsupported);
    if (split) {
      prev_side = Json::parse(blk_ops.back().pir);
      DETPORT_TRY(read_op(block, op, op_p, &combine, &prev_side, &blk_ops.back()));
      program.blocks[static_cast<std::size_t>(block)].ops.back().pir = prev_side.dump();
      continue;
    }
    DETPORT_TRY(read_op(block, op, op_p, &combine, nullptr, nullptr));
    if (op["#"] != "0.combine") ++position;
  }
  if (combine.id != 0)
    return at(p + "/ops", "the block ends with an unconsumed builtin.combine",
              ErrorCode::kUnsupported);
  for (const auto& o : program.blocks[static_cast<std::size_t>(block)].ops) {
    const Json s = Json::parse(o.pir);
    for (const auto& r : s["O"])
      if (r.contains("vec"))
        return at(p + "/ops",
                  fmt::format(
                      "the vector result {} of '{}' is not split by a builtin.split right after it",
                      r["vec"].get<int64_t>(), s["#"].get<std::string>()),
                  ErrorCode::kUnsupported);
  }
  return {};
}

void restore_legacy(const Json& legacy, ir::Program& program) {
  if (legacy.contains("version")) {
    program.has_version = true;
    if (!legacy["version"].is_null()) program.version = legacy["version"].get<int64_t>();
  }
  if (legacy.contains("op_version_map") && legacy["op_version_map"].is_array()) {
    std::vector<ir::OpVersion> map;
    for (const auto& e : legacy["op_version_map"])
      map.push_back({e[0].get<std::string>(), e[1].get<int32_t>()});
    program.op_version_map = std::move(map);
  }
}

}  // namespace

namespace {
Result<ReadProgram> read_checked(const Json& doc);
}  // namespace

Result<ReadProgram> read_program(const Json& doc) {
  // The reader checks every shape it relies on; this catches what a check missed, so that a
  // malformed file is an error and never an exception across the module boundary.
  try {
    return read_checked(doc);
  } catch (const Json::exception& e) {
    return make_error(ErrorCode::kInvalidInput, std::string("malformed PIR program: ") + e.what());
  }
}

namespace {
Result<ReadProgram> read_checked(const Json& doc) {
  if (!doc.is_object()) return at("", "expected a JSON object with base_code and program");
  const auto bc = doc.find("base_code");
  if (bc == doc.end() || !bc->is_object()) return at("/base_code", "missing base_code object");
  if (!bc->contains("magic") || (*bc)["magic"] != "pir")
    return at("/base_code/magic",
              fmt::format("found {}; expected \"pir\" (Paddle's ReadModule rejects other files)",
                          bc->contains("magic") ? (*bc)["magic"].dump() : std::string("nothing")));
  if (!bc->contains("version") || !(*bc)["version"].is_number_integer() ||
      (*bc)["version"].get<int64_t>() < 0)
    return at("/base_code/version", "expected the PIR version, an unsigned integer");
  if (bc->contains("trainable") && !(*bc)["trainable"].is_boolean())
    return at("/base_code/trainable", "expected true or false");
  const auto pr = doc.find("program");
  if (pr == doc.end() || !pr->is_object() || !pr->contains("regions") ||
      !(*pr)["regions"].is_array())
    return at("/program/regions", "expected the array of regions");
  const Json& regions = (*pr)["regions"];
  if (regions.size() != 1)
    return at("/program/regions",
              fmt::format("found {} regions; a program has exactly one (Paddle enforces it)",
                          regions.size()));
  const Json& r0 = regions[0];
  if (!r0.is_object() || !r0.contains("blocks") || !r0["blocks"].is_array() ||
      r0["blocks"].size() != 1)
    return at("/program/regions/0/blocks", "expected exactly one top-level block");
  ReadProgram out;
  out.version = (*bc)["version"].get<int64_t>();
  out.program.blocks.push_back(ir::Block{});
  Reader reader{out.program, {}, 0};
  DETPORT_TRY(reader.read_block(0, r0["blocks"][0], "/program/regions/0/blocks/0"));
  Json side = doc;
  side.erase("program");
  side["base_code"].erase("version");
  if (side.contains("detport") && side["detport"].is_object() && side["detport"].contains("legacy"))
    restore_legacy(side["detport"]["legacy"], out.program);
  out.program.pir = side.dump();
  return out;
}
}  // namespace

std::map<std::string, int64_t> pir_op_counts(const ir::Program& program) {
  std::map<std::string, int64_t> counts;
  if (program.pir.empty()) return counts;
  for (const auto& b : program.blocks) {
    for (const auto& v : b.vars)
      if (!v.pir.empty()) ++counts["p"];
    for (const auto& o : b.ops) {
      if (o.pir.empty()) continue;
      const Json s = Json::parse(o.pir, nullptr, false);
      if (!s.is_object() || !s.contains("#") || !s["#"].is_string() || !s.contains("I") ||
          !s["I"].is_array() || !s.contains("O") || !s["O"].is_array())
        continue;
      ++counts[s["#"].get<std::string>()];
      for (const auto& i : s["I"])
        if (i.is_object() && i.contains("c")) ++counts["0.combine"];
      for (const auto& r : s["O"])
        if (r.contains("sp")) ++counts["0.split"];
    }
  }
  return counts;
}

}  // namespace detport::formats::pir
