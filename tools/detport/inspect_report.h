// Renders `detport inspect`: a human table or the stable JSON document (schema detport.inspect/1,
// documented in docs/CLI.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ir/model.h"
#include "ir/summary.h"

namespace detport::cli {

nlohmann::ordered_json inspect_json(const ir::Model& model, const ir::ModelSummary& summary);
std::string inspect_text(const ir::Model& model, const ir::ModelSummary& summary);
// Every op of every block: type, slots with their vars (dims), attributes (without op_callstack).
std::string ops_text(const ir::Model& model);

}  // namespace detport::cli
