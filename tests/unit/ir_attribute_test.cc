#include <gtest/gtest.h>

#include "ir/attribute.h"

namespace detport::ir {
namespace {

TEST(Attribute, KindNamesCoverAllEighteenKinds) {
  EXPECT_EQ(attr_kind_name(AttrKind::kInt), "INT");
  EXPECT_EQ(attr_kind_name(AttrKind::kScalars), "SCALARS");
  EXPECT_EQ(attr_kind_name(static_cast<AttrKind>(18)), "ATTR(18)");
  for (int k = 0; k <= kMaxAttrKind; ++k) {
    auto name = attr_kind_name(static_cast<AttrKind>(k));
    ASSERT_EQ(attr_kind_from_name(name), static_cast<AttrKind>(k)) << name;
  }
  EXPECT_EQ(attr_kind_from_name("NOPE"), std::nullopt);
}

TEST(Attribute, IntegerFamilyConversions) {
  EXPECT_EQ(Attribute::i32(-3).as_int(), -3);
  EXPECT_EQ(Attribute::i64(int64_t{1} << 40).as_int(), int64_t{1} << 40);
  EXPECT_EQ(Attribute::boolean(true).as_int(), 1);
  EXPECT_EQ(Attribute::scalar(Scalar::of_int(7)).as_int(), 7);
  EXPECT_EQ(Attribute::scalar(Scalar::of_double(7.5)).as_int(), std::nullopt);
  EXPECT_EQ(Attribute::f32(1.0f).as_int(), std::nullopt);
  EXPECT_EQ(Attribute::str("x").as_int(), std::nullopt);
}

TEST(Attribute, FloatFamilyConversions) {
  EXPECT_DOUBLE_EQ(*Attribute::f32(0.25f).as_double(), 0.25);
  EXPECT_DOUBLE_EQ(*Attribute::f64(1e-300).as_double(), 1e-300);
  EXPECT_DOUBLE_EQ(*Attribute::i32(4).as_double(), 4.0);
  EXPECT_DOUBLE_EQ(*Attribute::scalar(Scalar::of_bool(true)).as_double(), 1.0);
  EXPECT_EQ(Attribute::strs({"a"}).as_double(), std::nullopt);
}

TEST(Attribute, ListConversionsAcrossKinds) {
  EXPECT_EQ(Attribute::i32s({1, 2}).as_ints(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Attribute::i64s({3, -4}).as_ints(), (std::vector<int64_t>{3, -4}));
  EXPECT_EQ(Attribute::scalars({Scalar::of_int(5), Scalar::of_bool(true)}).as_ints(),
            (std::vector<int64_t>{5, 1}));
  EXPECT_EQ(Attribute::scalars({Scalar::of_double(0.5)}).as_ints(), std::nullopt);
  EXPECT_EQ(Attribute::f32s({0.5f, 2.0f}).as_doubles(), (std::vector<double>{0.5, 2.0}));
  EXPECT_EQ(Attribute::f64s({0.1}).as_doubles(), (std::vector<double>{0.1}));
  EXPECT_EQ(Attribute::i32s({}).as_ints(), std::vector<int64_t>{});
  ASSERT_NE(Attribute::vars({"a", "b"}).as_strings(), nullptr);
  EXPECT_EQ(Attribute::var("w").as_string()->size(), 1u);
}

TEST(Attribute, EqualityComparesKindAndValue) {
  EXPECT_EQ(Attribute::i32(1), Attribute::i32(1));
  EXPECT_NE(Attribute::i32(1), Attribute::i64(1));    // same number, other kind
  EXPECT_NE(Attribute::block(1), Attribute::i32(1));  // same payload type, other kind
  EXPECT_NE(Attribute::str("a"), Attribute::var("a"));
  EXPECT_EQ(Attribute::scalar(Scalar::of_double(NAN)), Attribute::scalar(Scalar::of_double(NAN)));
  // NaN equals NaN in every float kind, so a program with a NaN attribute round-trips equal (a
  // fuzz_program finding: fp32_values holding a NaN).
  EXPECT_EQ(Attribute::f32(NAN), Attribute::f32(NAN));
  EXPECT_EQ(Attribute::f32s({1.0f, NAN}), Attribute::f32s({1.0f, NAN}));
  EXPECT_NE(Attribute::f32s({1.0f, NAN}), Attribute::f32s({NAN, 1.0f}));
  EXPECT_NE(Attribute::f32s({1.0f}), Attribute::f32s({1.0f, 1.0f}));
  EXPECT_NE(Attribute::f32(0.5f), Attribute::f32(0.25f));
}

TEST(Attribute, ToStringIsReadable) {
  EXPECT_EQ(Attribute::i32s({1, 2}).to_string(), "[1, 2]");
  EXPECT_EQ(Attribute::str("nearest").to_string(), "\"nearest\"");
  EXPECT_EQ(Attribute::boolean(false).to_string(), "false");
  EXPECT_EQ(Attribute::scalar(Scalar::of_int(3)).to_string(), "Scalar(int64: 3)");
  EXPECT_EQ(Attribute::bools({true, false}).to_string(), "[true, false]");
}

}  // namespace
}  // namespace detport::ir
