// Converting a model for a Paddle release (detport convert --target): the release's format
// (formats::convert_model) and then the compat rewrites (compat::rewrite_for_target), in memory.
// The CLI adds the files: temp directory, params, companions, re-reading and re-checking.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "compat/catalog.h"
#include "compat/rewrite.h"
#include "core/result.h"
#include "formats/convert.h"
#include "ir/model.h"

namespace detport::pipeline {

struct TargetConvertOptions {
  // Default: the format the target release exports (data/compat formats.default_export).
  std::optional<formats::TargetFormat> format;
  bool allow_approx = false;
};

struct TargetConvertResult {
  ir::Model model;
  formats::TargetFormat format = formats::TargetFormat::kLegacy;
  std::vector<compat::Change> format_changes;  // the format conversion, as changes
  compat::RewriteResult rewrite;
};

// The format a target writes by default.
formats::TargetFormat default_format(const compat::ReleaseData& target);

// convert_for_target in its three stages. The format stage depends only on the model and the plan,
// so a caller converting one model for many releases can reuse it for equal plans.
struct FormatPlan {
  formats::TargetFormat format = formats::TargetFormat::kLegacy;
  std::optional<int64_t> pir_version;  // for PIR: the version to write
  bool convert = false;                // whether formats::convert_model runs
  bool operator==(const FormatPlan&) const = default;
};
// Fails (kInvalidInput) when the target cannot read the requested format.
Result<FormatPlan> plan_format(const ir::Model& model, const compat::ReleaseData& target,
                               const std::string& target_name,
                               const TargetConvertOptions& options = {});
// The model in the planned format (a copy when no conversion is needed), with the format changes.
Result<TargetConvertResult> convert_format(const ir::Model& model, const FormatPlan& plan);
// The compat rewrites on the format stage's result.
Result<TargetConvertResult> rewrite_converted(TargetConvertResult formatted,
                                              const compat::Catalog& catalog,
                                              const compat::ReleaseData& target,
                                              const std::string& target_name,
                                              const TargetConvertOptions& options = {});

// plan_format, convert_format, rewrite_converted. Fails (kInvalidInput) when the target cannot
// read the requested format.
Result<TargetConvertResult> convert_for_target(const ir::Model& model,
                                               const compat::Catalog& catalog,
                                               const compat::ReleaseData& target,
                                               const std::string& target_name,
                                               const TargetConvertOptions& options = {});

// Writes the converted model into `dir` (which must exist): program and deploy config from
// `converted`; params copied byte for byte from the input when the persistable set is unchanged,
// written from `converted`'s weights otherwise; companion files copied.
Status write_converted(const ir::Model& original, const ir::Model& converted,
                       bool persistables_changed, const std::filesystem::path& dir);

}  // namespace detport::pipeline
