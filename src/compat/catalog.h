// The known Paddle releases: data/compat/paddle-<release>.json resolved and validated. Each file
// after the first is an RFC 7386 merge patch over the release it `extends`, so a fact is written
// once, where it was established, and later files state only what changed.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compat/release_data.h"
#include "core/result.h"
#include "ir/release.h"

namespace detport::compat {

// One data file: its name ("paddle-2.6.json") and text.
struct DataFile {
  std::string name;
  std::string text;
};

class Catalog {
 public:
  // The data compiled into detport (data/compat at build time).
  static Result<Catalog> load_builtin();
  // Every *.json in `dir` (to try new or corrected facts without rebuilding).
  static Result<Catalog> load_dir(const std::filesystem::path& dir);
  // $DETPORT_COMPAT_DATA when set, else the built-in data.
  static Result<Catalog> load_default();
  static Result<Catalog> load_files(std::vector<DataFile> files);

  // Releases in order, oldest first.
  const std::vector<ReleaseData>& releases() const { return releases_; }
  // The data for a release: "2.3.2" and "2.3" both give the 2.3 line. nullptr if unknown.
  const ReleaseData* find(const ir::Release& r) const;
  // Parses a user's target ("2.3.2", "v2.6") and finds it; errors list the known releases.
  Result<const ReleaseData*> resolve(std::string_view target) const;
  const Source* source(std::string_view id) const;
  const std::map<std::string, Source, std::less<>>& sources() const { return sources_; }
  // "1.8, 2.0, ..., 3.3"
  std::string known_releases() const;

 private:
  std::vector<ReleaseData> releases_;
  std::map<std::string, Source, std::less<>> sources_;
};

}  // namespace detport::compat
