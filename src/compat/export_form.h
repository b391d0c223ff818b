// Puts a program into the form a release's exporter writes: ProgramDesc.version, the release's
// op_version_map, and (for releases that clip) without the attributes and outputs it strips as
// "extra". The demo and tests use it to make models as a given Paddle would have exported them.
#pragma once

#include "compat/release_data.h"
#include "core/result.h"
#include "ir/model.h"
#include "ir/release.h"

namespace detport::compat {

struct ExportFormStats {
  std::size_t attrs_removed = 0;
  std::size_t outputs_removed = 0;
};

// `release` is the exact release (e.g. 2.6.1) whose number is written; `data` its release line.
// Fails when the release's op_version_map is not established (nothing faithful to write).
Result<ExportFormStats> apply_export_form(ir::Model& model, const ReleaseData& data,
                                          const ir::Release& release);

}  // namespace detport::compat
