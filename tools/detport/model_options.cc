#include "model_options.h"

#include <fmt/format.h>

#include "formats/deploy_config/deploy_config_reader.h"
#include "formats/model_io.h"
#include "ir/random_weights.h"
#include "pipeline/opencv_backend.h"

namespace detport::cli {

void ModelOptions::add_to(CLI::App& cmd, bool model_positional) {
  if (model_positional)
    cmd.add_option("MODEL", model, "model directory, path prefix or program file")->required();
  cmd.add_option("--model-file", model_file, "program file (overrides discovery)");
  cmd.add_option("--params-file", params_file, "params file (overrides discovery)");
  cmd.add_option(
      "--config", config,
      "deploy config (infer_cfg.yml) to use instead of the one beside the model, e.g. for "
      "exports that ship none");
  cmd.add_option("--weights", weights, "'random': seeded random weights for graph-only models")
      ->check(CLI::IsMember({"", "random"}));
  cmd.add_option("--seed", seed, "seed for --weights random");
  cmd.add_option("--threads", threads, "CPU threads (default: all cores)");
  cmd.add_flag("--no-fuse", no_fuse,
               "disable graph passes (batch_norm folding, post-op fusion, no-op removal)");
  cmd.add_flag("--reference", reference,
               "run every op with its plain reference kernel (slow; for debugging)");
  cmd.add_option("--backend", backend,
                 "native, or opencv (the model exported to ONNX and run by OpenCV DNN; NMS and the "
                 "ops after it run natively)")
      ->check(CLI::IsMember({"native", "opencv"}));
}

Result<ir::Model> ModelOptions::load() const {
  formats::LoadOptions lo;
  if (!model_file.empty()) lo.model_file = model_file;
  if (!params_file.empty()) lo.params_file = params_file;
  DETPORT_ASSIGN(ir::Model m, formats::load_model(model, lo));
  if (!config.empty()) {
    DETPORT_ASSIGN(ir::DeployConfig c, formats::read_deploy_config(config));
    m.meta.deploy = std::move(c);
  }
  if (weights == "random") {
    DETPORT_TRY(ir::randomize_weights(m, seed, true));
  } else if (!m.has_weights() && !ir::persistable_names(m.program).empty()) {
    return make_error(ErrorCode::kInvalidInput,
                      "the model has no weights (its params file is missing); pass --weights "
                      "random to run it with "
                      "seeded random weights",
                      m.meta.files.program.string());
  }
  return m;
}

Result<std::unique_ptr<runtime::Backend>> ModelOptions::make_backend(const ir::Model& m,
                                                                     bool profile) const {
  runtime::CompileOptions o;
  o.threads = threads;
  o.fuse = !no_fuse && !reference;
  o.optimized = !reference;
  o.profile = profile;
  if (backend == "opencv") {
    DETPORT_ASSIGN(auto b, pipeline::make_opencv_backend(m, o));
    // What does not run in OpenCV is said before anything runs.
    fmt::print(stderr, "detport: backend opencv: {}\n", b->summary());
    return b;
  }
  return runtime::make_native_backend(m, o);
}

}  // namespace detport::cli
