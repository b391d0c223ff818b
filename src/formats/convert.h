// Moving models between formats: legacy ProgramDesc <-> Paddle 3 PIR JSON, and between PIR
// versions. Conversions go through the PIR document (written from the IR, patched to the target
// PIR version, read back), so the model returned is what a reader of the written files sees.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/model.h"

namespace detport::formats {

enum class TargetFormat { kLegacy, kPir };

struct ConvertOptions {
  TargetFormat format = TargetFormat::kPir;
  // PIR version to write; default: the version the model was read with (a PIR model, or a
  // legacy file converted from one), else 1, the version every Paddle 3 release reads.
  std::optional<int64_t> pir_version;
};

struct ConvertResult {
  ir::Model model;                 // ready for save_model (file names set for the target)
  std::vector<std::string> notes;  // every change made beyond the format, for the user
};

Result<ConvertResult> convert_model(const ir::Model& model, const ConvertOptions& options);

// The protobuf field under which a legacy file converted from PIR keeps the PIR-only facts of
// each op, var, block and program (an unknown field to Paddle, which ignores it).
inline constexpr int kPirFieldNumber = 32123;

}  // namespace detport::formats
