// The PIR data files (data/pir/op_map.json, data/pir/patches.json), compiled in so that the binary
// needs nothing beside it.
#pragma once

#include <string_view>

namespace detport::formats::pir {

std::string_view op_map_json();
std::string_view patches_json();

}  // namespace detport::formats::pir
