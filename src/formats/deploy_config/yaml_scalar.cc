#include "formats/deploy_config/yaml_scalar.h"

#include <charconv>
#include <limits>
#include <regex>

namespace detport::formats {

// A plain scalar as PyYAML's resolver types it (YAML 1.1 core schema).
nlohmann::ordered_json plain_scalar(const std::string& s) {
  static const std::regex kInt(R"([-+]?(0|[1-9][0-9_]*))");
  static const std::regex kFloat(R"([-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?)");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "Yes" || s == "YES" ||
      s == "on" || s == "On" || s == "ON")
    return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "no" || s == "No" || s == "NO" ||
      s == "off" || s == "Off" || s == "OFF")
    return false;
  if (s.size() < 64 && std::regex_match(s, kInt)) {
    std::string digits;
    for (char c : s)
      if (c != '_' && c != '+') digits += c;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc() && p == digits.data() + digits.size()) return v;
    return s;
  }
  if (s.size() < 64 && s != "." && std::regex_match(s, kFloat)) {
    std::string digits;
    for (char c : s)
      if (c != '_') digits += c;
    try {
      return std::stod(digits);
    } catch (...) {
      return s;
    }
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf")
    return std::numeric_limits<double>::infinity();
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return -std::numeric_limits<double>::infinity();
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  return s;
}

}  // namespace detport::formats
