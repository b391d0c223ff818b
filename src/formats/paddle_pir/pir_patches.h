// Moves a PIR document between PIR versions by applying the version patches (data/pir/
// patches.json): upwards as Paddle's reader does, and downwards by undoing each action.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "formats/paddle_pir/pir_json.h"

namespace detport::formats::pir {

struct VersionChange {
  std::string pointer;      // the attribute or op changed
  std::string description;  // "pd_op.pool2d strides: a_array of 0.a_i32 -> 0.a_i64 (patch 2)"
};

// Rewrites `doc` (base_code.version included) to PIR version `to`; returns every change made.
// Fails (leaving `doc` partly changed) when a downgrade cannot be made faithfully: an int64 value
// that does not fit int32, or an added result that is in use.
Result<std::vector<VersionChange>> change_pir_version(Json& doc, int64_t to);

// The versions detport can move between.
int64_t min_pir_version();
int64_t max_pir_version();

}  // namespace detport::formats::pir
