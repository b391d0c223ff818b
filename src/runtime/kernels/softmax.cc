// softmax and log_softmax along `axis` (default -1, negative counts from the end), Paddle's
// definitions: softmax = exp(x - max) / sum(exp(x - max)); log_softmax = x - max - log(sum(...)).
// The reference evaluates each slice in double; the optimised kernel runs slices in parallel in
// float, contiguous rows when the axis is innermost.
#include <cmath>

#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels {
namespace {

struct Slices {
  int64_t outer = 1, axis = 1, inner = 1;
};

Result<Slices> slices_of(const ir::Op& op, const Dims& d) {
  Slices s;
  if (d.empty()) return s;  // a scalar is a slice of one element
  const int rank = static_cast<int>(d.size());
  const int axis = normalize_axis(op.int_attr("axis", -1), rank);
  if (axis < 0)
    return make_error(ErrorCode::kInvalidInput, fmt::format("axis {} is out of range for {}-D X",
                                                            op.int_attr("axis", -1), rank));
  for (int i = 0; i < axis; ++i) s.outer *= d[static_cast<std::size_t>(i)];
  s.axis = d[static_cast<std::size_t>(axis)];
  for (int i = axis + 1; i < rank; ++i) s.inner *= d[static_cast<std::size_t>(i)];
  return s;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64)
    return ctx.error(fmt::format("X is {}; {} takes float32 or float64", ir::var_type_name(x.dtype),
                                 ctx.op().type));
  auto s = slices_of(ctx.op(), x.dims);
  if (!s.ok()) return ctx.error(s.error().message);
  ctx.set_output("Out", x);
  return {};
}

template <typename T>
void reference_slices(const Slices& s, bool log, const T* x, T* y) {
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) {
      const T* px = x + o * s.axis * s.inner + i;
      T* py = y + o * s.axis * s.inner + i;
      double mx = -INFINITY;
      for (int64_t a = 0; a < s.axis; ++a) mx = std::max(mx, static_cast<double>(px[a * s.inner]));
      double sum = 0;
      for (int64_t a = 0; a < s.axis; ++a) sum += std::exp(px[a * s.inner] - mx);
      for (int64_t a = 0; a < s.axis; ++a) {
        const double v = px[a * s.inner] - mx;
        py[a * s.inner] = static_cast<T>(log ? v - std::log(sum) : std::exp(v) / sum);
      }
    }
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    auto s = slices_of(ctx.op(), x.dims());
    if (!s.ok()) return ctx.error(s.error().message);
    const bool log = ctx.op().type == "log_softmax";
    if (x.dtype() == DType::kFloat64)
      reference_slices(*s, log, x.data<double>(), ctx.output("Out").data<double>());
    else
      reference_slices(*s, log, x.data<float>(), ctx.output("Out").data<float>());
    return {};
  }
};

class Optimized final : public Kernel {
 public:
  explicit Optimized(bool log) : log_(log) {}
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    auto s = slices_of(ctx.op(), x.dims());
    if (!s.ok()) return ctx.error(s.error().message);
    const float* px = x.data<float>();
    float* py = ctx.output("Out").data<float>();
    if (s->inner == 1) {
      const int64_t n = s->axis;
      parallel_for(s->outer, 16384 / std::max<int64_t>(n, 1), [&](int64_t o) {
        const float* r = px + o * n;
        float* w = py + o * n;
        float mx = -INFINITY;
        for (int64_t a = 0; a < n; ++a) mx = std::max(mx, r[a]);
        float sum = 0;
        for (int64_t a = 0; a < n; ++a) {
          w[a] = std::exp(r[a] - mx);
          sum += w[a];
        }
        if (log_) {
          const float ls = std::log(sum);
          for (int64_t a = 0; a < n; ++a) w[a] = r[a] - mx - ls;
        } else {
          const float inv = 1.0f / sum;
          for (int64_t a = 0; a < n; ++a) w[a] *= inv;
        }
      });
      return {};
    }
    // Axis not innermost: each task takes one outer index and sweeps the inner dim as vectors.
    const int64_t inner = s->inner, n = s->axis;
    parallel_for(s->outer, 1, [&](int64_t o) {
      const float* base = px + o * n * inner;
      float* out = py + o * n * inner;
      std::vector<float> mx(static_cast<std::size_t>(inner), -INFINITY);
      std::vector<float> sum(static_cast<std::size_t>(inner), 0.0f);
      for (int64_t a = 0; a < n; ++a)
        for (int64_t i = 0; i < inner; ++i)
          mx[static_cast<std::size_t>(i)] =
              std::max(mx[static_cast<std::size_t>(i)], base[a * inner + i]);
      for (int64_t a = 0; a < n; ++a)
        for (int64_t i = 0; i < inner; ++i) {
          const float e = std::exp(base[a * inner + i] - mx[static_cast<std::size_t>(i)]);
          out[a * inner + i] = e;
          sum[static_cast<std::size_t>(i)] += e;
        }
      for (int64_t i = 0; i < inner; ++i)
        sum[static_cast<std::size_t>(i)] = log_ ? std::log(sum[static_cast<std::size_t>(i)])
                                                : 1.0f / sum[static_cast<std::size_t>(i)];
      for (int64_t a = 0; a < n; ++a)
        for (int64_t i = 0; i < inner; ++i) {
          const std::size_t k = static_cast<std::size_t>(i);
          out[a * inner + i] =
              log_ ? base[a * inner + i] - mx[k] - sum[k] : out[a * inner + i] * sum[k];
        }
    });
    return {};
  }
  std::string impl() const override { return log_ ? "native:log_softmax" : "native:softmax"; }

 private:
  bool log_;
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<Optimized>(spec.node.op.type == "log_softmax");
}
bool supports(const KernelSpec& spec) {
  return spec.input("X").dtype == DType::kFloat32;
}
double flops(const KernelSpec& spec) {
  return 5.0 * static_cast<double>(spec.output("Out").numel());
}

}  // namespace

void register_softmax(OpRegistry& r) {
  for (const char* type : {"softmax", "log_softmax"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.supports = supports;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
