#include "formats/model_io.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/mapped_file.h"
#include "formats/deploy_config/deploy_config_reader.h"
#include "formats/deploy_config/deploy_config_writer.h"
#include "formats/paddle_legacy/params_codec.h"
#include "formats/paddle_legacy/program_codec.h"
#include "formats/paddle_pir/pir_program.h"

namespace detport::formats {
namespace fs = std::filesystem;
namespace {

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool is_pir(const fs::path& p) {
  return p.extension() == ".json";
}

// The params file that goes with a program file, by Paddle's naming conventions.
std::optional<fs::path> params_beside(const fs::path& program) {
  if (program.filename() == "__model__") {
    if (is_file(program.parent_path() / "__params__")) return program.parent_path() / "__params__";
    if (is_file(program.parent_path() / "params")) return program.parent_path() / "params";
    return std::nullopt;
  }
  fs::path p = program;
  p.replace_extension(".pdiparams");
  if (is_file(p)) return p;
  return std::nullopt;
}

// Programs in a directory, in the order Paddle's own loaders prefer them.
Result<fs::path> program_in_dir(const fs::path& dir) {
  for (const char* name :
       {"model.pdmodel", "inference.pdmodel", "__model__", "model.json", "inference.json"})
    if (is_file(dir / name)) return dir / name;
  std::vector<fs::path> candidates;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const auto ext = entry.path().extension();
    if (ext == ".pdmodel") candidates.push_back(entry.path());
  }
  if (ec)
    return make_error(ErrorCode::kIo, "cannot list the directory: " + ec.message(), dir.string());
  if (candidates.size() == 1) return candidates.front();
  if (candidates.size() > 1) {
    std::sort(candidates.begin(), candidates.end());
    std::string names;
    for (const auto& c : candidates) names += (names.empty() ? "" : ", ") + c.filename().string();
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("the directory holds several programs ({}); name one with "
                                  "--model-file or as a path prefix",
                                  names),
                      dir.string());
  }
  return make_error(ErrorCode::kNotFound,
                    "no Paddle program here; expected model.pdmodel, inference.pdmodel, __model__, "
                    "*.pdmodel, or a PIR model.json/inference.json",
                    dir.string());
}

}  // namespace

Result<ir::ModelFiles> locate_model(const fs::path& model, const LoadOptions& options) {
  ir::ModelFiles files;
  std::error_code ec;
  if (options.model_file) {
    if (!is_file(*options.model_file))
      return make_error(ErrorCode::kNotFound, "no such program file", options.model_file->string());
    files.program = *options.model_file;
  } else if (fs::is_directory(model, ec)) {
    DETPORT_ASSIGN(files.program, program_in_dir(model));
  } else if (is_file(model)) {
    files.program = model;
  } else {
    // A path prefix: <prefix>.pdmodel or <prefix>.json
    for (const char* ext : {".pdmodel", ".json"}) {
      fs::path p = model;
      p += ext;
      if (is_file(p)) {
        files.program = p;
        break;
      }
    }
    if (files.program.empty())
      return make_error(ErrorCode::kNotFound,
                        "no such model: not a directory, a file, or a prefix of <prefix>.pdmodel / "
                        "<prefix>.json",
                        model.string());
  }
  files.dir = files.program.parent_path();
  if (files.dir.empty()) files.dir = ".";
  if (options.params_file) {
    if (!is_file(*options.params_file))
      return make_error(ErrorCode::kNotFound, "no such params file", options.params_file->string());
    files.params = *options.params_file;
  } else {
    files.params = params_beside(files.program);
  }
  files.deploy_config = find_deploy_config(files.dir);
  // Companion files that travel with the model (convert copies them).
  fs::path info = files.params.value_or(files.program);
  info.replace_extension(".pdiparams.info");
  if (is_file(info)) files.companions.push_back(info);
  for (const char* name : {"serving_server_conf.prototxt", "serving_client_conf.prototxt"})
    if (is_file(files.dir / name)) files.companions.push_back(files.dir / name);
  return files;
}

Result<ir::Model> load_model(const fs::path& model, const LoadOptions& options) {
  DETPORT_ASSIGN(ir::ModelFiles files, locate_model(model, options));
  ir::Model m;
  DETPORT_ASSIGN(auto program_file, MappedFile::open(files.program));
  const auto bytes = program_file->bytes();
  const std::string kind = legacy::sniff_file_kind(bytes);
  if (is_pir(files.program) || kind.find("PIR") != std::string::npos) {
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    auto doc = pir::parse_document(text);
    if (!doc.ok()) return Error(std::move(doc).error()).within(files.program.string());
    auto read = pir::read_program(*doc);
    if (!read.ok()) return Error(std::move(read).error()).within(files.program.string());
    m.program = std::move(read->program);
    m.meta.format = ir::SourceFormat::kPir;
    m.meta.pir_version = read->version;
  } else {
    auto program = legacy::parse_program(bytes);
    if (!program.ok()) return Error(std::move(program).error()).within(files.program.string());
    m.program = std::move(program).value();
    m.meta.format = ir::SourceFormat::kLegacy;
  }
  if (m.program.has_version && m.program.version)
    m.meta.producer = ir::Release::from_program_version(*m.program.version);

  if (options.load_weights) {
    if (files.params) {
      DETPORT_ASSIGN(auto params, MappedFile::open(*files.params));
      DETPORT_ASSIGN(m.weights, legacy::read_combined(params, m.program));
      m.meta.params_layout = ir::ParamsLayout::kCombined;
    } else if (files.program.filename() == "__model__" &&
               legacy::has_separate_params(files.dir, m.program)) {
      DETPORT_ASSIGN(m.weights, legacy::read_separate(files.dir, m.program));
      m.meta.params_layout = ir::ParamsLayout::kSeparate;
    }
  }
  if (options.load_deploy_config && files.deploy_config) {
    DETPORT_ASSIGN(m.meta.deploy, read_deploy_config(*files.deploy_config));
  }
  m.meta.files = std::move(files);
  return m;
}

Status save_model(const ir::Model& model, const fs::path& dir, const SaveOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return make_error(ErrorCode::kNotFound, "the output directory does not exist", dir.string());
  std::string program_name = options.program_name;
  if (program_name.empty())
    program_name = model.meta.files.program.empty() ? "model.pdmodel"
                                                    : model.meta.files.program.filename().string();
  if (is_pir(program_name)) {
    auto doc = pir::write_program(model.program, model.meta.pir_version.value_or(1));
    if (!doc.ok()) return Error(std::move(doc).error()).within((dir / program_name).string());
    DETPORT_TRY(write_file(dir / program_name, doc->dump()));
  } else {
    DETPORT_ASSIGN(std::string bytes, legacy::serialize_program(model.program));
    DETPORT_TRY(write_file(dir / program_name, bytes));
  }

  ir::ParamsLayout layout =
      options.layout == ir::ParamsLayout::kNone ? model.meta.params_layout : options.layout;
  if (model.meta.params_layout == ir::ParamsLayout::kNone) layout = ir::ParamsLayout::kNone;
  if (layout == ir::ParamsLayout::kCombined) {
    std::string params_name = options.params_name;
    if (params_name.empty()) {
      if (model.meta.files.params)
        params_name = model.meta.files.params->filename().string();
      else if (program_name == "__model__")
        params_name = "__params__";
      else
        params_name = fs::path(program_name).replace_extension(".pdiparams").string();
    }
    DETPORT_TRY(legacy::write_combined(dir / params_name, model.weights, model.program));
  } else if (layout == ir::ParamsLayout::kSeparate) {
    DETPORT_TRY(legacy::write_separate(dir, model.weights, model.program));
  }
  if (options.write_deploy_config && model.meta.files.deploy_config) {
    // Copied verbatim: a faithful copy keeps comments and formatting.
    fs::copy_file(*model.meta.files.deploy_config, dir / model.meta.files.deploy_config->filename(),
                  fs::copy_options::overwrite_existing, ec);
    if (ec)
      return make_error(ErrorCode::kIo, "cannot copy the deploy config: " + ec.message(),
                        dir.string());
  } else if (options.write_deploy_config && model.meta.deploy) {
    DETPORT_ASSIGN(std::string yaml, emit_deploy_config(*model.meta.deploy));
    const char* name = model.meta.deploy->flavor == ir::DeployConfig::Flavor::kPaddleX
                           ? "inference.yml"
                           : "infer_cfg.yml";
    DETPORT_TRY(write_file(dir / name, yaml));
  }
  return {};
}

}  // namespace detport::formats
