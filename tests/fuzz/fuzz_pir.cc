// Fuzzes the PIR JSON reader and, when a program reads, the writer and the version patches on it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "formats/paddle_pir/pir_patches.h"
#include "formats/paddle_pir/pir_program.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detport::formats::pir;
  auto doc = parse_document(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!doc.ok()) {
    if (doc.error().message.empty()) std::abort();
    return 0;
  }
  auto read = read_program(*doc);
  if (!read.ok()) {
    if (read.error().message.empty()) std::abort();  // every error says what was wrong
    return 0;
  }
  // What reads must write, and read back to the same program.
  auto written = write_program(read->program, read->version);
  if (!written.ok()) return 0;  // e.g. a dangling sub-block index: reported, not a crash
  auto again = read_program(*written);
  if (!again.ok() || !(again->program == read->program)) std::abort();
  // Version moves never crash; within range they either succeed or explain why not.
  for (int64_t to = min_pir_version(); to <= max_pir_version(); ++to) {
    Json copy = *written;
    auto moved = change_pir_version(copy, to);
    if (!moved.ok() && moved.error().message.empty()) std::abort();
  }
  return 0;
}
