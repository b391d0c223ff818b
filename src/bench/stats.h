// Summary statistics of timing samples.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

namespace detport::bench {

struct Stats {
  std::size_t n = 0;
  double min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0, stddev = 0;
};

// Percentiles interpolate linearly between order statistics (numpy's default); stddev is the
// sample standard deviation (n - 1).
Stats summarize(std::vector<double> samples);
double percentile(const std::vector<double>& sorted, double p);

nlohmann::json to_json(const Stats& s);
Stats stats_from_json(const nlohmann::json& j);

}  // namespace detport::bench
