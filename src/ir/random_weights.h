// Seeded random weights for graph-only models (`--weights random`), so that every engine that
// runs the same model (native runtime, ONNX export, OpenCV, ONNX Runtime) sees the same numbers.
// Each tensor's values depend only on the seed and the var's name, not on the order of filling.
// Values keep activations in range: convolution and matmul weights He-normal over their fan-in,
// batch_norm scales near 1 and variances in [0.5, 1.5], other float tensors small; integer
// tensors are zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "ir/model.h"

namespace detport::ir {

// Fills model.weights for every persistable var of block 0 that has none, from its declared
// type and dims; returns the names filled. Fails (naming the var) on a dynamic or undeclared
// shape.
Result<std::vector<std::string>> fill_random_weights(Model& model, uint64_t seed = 20231123);

// As fill_random_weights; with `replace_all`, the weights the model has are replaced too.
Status randomize_weights(Model& model, uint64_t seed = 20231123, bool replace_all = false);

}  // namespace detport::ir
