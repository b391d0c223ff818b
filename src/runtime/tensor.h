// Runtime tensors: dtype, logical dims (always in the op's own NCHW-style order) and a physical
// layout. 4-D activations inside conv chains are stored channels-last (NHWC), which oneDNN's
// brgemm convolutions run fastest on; every other tensor is plain row-major.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "ir/types.h"

namespace detport::runtime {

using Dims = std::vector<int64_t>;
using ir::DType;

enum class Layout : uint8_t {
  kPlain,  // row-major in logical dim order
  kNhwc,   // a 4-D [N,C,H,W] tensor stored as [N,H,W,C]
};

struct TensorMeta {
  DType dtype = DType::kFloat32;
  Dims dims;
  int64_t numel() const;
  std::size_t bytes() const;
  bool operator==(const TensorMeta&) const = default;
};

std::string dims_to_string(std::span<const int64_t> dims);
std::string meta_to_string(const TensorMeta& m);

class Tensor {
 public:
  Tensor() = default;
  // Allocates zeroed, 64-byte aligned storage.
  static Tensor empty(DType dtype, Dims dims, Layout layout = Layout::kPlain);
  // Views memory owned elsewhere.
  static Tensor view(DType dtype, Dims dims, void* data, Layout layout = Layout::kPlain);
  template <typename T>
  static Tensor from(Dims dims, const std::vector<T>& values, DType dtype);

  DType dtype() const { return meta_.dtype; }
  const Dims& dims() const { return meta_.dims; }
  const TensorMeta& meta() const { return meta_; }
  Layout layout() const { return layout_; }
  int64_t numel() const { return meta_.numel(); }
  std::size_t bytes() const { return meta_.bytes(); }
  int64_t dim(int i) const { return meta_.dims[static_cast<std::size_t>(i < 0 ? i + rank() : i)]; }
  int rank() const { return static_cast<int>(meta_.dims.size()); }
  bool defined() const { return data_ != nullptr || numel() == 0; }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <typename T>
  T* data() {
    return static_cast<T*>(data_);
  }
  template <typename T>
  const T* data() const {
    return static_cast<const T*>(data_);
  }
  template <typename T>
  std::vector<T> to_vector() const {
    std::vector<T> out(static_cast<std::size_t>(numel()));
    if constexpr (std::is_same_v<T, bool>) {
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<const bool*>(data_)[i];
    } else if (!out.empty()) {
      std::memcpy(out.data(), data_, out.size() * sizeof(T));
    }
    return out;
  }
  // Values as int64 / double whatever the integer / float dtype (for shape-like inputs).
  std::vector<int64_t> to_int64() const;
  std::vector<double> to_double() const;

  // Same storage, other dims (numel must match) or layout tag.
  Tensor reshaped(Dims dims) const;
  Tensor with_layout(Layout layout) const;
  // A deep copy in plain layout.
  Tensor clone() const;

 private:
  TensorMeta meta_;
  Layout layout_ = Layout::kPlain;
  void* data_ = nullptr;
  std::shared_ptr<void> owner_;
};

template <typename T>
Tensor Tensor::from(Dims dims, const std::vector<T>& values, DType dtype) {
  Tensor t = empty(dtype, std::move(dims));
  std::memcpy(t.raw(), values.data(), std::min(t.bytes(), values.size() * sizeof(T)));
  return t;
}

// Converts a 4-D tensor between plain NCHW and NHWC storage.
Tensor to_layout(const Tensor& t, Layout layout);

}  // namespace detport::runtime
