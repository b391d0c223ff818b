// box_coder: encodes boxes against priors or decodes offsets into boxes (SSD, RCNN heads).
//
// Paddle's definition (paddle/phi/kernels/cpu/box_coder_kernel.cc): with `off` = 0 for
// box_normalized and 1 for pixel boxes, a prior p has width pw = p2 - p0 + off, height
// ph = p3 - p1 + off and center (p0 + pw/2, p1 + ph/2).
//  - encode_center_size: TargetBox [N, 4], PriorBox [M, 4] -> Out [N, M, 4] =
//    ((tcx - pcx) / pw, (tcy - pcy) / ph, log|tw / pw|, log|th / ph|) / variance, where
//    tc = (t0 + t2) / 2, tw = t2 - t0 + off; the variance is PriorBoxVar row m, the `variance`
//    attribute, or none.
//  - decode_center_size: TargetBox [N, M, 4] -> Out [N, M, 4]; the prior of (n, m) is row m
//    (axis 0) or row n (axis 1), and so is its PriorBoxVar row: cx = v0 * t0 * pw + pcx,
//    w = exp(v2 * t2) * pw, box = (cx - w/2, cy - h/2, cx + w/2 - off, cy + h/2 - off).
// PriorBoxVar and the `variance` attribute may not both be given.
#include <cmath>

#include "runtime/kernels/detection/detection_util.h"

namespace detport::runtime::kernels {
namespace {

namespace du = detection_util;

struct CoderAttrs {
  bool encode = false;
  bool normalized = true;
  int axis = 0;
  std::vector<float> variance;
};

Result<CoderAttrs> coder_attrs(const ir::Op& op) {
  CoderAttrs a;
  const std::string code = op.string_attr("code_type", "encode_center_size");
  if (code == "encode_center_size")
    a.encode = true;
  else if (code != "decode_center_size")
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("code_type '{}' is not encode_center_size or decode_center_size", code));
  a.normalized = op.bool_attr("box_normalized", true);
  a.axis = static_cast<int>(op.int_attr("axis", 0));
  if (a.axis != 0 && a.axis != 1)
    return make_error(ErrorCode::kInvalidInput, fmt::format("axis must be 0 or 1, got {}", a.axis));
  a.variance = du::floats(op, "variance");
  if (!a.variance.empty() && a.variance.size() != 4)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("attribute 'variance' must hold 4 values, got {}", a.variance.size()));
  return a;
}

// Validates the metas; returns the output dims.
Result<Dims> coder_shape(const CoderAttrs& a, const TensorMeta& prior, const TensorMeta* var,
                         const TensorMeta& target) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  if (!du::is_float_type(prior.dtype) || prior.dtype != target.dtype)
    return bad("PriorBox and TargetBox must have the same float type");
  if (prior.dims.size() != 2 || prior.dims[1] != 4)
    return bad(fmt::format("PriorBox must be [M, 4], got {}", dims_to_string(prior.dims)));
  if (var != nullptr) {
    if (!a.variance.empty())
      return bad("PriorBoxVar and the 'variance' attribute cannot be used together");
    if (var->dims != prior.dims || var->dtype != prior.dtype)
      return bad(fmt::format("PriorBoxVar {} must match PriorBox {}", dims_to_string(var->dims),
                             dims_to_string(prior.dims)));
  }
  if (a.encode) {
    if (target.dims.size() != 2 || target.dims[1] != 4)
      return bad(
          fmt::format("encoding takes TargetBox [N, 4], got {}", dims_to_string(target.dims)));
    return Dims{target.dims[0], prior.dims[0], 4};
  }
  if (target.dims.size() != 3 || target.dims[2] != 4)
    return bad(
        fmt::format("decoding takes TargetBox [N, M, 4], got {}", dims_to_string(target.dims)));
  if (target.dims[a.axis == 0 ? 1 : 0] != prior.dims[0])
    return bad(fmt::format("TargetBox {} does not match PriorBox {} along axis {}",
                           dims_to_string(target.dims), dims_to_string(prior.dims), a.axis));
  return target.dims;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "PriorBox"));
  DETPORT_TRY(require_input(ctx, "TargetBox"));
  auto a = coder_attrs(ctx.op());
  if (!a.ok()) return ctx.error(a.error().message);
  const TensorMeta* var = ctx.has_input("PriorBoxVar") ? &ctx.input("PriorBoxVar") : nullptr;
  auto dims = coder_shape(*a, ctx.input("PriorBox"), var, ctx.input("TargetBox"));
  if (!dims.ok()) return ctx.error(dims.error().message);
  ctx.set_output("OutputBox", {ctx.input("TargetBox").dtype, *dims});
  return {};
}

template <typename T>
void encode(const CoderAttrs& a, const T* prior, const T* var, const T* target, int64_t rows,
            int64_t cols, T* out) {
  const T off = a.normalized ? T(0) : T(1);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const T* p = prior + j * 4;
      const T* t = target + i * 4;
      T* o = out + (i * cols + j) * 4;
      const T pw = p[2] - p[0] + off, ph = p[3] - p[1] + off;
      const T pcx = p[0] + pw / 2, pcy = p[1] + ph / 2;
      const T tcx = (t[2] + t[0]) / 2, tcy = (t[3] + t[1]) / 2;
      const T tw = t[2] - t[0] + off, th = t[3] - t[1] + off;
      o[0] = (tcx - pcx) / pw;
      o[1] = (tcy - pcy) / ph;
      o[2] = std::log(std::fabs(tw / pw));
      o[3] = std::log(std::fabs(th / ph));
      for (int k = 0; k < 4; ++k) {
        if (var != nullptr)
          o[k] /= var[j * 4 + k];
        else if (!a.variance.empty())
          o[k] /= static_cast<T>(a.variance[static_cast<std::size_t>(k)]);
      }
    }
}

template <typename T>
void decode(const CoderAttrs& a, const T* prior, const T* var, const T* target, int64_t rows,
            int64_t cols, T* out) {
  const T off = a.normalized ? T(0) : T(1);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      const int64_t pr = a.axis == 0 ? j : i;
      const T* p = prior + pr * 4;
      const T* t = target + (i * cols + j) * 4;
      T* o = out + (i * cols + j) * 4;
      T v[4] = {1, 1, 1, 1};
      for (int k = 0; k < 4; ++k) {
        if (var != nullptr)
          v[k] = var[pr * 4 + k];
        else if (!a.variance.empty())
          v[k] = static_cast<T>(a.variance[static_cast<std::size_t>(k)]);
      }
      const T pw = p[2] - p[0] + off, ph = p[3] - p[1] + off;
      const T pcx = p[0] + pw / 2, pcy = p[1] + ph / 2;
      const T cx = v[0] * t[0] * pw + pcx;
      const T cy = v[1] * t[1] * ph + pcy;
      const T w = std::exp(v[2] * t[2]) * pw;
      const T h = std::exp(v[3] * t[3]) * ph;
      o[0] = cx - w / 2;
      o[1] = cy - h / 2;
      o[2] = cx + w / 2 - off;
      o[3] = cy + h / 2 - off;
    }
}

class BoxCoder final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    auto a = coder_attrs(ctx.op());
    if (!a.ok()) return ctx.error(a.error().message);
    const Tensor& prior = ctx.input("PriorBox");
    const Tensor& target = ctx.input("TargetBox");
    const Tensor* var = ctx.has_input("PriorBoxVar") ? &ctx.input("PriorBoxVar") : nullptr;
    auto dims =
        coder_shape(*a, prior.meta(), var != nullptr ? &var->meta() : nullptr, target.meta());
    if (!dims.ok()) return ctx.error(dims.error().message);
    Tensor& out = ctx.output("OutputBox");
    return du::dispatch_float(ctx, prior.dtype(), [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* pv = var != nullptr ? var->data<T>() : nullptr;
      const int64_t rows = (*dims)[0], cols = (*dims)[1];
      if (a->encode)
        encode<T>(*a, prior.data<T>(), pv, target.data<T>(), rows, cols, out.data<T>());
      else
        decode<T>(*a, prior.data<T>(), pv, target.data<T>(), rows, cols, out.data<T>());
      return {};
    });
  }
};

std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<BoxCoder>();
}

}  // namespace

void register_detection_box_coder(OpRegistry& r) {
  OpDef d;
  d.type = "box_coder";
  d.infer = infer;
  d.reference = make;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
