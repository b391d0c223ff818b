#include "export/onnx/known.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <string>

#include "ir/constant_values.h"

namespace detport::onnx_export {
namespace {

using ir::DType;

bool is_int(DType t) {
  return t == DType::kInt32 || t == DType::kInt64 || t == DType::kInt16 || t == DType::kInt8 ||
         t == DType::kUInt8 || t == DType::kBool;
}

std::optional<int64_t> numel(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0 || (d > 0 && n > kMaxKnownElements)) return std::nullopt;
    n *= d;
  }
  if (n > kMaxKnownElements) return std::nullopt;
  return n;
}

double convert(double v, DType to) {
  if (!is_int(to)) return v;
  if (to == DType::kBool) return v != 0 ? 1 : 0;
  return std::trunc(v);
}

std::optional<DType> dtype_attr(const ir::Op& op, std::string_view name) {
  const ir::Attribute* a = op.attr(name);
  if (a == nullptr) return std::nullopt;
  auto code = a->as_int();
  if (!code || *code < 0 || !ir::is_known_var_type(static_cast<int32_t>(*code)))
    return std::nullopt;
  return static_cast<DType>(*code);
}

// A list parameter from an attribute or known tensor inputs (the forms slice, reshape2 and
// fill_constant accept); nullopt when a tensor input is present but not fully known.
std::optional<std::vector<int64_t>> list_param(const ir::Op& op, const KnownInput& input,
                                               std::string_view attr_name,
                                               std::string_view tensor_slot,
                                               std::string_view list_slot) {
  if (!tensor_slot.empty() && op.has_input(tensor_slot)) {
    const Known* k = input(tensor_slot, 0);
    if (k == nullptr || !k->full()) return std::nullopt;
    return k->ints();
  }
  if (!list_slot.empty() && op.has_input(list_slot)) {
    std::vector<int64_t> out;
    for (std::size_t i = 0; i < op.input(list_slot).size(); ++i) {
      const Known* k = input(list_slot, i);
      if (k == nullptr || !k->full() || k->v.size() != 1) return std::nullopt;
      out.push_back(k->ints().front());
    }
    return out;
  }
  return op.ints_attr(attr_name);
}

std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (int i = static_cast<int>(dims.size()) - 2; i >= 0; --i)
    s[static_cast<std::size_t>(i)] =
        s[static_cast<std::size_t>(i) + 1] * dims[static_cast<std::size_t>(i) + 1];
  return s;
}

std::optional<Known> slice(const ir::Op& op, const Known& x, const KnownInput& input) {
  auto axes = op.ints_attr("axes");
  auto starts = list_param(op, input, "starts", "StartsTensor", "StartsTensorList");
  auto ends = list_param(op, input, "ends", "EndsTensor", "EndsTensorList");
  if (!starts || !ends || starts->size() != axes.size() || ends->size() != axes.size())
    return std::nullopt;
  const int64_t rank = static_cast<int64_t>(x.dims.size());
  std::vector<int64_t> lo(x.dims.size(), 0), hi = x.dims;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    const int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank) return std::nullopt;
    const int64_t d = x.dims[static_cast<std::size_t>(a)];
    int64_t s = (*starts)[i], e = (*ends)[i];
    if (s < 0) s += d;
    if (e < 0) e += d;
    s = std::clamp<int64_t>(s, 0, d);
    e = std::clamp<int64_t>(e, 0, d);
    lo[static_cast<std::size_t>(a)] = s;
    hi[static_cast<std::size_t>(a)] = std::max(s, e);
  }
  Known out;
  out.dtype = x.dtype;
  for (std::size_t i = 0; i < x.dims.size(); ++i) out.dims.push_back(hi[i] - lo[i]);
  const auto in_strides = strides_of(x.dims);
  const auto n = numel(out.dims);
  if (!n) return std::nullopt;
  const auto out_strides = strides_of(out.dims);
  for (int64_t flat = 0; flat < *n; ++flat) {
    int64_t src = 0;
    for (std::size_t d = 0; d < out.dims.size(); ++d)
      src += ((flat / out_strides[d]) % out.dims[d] + lo[d]) * in_strides[d];
    out.v.push_back(x.v[static_cast<std::size_t>(src)]);
  }
  // decrease_axis drops the sliced axes; Paddle keeps a 1-D [1] when all would go before 2.5.
  auto decrease = op.ints_attr("decrease_axis");
  if (!decrease.empty()) {
    std::vector<int64_t> dims;
    for (std::size_t d = 0; d < out.dims.size(); ++d) {
      bool drop = false;
      for (int64_t a : decrease) drop = drop || (a < 0 ? a + rank : a) == static_cast<int64_t>(d);
      if (!drop) dims.push_back(out.dims[d]);
    }
    out.dims = dims;
  }
  return out;
}

std::optional<Known> concat(const std::vector<const Known*>& xs, int64_t axis) {
  if (xs.empty()) return std::nullopt;
  const auto& first = xs.front()->dims;
  const int64_t rank = static_cast<int64_t>(first.size());
  if (rank == 0) return std::nullopt;
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) return std::nullopt;
  Known out;
  out.dtype = xs.front()->dtype;
  out.dims = first;
  out.dims[static_cast<std::size_t>(axis)] = 0;
  for (const Known* k : xs) {
    if (k->dims.size() != first.size()) return std::nullopt;
    out.dims[static_cast<std::size_t>(axis)] += k->dims[static_cast<std::size_t>(axis)];
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= first[static_cast<std::size_t>(d)];
  for (int64_t o = 0; o < outer; ++o)
    for (const Known* k : xs) {
      const int64_t block = static_cast<int64_t>(k->v.size()) / std::max<int64_t>(outer, 1);
      for (int64_t i = 0; i < block; ++i)
        out.v.push_back(k->v[static_cast<std::size_t>(o * block + i)]);
    }
  return out;
}

std::optional<double> binary(std::string_view type, double a, double b, bool ints) {
  if (type == "elementwise_add") return a + b;
  if (type == "elementwise_sub") return a - b;
  if (type == "elementwise_mul") return a * b;
  if (type == "elementwise_div") {
    if (b == 0) return std::nullopt;
    return ints ? std::trunc(a / b) : a / b;
  }
  if (type == "elementwise_floordiv") {
    if (b == 0) return std::nullopt;
    return std::floor(a / b);
  }
  if (type == "elementwise_max") return std::max(a, b);
  if (type == "elementwise_min") return std::min(a, b);
  return std::nullopt;
}

// Paddle's elementwise broadcasting: Y's dims line up with X's from `axis` (-1: trailing, as
// numpy); then every dim pair must be equal or contain a 1.
std::optional<Known> broadcast_binary(std::string_view type, const Known& x, const Known& y,
                                      int64_t axis) {
  std::vector<int64_t> xd = x.dims, yd = y.dims;
  if (axis != -1 && yd.size() < xd.size()) {
    if (axis < 0 || axis + static_cast<int64_t>(yd.size()) > static_cast<int64_t>(xd.size()))
      return std::nullopt;
    yd.insert(yd.begin(), static_cast<std::size_t>(axis), 1);
    yd.resize(xd.size(), 1);
  }
  const std::size_t rank = std::max(xd.size(), yd.size());
  xd.insert(xd.begin(), rank - xd.size(), 1);
  yd.insert(yd.begin(), rank - yd.size(), 1);
  Known out;
  out.dtype = x.dtype;
  for (std::size_t d = 0; d < rank; ++d) {
    if (xd[d] != yd[d] && xd[d] != 1 && yd[d] != 1) return std::nullopt;
    out.dims.push_back(std::max(xd[d], yd[d]));
  }
  const auto n = numel(out.dims);
  if (!n || static_cast<std::size_t>(numel(xd).value_or(-1)) != x.v.size() ||
      static_cast<std::size_t>(numel(yd).value_or(-1)) != y.v.size())
    return std::nullopt;
  const auto os = strides_of(out.dims), xs = strides_of(xd), ys = strides_of(yd);
  const bool ints = is_int(x.dtype);
  out.v.reserve(static_cast<std::size_t>(*n));
  for (int64_t flat = 0; flat < *n; ++flat) {
    int64_t xi = 0, yi = 0;
    for (std::size_t d = 0; d < rank; ++d) {
      const int64_t c = (flat / os[d]) % out.dims[d];
      if (xd[d] != 1) xi += c * xs[d];
      if (yd[d] != 1) yi += c * ys[d];
    }
    const auto& a = x.v[static_cast<std::size_t>(xi)];
    const auto& b = y.v[static_cast<std::size_t>(yi)];
    out.v.push_back(a && b ? binary(type, *a, *b, ints) : std::nullopt);
  }
  return out;
}

// reshape's target dims (0 copies the input dim, one -1 takes the rest), from the attribute or
// known Shape/ShapeTensor inputs.
std::optional<std::vector<int64_t>> reshape_dims(const ir::Op& op, const KnownInput& input,
                                                 const std::vector<int64_t>& in_dims) {
  auto shape = list_param(op, input, "shape", "Shape", "ShapeTensor");
  const auto total = numel(in_dims);
  if (!shape || !total) return std::nullopt;
  std::vector<int64_t> dims = *shape;
  int64_t known = 1;
  int infer = -1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0) {
      if (i >= in_dims.size()) return std::nullopt;
      dims[i] = in_dims[i];
    }
    if (dims[i] == -1) {
      if (infer >= 0) return std::nullopt;
      infer = static_cast<int>(i);
    } else if (dims[i] <= 0) {
      return std::nullopt;
    } else {
      known *= dims[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || *total % known != 0) return std::nullopt;
    dims[static_cast<std::size_t>(infer)] = *total / known;
  }
  return dims;
}

std::optional<Known> fill_constant(const ir::Op& op, const KnownInput& input) {
  auto shape = list_param(op, input, "shape", "ShapeTensor", "ShapeTensorList");
  if (!shape) return std::nullopt;
  auto n = numel(*shape);
  if (!n) return std::nullopt;
  Known out;
  out.dtype = dtype_attr(op, "dtype").value_or(DType::kFloat32);
  out.dims = *shape;
  std::optional<double> value;
  if (op.has_input("ValueTensor")) {
    const Known* k = input("ValueTensor", 0);
    if (k != nullptr && k->full() && k->v.size() == 1) value = k->v.front();
  } else {
    value = op.float_attr("value", 0.0);
    const std::string s = op.string_attr("str_value", "");
    if (!s.empty()) {
      char* end = nullptr;
      const double parsed = std::strtod(s.c_str(), &end);
      if (end != s.c_str()) value = parsed;
    }
  }
  if (value) *value = convert(*value, out.dtype);
  out.v.assign(static_cast<std::size_t>(*n), value);
  return out;
}

std::optional<Known> assign_value(const ir::Op& op) {
  auto c = ir::assign_value_constant(op);
  if (!c.ok() || !numel(c->dims)) return std::nullopt;
  Known out;
  out.dtype = c->dtype;
  out.dims = c->dims;
  for (double v : c->values) out.v.emplace_back(convert(v, out.dtype));
  return out;
}

}  // namespace

bool Known::full() const {
  for (const auto& x : v)
    if (!x) return false;
  return true;
}

std::size_t Known::known_count() const {
  std::size_t n = 0;
  for (const auto& x : v) n += x.has_value();
  return n;
}

std::vector<double> Known::values() const {
  std::vector<double> out;
  for (const auto& x : v) out.push_back(x.value_or(0));
  return out;
}

std::vector<int64_t> Known::ints() const {
  std::vector<int64_t> out;
  for (const auto& x : v) out.push_back(static_cast<int64_t>(x.value_or(0)));
  return out;
}

Known Known::ints_1d(const std::vector<int64_t>& values, ir::DType dtype) {
  Known k;
  k.dtype = dtype;
  k.dims = {static_cast<int64_t>(values.size())};
  for (int64_t x : values) k.v.emplace_back(static_cast<double>(x));
  return k;
}

std::vector<KnownOutput> evaluate(const ir::Op& op, const KnownInput& input,
                                  const Declaration& declared) {
  const std::string& t = op.type;
  auto out_decl = [&](std::string_view slot) -> std::optional<Declared> {
    if (!op.has_output(slot)) return std::nullopt;
    return declared(op.output(slot).front());
  };
  std::optional<Known> result;
  std::string slot = "Out";

  if (t == "fill_constant") {
    result = fill_constant(op, input);
  } else if (t == "assign_value") {
    result = assign_value(op);
  } else if (t == "shape" || t == "shape64") {
    auto d = op.has_input("Input") ? declared(op.input("Input").front()) : std::nullopt;
    if (d) {
      Known k;
      auto o = out_decl("Out");
      k.dtype = o ? o->dtype : (t == "shape" ? DType::kInt32 : DType::kInt64);
      k.dims = {static_cast<int64_t>(d->dims.size())};
      for (int64_t x : d->dims) k.v.push_back(x >= 0 ? std::optional<double>(x) : std::nullopt);
      result = k;
    }
  } else if (t == "assign" || t == "cast" || t == "scale") {
    const Known* x = input("X", 0);
    if (x != nullptr) {
      Known k = *x;
      if (t == "cast") {
        if (auto to = dtype_attr(op, "out_dtype")) k.dtype = *to;
        for (auto& e : k.v)
          if (e) e = convert(*e, k.dtype);
      } else if (t == "scale") {
        // A plain double and a flag, not an optional: GCC 12 at -O3 warns (wrongly) that an
        // optional assigned from a ternary may be used uninitialised.
        double s = op.float_attr("scale", 1.0);
        bool s_known = true;
        if (op.has_input("ScaleTensor")) {
          const Known* st = input("ScaleTensor", 0);
          s_known = st != nullptr && st->full() && st->v.size() == 1 && st->v.front().has_value();
          if (s_known) s = *st->v.front();
        }
        const double b = op.float_attr("bias", 0.0);
        const bool after = op.bool_attr("bias_after_scale", true);
        for (auto& e : k.v) {
          if (!e || !s_known) {
            e.reset();
            continue;
          }
          e = convert(after ? *e * s + b : (*e + b) * s, k.dtype);
        }
      }
      result = k;
    }
  } else if (t == "slice") {
    if (const Known* x = input("Input", 0)) result = slice(op, *x, input);
    // A declared [1] result stays 1-D (Paddle before 2.5 never made 0-D tensors).
    auto o = out_decl("Out");
    if (result && result->dims.empty() && o && o->dims.size() == 1) result->dims = {1};
  } else if (t == "concat" || t == "stack") {
    std::vector<const Known*> xs;
    for (std::size_t i = 0; i < op.input("X").size(); ++i) {
      const Known* k = input("X", i);
      if (k == nullptr) return {};
      xs.push_back(k);
    }
    int64_t axis = op.int_attr("axis", 0);
    if (t == "stack") {
      // Stacking = concatenating after inserting the axis.
      std::vector<Known> expanded;
      for (const Known* k : xs) {
        Known e = *k;
        const int64_t r = static_cast<int64_t>(e.dims.size()) + 1;
        const int64_t a = axis < 0 ? axis + r : axis;
        if (a < 0 || a >= r) return {};
        e.dims.insert(e.dims.begin() + a, 1);
        expanded.push_back(std::move(e));
      }
      std::vector<const Known*> ptrs;
      for (const auto& e : expanded) ptrs.push_back(&e);
      result = concat(ptrs, axis);
      slot = std::string("Y");  // not = "Y": GCC 12 -O3 raises a false -Wrestrict on it
    } else if (!op.has_input("AxisTensor")) {
      result = concat(xs, axis);
    }
  } else if (t == "reshape2" || t == "reshape" || t == "squeeze2" || t == "unsqueeze2" ||
             t == "squeeze" || t == "unsqueeze" || t == "flatten_contiguous_range") {
    const Known* x = input("X", 0);
    auto d = out_decl("Out");
    // A declared dim left unknown (the batch) follows from the reshape's own target shape.
    if (x != nullptr && d && !numel(d->dims) && (t == "reshape2" || t == "reshape"))
      if (auto dims = reshape_dims(op, input, x->dims)) d->dims = *dims;
    if (x != nullptr && d) {
      auto n = numel(d->dims);
      if (n && static_cast<std::size_t>(*n) == x->v.size()) {
        Known k = *x;
        k.dims = d->dims;
        result = k;
      }
    }
  } else if (t.rfind("elementwise_", 0) == 0) {
    const Known* x = input("X", 0);
    const Known* y = input("Y", 0);
    if (x != nullptr && y != nullptr &&
        (x->v.size() == y->v.size() || y->v.size() == 1 || x->v.size() == 1)) {
      Known k = x->v.size() >= y->v.size() ? *x : *y;
      k.dtype = x->dtype;
      const bool ints = is_int(x->dtype);
      for (std::size_t i = 0; i < k.v.size(); ++i) {
        const auto& a = x->v[x->v.size() == 1 ? 0 : i];
        const auto& b = y->v[y->v.size() == 1 ? 0 : i];
        k.v[i] = a && b ? binary(t, *a, *b, ints) : std::nullopt;
      }
      result = k;
    } else if (x != nullptr && y != nullptr) {
      result = broadcast_binary(t, *x, *y, op.int_attr("axis", -1));
    }
  } else if (t == "gather") {
    const Known* x = input("X", 0);
    const Known* idx = input("Index", 0);
    if (x != nullptr && idx != nullptr && idx->full() && x->dims.size() == 1 &&
        op.int_attr("axis", 0) == 0 && !op.has_input("Axis")) {
      Known k;
      k.dtype = x->dtype;
      k.dims = idx->dims;
      for (int64_t i : idx->ints()) {
        if (i < 0) i += static_cast<int64_t>(x->v.size());
        if (i < 0 || i >= static_cast<int64_t>(x->v.size())) return {};
        k.v.push_back(x->v[static_cast<std::size_t>(i)]);
      }
      result = k;
    }
  }
  if (!result || result->v.empty() || result->known_count() == 0) return {};
  return {KnownOutput{slot, 0, std::move(*result)}};
}

}  // namespace detport::onnx_export
