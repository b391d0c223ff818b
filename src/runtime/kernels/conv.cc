// conv2d and depthwise_conv2d (Input [N,C,H,W], Filter [M, C/groups, kh, kw], optional Bias [M]
// once batch_norm is folded in). Attributes as Paddle defines them: strides, paddings (2 values, or
// 4 as [top, bottom, left, right]), padding_algorithm EXPLICIT/SAME/VALID, dilations, groups,
// data_format NCHW (NHWC exports are not supported by the optimised kernel). The optimised kernel
// is a oneDNN convolution on channels-last tensors with fused activations and adds as post-ops.
#include "runtime/kernels/conv_shape.h"
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/onednn_util.h"

namespace detport::runtime::kernels {
namespace {

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  DETPORT_TRY(require_input(ctx, "Filter"));
  const TensorMeta& x = ctx.input("Input");
  const TensorMeta& w = ctx.input("Filter");
  if (ctx.op().string_attr("data_format", "NCHW") == "NHWC")
    return ctx.error(
        "data_format NHWC convolutions are not supported (PaddleDetection exports NCHW)");
  auto g = conv_geometry(ctx.op(), x.dims, w.dims);
  if (!g.ok()) return ctx.error(g.error().message);
  ctx.set_output("Output", {x.dtype, {x.dims[0], w.dims[0], g->out_h, g->out_w}});
  return {};
}

// Direct convolution on NCHW: the definition, one output at a time.
class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("Input");
    const Tensor& w = ctx.input("Filter");
    auto g = conv_geometry(ctx.op(), x.dims(), w.dims());
    if (!g.ok()) return ctx.error(g.error().message);
    const Tensor* bias = ctx.has_input("Bias") ? &ctx.input("Bias") : nullptr;
    Tensor& y = ctx.output("Output");
    const int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3);
    const int64_t m = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
    const int64_t groups = g->groups, mg = m / groups;
    const float* px = x.data<float>();
    const float* pw = w.data<float>();
    float* py = y.data<float>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t oc = 0; oc < m; ++oc) {
        const int64_t grp = oc / mg;
        for (int64_t oh = 0; oh < g->out_h; ++oh)
          for (int64_t ow = 0; ow < g->out_w; ++ow) {
            double acc = bias != nullptr ? bias->data<float>()[oc] : 0.0;
            for (int64_t ic = 0; ic < cg; ++ic)
              for (int64_t i = 0; i < kh; ++i) {
                const int64_t ih = oh * g->stride_h - g->pad_top + i * g->dil_h;
                if (ih < 0 || ih >= h) continue;
                for (int64_t j = 0; j < kw; ++j) {
                  const int64_t iw = ow * g->stride_w - g->pad_left + j * g->dil_w;
                  if (iw < 0 || iw >= wd) continue;
                  acc += static_cast<double>(px[((b * c + grp * cg + ic) * h + ih) * wd + iw]) *
                         pw[((oc * cg + ic) * kh + i) * kw + j];
                }
              }
            py[((b * m + oc) * g->out_h + oh) * g->out_w + ow] = static_cast<float>(acc);
          }
      }
    return {};
  }
};

class OneDnnConv final : public Kernel {
 public:
  explicit OneDnnConv(const KernelSpec& spec) {
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    const Node& node = spec.node;
    const TensorMeta& x = spec.input("Input");
    const Tensor& w = *spec.constant("Filter");
    const TensorMeta& y = spec.graph.value(node.outputs.at(0).values.at(0)).meta;
    const ConvGeometry g = conv_geometry(node.op, x.dims, w.dims()).value();
    const Layout layout = node.layout;
    const int64_t groups = g.groups;
    dnnl::memory::dims src_d(x.dims.begin(), x.dims.end());
    dnnl::memory::dims dst_d(y.dims.begin(), y.dims.end());
    dnnl::memory::dims w_d =
        groups > 1 ? dnnl::memory::dims{groups, w.dim(0) / groups, w.dim(1), w.dim(2), w.dim(3)}
                   : dnnl::memory::dims{w.dim(0), w.dim(1), w.dim(2), w.dim(3)};
    auto src_md = dnnl::memory::desc(src_d, dt::f32, tag_for(layout));
    auto dst_md = dnnl::memory::desc(dst_d, dt::f32, tag_for(layout));
    auto w_any = dnnl::memory::desc(w_d, dt::f32, tag::any);
    has_bias_ = spec.node.input_value("Bias") != kNoValue;
    auto b_md = dnnl::memory::desc({w.dim(0)}, dt::f32, tag::x);
    dnnl::post_ops ops;
    std::vector<dnnl::memory::desc> binary;
    binary_index_ = append_post_ops(spec.graph, node, y, layout, ops, binary);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    // oneDNN counts dilation from 0.
    const dnnl::memory::dims strides{g.stride_h, g.stride_w}, dil{g.dil_h - 1, g.dil_w - 1};
    const dnnl::memory::dims pad_l{g.pad_top, g.pad_left}, pad_r{g.pad_bottom, g.pad_right};
    auto desc =
        has_bias_ ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                    dnnl::algorithm::convolution_direct, src_md,
                                                    w_any, b_md, dst_md, strides, dil, pad_l, pad_r)
                  : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                    dnnl::algorithm::convolution_direct, src_md,
                                                    w_any, dst_md, strides, dil, pad_l, pad_r);
    pd_ = dnnl::convolution_forward::primitive_desc(desc, attr, onednn_engine());
    prim_ = dnnl::convolution_forward(pd_);
    // Weights are constant: reorder them once into the layout the primitive wants.
    auto w_user = dnnl::memory({w_d, dt::f32, groups > 1 ? tag::goihw : tag::oihw}, onednn_engine(),
                               const_cast<void*>(w.raw()));
    weights_ = dnnl::memory(pd_.weights_desc(), onednn_engine());
    dnnl::reorder(w_user, weights_).execute(onednn_stream(), w_user, weights_);
    if (has_bias_) bias_ = *spec.constant("Bias");
    onednn_stream().wait();
    src_ = dnnl::memory(src_md, onednn_engine(), nullptr);
    dst_ = dnnl::memory(dst_md, onednn_engine(), nullptr);
    bias_mem_ = dnnl::memory(b_md, onednn_engine(), has_bias_ ? bias_.raw() : nullptr);
    binary_mem_.clear();
    for (const auto& d : binary) binary_mem_.emplace_back(d, onednn_engine(), nullptr);
    impl_ = onednn_impl(pd_.impl_info_str());
  }

  Status run(KernelContext& ctx) override {
    src_.set_data_handle(const_cast<void*>(ctx.input("Input").raw()));
    dst_.set_data_handle(ctx.output("Output").raw());
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, src_}, {DNNL_ARG_WEIGHTS, weights_}, {DNNL_ARG_DST, dst_}};
    if (has_bias_) args.emplace(DNNL_ARG_BIAS, bias_mem_);
    std::size_t b = 0;
    for (std::size_t f = 0; f < binary_index_.size(); ++f) {
      if (binary_index_[f] < 0) continue;
      binary_mem_[b].set_data_handle(const_cast<void*>(ctx.fused_input(f, 0).raw()));
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(binary_index_[f]) | DNNL_ARG_SRC_1,
                   binary_mem_[b]);
      ++b;
    }
    prim_.execute(onednn_stream(), args);
    onednn_stream().wait();
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  dnnl::convolution_forward::primitive_desc pd_;
  dnnl::convolution_forward prim_;
  dnnl::memory weights_, src_, dst_, bias_mem_;
  std::vector<dnnl::memory> binary_mem_;
  std::vector<int> binary_index_;
  Tensor bias_;
  bool has_bias_ = false;
  std::string impl_;
};

bool supports(const KernelSpec& spec) {
  const Tensor* w = spec.constant("Filter");
  const TensorMeta& x = spec.input("Input");
  if (w == nullptr || w->dtype() != DType::kFloat32 || x.dtype != DType::kFloat32 || w->rank() != 4)
    return false;
  if (spec.node.input_value("Bias") != kNoValue && spec.constant("Bias") == nullptr) return false;
  return conv_geometry(spec.node.op, x.dims, w->dims()).ok();
}

bool can_fuse(const KernelSpec& spec, const ir::Op& op, const Graph& graph,
              const Node& fused_node) {
  const ValueId out = spec.node.outputs.at(0).values.at(0);
  return fusable_post_op(graph, graph.value(out).meta, op, fused_node, out);
}

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<OneDnnConv>(spec);
}

double flops(const KernelSpec& spec) {
  const TensorMeta& w = spec.input("Filter");
  const TensorMeta& y = spec.output("Output");
  return 2.0 * static_cast<double>(y.numel()) *
         static_cast<double>(w.dims[1] * w.dims[2] * w.dims[3]);
}

}  // namespace

void register_conv(OpRegistry& r) {
  for (const char* type : {"conv2d", "depthwise_conv2d"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.supports = supports;
    d.prefers_nhwc = true;
    d.nhwc_ok = supports;
    d.flops = flops;
    d.can_fuse = can_fuse;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
