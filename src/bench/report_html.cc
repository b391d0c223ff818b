#include "bench/report_html.h"

#include <fmt/format.h>

#include <algorithm>

namespace detport::bench {
namespace {

struct Row {
  std::string label;  // report label + configuration
  const ComboResult* c;
};

constexpr const char* kColours[] = {"#4e79a7", "#f28e2b", "#59a14f",
                                    "#e15759"};  // decode, pre, infer, post

std::string ms(double s) {
  return fmt::format("{:.2f}", s * 1e3);
}

std::string stage_bars(const std::vector<Row>& rows) {
  double max_total = 1e-9;
  for (const auto& r : rows)
    max_total = std::max(max_total, r.c->decode.p50 + r.c->preprocess.p50 + r.c->inference.p50 +
                                        r.c->postprocess.p50);
  const int label_w = 260, bar_w = 560, row_h = 26, top = 30;
  const int height = top + static_cast<int>(rows.size()) * row_h + 40;
  std::string svg = fmt::format(
      R"(<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" aria-label="stage times">)",
      label_w + bar_w + 90, height);
  const char* names[] = {"decode", "preprocess", "inference", "postprocess"};
  for (int k = 0; k < 4; ++k)
    svg += fmt::format(
        R"(<rect x="{}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16" class="legend">{}</text>)",
        label_w + k * 130, kColours[k], label_w + k * 130 + 16, names[k]);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& c = *rows[i].c;
    const int y = top + static_cast<int>(i) * row_h;
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" class="label">{}</text>)",
                       label_w - 8, y + 16, html_escape(rows[i].label));
    double x = label_w;
    const double v[4] = {c.decode.p50, c.preprocess.p50, c.inference.p50, c.postprocess.p50};
    for (int k = 0; k < 4; ++k) {
      const double w = v[k] / max_total * bar_w;
      svg += fmt::format(
          R"(<rect x="{:.1f}" y="{}" width="{:.1f}" height="18" fill="{}"><title>{}: {} ms</title></rect>)",
          x, y + 3, w, kColours[k], names[k], ms(v[k]));
      x += w;
    }
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" class="value">{} ms</text>)", x + 6, y + 16,
                       ms(v[0] + v[1] + v[2] + v[3]));
  }
  svg += fmt::format(
      R"(<text x="{}" y="{}" class="axis">median milliseconds per batch, by stage</text></svg>)",
      label_w, height - 10);
  return svg;
}

std::string distributions(const std::vector<Row>& rows) {
  double max_v = 1e-9;
  for (const auto& r : rows) max_v = std::max({max_v, r.c->end_to_end.max, r.c->end_to_end.p99});
  const int label_w = 260, plot_w = 560, row_h = 30, top = 10;
  const int height = top + static_cast<int>(rows.size()) * row_h + 40;
  std::string svg = fmt::format(
      R"(<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" aria-label="latency distributions">)",
      label_w + plot_w + 40, height);
  auto px = [&](double v) { return label_w + v / max_v * plot_w; };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& s = rows[i].c->end_to_end;
    const int y = top + static_cast<int>(i) * row_h + 15;
    svg += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" class="label">{}</text>)",
                       label_w - 8, y + 4, html_escape(rows[i].label));
    // Whisker min..p99, box p50..p90, every sample as a faint dot.
    svg += fmt::format(R"(<line x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}" stroke="#555"/>)",
                       px(s.min), y, px(s.p99), y);
    svg += fmt::format(
        R"(<rect x="{:.1f}" y="{}" width="{:.1f}" height="12" fill="#bcd" stroke="#456"/>)",
        px(s.p50), y - 6, std::max(1.0, px(s.p90) - px(s.p50)));
    svg += fmt::format(
        R"(<line x1="{:.1f}" y1="{}" x2="{:.1f}" y2="{}" stroke="#123" stroke-width="2"/>)",
        px(s.p50), y - 7, px(s.p50), y + 7);
    for (double v : rows[i].c->end_to_end_samples)
      svg +=
          fmt::format(R"(<circle cx="{:.1f}" cy="{}" r="1.5" fill="#e15759" fill-opacity="0.35"/>)",
                      px(v), y + 10);
    svg += fmt::format(R"(<title>min {} p50 {} p90 {} p99 {} max {} ms</title>)", ms(s.min),
                       ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max));
  }
  svg += fmt::format(
      R"(<text x="{}" y="{}" class="axis">end-to-end ms per batch: whisker min..p99, box p50..p90, dots = runs (0..{} ms)</text></svg>)",
      label_w, height - 10, ms(max_v));
  return svg;
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_html(const std::vector<BenchReport>& reports,
                        const std::vector<std::string>& labels) {
  std::vector<Row> rows;
  for (std::size_t i = 0; i < reports.size(); ++i)
    for (const auto& c : reports[i].combos)
      rows.push_back({fmt::format("{}{}{} t{} b{}", labels[i], labels[i].empty() ? "" : " ",
                                  c.backend, c.threads, c.batch),
                      &c});
  std::string h =
      R"(<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>detport bench report</title><style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:12px 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}
.chart text{font-size:12px;fill:#222}.chart .axis{fill:#666}.verdict{background:#f7f7e8;padding:8px 12px;border-left:4px solid #cc4}
.env{font-size:13px;color:#444}</style></head><body><h1>detport bench report</h1>)";
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    const auto& e = r.environment;
    h += fmt::format(
        "<h2>{}{}</h2><p class=\"env\">{} &mdash; {}; {} warm-up + {} runs per configuration; "
        "created {}<br>{} "
        "({} logical / {} physical cores, {:.1f} GiB), ISA {}, oneDNN {} ({}), OpenCV {}, {}, {}; "
        "peak memory "
        "{:.0f} MiB; model load {} ms</p>",
        html_escape(labels[i]),
        labels[i].empty() ? html_escape(r.model_name) : " (" + html_escape(r.model_name) + ")",
        html_escape(r.model), html_escape(r.input), r.warmup, r.runs, html_escape(r.created),
        html_escape(e.cpu_model), e.logical_cpus, e.physical_cores, e.memory_gib,
        html_escape(fmt::format("{}", fmt::join(e.isa, " "))), html_escape(e.onednn_version),
        html_escape(e.onednn_isa), html_escape(e.opencv_version), html_escape(e.os),
        html_escape(e.compiler), r.peak_rss_mib, ms(r.load_seconds));
    h += fmt::format("<p class=\"verdict\">{}</p>", html_escape(r.verdict));
  }
  h += "<h2>Configurations side by side</h2><table><tr><th "
       "class=\"l\">configuration</th><th>decode</th><th>preprocess</th>"
       "<th>inference</th><th>postprocess</th><th>e2e "
       "p50</th><th>p90</th><th>p99</th><th>stddev</th><th>images/s</th>"
       "<th>vs first</th></tr>";
  const double base = rows.empty() ? 1 : rows.front().c->end_to_end.p50;
  for (const auto& row : rows) {
    const auto& c = *row.c;
    h += fmt::format(
        "<tr><td "
        "class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</"
        "td><td>{}</td>"
        "<td>{}</td><td>{:.1f}</td><td>{:.2f}x</td></tr>",
        html_escape(row.label), ms(c.decode.p50), ms(c.preprocess.p50), ms(c.inference.p50),
        ms(c.postprocess.p50), ms(c.end_to_end.p50), ms(c.end_to_end.p90), ms(c.end_to_end.p99),
        ms(c.end_to_end.stddev), c.images_per_second, base / std::max(c.end_to_end.p50, 1e-12));
  }
  h += "</table><p class=\"env\">milliseconds per batch; \"vs first\" is the speed relative to the "
       "first row (higher is faster)</p>";
  h += "<h2>Where the time goes</h2>" + stage_bars(rows);
  h += "<h2>Latency distribution</h2>" + distributions(rows);
  for (const auto& row : rows) {
    if (row.c->op_types.empty()) continue;
    h += fmt::format(
        "<h3>Per-op profile: {}</h3><p class=\"env\">{}</p><table><tr><th class=\"l\">op "
        "type</th><th>nodes</th>"
        "<th>ms</th><th>share</th><th>GFLOP/s</th><th class=\"l\">kernel</th></tr>",
        html_escape(row.label), html_escape(row.c->plan));
    for (std::size_t k = 0; k < row.c->op_types.size() && k < 12; ++k) {
      const auto& o = row.c->op_types[k];
      h += fmt::format(
          "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{:.1f}%</td><td>{:.1f}</td><td "
          "class=\"l\">{}</td></tr>",
          html_escape(o.name), o.count, ms(o.seconds), 100 * o.share, o.gflops_per_second(),
          html_escape(o.impl));
    }
    h += "</table>";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace detport::bench
