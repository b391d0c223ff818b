// Fuzzes the params stream reader: tensor after tensor until the input ends or an error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "formats/paddle_legacy/params_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace detport::formats::legacy;
  auto bytes = std::as_bytes(std::span<const uint8_t>(data, size));
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const std::size_t before = offset;
    auto t = read_tensor(bytes, offset, nullptr);
    if (!t.ok()) return 0;
    if (offset <= before || offset > bytes.size()) std::abort();  // progress, and within bounds
    if (t->bytes.data() < bytes.data() ||
        t->bytes.data() + t->bytes.size() > bytes.data() + bytes.size())
      std::abort();
    // The tensor re-serializes to bytes that read back to the same tensor. (Not always the same
    // bytes: a TensorDesc may repeat a field, which libprotobuf accepts and we write once.)
    auto again = serialize_tensor(*t);
    auto again_bytes = std::as_bytes(std::span<const char>(again.data(), again.size()));
    std::size_t pos = 0;
    auto back = read_tensor(again_bytes, pos, nullptr);
    if (!back.ok() || pos != again.size() || back->dtype != t->dtype || back->dims != t->dims ||
        back->lod != t->lod || back->bytes.size() != t->bytes.size() ||
        std::memcmp(back->bytes.data(), t->bytes.data(), t->bytes.size()) != 0)
      std::abort();
  }
  return 0;
}
