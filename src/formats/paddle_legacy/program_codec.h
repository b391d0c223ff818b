// Legacy ProgramDesc bytes <-> ir::Program. Parsing is strict: every malformed byte, unknown enum
// value or missing required field is an error naming the byte offset or the field path.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "core/result.h"
#include "ir/program.h"

namespace detport::formats::legacy {

// Parses a serialized ProgramDesc. Errors carry the byte offset / field path as context; callers
// prefix the file name.
Result<ir::Program> parse_program(std::span<const std::byte> bytes);

// Serializes a program. For a program parsed by parse_program and not modified, the result is
// byte-identical to the input.
Result<std::string> serialize_program(const ir::Program& program);

// A short guess at what a non-program file is ("a JPEG image", "JSON text", "a PIR program"...),
// or empty when it could be a program. Used to word errors for files of the wrong type.
std::string sniff_file_kind(std::span<const std::byte> bytes);

}  // namespace detport::formats::legacy
