// Weight tensors: a dtype, dims and a view of bytes that are either memory-mapped from the params
// file or owned. Data may be unaligned inside a mapped file, so typed access copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ir/types.h"

namespace detport::ir {

struct Tensor {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> dims;
  std::span<const std::byte> bytes;
  std::shared_ptr<const void> owner;       // keeps the mapping or buffer alive
  std::vector<std::vector<uint64_t>> lod;  // LoD levels as stored (empty for weights)

  // Product of dims (1 for a scalar); -1 if any dim is negative or the product overflows.
  int64_t numel() const;

  // A tensor that owns a copy of `data`.
  static Tensor owned(DType dtype, std::vector<int64_t> dims, std::vector<std::byte> data);
  template <typename T>
  static Tensor from_values(DType dtype, std::vector<int64_t> dims, const std::vector<T>& values) {
    std::vector<std::byte> data(values.size() * sizeof(T));
    if (!data.empty()) std::memcpy(data.data(), values.data(), data.size());
    return owned(dtype, std::move(dims), std::move(data));
  }

  // Copies the elements out as T (which must match dtype_size(dtype)).
  template <typename T>
  std::vector<T> values() const {
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
    return out;
  }
};

// name -> tensor, in byte-wise name order (the order of a combined params file).
using Weights = std::map<std::string, Tensor, std::less<>>;

// Checked product of dims: nullopt on a negative dim or int64 overflow.
std::optional<int64_t> checked_numel(std::span<const int64_t> dims);

}  // namespace detport::ir
