// pad2d and pad3d: pad the spatial dims of a 4-D / 5-D tensor.
//  - pad2d (fluid pad2d_op.cc): paddings [top, bottom, left, right] (attribute, or the Paddings
//    input), mode constant (pad_value) / reflect / edge, data_format NCHW or NHWC.
//  - pad3d (phi Pad3dKernel): paddings [left, right, top, bottom, front, back] (attribute or the
//    Paddings input), mode constant (value) / reflect / replicate / circular, data_format NCDHW
//    or NDHWC.
// Output index o along a dim maps to input index i = o - pad_before, then: reflect mirrors
// without repeating the edge (-i, or 2 * (in - 1) - i; needs pad < in), edge/replicate clamps,
// circular wraps modulo in; constant writes the pad value outside the input.
// The reference walks every output element; pad2d's optimised kernel copies runs of channels
// (NHWC storage, inside channels-last regions too) or of rows (NCHW), in parallel.
#include <optional>

#include "runtime/kernels/nn_util.h"

namespace detport::runtime::kernels {
namespace {

enum class Mode { kConstant, kReflect, kEdge, kCircular };

struct PadSpec {
  Mode mode = Mode::kConstant;
  double value = 0;
  bool channel_last = false;
  std::vector<int64_t> before, after;  // per logical dim of X (0 for N and C)
};

Result<PadSpec> pad_spec(const ir::Op& op, const Dims& x, const std::vector<int64_t>* input_pads) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  const bool is3d = op.type == "pad3d";
  const std::size_t rank = is3d ? 5 : 4;
  if (x.size() != rank)
    return bad(fmt::format("X has dims {}; {} takes {}-D input", dims_to_string(x), op.type, rank));
  PadSpec p;
  auto cl = channel_last_attr(op, "data_format");
  if (!cl.ok()) return cl.error();
  p.channel_last = *cl;
  const std::string mode = op.string_attr("mode", "constant");
  if (mode == "constant")
    p.mode = Mode::kConstant;
  else if (mode == "reflect")
    p.mode = Mode::kReflect;
  else if (mode == (is3d ? "replicate" : "edge"))
    p.mode = Mode::kEdge;
  else if (is3d && mode == "circular")
    p.mode = Mode::kCircular;
  else
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("{} mode '{}' is not supported", op.type, mode));
  p.value = op.float_attr(is3d ? "value" : "pad_value", 0.0);
  const auto* pa = op.attr("paddings");
  if (input_pads == nullptr && pa != nullptr &&
      (pa->kind() == ir::AttrKind::kVar || pa->kind() == ir::AttrKind::kVars))
    return make_error(ErrorCode::kUnsupported,
                      "paddings given by a tensor attribute are not supported");
  const std::vector<int64_t> pads = input_pads != nullptr ? *input_pads : op.ints_attr("paddings");
  if (pads.size() != 2 * (rank - 2))
    return bad(fmt::format("paddings has {} values; expected {}", pads.size(), 2 * (rank - 2)));
  p.before.assign(rank, 0);
  p.after.assign(rank, 0);
  const std::size_t first = p.channel_last ? 1 : 2;  // first spatial dim
  for (std::size_t s = 0; s < rank - 2; ++s) {
    // pad2d lists dims outermost first (top/bottom = H); pad3d innermost first (left/right = W).
    const std::size_t dim = first + (is3d ? rank - 3 - s : s);
    p.before[dim] = pads[2 * s];
    p.after[dim] = pads[2 * s + 1];
  }
  for (std::size_t d = 0; d < rank; ++d) {
    if (p.before[d] < 0 || p.after[d] < 0) return bad("negative paddings are not supported");
    if (p.mode == Mode::kReflect && (p.before[d] >= x[d] || p.after[d] >= x[d]))
      return bad(
          fmt::format("reflect padding {}/{} needs an input larger than the pads (dim {} is {})",
                      p.before[d], p.after[d], d, x[d]));
  }
  return p;
}

Dims padded_dims(const PadSpec& p, const Dims& x) {
  Dims d = x;
  for (std::size_t i = 0; i < d.size(); ++i) d[i] += p.before[i] + p.after[i];
  return d;
}

// Input index for output index o along a dim of size `in`, or -1 for the constant.
inline int64_t source(Mode mode, int64_t o, int64_t before, int64_t in) {
  int64_t i = o - before;
  if (i >= 0 && i < in) return i;
  switch (mode) {
    case Mode::kConstant:
      return -1;
    case Mode::kReflect:
      i = i < 0 ? -i : 2 * (in - 1) - i;
      return i;
    case Mode::kEdge:
      return i < 0 ? 0 : in - 1;
    case Mode::kCircular:
      return ((i % in) + in) % in;
  }
  return -1;
}

std::optional<std::vector<int64_t>> pads_input(const KernelContext& ctx) {
  if (!ctx.has_input("Paddings")) return std::nullopt;
  return ctx.input("Paddings").to_int64();
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  std::optional<std::vector<int64_t>> pads;
  if (ctx.has_input("Paddings")) {
    const Tensor* t = ctx.constant("Paddings");
    if (t == nullptr) {
      // Sizes come from a tensor computed at run time.
      Dims d = x.dims;
      if (d.size() != (ctx.op().type == "pad3d" ? 5u : 4u))
        return ctx.error(
            fmt::format("X has dims {}; wrong rank for {}", dims_to_string(d), ctx.op().type));
      auto cl_attr = channel_last_attr(ctx.op(), "data_format");
      if (!cl_attr.ok()) return ctx.error(cl_attr.error().message);
      const bool cl = *cl_attr;
      for (std::size_t i = cl ? 1 : 2; i < (cl ? d.size() - 1 : d.size()); ++i) d[i] = -1;
      ctx.set_dynamic_output("Out", 0, {x.dtype, d});
      return {};
    }
    pads = t->to_int64();
  }
  auto p = pad_spec(ctx.op(), x.dims, pads ? &*pads : nullptr);
  if (!p.ok()) return ctx.error(p.error().message);
  ctx.set_output("Out", {x.dtype, padded_dims(*p, x.dims)});
  return {};
}

template <typename T>
void reference_typed(const PadSpec& p, const Tensor& x, Tensor& y) {
  const Dims& xd = x.dims();
  const Dims& yd = y.dims();
  const auto xs = storage_strides(xd, x.layout());
  const auto ys = storage_strides(yd, y.layout());
  const std::size_t rank = yd.size();
  std::vector<int64_t> idx(rank, 0);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  for (int64_t flat = 0; flat < y.numel(); ++flat) {
    int64_t rem = flat, src = 0, dst = 0;
    bool inside = true;
    for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
      const auto u = static_cast<std::size_t>(d);
      idx[u] = rem % yd[u];
      rem /= yd[u];
      const int64_t i = source(p.mode, idx[u], p.before[u], xd[u]);
      if (i < 0) inside = false;
      src += (i < 0 ? 0 : i) * xs[u];
      dst += idx[u] * ys[u];
    }
    py[dst] = inside ? px[src] : static_cast<T>(p.value);
  }
}

Result<PadSpec> spec_at_run_time(KernelContext& ctx, const Tensor& x) {
  auto pads = pads_input(ctx);
  return pad_spec(ctx.op(), x.dims(), pads ? &*pads : nullptr);
}

Tensor& output_for(KernelContext& ctx, const PadSpec& p, const Tensor& x) {
  const Dims dims = padded_dims(p, x.dims());
  Tensor* y = &ctx.output("Out");
  if (y->dims() != dims || y->raw() == nullptr) y = &ctx.allocate("Out", 0, {x.dtype(), dims});
  return *y;
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    auto p = spec_at_run_time(ctx, x);
    if (!p.ok()) return ctx.error(p.error().message);
    Tensor& y = output_for(ctx, *p, x);
    switch (x.dtype()) {
      case DType::kFloat32:
        reference_typed<float>(*p, x, y);
        break;
      case DType::kFloat64:
        reference_typed<double>(*p, x, y);
        break;
      case DType::kInt32:
        reference_typed<int32_t>(*p, x, y);
        break;
      case DType::kInt64:
        reference_typed<int64_t>(*p, x, y);
        break;
      default:
        return ctx.error(fmt::format("unsupported element type {}", ir::var_type_name(x.dtype())));
    }
    return {};
  }
};

// pad2d on float32: whole runs of channels (NHWC) or rows (NCHW) at a time.
class Pad2dFast final : public Kernel {
 public:
  explicit Pad2dFast(bool nhwc) : impl_(nhwc ? "native:pad2d:nhwc" : "native:pad2d:nchw") {}
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    auto pr = spec_at_run_time(ctx, x);
    if (!pr.ok()) return ctx.error(pr.error().message);
    const PadSpec& p = *pr;
    Tensor& y = output_for(ctx, p, x);
    const Image4 in = image_view(x, p.channel_last);
    const Image4 out = image_view(y, p.channel_last);
    const std::size_t hd = p.channel_last ? 1 : 2, wd = hd + 1;
    const float value = static_cast<float>(p.value);
    const float* px = x.data<float>();
    float* py = y.data<float>();
    std::vector<int64_t> src_w(static_cast<std::size_t>(out.w));
    for (int64_t ow = 0; ow < out.w; ++ow)
      src_w[static_cast<std::size_t>(ow)] = source(p.mode, ow, p.before[wd], in.w);
    if (in.sc == 1) {
      parallel_for(out.n * out.h, 1, [&](int64_t row) {
        const int64_t n = row / out.h, oh = row % out.h;
        const int64_t ih = source(p.mode, oh, p.before[hd], in.h);
        for (int64_t ow = 0; ow < out.w; ++ow) {
          float* dst = py + out.at(n, 0, oh, ow);
          const int64_t iw = src_w[static_cast<std::size_t>(ow)];
          if (ih < 0 || iw < 0) {
            std::fill(dst, dst + out.c, value);
          } else {
            const float* src = px + in.at(n, 0, ih, iw);
            std::copy(src, src + in.c, dst);
          }
        }
      });
    } else {
      parallel_for(out.n * out.c, 1, [&](int64_t plane) {
        const int64_t n = plane / out.c, c = plane % out.c;
        for (int64_t oh = 0; oh < out.h; ++oh) {
          const int64_t ih = source(p.mode, oh, p.before[hd], in.h);
          float* dst = py + out.at(n, c, oh, 0);
          if (ih < 0) {
            std::fill(dst, dst + out.w, value);
            continue;
          }
          const float* src = px + in.at(n, c, ih, 0);
          for (int64_t ow = 0; ow < out.w; ++ow) {
            const int64_t iw = src_w[static_cast<std::size_t>(ow)];
            dst[ow] = iw < 0 ? value : src[iw];
          }
        }
      });
    }
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  std::string impl_;
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  const bool cl = is_channel_last(spec.node.op, "data_format");
  return std::make_unique<Pad2dFast>(cl || spec.node.layout == Layout::kNhwc);
}
bool supports(const KernelSpec& spec) {
  return spec.input("X").dtype == DType::kFloat32 && spec.input("X").dims.size() == 4 &&
         !spec.graph.value(spec.node.output_value("Out")).dynamic;
}
bool nhwc_ok(const KernelSpec& spec) {
  return supports(spec) && nhwc_candidate(spec, "data_format", "X", "Out");
}

}  // namespace

void register_pad(OpRegistry& r) {
  OpDef d;
  d.type = "pad2d";
  d.infer = infer;
  d.reference = make_reference;
  d.optimized = make_optimized;
  d.supports = supports;
  d.nhwc_ok = nhwc_ok;
  r.add(d);
  OpDef d3;
  d3.type = "pad3d";
  d3.infer = infer;
  d3.reference = make_reference;
  r.add(d3);
}

}  // namespace detport::runtime::kernels
