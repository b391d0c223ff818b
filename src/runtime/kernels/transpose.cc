// Ops that permute elements: transpose2/transpose (XShape like the reshapes), flip and roll. The
// reference walks the output index by index; the optimised transpose and flip are tiled strided
// copies over OpenMP.
#include "runtime/kernels/strided_copy.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

template <typename Ctx>
Result<std::vector<int>> permutation(const Ctx& c, int rank) {
  const auto axis = c.op().ints_attr("axis");
  if (static_cast<int>(axis.size()) != rank)
    return c.error(
        fmt::format("axis {} does not permute a rank-{} tensor", dims_to_string(axis), rank));
  std::vector<int> perm;
  std::vector<bool> seen(static_cast<std::size_t>(rank), false);
  for (int64_t a : axis) {
    DETPORT_ASSIGN(const int k, axis_arg(c, a, rank, "axis entry"));
    if (seen[static_cast<std::size_t>(k)])
      return c.error(fmt::format("axis {} repeats {}", dims_to_string(axis), a));
    seen[static_cast<std::size_t>(k)] = true;
    perm.push_back(k);
  }
  return perm;
}

Status infer_transpose(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_ASSIGN(auto perm, permutation(ctx, static_cast<int>(x.dims.size())));
  Dims out;
  for (int p : perm) out.push_back(x.dims[static_cast<std::size_t>(p)]);
  ctx.set_output("Out", {x.dtype, out});
  if (ctx.has_output("XShape")) {
    Dims xs{0};
    xs.insert(xs.end(), x.dims.begin(), x.dims.end());
    ctx.set_output("XShape", {x.dtype, xs});
  }
  return {};
}

// The element of x that lands at each output coordinate, as a source stride per output dim
// (negative for reversed dims) and a start offset.
struct View {
  std::vector<int64_t> strides;
  int64_t offset = 0;
};

Result<View> transpose_view(const KernelContext& ctx, const Tensor& x,
                            const std::vector<int64_t>& xs) {
  DETPORT_ASSIGN(auto perm, permutation(ctx, x.rank()));
  View v;
  for (int p : perm) v.strides.push_back(xs[static_cast<std::size_t>(p)]);
  return v;
}

template <typename Ctx>
Result<std::vector<bool>> flip_axes(const Ctx& c, int rank) {
  std::vector<bool> rev(static_cast<std::size_t>(rank), false);
  // Paddle 1.x named the attribute `dims` (flip op version 1 renamed it `axis`).
  const auto axes = c.op().has_attr("axis") ? c.op().ints_attr("axis") : c.op().ints_attr("dims");
  for (int64_t a : axes) {
    DETPORT_ASSIGN(const int k, axis_arg(c, a, rank));
    rev[static_cast<std::size_t>(k)] = !rev[static_cast<std::size_t>(k)];  // twice: no flip
  }
  return rev;
}

Result<View> flip_view(const KernelContext& ctx, const Tensor& x, std::vector<int64_t> xs) {
  DETPORT_ASSIGN(auto rev, flip_axes(ctx, x.rank()));
  View v;
  for (int i = 0; i < x.rank(); ++i)
    if (rev[static_cast<std::size_t>(i)] && x.dim(i) > 0) {
      v.offset += (x.dim(i) - 1) * xs[static_cast<std::size_t>(i)];
      xs[static_cast<std::size_t>(i)] = -xs[static_cast<std::size_t>(i)];
    }
  v.strides = std::move(xs);
  return v;
}

Result<View> view_for(const KernelContext& ctx, const Tensor& x, const std::vector<int64_t>& xs) {
  if (ctx.op().type == "flip") return flip_view(ctx, x, xs);
  return transpose_view(ctx, x, xs);
}

// Reference: for each output index, the source index from the view.
class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    DETPORT_ASSIGN(View v, view_for(ctx, x, strides_of(x.dims())));
    const std::size_t es = ir::dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw());
    auto* dst = static_cast<unsigned char*>(out.raw());
    const Dims& od = out.dims();
    std::vector<int64_t> coord(od.size(), 0);
    for (int64_t o = 0; o < out.numel(); ++o) {
      int64_t s = v.offset;
      for (std::size_t k = 0; k < od.size(); ++k) s += coord[k] * v.strides[k];
      std::memcpy(dst + static_cast<std::size_t>(o) * es, src + static_cast<std::size_t>(s) * es,
                  es);
      for (int k = static_cast<int>(od.size()) - 1; k >= 0; --k) {
        if (++coord[static_cast<std::size_t>(k)] < od[static_cast<std::size_t>(k)]) break;
        coord[static_cast<std::size_t>(k)] = 0;
      }
    }
    return {};
  }
};

class Optimized final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    DETPORT_ASSIGN(View v, view_for(ctx, x, tensor_strides(x)));
    const std::size_t es = ir::dtype_size(x.dtype());
    const auto* src =
        static_cast<const unsigned char*>(x.raw()) + v.offset * static_cast<int64_t>(es);
    strided_copy(out.dims(), src, v.strides, out.raw(), tensor_strides(out), es, true);
    return {};
  }
  std::string impl() const override { return "native:strided_copy"; }
};

Status infer_flip(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(flip_axes(ctx, static_cast<int>(ctx.input("X").dims.size())));
  ctx.set_output("Out", ctx.input("X"));
  return {};
}

// roll: elements shift along `axis` (each with its own shift), wrapping around; no axis: the
// flattened tensor shifts. Shifts may come from ShiftsTensor.
template <typename Ctx>
Result<std::vector<int64_t>> roll_shifts(const Ctx& c, const Dims& x, std::vector<int64_t>& axes) {
  const IntList shifts = int_list(c, {"ShiftsTensor"}, "shifts");
  if (!shifts.known) return c.error("the shifts input has no value");
  axes = c.op().ints_attr("axis");
  if (!axes.empty() && axes.size() != shifts.values.size())
    return c.error(fmt::format("{} shifts for {} axes", shifts.values.size(), axes.size()));
  if (axes.empty() && shifts.values.size() != 1)
    return c.error("without axes, roll takes one shift");
  for (auto& a : axes) {
    DETPORT_ASSIGN(const int k, axis_arg(c, a, static_cast<int>(x.size())));
    a = k;
  }
  return shifts.values;
}

Status infer_roll(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  ctx.set_output("Out", ctx.input("X"));
  return {};
}

class Roll final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    std::vector<int64_t> axes;
    DETPORT_ASSIGN(auto shifts, roll_shifts(ctx, x.dims(), axes));
    // Flattened roll: a rank-1 view.
    Dims dims = axes.empty() ? Dims{x.numel()} : x.dims();
    if (axes.empty()) axes = {0};
    std::vector<int64_t> shift(dims.size(), 0);
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const int64_t n = dims[static_cast<std::size_t>(axes[i])];
      if (n > 0) shift[static_cast<std::size_t>(axes[i])] += shifts[i];
    }
    const auto st = strides_of(dims);
    const std::size_t es = ir::dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw());
    auto* dst = static_cast<unsigned char*>(out.raw());
    for (int64_t o = 0; o < x.numel(); ++o) {
      int64_t rest = o, s = 0;
      for (std::size_t k = 0; k < dims.size(); ++k) {
        const int64_t c = rest / st[k];
        rest %= st[k];
        int64_t from = (c - shift[k]) % dims[k];
        if (from < 0) from += dims[k];
        s += from * st[k];
      }
      std::memcpy(dst + static_cast<std::size_t>(o) * es, src + static_cast<std::size_t>(s) * es,
                  es);
    }
    return {};
  }
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec&) {
  return std::make_unique<Optimized>();
}
std::unique_ptr<Kernel> make_roll(const KernelSpec&) {
  return std::make_unique<Roll>();
}

}  // namespace

void register_transpose(OpRegistry& r) {
  for (const char* type : {"transpose2", "transpose", "flip"}) {
    OpDef d;
    d.type = type;
    d.infer = std::string(type) == "flip" ? infer_flip : infer_transpose;
    d.reference = make_reference;
    d.optimized = make_optimized;
    r.add(std::move(d));
  }
  OpDef roll;
  roll.type = "roll";
  roll.infer = infer_roll;
  roll.reference = make_roll;
  r.add(std::move(roll));
}

}  // namespace detport::runtime::kernels
