#include "compat/checker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compat/rules.h"

namespace detport::compat {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kBreaksLoad:
      return "breaks-load";
    case Severity::kWrongResult:
      return "wrong-result";
    case Severity::kSlow:
      return "slow";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kLoads:
      return "loads";
    case Verdict::kSlower:
      return "loads-slower";
    case Verdict::kComputesDifferently:
      return "computes-differently";
    case Verdict::kFails:
      return "fails";
  }
  return "loads";
}

std::size_t Report::count(Severity s) const {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(),
                                                [s](const Finding& f) { return f.severity == s; }));
}

Verdict Report::verdict() const {
  if (count(Severity::kBreaksLoad) > 0) return Verdict::kFails;
  if (count(Severity::kWrongResult) > 0) return Verdict::kComputesDifferently;
  if (count(Severity::kSlow) > 0) return Verdict::kSlower;
  return Verdict::kLoads;
}

std::string Report::headline() const {
  const std::string who = "Paddle " + target;
  std::string what;
  switch (verdict()) {
    case Verdict::kFails:
      what = "INCOMPATIBLE: " + who + " cannot load this model as it is";
      break;
    case Verdict::kComputesDifferently:
      what = "INCOMPATIBLE: " + who + " loads this model but computes different results";
      break;
    case Verdict::kSlower:
      what = "compatible: " + who + " loads this model and computes the same results, but slower";
      break;
    case Verdict::kLoads:
      what = "compatible: " + who + " loads this model and computes the same results";
      break;
  }
  return fmt::format("{} ({} breaks-load, {} wrong-result, {} slow, {} info)", what,
                     count(Severity::kBreaksLoad), count(Severity::kWrongResult),
                     count(Severity::kSlow), count(Severity::kInfo));
}

namespace detail {

OpRef Context::ref(std::size_t block, std::size_t index) const {
  const ir::Op& op = model.program.blocks[block].ops[index];
  OpRef r{static_cast<int32_t>(block), static_cast<int32_t>(index), op.type, {}};
  for (const ir::Slot& s : op.outputs)
    for (const std::string& a : s.args) r.outputs.push_back(a);
  return r;
}

const std::vector<Checkpoint>* Context::checkpoints(std::string_view op) const {
  if (producer != nullptr)
    if (const OpInfo* info = producer->op(op); info != nullptr && !info->checkpoints.empty())
      return &info->checkpoints;
  const auto& all = catalog.releases();
  for (auto it = all.rbegin(); it != all.rend(); ++it)
    if (const OpInfo* info = it->op(op); info != nullptr && !info->checkpoints.empty())
      return &info->checkpoints;
  return nullptr;
}

void Findings::add(const std::string& key, const std::function<Finding()>& make, std::size_t block,
                   std::size_t index) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    it = index_.emplace(key, findings_.size()).first;
    findings_.push_back(make());
  }
  Finding& f = findings_[it->second];
  ++f.op_count;
  if (f.ops.size() < ctx_.options.max_ops_per_finding) f.ops.push_back(ctx_.ref(block, index));
}

void Findings::add(Finding f) {
  findings_.push_back(std::move(f));
}

std::vector<Finding> Findings::take() {
  return std::move(findings_);
}

std::string release_text(const ir::Release& r) {
  return r.is_develop() ? "a develop build" : r.to_string();
}

std::string json_value_text(const nlohmann::json& v) {
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 1e15) return fmt::format("{:.1f}", d);
    return fmt::format("{}", d);
  }
  return v.dump();
}

nlohmann::json attr_json(const ir::Attribute& a) {
  using nlohmann::json;
  return std::visit(
      [&](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ir::Scalar>) {
          return v.kind == ir::Scalar::Kind::kBool    ? json(v.b)
                 : v.kind == ir::Scalar::Kind::kInt64 ? json(v.i)
                                                      : json(v.as_double());
        } else if constexpr (std::is_same_v<T, std::vector<ir::Scalar>>) {
          json arr = json::array();
          for (const auto& s : v) arr.push_back(s.as_double());
          return arr;
        } else if constexpr (std::is_same_v<T, std::vector<bool>>) {
          json arr = json::array();
          for (bool b : v) arr.push_back(b);
          return arr;
        } else {
          return json(v);
        }
      },
      a.value());
}

bool same_value(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    return std::fabs(x - y) <= 1e-6 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  if (a.is_boolean() && b.is_number()) return a.get<bool>() == (b.get<double>() != 0);
  if (a.is_number() && b.is_boolean()) return same_value(b, a);
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same_value(a[i], b[i])) return false;
    return true;
  }
  return a == b;
}

}  // namespace detail

Report check(const ir::Model& model, const Catalog& catalog, const ReleaseData& target_release,
             std::string target, const CheckOptions& options) {
  Report report;
  report.release = &target_release;
  ir::Release t = ir::Release::parse(target).value_or(target_release.release);
  if (!target.empty() && (target.front() == 'v' || target.front() == 'V')) target.erase(0, 1);
  report.target = target.empty() ? target_release.name : target;
  if (model.meta.producer && !model.meta.producer->is_develop())
    report.producer = catalog.find(*model.meta.producer);
  detail::Context ctx{
      model, catalog, target_release, t, report.producer, "Paddle " + report.target, options, {}};
  for (const ReleaseData& r : catalog.releases())
    ctx.common_attrs.insert(r.export_rules.common_attrs.begin(), r.export_rules.common_attrs.end());
  detail::Findings findings(ctx);
  detail::check_format(ctx, findings);
  detail::check_proto(ctx, findings);
  detail::check_ops(ctx, findings);
  detail::check_attrs(ctx, findings);
  report.findings = findings.take();
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.severity < b.severity; });
  return report;
}

}  // namespace detport::compat
