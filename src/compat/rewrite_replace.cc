// Rewrites of ops the target lacks into an op it has that computes the same, as the target's data
// names them (`absent_ops.<op>.replacement`, with the sources that show the equivalence). Each
// rewrite checks the conditions the equivalence needs on this program; where they do not hold it
// declines with the reason, and the op-missing finding is refused with it.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <numeric>

#include "compat/rewrite_rules.h"

namespace detport::compat::detail {
namespace {

// nullopt: the program does not record the var's dims.
std::optional<std::vector<int64_t>> dims_of(const ir::Program& prog, std::size_t b,
                                            const std::string& name) {
  const ir::Var* v = prog.blocks[b].find_var(name);
  if (v == nullptr) v = prog.global_block().find_var(name);
  if (v == nullptr || !v->tensor) return std::nullopt;
  return v->tensor->dims;
}

// Whether any op other than `self` (including fetch) reads `name`.
bool is_read(const ir::Program& prog, const ir::Op* self, const std::string& name) {
  for (const ir::Block& blk : prog.blocks)
    for (const ir::Op& op : blk.ops) {
      if (&op == self) continue;
      for (const ir::Slot& s : op.inputs)
        if (std::find(s.args.begin(), s.args.end(), name) != s.args.end()) return true;
    }
  return false;
}

std::string dims_text(const std::vector<int64_t>& d) {
  return fmt::format("[{}]", fmt::join(d, ", "));
}

// The op's attributes that every op carries (op_role, ...) stay; the others go, each recorded.
void drop_own_attrs(RewriteContext& ctx, const char* rule, std::size_t b, std::size_t i) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  std::vector<std::string> gone;
  for (const ir::NamedAttribute& a : op.attrs)
    if (ctx.common_attrs.count(a.name) == 0) gone.push_back(a.name);
  for (const std::string& n : gone) {
    const std::string before = op.attr(n)->to_string();
    op.erase_attr(n);
    ctx.change(rule, b, i, n, before, "(removed)");
  }
}

void set(RewriteContext& ctx, const char* rule, std::size_t b, std::size_t i,
         const std::string& name, ir::Attribute value) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const ir::Attribute* old = op.attr(name);
  const std::string before = old != nullptr ? old->to_string() : "(absent)";
  const std::string after = value.to_string();
  op.set_attr(name, std::move(value));
  ctx.change(rule, b, i, name, before, after);
}

void retype(RewriteContext& ctx, const char* rule, std::size_t b, std::size_t i,
            const std::string& to) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  const std::string from = op.type;
  op.type = to;
  ctx.change(rule, b, i, "type", from, to);
  ctx.changes.back().op_type = from;
}

void erase_slot(std::vector<ir::Slot>& slots, std::string_view name) {
  std::erase_if(slots, [&](const ir::Slot& s) { return s.name == name; });
}

// matmul_v2 -> matmul(transpose_X, transpose_Y, alpha = 1): matmul v1 multiplies batches only when
// their leading dims are equal or one operand is a matrix or vector (matmul_op.cc InferShape).
std::optional<std::string> matmul_v2_to_matmul(RewriteContext& ctx, std::size_t b, std::size_t i) {
  const ir::Program& prog = ctx.model.program;
  const ir::Op& op = prog.blocks[b].ops[i];
  if (op.input("X").size() != 1 || op.input("Y").size() != 1) return "X or Y is not one var";
  const auto x = dims_of(prog, b, op.input("X")[0]);
  const auto y = dims_of(prog, b, op.input("Y")[0]);
  if (!x || !y) return "the program does not record the dims of X and Y";
  const bool tx = op.bool_attr("trans_x", false);
  const bool ty = op.bool_attr("trans_y", false);
  // A vector operand: v1 reads X [K] as [1, K] and Y [K] as [K, 1] and drops that 1 from the
  // output, as v2 does; a transposed vector and a vector times a vector differ (v1 gives [1]).
  if (x->empty() || y->empty() || (x->size() == 1 && y->size() == 1) || (x->size() == 1 && tx) ||
      (y->size() == 1 && ty))
    return fmt::format("X {} and Y {}{}{}: a vector product matmul v1 shapes differently",
                       dims_text(*x), dims_text(*y), tx ? " trans_x" : "", ty ? " trans_y" : "");
  if (x->size() > 2 && y->size() > 2) {
    const bool same =
        x->size() == y->size() && std::equal(x->begin(), x->end() - 2, y->begin(),
                                             [](int64_t p, int64_t q) { return p == q && p >= 0; });
    if (!same)
      return fmt::format(
          "X {} and Y {}: leading dims not statically equal, which matmul_v2 broadcasts and "
          "matmul v1 does not",
          dims_text(*x), dims_text(*y));
  }
  constexpr const char* kRule = "matmul-v2-to-matmul";
  retype(ctx, kRule, b, i, "matmul");
  drop_own_attrs(ctx, kRule, b, i);
  set(ctx, kRule, b, i, "transpose_X", ir::Attribute::boolean(tx));
  set(ctx, kRule, b, i, "transpose_Y", ir::Attribute::boolean(ty));
  set(ctx, kRule, b, i, "alpha", ir::Attribute::f32(1.0f));
  return std::nullopt;
}

// multiclass_nms3 -> multiclass_nms2: one kernel, the same attributes; nms3 only adds RoisNum (a
// LoD replacement for 2-D boxes) and NmsRoisNum (Out's LoD as a tensor) (multiclass_nms_op.cc).
std::optional<std::string> nms3_to_nms2(RewriteContext& ctx, std::size_t b, std::size_t i) {
  ir::Op& op = ctx.model.program.blocks[b].ops[i];
  if (op.has_input("RoisNum"))
    return "RoisNum is given; multiclass_nms2 would read the boxes' LoD instead";
  for (const std::string& n : op.output("NmsRoisNum"))
    if (is_read(ctx.model.program, &op, n))
      return fmt::format(
          "the program reads NmsRoisNum ('{}'), which multiclass_nms2 does not have; Paddle <= "
          "2.0 gives the per-image box counts only as Out's LoD, which no op turns into a tensor",
          n);
  constexpr const char* kRule = "multiclass-nms3-to-nms2";
  retype(ctx, kRule, b, i, "multiclass_nms2");
  erase_slot(op.inputs, "RoisNum");
  if (!op.output("NmsRoisNum").empty())
    ctx.change(kRule, b, i, "NmsRoisNum", op.output("NmsRoisNum")[0], "(removed)");
  erase_slot(op.outputs, "NmsRoisNum");
  return std::nullopt;
}

// flatten_contiguous_range -> reshape2: 0 copies a dim at the same position, one -1 is inferred
// (reshape); the merged dims' product needs them known, the trailing dims too (they move).
std::optional<std::string> flatten_to_reshape2(RewriteContext& ctx, std::size_t b, std::size_t i) {
  const ir::Program& prog = ctx.model.program;
  const ir::Op& op = prog.blocks[b].ops[i];
  if (op.input("X").size() != 1) return "X is not one var";
  const auto x = dims_of(prog, b, op.input("X")[0]);
  if (!x) return "the program does not record the dims of X";
  const int64_t rank = static_cast<int64_t>(x->size());
  if (rank == 0) return "X is 0-D";
  int64_t start = op.int_attr("start_axis", 1), stop = op.int_attr("stop_axis", 1);
  if (start < 0) start += rank;
  if (stop < 0) stop += rank;
  if (start < 0 || stop >= rank || start > stop)
    return fmt::format("start_axis/stop_axis do not fit X {}", dims_text(*x));
  std::vector<int64_t> shape(static_cast<std::size_t>(start), 0);
  int unknown = 0;
  if (start == stop) {
    shape.assign(x->size(), 0);  // nothing merges: every dim stays in place
  } else {
    int64_t merged = 1;
    for (int64_t k = start; k <= stop; ++k) {
      if ((*x)[static_cast<std::size_t>(k)] < 0) {
        merged = -1;
        break;
      }
      merged *= (*x)[static_cast<std::size_t>(k)];
    }
    unknown += merged < 0;
    shape.push_back(merged);
    for (int64_t k = stop + 1; k < rank; ++k) {
      const int64_t d = (*x)[static_cast<std::size_t>(k)];
      unknown += d < 0;
      shape.push_back(d < 0 ? -1 : d);
    }
  }
  if (unknown > 1)
    return fmt::format("X {}: more than one output dim is unknown, reshape2 infers only one",
                       dims_text(*x));
  std::vector<int32_t> shape32(shape.begin(), shape.end());
  constexpr const char* kRule = "flatten-to-reshape2";
  retype(ctx, kRule, b, i, "reshape2");
  drop_own_attrs(ctx, kRule, b, i);
  set(ctx, kRule, b, i, "shape", ir::Attribute::i32s(std::move(shape32)));
  return std::nullopt;
}

using Rewrite = std::optional<std::string> (*)(RewriteContext&, std::size_t, std::size_t);
struct Known {
  const char* rule;
  const char* from;
  const char* to;
  Rewrite apply;
};
constexpr Known kKnown[] = {
    {"matmul-v2-to-matmul", "matmul_v2", "matmul", matmul_v2_to_matmul},
    {"multiclass-nms3-to-nms2", "multiclass_nms3", "multiclass_nms2", nms3_to_nms2},
    {"flatten-to-reshape2", "flatten_contiguous_range", "reshape2", flatten_to_reshape2},
};

}  // namespace

void rewrite_replacements(RewriteContext& ctx) {
  ir::Program& prog = ctx.model.program;
  for (std::size_t b = 0; b < prog.blocks.size(); ++b)
    for (std::size_t i = 0; i < prog.blocks[b].ops.size(); ++i) {
      const ir::Op& op = prog.blocks[b].ops[i];
      const AbsentOp* absent = ctx.target.absent(op.type);
      if (absent == nullptr || !absent->replacement) continue;
      const Replacement& rep = *absent->replacement;
      const Known* k = nullptr;
      for (const Known& c : kKnown)
        if (rep.rule == c.rule && op.type == c.from && rep.op == c.to) k = &c;
      if (k == nullptr) {
        ctx.decline(rep.rule, fmt::format("{} -> {}: detport has no rewrite named {}", op.type,
                                          rep.op, rep.rule));
        continue;
      }
      if (ctx.target.absent(rep.op) != nullptr || ctx.target.op(rep.op) == nullptr) {
        ctx.decline(rep.rule, fmt::format("the target's data does not describe {}", rep.op));
        continue;
      }
      const std::string type = op.type;
      if (auto why = k->apply(ctx, b, i))
        ctx.decline(rep.rule, fmt::format("{}#{}: {}", type, i, *why));
    }
}

}  // namespace detport::compat::detail
