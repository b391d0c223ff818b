// Indexing by tensors: gather, gather_nd, index_select, take_along_axis, index_sample,
// lookup_table_v2, one_hot_v2 and one_hot. Indices outside the indexed dim are errors (Paddle's
// CPU kernels enforce the same), except take_along_axis, which counts negative ones from the end.
// Each kernel copies whole contiguous blocks, so one plain implementation serves both paths.
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

struct Around {
  int64_t outer = 1, inner = 1;
};
Around around(const Dims& d, int axis) {
  Around a;
  for (int i = 0; i < static_cast<int>(d.size()); ++i) {
    if (i < axis) a.outer *= d[static_cast<std::size_t>(i)];
    if (i > axis) a.inner *= d[static_cast<std::size_t>(i)];
  }
  return a;
}

Status check_index(const KernelContext& ctx, int64_t v, int64_t dim) {
  if (v < 0 || v >= dim)
    return ctx.error(fmt::format("index {} is out of range for a dim of {}", v, dim));
  return {};
}

// ---- gather / index_select ------------------------------------------------------------------

// gather's index: 0-D (drops the axis), 1-D, or [n, 1].
template <typename Ctx>
Result<std::pair<int, Dims>> gather_dims(const Ctx& c) {
  const bool select = c.op().type == "index_select";
  const Dims& x = in_dims(c, "X");
  const Dims& idx = in_dims(c, "Index");
  int64_t axis_v = 0;
  if (select) {
    axis_v = c.op().int_attr("dim", 0);
  } else {
    const auto a = scalar_input(c, "Axis", "axis", 0);
    if (!a) return c.error("gather's Axis input must be known before the op runs");
    axis_v = static_cast<int64_t>(*a);
  }
  DETPORT_ASSIGN(const int axis, axis_arg(c, axis_v, static_cast<int>(x.size())));
  const bool ok_index = idx.size() <= 1 || (idx.size() == 2 && idx[1] == 1 && !select);
  if (!ok_index) return c.error(fmt::format("index of dims {} is not 1-D", dims_to_string(idx)));
  Dims out(x.begin(), x.begin() + axis);
  if (!idx.empty()) out.push_back(idx[0]);
  out.insert(out.end(), x.begin() + axis + 1, x.end());
  return std::pair<int, Dims>(axis, out);
}

Status infer_gather(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "Index"));
  DETPORT_ASSIGN(auto ad, gather_dims(ctx));
  ctx.set_output("Out", {ctx.input("X").dtype, ad.second});
  return {};
}

class Gather final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(auto ad, gather_dims(ctx));
    const int axis = ad.first;
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), ad.second);
    const auto idx = ctx.input("Index").to_int64();
    const Around a = around(x.dims(), axis);
    const int64_t dim = x.dim(axis);
    for (int64_t v : idx) DETPORT_TRY(check_index(ctx, v, dim));
    const std::size_t block = static_cast<std::size_t>(a.inner) * ir::dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw());
    auto* dst = static_cast<unsigned char*>(out.raw());
    const int64_t n = static_cast<int64_t>(idx.size());
    parallel_for(a.outer, 64, [&](int64_t o) {
      for (int64_t i = 0; i < n; ++i)
        std::memcpy(
            dst + static_cast<std::size_t>(o * n + i) * block,
            src + static_cast<std::size_t>(o * dim + idx[static_cast<std::size_t>(i)]) * block,
            block);
    });
    return {};
  }
};

// ---- gather_nd ------------------------------------------------------------------------------

template <typename Ctx>
Result<Dims> gather_nd_dims(const Ctx& c) {
  const Dims& x = in_dims(c, "X");
  const Dims& idx = in_dims(c, "Index");
  if (idx.empty()) return c.error("gather_nd's index must have a last dim");
  const int64_t k = idx.back();
  if (k > static_cast<int64_t>(x.size()))
    return c.error(fmt::format("index rows of length {} for a rank-{} input", k, x.size()));
  Dims out(idx.begin(), idx.end() - 1);
  out.insert(out.end(), x.begin() + k, x.end());
  return out;
}

Status infer_gather_nd(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "Index"));
  DETPORT_ASSIGN(Dims d, gather_nd_dims(ctx));
  ctx.set_output("Out", {ctx.input("X").dtype, d});
  return {};
}

class GatherNd final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    const Tensor& index = ctx.input("Index");
    DETPORT_ASSIGN(Dims d, gather_nd_dims(ctx));
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), d);
    const auto idx = index.to_int64();
    const int64_t k = index.dims().back();
    const int64_t rows = k == 0 ? numel_of(Dims(index.dims().begin(), index.dims().end() - 1))
                                : static_cast<int64_t>(idx.size()) / k;
    const auto xs = strides_of(x.dims());
    int64_t inner = 1;
    for (int i = static_cast<int>(k); i < x.rank(); ++i) inner *= x.dim(i);
    const std::size_t block = static_cast<std::size_t>(inner) * ir::dtype_size(x.dtype());
    for (int64_t r = 0; r < rows; ++r) {
      int64_t off = 0;
      for (int64_t j = 0; j < k; ++j) {
        const int64_t v = idx[static_cast<std::size_t>(r * k + j)];
        DETPORT_TRY(check_index(ctx, v, x.dim(static_cast<int>(j))));
        off += v * xs[static_cast<std::size_t>(j)];
      }
      std::memcpy(static_cast<unsigned char*>(out.raw()) + static_cast<std::size_t>(r) * block,
                  static_cast<const unsigned char*>(x.raw()) +
                      static_cast<std::size_t>(off) * ir::dtype_size(x.dtype()),
                  block);
    }
    return {};
  }
};

// ---- take_along_axis / index_sample ---------------------------------------------------------

Status infer_take(InferContext& ctx) {
  const bool sample = ctx.op().type == "index_sample";
  const char* xs = sample ? "X" : "Input";
  DETPORT_TRY(require_input(ctx, xs));
  DETPORT_TRY(require_input(ctx, "Index"));
  const TensorMeta& x = ctx.input(xs);
  const TensorMeta& idx = ctx.input("Index");
  if (x.dims.size() != idx.dims.size() || (sample && x.dims.size() != 2))
    return ctx.error(fmt::format("input {} and index {} differ in rank", dims_to_string(x.dims),
                                 dims_to_string(idx.dims)));
  ctx.set_output(sample ? "Out" : "Result", {x.dtype, idx.dims});
  return {};
}

class Take final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const bool sample = ctx.op().type == "index_sample";
    const Tensor& x = ctx.input(sample ? "X" : "Input");
    const Tensor& index = ctx.input("Index");
    Tensor& out = output_for(ctx, sample ? "Out" : "Result", 0, x.dtype(), index.dims());
    DETPORT_ASSIGN(const int axis,
                   axis_arg(ctx, sample ? 1 : ctx.op().int_attr("Axis", 0), x.rank()));
    for (int k = 0; k < x.rank(); ++k)
      if (k != axis && index.dim(k) > x.dim(k))
        return ctx.error("the index is larger than the input outside the axis");
    const auto idx = index.to_int64();
    const auto xs = strides_of(x.dims());
    const std::size_t es = ir::dtype_size(x.dtype());
    const Dims& od = index.dims();
    std::vector<int64_t> coord(od.size(), 0);
    for (int64_t o = 0; o < index.numel(); ++o) {
      int64_t v = idx[static_cast<std::size_t>(o)];
      if (!sample && v < 0) v += x.dim(axis);
      DETPORT_TRY(check_index(ctx, v, x.dim(axis)));
      int64_t s = 0;
      for (std::size_t k = 0; k < od.size(); ++k)
        s += (static_cast<int>(k) == axis ? v : coord[k]) * xs[k];
      std::memcpy(static_cast<unsigned char*>(out.raw()) + static_cast<std::size_t>(o) * es,
                  static_cast<const unsigned char*>(x.raw()) + static_cast<std::size_t>(s) * es,
                  es);
      for (int k = static_cast<int>(od.size()) - 1; k >= 0; --k) {
        if (++coord[static_cast<std::size_t>(k)] < od[static_cast<std::size_t>(k)]) break;
        coord[static_cast<std::size_t>(k)] = 0;
      }
    }
    return {};
  }
};

// ---- lookup_table_v2 ------------------------------------------------------------------------

Status infer_lookup(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "W"));
  DETPORT_TRY(require_input(ctx, "Ids"));
  const TensorMeta& w = ctx.input("W");
  if (w.dims.size() != 2) return ctx.error("the table W is not 2-D");
  Dims d = ctx.input("Ids").dims;
  d.push_back(w.dims[1]);
  ctx.set_output("Out", {w.dtype, d});
  return {};
}

class Lookup final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& w = ctx.input("W");
    const Tensor& ids = ctx.input("Ids");
    Dims d = ids.dims();
    d.push_back(w.dim(1));
    Tensor& out = output_for(ctx, "Out", 0, w.dtype(), d);
    const int64_t pad = ctx.op().int_attr("padding_idx", -1);
    const std::size_t row = static_cast<std::size_t>(w.dim(1)) * ir::dtype_size(w.dtype());
    const auto idx = ids.to_int64();
    for (std::size_t i = 0; i < idx.size(); ++i) {
      auto* dst = static_cast<unsigned char*>(out.raw()) + i * row;
      if (pad != -1 && idx[i] == (pad < 0 ? pad + w.dim(0) : pad)) {
        std::memset(dst, 0, row);  // the padding row reads as zeros
        continue;
      }
      DETPORT_TRY(check_index(ctx, idx[i], w.dim(0)));
      std::memcpy(
          dst, static_cast<const unsigned char*>(w.raw()) + static_cast<std::size_t>(idx[i]) * row,
          row);
    }
    return {};
  }
};

// ---- one_hot --------------------------------------------------------------------------------

template <typename Ctx>
Result<std::optional<int64_t>> depth_of(const Ctx& c) {
  const auto d = scalar_input(c, "depth_tensor", "depth", -1);
  if (!d) return std::optional<int64_t>();
  if (*d < 1) return c.error(fmt::format("depth {} is not positive", *d));
  return std::optional<int64_t>(static_cast<int64_t>(*d));
}

Dims one_hot_dims(const ir::Op& op, Dims x, int64_t depth) {
  if (op.type == "one_hot" && !x.empty() && x.back() == 1) x.pop_back();
  x.push_back(depth);
  return x;
}

Status infer_one_hot(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_ASSIGN(auto depth, depth_of(ctx));
  const DType dt = dtype_attr(ctx.op(), "dtype", DType::kFloat32);
  if (!depth) {
    ctx.set_dynamic_output("Out", 0, {dt, one_hot_dims(ctx.op(), ctx.input("X").dims, -1)});
    return {};
  }
  ctx.set_output("Out", {dt, one_hot_dims(ctx.op(), ctx.input("X").dims, *depth)});
  return {};
}

class OneHot final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(auto depth, depth_of(ctx));
    if (!depth) return ctx.error("an input this op needs has no value");
    Tensor& out = output_for(ctx, "Out", 0, dtype_attr(ctx.op(), "dtype", DType::kFloat32),
                             one_hot_dims(ctx.op(), x.dims(), *depth));
    std::memset(out.raw(), 0, out.bytes());
    const bool allow = ctx.op().bool_attr("allow_out_of_range", false);
    const auto idx = x.to_int64();
    for (std::size_t i = 0; i < idx.size(); ++i) {
      if (idx[i] < 0 || idx[i] >= *depth) {
        if (allow) continue;  // an all-zero row
        return ctx.error(fmt::format("label {} is outside [0, {})", idx[i], *depth));
      }
      store_double(out, static_cast<int64_t>(i) * *depth + idx[i], 1.0);
    }
    return {};
  }
};

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

void register_gather(OpRegistry& r) {
  add(r, "gather", infer_gather, make<Gather>);
  add(r, "index_select", infer_gather, make<Gather>);
  add(r, "gather_nd", infer_gather_nd, make<GatherNd>);
  add(r, "take_along_axis", infer_take, make<Take>);
  add(r, "index_sample", infer_take, make<Take>);
  add(r, "lookup_table_v2", infer_lookup, make<Lookup>);
  add(r, "one_hot_v2", infer_one_hot, make<OneHot>);
  add(r, "one_hot", infer_one_hot, make<OneHot>);
}

}  // namespace detport::runtime::kernels
