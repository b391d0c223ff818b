#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels {

Result<Broadcast> paddle_broadcast(const Dims& x, const Dims& y, int64_t axis) {
  const bool x_big = x.size() >= y.size();
  const Dims& big = x_big ? x : y;
  const Dims& small = x_big ? y : x;
  const int rb = static_cast<int>(big.size()), rs = static_cast<int>(small.size());
  int start = axis < 0 ? rb - rs : static_cast<int>(axis);
  if (start < 0 || start + rs > rb) {
    // Paddle trims trailing 1s of the smaller operand before aligning it at `axis`.
    Dims trimmed = small;
    while (!trimmed.empty() && trimmed.back() == 1 && start + static_cast<int>(trimmed.size()) > rb)
      trimmed.pop_back();
    if (start < 0 || start + static_cast<int>(trimmed.size()) > rb)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("cannot align dims {} to {} at axis {}", dims_to_string(small),
                                    dims_to_string(big), axis));
    return paddle_broadcast(x_big ? x : trimmed, x_big ? trimmed : y, start);
  }
  Dims padded(static_cast<std::size_t>(rb), 1);
  for (int i = 0; i < rs; ++i)
    padded[static_cast<std::size_t>(start + i)] = small[static_cast<std::size_t>(i)];
  Broadcast b;
  b.x = x_big ? big : padded;
  b.y = x_big ? padded : big;
  b.out.resize(static_cast<std::size_t>(rb));
  for (int i = 0; i < rb; ++i) {
    const int64_t a = b.x[static_cast<std::size_t>(i)], c = b.y[static_cast<std::size_t>(i)];
    if (a != c && a != 1 && c != 1)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("dims {} and {} do not broadcast (dim {}: {} vs {})",
                                    dims_to_string(x), dims_to_string(y), i, a, c));
    b.out[static_cast<std::size_t>(i)] = a == 1 ? c : a;
  }
  return b;
}

double element_as_double(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::kFloat32:
      return t.data<float>()[i];
    case DType::kFloat64:
      return t.data<double>()[i];
    case DType::kInt32:
      return t.data<int32_t>()[i];
    case DType::kInt64:
      return static_cast<double>(t.data<int64_t>()[i]);
    case DType::kBool:
      return t.data<bool>()[i] ? 1 : 0;
    case DType::kUInt8:
      return t.data<uint8_t>()[i];
    case DType::kInt8:
      return t.data<int8_t>()[i];
    case DType::kInt16:
      return t.data<int16_t>()[i];
    default:
      return 0;
  }
}

}  // namespace detport::runtime::kernels
