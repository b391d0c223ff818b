// Binary elementwise ops with Paddle's `axis` broadcasting: elementwise_{add,sub,mul,div,max,min,
// pow,mod,floordiv}, comparisons (equal, less_than, ...) and logical and/or/xor. The reference
// runs on plain tensors; the optimised kernel (parallel, any storage order) also runs on NHWC
// tensors, so channels-last regions pass through residual adds and attention multiplies.
#include <cmath>

#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels {
namespace {

enum class Kind { kArith, kCompare, kLogical };

struct BinaryInfo {
  const char* type;
  Kind kind;
};

constexpr BinaryInfo kBinary[] = {
    {"elementwise_add", Kind::kArith},      {"elementwise_sub", Kind::kArith},
    {"elementwise_mul", Kind::kArith},      {"elementwise_div", Kind::kArith},
    {"elementwise_max", Kind::kArith},      {"elementwise_min", Kind::kArith},
    {"elementwise_pow", Kind::kArith},      {"elementwise_mod", Kind::kArith},
    {"elementwise_floordiv", Kind::kArith}, {"equal", Kind::kCompare},
    {"not_equal", Kind::kCompare},          {"less_than", Kind::kCompare},
    {"less_equal", Kind::kCompare},         {"greater_than", Kind::kCompare},
    {"greater_equal", Kind::kCompare},      {"logical_and", Kind::kLogical},
    {"logical_or", Kind::kLogical},         {"logical_xor", Kind::kLogical},
};

Kind kind_of(const std::string& type) {
  for (const auto& b : kBinary)
    if (type == b.type) return b.kind;
  return Kind::kArith;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  DETPORT_TRY(require_input(ctx, "Y"));
  const TensorMeta& x = ctx.input("X");
  const TensorMeta& y = ctx.input("Y");
  const Kind kind = kind_of(ctx.op().type);
  if (kind == Kind::kArith && x.dtype != y.dtype)
    return ctx.error(
        fmt::format("X is {} but Y is {}", ir::var_type_name(x.dtype), ir::var_type_name(y.dtype)));
  auto b = paddle_broadcast(x.dims, y.dims, ctx.op().int_attr("axis", -1));
  if (!b.ok()) return ctx.error(b.error().message);
  ctx.set_output("Out", {kind == Kind::kArith ? x.dtype : DType::kBool, b->out});
  return {};
}

template <typename T>
T floor_mod(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    T m = std::fmod(a, b);
    return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
  } else {
    if (b == 0) return 0;
    T m = a % b;
    return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
  }
}

template <typename T>
T floor_div(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::floor(a / b);
  } else {
    if (b == 0) return 0;
    T q = a / b;
    return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q;
  }
}

// Runs the op with operands and output stored as given.
template <typename T>
Status run_typed(const std::string& type, const Tensor& x, const Tensor& y, Tensor& out,
                 const Broadcast& b, bool parallel) {
  auto sx = storage_strides(
      b.x, x.rank() == static_cast<int>(b.out.size()) ? x.layout() : Layout::kPlain);
  auto sy = storage_strides(
      b.y, y.rank() == static_cast<int>(b.out.size()) ? y.layout() : Layout::kPlain);
  for (std::size_t i = 0; i < b.out.size(); ++i) {
    if (b.x[i] == 1 && b.out[i] != 1) sx[i] = 0;
    if (b.y[i] == 1 && b.out[i] != 1) sy[i] = 0;
  }
  const auto so = storage_strides(b.out, out.layout());
  const T* px = x.data<T>();
  const T* py = y.data<T>();
  auto arith = [&](auto f) {
    broadcast_apply(b.out, so, px, sx, py, sy, out.data<T>(), f, parallel);
  };
  auto compare = [&](auto f) {
    broadcast_apply(b.out, so, px, sx, py, sy, out.data<bool>(), f, parallel);
  };
  if constexpr (std::is_same_v<T, bool>) {
    if (type == "logical_and")
      compare([](T a, T c) { return a && c; });
    else if (type == "logical_or")
      compare([](T a, T c) { return a || c; });
    else if (type == "logical_xor")
      compare([](T a, T c) { return a != c; });
    else if (type == "equal")
      compare([](T a, T c) { return a == c; });
    else if (type == "not_equal")
      compare([](T a, T c) { return a != c; });
    else
      return make_error(ErrorCode::kInvalidInput, type + " does not take bool operands");
    return {};
  } else {
    if (type == "elementwise_add")
      arith([](T a, T c) { return static_cast<T>(a + c); });
    else if (type == "elementwise_sub")
      arith([](T a, T c) { return static_cast<T>(a - c); });
    else if (type == "elementwise_mul")
      arith([](T a, T c) { return static_cast<T>(a * c); });
    else if (type == "elementwise_div") {
      if constexpr (std::is_integral_v<T>)
        arith([](T a, T c) { return c == 0 ? T(0) : static_cast<T>(a / c); });
      else
        arith([](T a, T c) { return a / c; });
    } else if (type == "elementwise_max")
      arith([](T a, T c) { return a > c ? a : c; });
    else if (type == "elementwise_min")
      arith([](T a, T c) { return a < c ? a : c; });
    else if (type == "elementwise_pow")
      arith([](T a, T c) { return static_cast<T>(std::pow(a, c)); });
    else if (type == "elementwise_mod")
      arith([](T a, T c) { return floor_mod(a, c); });
    else if (type == "elementwise_floordiv")
      arith([](T a, T c) { return floor_div(a, c); });
    else if (type == "equal")
      compare([](T a, T c) { return a == c; });
    else if (type == "not_equal")
      compare([](T a, T c) { return a != c; });
    else if (type == "less_than")
      compare([](T a, T c) { return a < c; });
    else if (type == "less_equal")
      compare([](T a, T c) { return a <= c; });
    else if (type == "greater_than")
      compare([](T a, T c) { return a > c; });
    else if (type == "greater_equal")
      compare([](T a, T c) { return a >= c; });
    else if (type == "logical_and")
      compare([](T a, T c) { return a != 0 && c != 0; });
    else if (type == "logical_or")
      compare([](T a, T c) { return a != 0 || c != 0; });
    else if (type == "logical_xor")
      compare([](T a, T c) { return (a != 0) != (c != 0); });
    return {};
  }
}

Status run(KernelContext& ctx, bool parallel) {
  const Tensor& x = ctx.input("X");
  const Tensor& y = ctx.input("Y");
  Tensor& out = ctx.output("Out");
  auto b = paddle_broadcast(x.dims(), y.dims(), ctx.op().int_attr("axis", -1));
  if (!b.ok()) return ctx.error(b.error().message);
  if (x.dtype() != y.dtype()) return ctx.error("operands of different types");
  switch (x.dtype()) {
    case DType::kFloat32:
      return run_typed<float>(ctx.op().type, x, y, out, *b, parallel);
    case DType::kFloat64:
      return run_typed<double>(ctx.op().type, x, y, out, *b, parallel);
    case DType::kInt32:
      return run_typed<int32_t>(ctx.op().type, x, y, out, *b, parallel);
    case DType::kInt64:
      return run_typed<int64_t>(ctx.op().type, x, y, out, *b, parallel);
    case DType::kBool:
      return run_typed<bool>(ctx.op().type, x, y, out, *b, parallel);
    case DType::kUInt8:
      return run_typed<uint8_t>(ctx.op().type, x, y, out, *b, parallel);
    default:
      return ctx.error(fmt::format("unsupported element type {}", ir::var_type_name(x.dtype())));
  }
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override { return kernels::run(ctx, false); }
};

class Optimized final : public Kernel {
 public:
  Status run(KernelContext& ctx) override { return kernels::run(ctx, true); }
  std::string impl() const override { return "native:broadcast"; }
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec&) {
  return std::make_unique<Optimized>();
}

// Any storage order works; NHWC is worth it when the output is 4-D.
bool nhwc_ok(const KernelSpec& spec) {
  return spec.output("Out").dims.size() == 4;
}

double flops(const KernelSpec& spec) {
  return static_cast<double>(spec.output("Out").numel());
}

}  // namespace

void register_elementwise(OpRegistry& r) {
  for (const auto& b : kBinary) {
    OpDef d;
    d.type = b.type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.nhwc_ok = nhwc_ok;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
