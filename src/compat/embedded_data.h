// data/compat/*.json compiled into the binary (cmake/embed_compat_data.cmake generates the
// definition), so detport needs no data directory at run time.
#pragma once

#include <span>
#include <string_view>

namespace detport::compat {

struct EmbeddedFile {
  std::string_view name;  // "paddle-2.6.json"
  std::string_view text;
};

std::span<const EmbeddedFile> embedded_compat_files();

}  // namespace detport::compat
