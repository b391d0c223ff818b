// Template body of broadcast_apply (kernel_util.h).
#pragma once

#include <algorithm>
#include <numeric>

namespace detport::runtime::kernels {

template <typename TA, typename TB, typename TO, typename F>
void broadcast_apply(const Dims& out_dims, const std::vector<int64_t>& out_strides, const TA* a,
                     const std::vector<int64_t>& a_strides, const TB* b, const std::vector<int64_t>& b_strides, TO* out,
                     F f, bool parallel) {
  const int rank = static_cast<int>(out_dims.size());
  if (rank == 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  // Visit dims from the output's largest stride to its smallest, so the inner loop is contiguous.
  std::vector<int> order(static_cast<std::size_t>(rank));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int p, int q) {
    return out_strides[static_cast<std::size_t>(p)] > out_strides[static_cast<std::size_t>(q)];
  });
  // Merge the innermost dims while all three operands stay contiguous across them.
  const int inner_dim = order.back();
  int64_t inner = out_dims[static_cast<std::size_t>(inner_dim)];
  const int64_t as = a_strides[static_cast<std::size_t>(inner_dim)];
  const int64_t bs = b_strides[static_cast<std::size_t>(inner_dim)];
  int outer_rank = rank - 1;
  while (outer_rank > 0) {
    const int d = order[static_cast<std::size_t>(outer_rank - 1)];
    const std::size_t du = static_cast<std::size_t>(d);
    if (out_strides[du] != inner || a_strides[du] != as * inner || b_strides[du] != bs * inner) break;
    if (as != 1 && as != 0) break;
    if (bs != 1 && bs != 0) break;
    if ((as == 0 && a_strides[du] != 0) || (bs == 0 && b_strides[du] != 0)) break;
    inner *= out_dims[du];
    --outer_rank;
  }
  int64_t outer = 1;
  for (int k = 0; k < outer_rank; ++k) outer *= out_dims[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])];
  auto row = [&](int64_t r) {
    // Decompose r over the outer dims (in visiting order) into operand offsets.
    int64_t rem = r, ao = 0, bo = 0, oo = 0;
    for (int k = outer_rank - 1; k >= 0; --k) {
      const std::size_t d = static_cast<std::size_t>(order[static_cast<std::size_t>(k)]);
      const int64_t idx = rem % out_dims[d];
      rem /= out_dims[d];
      ao += idx * a_strides[d];
      bo += idx * b_strides[d];
      oo += idx * out_strides[d];
    }
    const TA* pa = a + ao;
    const TB* pb = b + bo;
    TO* po = out + oo;
    if (as == 1 && bs == 1) {
      for (int64_t i = 0; i < inner; ++i) po[i] = f(pa[i], pb[i]);
    } else if (as == 1 && bs == 0) {
      const TB vb = pb[0];
      for (int64_t i = 0; i < inner; ++i) po[i] = f(pa[i], vb);
    } else if (as == 0 && bs == 1) {
      const TA va = pa[0];
      for (int64_t i = 0; i < inner; ++i) po[i] = f(va, pb[i]);
    } else {
      for (int64_t i = 0; i < inner; ++i) po[i] = f(pa[i * as], pb[i * bs]);
    }
  };
  if (parallel && outer > 1 && outer * inner > 32768) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < outer; ++r) row(r);
  } else {
    for (int64_t r = 0; r < outer; ++r) row(r);
  }
}

}  // namespace detport::runtime::kernels
