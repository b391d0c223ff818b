// What one Paddle release understands and writes, as established from its sources and real exports
// (data/compat/paddle-<release>.json; docs/COMPAT.md says how the facts were gathered). Every fact
// names its sources (ids into data/compat/sources.json) and how well it is established.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "ir/attribute.h"
#include "ir/program.h"
#include "ir/release.h"

namespace detport::compat {

// How a fact is established: read in the source, seen in a real export (and tested), reasoned
// from verified facts, or not established.
enum class Evidence { kVerified, kTested, kInferred, kUnverified };
std::string_view evidence_name(Evidence e);

// The consequence of an attribute whose value the loader fills differently than the exporter meant.
enum class Effect { kNone, kSlow, kWrongResult };

struct AttrInfo {
  ir::AttrKind type = ir::AttrKind::kInt;
  std::optional<nlohmann::json> default_value;  // absent: not established
  std::vector<std::string> default_source;
  Evidence default_evidence = Evidence::kUnverified;
  bool extra = false;  // the release strips it on export (clip_extra)
  Effect effect = Effect::kNone;
  std::string effect_why;
  std::vector<std::string> effect_source;
};

struct SlotInfo {
  bool dispensable = false;
  bool extra = false;     // stripped on export
  bool required = false;  // the op fails without it
  std::string note;
  std::vector<std::string> source;
};

// A REGISTER_OP_VERSION checkpoint: what changed when the op's version reached `version`.
struct Checkpoint {
  enum class Impact { kCompatible, kIncompatible, kBehaviorChange, kUnknown };
  int32_t version = 0;
  std::string kind;  // NewAttr, DeleteInput, BugfixWithBehaviorChanged, ...
  std::string change;
  Impact impact = Impact::kUnknown;
  std::vector<std::string> source;
  // The behaviour change only shows when this attribute exceeds `gt` (e.g. leaky_relu alpha > 1).
  std::optional<std::string> only_if_attr;
  double only_if_gt = 0;
};

struct OpInfo {
  std::optional<int32_t> version;  // checkpoints the release knows of; nullopt: not established
  Evidence version_evidence = Evidence::kUnverified;
  std::map<std::string, SlotInfo, std::less<>> inputs;
  std::map<std::string, SlotInfo, std::less<>> outputs;
  std::map<std::string, AttrInfo, std::less<>> attrs;
  bool complete = false;  // slots and attributes are the full declared set
  std::vector<std::string> source;
  std::vector<Checkpoint> checkpoints;
  Evidence evidence = Evidence::kTested;
  std::string note;

  const AttrInfo* attr(std::string_view name) const;
  bool has_extras() const;
};

struct Sourced {
  std::vector<std::string> source;
  Evidence evidence = Evidence::kUnverified;
  std::string note;
};

struct ProtoInfo : Sourced {
  int32_t attr_type_max = 0;  // highest AttrType value the release's framework.proto knows
  int32_t var_type_max = 0;   // highest VarType.Type value
  std::vector<int32_t> program_fields, var_fields, vartype_fields;
};

struct FormatsInfo : Sourced {
  bool pdmodel_read = true, pdmodel_write = true;
  bool pir_read = false, pir_write = false;
  std::string default_export;  // "pdmodel" or "pir_json"
};

struct PirInfo : Sourced {
  int64_t version = 0;                 // base_code.version the release writes and reads up to
  std::vector<std::string> patch_ops;  // ops the patch to this version changes
  std::string patch_change;
};

struct ExportInfo : Sourced {
  bool clip_extra_attrs = false;
  bool clip_extra_outputs = false;
  std::vector<std::string> common_attrs;          // every op carries them (op_role, ...)
  std::vector<std::string> clipped_common_attrs;  // dropped with the extras
};

struct OpVersionMapInfo : Sourced {
  bool written = false;
  std::optional<std::vector<ir::OpVersion>> entries;  // nullopt: not established
};

// An op the target lacks. `replacement`: the rewrite (src/compat/rewrite_replace.cc) that makes
// an exactly equivalent op of the target, with the sources that show the equivalence and, in
// `note`, the conditions it needs. `no_replacement`: why none exists (read from the sources).
struct Replacement : Sourced {
  std::string rule;  // "matmul-v2-to-matmul", ...
  std::string op;    // the target's op
};
struct AbsentOp : Sourced {
  std::optional<Replacement> replacement;
  std::string no_replacement;
};

struct ReleaseData {
  std::string name;  // "2.6": the minor line the file covers
  ir::Release release;
  std::string summary;
  std::vector<std::string> releases_seen;  // patch releases real exports came from
  std::vector<std::string> files;          // the data files it was resolved from, base first
  ProtoInfo proto;
  FormatsInfo formats;
  std::optional<PirInfo> pir;
  ExportInfo export_rules;
  OpVersionMapInfo op_version_map;
  // Shared with the previous release when its file does not touch the op (most ops, most
  // releases), which keeps loading every release cheap.
  std::map<std::string, std::shared_ptr<const OpInfo>, std::less<>> ops;
  std::map<std::string, AbsentOp, std::less<>> absent_ops;

  const OpInfo* op(std::string_view type) const;
  const AbsentOp* absent(std::string_view type) const;
};

struct Source {
  std::string repo, path, commit, note;
  Evidence evidence = Evidence::kUnverified;
};

// Converts a resolved release document (after merging the files it extends) into ReleaseData.
// Errors name the JSON pointer and what was expected; `where` prefixes the context (file names).
// `sources` is the table every `source` id must be in. With `previous` (the release extended) and
// `patch` (this release's own file), ops the patch does not mention are shared, not re-read.
Result<ReleaseData> release_from_json(const nlohmann::json& doc, const std::string& where,
                                      const std::map<std::string, Source, std::less<>>& sources,
                                      const ReleaseData* previous = nullptr,
                                      const nlohmann::json* patch = nullptr);

Result<std::map<std::string, Source, std::less<>>> sources_from_json(const nlohmann::json& doc,
                                                                     const std::string& where);

}  // namespace detport::compat
