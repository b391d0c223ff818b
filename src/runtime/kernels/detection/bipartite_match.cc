// bipartite_match (SSD target assignment): DistMatrix [R, C] (e.g. IoU of R ground-truth boxes with
// C priors) -> ColToRowMatchIndices [1, C] int32 (-1: unmatched) and ColToRowMatchDist [1, C].
// The runtime carries no LoD, so the whole matrix is one instance (Paddle's LoD-free case).
//
// Paddle's definition (paddle/phi/kernels/cpu/bipartite_match_kernel.cc):
//  - bipartite: greedily take the largest remaining entry whose row and column are both free, until
//    every row is matched. With R < 130 it scans columns then the free rows in order, skipping
//    entries < 1e-6, taking strictly larger ones (ties keep the first found); with R >= 130 it
//    sorts all (row, col, dist) entries with std::sort by dist descending and takes entries > 0
//    (ties in that sort's order: the same libstdc++ call reproduces it).
//  - per_prediction additionally gives every still-unmatched column its best row with
//    dist >= dist_threshold (entries < 1e-6 skipped, strictly larger wins).
#include <algorithm>
#include <tuple>

#include "runtime/kernels/detection/detection_util.h"

namespace detport::runtime::kernels {
namespace {

namespace du = detection_util;

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "DistMat"));
  const TensorMeta& d = ctx.input("DistMat");
  if (d.dims.size() != 2 || !du::is_float_type(d.dtype))
    return ctx.error(
        fmt::format("DistMat must be a float [rows, cols] matrix, got {}", meta_to_string(d)));
  const std::string type = ctx.op().string_attr("match_type", "bipartite");
  if (type != "bipartite" && type != "per_prediction")
    return ctx.error(fmt::format("match_type '{}' is not bipartite or per_prediction", type));
  ctx.set_output("ColToRowMatchIndices", {DType::kInt32, {1, d.dims[1]}});
  ctx.set_output("ColToRowMatchDist", {d.dtype, {1, d.dims[1]}});
  return {};
}

template <typename T>
void bipartite(const T* dist, int64_t rows, int64_t cols, int32_t* match, T* match_dist) {
  if (rows >= 130) {
    std::vector<std::tuple<int, int, T>> pairs;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        pairs.emplace_back(static_cast<int>(i), static_cast<int>(j), dist[i * cols + j]);
    std::sort(pairs.begin(), pairs.end(),
              [](const auto& a, const auto& b) { return std::get<2>(a) > std::get<2>(b); });
    std::vector<int> row_match(static_cast<std::size_t>(rows), -1);
    int64_t matched = 0;
    for (const auto& [i, j, d] : pairs) {
      if (matched >= rows) break;
      if (match[j] == -1 && row_match[static_cast<std::size_t>(i)] == -1 && d > 0) {
        match[j] = i;
        row_match[static_cast<std::size_t>(i)] = j;
        match_dist[j] = d;
        ++matched;
      }
    }
    return;
  }
  const T eps = static_cast<T>(1e-6);
  std::vector<int> free_rows;
  for (int i = 0; i < rows; ++i) free_rows.push_back(i);
  while (!free_rows.empty()) {
    int best_col = -1, best_row = -1;
    T best = -1;
    for (int64_t j = 0; j < cols; ++j) {
      if (match[j] != -1) continue;
      for (int m : free_rows) {
        const T d = dist[m * cols + j];
        if (d < eps) continue;
        if (d > best) {
          best_col = static_cast<int>(j);
          best_row = m;
          best = d;
        }
      }
    }
    if (best_col == -1) break;
    match[best_col] = best_row;
    match_dist[best_col] = best;
    free_rows.erase(std::find(free_rows.begin(), free_rows.end(), best_row));
  }
}

template <typename T>
void per_prediction(const T* dist, int64_t rows, int64_t cols, int32_t* match, T* match_dist,
                    T threshold) {
  const T eps = static_cast<T>(1e-6);
  for (int64_t j = 0; j < cols; ++j) {
    if (match[j] != -1) continue;
    int best_row = -1;
    T best = -1;
    for (int i = 0; i < rows; ++i) {
      const T d = dist[i * cols + j];
      if (d < eps) continue;
      if (d >= threshold && d > best) {
        best_row = i;
        best = d;
      }
    }
    if (best_row != -1) {
      match[j] = best_row;
      match_dist[j] = best;
    }
  }
}

class BipartiteMatch final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& d = ctx.input("DistMat");
    const bool per_pred = ctx.op().string_attr("match_type", "bipartite") == "per_prediction";
    const float threshold = static_cast<float>(ctx.op().float_attr("dist_threshold", 0.5));
    return du::dispatch_float(ctx, d.dtype(), [&](auto tag) -> Status {
      using T = decltype(tag);
      const int64_t rows = d.dim(0), cols = d.dim(1);
      int32_t* match = ctx.output("ColToRowMatchIndices").data<int32_t>();
      T* match_dist = ctx.output("ColToRowMatchDist").template data<T>();
      std::fill_n(match, cols, -1);
      std::fill_n(match_dist, cols, T(0));
      bipartite<T>(d.data<T>(), rows, cols, match, match_dist);
      if (per_pred)
        per_prediction<T>(d.data<T>(), rows, cols, match, match_dist, static_cast<T>(threshold));
      return {};
    });
  }
};

std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<BipartiteMatch>();
}

}  // namespace

void register_detection_bipartite_match(OpRegistry& r) {
  OpDef d;
  d.type = "bipartite_match";
  d.infer = infer;
  d.reference = make;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
