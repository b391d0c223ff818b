// The PIR reader/writer on small synthetic documents: every attribute kind, control flow, the
// version patches both ways, and conversion to legacy and back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "formats/convert.h"
#include "formats/paddle_legacy/program_codec.h"
#include "formats/paddle_pir/pir_patches.h"
#include "formats/paddle_pir/pir_program.h"
#include "formats/paddle_pir/pir_tables.h"

namespace detport::formats::pir {
namespace {

Json dtensor(std::vector<int64_t> dims, const char* elem = "0.t_f32") {
  return {{"#", "0.t_dtensor"},
          {"D", Json::array({{{"#", elem}}, dims, "NCHW", Json::array(), 0})}};
}

Json at(const char* name, Json value) {
  return {{"N", name}, {"AT", std::move(value)}};
}

// data(x) -> <op>(x) -> fetch
Json program_with(Json op, int64_t version = 1) {
  Json data = {{"#", "1.data"},
               {"I", Json::array()},
               {"O", Json::array({{{"%", 1}, {"TT", dtensor({-1, 4})}}})},
               {"A", Json::array({at("name", {{"#", "0.a_str"}, {"D", "x"}}),
                                  at("shape", {{"#", "1.a_intarray"}, {"D", {-1, 4}}}),
                                  at("dtype", {{"#", "1.a_dtype"}, {"D", "float32"}}),
                                  at("place", {{"#", "1.a_place"}, {"D", {1, 0, ""}}})})}};
  op["I"] = Json::array({{{"%", 1}}});
  op["O"] = Json::array({{{"%", 2}, {"TT", dtensor({-1, 4})}}});
  Json fetch = {{"#", "1.fetch"},
                {"I", Json::array({{{"%", 2}}})},
                {"O", Json::array({{{"%", 3}, {"TT", dtensor({-1, 4})}}})},
                {"A", Json::array({at("name", {{"#", "0.a_str"}, {"D", "y"}}),
                                   at("col", {{"#", "0.a_i32"}, {"D", 0}})})}};
  return {
      {"base_code", {{"magic", "pir"}, {"trainable", false}, {"version", version}}},
      {"program",
       {{"regions", Json::array({{{"#", "region_0"},
                                  {"blocks", Json::array({{{"#", "block_0"},
                                                           {"args", Json::array()},
                                                           {"ops", {data, op, fetch}}}})}}})}}}};
}

Json round_trip(const Json& doc) {
  auto read = read_program(doc);
  EXPECT_TRUE(read.ok()) << read.error().describe();
  if (!read.ok()) return Json();
  auto written = write_program(read->program, read->version);
  EXPECT_TRUE(written.ok());
  return written.ok() ? *written : Json();
}

TEST(PirReader, EveryAttributeKindReadsAndWritesBack) {
  Json attrs = Json::array({
      at("b", {{"#", "0.a_bool"}, {"D", true}}),
      at("i", {{"#", "0.a_i32"}, {"D", -7}}),
      at("l", {{"#", "0.a_i64"}, {"D", int64_t{1} << 40}}),
      at("ix", {{"#", "0.a_index"}, {"D", 3}}),
      at("f", {{"#", "0.a_f32"}, {"D", 0.10000000149011612}}),
      at("d", {{"#", "0.a_f64"}, {"D", 0.1}}),
      at("nan", {{"#", "0.a_f32"}, {"VD", "NaN"}}),
      at("ninf", {{"#", "0.a_f64"}, {"VD", "-INF"}}),
      at("s", {{"#", "0.a_str"}, {"D", "nearest"}}),
      at("tn", {{"#", "0.a_tensorname"}, {"D", "t"}}),
      at("c64", {{"#", "0.a_c64"}, {"D", {1.0, -2.0}}}),
      at("c128", {{"#", "0.a_c128"}, {"D", {0.5, 0.25}}}),
      at("ints",
         {{"#", "0.a_array"}, {"D", {{{"#", "0.a_i32"}, {"D", 1}}, {{"#", "0.a_i32"}, {"D", 2}}}}}),
      at("empty", {{"#", "0.a_array"}, {"D", Json::array()}}),
      at("strs", {{"#", "0.a_array"}, {"D", {{{"#", "0.a_str"}, {"D", "a"}}}}}),
      at("nested", {{"#", "0.a_array"}, {"D", {{{"#", "0.a_array"}, {"D", Json::array()}}}}}),
      at("ty", {{"#", "0.a_type"}, {"D", {{"#", "0.t_f32"}}}}),
      at("ptr", {{"#", "0.a_pointer"}, {"D", 0}}),
      at("ia", {{"#", "1.a_intarray"}, {"D", {1, -1}}}),
      at("sf", {{"#", "1.a_scalar"}, {"D", {"float32", 0.5}}}),
      at("si", {{"#", "1.a_scalar"}, {"D", {"int64", 9}}}),
      at("sb", {{"#", "1.a_scalar"}, {"D", {"bool", true}}}),
      at("sc", {{"#", "1.a_scalar"}, {"D", {"complex64", 1.0, 2.0}}}),
      at("dt", {{"#", "1.a_dtype"}, {"D", "int64"}}),
      at("pl", {{"#", "1.a_place"}, {"D", {1, 0, ""}}}),
      at("lay", {{"#", "1.a_layout"}, {"D", "NHWC"}}),
      at("nul", {{"#", "NULL"}}),
  });
  const Json doc = program_with({{"#", "1.relu"}, {"A", attrs}});
  EXPECT_EQ(round_trip(doc), doc);
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok());
  const ir::Op& relu = read->program.global_block().ops[1];
  EXPECT_EQ(relu.type, "relu");
  EXPECT_EQ(relu.attr("ia")->kind(), ir::AttrKind::kLongs);
  EXPECT_EQ(relu.attr("ints")->kind(), ir::AttrKind::kInts);
  EXPECT_EQ(relu.attr("l")->kind(), ir::AttrKind::kLong);
  EXPECT_EQ(relu.attr("f")->kind(), ir::AttrKind::kFloat);
  EXPECT_EQ(relu.attr("d")->kind(), ir::AttrKind::kFloat64);
  EXPECT_EQ(relu.attr("sf")->kind(), ir::AttrKind::kScalar);
  EXPECT_EQ(relu.attr("dt")->as_int(), static_cast<int64_t>(ir::DType::kInt64));
  EXPECT_EQ(relu.attr("pl"), nullptr);   // PIR-only
  EXPECT_EQ(relu.attr("ptr"), nullptr);  // PIR-only
  // The feed/fetch view the legacy consumers use.
  const auto feeds = ir::feed_targets(read->program);
  ASSERT_EQ(feeds.size(), 1u);
  EXPECT_EQ(feeds[0].name, "x");
  const auto fetches = ir::fetch_targets(read->program);
  ASSERT_EQ(fetches.size(), 1u);
  EXPECT_EQ(fetches[0].name, "var_2");
}

TEST(PirReader, ChangedIrValuesAreWrittenWithTheirPirEncoding) {
  Json doc =
      program_with({{"#", "1.matmul"},
                    {"A", Json::array({at("transpose_x", {{"#", "0.a_bool"}, {"D", false}}),
                                       at("transpose_y", {{"#", "0.a_bool"}, {"D", false}})})}});
  doc["program"]["regions"][0]["blocks"][0]["ops"][1]["I"].push_back({{"%", 1}});
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ir::Op& mm = read->program.global_block().ops[1];
  EXPECT_EQ(mm.type, "matmul_v2");
  EXPECT_EQ(mm.input("Y").size(), 1u);
  ASSERT_NE(mm.attr("trans_y"), nullptr);  // renamed to the legacy name
  mm.set_attr("trans_y", ir::Attribute::boolean(true));
  auto written = write_program(read->program, 1);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ((*written)["program"]["regions"][0]["blocks"][0]["ops"][1]["A"][1],
            at("transpose_y", {{"#", "0.a_bool"}, {"D", true}}));
}

// fuzz_pir found a block named other than "block_0": the writer renamed it, so writing what was
// read and reading it again gave another program. The name is kept.
TEST(PirReader, BlockNamesSurviveAWriteAndRead) {
  Json doc = program_with({{"#", "1.relu"}});
  doc["program"]["regions"][0]["blocks"][0]["#"] = "bloc+_0";
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  auto written = write_program(read->program, read->version);
  ASSERT_TRUE(written.ok()) << written.error().describe();
  EXPECT_EQ((*written)["program"]["regions"][0]["blocks"][0]["#"], "bloc+_0");
  auto again = read_program(*written);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(again->program, read->program);
}

TEST(PirReader, ControlFlowRegionsBecomeSubBlocks) {
  auto branch = [](const char* name, int64_t arg) {
    return Json{{"#", name},
                {"args", Json::array({{{"#", arg}, {"TT", dtensor({1})}}})},
                {"ops", Json::array({{{"#", "2.yield"},
                                      {"I", Json::array({{{"%", 1}}})},
                                      {"O", Json::array()},
                                      {"A", Json::array()}}})}};
  };
  Json doc = program_with(
      {{"#", "1.if"},
       {"A", Json::array()},
       {"regions", Json::array({{{"#", "region_1"}, {"blocks", {branch("block_1", -1)}}},
                                {{"#", "region_2"}, {"blocks", {branch("block_2", -2)}}}})}});
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ASSERT_EQ(read->program.blocks.size(), 3u);
  const ir::Op& op = read->program.global_block().ops[1];
  EXPECT_EQ(op.type, "conditional_block");
  EXPECT_EQ(op.attr("sub_blocks")->as_ints(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(read->program.blocks[1].parent_idx, 0);
  EXPECT_EQ(read->program.blocks[2].ops[0].type, "yield");
  EXPECT_EQ(round_trip(doc), doc);
}

TEST(PirReader, CombineAndSplitFoldIntoMultiArgumentSlots) {
  Json doc = program_with({{"#", "1.relu"}, {"A", Json::array()}});
  auto& ops = doc["program"]["regions"][0]["blocks"][0]["ops"];
  // x -> combine(x, x) -> concat(vec, axis) -> split_with_num -> split -> fetch the first part
  Json vec = {{"#", "0.t_vec"}, {"D", {dtensor({-1, 4}), dtensor({-1, 4})}}};
  Json combine = {{"#", "0.combine"},
                  {"I", {{{"%", 1}}, {{"%", 1}}}},
                  {"O", {{{"%", 3}, {"TT", vec}}}},
                  {"A", Json::array()}};
  Json full = {{"#", "1.full"},
               {"I", Json::array()},
               {"O", {{{"%", 2}, {"TT", dtensor({1}, "0.t_i32")}}}},
               {"A",
                {at("shape", {{"#", "1.a_intarray"}, {"D", {1}}}),
                 at("value", {{"#", "0.a_f64"}, {"D", 1.0}}),
                 at("dtype", {{"#", "1.a_dtype"}, {"D", "int32"}}),
                 at("place", {{"#", "1.a_place"}, {"D", {0, 0, ""}}})}}};
  Json concat = {{"#", "1.concat"},
                 {"I", {{{"%", 3}}, {{"%", 2}}}},
                 {"O", {{{"%", 4}, {"TT", dtensor({-1, 8})}}}},
                 {"A", Json::array()}};
  Json split = {{"#", "1.split_with_num"},
                {"I", {{{"%", 4}}, {{"%", 2}}}},
                {"O", {{{"%", 5}, {"TT", vec}}}},
                {"A", {at("num", {{"#", "0.a_i32"}, {"D", 2}})}}};
  Json parts = {{"#", "0.split"},
                {"I", {{{"%", 5}}}},
                {"O", {{{"%", 6}, {"TT", dtensor({-1, 4})}}, {{"%", 7}, {"TT", dtensor({-1, 4})}}}},
                {"A", Json::array()}};
  Json fetch = ops[2];
  fetch["I"] = {{{"%", 6}}};
  fetch["O"] = {{{"%", 8}, {"TT", dtensor({-1, 4})}}};
  ops = Json::array({ops[0], full, combine, concat, split, parts, fetch});
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  const auto& b = read->program.global_block();
  ASSERT_EQ(b.ops.size(), 5u);  // feed, fill_constant, concat, split, fetch
  EXPECT_EQ(b.ops[2].type, "concat");
  EXPECT_EQ(b.ops[2].input("X").size(), 2u);
  EXPECT_EQ(b.ops[3].type, "split");
  EXPECT_EQ(b.ops[3].output("Out").size(), 2u);
  EXPECT_EQ(round_trip(doc), doc);
  const auto counts = pir_op_counts(read->program);
  EXPECT_EQ(counts.at("0.combine"), 1);
  EXPECT_EQ(counts.at("0.split"), 1);
}

Json pool_program(int64_t version, int64_t stride) {
  const char* kind = version >= 2 ? "0.a_i64" : "0.a_i32";
  return program_with(
      {{"#", "1.pool2d"},
       {"A",
        Json::array({at("strides", {{"#", "0.a_array"}, {"D", {{{"#", kind}, {"D", stride}}}}}),
                     at("paddings", {{"#", "0.a_array"}, {"D", Json::array()}})})}},
      version);
}

TEST(PirPatches, MoveUpAndDownAndReportEachChange) {
  Json doc = pool_program(1, 2);
  auto up = change_pir_version(doc, 3);
  ASSERT_TRUE(up.ok()) << up.error().describe();
  ASSERT_EQ(up->size(), 1u);
  EXPECT_EQ((*up)[0].pointer, "/program/regions/0/blocks/0/ops/1/A/0/AT");
  EXPECT_EQ(doc, pool_program(3, 2));
  auto down = change_pir_version(doc, 1);
  ASSERT_TRUE(down.ok());
  EXPECT_EQ(doc, pool_program(1, 2));
}

TEST(PirPatches, DowngradeRefusesValuesThatDoNotFit) {
  Json doc = pool_program(2, int64_t{1} << 40);
  auto down = change_pir_version(doc, 1);
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, ErrorCode::kIncompatible);
  EXPECT_EQ(down.error().context, "/program/regions/0/blocks/0/ops/1/A/0/AT/D/0");
}

TEST(PirPatches, AddedAttributesAreRemovedGoingDown) {
  Json doc = program_with({{"#", "1.repeat_interleave"}, {"A", Json::array()}}, 2);
  ASSERT_TRUE(change_pir_version(doc, 3).ok());
  const Json& attrs = doc["program"]["regions"][0]["blocks"][0]["ops"][1]["A"];
  ASSERT_EQ(attrs.size(), 1u);
  EXPECT_EQ(attrs[0], at("output_size", {{"#", "0.a_i64"}, {"D", -1}}));
  ASSERT_TRUE(change_pir_version(doc, 2).ok());
  EXPECT_TRUE(doc["program"]["regions"][0]["blocks"][0]["ops"][1]["A"].empty());
}

TEST(PirPatches, VersionsOutsideTheKnownRangeAreRefused) {
  Json doc = pool_program(1, 1);
  auto r = change_pir_version(doc, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(r.error().message.find("develop build"), std::string::npos);
}

TEST(PirConvert, LegacyFromPirKeepsThePirFactsInAnUnknownFieldAndComesBackEqual) {
  const Json doc = pool_program(2, 2);
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok());
  ir::Model m;
  m.program = read->program;
  m.meta.format = ir::SourceFormat::kPir;
  m.meta.pir_version = 2;
  auto legacy = convert_model(m, {TargetFormat::kLegacy, std::nullopt});
  ASSERT_TRUE(legacy.ok()) << legacy.error().describe();
  auto bytes = legacy::serialize_program(legacy->model.program);
  ASSERT_TRUE(bytes.ok());
  auto parsed =
      legacy::parse_program(std::as_bytes(std::span<const char>(bytes->data(), bytes->size())));
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->global_block().ops[1].type, "pool2d");
  EXPECT_EQ(parsed->global_block().ops[1].attr("strides")->kind(), ir::AttrKind::kInts);
  ir::Model back;
  back.program = *parsed;
  back.meta.format = ir::SourceFormat::kLegacy;
  auto pir = convert_model(back, {TargetFormat::kPir, std::nullopt});
  ASSERT_TRUE(pir.ok()) << pir.error().describe();
  EXPECT_EQ(pir->model.meta.pir_version, 2);
  auto written = write_program(pir->model.program, 2);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, doc);
}

// data x -> pool2d(x, full_int_array [2, 2]) -> shape64 -> reshape(y, combine(shape, full 3)),
// value ids in definition order (as Paddle and the writer number them).
Json operand_program() {
  const Json i64 = dtensor({2}, "0.t_i64");
  Json doc = program_with({{"#", "1.pool2d"}, {"A", Json::array()}});
  Json& ops = doc["program"]["regions"][0]["blocks"][0]["ops"];
  Json ints = {{"#", "1.full_int_array"},
               {"I", Json::array()},
               {"O", Json::array({{{"%", 2}, {"TT", i64}}})},
               {"A", Json::array({at("value", {{"#", "0.a_array"},
                                               {"D", Json::array({{{"#", "0.a_i64"}, {"D", 2}},
                                                                  {{"#", "0.a_i64"}, {"D", 2}}})}}),
                                  at("dtype", {{"#", "1.a_dtype"}, {"D", "int64"}})})}};
  Json pool = ops[1];
  pool["I"] = Json::array({{{"%", 1}}, {{"%", 2}}});
  pool["O"][0]["%"] = 3;
  Json shape = {{"#", "1.shape64"},
                {"I", Json::array({{{"%", 3}}})},
                {"O", Json::array({{{"%", 4}, {"TT", i64}}})},
                {"A", Json::array()}};
  Json full = {{"#", "1.full"},
               {"I", Json::array()},
               {"O", Json::array({{{"%", 5}, {"TT", dtensor({1}, "0.t_i64")}}})},
               {"A", Json::array({at("shape", {{"#", "1.a_intarray"}, {"D", {1}}}),
                                  at("value", {{"#", "0.a_f64"}, {"D", 3.0}}),
                                  at("dtype", {{"#", "1.a_dtype"}, {"D", "int64"}})})}};
  Json combine = {
      {"#", "0.combine"},
      {"I", Json::array({{{"%", 4}}, {{"%", 5}}})},
      {"O",
       Json::array(
           {{{"%", 6},
             {"TT", {{"#", "0.t_vec"}, {"D", Json::array({i64, dtensor({1}, "0.t_i64")})}}}}})},
      {"A", Json::array()}};
  Json reshape = {{"#", "1.reshape"},
                  {"I", Json::array({{{"%", 3}}, {{"%", 6}}})},
                  {"O", Json::array({{{"%", 7}, {"TT", dtensor({-1, 4})}}})},
                  {"A", Json::array()}};
  Json fetch = ops[2];
  fetch["I"] = Json::array({{{"%", 7}}});
  fetch["O"][0]["%"] = 8;
  ops = Json::array({ops[0], ints, pool, shape, full, combine, reshape, fetch});
  return doc;
}

TEST(PirConvert, IntArrayOperandsBecomeLegacyAttributesOrTensorSlotsAndComeBack) {
  const Json doc = operand_program();
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ir::Model m;
  m.program = read->program;
  m.meta.format = ir::SourceFormat::kPir;
  m.meta.pir_version = 1;
  auto legacy = convert_model(m, {TargetFormat::kLegacy, std::nullopt});
  ASSERT_TRUE(legacy.ok()) << legacy.error().describe();
  auto bytes = legacy::serialize_program(legacy->model.program);
  ASSERT_TRUE(bytes.ok());
  auto parsed =
      legacy::parse_program(std::as_bytes(std::span<const char>(bytes->data(), bytes->size())));
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  const auto& ops = parsed->global_block().ops;
  std::vector<std::string> types;
  for (const auto& o : ops) types.push_back(o.type);
  // full_int_array (assign_value) fed only pool2d's kernel_size: folded and removed; the full
  // feeding the computed shape list stays.
  EXPECT_EQ(types, (std::vector<std::string>{"feed", "pool2d", "shape", "fill_constant", "reshape2",
                                             "fetch"}));
  ASSERT_EQ(ops.size(), 6u);
  const ir::Op& pool = ops[1];
  EXPECT_EQ(pool.inputs, (std::vector<ir::Slot>{{"X", {"x"}}}));
  ASSERT_NE(pool.attr("ksize"), nullptr);
  EXPECT_EQ(*pool.attr("ksize"), ir::Attribute::i32s({2, 2}));
  // pd_op.reshape's shape from a builtin.combine of computed values: legacy ShapeTensor.
  const ir::Op& reshape = ops[4];
  ASSERT_EQ(reshape.inputs.size(), 2u);
  EXPECT_EQ(reshape.inputs[1].name, "ShapeTensor");
  EXPECT_EQ(reshape.inputs[1].args, (std::vector<std::string>{"var_4", "var_5"}));
  EXPECT_EQ(reshape.attr("shape"), nullptr);
  // And back to PIR: the document it came from.
  ir::Model back;
  back.program = *parsed;
  back.meta.format = ir::SourceFormat::kLegacy;
  auto pir = convert_model(back, {TargetFormat::kPir, std::nullopt});
  ASSERT_TRUE(pir.ok()) << pir.error().describe();
  auto written = write_program(pir->model.program, 1);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, doc) << Json::diff(doc, *written).dump();
}

TEST(PirConvert, ConstantScalarOperandsFoldWithTheirLegacyKind) {
  // reshape(y, full_int_array [2, 2]) and scale(.., full 0.5): INTS shape, FLOAT scale.
  Json doc = operand_program();
  Json& ops = doc["program"]["regions"][0]["blocks"][0]["ops"];
  ops[4]["A"][1]["AT"]["D"] = 0.5;  // full 0.5, float32
  ops[4]["A"][2]["AT"]["D"] = "float32";
  ops[4]["O"][0]["TT"] = dtensor({1});
  ops[6]["I"][1]["%"] = 2;  // reshape's shape: the full_int_array
  ops[6]["O"][0]["%"] = 6;
  Json scale = {{"#", "1.scale"},
                {"I", Json::array({{{"%", 6}}, {{"%", 5}}})},
                {"O", Json::array({{{"%", 7}, {"TT", dtensor({-1, 4})}}})},
                {"A", Json::array({at("bias", {{"#", "0.a_f32"}, {"D", 0.0}}),
                                   at("bias_after_scale", {{"#", "0.a_bool"}, {"D", true}})})}};
  ops[7]["I"][0]["%"] = 7;  // fetch the scale
  ops.erase(5);             // no combine
  ops.insert(ops.begin() + 6, scale);
  auto read = read_program(doc);
  ASSERT_TRUE(read.ok()) << read.error().describe();
  ir::Model m;
  m.program = read->program;
  m.meta.format = ir::SourceFormat::kPir;
  m.meta.pir_version = 1;
  auto legacy = convert_model(m, {TargetFormat::kLegacy, std::nullopt});
  ASSERT_TRUE(legacy.ok()) << legacy.error().describe();
  const ir::Op* reshape = nullptr;
  const ir::Op* sc = nullptr;
  for (const auto& o : legacy->model.program.global_block().ops) {
    if (o.type == "reshape2") reshape = &o;
    if (o.type == "scale") sc = &o;
    EXPECT_NE(o.type, "assign_value");   // read by pool2d and reshape2 only: removed
    EXPECT_NE(o.type, "fill_constant");  // read by scale only: removed
  }
  ASSERT_NE(reshape, nullptr);
  ASSERT_NE(sc, nullptr);
  EXPECT_EQ(*reshape->attr("shape"), ir::Attribute::i32s({2, 2}));
  EXPECT_EQ(reshape->inputs.size(), 1u);
  EXPECT_EQ(*sc->attr("scale"), ir::Attribute::f32(0.5f));
  EXPECT_EQ(sc->inputs, (std::vector<ir::Slot>{{"X", {"var_6"}}}));
  // Back to PIR through the legacy bytes: equal.
  auto bytes = legacy::serialize_program(legacy->model.program);
  ASSERT_TRUE(bytes.ok());
  auto parsed =
      legacy::parse_program(std::as_bytes(std::span<const char>(bytes->data(), bytes->size())));
  ASSERT_TRUE(parsed.ok());
  ir::Model back;
  back.program = *parsed;
  back.meta.format = ir::SourceFormat::kLegacy;
  auto pir = convert_model(back, {TargetFormat::kPir, std::nullopt});
  ASSERT_TRUE(pir.ok()) << pir.error().describe();
  auto written = write_program(pir->model.program, 1);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, doc) << Json::diff(doc, *written).dump();
}

TEST(PirTables, OperandRulesNameAnOperandSlotAndALegacyKind) {
  for (const OpEntry& e : tables().ops)
    for (const OperandRule& r : e.operands) {
      EXPECT_NE(std::find(e.inputs.begin(), e.inputs.end(), r.slot), e.inputs.end())
          << e.pir << " " << r.slot;
      EXPECT_FALSE(r.attr.empty()) << e.pir;
      EXPECT_TRUE(r.kind == ir::AttrKind::kInt || r.kind == ir::AttrKind::kFloat ||
                  r.kind == ir::AttrKind::kInts)
          << e.pir;
    }
}

}  // namespace
}  // namespace detport::formats::pir
