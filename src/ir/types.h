// Element and variable types, numbered exactly as Paddle's VarType.Type so that every format maps
// to them without a table (framework.proto; DENSE_TENSOR was LOD_TENSOR before Paddle 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace detport::ir {

enum class VarType : int32_t {
  kBool = 0,
  kInt16 = 1,
  kInt32 = 2,
  kInt64 = 3,
  kFloat16 = 4,
  kFloat32 = 5,
  kFloat64 = 6,
  kDenseTensor = 7,
  kSelectedRows = 8,
  kFeedMinibatch = 9,
  kFetchList = 10,
  kStepScopes = 11,
  kLodRankTable = 12,
  kDenseTensorArray = 13,
  kPlaceList = 14,
  kReader = 15,
  kFetchVarList = 16,  // 1.x only
  kRaw = 17,
  kTuple = 18,
  kSizeT = 19,
  kUInt8 = 20,
  kInt8 = 21,
  kBFloat16 = 22,
  kComplex64 = 23,
  kComplex128 = 24,
  kString = 25,
  kStrings = 26,
  kVocab = 27,
  kFeedList = 28,
  kPString = 29,
  kSparseCoo = 30,
  kSparseCsr = 31,
  kFp8E4M3FN = 32,
  kFp8E5M2 = 33,
};
constexpr int32_t kMaxVarType = 33;

// An element type is a VarType that names a scalar (BOOL..FP64, SIZE_T..COMPLEX128, FP8).
using DType = VarType;

bool is_known_var_type(int32_t code);
bool is_element_type(VarType t);
// Bytes per element; 0 for types that are not element types.
std::size_t dtype_size(DType t);
// Lower-case name as Paddle prints it ("float32", "int64", "dense_tensor", ...); "type(N)" if
// unknown.
std::string var_type_name(VarType t);
std::optional<VarType> var_type_from_name(std::string_view name);

}  // namespace detport::ir
