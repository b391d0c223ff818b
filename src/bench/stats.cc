#include "bench/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace detport::bench {

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double pos = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

Stats summarize(std::vector<double> v) {
  Stats s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  s.p50 = percentile(v, 50);
  s.p90 = percentile(v, 90);
  s.p99 = percentile(v, 99);
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.stddev = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  return s;
}

nlohmann::json to_json(const Stats& s) {
  return {{"n", s.n},     {"min", s.min}, {"p50", s.p50},   {"p90", s.p90},
          {"p99", s.p99}, {"max", s.max}, {"mean", s.mean}, {"stddev", s.stddev}};
}

Stats stats_from_json(const nlohmann::json& j) {
  Stats s;
  s.n = j.value("n", std::size_t{0});
  s.min = j.value("min", 0.0);
  s.p50 = j.value("p50", 0.0);
  s.p90 = j.value("p90", 0.0);
  s.p99 = j.value("p99", 0.0);
  s.max = j.value("max", 0.0);
  s.mean = j.value("mean", 0.0);
  s.stddev = j.value("stddev", 0.0);
  return s;
}

}  // namespace detport::bench
