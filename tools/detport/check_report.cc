#include "check_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>
#include <sstream>

namespace detport::cli {
namespace {

using json = nlohmann::ordered_json;
using compat::Severity;

constexpr Severity kSeverities[] = {Severity::kBreaksLoad, Severity::kWrongResult, Severity::kSlow,
                                    Severity::kInfo};

std::string format_name(const ir::Model& m) {
  switch (m.meta.format) {
    case ir::SourceFormat::kLegacy:
      return "legacy ProgramDesc";
    case ir::SourceFormat::kPir:
      return m.meta.pir_version ? fmt::format("PIR JSON, version {}", *m.meta.pir_version)
                                : "PIR JSON";
    case ir::SourceFormat::kBuilt:
      return "built in memory";
  }
  return "unknown";
}

std::string producer_text(const ir::Model& m) {
  if (!m.meta.producer) return "an unknown release (no ProgramDesc.version)";
  return m.meta.producer->is_develop() ? "a develop build"
                                       : "Paddle " + m.meta.producer->to_string();
}

// Greedy word wrap with a hanging indent.
std::string wrap(const std::string& text, std::size_t indent, std::size_t width = 100) {
  std::istringstream in(text);
  std::string word, line, out;
  const std::string pad(indent, ' ');
  while (in >> word) {
    if (!line.empty() && pad.size() + line.size() + 1 + word.size() > width) {
      out += pad + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += pad + line + "\n";
  return out;
}

// The first few instances, named by their first output (what a graph viewer shows).
std::string op_list(const compat::Finding& f, std::size_t shown = 4) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < f.ops.size() && i < shown; ++i) {
    const compat::OpRef& r = f.ops[i];
    parts.push_back(r.outputs.empty() ? r.type
                                      : fmt::format("{} -> {}", r.type, r.outputs.front()));
  }
  std::string s = fmt::format("{}", fmt::join(parts, ", "));
  if (f.op_count > parts.size()) s += fmt::format(" and {} more", f.op_count - parts.size());
  return s;
}

json counts_json(const compat::Report& r) {
  json c;
  for (Severity s : kSeverities) c[std::string(compat::severity_name(s))] = r.count(s);
  return c;
}

json model_json(const ir::Model& m) {
  return {{"program", m.meta.files.program.string()},
          {"format", m.meta.format == ir::SourceFormat::kPir      ? "pir"
                     : m.meta.format == ir::SourceFormat::kLegacy ? "legacy"
                                                                  : "built"},
          {"producer", m.meta.producer && !m.meta.producer->is_develop()
                           ? json(m.meta.producer->to_string())
                           : json(nullptr)},
          {"pir_version", m.meta.pir_version ? json(*m.meta.pir_version) : json(nullptr)}};
}

}  // namespace

std::string check_text(const ir::Model& model, const compat::Report& report,
                       const compat::Catalog& catalog) {
  std::string out = report.headline() + "\n\n";
  out += fmt::format("  model     {} ({}, written by {})\n", model.meta.files.program.string(),
                     format_name(model), producer_text(model));
  out += fmt::format("  target    Paddle {}: {}\n", report.target, report.release->summary);
  out += fmt::format("  facts     {}\n", fmt::join(report.release->files, " <- "));
  std::set<std::string> cited;
  for (Severity s : kSeverities) {
    const std::size_t n = report.count(s);
    if (n == 0) continue;
    out += fmt::format("\n{} ({})\n", compat::severity_name(s), n);
    for (const compat::Finding& f : report.findings) {
      if (f.severity != s) continue;
      out += fmt::format("  [{}] {}\n", f.rule, f.title);
      out += wrap(f.explanation, 6);
      if (f.op_count > 0) out += wrap("ops: " + op_list(f), 6);
      out += wrap(
          "fix: " + f.fix +
              (f.convert_rule.empty() ? ""
                                      : fmt::format(" (detport convert rule: {})", f.convert_rule)),
          6);
      out += wrap(fmt::format("evidence: {}", fmt::join(f.evidence, ", ")), 6);
      cited.insert(f.evidence.begin(), f.evidence.end());
    }
  }
  if (!cited.empty()) {
    out += "\nsources\n";
    for (const std::string& id : cited) {
      const compat::Source* s = catalog.source(id);
      if (s == nullptr) continue;
      out += wrap(fmt::format("{}: {} {} @ {} ({})", id, s->repo, s->path, s->commit,
                              compat::evidence_name(s->evidence)),
                  2);
    }
  }
  return out;
}

json check_json(const ir::Model& model, const compat::Report& report,
                const compat::Catalog& catalog) {
  json j;
  j["schema"] = "detport.check/1";
  j["model"] = model_json(model);
  j["target"] = {{"release", report.target},
                 {"data_release", report.release->name},
                 {"data_files", report.release->files}};
  j["verdict"] = compat::verdict_name(report.verdict());
  j["compatible"] =
      report.verdict() == compat::Verdict::kLoads || report.verdict() == compat::Verdict::kSlower;
  j["headline"] = report.headline();
  j["counts"] = counts_json(report);
  json findings = json::array();
  std::set<std::string> cited;
  for (const compat::Finding& f : report.findings) {
    json ops = json::array();
    for (const compat::OpRef& r : f.ops)
      ops.push_back(
          {{"block", r.block}, {"index", r.index}, {"type", r.type}, {"outputs", r.outputs}});
    findings.push_back(
        {{"rule", f.rule},
         {"severity", compat::severity_name(f.severity)},
         {"title", f.title},
         {"explanation", f.explanation},
         {"fix", f.fix},
         {"convert_rule", f.convert_rule.empty() ? json(nullptr) : json(f.convert_rule)},
         {"evidence", f.evidence},
         {"op_count", f.op_count},
         {"ops", ops}});
    cited.insert(f.evidence.begin(), f.evidence.end());
  }
  j["findings"] = findings;
  json sources = json::object();
  for (const std::string& id : cited)
    if (const compat::Source* s = catalog.source(id))
      sources[id] = {{"repo", s->repo},
                     {"path", s->path},
                     {"commit", s->commit},
                     {"evidence", compat::evidence_name(s->evidence)},
                     {"note", s->note}};
  j["sources"] = sources;
  return j;
}

std::string matrix_text(const ir::Model& model, const std::vector<compat::Report>& reports) {
  std::string out =
      fmt::format("{} ({}, written by {}) against every known Paddle release\n\n",
                  model.meta.files.program.string(), format_name(model), producer_text(model));
  out += fmt::format("  {:<8} {:<36} {:>6} {:>6} {:>5} {:>5}  {}\n", "release", "verdict", "breaks",
                     "wrong", "slow", "info", "rules (breaks-load, wrong-result, slow)");
  for (const compat::Report& r : reports) {
    std::string verdict;
    switch (r.verdict()) {
      case compat::Verdict::kFails:
        verdict = "fails";
        break;
      case compat::Verdict::kComputesDifferently:
        verdict = "loads but computes differently";
        break;
      case compat::Verdict::kSlower:
        verdict = "loads (same results, slower)";
        break;
      case compat::Verdict::kLoads:
        verdict = "loads";
        break;
    }
    std::set<std::string> rules;
    for (const compat::Finding& f : r.findings)
      if (f.severity != Severity::kInfo) rules.insert(f.rule);
    out += fmt::format("  {:<8} {:<36} {:>6} {:>6} {:>5} {:>5}  {}\n", r.release->name, verdict,
                       r.count(Severity::kBreaksLoad), r.count(Severity::kWrongResult),
                       r.count(Severity::kSlow), r.count(Severity::kInfo), fmt::join(rules, ", "));
  }
  out += "\nRun `detport check MODEL --target RELEASE` for the findings behind a row.\n";
  return out;
}

json matrix_json(const ir::Model& model, const std::vector<compat::Report>& reports) {
  json j;
  j["schema"] = "detport.check-matrix/1";
  j["model"] = model_json(model);
  json rows = json::array();
  for (const compat::Report& r : reports) {
    std::set<std::string> rules;
    for (const compat::Finding& f : r.findings) rules.insert(f.rule);
    rows.push_back({{"release", r.release->name},
                    {"verdict", compat::verdict_name(r.verdict())},
                    {"counts", counts_json(r)},
                    {"rules", rules}});
  }
  j["releases"] = rows;
  return j;
}

}  // namespace detport::cli
