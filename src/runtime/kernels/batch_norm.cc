// batch_norm and affine_channel: per-channel affine maps of a tensor whose channel axis is 1
// (data_layout NCHW) or last (NHWC).
//
// batch_norm (phi BatchNormKernel): with global statistics — is_test && !trainable_statistics, or
// use_global_stats — y = (x - Mean) / sqrt(Variance + epsilon) * Scale + Bias, MeanOut and
// VarianceOut are the running statistics unchanged. Otherwise the batch's own statistics
// (mean and biased variance over every axis but the channel) normalise x, SavedMean and
// SavedVariance hold them (the latter as 1 / sqrt(var + epsilon)), and the running statistics
// move by `momentum` (or the MomentumTensor input): r * momentum + batch * (1 - momentum).
// In the global-statistics case Paddle leaves SavedMean/SavedVariance unspecified; we write 0.
// Most batch_norms are folded into the preceding conv (passes/fold_batch_norm.cc); these kernels
// run the rest (after concat, in necks, at the heads).
//
// affine_channel: y = x * Scale[c] + Bias[c].
#include <cmath>

#include "runtime/kernels/nn_util.h"

namespace detport::runtime::kernels {
namespace {

bool is_bn(const ir::Op& op) {
  return op.type == "batch_norm";
}

bool global_stats(const ir::Op& op) {
  return (op.bool_attr("is_test", false) && !op.bool_attr("trainable_statistics", false)) ||
         op.bool_attr("use_global_stats", false);
}

// Channel axis and count of X in the op's data_layout.
Result<int> channel_axis(const ir::Op& op, const Dims& x) {
  auto cl = channel_last_attr(op, "data_layout");
  if (!cl.ok()) return cl.error();
  if (x.size() < 2)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("X has dims {}; expected at least 2-D", dims_to_string(x)));
  return *cl ? static_cast<int>(x.size()) - 1 : 1;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64)
    return ctx.error(
        fmt::format("X is {}; expected float32 or float64", ir::var_type_name(x.dtype)));
  auto axis = channel_axis(ctx.op(), x.dims);
  if (!axis.ok()) return ctx.error(axis.error().message);
  const int64_t c = x.dims[static_cast<std::size_t>(*axis)];
  const bool bn = is_bn(ctx.op());
  if (bn && ctx.op().bool_attr("fuse_with_relu", false))
    return ctx.error(
        "batch_norm with fuse_with_relu=true: only Paddle's oneDNN kernel applies the relu, its "
        "native kernel ignores it; refusing rather than guessing");
  std::vector<const char*> params{"Scale", "Bias"};
  if (bn) params.insert(params.end(), {"Mean", "Variance"});
  for (const char* slot : params) {
    DETPORT_TRY(require_input(ctx, slot));
    const TensorMeta& m = ctx.input(slot);
    if (m.numel() != c || m.dtype != x.dtype)
      return ctx.error(fmt::format("{} is {}; expected {} values of X's type ({} channels)", slot,
                                   meta_to_string(m), c, c));
  }
  ctx.set_output(bn ? "Y" : "Out", x);
  if (bn) {
    for (const char* slot : {"MeanOut", "VarianceOut", "SavedMean", "SavedVariance"})
      if (ctx.has_output(slot)) ctx.set_output(slot, {x.dtype, {c}});
    if (ctx.has_output("ReserveSpace")) ctx.set_output("ReserveSpace", {x.dtype, {0}});
  }
  return {};
}

// X viewed as [outer, C, inner].
struct ChannelView {
  int64_t outer = 1, c = 1, inner = 1;
};

ChannelView channel_view(const Dims& d, int axis) {
  ChannelView v;
  for (int i = 0; i < axis; ++i) v.outer *= d[static_cast<std::size_t>(i)];
  v.c = d[static_cast<std::size_t>(axis)];
  for (std::size_t i = static_cast<std::size_t>(axis) + 1; i < d.size(); ++i) v.inner *= d[i];
  return v;
}

void fill_zero(KernelContext& ctx, const char* slot) {
  if (!ctx.has_output(slot)) return;
  Tensor& t = ctx.output(slot);
  if (t.raw() != nullptr && t.bytes() > 0) std::memset(t.raw(), 0, t.bytes());
}

void copy_to(KernelContext& ctx, const char* slot, const Tensor& from) {
  if (!ctx.has_output(slot)) return;
  Tensor& t = ctx.output(slot);
  if (t.raw() != nullptr && t.raw() != from.raw()) std::memcpy(t.raw(), from.raw(), from.bytes());
}

template <typename T>
Status reference_typed(KernelContext& ctx) {
  const Tensor& x = ctx.input("X");
  auto axis = channel_axis(ctx.op(), x.dims());
  if (!axis.ok()) return ctx.error(axis.error().message);
  const ChannelView v = channel_view(x.dims(), *axis);
  const bool bn = is_bn(ctx.op());
  Tensor& y = ctx.output(bn ? "Y" : "Out");
  const T* px = x.data<T>();
  T* py = y.data<T>();
  const T* scale = ctx.input("Scale").data<T>();
  const T* bias = ctx.input("Bias").data<T>();
  auto at = [&](int64_t o, int64_t c, int64_t i) { return (o * v.c + c) * v.inner + i; };
  if (!bn) {
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t c = 0; c < v.c; ++c)
        for (int64_t i = 0; i < v.inner; ++i)
          py[at(o, c, i)] =
              static_cast<T>(static_cast<double>(px[at(o, c, i)]) * scale[c] + bias[c]);
    return {};
  }
  const double eps = ctx.op().float_attr("epsilon", 1e-5);
  const Tensor& mean_in = ctx.input("Mean");
  const Tensor& var_in = ctx.input("Variance");
  std::vector<double> mean(static_cast<std::size_t>(v.c)), var(static_cast<std::size_t>(v.c));
  const bool global = global_stats(ctx.op());
  for (int64_t c = 0; c < v.c; ++c) {
    if (global) {
      mean[static_cast<std::size_t>(c)] = mean_in.data<T>()[c];
      var[static_cast<std::size_t>(c)] = var_in.data<T>()[c];
      continue;
    }
    double s = 0, ss = 0;
    const double count = static_cast<double>(v.outer * v.inner);
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t i = 0; i < v.inner; ++i) s += px[at(o, c, i)];
    const double m = s / count;
    for (int64_t o = 0; o < v.outer; ++o)
      for (int64_t i = 0; i < v.inner; ++i) ss += (px[at(o, c, i)] - m) * (px[at(o, c, i)] - m);
    mean[static_cast<std::size_t>(c)] = m;
    var[static_cast<std::size_t>(c)] = ss / count;
  }
  for (int64_t o = 0; o < v.outer; ++o)
    for (int64_t c = 0; c < v.c; ++c) {
      const double m = mean[static_cast<std::size_t>(c)];
      const double inv = 1.0 / std::sqrt(var[static_cast<std::size_t>(c)] + eps);
      for (int64_t i = 0; i < v.inner; ++i)
        py[at(o, c, i)] = static_cast<T>((px[at(o, c, i)] - m) * inv * scale[c] + bias[c]);
    }
  if (global) {
    copy_to(ctx, "MeanOut", mean_in);
    copy_to(ctx, "VarianceOut", var_in);
    fill_zero(ctx, "SavedMean");
    fill_zero(ctx, "SavedVariance");
    return {};
  }
  double momentum = ctx.op().float_attr("momentum", 0.9);
  if (ctx.has_input("MomentumTensor")) momentum = element_as_double(ctx.input("MomentumTensor"), 0);
  for (int64_t c = 0; c < v.c; ++c) {
    const std::size_t k = static_cast<std::size_t>(c);
    if (ctx.has_output("MeanOut"))
      ctx.output("MeanOut").data<T>()[c] =
          static_cast<T>(mean_in.data<T>()[c] * momentum + mean[k] * (1 - momentum));
    if (ctx.has_output("VarianceOut"))
      ctx.output("VarianceOut").data<T>()[c] =
          static_cast<T>(var_in.data<T>()[c] * momentum + var[k] * (1 - momentum));
    if (ctx.has_output("SavedMean")) ctx.output("SavedMean").data<T>()[c] = static_cast<T>(mean[k]);
    if (ctx.has_output("SavedVariance"))
      ctx.output("SavedVariance").data<T>()[c] = static_cast<T>(1.0 / std::sqrt(var[k] + eps));
  }
  return {};
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    return ctx.input("X").dtype() == DType::kFloat64 ? reference_typed<double>(ctx)
                                                     : reference_typed<float>(ctx);
  }
};

// y = x * a[c] + b[c] with a, b folded from the parameters; parallel, NCHW or NHWC storage.
class Affine final : public Kernel {
 public:
  explicit Affine(const KernelSpec& spec) {
    const ir::Op& op = spec.node.op;
    bn_ = is_bn(op);
    const Dims& d = spec.input("X").dims;
    const int axis = channel_axis(op, d).value();
    // Inside a channels-last region a 4-D NCHW tensor is stored NHWC: channels innermost.
    const bool stored_nhwc = spec.node.layout == Layout::kNhwc && d.size() == 4 && axis == 1;
    ChannelView v = channel_view(d, axis);
    if (stored_nhwc) v = {d[0] * d[2] * d[3], d[1], 1};
    view_ = v;
    constant_ = spec.constant("Scale") && spec.constant("Bias") &&
                (!bn_ || (spec.constant("Mean") && spec.constant("Variance")));
    impl_ = std::string("native:") + op.type + (stored_nhwc ? ":nhwc" : "");
  }

  Status run(KernelContext& ctx) override {
    if (!constant_ || a_.empty()) fold(ctx);
    const Tensor& x = ctx.input("X");
    Tensor& y = ctx.output(bn_ ? "Y" : "Out");
    const float* px = x.data<float>();
    float* py = y.data<float>();
    const float* a = a_.data();
    const float* b = b_.data();
    const ChannelView v = view_;
    if (v.inner == 1) {
      // Channels innermost: rows of C.
      parallel_for(v.outer, 4096 / std::max<int64_t>(v.c, 1), [&](int64_t o) {
        const float* s = px + o * v.c;
        float* d = py + o * v.c;
        for (int64_t c = 0; c < v.c; ++c) d[c] = s[c] * a[c] + b[c];
      });
    } else {
      parallel_for(v.outer * v.c, 4096 / std::max<int64_t>(v.inner, 1), [&](int64_t plane) {
        const int64_t c = plane % v.c;
        const float* s = px + plane * v.inner;
        float* d = py + plane * v.inner;
        const float ac = a[c], bc = b[c];
        for (int64_t i = 0; i < v.inner; ++i) d[i] = s[i] * ac + bc;
      });
    }
    if (bn_) {
      copy_to(ctx, "MeanOut", ctx.input("Mean"));
      copy_to(ctx, "VarianceOut", ctx.input("Variance"));
      fill_zero(ctx, "SavedMean");
      fill_zero(ctx, "SavedVariance");
    }
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  void fold(const KernelContext& ctx) {
    const int64_t c = view_.c;
    a_.assign(static_cast<std::size_t>(c), 0.0f);
    b_.assign(static_cast<std::size_t>(c), 0.0f);
    const float* scale = ctx.input("Scale").data<float>();
    const float* bias = ctx.input("Bias").data<float>();
    const double eps = ctx.op().float_attr("epsilon", 1e-5);
    for (int64_t i = 0; i < c; ++i) {
      const std::size_t k = static_cast<std::size_t>(i);
      if (!bn_) {
        a_[k] = scale[i];
        b_[k] = bias[i];
        continue;
      }
      const double inv =
          1.0 / std::sqrt(static_cast<double>(ctx.input("Variance").data<float>()[i]) + eps);
      const double ai = scale[i] * inv;
      a_[k] = static_cast<float>(ai);
      b_[k] = static_cast<float>(bias[i] - ctx.input("Mean").data<float>()[i] * ai);
    }
  }

  bool bn_ = false, constant_ = false;
  ChannelView view_;
  std::vector<float> a_, b_;
  std::string impl_;
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<Affine>(spec);
}

bool supports(const KernelSpec& spec) {
  const TensorMeta& x = spec.input("X");
  if (x.dtype != DType::kFloat32 || !channel_axis(spec.node.op, x.dims).ok()) return false;
  return !is_bn(spec.node.op) || global_stats(spec.node.op);
}

bool nhwc_ok(const KernelSpec& spec) {
  return supports(spec) &&
         nhwc_candidate(spec, "data_layout", "X", is_bn(spec.node.op) ? "Y" : "Out");
}

double flops(const KernelSpec& spec) {
  return 2.0 * static_cast<double>(spec.input("X").numel());
}

}  // namespace

void register_batch_norm(OpRegistry& r) {
  for (const char* type : {"batch_norm", "affine_channel"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.supports = supports;
    d.nhwc_ok = nhwc_ok;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
