#include "ir/types.h"

#include <array>
#include <utility>

namespace detport::ir {
namespace {

struct TypeInfo {
  VarType type;
  const char* name;
  std::size_t size;  // 0: not an element type
};

constexpr std::array<TypeInfo, 34> kTypes{{
    {VarType::kBool, "bool", 1},
    {VarType::kInt16, "int16", 2},
    {VarType::kInt32, "int32", 4},
    {VarType::kInt64, "int64", 8},
    {VarType::kFloat16, "float16", 2},
    {VarType::kFloat32, "float32", 4},
    {VarType::kFloat64, "float64", 8},
    {VarType::kDenseTensor, "dense_tensor", 0},
    {VarType::kSelectedRows, "selected_rows", 0},
    {VarType::kFeedMinibatch, "feed_minibatch", 0},
    {VarType::kFetchList, "fetch_list", 0},
    {VarType::kStepScopes, "step_scopes", 0},
    {VarType::kLodRankTable, "lod_rank_table", 0},
    {VarType::kDenseTensorArray, "dense_tensor_array", 0},
    {VarType::kPlaceList, "place_list", 0},
    {VarType::kReader, "reader", 0},
    {VarType::kFetchVarList, "fetch_var_list", 0},
    {VarType::kRaw, "raw", 0},
    {VarType::kTuple, "tuple", 0},
    {VarType::kSizeT, "size_t", 8},
    {VarType::kUInt8, "uint8", 1},
    {VarType::kInt8, "int8", 1},
    {VarType::kBFloat16, "bfloat16", 2},
    {VarType::kComplex64, "complex64", 8},
    {VarType::kComplex128, "complex128", 16},
    {VarType::kString, "string", 0},
    {VarType::kStrings, "strings", 0},
    {VarType::kVocab, "vocab", 0},
    {VarType::kFeedList, "feed_list", 0},
    {VarType::kPString, "pstring", 0},
    {VarType::kSparseCoo, "sparse_coo", 0},
    {VarType::kSparseCsr, "sparse_csr", 0},
    {VarType::kFp8E4M3FN, "float8_e4m3fn", 1},
    {VarType::kFp8E5M2, "float8_e5m2", 1},
}};

const TypeInfo* find(VarType t) {
  const auto code = static_cast<int32_t>(t);
  if (code < 0 || code > kMaxVarType) return nullptr;
  return &kTypes[static_cast<std::size_t>(code)];
}

}  // namespace

bool is_known_var_type(int32_t code) {
  return code >= 0 && code <= kMaxVarType;
}

bool is_element_type(VarType t) {
  const TypeInfo* info = find(t);
  return info != nullptr && info->size > 0;
}

std::size_t dtype_size(DType t) {
  const TypeInfo* info = find(t);
  return info == nullptr ? 0 : info->size;
}

std::string var_type_name(VarType t) {
  const TypeInfo* info = find(t);
  if (info == nullptr) return "type(" + std::to_string(static_cast<int32_t>(t)) + ")";
  return info->name;
}

std::optional<VarType> var_type_from_name(std::string_view name) {
  for (const TypeInfo& info : kTypes)
    if (name == info.name) return info.type;
  if (name == "lod_tensor") return VarType::kDenseTensor;
  if (name == "lod_tensor_array") return VarType::kDenseTensorArray;
  return std::nullopt;
}

}  // namespace detport::ir
