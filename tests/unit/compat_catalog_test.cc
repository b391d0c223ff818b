// The release data: it loads, resolves its merge-patch chain, covers the releases and ops the
// issue asks for, and the loader rejects malformed data with specific errors.
#include <gtest/gtest.h>

#include <set>

#include "compat/catalog.h"

namespace detport::compat {
namespace {

using nlohmann::json;

const Catalog& builtin() {
  static const Catalog c = [] {
    auto r = Catalog::load_builtin();
    if (!r.ok()) ADD_FAILURE() << r.error().describe();
    return std::move(r).value();
  }();
  return c;
}

TEST(Catalog, CoversEveryReleaseLine) {
  std::vector<std::string> names;
  for (const ReleaseData& r : builtin().releases()) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"1.8", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
                                             "3.0", "3.1", "3.2", "3.3"}));
  EXPECT_EQ(builtin().releases()[7].files,
            (std::vector<std::string>{"paddle-1.8.json", "paddle-2.0.json", "paddle-2.1.json",
                                      "paddle-2.2.json", "paddle-2.3.json", "paddle-2.4.json",
                                      "paddle-2.5.json", "paddle-2.6.json"}));
}

TEST(Catalog, ResolvesPatchReleasesToTheirLine) {
  auto r = builtin().resolve("2.3.2");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ((*r)->name, "2.3");
  EXPECT_EQ((*builtin().resolve("v2.6"))->name, "2.6");
  auto unknown = builtin().resolve("2.7.0");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("known: 1.8, 2.0"), std::string::npos)
      << unknown.error().message;
  auto junk = builtin().resolve("latest");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().context, "--target");
}

// REAL_MODELS_OPS.md's union, plus the ops of RT-DETR, Faster/Mask R-CNN, SOLOv2, TTFNet, FCOS,
// YOLOX and PP-YOLOE-R exports.
const std::vector<std::string> kDetectionOps{
    "arg_max", "assign_value", "batch_norm", "bilinear_interp_v2", "cast", "clip", "concat",
    "conv2d", "deformable_conv", "depthwise_conv2d", "elementwise_add", "elementwise_div",
    "elementwise_mul", "elementwise_sub", "exp", "feed", "fetch", "fill_constant", "hard_sigmoid",
    "hard_swish", "leaky_relu", "log", "matmul_v2", "matrix_nms", "multiclass_nms",
    "multiclass_nms3", "nearest_interp", "nearest_interp_v2", "pool2d", "pow", "prior_box",
    "reduce_mean", "relu", "reshape2", "scale", "shape", "sigmoid", "slice", "softmax", "split",
    "squeeze2", "stack", "swish", "transpose2", "unsqueeze2", "yolo_box",
    // RT-DETR
    "layer_norm", "gelu", "grid_sampler", "top_k_v2", "flatten_contiguous_range", "gather",
    "gather_nd", "index_sample", "tile", "expand_v2", "meshgrid", "range", "reduce_sum",
    "reduce_max", "where",
    // Faster / Mask R-CNN
    "generate_proposals_v2", "distribute_fpn_proposals", "roi_align", "box_coder",
    "conv2d_transpose",
    // SOLOv2, TTFNet, FCOS, YOLOX, PP-YOLOE-R
    "group_norm", "where_index", "tril_triu", "cumsum", "argsort", "greater_than", "less_than",
    "equal", "elementwise_floordiv", "elementwise_mod", "silu", "strided_slice", "cos", "sin",
    "sqrt"};

TEST(Catalog, HasEveryDetectionOpInEveryReleaseThatHasIt) {
  for (const ReleaseData& r : builtin().releases())
    for (const std::string& op : kDetectionOps)
      EXPECT_TRUE(r.op(op) != nullptr || r.absent(op) != nullptr)
          << "Paddle " << r.name << " says nothing about " << op;
}

TEST(Catalog, KnowsTheFormatsAndPirVersions) {
  const Catalog& c = builtin();
  EXPECT_FALSE(c.find({2, 6, 0})->formats.pir_read);
  EXPECT_FALSE(c.find({2, 6, 0})->pir.has_value());
  const std::vector<std::pair<ir::Release, int64_t>> pir{
      {{3, 0, 0}, 1}, {{3, 1, 0}, 2}, {{3, 2, 0}, 3}, {{3, 3, 0}, 4}};
  for (const auto& [rel, v] : pir) {
    const ReleaseData* d = c.find(rel);
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(d->formats.pir_read);
    ASSERT_TRUE(d->pir.has_value());
    EXPECT_EQ(d->pir->version, v) << d->name;
  }
  EXPECT_FALSE(c.find({3, 3, 0})->formats.pdmodel_write);
}

TEST(Catalog, RecordsTheProtoRanges) {
  const Catalog& c = builtin();
  EXPECT_EQ(c.find({1, 8, 0})->proto.attr_type_max, 11);  // LONGS
  EXPECT_EQ(c.find({2, 3, 0})->proto.attr_type_max, 12);  // FLOAT64S
  EXPECT_EQ(c.find({2, 4, 0})->proto.attr_type_max, 14);  // VARS; no SCALAR before 2.5
  EXPECT_EQ(c.find({2, 5, 0})->proto.attr_type_max, 17);  // SCALARS
  EXPECT_EQ(c.find({3, 0, 0})->proto.var_type_max, 33);   // FP8
}

TEST(Catalog, StripsSwishBetaFromTwoPointSixOn) {
  const Catalog& c = builtin();
  const AttrInfo* b25 = c.find({2, 5, 0})->op("swish")->attr("beta");
  const AttrInfo* b26 = c.find({2, 6, 0})->op("swish")->attr("beta");
  ASSERT_TRUE(b25 && b26);
  EXPECT_FALSE(b25->extra);
  EXPECT_TRUE(b26->extra);
  EXPECT_EQ(*b26->default_value, json(1.0));
  EXPECT_EQ(b26->effect, Effect::kWrongResult);
}

TEST(Catalog, EveryCitedSourceExistsAndEveryFactHasOne) {
  // The loader enforces it; this spells out the count so an empty table cannot pass.
  EXPECT_GT(builtin().sources().size(), 20u);
  for (const ReleaseData& r : builtin().releases())
    for (const auto& [name, op] : r.ops) EXPECT_FALSE(op->source.empty()) << r.name << " " << name;
}

// A minimal valid pair of files to break in the tests below.
std::vector<DataFile> minimal(json base_patch = json::object(), json child = json()) {
  json sources = {
      {"schema", "detport.compat.sources/1"},
      {"sources",
       {{"s1", {{"repo", "r"}, {"path", "p"}, {"commit", "c"}, {"evidence", "verified"}}}}}};
  json base = {
      {"schema", "detport.compat.release/1"},
      {"release", "9.0"},
      {"proto",
       {{"attr_type_max", 11},
        {"var_type_max", 21},
        {"program_fields", {1, 4, 5}},
        {"var_fields", {1, 2, 3}},
        {"vartype_fields", {1, 2, 3}},
        {"source", {"s1"}}}},
      {"formats",
       {{"pdmodel", {{"read", true}, {"write", true}}},
        {"pir_json", {{"read", false}, {"write", false}}},
        {"default_export", "pdmodel"},
        {"source", {"s1"}}}},
      {"export",
       {{"clip_extra_attrs", false},
        {"clip_extra_outputs", false},
        {"common_attrs", {"op_role"}},
        {"clipped_common_attrs", json::array()},
        {"source", {"s1"}}}},
      {"op_version_map",
       {{"written", true},
        {"entries", json::array({json::array({"conv2d", 1})})},
        {"source", {"s1"}}}},
      {"ops",
       {{"swish",
         {{"version", 0},
          {"inputs", {{"X", json::object()}}},
          {"outputs", {{"Out", json::object()}}},
          {"attrs", {{"beta", {{"type", "FLOAT"}, {"default", 1.0}, {"default_source", {"s1"}}}}}},
          {"complete", true},
          {"source", {"s1"}}}}}}};
  base.merge_patch(base_patch);
  std::vector<DataFile> files{{"sources.json", sources.dump()}, {"paddle-9.0.json", base.dump()}};
  if (!child.is_null()) files.push_back({"paddle-9.1.json", child.dump()});
  return files;
}

Error load_error(std::vector<DataFile> files) {
  auto r = Catalog::load_files(std::move(files));
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

TEST(CatalogValidation, AcceptsTheMinimalFiles) {
  auto r = Catalog::load_files(minimal());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->releases().size(), 1u);
}

TEST(CatalogValidation, NamesTheMisspeltKey) {
  auto e = load_error(minimal({{"ops", {{"swish", {{"atrs", json::object()}}}}}}));
  EXPECT_EQ(e.context, "data/compat/paddle-9.0.json: /ops/swish/atrs");
  EXPECT_NE(e.message.find("unknown key \"atrs\""), std::string::npos) << e.message;
}

TEST(CatalogValidation, RejectsAnUnknownAttrType) {
  auto e = load_error(minimal({{"ops", {{"swish", {{"attrs", {{"beta", {{"type", "FLOT"}}}}}}}}}}));
  EXPECT_EQ(e.context, "data/compat/paddle-9.0.json: /ops/swish/attrs/beta/type");
  EXPECT_NE(e.message.find("\"FLOT\" is not an AttrType name"), std::string::npos) << e.message;
}

TEST(CatalogValidation, RejectsAnUnknownSourceId) {
  auto e = load_error(minimal({{"ops", {{"swish", {{"source", {"nowhere"}}}}}}}));
  EXPECT_EQ(e.context, "data/compat/paddle-9.0.json: /ops/swish/source/0");
  EXPECT_NE(e.message.find("source \"nowhere\" is not in sources.json"), std::string::npos);
}

TEST(CatalogValidation, RequiresASourceForEveryFact) {
  auto e = load_error(minimal({{"ops", {{"swish", {{"source", nullptr}}}}}}));
  EXPECT_EQ(e.context, "data/compat/paddle-9.0.json: /ops/swish");
  EXPECT_NE(e.message.find("missing \"source\""), std::string::npos);
  auto d = load_error(
      minimal({{"ops", {{"swish", {{"attrs", {{"beta", {{"default_source", nullptr}}}}}}}}}}));
  EXPECT_NE(d.message.find("\"default\" needs \"default_source\""), std::string::npos) << d.message;
}

TEST(CatalogValidation, RejectsWrongTypesWithThePointer) {
  auto e = load_error(minimal({{"proto", {{"attr_type_max", "11"}}}}));
  EXPECT_EQ(e.context, "data/compat/paddle-9.0.json: /proto/attr_type_max");
  EXPECT_EQ(e.message, "expected an integer, found a string");
  auto big = load_error(minimal({{"proto", {{"attr_type_max", 40}}}}));
  EXPECT_EQ(big.message, "expected 0..17, found 40");
}

TEST(CatalogValidation, ResolvesAndChecksTheExtendsChain) {
  json child = {{"schema", "detport.compat.release/1"},
                {"release", "9.1"},
                {"extends", "9.0"},
                {"ops", {{"swish", {{"attrs", {{"beta", {{"extra", true}}}}}}}}}};
  auto r = Catalog::load_files(minimal(json::object(), child));
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const ReleaseData* d = r->find({9, 1, 0});
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->op("swish")->attr("beta")->extra);
  EXPECT_EQ(*d->op("swish")->attr("beta")->default_value, json(1.0));  // inherited
  EXPECT_FALSE(r->find({9, 0, 0})->op("swish")->attr("beta")->extra);

  json deleting = child;
  deleting["ops"] = {{"swish", nullptr}};  // RFC 7386: null removes
  auto r2 = Catalog::load_files(minimal(json::object(), deleting));
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->find({9, 1, 0})->op("swish"), nullptr);

  json dangling = child;
  dangling["extends"] = "8.0";
  auto e = load_error(minimal(json::object(), dangling));
  EXPECT_EQ(e.context, "data/compat/paddle-9.1.json: /extends");
  EXPECT_NE(e.message.find("extends \"8.0\", which has no paddle-8.0.json"), std::string::npos);

  json broken = child;
  broken["ops"] = {{"swish", {{"attrs", {{"beta", {{"type", 3}}}}}}}};
  auto b = load_error(minimal(json::object(), broken));
  EXPECT_NE(b.context.find("paddle-9.1.json (resolved over paddle-9.0.json <- paddle-9.1.json): "
                           "/ops/swish/attrs/beta/type"),
            std::string::npos)
      << b.context;
}

TEST(CatalogValidation, RejectsMisnamedAndBrokenFiles) {
  auto files = minimal();
  files[1].name = "paddle-9.9.json";
  EXPECT_NE(load_error(files).message.find("\"release\" is \"9.0\" but the file is named"),
            std::string::npos);
  files = minimal();
  files[1].text = "{not json";
  EXPECT_EQ(load_error(files).message, "not valid JSON");
  files = minimal();
  files.erase(files.begin());
  EXPECT_EQ(load_error(files).message, "sources.json is missing");
}

TEST(CatalogValidation, RejectsABadImpactAndEvidence) {
  auto e = load_error(minimal({{"ops",
                                {{"swish",
                                  {{"checkpoints",
                                    {{{"version", 1},
                                      {"kind", "NewAttr"},
                                      {"change", "x"},
                                      {"impact", "harmless"},
                                      {"source", {"s1"}}}}}}}}}}));
  EXPECT_EQ(e.context, "data/compat/paddle-9.0.json: /ops/swish/checkpoints/0/impact");
  auto ev = load_error(minimal({{"proto", {{"evidence", "probably"}}}}));
  EXPECT_NE(ev.message.find("\"probably\" is not an evidence level"), std::string::npos);
}

}  // namespace
}  // namespace detport::compat
