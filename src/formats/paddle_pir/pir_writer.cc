// ir::Program -> PIR JSON (see pir_program.h).
#include <fmt/format.h>

#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "formats/paddle_pir/pir_program.h"
#include "formats/paddle_pir/pir_tables.h"

namespace detport::formats::pir {
namespace {

template <typename To, typename From>
std::vector<To> cast_all(const std::vector<From>& v) {
  std::vector<To> out;
  out.reserve(v.size());
  for (const auto& x : v) {
    if constexpr (std::is_same_v<To, float>)
      out.push_back(to_float(x));
    else
      out.push_back(static_cast<To>(x));
  }
  return out;
}

Json stop_gradient_oa(std::size_t results) {
  Json flags = Json::array();
  for (std::size_t i = 0; i < results; ++i) flags.push_back({{"#", "0.a_bool"}, {"D", false}});
  return Json::array({{{"AT", {{"#", "0.a_array"}, {"D", flags}}}, {"N", "stop_gradient"}}});
}

struct Writer {
  const ir::Program& program;
  int64_t next_id = 1;
  int64_t next_arg = -1;
  int region_id = 1;
  int block_id = 1;
  std::unordered_map<std::string, int64_t> ids;  // var name -> latest value id

  const ir::Var* find(int32_t block, const std::string& name) const {
    for (int32_t b = block; b >= 0;) {
      const auto& blk = program.blocks[static_cast<std::size_t>(b)];
      if (const ir::Var* v = blk.find_var(name)) return v;
      b = blk.parent_idx;
    }
    return nullptr;
  }

  Json vec_type(int32_t block, const std::vector<std::string>& args) const {
    Json d = Json::array();
    for (const auto& a : args) d.push_back(encode_type(find(block, a)));
    return Json{{"#", "0.t_vec"}, {"D", std::move(d)}};
  }

  // The side info of an op read from a legacy file: Paddle's layout plus the legacy form.
  Json derive(int32_t block, const ir::Op& op) const {
    const Tables& tab = tables();
    const OpEntry* e = tab.by_legacy(op.type);
    Json side = {{"I", Json::array()}, {"O", Json::array()}, {"A", Json::array()}};
    side["#"] = e ? e->pir : "1." + op.type;
    Json note = {
        {"type", op.type}, {"in", Json::array()}, {"out", Json::array()}, {"attrs", Json::array()}};
    for (const auto& s : op.inputs) note["in"].push_back({s.name, s.args});
    for (const auto& s : op.outputs) note["out"].push_back({s.name, s.args});
    if (op.is_target) note["target"] = *op.is_target;
    auto ordered = [&](const std::vector<ir::Slot>& slots, const std::vector<std::string>* names) {
      std::vector<const ir::Slot*> out;
      std::unordered_set<std::string> used;
      if (names)
        for (const auto& n : *names) {
          const ir::Slot* found = nullptr;
          for (const auto& s : slots)
            if (s.name == n) found = &s;
          out.push_back(found);
          used.insert(n);
        }
      for (const auto& s : slots)
        if (!used.count(s.name)) out.push_back(&s);
      return out;
    };
    const bool feed = op.type == "feed";
    const bool fetch = op.type == "fetch";
    note["operands"] = Json::array();
    note["results"] = Json::array();
    if (!feed) {
      for (const ir::Slot* s : ordered(op.inputs, e ? &e->inputs : nullptr)) {
        note["operands"].push_back(s ? Json(s->name) : Json());
        if (!s || s->args.empty())
          side["I"].push_back(nullptr);
        else if (s->args.size() == 1)
          side["I"].push_back({{"s", s->name}, {"i", 0}});
        else
          side["I"].push_back({{"s", s->name},
                               {"c",
                                {{"#", "0.combine"},
                                 {"A", Json::array()},
                                 {"TT", vec_type(block, s->args)},
                                 {"OA", stop_gradient_oa(1)}}}});
      }
    }
    std::size_t results = 0;
    for (const ir::Slot* s : ordered(op.outputs, e ? &e->outputs : nullptr)) {
      ++results;
      note["results"].push_back(s ? Json(s->name) : Json());
      if (!s || s->args.empty())
        side["O"].push_back({{"null", true}, {"TT", {{"#", "NULL"}}}});
      else if (s->args.size() == 1 || fetch)
        side["O"].push_back(
            {{"s", s->name},
             {"i", 0},
             {"TT", encode_type(find(block, fetch ? op.input("X")[0] : s->args[0]))}});
      else {
        Json tts = Json::array();
        for (const auto& a : s->args) tts.push_back(encode_type(find(block, a)));
        side["O"].push_back({{"s", s->name},
                             {"TT", vec_type(block, s->args)},
                             {"sp",
                              {{"#", "0.split"},
                               {"A", Json::array()},
                               {"TTs", tts},
                               {"OA", stop_gradient_oa(s->args.size())}}}});
      }
    }
    if (feed && !op.output("Out").empty()) {
      const std::string& name = op.output("Out")[0];
      const ir::Var* v = find(block, name);
      const std::vector<int64_t> dims = v && v->tensor ? v->tensor->dims : std::vector<int64_t>{};
      side["A"].push_back({"name", nullptr, {{"#", "0.a_str"}, {"D", name}}});
      side["A"].push_back({"shape", nullptr, {{"#", "1.a_intarray"}, {"D", dims}}});
      side["A"].push_back(
          {"dtype",
           nullptr,
           {{"#", "1.a_dtype"},
            {"D", phi_dtype_name(v && v->tensor ? v->tensor->dtype : ir::DType::kFloat32)}}});
      side["A"].push_back({"place", nullptr, {{"#", "1.a_place"}, {"D", Json::array({1, 0, ""})}}});
    }
    if (fetch && !op.input("X").empty())
      side["A"].push_back({"name", nullptr, {{"#", "0.a_str"}, {"D", op.input("X")[0]}}});
    Json syn = Json::array();
    for (const auto& a : op.attrs) {
      const int kind = static_cast<int>(a.value.kind());
      if (feed) {
        note["attrs"].push_back({a.name, kind, nullptr, encode_attr(a.value, nullptr)});
        syn.push_back(a.name);
        continue;
      }
      std::string pn = a.name;
      if (e)
        if (auto it = e->to_pir.find(a.name); it != e->to_pir.end()) pn = it->second;
      note["attrs"].push_back({a.name, kind, pn});
      side["A"].push_back({pn, a.name, encode_attr(a.value, nullptr)});
    }
    if (!syn.empty()) side["syn"] = std::move(syn);
    Json x = {{"detport", std::move(note)}};
    if (!feed) x["OA"] = stop_gradient_oa(results);
    side["X"] = std::move(x);
    return side;
  }

  Json parameter(const ir::Var& v) {
    Json op = v.pir.empty()
                  ? Json{{"#", "p"},
                         {"A", Json::array({0, v.is_parameter.value_or(true) ? 1 : 0, 1, v.name})},
                         {"DA", Json::array()},
                         {"QA", Json::array()},
                         {"OA", Json::array({1, v.stop_gradient.value_or(false) ? 1 : 0, 1})},
                         {"TT", encode_type(&v)}}
                  : Json::parse(v.pir);
    op["A"][3] = v.name;
    const int64_t id = next_id++;
    ids[v.name] = id;
    op["O"] = {{"%", id}, {"TT", op["TT"]}};
    op.erase("TT");
    op.erase("at");
    return op;
  }

  Result<Json> block(int32_t idx, const std::string& name);

  Result<Json> op(int32_t block_idx, const ir::Op& op, Json& ops) {
    const Json side = op.pir.empty() ? derive(block_idx, op) : Json::parse(op.pir, nullptr, false);
    if (!side.is_object() || !side.contains("#"))
      return make_error(ErrorCode::kInternal,
                        fmt::format("op '{}' has unreadable PIR side info", op.type));
    const Tables& tab = tables();
    const OpEntry* e = tab.by_pir(side["#"].get<std::string>());
    auto arg_id = [&](const std::string& n) -> int64_t {
      auto it = ids.find(n);
      return it == ids.end() ? 0 : it->second;
    };
    Json out = Json::object();
    out["#"] = side["#"];
    out["I"] = Json::array();
    for (const auto& i : side["I"]) {
      if (i.is_null()) {
        out["I"].push_back({{"%", 0}});
        continue;
      }
      const auto args = op.input(i["s"].get<std::string>());
      if (i.contains("c")) {
        Json c = i["c"];
        Json in = Json::array();
        for (const auto& a : args) in.push_back({{"%", arg_id(a)}});
        const int64_t id = next_id++;
        c["I"] = std::move(in);
        c["O"] = Json::array({{{"%", id}, {"TT", c["TT"]}}});
        c.erase("TT");
        ops.push_back(std::move(c));
        out["I"].push_back({{"%", id}});
        continue;
      }
      const auto k = i["i"].get<std::size_t>();
      out["I"].push_back({{"%", k < args.size() ? arg_id(args[k]) : 0}});
    }
    out["O"] = Json::array();
    std::vector<Json> splits;
    for (const auto& r : side["O"]) {
      if (r.contains("null")) {
        out["O"].push_back({{"%", 0}, {"TT", r["TT"]}});
        continue;
      }
      const auto args = op.output(r["s"].get<std::string>());
      const int64_t id = next_id++;
      out["O"].push_back({{"%", id}, {"TT", r["TT"]}});
      if (r.contains("sp")) {
        Json sp = r["sp"];
        sp["I"] = Json::array({{{"%", id}}});
        sp["O"] = Json::array();
        for (std::size_t k = 0; k < args.size(); ++k) {
          const int64_t pid = next_id++;
          ids[args[k]] = pid;
          sp["O"].push_back(
              {{"%", pid}, {"TT", k < sp["TTs"].size() ? sp["TTs"][k] : encode_type(nullptr)}});
        }
        sp.erase("TTs");
        splits.push_back(std::move(sp));
        continue;
      }
      const auto k = r["i"].get<std::size_t>();
      if (k < args.size()) ids[args[k]] = id;
    }
    // Attributes: the recorded ones in their order and encodings, values from the IR.
    std::unordered_set<std::string> done;
    if (side.contains("syn"))
      for (const auto& s : side["syn"]) done.insert(s.get<std::string>());
    out["A"] = Json::array();
    for (const auto& a : side["A"]) {
      const std::string pn = a[0].get<std::string>();
      if (a[1].is_string()) {
        const std::string irn = a[1].get<std::string>();
        done.insert(irn);
        const ir::Attribute* v = op.attr(irn);
        if (!v) continue;  // removed from the IR
        out["A"].push_back({{"N", pn}, {"AT", encode_attr(*v, &a[2])}});
      } else {
        out["A"].push_back({{"N", pn}, {"AT", a[2]}});
      }
    }
    for (const auto& a : op.attrs) {
      if (done.count(a.name)) continue;
      std::string pn = a.name;
      if (e)
        if (auto it = e->to_pir.find(a.name); it != e->to_pir.end()) pn = it->second;
      out["A"].push_back({{"N", pn}, {"AT", encode_attr(a.value, nullptr)}});
    }
    for (const auto& [k, v] : side["X"].items()) out[k] = v;
    if (side.contains("R")) {
      const ir::Attribute* subs = op.attr("sub_blocks");
      const auto blocks =
          subs ? subs->as_ints().value_or(std::vector<int64_t>{}) : std::vector<int64_t>{};
      std::size_t next = 0;
      out["regions"] = Json::array();
      for (const auto& count : side["R"]) {
        Json region = {{"#", fmt::format("region_{}", region_id++)}, {"blocks", Json::array()}};
        for (int64_t n = 0; n < count.get<int64_t>(); ++n) {
          if (next >= blocks.size() || blocks[next] <= 0 ||
              blocks[next] >= static_cast<int64_t>(program.blocks.size()))
            return make_error(
                ErrorCode::kInvalidInput,
                fmt::format("op '{}' names a sub-block that does not exist", op.type));
          DETPORT_ASSIGN(Json b, block(static_cast<int32_t>(blocks[next++]),
                                       fmt::format("block_{}", block_id++)));
          region["blocks"].push_back(std::move(b));
        }
        out["regions"].push_back(std::move(region));
      }
    }
    ops.push_back(std::move(out));
    for (auto& s : splits) ops.push_back(std::move(s));
    return Json();
  }
};

Result<Json> Writer::block(int32_t idx, const std::string& name) {
  const ir::Block& b = program.blocks[static_cast<std::size_t>(idx)];
  Json out = {{"#", name}, {"args", Json::array()}};
  if (!b.pir.empty()) {
    const Json side = Json::parse(b.pir, nullptr, false);
    // A block read from PIR keeps its name, so writing what was read reproduces it.
    if (side.is_object() && side.contains("#") && side["#"].is_string()) out["#"] = side["#"];
    if (side.is_object() && side.contains("args"))
      for (const auto& a : side["args"]) {
        const int64_t id = next_arg--;
        ids[a[0].get<std::string>()] = id;
        out["args"].push_back({{"#", id}, {"TT", a[1]}});
      }
  }
  // Parameters: where they were read, or (legacy programs) first, in var order.
  std::vector<std::pair<int64_t, const ir::Var*>> params;
  for (const auto& v : b.vars) {
    if (!v.pir.empty()) {
      const Json s = Json::parse(v.pir, nullptr, false);
      params.push_back({s.is_object() ? s.value("at", int64_t{0}) : 0, &v});
    } else if (idx == 0 && v.holds_weights()) {
      params.push_back({0, &v});
    }
  }
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  Json ops = Json::array();
  std::size_t next_param = 0;
  for (std::size_t i = 0; i <= b.ops.size(); ++i) {
    while (next_param < params.size() && params[next_param].first <= static_cast<int64_t>(i))
      ops.push_back(parameter(*params[next_param++].second));
    if (i == b.ops.size()) break;
    DETPORT_TRY(op(idx, b.ops[i], ops));
  }
  out["ops"] = std::move(ops);
  return out;
}

}  // namespace

ir::Attribute coerce(const ir::Attribute& a, ir::AttrKind kind) {
  using K = ir::AttrKind;
  if (a.kind() == kind) return a;
  // An empty list reads back as INTS whatever it was: any list kind can be empty.
  const auto ints = a.as_ints();
  const auto* strs = a.as_strings();
  if ((ints && ints->empty() && a.kind() != K::kBool && a.kind() != K::kInt &&
       a.kind() != K::kLong && a.kind() != K::kBlock && a.kind() != K::kScalar) ||
      (strs && strs->empty())) {
    switch (kind) {
      case K::kStrings:
        return ir::Attribute::strs({});
      case K::kVars:
        return ir::Attribute::vars({});
      case K::kFloats:
        return ir::Attribute::f32s({});
      case K::kFloat64s:
        return ir::Attribute::f64s({});
      case K::kBools:
        return ir::Attribute::bools({});
      case K::kScalars:
        return ir::Attribute::scalars({});
      default:
        break;
    }
  }
  switch (kind) {
    case K::kInt:
      if (auto v = a.as_int()) return ir::Attribute::i32(static_cast<int32_t>(*v));
      break;
    case K::kBlock:
      if (auto v = a.as_int()) return ir::Attribute::block(static_cast<int32_t>(*v));
      break;
    case K::kLong:
      if (auto v = a.as_int()) return ir::Attribute::i64(*v);
      break;
    case K::kBool:
      if (auto v = a.as_bool()) return ir::Attribute::boolean(*v);
      break;
    case K::kFloat:
      if (auto v = a.as_double()) return ir::Attribute::f32(to_float(*v));
      break;
    case K::kFloat64:
      if (auto v = a.as_double()) return ir::Attribute::f64(*v);
      break;
    case K::kString:
      if (auto v = a.as_string()) return ir::Attribute::str(*v);
      break;
    case K::kVar:
      if (auto v = a.as_string()) return ir::Attribute::var(*v);
      break;
    case K::kInts:
      if (auto v = a.as_ints()) return ir::Attribute::i32s(cast_all<int32_t>(*v));
      break;
    case K::kBlocks:
      if (auto v = a.as_ints()) return ir::Attribute::blocks(cast_all<int32_t>(*v));
      break;
    case K::kLongs:
      if (auto v = a.as_ints()) return ir::Attribute::i64s(*v);
      break;
    case K::kBools:
      if (auto v = a.as_ints()) {
        std::vector<bool> b;
        for (auto x : *v) b.push_back(x != 0);
        return ir::Attribute::bools(std::move(b));
      }
      break;
    case K::kFloats:
      if (auto v = a.as_doubles()) return ir::Attribute::f32s(cast_all<float>(*v));
      break;
    case K::kFloat64s:
      if (auto v = a.as_doubles()) return ir::Attribute::f64s(*v);
      break;
    case K::kStrings:
      if (auto v = a.as_strings()) return ir::Attribute::strs(*v);
      break;
    case K::kVars:
      if (auto v = a.as_strings()) return ir::Attribute::vars(*v);
      break;
    case K::kScalar:
      if (auto v = a.as_double()) return ir::Attribute::scalar(ir::Scalar::of_double(*v));
      break;
    case K::kScalars:
      break;
  }
  return a;
}

namespace {
Result<Json> write_checked(const ir::Program& program, int64_t version);
}  // namespace

Result<Json> write_program(const ir::Program& program, int64_t version) {
  try {
    return write_checked(program, version);
  } catch (const Json::exception& e) {
    return make_error(ErrorCode::kInvalidInput,
                      std::string("the program's PIR side information is malformed: ") + e.what());
  }
}

namespace {
Result<Json> write_checked(const ir::Program& program, int64_t version) {
  if (program.blocks.empty())
    return make_error(ErrorCode::kInvalidInput, "the program has no blocks");
  Json doc = Json::object();
  if (!program.pir.empty()) doc = Json::parse(program.pir, nullptr, false);
  if (!doc.is_object() || !doc.contains("base_code"))
    doc = Json{{"base_code", {{"magic", "pir"}, {"trainable", true}}}};
  doc["base_code"]["version"] = static_cast<uint64_t>(version);
  if (program.pir.empty()) {  // from a legacy file: keep what only the legacy form says
    Json legacy = Json::object();
    if (program.has_version) legacy["version"] = program.version ? Json(*program.version) : Json();
    if (program.op_version_map) {
      Json map = Json::array();
      for (const auto& v : *program.op_version_map) map.push_back({v.op, v.version});
      legacy["op_version_map"] = std::move(map);
    }
    doc["detport"] = {{"legacy", std::move(legacy)}};
  }
  Writer w{program, 1, -1, 1, 1, {}};
  DETPORT_ASSIGN(Json b0, w.block(0, "block_0"));
  doc["program"] = {
      {"regions", Json::array({{{"#", "region_0"}, {"blocks", Json::array({std::move(b0)})}}})}};
  return doc;
}

}  // namespace

}  // namespace detport::formats::pir
