// The copy engine behind the optimised data-movement kernels (transpose, concat, split, slice,
// stack, expand, tile): copies an N-D block between two strided views, whatever the storage
// orders (plain or NHWC), with contiguous runs as memcpy, cache-blocked tiles for transposes and
// OpenMP over the outer dims.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/tensor.h"

namespace detport::runtime::kernels {

// dst[i] = src[i] for every coordinate i of `dims`; strides are in elements (src strides may be 0,
// broadcasting). `elem` is the element size in bytes.
void strided_copy(const Dims& dims, const void* src, const std::vector<int64_t>& src_strides,
                  void* dst, const std::vector<int64_t>& dst_strides, std::size_t elem,
                  bool parallel);

// A tensor's logical-order strides as stored (NHWC for 4-D tensors tagged so).
std::vector<int64_t> tensor_strides(const Tensor& t);

}  // namespace detport::runtime::kernels
