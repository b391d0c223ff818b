// Bit-for-bit comparison of two runs' outputs, for tests that claim a conversion computes exactly
// what the original does.
#pragma once

#include <fmt/format.h>

#include <cstring>
#include <string>
#include <vector>

#include "runtime/session.h"

namespace detport::testing {

// "" when both runs give the same outputs in the same order with identical bytes; otherwise one
// line per difference, naming the output.
inline std::string bitwise_differences(const std::vector<runtime::NamedTensor>& a,
                                       const std::vector<runtime::NamedTensor>& b) {
  if (a.size() != b.size()) return fmt::format("{} outputs vs {}\n", a.size(), b.size());
  std::string diff;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const runtime::Tensor& x = a[i].tensor;
    const runtime::Tensor& y = b[i].tensor;
    if (x.dims() != y.dims() || x.dtype() != y.dtype())
      diff += fmt::format("{}: {} vs {}\n", a[i].name, runtime::meta_to_string(x.meta()),
                          runtime::meta_to_string(y.meta()));
    else if (std::memcmp(x.raw(), y.raw(), x.bytes()) != 0)
      diff += fmt::format("{}: values differ\n", a[i].name);
  }
  return diff;
}

}  // namespace detport::testing
