// Rewrites of whole ops: renames to an exactly equivalent op the target has (only where the release
// data says the target lacks the op), and the Scalar form of assign_value/set_value values.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compat/rewrite_rules.h"

namespace detport::compat::detail {
namespace {

// Exact equivalences between ops (Paddle's op definitions, activation_op.h): `from` computes what
// `to` computes with `attr` = `value`; the reverse holds when `attr` has that value.
struct Equivalence {
  const char* from;
  const char* to;
  const char* attr;
  float value;
};
constexpr Equivalence kEquivalences[] = {
    {"silu", "swish", "beta", 1.0f},  // silu(x) = x * sigmoid(x) = swish(x, beta = 1)
};

void rename(RewriteContext& ctx, std::size_t b, std::size_t i, const std::string& to) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const std::string from = op.type;
  op.type = to;
  // Recorded after the rename would name the new type; name the old one.
  ctx.change("rename-equivalent-op", b, i, "type", from, to);
  ctx.changes.back().op_type = from;
}

// Paddle's scalar::ConvertProgram (program_converter.cc) handles these ops: their value list is
// one SCALARS attribute `values` from the op version after the legacy (2.4.2) one.
constexpr const char* kScalarOps[] = {"assign_value", "set_value"};

// VarType dtype -> the typed list legacy programs hold the values in.
struct TypedList {
  const char* name;
  ir::AttrKind kind;
};
std::optional<TypedList> typed_list(int64_t dtype) {
  switch (dtype) {
    case 0:
      return TypedList{"bool_values", ir::AttrKind::kInts};
    case 2:
      return TypedList{"int32_values", ir::AttrKind::kInts};
    case 3:
      return TypedList{"int64_values", ir::AttrKind::kLongs};
    case 5:
      return TypedList{"fp32_values", ir::AttrKind::kFloats};
    case 6:
      return TypedList{"fp64_values", ir::AttrKind::kFloat64s};
    default:
      return std::nullopt;
  }
}

std::optional<ir::Attribute> empty_list(ir::AttrKind k) {
  switch (k) {
    case ir::AttrKind::kInts:
      return ir::Attribute::i32s({});
    case ir::AttrKind::kLongs:
      return ir::Attribute::i64s({});
    case ir::AttrKind::kFloats:
      return ir::Attribute::f32s({});
    case ir::AttrKind::kFloat64s:
      return ir::Attribute::f64s({});
    default:
      return std::nullopt;
  }
}

void scalars_to_legacy(RewriteContext& ctx, std::size_t b, std::size_t i) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const ir::Attribute* values = op.attr("values");
  if (values == nullptr || values->kind() != ir::AttrKind::kScalars) return;
  const int64_t dtype = op.int_attr("dtype", 5);
  auto list = typed_list(dtype);
  const OpInfo* tinfo = ctx.target.op(op.type);
  // float64 values: the target's fp64_values if it has it, else float32 like Paddle's own
  // legacy_format save (no_scalar::ConvertProgram) writes for assign_value.
  if (list && list->kind == ir::AttrKind::kFloat64s &&
      (tinfo == nullptr || tinfo->attr("fp64_values") == nullptr ||
       ctx.target.proto.attr_type_max < static_cast<int32_t>(ir::AttrKind::kFloat64s)))
    list = TypedList{"fp32_values", ir::AttrKind::kFloats};
  if (!list) {
    ctx.decline("scalars-to-legacy",
                fmt::format("{}#{}: dtype {} has no typed value list", op.type, i, dtype));
    return;
  }
  ir::Attribute typed;
  bool exact = true;
  const auto& sv = values->get<std::vector<ir::Scalar>>();
  if (list->kind == ir::AttrKind::kInts || list->kind == ir::AttrKind::kLongs) {
    std::vector<int64_t> ints;
    for (const ir::Scalar& s : sv) {
      if (s.kind == ir::Scalar::Kind::kBool)
        ints.push_back(s.b ? 1 : 0);
      else if (s.kind == ir::Scalar::Kind::kInt64)
        ints.push_back(s.i);
      else {
        const double d = s.as_double();
        exact = exact && std::trunc(d) == d && s.kind != ir::Scalar::Kind::kComplex128;
        ints.push_back(static_cast<int64_t>(d));
      }
    }
    auto conv = convert_attr(ir::Attribute::i64s(ints), list->kind);
    if (!conv) {
      ctx.decline("scalars-to-legacy",
                  fmt::format("{}#{}: values do not fit {}", op.type, i, list->name));
      return;
    }
    typed = conv->value;
  } else {
    std::vector<double> ds;
    for (const ir::Scalar& s : sv) {
      exact = exact && s.kind != ir::Scalar::Kind::kComplex128;
      ds.push_back(s.as_double());
    }
    auto conv = convert_attr(ir::Attribute::f64s(ds), list->kind);
    typed = conv->value;
    exact = exact && conv->exact;
  }
  if (!exact && !ctx.options.allow_approx) {
    ctx.decline("scalars-to-legacy",
                fmt::format("{}#{}: the values are not exact as {} (pass --allow-approx)", op.type,
                            i, list->name));
    return;
  }
  const std::string before = "SCALARS " + values->to_string();
  op.erase_attr("values");
  // The target's other typed lists, empty, as its exporter writes them.
  if (tinfo != nullptr)
    for (const auto& [name, info] : tinfo->attrs)
      if (name.ends_with("_values") && name != "values" && !op.has_attr(name))
        if (auto e = empty_list(info.type)) op.set_attr(name, *e);
  const std::string after = fmt::format("{} {}", list->name, typed.to_string());
  op.set_attr(list->name, std::move(typed));
  ctx.change("scalars-to-legacy", b, i, "values", before, after, !exact);
}

void legacy_to_scalars(RewriteContext& ctx, std::size_t b, std::size_t i) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  if (op.has_attr("values")) return;
  const auto list = typed_list(op.int_attr("dtype", 5));
  const ir::Attribute* typed = list ? op.attr(list->name) : nullptr;
  if (typed == nullptr) return;
  std::vector<ir::Scalar> sv;
  if (list->kind == ir::AttrKind::kFloats || list->kind == ir::AttrKind::kFloat64s) {
    const std::vector<double> ds = *typed->as_doubles();  // a temporary does not outlive the loop
    for (double d : ds) sv.push_back(ir::Scalar::of_double(d));
  } else {
    const bool is_bool = std::string_view(list->name) == "bool_values";
    const std::vector<int64_t> vs = *typed->as_ints();
    for (int64_t v : vs)
      sv.push_back(is_bool ? ir::Scalar::of_bool(v != 0) : ir::Scalar::of_int(v));
  }
  const std::string before = fmt::format("{} {}", list->name, typed->to_string());
  op.set_attr("values", ir::Attribute::scalars(std::move(sv)));
  ctx.change("legacy-to-scalars", b, i, "values", before,
             "SCALARS " + op.attr("values")->to_string());
}

// The op version from which the target reads `values` (after the legacy 2.4.2 table's).
bool target_reads_scalars(const RewriteContext& ctx, std::string_view op) {
  if (ctx.target.proto.attr_type_max < static_cast<int32_t>(ir::AttrKind::kScalars)) return false;
  const auto& map = ctx.target.op_version_map;
  if (!map.written || !map.entries) return false;
  int32_t legacy = 0;
  if (const ReleaseData* old = ctx.catalog.find(ir::Release{2, 4, 2});
      old != nullptr && old->op_version_map.entries)
    for (const ir::OpVersion& v : *old->op_version_map.entries)
      if (v.op == op) legacy = v.version;
  for (const ir::OpVersion& v : *map.entries)
    if (v.op == op) return v.version > legacy;
  return false;
}

}  // namespace

void rewrite_op_renames(RewriteContext& ctx) {
  ir::Program& prog = ctx.model.program;
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i) {
      ir::Op& op = prog.blocks[b].ops[i];
      if (ctx.target.absent(op.type) == nullptr) continue;
      for (const Equivalence& e : kEquivalences) {
        if (op.type == e.from && ctx.target.absent(e.to) == nullptr &&
            ctx.target.op(e.to) != nullptr) {
          rename(ctx, b, i, e.to);
          op.set_attr(e.attr, ir::Attribute::f32(e.value));
          ctx.change("rename-equivalent-op", b, i, e.attr, "(absent)",
                     ir::Attribute::f32(e.value).to_string());
          break;
        }
        const ir::Attribute* a = op.attr(e.attr);
        if (op.type == e.to && ctx.target.absent(e.from) == nullptr &&
            ctx.target.op(e.from) != nullptr && a != nullptr && a->as_double() &&
            *a->as_double() == e.value) {
          rename(ctx, b, i, e.from);
          op.erase_attr(e.attr);
          ctx.change("rename-equivalent-op", b, i, e.attr, fmt::format("{}", e.value), "(removed)");
          break;
        }
      }
    }
}

void rewrite_scalars(RewriteContext& ctx) {
  ir::Program& prog = ctx.model.program;
  const bool legacy = ctx.target.proto.attr_type_max < static_cast<int32_t>(ir::AttrKind::kScalars);
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i) {
      const std::string& type = prog.blocks[b].ops[i].type;
      if (std::find(std::begin(kScalarOps), std::end(kScalarOps), type) == std::end(kScalarOps))
        continue;
      if (legacy)
        scalars_to_legacy(ctx, b, i);
      else if (target_reads_scalars(ctx, type))
        legacy_to_scalars(ctx, b, i);
    }
}

}  // namespace detport::compat::detail
