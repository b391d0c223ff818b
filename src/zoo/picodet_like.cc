#include "zoo/picodet_like.h"

#include <fmt/format.h>

#include <cmath>
#include <random>

namespace detport::zoo {
namespace {

using ir::Attribute;
using ir::DType;

// Emits ops the way Paddle 2.5+ exports them: the attribute sets seen in real PicoDet exports.
class Net {
 public:
  explicit Net(ir::ProgramBuilder& b, std::string act) : b_(b), act_(std::move(act)) {}

  std::string conv(const std::string& x, int64_t cin, int64_t cout, int64_t k, int64_t stride,
                   int64_t groups, std::vector<int64_t> hw_out, bool bias = false) {
    const int id = conv_id_++;
    const bool depthwise = groups == cin && groups > 1;
    const float fan_in = static_cast<float>(cin / groups * k * k);
    auto w = b_.random_param(fmt::format("conv2d_{}.w_0", id), {cout, cin / groups, k, k},
                             std::sqrt(2.0f / fan_in));
    auto y = b_.temp(fmt::format("{}_{}.tmp_0", depthwise ? "depthwise_conv2d" : "conv2d", id),
                     DType::kFloat32, {-1, cout, hw_out[0], hw_out[1]});
    b_.op(depthwise ? "depthwise_conv2d" : "conv2d")
        .in("Filter", {w})
        .in("Input", {x})
        .out("Output", {y})
        .attr("data_format", Attribute::str("NCHW"))
        .attr("dilations", Attribute::i32s({1, 1}))
        .attr("groups", Attribute::i32(static_cast<int32_t>(groups)))
        .attr("padding_algorithm", Attribute::str("EXPLICIT"))
        .attr("paddings",
              Attribute::i32s({static_cast<int32_t>(k / 2), static_cast<int32_t>(k / 2)}))
        .attr("strides",
              Attribute::i32s({static_cast<int32_t>(stride), static_cast<int32_t>(stride)}))
        .build();
    if (!bias) return y;
    auto bvec = b_.random_param(fmt::format("conv2d_{}.b_0", id), {cout}, 0.01f);
    return add_channel_bias(y, bvec, cout, hw_out);
  }

  std::string add_channel_bias(const std::string& y, const std::string& bias, int64_t c,
                               std::vector<int64_t> hw) {
    const int id = reshape_id_++;
    auto r = b_.temp(fmt::format("reshape2_{}.tmp_0", id), DType::kFloat32, {1, c, 1, 1});
    auto xs = b_.temp(fmt::format("reshape2_{}.tmp_1", id), DType::kFloat32, {0, c});
    b_.op("reshape2")
        .in("X", {bias})
        .out("Out", {r})
        .out("XShape", {xs})
        .attr("shape", Attribute::i32s({1, static_cast<int32_t>(c), 1, 1}))
        .build();
    return binary("elementwise_add", y, r, {-1, c, hw[0], hw[1]});
  }

  std::string batch_norm(const std::string& x, int64_t c, std::vector<int64_t> hw) {
    const int id = bn_id_++;
    auto scale = b_.random_param(fmt::format("batch_norm2d_{}.w_0", id), {c}, 0.1f, 1.0f);
    auto bias = b_.random_param(fmt::format("batch_norm2d_{}.b_0", id), {c}, 0.1f);
    auto mean = b_.random_param(fmt::format("batch_norm2d_{}.w_1", id), {c}, 0.1f);
    std::uniform_real_distribution<float> positive(0.5f, 1.5f);
    std::vector<float> variances(static_cast<std::size_t>(c));
    for (float& v : variances) v = positive(b_.rng());
    auto var = b_.param(fmt::format("batch_norm2d_{}.w_2", id),
                        ir::Tensor::from_values(DType::kFloat32, {c}, variances));
    auto y =
        b_.temp(fmt::format("batch_norm_{}.tmp_2", id), DType::kFloat32, {-1, c, hw[0], hw[1]});
    auto saved_mean = b_.temp(fmt::format("batch_norm_{}.tmp_0", id), DType::kFloat32, {c});
    auto saved_var = b_.temp(fmt::format("batch_norm_{}.tmp_1", id), DType::kFloat32, {c});
    b_.op("batch_norm")
        .in("Bias", {bias})
        .in("Mean", {mean})
        .in("Scale", {scale})
        .in("Variance", {var})
        .in("X", {x})
        .out("MeanOut", {mean})
        .out("SavedMean", {saved_mean})
        .out("SavedVariance", {saved_var})
        .out("VarianceOut", {var})
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

  std::string act(const std::string& x, std::vector<int64_t> dims, const std::string& type = {}) {
    const std::string t = type.empty() ? act_ : type;
    auto y = b_.temp(fmt::format("{}_{}.tmp_0", t, act_id_++), DType::kFloat32, std::move(dims));
    auto op = b_.op(t);
    op.in("X", {x}).out("Out", {y});
    if (t == "hard_swish")
      op.attr("offset", Attribute::f32(3))
          .attr("scale", Attribute::f32(6))
          .attr("threshold", Attribute::f32(6));
    if (t == "hard_sigmoid")
      op.attr("offset", Attribute::f32(0.5f)).attr("slope", Attribute::f32(0.1666667f));
    if (t == "swish") op.attr("beta", Attribute::f32(1.0f));
    op.build();
    return y;
  }

  std::string cba(const std::string& x, int64_t cin, int64_t cout, int64_t k, int64_t stride,
                  int64_t groups, std::vector<int64_t> hw_out) {
    auto y = conv(x, cin, cout, k, stride, groups, hw_out);
    y = batch_norm(y, cout, hw_out);
    return act(y, {-1, cout, hw_out[0], hw_out[1]});
  }

  std::string binary(const std::string& type, const std::string& x, const std::string& y,
                     std::vector<int64_t> dims, int axis = -1) {
    auto out =
        b_.temp(fmt::format("{}_{}.tmp_0", type, bin_id_++), DType::kFloat32, std::move(dims));
    b_.op(type)
        .in("X", {x})
        .in("Y", {y})
        .out("Out", {out})
        .attr("axis", Attribute::i32(axis))
        .build();
    return out;
  }

  std::string reshape(const std::string& x, std::vector<int32_t> shape,
                      std::vector<int64_t> out_dims, std::vector<int64_t> in_dims) {
    const int id = reshape_id_++;
    auto r = b_.temp(fmt::format("reshape2_{}.tmp_0", id), DType::kFloat32, std::move(out_dims));
    in_dims.insert(in_dims.begin(), 0);
    auto xs = b_.temp(fmt::format("reshape2_{}.tmp_1", id), DType::kFloat32, std::move(in_dims));
    b_.op("reshape2")
        .in("X", {x})
        .out("Out", {r})
        .out("XShape", {xs})
        .attr("shape", Attribute::i32s(std::move(shape)))
        .build();
    return r;
  }

  std::vector<std::string> split(const std::string& x, int axis, std::vector<int32_t> sections,
                                 std::vector<std::vector<int64_t>> dims) {
    const int id = split_id_++;
    std::vector<std::string> outs;
    for (std::size_t i = 0; i < dims.size(); ++i)
      outs.push_back(b_.temp(fmt::format("split_{}.tmp_{}", id, i), DType::kFloat32, dims[i]));
    b_.op("split")
        .in("X", {x})
        .out("Out", outs)
        .attr("axis", Attribute::i32(axis))
        .attr("num", Attribute::i32(sections.empty() ? static_cast<int32_t>(dims.size()) : 0))
        .attr("sections", Attribute::i32s(std::move(sections)))
        .build();
    return outs;
  }

  std::string concat(std::vector<std::string> xs, int axis, std::vector<int64_t> dims) {
    auto out =
        b_.temp(fmt::format("concat_{}.tmp_0", concat_id_++), DType::kFloat32, std::move(dims));
    b_.op("concat")
        .in("X", std::move(xs))
        .out("Out", {out})
        .attr("axis", Attribute::i32(axis))
        .build();
    return out;
  }

  std::string unary(const std::string& type, const std::string& x, std::vector<int64_t> dims,
                    std::vector<ir::NamedAttribute> attrs = {}) {
    auto out =
        b_.temp(fmt::format("{}_{}.tmp_0", type, act_id_++), DType::kFloat32, std::move(dims));
    auto op = b_.op(type);
    op.in("X", {x}).out("Out", {out});
    for (auto& a : attrs) op.attr(a.name, a.value);
    op.build();
    return out;
  }

  ir::ProgramBuilder& builder() { return b_; }

 private:
  ir::ProgramBuilder& b_;
  std::string act_;
  int conv_id_ = 0, bn_id_ = 0, act_id_ = 0, bin_id_ = 0, reshape_id_ = 0, split_id_ = 0,
      concat_id_ = 0;
};

}  // namespace

ir::Model picodet_like(const PicoDetOptions& o) {
  ir::ProgramBuilder b;
  Net net(b, o.activation);
  const int64_t s = o.input_size;
  const int64_t w = o.width;
  const int64_t bins = o.reg_max + 1;
  auto image = b.input("image", DType::kFloat32, {-1, 3, s, s});
  auto scale_factor = b.input("scale_factor", DType::kFloat32, {-1, 2});

  // Backbone: stride 2 stem, then depthwise-separable stages down to stride 32.
  auto x = net.cba(image, 3, 16, 3, 2, 1, {s / 2, s / 2});
  x = net.cba(x, 16, 16, 3, 1, 16, {s / 2, s / 2});
  x = net.cba(x, 16, 32, 1, 1, 1, {s / 2, s / 2});
  x = net.cba(x, 32, 32, 3, 2, 32, {s / 4, s / 4});
  x = net.cba(x, 32, 48, 1, 1, 1, {s / 4, s / 4});
  x = net.cba(x, 48, 48, 3, 2, 48, {s / 8, s / 8});
  auto c3 = net.cba(x, 48, 64, 1, 1, 1, {s / 8, s / 8});
  x = net.cba(c3, 64, 64, 5, 2, 64, {s / 16, s / 16});
  // Squeeze-and-excitation, as in LCNet: global average pool, two 1x1 convs, hard_sigmoid gate.
  {
    auto pooled = net.unary("pool2d", x, {-1, 64, 1, 1},
                            {{"adaptive", Attribute::boolean(true)},
                             {"ceil_mode", Attribute::boolean(false)},
                             {"data_format", Attribute::str("NCHW")},
                             {"exclusive", Attribute::boolean(true)},
                             {"global_pooling", Attribute::boolean(false)},
                             {"ksize", Attribute::i32s({1, 1})},
                             {"padding_algorithm", Attribute::str("EXPLICIT")},
                             {"paddings", Attribute::i32s({0, 0})},
                             {"pooling_type", Attribute::str("avg")},
                             {"strides", Attribute::i32s({1, 1})},
                             {"use_cudnn", Attribute::boolean(false)}});
    auto r = net.conv(pooled, 64, 16, 1, 1, 1, {1, 1}, true);
    r = net.act(r, {-1, 16, 1, 1}, "relu");
    auto g = net.conv(r, 16, 64, 1, 1, 1, {1, 1}, true);
    g = net.act(g, {-1, 64, 1, 1}, "hard_sigmoid");
    x = net.binary("elementwise_mul", x, g, {-1, 64, s / 16, s / 16});
  }
  auto c4 = net.cba(x, 64, 96, 1, 1, 1, {s / 16, s / 16});
  x = net.cba(c4, 96, 96, 5, 2, 96, {s / 32, s / 32});
  auto c5 = net.cba(x, 96, 128, 1, 1, 1, {s / 32, s / 32});

  // Neck: 1x1 lateral convs to `w` channels, top-down nearest upsampling and addition.
  auto p5 = net.cba(c5, 128, w, 1, 1, 1, {s / 32, s / 32});
  auto p4 = net.cba(c4, 96, w, 1, 1, 1, {s / 16, s / 16});
  auto p3 = net.cba(c3, 64, w, 1, 1, 1, {s / 8, s / 8});
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
  p4 = net.binary("elementwise_add", p4, up(p5, s / 16), {-1, w, s / 16, s / 16});
  p3 = net.binary("elementwise_add", p3, up(p4, s / 8), {-1, w, s / 8, s / 8});

  // Head per level: depthwise 5x5 + pointwise, then one conv giving class logits and DFL bins.
  const std::vector<std::pair<std::string, int64_t>> levels{{p3, 8}, {p4, 16}, {p5, 32}};
  auto project =
      b.param("eager_tmp_project", ir::Tensor::from_values<float>(DType::kFloat32, {bins}, [&] {
                std::vector<float> v;
                for (int64_t i = 0; i < bins; ++i) v.push_back(static_cast<float>(i));
                return v;
              }()));
  std::vector<std::string> cls_levels, reg_levels;
  std::vector<float> anchors, strides;
  int64_t total = 0;
  for (const auto& [feat, stride] : levels) {
    const int64_t hw = s / stride;
    const int64_t n = hw * hw;
    total += n;
    auto h = net.cba(feat, w, w, 5, 1, w, {hw, hw});
    h = net.cba(h, w, w, 1, 1, 1, {hw, hw});
    const int64_t out_c = o.num_classes + 4 * bins;
    auto logits = net.conv(h, w, out_c, 1, 1, 1, {hw, hw}, true);
    auto parts =
        net.split(logits, 1, {static_cast<int32_t>(o.num_classes), static_cast<int32_t>(4 * bins)},
                  {{-1, o.num_classes, hw, hw}, {-1, 4 * bins, hw, hw}});
    auto cls =
        net.reshape(parts[0], {-1, static_cast<int32_t>(o.num_classes), static_cast<int32_t>(n)},
                    {-1, o.num_classes, n}, {-1, o.num_classes, hw, hw});
    cls_levels.push_back(net.unary("sigmoid", cls, {-1, o.num_classes, n}));
    auto reg = net.unary("transpose2", parts[1], {-1, hw, hw, 4 * bins},
                         {{"axis", Attribute::i32s({0, 2, 3, 1})}});
    reg = net.reshape(reg, {-1, static_cast<int32_t>(bins)}, {-1, bins}, {-1, hw, hw, 4 * bins});
    reg = net.unary("softmax", reg, {-1, bins}, {{"axis", Attribute::i32(-1)}});
    auto dist = b.temp("", DType::kFloat32, {-1}, "linear");
    b.op("matmul_v2")
        .in("X", {reg})
        .in("Y", {project})
        .out("Out", {dist})
        .attr("trans_x", Attribute::boolean(false))
        .attr("trans_y", Attribute::boolean(false))
        .build();
    reg_levels.push_back(net.reshape(dist, {-1, static_cast<int32_t>(n), 4}, {-1, n, 4}, {-1}));
    for (int64_t yy = 0; yy < hw; ++yy)
      for (int64_t xx = 0; xx < hw; ++xx) {
        anchors.push_back(static_cast<float>(xx) + 0.5f);
        anchors.push_back(static_cast<float>(yy) + 0.5f);
        strides.push_back(static_cast<float>(stride));
      }
  }
  auto scores = net.concat(cls_levels, 2, {-1, o.num_classes, total});
  auto dists = net.concat(reg_levels, 1, {-1, total, 4});
  auto anchor_points =
      b.param("eager_tmp_anchors", ir::Tensor::from_values(DType::kFloat32, {total, 2}, anchors));
  auto stride_tensor =
      b.param("eager_tmp_strides", ir::Tensor::from_values(DType::kFloat32, {total, 1}, strides));
  // Boxes: (anchor - lt, anchor + rb) * stride, then back to the original image by scale_factor.
  auto lr = net.split(dists, 2, {}, {{-1, total, 2}, {-1, total, 2}});
  auto neg_lt = net.unary("scale", lr[0], {-1, total, 2},
                          {{"bias", Attribute::f32(0)},
                           {"bias_after_scale", Attribute::boolean(true)},
                           {"scale", Attribute::f32(-1)}});
  auto x1y1 = net.binary("elementwise_add", neg_lt, anchor_points, {-1, total, 2});
  auto x2y2 = net.binary("elementwise_add", lr[1], anchor_points, {-1, total, 2});
  auto boxes = net.concat({x1y1, x2y2}, -1, {-1, total, 4});
  boxes = net.binary("elementwise_mul", boxes, stride_tensor, {-1, total, 4});
  auto sf = net.split(scale_factor, 1, {}, {{-1, 1}, {-1, 1}});
  auto sf4 = net.concat({sf[1], sf[0], sf[1], sf[0]}, 1, {-1, 4});
  sf4 = net.reshape(sf4, {-1, 1, 4}, {-1, 1, 4}, {-1, 4});
  boxes = net.binary("elementwise_div", boxes, sf4, {-1, total, 4});

  if (o.with_nms) {
    auto bbox = b.temp("multiclass_nms3_0.tmp_0", DType::kFloat32, {-1, 6});
    auto index = b.temp("multiclass_nms3_0.tmp_1", DType::kInt32, {-1, 1});
    auto num = b.temp("multiclass_nms3_0.tmp_2", DType::kInt32, {-1});
    b.op("multiclass_nms3")
        .in("BBoxes", {boxes})
        .in("Scores", {scores})
        .out("Index", {index})
        .out("NmsRoisNum", {num})
        .out("Out", {bbox})
        .attr("background_label", Attribute::i32(-1))
        .attr("keep_top_k", Attribute::i32(100))
        .attr("nms_eta", Attribute::f32(1.0f))
        .attr("nms_threshold", Attribute::f32(0.6f))
        .attr("nms_top_k", Attribute::i32(1000))
        .attr("normalized", Attribute::boolean(true))
        .attr("score_threshold", Attribute::f32(0.025f))
        .build();
    b.output(bbox);
    b.output(num);
  } else {
    b.output(boxes);
    b.output(scores);
  }
  ir::Model model = std::move(b).finish(o.producer, o.op_version_map);
  model.meta.deploy = picodet_deploy_config(o);
  return model;
}

ir::DeployConfig picodet_deploy_config(const PicoDetOptions& o) {
  using json = nlohmann::ordered_json;
  ir::DeployConfig cfg;
  cfg.mode = "paddle";
  cfg.arch = "PicoDet";
  cfg.metric = "COCO";
  cfg.min_subgraph_size = 3;
  cfg.draw_threshold = 0.5;
  cfg.use_dynamic_shape = false;
  cfg.preprocess = {
      {"Resize",
       json{{"interp", 2}, {"keep_ratio", false}, {"target_size", {o.input_size, o.input_size}}}},
      {"NormalizeImage",
       json{{"is_scale", true}, {"mean", {0.485, 0.456, 0.406}}, {"std", {0.229, 0.224, 0.225}}}},
      {"Permute", json::object()}};
  for (int64_t i = 0; i < o.num_classes; ++i) cfg.label_list.push_back(fmt::format("class_{}", i));
  // The document as PaddleDetection's _dump_infer_config orders it.
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
