// Joining and cutting along an axis: concat, split, stack, unstack, unbind.
//
// concat and split are in every CSP/PAN neck and channel shuffle, between convolutions: their
// optimised kernels run on NHWC 4-D tensors too (a channel concat is then one memcpy per pixel and
// input), so channels-last regions are not broken at each of them. Constant inputs (CoordConv maps)
// stay plain inside NHWC regions; every tensor is read in its own storage order.
#include "runtime/kernels/strided_copy.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

// Plain row-major block view around an axis: [outer, axis, inner].
struct Blocks {
  int64_t outer = 1, inner = 1;
};
Blocks blocks(const Dims& d, int axis) {
  Blocks b;
  for (int i = 0; i < static_cast<int>(d.size()); ++i) {
    if (i < axis) b.outer *= d[static_cast<std::size_t>(i)];
    if (i > axis) b.inner *= d[static_cast<std::size_t>(i)];
  }
  return b;
}

// ---- concat ---------------------------------------------------------------------------------

template <typename Ctx>
Result<std::optional<int>> concat_axis(const Ctx& c, int rank) {
  const auto a = scalar_input(c, "AxisTensor", "axis", 0);
  if (!a) return std::optional<int>();
  DETPORT_ASSIGN(const int k, axis_arg(c, static_cast<int64_t>(*a), rank));
  return std::optional<int>(k);
}

Status infer_concat(InferContext& ctx) {
  const std::size_t n = ctx.input_count("X");
  if (n == 0) return ctx.error("concat has no inputs");
  const TensorMeta& first = ctx.input("X");
  const int rank = static_cast<int>(first.dims.size());
  if (rank == 0) return ctx.error("concat takes tensors of rank 1 or more, not 0-D");
  DETPORT_ASSIGN(auto axis, concat_axis(ctx, rank));
  if (!axis) {
    ctx.set_dynamic_output("Out", 0, {first.dtype, Dims(static_cast<std::size_t>(rank), -1)});
    return {};
  }
  Dims out = first.dims;
  out[static_cast<std::size_t>(*axis)] = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const TensorMeta& x = ctx.input("X", i);
    if (x.dtype != first.dtype)
      return ctx.error(fmt::format("input {} is {} but input 0 is {}", i,
                                   ir::var_type_name(x.dtype), ir::var_type_name(first.dtype)));
    bool match = static_cast<int>(x.dims.size()) == rank;
    for (int k = 0; match && k < rank; ++k)
      match = k == *axis ||
              x.dims[static_cast<std::size_t>(k)] == first.dims[static_cast<std::size_t>(k)];
    if (!match)
      return ctx.error(fmt::format("input {} has dims {}, which do not match {} outside axis {}", i,
                                   dims_to_string(x.dims), dims_to_string(first.dims), *axis));
    out[static_cast<std::size_t>(*axis)] += x.dims[static_cast<std::size_t>(*axis)];
  }
  ctx.set_output("Out", {first.dtype, out});
  return {};
}

// Output dims at run time (inputs were checked by infer or, for run-time nodes, just now).
Result<std::pair<int, Dims>> concat_run_dims(KernelContext& ctx) {
  const Tensor& first = ctx.input("X");
  DETPORT_ASSIGN(auto axis, concat_axis(ctx, first.rank()));
  if (!axis) return ctx.error("an input this op needs has no value");
  Dims out = first.dims();
  out[static_cast<std::size_t>(*axis)] = 0;
  for (std::size_t i = 0; i < ctx.input_count("X"); ++i) {
    const Tensor& x = ctx.input("X", i);
    if (x.rank() != first.rank() || x.dtype() != first.dtype())
      return ctx.error("concat inputs differ in rank or type");
    out[static_cast<std::size_t>(*axis)] += x.dim(*axis);
  }
  return std::pair<int, Dims>(*axis, out);
}

class ConcatReference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    DETPORT_ASSIGN(auto ad, concat_run_dims(ctx));
    const auto& [axis, dims] = ad;
    Tensor& out = output_for(ctx, "Out", 0, ctx.input("X").dtype(), dims);
    const std::size_t es = ir::dtype_size(out.dtype());
    const Blocks ob = blocks(dims, axis);
    const int64_t out_row = dims[static_cast<std::size_t>(axis)] * ob.inner;
    int64_t at = 0;  // elements into an output row
    for (std::size_t i = 0; i < ctx.input_count("X"); ++i) {
      const Tensor& x = ctx.input("X", i);
      const int64_t row = x.dim(axis) * ob.inner;
      for (int64_t o = 0; o < ob.outer; ++o)
        std::memcpy(
            static_cast<unsigned char*>(out.raw()) +
                static_cast<std::size_t>(o * out_row + at) * es,
            static_cast<const unsigned char*>(x.raw()) + static_cast<std::size_t>(o * row) * es,
            static_cast<std::size_t>(row) * es);
      at += row;
    }
    return {};
  }
};

class ConcatOptimized final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    DETPORT_ASSIGN(auto ad, concat_run_dims(ctx));
    const auto& [axis, dims] = ad;
    Tensor& out = output_for(ctx, "Out", 0, ctx.input("X").dtype(), dims);
    const std::size_t es = ir::dtype_size(out.dtype());
    const auto os = tensor_strides(out);
    int64_t at = 0;  // along the axis
    for (std::size_t i = 0; i < ctx.input_count("X"); ++i) {
      const Tensor& x = ctx.input("X", i);
      auto* dst = static_cast<unsigned char*>(out.raw()) +
                  static_cast<std::size_t>(at * os[static_cast<std::size_t>(axis)]) * es;
      strided_copy(x.dims(), x.raw(), tensor_strides(x), dst, os, es, true);
      at += x.dim(axis);
    }
    return {};
  }
  std::string impl() const override { return "native:strided_copy"; }
};

// ---- split ----------------------------------------------------------------------------------

// The sizes of the pieces along the axis: `num` equal ones, or `sections` (one may be -1, taking
// the rest; SectionsTensorList overrides).
template <typename Ctx>
Result<std::optional<std::pair<int, std::vector<int64_t>>>> split_sizes(const Ctx& c, const Dims& x,
                                                                        std::size_t outputs) {
  using R = std::optional<std::pair<int, std::vector<int64_t>>>;
  const auto a = scalar_input(c, "AxisTensor", "axis", 0);
  if (!a) return R();
  DETPORT_ASSIGN(const int axis, axis_arg(c, static_cast<int64_t>(*a), static_cast<int>(x.size())));
  const int64_t len = x[static_cast<std::size_t>(axis)];
  const int64_t num = c.op().int_attr("num", 0);
  std::vector<int64_t> sizes;
  if (num > 0) {
    if (len % num != 0)
      return c.error(fmt::format("dim {} of {} does not split into {} equal parts", axis,
                                 dims_to_string(x), num));
    sizes.assign(static_cast<std::size_t>(num), len / num);
  } else {
    const IntList sec = int_list(c, {"SectionsTensorList"}, "sections");
    if (!sec.known) return R();
    sizes = sec.values;
    int64_t known = 0;
    int rest = -1;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] == -1) {
        if (rest >= 0) return c.error("sections has more than one -1");
        rest = static_cast<int>(i);
      } else if (sizes[i] < 0) {
        return c.error(fmt::format("sections {} has a negative size", dims_to_string(sizes)));
      } else {
        known += sizes[i];
      }
    }
    if (rest >= 0) {
      if (known > len) return c.error("sections exceed the dim");
      sizes[static_cast<std::size_t>(rest)] = len - known;
    } else if (known != len) {
      return c.error(fmt::format("sections {} do not add up to dim {} ({})", dims_to_string(sizes),
                                 axis, len));
    }
  }
  if (sizes.size() != outputs)
    return c.error(fmt::format("{} pieces but {} outputs", sizes.size(), outputs));
  return R(std::pair<int, std::vector<int64_t>>(axis, sizes));
}

Status infer_split(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  const std::size_t n = ctx.output_count("Out");
  DETPORT_ASSIGN(auto s, split_sizes(ctx, x.dims, n));
  for (std::size_t i = 0; i < n; ++i) {
    if (!s) {
      ctx.set_dynamic_output("Out", i, {x.dtype, Dims(x.dims.size(), -1)});
      continue;
    }
    Dims d = x.dims;
    d[static_cast<std::size_t>(s->first)] = s->second[i];
    ctx.set_output("Out", i, {x.dtype, d});
  }
  return {};
}

template <bool kOptimized>
class Split final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    const std::size_t n = ctx.output_count("Out");
    DETPORT_ASSIGN(auto s, split_sizes(ctx, x.dims(), n));
    if (!s) return ctx.error("an input this op needs has no value");
    const auto& [axis, sizes] = *s;
    const std::size_t es = ir::dtype_size(x.dtype());
    const auto xs = kOptimized ? tensor_strides(x) : strides_of(x.dims());
    int64_t at = 0;
    for (std::size_t i = 0; i < n; ++i) {
      Dims d = x.dims();
      d[static_cast<std::size_t>(axis)] = sizes[i];
      Tensor& out = output_for(ctx, "Out", i, x.dtype(), d);
      const auto* src = static_cast<const unsigned char*>(x.raw()) +
                        static_cast<std::size_t>(at * xs[static_cast<std::size_t>(axis)]) * es;
      if (kOptimized) {
        strided_copy(d, src, xs, out.raw(), tensor_strides(out), es, true);
      } else {
        const Blocks b = blocks(d, axis);
        const int64_t row = sizes[i] * b.inner, in_row = x.dim(axis) * b.inner;
        for (int64_t o = 0; o < b.outer; ++o)
          std::memcpy(
              static_cast<unsigned char*>(out.raw()) + static_cast<std::size_t>(o * row) * es,
              src + static_cast<std::size_t>(o * in_row) * es, static_cast<std::size_t>(row) * es);
      }
      at += sizes[i];
    }
    return {};
  }
  std::string impl() const override { return kOptimized ? "native:strided_copy" : "reference"; }
};

// ---- stack / unstack / unbind ---------------------------------------------------------------

Status infer_stack(InferContext& ctx) {
  const std::size_t n = ctx.input_count("X");
  if (n == 0) return ctx.error("stack has no inputs");
  const TensorMeta& first = ctx.input("X");
  for (std::size_t i = 1; i < n; ++i)
    if (ctx.input("X", i) != first)
      return ctx.error(fmt::format("input {} is {} but input 0 is {}", i,
                                   meta_to_string(ctx.input("X", i)), meta_to_string(first)));
  const int rank = static_cast<int>(first.dims.size()) + 1;
  DETPORT_ASSIGN(const int axis, axis_arg(ctx, ctx.op().int_attr("axis", 0), rank));
  Dims out = first.dims;
  out.insert(out.begin() + axis, static_cast<int64_t>(n));
  ctx.set_output("Y", {first.dtype, out});
  return {};
}

template <bool kOptimized>
class Stack final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const std::size_t n = ctx.input_count("X");
    const Tensor& first = ctx.input("X");
    DETPORT_ASSIGN(const int axis, axis_arg(ctx, ctx.op().int_attr("axis", 0), first.rank() + 1));
    Dims od = first.dims();
    od.insert(od.begin() + axis, static_cast<int64_t>(n));
    Tensor& out = output_for(ctx, "Y", 0, first.dtype(), od);
    const std::size_t es = ir::dtype_size(first.dtype());
    const Blocks b = blocks(od, axis);
    for (std::size_t i = 0; i < n; ++i) {
      const Tensor& x = ctx.input("X", i);
      if (x.dims() != first.dims()) return ctx.error("stack inputs differ in dims");
      auto* dst = static_cast<unsigned char*>(out.raw()) +
                  static_cast<std::size_t>(static_cast<int64_t>(i) * b.inner) * es;
      if (kOptimized) {
        // The output minus the stacked axis, at this input's position.
        auto os = strides_of(od);
        os.erase(os.begin() + axis);
        strided_copy(x.dims(), x.raw(), strides_of(x.dims()), dst, os, es, true);
      } else {
        for (int64_t o = 0; o < b.outer; ++o)
          std::memcpy(dst + static_cast<std::size_t>(o * static_cast<int64_t>(n) * b.inner) * es,
                      static_cast<const unsigned char*>(x.raw()) +
                          static_cast<std::size_t>(o * b.inner) * es,
                      static_cast<std::size_t>(b.inner) * es);
      }
    }
    return {};
  }
  std::string impl() const override { return kOptimized ? "native:strided_copy" : "reference"; }
};

// unstack (outputs Y) and unbind (outputs Out): one output per index along the axis, without it.
const char* pieces_slot(const ir::Op& op) {
  return op.type == "unstack" ? "Y" : "Out";
}

Status infer_unstack(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_ASSIGN(const int axis,
                 axis_arg(ctx, ctx.op().int_attr("axis", 0), static_cast<int>(x.dims.size())));
  const char* slot = pieces_slot(ctx.op());
  const std::size_t n = ctx.output_count(slot);
  if (static_cast<int64_t>(n) != x.dims[static_cast<std::size_t>(axis)])
    return ctx.error(fmt::format("{} outputs for dim {} of size {}", n, axis,
                                 x.dims[static_cast<std::size_t>(axis)]));
  Dims d = x.dims;
  d.erase(d.begin() + axis);
  for (std::size_t i = 0; i < n; ++i) ctx.set_output(slot, i, {x.dtype, d});
  return {};
}

class Unstack final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(const int axis, axis_arg(ctx, ctx.op().int_attr("axis", 0), x.rank()));
    const char* slot = pieces_slot(ctx.op());
    const std::size_t es = ir::dtype_size(x.dtype());
    Dims d = x.dims();
    d.erase(d.begin() + axis);
    auto xs = strides_of(x.dims());
    const int64_t step = xs[static_cast<std::size_t>(axis)];
    xs.erase(xs.begin() + axis);
    for (std::size_t i = 0; i < ctx.output_count(slot); ++i) {
      Tensor& out = output_for(ctx, slot, i, x.dtype(), d);
      strided_copy(d,
                   static_cast<const unsigned char*>(x.raw()) +
                       static_cast<std::size_t>(static_cast<int64_t>(i) * step) * es,
                   xs, out.raw(), strides_of(d), es, false);
    }
    return {};
  }
};

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}

// NHWC is worth it for 4-D tensors; any axis works (strided copies).
bool concat_nhwc_ok(const KernelSpec& spec) {
  return spec.output("Out").dims.size() == 4;
}
bool split_nhwc_ok(const KernelSpec& spec) {
  return spec.input("X").dims.size() == 4;
}

}  // namespace

void register_concat_split(OpRegistry& r) {
  OpDef concat;
  concat.type = "concat";
  concat.infer = infer_concat;
  concat.reference = make<ConcatReference>;
  concat.optimized = make<ConcatOptimized>;
  concat.nhwc_ok = concat_nhwc_ok;
  r.add(concat);

  OpDef split;
  split.type = "split";
  split.infer = infer_split;
  split.reference = make<Split<false>>;
  split.optimized = make<Split<true>>;
  split.nhwc_ok = split_nhwc_ok;
  r.add(split);

  OpDef stack;
  stack.type = "stack";
  stack.infer = infer_stack;
  stack.reference = make<Stack<false>>;
  stack.optimized = make<Stack<true>>;
  r.add(stack);

  for (const char* type : {"unstack", "unbind"}) {
    OpDef d;
    d.type = type;
    d.infer = infer_unstack;
    d.reference = make<Unstack>;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
