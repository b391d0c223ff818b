#include "ir/release.h"

#include <charconv>

namespace detport::ir {

Release Release::from_program_version(int64_t v) {
  if (v <= 0) return {};
  return {static_cast<int>(v / 1000000), static_cast<int>(v / 1000 % 1000),
          static_cast<int>(v % 1000)};
}

std::optional<Release> Release::parse(std::string_view text) {
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  int parts[3] = {0, 0, 0};
  int count = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (p < end && count < 3) {
    auto [next, ec] = std::from_chars(p, end, parts[count]);
    if (ec != std::errc() || next == p || parts[count] < 0 || parts[count] > 999)
      return std::nullopt;
    ++count;
    p = next;
    if (p < end) {
      if (*p != '.') return std::nullopt;
      ++p;
      if (p == end) return std::nullopt;
    }
  }
  if (p != end || count < 2) return std::nullopt;
  return Release{parts[0], parts[1], parts[2]};
}

std::string Release::to_string() const {
  if (is_develop()) return "develop build";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

}  // namespace detport::ir
