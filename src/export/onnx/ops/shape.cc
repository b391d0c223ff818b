// Shape manipulation: reshape2/reshape (0 and -1 entries; Shape and ShapeTensor inputs, which
// become constants when their values are known at export time, the one unknown entry turning
// into -1), transpose2, flatten_contiguous_range, flatten2, squeeze2, unsqueeze2, concat, split,
// stack, unstack, shape, expand_v2, expand_as_v2, tile.
#include <fmt/format.h>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kI64 = onnx::TensorProto_DataType_INT64;

// An int tensor input as a 1-D int64 ONNX value.
Result<std::string> as_i64_1d(MapContext& c, std::string_view slot, std::size_t i = 0) {
  DETPORT_ASSIGN(std::string v, c.in(slot, i));
  if (c.in_meta(slot, i).dtype != ir::DType::kInt64) v = c.g().cast(v, kI64);
  if (c.in_meta(slot, i).rank() != 1) v = c.g().reshape(v, {-1});
  return v;
}

// A list of 1-element int tensors concatenated into a 1-D int64 ONNX value.
Result<std::string> concat_list(MapContext& c, std::string_view slot) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < c.in_count(slot); ++i) {
    DETPORT_ASSIGN(std::string p, as_i64_1d(c, slot, i));
    parts.push_back(p);
  }
  return c.g().concat(parts, 0);
}

// Entries of a shape given as a tensor input, as far as known.
std::optional<std::vector<std::optional<int64_t>>> partial(const MapContext& c,
                                                           std::string_view slot) {
  std::vector<std::optional<int64_t>> out;
  if (std::string_view(slot) == "ShapeTensor" || std::string_view(slot) == "expand_shapes_tensor") {
    for (std::size_t i = 0; i < c.in_count(slot); ++i) {
      const Known* k = c.known(slot, i);
      if (k == nullptr || k->v.size() != 1) {
        if (c.in_meta(slot, i).known && c.in_meta(slot, i).static_dims() &&
            c.in_meta(slot, i).dims.size() <= 1)
          out.emplace_back();  // one unknown value
        else
          return std::nullopt;
        continue;
      }
      out.push_back(k->v.front() ? std::optional<int64_t>(static_cast<int64_t>(*k->v.front()))
                                 : std::nullopt);
    }
    return out;
  }
  const Known* k = c.known(slot);
  if (k == nullptr) return std::nullopt;
  for (const auto& e : k->v)
    out.push_back(e ? std::optional<int64_t>(static_cast<int64_t>(*e)) : std::nullopt);
  return out;
}

// A constant shape from partly known entries: the single unknown one becomes -1 (Reshape infers
// the same value, since the element count must match), when no -1 is there already.
std::optional<std::vector<int64_t>> resolve(const std::vector<std::optional<int64_t>>& p) {
  std::vector<int64_t> out;
  int unknown = 0;
  bool has_minus = false;
  for (const auto& e : p) {
    if (!e) {
      ++unknown;
      out.push_back(-1);
    } else {
      has_minus = has_minus || *e == -1;
      out.push_back(*e);
    }
  }
  if (unknown == 0 || (unknown == 1 && !has_minus)) return out;
  return std::nullopt;
}

Status emit_reshape(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  std::string shape;
  for (const char* slot : {"ShapeTensor", "Shape"}) {
    if (!c.has_in(slot)) continue;
    auto p = partial(c, slot);
    if (p) {
      if (auto r = resolve(*p)) shape = c.g().i64s(*r);
    }
    if (shape.empty()) {
      if (std::string_view(slot) == "ShapeTensor") {
        DETPORT_ASSIGN(shape, concat_list(c, slot));
      } else {
        DETPORT_ASSIGN(shape, as_i64_1d(c, slot));
      }
    }
    break;
  }
  if (shape.empty()) shape = c.g().i64s(c.op().ints_attr("shape"));
  c.emit1("Reshape", {x, shape});
  return {};
}

Status emit_transpose(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto perm = c.op().ints_attr("axis");
  const int64_t r = static_cast<int64_t>(perm.size());
  for (auto& p : perm) p = norm_axis(p, r);
  c.emit1("Transpose", {x}, {attr("perm", perm)});
  return {};
}

Support check_ranked(const OpView& v) {
  if (!v.in_meta("X").known) return Support::no("the rank of X is not declared");
  return {};
}

Status emit_flatten_range(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const VarMeta m = c.in_meta("X");
  const int64_t r = m.rank();
  if (r == 0) {
    c.emit1("Reshape", {x, c.g().i64s({1})});
    return {};
  }
  const int64_t start = norm_axis(c.op().int_attr("start_axis", 1), r);
  const int64_t stop = norm_axis(c.op().int_attr("stop_axis", -1), r);
  std::vector<int64_t> shape(static_cast<std::size_t>(start), 0);
  shape.push_back(-1);
  bool static_tail = true;
  for (int64_t d = stop + 1; d < r; ++d) {
    shape.push_back(m.dims[static_cast<std::size_t>(d)]);
    static_tail = static_tail && m.dims[static_cast<std::size_t>(d)] >= 0;
  }
  if (static_tail) {
    c.emit1("Reshape", {x, c.g().i64s(shape)});
    return {};
  }
  auto& g = c.g();
  std::vector<std::string> parts;
  if (start > 0) parts.push_back(g.shape_slice(x, 0, start));
  parts.push_back(g.i64s({-1}));
  parts.push_back(g.shape_slice(x, stop + 1, r));
  c.emit1("Reshape", {x, g.concat(parts, 0)});
  return {};
}

Status emit_flatten2(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  c.emit1("Flatten", {x}, {attr("axis", c.op().int_attr("axis", 1))});
  return {};
}

// Which axes squeeze2 removes: Paddle ignores listed axes whose dim is not 1; undeclared dims
// are decided by the declared output rank.
std::optional<std::vector<int64_t>> squeeze_axes(const OpView& v) {
  const VarMeta x = v.in_meta("X");
  const VarMeta out = v.out_meta("Out");
  if (!x.known) return std::nullopt;
  std::vector<int64_t> axes = v.op().ints_attr("axes");
  if (axes.empty())
    for (int i = 0; i < x.rank(); ++i) axes.push_back(i);
  std::vector<int64_t> sure, maybe;
  for (int64_t a : axes) {
    a = norm_axis(a, x.rank());
    if (a < 0 || a >= x.rank()) return std::nullopt;
    if (x.dims[static_cast<std::size_t>(a)] == 1) sure.push_back(a);
    if (x.dims[static_cast<std::size_t>(a)] < 0) maybe.push_back(a);
  }
  if (maybe.empty()) return sure;
  if (!out.known) return std::nullopt;
  const std::size_t need = static_cast<std::size_t>(x.rank() - out.rank());
  if (need == sure.size()) return sure;
  if (need == sure.size() + maybe.size()) {
    sure.insert(sure.end(), maybe.begin(), maybe.end());
    std::sort(sure.begin(), sure.end());
    return sure;
  }
  return std::nullopt;
}

Support check_squeeze(const OpView& v) {
  if (!squeeze_axes(v))
    return Support::no("cannot tell which axes are squeezed (undeclared or dynamic dims)");
  return {};
}

Status emit_squeeze(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto axes = squeeze_axes(c);
  if (!axes) return c.error("cannot tell which axes are squeezed");
  if (axes->empty())
    c.emit1("Identity", {x});
  else
    c.set_out("Out", c.g().squeeze(x, *axes));
  return {};
}

Support check_unsqueeze(const OpView& v) {
  if (!v.in_meta("X").known) return Support::no("the rank of X is not declared");
  return {};
}

Status emit_unsqueeze(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto axes = c.int_list("axes", "AxesTensor", "AxesTensorList");
  if (!axes) return c.error("the axes are not known at export time");
  // Paddle inserts one axis at a time, each normalised against the rank so far.
  std::vector<bool> inserted(static_cast<std::size_t>(c.in_meta("X").rank()), false);
  for (int64_t a : *axes) {
    const int64_t r = static_cast<int64_t>(inserted.size());
    int64_t pos = a < 0 ? a + r + 1 : a;
    pos = std::clamp<int64_t>(pos, 0, r);
    inserted.insert(inserted.begin() + pos, true);
  }
  std::vector<int64_t> onnx_axes;
  for (std::size_t i = 0; i < inserted.size(); ++i)
    if (inserted[i]) onnx_axes.push_back(static_cast<int64_t>(i));
  c.set_out("Out", c.g().unsqueeze(x, onnx_axes));
  return {};
}

Status emit_concat(MapContext& c) {
  DETPORT_ASSIGN(auto xs, c.ins("X"));
  auto axis = c.int_list("axis", "AxisTensor");
  std::optional<int64_t> a;
  if (c.has_in("AxisTensor")) {
    if (axis && axis->size() == 1) a = axis->front();
  } else {
    a = c.op().int_attr("axis", 0);
  }
  if (!a) return c.error("the concat axis is not known at export time");
  if (xs.size() == 1)
    c.emit1("Identity", xs);
  else
    c.emit1("Concat", xs, {attr("axis", *a)});
  return {};
}

Status emit_split(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const VarMeta m = c.in_meta("X");
  std::optional<int64_t> axis = c.op().int_attr("axis", 0);
  if (c.has_in("AxisTensor")) {
    const Known* k = c.known("AxisTensor");
    axis = k != nullptr && k->full() ? std::optional<int64_t>(k->ints().front()) : std::nullopt;
  }
  if (!axis) return c.error("the split axis is not known at export time");
  const std::size_t n = c.op().output("Out").size();
  auto sections = c.int_list("sections", "", "SectionsTensorList");
  if (c.has_in("SectionsTensorList") && !sections)
    return c.error("the split sections are not known at export time");
  std::vector<int64_t> sizes = sections.value_or(std::vector<int64_t>{});
  const int64_t dim =
      m.known && m.rank() > 0 ? m.dim(static_cast<int>(norm_axis(*axis, m.rank()))) : -1;
  // One -1 section takes what the others leave.
  for (auto& s : sizes) {
    if (s >= 0) continue;
    if (dim < 0) return c.error("a -1 split section on a dynamic dim");
    int64_t rest = dim;
    for (int64_t o : sizes) rest -= o >= 0 ? o : 0;
    s = rest;
  }
  std::vector<std::string> outs;
  if (sizes.empty()) {
    if (dim >= 0 && static_cast<int64_t>(n) > 0) {
      sizes.assign(n, dim / static_cast<int64_t>(n));
      outs = c.g().split(x, *axis, sizes);
    } else {
      outs = c.g().add("Split", {x}, n, {attr("axis", *axis)});  // equal parts
    }
  } else {
    if (sizes.size() != n) return c.error("sections and outputs differ in number");
    outs = c.g().split(x, *axis, sizes);
  }
  for (std::size_t i = 0; i < n; ++i) c.set_out("Out", i, outs[i]);
  return {};
}

Status emit_stack(MapContext& c) {
  DETPORT_ASSIGN(auto xs, c.ins("X"));
  const int64_t r = c.in_meta("X").rank() + 1;
  const int64_t axis = norm_axis(c.op().int_attr("axis", 0), r);
  std::vector<std::string> parts;
  for (const auto& x : xs) parts.push_back(c.g().unsqueeze(x, {axis}));
  if (parts.size() == 1)
    c.emit1("Identity", parts, {}, "Y");
  else
    c.emit1("Concat", parts, {attr("axis", axis)}, "Y");
  return {};
}

Status emit_unstack(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const int64_t axis = norm_axis(c.op().int_attr("axis", 0), c.in_meta("X").rank());
  const std::size_t n = c.op().output("Y").size();
  auto parts = c.g().split(x, axis, std::vector<int64_t>(n, 1));
  for (std::size_t i = 0; i < n; ++i) c.set_out("Y", i, c.g().squeeze(parts[i], {axis}));
  return {};
}

Status emit_shape(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("Input"));
  const std::string s = c.g().op("Shape", {x});
  const VarMeta out = c.out_meta("Out");
  if (out.known && out.dtype != ir::DType::kInt64) {
    DETPORT_ASSIGN(int32_t t, c.onnx_type(out));
    c.emit1("Cast", {s}, {attr("to", int64_t{t})});
  } else {
    c.set_out("Out", s);
  }
  return {};
}

Status emit_expand(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  std::string shape;
  std::optional<std::vector<std::optional<int64_t>>> p;
  if (c.has_in("expand_shapes_tensor"))
    p = partial(c, "expand_shapes_tensor");
  else if (c.has_in("Shape"))
    p = partial(c, "Shape");
  else {
    std::vector<std::optional<int64_t>> v;
    for (int64_t s : c.op().ints_attr("shape")) v.emplace_back(s);
    p = v;
  }
  // Paddle's -1 keeps the input dim; Expand's 1 does the same by broadcasting.
  if (p) {
    bool all = true;
    std::vector<int64_t> s;
    for (const auto& e : *p) {
      all = all && e.has_value();
      s.push_back(e ? (*e == -1 ? 1 : *e) : 1);
    }
    if (all) shape = c.g().i64s(s);
  }
  if (shape.empty()) {
    if (c.has_in("expand_shapes_tensor")) {
      DETPORT_ASSIGN(shape, concat_list(c, "expand_shapes_tensor"));
    } else if (c.has_in("Shape")) {
      DETPORT_ASSIGN(shape, as_i64_1d(c, "Shape"));
    } else {
      return c.error("the expand shape is not known");
    }
    // Replace -1 by 1 at run time: max(shape, 1) keeps every real size.
    shape = c.g().max_i64(shape, c.g().i64s({1}));
  }
  c.emit1("Expand", {x, shape});
  return {};
}

Status emit_expand_as(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  std::string shape;
  auto target = c.op().ints_attr("target_shape");
  if (c.has_in("Y")) {
    DETPORT_ASSIGN(std::string y, c.in("Y"));
    shape = c.g().op("Shape", {y});
  } else if (!target.empty()) {
    shape = c.g().i64s(target);
  } else {
    return c.error("neither Y nor target_shape is given");
  }
  c.emit1("Expand", {x, shape});
  return {};
}

Status emit_tile(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto reps = c.int_list("repeat_times", "RepeatTimes", "repeat_times_tensor");
  if (!reps) return c.error("repeat_times is not known at export time");
  int64_t r = c.in_meta("X").rank();
  std::vector<int64_t> rep = *reps;
  if (static_cast<int64_t>(rep.size()) > r) {
    std::vector<int64_t> axes;
    for (int64_t i = 0; i < static_cast<int64_t>(rep.size()) - r; ++i) axes.push_back(i);
    x = c.g().unsqueeze(x, axes);
    r = static_cast<int64_t>(rep.size());
  }
  while (static_cast<int64_t>(rep.size()) < r) rep.insert(rep.begin(), 1);
  c.emit1("Tile", {x, c.g().i64s(rep)});
  return {};
}

}  // namespace

void add_shape_mappers(MapperTable& t) {
  for (const char* type : {"reshape2", "reshape"})
    t.add({type, emit_reshape, nullptr, kMinOpset, kMaxOpset, "Reshape",
           "0 copies, -1 infers; ShapeTensor/Shape become a constant when all but one entry is "
           "known at export time (the unknown one becomes -1), else Concat of Casts"});
  for (const char* type : {"transpose2", "transpose"})
    t.add({type, emit_transpose, nullptr, kMinOpset, kMaxOpset, "Transpose", ""});
  t.add({"flatten_contiguous_range", emit_flatten_range, check_ranked, kMinOpset, kMaxOpset,
         "Reshape", "static trailing dims inline, else Shape/Slice/Concat"});
  for (const char* type : {"flatten2", "flatten"})
    t.add({type, emit_flatten2, nullptr, kMinOpset, kMaxOpset, "Flatten", ""});
  for (const char* type : {"squeeze2", "squeeze"})
    t.add({type, emit_squeeze, check_squeeze, kMinOpset, kMaxOpset, "Squeeze",
           "axes whose dim is not 1 are ignored, as Paddle does; empty axes = all unit dims"});
  for (const char* type : {"unsqueeze2", "unsqueeze"})
    t.add({type, emit_unsqueeze, check_unsqueeze, kMinOpset, kMaxOpset, "Unsqueeze",
           "Paddle's one-at-a-time insertion turned into output positions; AxesTensor if known"});
  t.add({"concat", emit_concat, nullptr, kMinOpset, kMaxOpset, "Concat", "AxisTensor if known"});
  t.add({"split", emit_split, nullptr, kMinOpset, kMaxOpset, "Split",
         "num or sections (one -1 allowed with a static dim)"});
  t.add({"stack", emit_stack, check_ranked, kMinOpset, kMaxOpset, "Unsqueeze, Concat", ""});
  t.add({"unstack", emit_unstack, check_ranked, kMinOpset, kMaxOpset, "Split, Squeeze", ""});
  for (const char* type : {"shape", "shape64"})
    t.add({type, emit_shape, nullptr, kMinOpset, kMaxOpset, "Shape (+Cast to int32)",
           "folded to a constant when the dims are static"});
  t.add({"expand_v2", emit_expand, nullptr, kMinOpset, kMaxOpset, "Expand",
         "-1 entries become 1 (keep the input dim)"});
  t.add({"expand_as_v2", emit_expand_as, nullptr, kMinOpset, kMaxOpset, "Shape, Expand", ""});
  t.add({"tile", emit_tile, nullptr, kMinOpset, kMaxOpset, "Tile",
         "repeat_times padded/unsqueezed as Paddle does"});
}

}  // namespace detport::onnx_export
