// Paddle releases: the version a program was written by (ProgramDesc.version encodes it as
// major*1000000 + minor*1000 + patch; 0 is a develop build) and the targets users name.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace detport::ir {

struct Release {
  int major = 0;
  int minor = 0;
  int patch = 0;

  // 0 decodes to {0,0,0}: a develop or nightly build, which writes no release number.
  static Release from_program_version(int64_t v);
  // "2.6", "2.6.1", "v2.6.1"; nullopt if not of that form.
  static std::optional<Release> parse(std::string_view text);

  bool is_develop() const { return major == 0 && minor == 0 && patch == 0; }
  int64_t program_version() const { return int64_t{major} * 1000000 + minor * 1000 + patch; }
  std::string to_string() const;  // "2.6.1", or "develop build"
  auto operator<=>(const Release&) const = default;
};

}  // namespace detport::ir
