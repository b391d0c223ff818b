#include "runtime/graph.h"

#include <fmt/format.h>

#include <cstring>

#include "ir/constant_values.h"

namespace detport::runtime {

const std::vector<ValueId>* Node::input(std::string_view slot) const {
  for (const auto& s : inputs)
    if (s.name == slot) return &s.values;
  return nullptr;
}

const std::vector<ValueId>* Node::output(std::string_view slot) const {
  for (const auto& s : outputs)
    if (s.name == slot) return &s.values;
  return nullptr;
}

ValueId Node::input_value(std::string_view slot, std::size_t i) const {
  const auto* v = input(slot);
  return v != nullptr && i < v->size() ? (*v)[i] : kNoValue;
}

ValueId Node::output_value(std::string_view slot, std::size_t i) const {
  const auto* v = output(slot);
  return v != nullptr && i < v->size() ? (*v)[i] : kNoValue;
}

std::string Node::label() const {
  std::string first;
  for (const auto& s : op.outputs)
    if (!s.args.empty()) {
      first = s.args.front();
      break;
    }
  return fmt::format("{} #{}{}", op.type, source_index, first.empty() ? "" : " (-> " + first + ")");
}

ValueId Graph::add_value(std::string name, TensorMeta meta) {
  Value v;
  v.name = std::move(name);
  v.meta = std::move(meta);
  values.push_back(std::move(v));
  return static_cast<ValueId>(values.size() - 1);
}

void Graph::replace_uses(ValueId from, ValueId to) {
  for (auto& node : nodes) {
    if (node.removed) continue;
    for (auto& slot : node.inputs)
      for (auto& v : slot.values)
        if (v == from) v = to;
    for (auto& f : node.fused)
      for (auto& v : f.extra)
        if (v == from) v = to;
  }
  for (auto& o : outputs)
    if (o == from) o = to;
}

void Graph::relink() {
  for (auto& v : values) {
    v.producer = -1;
    v.consumers.clear();
    v.is_output = false;
  }
  for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
    const Node& n = nodes[static_cast<std::size_t>(i)];
    if (n.removed) continue;
    for (const auto& s : n.inputs)
      for (ValueId v : s.values)
        if (v != kNoValue) value(v).consumers.push_back(i);
    for (const auto& f : n.fused)
      for (ValueId v : f.extra) value(v).consumers.push_back(i);
    for (const auto& s : n.outputs)
      for (ValueId v : s.values)
        if (v != kNoValue) value(v).producer = i;
  }
  for (ValueId o : outputs) value(o).is_output = true;
}

namespace {

// PIR programs pass some int lists as operands (pool2d's kernel_size, conv2d_transpose's
// output_size) where legacy programs have attributes; when the operand is a constant vector
// written by an assign_value (any form ir::assign_value_constant reads), the node gets the
// attribute the kernels read and loses the operand. `consts` maps var names to such vectors, as
// written so far.
void absorb_int_array_operands(
    ir::Op& op, const std::unordered_map<std::string, std::vector<int64_t>>& consts) {
  static const std::pair<std::string_view, std::pair<std::string_view, std::string_view>> kMap[] = {
      {"pool2d", {"kernel_size", "ksize"}},
      {"conv2d_transpose", {"output_size", "output_size"}},
      {"depthwise_conv2d_transpose", {"output_size", "output_size"}},
  };
  for (const auto& [type, names] : kMap) {
    if (op.type != type) continue;
    // Plain names, not structured bindings: clang 14 cannot capture those in the lambda.
    const std::string_view slot = names.first, attr = names.second;
    auto in = std::find_if(op.inputs.begin(), op.inputs.end(),
                           [&](const ir::Slot& s) { return s.name == slot; });
    if (in == op.inputs.end() || in->args.size() != 1 || op.has_attr(attr)) continue;
    auto c = consts.find(in->args[0]);
    if (c == consts.end()) continue;
    std::vector<int32_t> v(c->second.begin(), c->second.end());
    op.set_attr(std::string(attr), ir::Attribute::i32s(std::move(v)));
    op.inputs.erase(in);
  }
}

}  // namespace

Result<Graph> build_graph(const ir::Model& model) {
  if (model.program.blocks.empty())
    return make_error(ErrorCode::kInvalidInput, "the program has no blocks");
  const ir::Block& block = model.program.global_block();
  Graph g;
  std::unordered_map<std::string, ValueId> current;  // var name -> latest value
  std::unordered_map<std::string_view, const ir::Var*> vars;
  for (const auto& v : block.vars) vars.emplace(v.name, &v);

  auto declared = [&](const std::string& name) {
    TensorMeta m;
    auto it = vars.find(name);
    if (it != vars.end() && it->second->tensor) {
      m.dtype = it->second->tensor->dtype;
      m.dims = it->second->tensor->dims;
    }
    return m;
  };
  auto read = [&](const std::string& name) -> Result<ValueId> {
    if (auto it = current.find(name); it != current.end()) return it->second;
    // First read of a var nobody wrote: a weight, or an error.
    auto w = model.weights.find(name);
    auto var = vars.find(name);
    const bool persistable = var != vars.end() && var->second->holds_weights();
    if (w == model.weights.end()) {
      if (persistable)
        return make_error(
            ErrorCode::kInvalidInput,
            fmt::format("'{}' is a persistable var without weights; load the params file, "
                        "or give random weights (--weights random)",
                        name));
      return make_error(
          ErrorCode::kInvalidInput,
          fmt::format("'{}' is read before any op writes it and is not a weight", name));
    }
    const ir::Tensor& src = w->second;
    Tensor t = Tensor::empty(src.dtype, src.dims);
    if (!src.bytes.empty())
      std::memcpy(t.raw(), src.bytes.data(), std::min(t.bytes(), src.bytes.size()));
    ValueId id = g.add_value(name, t.meta());
    g.value(id).meta_known = true;
    g.value(id).constant = std::move(t);
    current[name] = id;
    return id;
  };

  struct Feed {
    int64_t col;
    std::string name;
    ValueId id;
  };
  std::vector<Feed> feeds;
  std::vector<std::pair<int64_t, std::string>> fetches;
  std::unordered_map<std::string, std::vector<int64_t>> int_arrays;
  for (std::size_t i = 0; i < block.ops.size(); ++i) {
    const ir::Op& op = block.ops[i];
    if (op.type == "feed") {
      auto out = op.output("Out");
      if (out.empty()) continue;
      ValueId id = g.add_value(out.front(), declared(out.front()));
      g.value(id).is_input = true;
      current[out.front()] = id;
      feeds.push_back({op.int_attr("col", static_cast<int64_t>(feeds.size())), out.front(), id});
      continue;
    }
    if (op.type == "fetch") {
      auto in = op.input("X");
      if (in.empty()) continue;
      fetches.push_back({op.int_attr("col", static_cast<int64_t>(fetches.size())), in.front()});
      continue;
    }
    Node node;
    node.op = op;
    absorb_int_array_operands(node.op, int_arrays);
    if (op.type == "assign_value" && !op.output("Out").empty())
      if (auto c = ir::assign_value_constant(op); c.ok() && c->ints && c->dims.size() == 1)
        int_arrays[op.output("Out").front()] = *c->ints;
    node.source_index = static_cast<int>(i);
    for (const auto& slot : op.inputs) {
      NodeSlot s{slot.name, {}};
      for (const auto& arg : slot.args) {
        auto id = read(arg);
        if (!id.ok())
          return Error(std::move(id).error()).within(fmt::format("op #{} {}", i, op.type));
        s.values.push_back(*id);
      }
      node.inputs.push_back(std::move(s));
    }
    for (const auto& slot : op.outputs) {
      NodeSlot s{slot.name, {}};
      for (const auto& arg : slot.args) {
        ValueId id = g.add_value(arg, declared(arg));
        current[arg] = id;
        s.values.push_back(id);
      }
      node.outputs.push_back(std::move(s));
    }
    g.nodes.push_back(std::move(node));
  }
  std::stable_sort(feeds.begin(), feeds.end(), [](auto& a, auto& b) { return a.col < b.col; });
  std::stable_sort(fetches.begin(), fetches.end(),
                   [](auto& a, auto& b) { return a.first < b.first; });
  for (const auto& f : feeds) {
    g.inputs.push_back(f.id);  // the value the feed created, even if later ops overwrite the var
    g.input_names.push_back(f.name);
  }
  for (const auto& [col, name] : fetches) {
    (void)col;
    auto it = current.find(name);
    if (it == current.end())
      return make_error(ErrorCode::kInvalidInput,
                        fmt::format("fetch target '{}' is never written", name));
    g.outputs.push_back(it->second);
    g.output_names.push_back(name);
  }
  if (g.outputs.empty())
    return make_error(ErrorCode::kInvalidInput, "the program has no fetch targets");
  g.relink();
  return g;
}

}  // namespace detport::runtime
