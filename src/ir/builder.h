// Builds programs op by op, the way Paddle's exporter lays them out: feed ops prepended in
// reverse column order, fetch ops appended, feed/fetch holder vars, persistable parameters with
// weights. Tests and the demo use it to make models without Paddle.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ir/model.h"

namespace detport::ir {

class ProgramBuilder;

// One op under construction; its methods chain. The op is added to the block when built.
class OpBuilder {
 public:
  OpBuilder& in(std::string slot, std::vector<std::string> args);
  OpBuilder& out(std::string slot, std::vector<std::string> args);
  OpBuilder& attr(std::string name, Attribute value);
  // Appends the op to the program and returns the first argument of its first output slot.
  std::string build();

 private:
  friend class ProgramBuilder;
  OpBuilder(ProgramBuilder& owner, std::string type) : owner_(owner) { op_.type = std::move(type); }
  ProgramBuilder& owner_;
  Op op_;
};

class ProgramBuilder {
 public:
  ProgramBuilder();

  // A graph input (feed target), in feed column order.
  std::string input(std::string name, DType dtype, std::vector<int64_t> dims);
  // A persistable parameter and its weights.
  std::string param(std::string name, Tensor value);
  // A parameter filled with seeded normal noise (stddev), or a constant when stddev is 0.
  std::string random_param(std::string name, std::vector<int64_t> dims, float stddev,
                           float mean = 0);
  // A non-persistable intermediate variable; an empty name gets a fresh "<hint>_N.tmp_0".
  std::string temp(std::string name, DType dtype, std::vector<int64_t> dims,
                   std::string hint = "tmp");
  OpBuilder op(std::string type) { return OpBuilder(*this, std::move(type)); }
  // A graph output (fetch target), in fetch column order.
  void output(const std::string& name);

  // Finishes the program in Paddle's export form for `producer` (ProgramDesc.version) with the
  // given op_version_map (nullopt: the field is absent, as in 1.x programs).
  Model finish(std::optional<Release> producer,
               std::optional<std::vector<OpVersion>> op_version_map = std::nullopt) &&;

  Block& block() { return block_; }
  std::mt19937& rng() { return rng_; }

 private:
  friend class OpBuilder;
  Block block_;
  Weights weights_;
  std::vector<std::string> inputs_;
  std::vector<std::string> outputs_;
  std::mt19937 rng_{20231123};
  int counter_ = 0;
};

}  // namespace detport::ir
