#include "ir/attribute.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <type_traits>

namespace detport::ir {
namespace {

constexpr std::array<const char*, 18> kKindNames{
    "INT",  "FLOAT",  "STRING", "INTS",     "FLOATS", "STRINGS", "BOOLEAN", "BOOLEANS", "BLOCK",
    "LONG", "BLOCKS", "LONGS",  "FLOAT64S", "VAR",    "VARS",    "FLOAT64", "SCALAR",   "SCALARS"};

std::string scalar_text(const Scalar& s) {
  switch (s.kind) {
    case Scalar::Kind::kBool:
      return fmt::format("Scalar(bool: {})", s.b);
    case Scalar::Kind::kInt64:
      return fmt::format("Scalar(int64: {})", s.i);
    case Scalar::Kind::kFloat64:
      return fmt::format("Scalar(float64: {})", s.r);
    case Scalar::Kind::kComplex128:
      return fmt::format("Scalar(complex128: {}+{}j)", s.c.real(), s.c.imag());
  }
  return "Scalar(?)";
}

}  // namespace

std::string attr_kind_name(AttrKind kind) {
  const auto code = static_cast<int32_t>(kind);
  if (code < 0 || code > kMaxAttrKind) return fmt::format("ATTR({})", code);
  return kKindNames[static_cast<std::size_t>(code)];
}

std::optional<AttrKind> attr_kind_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (name == kKindNames[i]) return static_cast<AttrKind>(i);
  return std::nullopt;
}

double Scalar::as_double() const {
  switch (kind) {
    case Kind::kBool:
      return b ? 1.0 : 0.0;
    case Kind::kInt64:
      return static_cast<double>(i);
    case Kind::kFloat64:
      return r;
    case Kind::kComplex128:
      return c.real();
  }
  return 0;
}

namespace {

template <typename T>
bool same_value(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a == b || (a != a && b != b);
  } else if constexpr (std::is_same_v<T, std::vector<float>> ||
                       std::is_same_v<T, std::vector<double>>) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](auto x, auto y) { return same_value(x, y); });
  } else {
    return a == b;
  }
}

}  // namespace

bool Attribute::operator==(const Attribute& o) const {
  if (kind_ != o.kind_ || value_.index() != o.value_.index()) return false;
  return std::visit(
      [&](const auto& a) { return same_value(a, std::get<std::decay_t<decltype(a)>>(o.value_)); },
      value_);
}

bool Scalar::operator==(const Scalar& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::kBool:
      return b == o.b;
    case Kind::kInt64:
      return i == o.i;
    case Kind::kFloat64:
      return r == o.r || (r != r && o.r != o.r);
    case Kind::kComplex128:
      return c == o.c;
  }
  return false;
}

std::optional<int64_t> Attribute::as_int() const {
  switch (kind_) {
    case AttrKind::kInt:
    case AttrKind::kBlock:
      return get<int32_t>();
    case AttrKind::kLong:
      return get<int64_t>();
    case AttrKind::kBool:
      return get<bool>() ? 1 : 0;
    case AttrKind::kScalar: {
      const Scalar& s = get<Scalar>();
      if (s.kind == Scalar::Kind::kInt64) return s.i;
      if (s.kind == Scalar::Kind::kBool) return s.b ? 1 : 0;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> Attribute::as_double() const {
  switch (kind_) {
    case AttrKind::kFloat:
      return get<float>();
    case AttrKind::kFloat64:
      return get<double>();
    case AttrKind::kInt:
      return get<int32_t>();
    case AttrKind::kLong:
      return static_cast<double>(get<int64_t>());
    case AttrKind::kScalar:
      return get<Scalar>().as_double();
    default:
      return std::nullopt;
  }
}

std::optional<bool> Attribute::as_bool() const {
  switch (kind_) {
    case AttrKind::kBool:
      return get<bool>();
    case AttrKind::kInt:
      return get<int32_t>() != 0;
    case AttrKind::kLong:
      return get<int64_t>() != 0;
    default:
      return std::nullopt;
  }
}

const std::string* Attribute::as_string() const {
  if (kind_ == AttrKind::kString || kind_ == AttrKind::kVar) return &get<std::string>();
  return nullptr;
}

std::optional<std::vector<int64_t>> Attribute::as_ints() const {
  switch (kind_) {
    case AttrKind::kInts:
    case AttrKind::kBlocks: {
      const auto& v = get<std::vector<int32_t>>();
      return std::vector<int64_t>(v.begin(), v.end());
    }
    case AttrKind::kLongs:
      return get<std::vector<int64_t>>();
    case AttrKind::kBools: {
      const auto& v = get<std::vector<bool>>();
      return std::vector<int64_t>(v.begin(), v.end());
    }
    case AttrKind::kScalars: {
      std::vector<int64_t> out;
      for (const Scalar& s : get<std::vector<Scalar>>()) {
        if (s.kind == Scalar::Kind::kInt64)
          out.push_back(s.i);
        else if (s.kind == Scalar::Kind::kBool)
          out.push_back(s.b ? 1 : 0);
        else
          return std::nullopt;
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::vector<double>> Attribute::as_doubles() const {
  switch (kind_) {
    case AttrKind::kFloats: {
      const auto& v = get<std::vector<float>>();
      return std::vector<double>(v.begin(), v.end());
    }
    case AttrKind::kFloat64s:
      return get<std::vector<double>>();
    case AttrKind::kInts: {
      const auto& v = get<std::vector<int32_t>>();
      return std::vector<double>(v.begin(), v.end());
    }
    case AttrKind::kLongs: {
      std::vector<double> out;
      for (int64_t x : get<std::vector<int64_t>>()) out.push_back(static_cast<double>(x));
      return out;
    }
    case AttrKind::kScalars: {
      std::vector<double> out;
      for (const Scalar& s : get<std::vector<Scalar>>()) out.push_back(s.as_double());
      return out;
    }
    default:
      return std::nullopt;
  }
}

const std::vector<std::string>* Attribute::as_strings() const {
  if (kind_ == AttrKind::kStrings || kind_ == AttrKind::kVars)
    return &get<std::vector<std::string>>();
  return nullptr;
}

std::string Attribute::to_string() const {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return fmt::format("\"{}\"", v);
        } else if constexpr (std::is_same_v<T, Scalar>) {
          return scalar_text(v);
        } else if constexpr (std::is_same_v<T, std::vector<Scalar>>) {
          std::vector<std::string> parts;
          for (const Scalar& s : v) parts.push_back(scalar_text(s));
          return fmt::format("[{}]", fmt::join(parts, ", "));
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          std::vector<std::string> parts;
          for (const std::string& s : v) parts.push_back(fmt::format("\"{}\"", s));
          return fmt::format("[{}]", fmt::join(parts, ", "));
        } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
          std::vector<std::string> parts;
          for (bool b : v) parts.push_back(b ? "true" : "false");
          return fmt::format("[{}]", fmt::join(parts, ", "));
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_arithmetic_v<T>) {
          return fmt::format("{}", v);
        } else {
          return fmt::format("[{}]", fmt::join(v, ", "));
        }
      },
      value_);
}

}  // namespace detport::ir
