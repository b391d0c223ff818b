// Ops whose output is a constant, or follows from input dims alone: fill_constant,
// fill_constant_batch_size_like, fill_any_like/full_like, fill_zeros_like, assign_value, shape/
// shape64, size/numel, range, linspace, eye.
//
// Shape inference computes the value itself whenever it can (no inputs, constant inputs, or only
// input dims needed) so that shape subgraphs fold at compile time; the kernel computes the same
// thing at run time otherwise. Big constant fills are left to the kernel rather than held in the
// plan.
#include <cmath>
#include <cstdlib>
#include <limits>

#include "ir/constant_values.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

constexpr std::size_t kFoldBytes = std::size_t{1} << 20;

// What a fill writes: a meta (dims may be unknown) and a value (unknown: from a run-time tensor).
struct Fill {
  TensorMeta meta;  // dims -1 where not known yet
  std::optional<double> value;
  std::optional<int64_t> exact;  // int64 values beyond double precision (str_value)
};

// Paddle's fill value: str_value when set ("inf", "-inf", "nan" or a number; integers kept exact
// for int64), else `value`. nullopt: str_value is not a number.
std::optional<std::pair<double, std::optional<int64_t>>> attr_fill_value(const ir::Op& op) {
  using P = std::pair<double, std::optional<int64_t>>;
  const std::string s = op.string_attr("str_value", "");
  if (s.empty()) return P(op.float_attr("value", 0.0), std::nullopt);
  if (s == "inf") return P(INFINITY, std::nullopt);
  if (s == "-inf") return P(-INFINITY, std::nullopt);
  if (s == "nan") return P(NAN, std::nullopt);
  char* end = nullptr;
  const long long i = std::strtoll(s.c_str(), &end, 10);
  if (end != s.c_str() && *end == '\0') return P(static_cast<double>(i), static_cast<int64_t>(i));
  const double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  return P(d, std::nullopt);
}

template <typename Ctx>
Status set_attr_value(const Ctx& c, Fill& f) {
  auto v = attr_fill_value(c.op());
  if (!v)
    return c.error(
        fmt::format("str_value \"{}\" is not a number", c.op().string_attr("str_value", "")));
  f.value = v->first;
  f.exact = v->second;
  return {};
}

template <typename Ctx>
Result<Fill> fill_of(const Ctx& c) {
  const ir::Op& op = c.op();
  const std::string& type = op.type;
  Fill f;
  if (type == "fill_constant") {
    const DType dt = dtype_attr(op, "dtype", DType::kFloat32);
    const IntList shape = int_list(c, {"ShapeTensor", "ShapeTensorList"}, "shape");
    if (shape.known) {
      for (int64_t d : shape.values)
        if (d < 0)
          return c.error(fmt::format("shape {} has a negative dim", dims_to_string(shape.values)));
      f.meta = TensorMeta{dt, shape.values};
    } else {
      // Only the rank is known: one dim per list entry, or the shape tensor's length.
      const std::size_t rank = c.has_input("ShapeTensor")
                                   ? static_cast<std::size_t>(numel_of(in_dims(c, "ShapeTensor")))
                                   : c.input_count("ShapeTensorList");
      f.meta = TensorMeta{dt, Dims(rank, -1)};
    }
    if (c.has_input("ValueTensor")) {
      f.value = scalar_input(c, "ValueTensor", "value", 0.0);
    } else {
      DETPORT_TRY(set_attr_value(c, f));
    }
    return f;
  }
  if (type == "fill_constant_batch_size_like") {
    Dims shape = op.ints_attr("shape");
    const Dims& in = in_dims(c, "Input");
    const int64_t i = op.int_attr("input_dim_idx", 0), o = op.int_attr("output_dim_idx", 0);
    if (i < 0 || i >= static_cast<int64_t>(in.size()) || o < 0 ||
        o >= static_cast<int64_t>(shape.size()))
      return c.error(fmt::format("input_dim_idx {} / output_dim_idx {} out of range", i, o));
    shape[static_cast<std::size_t>(o)] = in[static_cast<std::size_t>(i)];
    f.meta = TensorMeta{dtype_attr(op, "dtype", DType::kFloat32), shape};
    DETPORT_TRY(set_attr_value(c, f));
    return f;
  }
  // fill_any_like / full_like / fill_zeros_like / zeros_like / ones_like: X's dims.
  const DType xt = in_dtype(c, "X");
  f.meta = TensorMeta{dtype_attr(op, "dtype", xt), in_dims(c, "X")};
  if (type == "fill_zeros_like" || type == "zeros_like")
    f.value = 0.0;
  else if (type == "ones_like")
    f.value = 1.0;
  else
    f.value = op.float_attr("value", 0.0);
  return f;
}

void fill(Tensor& t, const Fill& f) {
  if (f.exact && t.dtype() == DType::kInt64) {
    std::fill(t.data<int64_t>(), t.data<int64_t>() + t.numel(), *f.exact);
    return;
  }
  visit_numeric(t.dtype(), [&]<typename T>() {
    const T v = saturate_cast<T>(*f.value);
    std::fill(t.data<T>(), t.data<T>() + t.numel(), v);
  });
}

bool known(const TensorMeta& m) {
  return std::none_of(m.dims.begin(), m.dims.end(), [](int64_t d) { return d < 0; });
}

Status infer_fill(InferContext& ctx) {
  DETPORT_ASSIGN(Fill f, fill_of(ctx));
  if (!known(f.meta)) {
    ctx.set_dynamic_output("Out", 0, f.meta);
    return {};
  }
  if (f.value && f.meta.bytes() <= kFoldBytes) {
    Tensor t = Tensor::empty(f.meta.dtype, f.meta.dims);
    fill(t, f);
    ctx.set_constant_output("Out", 0, std::move(t));
    return {};
  }
  ctx.set_output("Out", f.meta);
  return {};
}

class FillKernel final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    DETPORT_ASSIGN(Fill f, fill_of(ctx));
    if (!f.value) return ctx.error("the fill value has no value");
    Tensor& out = output_for(ctx, "Out", 0, f.meta.dtype, f.meta.dims);
    fill(out, f);
    return {};
  }
};

// ---- assign_value ---------------------------------------------------------------------------

Result<Tensor> assign_value(const InferContext& ctx) {
  auto c = ir::assign_value_constant(ctx.op());
  if (!c.ok()) return ctx.error(c.error().message);
  const auto& v = c->values;
  const auto& iv = c->ints;
  Tensor t = Tensor::empty(c->dtype, c->dims);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (c->dtype == DType::kInt64 && iv && iv->size() == v.size())
      t.data<int64_t>()[i] = (*iv)[i];
    else
      store_double(t, static_cast<int64_t>(i), v[i]);
  }
  return t;
}

Status infer_assign_value(InferContext& ctx) {
  DETPORT_ASSIGN(Tensor t, assign_value(ctx));
  ctx.set_constant_output("Out", 0, std::move(t));
  return {};
}

// ---- shape, size ----------------------------------------------------------------------------

Status infer_shape(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  const Dims& d = ctx.input("Input").dims;
  // shape64, and Paddle 3's shape, whose PIR result type is int64 (the declared var says so).
  const bool wide = ctx.op().type == "shape64" ||
                    (ctx.has_output("Out") && ctx.output_meta("Out").dtype == DType::kInt64);
  Tensor t = Tensor::empty(wide ? DType::kInt64 : DType::kInt32, {static_cast<int64_t>(d.size())});
  for (std::size_t i = 0; i < d.size(); ++i)
    store_double(t, static_cast<int64_t>(i), static_cast<double>(d[i]));
  ctx.set_constant_output("Out", 0, std::move(t));
  return {};
}

Status infer_size(InferContext& ctx) {
  const char* slot = ctx.has_input("Input") ? "Input" : "X";
  DETPORT_TRY(require_input(ctx, slot));
  Tensor t = Tensor::empty(DType::kInt64, scalar_dims(declared_1d(ctx)));
  t.data<int64_t>()[0] = ctx.input(slot).numel();
  ctx.set_constant_output("Out", 0, std::move(t));
  return {};
}

// ---- range, linspace, eye -------------------------------------------------------------------

// The output of range/linspace/eye, or nullopt when an input's value is not known yet.
template <typename Ctx>
Result<std::optional<Tensor>> sequence(const Ctx& c) {
  using R = std::optional<Tensor>;
  const std::string& type = c.op().type;
  if (type == "range" || type == "arange") {
    const Tensor* s = in_value(c, "Start");
    const Tensor* e = in_value(c, "End");
    const Tensor* st = in_value(c, "Step");
    if (s == nullptr || e == nullptr || st == nullptr) return R();
    if (s->numel() < 1 || e->numel() < 1 || st->numel() < 1) return c.error("empty range bounds");
    const DType dt = s->dtype();
    Tensor out;
    bool bad = false, wrong_dir = false;
    visit_numeric(dt, [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        bad = true;
      } else {
        const T start = saturate_cast<T>(element_as_double(*s, 0));
        const T end = saturate_cast<T>(element_as_double(*e, 0));
        const T step = saturate_cast<T>(element_as_double(*st, 0));
        if (step == 0 || (start < end && step < 0) || (start > end && step > 0)) {
          wrong_dir = true;
          return;
        }
        int64_t n;
        if constexpr (std::is_integral_v<T>) {
          const int64_t span = std::abs(static_cast<int64_t>(end) - static_cast<int64_t>(start));
          const int64_t a = std::abs(static_cast<int64_t>(step));
          n = (span + a - 1) / a;
        } else {
          n = static_cast<int64_t>(std::ceil(std::abs((end - start) / step)));
        }
        out = Tensor::empty(dt, {n});
        T v = start;  // accumulated, as Paddle's kernel does
        for (int64_t i = 0; i < n; ++i, v = static_cast<T>(v + step)) out.data<T>()[i] = v;
      }
    });
    if (bad) return c.error("range of bool");
    if (wrong_dir) return c.error("range step is 0 or points away from the end");
    return R(std::move(out));
  }
  if (type == "linspace") {
    const Tensor* s = in_value(c, "Start");
    const Tensor* e = in_value(c, "Stop");
    const Tensor* num = in_value(c, "Num");
    if (s == nullptr || e == nullptr || num == nullptr) return R();
    const int64_t n = num->to_int64().at(0);
    if (n < 0) return c.error(fmt::format("linspace of {} points", n));
    const DType dt = dtype_attr(c.op(), "dtype", DType::kFloat32);
    Tensor out = Tensor::empty(dt, {n});
    visit_numeric(dt, [&]<typename T>() {
      // Bounds converted to the output type first; the first half counts up from start, the rest
      // down from stop (Paddle's CPU kernel).
      const T a = saturate_cast<T>(element_as_double(*s, 0));
      const T b = saturate_cast<T>(element_as_double(*e, 0));
      if (n == 1) out.data<T>()[0] = a;
      if (n <= 1) return;
      const double step =
          (static_cast<double>(b) - static_cast<double>(a)) / static_cast<double>(n - 1);
      for (int64_t i = 0; i < n; ++i)
        out.data<T>()[i] =
            i < n / 2
                ? saturate_cast<T>(static_cast<double>(a) + step * static_cast<double>(i))
                : saturate_cast<T>(static_cast<double>(b) - step * static_cast<double>(n - i - 1));
    });
    return R(std::move(out));
  }
  // eye
  const int64_t rows = c.op().int_attr("num_rows", 0);
  int64_t cols = c.op().int_attr("num_columns", -1);
  if (cols < 0) cols = rows;
  if (rows < 0) return c.error("eye with negative rows");
  Tensor out = Tensor::empty(dtype_attr(c.op(), "dtype", DType::kFloat32), {rows, cols});
  for (int64_t i = 0; i < std::min(rows, cols); ++i) store_double(out, i * cols + i, 1.0);
  return R(std::move(out));
}

Status infer_sequence(InferContext& ctx) {
  DETPORT_ASSIGN(auto t, sequence(ctx));
  if (t) {
    ctx.set_constant_output("Out", 0, std::move(*t));
    return {};
  }
  const DType dt = ctx.op().type == "linspace" ? dtype_attr(ctx.op(), "dtype", DType::kFloat32)
                                               : ctx.input("Start").dtype;
  ctx.set_dynamic_output("Out", 0, {dt, {-1}});
  return {};
}

class SequenceKernel final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    DETPORT_ASSIGN(auto t, sequence(ctx));
    if (!t) return ctx.error("an input this op needs has no value");
    Tensor& out = output_for(ctx, "Out", 0, t->dtype(), t->dims());
    if (t->bytes() > 0) std::memcpy(out.raw(), t->raw(), t->bytes());
    return {};
  }
};

// shape, size and assign_value fold at compile time; they run only in nodes whose input dims are
// known at run time (after NMS, say), where inference has just computed the value.
class ShapeKernel final : public Kernel {
 public:
  explicit ShapeKernel(bool one_d) : one_d_(one_d) {}
  Status run(KernelContext& ctx) override {
    const std::string& type = ctx.op().type;
    if (type == "assign_value") return ctx.error("assign_value should have folded");
    const char* slot = ctx.has_input("Input") ? "Input" : "X";
    const Dims& d = ctx.input(slot).dims();
    if (type == "size" || type == "numel") {
      Tensor& out = output_for(ctx, "Out", 0, DType::kInt64, scalar_dims(one_d_));
      out.data<int64_t>()[0] = numel_of(d);
      return {};
    }
    Tensor& out = output_for(ctx, "Out", 0, type == "shape64" ? DType::kInt64 : DType::kInt32,
                             {static_cast<int64_t>(d.size())});
    for (std::size_t i = 0; i < d.size(); ++i)
      store_double(out, static_cast<int64_t>(i), static_cast<double>(d[i]));
    return {};
  }

 private:
  bool one_d_;
};

std::unique_ptr<Kernel> make_shape(const KernelSpec& spec) {
  return std::make_unique<ShapeKernel>(declared_1d(spec));
}

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}

void add(OpRegistry& r, const char* type, InferFn infer, KernelFactory k) {
  OpDef d;
  d.type = type;
  d.infer = infer;
  d.reference = k;
  r.add(std::move(d));
}

}  // namespace

void register_constant(OpRegistry& r) {
  for (const char* type : {"fill_constant", "fill_constant_batch_size_like", "fill_any_like",
                           "full_like", "fill_zeros_like", "zeros_like", "ones_like"})
    add(r, type, infer_fill, make<FillKernel>);
  add(r, "assign_value", infer_assign_value, make_shape);
  for (const char* type : {"shape", "shape64"}) add(r, type, infer_shape, make_shape);
  for (const char* type : {"size", "numel"}) add(r, type, infer_size, make_shape);
  for (const char* type : {"range", "arange", "linspace", "eye"})
    add(r, type, infer_sequence, make<SequenceKernel>);
}

}  // namespace detport::runtime::kernels
