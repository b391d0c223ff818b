// Ordering along an axis: arg_max/arg_min, top_k (v1: last axis, K tensor), top_k_v2, argsort and
// cumsum. Ties resolve to the lower index (arg_max/arg_min take the first extreme, as Paddle's
// kernels do; top_k and argsort sort stably, where Paddle's sorts leave equal keys in an
// unspecified order). NaN counts as larger than any number. top_k_v2 with sorted=false returns the
// same elements in sorted order.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

struct Lanes {
  int64_t outer = 1, len = 1, inner = 1;  // a lane: len elements `inner` apart
};
Lanes lanes(const Dims& d, int axis) {
  Lanes l;
  for (int i = 0; i < static_cast<int>(d.size()); ++i) {
    const int64_t v = d[static_cast<std::size_t>(i)];
    if (i < axis) l.outer *= v;
    if (i == axis) l.len = v;
    if (i > axis) l.inner *= v;
  }
  return l;
}

// a > b with NaN above everything.
template <typename T>
bool greater(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return !std::isnan(b);
    if (std::isnan(b)) return false;
  }
  return a > b;
}

// ---- arg_max / arg_min ----------------------------------------------------------------------

template <typename Ctx>
Result<std::pair<int, Dims>> arg_dims(const Ctx& c, const Dims& x, bool one_d) {
  const bool keep = c.op().bool_attr("keepdims", false);
  if (c.op().bool_attr("flatten", false)) {
    if (keep) return std::pair<int, Dims>(0, Dims(x.size(), 1));
    return std::pair<int, Dims>(0, scalar_dims(one_d));
  }
  if (x.empty()) return std::pair<int, Dims>(0, scalar_dims(one_d));
  DETPORT_ASSIGN(const int axis,
                 axis_arg(c, c.op().int_attr("axis", -1), static_cast<int>(x.size())));
  Dims out = x;
  if (keep)
    out[static_cast<std::size_t>(axis)] = 1;
  else
    out.erase(out.begin() + axis);
  if (out.empty()) out = scalar_dims(one_d);
  return std::pair<int, Dims>(axis, out);
}

DType arg_dtype(const ir::Op& op) {
  return op.int_attr("dtype", 3) == 2 ? DType::kInt32 : DType::kInt64;
}

Status infer_arg(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_ASSIGN(auto ad, arg_dims(ctx, ctx.input("X").dims, declared_1d(ctx)));
  ctx.set_output("Out", {arg_dtype(ctx.op()), ad.second});
  return {};
}

class Arg final : public Kernel {
 public:
  explicit Arg(bool one_d) : one_d_(one_d) {}
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(auto ad, arg_dims(ctx, x.dims(), one_d_));
    Tensor& out = output_for(ctx, "Out", 0, arg_dtype(ctx.op()), ad.second);
    const bool flat = ctx.op().bool_attr("flatten", false) || x.rank() == 0;
    const Lanes l = flat ? Lanes{1, x.numel(), 1} : lanes(x.dims(), ad.first);
    const bool is_max = ctx.op().type == "arg_max";
    if (l.len == 0) return ctx.error("arg_max/arg_min over an empty dim");
    const bool ok = visit_numeric(x.dtype(), [&]<typename T>() {
      const T* p = x.data<T>();
      parallel_for(l.outer * l.inner, 1024, [&](int64_t o) {
        const T* lane = p + (o / l.inner) * l.len * l.inner + o % l.inner;
        int64_t best = 0;
        for (int64_t i = 1; i < l.len; ++i) {
          const T v = lane[i * l.inner], b = lane[best * l.inner];
          if (is_max ? greater(v, b) : greater(b, v)) best = i;
        }
        store_double(out, o, static_cast<double>(best));
      });
    });
    if (!ok) return ctx.error("unsupported element type");
    return {};
  }

 private:
  bool one_d_;
};

// ---- top_k / top_k_v2 / argsort -------------------------------------------------------------

struct SortSpec {
  int axis = -1;
  int64_t k = 0;  // how many to keep (argsort: all)
  bool largest = true;
};

template <typename Ctx>
Result<std::optional<SortSpec>> sort_spec(const Ctx& c, const Dims& x) {
  using R = std::optional<SortSpec>;
  const std::string& type = c.op().type;
  SortSpec s;
  const int rank = static_cast<int>(x.size());
  if (rank == 0) return c.error("sorting a 0-D tensor");
  if (type == "argsort") {
    DETPORT_ASSIGN(s.axis, axis_arg(c, c.op().int_attr("axis", -1), rank));
    s.largest = c.op().bool_attr("descending", false);
    s.k = x[static_cast<std::size_t>(s.axis)];
    return R(s);
  }
  s.axis = rank - 1;
  if (type == "top_k_v2") {
    DETPORT_ASSIGN(s.axis, axis_arg(c, c.op().int_attr("axis", -1), rank));
    s.largest = c.op().bool_attr("largest", true);
  }
  const auto k = scalar_input(c, "K", "k", 1);
  if (!k) return R();
  s.k = static_cast<int64_t>(*k);
  if (s.k < 0 || s.k > x[static_cast<std::size_t>(s.axis)])
    return c.error(
        fmt::format("k {} is outside [0, {}]", s.k, x[static_cast<std::size_t>(s.axis)]));
  return R(s);
}

Status infer_sort(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_ASSIGN(auto s, sort_spec(ctx, x.dims));
  Dims d = x.dims;
  if (s) d[static_cast<std::size_t>(s->axis)] = s->k;
  auto set = [&](const char* slot, DType t) {
    if (!ctx.has_output(slot)) return;
    if (s)
      ctx.set_output(slot, {t, d});
    else
      ctx.set_dynamic_output(slot, 0, {t, Dims(d.size(), -1)});
  };
  set("Out", x.dtype);
  set("Indices", DType::kInt64);
  return {};
}

class Sort final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(auto s, sort_spec(ctx, x.dims()));
    if (!s) return ctx.error("an input this op needs has no value");
    Dims d = x.dims();
    d[static_cast<std::size_t>(s->axis)] = s->k;
    Tensor* values = ctx.has_output("Out") ? &output_for(ctx, "Out", 0, x.dtype(), d) : nullptr;
    Tensor* indices =
        ctx.has_output("Indices") ? &output_for(ctx, "Indices", 0, DType::kInt64, d) : nullptr;
    const Lanes l = lanes(x.dims(), s->axis);
    const bool ok = visit_numeric(x.dtype(), [&]<typename T>() {
      const T* p = x.data<T>();
      parallel_for(l.outer * l.inner, 64, [&](int64_t o) {
        const T* lane = p + (o / l.inner) * l.len * l.inner + o % l.inner;
        std::vector<int64_t> order(static_cast<std::size_t>(l.len));
        std::iota(order.begin(), order.end(), 0);
        auto before = [&](int64_t a, int64_t b) {
          const T va = lane[a * l.inner], vb = lane[b * l.inner];
          return s->largest ? greater(va, vb) : greater(vb, va);
        };
        if (s->k < l.len)
          std::partial_sort(
              order.begin(), order.begin() + s->k, order.end(), [&](int64_t a, int64_t b) {
                return before(a, b) || (!before(b, a) && a < b);  // stable: lower index first
              });
        else
          std::stable_sort(order.begin(), order.end(), before);
        const int64_t base = (o / l.inner) * s->k * l.inner + o % l.inner;
        for (int64_t i = 0; i < s->k; ++i) {
          const int64_t src = order[static_cast<std::size_t>(i)];
          if (values) values->data<T>()[base + i * l.inner] = lane[src * l.inner];
          if (indices) indices->data<int64_t>()[base + i * l.inner] = src;
        }
      });
    });
    if (!ok) return ctx.error("unsupported element type");
    return {};
  }
};

// ---- cumsum ---------------------------------------------------------------------------------

Status infer_cumsum(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  TensorMeta m = ctx.input("X");
  if (ctx.op().bool_attr("flatten", false)) m.dims = {m.numel()};
  ctx.set_output("Out", m);
  return {};
}

class Cumsum final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    const bool flat = ctx.op().bool_attr("flatten", false) || x.rank() == 0;
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), flat ? Dims{x.numel()} : x.dims());
    int axis = 0;
    if (!flat) {
      const auto a = scalar_input(ctx, "AxisTensor", "axis", -1);
      DETPORT_ASSIGN(axis, axis_arg(ctx, static_cast<int64_t>(*a), x.rank()));
    }
    const Lanes l = flat ? Lanes{1, x.numel(), 1} : lanes(x.dims(), axis);
    const bool exclusive = ctx.op().bool_attr("exclusive", false);
    const bool reverse = ctx.op().bool_attr("reverse", false);
    const bool ok = visit_numeric(x.dtype(), [&]<typename T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        const T* p = x.data<T>();
        T* q = out.data<T>();
        parallel_for(l.outer * l.inner, 256, [&](int64_t o) {
          const int64_t base = (o / l.inner) * l.len * l.inner + o % l.inner;
          T acc = 0;  // in the element type, as Paddle's kernel accumulates
          for (int64_t j = 0; j < l.len; ++j) {
            const int64_t i = base + (reverse ? l.len - 1 - j : j) * l.inner;
            if (exclusive) {
              q[i] = acc;
              acc = static_cast<T>(acc + p[i]);
            } else {
              acc = static_cast<T>(acc + p[i]);
              q[i] = acc;
            }
          }
        });
      }
    });
    if (!ok || x.dtype() == DType::kBool) return ctx.error("unsupported element type");
    return {};
  }
};

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}
std::unique_ptr<Kernel> make_arg(const KernelSpec& spec) {
  return std::make_unique<Arg>(declared_1d(spec));
}

void add(OpRegistry& r, const char* type, InferFn infer, KernelFactory k) {
  OpDef d;
  d.type = type;
  d.infer = infer;
  d.reference = k;
  r.add(std::move(d));
}

}  // namespace

void register_sort(OpRegistry& r) {
  add(r, "arg_max", infer_arg, make_arg);
  add(r, "arg_min", infer_arg, make_arg);
  for (const char* type : {"top_k", "top_k_v2", "argsort"}) add(r, type, infer_sort, make<Sort>);
  add(r, "cumsum", infer_cumsum, make<Cumsum>);
}

}  // namespace detport::runtime::kernels
