// Renders `detport check`: the readable report (verdict first, findings grouped by severity, the
// sources they cite), the matrix over every known release, and the stable JSON documents
// (detport.check/1, detport.check-matrix/1; docs/CLI.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "compat/checker.h"
#include "ir/model.h"

namespace detport::cli {

std::string check_text(const ir::Model& model, const compat::Report& report,
                       const compat::Catalog& catalog);
nlohmann::ordered_json check_json(const ir::Model& model, const compat::Report& report,
                                  const compat::Catalog& catalog);

std::string matrix_text(const ir::Model& model, const std::vector<compat::Report>& reports);
nlohmann::ordered_json matrix_json(const ir::Model& model,
                                   const std::vector<compat::Report>& reports);

}  // namespace detport::cli
