// conv2d / depthwise_conv2d [+ per-channel bias add] + batch_norm -> one conv with folded weights
// and a Bias input: W' = W * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps).
#include <cmath>

#include "runtime/passes/passes.h"

namespace detport::runtime::passes {
namespace {

bool single_use(const Graph& g, ValueId v) {
  const Value& val = g.value(v);
  return !val.is_output && val.consumers.size() == 1;
}

bool is_conv(const Node& n) {
  return !n.removed && (n.op.type == "conv2d" || n.op.type == "depthwise_conv2d") &&
         n.op.string_attr("data_format", "NCHW") != "NHWC";
}

// A constant holding one value per channel: [C], [1,C,1,1] or [C,1,1].
const Tensor* per_channel(const Graph& g, ValueId v, int64_t channels) {
  const Value& val = g.value(v);
  if (!val.constant || val.meta.dtype != DType::kFloat32 || val.meta.numel() != channels)
    return nullptr;
  return &*val.constant;
}

}  // namespace

int fold_batch_norm(Graph& graph) {
  graph.relink();
  int folded = 0;
  for (auto& bn : graph.nodes) {
    if (bn.removed || bn.op.type != "batch_norm") continue;
    if (bn.op.string_attr("data_layout", "NCHW") != "NCHW") continue;
    // Only running statistics fold into weights; batch statistics depend on the data.
    const bool global_stats =
        (bn.op.bool_attr("is_test", false) && !bn.op.bool_attr("trainable_statistics", false)) ||
        bn.op.bool_attr("use_global_stats", false);
    if (!global_stats) continue;
    // Its other outputs (MeanOut, SavedMean, ...) disappear with it: they must be unused.
    bool side_outputs_used = false;
    for (const auto& slot : bn.outputs)
      if (slot.name != "Y")
        for (ValueId v : slot.values)
          side_outputs_used |= graph.value(v).is_output || !graph.value(v).consumers.empty();
    if (side_outputs_used) continue;
    const ValueId x = bn.input_value("X");
    const ValueId y = bn.output_value("Y");
    if (x == kNoValue || y == kNoValue || !single_use(graph, x)) continue;
    const int producer = graph.value(x).producer;
    if (producer < 0) continue;
    Node* add = nullptr;
    Node* conv = &graph.nodes[static_cast<std::size_t>(producer)];
    if (conv->op.type == "elementwise_add") {
      add = conv;
      const ValueId a = add->input_value("X");
      if (a == kNoValue || !single_use(graph, a) || graph.value(a).producer < 0) continue;
      conv = &graph.nodes[static_cast<std::size_t>(graph.value(a).producer)];
    }
    if (!is_conv(*conv) || conv->input_value("Bias") != kNoValue) continue;
    const ValueId w = conv->input_value("Filter");
    if (w == kNoValue || !graph.value(w).constant || graph.value(w).meta.dtype != DType::kFloat32)
      continue;
    const Tensor& filter = *graph.value(w).constant;
    if (filter.rank() != 4) continue;
    const int64_t cout = filter.dim(0);
    const Tensor* scale = per_channel(graph, bn.input_value("Scale"), cout);
    const Tensor* beta = per_channel(graph, bn.input_value("Bias"), cout);
    const Tensor* mean = per_channel(graph, bn.input_value("Mean"), cout);
    const Tensor* var = per_channel(graph, bn.input_value("Variance"), cout);
    if (!scale || !beta || !mean || !var) continue;
    const Tensor* bias = nullptr;
    if (add != nullptr) {
      const int axis = static_cast<int>(add->op.int_attr("axis", -1));
      const ValueId b = add->input_value("Y");
      const TensorMeta& bm = graph.value(b).meta;
      // The conv bias as Paddle exports it: [C] with axis 1, or [1,C,1,1].
      const bool channel =
          (bm.dims.size() == 1 && axis == 1) ||
          (bm.dims.size() == 4 && bm.dims[0] == 1 && bm.dims[2] == 1 && bm.dims[3] == 1);
      bias = channel ? per_channel(graph, b, cout) : nullptr;
      if (bias == nullptr) continue;
    }
    const double eps = bn.op.float_attr("epsilon", 1e-5);
    Tensor new_w = filter.clone();
    Tensor new_b = Tensor::empty(DType::kFloat32, {cout});
    const int64_t per = filter.numel() / cout;
    for (int64_t c = 0; c < cout; ++c) {
      const double s =
          scale->data<float>()[c] / std::sqrt(static_cast<double>(var->data<float>()[c]) + eps);
      for (int64_t k = 0; k < per; ++k)
        new_w.data<float>()[c * per + k] =
            static_cast<float>(filter.data<float>()[c * per + k] * s);
      const double b0 = bias != nullptr ? bias->data<float>()[c] : 0.0;
      new_b.data<float>()[c] =
          static_cast<float>((b0 - mean->data<float>()[c]) * s + beta->data<float>()[c]);
    }
    const ValueId nw = graph.add_value(graph.value(w).name + "@bn_folded", new_w.meta());
    graph.value(nw).constant = std::move(new_w);
    graph.value(nw).meta_known = true;
    const ValueId nb = graph.add_value(graph.value(w).name + "@bn_bias", new_b.meta());
    graph.value(nb).constant = std::move(new_b);
    graph.value(nb).meta_known = true;
    for (auto& s : conv->inputs)
      if (s.name == "Filter") s.values = {nw};
    // Real exports carry an empty Bias slot (`Bias=()`): fill it rather than add a second slot
    // that kernels looking up "Bias" would never see.
    bool filled = false;
    for (auto& s : conv->inputs)
      if (s.name == "Bias") {
        s.values = {nb};
        filled = true;
      }
    if (!filled) conv->inputs.push_back({"Bias", {nb}});
    for (auto& s : conv->outputs)
      if (s.name == "Output") s.values = {y};
    bn.removed = true;
    if (add != nullptr) add->removed = true;
    ++folded;
    graph.relink();
  }
  return folded;
}

}  // namespace detport::runtime::passes
