#include "pipeline/convert_target.h"

#include <fmt/format.h>

#include "formats/model_io.h"

namespace detport::pipeline {

namespace fs = std::filesystem;

namespace {

Status copy_into(const fs::path& from, const fs::path& dir, const std::string& name) {
  std::error_code ec;
  if (fs::exists(dir / name, ec)) return {};
  fs::copy_file(from, dir / name, ec);
  if (ec) return make_error(ErrorCode::kIo, "cannot copy: " + ec.message(), from.string());
  return {};
}

}  // namespace

// Program and deploy config from the converted model; params copied byte for byte from the input
// when the persistable set is unchanged, written from the weights otherwise.
Status write_converted(const ir::Model& original, const ir::Model& converted,
                       bool persistables_changed, const std::filesystem::path& dir) {
  const bool copy_params =
      !persistables_changed && original.has_weights() &&
      (original.meta.files.params || original.meta.params_layout == ir::ParamsLayout::kSeparate);
  ir::Model to_save = converted;
  formats::SaveOptions so;
  if (copy_params) {
    to_save.meta.params_layout = ir::ParamsLayout::kNone;
    to_save.weights = {};
  }
  DETPORT_TRY(formats::save_model(to_save, dir, so));
  const std::string program = converted.meta.files.program.empty()
                                  ? "model.pdmodel"
                                  : converted.meta.files.program.filename().string();
  if (copy_params && original.meta.files.params) {
    std::string name = converted.meta.files.params
                           ? converted.meta.files.params->filename().string()
                           : original.meta.files.params->filename().string();
    if (program != "__model__" && name != "__params__")
      name = fs::path(program).replace_extension(".pdiparams").string();
    DETPORT_TRY(copy_into(*original.meta.files.params, dir, name));
  } else if (copy_params) {
    for (const std::string& n : ir::persistable_names(original.program))
      DETPORT_TRY(copy_into(original.meta.files.dir / n, dir, n));
  }
  if (original.meta.files.deploy_config)
    DETPORT_TRY(copy_into(*original.meta.files.deploy_config, dir,
                          original.meta.files.deploy_config->filename().string()));
  for (const fs::path& c : original.meta.files.companions) {
    std::string name = c.filename().string();
    // "<program>.pdiparams.info" follows the program's new name.
    if (name.ends_with(".pdiparams.info") && program != "__model__")
      name = fs::path(program).replace_extension(".pdiparams.info").string();
    DETPORT_TRY(copy_into(c, dir, name));
  }
  return {};
}

formats::TargetFormat default_format(const compat::ReleaseData& target) {
  return target.formats.default_export == "pir_json" ? formats::TargetFormat::kPir
                                                     : formats::TargetFormat::kLegacy;
}

Result<FormatPlan> plan_format(const ir::Model& model, const compat::ReleaseData& target,
                               const std::string& target_name,
                               const TargetConvertOptions& options) {
  FormatPlan plan;
  plan.format = options.format.value_or(default_format(target));
  const bool pir = plan.format == formats::TargetFormat::kPir;
  if (pir ? !target.formats.pir_read : !target.formats.pdmodel_read)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("Paddle {} cannot read {} programs", target_name,
                                  pir ? "PIR (.json)" : "ProgramDesc (.pdmodel)"),
                      "--format");
  const bool is_pir = model.meta.format == ir::SourceFormat::kPir;
  if (pir && target.pir) {
    const int64_t own = model.meta.pir_version.value_or(target.pir->version);
    plan.pir_version = std::min(own, target.pir->version);
    if (own == 0) plan.pir_version = target.pir->version;  // a develop build's 0: a released one
  }
  plan.convert = pir != is_pir || (pir && model.meta.pir_version != plan.pir_version);
  return plan;
}

Result<TargetConvertResult> convert_format(const ir::Model& model, const FormatPlan& plan) {
  TargetConvertResult out;
  out.format = plan.format;
  if (!plan.convert) {
    out.model = model;
    return out;
  }
  const bool pir = plan.format == formats::TargetFormat::kPir;
  const bool is_pir = model.meta.format == ir::SourceFormat::kPir;
  formats::ConvertOptions co;
  co.format = plan.format;
  co.pir_version = plan.pir_version;
  DETPORT_ASSIGN(formats::ConvertResult conv, formats::convert_model(model, co));
  out.model = std::move(conv.model);
  compat::Change c;
  c.rule = pir && !is_pir ? "pdmodel-to-pir" : !pir && is_pir ? "pir-to-pdmodel" : "pir-downgrade";
  c.attr = "format";
  c.before = is_pir ? fmt::format("PIR JSON version {}", model.meta.pir_version.value_or(0))
                    : "ProgramDesc";
  c.after = pir ? fmt::format("PIR JSON version {}", *out.model.meta.pir_version) : "ProgramDesc";
  out.format_changes.push_back(c);
  for (const std::string& note : conv.notes) {
    compat::Change n = c;
    n.attr = "note";
    n.before.clear();
    n.after = note;
    out.format_changes.push_back(std::move(n));
  }
  return out;
}

Result<TargetConvertResult> rewrite_converted(TargetConvertResult formatted,
                                              const compat::Catalog& catalog,
                                              const compat::ReleaseData& target,
                                              const std::string& target_name,
                                              const TargetConvertOptions& options) {
  compat::RewriteOptions ro;
  ro.allow_approx = options.allow_approx;
  DETPORT_ASSIGN(formatted.rewrite,
                 compat::rewrite_for_target(formatted.model, catalog, target, target_name, ro));
  return formatted;
}

Result<TargetConvertResult> convert_for_target(const ir::Model& model,
                                               const compat::Catalog& catalog,
                                               const compat::ReleaseData& target,
                                               const std::string& target_name,
                                               const TargetConvertOptions& options) {
  DETPORT_ASSIGN(FormatPlan plan, plan_format(model, target, target_name, options));
  DETPORT_ASSIGN(TargetConvertResult formatted, convert_format(model, plan));
  return rewrite_converted(std::move(formatted), catalog, target, target_name, options);
}

}  // namespace detport::pipeline
