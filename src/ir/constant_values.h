// The constant an assign_value op holds, in either of the forms the IR carries it: legacy
// assign_value (`shape` plus the list named for the dtype: fp32_values, int32_values, ...; or
// `values` of scalars from Paddle 2.5), and Paddle 3's pd_op.full_int_array, which the PIR reader
// maps to assign_value with its own attribute `value` and no `shape` (a 1-D vector). The native
// kernel and the ONNX exporter both read it here, so they cannot disagree on it.
#pragma once

#include <optional>
#include <vector>

#include "core/result.h"
#include "ir/program.h"
#include "ir/types.h"

namespace detport::ir {

struct ConstantValues {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> dims;
  std::vector<double> values;
  // The exact integers when the source list is integral (int64 values beyond double precision).
  std::optional<std::vector<int64_t>> ints;
};

// Fails with kUnsupported for a dtype assign_value cannot hold, kInvalidInput when the list is
// missing or its length does not match the shape.
Result<ConstantValues> assign_value_constant(const Op& op);

}  // namespace detport::ir
