// What a dropout op does at inference, shared by its kernel and the no-op removal pass.
#pragma once

#include <string>

#include "ir/program.h"

namespace detport::runtime::kernels {

// "upscale_in_train" (identity at inference) or "downgrade_in_infer" (scale by 1 - p, Paddle's
// default): the legacy attribute dropout_implementation, or `mode` in PIR programs.
inline std::string dropout_mode(const ir::Op& op) {
  if (op.attr("mode") != nullptr) return op.string_attr("mode", "downgrade_in_infer");
  return op.string_attr("dropout_implementation", "downgrade_in_infer");
}

}  // namespace detport::runtime::kernels
