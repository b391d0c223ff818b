#include "pipeline/convert_target.h"

#include <fmt/format.h>

namespace detport::pipeline {

formats::TargetFormat default_format(const compat::ReleaseData& target) {
  return target.formats.default_export == "pir_json" ? formats::TargetFormat::kPir
                                                     : formats::TargetFormat::kLegacy;
}

Result<TargetConvertResult> convert_for_target(const ir::Model& model,
                                               const compat::Catalog& catalog,
                                               const compat::ReleaseData& target,
                                               const std::string& target_name,
                                               const TargetConvertOptions& options) {
  TargetConvertResult out;
  out.format = options.format.value_or(default_format(target));
  const bool pir = out.format == formats::TargetFormat::kPir;
  if (pir ? !target.formats.pir_read : !target.formats.pdmodel_read)
    return make_error(ErrorCode::kInvalidInput,
                      fmt::format("Paddle {} cannot read {} programs", target_name,
                                  pir ? "PIR (.json)" : "ProgramDesc (.pdmodel)"),
                      "--format");
  const bool is_pir = model.meta.format == ir::SourceFormat::kPir;
  std::optional<int64_t> pir_version;
  if (pir && target.pir) {
    const int64_t own = model.meta.pir_version.value_or(target.pir->version);
    pir_version = std::min(own, target.pir->version);
    if (own == 0) pir_version = target.pir->version;  // a develop build's 0: write a released one
  }
  const bool needs_format = pir != is_pir || (pir && model.meta.pir_version != pir_version);
  if (needs_format) {
    formats::ConvertOptions co;
    co.format = out.format;
    co.pir_version = pir_version;
    DETPORT_ASSIGN(formats::ConvertResult conv, formats::convert_model(model, co));
    out.model = std::move(conv.model);
    compat::Change c;
    c.rule = pir && !is_pir   ? "pdmodel-to-pir"
             : !pir && is_pir ? "pir-to-pdmodel"
                              : "pir-downgrade";
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
  } else {
    out.model = model;
  }
  compat::RewriteOptions ro;
  ro.allow_approx = options.allow_approx;
  DETPORT_ASSIGN(out.rewrite,
                 compat::rewrite_for_target(out.model, catalog, target, target_name, ro));
  return out;
}

}  // namespace detport::pipeline
