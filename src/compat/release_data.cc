#include "compat/release_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

namespace detport::compat {
namespace {

using nlohmann::json;
using SourceTable = std::map<std::string, Source, std::less<>>;

std::string type_name(const json& j) {
  return j.is_number_integer() ? "an integer" : std::string("a ") + j.type_name();
}

// Walks a document and reports the first schema error with its JSON pointer.
class Reader {
 public:
  Reader(std::string where, const SourceTable* sources)
      : where_(std::move(where)), sources_(sources) {}

  Error fail(const std::string& ptr, const std::string& what) const {
    return make_error(ErrorCode::kInvalidInput, what,
                      fmt::format("{}: {}", where_, ptr.empty() ? "/" : ptr));
  }

  Status object(const json& j, const std::string& ptr) const {
    if (!j.is_object()) return fail(ptr, "expected an object, found " + type_name(j));
    return {};
  }

  // Rejects keys outside `allowed`: a misspelt key would otherwise be silently ignored.
  Status keys(const json& j, const std::string& ptr,
              std::initializer_list<std::string_view> allowed) const {
    DETPORT_TRY(object(j, ptr));
    for (const auto& [k, v] : j.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
        return fail(ptr + "/" + k, fmt::format("unknown key \"{}\" (expected one of: {})", k,
                                               fmt::join(allowed, ", ")));
    }
    return {};
  }

  Result<std::string> string(const json& j, const std::string& ptr) const {
    if (!j.is_string()) return fail(ptr, "expected a string, found " + type_name(j));
    return j.get<std::string>();
  }
  Result<bool> boolean(const json& j, const std::string& ptr) const {
    if (!j.is_boolean()) return fail(ptr, "expected true or false, found " + type_name(j));
    return j.get<bool>();
  }
  Result<int64_t> integer(const json& j, const std::string& ptr) const {
    if (!j.is_number_integer()) return fail(ptr, "expected an integer, found " + type_name(j));
    return j.get<int64_t>();
  }
  Result<std::vector<std::string>> strings(const json& j, const std::string& ptr) const {
    if (!j.is_array()) return fail(ptr, "expected an array of strings, found " + type_name(j));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
      DETPORT_ASSIGN(auto s, string(j[i], fmt::format("{}/{}", ptr, i)));
      out.push_back(std::move(s));
    }
    return out;
  }
  Result<std::vector<int32_t>> ints(const json& j, const std::string& ptr) const {
    if (!j.is_array()) return fail(ptr, "expected an array of integers, found " + type_name(j));
    std::vector<int32_t> out;
    for (std::size_t i = 0; i < j.size(); ++i) {
      DETPORT_ASSIGN(auto v, integer(j[i], fmt::format("{}/{}", ptr, i)));
      out.push_back(static_cast<int32_t>(v));
    }
    return out;
  }

  Result<Evidence> evidence(const json& j, const std::string& ptr) const {
    DETPORT_ASSIGN(auto s, string(j, ptr));
    for (Evidence e :
         {Evidence::kVerified, Evidence::kTested, Evidence::kInferred, Evidence::kUnverified})
      if (s == evidence_name(e)) return e;
    return fail(ptr, fmt::format("\"{}\" is not an evidence level (expected verified, tested, "
                                 "inferred or unverified)",
                                 s));
  }

  // A `source` list: every id must be in sources.json.
  Result<std::vector<std::string>> source(const json& j, const std::string& ptr) const {
    DETPORT_ASSIGN(auto ids, strings(j, ptr));
    if (ids.empty()) return fail(ptr, "expected at least one source id");
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (sources_ != nullptr && sources_->find(ids[i]) == sources_->end())
        return fail(fmt::format("{}/{}", ptr, i),
                    fmt::format("source \"{}\" is not in sources.json", ids[i]));
    return ids;
  }

  // The common `source`/`evidence`/`note` triple; `source` is required when `need_source`.
  Status sourced(const json& j, const std::string& ptr, Sourced& out,
                 bool need_source = true) const {
    if (j.contains("source")) {
      DETPORT_ASSIGN(out.source, source(j["source"], ptr + "/source"));
    } else if (need_source) {
      return fail(ptr, "missing \"source\": every fact names where it comes from");
    }
    if (j.contains("evidence")) {
      DETPORT_ASSIGN(out.evidence, evidence(j["evidence"], ptr + "/evidence"));
    }
    if (j.contains("note")) {
      DETPORT_ASSIGN(out.note, string(j["note"], ptr + "/note"));
    }
    return {};
  }

 private:
  std::string where_;
  const SourceTable* sources_;
};

Result<AttrInfo> read_attr(const Reader& r, const json& j, const std::string& ptr) {
  DETPORT_TRY(r.keys(j, ptr,
                     {"type", "default", "default_source", "default_evidence", "extra", "effect",
                      "effect_why", "effect_source"}));
  AttrInfo a;
  if (!j.contains("type")) return r.fail(ptr, "missing \"type\" (an AttrType name such as INTS)");
  DETPORT_ASSIGN(auto type, r.string(j["type"], ptr + "/type"));
  auto kind = ir::attr_kind_from_name(type);
  if (!kind)
    return r.fail(ptr + "/type", fmt::format("\"{}\" is not an AttrType name (INT, FLOAT, STRING, "
                                             "INTS, ..., SCALARS)",
                                             type));
  a.type = *kind;
  if (j.contains("default")) {
    a.default_value = j["default"];
    if (!j.contains("default_source"))
      return r.fail(ptr, "\"default\" needs \"default_source\" (where the default was read)");
    DETPORT_ASSIGN(a.default_source, r.source(j["default_source"], ptr + "/default_source"));
    if (j.contains("default_evidence")) {
      DETPORT_ASSIGN(a.default_evidence,
                     r.evidence(j["default_evidence"], ptr + "/default_evidence"));
    }
  }
  if (j.contains("extra")) {
    DETPORT_ASSIGN(a.extra, r.boolean(j["extra"], ptr + "/extra"));
  }
  if (j.contains("effect")) {
    DETPORT_ASSIGN(auto e, r.string(j["effect"], ptr + "/effect"));
    if (e == "slow")
      a.effect = Effect::kSlow;
    else if (e == "wrong-result")
      a.effect = Effect::kWrongResult;
    else
      return r.fail(ptr + "/effect",
                    fmt::format("\"{}\" is not an effect (slow, wrong-result)", e));
    if (!j.contains("effect_why") || !j.contains("effect_source"))
      return r.fail(ptr, "\"effect\" needs \"effect_why\" and \"effect_source\"");
    DETPORT_ASSIGN(a.effect_why, r.string(j["effect_why"], ptr + "/effect_why"));
    DETPORT_ASSIGN(a.effect_source, r.source(j["effect_source"], ptr + "/effect_source"));
  }
  return a;
}

Result<SlotInfo> read_slot(const Reader& r, const json& j, const std::string& ptr) {
  DETPORT_TRY(r.keys(j, ptr, {"dispensable", "extra", "required", "note", "source", "evidence"}));
  SlotInfo s;
  if (j.contains("dispensable")) {
    DETPORT_ASSIGN(s.dispensable, r.boolean(j["dispensable"], ptr + "/dispensable"));
  }
  if (j.contains("extra")) {
    DETPORT_ASSIGN(s.extra, r.boolean(j["extra"], ptr + "/extra"));
  }
  if (j.contains("required")) {
    DETPORT_ASSIGN(s.required, r.boolean(j["required"], ptr + "/required"));
    if (!j.contains("source")) return r.fail(ptr, "\"required\" needs \"source\"");
  }
  if (j.contains("note")) {
    DETPORT_ASSIGN(s.note, r.string(j["note"], ptr + "/note"));
  }
  if (j.contains("source")) {
    DETPORT_ASSIGN(s.source, r.source(j["source"], ptr + "/source"));
  }
  return s;
}

Result<Checkpoint> read_checkpoint(const Reader& r, const json& j, const std::string& ptr) {
  DETPORT_TRY(
      r.keys(j, ptr, {"version", "kind", "change", "impact", "source", "only_if", "evidence"}));
  Checkpoint c;
  for (const char* k : {"version", "kind", "change", "impact", "source"})
    if (!j.contains(k)) return r.fail(ptr, fmt::format("missing \"{}\"", k));
  DETPORT_ASSIGN(auto v, r.integer(j["version"], ptr + "/version"));
  c.version = static_cast<int32_t>(v);
  DETPORT_ASSIGN(c.kind, r.string(j["kind"], ptr + "/kind"));
  DETPORT_ASSIGN(c.change, r.string(j["change"], ptr + "/change"));
  DETPORT_ASSIGN(auto impact, r.string(j["impact"], ptr + "/impact"));
  if (impact == "compatible")
    c.impact = Checkpoint::Impact::kCompatible;
  else if (impact == "incompatible")
    c.impact = Checkpoint::Impact::kIncompatible;
  else if (impact == "behavior-change")
    c.impact = Checkpoint::Impact::kBehaviorChange;
  else if (impact == "unknown")
    c.impact = Checkpoint::Impact::kUnknown;
  else
    return r.fail(ptr + "/impact", fmt::format("\"{}\" is not an impact (compatible, incompatible, "
                                               "behavior-change, unknown)",
                                               impact));
  DETPORT_ASSIGN(c.source, r.source(j["source"], ptr + "/source"));
  if (j.contains("only_if")) {
    const json& o = j["only_if"];
    DETPORT_TRY(r.keys(o, ptr + "/only_if", {"attr", "gt"}));
    if (!o.contains("attr") || !o.contains("gt") || !o["gt"].is_number())
      return r.fail(ptr + "/only_if", "expected {\"attr\": name, \"gt\": number}");
    DETPORT_ASSIGN(auto attr, r.string(o["attr"], ptr + "/only_if/attr"));
    c.only_if_attr = attr;
    c.only_if_gt = o["gt"].get<double>();
  }
  return c;
}

Result<OpInfo> read_op(const Reader& r, const json& j, const std::string& ptr) {
  DETPORT_TRY(r.keys(j, ptr,
                     {"version", "version_evidence", "inputs", "outputs", "attrs", "complete",
                      "source", "checkpoints", "evidence", "note"}));
  OpInfo op;
  if (j.contains("version")) {
    DETPORT_ASSIGN(auto v, r.integer(j["version"], ptr + "/version"));
    if (v < 0) return r.fail(ptr + "/version", "an op version is a checkpoint count (>= 0)");
    op.version = static_cast<int32_t>(v);
  }
  if (j.contains("version_evidence")) {
    DETPORT_ASSIGN(op.version_evidence,
                   r.evidence(j["version_evidence"], ptr + "/version_evidence"));
  }
  for (const char* slots : {"inputs", "outputs"}) {
    if (!j.contains(slots)) continue;
    const std::string sp = ptr + "/" + slots;
    DETPORT_TRY(r.object(j[slots], sp));
    auto& dst = std::string_view(slots) == "inputs" ? op.inputs : op.outputs;
    for (const auto& [name, v] : j[slots].items()) {
      DETPORT_ASSIGN(auto s, read_slot(r, v, sp + "/" + name));
      dst.emplace(name, std::move(s));
    }
  }
  if (j.contains("attrs")) {
    DETPORT_TRY(r.object(j["attrs"], ptr + "/attrs"));
    for (const auto& [name, v] : j["attrs"].items()) {
      DETPORT_ASSIGN(auto a, read_attr(r, v, ptr + "/attrs/" + name));
      op.attrs.emplace(name, std::move(a));
    }
  }
  if (j.contains("complete")) {
    DETPORT_ASSIGN(op.complete, r.boolean(j["complete"], ptr + "/complete"));
  }
  if (!j.contains("source"))
    return r.fail(ptr, "missing \"source\": every op names where it comes from");
  DETPORT_ASSIGN(op.source, r.source(j["source"], ptr + "/source"));
  if (j.contains("evidence")) {
    DETPORT_ASSIGN(op.evidence, r.evidence(j["evidence"], ptr + "/evidence"));
  }
  if (j.contains("note")) {
    DETPORT_ASSIGN(op.note, r.string(j["note"], ptr + "/note"));
  }
  if (j.contains("checkpoints")) {
    const json& cks = j["checkpoints"];
    if (!cks.is_array())
      return r.fail(ptr + "/checkpoints", "expected an array, found " + type_name(cks));
    for (std::size_t i = 0; i < cks.size(); ++i) {
      DETPORT_ASSIGN(auto c, read_checkpoint(r, cks[i], fmt::format("{}/checkpoints/{}", ptr, i)));
      op.checkpoints.push_back(std::move(c));
    }
  }
  return op;
}

Status read_proto(const Reader& r, const json& j, ProtoInfo& p) {
  const std::string ptr = "/proto";
  DETPORT_TRY(r.keys(j, ptr,
                     {"attr_type_max", "var_type_max", "program_fields", "var_fields",
                      "vartype_fields", "source", "evidence", "note"}));
  for (const char* k :
       {"attr_type_max", "var_type_max", "program_fields", "var_fields", "vartype_fields"})
    if (!j.contains(k)) return r.fail(ptr, fmt::format("missing \"{}\"", k));
  DETPORT_ASSIGN(auto am, r.integer(j["attr_type_max"], ptr + "/attr_type_max"));
  DETPORT_ASSIGN(auto vm, r.integer(j["var_type_max"], ptr + "/var_type_max"));
  if (am < 0 || am > ir::kMaxAttrKind)
    return r.fail(ptr + "/attr_type_max",
                  fmt::format("expected 0..{}, found {}", ir::kMaxAttrKind, am));
  if (vm < 0 || vm > ir::kMaxVarType)
    return r.fail(ptr + "/var_type_max",
                  fmt::format("expected 0..{}, found {}", ir::kMaxVarType, vm));
  p.attr_type_max = static_cast<int32_t>(am);
  p.var_type_max = static_cast<int32_t>(vm);
  DETPORT_ASSIGN(p.program_fields, r.ints(j["program_fields"], ptr + "/program_fields"));
  DETPORT_ASSIGN(p.var_fields, r.ints(j["var_fields"], ptr + "/var_fields"));
  DETPORT_ASSIGN(p.vartype_fields, r.ints(j["vartype_fields"], ptr + "/vartype_fields"));
  return r.sourced(j, ptr, p);
}

Status read_formats(const Reader& r, const json& j, FormatsInfo& f) {
  const std::string ptr = "/formats";
  DETPORT_TRY(
      r.keys(j, ptr, {"pdmodel", "pir_json", "default_export", "source", "evidence", "note"}));
  for (const char* k : {"pdmodel", "pir_json", "default_export"})
    if (!j.contains(k)) return r.fail(ptr, fmt::format("missing \"{}\"", k));
  for (const char* fmt_name : {"pdmodel", "pir_json"}) {
    const std::string fp = ptr + "/" + fmt_name;
    DETPORT_TRY(r.keys(j[fmt_name], fp, {"read", "write"}));
    if (!j[fmt_name].contains("read") || !j[fmt_name].contains("write"))
      return r.fail(fp, "expected {\"read\": bool, \"write\": bool}");
    DETPORT_ASSIGN(bool rd, r.boolean(j[fmt_name]["read"], fp + "/read"));
    DETPORT_ASSIGN(bool wr, r.boolean(j[fmt_name]["write"], fp + "/write"));
    (std::string_view(fmt_name) == "pdmodel" ? f.pdmodel_read : f.pir_read) = rd;
    (std::string_view(fmt_name) == "pdmodel" ? f.pdmodel_write : f.pir_write) = wr;
  }
  DETPORT_ASSIGN(f.default_export, r.string(j["default_export"], ptr + "/default_export"));
  if (f.default_export != "pdmodel" && f.default_export != "pir_json")
    return r.fail(ptr + "/default_export", "expected \"pdmodel\" or \"pir_json\"");
  return r.sourced(j, ptr, f);
}

Status read_pir(const Reader& r, const json& j, PirInfo& p) {
  const std::string ptr = "/pir";
  DETPORT_TRY(r.keys(j, ptr, {"version", "patch", "source", "evidence", "note"}));
  if (!j.contains("version")) return r.fail(ptr, "missing \"version\" (the PIR base_code.version)");
  DETPORT_ASSIGN(p.version, r.integer(j["version"], ptr + "/version"));
  if (j.contains("patch")) {
    const json& pa = j["patch"];
    DETPORT_TRY(r.keys(pa, ptr + "/patch", {"version", "ops", "change", "source"}));
    if (pa.contains("ops")) {
      DETPORT_ASSIGN(p.patch_ops, r.strings(pa["ops"], ptr + "/patch/ops"));
    }
    if (pa.contains("change")) {
      DETPORT_ASSIGN(p.patch_change, r.string(pa["change"], ptr + "/patch/change"));
    }
    if (pa.contains("source")) DETPORT_TRY(r.source(pa["source"], ptr + "/patch/source"));
  }
  return r.sourced(j, ptr, p);
}

Status read_export(const Reader& r, const json& j, ExportInfo& e) {
  const std::string ptr = "/export";
  DETPORT_TRY(r.keys(j, ptr,
                     {"clip_extra_attrs", "clip_extra_outputs", "common_attrs",
                      "clipped_common_attrs", "source", "evidence", "note"}));
  for (const char* k :
       {"clip_extra_attrs", "clip_extra_outputs", "common_attrs", "clipped_common_attrs"})
    if (!j.contains(k)) return r.fail(ptr, fmt::format("missing \"{}\"", k));
  DETPORT_ASSIGN(e.clip_extra_attrs, r.boolean(j["clip_extra_attrs"], ptr + "/clip_extra_attrs"));
  DETPORT_ASSIGN(e.clip_extra_outputs,
                 r.boolean(j["clip_extra_outputs"], ptr + "/clip_extra_outputs"));
  DETPORT_ASSIGN(e.common_attrs, r.strings(j["common_attrs"], ptr + "/common_attrs"));
  DETPORT_ASSIGN(e.clipped_common_attrs,
                 r.strings(j["clipped_common_attrs"], ptr + "/clipped_common_attrs"));
  return r.sourced(j, ptr, e);
}

Status read_op_version_map(const Reader& r, const json& j, OpVersionMapInfo& m) {
  const std::string ptr = "/op_version_map";
  DETPORT_TRY(r.keys(j, ptr, {"written", "entries", "source", "evidence", "note"}));
  if (!j.contains("written")) return r.fail(ptr, "missing \"written\"");
  DETPORT_ASSIGN(m.written, r.boolean(j["written"], ptr + "/written"));
  if (j.contains("entries")) {
    const json& es = j["entries"];
    if (!es.is_array()) return r.fail(ptr + "/entries", "expected an array of [op, version] pairs");
    std::vector<ir::OpVersion> out;
    for (std::size_t i = 0; i < es.size(); ++i) {
      const std::string ep = fmt::format("{}/entries/{}", ptr, i);
      if (!es[i].is_array() || es[i].size() != 2)
        return r.fail(ep, "expected an [op, version] pair, found " + es[i].dump());
      DETPORT_ASSIGN(auto op, r.string(es[i][0], ep + "/0"));
      DETPORT_ASSIGN(auto v, r.integer(es[i][1], ep + "/1"));
      out.push_back({std::move(op), static_cast<int32_t>(v)});
    }
    m.entries = std::move(out);
  }
  return r.sourced(j, ptr, m);
}

}  // namespace

std::string_view evidence_name(Evidence e) {
  switch (e) {
    case Evidence::kVerified:
      return "verified";
    case Evidence::kTested:
      return "tested";
    case Evidence::kInferred:
      return "inferred";
    case Evidence::kUnverified:
      return "unverified";
  }
  return "unverified";
}

const AttrInfo* OpInfo::attr(std::string_view name) const {
  auto it = attrs.find(name);
  return it == attrs.end() ? nullptr : &it->second;
}

bool OpInfo::has_extras() const {
  return std::any_of(attrs.begin(), attrs.end(), [](const auto& a) { return a.second.extra; });
}

const OpInfo* ReleaseData::op(std::string_view type) const {
  auto it = ops.find(type);
  return it == ops.end() ? nullptr : it->second.get();
}

const AbsentOp* ReleaseData::absent(std::string_view type) const {
  auto it = absent_ops.find(type);
  return it == absent_ops.end() ? nullptr : &it->second;
}

Result<std::map<std::string, Source, std::less<>>> sources_from_json(const nlohmann::json& doc,
                                                                     const std::string& where) {
  Reader r(where, nullptr);
  DETPORT_TRY(r.keys(doc, "", {"schema", "sources"}));
  if (!doc.contains("schema") || doc["schema"] != "detport.compat.sources/1")
    return r.fail("/schema", "expected \"detport.compat.sources/1\"");
  if (!doc.contains("sources")) return r.fail("", "missing \"sources\"");
  DETPORT_TRY(r.object(doc["sources"], "/sources"));
  SourceTable out;
  for (const auto& [id, s] : doc["sources"].items()) {
    const std::string ptr = "/sources/" + id;
    DETPORT_TRY(r.keys(s, ptr, {"repo", "path", "commit", "evidence", "note"}));
    for (const char* k : {"repo", "path", "commit", "evidence"})
      if (!s.contains(k)) return r.fail(ptr, fmt::format("missing \"{}\"", k));
    Source src;
    DETPORT_ASSIGN(src.repo, r.string(s["repo"], ptr + "/repo"));
    DETPORT_ASSIGN(src.path, r.string(s["path"], ptr + "/path"));
    DETPORT_ASSIGN(src.commit, r.string(s["commit"], ptr + "/commit"));
    DETPORT_ASSIGN(src.evidence, r.evidence(s["evidence"], ptr + "/evidence"));
    if (s.contains("note")) {
      DETPORT_ASSIGN(src.note, r.string(s["note"], ptr + "/note"));
    }
    out.emplace(id, std::move(src));
  }
  return out;
}

Result<ReleaseData> release_from_json(const nlohmann::json& doc, const std::string& where,
                                      const SourceTable& sources, const ReleaseData* previous,
                                      const nlohmann::json* patch) {
  Reader r(where, &sources);
  DETPORT_TRY(r.keys(doc, "",
                     {"schema", "release", "extends", "summary", "releases_seen", "proto",
                      "formats", "pir", "export", "op_version_map", "ops", "absent_ops"}));
  if (!doc.contains("schema") || doc["schema"] != "detport.compat.release/1")
    return r.fail("/schema", "expected \"detport.compat.release/1\"");
  for (const char* k : {"release", "proto", "formats", "export", "op_version_map", "ops"})
    if (!doc.contains(k)) return r.fail("", fmt::format("missing \"{}\"", k));
  ReleaseData d;
  DETPORT_ASSIGN(d.name, r.string(doc["release"], "/release"));
  auto rel = ir::Release::parse(d.name);
  if (!rel) return r.fail("/release", fmt::format("\"{}\" is not a release like \"2.6\"", d.name));
  d.release = *rel;
  if (doc.contains("summary")) {
    DETPORT_ASSIGN(d.summary, r.string(doc["summary"], "/summary"));
  }
  if (doc.contains("releases_seen")) {
    DETPORT_ASSIGN(d.releases_seen, r.strings(doc["releases_seen"], "/releases_seen"));
  }
  DETPORT_TRY(read_proto(r, doc["proto"], d.proto));
  DETPORT_TRY(read_formats(r, doc["formats"], d.formats));
  if (doc.contains("pir")) {
    PirInfo p;
    DETPORT_TRY(read_pir(r, doc["pir"], p));
    d.pir = std::move(p);
  }
  if (d.formats.pir_read && !d.pir)
    return r.fail("/pir", "the release reads PIR JSON, so it needs \"pir\": {\"version\": N}");
  DETPORT_TRY(read_export(r, doc["export"], d.export_rules));
  DETPORT_TRY(read_op_version_map(r, doc["op_version_map"], d.op_version_map));
  DETPORT_TRY(r.object(doc["ops"], "/ops"));
  const json* patched_ops = patch != nullptr && patch->contains("ops") ? &(*patch)["ops"] : nullptr;
  for (const auto& [name, v] : doc["ops"].items()) {
    if (previous != nullptr && (patched_ops == nullptr || !patched_ops->contains(name))) {
      auto it = previous->ops.find(name);
      if (it != previous->ops.end()) {
        d.ops.emplace(name, it->second);
        continue;
      }
    }
    DETPORT_ASSIGN(auto op, read_op(r, v, "/ops/" + name));
    d.ops.emplace(name, std::make_shared<const OpInfo>(std::move(op)));
  }
  if (doc.contains("absent_ops")) {
    DETPORT_TRY(r.object(doc["absent_ops"], "/absent_ops"));
    for (const auto& [name, v] : doc["absent_ops"].items()) {
      const std::string ptr = "/absent_ops/" + name;
      DETPORT_TRY(r.keys(v, ptr, {"source", "evidence", "note", "replacement", "no_replacement"}));
      AbsentOp a;
      DETPORT_TRY(r.sourced(v, ptr, a));
      if (v.contains("replacement")) {
        const json& rj = v["replacement"];
        const std::string rp = ptr + "/replacement";
        DETPORT_TRY(r.keys(rj, rp, {"rule", "op", "source", "evidence", "note"}));
        for (const char* k : {"rule", "op"})
          if (!rj.contains(k)) return r.fail(rp, fmt::format("missing \"{}\"", k));
        Replacement rep;
        DETPORT_ASSIGN(rep.rule, r.string(rj["rule"], rp + "/rule"));
        DETPORT_ASSIGN(rep.op, r.string(rj["op"], rp + "/op"));
        DETPORT_TRY(r.sourced(rj, rp, rep));
        a.replacement = std::move(rep);
      }
      if (v.contains("no_replacement")) {
        DETPORT_ASSIGN(a.no_replacement, r.string(v["no_replacement"], ptr + "/no_replacement"));
      }
      if (d.ops.count(name) != 0)
        return r.fail(ptr, fmt::format("\"{}\" is both in \"ops\" and in \"absent_ops\"", name));
      d.absent_ops.emplace(name, std::move(a));
    }
  }
  return d;
}

}  // namespace detport::compat
