// A schema-aware walk over protobuf wire bytes that finds the first malformed byte and says where
// it is (byte offset and field path) and what was expected. libprotobuf only reports that parsing
// failed; users need to know why and where.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <google/protobuf/descriptor.h>

#include "core/result.h"

namespace detport::formats::legacy {

struct WireScanOptions {
  // Reject enum values outside the descriptor's range (closed proto2 enums), naming the field.
  bool check_enums = true;
  // Maximum nesting of messages (a ProgramDesc nests at most 6 deep; unknown groups add more).
  int max_depth = 32;
};

// Walks `bytes` as a `type` message. On the first problem returns an error whose context is
// "byte offset N (path.to[3].field)" and whose message says what was found and expected.
Status scan_wire(std::span<const std::byte> bytes, const google::protobuf::Descriptor* type,
                 const WireScanOptions& options = {});

}  // namespace detport::formats::legacy
