// conv2d_transpose and depthwise_conv2d_transpose (Input [N, Cin, H, W], Filter
// [Cin, Cout/groups, kh, kw], output channels Cout = Filter[1] * groups). Geometry as phi's
// ConvTransposeInferMeta computes it:
//  - paddings 2 ([h, w]) or 4 ([top, bottom, left, right]); SAME pads as a forward conv on the
//    *input* size would (pad_sum = max((ceil(in/s) - 1) * s + k - in, 0)) and resets dilations
//    to 1; VALID pads nothing;
//  - out = (in - 1) * s - pad_before - pad_after + dilation * (k - 1) + 1, replaced by
//    output_size when given (which must lie in [out, out + s)), else plus output_padding
//    (0 <= output_padding < max(s, dilation));
//  - each input pixel scatters Filter-weighted copies to out[ih * s - pad_before + i * dilation].
// data_format NHWC (Paddle's own channels-last) is supported by both kernels. An optional Bias
// (oneDNN fusion passes add one) is added per output channel. The optimised kernel is a oneDNN
// deconvolution on channels-last storage with fused activations/adds as post-ops, like conv2d.
#include "runtime/kernels/conv_shape.h"
#include "runtime/kernels/nn_util.h"
#include "runtime/kernels/onednn_util.h"

namespace detport::runtime::kernels {
namespace {

struct DeconvGeometry {
  bool channel_last = false;
  int64_t n = 0, cin = 0, h = 0, w = 0, cout = 0, groups = 1, kh = 1, kw = 1;
  int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t out_h = 0, out_w = 0;
};

Result<DeconvGeometry> deconv_geometry(const ir::Op& op, const Dims& x, const Dims& f) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  if (x.size() != 4) return bad(fmt::format("Input has dims {}; expected 4-D", dims_to_string(x)));
  if (f.size() != 4) return bad(fmt::format("Filter has dims {}; expected 4-D", dims_to_string(f)));
  DeconvGeometry g;
  auto cl = channel_last_attr(op, "data_format");
  if (!cl.ok()) return cl.error();
  g.channel_last = *cl;
  g.n = x[0];
  g.cin = g.channel_last ? x[3] : x[1];
  g.h = g.channel_last ? x[1] : x[2];
  g.w = g.channel_last ? x[2] : x[3];
  g.groups = std::max<int64_t>(op.int_attr("groups", 1), 1);
  g.kh = f[2], g.kw = f[3];
  g.cout = f[1] * g.groups;
  if (f[0] != g.cin)
    return bad(fmt::format("Input has {} channels but Filter {} expects {}", g.cin,
                           dims_to_string(f), f[0]));
  if (g.cin % g.groups != 0)
    return bad(fmt::format("{} input channels do not split into {} groups", g.cin, g.groups));
  for (const char* a : {"output_size", "output_padding"})
    if (const auto* attr = op.attr(a); attr != nullptr && (attr->kind() == ir::AttrKind::kVar ||
                                                           attr->kind() == ir::AttrKind::kVars))
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("{} given by a tensor is not supported", a));
  const auto strides = op.ints_attr("strides", {1, 1});
  const auto dilations = op.ints_attr("dilations", {1, 1});
  auto pads = op.ints_attr("paddings", {0, 0});
  if (strides.size() != 2 || dilations.size() != 2 || (pads.size() != 2 && pads.size() != 4))
    return bad("strides/dilations need 2 values and paddings 2 or 4");
  if (pads.size() == 2) pads = {pads[0], pads[0], pads[1], pads[1]};
  g.stride_h = strides[0], g.stride_w = strides[1];
  g.dil_h = dilations[0], g.dil_w = dilations[1];
  if (g.stride_h <= 0 || g.stride_w <= 0 || g.dil_h <= 0 || g.dil_w <= 0)
    return bad("strides and dilations must be positive");
  g.pad_top = pads[0], g.pad_bottom = pads[1], g.pad_left = pads[2], g.pad_right = pads[3];
  const std::string algo = op.string_attr("padding_algorithm", "EXPLICIT");
  if (algo == "SAME") {
    g.dil_h = g.dil_w = 1;
    resolve_padding(algo, g.h, g.kh, g.stride_h, 1, g.pad_top, g.pad_bottom);
    resolve_padding(algo, g.w, g.kw, g.stride_w, 1, g.pad_left, g.pad_right);
  } else if (algo == "VALID") {
    g.pad_top = g.pad_bottom = g.pad_left = g.pad_right = 0;
  } else if (algo != "EXPLICIT") {
    return bad(fmt::format("padding_algorithm '{}' is not EXPLICIT, SAME or VALID", algo));
  }
  if (g.pad_top < 0 || g.pad_bottom < 0 || g.pad_left < 0 || g.pad_right < 0)
    return bad("negative paddings");
  const int64_t base[2] = {
      (g.h - 1) * g.stride_h - g.pad_top - g.pad_bottom + g.dil_h * (g.kh - 1) + 1,
      (g.w - 1) * g.stride_w - g.pad_left - g.pad_right + g.dil_w * (g.kw - 1) + 1};
  const int64_t stride[2] = {g.stride_h, g.stride_w}, dil[2] = {g.dil_h, g.dil_w};
  int64_t out[2] = {base[0], base[1]};
  const auto output_size = op.ints_attr("output_size");
  const auto output_padding = op.ints_attr("output_padding");
  if (!output_size.empty()) {
    if (output_size.size() != 2) return bad("output_size needs 2 values");
    for (int i = 0; i < 2; ++i) {
      const int64_t o = output_size[static_cast<std::size_t>(i)];
      if (o < base[i] || o >= base[i] + stride[i])
        return bad(
            fmt::format("output_size {} must lie in [{}, {}) for this input, stride and "
                        "padding",
                        o, base[i], base[i] + stride[i]));
      out[i] = o;
    }
  } else if (!output_padding.empty()) {
    if (output_padding.size() != 2) return bad("output_padding needs 2 values");
    for (int i = 0; i < 2; ++i) {
      const int64_t p = output_padding[static_cast<std::size_t>(i)];
      if (p < 0 || p >= std::max(stride[i], dil[i]))
        return bad(fmt::format("output_padding {} must lie in [0, max(stride, dilation))", p));
      out[i] += p;
    }
  }
  g.out_h = out[0], g.out_w = out[1];
  if (g.out_h <= 0 || g.out_w <= 0)
    return bad(fmt::format("the output size {}x{} is not positive", g.out_h, g.out_w));
  return g;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  DETPORT_TRY(require_input(ctx, "Filter"));
  const TensorMeta& x = ctx.input("Input");
  if (x.dtype != DType::kFloat32 || ctx.input("Filter").dtype != DType::kFloat32)
    return ctx.error("conv2d_transpose takes float32 Input and Filter");
  auto g = deconv_geometry(ctx.op(), x.dims, ctx.input("Filter").dims);
  if (!g.ok()) return ctx.error(g.error().message);
  if (ctx.has_input("Bias") && ctx.input("Bias").numel() != g->cout)
    return ctx.error(
        fmt::format("Bias has {} values; expected {}", ctx.input("Bias").numel(), g->cout));
  ctx.set_output("Output",
                 {x.dtype, image_dims(g->n, g->cout, g->out_h, g->out_w, g->channel_last)});
  return {};
}

// Scatter form of the definition, accumulating in double.
class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("Input");
    const Tensor& f = ctx.input("Filter");
    auto gr = deconv_geometry(ctx.op(), x.dims(), f.dims());
    if (!gr.ok()) return ctx.error(gr.error().message);
    const DeconvGeometry& g = *gr;
    Tensor& y = ctx.output("Output");
    const Image4 in = image_view(x, g.channel_last);
    const Image4 out = image_view(y, g.channel_last);
    const int64_t cig = g.cin / g.groups, cog = g.cout / g.groups;
    std::vector<double> acc(static_cast<std::size_t>(g.n * g.cout * g.out_h * g.out_w), 0.0);
    auto acc_at = [&](int64_t b, int64_t c, int64_t h, int64_t w) -> double& {
      return acc[static_cast<std::size_t>(((b * g.cout + c) * g.out_h + h) * g.out_w + w)];
    };
    const float* px = x.data<float>();
    const float* pf = f.data<float>();
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t ic = 0; ic < g.cin; ++ic) {
        const int64_t grp = ic / cig;
        for (int64_t ih = 0; ih < g.h; ++ih)
          for (int64_t iw = 0; iw < g.w; ++iw) {
            const double v = px[in.at(b, ic, ih, iw)];
            for (int64_t oc = 0; oc < cog; ++oc)
              for (int64_t i = 0; i < g.kh; ++i) {
                const int64_t oh = ih * g.stride_h - g.pad_top + i * g.dil_h;
                if (oh < 0 || oh >= g.out_h) continue;
                for (int64_t j = 0; j < g.kw; ++j) {
                  const int64_t ow = iw * g.stride_w - g.pad_left + j * g.dil_w;
                  if (ow < 0 || ow >= g.out_w) continue;
                  acc_at(b, grp * cog + oc, oh, ow) +=
                      v * pf[((ic * cog + oc) * g.kh + i) * g.kw + j];
                }
              }
          }
      }
    const float* bias = ctx.has_input("Bias") ? ctx.input("Bias").data<float>() : nullptr;
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t c = 0; c < g.cout; ++c)
        for (int64_t h = 0; h < g.out_h; ++h)
          for (int64_t w = 0; w < g.out_w; ++w)
            y.data<float>()[out.at(b, c, h, w)] =
                static_cast<float>(acc_at(b, c, h, w) + (bias != nullptr ? bias[c] : 0.0));
    return {};
  }
};

class OneDnnDeconv final : public Kernel {
 public:
  explicit OneDnnDeconv(const KernelSpec& spec) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    const Node& node = spec.node;
    const Tensor& f = *spec.constant("Filter");
    const DeconvGeometry g = deconv_geometry(node.op, spec.input("Input").dims, f.dims()).value();
    const bool nhwc = g.channel_last || node.layout == Layout::kNhwc;
    const auto data_tag = nhwc ? tag::nhwc : tag::nchw;
    const int64_t cig = g.cin / g.groups, cog = g.cout / g.groups;
    auto src_md = dnnl::memory::desc({g.n, g.cin, g.h, g.w}, dt::f32, data_tag);
    auto dst_md = dnnl::memory::desc({g.n, g.cout, g.out_h, g.out_w}, dt::f32, data_tag);
    // Paddle's filter is [Cin, Cout/groups, kh, kw]: per group "iohw".
    const dnnl::memory::dims w_dims = g.groups > 1
                                          ? dnnl::memory::dims{g.groups, cog, cig, g.kh, g.kw}
                                          : dnnl::memory::dims{g.cout, g.cin, g.kh, g.kw};
    auto w_any = dnnl::memory::desc(w_dims, dt::f32, tag::any);
    auto w_user_md = dnnl::memory::desc(w_dims, dt::f32, g.groups > 1 ? tag::giohw : tag::iohw);
    has_bias_ = node.input_value("Bias") != kNoValue;
    auto b_md = dnnl::memory::desc({g.cout}, dt::f32, tag::x);
    dnnl::post_ops ops;
    std::vector<dnnl::memory::desc> binary;
    const TensorMeta& y = spec.graph.value(node.outputs.at(0).values.at(0)).meta;
    binary_index_ =
        append_post_ops(spec.graph, node, y, nhwc ? Layout::kNhwc : Layout::kPlain, ops, binary);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    // oneDNN's right pads: whatever makes its output size ours (output_size / output_padding).
    const int64_t pr_h = (g.h - 1) * g.stride_h + g.dil_h * (g.kh - 1) + 1 - g.pad_top - g.out_h;
    const int64_t pr_w = (g.w - 1) * g.stride_w + g.dil_w * (g.kw - 1) + 1 - g.pad_left - g.out_w;
    const dnnl::memory::dims strides{g.stride_h, g.stride_w}, dil{g.dil_h - 1, g.dil_w - 1};
    const dnnl::memory::dims pad_l{g.pad_top, g.pad_left}, pad_r{pr_h, pr_w};
    auto desc =
        has_bias_ ? dnnl::deconvolution_forward::desc(
                        dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
                        src_md, w_any, b_md, dst_md, strides, dil, pad_l, pad_r)
                  : dnnl::deconvolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                      dnnl::algorithm::deconvolution_direct, src_md,
                                                      w_any, dst_md, strides, dil, pad_l, pad_r);
    pd_ = dnnl::deconvolution_forward::primitive_desc(desc, attr, onednn_engine());
    prim_ = dnnl::deconvolution_forward(pd_);
    auto w_user = dnnl::memory(w_user_md, onednn_engine(), const_cast<void*>(f.raw()));
    weights_ = dnnl::memory(pd_.weights_desc(), onednn_engine());
    dnnl::reorder(w_user, weights_).execute(onednn_stream(), w_user, weights_);
    onednn_stream().wait();
    if (has_bias_) bias_ = *spec.constant("Bias");
    src_ = dnnl::memory(src_md, onednn_engine(), nullptr);
    dst_ = dnnl::memory(dst_md, onednn_engine(), nullptr);
    bias_mem_ = dnnl::memory(b_md, onednn_engine(), has_bias_ ? bias_.raw() : nullptr);
    for (const auto& d : binary) binary_mem_.emplace_back(d, onednn_engine(), nullptr);
    impl_ = onednn_impl(pd_.impl_info_str()) + (nhwc ? ":nhwc" : ":nchw");
  }

  Status run(KernelContext& ctx) override {
    src_.set_data_handle(const_cast<void*>(ctx.input("Input").raw()));
    dst_.set_data_handle(ctx.output("Output").raw());
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_}};
    if (has_bias_) args.emplace(DNNL_ARG_BIAS, bias_mem_);
    std::size_t b = 0;
    for (std::size_t fi = 0; fi < binary_index_.size(); ++fi) {
      if (binary_index_[fi] < 0) continue;
      binary_mem_[b].set_data_handle(const_cast<void*>(ctx.fused_input(fi, 0).raw()));
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(binary_index_[fi]) | DNNL_ARG_SRC_1,
                   binary_mem_[b]);
      ++b;
    }
    prim_.execute(onednn_stream(), args);
    onednn_stream().wait();
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  dnnl::deconvolution_forward::primitive_desc pd_;
  dnnl::deconvolution_forward prim_;
  dnnl::memory weights_, src_, dst_, bias_mem_;
  std::vector<dnnl::memory> binary_mem_;
  std::vector<int> binary_index_;
  Tensor bias_;
  bool has_bias_ = false;
  std::string impl_;
};

// oneDNN takes this node: constant float weights and right pads it accepts (an output_padding
// beyond pad_after asks for negative ones).
bool supports(const KernelSpec& spec) {
  const Tensor* f = spec.constant("Filter");
  const TensorMeta& x = spec.input("Input");
  if (f == nullptr || f->dtype() != DType::kFloat32 || x.dtype != DType::kFloat32) return false;
  if (spec.node.input_value("Bias") != kNoValue && spec.constant("Bias") == nullptr) return false;
  auto g = deconv_geometry(spec.node.op, x.dims, f->dims());
  if (!g.ok()) return false;
  const int64_t pr_h =
      (g->h - 1) * g->stride_h + g->dil_h * (g->kh - 1) + 1 - g->pad_top - g->out_h;
  const int64_t pr_w =
      (g->w - 1) * g->stride_w + g->dil_w * (g->kw - 1) + 1 - g->pad_left - g->out_w;
  return pr_h >= 0 && pr_w >= 0;
}

bool nhwc_ok(const KernelSpec& spec) {
  return supports(spec) && nhwc_candidate(spec, "data_format", "Input", "Output");
}

bool can_fuse(const KernelSpec& spec, const ir::Op& op, const Graph& graph,
              const Node& fused_node) {
  auto cl = channel_last_attr(spec.node.op, "data_format");
  if (!cl.ok() || *cl) return false;  // post-op descriptors assume NCHW logical dims
  const ValueId out = spec.node.outputs.at(0).values.at(0);
  return fusable_post_op(graph, graph.value(out).meta, op, fused_node, out);
}

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<OneDnnDeconv>(spec);
}

double flops(const KernelSpec& spec) {
  const TensorMeta& x = spec.input("Input");
  const TensorMeta& f = spec.input("Filter");
  return 2.0 * static_cast<double>(x.numel()) *
         static_cast<double>(f.dims[1] * f.dims[2] * f.dims[3]);
}

}  // namespace

void register_conv_transpose(OpRegistry& r) {
  for (const char* type : {"conv2d_transpose", "depthwise_conv2d_transpose"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.supports = supports;
    d.prefers_nhwc = true;
    d.nhwc_ok = nhwc_ok;
    d.flops = flops;
    d.can_fuse = can_fuse;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
