// layer_norm, group_norm and instance_norm: normalise groups of elements by their own mean and
// biased variance, y = (x - mean) / sqrt(var + epsilon) * scale + bias (phi kernels).
//  - layer_norm: rows = prod(dims[:begin_norm_axis]), each normalised over the rest; Scale and
//    Bias (optional) hold one value per normalised element; Mean/Variance are [rows].
//  - group_norm: X [N, C, ...] (data_layout NCHW) or [N, ..., C] (NHWC); C split into `groups`
//    contiguous groups; Scale/Bias (optional) per channel; Mean/Variance are [N, groups].
//  - instance_norm: X [N, C, ...]; each (n, c) plane normalised; Scale/Bias (optional) per
//    channel; SavedMean is [N * C] and SavedVariance holds 1 / sqrt(var + epsilon).
// One kernel, in double, one group at a time: these ops are rare in detection exports and
// memory-bound (no optimised kernel).
#include <cmath>

#include "runtime/kernels/nn_util.h"

namespace detport::runtime::kernels {
namespace {

enum class Kind { kLayer, kGroup, kInstance };

Kind kind_of(const ir::Op& op) {
  if (op.type == "layer_norm") return Kind::kLayer;
  if (op.type == "group_norm") return Kind::kGroup;
  return Kind::kInstance;
}

// How X splits into normalisation groups: `groups` sets of `size` elements. Element j of group g
// is at offset(g, j); its scale/bias index is param(g, j) (-1: none).
struct Plan {
  Kind kind = Kind::kLayer;
  int64_t groups = 1, size = 1;
  int64_t n = 1, c = 1, spatial = 1, g = 1;  // group/instance norm
  bool channel_last = false;
  int64_t offset(int64_t grp, int64_t j) const {
    if (kind != Kind::kGroup || !channel_last) return grp * size + j;
    // NHWC group norm: group (b, k) holds channels k*cg .. (k+1)*cg - 1 of every position.
    const int64_t b = grp / g, k = grp % g, cg = c / g;
    const int64_t pos = j / cg, ch = k * cg + j % cg;
    return (b * spatial + pos) * c + ch;
  }
  int64_t param(int64_t grp, int64_t j) const {
    switch (kind) {
      case Kind::kLayer:
        return j;
      case Kind::kInstance:
        return grp % c;
      case Kind::kGroup:
        if (channel_last) return (grp % g) * (c / g) + j % (c / g);
        return (grp % g) * (c / g) + j / spatial;
    }
    return -1;
  }
};

Result<Plan> plan_of(const ir::Op& op, const Dims& d) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  Plan p;
  p.kind = kind_of(op);
  if (p.kind == Kind::kLayer) {
    const int rank = static_cast<int>(d.size());
    const int64_t axis = op.int_attr("begin_norm_axis", 1);
    // LayerNormInferMeta: 0 < begin_norm_axis < rank.
    if (axis < 1 || axis >= rank)
      return bad(
          fmt::format("begin_norm_axis {} is out of range for {}-D X (1 .. rank-1)", axis, rank));
    for (int i = 0; i < axis; ++i) p.groups *= d[static_cast<std::size_t>(i)];
    for (int i = static_cast<int>(axis); i < rank; ++i) p.size *= d[static_cast<std::size_t>(i)];
    return p;
  }
  if (d.size() < 2)
    return bad(fmt::format("X has dims {}; expected at least 2-D", dims_to_string(d)));
  if (p.kind == Kind::kGroup) {
    auto cl = channel_last_attr(op, "data_layout");
    if (!cl.ok()) return cl.error();
    p.channel_last = *cl;
  }
  p.n = d[0];
  p.c = p.channel_last ? d.back() : d[1];
  for (std::size_t i = 1; i < d.size(); ++i)
    if (p.channel_last ? i + 1 < d.size() : i >= 2) p.spatial *= d[i];
  if (p.kind == Kind::kInstance) {
    p.groups = p.n * p.c;
    p.size = p.spatial;
    return p;
  }
  p.g = op.int_attr("groups", 1);
  if (p.g <= 0 || p.c % p.g != 0)
    return bad(fmt::format("{} channels do not split into {} groups", p.c, p.g));
  p.groups = p.n * p.g;
  p.size = p.c / p.g * p.spatial;
  return p;
}

int64_t param_count(const Plan& p) {
  return p.kind == Kind::kLayer ? p.size : p.c;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64)
    return ctx.error(
        fmt::format("X is {}; expected float32 or float64", ir::var_type_name(x.dtype)));
  auto p = plan_of(ctx.op(), x.dims);
  if (!p.ok()) return ctx.error(p.error().message);
  for (const char* slot : {"Scale", "Bias"})
    if (ctx.has_input(slot) && ctx.input(slot).numel() != param_count(*p))
      return ctx.error(fmt::format("{} has {} values; expected {}", slot, ctx.input(slot).numel(),
                                   param_count(*p)));
  ctx.set_output("Y", x);
  switch (p->kind) {
    case Kind::kLayer:
      for (const char* slot : {"Mean", "Variance"})
        if (ctx.has_output(slot)) ctx.set_output(slot, {x.dtype, {p->groups}});
      break;
    case Kind::kGroup:
      for (const char* slot : {"Mean", "Variance"})
        if (ctx.has_output(slot)) ctx.set_output(slot, {x.dtype, {p->n, p->g}});
      break;
    case Kind::kInstance:
      for (const char* slot : {"SavedMean", "SavedVariance"})
        if (ctx.has_output(slot)) ctx.set_output(slot, {x.dtype, {p->groups}});
      break;
  }
  return {};
}

template <typename T>
Status run_typed(KernelContext& ctx) {
  const Tensor& x = ctx.input("X");
  auto plan = plan_of(ctx.op(), x.dims());
  if (!plan.ok()) return ctx.error(plan.error().message);
  const Plan p = *plan;
  const double eps = ctx.op().float_attr("epsilon", 1e-5);
  const T* px = x.data<T>();
  T* py = ctx.output("Y").data<T>();
  const T* scale = ctx.has_input("Scale") ? ctx.input("Scale").data<T>() : nullptr;
  const T* bias = ctx.has_input("Bias") ? ctx.input("Bias").data<T>() : nullptr;
  const bool inst = p.kind == Kind::kInstance;
  T* mean_out = ctx.has_output(inst ? "SavedMean" : "Mean")
                    ? ctx.output(inst ? "SavedMean" : "Mean").data<T>()
                    : nullptr;
  T* var_out = ctx.has_output(inst ? "SavedVariance" : "Variance")
                   ? ctx.output(inst ? "SavedVariance" : "Variance").data<T>()
                   : nullptr;
  auto group = [&](int64_t g) {
    double s = 0;
    for (int64_t j = 0; j < p.size; ++j) s += px[p.offset(g, j)];
    const double mean = s / static_cast<double>(p.size);
    double ss = 0;
    for (int64_t j = 0; j < p.size; ++j) {
      const double d = px[p.offset(g, j)] - mean;
      ss += d * d;
    }
    const double var = ss / static_cast<double>(p.size);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t j = 0; j < p.size; ++j) {
      const int64_t k = p.param(g, j);
      double v = (px[p.offset(g, j)] - mean) * inv;
      if (scale != nullptr) v *= scale[k];
      if (bias != nullptr) v += bias[k];
      py[p.offset(g, j)] = static_cast<T>(v);
    }
    if (mean_out != nullptr) mean_out[g] = static_cast<T>(mean);
    if (var_out != nullptr) var_out[g] = static_cast<T>(inst ? inv : var);
  };
  for (int64_t g = 0; g < p.groups; ++g) group(g);
  return {};
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    return ctx.input("X").dtype() == DType::kFloat64 ? run_typed<double>(ctx)
                                                     : run_typed<float>(ctx);
  }
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
double flops(const KernelSpec& spec) {
  return 6.0 * static_cast<double>(spec.input("X").numel());
}

}  // namespace

void register_norm(OpRegistry& r) {
  for (const char* type : {"layer_norm", "group_norm", "instance_norm"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
