// conv2d / depthwise_conv2d + elementwise_add of a per-channel constant -> one conv with a Bias
// input. Paddle exports a conv with a bias (PP-YOLOE+'s re-parameterised RepVGG convs and its head,
// BlazeFace's heads) as a bias-less conv and an add of `[C]` with axis 1. Fused as a oneDNN binary
// post-op, that add reads a broadcast operand for every output element and keeps some convs off
// oneDNN's brgemm kernels; as the conv's bias it is free.
#include "runtime/passes/passes.h"

namespace detport::runtime::passes {
namespace {

bool is_conv(const Node& n) {
  return !n.removed && (n.op.type == "conv2d" || n.op.type == "depthwise_conv2d") &&
         n.op.string_attr("data_format", "NCHW") != "NHWC";
}

}  // namespace

int fold_conv_bias(Graph& graph) {
  graph.relink();
  int folded = 0;
  for (auto& add : graph.nodes) {
    if (add.removed || add.op.type != "elementwise_add") continue;
    const ValueId x = add.input_value("X"), b = add.input_value("Y");
    const ValueId out = add.output_value("Out");
    if (x == kNoValue || b == kNoValue || out == kNoValue || x == b) continue;
    const Value& xv = graph.value(x);
    if (xv.is_output || xv.consumers.size() != 1 || xv.producer < 0) continue;
    Node& conv = graph.nodes[static_cast<std::size_t>(xv.producer)];
    if (!is_conv(conv) || conv.output_value("Output") != x) continue;
    const ValueId w = conv.input_value("Filter");
    if (w == kNoValue || !graph.value(w).constant) continue;
    const Tensor& filter = *graph.value(w).constant;
    if (filter.dtype() != DType::kFloat32 || filter.rank() != 4) continue;
    const int64_t cout = filter.dim(0);
    // The bias as Paddle exports it: [C] added along axis 1, or [1,C,1,1] (any axis).
    const Value& bv = graph.value(b);
    if (!bv.constant || bv.meta.dtype != DType::kFloat32 || bv.meta.numel() != cout) continue;
    const Dims& bd = bv.meta.dims;
    const bool channel = (bd.size() == 1 && add.op.int_attr("axis", -1) == 1) ||
                         (bd.size() == 4 && bd[0] == 1 && bd[2] == 1 && bd[3] == 1);
    if (!channel) continue;
    // An existing constant bias adds up; a computed one stays a post-op.
    const ValueId old = conv.input_value("Bias");
    if (old != kNoValue && (!graph.value(old).constant || graph.value(old).meta.numel() != cout))
      continue;
    Tensor nb = Tensor::empty(DType::kFloat32, {cout});
    for (int64_t c = 0; c < cout; ++c)
      nb.data<float>()[c] = bv.constant->data<float>()[c] +
                            (old != kNoValue ? graph.value(old).constant->data<float>()[c] : 0.0f);
    const ValueId nbv = graph.add_value(graph.value(w).name + "@bias", nb.meta());
    graph.value(nbv).constant = std::move(nb);
    graph.value(nbv).meta_known = true;
    bool filled = false;  // exports carry an empty `Bias=()` slot: fill it, never add a second
    for (auto& s : conv.inputs)
      if (s.name == "Bias") {
        s.values = {nbv};
        filled = true;
      }
    if (!filled) conv.inputs.push_back({"Bias", {nbv}});
    for (auto& s : conv.outputs)
      if (s.name == "Output") s.values = {out};
    add.removed = true;
    ++folded;
    graph.relink();
  }
  return folded;
}

}  // namespace detport::runtime::passes
