// Typed op attributes: the 18 kinds of Paddle's AttrType (INT=0 .. SCALARS=17), numbered alike.
#pragma once

#include <complex>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace detport::ir {

enum class AttrKind : int32_t {
  kInt = 0,
  kFloat = 1,
  kString = 2,
  kInts = 3,
  kFloats = 4,
  kStrings = 5,
  kBool = 6,
  kBools = 7,
  kBlock = 8,
  kLong = 9,
  kBlocks = 10,
  kLongs = 11,
  kFloat64s = 12,
  kVar = 13,
  kVars = 14,
  kFloat64 = 15,
  kScalar = 16,
  kScalars = 17,
};
constexpr int32_t kMaxAttrKind = 17;

// Paddle's upper-case AttrType name ("INTS", "SCALAR"); "ATTR(N)" if out of range.
std::string attr_kind_name(AttrKind kind);
std::optional<AttrKind> attr_kind_from_name(std::string_view name);

// Paddle's Scalar message (2.5+): one of bool, int64, float64, complex128.
struct Scalar {
  enum class Kind : int32_t { kBool = 1, kInt64 = 2, kFloat64 = 3, kComplex128 = 4 };
  Kind kind = Kind::kFloat64;
  bool b = false;
  int64_t i = 0;
  double r = 0;
  std::complex<double> c{};

  static Scalar of_bool(bool v) { return {Kind::kBool, v, 0, 0, {}}; }
  static Scalar of_int(int64_t v) { return {Kind::kInt64, false, v, 0, {}}; }
  static Scalar of_double(double v) { return {Kind::kFloat64, false, 0, v, {}}; }
  // The value as a double (complex: its real part).
  double as_double() const;
  bool operator==(const Scalar& o) const;
};

class Attribute {
 public:
  using Value =
      std::variant<bool, int32_t, int64_t, float, double, std::string, Scalar, std::vector<bool>,
                   std::vector<int32_t>, std::vector<int64_t>, std::vector<float>,
                   std::vector<double>, std::vector<std::string>, std::vector<Scalar>>;

  Attribute() : kind_(AttrKind::kInt), value_(int32_t{0}) {}

  static Attribute i32(int32_t v) { return {AttrKind::kInt, v}; }
  static Attribute f32(float v) { return {AttrKind::kFloat, v}; }
  static Attribute str(std::string v) { return {AttrKind::kString, std::move(v)}; }
  static Attribute i32s(std::vector<int32_t> v) { return {AttrKind::kInts, std::move(v)}; }
  static Attribute f32s(std::vector<float> v) { return {AttrKind::kFloats, std::move(v)}; }
  static Attribute strs(std::vector<std::string> v) { return {AttrKind::kStrings, std::move(v)}; }
  static Attribute boolean(bool v) { return {AttrKind::kBool, v}; }
  static Attribute bools(std::vector<bool> v) { return {AttrKind::kBools, std::move(v)}; }
  static Attribute block(int32_t idx) { return {AttrKind::kBlock, idx}; }
  static Attribute i64(int64_t v) { return {AttrKind::kLong, v}; }
  static Attribute blocks(std::vector<int32_t> v) { return {AttrKind::kBlocks, std::move(v)}; }
  static Attribute i64s(std::vector<int64_t> v) { return {AttrKind::kLongs, std::move(v)}; }
  static Attribute f64s(std::vector<double> v) { return {AttrKind::kFloat64s, std::move(v)}; }
  static Attribute var(std::string name) { return {AttrKind::kVar, std::move(name)}; }
  static Attribute vars(std::vector<std::string> names) {
    return {AttrKind::kVars, std::move(names)};
  }
  static Attribute f64(double v) { return {AttrKind::kFloat64, v}; }
  static Attribute scalar(Scalar v) { return {AttrKind::kScalar, v}; }
  static Attribute scalars(std::vector<Scalar> v) { return {AttrKind::kScalars, std::move(v)}; }

  AttrKind kind() const { return kind_; }
  const Value& value() const { return value_; }

  template <typename T>
  const T& get() const {
    return std::get<T>(value_);
  }

  // Conversions that consumers (runtime, checker, exporter) use regardless of the stored kind.
  // Each returns nullopt when the kind is not of that family.
  std::optional<int64_t> as_int() const;    // INT, LONG, BOOLEAN, BLOCK, SCALAR(int/bool)
  std::optional<double> as_double() const;  // FLOAT, FLOAT64, INT, LONG, SCALAR
  std::optional<bool> as_bool() const;      // BOOLEAN, INT/LONG (non-zero)
  const std::string* as_string() const;     // STRING, VAR
  std::optional<std::vector<int64_t>> as_ints() const;    // INTS, LONGS, BOOLEANS, BLOCKS, SCALARS
  std::optional<std::vector<double>> as_doubles() const;  // FLOATS, FLOAT64S, INTS, LONGS, SCALARS
  const std::vector<std::string>* as_strings() const;     // STRINGS, VARS

  // Human-readable value: 1, 0.5, "nearest", [1, 2], Scalar(float64: 1).
  std::string to_string() const;

  // Value equality where NaN equals NaN (as Scalar's): a program read, written and read again is
  // the same program even when a float attribute holds a NaN.
  bool operator==(const Attribute& o) const;

 private:
  Attribute(AttrKind kind, Value value) : kind_(kind), value_(std::move(value)) {}
  AttrKind kind_;
  Value value_;
};

struct NamedAttribute {
  std::string name;
  Attribute value;
  bool operator==(const NamedAttribute&) const = default;
};

}  // namespace detport::ir
