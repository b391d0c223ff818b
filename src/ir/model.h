// ir::Model: the program graph, its weights and what is known about where it came from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ir/deploy_config.h"
#include "ir/program.h"
#include "ir/release.h"
#include "ir/tensor.h"

namespace detport::ir {

enum class SourceFormat {
  kBuilt,   // constructed in memory (builder API)
  kLegacy,  // ProgramDesc protobuf (.pdmodel, __model__)
  kPir,     // Paddle 3 PIR JSON (.json)
};
std::string source_format_name(SourceFormat f);

enum class ParamsLayout {
  kNone,      // no weights present (graph only)
  kCombined,  // one file, tensors in sorted-name order (.pdiparams, __params__)
  kSeparate,  // one file per persistable var, named after it, beside the program
};

struct ModelFiles {
  std::filesystem::path dir;
  std::filesystem::path program;
  std::optional<std::filesystem::path> params;  // the combined file, if any
  std::optional<std::filesystem::path> deploy_config;
  std::vector<std::filesystem::path> companions;  // .pdiparams.info and other files to carry along
};

struct Metadata {
  SourceFormat format = SourceFormat::kBuilt;
  ParamsLayout params_layout = ParamsLayout::kNone;
  ModelFiles files;
  // The release that wrote the program, decoded from ProgramDesc.version; nullopt if absent.
  std::optional<Release> producer;
  std::optional<int64_t> pir_version;  // PIR base_code.version
  std::optional<DeployConfig> deploy;
};

struct Model {
  Program program;
  Weights weights;
  Metadata meta;

  bool has_weights() const { return meta.params_layout != ParamsLayout::kNone; }
};

}  // namespace detport::ir
