// Indexing: slice (decrease_axis; Starts/Ends tensors and tensor lists), strided_slice, gather,
// gather_nd, index_select, flip, where, where_index.
#include <fmt/format.h>

#include <limits>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kI64 = onnx::TensorProto_DataType_INT64;

// A Slice operand (starts/ends/steps) as a 1-D int64 value: a constant when known, else built
// from the tensor (or the list of 1-element tensors).
Result<std::string> slice_operand(MapContext& c, std::string_view attr_name,
                                  std::string_view tensor_slot, std::string_view list_slot) {
  if (auto v = c.int_list(attr_name, tensor_slot, list_slot)) return c.g().i64s(*v);
  auto& g = c.g();
  if (c.has_in(tensor_slot)) {
    DETPORT_ASSIGN(std::string t, c.in(tensor_slot));
    if (c.in_meta(tensor_slot).dtype != ir::DType::kInt64) t = g.cast(t, kI64);
    return g.reshape(t, {-1});
  }
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < c.in_count(list_slot); ++i) {
    DETPORT_ASSIGN(std::string t, c.in(list_slot, i));
    if (c.in_meta(list_slot, i).dtype != ir::DType::kInt64) t = g.cast(t, kI64);
    parts.push_back(g.reshape(t, {-1}));
  }
  if (parts.empty()) return c.error(fmt::format("{} is missing", attr_name));
  return g.concat(parts, 0);
}

// Squeezes decrease_axis, unless the declared output keeps a 1-D [1] (Paddle before 2.5 never
// produced 0-D tensors).
void finish_decrease(MapContext& c, std::string y, std::string_view in_slot) {
  auto decrease = c.op().ints_attr("decrease_axis");
  const VarMeta in = c.in_meta(in_slot);
  const VarMeta out = c.out_meta("Out");
  if (!decrease.empty() && in.known) {
    for (auto& a : decrease) a = norm_axis(a, in.rank());
    const int64_t after = in.rank() - static_cast<int64_t>(decrease.size());
    if (!(after == 0 && out.known && out.rank() == 1)) y = c.g().squeeze(y, decrease);
  }
  c.set_out("Out", y);
}

Support check_slice(const OpView& v) {
  if (!v.op().ints_attr("decrease_axis").empty() && !v.in_meta("Input").known)
    return Support::no("decrease_axis on an input of undeclared rank");
  return {};
}

Status emit_slice(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("Input"));
  const auto axes = c.op().ints_attr("axes");
  DETPORT_ASSIGN(std::string starts,
                 slice_operand(c, "starts", "StartsTensor", "StartsTensorList"));
  DETPORT_ASSIGN(std::string ends, slice_operand(c, "ends", "EndsTensor", "EndsTensorList"));
  const std::string y = c.g().op("Slice", {x, starts, ends, c.g().i64s(axes)});
  finish_decrease(c, y, "Input");
  return {};
}

Status emit_strided_slice(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("Input"));
  const auto axes = c.op().ints_attr("axes");
  DETPORT_ASSIGN(std::string starts,
                 slice_operand(c, "starts", "StartsTensor", "StartsTensorList"));
  DETPORT_ASSIGN(std::string ends, slice_operand(c, "ends", "EndsTensor", "EndsTensorList"));
  DETPORT_ASSIGN(std::string steps,
                 slice_operand(c, "strides", "StridesTensor", "StridesTensorList"));
  const std::string y = c.g().op("Slice", {x, starts, ends, c.g().i64s(axes), steps});
  finish_decrease(c, y, "Input");
  return {};
}

Status emit_gather(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string idx, c.in("Index"));
  std::optional<int64_t> axis = c.op().int_attr("axis", 0);
  if (c.has_in("Axis")) {
    const Known* k = c.known("Axis");
    axis = k != nullptr && k->full() ? std::optional<int64_t>(k->ints().front()) : std::nullopt;
  }
  if (!axis) return c.error("the gather axis is not known at export time");
  const VarMeta im = c.in_meta("Index");
  // Paddle accepts an [N, 1] index as a list of N.
  if (im.known && im.rank() == 2 && im.dims[1] == 1) idx = c.g().reshape(idx, {-1});
  c.emit1("Gather", {x, idx}, {attr("axis", *axis)});
  return {};
}

Status emit_gather_nd(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string idx, c.in("Index"));
  if (c.in_meta("Index").dtype != ir::DType::kInt64) idx = c.g().cast(idx, kI64);
  c.emit1("GatherND", {x, idx});
  return {};
}

Status emit_index_select(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string idx, c.in("Index"));
  c.emit1("Gather", {x, idx}, {attr("axis", c.op().int_attr("dim", 0))});
  return {};
}

Status emit_flip(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto axes = c.op().ints_attr("axis");
  const std::size_t n = axes.size();
  auto& g = c.g();
  const std::string y =
      g.op("Slice", {x, g.i64s(std::vector<int64_t>(n, -1)),
                     g.i64s(std::vector<int64_t>(n, std::numeric_limits<int64_t>::min())),
                     g.i64s(axes), g.i64s(std::vector<int64_t>(n, -1))});
  c.set_out("Out", y);
  return {};
}

Status emit_where(MapContext& c) {
  DETPORT_ASSIGN(std::string cond, c.in("Condition"));
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string y, c.in("Y"));
  c.emit1("Where", {cond, x, y});
  return {};
}

// where_index / nonzero: Paddle gives [N, rank] int64; ONNX NonZero gives [rank, N].
Status emit_where_index(MapContext& c) {
  DETPORT_ASSIGN(std::string cond, c.in("Condition"));
  c.emit1("Transpose", {c.g().op("NonZero", {cond})}, {attr("perm", std::vector<int64_t>{1, 0})});
  c.set_dynamic("Out");
  return {};
}

}  // namespace

void add_slice_mappers(MapperTable& t) {
  t.add({"slice", emit_slice, check_slice, kMinOpset, kMaxOpset, "Slice (+Squeeze)",
         "decrease_axis squeezes (a declared [1] result stays 1-D, as before Paddle 2.5); "
         "StartsTensor/EndsTensor(List) as constants when known"});
  t.add({"strided_slice", emit_strided_slice, check_slice, kMinOpset, kMaxOpset,
         "Slice with steps (+Squeeze)", ""});
  t.add({"gather", emit_gather, nullptr, kMinOpset, kMaxOpset, "Gather",
         "axis attribute or known Axis tensor; [N,1] index flattened"});
  t.add({"gather_nd", emit_gather_nd, nullptr, kMinOpset, kMaxOpset, "GatherND", ""});
  t.add({"index_select", emit_index_select, nullptr, kMinOpset, kMaxOpset, "Gather", ""});
  t.add({"flip", emit_flip, nullptr, kMinOpset, kMaxOpset, "Slice (step -1)", ""});
  t.add({"where", emit_where, nullptr, kMinOpset, kMaxOpset, "Where", ""});
  for (const char* type : {"where_index", "nonzero"})
    t.add({type, emit_where_index, nullptr, kMinOpset, kMaxOpset, "NonZero, Transpose", ""});
}

}  // namespace detport::onnx_export
