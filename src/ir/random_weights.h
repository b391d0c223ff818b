// Seeded random weights for graph-only models (exports whose params file is missing), so they can
// be run, timed and exported. Values are shaped to keep activations finite and not denormal:
// fan-in scaled normals for conv/matmul weights, ones/zeros for normalisation parameters, and
// positive variances.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "ir/model.h"

namespace detport::ir {

// Fills every persistable var of block 0 that has no weight (all of them when `replace_all`).
// Fails when a persistable var has no declared dims or a dynamic one.
Status randomize_weights(Model& model, uint32_t seed = 20231123, bool replace_all = false);

}  // namespace detport::ir
