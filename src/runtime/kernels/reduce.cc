// Reductions: reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod, reduce_all,
// reduce_any, mean (everything), logsumexp. `dim` lists the axes (empty, or reduce_all: every
// axis); keep_dim leaves them as 1s; a result with no dims left is 0-D on Paddle 2.5+ and [1]
// before (the declared rank decides). out_dtype, when set, is the result's type. Sums and means
// accumulate in double.
//
// The optimised kernel walks the input in its storage order and accumulates into the outputs, so
// it runs on NHWC tensors too: PP-YOLOE's ESE attention takes the mean over H and W of NHWC
// activations without leaving the channels-last region.
#include <cmath>
#include <limits>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

enum class Op { kSum, kMean, kMax, kMin, kProd, kAll, kAny, kLogSumExp };

Op op_of(const std::string& t) {
  if (t == "reduce_mean" || t == "mean") return Op::kMean;
  if (t == "reduce_max") return Op::kMax;
  if (t == "reduce_min") return Op::kMin;
  if (t == "reduce_prod") return Op::kProd;
  if (t == "reduce_all") return Op::kAll;
  if (t == "reduce_any") return Op::kAny;
  if (t == "logsumexp") return Op::kLogSumExp;
  return Op::kSum;
}

struct Spec {
  std::vector<bool> reduced;  // per input dim
  Dims out;
  DType dtype;
};

template <typename Ctx>
Result<Spec> spec_of(const Ctx& c, const Dims& x, DType xt, bool one_d) {
  const ir::Op& op = c.op();
  const int rank = static_cast<int>(x.size());
  Spec s;
  s.reduced.assign(x.size(), false);
  const auto dims = op.type == "logsumexp" ? op.ints_attr("axis") : op.ints_attr("dim");
  const bool all = op.type == "mean" || op.bool_attr("reduce_all", false) || dims.empty();
  if (all) {
    s.reduced.assign(x.size(), true);
  } else {
    for (int64_t d : dims) {
      DETPORT_ASSIGN(const int k, axis_arg(c, d, rank, "dim entry"));
      s.reduced[static_cast<std::size_t>(k)] = true;
    }
  }
  const bool keep = op.bool_attr(op.type == "logsumexp" ? "keepdim" : "keep_dim", false);
  for (int k = 0; k < rank; ++k) {
    if (!s.reduced[static_cast<std::size_t>(k)])
      s.out.push_back(x[static_cast<std::size_t>(k)]);
    else if (keep)
      s.out.push_back(1);
  }
  if (s.out.empty() && !(keep && rank == 0)) s.out = scalar_dims(one_d);
  const Op o = op_of(op.type);
  s.dtype = (o == Op::kAll || o == Op::kAny) ? DType::kBool : dtype_attr(op, "out_dtype", xt);
  return s;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  DETPORT_ASSIGN(Spec s, spec_of(ctx, x.dims, x.dtype, declared_1d(ctx)));
  ctx.set_output("Out", {s.dtype, s.out});
  return {};
}

// The running value of one output element; add() also merges two partial results (except for
// logsumexp, which the optimised kernel leaves to the reference).
struct Acc {
  Op op;
  double init() const {
    switch (op) {
      case Op::kMax:
        return -std::numeric_limits<double>::infinity();
      case Op::kMin:
        return std::numeric_limits<double>::infinity();
      case Op::kProd:
      case Op::kAll:
        return 1;
      default:
        return 0;
    }
  }
  void add(double& a, double v) const {
    switch (op) {
      case Op::kMax:
        if (v > a || std::isnan(v)) a = v;
        break;
      case Op::kMin:
        if (v < a || std::isnan(v)) a = v;
        break;
      case Op::kProd:
        a *= v;
        break;
      case Op::kAll:
        a = (a != 0 && v != 0) ? 1 : 0;
        break;
      case Op::kAny:
        a = (a != 0 || v != 0) ? 1 : 0;
        break;
      case Op::kLogSumExp:
        a += std::exp(v);
        break;
      default:
        a += v;
    }
  }
  double finish(double a, int64_t n) const {
    if (op == Op::kMean) return a / static_cast<double>(n);
    if (op == Op::kLogSumExp) return std::log(a);
    return a;
  }
};

// logsumexp of large values: subtract the max first (two passes over each lane).
bool needs_max_pass(Op op) {
  return op == Op::kLogSumExp;
}

// Reference: for each output element, every reduced element in order.
class Reference final : public Kernel {
 public:
  explicit Reference(bool one_d) : one_d_(one_d) {}
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(Spec s, spec_of(ctx, x.dims(), x.dtype(), one_d_));
    Tensor& out = output_for(ctx, "Out", 0, s.dtype, s.out);
    const Acc acc{op_of(ctx.op().type)};
    // Kept dims and reduced dims, each with x's strides.
    Dims kept, red;
    std::vector<int64_t> ks, rs;
    const auto xs = strides_of(x.dims());
    for (std::size_t k = 0; k < x.dims().size(); ++k) {
      (s.reduced[k] ? red : kept).push_back(x.dims()[k]);
      (s.reduced[k] ? rs : ks).push_back(xs[k]);
    }
    const int64_t n_out = numel_of(kept), n_red = numel_of(red);
    for (int64_t o = 0; o < n_out; ++o) {
      int64_t base = 0, rest = o;
      for (int k = static_cast<int>(kept.size()) - 1; k >= 0; --k) {
        base += (rest % kept[static_cast<std::size_t>(k)]) * ks[static_cast<std::size_t>(k)];
        rest /= kept[static_cast<std::size_t>(k)];
      }
      auto at = [&](int64_t r) {
        int64_t off = base;
        for (int k = static_cast<int>(red.size()) - 1; k >= 0; --k) {
          off += (r % red[static_cast<std::size_t>(k)]) * rs[static_cast<std::size_t>(k)];
          r /= red[static_cast<std::size_t>(k)];
        }
        return element_as_double(x, off);
      };
      double shift = 0;
      if (needs_max_pass(acc.op)) {
        shift = -std::numeric_limits<double>::infinity();
        for (int64_t r = 0; r < n_red; ++r) shift = std::max(shift, at(r));
        if (!std::isfinite(shift)) shift = 0;
      }
      double a = acc.init();
      for (int64_t r = 0; r < n_red; ++r) acc.add(a, at(r) - shift);
      store_double(out, o, acc.finish(a, n_red) + shift);
    }
    return {};
  }

 private:
  bool one_d_;
};

// Optimised: loops in the input's storage order (largest stride outside), accumulating into a
// double buffer laid out like the output's storage; the outermost loop dim is split over threads
// (with private buffers when it is reduced).
class Optimized final : public Kernel {
 public:
  explicit Optimized(bool one_d) : one_d_(one_d) {}
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    DETPORT_ASSIGN(Spec s, spec_of(ctx, x.dims(), x.dtype(), one_d_));
    Tensor& out = output_for(ctx, "Out", 0, s.dtype, s.out);
    const Acc acc{op_of(ctx.op().type)};
    const auto xs = storage_strides(x.dims(), x.layout());
    // Output strides per input dim (0 for reduced ones), from the output's storage order.
    Dims kept_dims;
    for (std::size_t k = 0; k < x.dims().size(); ++k)
      if (!s.reduced[k]) kept_dims.push_back(x.dims()[k]);
    std::vector<int64_t> kept_strides;
    if (out.rank() == x.rank()) {  // keep_dim: the output's own storage strides
      const auto os = storage_strides(out.dims(), out.layout());
      for (std::size_t k = 0; k < os.size(); ++k)
        if (!s.reduced[k]) kept_strides.push_back(os[k]);
    } else {
      kept_strides = strides_of(kept_dims);
    }
    struct L {
      int64_t size, in, out;
    };
    std::vector<L> loops;
    for (std::size_t k = 0, j = 0; k < x.dims().size(); ++k) {
      const int64_t os = s.reduced[k] ? 0 : kept_strides[j++];
      if (x.dims()[k] != 1) loops.push_back({x.dims()[k], xs[k], os});
    }
    std::stable_sort(loops.begin(), loops.end(),
                     [](const L& a, const L& b) { return a.in > b.in; });
    if (loops.empty()) loops.push_back({1, 1, 0});
    const int64_t n_out = out.numel();
    int64_t n_red = 1;
    for (std::size_t k = 0; k < x.dims().size(); ++k)
      if (s.reduced[k]) n_red *= x.dims()[k];
    if (needs_max_pass(acc.op)) return Reference(one_d_).run(ctx);

    std::vector<double> total(static_cast<std::size_t>(n_out), acc.init());
    const bool ok = visit_numeric(x.dtype(), [&]<typename T>() {
      const T* p = x.data<T>();
      const L outer = loops.front();
      auto walk = [&](int64_t i0, int64_t i1, double* buf) {
        // Odometer over loops[1..], for outer indices [i0, i1).
        const std::size_t nl = loops.size();
        const L inner = loops.back();
        for (int64_t i = i0; i < i1; ++i) {
          std::vector<int64_t> coord(nl, 0);
          coord[0] = i;
          int64_t pi = i * outer.in, po = i * outer.out;
          if (nl == 1) {
            acc.add(buf[po], static_cast<double>(p[pi]));
            continue;
          }
          while (true) {
            const T* src = p + pi;
            double* dst = buf + po;
            if (inner.out == 0) {
              double a = dst[0];
              for (int64_t j = 0; j < inner.size; ++j)
                acc.add(a, static_cast<double>(src[j * inner.in]));
              dst[0] = a;
            } else {
              for (int64_t j = 0; j < inner.size; ++j)
                acc.add(dst[j * inner.out], static_cast<double>(src[j * inner.in]));
            }
            int k = static_cast<int>(nl) - 2;
            for (; k >= 1; --k) {
              const L& lk = loops[static_cast<std::size_t>(k)];
              pi += lk.in;
              po += lk.out;
              if (++coord[static_cast<std::size_t>(k)] < lk.size) break;
              pi -= lk.in * lk.size;
              po -= lk.out * lk.size;
              coord[static_cast<std::size_t>(k)] = 0;
            }
            if (k < 1) break;
          }
        }
      };
      int threads = 1;
#ifdef _OPENMP
      threads = x.numel() >= (1 << 15) ? omp_get_max_threads() : 1;
#endif
      threads = static_cast<int>(std::min<int64_t>(threads, outer.size));
      if (threads <= 1) {
        walk(0, outer.size, total.data());
        return;
      }
      const bool private_bufs = outer.out == 0;
      std::vector<std::vector<double>> bufs(
          private_bufs ? static_cast<std::size_t>(threads) : 0,
          std::vector<double>(private_bufs ? static_cast<std::size_t>(n_out) : 0, acc.init()));
#pragma omp parallel for num_threads(threads) schedule(static)
      for (int t = 0; t < threads; ++t) {
        const int64_t i0 = outer.size * t / threads, i1 = outer.size * (t + 1) / threads;
        walk(i0, i1, private_bufs ? bufs[static_cast<std::size_t>(t)].data() : total.data());
      }
      for (const auto& b : bufs)
        for (std::size_t i = 0; i < total.size(); ++i) acc.add(total[i], b[i]);
    });
    if (!ok) return ctx.error("unsupported element type");
    for (int64_t i = 0; i < n_out; ++i)
      store_double(out, i, acc.finish(total[static_cast<std::size_t>(i)], n_red));
    return {};
  }
  std::string impl() const override {
    return "native:reduce";
  }

 private:
  bool one_d_;
};

std::unique_ptr<Kernel> make_reference(const KernelSpec& spec) {
  return std::make_unique<Reference>(declared_1d(spec));
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<Optimized>(declared_1d(spec));
}

// NHWC input; a kept-dims output is NHWC too, others plain.
bool nhwc_ok(const KernelSpec& spec) {
  return spec.input("X").dims.size() == 4 && op_of(spec.node.op.type) != Op::kLogSumExp;
}

}  // namespace

void register_reduce(OpRegistry& r) {
  for (const char* type : {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
                           "reduce_all", "reduce_any", "mean", "logsumexp"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.nhwc_ok = nhwc_ok;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
