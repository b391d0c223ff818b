// PIR int_array/scalar operands <-> legacy attributes and tensor slots.
//
// Paddle 3 passes an op's IntArray and Scalar arguments as operands (pool2d's kernel_size fed by a
// pd_op.full_int_array, scale's scale by a pd_op.full); legacy programs hold them as attributes
// (pool2d `ksize`), or, when computed at run time, in the legacy tensor slots op_compat.yaml names
// (`ShapeTensor`, `StartsTensorList`). The rules are data (`operands` in data/pir/op_map.json).
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "ir/program.h"

namespace detport::formats::pir {

struct LoweringReport {
  int64_t folded = 0;             // operands now attributes
  int64_t moved = 0;              // operands now in a legacy tensor slot
  std::vector<std::string> kept;  // "op.slot" left as they are (no legacy form), one per use
  int64_t producers_removed = 0;  // full_int_array/full ops left without readers
};

// On a program read from PIR, bound for a legacy file: folds every constant int_array/scalar
// operand into its legacy attribute and moves computed ones to their legacy tensor slot. The
// constant ops that fed only folded operands are removed. What was changed is recorded in the
// `pir` side info of the ops and blocks, so raise_operands can undo it exactly.
Result<LoweringReport> lower_operands(ir::Program& program);

// Undoes lower_operands (a legacy file converted from PIR, on its way back to PIR).
Status raise_operands(ir::Program& program);

}  // namespace detport::formats::pir
