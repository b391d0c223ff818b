// Options every command that runs a model shares (--model-file/--params-file, --weights random,
// --threads, --no-fuse, --backend), and the code that turns them into a model and a backend.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "core/result.h"
#include "ir/model.h"
#include "runtime/backend.h"

namespace detport::cli {

struct ModelOptions {
  std::string model;
  std::string model_file, params_file;
  std::string config;   // a deploy config to use instead of the one beside the model
  std::string weights;  // "" (from the params file) or "random"
  uint32_t seed = 20231123;
  int threads = 0;
  bool no_fuse = false;
  bool reference = false;
  std::string backend = "native";

  void add_to(CLI::App& cmd, bool model_positional = true);
  Result<ir::Model> load() const;
  Result<std::unique_ptr<runtime::Backend>> make_backend(const ir::Model& model,
                                                         bool profile = false) const;
};

}  // namespace detport::cli
