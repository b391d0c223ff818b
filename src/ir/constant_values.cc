#include "ir/constant_values.h"

#include <fmt/format.h>

#include "ir/tensor.h"

namespace detport::ir {
namespace {

// Legacy (<= 2.4) assign_value: the list named for the dtype.
const char* legacy_list_name(const Op& op, DType dt) {
  switch (dt) {
    case DType::kFloat32:
      return "fp32_values";
    case DType::kFloat64:
      return op.has_attr("fp64_values") ? "fp64_values" : "double_values";
    case DType::kInt32:
      return "int32_values";
    case DType::kInt64:
      return "int64_values";
    case DType::kBool:
      return "bool_values";
    default:
      return nullptr;
  }
}

}  // namespace

Result<ConstantValues> assign_value_constant(const Op& op) {
  ConstantValues c;
  const int64_t code = op.int_attr("dtype", static_cast<int64_t>(DType::kFloat32));
  if (code >= 0 && is_known_var_type(static_cast<int32_t>(code)))
    c.dtype = static_cast<DType>(code);
  const Attribute* list = nullptr;
  bool one_d = false;  // full_int_array: the shape is the list's length
  if (const Attribute* a = op.attr("values"); a != nullptr && a->kind() == AttrKind::kScalars) {
    list = a;
  } else if (const Attribute* v = op.attr("value"); v != nullptr && !op.has_attr("shape")) {
    list = v;
    one_d = true;
  } else {
    const char* name = legacy_list_name(op, c.dtype);
    if (name == nullptr)
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("assign_value of {} is not supported", var_type_name(c.dtype)));
    list = op.attr(name);
    if (list == nullptr)
      return make_error(ErrorCode::kInvalidInput, fmt::format("attribute {} is missing", name));
  }
  c.ints = list->as_ints();
  if (auto d = list->as_doubles())
    c.values = std::move(*d);
  else if (c.ints)  // bool_values
    c.values.assign(c.ints->begin(), c.ints->end());
  else
    return make_error(ErrorCode::kInvalidInput, "assign_value's values are not numbers");
  c.dims =
      one_d ? std::vector<int64_t>{static_cast<int64_t>(c.values.size())} : op.ints_attr("shape");
  const auto n = checked_numel(c.dims);
  if (!n || static_cast<std::size_t>(*n) != c.values.size())
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("{} values for the shape [{}]", c.values.size(), fmt::join(c.dims, ",")));
  return c;
}

}  // namespace detport::ir
