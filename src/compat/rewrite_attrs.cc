// Rewrites of attributes and slots: write back what the exporter stripped (with the value its
// release implied), retype values the target reads as another kind, drop what the target does not
// declare when dropping changes nothing; add back outputs the target requires, drop unknown empty
// slots.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "compat/rewrite_rules.h"
#include "compat/rules.h"

namespace detport::compat::detail {
namespace {

constexpr const char* kAbsent = "(absent)";
constexpr const char* kRemoved = "(removed)";

// The attribute's kind the target reads: its declared type, else FLOAT/FLOATS for float64 kinds
// the target's proto cannot hold.
std::optional<ir::AttrKind> wanted_kind(const RewriteContext& ctx, const OpInfo* tinfo,
                                        const ir::NamedAttribute& a) {
  const AttrInfo* tattr = tinfo != nullptr ? tinfo->attr(a.name) : nullptr;
  const auto kind = static_cast<int32_t>(a.value.kind());
  if (tattr != nullptr && tinfo->complete && tattr->type != a.value.kind()) {
    // Widenings Paddle's attribute checker does itself (rules_attrs.cc).
    using K = ir::AttrKind;
    const K from = a.value.kind(), to = tattr->type;
    const bool widens =
        (from == K::kInt && to == K::kLong) || (from == K::kInts && to == K::kLongs) ||
        (from == K::kFloat && to == K::kFloat64) || (from == K::kBool && to == K::kInt);
    if (!widens) return tattr->type;
  }
  if (kind > ctx.target.proto.attr_type_max) {
    if (tattr != nullptr && static_cast<int32_t>(tattr->type) <= ctx.target.proto.attr_type_max)
      return tattr->type;
    if (a.value.kind() == ir::AttrKind::kFloat64) return ir::AttrKind::kFloat;
    if (a.value.kind() == ir::AttrKind::kFloat64s) return ir::AttrKind::kFloats;
    if (a.value.kind() == ir::AttrKind::kLongs) return ir::AttrKind::kInts;
    if (a.value.kind() == ir::AttrKind::kLong) return ir::AttrKind::kInt;
  }
  return std::nullopt;
}

void retype(RewriteContext& ctx, std::size_t b, std::size_t i, const OpInfo* tinfo) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  for (ir::NamedAttribute& a : op.attrs) {
    const auto want = wanted_kind(ctx, tinfo, a);
    if (!want) continue;
    const bool over_proto = static_cast<int32_t>(a.value.kind()) > ctx.target.proto.attr_type_max;
    const std::string rule =
        a.value.kind() == ir::AttrKind::kFloat64 || a.value.kind() == ir::AttrKind::kFloat64s
            ? "float64-to-float"
            : "retype-attrs";
    const std::string finding_rule = over_proto ? rule : "retype-attrs";
    const auto conv = convert_attr(a.value, *want);
    if (!conv) {
      ctx.decline(finding_rule,
                  fmt::format("{}#{} {} ({}) has no exact {} form", op.type, i, a.name,
                              a.value.to_string(), ir::attr_kind_name(*want)));
      continue;
    }
    if (!conv->exact && !ctx.options.allow_approx) {
      ctx.decline(finding_rule,
                  fmt::format("{}#{} {} = {} is not exact as {} (pass --allow-approx to round it)",
                              op.type, i, a.name, a.value.to_string(), ir::attr_kind_name(*want)));
      continue;
    }
    const std::string before =
        fmt::format("{} {}", ir::attr_kind_name(a.value.kind()), a.value.to_string());
    a.value = conv->value;
    ctx.change(finding_rule, b, i, a.name, before,
               fmt::format("{} {}", ir::attr_kind_name(a.value.kind()), a.value.to_string()),
               !conv->exact);
  }
}

void restore_stripped(RewriteContext& ctx, std::size_t b, std::size_t i, const OpInfo& tinfo) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const OpInfo* pinfo = ctx.producer != nullptr ? ctx.producer->op(op.type) : nullptr;
  if (pinfo == nullptr || !ctx.producer->export_rules.clip_extra_attrs || !pinfo->has_extras())
    return;
  for (const auto& [name, tattr] : tinfo.attrs) {
    if (op.has_attr(name)) continue;
    const AttrInfo* pattr = pinfo->attr(name);
    if (pattr == nullptr || !pattr->extra) continue;
    // Only where the value matters to someone: the target fills another default, or the value
    // changes results (other readers need it, e.g. swish.beta).
    const bool differs = !pattr->default_value || !tattr.default_value ||
                         !same_value(*pattr->default_value, *tattr.default_value);
    const bool semantic =
        tattr.effect == Effect::kWrongResult || pattr->effect == Effect::kWrongResult;
    if (!differs && !semantic) continue;
    if (!pattr->default_value) {
      ctx.decline("restore-stripped-attrs",
                  fmt::format("{}.{}: the value Paddle {} implied is not established", op.type,
                              name, ctx.producer->name));
      continue;
    }
    auto value = attr_from_json(*pattr->default_value, tattr.type);
    if (!value) {
      ctx.decline("restore-stripped-attrs",
                  fmt::format("{}.{}: default {} does not fit {}", op.type, name,
                              pattr->default_value->dump(), ir::attr_kind_name(tattr.type)));
      continue;
    }
    const std::string after = value->to_string();
    op.set_attr(name, std::move(*value));
    ctx.change("restore-stripped-attrs", b, i, name, kAbsent, after);
  }
}

void drop_unknown(RewriteContext& ctx, std::size_t b, std::size_t i, const OpInfo& tinfo) {
  if (!tinfo.complete) return;
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const OpInfo* pinfo = ctx.producer != nullptr ? ctx.producer->op(op.type) : nullptr;
  std::vector<std::string> drop;
  for (const ir::NamedAttribute& a : op.attrs) {
    if (ctx.common_attrs.count(a.name) != 0 || tinfo.attr(a.name) != nullptr) continue;
    const AttrInfo* pattr = pinfo != nullptr ? pinfo->attr(a.name) : nullptr;
    // Only the exporter's default goes: then dropping provably changes nothing, and a later
    // upgrade fills it back. Other values (attr-ignored, refused) and values whose default is not
    // recorded stay; the target ignores them either way.
    if (pattr != nullptr && pattr->default_value &&
        same_value(attr_json(a.value), *pattr->default_value))
      drop.push_back(a.name);
  }
  for (const std::string& name : drop) {
    const std::string before = op.attr(name)->to_string();
    op.erase_attr(name);
    ctx.change("drop-unknown-attrs", b, i, name, before, kRemoved);
  }
}

// A name no var of the block has: "<base>", "<base>_1", ...
std::string fresh_name(const ir::Block& block, const std::string& base) {
  std::string name = base;
  for (int n = 1; block.find_var(name) != nullptr; ++n) name = fmt::format("{}_{}", base, n);
  return name;
}

void restore_outputs(RewriteContext& ctx, std::size_t b, std::size_t i, const OpInfo& tinfo) {
  ir::Block& block = ctx.model.program.blocks[b];
  for (const auto& [slot_name, slot] : tinfo.outputs) {
    ir::Op& op = block.ops[i];
    if (!slot.required || !op.output(slot_name).empty()) continue;
    // XShape (the only required output exporters strip): [0] + the input's dims, input's dtype.
    const auto x = op.input("X");
    const ir::Var* in = x.empty() ? nullptr : block.find_var(x.front());
    if (slot_name != "XShape" || in == nullptr || !in->tensor) {
      ctx.decline("restore-extra-outputs",
                  fmt::format("{}#{} {}: the shape of the output to add is not known", op.type, i,
                              slot_name));
      continue;
    }
    const auto outs = op.output("Out");
    ir::Var v;
    v.name = fresh_name(block, (outs.empty() ? op.type : outs.front()) + ".xshape");
    v.type = ir::VarType::kDenseTensor;
    ir::TensorDesc t;
    t.dtype = in->tensor->dtype;
    t.dims.push_back(0);
    t.dims.insert(t.dims.end(), in->tensor->dims.begin(), in->tensor->dims.end());
    v.tensor = t;
    v.tensor_field = 3;
    v.persistable = false;
    const std::string name = v.name;
    block.vars.push_back(std::move(v));
    block.ops[i].outputs.push_back({slot_name, {name}});
    ctx.change("restore-extra-outputs", b, i, slot_name, kAbsent, name);
  }
}

void drop_unknown_slots(RewriteContext& ctx, std::size_t b, std::size_t i, const OpInfo& tinfo,
                        const std::set<std::string, std::less<>>& consumed) {
  if (!tinfo.complete) return;
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  auto unused = [&](const ir::Slot& s, bool is_input) {
    const auto& known = is_input ? tinfo.inputs : tinfo.outputs;
    if (known.find(s.name) != known.end()) return false;
    if (s.args.empty()) return true;
    return !is_input && std::none_of(s.args.begin(), s.args.end(),
                                     [&](const std::string& a) { return consumed.count(a) != 0; });
  };
  for (bool is_input : {true, false}) {
    auto& slots = is_input ? op.inputs : op.outputs;
    std::vector<std::string> names;
    for (const ir::Slot& s : slots)
      if (unused(s, is_input)) names.push_back(s.name);
    for (const std::string& n : names) {
      auto it =
          std::find_if(slots.begin(), slots.end(), [&](const ir::Slot& s) { return s.name == n; });
      const std::string before = fmt::format("[{}]", fmt::join(it->args, ", "));
      slots.erase(it);
      ctx.change("drop-unknown-slots", b, i, (is_input ? "input " : "output ") + n, before,
                 kRemoved);
    }
  }
}

}  // namespace

void rewrite_attrs(RewriteContext& ctx) {
  ir::Program& prog = ctx.model.program;
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i) {
      const OpInfo* tinfo = ctx.target.op(prog.blocks[b].ops[i].type);
      retype(ctx, b, i, tinfo);
      if (tinfo == nullptr) continue;
      restore_stripped(ctx, b, i, *tinfo);
      drop_unknown(ctx, b, i, *tinfo);
    }
}

void rewrite_slots(RewriteContext& ctx) {
  ir::Program& prog = ctx.model.program;
  std::set<std::string, std::less<>> consumed;
  for (const ir::Block& blk : prog.blocks)
    for (const ir::Op& o : blk.ops)
      for (const ir::Slot& s : o.inputs) consumed.insert(s.args.begin(), s.args.end());
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i) {
      const OpInfo* tinfo = ctx.target.op(prog.blocks[b].ops[i].type);
      if (tinfo == nullptr) continue;
      restore_outputs(ctx, b, i, *tinfo);
      drop_unknown_slots(ctx, b, i, *tinfo, consumed);
    }
}

}  // namespace detport::compat::detail
