// Paddle 3 PIR JSON (inference.json): bounded parsing, and the encodings of PIR value types and
// attributes <-> the IR's tensor descriptions and typed attributes. Keys and encodings follow
// Paddle's serializer (docs/FORMATS.md section 5).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ir/program.h"

namespace detport::formats::pir {

using Json = nlohmann::json;

// double -> float without undefined behaviour: values beyond float's range become +-infinity.
float to_float(double v);

// Limits checked on the text before anything is allocated for it.
inline constexpr std::size_t kMaxFileBytes = std::size_t{512} << 20;
inline constexpr int kMaxDepth = 64;

// Parses PIR JSON text: size and nesting depth are bounded first; syntax errors name the byte
// offset.
Result<Json> parse_document(std::string_view text);

// An error at a JSON pointer ("/program/regions/0/blocks/0/ops/12/A/3").
Error at(const std::string& pointer, std::string message,
         ErrorCode code = ErrorCode::kInvalidInput);

// Builtin element type ids ("0.t_f32") <-> IR dtypes; phi dtype names ("float32") <-> IR dtypes.
std::optional<ir::DType> element_type(std::string_view id);
std::string element_type_id(ir::DType dtype);
std::optional<ir::DType> phi_dtype(std::string_view name);
std::string phi_dtype_name(ir::DType dtype);

// A value type as the IR sees it: a dense tensor's element type and dims.
struct ValueType {
  ir::VarType type = ir::VarType::kDenseTensor;
  std::optional<ir::TensorDesc> tensor;
};
// Checks a "TT" object (recursively for vectors) and returns what the IR keeps of it.
Result<ValueType> decode_type(const Json& tt, const std::string& pointer);
// The "TT" of a var, with the PIR defaults (layout NCHW, no LoD, offset 0).
Json encode_type(const ir::Var* var);

// Decodes an "AT" object. Returns nullopt for kinds the IR has no counterpart for (a_place,
// a_pointer, nested arrays); those are kept verbatim by the caller.
Result<std::optional<ir::Attribute>> decode_attr(const Json& at, const std::string& pointer);
// Encodes an attribute. With `like` (the AT the value was read from), the exact PIR kind is kept
// (a_intarray vs a_array of a_i64, the element kind of an empty array); otherwise the kind
// follows the IR kind (INT -> a_i32, LONGS -> a_array of a_i64, ...).
Json encode_attr(const ir::Attribute& attr, const Json* like);

}  // namespace detport::formats::pir
