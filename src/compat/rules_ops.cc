// Rules about ops: does the target have them, at which version, with which slots.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "compat/rules.h"

namespace detport::compat::detail {
namespace {

std::vector<std::string> concat_sources(std::vector<std::string> a,
                                        const std::vector<std::string>& b) {
  for (const std::string& s : b)
    if (std::find(a.begin(), a.end(), s) == a.end()) a.push_back(s);
  return a;
}

bool is_io_op(std::string_view type) {
  return type == "feed" || type == "fetch";
}

Severity impact_severity(const Checkpoint& c, const ir::Op& op) {
  switch (c.impact) {
    case Checkpoint::Impact::kIncompatible:
      return Severity::kBreaksLoad;
    case Checkpoint::Impact::kBehaviorChange:
      if (c.only_if_attr) {
        const ir::Attribute* a = op.attr(*c.only_if_attr);
        if (a == nullptr || !a->as_double() || *a->as_double() <= c.only_if_gt)
          return Severity::kInfo;
      }
      return Severity::kWrongResult;
    case Checkpoint::Impact::kCompatible:
    case Checkpoint::Impact::kUnknown:
      return Severity::kInfo;
  }
  return Severity::kInfo;
}

std::string_view impact_text(Checkpoint::Impact i) {
  switch (i) {
    case Checkpoint::Impact::kCompatible:
      return "compatible";
    case Checkpoint::Impact::kIncompatible:
      return "incompatible";
    case Checkpoint::Impact::kBehaviorChange:
      return "behaviour change";
    case Checkpoint::Impact::kUnknown:
      return "not established";
  }
  return "";
}

void check_version(const Context& ctx, Findings& out, std::size_t b, std::size_t i,
                   const OpInfo& info) {
  const ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const auto model_v = ctx.model.program.op_version(op.type);
  if (!model_v || *model_v == 0) return;
  if (!info.version) {
    out.add(
        "op-version-unknown/" + op.type,
        [&] {
          Finding f;
          f.rule = "op-version-unknown";
          f.severity = Severity::kInfo;
          f.title = fmt::format("{} version {}: {}'s version of it is not established", op.type,
                                *model_v, ctx.target_name);
          f.explanation = fmt::format(
              "The model's op_version_map says {} is at checkpoint {}; detport could not establish "
              "how many checkpoints {} has (no export of that release with a map was available), "
              "so it cannot tell whether a newer checkpoint matters.",
              op.type, *model_v, ctx.target_name);
          f.fix = "Check by loading the model in the target, or compare with an export from it.";
          f.evidence = info.source;
          return f;
        },
        b, i);
    return;
  }
  if (*model_v <= *info.version) return;
  const std::vector<Checkpoint>* cks = ctx.checkpoints(op.type);
  Severity sev = Severity::kInfo;
  std::string changes;
  std::vector<std::string> evidence;
  bool known = false;
  for (int32_t v = *info.version + 1; v <= *model_v; ++v) {
    const Checkpoint* c = nullptr;
    if (cks != nullptr)
      for (const Checkpoint& k : *cks)
        if (k.version == v) c = &k;
    if (c == nullptr) {
      changes += fmt::format(" Checkpoint {}: not recorded.", v);
      continue;
    }
    known = true;
    sev = std::min(sev, impact_severity(*c, op));
    changes +=
        fmt::format(" Checkpoint {} ({}, {}): {}.", v, c->kind, impact_text(c->impact), c->change);
    evidence.insert(evidence.end(), c->source.begin(), c->source.end());
  }
  const std::string key = fmt::format("op-version-newer/{}/{}", op.type, static_cast<int>(sev));
  out.add(
      key,
      [&] {
        Finding f;
        f.rule = "op-version-newer";
        f.severity = sev;
        f.title = fmt::format("{} is at version {}; {} has version {}", op.type, *model_v,
                              ctx.target_name, *info.version);
        f.explanation = fmt::format(
            "Op versions count REGISTER_OP_VERSION checkpoints. Paddle does not refuse a newer "
            "version on load (op versions only gate fusion passes and the Scalar conversion, "
            "PADDLE_FORMATS.md 0.3); what the target does differently follows from what each "
            "checkpoint changed.{}{}",
            changes,
            sev == Severity::kInfo && known
                ? " None of these changes alters what this model computes on the target by itself; "
                  "attribute findings below cover values the target would ignore."
                : "");
        f.fix =
            sev == Severity::kBreaksLoad
                ? "Re-export with the target release; the checkpoint changed the op's interface."
            : sev == Severity::kWrongResult
                ? "Check the attribute values named above; re-export with the target "
                  "release if they are in the changed range."
                : "Nothing to do; a converter writes the target's op_version_map.";
        f.convert_rule = "set-op-version-map";
        f.evidence = evidence.empty() ? info.source : evidence;
        return f;
      },
      b, i);
}

void check_slots(const Context& ctx, Findings& out, std::size_t b, std::size_t i,
                 const OpInfo& info, const std::set<std::string, std::less<>>& consumed) {
  const ir::Op& op = ctx.model.program.blocks[b].ops[i];
  // Outputs the target requires that the model's op lacks.
  for (const auto& entry : info.outputs) {
    const std::string& name = entry.first;  // named, not bound: lambdas below capture them
    const SlotInfo& slot = entry.second;
    if (!slot.required || !op.output(name).empty()) continue;
    out.add(
        "output-missing/" + op.type + "/" + name,
        [&] {
          Finding f;
          f.rule = "output-missing";
          f.severity = Severity::kBreaksLoad;
          f.title =
              fmt::format("{} has no {} output; {} requires it", op.type, name, ctx.target_name);
          f.explanation = fmt::format(
              "Newer exporters drop {} as an extra output, but {} declares it as a plain output "
              "and its shape inference writes it unconditionally. {}",
              name, ctx.target_name, slot.note);
          f.fix = "Add the output back (a new variable with the input's shape prefixed by 0).";
          f.convert_rule = "restore-extra-outputs";
          f.evidence = slot.source;
          return f;
        },
        b, i);
  }
  // Outputs the exporter dropped as extra that the target still declares (and does not need).
  if (ctx.producer != nullptr && ctx.producer->export_rules.clip_extra_outputs) {
    const OpInfo* pinfo = ctx.producer->op(op.type);
    for (const auto& entry : info.outputs) {
      const std::string& name = entry.first;
      const SlotInfo& slot = entry.second;
      if (slot.required || !op.output(name).empty() || pinfo == nullptr) continue;
      auto p = pinfo->outputs.find(name);
      if (p == pinfo->outputs.end() || !p->second.extra) continue;
      out.add(
          "output-stripped/" + op.type + "/" + name,
          [&] {
            Finding f;
            f.rule = "output-stripped";
            f.severity = Severity::kInfo;
            f.title = fmt::format("{} has no {} output (stripped on export)", op.type, name);
            f.explanation = fmt::format(
                "Paddle {} drops {} from {} on export as an extra output. {} declares it {}, and "
                "shape inference skips an absent {}, so nothing changes for inference.",
                ctx.producer->name, name, op.type, ctx.target_name,
                slot.extra ? "as an extra (optional) output too" : "but not as required", name);
            f.fix = "Nothing to do for Paddle; a converter can add it back for other readers.";
            f.convert_rule = "restore-extra-outputs";
            f.evidence = concat_sources(p->second.source, {"transpose-2.x", "export-2.5.1"});
            return f;
          },
          b, i);
    }
  }
  if (!info.complete) return;
  for (const auto* slots : {&op.inputs, &op.outputs}) {
    const bool is_input = slots == &op.inputs;
    for (const ir::Slot& s : *slots) {
      const auto& known = is_input ? info.inputs : info.outputs;
      if (known.find(s.name) != known.end()) continue;
      bool used = !s.args.empty();
      if (!is_input && used)
        used = std::any_of(s.args.begin(), s.args.end(),
                           [&](const std::string& a) { return consumed.count(a) != 0; });
      const Severity sev = !used      ? Severity::kInfo
                           : is_input ? Severity::kWrongResult
                                      : Severity::kBreaksLoad;
      const std::string rule = is_input ? "input-unknown" : "output-unknown";
      out.add(
          fmt::format("{}/{}/{}/{}", rule, op.type, s.name, static_cast<int>(sev)),
          [&] {
            Finding f;
            f.rule = rule;
            f.severity = sev;
            f.title = fmt::format("{} {} {} is unknown to {}", op.type,
                                  is_input ? "input" : "output", s.name, ctx.target_name);
            if (sev == Severity::kInfo)
              f.explanation = fmt::format(
                  "{}'s {} declares no {} slot; the model's slot is empty or unused, so the target "
                  "just ignores it.",
                  ctx.target_name, op.type, s.name);
            else if (is_input)
              f.explanation = fmt::format(
                  "{}'s {} declares no {} input, so it computes without the tensor the model feeds "
                  "there (inferred: Paddle only reads the slots an op declares).",
                  ctx.target_name, op.type, s.name);
            else
              f.explanation = fmt::format(
                  "{}'s {} declares no {} output, so the variable later ops read is never written "
                  "(inferred: Paddle only writes the slots an op declares).",
                  ctx.target_name, op.type, s.name);
            f.fix = sev == Severity::kInfo ? "Nothing to do; a converter drops the empty slot."
                                           : "Re-export with the target release.";
            if (sev == Severity::kInfo) f.convert_rule = "drop-unknown-slots";
            f.evidence = info.source;
            return f;
          },
          b, i);
    }
  }
}

}  // namespace

void check_ops(const Context& ctx, Findings& out) {
  const ir::Program& prog = ctx.model.program;
  bool map_missing_noted = false;
  std::set<std::string, std::less<>> consumed;  // every variable some op reads
  for (const ir::Block& blk : prog.blocks)
    for (const ir::Op& o : blk.ops)
      for (const ir::Slot& s : o.inputs) consumed.insert(s.args.begin(), s.args.end());
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i) {
      const ir::Op& op = prog.blocks[b].ops[i];
      if (const AbsentOp* absent = ctx.target.absent(op.type)) {
        out.add(
            "op-missing/" + op.type,
            [&] {
              Finding f;
              f.rule = "op-missing";
              f.severity = Severity::kBreaksLoad;
              f.title = fmt::format("{} does not have the op {}", ctx.target_name, op.type);
              f.explanation = fmt::format(
                  "Creating an op the target's registry does not know fails when the predictor "
                  "builds the program. {}",
                  absent->note);
              if (absent->replacement) {
                f.fix = fmt::format(
                    "detport convert replaces it with {} where that computes the same ({}); "
                    "otherwise re-export with the target release.",
                    absent->replacement->op, absent->replacement->note);
                f.convert_rule = absent->replacement->rule;
              } else {
                f.fix = absent->no_replacement.empty()
                            ? "Re-export with the target release, or replace the op with what "
                              "the target has (no detport convert rule does this)."
                            : fmt::format("Re-export with the target release: {}",
                                          absent->no_replacement);
              }
              f.evidence = absent->source;
              return f;
            },
            b, i);
        continue;
      }
      const OpInfo* info = ctx.target.op(op.type);
      if (info == nullptr) {
        if (is_io_op(op.type)) continue;
        out.add(
            "op-unknown/" + op.type,
            [&] {
              Finding f;
              f.rule = "op-unknown";
              f.severity = Severity::kInfo;
              f.title = fmt::format("no facts about {} in {}", op.type, ctx.target_name);
              f.explanation = fmt::format(
                  "detport's release data does not cover {} (it covers the ops of PaddleDetection "
                  "exports). Whether {} has it, and at which version, is not checked.",
                  op.type, ctx.target_name);
              f.fix = "Check by hand, or add the op to data/compat (docs/COMPAT.md).";
              f.evidence = ctx.target.proto.source;
              return f;
            },
            b, i);
        continue;
      }
      if (prog.op_version_map)
        check_version(ctx, out, b, i, *info);
      else if (!map_missing_noted && ctx.model.meta.producer &&
               ctx.model.meta.producer->major >= 2 && ctx.target.op_version_map.written) {
        map_missing_noted = true;
        Finding f;
        f.rule = "op-version-map-missing";
        f.severity = Severity::kInfo;
        f.title = "the model carries no op_version_map";
        f.explanation =
            "Paddle 2.x exports write one; this program was probably re-saved by another tool "
            "(Paddle Serving's converter does this). Op versions cannot be compared, so the "
            "op-version rule is skipped; Paddle >= 2.5 treats ops missing from the map as legacy "
            "(version 0) when it converts Scalar attributes.";
        f.fix = "Nothing to do; a converter writes the target's map.";
        f.convert_rule = "set-op-version-map";
        f.evidence = {"research"};
        out.add(std::move(f));
      }
      check_slots(ctx, out, b, i, *info, consumed);
    }
}

}  // namespace detport::compat::detail
