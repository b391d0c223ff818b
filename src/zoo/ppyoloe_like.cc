#include "zoo/ppyoloe_like.h"

#include <fmt/format.h>

#include <cmath>
#include <random>

#include "ir/builder.h"

namespace detport::zoo {
namespace {

using ir::Attribute;
using ir::DType;
using Dims = std::vector<int64_t>;

// Emits ops with the attributes the 2.x Python layers set (the ppyoloe_plus_p24 export shows the
// non-extra ones; use_cudnn is what a CUDA build sets and exporters from 2.4 on strip).
class Net {
 public:
  explicit Net(ir::ProgramBuilder& b) : b_(b) {}

  std::string conv(const std::string& x, int64_t cin, int64_t cout, int64_t k, int64_t stride,
                   const Dims& out_hw, bool bias = false) {
    const int id = conv_++;
    auto w = b_.random_param(fmt::format("conv2d_{}.w_0", id), {cout, cin, k, k},
                             std::sqrt(2.0f / static_cast<float>(cin * k * k)));
    auto y = b_.temp(fmt::format("conv2d_{}.tmp_0", id), DType::kFloat32,
                     {-1, cout, out_hw[0], out_hw[1]});
    const auto pad = static_cast<int32_t>(k / 2);
    b_.op("conv2d")
        .in("Filter", {w})
        .in("Input", {x})
        .out("Output", {y})
        .attr("data_format", Attribute::str("NCHW"))
        .attr("dilations", Attribute::i32s({1, 1}))
        .attr("groups", Attribute::i32(1))
        .attr("padding_algorithm", Attribute::str("EXPLICIT"))
        .attr("paddings", Attribute::i32s({pad, pad}))
        .attr("strides",
              Attribute::i32s({static_cast<int32_t>(stride), static_cast<int32_t>(stride)}))
        .attr("use_cudnn", Attribute::boolean(true))
        .build();
    if (!bias) return y;
    auto bv = b_.random_param(fmt::format("conv2d_{}.b_0", id), {cout}, 0.01f);
    auto r = reshape(bv, {1, static_cast<int32_t>(cout), 1, 1}, {1, cout, 1, 1}, {cout});
    return binary("elementwise_add", y, r, {-1, cout, out_hw[0], out_hw[1]});
  }

  std::string batch_norm(const std::string& x, int64_t c, const Dims& hw) {
    const int id = bn_++;
    auto scale = b_.random_param(fmt::format("batch_norm2d_{}.w_0", id), {c}, 0.1f, 1.0f);
    auto bias = b_.random_param(fmt::format("batch_norm2d_{}.b_0", id), {c}, 0.1f);
    auto mean = b_.random_param(fmt::format("batch_norm2d_{}.w_1", id), {c}, 0.1f);
    std::uniform_real_distribution<float> positive(0.5f, 1.5f);
    std::vector<float> var(static_cast<std::size_t>(c));
    for (float& v : var) v = positive(b_.rng());
    auto variance = b_.param(fmt::format("batch_norm2d_{}.w_2", id),
                             ir::Tensor::from_values(DType::kFloat32, {c}, var));
    auto y =
        b_.temp(fmt::format("batch_norm_{}.tmp_2", id), DType::kFloat32, {-1, c, hw[0], hw[1]});
    auto sm = b_.temp(fmt::format("batch_norm_{}.tmp_0", id), DType::kFloat32, {c});
    auto sv = b_.temp(fmt::format("batch_norm_{}.tmp_1", id), DType::kFloat32, {c});
    b_.op("batch_norm")
        .in("Bias", {bias})
        .in("Mean", {mean})
        .in("Scale", {scale})
        .in("Variance", {variance})
        .in("X", {x})
        .out("MeanOut", {mean})
        .out("SavedMean", {sm})
        .out("SavedVariance", {sv})
        .out("VarianceOut", {variance})
        .out("Y", {y})
        .attr("data_layout", Attribute::str("NCHW"))
        .attr("epsilon", Attribute::f32(1e-5f))
        .attr("is_test", Attribute::boolean(true))
        .attr("momentum", Attribute::f32(0.9f))
        .attr("trainable_statistics", Attribute::boolean(false))
        .attr("use_global_stats", Attribute::boolean(true))
        .build();
    return y;
  }

  std::string unary(const std::string& type, const std::string& x, Dims dims,
                    std::vector<ir::NamedAttribute> attrs = {}) {
    auto y = b_.temp(fmt::format("{}_{}.tmp_0", type, unary_++), DType::kFloat32, std::move(dims));
    auto op = b_.op(type);
    op.in("X", {x}).out("Out", {y});
    for (auto& a : attrs) op.attr(a.name, a.value);
    op.build();
    return y;
  }

  std::string swish(const std::string& x, Dims dims) {
    return unary("swish", x, std::move(dims), {{"beta", Attribute::f32(1.0f)}});
  }

  // ConvBNLayer with swish, as PP-YOLOE's CSPRepResNet and neck use it.
  std::string cbs(const std::string& x, int64_t cin, int64_t cout, int64_t k, int64_t stride,
                  const Dims& hw) {
    auto y = conv(x, cin, cout, k, stride, hw);
    y = batch_norm(y, cout, hw);
    return swish(y, {-1, cout, hw[0], hw[1]});
  }

  std::string binary(const std::string& type, const std::string& x, const std::string& y, Dims dims,
                     int axis = -1) {
    auto out =
        b_.temp(fmt::format("{}_{}.tmp_0", type, binary_++), DType::kFloat32, std::move(dims));
    b_.op(type)
        .in("X", {x})
        .in("Y", {y})
        .out("Out", {out})
        .attr("axis", Attribute::i32(axis))
        .build();
    return out;
  }

  std::string reshape(const std::string& x, std::vector<int32_t> shape, Dims out, Dims in) {
    const int id = reshape_++;
    auto r = b_.temp(fmt::format("reshape2_{}.tmp_0", id), DType::kFloat32, std::move(out));
    in.insert(in.begin(), 0);
    auto xs = b_.temp(fmt::format("reshape2_{}.tmp_1", id), DType::kFloat32, std::move(in));
    b_.op("reshape2")
        .in("X", {x})
        .out("Out", {r})
        .out("XShape", {xs})
        .attr("shape", Attribute::i32s(std::move(shape)))
        .build();
    return r;
  }

  // Two outputs (Out, XShape) as transpose2/squeeze2 declare them.
  std::string with_xshape(const std::string& type, const std::string& x, Dims out, Dims in,
                          ir::NamedAttribute attr) {
    const int id = shape_op_++;
    auto y = b_.temp(fmt::format("{}_{}.tmp_0", type, id), DType::kFloat32, std::move(out));
    in.insert(in.begin(), 0);
    auto xs = b_.temp(fmt::format("{}_{}.tmp_1", type, id), DType::kFloat32, std::move(in));
    b_.op(type)
        .in("X", {x})
        .out("Out", {y})
        .out("XShape", {xs})
        .attr(attr.name, attr.value)
        .build();
    return y;
  }

  std::string concat(std::vector<std::string> xs, int axis, Dims dims) {
    auto out = b_.temp(fmt::format("concat_{}.tmp_0", concat_++), DType::kFloat32, std::move(dims));
    b_.op("concat")
        .in("X", std::move(xs))
        .out("Out", {out})
        .attr("axis", Attribute::i32(axis))
        .build();
    return out;
  }

  std::vector<std::string> split(const std::string& x, int axis, std::vector<Dims> dims) {
    const int id = split_++;
    std::vector<std::string> outs;
    for (std::size_t i = 0; i < dims.size(); ++i)
      outs.push_back(b_.temp(fmt::format("split_{}.tmp_{}", id, i), DType::kFloat32, dims[i]));
    b_.op("split")
        .in("X", {x})
        .out("Out", outs)
        .attr("axis", Attribute::i32(axis))
        .attr("mkldnn_data_type", Attribute::str("float32"))
        .attr("num", Attribute::i32(static_cast<int32_t>(dims.size())))
        .attr("sections", Attribute::i32s({}))
        .attr("use_mkldnn", Attribute::boolean(false))
        .build();
    return outs;
  }

  // Effective squeeze-excitation as CSPRepResNet uses it: mean over H, W, a 1x1 conv, hard_sigmoid.
  std::string ese(const std::string& x, int64_t c, const Dims& hw) {
    auto m = unary("reduce_mean", x, {-1, c, 1, 1},
                   {{"dim", Attribute::i32s({2, 3})},
                    {"in_dtype", Attribute::i32(-1)},
                    {"keep_dim", Attribute::boolean(true)},
                    {"out_dtype", Attribute::i32(-1)},
                    {"reduce_all", Attribute::boolean(false)}});
    auto g = conv(m, c, c, 1, 1, {1, 1}, true);
    g = unary("hard_sigmoid", g, {-1, c, 1, 1},
              {{"offset", Attribute::f32(0.5f)}, {"slope", Attribute::f32(0.1666667f)}});
    return binary("elementwise_mul", x, g, {-1, c, hw[0], hw[1]});
  }

  std::string pool(const std::string& x, const std::string& type, int32_t k, bool adaptive,
                   Dims out) {
    return unary("pool2d", x, std::move(out),
                 {{"adaptive", Attribute::boolean(adaptive)},
                  {"ceil_mode", Attribute::boolean(false)},
                  {"data_format", Attribute::str("NCHW")},
                  {"exclusive", Attribute::boolean(true)},
                  {"global_pooling", Attribute::boolean(false)},
                  {"ksize", Attribute::i32s({k, k})},
                  {"padding_algorithm", Attribute::str("EXPLICIT")},
                  {"paddings", Attribute::i32s({adaptive ? 0 : k / 2, adaptive ? 0 : k / 2})},
                  {"pooling_type", Attribute::str(type)},
                  {"strides", Attribute::i32s({1, 1})},
                  {"use_cudnn", Attribute::boolean(true)}});
  }

 private:
  ir::ProgramBuilder& b_;
  int conv_ = 0, bn_ = 0, unary_ = 0, binary_ = 0, reshape_ = 0, shape_op_ = 0, concat_ = 0,
      split_ = 0;
};

}  // namespace

ir::Model ppyoloe_like(const PPYoloEOptions& o) {
  ir::ProgramBuilder b;
  Net net(b);
  const int64_t s = o.input_size, w = o.width, bins = o.reg_max + 1, nc = o.num_classes;
  auto image = b.input("image", DType::kFloat32, {-1, 3, s, s});
  auto scale_factor = b.input("scale_factor", DType::kFloat32, {-1, 2});

  // Backbone: stem, then stages of (stride-2 conv, a RepVGG-style block, ESE) down to stride 32.
  auto x = net.cbs(image, 3, 16, 3, 2, {s / 2, s / 2});
  x = net.cbs(x, 16, 16, 3, 1, {s / 2, s / 2});
  std::vector<std::string> feats;
  int64_t c = 16;
  for (int64_t stride = 4; stride <= 32; stride *= 2) {
    const int64_t co = std::min<int64_t>(c * 2, 64);
    const Dims hw{s / stride, s / stride};
    x = net.cbs(x, c, co, 3, 2, hw);
    auto a = net.batch_norm(net.conv(x, co, co, 3, 1, hw), co, hw);
    auto bb = net.batch_norm(net.conv(x, co, co, 1, 1, hw), co, hw);
    auto y = net.swish(net.binary("elementwise_add", a, bb, {-1, co, hw[0], hw[1]}),
                       {-1, co, hw[0], hw[1]});
    y = net.binary("elementwise_add", x, y, {-1, co, hw[0], hw[1]});
    x = net.ese(y, co, hw);
    c = co;
    if (stride >= 8) feats.push_back(x);
  }
  // Neck: SPP (max pools 5/9/13) on the last level, then top-down with nearest upsampling.
  const int64_t s32 = s / 32;
  auto p5 = net.cbs(feats[2], c, w, 1, 1, {s32, s32});
  {
    std::vector<std::string> spp{p5};
    for (int32_t k : {5, 9, 13}) spp.push_back(net.pool(p5, "max", k, false, {-1, w, s32, s32}));
    p5 = net.cbs(net.concat(spp, 1, {-1, 4 * w, s32, s32}), 4 * w, w, 1, 1, {s32, s32});
  }
  auto up = [&](const std::string& in, int64_t hw) {
    return net.unary("nearest_interp_v2", in, {-1, w, hw, hw},
                     {{"align_corners", Attribute::boolean(false)},
                      {"align_mode", Attribute::i32(0)},
                      {"data_layout", Attribute::str("NCHW")},
                      {"interp_method", Attribute::str("nearest")},
                      {"out_d", Attribute::i32(-1)},
                      {"out_h", Attribute::i32(-1)},
                      {"out_w", Attribute::i32(-1)},
                      {"scale", Attribute::f32s({2.0f, 2.0f})}});
  };
  auto p4 = net.cbs(net.concat({up(p5, s / 16), feats[1]}, 1, {-1, w + c, s / 16, s / 16}), w + c,
                    w, 1, 1, {s / 16, s / 16});
  auto p3 = net.cbs(net.concat({up(p4, s / 8), feats[0]}, 1, {-1, w + c, s / 8, s / 8}), w + c, w,
                    1, 1, {s / 8, s / 8});  // every backbone level has c (64) channels

  // Head (ET-head): ESE with sigmoid gating, class logits, and DFL box bins projected by a fixed
  // conv.
  std::vector<float> proj(static_cast<std::size_t>(bins));
  for (int64_t i = 0; i < bins; ++i) proj[static_cast<std::size_t>(i)] = static_cast<float>(i);
  auto proj_w =
      b.param("proj_conv.w_0", ir::Tensor::from_values(DType::kFloat32, {1, bins, 1, 1}, proj));
  std::vector<std::string> scores, dists;
  std::vector<float> anchors, strides;
  int64_t total = 0;
  for (const auto& [feat, stride] :
       std::vector<std::pair<std::string, int64_t>>{{p3, 8}, {p4, 16}, {p5, 32}}) {
    const int64_t hw = s / stride, n = hw * hw;
    total += n;
    auto avg = net.pool(feat, "avg", 1, true, {-1, w, 1, 1});
    auto gate = net.unary("sigmoid", net.conv(avg, w, w, 1, 1, {1, 1}, true), {-1, w, 1, 1});
    auto h =
        net.cbs(net.binary("elementwise_mul", feat, gate, {-1, w, hw, hw}), w, w, 1, 1, {hw, hw});
    auto cls = net.unary("sigmoid", net.conv(h, w, nc, 3, 1, {hw, hw}, true), {-1, nc, hw, hw});
    scores.push_back(net.reshape(cls, {-1, static_cast<int32_t>(nc), static_cast<int32_t>(n)},
                                 {-1, nc, n}, {-1, nc, hw, hw}));
    auto reg = net.conv(h, w, 4 * bins, 3, 1, {hw, hw}, true);
    reg = net.reshape(reg, {-1, 4, static_cast<int32_t>(bins), static_cast<int32_t>(n)},
                      {-1, 4, bins, n}, {-1, 4 * bins, hw, hw});
    reg = net.with_xshape("transpose2", reg, {-1, bins, 4, n}, {-1, 4, bins, n},
                          {"axis", Attribute::i32s({0, 2, 1, 3})});
    reg = net.unary("softmax", reg, {-1, bins, 4, n},
                    {{"axis", Attribute::i32(1)},
                     {"data_format", Attribute::str("AnyLayout")},
                     {"use_cudnn", Attribute::boolean(true)}});
    auto d = b.temp("", DType::kFloat32, {-1, 1, 4, n}, "conv2d_proj");
    b.op("conv2d")
        .in("Filter", {proj_w})
        .in("Input", {reg})
        .out("Output", {d})
        .attr("data_format", Attribute::str("NCHW"))
        .attr("dilations", Attribute::i32s({1, 1}))
        .attr("groups", Attribute::i32(1))
        .attr("padding_algorithm", Attribute::str("EXPLICIT"))
        .attr("paddings", Attribute::i32s({0, 0}))
        .attr("strides", Attribute::i32s({1, 1}))
        .attr("use_cudnn", Attribute::boolean(true))
        .build();
    d = net.with_xshape("squeeze2", d, {-1, 4, n}, {-1, 1, 4, n}, {"axes", Attribute::i32s({1})});
    dists.push_back(net.with_xshape("transpose2", d, {-1, n, 4}, {-1, 4, n},
                                    {"axis", Attribute::i32s({0, 2, 1})}));
    for (int64_t yy = 0; yy < hw; ++yy)
      for (int64_t xx = 0; xx < hw; ++xx) {
        anchors.push_back((static_cast<float>(xx) + 0.5f) * static_cast<float>(stride));
        anchors.push_back((static_cast<float>(yy) + 0.5f) * static_cast<float>(stride));
        strides.push_back(static_cast<float>(stride));
      }
  }
  auto score = net.concat(scores, -1, {-1, nc, total});
  auto dist = net.concat(dists, 1, {-1, total, 4});
  auto anchor_points =
      b.param("anchor_points", ir::Tensor::from_values(DType::kFloat32, {total, 2}, anchors));
  auto stride_tensor =
      b.param("stride_tensor", ir::Tensor::from_values(DType::kFloat32, {total, 1}, strides));
  dist = net.binary("elementwise_mul", dist, stride_tensor, {-1, total, 4});
  auto lr = net.split(dist, -1, {{-1, total, 2}, {-1, total, 2}});
  auto neg = net.unary("scale", lr[0], {-1, total, 2},
                       {{"bias", Attribute::f32(0)},
                        {"bias_after_scale", Attribute::boolean(true)},
                        {"scale", Attribute::f32(-1)}});
  auto boxes = net.concat({net.binary("elementwise_add", neg, anchor_points, {-1, total, 2}),
                           net.binary("elementwise_add", lr[1], anchor_points, {-1, total, 2})},
                          -1, {-1, total, 4});
  auto sf = net.split(scale_factor, -1, {{-1, 1}, {-1, 1}});
  auto sf4 = net.reshape(net.concat({sf[1], sf[0], sf[1], sf[0]}, -1, {-1, 4}), {-1, 1, 4},
                         {-1, 1, 4}, {-1, 4});
  boxes = net.binary("elementwise_div", boxes, sf4, {-1, total, 4});

  auto bbox = b.temp("multiclass_nms3_0.tmp_0", DType::kFloat32, {-1, 6});
  auto index = b.temp("multiclass_nms3_0.tmp_1", DType::kInt32, {-1, 1});
  auto num = b.temp("multiclass_nms3_0.tmp_2", DType::kInt32, {-1});
  b.op("multiclass_nms3")
      .in("BBoxes", {boxes})
      .in("Scores", {score})
      .out("Index", {index})
      .out("NmsRoisNum", {num})
      .out("Out", {bbox})
      .attr("background_label", Attribute::i32(-1))
      .attr("keep_top_k", Attribute::i32(300))
      .attr("nms_eta", Attribute::f32(1.0f))
      .attr("nms_threshold", Attribute::f32(0.7f))
      .attr("nms_top_k", Attribute::i32(1000))
      .attr("normalized", Attribute::boolean(true))
      .attr("score_threshold", Attribute::f32(0.01f))
      .build();
  b.output(bbox);
  b.output(num);
  ir::Model model = std::move(b).finish(std::nullopt);
  model.meta.deploy = ppyoloe_deploy_config(o);
  return model;
}

ir::DeployConfig ppyoloe_deploy_config(const PPYoloEOptions& o) {
  using json = nlohmann::ordered_json;
  ir::DeployConfig cfg;
  cfg.mode = "paddle";
  cfg.arch = "PPYOLOE";
  cfg.metric = "COCO";
  cfg.min_subgraph_size = 3;
  cfg.draw_threshold = 0.5;
  cfg.use_dynamic_shape = false;
  cfg.preprocess = {
      {"Resize",
       json{{"interp", 2}, {"keep_ratio", false}, {"target_size", {o.input_size, o.input_size}}}},
      {"NormalizeImage", json{{"is_scale", true},
                              {"mean", {0.0, 0.0, 0.0}},
                              {"norm_type", "none"},
                              {"std", {1.0, 1.0, 1.0}}}},
      {"Permute", json::object()}};
  for (int64_t i = 0; i < o.num_classes; ++i) cfg.label_list.push_back(fmt::format("class_{}", i));
  cfg.raw = json{{"mode", cfg.mode},     {"draw_threshold", *cfg.draw_threshold},
                 {"metric", cfg.metric}, {"use_dynamic_shape", false},
                 {"arch", cfg.arch},     {"min_subgraph_size", 3}};
  json pre = json::array();
  for (const auto& t : cfg.preprocess) {
    json item = t.params;
    item["type"] = t.type;
    pre.push_back(item);
  }
  cfg.raw["Preprocess"] = pre;
  cfg.raw["label_list"] = cfg.label_list;
  return cfg;
}

}  // namespace detport::zoo
