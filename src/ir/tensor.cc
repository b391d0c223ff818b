#include "ir/tensor.h"

#include <limits>

namespace detport::ir {

std::optional<int64_t> checked_numel(std::span<const int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) return std::nullopt;
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) return std::nullopt;
    n *= d;
  }
  return n;
}

int64_t Tensor::numel() const {
  return checked_numel(dims).value_or(-1);
}

Tensor Tensor::owned(DType dtype, std::vector<int64_t> dims, std::vector<std::byte> data) {
  auto buffer = std::make_shared<std::vector<std::byte>>(std::move(data));
  Tensor t;
  t.dtype = dtype;
  t.dims = std::move(dims);
  t.bytes = std::span<const std::byte>(buffer->data(), buffer->size());
  t.owner = std::move(buffer);
  return t;
}

}  // namespace detport::ir
