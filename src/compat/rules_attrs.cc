// Rules about attributes: what the target fills in for attributes the model lacks (and whether
// that is what the exporter meant), attributes the target does not know, and kind mismatches.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "compat/rules.h"

namespace detport::compat::detail {
namespace {

std::string default_text(const AttrInfo* a) {
  return a != nullptr && a->default_value ? json_value_text(*a->default_value) : "not recorded";
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  for (const std::string& s : b)
    if (std::find(a.begin(), a.end(), s) == a.end()) a.push_back(s);
  return a;
}

// A widening Paddle's attribute checker performs when it reads a value (inferred from
// ExtractAttribute's int -> int64 and float -> double specialisations).
bool converts(ir::AttrKind from, ir::AttrKind to) {
  using K = ir::AttrKind;
  return (from == K::kInt && to == K::kLong) || (from == K::kInts && to == K::kLongs) ||
         (from == K::kFloat && to == K::kFloat64) || (from == K::kBool && to == K::kInt);
}

struct Stripped {
  std::string name;
  const AttrInfo* producer;
  const AttrInfo* target;
};

void report_default_difference(const Context& ctx, Findings& out, std::size_t b, std::size_t i,
                               const ir::Op& op, const Stripped& s) {
  const Effect effect = s.target->effect != Effect::kNone ? s.target->effect : s.producer->effect;
  const Severity sev = effect == Effect::kSlow          ? Severity::kSlow
                       : effect == Effect::kWrongResult ? Severity::kWrongResult
                                                        : Severity::kInfo;
  out.add(
      fmt::format("extra-attr-default/{}/{}", op.type, s.name),
      [&] {
        Finding f;
        f.rule = "extra-attr-default";
        f.severity = sev;
        f.title = fmt::format("{}.{}: the exporter meant {}, {} fills {}", op.type, s.name,
                              default_text(s.producer), ctx.target_name, default_text(s.target));
        const std::string why =
            s.target->effect != Effect::kNone ? s.target->effect_why : s.producer->effect_why;
        f.explanation = fmt::format(
            "Paddle {} strips {} from {} on export as an \"extra\" attribute; loading the model "
            "in {} it would take its default {}. {} declares it with default {} and fills that "
            "instead. {}",
            ctx.producer->name, s.name, op.type, ctx.producer->name, default_text(s.producer),
            ctx.target_name, default_text(s.target),
            sev == Severity::kSlow ? fmt::format("Consequence: slower, same results ({}).", why)
            : sev == Severity::kWrongResult
                ? fmt::format("Consequence: different results ({}).", why)
                : "What the attribute changes at run time is not established, so no consequence is "
                  "claimed.");
        f.fix = fmt::format("Write {} = {} into every {} op (what the exporter meant).", s.name,
                            default_text(s.producer), op.type);
        f.convert_rule = "restore-stripped-attrs";
        f.evidence = concat(concat(s.producer->default_source, s.target->default_source),
                            s.target->effect != Effect::kNone ? s.target->effect_source
                                                              : s.producer->effect_source);
        return f;
      },
      b, i);
}

void report_stripped_semantic(const Context& ctx, Findings& out, std::size_t b, std::size_t i,
                              const ir::Op& op, const std::vector<Stripped>& same) {
  std::vector<std::string> names, evidence{"third-party-beta"};
  for (const Stripped& s : same) {
    names.push_back(fmt::format("{} = {}", s.name, default_text(s.target)));
    evidence = concat(evidence, s.target->default_source);
    evidence = concat(evidence, s.producer->default_source);
  }
  if (op.type == "swish") evidence = concat(evidence, {"pr-54536"});
  out.add(
      "extra-attr-stripped/" + op.type,
      [&] {
        Finding f;
        f.rule = "extra-attr-stripped";
        f.severity = Severity::kInfo;
        f.title = fmt::format("{} has no {} (stripped on export); {} fills the same default",
                              op.type, fmt::join(names, ", "), ctx.target_name);
        f.explanation = fmt::format(
            "Paddle {} treats these as extra attributes and does not write them. {} declares them "
            "with the same defaults ({}) and fills them on load, so it computes the same. Tools "
            "that require the attribute fail on such models: Paddle2ONNX <= 1.0.x, FastDeploy and "
            "Paddle-Lite 2.10-2.13 stop with \"Cannot found attribute beta in op: swish\" / "
            "\"threshold in op: relu6\".",
            ctx.producer->name, ctx.target_name, fmt::join(names, ", "));
        f.fix = "Nothing for Paddle itself; for other tools write the attributes back.";
        f.convert_rule = "restore-stripped-attrs";
        f.evidence = evidence;
        return f;
      },
      b, i);
}

void check_op_attrs(const Context& ctx, Findings& out, std::size_t b, std::size_t i) {
  const ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const OpInfo* tinfo = ctx.target.op(op.type);
  if (tinfo == nullptr) return;
  const OpInfo* pinfo = ctx.producer != nullptr ? ctx.producer->op(op.type) : nullptr;
  const bool producer_clips =
      pinfo != nullptr && ctx.producer->export_rules.clip_extra_attrs && pinfo->has_extras();
  std::vector<Stripped> same_semantic;
  std::vector<std::string> missing;
  std::vector<std::string> missing_evidence;
  bool missing_unknown_default = false;
  for (const auto& [name, tattr] : tinfo->attrs) {
    if (op.has_attr(name)) continue;
    const AttrInfo* pattr = pinfo != nullptr ? pinfo->attr(name) : nullptr;
    if (producer_clips && pattr != nullptr && pattr->extra) {
      const Stripped s{name, pattr, &tattr};
      if (pattr->default_value && tattr.default_value) {
        if (!same_value(*pattr->default_value, *tattr.default_value))
          report_default_difference(ctx, out, b, i, op, s);
        else if (tattr.effect == Effect::kWrongResult || pattr->effect == Effect::kWrongResult)
          same_semantic.push_back(s);
      }
      continue;
    }
    if (tattr.extra) continue;  // the target strips it itself; its default applies as usual
    missing.push_back(fmt::format("{} (default {})", name, default_text(&tattr)));
    missing_unknown_default = missing_unknown_default || !tattr.default_value;
    missing_evidence = concat(missing_evidence, tattr.default_source);
  }
  if (!same_semantic.empty()) report_stripped_semantic(ctx, out, b, i, op, same_semantic);
  if (!missing.empty()) {
    out.add(
        "attr-missing/" + op.type,
        [&] {
          Finding f;
          f.rule = "attr-missing";
          f.severity = Severity::kInfo;
          f.title = fmt::format("{} lacks {} attribute(s) {} declares", op.type, missing.size(),
                                ctx.target_name);
          f.explanation = fmt::format(
              "Paddle's attribute checker fills a declared attribute's default when an op lacks "
              "it, so the op runs with: {}.{}",
              fmt::join(missing, ", "),
              missing_unknown_default
                  ? " detport has not established every default; if the target has none for an "
                    "attribute, creating the op fails."
                  : "");
          f.fix = "Nothing to do where the default is what the model means.";
          f.convert_rule = "restore-stripped-attrs";
          f.evidence = missing_evidence.empty() ? tinfo->source : missing_evidence;
          return f;
        },
        b, i);
  }
  // Attributes the target does not declare, and kinds it reads differently.
  std::vector<std::string> ignored_same;
  for (const ir::NamedAttribute& a : op.attrs) {
    if (ctx.is_common_attr(a.name)) continue;
    const AttrInfo* tattr = tinfo->attr(a.name);
    if (tattr != nullptr) {
      if (tinfo->complete && tattr->type != a.value.kind() &&
          !converts(a.value.kind(), tattr->type))
        out.add(
            fmt::format("attr-type-mismatch/{}/{}", op.type, a.name),
            [&] {
              Finding f;
              f.rule = "attr-type-mismatch";
              f.severity = Severity::kBreaksLoad;
              f.title = fmt::format("{}.{} is {}; {} declares {}", op.type, a.name,
                                    ir::attr_kind_name(a.value.kind()), ctx.target_name,
                                    ir::attr_kind_name(tattr->type));
              f.explanation = fmt::format(
                  "The attribute checker reads {} as {}; a {} value does not convert and creating "
                  "the op fails with a type error (inferred from the checker's typed access; only "
                  "int -> int64 and float -> double widen).",
                  a.name, ir::attr_kind_name(tattr->type), ir::attr_kind_name(a.value.kind()));
              f.fix = fmt::format("Rewrite {} as {}.", a.name, ir::attr_kind_name(tattr->type));
              f.convert_rule = "retype-attrs";
              f.evidence = tinfo->source;
              return f;
            },
            b, i);
      continue;
    }
    if (!tinfo->complete) continue;
    const AttrInfo* pattr = pinfo != nullptr ? pinfo->attr(a.name) : nullptr;
    if (pattr == nullptr || !pattr->default_value ||
        same_value(attr_json(a.value), *pattr->default_value)) {
      ignored_same.push_back(a.name);
      continue;
    }
    out.add(
        fmt::format("attr-ignored/{}/{}", op.type, a.name),
        [&] {
          Finding f;
          f.rule = "attr-ignored";
          f.severity = Severity::kWrongResult;
          f.title = fmt::format("{}.{} = {} is unknown to {}", op.type, a.name, a.value.to_string(),
                                ctx.target_name);
          f.explanation = fmt::format(
              "{} does not declare {} for {}; Paddle's attribute checker leaves unknown attributes "
              "alone and the kernel never reads them, so the op computes as with the old "
              "behaviour (default {}), not with the model's value (inferred).",
              ctx.target_name, a.name, op.type, default_text(pattr));
          f.fix =
              "Re-export with the target release after setting the attribute to its default, "
              "or run on a release that has it.";
          f.evidence = pattr->default_source;
          return f;
        },
        b, i);
  }
  if (!ignored_same.empty())
    out.add(
        "attr-unknown/" + op.type,
        [&] {
          Finding f;
          f.rule = "attr-unknown";
          f.severity = Severity::kInfo;
          f.title = fmt::format("{} carries {} attribute(s) {} does not declare", op.type,
                                ignored_same.size(), ctx.target_name);
          f.explanation = fmt::format(
              "{}: the target ignores them. Their values are the exporter's defaults or their "
              "effect is not established, so no consequence is claimed.",
              fmt::join(ignored_same, ", "));
          f.fix = "Nothing to do; a converter drops them.";
          f.convert_rule = "drop-unknown-attrs";
          f.evidence = tinfo->source;
          return f;
        },
        b, i);
}

}  // namespace

void check_attrs(const Context& ctx, Findings& out) {
  const ir::Program& prog = ctx.model.program;
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i) check_op_attrs(ctx, out, b, i);
}

}  // namespace detport::compat::detail
