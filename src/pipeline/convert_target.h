// Converting a model for a Paddle release (detport convert --target): the release's format
// (formats::convert_model) and then the compat rewrites (compat::rewrite_for_target), in memory.
// The CLI adds the files: temp directory, params, companions, re-reading and re-checking.
#pragma once

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

// Fails (kInvalidInput) when the target cannot read the requested format.
Result<TargetConvertResult> convert_for_target(const ir::Model& model,
                                               const compat::Catalog& catalog,
                                               const compat::ReleaseData& target,
                                               const std::string& target_name,
                                               const TargetConvertOptions& options = {});

}  // namespace detport::pipeline
