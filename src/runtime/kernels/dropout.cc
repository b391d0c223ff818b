// dropout at inference. Paddle's semantics (operators/dropout_op.cc, phi dropout kernel, is_test):
// `upscale_in_train` (legacy attribute dropout_implementation, PIR attribute `mode`) passes X
// through; `downgrade_in_infer` (the legacy default) scales it by (1 - dropout_prob). The
// probability is the attribute `dropout_prob`, or the constant input `p` of PIR programs. A
// training-mode dropout (is_test false) is random and refused. Mask, when declared, is written as
// zeros (uint8): nothing reads it at inference.
#include <cstring>

#include "runtime/kernels/dropout.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

Status infer_dropout(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  if (!ctx.op().bool_attr("is_test", false))
    return ctx.error(
        "training-mode dropout (is_test false) is random; export the model for inference");
  const std::string mode = dropout_mode(ctx.op());
  if (mode != "upscale_in_train" && mode != "downgrade_in_infer")
    return ctx.error(
        fmt::format("dropout mode \"{}\" is not one of upscale_in_train, "
                    "downgrade_in_infer",
                    mode));
  if (mode == "downgrade_in_infer" && ctx.has_input("p") && ctx.constant("p") == nullptr)
    return ctx.error("dropout's probability input p is not a constant");
  const TensorMeta& x = ctx.input("X");
  if (x.dtype != DType::kFloat32)
    return ctx.error(fmt::format("dropout on {} is not supported", ir::var_type_name(x.dtype)));
  ctx.set_output("Out", x);
  if (ctx.has_output("Mask")) ctx.set_output("Mask", TensorMeta{DType::kUInt8, x.dims});
  return {};
}

class Dropout final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    float keep = 1.0f;
    if (dropout_mode(ctx.op()) == "downgrade_in_infer") {
      double p = ctx.op().float_attr("dropout_prob", 0.5);
      if (ctx.has_input("p")) p = ctx.input("p").to_double().at(0);
      keep = static_cast<float>(1.0 - p);
    }
    const float* src = x.data<float>();
    float* dst = out.data<float>();
    const int64_t n = x.numel();
    if (keep == 1.0f) {
      if (dst != src && n > 0) std::memcpy(dst, src, x.bytes());
    } else {
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i] * keep;
    }
    if (ctx.has_output("Mask")) {
      Tensor& mask = ctx.output("Mask");
      if (mask.bytes() > 0) std::memset(mask.raw(), 0, mask.bytes());
    }
    return {};
  }
};

std::unique_ptr<Kernel> make_dropout(const KernelSpec&) {
  return std::make_unique<Dropout>();
}

}  // namespace

void register_dropout(OpRegistry& r) {
  OpDef d;
  d.type = "dropout";
  d.infer = infer_dropout;
  d.reference = make_dropout;
  d.layout_agnostic = true;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
