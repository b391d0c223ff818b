// Fuzzes the infer_cfg.yml / inference.yml reader (yaml-cpp underneath) and the writer on success.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/deploy_config/deploy_config_reader.h"
#include "formats/deploy_config/deploy_config_writer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detport::formats;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto cfg = parse_deploy_config(text, "fuzz.yml");
  if (!cfg.ok()) return 0;
  auto yaml = emit_deploy_config(*cfg);
  if (!yaml.ok()) std::abort();
  return 0;
}
