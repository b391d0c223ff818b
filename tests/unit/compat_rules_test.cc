// One test (or more) per checker rule, on programs built with the builder API and checked against
// the built-in release data.
#include <gtest/gtest.h>

#include <optional>

#include "compat/catalog.h"
#include "compat/checker.h"
#include "compat/embedded_data.h"
#include "compat/export_form.h"
#include "ir/builder.h"
#include "zoo/ppyoloe_like.h"

namespace detport::compat {
namespace {

using ir::Attribute;
using ir::DType;

const Catalog& catalog() {
  static const Catalog c = [] {
    auto r = Catalog::load_builtin();
    if (!r.ok()) ADD_FAILURE() << r.error().describe();
    return std::move(r).value();
  }();
  return c;
}

Report check_against(const ir::Model& m, const std::string& target) {
  auto t = catalog().resolve(target);
  EXPECT_TRUE(t.ok());
  return check(m, catalog(), **t, target);
}

// A copy: callers often pass a temporary report.
std::optional<Finding> find(const Report& r, std::string_view rule) {
  for (const Finding& f : r.findings)
    if (f.rule == rule) return f;
  return std::nullopt;
}

bool mentions(const std::optional<Finding>& f, std::string_view text) {
  return f && (f->explanation.find(text) != std::string::npos ||
               f->title.find(text) != std::string::npos);
}

// A one-op program: image -> op -> fetched output, written by `producer` with `map`.
struct OneOp {
  ir::ProgramBuilder b;
  std::string x;
  OneOp() { x = b.input("image", DType::kFloat32, {-1, 3, 8, 8}); }
  ir::OpBuilder op(const std::string& type) { return b.op(type); }
  std::string out(const std::string& name) { return b.temp(name, DType::kFloat32, {-1, 3, 8, 8}); }
  ir::Model finish(std::optional<ir::Release> producer,
                   std::optional<std::vector<ir::OpVersion>> map = {}) {
    return std::move(b).finish(producer, std::move(map));
  }
};

ir::Model swish_model(bool with_beta, ir::Release producer) {
  OneOp m;
  auto y = m.out("swish_0.tmp_0");
  auto op = m.op("swish");
  op.in("X", {m.x}).out("Out", {y});
  if (with_beta) op.attr("beta", Attribute::f32(1.0f));
  op.build();
  m.b.output(y);
  return m.finish(producer, std::vector<ir::OpVersion>{});
}

TEST(FormatRule, PirJsonIsUnreadableBeforeThree) {
  ir::Model m;
  m.meta.format = ir::SourceFormat::kPir;
  m.meta.pir_version = 1;
  const Report r = check_against(m, "2.6.1");
  const std::optional<Finding> f = find(r, "format-not-readable");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_EQ(f->convert_rule, "pir-to-pdmodel");
  EXPECT_EQ(r.verdict(), Verdict::kFails);
  EXPECT_FALSE(find(check_against(m, "3.0"), "format-not-readable"));
}

TEST(FormatRule, PdmodelIsUnreadableWhereTheDataSaysSo) {
  // A hypothetical release that dropped .pdmodel, written as the next file of the chain would be.
  std::vector<DataFile> files;
  for (const EmbeddedFile& f : embedded_compat_files())
    files.push_back({std::string(f.name), std::string(f.text)});
  files.push_back({"paddle-9.0.json", R"({"schema": "detport.compat.release/1", "release": "9.0",
      "extends": "3.3", "formats": {"pdmodel": {"read": false, "write": false},
      "note": "hypothetical"}})"});
  auto c = Catalog::load_files(std::move(files));
  ASSERT_TRUE(c.ok()) << c.error().describe();
  const Report r = check(swish_model(true, {2, 5, 1}), *c, *c->find({9, 0, 0}), "9.0");
  const std::optional<Finding> f = find(r, "format-not-readable");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_EQ(f->convert_rule, "pdmodel-to-pir");
}

TEST(PirRule, NewerPirVersionFailsAndNamesThePatches) {
  OneOp b;
  auto y = b.out("pool_0.tmp_0");
  b.op("pool2d").in("X", {b.x}).out("Out", {y}).build();
  b.b.output(y);
  ir::Model m = b.finish(std::nullopt);
  m.meta.format = ir::SourceFormat::kPir;
  m.meta.pir_version = 2;
  const Report r = check_against(m, "3.0.0");
  const std::optional<Finding> f = find(r, "pir-version-newer");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_TRUE(mentions(f, "Version 2 (3.1)")) << f->explanation;
  EXPECT_TRUE(mentions(f, "This model has ops those patches change: pool2d")) << f->explanation;
  EXPECT_FALSE(find(check_against(m, "3.1.1"), "pir-version-newer"));
  m.meta.pir_version = 0;
  const std::optional<Finding> dev = find(check_against(m, "3.1"), "pir-version-develop");
  ASSERT_TRUE(dev);
  EXPECT_EQ(dev->severity, Severity::kInfo);
}

TEST(ProducerRule, NewerAndDevelopProducersAreInfo) {
  const Report r = check_against(swish_model(true, {2, 5, 2}), "2.5.1");
  const std::optional<Finding> f = find(r, "producer-newer");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_FALSE(find(check_against(swish_model(true, {2, 5, 1}), "2.5.1"), "producer-newer"));
  ASSERT_TRUE(find(check_against(swish_model(true, {0, 0, 0}), "2.5"), "producer-develop"));
}

TEST(ProtoRule, AttrKindsTheTargetLacksBreakLoading) {
  OneOp b;
  auto y = b.out("set_value_0.tmp_0");
  b.op("set_value")
      .in("Input", {b.x})
      .out("Out", {y})
      .attr("values", Attribute::scalars({ir::Scalar::of_double(1.0)}))
      .build();
  b.b.output(y);
  const ir::Model m = b.finish(ir::Release{2, 6, 0}, std::vector<ir::OpVersion>{{"set_value", 4}});
  const Report r = check_against(m, "2.4.2");
  const std::optional<Finding> f = find(r, "proto-attr-kind");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_EQ(f->convert_rule, "scalars-to-legacy");
  EXPECT_TRUE(mentions(f, "ParseFromString fails"));
  EXPECT_EQ(f->ops.at(0).type, "set_value");
  EXPECT_FALSE(find(check_against(m, "2.5"), "proto-attr-kind"));

  OneOp b2;
  auto y2 = b2.out("scale_0.tmp_0");
  b2.op("scale").in("X", {b2.x}).out("Out", {y2}).attr("scale", Attribute::f64(2.0)).build();
  b2.b.output(y2);
  const std::optional<Finding> f64 =
      find(check_against(b2.finish(ir::Release{2, 5, 1}), "2.3"), "proto-attr-kind");
  ASSERT_TRUE(f64);
  EXPECT_EQ(f64->convert_rule, "float64-to-float");
}

TEST(ProtoRule, VarTypesAndDtypesTheTargetLacksBreakLoading) {
  OneOp b;
  b.b.temp("fp8_var", DType::kFp8E4M3FN, {4});
  auto y = b.out("relu_0.tmp_0");
  b.op("relu").in("X", {b.x}).out("Out", {y}).build();
  b.b.output(y);
  const ir::Model m = b.finish(ir::Release{3, 0, 0});
  const std::optional<Finding> f = find(check_against(m, "2.6"), "proto-var-type");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_TRUE(mentions(f, "fp8_var"));
  EXPECT_FALSE(find(check_against(m, "3.0"), "proto-var-type"));
}

TEST(ProtoRule, FieldsTheTargetDropsAreInfo) {
  ir::Model m = swish_model(true, {2, 4, 0});
  m.program.global_block().vars.back().is_parameter = false;
  const Report r = check_against(m, "1.8");
  int dropped = 0;
  for (const Finding& f : r.findings)
    if (f.rule == "proto-field-dropped") {
      ++dropped;
      EXPECT_EQ(f.severity, Severity::kInfo);
    }
  EXPECT_EQ(dropped, 2);  // VarDesc.is_parameter and the op_version_map
}

TEST(ParamsRule, DtypesTheTargetLacksBreakLoading) {
  ir::ProgramBuilder b;
  auto x = b.input("image", DType::kFloat32, {-1, 4});
  auto w =
      b.param("w_bf16", ir::Tensor::from_values<uint16_t>(DType::kBFloat16, {4}, {1, 2, 3, 4}));
  auto y = b.temp("y", DType::kFloat32, {-1, 4});
  b.op("elementwise_add")
      .in("X", {x})
      .in("Y", {w})
      .out("Out", {y})
      .attr("axis", Attribute::i32(-1))
      .build();
  b.output(y);
  const ir::Model m = std::move(b).finish(ir::Release{2, 6, 0});
  const std::optional<Finding> f = find(check_against(m, "1.8"), "params-dtype");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_TRUE(mentions(f, "bfloat16"));
  EXPECT_FALSE(find(check_against(m, "2.0"), "params-dtype"));
}

ir::Model nms3_model() {
  ir::ProgramBuilder b;
  auto boxes = b.input("boxes", DType::kFloat32, {-1, 10, 4});
  auto scores = b.input("scores", DType::kFloat32, {-1, 2, 10});
  auto out = b.temp("nms_out", DType::kFloat32, {-1, 6});
  b.op("multiclass_nms3").in("BBoxes", {boxes}).in("Scores", {scores}).out("Out", {out}).build();
  b.output(out);
  return std::move(b).finish(ir::Release{2, 4, 0}, std::vector<ir::OpVersion>{});
}

TEST(OpRule, OpsTheTargetLacksBreakLoading) {
  const Report r = check_against(nms3_model(), "2.0.1");
  const std::optional<Finding> f = find(r, "op-missing");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_EQ(f->ops.at(0).type, "multiclass_nms3");
  EXPECT_EQ(f->ops.at(0).outputs.at(0), "nms_out");
  EXPECT_FALSE(find(check_against(nms3_model(), "2.1"), "op-missing"));
}

TEST(OpRule, OpsWithoutFactsAreInfo) {
  OneOp b;
  auto y = b.out("custom_0.tmp_0");
  b.op("my_custom_op").in("X", {b.x}).out("Out", {y}).build();
  b.b.output(y);
  const std::optional<Finding> f =
      find(check_against(b.finish(ir::Release{2, 6, 0}), "2.6"), "op-unknown");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
}

ir::Model versioned(const std::string& type, int32_t version, std::vector<ir::NamedAttribute> attrs,
                    ir::Release producer = {2, 6, 0}) {
  OneOp b;
  auto y = b.out(type + "_0.tmp_0");
  auto op = b.op(type);
  op.in("X", {b.x}).out("Out", {y});
  for (auto& a : attrs) op.attr(a.name, a.value);
  op.build();
  b.b.output(y);
  return b.finish(producer, std::vector<ir::OpVersion>{{type, version}});
}

TEST(OpVersionRule, SeverityFollowsWhatTheCheckpointChanged) {
  // set_value 4 made `values` a SCALARS attribute: incompatible for 2.4.
  const std::optional<Finding> sv =
      find(check_against(versioned("set_value", 4, {}), "2.4"), "op-version-newer");
  ASSERT_TRUE(sv);
  EXPECT_EQ(sv->severity, Severity::kBreaksLoad);
  EXPECT_TRUE(mentions(sv, "Checkpoint 4 (ModifyAttr, incompatible)")) << sv->explanation;
  // leaky_relu 1 changed the formula for alpha > 1 only.
  const std::optional<Finding> lr =
      find(check_against(versioned("leaky_relu", 1, {{"alpha", Attribute::f32(2.0f)}}), "1.8"),
           "op-version-newer");
  ASSERT_TRUE(lr);
  EXPECT_EQ(lr->severity, Severity::kWrongResult);
  const std::optional<Finding> lr_small =
      find(check_against(versioned("leaky_relu", 1, {{"alpha", Attribute::f32(0.1f)}}), "1.8"),
           "op-version-newer");
  ASSERT_TRUE(lr_small);
  EXPECT_EQ(lr_small->severity, Severity::kInfo);
  // Same version: nothing.
  EXPECT_FALSE(
      find(check_against(versioned("leaky_relu", 1, {{"alpha", Attribute::f32(2.0f)}}), "2.0"),
           "op-version-newer"));
}

TEST(OpVersionRule, UnknownTargetVersionsAreSaidSo) {
  const std::optional<Finding> f =
      find(check_against(versioned("conv2d_transpose", 2, {}), "2.2"), "op-version-unknown");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
}

TEST(OpVersionRule, AMissingMapIsNoted) {
  ir::Model m = swish_model(true, {2, 3, 0});
  m.program.op_version_map.reset();
  const std::optional<Finding> f = find(check_against(m, "2.4"), "op-version-map-missing");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
}

ir::Model transpose_model(bool with_xshape, ir::Release producer) {
  OneOp b;
  auto y = b.out("transpose_0.tmp_0");
  auto op = b.op("transpose2");
  op.in("X", {b.x}).out("Out", {y}).attr("axis", Attribute::i32s({0, 2, 3, 1}));
  if (with_xshape) op.out("XShape", {b.out("transpose_0.tmp_1")});
  op.build();
  b.b.output(y);
  return b.finish(producer, std::vector<ir::OpVersion>{});
}

TEST(SlotRule, ARequiredOutputMissingBreaksLoading) {
  const std::optional<Finding> f =
      find(check_against(transpose_model(false, {2, 6, 0}), "2.0"), "output-missing");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_EQ(f->convert_rule, "restore-extra-outputs");
  EXPECT_FALSE(find(check_against(transpose_model(true, {2, 6, 0}), "2.0"), "output-missing"));
  const std::optional<Finding> s =
      find(check_against(transpose_model(false, {2, 6, 0}), "2.3"), "output-stripped");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->severity, Severity::kInfo);
}

TEST(SlotRule, SlotsTheTargetDoesNotDeclare) {
  auto conv = [](bool bias) {
    ir::ProgramBuilder b;
    auto x = b.input("image", DType::kFloat32, {-1, 3, 8, 8});
    auto w = b.random_param("w", {4, 3, 1, 1}, 0.1f);
    auto y = b.temp("y", DType::kFloat32, {-1, 4, 8, 8});
    auto op = b.op("conv2d");
    op.in("Input", {x}).in("Filter", {w}).out("Output", {y});
    op.in("Bias", bias ? std::vector<std::string>{b.random_param("bias", {4}, 0.1f)}
                       : std::vector<std::string>{});
    op.build();
    b.output(y);
    return std::move(b).finish(ir::Release{2, 4, 0}, std::vector<ir::OpVersion>{{"conv2d", 1}});
  };
  const std::optional<Finding> used = find(check_against(conv(true), "2.5"), "input-unknown");
  ASSERT_TRUE(used);
  EXPECT_EQ(used->severity, Severity::kWrongResult);
  const std::optional<Finding> empty = find(check_against(conv(false), "2.5"), "input-unknown");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->severity, Severity::kInfo);

  // matrix_nms's RoisNum output (checkpoint 1) does not exist in 1.8; fetching it cannot work.
  ir::ProgramBuilder b;
  auto boxes = b.input("boxes", DType::kFloat32, {-1, 10, 4});
  auto scores = b.input("scores", DType::kFloat32, {-1, 2, 10});
  auto out = b.temp("out", DType::kFloat32, {-1, 6});
  auto index = b.temp("index", DType::kInt32, {-1, 1});
  auto num = b.temp("num", DType::kInt32, {-1});
  b.op("matrix_nms")
      .in("BBoxes", {boxes})
      .in("Scores", {scores})
      .out("Out", {out})
      .out("Index", {index})
      .out("RoisNum", {num})
      .build();
  b.output(out);
  b.output(num);
  const ir::Model m =
      std::move(b).finish(ir::Release{2, 4, 0}, std::vector<ir::OpVersion>{{"matrix_nms", 1}});
  const std::optional<Finding> f = find(check_against(m, "1.8"), "output-unknown");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
}

ir::Model conv_no_cudnn(ir::Release producer) {
  ir::ProgramBuilder b;
  auto x = b.input("image", DType::kFloat32, {-1, 3, 8, 8});
  auto w = b.random_param("w", {4, 3, 1, 1}, 0.1f);
  auto y = b.temp("conv_out", DType::kFloat32, {-1, 4, 8, 8});
  b.op("conv2d")
      .in("Input", {x})
      .in("Filter", {w})
      .out("Output", {y})
      .attr("strides", Attribute::i32s({1, 1}))
      .attr("paddings", Attribute::i32s({0, 0}))
      .attr("dilations", Attribute::i32s({1, 1}))
      .attr("groups", Attribute::i32(1))
      .attr("data_format", Attribute::str("NCHW"))
      .attr("padding_algorithm", Attribute::str("EXPLICIT"))
      .build();
  b.output(y);
  return std::move(b).finish(producer, std::vector<ir::OpVersion>{{"conv2d", 1}});
}

TEST(ExtraAttrRule, AStrippedExtraWithAnotherDefaultInTheTarget) {
  const Report r = check_against(conv_no_cudnn({2, 6, 1}), "2.3.2");
  const std::optional<Finding> f = find(r, "extra-attr-default");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kSlow);
  EXPECT_TRUE(mentions(f, "conv2d.use_cudnn: the exporter meant true, Paddle 2.3.2 fills false"))
      << f->title;
  EXPECT_TRUE(mentions(f, "CanCUDNNBeUsed"));
  EXPECT_EQ(f->convert_rule, "restore-stripped-attrs");
  EXPECT_EQ(r.verdict(), Verdict::kSlower);
  // Between releases that agree on the default there is nothing to say.
  EXPECT_FALSE(find(check_against(conv_no_cudnn({2, 6, 1}), "2.5"), "extra-attr-default"));
}

TEST(ExtraAttrRule, StrippedSwishBetaIsTheSameForPaddleButNotForOtherTools) {
  const Report r = check_against(swish_model(false, {2, 6, 1}), "2.3.2");
  const std::optional<Finding> f = find(r, "extra-attr-stripped");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_TRUE(mentions(f, "beta = 1.0"));
  EXPECT_TRUE(mentions(f, "Cannot found attribute beta in op: swish"));
  EXPECT_EQ(r.verdict(), Verdict::kLoads);
  // A 2.5 export keeps beta: nothing to report.
  EXPECT_FALSE(find(check_against(swish_model(true, {2, 5, 1}), "2.3.2"), "extra-attr-stripped"));
}

ir::Model yolo_box_model(std::optional<bool> iou_aware, ir::Release producer, int32_t version) {
  ir::ProgramBuilder b;
  auto x = b.input("x", DType::kFloat32, {-1, 18, 8, 8});
  auto img = b.input("img_size", DType::kInt32, {-1, 2});
  auto boxes = b.temp("boxes", DType::kFloat32, {-1, 192, 4});
  auto scores = b.temp("scores", DType::kFloat32, {-1, 192, 1});
  auto op = b.op("yolo_box");
  op.in("X", {x}).in("ImgSize", {img}).out("Boxes", {boxes}).out("Scores", {scores});
  op.attr("anchors", Attribute::i32s({10, 13, 16, 30, 33, 23}))
      .attr("class_num", Attribute::i32(1))
      .attr("clip_bbox", Attribute::boolean(true))
      .attr("conf_thresh", Attribute::f32(0.01f))
      .attr("downsample_ratio", Attribute::i32(32))
      .attr("scale_x_y", Attribute::f32(1.0f));
  if (iou_aware)
    op.attr("iou_aware", Attribute::boolean(*iou_aware))
        .attr("iou_aware_factor", Attribute::f32(0.5f));
  op.build();
  b.output(boxes);
  return std::move(b).finish(producer, std::vector<ir::OpVersion>{{"yolo_box", version}});
}

TEST(AttrRule, MissingAttributesGetTheTargetsDefault) {
  const std::optional<Finding> f =
      find(check_against(yolo_box_model(std::nullopt, {2, 0, 1}, 0), "2.4"), "attr-missing");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kInfo);
  EXPECT_TRUE(mentions(f, "iou_aware (default false)")) << f->explanation;
}

TEST(AttrRule, AnAttributeTheTargetIgnoresChangesTheResultWhenNotDefault) {
  const Report on = check_against(yolo_box_model(true, {2, 4, 0}, 1), "2.0");
  const std::optional<Finding> f = find(on, "attr-ignored");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kWrongResult);
  EXPECT_TRUE(mentions(f, "yolo_box.iou_aware = true"));
  EXPECT_EQ(on.verdict(), Verdict::kComputesDifferently);
  const Report off = check_against(yolo_box_model(false, {2, 4, 0}, 1), "2.0");
  EXPECT_FALSE(find(off, "attr-ignored"));
  const std::optional<Finding> u = find(off, "attr-unknown");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->severity, Severity::kInfo);
}

TEST(AttrRule, AKindTheTargetCannotConvertBreaksLoading) {
  OneOp b;
  auto y = b.out("pool_0.tmp_0");
  b.op("pool2d").in("X", {b.x}).out("Out", {y}).attr("ksize", Attribute::f32s({2, 2})).build();
  b.b.output(y);
  const std::optional<Finding> f =
      find(check_against(b.finish(ir::Release{2, 4, 0}), "2.4"), "attr-type-mismatch");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->severity, Severity::kBreaksLoad);
  EXPECT_TRUE(mentions(f, "pool2d.ksize is FLOATS; Paddle 2.4 declares INTS"));
}

TEST(Report, HeadlineVerdictAndOrder) {
  const Report r = check_against(nms3_model(), "2.0");
  EXPECT_EQ(r.verdict(), Verdict::kFails);
  EXPECT_EQ(r.headline().rfind("INCOMPATIBLE: Paddle 2.0 cannot load this model", 0), 0u)
      << r.headline();
  for (std::size_t i = 1; i < r.findings.size(); ++i)
    EXPECT_LE(r.findings[i - 1].severity, r.findings[i].severity);
}

TEST(ExportForm, ReproducesWhatTwoPointSixWrites) {
  ir::Model m = zoo::ppyoloe_like({.input_size = 64, .num_classes = 2, .width = 8, .reg_max = 4});
  const ReleaseData* d26 = catalog().find({2, 6, 0});
  auto stats = apply_export_form(m, *d26, {2, 6, 1});
  ASSERT_TRUE(stats.ok()) << stats.error().describe();
  EXPECT_GT(stats->attrs_removed, 0u);
  EXPECT_GT(stats->outputs_removed, 0u);
  EXPECT_EQ(m.program.version, 2006001);
  EXPECT_EQ(m.program.op_version_map->size(), d26->op_version_map.entries->size());
  for (const ir::Op& op : m.program.global_block().ops) {
    if (op.type == "swish") {
      EXPECT_FALSE(op.has_attr("beta"));
    } else if (op.type == "conv2d") {
      EXPECT_FALSE(op.has_attr("use_cudnn"));
    } else if (op.type == "transpose2" || op.type == "squeeze2") {
      EXPECT_TRUE(op.output("XShape").empty());
    } else if (op.type == "pool2d") {
      EXPECT_TRUE(op.has_attr("use_cudnn"));  // not extra in 2.6
    }
  }
  // In its own release it computes the same: nothing breaks, nothing differs.
  const Report self = check_against(m, "2.6.1");
  EXPECT_EQ(self.verdict(), Verdict::kLoads) << self.headline();

  ir::Model m23 = zoo::ppyoloe_like({.input_size = 64, .num_classes = 2, .width = 8, .reg_max = 4});
  EXPECT_FALSE(apply_export_form(m23, *catalog().find({2, 2, 0}), {2, 2, 0}).ok());  // map unknown
  auto none = apply_export_form(m23, *catalog().find({2, 0, 0}), {2, 0, 1});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->attrs_removed, 0u);  // 2.0 clips nothing
}

}  // namespace
}  // namespace detport::compat
