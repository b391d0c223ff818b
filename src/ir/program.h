// The program graph in Paddle's own vocabulary: blocks of variables and ops, ops with named
// input/output slots holding lists of variable names, typed attributes and sub-blocks.
// Legacy ProgramDesc maps onto it one to one; PIR programs are translated into it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/attribute.h"
#include "ir/types.h"

namespace detport::ir {

// Every IR entity carries `extra`: wire-format bytes of the fields of its source record that
// detport does not interpret (unknown or deprecated fields), re-emitted verbatim on write so that
// reading then writing an unchanged model reproduces it byte for byte.
//
// Op, Var, Block and Program also carry `pir`: compact JSON text holding what a Paddle 3 PIR
// program says beyond the legacy vocabulary (the pd_op name, value types with layout/LoD/offset,
// exact attribute encodings such as a_intarray vs a_array of a_i64, result attributes, folded
// builtin.combine/split ops, parameter op fields). The PIR writer uses it to reproduce the file;
// it is empty for legacy programs, and the legacy codec never reads or writes it (a separate
// field, not `extra`, so the legacy byte-exact round trip cannot be disturbed). Consumers that
// only need the graph (checker, runtime, exporter) ignore it. See docs/FORMATS.md section 5.

struct Slot {
  std::string name;               // "X", "Filter", "Out", ...
  std::vector<std::string> args;  // variable names
  bool operator==(const Slot&) const = default;
};

struct Op {
  std::string type;
  std::vector<Slot> inputs;
  std::vector<Slot> outputs;
  std::vector<NamedAttribute> attrs;  // in file order
  std::optional<bool> is_target;
  std::string extra;
  std::string pir;

  const Attribute* attr(std::string_view name) const;
  Attribute* attr(std::string_view name);
  bool has_attr(std::string_view name) const { return attr(name) != nullptr; }
  // Replaces the value of an existing attribute in place, or appends a new one.
  void set_attr(std::string name, Attribute value);
  bool erase_attr(std::string_view name);

  // Arguments of a slot; empty if the slot is absent.
  std::span<const std::string> input(std::string_view slot) const;
  std::span<const std::string> output(std::string_view slot) const;
  bool has_input(std::string_view slot) const { return !input(slot).empty(); }
  bool has_output(std::string_view slot) const { return !output(slot).empty(); }
  // Every argument of every input (or output) slot, in order.
  std::vector<std::string> all_inputs() const;
  std::vector<std::string> all_outputs() const;

  // Typed attribute getters with a fallback for missing attributes.
  int64_t int_attr(std::string_view name, int64_t fallback) const;
  double float_attr(std::string_view name, double fallback) const;
  bool bool_attr(std::string_view name, bool fallback) const;
  std::string string_attr(std::string_view name, std::string fallback) const;
  std::vector<int64_t> ints_attr(std::string_view name, std::vector<int64_t> fallback = {}) const;
  std::vector<double> floats_attr(std::string_view name, std::vector<double> fallback = {}) const;

  bool operator==(const Op&) const = default;
};

struct TensorDesc {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> dims;  // -1 = unknown
  bool operator==(const TensorDesc&) const = default;
};

struct Var {
  std::string name;
  VarType type = VarType::kDenseTensor;
  // The element type and dims, for tensor-like vars. `tensor_field` is the VarType field that held
  // it (3 lod_tensor, 4 tensor_array, 2 selected_rows, 8..12 string/strings/vocab/sparse).
  std::optional<TensorDesc> tensor;
  int32_t tensor_field = 0;
  std::optional<int32_t> lod_level;
  std::optional<bool> persistable;
  std::optional<bool> need_check_feed;
  std::optional<bool> is_parameter;
  std::optional<bool> stop_gradient;
  std::vector<NamedAttribute> attrs;  // VarDesc.Attr (INT, STRING or INTS)
  std::string type_extra;             // VarType fields not modelled (reader, tuple, unknown)
  std::string extra;
  std::string pir;

  bool is_persistable() const { return persistable.value_or(false); }
  // A persistable var that is not the feed/fetch holder: what the params file stores.
  bool holds_weights() const;
  bool operator==(const Var&) const = default;
};

struct Block {
  int32_t idx = 0;
  int32_t parent_idx = -1;
  std::vector<Var> vars;
  std::vector<Op> ops;
  std::optional<int32_t> forward_block_idx;
  std::string extra;
  std::string pir;

  const Var* find_var(std::string_view name) const;
  Var* find_var(std::string_view name);
  bool operator==(const Block&) const = default;
};

struct OpVersion {
  std::string op;
  int32_t version = 0;
  bool operator==(const OpVersion&) const = default;
};

// Paddle 1.x programs carry an OpCompatibleMap (ProgramDesc field 3) instead of op versions.
struct OpCompatibility {
  std::string op;
  std::string required_version;  // "1.6.0"
  int32_t type = 0;  // CompatibleInfo.Type: 0 compatible, 1 definitely not, 2 possible, 3 bug fix,
                     // 4 precision change
  bool operator==(const OpCompatibility&) const = default;
};

struct OpCompatibleMap {
  std::vector<OpCompatibility> pairs;
  std::optional<std::string> default_required_version;
  bool operator==(const OpCompatibleMap&) const = default;
};

struct Program {
  std::vector<Block> blocks;
  // ProgramDesc.version: absent, present but empty, or a value (2006001 = 2.6.1; 0 = develop).
  bool has_version = false;
  std::optional<int64_t> version;
  std::optional<std::vector<OpVersion>> op_version_map;  // nullopt: the field is absent
  std::optional<OpCompatibleMap> op_compatible_map;      // 1.x only
  std::string extra;
  std::string pir;

  const Block& global_block() const { return blocks.front(); }
  Block& global_block() { return blocks.front(); }
  // The model map's version of an op; nullopt if the map is absent or lacks the op.
  std::optional<int32_t> op_version(std::string_view op) const;
  bool operator==(const Program&) const = default;
};

// Feed and fetch targets of block 0, ordered by the `col` attribute of the feed/fetch ops.
struct IoTarget {
  std::string name;  // the variable fed or fetched
  int64_t col = 0;
};
std::vector<IoTarget> feed_targets(const Program& program);
std::vector<IoTarget> fetch_targets(const Program& program);

// Names of block 0's persistable vars that hold weights, in byte-wise sorted order: the order of
// tensors in a combined params file.
std::vector<std::string> persistable_names(const Program& program);

}  // namespace detport::ir
