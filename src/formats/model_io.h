// Finding, loading and saving whole models: program + params + deploy config, in any layout users
// have (model.pdmodel/.pdiparams, inference.*, __model__/__params__, __model__ + one file per
// parameter, explicit --model-file/--params-file, PIR .json).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/result.h"
#include "ir/model.h"

namespace detport::formats {

struct LoadOptions {
  std::optional<std::filesystem::path> model_file;   // overrides discovery
  std::optional<std::filesystem::path> params_file;  // overrides discovery
  bool load_weights = true;                          // false: graph only, even if params exist
  bool load_deploy_config = true;
};

// Resolves MODEL (a directory, a path prefix, or a program file) to the files that make it up,
// without reading them.
Result<ir::ModelFiles> locate_model(const std::filesystem::path& model,
                                    const LoadOptions& options = {});

// Reads the program, the weights (memory-mapped) and the deploy config.
Result<ir::Model> load_model(const std::filesystem::path& model, const LoadOptions& options = {});

struct SaveOptions {
  // File names inside the output directory. Empty: keep the names the model was read from
  // ("model.pdmodel"/"model.pdiparams" for built models).
  std::string program_name;
  std::string params_name;
  // Weights layout; kNone keeps the model's own.
  ir::ParamsLayout layout = ir::ParamsLayout::kNone;
  bool write_deploy_config = true;  // copy the deploy config file the model was read with
};

// Writes the program and params into `dir` (which must exist).
Status save_model(const ir::Model& model, const std::filesystem::path& dir,
                  const SaveOptions& options = {});

}  // namespace detport::formats
