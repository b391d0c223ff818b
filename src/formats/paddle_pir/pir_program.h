// PIR JSON documents <-> ir::Program. Reading maps pd_op ops to legacy op names, operands and
// results to legacy slots and attributes to legacy names (data/pir/op_map.json); what PIR says
// beyond that goes into the `pir` fields of the IR (see ir/program.h), so that writing an
// unchanged program reproduces the document. builtin.combine/split are folded into the multi-
// argument slot of the op they feed or follow; parameter ops become persistable vars.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/result.h"
#include "formats/paddle_pir/pir_json.h"
#include "ir/program.h"

namespace detport::formats::pir {

struct ReadProgram {
  ir::Program program;
  int64_t version = 0;  // base_code.version
};

// Reads a parsed document; errors carry the JSON pointer of what is wrong.
Result<ReadProgram> read_program(const Json& doc);

// Writes a program as a PIR document with base_code.version = `version`. Attributes keep the
// encodings they were read with; programs from legacy files are written the way Paddle's
// translator lays them out, with a "detport" key per op (and at the top) that Paddle's reader
// ignores and that brings the legacy form back (docs/FORMATS.md).
Result<Json> write_program(const ir::Program& program, int64_t version);

// PIR op name -> count, as in the document the program was read from ("p" for parameters,
// "0.combine", "1.conv2d", ...); empty for programs that were not read from PIR.
std::map<std::string, int64_t> pir_op_counts(const ir::Program& program);

// Converts an attribute to another IR kind of the same family (LONGS -> INTS, FLOAT64 -> FLOAT,
// STRING -> VAR, ...); the attribute itself when the families differ.
ir::Attribute coerce(const ir::Attribute& a, ir::AttrKind kind);

}  // namespace detport::formats::pir
