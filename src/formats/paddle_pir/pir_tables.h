// The PIR facts detport uses, loaded once from the compiled-in data files: pd_op <-> legacy op
// names, operand/result positions <-> legacy slots, attribute renames (data/pir/op_map.json), and
// the PIR version patches (data/pir/patches.json).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "formats/paddle_pir/pir_json.h"
#include "ir/attribute.h"

namespace detport::formats::pir {

// A PIR int_array/scalar operand that legacy programs hold as an attribute (op_compat.yaml's
// int_array:/scalar: sections): a constant operand becomes attribute `attr` of kind `kind`; a
// computed one goes to legacy slot `tensor` (one value) or `tensors` (a builtin.combine list),
// empty when the legacy op has no such slot.
struct OperandRule {
  std::string slot;  // the IR slot the reader puts the operand in (the `inputs` name)
  std::string attr;
  ir::AttrKind kind = ir::AttrKind::kInts;
  std::string tensor, tensors;
};

struct OpEntry {
  std::string pir;                               // compressed: "1.conv2d", "2.yield"
  std::string legacy;                            // "conv2d"
  std::vector<std::string> inputs;               // legacy slot of operand i (the last one repeats)
  std::vector<std::string> outputs;              // legacy slot of result i (the last one repeats)
  std::map<std::string, std::string> to_legacy;  // PIR attr name -> legacy attr name
  std::map<std::string, std::string> to_pir;
  std::set<std::string> pir_only;  // attrs the IR does not show (data's place, ...)
  std::vector<OperandRule> operands;
};

struct PatchAction {
  std::string op;      // compressed op name
  std::string action;  // modify_attr, add_attr, add_output
  std::string attr;
  bool array = false;
  std::string from, to;  // attribute kinds (element kinds for arrays)
  std::string kind;      // add_attr
  Json value;            // add_attr
  int index = 0;         // add_output
  Json type;             // add_output
};

struct Tables {
  std::vector<OpEntry> ops;
  std::set<std::string> pir_only_attrs;             // for every op (struct_name, ...)
  std::map<int, std::vector<PatchAction>> patches;  // by the version that introduced them
  int min_version = 1;
  int max_version = 1;

  const OpEntry* by_pir(std::string_view name) const;
  const OpEntry* by_legacy(std::string_view name) const;
};

// The tables; the data files are compiled in and checked by the tests, so this cannot fail.
const Tables& tables();

// "pd_op.conv2d" -> "1.conv2d" (dialect ids of Paddle's DialectIdMap).
std::string compress_op_name(std::string_view name);

}  // namespace detport::formats::pir
