#include <gtest/gtest.h>

#include "formats/paddle_legacy/framework.pb.h"
#include "formats/paddle_legacy/wire_scan.h"

namespace detport::formats::legacy {
namespace {

Status scan(const std::string& s,
            const google::protobuf::Descriptor* d = paddle::ProgramDesc::descriptor()) {
  return scan_wire(std::as_bytes(std::span<const char>(s.data(), s.size())), d);
}

TEST(WireScan, AcceptsWellFormedMessagesIncludingPackedAndUnknownFields) {
  paddle::VarType::TensorDesc td;
  td.set_data_type(paddle::VarType::FP32);
  td.add_dims(-1);
  td.add_dims(3);
  EXPECT_TRUE(scan(td.SerializeAsString(), td.GetDescriptor()).ok());
  // dims (field 2) written packed: tag 0x12, length 2, values 3 and 4.
  EXPECT_TRUE(scan(std::string("\x08\x05\x12\x02\x03\x04", 6), td.GetDescriptor()).ok());
  // An unknown field 15 (varint) and a well-formed unknown group 16.
  EXPECT_TRUE(
      scan(std::string("\x08\x05\x78\x01\x83\x01\x08\x01\x84\x01", 10), td.GetDescriptor()).ok());
}

TEST(WireScan, ReportsOffsetAndFieldPath) {
  // TensorDesc with dims declared as a length-delimited run that overruns the message.
  auto s = scan(std::string("\x08\x05\x12\x09\x03", 5), paddle::VarType::TensorDesc::descriptor());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().context, "byte offset 3 (dims[0])");
  EXPECT_NE(s.error().message.find("declares 9 bytes but only 1 remain"), std::string::npos);
}

TEST(WireScan, RejectsUnknownEnumValues) {
  auto s =
      scan(std::string("\x08\x63", 2), paddle::VarType::TensorDesc::descriptor());  // data_type 99
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
  EXPECT_NE(s.error().message.find("Type value 99"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("0..33"), std::string::npos) << s.error().message;
}

TEST(WireScan, RejectsBadTagsAndUnclosedGroups) {
  EXPECT_FALSE(scan(std::string("\x00", 1)).ok());              // field number 0
  EXPECT_FALSE(scan(std::string("\x0c", 1)).ok());              // end-group without start
  EXPECT_FALSE(scan(std::string("\x83\x01\x08\x01", 4)).ok());  // group 16 never closed
  EXPECT_FALSE(scan(std::string("\x0e", 1)).ok());              // wire type 6
  EXPECT_FALSE(scan(std::string("\x0a", 1)).ok());              // length cut off
  EXPECT_FALSE(
      scan(std::string("\x21\x00\x00", 3)).ok());  // fixed64 cut off (field 4 wrong type too)
}

TEST(WireScan, BoundsNesting) {
  // 40 nested unknown groups: deeper than the default limit of 32.
  std::string s;
  for (int i = 0; i < 40; ++i) s += "\x83\x01";
  for (int i = 0; i < 40; ++i) s += "\x84\x01";
  auto st = scan(s, paddle::VarType::TensorDesc::descriptor());
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message.find("nest"), std::string::npos);
}

}  // namespace
}  // namespace detport::formats::legacy
