// The rewrite driver: check, apply every rewrite family the release data supports, check again.
// What the second check still finds (and what the first found that rewriting the op_version_map
// would only hide) is refused.
#include "compat/rewrite.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "compat/rewrite_rules.h"

namespace detport::compat {

bool is_blocking(const Finding& f) {
  return f.severity == Severity::kBreaksLoad || f.severity == Severity::kWrongResult;
}

namespace detail {

void RewriteContext::change(std::string rule, std::size_t block, std::size_t index,
                            std::string attr, std::string before, std::string after, bool approx) {
  Change c;
  c.rule = std::move(rule);
  c.block = static_cast<int32_t>(block);
  c.index = static_cast<int32_t>(index);
  c.op_type = model.program.blocks[block].ops[index].type;
  c.attr = std::move(attr);
  c.before = std::move(before);
  c.after = std::move(after);
  c.approx = approx;
  changes.push_back(std::move(c));
}

void RewriteContext::decline(const std::string& rule, const std::string& why) {
  std::string& r = declined[rule];
  if (r.find(why) != std::string::npos) return;
  r += r.empty() ? why : "; " + why;
}

std::optional<ir::Attribute> attr_from_json(const nlohmann::json& v, ir::AttrKind kind) {
  using K = ir::AttrKind;
  try {
    switch (kind) {
      case K::kInt:
        if (v.is_boolean()) return ir::Attribute::i32(v.get<bool>() ? 1 : 0);
        if (v.is_number_integer()) return ir::Attribute::i32(v.get<int32_t>());
        return std::nullopt;
      case K::kLong:
        if (v.is_number_integer()) return ir::Attribute::i64(v.get<int64_t>());
        return std::nullopt;
      case K::kFloat:
        if (v.is_number()) return ir::Attribute::f32(v.get<float>());
        return std::nullopt;
      case K::kFloat64:
        if (v.is_number()) return ir::Attribute::f64(v.get<double>());
        return std::nullopt;
      case K::kBool:
        if (v.is_boolean()) return ir::Attribute::boolean(v.get<bool>());
        if (v.is_number_integer()) return ir::Attribute::boolean(v.get<int64_t>() != 0);
        return std::nullopt;
      case K::kString:
        if (v.is_string()) return ir::Attribute::str(v.get<std::string>());
        return std::nullopt;
      case K::kInts:
        if (v.is_array()) return ir::Attribute::i32s(v.get<std::vector<int32_t>>());
        return std::nullopt;
      case K::kLongs:
        if (v.is_array()) return ir::Attribute::i64s(v.get<std::vector<int64_t>>());
        return std::nullopt;
      case K::kFloats:
        if (v.is_array()) return ir::Attribute::f32s(v.get<std::vector<float>>());
        return std::nullopt;
      case K::kFloat64s:
        if (v.is_array()) return ir::Attribute::f64s(v.get<std::vector<double>>());
        return std::nullopt;
      case K::kStrings:
        if (v.is_array()) return ir::Attribute::strs(v.get<std::vector<std::string>>());
        return std::nullopt;
      case K::kBools:
        if (v.is_array()) return ir::Attribute::bools(v.get<std::vector<bool>>());
        return std::nullopt;
      default:
        return std::nullopt;
    }
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

namespace {

bool fits_i32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

bool float_exact(double d) {
  return std::isnan(d) || static_cast<double>(static_cast<float>(d)) == d;
}

}  // namespace

std::optional<Converted> convert_attr(const ir::Attribute& a, ir::AttrKind kind) {
  using K = ir::AttrKind;
  if (a.kind() == kind) return Converted{a, true};
  switch (kind) {
    case K::kFloat:
      if (a.kind() == K::kFloat64 || a.kind() == K::kInt || a.kind() == K::kLong ||
          a.kind() == K::kScalar) {
        const double d = *a.as_double();
        return Converted{ir::Attribute::f32(static_cast<float>(d)), float_exact(d)};
      }
      return std::nullopt;
    case K::kFloats:
      if (a.kind() == K::kFloat64s || a.kind() == K::kScalars) {
        const std::vector<double> ds = *a.as_doubles();
        std::vector<float> fs(ds.begin(), ds.end());
        return Converted{ir::Attribute::f32s(std::move(fs)),
                         std::all_of(ds.begin(), ds.end(), float_exact)};
      }
      return std::nullopt;
    case K::kFloat64:
      if (auto d = a.as_double(); d && a.kind() != K::kBool)
        return Converted{ir::Attribute::f64(*d)};
      return std::nullopt;
    case K::kFloat64s:
      if (a.kind() == K::kFloats) return Converted{ir::Attribute::f64s(*a.as_doubles())};
      return std::nullopt;
    case K::kInt:
      if (a.kind() == K::kLong || a.kind() == K::kBool) {
        const int64_t v = *a.as_int();
        if (fits_i32(v)) return Converted{ir::Attribute::i32(static_cast<int32_t>(v))};
      }
      return std::nullopt;
    case K::kLong:
      if (a.kind() == K::kInt) return Converted{ir::Attribute::i64(*a.as_int())};
      return std::nullopt;
    case K::kInts:
      if (a.kind() == K::kLongs) {
        const auto& v = a.get<std::vector<int64_t>>();
        if (!std::all_of(v.begin(), v.end(), fits_i32)) return std::nullopt;
        return Converted{ir::Attribute::i32s(std::vector<int32_t>(v.begin(), v.end()))};
      }
      return std::nullopt;
    case K::kLongs:
      if (a.kind() == K::kInts) return Converted{ir::Attribute::i64s(*a.as_ints())};
      return std::nullopt;
    case K::kBool:
      if (a.kind() == K::kInt || a.kind() == K::kLong) {
        const int64_t v = *a.as_int();
        if (v == 0 || v == 1) return Converted{ir::Attribute::boolean(v == 1)};
      }
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

void rewrite_program_version(RewriteContext& ctx) {
  ir::Program& prog = ctx.model.program;
  const int64_t v = ctx.target_release.program_version();
  if (!prog.has_version || prog.version != v) {
    ctx.changes.push_back(
        {"set-program-version", -1, -1, "", "version",
         prog.has_version && prog.version ? std::to_string(*prog.version) : "(absent)",
         std::to_string(v), false});
    prog.has_version = true;
    prog.version = v;
  }
  const OpVersionMapInfo& map = ctx.target.op_version_map;
  auto text = [](const std::optional<std::vector<ir::OpVersion>>& m) {
    return m ? fmt::format("{} entries", m->size()) : std::string("(absent)");
  };
  if (map.written && map.entries) {
    if (prog.op_version_map != map.entries) {
      ctx.changes.push_back(
          {"set-op-version-map", -1, -1, "", "op_version_map", text(prog.op_version_map),
           fmt::format("{} entries (Paddle {}'s)", map.entries->size(), ctx.target.name), false});
      prog.op_version_map = *map.entries;
    }
  } else if (!map.written && prog.op_version_map) {
    ctx.changes.push_back({"set-op-version-map", -1, -1, "", "op_version_map",
                           text(prog.op_version_map), "(removed)", false});
    prog.op_version_map.reset();
  }
  if (prog.op_compatible_map && !ctx.target.proto.program_fields.empty() &&
      std::find(ctx.target.proto.program_fields.begin(), ctx.target.proto.program_fields.end(),
                3) == ctx.target.proto.program_fields.end()) {
    ctx.changes.push_back(
        {"set-op-version-map", -1, -1, "", "op_compatible_map", "1.x map", "(removed)", false});
    prog.op_compatible_map.reset();
  }
}

}  // namespace detail

namespace {

// What the params file holds: the persistables' names, dtypes and dims, in file order.
std::vector<std::tuple<std::string, ir::DType, std::vector<int64_t>>> params_layout(
    const ir::Program& prog) {
  std::vector<std::tuple<std::string, ir::DType, std::vector<int64_t>>> out;
  for (const std::string& n : ir::persistable_names(prog)) {
    const ir::Var* v = prog.global_block().find_var(n);
    if (v != nullptr && v->tensor)
      out.emplace_back(n, v->tensor->dtype, v->tensor->dims);
    else
      out.emplace_back(n, ir::DType::kFloat32, std::vector<int64_t>{});
  }
  return out;
}

}  // namespace

Result<RewriteResult> rewrite_for_target(ir::Model& model, const Catalog& catalog,
                                         const ReleaseData& target, const std::string& target_name,
                                         const RewriteOptions& options) {
  RewriteResult result;
  const auto params_before = params_layout(model.program);
  const Report pre = check(model, catalog, target, target_name);
  std::map<std::string, std::string, std::less<>> declined;
  const ReleaseData* producer = nullptr;
  if (model.meta.producer && !model.meta.producer->is_develop())
    producer = catalog.find(*model.meta.producer);
  const ir::Release release = ir::Release::parse(target_name).value_or(target.release);
  detail::RewriteContext ctx{model,   catalog, target,         release, producer,
                             options, {},      result.changes, declined};
  for (const ReleaseData& r : catalog.releases())
    ctx.common_attrs.insert(r.export_rules.common_attrs.begin(), r.export_rules.common_attrs.end());
  detail::rewrite_op_renames(ctx);
  detail::rewrite_replacements(ctx);
  detail::rewrite_scalars(ctx);
  detail::rewrite_attrs(ctx);
  detail::rewrite_slots(ctx);
  // Op versions the rewrites brought back to what the target has (the scalar ops).
  std::set<std::string, std::less<>> version_fixed;
  for (const Change& c : result.changes)
    if (c.rule == "scalars-to-legacy") version_fixed.insert(c.op_type);
  detail::rewrite_program_version(ctx);

  // Checked with the exporter still known, so stripped attributes are judged as before.
  const Report post = check(model, catalog, target, target_name);
  auto reason_for = [&](const Finding& f) {
    if (auto it = declined.find(f.convert_rule); it != declined.end()) return it->second;
    if (f.convert_rule.empty()) return "no semantics-preserving rewrite exists; " + f.fix;
    return fmt::format("the {} rewrite does not cover this case; {}", f.convert_rule, f.fix);
  };
  for (const Finding& f : pre.findings)
    if (is_blocking(f) && f.rule == "op-version-newer") {
      bool fixed = !f.ops.empty();
      for (const OpRef& r : f.ops) fixed = fixed && version_fixed.count(r.type) != 0;
      if (!fixed)
        result.refusals.push_back(
            {f,
             "writing the target's op_version_map would only hide this: what the newer "
             "checkpoint changed has no rewrite back; " +
                 f.fix});
    }
  for (const Finding& f : post.findings)
    if (is_blocking(f)) result.refusals.push_back({f, reason_for(f)});
  if (model.meta.producer != release) model.meta.producer = release;
  // No rewrite adds, drops or retypes a persistable today (docs/COMPAT.md 4.1); computed rather
  // than assumed, so a future one gets its params written instead of copied.
  result.persistables_changed = params_layout(model.program) != params_before;
  return result;
}

}  // namespace detport::compat
