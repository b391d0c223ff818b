// cast and assign: elementwise copies, so they run on NHWC tensors as they are (layout-agnostic).
// cast converts like C++'s static_cast, as Paddle's CPU kernel does (floats truncate toward zero,
// anything non-zero is true), except that values outside the target's range saturate and NaN
// becomes 0 where static_cast would be undefined.
#include <cstring>

#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

template <typename From, typename To>
To convert(From v) {
  if constexpr (std::is_integral_v<To> && !std::is_same_v<To, bool> &&
                std::is_floating_point_v<From>) {
    return saturate_cast<To>(static_cast<double>(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else {
    return static_cast<To>(v);
  }
}

Status infer_cast(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  TensorMeta m = ctx.input("X");
  const int64_t code = ctx.op().int_attr("out_dtype", -1);
  const DType out = dtype_attr(ctx.op(), "out_dtype", DType::kRaw);
  if (out == DType::kRaw)
    return ctx.error(fmt::format("out_dtype {} is not an element type", code));
  m.dtype = out;
  ctx.set_output("Out", m);
  return {};
}

class Cast final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    const int64_t n = x.numel();
    if (x.dtype() == out.dtype()) {
      if (out.raw() != x.raw() && x.bytes() > 0) std::memcpy(out.raw(), x.raw(), x.bytes());
      return {};
    }
    bool ok = false;
    visit_numeric(x.dtype(), [&]<typename From>() {
      ok = visit_numeric(out.dtype(), [&]<typename To>() {
        const From* src = x.data<From>();
        To* dst = out.data<To>();
        parallel_for((n + 16383) / 16384, 4, [&](int64_t c) {
          const int64_t end = std::min(n, (c + 1) * 16384);
          for (int64_t i = c * 16384; i < end; ++i) dst[i] = convert<From, To>(src[i]);
        });
      });
    });
    if (!ok)
      return ctx.error(fmt::format("cast from {} to {} is not supported",
                                   ir::var_type_name(x.dtype()), ir::var_type_name(out.dtype())));
    return {};
  }
};

Status infer_assign(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  ctx.set_output("Out", ctx.input("X"));
  return {};
}

class Assign final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), x.dims());
    if (out.raw() != x.raw() && x.bytes() > 0) std::memcpy(out.raw(), x.raw(), x.bytes());
    return {};
  }
};

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}

}  // namespace

void register_cast(OpRegistry& r) {
  OpDef cast;
  cast.type = "cast";
  cast.infer = infer_cast;
  cast.reference = make<Cast>;
  cast.layout_agnostic = true;
  r.add(cast);
  for (const char* type : {"assign", "share_data"}) {
    OpDef d;
    d.type = type;
    d.infer = infer_assign;
    d.reference = make<Assign>;
    d.layout_agnostic = true;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
