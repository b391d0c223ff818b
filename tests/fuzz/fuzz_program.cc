// Fuzzes the legacy ProgramDesc reader and, when a program parses, the writer on its IR.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "formats/paddle_legacy/program_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detport::formats::legacy;
  auto bytes = std::as_bytes(std::span<const uint8_t>(data, size));
  auto program = parse_program(bytes);
  if (!program.ok()) {
    if (program.error().message.empty()) std::abort();  // every error says what was wrong
    return 0;
  }
  // What parses must serialize, and re-parse to the same program.
  auto again = serialize_program(*program);
  if (!again.ok()) std::abort();
  auto back = parse_program(std::as_bytes(std::span<const char>(again->data(), again->size())));
  if (!back.ok() || !(*back == *program)) std::abort();
  return 0;
}
