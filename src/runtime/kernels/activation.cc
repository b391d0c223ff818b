// Unary elementwise ops: activations (relu, relu6, leaky_relu, elu, gelu, sigmoid, logsigmoid,
// hard_sigmoid, hard_swish, swish, silu, mish, softplus, softsign, tanh), math (exp, log, sqrt,
// rsqrt, square, abs, reciprocal, floor, ceil, round, sign, sin, cos, erf), clip, pow, scale and
// logical_not. Semantics and defaults follow Paddle's op makers. All are layout-agnostic; most are
// fused into the preceding convolution as oneDNN post-ops (onednn_util.cc).
#include <cmath>

#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/unary.h"

namespace detport::runtime::kernels {
namespace {

constexpr const char* kUnary[] = {
    "relu",         "relu6",      "leaky_relu", "elu",   "gelu",  "sigmoid",  "logsigmoid",
    "hard_sigmoid", "hard_swish", "swish",      "silu",  "mish",  "softplus", "softsign",
    "tanh",         "exp",        "log",        "log2",  "log10", "sqrt",     "rsqrt",
    "square",       "abs",        "reciprocal", "floor", "ceil",  "round",    "sign",
    "sin",          "cos",        "erf",        "clip",  "pow",   "scale",    "logical_not"};

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  TensorMeta m = ctx.input("X");
  if (ctx.op().type == "logical_not") m.dtype = DType::kBool;
  ctx.set_output("Out", m);
  return {};
}

// Attributes that a tensor input may override (clip's Min/Max, scale's ScaleTensor, pow's
// FactorTensor), read once per run.
UnaryParams params_for(const KernelContext& ctx) {
  UnaryParams p = unary_params(ctx.op());
  auto scalar = [&](const char* slot, double& into) {
    if (ctx.has_input(slot) && ctx.input(slot).numel() > 0)
      into = element_as_double(ctx.input(slot), 0);
  };
  if (ctx.op().type == "clip") {
    scalar("Min", p.a);
    scalar("Max", p.b);
  }
  if (ctx.op().type == "scale") scalar("ScaleTensor", p.a);
  if (ctx.op().type == "pow") scalar("FactorTensor", p.a);
  return p;
}

template <typename T>
void apply(const Tensor& x, Tensor& out, const UnaryParams& p, bool parallel) {
  const T* src = x.data<T>();
  T* dst = out.data<T>();
  const int64_t n = x.numel();
  auto body = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i)
      dst[i] = static_cast<T>(unary_value(p, static_cast<double>(src[i])));
  };
  if (!parallel || n < 65536) {
    body(0, n);
    return;
  }
  const int64_t chunk = 16384;
  const int64_t chunks = (n + chunk - 1) / chunk;
  parallel_for(chunks, 1, [&](int64_t c) { body(c * chunk, std::min(n, (c + 1) * chunk)); });
}

// float: the same formulas in single precision, which the compiler vectorises.
template <>
void apply<float>(const Tensor& x, Tensor& out, const UnaryParams& p, bool parallel) {
  const float* src = x.data<float>();
  float* dst = out.data<float>();
  const int64_t n = x.numel();
  if (!parallel || n < 65536) {
    unary_float(p, src, dst, n);
    return;
  }
  const int64_t chunk = 16384;
  const int64_t chunks = (n + chunk - 1) / chunk;
  parallel_for(chunks, 1, [&](int64_t c) {
    const int64_t i0 = c * chunk;
    unary_float(p, src + i0, dst + i0, std::min(n, i0 + chunk) - i0);
  });
}

Status run(KernelContext& ctx, bool parallel) {
  const Tensor& x = ctx.input("X");
  Tensor& out = ctx.output("Out");
  const UnaryParams p = params_for(ctx);
  if (ctx.op().type == "logical_not") {
    for (int64_t i = 0; i < x.numel(); ++i) out.data<bool>()[i] = element_as_double(x, i) == 0;
    return {};
  }
  switch (x.dtype()) {
    case DType::kFloat32:
      apply<float>(x, out, p, parallel);
      return {};
    case DType::kFloat64:
      apply<double>(x, out, p, parallel);
      return {};
    case DType::kInt32:
      apply<int32_t>(x, out, p, parallel);
      return {};
    case DType::kInt64:
      apply<int64_t>(x, out, p, parallel);
      return {};
    default:
      return ctx.error(fmt::format("unsupported element type {}", ir::var_type_name(x.dtype())));
  }
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    // The reference evaluates every element in double precision, one at a time.
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    const UnaryParams p = params_for(ctx);
    if (ctx.op().type == "logical_not") return kernels::run(ctx, false);
    for (int64_t i = 0; i < x.numel(); ++i) {
      const double v = unary_value(p, element_as_double(x, i));
      switch (out.dtype()) {
        case DType::kFloat32:
          out.data<float>()[i] = static_cast<float>(v);
          break;
        case DType::kFloat64:
          out.data<double>()[i] = v;
          break;
        case DType::kInt32:
          out.data<int32_t>()[i] = static_cast<int32_t>(v);
          break;
        case DType::kInt64:
          out.data<int64_t>()[i] = static_cast<int64_t>(v);
          break;
        default:
          return ctx.error(
              fmt::format("unsupported element type {}", ir::var_type_name(out.dtype())));
      }
    }
    return {};
  }
};

class Optimized final : public Kernel {
 public:
  Status run(KernelContext& ctx) override { return kernels::run(ctx, true); }
  std::string impl() const override { return "native:unary"; }
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec&) {
  return std::make_unique<Optimized>();
}
double flops(const KernelSpec& spec) {
  return static_cast<double>(spec.output("Out").numel());
}

}  // namespace

void register_activation(OpRegistry& r) {
  for (const char* type : kUnary) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.layout_agnostic = true;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
