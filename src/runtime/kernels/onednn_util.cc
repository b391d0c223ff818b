#include "runtime/kernels/onednn_util.h"

#include "runtime/kernels/unary.h"

namespace detport::runtime::kernels {

dnnl::engine& onednn_engine() {
  static dnnl::engine engine = [] {
    // Plans hold their own primitives; a small cache bounds memory when input sizes vary.
    dnnl::set_primitive_cache_capacity(64);
    return dnnl::engine(dnnl::engine::kind::cpu, 0);
  }();
  return engine;
}

dnnl::stream& onednn_stream() {
  static dnnl::stream stream(onednn_engine());
  return stream;
}

dnnl::memory::format_tag tag_for(Layout layout) {
  return layout == Layout::kNhwc ? dnnl::memory::format_tag::nhwc : dnnl::memory::format_tag::nchw;
}

std::vector<EltwisePostOp> eltwise_for(const ir::Op& op) {
  if (!is_unary(op.type)) return {};
  const UnaryParams p = unary_params(op);
  using A = dnnl::algorithm;
  const float a = static_cast<float>(p.a), b = static_cast<float>(p.b);
  switch (p.kind) {
    case UnaryKind::kRelu:
      return {EltwisePostOp{A::eltwise_relu, 0, 0}};
    case UnaryKind::kLeakyRelu:
      return {EltwisePostOp{A::eltwise_relu, a, 0}};
    case UnaryKind::kRelu6:
      return {EltwisePostOp{A::eltwise_clip_v2, 0, a}};
    case UnaryKind::kClip:
      return {EltwisePostOp{A::eltwise_clip_v2, a, b}};
    case UnaryKind::kElu:
      return {EltwisePostOp{A::eltwise_elu, a, 0}};
    case UnaryKind::kGelu:
      return {EltwisePostOp{A::eltwise_gelu_erf, 0, 0}};
    case UnaryKind::kGeluTanh:
      return {EltwisePostOp{A::eltwise_gelu_tanh, 0, 0}};
    case UnaryKind::kSigmoid:
      return {EltwisePostOp{A::eltwise_logistic, 0, 0}};
    case UnaryKind::kTanh:
      return {EltwisePostOp{A::eltwise_tanh, 0, 0}};
    case UnaryKind::kSwish:
      return {EltwisePostOp{A::eltwise_swish, a, 0}};
    case UnaryKind::kMish:
      // oneDNN's mish has no threshold; Paddle's default 20 changes nothing in float32.
      if (p.a != 20.0) return {};
      return {EltwisePostOp{A::eltwise_mish, 0, 0}};
    case UnaryKind::kHardSwish:
      // oneDNN 2.6: x * relu6(x + 3) / 6, i.e. Paddle's defaults only.
      if (p.a != 6.0 || p.b != 6.0 || p.c != 3.0) return {};
      return {EltwisePostOp{A::eltwise_hardswish, 0, 0}};
    case UnaryKind::kHardSigmoid:  // oneDNN 2.6 has no hardsigmoid: clip(slope * x + offset, 0, 1)
      return {EltwisePostOp{A::eltwise_linear, a, b}, EltwisePostOp{A::eltwise_clip_v2, 0, 1}};
    case UnaryKind::kExp:
      return {EltwisePostOp{A::eltwise_exp, 0, 0}};
    case UnaryKind::kSquare:
      return {EltwisePostOp{A::eltwise_square, 0, 0}};
    case UnaryKind::kAbs:
      return {EltwisePostOp{A::eltwise_abs, 0, 0}};
    case UnaryKind::kSqrt:
      return {EltwisePostOp{A::eltwise_sqrt, 0, 0}};
    case UnaryKind::kScale:
      return {EltwisePostOp{A::eltwise_linear, a, b}};
    case UnaryKind::kPow:
      return {EltwisePostOp{A::eltwise_pow, 1.0f, a}};
    default:
      return {};
  }
}

namespace {

// The other operand of a binary op that consumes `produced`, and whether it is X.
ValueId other_operand(const Node& n, ValueId produced) {
  const ValueId x = n.input_value("X"), y = n.input_value("Y");
  if (x == produced && y != produced) return y;
  if (y == produced && x != produced) return x;
  return kNoValue;
}

bool per_channel(const TensorMeta& m, const TensorMeta& out, int64_t axis) {
  const int64_t c = out.dims.size() >= 2 ? out.dims[1] : -1;
  if (m.numel() != c) return false;
  if (m.dims.size() == 1) return axis == 1;
  return m.dims.size() == 4 && m.dims[0] == 1 && m.dims[2] == 1 && m.dims[3] == 1;
}

}  // namespace

bool fusable_post_op(const Graph& graph, const TensorMeta& out, const ir::Op& op,
                     const Node& fused_node, ValueId produced) {
  if (!eltwise_for(op).empty()) {
    // clip/scale/pow with tensor inputs are not post-ops.
    return fused_node.inputs.size() == 1;
  }
  if (op.type != "elementwise_add" && op.type != "elementwise_mul") return false;
  const ValueId other = other_operand(fused_node, produced);
  if (other == kNoValue) return false;
  const Value& o = graph.value(other);
  if (o.dynamic || o.meta.dtype != DType::kFloat32) return false;
  const TensorMeta& res = graph.value(fused_node.output_value("Out")).meta;
  if (res.dims != out.dims) return false;  // the result must keep the node's shape
  if (o.meta.dims == out.dims) return true;
  return o.constant && per_channel(o.meta, out, op.int_attr("axis", -1));
}

std::vector<int> append_post_ops(const Graph& graph, const Node& node, const TensorMeta& out,
                                 Layout layout, dnnl::post_ops& ops,
                                 std::vector<dnnl::memory::desc>& binary_descs) {
  std::vector<int> binary_index;
  for (const auto& f : node.fused) {
    if (auto e = eltwise_for(f.op); !e.empty()) {
      for (const auto& p : e) ops.append_eltwise(1.0f, p.alg, p.alpha, p.beta);
      binary_index.push_back(-1);
      continue;
    }
    const TensorMeta& m = graph.value(f.extra.at(0)).meta;
    dnnl::memory::dims dims(out.dims.begin(), out.dims.end());
    dnnl::memory::desc desc;
    if (m.dims == out.dims) {
      desc = dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tag_for(layout));
    } else {  // per channel
      dnnl::memory::dims d{1, out.dims[1], 1, 1};
      desc = dnnl::memory::desc(d, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nchw);
    }
    const auto alg =
        f.op.type == "elementwise_add" ? dnnl::algorithm::binary_add : dnnl::algorithm::binary_mul;
    ops.append_binary(alg, desc);
    binary_index.push_back(ops.len() - 1);
    binary_descs.push_back(desc);
  }
  return binary_index;
}

std::string onednn_impl(const char* impl_info) {
  return std::string("onednn:") + impl_info;
}

}  // namespace detport::runtime::kernels
