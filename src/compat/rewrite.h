// `detport convert --target`: rewrites a model so that a given Paddle release loads it and computes
// the same. Each rewrite is driven by the release data (data/compat) and fixes the findings whose
// `convert_rule` names it; findings no rewrite fixes are refused, with the finding. A rewrite that
// may change numbers (float64 -> float32 when not exact) only runs with `allow_approx`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compat/catalog.h"
#include "compat/checker.h"
#include "compat/release_data.h"
#include "core/result.h"
#include "ir/model.h"

namespace detport::compat {

// One edit, as the CLI prints it: "swish#12 beta: (absent) -> 1.0 [restore-stripped-attrs]".
struct Change {
  std::string rule;  // the convert_rule id ("restore-stripped-attrs", "set-op-version-map", ...)
  int32_t block = -1;
  int32_t index = -1;   // -1 for model-wide changes
  std::string op_type;  // empty for model-wide changes
  std::string attr;     // the attribute (or "type", "version", "op_version_map") changed
  std::string before;   // "(absent)" when added
  std::string after;    // "(removed)" when dropped
  bool approx = false;  // changes numbers; only made with allow_approx
};

// A finding convert cannot fix, and why.
struct Refusal {
  Finding finding;
  std::string reason;
};

struct RewriteOptions {
  bool allow_approx = false;
};

struct RewriteResult {
  std::vector<Change> changes;
  std::vector<Refusal> refusals;  // non-empty: the model is not compatible with the target
  bool persistables_changed = false;
};

// Rewrites `model` in place for `target` (its data; `target_name` as the user named it, "2.3.2").
// The program's format is not changed here (formats::convert_model does that); rewrites that need a
// format the model is not in are refused. Errors only for internal failures.
Result<RewriteResult> rewrite_for_target(ir::Model& model, const Catalog& catalog,
                                         const ReleaseData& target, const std::string& target_name,
                                         const RewriteOptions& options = {});

// Whether a finding blocks conversion: the target cannot load the model, or computes otherwise.
bool is_blocking(const Finding& f);

}  // namespace detport::compat
