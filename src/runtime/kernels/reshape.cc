// Ops that change dims but not data: reshape2/reshape, squeeze2/squeeze, unsqueeze2/unsqueeze,
// flatten_contiguous_range, flatten2/flatten. Their output is the input's bytes in plain
// row-major order, so they run on plain layout only (a channels-last region ends before them).
// The *2 variants also write XShape, [0, x dims...], which holds no data.
//
// Shapes may come from tensors (reshape2's ShapeTensor/Shape, unsqueeze2's AxesTensor/
// AxesTensorList). When those are constants (shape -> slice -> concat subgraphs fold first) the
// output dims are known at compile time; otherwise they are resolved when the op runs.
#include <cstring>

#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

enum class Kind { kReshape, kSqueeze, kUnsqueeze, kFlattenRange, kFlatten };

Kind kind_of(const std::string& type) {
  if (type.rfind("reshape", 0) == 0) return Kind::kReshape;
  if (type.rfind("squeeze", 0) == 0) return Kind::kSqueeze;
  if (type.rfind("unsqueeze", 0) == 0) return Kind::kUnsqueeze;
  if (type == "flatten_contiguous_range") return Kind::kFlattenRange;
  return Kind::kFlatten;
}

// Paddle's reshape rule: 0 copies the input dim at that index, one -1 takes what is left.
template <typename Ctx>
Result<Dims> reshape_dims(const Ctx& c, const Dims& x, const std::vector<int64_t>& shape) {
  Dims out(shape.size());
  int infer_at = -1;
  int64_t known = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    int64_t d = shape[i];
    if (d == -1) {
      if (infer_at >= 0)
        return c.error(fmt::format("shape {} has more than one -1", dims_to_string(shape)));
      infer_at = static_cast<int>(i);
      continue;
    }
    if (d == 0) {
      if (i >= x.size())
        return c.error(fmt::format("shape {} copies dim {} (0) of a rank-{} input",
                                   dims_to_string(shape), i, x.size()));
      d = x[i];
    } else if (d < 0) {
      return c.error(fmt::format("shape {} has the negative dim {}", dims_to_string(shape), d));
    }
    out[i] = d;
    known *= d;
  }
  const int64_t n = numel_of(x);
  if (infer_at >= 0) {
    if (known == 0 || n % known != 0)
      return c.error(fmt::format("cannot reshape {} ({} elements) to {}", dims_to_string(x), n,
                                 dims_to_string(shape)));
    out[static_cast<std::size_t>(infer_at)] = n / known;
  } else if (known != n) {
    return c.error(fmt::format("cannot reshape {} ({} elements) to {} ({} elements)",
                               dims_to_string(x), n, dims_to_string(out), known));
  }
  return out;
}

// Paddle's squeeze: the listed axes that are 1 (others are kept silently); no axes: every 1.
template <typename Ctx>
Result<Dims> squeeze_dims(const Ctx& c, const Dims& x, const std::vector<int64_t>& axes) {
  const int rank = static_cast<int>(x.size());
  std::vector<bool> drop(x.size(), false);
  if (axes.empty()) {
    for (int i = 0; i < rank; ++i)
      drop[static_cast<std::size_t>(i)] = x[static_cast<std::size_t>(i)] == 1;
  } else {
    for (int64_t a : axes) {
      if (rank == 0) {
        if (a < -1 || a > 0) return c.error(fmt::format("axis {} of a 0-D tensor", a));
        continue;
      }
      DETPORT_ASSIGN(const int k, axis_arg(c, a, rank, "axes entry"));
      if (x[static_cast<std::size_t>(k)] == 1) drop[static_cast<std::size_t>(k)] = true;
    }
  }
  Dims out;
  for (int i = 0; i < rank; ++i)
    if (!drop[static_cast<std::size_t>(i)]) out.push_back(x[static_cast<std::size_t>(i)]);
  return out;
}

// Paddle's unsqueeze: axes are inserted one after the other, each relative to the rank so far
// (negative: counted from the end, +1); a later insertion at or before an earlier one shifts it.
template <typename Ctx>
Result<Dims> unsqueeze_dims(const Ctx& c, const Dims& x, const std::vector<int64_t>& axes) {
  const int out_rank = static_cast<int>(x.size() + axes.size());
  std::vector<int64_t> marks(static_cast<std::size_t>(out_rank) + 1, 0);  // 1: inserted
  int cur_rank = static_cast<int>(x.size());
  for (int64_t a : axes) {
    const int64_t cur = a < 0 ? a + cur_rank + 1 : a;
    if (cur < 0 || cur > cur_rank)
      return c.error(fmt::format("unsqueeze axis {} is out of range for rank {}", a, cur_rank));
    for (int i = cur_rank; i >= cur; --i)
      if (marks[static_cast<std::size_t>(i)] == 1) {
        marks[static_cast<std::size_t>(i) + 1] = 1;
        marks[static_cast<std::size_t>(i)] = 0;
      }
    marks[static_cast<std::size_t>(cur)] = 1;
    ++cur_rank;
  }
  Dims out(static_cast<std::size_t>(out_rank));
  std::size_t in = 0;
  for (int i = 0; i < out_rank; ++i)
    out[static_cast<std::size_t>(i)] = marks[static_cast<std::size_t>(i)] == 1 ? 1 : x[in++];
  return out;
}

template <typename Ctx>
Result<Dims> flatten_range_dims(const Ctx& c, const Dims& x) {
  const int rank = static_cast<int>(x.size());
  if (rank == 0) return Dims{1};
  DETPORT_ASSIGN(const int start,
                 axis_arg(c, c.op().int_attr("start_axis", 1), rank, "start_axis"));
  DETPORT_ASSIGN(const int stop, axis_arg(c, c.op().int_attr("stop_axis", 1), rank, "stop_axis"));
  if (start > stop) return c.error(fmt::format("start_axis {} is after stop_axis {}", start, stop));
  Dims out(x.begin(), x.begin() + start);
  int64_t n = 1;
  for (int i = start; i <= stop; ++i) n *= x[static_cast<std::size_t>(i)];
  out.push_back(n);
  out.insert(out.end(), x.begin() + stop + 1, x.end());
  return out;
}

// flatten/flatten2: [prod(dims before axis), prod(dims from axis)].
template <typename Ctx>
Result<Dims> flatten_dims(const Ctx& c, const Dims& x) {
  const int64_t axis = c.op().int_attr("axis", 1);
  if (axis < 0 || axis > static_cast<int64_t>(x.size()))
    return c.error(fmt::format("axis {} is out of range [0, {}]", axis, x.size()));
  int64_t outer = 1, inner = 1;
  for (std::size_t i = 0; i < x.size(); ++i)
    (static_cast<int64_t>(i) < axis ? outer : inner) *= x[i];
  return Dims{outer, inner};
}

// The output dims, or nullopt when they depend on a tensor not known yet.
template <typename Ctx>
Result<std::optional<Dims>> out_dims(const Ctx& c) {
  const Dims& x = in_dims(c, "X");
  switch (kind_of(c.op().type)) {
    case Kind::kReshape: {
      const IntList shape = int_list(c, {"ShapeTensor", "Shape"}, "shape");
      if (!shape.known) return std::optional<Dims>();
      DETPORT_ASSIGN(Dims d, reshape_dims(c, x, shape.values));
      return std::optional<Dims>(std::move(d));
    }
    case Kind::kSqueeze: {
      // PIR programs give the axes as an operand (AxesTensor).
      const IntList axes = int_list(c, {"AxesTensor"}, "axes");
      if (!axes.known) return std::optional<Dims>();
      DETPORT_ASSIGN(Dims d, squeeze_dims(c, x, axes.values));
      return std::optional<Dims>(std::move(d));
    }
    case Kind::kUnsqueeze: {
      const IntList axes = int_list(c, {"AxesTensorList", "AxesTensor"}, "axes");
      if (!axes.known) return std::optional<Dims>();
      DETPORT_ASSIGN(Dims d, unsqueeze_dims(c, x, axes.values));
      return std::optional<Dims>(std::move(d));
    }
    case Kind::kFlattenRange: {
      DETPORT_ASSIGN(Dims d, flatten_range_dims(c, x));
      return std::optional<Dims>(std::move(d));
    }
    case Kind::kFlatten: {
      DETPORT_ASSIGN(Dims d, flatten_dims(c, x));
      return std::optional<Dims>(std::move(d));
    }
  }
  return std::optional<Dims>();
}

Dims xshape_dims(const Dims& x) {
  Dims d{0};
  d.insert(d.end(), x.begin(), x.end());
  return d;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_ASSIGN(auto dims, out_dims(ctx));
  if (dims) {
    ctx.set_output("Out", {x.dtype, *dims});
  } else {
    // The rank is all we know: one dim per shape entry, or x's rank plus one per new axis.
    std::size_t rank = 1;
    if (kind_of(ctx.op().type) == Kind::kReshape) {
      rank = ctx.has_input("ShapeTensor")
                 ? ctx.input_count("ShapeTensor")
                 : static_cast<std::size_t>(numel_of(in_dims(ctx, "Shape")));
    } else {
      rank = x.dims.size() + (ctx.has_input("AxesTensorList")
                                  ? ctx.input_count("AxesTensorList")
                                  : static_cast<std::size_t>(numel_of(in_dims(ctx, "AxesTensor"))));
    }
    ctx.set_dynamic_output("Out", 0, {x.dtype, Dims(rank, -1)});
  }
  if (ctx.has_output("XShape")) ctx.set_output("XShape", {x.dtype, xshape_dims(x.dims)});
  return {};
}

class Copy final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(auto dims, out_dims(ctx));
    if (!dims) return ctx.error("the shape input has no value");
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), *dims);
    if (out.bytes() != x.bytes()) return ctx.error("reshape changed the element count");
    if (x.layout() != Layout::kPlain || out.layout() != Layout::kPlain)
      return ctx.error("reshapes run on plain layout only");
    if (out.raw() != x.raw() && x.bytes() > 0) std::memcpy(out.raw(), x.raw(), x.bytes());
    return {};
  }
};

std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<Copy>();
}

}  // namespace

void register_reshape(OpRegistry& r) {
  for (const char* type : {"reshape2", "reshape", "squeeze2", "squeeze", "unsqueeze2", "unsqueeze",
                           "flatten_contiguous_range", "flatten2", "flatten"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
