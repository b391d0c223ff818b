#include "ir/builder.h"

#include <fmt/format.h>

#include <algorithm>

namespace detport::ir {

OpBuilder& OpBuilder::in(std::string slot, std::vector<std::string> args) {
  op_.inputs.push_back({std::move(slot), std::move(args)});
  return *this;
}

OpBuilder& OpBuilder::out(std::string slot, std::vector<std::string> args) {
  op_.outputs.push_back({std::move(slot), std::move(args)});
  return *this;
}

OpBuilder& OpBuilder::attr(std::string name, Attribute value) {
  op_.set_attr(std::move(name), std::move(value));
  return *this;
}

std::string OpBuilder::build() {
  std::string first;
  if (!op_.outputs.empty() && !op_.outputs.front().args.empty())
    first = op_.outputs.front().args.front();
  owner_.block_.ops.push_back(std::move(op_));
  return first;
}

ProgramBuilder::ProgramBuilder() {
  block_.idx = 0;
  block_.parent_idx = -1;
}

std::string ProgramBuilder::input(std::string name, DType dtype, std::vector<int64_t> dims) {
  Var v;
  v.name = name;
  v.type = VarType::kDenseTensor;
  v.tensor = TensorDesc{dtype, std::move(dims)};
  v.tensor_field = 3;
  block_.vars.push_back(std::move(v));
  inputs_.push_back(name);
  return name;
}

std::string ProgramBuilder::param(std::string name, Tensor value) {
  Var v;
  v.name = name;
  v.type = VarType::kDenseTensor;
  v.tensor = TensorDesc{value.dtype, value.dims};
  v.tensor_field = 3;
  v.persistable = true;
  block_.vars.push_back(std::move(v));
  weights_[name] = std::move(value);
  return name;
}

std::string ProgramBuilder::random_param(std::string name, std::vector<int64_t> dims, float stddev,
                                         float mean) {
  const int64_t n = checked_numel(dims).value_or(0);
  std::vector<float> values(static_cast<std::size_t>(n), mean);
  if (stddev != 0) {
    std::normal_distribution<float> dist(mean, stddev);
    for (float& x : values) x = dist(rng_);
  }
  return param(std::move(name), Tensor::from_values(DType::kFloat32, std::move(dims), values));
}

std::string ProgramBuilder::temp(std::string name, DType dtype, std::vector<int64_t> dims,
                                 std::string hint) {
  if (name.empty()) name = fmt::format("{}_{}.tmp_0", hint, counter_++);
  Var v;
  v.name = name;
  v.type = VarType::kDenseTensor;
  v.tensor = TensorDesc{dtype, std::move(dims)};
  v.tensor_field = 3;
  block_.vars.push_back(std::move(v));
  return name;
}

void ProgramBuilder::output(const std::string& name) {
  outputs_.push_back(name);
}

Model ProgramBuilder::finish(std::optional<Release> producer,
                             std::optional<std::vector<OpVersion>> op_version_map) && {
  Model m;
  Block block;
  block.idx = 0;
  block.parent_idx = -1;
  // Holder vars first, as Paddle's exporter declares them.
  Var feed;
  feed.name = "feed";
  feed.type = VarType::kFeedMinibatch;
  feed.persistable = true;
  Var fetch = feed;
  fetch.name = "fetch";
  fetch.type = VarType::kFetchList;
  block.vars.push_back(std::move(feed));
  block.vars.push_back(std::move(fetch));
  for (Var& v : block_.vars) block.vars.push_back(std::move(v));
  // Paddle keeps vars and attributes in name-ordered maps and writes them in that order.
  std::sort(block.vars.begin(), block.vars.end(),
            [](const Var& a, const Var& b) { return a.name < b.name; });
  // prepend_feed_ops inserts each feed at the front, so the last column comes first.
  for (std::size_t i = inputs_.size(); i-- > 0;) {
    Op op;
    op.type = "feed";
    op.inputs.push_back({"X", {"feed"}});
    op.outputs.push_back({"Out", {inputs_[i]}});
    op.set_attr("col", Attribute::i32(static_cast<int32_t>(i)));
    block.ops.push_back(std::move(op));
  }
  for (Op& op : block_.ops) {
    std::sort(op.attrs.begin(), op.attrs.end(),
              [](const NamedAttribute& a, const NamedAttribute& b) { return a.name < b.name; });
    block.ops.push_back(std::move(op));
  }
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    Op op;
    op.type = "fetch";
    op.inputs.push_back({"X", {outputs_[i]}});
    op.outputs.push_back({"Out", {"fetch"}});
    op.set_attr("col", Attribute::i32(static_cast<int32_t>(i)));
    block.ops.push_back(std::move(op));
  }
  m.program.blocks.push_back(std::move(block));
  if (producer) {
    m.program.has_version = true;
    m.program.version = producer->program_version();
    m.meta.producer = producer;
  }
  m.program.op_version_map = std::move(op_version_map);
  m.weights = std::move(weights_);
  m.meta.format = SourceFormat::kBuilt;
  m.meta.params_layout = m.weights.empty() ? ParamsLayout::kNone : ParamsLayout::kCombined;
  return m;
}

}  // namespace detport::ir
