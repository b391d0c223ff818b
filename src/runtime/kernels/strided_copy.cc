#include "runtime/kernels/strided_copy.h"

#include <algorithm>
#include <cstring>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels {
namespace {

struct Dim {
  int64_t size, src, dst;
};

// Loop order: by destination stride, largest first (writes stream), then merge dims that are
// contiguous in both views. Size-1 dims vanish.
std::vector<Dim> canonical(const Dims& dims, const std::vector<int64_t>& ss,
                           const std::vector<int64_t>& ds) {
  std::vector<Dim> d;
  for (std::size_t i = 0; i < dims.size(); ++i)
    if (dims[i] != 1) d.push_back({dims[i], ss[i], ds[i]});
  std::stable_sort(d.begin(), d.end(),
                   [](const Dim& a, const Dim& b) { return std::abs(a.dst) > std::abs(b.dst); });
  std::vector<Dim> m;
  for (const Dim& x : d) {
    if (!m.empty() && m.back().src == x.src * x.size && m.back().dst == x.dst * x.size) {
      m.back().size *= x.size;
      m.back().src = x.src;
      m.back().dst = x.dst;
    } else {
      m.push_back(x);
    }
  }
  return m;
}

template <typename T>
void copy_typed(const std::vector<Dim>& d, const unsigned char* src, unsigned char* dst,
                bool parallel) {
  const auto* s0 = reinterpret_cast<const T*>(src);
  auto* d0 = reinterpret_cast<T*>(dst);
  const int nd = static_cast<int>(d.size());
  const Dim inner = d.back();
  // A transpose: the innermost destination dim is strided in the source, and some outer dim is
  // contiguous there. Copy in square tiles of those two dims so both sides stay in cache.
  int tdim = -1;
  if (inner.dst == 1 && inner.src != 1)
    for (int k = 0; k < nd - 1; ++k)
      if (d[static_cast<std::size_t>(k)].src == 1) tdim = k;
  constexpr int64_t kTile = 32;
  // Outer dims: every dim but the innermost (and the tile dim).
  std::vector<Dim> outer;
  for (int k = 0; k < nd - 1; ++k)
    if (k != tdim) outer.push_back(d[static_cast<std::size_t>(k)]);
  int64_t outer_n = 1;
  for (const Dim& o : outer) outer_n *= o.size;
  const int64_t tiles =
      tdim >= 0 ? (d[static_cast<std::size_t>(tdim)].size + kTile - 1) / kTile : 1;
  const int64_t work = outer_n * tiles;
  const int64_t total =
      work * inner.size * (tdim >= 0 ? std::min(kTile, d[static_cast<std::size_t>(tdim)].size) : 1);

  const Dim* td = tdim >= 0 ? &d[static_cast<std::size_t>(tdim)] : nullptr;
  // One block: the innermost dim (and a tile of the tile dim) at outer offsets so/dof.
  auto block = [&](const T* s, T* t, int64_t tile) {
    if (td != nullptr) {
      const int64_t j0 = tile * kTile, j1 = std::min(td->size, j0 + kTile);
      for (int64_t i0 = 0; i0 < inner.size; i0 += kTile) {
        const int64_t i1 = std::min(inner.size, i0 + kTile);
        for (int64_t j = j0; j < j1; ++j)
          for (int64_t i = i0; i < i1; ++i) t[j * td->dst + i] = s[j + i * inner.src];
      }
    } else if (inner.src == 1 && inner.dst == 1) {
      // Short rows (a pixel's channels in an NHWC concat or split): a loop beats memcpy's call.
      if (inner.size * static_cast<int64_t>(sizeof(T)) <= 256) {
        for (int64_t i = 0; i < inner.size; ++i) t[i] = s[i];
      } else {
        std::memcpy(t, s, static_cast<std::size_t>(inner.size) * sizeof(T));
      }
    } else {
      for (int64_t i = 0; i < inner.size; ++i) t[i * inner.dst] = s[i * inner.src];
    }
  };
  // Work items [w0, w1): the outer coordinate is found once, then advanced like an odometer (many
  // items are small, e.g. one pixel's channels).
  auto range = [&](int64_t w0, int64_t w1) {
    if (w0 >= w1) return;
    if (outer.size() == 1 && tiles == 1) {  // rows: a plain loop
      const Dim& od = outer.front();
      for (int64_t w = w0; w < w1; ++w) block(s0 + w * od.src, d0 + w * od.dst, 0);
      return;
    }
    std::vector<int64_t> coord(outer.size(), 0);
    int64_t o = w0 / tiles, tile = w0 % tiles, so = 0, dof = 0;
    for (int k = static_cast<int>(outer.size()) - 1; k >= 0; --k) {
      const Dim& od = outer[static_cast<std::size_t>(k)];
      coord[static_cast<std::size_t>(k)] = o % od.size;
      o /= od.size;
      so += coord[static_cast<std::size_t>(k)] * od.src;
      dof += coord[static_cast<std::size_t>(k)] * od.dst;
    }
    for (int64_t w = w0; w < w1; ++w) {
      block(s0 + so, d0 + dof, tile);
      if (++tile < tiles) continue;
      tile = 0;
      for (int k = static_cast<int>(outer.size()) - 1; k >= 0; --k) {
        const Dim& od = outer[static_cast<std::size_t>(k)];
        so += od.src;
        dof += od.dst;
        if (++coord[static_cast<std::size_t>(k)] < od.size) break;
        so -= od.src * od.size;
        dof -= od.dst * od.size;
        coord[static_cast<std::size_t>(k)] = 0;
      }
    }
  };
  int threads = 1;
#ifdef _OPENMP
  if (parallel && total >= (int64_t{1} << 15) && work > 1)
    threads = static_cast<int>(std::min<int64_t>(omp_get_max_threads(), work));
#endif
  if (threads <= 1) {
    range(0, work);
    return;
  }
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int t = 0; t < threads; ++t) range(work * t / threads, work * (t + 1) / threads);
}

struct Bytes16 {
  unsigned char b[16];
};

}  // namespace

void strided_copy(const Dims& dims, const void* src, const std::vector<int64_t>& src_strides,
                  void* dst, const std::vector<int64_t>& dst_strides, std::size_t elem,
                  bool parallel) {
  for (int64_t x : dims)
    if (x == 0) return;
  std::vector<Dim> d = canonical(dims, src_strides, dst_strides);
  const auto* s = static_cast<const unsigned char*>(src);
  auto* t = static_cast<unsigned char*>(dst);
  if (d.empty()) {
    std::memcpy(t, s, elem);
    return;
  }
  switch (elem) {
    case 1:
      return copy_typed<uint8_t>(d, s, t, parallel);
    case 2:
      return copy_typed<uint16_t>(d, s, t, parallel);
    case 4:
      return copy_typed<uint32_t>(d, s, t, parallel);
    case 8:
      return copy_typed<uint64_t>(d, s, t, parallel);
    case 16:
      return copy_typed<Bytes16>(d, s, t, parallel);
    default: {
      // Odd widths: express the bytes as one more dim.
      Dims bd = dims;
      std::vector<int64_t> bs, bt;
      for (int64_t x : src_strides) bs.push_back(x * static_cast<int64_t>(elem));
      for (int64_t x : dst_strides) bt.push_back(x * static_cast<int64_t>(elem));
      bd.push_back(static_cast<int64_t>(elem));
      bs.push_back(1);
      bt.push_back(1);
      return copy_typed<uint8_t>(canonical(bd, bs, bt), s, t, parallel);
    }
  }
}

std::vector<int64_t> tensor_strides(const Tensor& t) {
  return storage_strides(t.dims(), t.layout());
}

}  // namespace detport::runtime::kernels
