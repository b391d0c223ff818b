#include "formats/paddle_pir/pir_patches.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "formats/paddle_pir/pir_tables.h"

namespace detport::formats::pir {
namespace {

struct Mover {
  std::vector<VersionChange>& changes;
  int version;
  bool up;

  // Re-encodes one scalar attribute value from kind `from` to kind `to`.
  Status retype(Json& at_json, const std::string& from, const std::string& to,
                const std::string& pointer) {
    if (!at_json.is_object() || at_json.value("#", "") != from) return {};
    at_json["#"] = to;
    if (!at_json.contains("D")) return {};
    Json& d = at_json["D"];
    if (to == "0.a_i32" && d.is_number_integer()) {
      const auto v = d.get<int64_t>();
      if (v < INT32_MIN || v > INT32_MAX)
        return at(pointer,
                  fmt::format("{} does not fit the int32 that PIR version {} uses", v, version - 1),
                  ErrorCode::kIncompatible);
    }
    if (to == "0.a_f32" && d.is_number()) d = static_cast<double>(to_float(d.get<double>()));
    if (to == "0.a_f64" && d.is_number_integer()) d = d.get<double>();
    return {};
  }

  Status apply(Json& op, const PatchAction& a, const std::string& p, int64_t& max_id) {
    const std::string tag = fmt::format("(patch {}, {})", version, up ? "applied" : "undone");
    if (a.action == "modify_attr") {
      const std::string from = up ? a.from : a.to;
      const std::string to = up ? a.to : a.from;
      if (!op.contains("A") || !op["A"].is_array()) return {};
      for (std::size_t k = 0; k < op["A"].size(); ++k) {
        Json& attr = op["A"][k];
        if (attr.value("N", "") != a.attr || !attr.contains("AT")) continue;
        const std::string ap = fmt::format("{}/A/{}/AT", p, k);
        bool changed = false;
        if (a.array) {
          if (attr["AT"].value("#", "") != "0.a_array") continue;
          for (std::size_t i = 0; i < attr["AT"]["D"].size(); ++i) {
            Json& el = attr["AT"]["D"][i];
            if (el.value("#", "") != from) continue;
            DETPORT_TRY(retype(el, from, to, fmt::format("{}/D/{}", ap, i)));
            changed = true;
          }
        } else if (attr["AT"].value("#", "") == from) {
          DETPORT_TRY(retype(attr["AT"], from, to, ap));
          changed = true;
        }
        if (changed)
          changes.push_back({ap, fmt::format("{} {}: {}{} -> {} {}", op["#"].get<std::string>(),
                                             a.attr, a.array ? "array of " : "", from, to, tag)});
      }
      return {};
    }
    if (a.action == "add_attr") {
      if (!op.contains("A") || !op["A"].is_array()) op["A"] = Json::array();
      Json& attrs = op["A"];
      for (std::size_t k = 0; k < attrs.size(); ++k) {
        if (attrs[k].value("N", "") != a.attr) continue;
        if (up) return {};
        changes.push_back(
            {fmt::format("{}/A/{}", p, k),
             fmt::format("{}: removed attribute {} = {} {}", op["#"].get<std::string>(), a.attr,
                         attrs[k]["AT"].dump(), tag)});
        attrs.erase(k);
        return {};
      }
      if (!up) return {};
      attrs.push_back({{"N", a.attr}, {"AT", {{"#", a.kind}, {"D", a.value}}}});
      changes.push_back({fmt::format("{}/A/{}", p, attrs.size() - 1),
                         fmt::format("{}: added attribute {} = {} {}", op["#"].get<std::string>(),
                                     a.attr, a.value.dump(), tag)});
      return {};
    }
    if (a.action == "add_output") {
      Json& results = op["O"];
      const auto index = static_cast<std::size_t>(a.index);
      if (up) {
        if (results.size() > index) return {};  // already there
        results.push_back({{"%", ++max_id}, {"TT", a.type}});
        changes.push_back(
            {fmt::format("{}/O/{}", p, index),
             fmt::format("{}: added result {} {}", op["#"].get<std::string>(), index, tag)});
        return {};
      }
      if (results.size() <= index) return {};
      const auto id = results[index].value("%", int64_t{0});
      if (id != 0 && used_.count(id))
        return at(fmt::format("{}/O/{}", p, index),
                  fmt::format("result {} of {} is used, but PIR version {} does not have it", index,
                              op["#"].get<std::string>(), version - 1),
                  ErrorCode::kIncompatible);
      results.erase(index);
      changes.push_back(
          {fmt::format("{}/O/{}", p, index),
           fmt::format("{}: removed result {} {}", op["#"].get<std::string>(), index, tag)});
      return {};
    }
    return {};
  }

  std::set<int64_t> used_;
};

void for_each_op(Json& block, const std::string& p,
                 const std::function<void(Json&, const std::string&)>& f) {
  if (!block.is_object() || !block.contains("ops") || !block["ops"].is_array()) return;
  for (std::size_t i = 0; i < block["ops"].size(); ++i) {
    Json& op = block["ops"][i];
    const std::string op_p = fmt::format("{}/ops/{}", p, i);
    f(op, op_p);
    if (op.is_object() && op.contains("regions") && op["regions"].is_array())
      for (std::size_t r = 0; r < op["regions"].size(); ++r)
        if (op["regions"][r].contains("blocks"))
          for (std::size_t b = 0; b < op["regions"][r]["blocks"].size(); ++b)
            for_each_op(op["regions"][r]["blocks"][b],
                        fmt::format("{}/regions/{}/blocks/{}", op_p, r, b), f);
  }
}

}  // namespace

int64_t min_pir_version() {
  return tables().min_version;
}
int64_t max_pir_version() {
  return tables().max_version;
}

namespace {
Result<std::vector<VersionChange>> change_checked(Json& doc, int64_t to);
}  // namespace

Result<std::vector<VersionChange>> change_pir_version(Json& doc, int64_t to) {
  try {
    return change_checked(doc, to);
  } catch (const Json::exception& e) {
    return make_error(ErrorCode::kInvalidInput, std::string("malformed PIR program: ") + e.what());
  }
}

namespace {
Result<std::vector<VersionChange>> change_checked(Json& doc, int64_t to) {
  if (!doc.is_object() || !doc.contains("base_code") || !doc["base_code"].contains("version") ||
      !doc["base_code"]["version"].is_number_integer())
    return at("/base_code/version", "expected the PIR version");
  const int64_t from = doc["base_code"]["version"].get<int64_t>();
  const Tables& tab = tables();
  for (const auto& [v, where] : {std::pair{from, "/base_code/version"}, std::pair{to, ""}})
    if (v < tab.min_version || v > tab.max_version)
      return at(where,
                fmt::format("PIR version {} is not one detport moves between ({}..{}; version 0 "
                            "is a develop build and has no fixed meaning)",
                            v, tab.min_version, tab.max_version),
                ErrorCode::kUnsupported);
  std::vector<VersionChange> changes;
  if (!doc.contains("program") || !doc["program"].contains("regions"))
    return at("/program/regions", "expected the array of regions");
  int64_t max_id = 0;
  std::set<int64_t> used;
  auto scan = [&](Json& op, const std::string&) {
    if (!op.is_object()) return;
    if (op.contains("O")) {
      const Json& o = op["O"];
      if (o.is_object()) max_id = std::max(max_id, o.value("%", int64_t{0}));
      if (o.is_array())
        for (const auto& r : o) max_id = std::max(max_id, r.value("%", int64_t{0}));
    }
    if (op.contains("I") && op["I"].is_array())
      for (const auto& i : op["I"]) used.insert(i.value("%", int64_t{0}));
  };
  Json& regions = doc["program"]["regions"];
  auto each = [&](const std::function<void(Json&, const std::string&)>& f) {
    for (std::size_t r = 0; r < regions.size(); ++r)
      for (std::size_t b = 0; b < regions[r]["blocks"].size(); ++b)
        for_each_op(regions[r]["blocks"][b], fmt::format("/program/regions/{}/blocks/{}", r, b), f);
  };
  each(scan);
  auto step = [&](int version, bool up) -> Status {
    auto it = tab.patches.find(version);
    if (it == tab.patches.end()) return {};
    Mover m{changes, version, up, used};
    std::vector<PatchAction> actions = it->second;
    if (!up) std::reverse(actions.begin(), actions.end());
    Status status;
    each([&](Json& op, const std::string& p) {
      if (!status.ok() || !op.is_object() || !op.contains("#")) return;
      for (const auto& a : actions)
        if (op["#"] == a.op) {
          status = m.apply(op, a, p, max_id);
          if (!status.ok()) return;
        }
    });
    return status;
  };
  if (to > from)
    for (int64_t v = from + 1; v <= to; ++v) DETPORT_TRY(step(static_cast<int>(v), true));
  else
    for (int64_t v = from; v > to; --v) DETPORT_TRY(step(static_cast<int>(v), false));
  doc["base_code"]["version"] = static_cast<uint64_t>(to);
  return changes;
}

}  // namespace

}  // namespace detport::formats::pir
