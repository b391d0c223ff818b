#include "formats/paddle_pir/pir_json.h"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>

namespace detport::formats::pir {
namespace {

struct ElementInfo {
  const char* id;   // builtin type id
  const char* phi;  // phi DataType name
  ir::DType dtype;
};

// Builtin element types (builtin_type.h names) and phi dtype names, with the VarType they are.
constexpr std::array<ElementInfo, 15> kElements{{
    {"0.t_bool", "bool", ir::DType::kBool},
    {"0.t_i8", "int8", ir::DType::kInt8},
    {"0.t_ui8", "uint8", ir::DType::kUInt8},
    {"0.t_i16", "int16", ir::DType::kInt16},
    {"0.t_i32", "int32", ir::DType::kInt32},
    {"0.t_i64", "int64", ir::DType::kInt64},
    {"0.t_f16", "float16", ir::DType::kFloat16},
    {"0.t_bf16", "bfloat16", ir::DType::kBFloat16},
    {"0.t_f32", "float32", ir::DType::kFloat32},
    {"0.t_f64", "float64", ir::DType::kFloat64},
    {"0.t_c64", "complex64", ir::DType::kComplex64},
    {"0.t_c128", "complex128", ir::DType::kComplex128},
    {"0.t_index", "index", ir::DType::kSizeT},
    {"0.t_f8e4m3fn", "float8_e4m3fn", ir::DType::kFp8E4M3FN},
    {"0.t_f8e5m2", "float8_e5m2", ir::DType::kFp8E5M2},
}};

constexpr const char* kKnownAttrs =
    "0.a_bool, 0.a_i32, 0.a_i64, 0.a_index, 0.a_f32, 0.a_f64, 0.a_str, 0.a_tensorname, 0.a_c64, "
    "0.a_c128, 0.a_array, 0.a_type, 0.a_pointer, 1.a_intarray, 1.a_scalar, 1.a_dtype, 1.a_place, "
    "1.a_layout, NULL";

bool known_dialect(std::string_view id) {
  const auto dot = id.find('.');
  if (dot == std::string_view::npos) return false;
  const auto d = id.substr(0, dot);
  return d == "0" || d == "1" || d == "2" || d == "3" || d == "4";
}

Error unknown_dialect(const std::string& pointer, std::string_view id) {
  return at(pointer,
            fmt::format("unknown dialect in '{}'; expected 0 (builtin), 1 (pd_op), 2 (cf), 3 "
                        "(custom_op) or 4 (pd_dist) before the dot",
                        id));
}

Result<double> float_data(const Json& at_json, const std::string& pointer) {
  if (auto vd = at_json.find("VD"); vd != at_json.end()) {
    if (*vd == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (*vd == "INF") return std::numeric_limits<double>::infinity();
    if (*vd == "-INF") return -std::numeric_limits<double>::infinity();
    return at(pointer + "/VD", "expected \"NaN\", \"INF\" or \"-INF\"");
  }
  auto d = at_json.find("D");
  if (d == at_json.end() || !d->is_number())
    return at(pointer + "/D", "expected a number (or VD for NaN/INF)");
  return d->get<double>();
}

Result<int64_t> int_data(const Json& at_json, const std::string& pointer, int64_t lo, int64_t hi) {
  auto d = at_json.find("D");
  if (d == at_json.end() || !(d->is_number_integer()))
    return at(pointer + "/D", "expected an integer");
  if (d->is_number_unsigned() && d->get<uint64_t>() > static_cast<uint64_t>(hi))
    return at(pointer + "/D", fmt::format("{} is out of range {}..{}", d->dump(), lo, hi));
  const auto v = d->get<int64_t>();
  if (v < lo || v > hi)
    return at(pointer + "/D", fmt::format("{} is out of range {}..{}", v, lo, hi));
  return v;
}

Json float_json(const char* id, double v) {
  Json j{{"#", id}};
  if (std::isnan(v))
    j["VD"] = "NaN";
  else if (std::isinf(v))
    j["VD"] = v > 0 ? "INF" : "-INF";
  else
    j["D"] = v;
  return j;
}

ir::Scalar scalar_from_pir(const std::string& dtype, const Json& d) {
  if (dtype == "bool") return ir::Scalar::of_bool(d[1].get<bool>());
  if (dtype == "complex64" || dtype == "complex128") {
    ir::Scalar s;
    s.kind = ir::Scalar::Kind::kComplex128;
    s.c = {d[1].get<double>(), d[2].get<double>()};
    return s;
  }
  if (d[1].is_number_integer()) return ir::Scalar::of_int(d[1].get<int64_t>());
  return ir::Scalar::of_double(d[1].get<double>());
}

Json scalar_to_pir(const ir::Scalar& s, const std::string& like_dtype) {
  std::string dtype = like_dtype;
  if (dtype.empty()) {
    switch (s.kind) {
      case ir::Scalar::Kind::kBool:
        dtype = "bool";
        break;
      case ir::Scalar::Kind::kInt64:
        dtype = "int64";
        break;
      case ir::Scalar::Kind::kFloat64:
        dtype = "float64";
        break;
      case ir::Scalar::Kind::kComplex128:
        dtype = "complex128";
        break;
    }
  }
  Json d = Json::array({dtype});
  if (dtype == "bool") {
    d.push_back(s.kind == ir::Scalar::Kind::kBool ? s.b : s.as_double() != 0);
  } else if (dtype == "complex64" || dtype == "complex128") {
    d.push_back(s.c.real());
    d.push_back(s.c.imag());
  } else if (dtype == "float32") {
    d.push_back(static_cast<double>(to_float(s.as_double())));
  } else if (dtype == "float64") {
    d.push_back(s.as_double());
  } else {
    const double x = s.as_double();
    const bool fits = x >= -9.2e18 && x <= 9.2e18;  // NaN fails both
    d.push_back(s.kind == ir::Scalar::Kind::kInt64 ? s.i : fits ? static_cast<int64_t>(x) : 0);
  }
  return Json{{"#", "1.a_scalar"}, {"D", std::move(d)}};
}

Result<std::optional<ir::Attribute>> decode_array(const Json& at_json, const std::string& pointer) {
  auto d = at_json.find("D");
  if (d == at_json.end() || !d->is_array()) return at(pointer + "/D", "expected an array");
  std::vector<ir::Attribute> items;
  std::string kind;
  bool mixed = false;
  for (std::size_t i = 0; i < d->size(); ++i) {
    const std::string p = fmt::format("{}/D/{}", pointer, i);
    DETPORT_ASSIGN(auto item, decode_attr((*d)[i], p));
    const std::string k = (*d)[i]["#"].get<std::string>();
    if (!item) return std::optional<ir::Attribute>{};  // nested arrays, places: kept verbatim
    if (!kind.empty() && k != kind) mixed = true;
    kind = k;
    items.push_back(std::move(*item));
  }
  if (mixed) return std::optional<ir::Attribute>{};
  if (items.empty() || kind == "0.a_i32") {
    std::vector<int32_t> v;
    for (const auto& a : items) v.push_back(a.get<int32_t>());
    return std::optional{ir::Attribute::i32s(std::move(v))};
  }
  if (kind == "0.a_i64" || kind == "0.a_index") {
    std::vector<int64_t> v;
    for (const auto& a : items) v.push_back(a.get<int64_t>());
    return std::optional{ir::Attribute::i64s(std::move(v))};
  }
  if (kind == "0.a_f32") {
    std::vector<float> v;
    for (const auto& a : items) v.push_back(a.get<float>());
    return std::optional{ir::Attribute::f32s(std::move(v))};
  }
  if (kind == "0.a_f64") {
    std::vector<double> v;
    for (const auto& a : items) v.push_back(a.get<double>());
    return std::optional{ir::Attribute::f64s(std::move(v))};
  }
  if (kind == "0.a_bool") {
    std::vector<bool> v;
    for (const auto& a : items) v.push_back(a.get<bool>());
    return std::optional{ir::Attribute::bools(std::move(v))};
  }
  if (kind == "0.a_str" || kind == "0.a_tensorname" || kind == "1.a_layout") {
    std::vector<std::string> v;
    for (const auto& a : items) v.push_back(a.get<std::string>());
    return std::optional{ir::Attribute::strs(std::move(v))};
  }
  if (kind == "1.a_scalar" || kind == "0.a_c64" || kind == "0.a_c128") {
    std::vector<ir::Scalar> v;
    for (const auto& a : items) v.push_back(a.get<ir::Scalar>());
    return std::optional{ir::Attribute::scalars(std::move(v))};
  }
  return std::optional<ir::Attribute>{};
}

// The default PIR element kind of an IR list kind.
const char* element_kind(ir::AttrKind kind) {
  switch (kind) {
    case ir::AttrKind::kLongs:
      return "0.a_i64";
    case ir::AttrKind::kFloats:
      return "0.a_f32";
    case ir::AttrKind::kFloat64s:
      return "0.a_f64";
    case ir::AttrKind::kBools:
      return "0.a_bool";
    case ir::AttrKind::kStrings:
    case ir::AttrKind::kVars:
      return "0.a_str";
    case ir::AttrKind::kScalars:
      return "1.a_scalar";
    default:
      return "0.a_i32";
  }
}

// The elements of a list attribute as single attributes.
std::vector<ir::Attribute> elements(const ir::Attribute& a) {
  std::vector<ir::Attribute> out;
  switch (a.kind()) {
    case ir::AttrKind::kInts:
    case ir::AttrKind::kBlocks:
      for (int32_t v : a.get<std::vector<int32_t>>()) out.push_back(ir::Attribute::i32(v));
      break;
    case ir::AttrKind::kLongs:
      for (int64_t v : a.get<std::vector<int64_t>>()) out.push_back(ir::Attribute::i64(v));
      break;
    case ir::AttrKind::kFloats:
      for (float v : a.get<std::vector<float>>()) out.push_back(ir::Attribute::f32(v));
      break;
    case ir::AttrKind::kFloat64s:
      for (double v : a.get<std::vector<double>>()) out.push_back(ir::Attribute::f64(v));
      break;
    case ir::AttrKind::kBools:
      for (bool v : a.get<std::vector<bool>>()) out.push_back(ir::Attribute::boolean(v));
      break;
    case ir::AttrKind::kStrings:
    case ir::AttrKind::kVars:
      for (const auto& v : a.get<std::vector<std::string>>()) out.push_back(ir::Attribute::str(v));
      break;
    case ir::AttrKind::kScalars:
      for (const auto& v : a.get<std::vector<ir::Scalar>>())
        out.push_back(ir::Attribute::scalar(v));
      break;
    default:
      out.push_back(a);
  }
  return out;
}

bool is_list(ir::AttrKind k) {
  switch (k) {
    case ir::AttrKind::kInts:
    case ir::AttrKind::kFloats:
    case ir::AttrKind::kStrings:
    case ir::AttrKind::kBools:
    case ir::AttrKind::kBlocks:
    case ir::AttrKind::kLongs:
    case ir::AttrKind::kFloat64s:
    case ir::AttrKind::kVars:
    case ir::AttrKind::kScalars:
      return true;
    default:
      return false;
  }
}

const char* default_kind(ir::AttrKind k) {
  switch (k) {
    case ir::AttrKind::kFloat:
      return "0.a_f32";
    case ir::AttrKind::kFloat64:
      return "0.a_f64";
    case ir::AttrKind::kString:
    case ir::AttrKind::kVar:
      return "0.a_str";
    case ir::AttrKind::kBool:
      return "0.a_bool";
    case ir::AttrKind::kLong:
      return "0.a_i64";
    case ir::AttrKind::kScalar:
      return "1.a_scalar";
    default:
      return is_list(k) ? "0.a_array" : "0.a_i32";
  }
}

Json encode_as(const ir::Attribute& a, const std::string& kind, const Json* like) {
  if (kind == "0.a_array") {
    Json d = Json::array();
    const auto items = elements(a);
    const Json* first =
        (like && like->contains("D") && (*like)["D"].is_array() && !(*like)["D"].empty())
            ? &(*like)["D"][0]
            : nullptr;
    const std::string ek = first ? (*first)["#"].get<std::string>() : element_kind(a.kind());
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Json* el = first;
      if (like && i < (*like)["D"].size()) el = &(*like)["D"][i];
      d.push_back(encode_as(items[i], ek, el));
    }
    return Json{{"#", "0.a_array"}, {"D", std::move(d)}};
  }
  if (kind == "1.a_intarray")
    return Json{{"#", kind}, {"D", a.as_ints().value_or(std::vector<int64_t>{})}};
  if (kind == "0.a_f32")
    return float_json("0.a_f32", static_cast<double>(to_float(a.as_double().value_or(0))));
  if (kind == "0.a_f64") return float_json("0.a_f64", a.as_double().value_or(0));
  if (kind == "0.a_i32" || kind == "0.a_i64" || kind == "0.a_index")
    return Json{{"#", kind}, {"D", a.as_int().value_or(0)}};
  if (kind == "0.a_bool") return Json{{"#", kind}, {"D", a.as_bool().value_or(false)}};
  if (kind == "0.a_str" || kind == "0.a_tensorname" || kind == "1.a_layout")
    return Json{{"#", kind}, {"D", a.as_string() ? *a.as_string() : std::string()}};
  if (kind == "1.a_dtype")
    return Json{{"#", kind},
                {"D", phi_dtype_name(static_cast<ir::DType>(a.as_int().value_or(-1)))}};
  if (kind == "0.a_type") {
    const std::string* s = a.as_string();
    return Json{{"#", kind}, {"D", Json::parse(s ? *s : std::string("null"), nullptr, false)}};
  }
  if (kind == "0.a_c64" || kind == "0.a_c128") {
    const ir::Scalar s = a.kind() == ir::AttrKind::kScalar ? a.get<ir::Scalar>() : ir::Scalar{};
    return Json{{"#", kind}, {"D", Json::array({s.c.real(), s.c.imag()})}};
  }
  if (kind == "1.a_scalar") {
    std::string dtype;
    if (like && like->contains("D") && (*like)["D"].is_array() && !(*like)["D"].empty())
      dtype = (*like)["D"][0].get<std::string>();
    ir::Scalar s;
    if (a.kind() == ir::AttrKind::kScalar)
      s = a.get<ir::Scalar>();
    else if (auto i = a.as_int();
             i && a.kind() != ir::AttrKind::kFloat && a.kind() != ir::AttrKind::kFloat64)
      s = ir::Scalar::of_int(*i);
    else
      s = ir::Scalar::of_double(a.as_double().value_or(0));
    return scalar_to_pir(s, dtype);
  }
  return Json{{"#", kind}, {"D", nullptr}};
}

}  // namespace

float to_float(double v) {
  if (std::isnan(v)) return std::numeric_limits<float>::quiet_NaN();
  if (v > std::numeric_limits<float>::max()) return std::numeric_limits<float>::infinity();
  if (v < -std::numeric_limits<float>::max()) return -std::numeric_limits<float>::infinity();
  return static_cast<float>(v);
}

Error at(const std::string& pointer, std::string message, ErrorCode code) {
  return make_error(code, std::move(message), pointer.empty() ? std::string("/") : pointer);
}

Result<Json> parse_document(std::string_view text) {
  if (text.size() > kMaxFileBytes)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("the file has {} bytes; detport reads PIR programs of at most "
                                  "{} bytes",
                                  text.size(), kMaxFileBytes));
  // Nesting depth first: nlohmann's parser recurses, so a hostile file could exhaust the stack.
  int depth = 0;
  bool in_string = false;
  bool escape = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escape)
        escape = false;
      else if (c == '\\')
        escape = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth)
        return make_error(ErrorCode::kInvalidInput,
                          fmt::format("JSON nesting deeper than {} levels (PIR programs nest about "
                                      "12 per control-flow level)",
                                      kMaxDepth),
                          fmt::format("byte offset {}", i));
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    std::string what = e.what();
    if (auto p = what.find("parse error"); p != std::string::npos) what = what.substr(p);
    return make_error(ErrorCode::kInvalidInput, "not valid JSON: " + what,
                      fmt::format("byte offset {}", e.byte == 0 ? 0 : e.byte - 1));
  }
}

std::optional<ir::DType> element_type(std::string_view id) {
  for (const auto& e : kElements)
    if (id == e.id) return e.dtype;
  return std::nullopt;
}

std::string element_type_id(ir::DType dtype) {
  for (const auto& e : kElements)
    if (e.dtype == dtype) return e.id;
  return "0.t_f32";
}

std::optional<ir::DType> phi_dtype(std::string_view name) {
  for (const auto& e : kElements)
    if (name == e.phi) return e.dtype;
  return std::nullopt;
}

std::string phi_dtype_name(ir::DType dtype) {
  for (const auto& e : kElements)
    if (e.dtype == dtype) return e.phi;
  return "undefined";
}

Result<ValueType> decode_type(const Json& tt, const std::string& pointer) {
  if (!tt.is_object() || !tt.contains("#") || !tt["#"].is_string())
    return at(pointer, "expected a type object {\"#\": \"<dialect>.<type>\", ...}");
  const std::string id = tt["#"].get<std::string>();
  if (id == "NULL") return ValueType{ir::VarType::kRaw, std::nullopt};
  if (!known_dialect(id)) return unknown_dialect(pointer + "/#", id);
  if (auto dt = element_type(id))
    return ValueType{ir::VarType::kDenseTensor, ir::TensorDesc{*dt, {}}};
  if (id == "0.t_vec") {
    if (!tt.contains("D") || !tt["D"].is_array())
      return at(pointer + "/D", "expected the array of element types of a t_vec");
    for (std::size_t i = 0; i < tt["D"].size(); ++i)
      DETPORT_TRY(decode_type(tt["D"][i], fmt::format("{}/D/{}", pointer, i)));
    return ValueType{ir::VarType::kTuple, std::nullopt};
  }
  if (id == "0.t_dtensor") {
    const auto d = tt.find("D");
    if (d == tt.end() || !d->is_array() || d->size() != 5)
      return at(pointer + "/D",
                "expected [element type, dims, layout, lod, offset] for a t_dtensor");
    const Json& elem = (*d)[0];
    if (!elem.is_object() || !elem.contains("#") || !elem["#"].is_string())
      return at(pointer + "/D/0", "expected an element type object");
    auto dt = element_type(elem["#"].get<std::string>());
    if (!dt)
      return at(pointer + "/D/0/#",
                fmt::format("unknown element type '{}'", elem["#"].get<std::string>()));
    if (!(*d)[1].is_array()) return at(pointer + "/D/1", "expected the dims array");
    ir::TensorDesc desc{*dt, {}};
    for (std::size_t i = 0; i < (*d)[1].size(); ++i) {
      const Json& x = (*d)[1][i];
      if (!x.is_number_integer())
        return at(fmt::format("{}/D/1/{}", pointer, i), "expected an integer dim");
      const auto v = x.get<int64_t>();
      if (v < -1)
        return at(fmt::format("{}/D/1/{}", pointer, i), fmt::format("dim {} is below -1", v));
      desc.dims.push_back(v);
    }
    if (!(*d)[2].is_string()) return at(pointer + "/D/2", "expected the layout string");
    if (!(*d)[3].is_array()) return at(pointer + "/D/3", "expected the LoD array");
    if (!(*d)[4].is_number_integer()) return at(pointer + "/D/4", "expected the integer offset");
    return ValueType{ir::VarType::kDenseTensor, std::move(desc)};
  }
  return at(pointer + "/#",
            fmt::format("unknown value type '{}' (known: the builtin element types, 0.t_vec, "
                        "0.t_dtensor, NULL)",
                        id));
}

Json encode_type(const ir::Var* var) {
  if (var == nullptr || !var->tensor) return Json{{"#", "NULL"}};
  return Json{{"#", "0.t_dtensor"},
              {"D", Json::array({Json{{"#", element_type_id(var->tensor->dtype)}},
                                 var->tensor->dims, "NCHW", Json::array(), 0})}};
}

Result<std::optional<ir::Attribute>> decode_attr(const Json& a, const std::string& pointer) {
  using R = std::optional<ir::Attribute>;
  if (!a.is_object() || !a.contains("#") || !a["#"].is_string())
    return at(pointer, "expected an attribute object {\"#\": \"<dialect>.<kind>\", \"D\": ...}");
  const std::string id = a["#"].get<std::string>();
  if (id == "NULL") return R{};
  if (!known_dialect(id)) return unknown_dialect(pointer + "/#", id);
  const auto d = a.find("D");
  if (id == "0.a_bool") {
    if (d == a.end() || !d->is_boolean()) return at(pointer + "/D", "expected true or false");
    return R{ir::Attribute::boolean(d->get<bool>())};
  }
  if (id == "0.a_i32") {
    DETPORT_ASSIGN(int64_t v, int_data(a, pointer, INT32_MIN, INT32_MAX));
    return R{ir::Attribute::i32(static_cast<int32_t>(v))};
  }
  if (id == "0.a_i64" || id == "0.a_index") {
    DETPORT_ASSIGN(int64_t v, int_data(a, pointer, INT64_MIN, INT64_MAX));
    return R{ir::Attribute::i64(v)};
  }
  if (id == "0.a_f32") {
    DETPORT_ASSIGN(double v, float_data(a, pointer));
    return R{ir::Attribute::f32(to_float(v))};
  }
  if (id == "0.a_f64") {
    DETPORT_ASSIGN(double v, float_data(a, pointer));
    return R{ir::Attribute::f64(v)};
  }
  if (id == "0.a_str" || id == "0.a_tensorname" || id == "1.a_layout") {
    if (d == a.end() || !d->is_string()) return at(pointer + "/D", "expected a string");
    return R{ir::Attribute::str(d->get<std::string>())};
  }
  if (id == "0.a_c64" || id == "0.a_c128") {
    if (d == a.end() || !d->is_array() || d->size() != 2 || !(*d)[0].is_number() ||
        !(*d)[1].is_number())
      return at(pointer + "/D", "expected [real, imag]");
    ir::Scalar s;
    s.kind = ir::Scalar::Kind::kComplex128;
    s.c = {(*d)[0].get<double>(), (*d)[1].get<double>()};
    return R{ir::Attribute::scalar(s)};
  }
  if (id == "0.a_array") return decode_array(a, pointer);
  if (id == "0.a_type") {
    if (d == a.end()) return at(pointer + "/D", "expected the type");
    return R{ir::Attribute::str(d->dump())};
  }
  if (id == "0.a_pointer") return R{};
  if (id == "1.a_intarray") {
    if (d == a.end() || !d->is_array()) return at(pointer + "/D", "expected an array of integers");
    std::vector<int64_t> v;
    for (std::size_t i = 0; i < d->size(); ++i) {
      if (!(*d)[i].is_number_integer())
        return at(fmt::format("{}/D/{}", pointer, i), "expected an integer");
      v.push_back((*d)[i].get<int64_t>());
    }
    return R{ir::Attribute::i64s(std::move(v))};
  }
  if (id == "1.a_scalar") {
    if (d == a.end() || !d->is_array() || d->size() < 2 || !(*d)[0].is_string())
      return at(pointer + "/D", "expected [dtype, value] or [dtype, real, imag]");
    const std::string dtype = (*d)[0].get<std::string>();
    if (!phi_dtype(dtype) && dtype != "uint16" && dtype != "uint32" && dtype != "uint64")
      return at(pointer + "/D/0", fmt::format("unknown scalar dtype '{}'", dtype));
    const bool complex = dtype == "complex64" || dtype == "complex128";
    if ((complex && (d->size() != 3 || !(*d)[1].is_number() || !(*d)[2].is_number())) ||
        (!complex && d->size() != 2) ||
        (dtype == "bool" ? !(*d)[1].is_boolean() : !(*d)[1].is_number()))
      return at(pointer + "/D", fmt::format("malformed {} scalar", dtype));
    return R{ir::Attribute::scalar(scalar_from_pir(dtype, *d))};
  }
  if (id == "1.a_dtype") {
    if (d == a.end() || !d->is_string()) return at(pointer + "/D", "expected a dtype name");
    const std::string name = d->get<std::string>();
    if (name == "undefined") return R{ir::Attribute::i32(-1)};
    auto dt = phi_dtype(name);
    if (!dt) return at(pointer + "/D", fmt::format("unknown dtype '{}'", name));
    return R{ir::Attribute::i32(static_cast<int32_t>(*dt))};
  }
  if (id == "1.a_place") {
    if (d == a.end() || !d->is_array() || d->size() != 3 || !(*d)[0].is_number_integer() ||
        !(*d)[1].is_number_integer() || !(*d)[2].is_string())
      return at(pointer + "/D", "expected [allocation type, device id, device type]");
    return R{};
  }
  return at(pointer + "/#",
            fmt::format("unknown attribute kind '{}' (known: {})", id, kKnownAttrs));
}

Json encode_attr(const ir::Attribute& attr, const Json* like) {
  std::string kind = default_kind(attr.kind());
  if (like && like->is_object() && like->contains("#") && (*like)["#"].is_string())
    kind = (*like)["#"].get<std::string>();
  return encode_as(attr, kind, like);
}

}  // namespace detport::formats::pir
