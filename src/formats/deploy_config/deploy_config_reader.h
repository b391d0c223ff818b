// Reads PaddleDetection `infer_cfg.yml` and PaddleX `inference.yml` into ir::DeployConfig.
// YAML scalars are typed as PyYAML (YAML 1.1, which wrote and reads these files) types them.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/result.h"
#include "ir/deploy_config.h"

namespace detport::formats {

// Largest deploy config accepted; real ones are a few KB (OCR dictionaries reach a few hundred).
constexpr std::size_t kMaxDeployConfigBytes = std::size_t{16} << 20;

// Parses config text. `label` names the file in errors.
Result<ir::DeployConfig> parse_deploy_config(std::string_view text, const std::string& label);
Result<ir::DeployConfig> read_deploy_config(const std::filesystem::path& path);

// The deploy config file beside a model, if any: infer_cfg.yml, then inference.yml.
std::optional<std::filesystem::path> find_deploy_config(const std::filesystem::path& dir);

}  // namespace detport::formats
