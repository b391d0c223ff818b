// How PyYAML (YAML 1.1), which writes and reads deploy configs, types an unquoted scalar.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace detport::formats {

// null for ~/null/empty, booleans for true/yes/on/false/no/off, integers, floats (with a dot),
// .inf/.nan, otherwise the string itself.
nlohmann::ordered_json plain_scalar(const std::string& s);

}  // namespace detport::formats
