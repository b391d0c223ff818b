#include "ir/model.h"

namespace detport::ir {

std::string source_format_name(SourceFormat f) {
  switch (f) {
    case SourceFormat::kBuilt:
      return "built in memory";
    case SourceFormat::kLegacy:
      return "legacy ProgramDesc (protobuf)";
    case SourceFormat::kPir:
      return "PIR JSON";
  }
  return "unknown";
}

}  // namespace detport::ir
