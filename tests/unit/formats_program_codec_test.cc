#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "formats/paddle_legacy/framework.pb.h"
#include "formats/paddle_legacy/program_codec.h"
#include "ir/builder.h"
#include "zoo/picodet_like.h"

namespace detport::formats::legacy {
namespace {

std::span<const std::byte> as_bytes(const std::string& s) {
  return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

ir::Model all_kinds_model() {
  using ir::Attribute;
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {-1, 4});
  auto y = b.temp("y", ir::DType::kFloat32, {-1, 4});
  b.op("kitchen_sink")
      .in("X", {x})
      .out("Out", {y})
      .attr("a_int", Attribute::i32(-7))
      .attr("a_float", Attribute::f32(0.1f))
      .attr("a_string", Attribute::str("nearest"))
      .attr("a_ints", Attribute::i32s({1, -2, 3}))
      .attr("a_floats", Attribute::f32s({0.5f, -1.25f}))
      .attr("a_strings", Attribute::strs({"a", ""}))
      .attr("a_bool", Attribute::boolean(true))
      .attr("a_bools", Attribute::bools({true, false}))
      .attr("a_block", Attribute::block(0))
      .attr("a_long", Attribute::i64(int64_t{1} << 40))
      .attr("a_blocks", Attribute::blocks({0}))
      .attr("a_longs", Attribute::i64s({-(int64_t{1} << 50), 2}))
      .attr("a_float64s", Attribute::f64s({1e-300, 2.5}))
      .attr("a_var", Attribute::var("x"))
      .attr("a_vars", Attribute::vars({"x", "y"}))
      .attr("a_float64", Attribute::f64(3.141592653589793))
      .attr("a_scalar", Attribute::scalar(ir::Scalar::of_int(5)))
      .attr("a_scalars",
            Attribute::scalars({ir::Scalar::of_double(0.25), ir::Scalar::of_bool(true),
                                ir::Scalar{ir::Scalar::Kind::kComplex128, false, 0, 0, {1, -2}}}))
      .attr("a_empty_ints", Attribute::i32s({}))
      .build();
  b.output(y);
  return std::move(b).finish(ir::Release{2, 6, 1}, std::vector<ir::OpVersion>{{"set_value", 4}});
}

TEST(ProgramCodec, EveryAttributeKindRoundTrips) {
  ir::Model m = all_kinds_model();
  auto bytes = serialize_program(m.program);
  ASSERT_TRUE(bytes.ok()) << bytes.error().describe();
  auto back = parse_program(as_bytes(*bytes));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, m.program);
  const ir::Op* op = nullptr;
  for (const auto& o : back->global_block().ops)
    if (o.type == "kitchen_sink") op = &o;
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->attrs.size(), 19u);
  EXPECT_EQ(op->attr("a_long")->kind(), ir::AttrKind::kLong);
  EXPECT_EQ(op->attr("a_scalars")->get<std::vector<ir::Scalar>>()[2].c,
            std::complex<double>(1, -2));
  auto again = serialize_program(*back);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
}

// fuzz_program found a program with a NaN in an fp32_values attribute that "changed" on a round
// trip because NaN != NaN; the program is the same, so equality must say so.
TEST(ProgramCodec, NanAttributesRoundTripEqual) {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {1});
  auto y = b.temp("y", ir::DType::kFloat32, {1});
  b.op("assign_value")
      .in("X", {x})
      .out("Out", {y})
      .attr("fp32_values", ir::Attribute::f32s({1.0f, NAN}))
      .attr("scale", ir::Attribute::f32(NAN))
      .attr("f64", ir::Attribute::f64(NAN))
      .build();
  b.output(y);
  ir::Model m = std::move(b).finish(ir::Release{2, 6, 1}, {});
  auto bytes = serialize_program(m.program);
  ASSERT_TRUE(bytes.ok()) << bytes.error().describe();
  auto back = parse_program(as_bytes(*bytes));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, m.program);
  EXPECT_EQ(*serialize_program(*back), *bytes);
}

TEST(ProgramCodec, BuiltDetectorRoundTripsByteExact) {
  ir::Model m = zoo::picodet_like();
  auto bytes = serialize_program(m.program);
  ASSERT_TRUE(bytes.ok());
  auto back = parse_program(as_bytes(*bytes));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(*back, m.program);
  EXPECT_EQ(*serialize_program(*back), *bytes);
}

TEST(ProgramCodec, KeepsUnknownFieldsVerbatim) {
  // A field number no release uses yet, on the program and on an op: kept and written back.
  ir::Model m = all_kinds_model();
  paddle::ProgramDesc proto;
  ASSERT_TRUE(proto.ParseFromString(*serialize_program(m.program)));
  proto.mutable_unknown_fields()->AddVarint(99, 12345);
  proto.mutable_blocks(0)->mutable_ops(0)->mutable_unknown_fields()->AddLengthDelimited(77,
                                                                                        "future");
  std::string bytes = proto.SerializeAsString();
  auto back = parse_program(as_bytes(bytes));
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_FALSE(back->extra.empty());
  EXPECT_FALSE(back->global_block().ops[0].extra.empty());
  EXPECT_EQ(*serialize_program(*back), bytes);
}

TEST(ProgramCodec, KeepsThe1xOpCompatibleMap) {
  ir::Model m = all_kinds_model();
  m.program.op_version_map.reset();
  m.program.op_compatible_map =
      ir::OpCompatibleMap{{{"bilinear_interp", "1.6.0", 2}}, std::string("1.5.0")};
  auto bytes = serialize_program(m.program);
  auto back = parse_program(as_bytes(*bytes));
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->op_compatible_map.has_value());
  EXPECT_EQ(back->op_compatible_map->pairs[0].required_version, "1.6.0");
  EXPECT_EQ(back->op_compatible_map->default_required_version, "1.5.0");
}

struct BadCase {
  std::string name;
  std::string bytes;
  std::string context;  // expected substring of the error context
  std::string message;  // expected substring of the message
};

std::string valid_program() {
  return *serialize_program(all_kinds_model().program);
}

std::vector<BadCase> bad_cases() {
  std::vector<BadCase> cases;
  cases.push_back({"empty", "", "byte offset 0", "empty"});
  cases.push_back(
      {"jpeg", std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF", 10), "byte offset 0", "JPEG"});
  cases.push_back({"json", "{\"a\": 1}", "byte offset 0", "JSON"});
  cases.push_back({"pir", "{\"base_code\":{\"magic\":\"pir\"}}", "byte offset 0", "PIR"});
  cases.push_back({"text", "# heading\nsome words\n", "byte offset 0", "text"});
  {
    std::string v = valid_program();
    cases.push_back({"truncated", v.substr(0, v.size() / 2), "byte offset", "remain"});
  }
  cases.push_back(
      {"bad wire type", std::string("\x0b\x01", 2), "byte offset 0 (blocks[0])", "wire type 3"});
  cases.push_back({"varint overflow",
                   std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12),
                   "byte offset 1", "overflows 64 bits"});
  {
    // An op attribute of kind 42: a release newer than detport, or garbage.
    paddle::ProgramDesc p;
    auto* b = p.add_blocks();
    b->set_idx(0);
    b->set_parent_idx(-1);
    auto* op = b->add_ops();
    op->set_type("relu");
    auto* a = op->add_attrs();
    a->set_name("x");
    a->set_type(paddle::INT);
    std::string bytes = p.SerializeAsString();
    // The AttrType varint is the byte after the 0x10 tag inside the attr: patch INT(0) to 42.
    auto pos = bytes.rfind(std::string("\x10\x00", 2));
    bytes[pos + 1] = 42;
    cases.push_back(
        {"unknown attr type", bytes, "blocks[0].ops[0].attrs[0].type", "AttrType value 42"});
  }
  {
    paddle::ProgramDesc p;
    auto* b = p.add_blocks();
    b->set_idx(0);
    b->set_parent_idx(-1);
    b->add_ops();  // an op without its required type
    cases.push_back(
        {"missing op type", p.SerializePartialAsString(), "blocks[0].ops[0].type", "required"});
  }
  cases.push_back({"no blocks", std::string("\x22\x02\x08\x01", 4), "blocks", "no blocks"});
  {
    paddle::ProgramDesc p;
    auto* b = p.add_blocks();
    b->set_idx(3);
    b->set_parent_idx(-1);
    cases.push_back({"block idx", p.SerializeAsString(), "blocks[0].idx", "expected 0"});
  }
  {
    paddle::ProgramDesc p;
    auto* b = p.add_blocks();
    b->set_idx(0);
    b->set_parent_idx(-1);
    auto* op = b->add_ops();
    op->set_type("conditional_block");
    auto* a = op->add_attrs();
    a->set_name("sub_block");
    a->set_type(paddle::BLOCK);
    a->set_block_idx(5);
    cases.push_back(
        {"dangling block ref", p.SerializeAsString(), "blocks[0].ops[0]", "refers to block 5"});
  }
  {
    paddle::ProgramDesc p;
    auto* b = p.add_blocks();
    b->set_idx(0);
    b->set_parent_idx(-1);
    auto* v = b->add_vars();
    v->set_name("w");
    v->mutable_type()->set_type(paddle::VarType::DENSE_TENSOR);
    v->mutable_type()->mutable_lod_tensor()->mutable_tensor()->set_data_type(
        paddle::VarType::FEED_MINIBATCH);
    cases.push_back(
        {"non-element dtype", p.SerializeAsString(), "blocks[0].vars[0]", "not a scalar type"});
  }
  return cases;
}

TEST(ProgramCodec, MalformedInputGetsASpecificError) {
  for (const auto& c : bad_cases()) {
    SCOPED_TRACE(c.name);
    auto r = parse_program(as_bytes(c.bytes));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().context.find(c.context), std::string::npos) << r.error().describe();
    EXPECT_NE(r.error().message.find(c.message), std::string::npos) << r.error().describe();
  }
}

TEST(ProgramCodec, EveryTruncationIsRejectedOrParsesCleanly) {
  // Cutting a program anywhere must never crash; cuts inside a field must be reported.
  const std::string v = *serialize_program(zoo::picodet_like().program);
  int rejected = 0;
  for (std::size_t n = 0; n < v.size(); n += 7) {
    auto r = parse_program(as_bytes(v.substr(0, n)));
    if (!r.ok()) ++rejected;
  }
  EXPECT_GT(rejected, static_cast<int>(v.size() / 7) * 9 / 10);
}

TEST(ProgramCodec, SniffsFileKinds) {
  EXPECT_EQ(sniff_file_kind(as_bytes(std::string("\x89PNG\r\n", 6))), "a PNG image");
  EXPECT_EQ(sniff_file_kind(as_bytes(std::string("PK\x03\x04", 4))), "a zip archive");
  EXPECT_EQ(sniff_file_kind(as_bytes(valid_program())), "");
}

}  // namespace
}  // namespace detport::formats::legacy
