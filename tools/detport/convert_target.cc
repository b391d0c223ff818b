// detport convert MODEL --target RELEASE -o OUT_DIR: rewrite the model for that release, write it
// into a temporary directory beside OUT_DIR, re-read and re-check it there, then rename it into
// place, so a failure leaves no partial output.
#include "convert_target.h"

#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "cli.h"
#include "compat/catalog.h"
#include "compat/checker.h"
#include "formats/model_io.h"
#include "pipeline/convert_target.h"

namespace detport::cli {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

std::string change_text(const compat::Change& c) {
  const std::string where =
      c.op_type.empty() ? "program" : fmt::format("{}#{}", c.op_type, c.index);
  const std::string block = c.block > 0 ? fmt::format(" (block {})", c.block) : "";
  if (c.attr == "note") return fmt::format("  {}: {} [{}]", where, c.after, c.rule);
  return fmt::format("  {}{} {}: {} -> {} [{}]{}", where, block, c.attr, c.before, c.after, c.rule,
                     c.approx ? " (approximate)" : "");
}

// The human listing: identical edits (same rule, op type, attribute, old and new value) on several
// ops print as one line with the count and the op indices; --json keeps every change.
std::vector<std::string> grouped_change_lines(const std::vector<compat::Change>& all) {
  struct Group {
    const compat::Change* first;
    std::vector<int32_t> indices;
  };
  std::vector<Group> groups;
  std::map<
      std::tuple<std::string, std::string, int32_t, std::string, std::string, std::string, bool>,
      std::size_t>
      index;
  for (const compat::Change& c : all) {
    if (c.op_type.empty() || c.attr == "note" || c.attr == "type") {
      groups.push_back({&c, {c.index}});
      continue;
    }
    auto key = std::make_tuple(c.rule, c.op_type, c.block, c.attr, c.before, c.after, c.approx);
    auto [it, fresh] = index.emplace(std::move(key), groups.size());
    if (fresh)
      groups.push_back({&c, {c.index}});
    else
      groups[it->second].indices.push_back(c.index);
  }
  std::vector<std::string> lines;
  for (const Group& g : groups) {
    const compat::Change& c = *g.first;
    if (g.indices.size() == 1) {
      lines.push_back(change_text(c));
      continue;
    }
    constexpr std::size_t kShown = 8;
    std::vector<std::string> shown;
    for (std::size_t k = 0; k < std::min(kShown, g.indices.size()); ++k)
      shown.push_back(fmt::format("#{}", g.indices[k]));
    if (g.indices.size() > kShown) shown.push_back("...");
    const std::string block = c.block > 0 ? fmt::format(" (block {})", c.block) : "";
    lines.push_back(fmt::format("  {} {} ops{} {}: {} -> {} [{}]{} ({})", g.indices.size(),
                                c.op_type, block, c.attr, c.before, c.after, c.rule,
                                c.approx ? " (approximate)" : "", fmt::join(shown, ", ")));
  }
  return lines;
}

json change_json(const compat::Change& c) {
  json j;
  j["rule"] = c.rule;
  j["block"] = c.block >= 0 ? json(c.block) : json(nullptr);
  j["index"] = c.index >= 0 ? json(c.index) : json(nullptr);
  j["op"] = c.op_type.empty() ? json(nullptr) : json(c.op_type);
  j["attr"] = c.attr;
  j["before"] = c.before;
  j["after"] = c.after;
  j["approx"] = c.approx;
  return j;
}

json refusal_json(const compat::Refusal& r) {
  json j;
  j["rule"] = r.finding.rule;
  j["severity"] = std::string(compat::severity_name(r.finding.severity));
  j["title"] = r.finding.title;
  j["convert_rule"] = r.finding.convert_rule.empty() ? json(nullptr) : json(r.finding.convert_rule);
  j["reason"] = r.reason;
  j["op_count"] = r.finding.op_count;
  json ops = json::array();
  for (const compat::OpRef& o : r.finding.ops)
    ops.push_back({{"block", o.block}, {"index", o.index}, {"type", o.type}});
  j["ops"] = ops;
  return j;
}

json check_summary(const compat::Report& rep) {
  return {{"verdict", std::string(compat::verdict_name(rep.verdict()))},
          {"breaks_load", rep.count(compat::Severity::kBreaksLoad)},
          {"wrong_result", rep.count(compat::Severity::kWrongResult)},
          {"slow", rep.count(compat::Severity::kSlow)},
          {"info", rep.count(compat::Severity::kInfo)}};
}

bool same_path(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

}  // namespace

int convert_to_target(const TargetConvertCliOptions& o) {
  if (o.model.empty() && o.model_file.empty())
    return report(make_error(ErrorCode::kInvalidInput, "convert needs MODEL or --model-file"));
  if (o.out.empty() && !o.dry_run)
    return report(make_error(ErrorCode::kInvalidInput, "convert needs -o OUT_DIR (or --dry-run)"));
  auto catalog =
      o.data.empty() ? compat::Catalog::load_default() : compat::Catalog::load_dir(o.data);
  if (!catalog.ok()) return report(catalog.error());
  auto target = catalog->resolve(o.target);
  if (!target.ok()) return report(target.error());
  formats::LoadOptions lo;
  if (!o.model_file.empty()) lo.model_file = o.model_file;
  if (!o.params_file.empty()) lo.params_file = o.params_file;
  auto model = formats::load_model(o.model, lo);
  if (!model.ok()) return report(model.error());
  const fs::path out = o.out;
  if (!o.dry_run) {
    std::error_code ec;
    const fs::path in_dir = model->meta.files.dir.empty() ? model->meta.files.program.parent_path()
                                                          : model->meta.files.dir;
    if (same_path(out, in_dir) || same_path(out, model->meta.files.program))
      return report(make_error(ErrorCode::kInvalidInput,
                               "refusing to overwrite the input model; choose another -o", o.out));
    if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
      return report(make_error(ErrorCode::kInvalidInput,
                               "the output exists and is not an empty directory; remove it or "
                               "choose another -o",
                               o.out));
  }

  pipeline::TargetConvertOptions co;
  if (!o.format.empty())
    co.format = o.format == "pir" ? formats::TargetFormat::kPir : formats::TargetFormat::kLegacy;
  co.allow_approx = o.allow_approx;
  auto conv = pipeline::convert_for_target(*model, *catalog, **target, o.target, co);
  if (!conv.ok()) return report(conv.error());

  json doc;
  doc["schema"] = "detport.convert/1";
  doc["model"] = o.model.empty() ? o.model_file : o.model;
  doc["target"] = o.target;
  doc["target_release"] = (*target)->name;
  doc["format"] = conv->format == formats::TargetFormat::kPir ? "pir" : "legacy";
  doc["dry_run"] = o.dry_run;
  doc["allow_approx"] = o.allow_approx;
  json changes = json::array();
  std::vector<compat::Change> all = conv->format_changes;
  all.insert(all.end(), conv->rewrite.changes.begin(), conv->rewrite.changes.end());
  for (const compat::Change& c : all) changes.push_back(change_json(c));
  json refusals = json::array();
  for (const compat::Refusal& r : conv->rewrite.refusals) refusals.push_back(refusal_json(r));
  doc["changes"] = changes;
  doc["refusals"] = refusals;
  doc["out"] = nullptr;
  doc["check"] = nullptr;

  auto finish = [&](const std::string& status, int code) {
    doc["status"] = status;
    if (o.json) fmt::print("{}\n", doc.dump(2));
    return code;
  };
  if (!o.json) {
    const std::vector<std::string> lines = grouped_change_lines(all);
    fmt::print(
        "convert to Paddle {} ({} format): {} change(s){}\n", o.target,
        doc["format"].get<std::string>(), all.size(),
        lines.size() < all.size()
            ? fmt::format(", identical ones grouped ({} lines; --json lists each)", lines.size())
            : "");
    for (const std::string& l : lines) fmt::print("{}\n", l);
    for (const compat::Refusal& r : conv->rewrite.refusals)
      fmt::print("  REFUSED {} [{}]: {}\n    reason: {}\n",
                 compat::severity_name(r.finding.severity), r.finding.rule, r.finding.title,
                 r.reason);
  }
  if (!conv->rewrite.refusals.empty()) {
    if (!o.json)
      fmt::print(
          "cannot make the model compatible with Paddle {}: {} finding(s) refused; nothing "
          "written\n",
          o.target, conv->rewrite.refusals.size());
    return finish("refused", kIncompatible);
  }
  if (o.dry_run) {
    if (!o.json) fmt::print("dry run: nothing written\n");
    return finish("dry-run", kOk);
  }

  // Write beside OUT, check there, then rename into place.
  std::error_code ec;
  const fs::path parent = fs::absolute(out).parent_path();
  fs::create_directories(parent, ec);
  std::string tmpl = (parent / ("." + out.filename().string() + ".tmp-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    return report(make_error(ErrorCode::kIo, "cannot create a temporary directory", tmpl));
  const fs::path tmp = tmpl;
  {  // mkdtemp makes it private; give it the permissions a new directory gets
    const mode_t mask = ::umask(0);
    ::umask(mask);
    fs::permissions(tmp, static_cast<fs::perms>(0777 & ~mask), ec);
  }
  auto cleanup = [&] { fs::remove_all(tmp, ec); };
  if (Status s =
          pipeline::write_converted(*model, conv->model, conv->rewrite.persistables_changed, tmp);
      !s.ok()) {
    cleanup();
    return report(s.error());
  }
  formats::LoadOptions relo;
  relo.load_deploy_config = false;
  auto reread = formats::load_model(tmp, relo);
  if (!reread.ok()) {
    cleanup();
    return report(Error(reread.error()).within("re-reading the converted model"));
  }
  const compat::Report rep = compat::check(*reread, *catalog, **target, o.target);
  doc["check"] = check_summary(rep);
  bool clean = true;
  for (const compat::Finding& f : rep.findings)
    if (compat::is_blocking(f)) {
      clean = false;
      if (!o.json)
        fmt::print("  CHECK {} [{}]: {}\n", compat::severity_name(f.severity), f.rule, f.title);
    }
  if (!clean) {
    cleanup();
    if (!o.json)
      fmt::print("{}\nthe converted model is not clean; nothing written\n", rep.headline());
    return finish("check-failed", kIncompatible);
  }
  if (fs::exists(out, ec)) fs::remove(out, ec);  // an empty directory (checked above)
  fs::rename(tmp, out, ec);
  if (ec) {
    cleanup();
    return report(
        make_error(ErrorCode::kIo, "cannot move the output into place: " + ec.message(), o.out));
  }
  doc["out"] = out.string();
  if (!o.json) fmt::print("wrote {}\n{}\n", out.string(), rep.headline());
  return finish("converted", kOk);
}

}  // namespace detport::cli
