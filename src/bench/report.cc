#include "bench/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/mapped_file.h"

namespace detport::bench {
namespace {

nlohmann::json ops_json(const std::vector<OpProfile>& ops) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& o : ops)
    out.push_back({{"name", o.name},
                   {"impl", o.impl},
                   {"count", o.count},
                   {"seconds", o.seconds},
                   {"flops", o.flops},
                   {"gflops_per_second", o.gflops_per_second()},
                   {"share", o.share}});
  return out;
}

std::vector<OpProfile> ops_from(const nlohmann::json& j) {
  std::vector<OpProfile> out;
  for (const auto& o : j)
    out.push_back({o.value("name", ""), o.value("impl", ""), o.value("count", 0),
                   o.value("seconds", 0.0), o.value("flops", 0.0), o.value("share", 0.0)});
  return out;
}

std::string ms(double s) {
  return fmt::format("{:.2f}", s * 1e3);
}

}  // namespace

nlohmann::json to_json(const BenchReport& r) {
  nlohmann::json combos = nlohmann::json::array();
  for (const auto& c : r.combos)
    combos.push_back({{"backend", c.backend},
                      {"threads", c.threads},
                      {"batch", c.batch},
                      {"stages_seconds",
                       {{"decode", to_json(c.decode)},
                        {"preprocess", to_json(c.preprocess)},
                        {"inference", to_json(c.inference)},
                        {"postprocess", to_json(c.postprocess)},
                        {"end_to_end", to_json(c.end_to_end)}}},
                      {"end_to_end_samples", c.end_to_end_samples},
                      {"images_per_second", c.images_per_second},
                      {"compile_seconds", c.compile_seconds},
                      {"first_run_seconds", c.first_run_seconds},
                      {"plan", c.plan},
                      {"op_types", ops_json(c.op_types)},
                      {"top_nodes", ops_json(c.top_nodes)}});
  return {{"schema", r.schema},
          {"created", r.created},
          {"model", r.model},
          {"model_name", r.model_name},
          {"input", r.input},
          {"model_flops", r.model_flops},
          {"load_seconds", r.load_seconds},
          {"peak_rss_mib", r.peak_rss_mib},
          {"warmup", r.warmup},
          {"runs", r.runs},
          {"environment", to_json(r.environment)},
          {"combos", combos},
          {"verdict", r.verdict}};
}

Result<BenchReport> report_from_json(const nlohmann::json& j, const std::string& label) {
  if (!j.is_object() || j.value("schema", "") != kSchema)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("not a detport bench report: schema is {}; expected \"{}\"",
                    j.is_object() && j.contains("schema") ? j["schema"].dump() : "missing",
                    kSchema),
        label + ": /schema");
  BenchReport r;
  try {
    r.created = j.value("created", "");
    r.model = j.value("model", "");
    r.model_name = j.value("model_name", "");
    r.input = j.value("input", "");
    r.model_flops = j.value("model_flops", 0.0);
    r.load_seconds = j.value("load_seconds", 0.0);
    r.peak_rss_mib = j.value("peak_rss_mib", 0.0);
    r.warmup = j.value("warmup", 0);
    r.runs = j.value("runs", 0);
    r.environment = environment_from_json(j.value("environment", nlohmann::json::object()));
    r.verdict = j.value("verdict", "");
    for (const auto& c : j.at("combos")) {
      ComboResult x;
      x.backend = c.value("backend", "");
      x.threads = c.value("threads", 1);
      x.batch = c.value("batch", 1);
      const auto& st = c.at("stages_seconds");
      x.decode = stats_from_json(st.at("decode"));
      x.preprocess = stats_from_json(st.at("preprocess"));
      x.inference = stats_from_json(st.at("inference"));
      x.postprocess = stats_from_json(st.at("postprocess"));
      x.end_to_end = stats_from_json(st.at("end_to_end"));
      x.end_to_end_samples = c.value("end_to_end_samples", std::vector<double>{});
      x.images_per_second = c.value("images_per_second", 0.0);
      x.compile_seconds = c.value("compile_seconds", 0.0);
      x.first_run_seconds = c.value("first_run_seconds", 0.0);
      x.plan = c.value("plan", "");
      x.op_types = ops_from(c.value("op_types", nlohmann::json::array()));
      x.top_nodes = ops_from(c.value("top_nodes", nlohmann::json::array()));
      r.combos.push_back(std::move(x));
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kInvalidInput, fmt::format("malformed bench report: {}", e.what()),
                      label);
  }
  return r;
}

Result<BenchReport> read_report(const std::string& path) {
  DETPORT_ASSIGN(std::string text, read_file(path, std::size_t{256} << 20));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return make_error(ErrorCode::kInvalidInput, fmt::format("not valid JSON: {}", e.what()),
                      fmt::format("{}: byte {}", path, e.byte));
  }
  return report_from_json(j, path);
}

std::string make_verdict(const BenchReport& r) {
  if (r.combos.empty()) return "No measurements.";
  // The fastest configuration by throughput, and where its time goes.
  const auto best = std::max_element(
      r.combos.begin(), r.combos.end(),
      [](const auto& a, const auto& b) { return a.images_per_second < b.images_per_second; });
  const auto& c = *best;
  const double e2e = std::max(c.end_to_end.p50, 1e-12);
  const std::pair<const char*, double> stages[] = {{"decoding", c.decode.p50},
                                                   {"preprocessing", c.preprocess.p50},
                                                   {"inference", c.inference.p50},
                                                   {"post-processing", c.postprocess.p50}};
  const auto worst =
      std::max_element(std::begin(stages), std::end(stages),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  std::string v = fmt::format(
      "Fastest: {} backend, {} thread{}, batch {} at {:.1f} images/s. The bottleneck is {} "
      "({:.0f}% of {} ms "
      "end to end)",
      c.backend, c.threads, c.threads == 1 ? "" : "s", c.batch, c.images_per_second, worst->first,
      100 * worst->second / e2e, ms(e2e));
  if (std::string(worst->first) == "inference" && !c.op_types.empty())
    v += fmt::format("; within it {} takes {:.0f}% at {:.1f} GFLOP/s", c.op_types.front().name,
                     100 * c.op_types.front().share, c.op_types.front().gflops_per_second());
  v += ".";
  const double pipeline = c.decode.p50 + c.preprocess.p50 + c.postprocess.p50;
  if (pipeline > 0.10 * e2e)
    v += fmt::format(
        " Decode + preprocess + postprocess take {:.0f}%: try --reduced-decode, a cheaper resize "
        "interpolation, or batching.",
        100 * pipeline / e2e);
  // What more threads and larger batches bought.
  for (const auto& other : r.combos) {
    if (other.backend == c.backend && other.batch == c.batch && other.threads != c.threads &&
        other.threads < c.threads)
      v += fmt::format(" {} threads vs {}: {:.2f}x.", c.threads, other.threads,
                       c.images_per_second / std::max(other.images_per_second, 1e-12));
    if (other.backend == c.backend && other.threads == c.threads && other.batch < c.batch)
      v += fmt::format(" Batch {} vs {}: {:.2f}x throughput.", c.batch, other.batch,
                       c.images_per_second / std::max(other.images_per_second, 1e-12));
    if (other.backend != c.backend && other.threads == c.threads && other.batch == c.batch)
      v += fmt::format(" {} is {:.2f}x faster than {} here.", c.backend,
                       other.end_to_end.p50 / std::max(c.end_to_end.p50, 1e-12), other.backend);
  }
  if (!c.op_types.empty()) {
    for (const auto& o : c.op_types)
      if (o.impl == "reference" && o.share > 0.05) {
        v += fmt::format(
            " {} runs on the reference kernel ({:.0f}% of inference): an optimised kernel would "
            "help.",
            o.name, 100 * o.share);
        break;
      }
  }
  return v;
}

std::string report_text(const BenchReport& r) {
  std::string out = fmt::format("{} ({}), {}; {} warm-up + {} timed runs per configuration\n",
                                r.model_name, r.model, r.input, r.warmup, r.runs);
  out += fmt::format("model load {} ms; peak memory {:.0f} MiB\n\n", ms(r.load_seconds),
                     r.peak_rss_mib);
  out += fmt::format("  {:<8}{:>4}{:>6} {:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9} {:>10}\n", "backend",
                     "thr", "batch", "decode", "prep", "infer", "post", "e2e p50", "p90", "p99",
                     "images/s");
  for (const auto& c : r.combos)
    out += fmt::format("  {:<8}{:>4}{:>6} {:>9}{:>9}{:>9}{:>9}{:>9}{:>9}{:>9} {:>10.1f}\n",
                       c.backend, c.threads, c.batch, ms(c.decode.p50), ms(c.preprocess.p50),
                       ms(c.inference.p50), ms(c.postprocess.p50), ms(c.end_to_end.p50),
                       ms(c.end_to_end.p90), ms(c.end_to_end.p99), c.images_per_second);
  out += "  (milliseconds per batch, medians unless marked)\n";
  for (const auto& c : r.combos) {
    if (c.op_types.empty()) continue;
    out += fmt::format("\n  {} {} thread{} batch {}: compile {} ms, first run {} ms; {}\n",
                       c.backend, c.threads, c.threads == 1 ? "" : "s", c.batch,
                       ms(c.compile_seconds), ms(c.first_run_seconds), c.plan);
    out += fmt::format("    {:<34}{:>6}{:>10}{:>8}{:>10}  {}\n", "op type", "nodes", "ms", "share",
                       "GFLOP/s", "kernel");
    for (std::size_t i = 0; i < c.op_types.size() && i < 8; ++i) {
      const auto& o = c.op_types[i];
      out += fmt::format("    {:<34}{:>6}{:>10}{:>7.1f}%{:>10.1f}  {}\n", o.name, o.count,
                         ms(o.seconds), 100 * o.share, o.gflops_per_second(), o.impl);
    }
    break;  // the first native configuration is enough here; the JSON has them all
  }
  out += "\n" + r.verdict + "\n";
  return out;
}

}  // namespace detport::bench
