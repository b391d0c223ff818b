#include "compat/catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "compat/embedded_data.h"

namespace detport::compat {
namespace {

using nlohmann::json;

Result<json> parse_json(const DataFile& f) {
  json j = json::parse(f.text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return make_error(ErrorCode::kInvalidInput, "not valid JSON", "data/compat/" + f.name);
  return j;
}

}  // namespace

Result<Catalog> Catalog::load_files(std::vector<DataFile> files) {
  Catalog c;
  const DataFile* sources_file = nullptr;
  std::map<std::string, json> raw;  // release name -> patch document
  std::map<std::string, std::string> file_of;
  for (const DataFile& f : files) {
    if (f.name == "sources.json") {
      sources_file = &f;
      continue;
    }
    if (!f.name.starts_with("paddle-") || !f.name.ends_with(".json"))
      return make_error(ErrorCode::kInvalidInput,
                        "unexpected file (expected sources.json or paddle-<release>.json)",
                        "data/compat/" + f.name);
    DETPORT_ASSIGN(json j, parse_json(f));
    const std::string where = "data/compat/" + f.name;
    if (!j.is_object() || !j.contains("release") || !j["release"].is_string())
      return make_error(ErrorCode::kInvalidInput, "missing \"release\" (a string like \"2.6\")",
                        where + ": /");
    const std::string name = j["release"].get<std::string>();
    if (f.name != "paddle-" + name + ".json")
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("\"release\" is \"{}\" but the file is named {}", name, f.name),
                        where + ": /release");
    if (raw.count(name) != 0)
      return make_error(ErrorCode::kInvalidInput, "release " + name + " is defined twice", where);
    raw.emplace(name, std::move(j));
    file_of.emplace(name, f.name);
  }
  if (sources_file == nullptr)
    return make_error(ErrorCode::kNotFound, "sources.json is missing", "data/compat");
  DETPORT_ASSIGN(json sj, parse_json(*sources_file));
  DETPORT_ASSIGN(c.sources_, sources_from_json(sj, "data/compat/sources.json"));

  // Check every `extends` names an existing release and that no chain loops.
  std::map<std::string, std::vector<std::string>> children;
  std::vector<std::string> roots;
  for (const auto& [name, doc] : raw) {
    if (!doc.contains("extends")) {
      roots.push_back(name);
      continue;
    }
    const std::string where = "data/compat/" + file_of.at(name) + ": /extends";
    if (!doc["extends"].is_string())
      return make_error(ErrorCode::kInvalidInput, "expected a release name string", where);
    const std::string base = doc["extends"].get<std::string>();
    if (raw.count(base) == 0)
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("extends \"{}\", which has no paddle-{}.json", base, base),
                        where);
    children[base].push_back(name);
  }
  // Resolve from each base down its chain: a child is its parent's document with its own file
  // merged in, and shares the ops its file does not touch.
  std::vector<std::unique_ptr<ReleaseData>> done;
  struct Pending {
    std::string name;
    json resolved;
    const ReleaseData* parent;
    std::vector<std::string> files;
  };
  std::vector<Pending> stack;
  for (const std::string& r : roots) stack.push_back({r, raw.at(r), nullptr, {file_of.at(r)}});
  std::size_t visited = 0;
  while (!stack.empty()) {
    Pending p = std::move(stack.back());
    stack.pop_back();
    ++visited;
    const json& own = raw.at(p.name);
    json doc = std::move(p.resolved);
    if (p.parent != nullptr) doc.merge_patch(own);
    doc.erase("extends");
    std::string where = "data/compat/" + file_of.at(p.name);
    if (p.files.size() > 1) where += fmt::format(" (resolved over {})", fmt::join(p.files, " <- "));
    DETPORT_ASSIGN(ReleaseData d, release_from_json(doc, where, c.sources_, p.parent,
                                                    p.parent != nullptr ? &own : nullptr));
    d.files = p.files;
    done.push_back(std::make_unique<ReleaseData>(std::move(d)));
    const auto& kids = children[p.name];
    for (std::size_t i = 0; i < kids.size(); ++i) {
      std::vector<std::string> chain_files = p.files;
      chain_files.push_back(file_of.at(kids[i]));
      stack.push_back({kids[i], i + 1 == kids.size() ? std::move(doc) : doc, done.back().get(),
                       std::move(chain_files)});
    }
  }
  if (visited != raw.size())
    return make_error(ErrorCode::kInvalidInput,
                      "an extends chain loops (no file it reaches is a base)", "data/compat");
  for (auto& d : done) c.releases_.push_back(std::move(*d));
  std::sort(c.releases_.begin(), c.releases_.end(),
            [](const ReleaseData& a, const ReleaseData& b) { return a.release < b.release; });
  for (std::size_t i = 1; i < c.releases_.size(); ++i)
    if (c.releases_[i].release.major == c.releases_[i - 1].release.major &&
        c.releases_[i].release.minor == c.releases_[i - 1].release.minor)
      return make_error(ErrorCode::kInvalidInput,
                        "two files describe the " + c.releases_[i].name + " line", "data/compat");
  return c;
}

Result<Catalog> Catalog::load_builtin() {
  std::vector<DataFile> files;
  for (const EmbeddedFile& f : embedded_compat_files())
    files.push_back({std::string(f.name), std::string(f.text)});
  return load_files(std::move(files));
}

Result<Catalog> Catalog::load_dir(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(ErrorCode::kNotFound, "not a directory", dir.string());
  std::vector<DataFile> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) return make_error(ErrorCode::kIo, "cannot read", entry.path().string());
    std::stringstream ss;
    ss << in.rdbuf();
    files.push_back({entry.path().filename().string(), ss.str()});
  }
  if (ec) return make_error(ErrorCode::kIo, "cannot list: " + ec.message(), dir.string());
  return load_files(std::move(files));
}

Result<Catalog> Catalog::load_default() {
  if (const char* dir = std::getenv("DETPORT_COMPAT_DATA"); dir != nullptr && *dir != '\0') {
    auto c = load_dir(dir);
    if (!c.ok()) return std::move(c).error().within("$DETPORT_COMPAT_DATA");
    return c;
  }
  return load_builtin();
}

const ReleaseData* Catalog::find(const ir::Release& r) const {
  for (const ReleaseData& d : releases_)
    if (d.release.major == r.major && d.release.minor == r.minor) return &d;
  return nullptr;
}

Result<const ReleaseData*> Catalog::resolve(std::string_view target) const {
  auto r = ir::Release::parse(target);
  if (!r)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("\"{}\" is not a Paddle release (expected e.g. 2.6 or 2.3.2; known: {})",
                    target, known_releases()),
        "--target");
  const ReleaseData* d = find(*r);
  if (d == nullptr)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("detport has no facts about Paddle {} (known: {})", target, known_releases()),
        "--target");
  return d;
}

const Source* Catalog::source(std::string_view id) const {
  auto it = sources_.find(id);
  return it == sources_.end() ? nullptr : &it->second;
}

std::string Catalog::known_releases() const {
  std::vector<std::string> names;
  for (const ReleaseData& d : releases_) names.push_back(d.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace detport::compat
