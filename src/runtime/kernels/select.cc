// Selection by a condition: where (elementwise choice between X and Y, numpy broadcasting), and the
// ops whose output size the data decides: where_index (Paddle's nonzero: int64 [n, rank]
// coordinates in row-major order) and masked_select (the X elements where Mask is true, as 1-D;
// X and Mask broadcast).
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

// numpy broadcasting of several dims lists (right-aligned).
Result<Dims> broadcast_all(std::initializer_list<const Dims*> all) {
  std::size_t rank = 0;
  for (const Dims* d : all) rank = std::max(rank, d->size());
  Dims out(rank, 1);
  for (const Dims* d : all)
    for (std::size_t i = 0; i < d->size(); ++i) {
      const int64_t v = (*d)[i];
      int64_t& o = out[rank - d->size() + i];
      if (o == 1)
        o = v;
      else if (v != 1 && v != o)
        return make_error(ErrorCode::kInvalidInput, "the dims do not broadcast");
    }
  return out;
}

// Strides of `d` read as `out` (0 where broadcast).
std::vector<int64_t> broadcast_strides(const Dims& d, const Dims& out) {
  std::vector<int64_t> s(out.size(), 0);
  const auto own = strides_of(d);
  const std::size_t lead = out.size() - d.size();
  for (std::size_t i = 0; i < d.size(); ++i)
    if (d[i] != 1) s[lead + i] = own[i];
  return s;
}

// Visits every output coordinate in row-major order with the offsets of each operand.
template <typename F>
void for_each_broadcast(const Dims& out, const std::vector<std::vector<int64_t>>& strides, F f) {
  const int64_t n = numel_of(out);
  std::vector<int64_t> coord(out.size(), 0), off(strides.size(), 0);
  for (int64_t o = 0; o < n; ++o) {
    f(o, off);
    for (int k = static_cast<int>(out.size()) - 1; k >= 0; --k) {
      const auto uk = static_cast<std::size_t>(k);
      for (std::size_t j = 0; j < strides.size(); ++j) off[j] += strides[j][uk];
      if (++coord[uk] < out[uk]) break;
      for (std::size_t j = 0; j < strides.size(); ++j) off[j] -= strides[j][uk] * out[uk];
      coord[uk] = 0;
    }
  }
}

bool truthy(const Tensor& t, int64_t i) {
  return element_as_double(t, i) != 0;
}

// ---- where ----------------------------------------------------------------------------------

Status infer_where(InferContext& ctx) {
  for (const char* s : {"Condition", "X", "Y"}) DETPORT_TRY(require_input(ctx, s));
  const TensorMeta& x = ctx.input("X");
  const TensorMeta& y = ctx.input("Y");
  if (x.dtype != y.dtype)
    return ctx.error(
        fmt::format("X is {} but Y is {}", ir::var_type_name(x.dtype), ir::var_type_name(y.dtype)));
  auto d = broadcast_all({&ctx.input("Condition").dims, &x.dims, &y.dims});
  if (!d.ok())
    return ctx.error(fmt::format("Condition {}, X {} and Y {} do not broadcast",
                                 dims_to_string(ctx.input("Condition").dims),
                                 dims_to_string(x.dims), dims_to_string(y.dims)));
  ctx.set_output("Out", {x.dtype, *d});
  return {};
}

class Where final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& c = ctx.input("Condition");
    const Tensor& x = ctx.input("X");
    const Tensor& y = ctx.input("Y");
    auto d = broadcast_all({&c.dims(), &x.dims(), &y.dims()});
    if (!d.ok()) return ctx.error("Condition, X and Y do not broadcast");
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), *d);
    const std::size_t es = ir::dtype_size(x.dtype());
    const auto* px = static_cast<const unsigned char*>(x.raw());
    const auto* py = static_cast<const unsigned char*>(y.raw());
    auto* po = static_cast<unsigned char*>(out.raw());
    if (c.dims() == *d && x.dims() == *d && y.dims() == *d && c.dtype() == DType::kBool) {
      const bool* pc = c.data<bool>();
      parallel_for((out.numel() + 4095) / 4096, 4, [&](int64_t b) {
        const int64_t end = std::min(out.numel(), (b + 1) * 4096);
        for (int64_t i = b * 4096; i < end; ++i)
          std::memcpy(po + i * static_cast<int64_t>(es),
                      (pc[i] ? px : py) + i * static_cast<int64_t>(es), es);
      });
      return {};
    }
    for_each_broadcast(*d,
                       {broadcast_strides(c.dims(), *d), broadcast_strides(x.dims(), *d),
                        broadcast_strides(y.dims(), *d)},
                       [&](int64_t o, const std::vector<int64_t>& off) {
                         const bool take_x = truthy(c, off[0]);
                         std::memcpy(po + o * static_cast<int64_t>(es),
                                     (take_x ? px + off[1] * static_cast<int64_t>(es)
                                             : py + off[2] * static_cast<int64_t>(es)),
                                     es);
                       });
    return {};
  }
};

// ---- where_index / nonzero ------------------------------------------------------------------

Status infer_where_index(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Condition"));
  const TensorMeta& c = ctx.input("Condition");
  ctx.set_dynamic_output("Out", 0, {DType::kInt64, {-1, static_cast<int64_t>(c.dims.size())}});
  return {};
}

class WhereIndex final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& c = ctx.input("Condition");
    std::vector<int64_t> hits;
    for (int64_t i = 0; i < c.numel(); ++i)
      if (truthy(c, i)) hits.push_back(i);
    const int64_t rank = c.rank();
    Tensor& out =
        ctx.allocate("Out", 0, {DType::kInt64, {static_cast<int64_t>(hits.size()), rank}});
    const auto st = strides_of(c.dims());
    for (std::size_t h = 0; h < hits.size(); ++h) {
      int64_t rest = hits[h];
      for (int64_t k = 0; k < rank; ++k) {
        out.data<int64_t>()[static_cast<int64_t>(h) * rank + k] =
            rest / st[static_cast<std::size_t>(k)];
        rest %= st[static_cast<std::size_t>(k)];
      }
    }
    return {};
  }
};

// ---- masked_select --------------------------------------------------------------------------

Status infer_masked_select(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "Mask"));
  if (!broadcast_all({&ctx.input("X").dims, &ctx.input("Mask").dims}).ok())
    return ctx.error(fmt::format("X {} and Mask {} do not broadcast",
                                 dims_to_string(ctx.input("X").dims),
                                 dims_to_string(ctx.input("Mask").dims)));
  ctx.set_dynamic_output("Y", 0, {ctx.input("X").dtype, {-1}});
  return {};
}

class MaskedSelect final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    const Tensor& m = ctx.input("Mask");
    auto d = broadcast_all({&x.dims(), &m.dims()});
    if (!d.ok()) return ctx.error("X and Mask do not broadcast");
    std::vector<int64_t> picked;
    for_each_broadcast(*d, {broadcast_strides(x.dims(), *d), broadcast_strides(m.dims(), *d)},
                       [&](int64_t, const std::vector<int64_t>& off) {
                         if (truthy(m, off[1])) picked.push_back(off[0]);
                       });
    Tensor& out = ctx.allocate("Y", 0, {x.dtype(), {static_cast<int64_t>(picked.size())}});
    const std::size_t es = ir::dtype_size(x.dtype());
    for (std::size_t i = 0; i < picked.size(); ++i)
      std::memcpy(
          static_cast<unsigned char*>(out.raw()) + i * es,
          static_cast<const unsigned char*>(x.raw()) + static_cast<std::size_t>(picked[i]) * es,
          es);
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

void register_select(OpRegistry& r) {
  add(r, "where", infer_where, make<Where>);
  add(r, "where_index", infer_where_index, make<WhereIndex>);
  add(r, "nonzero", infer_where_index, make<WhereIndex>);
  add(r, "masked_select", infer_masked_select, make<MaskedSelect>);
}

}  // namespace detport::runtime::kernels
