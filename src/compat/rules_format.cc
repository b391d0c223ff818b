// Rules about the file as a whole: can the target read this format, this PIR version, these enum
// values and fields, these params dtypes; and who wrote it.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "compat/rules.h"

namespace detport::compat::detail {
namespace {

// The parse-failure mechanism every enum rule shares (PADDLE_FORMATS.md 0.1).
constexpr const char* kHalfParse =
    "protobuf treats it as an unknown enum value, so the required field holding it goes missing "
    "and ParseFromString fails. Paddle's Python loader then raises \"Fail to parse program_desc "
    "from binary string\"; Paddle Inference ignores the failure and runs the half-parsed program, "
    "which can fail later or compute wrongly without any error (PADDLE_FORMATS.md 0.1).";

std::vector<const ReleaseData*> releases_with_pir_between(const Catalog& c, int64_t lo,
                                                          int64_t hi) {
  std::vector<const ReleaseData*> out;
  for (const ReleaseData& r : c.releases())
    if (r.pir && r.pir->version > lo && r.pir->version <= hi) out.push_back(&r);
  return out;
}

bool op_matches(std::string_view model_op, std::string_view patch_op) {
  return model_op == patch_op || (model_op.size() == patch_op.size() + 3 &&
                                  model_op.starts_with(patch_op) && model_op.ends_with("_v2"));
}

void check_pir(const Context& ctx, Findings& out) {
  const auto& meta = ctx.model.meta;
  if (!ctx.target.formats.pir_read) {
    Finding f;
    f.rule = "format-not-readable";
    f.severity = Severity::kBreaksLoad;
    f.title = ctx.target_name + " cannot read PIR programs (.json)";
    f.explanation = fmt::format(
        "The model is a Paddle 3 PIR program (JSON{}). {} reads only ProgramDesc programs "
        "(.pdmodel / __model__); PIR JSON arrived with the 3.0 line. Paddle Inference fails to "
        "parse the file, Paddle2ONNX and Paddle-Lite releases of that era too (Paddle-Lite#10666, "
        "Paddle2ONNX#1597).",
        meta.pir_version ? fmt::format(", base_code.version {}", *meta.pir_version) : "",
        ctx.target_name);
    f.fix =
        "Re-export on the 3.x release with FLAGS_enable_pir_api=0 to get a .pdmodel, or convert "
        "the PIR program to a ProgramDesc for the target.";
    f.convert_rule = "pir-to-pdmodel";
    f.evidence = ctx.target.formats.source;
    out.add(std::move(f));
    return;
  }
  if (!meta.pir_version || !ctx.target.pir) return;
  const int64_t model_v = *meta.pir_version;
  const int64_t target_v = ctx.target.pir->version;
  if (model_v == 0) {
    Finding f;
    f.rule = "pir-version-develop";
    f.severity = Severity::kInfo;
    f.title = "PIR version 0: written by a develop build";
    f.explanation =
        "base_code.version 0 is what unreleased (develop) builds write; released builds must not "
        "(patch/Readme.md). A runtime treats it as older than its own version and applies every "
        "patch, which may not match what the develop build wrote.";
    f.fix = "Re-export with a released Paddle.";
    f.evidence = {"pir-patches"};
    out.add(std::move(f));
    return;
  }
  if (model_v <= target_v) return;
  Finding f;
  f.rule = "pir-version-newer";
  f.severity = Severity::kBreaksLoad;
  f.title = fmt::format("PIR version {} is newer than {}'s {}", model_v, ctx.target_name, target_v);
  std::string changes;
  std::set<std::string> affected;
  for (const ReleaseData* r : releases_with_pir_between(ctx.catalog, target_v, model_v)) {
    changes += fmt::format(" Version {} ({}): {}.", r->pir->version, r->name, r->pir->patch_change);
    for (const std::string& op : r->pir->patch_ops)
      for (const ir::Block& b : ctx.model.program.blocks)
        for (const ir::Op& o : b.ops)
          if (op_matches(o.type, op)) affected.insert(o.type);
  }
  f.explanation = fmt::format(
      "A runtime reads files of its own PIR version or older: it patches older files forward "
      "(patch/<N>.yaml) and has no patch from a newer version back, so attributes arrive with "
      "types "
      "it does not expect (a 3.1.1 export fails on 3.0.0 with Expected "
      "attributes.at(\"strides\")...isa<pir::Int32Attribute>(), PaddleOCR#16327).{}{}",
      changes.empty() ? fmt::format(" detport knows no release writing version {}.", model_v)
                      : changes,
      affected.empty() ? ""
                       : fmt::format(" This model has ops those patches change: {}.",
                                     fmt::join(affected, ", ")));
  f.fix =
      "Export with the target's release, or rewrite the patched attributes back (int64 -> int32 "
      "arrays, double -> float).";
  f.convert_rule = "pir-downgrade";
  f.evidence = ctx.target.pir->source;
  f.evidence.push_back("pir-patches");
  out.add(std::move(f));
}

}  // namespace

void check_format(const Context& ctx, Findings& out) {
  const auto& meta = ctx.model.meta;
  if (meta.format == ir::SourceFormat::kPir) {
    check_pir(ctx, out);
  } else if (!ctx.target.formats.pdmodel_read) {
    Finding f;
    f.rule = "format-not-readable";
    f.severity = Severity::kBreaksLoad;
    f.title = ctx.target_name + " cannot read ProgramDesc (.pdmodel) programs";
    f.explanation = fmt::format("{} reads PIR JSON programs only. {}", ctx.target_name,
                                ctx.target.formats.note);
    f.fix = "Load the .pdmodel in a release that reads both and save it as PIR JSON.";
    f.convert_rule = "pdmodel-to-pir";
    f.evidence = ctx.target.formats.source;
    out.add(std::move(f));
  }
  if (meta.producer) {
    const ir::Release& p = *meta.producer;
    if (p.is_develop()) {
      Finding f;
      f.rule = "producer-develop";
      f.severity = Severity::kInfo;
      f.title = "written by a develop build (ProgramDesc.version 0)";
      f.explanation =
          "Nightly and develop builds write version 0, so the release this model needs cannot be "
          "read from the file; the op_version_map is the best hint.";
      f.fix = "Nothing to do; re-export with a release build to make it traceable.";
      f.evidence = {"version-h"};
      out.add(std::move(f));
    } else if (ctx.target_release < p) {
      Finding f;
      f.rule = "producer-newer";
      f.severity = Severity::kInfo;
      f.title = fmt::format("written by Paddle {}, newer than the target", p.to_string());
      f.explanation = fmt::format(
          "ProgramDesc.version is {} (Paddle {}). Paddle does not check it on load "
          "(IsProgramVersionSupported always returns true), so nothing fails because of the number "
          "itself; the findings below are what actually differs.",
          p.program_version(), p.to_string());
      f.fix = "Nothing for the number itself.";
      f.convert_rule = "set-program-version";
      f.evidence = {"version-h", "research"};
      out.add(std::move(f));
    }
  }
}

void check_proto(const Context& ctx, Findings& out) {
  const ProtoInfo& proto = ctx.target.proto;
  const ir::Program& prog = ctx.model.program;
  // Attribute kinds the target's AttrType enum does not have.
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i)
      for (const ir::NamedAttribute& a : prog.blocks[b].ops[i].attrs) {
        const auto kind = static_cast<int32_t>(a.value.kind());
        if (kind <= proto.attr_type_max) continue;
        const std::string kname = ir::attr_kind_name(a.value.kind());
        out.add(
            "proto-attr-kind/" + kname,
            [&] {
              Finding f;
              f.rule = "proto-attr-kind";
              f.severity = Severity::kBreaksLoad;
              f.title = fmt::format("{} attributes ({} = {}) are unknown to {}", kname, "AttrType",
                                    kind, ctx.target_name);
              f.explanation =
                  fmt::format("{}'s framework.proto knows AttrType values up to {} ({}). {} {} {}",
                              ctx.target_name, proto.attr_type_max,
                              ir::attr_kind_name(static_cast<ir::AttrKind>(proto.attr_type_max)),
                              fmt::format("The first is {}.{} of this kind;",
                                          prog.blocks[b].ops[i].type, a.name),
                              kHalfParse, proto.note);
              if (a.value.kind() == ir::AttrKind::kScalar ||
                  a.value.kind() == ir::AttrKind::kScalars) {
                f.fix =
                    "Rewrite SCALAR/SCALARS attributes as typed lists (set_value/assign_value "
                    "`values` -> fp32_values/int64_values/...), as Paddle's own legacy_format save "
                    "does, and write the target's op_version_map.";
                f.convert_rule = "scalars-to-legacy";
              } else if (a.value.kind() == ir::AttrKind::kFloat64 ||
                         a.value.kind() == ir::AttrKind::kFloat64s) {
                f.fix =
                    "Rewrite the attribute as FLOAT/FLOATS if the op accepts them (precision "
                    "drops to float32).";
                f.convert_rule = "float64-to-float";
              } else {
                f.fix =
                    "VAR/VARS attributes name tensors; only a constant tensor can be folded "
                    "into a plain attribute. Otherwise re-export with the target release.";
              }
              f.evidence = proto.source;
              return f;
            },
            b, i);
      }
  // Var types and tensor dtypes the target's VarType enum does not have.
  std::map<int32_t, std::vector<std::string>> bad_types;
  std::set<std::string> var_fields_used;
  for (const ir::Block& blk : prog.blocks)
    for (const ir::Var& v : blk.vars) {
      const auto t = static_cast<int32_t>(v.type);
      if (t > proto.var_type_max) bad_types[t].push_back(v.name);
      if (v.tensor && static_cast<int32_t>(v.tensor->dtype) > proto.var_type_max)
        bad_types[static_cast<int32_t>(v.tensor->dtype)].push_back(v.name);
      auto want = [&](bool present, int32_t field, const char* name) {
        if (present && std::find(proto.var_fields.begin(), proto.var_fields.end(), field) ==
                           proto.var_fields.end())
          var_fields_used.insert(fmt::format("VarDesc.{} (field {})", name, field));
      };
      want(v.need_check_feed.has_value(), 4, "need_check_feed");
      want(v.is_parameter.has_value(), 5, "is_parameter");
      want(v.stop_gradient.has_value(), 6, "stop_gradient");
      want(!v.attrs.empty(), 7, "attrs");
    }
  for (const auto& [t, names] : bad_types) {
    Finding f;
    f.rule = "proto-var-type";
    f.severity = Severity::kBreaksLoad;
    const std::string tname = ir::var_type_name(static_cast<ir::VarType>(t));
    f.title = fmt::format("var type {} ({}) is unknown to {}", tname, t, ctx.target_name);
    f.explanation = fmt::format(
        "{}'s framework.proto knows VarType values up to {} ({}); {} var(s) use {}: {}{}. {} {}",
        ctx.target_name, proto.var_type_max,
        ir::var_type_name(static_cast<ir::VarType>(proto.var_type_max)), names.size(), tname,
        fmt::join(names.begin(), names.begin() + std::min<std::ptrdiff_t>(5, names.size()), ", "),
        names.size() > 5 ? ", ..." : "", kHalfParse, proto.note);
    f.fix = "Cast the tensors to a type the target has, or re-export with the target release.";
    f.convert_rule = "cast-unsupported-dtypes";
    f.evidence = proto.source;
    out.add(std::move(f));
  }
  if (!var_fields_used.empty()) {
    Finding f;
    f.rule = "proto-field-dropped";
    f.severity = Severity::kInfo;
    f.title = fmt::format("{} ignores {}", ctx.target_name, fmt::join(var_fields_used, ", "));
    f.explanation = fmt::format(
        "The model's VarDescs carry fields {}'s framework.proto does not define; protobuf keeps "
        "them as unknown fields and Paddle never looks at them. They only describe training "
        "(is_parameter, stop_gradient) or feeding, so inference is not affected.",
        ctx.target_name);
    f.fix = "Nothing to do; a converter drops them.";
    f.convert_rule = "drop-unknown-fields";
    f.evidence = proto.source;
    out.add(std::move(f));
  }
  auto has_field = [&](int32_t n) {
    return std::find(proto.program_fields.begin(), proto.program_fields.end(), n) !=
           proto.program_fields.end();
  };
  if (prog.op_version_map && !has_field(5)) {
    Finding f;
    f.rule = "proto-field-dropped";
    f.severity = Severity::kInfo;
    f.title = ctx.target_name + " ignores the op_version_map (ProgramDesc field 5)";
    f.explanation =
        "The target predates the op_version_map and skips it; it checks op "
        "compatibility with its own mechanism, so op versions go unnoticed.";
    f.fix = "Nothing to do.";
    f.evidence = proto.source;
    out.add(std::move(f));
  }
  if (prog.op_compatible_map && !has_field(3)) {
    Finding f;
    f.rule = "proto-field-dropped";
    f.severity = Severity::kInfo;
    f.title = ctx.target_name + " ignores the 1.x OpCompatibleMap (ProgramDesc field 3)";
    f.explanation = "Field 3 is reserved in 2.x protos; the map is dropped unread.";
    f.fix = "Nothing to do; a converter can write the target's op_version_map instead.";
    f.convert_rule = "set-op-version-map";
    f.evidence = proto.source;
    out.add(std::move(f));
  }
  // Params dtypes: the weights as stored, else the persistable vars' declared types.
  std::map<ir::DType, std::vector<std::string>> bad_params;
  if (ctx.model.has_weights()) {
    for (const auto& [name, t] : ctx.model.weights)
      if (static_cast<int32_t>(t.dtype) > proto.var_type_max) bad_params[t.dtype].push_back(name);
  } else if (!prog.blocks.empty()) {
    for (const ir::Var& v : prog.global_block().vars)
      if (v.holds_weights() && v.tensor &&
          static_cast<int32_t>(v.tensor->dtype) > proto.var_type_max)
        bad_params[v.tensor->dtype].push_back(v.name);
  }
  for (const auto& [dt, names] : bad_params) {
    Finding f;
    f.rule = "params-dtype";
    f.severity = Severity::kBreaksLoad;
    f.title = fmt::format("{} parameter(s) of dtype {} that {} lacks", names.size(),
                          ir::var_type_name(dt), ctx.target_name);
    f.explanation = fmt::format(
        "Each tensor in the params file starts with a TensorDesc that the target parses with its "
        "own framework.proto, which knows dtypes up to {} ({}). {} is unknown to it, so "
        "load_combine cannot read {}{}.",
        proto.var_type_max, ir::var_type_name(static_cast<ir::VarType>(proto.var_type_max)),
        ir::var_type_name(dt),
        fmt::join(names.begin(), names.begin() + std::min<std::ptrdiff_t>(3, names.size()), ", "),
        names.size() > 3 ? ", ..." : "");
    f.fix = "Cast the weights to a dtype the target has (e.g. float32) and rewrite the params.";
    f.convert_rule = "cast-unsupported-dtypes";
    f.evidence = proto.source;
    out.add(std::move(f));
  }
}

}  // namespace detport::compat::detail
