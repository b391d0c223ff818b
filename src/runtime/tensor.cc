#include "runtime/tensor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <stdexcept>

namespace detport::runtime {

int64_t TensorMeta::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::size_t TensorMeta::bytes() const {
  return static_cast<std::size_t>(numel()) * ir::dtype_size(dtype);
}

std::string dims_to_string(std::span<const int64_t> dims) {
  return fmt::format("[{}]", fmt::join(dims, ", "));
}

std::string meta_to_string(const TensorMeta& m) {
  return fmt::format("{}{}", ir::var_type_name(m.dtype), dims_to_string(m.dims));
}

Tensor Tensor::empty(DType dtype, Dims dims, Layout layout) {
  Tensor t;
  t.meta_ = {dtype, std::move(dims)};
  t.layout_ = layout;
  const std::size_t bytes = t.meta_.bytes();
  const std::size_t rounded = (std::max<std::size_t>(bytes, 1) + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) throw std::bad_alloc();
  std::memset(p, 0, rounded);
  t.owner_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  t.data_ = p;
  return t;
}

Tensor Tensor::view(DType dtype, Dims dims, void* data, Layout layout) {
  Tensor t;
  t.meta_ = {dtype, std::move(dims)};
  t.layout_ = layout;
  t.data_ = data;
  return t;
}

std::vector<int64_t> Tensor::to_int64() const {
  std::vector<int64_t> out(static_cast<std::size_t>(numel()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    switch (dtype()) {
      case DType::kInt32:
        out[i] = data<int32_t>()[i];
        break;
      case DType::kInt64:
        out[i] = data<int64_t>()[i];
        break;
      case DType::kInt16:
        out[i] = data<int16_t>()[i];
        break;
      case DType::kInt8:
        out[i] = data<int8_t>()[i];
        break;
      case DType::kUInt8:
        out[i] = data<uint8_t>()[i];
        break;
      case DType::kBool:
        out[i] = data<bool>()[i] ? 1 : 0;
        break;
      case DType::kFloat32:
        out[i] = static_cast<int64_t>(data<float>()[i]);
        break;
      case DType::kFloat64:
        out[i] = static_cast<int64_t>(data<double>()[i]);
        break;
      default:
        out[i] = 0;
        break;
    }
  }
  return out;
}

std::vector<double> Tensor::to_double() const {
  std::vector<double> out(static_cast<std::size_t>(numel()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    switch (dtype()) {
      case DType::kFloat32:
        out[i] = data<float>()[i];
        break;
      case DType::kFloat64:
        out[i] = data<double>()[i];
        break;
      case DType::kInt32:
        out[i] = data<int32_t>()[i];
        break;
      case DType::kInt64:
        out[i] = static_cast<double>(data<int64_t>()[i]);
        break;
      case DType::kBool:
        out[i] = data<bool>()[i] ? 1 : 0;
        break;
      case DType::kUInt8:
        out[i] = data<uint8_t>()[i];
        break;
      case DType::kInt8:
        out[i] = data<int8_t>()[i];
        break;
      default:
        out[i] = 0;
        break;
    }
  }
  return out;
}

Tensor Tensor::reshaped(Dims dims) const {
  Tensor t = *this;
  t.meta_.dims = std::move(dims);
  return t;
}

Tensor Tensor::with_layout(Layout layout) const {
  Tensor t = *this;
  t.layout_ = layout;
  return t;
}

Tensor Tensor::clone() const {
  if (layout_ != Layout::kPlain) return to_layout(*this, Layout::kPlain);
  Tensor t = empty(dtype(), dims());
  if (bytes() > 0) std::memcpy(t.raw(), raw(), bytes());
  return t;
}

Tensor to_layout(const Tensor& t, Layout layout) {
  if (t.layout() == layout) return t;
  Tensor out = Tensor::empty(t.dtype(), t.dims(), layout);
  const int64_t n = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3);
  const std::size_t es = ir::dtype_size(t.dtype());
  const auto* src = static_cast<const unsigned char*>(t.raw());
  auto* dst = static_cast<unsigned char*>(out.raw());
  const bool to_nhwc = layout == Layout::kNhwc;
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ic = 0; ic < c; ++ic)
      for (int64_t ih = 0; ih < h; ++ih)
        for (int64_t iw = 0; iw < w; ++iw) {
          const int64_t nchw = ((in * c + ic) * h + ih) * w + iw;
          const int64_t nhwc = ((in * h + ih) * w + iw) * c + ic;
          const int64_t from = to_nhwc ? nchw : nhwc;
          const int64_t to = to_nhwc ? nhwc : nchw;
          std::memcpy(dst + static_cast<std::size_t>(to) * es,
                      src + static_cast<std::size_t>(from) * es, es);
        }
  return out;
}

}  // namespace detport::runtime
