// Writes a deploy config back as YAML, key order as read (PaddleDetection dumps an OrderedDict).
#pragma once

#include <string>

#include "core/result.h"
#include "ir/deploy_config.h"

namespace detport::formats {

// YAML text of `config.raw` (the whole document as read or built).
Result<std::string> emit_deploy_config(const ir::DeployConfig& config);

}  // namespace detport::formats
