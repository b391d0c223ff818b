// Fuzzes the release-data reader: the input is a release document, read as a file of its own and
// as a merge patch over the built-in 2.6 release (what a user's --data file would be).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "compat/catalog.h"
#include "compat/embedded_data.h"

namespace {

const detport::compat::Catalog& builtin() {
  static const detport::compat::Catalog c = detport::compat::Catalog::load_builtin().value();
  return c;
}

const nlohmann::json& base_26() {
  static const nlohmann::json doc = [] {
    nlohmann::json resolved;
    for (const auto& f : detport::compat::embedded_compat_files()) {
      if (!std::string_view(f.name).starts_with("paddle-")) continue;
      auto j = nlohmann::json::parse(f.text);
      const std::string release = j["release"];
      if (release == "1.8") resolved = j;
    }
    for (const char* r : {"2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"})
      for (const auto& f : detport::compat::embedded_compat_files())
        if (std::string_view(f.name) == std::string("paddle-") + r + ".json")
          resolved.merge_patch(nlohmann::json::parse(f.text));
    resolved.erase("extends");
    return resolved;
  }();
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detport::compat;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return 0;
  (void)release_from_json(doc, "fuzz.json", builtin().sources());
  if (!doc.is_object()) return 0;
  nlohmann::json patched = base_26();
  patched.merge_patch(doc);
  // Ops the patch does not touch are shared with the 2.6 data, as the catalog does.
  (void)release_from_json(patched, "fuzz.json", builtin().sources(), builtin().find({2, 6, 0}),
                          &doc);
  return 0;
}
