// Repeating data: expand_v2 (and expand_as_v2, broadcast_to), expand (v1: per-dim multiples, like
// tile), tile, meshgrid. Every output element reads x at (out coordinate mod x dim) per dim, so the
// reference is one loop and the optimised kernel a strided copy with zero strides.
#include "runtime/kernels/strided_copy.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

// How the output maps onto x: per output dim, x's dim there (1 or the dim itself; new leading
// dims 1) and, for tile-like ops, the output is x repeated `times` along each dim.
struct Plan {
  Dims out;
  Dims x;  // x's dims aligned to out's rank (leading 1s)
};

template <typename Ctx>
Result<std::optional<Plan>> plan_of(const Ctx& c) {
  using R = std::optional<Plan>;
  const std::string& type = c.op().type;
  const Dims& x = in_dims(c, "X");
  Plan p;
  if (type == "tile" || type == "expand") {
    const IntList times = type == "tile"
                              ? int_list(c, {"RepeatTimes", "repeat_times_tensor"}, "repeat_times")
                              : int_list(c, {"ExpandTimes", "expand_times_tensor"}, "expand_times");
    if (!times.known) return R();
    std::vector<int64_t> t = times.values;
    if (type == "expand" && t.size() != x.size())
      return c.error(
          fmt::format("expand_times {} for a rank-{} input", dims_to_string(t), x.size()));
    const std::size_t rank = std::max(t.size(), x.size());
    t.insert(t.begin(), rank - t.size(), 1);
    p.x = x;
    p.x.insert(p.x.begin(), rank - x.size(), 1);
    for (std::size_t i = 0; i < rank; ++i) {
      if (t[i] < 0) return c.error(fmt::format("repeat count {} is negative", t[i]));
      p.out.push_back(p.x[i] * t[i]);
    }
    return R(std::move(p));
  }
  // expand_v2 / expand_as_v2 / broadcast_to: a target shape, -1 keeping x's dim.
  std::vector<int64_t> shape;
  if (type == "expand_as_v2") {
    if (c.has_input("Y"))
      shape = in_dims(c, "Y");
    else
      shape = c.op().ints_attr("target_shape");
  } else {
    const IntList s = int_list(c, {"Shape", "expand_shapes_tensor"}, "shape");
    if (!s.known) return R();
    shape = s.values;
  }
  if (shape.size() < x.size())
    return c.error(fmt::format("cannot expand {} to the lower-rank {}", dims_to_string(x),
                               dims_to_string(shape)));
  const std::size_t lead = shape.size() - x.size();
  p.x = x;
  p.x.insert(p.x.begin(), lead, 1);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    int64_t d = shape[i];
    if (d == -1 && i >= lead) d = p.x[i];
    if (d < 0 || (p.x[i] != 1 && p.x[i] != d))
      return c.error(
          fmt::format("cannot expand {} to {}", dims_to_string(x), dims_to_string(shape)));
    p.out.push_back(d);
  }
  return R(std::move(p));
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_ASSIGN(auto p, plan_of(ctx));
  if (p)
    ctx.set_output("Out", {x.dtype, p->out});
  else
    ctx.set_dynamic_output("Out", 0, {x.dtype, Dims(std::max<std::size_t>(x.dims.size(), 1), -1)});
  return {};
}

template <bool kOptimized>
class Repeat final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(auto p, plan_of(ctx));
    if (!p) return ctx.error("an input this op needs has no value");
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), p->out);
    const std::size_t es = ir::dtype_size(x.dtype());
    const auto xs = strides_of(p->x);
    if (kOptimized) {
      // Out viewed as [times_0, x_0, times_1, x_1, ...]: x strides inside, 0 across repeats.
      Dims d;
      std::vector<int64_t> ss, ds;
      const auto os = strides_of(p->out);
      for (std::size_t i = 0; i < p->out.size(); ++i) {
        const int64_t xd = p->x[i], times = xd == 0 ? 0 : p->out[i] / xd;
        d.push_back(times);
        ss.push_back(0);
        ds.push_back(os[i] * xd);
        d.push_back(xd);
        ss.push_back(xs[i]);
        ds.push_back(os[i]);
      }
      strided_copy(d, x.raw(), ss, out.raw(), ds, es, true);
      return {};
    }
    const auto* src = static_cast<const unsigned char*>(x.raw());
    auto* dst = static_cast<unsigned char*>(out.raw());
    std::vector<int64_t> coord(p->out.size(), 0);
    for (int64_t o = 0; o < out.numel(); ++o) {
      int64_t s = 0;
      for (std::size_t k = 0; k < coord.size(); ++k) s += (coord[k] % p->x[k]) * xs[k];
      std::memcpy(dst + o * static_cast<int64_t>(es), src + s * static_cast<int64_t>(es), es);
      for (int k = static_cast<int>(coord.size()) - 1; k >= 0; --k) {
        if (++coord[static_cast<std::size_t>(k)] < p->out[static_cast<std::size_t>(k)]) break;
        coord[static_cast<std::size_t>(k)] = 0;
      }
    }
    return {};
  }
  std::string impl() const override { return kOptimized ? "native:strided_copy" : "reference"; }
};

// meshgrid: N 1-D (or 0-D) inputs -> N outputs of dims [n_0, ..., n_{N-1}] ("ij" indexing); output
// i varies along dim i.
Status infer_meshgrid(InferContext& ctx) {
  const std::size_t n = ctx.input_count("X");
  if (n == 0 || ctx.output_count("Out") != n)
    return ctx.error(
        fmt::format("meshgrid has {} inputs and {} outputs", n, ctx.output_count("Out")));
  Dims out;
  for (std::size_t i = 0; i < n; ++i) {
    const TensorMeta& x = ctx.input("X", i);
    if (x.dims.size() > 1) return ctx.error(fmt::format("input {} is not 1-D", i));
    out.push_back(x.numel());
  }
  for (std::size_t i = 0; i < n; ++i) ctx.set_output("Out", i, {ctx.input("X", i).dtype, out});
  return {};
}

class Meshgrid final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const std::size_t n = ctx.input_count("X");
    Dims dims;
    for (std::size_t i = 0; i < n; ++i) dims.push_back(ctx.input("X", i).numel());
    for (std::size_t i = 0; i < n; ++i) {
      const Tensor& x = ctx.input("X", i);
      Tensor& out = output_for(ctx, "Out", i, x.dtype(), dims);
      std::vector<int64_t> ss(n, 0);
      ss[i] = 1;
      strided_copy(dims, x.raw(), ss, out.raw(), strides_of(dims), ir::dtype_size(x.dtype()), true);
    }
    return {};
  }
};

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}

}  // namespace

void register_expand(OpRegistry& r) {
  for (const char* type : {"expand_v2", "expand_as_v2", "broadcast_to", "expand", "tile"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make<Repeat<false>>;
    d.optimized = make<Repeat<true>>;
    r.add(std::move(d));
  }
  OpDef mesh;
  mesh.type = "meshgrid";
  mesh.infer = infer_meshgrid;
  mesh.reference = make<Meshgrid>;
  r.add(mesh);
}

}  // namespace detport::runtime::kernels
