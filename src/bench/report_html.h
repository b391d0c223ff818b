// Self-contained HTML (inline CSS and SVG, no scripts, no external resources) for one or more bench
// reports: side-by-side tables with ratios to the first configuration, stacked stage bars, latency
// distributions, per-op profiles and verdicts.
#pragma once

#include <string>
#include <vector>

#include "bench/report.h"

namespace detport::bench {

std::string render_html(const std::vector<BenchReport>& reports,
                        const std::vector<std::string>& labels);
std::string html_escape(const std::string& s);

}  // namespace detport::bench
