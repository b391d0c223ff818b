#include "runtime/plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include "runtime/passes/passes.h"

namespace detport::runtime {
namespace {

constexpr std::size_t kFoldLimitBytes = std::size_t{64} << 20;  // don't materialise huge constants
constexpr std::size_t kAlign = 64;

std::size_t align_up(std::size_t n) {
  return (n + kAlign - 1) / kAlign * kAlign;
}

bool all_inputs_constant(const Graph& g, const Node& n) {
  bool any = false;
  for (const auto& s : n.inputs)
    for (ValueId v : s.values) {
      if (!g.value(v).constant) return false;
      any = true;
    }
  return any;
}

}  // namespace

Status Plan::infer_and_fold(const CompileOptions& options) {
  (void)options;
  for (auto& node : graph_.nodes) {
    if (node.removed) continue;
    bool dynamic = false;
    for (const auto& s : node.inputs)
      for (ValueId v : s.values) {
        const Value& val = graph_.value(v);
        if (val.dynamic) dynamic = true;
        if (!val.meta_known && !val.dynamic)
          return make_error(ErrorCode::kInternal, fmt::format("input '{}' has no shape", val.name),
                            node.label());
      }
    node.dynamic = dynamic;
    if (dynamic) {
      // Shapes come from the data: infer when the node runs.
      for (const auto& s : node.outputs)
        for (ValueId v : s.values) {
          graph_.value(v).dynamic = true;
          graph_.value(v).meta_known = false;
        }
      continue;
    }
    InferContext ctx(graph_, node);
    DETPORT_TRY(node.def->infer(ctx));
    bool all_known = true, all_constant = true;
    std::size_t out_bytes = 0;
    for (const auto& s : node.outputs)
      for (ValueId v : s.values) {
        const Value& val = graph_.value(v);
        if (!val.meta_known) all_known = false;
        if (!val.constant) all_constant = false;
        if (val.meta_known && !val.dynamic) out_bytes += val.meta.bytes();
      }
    if (!all_known)
      return make_error(ErrorCode::kInternal, "shape inference left an output without a shape",
                        node.label());
    if (all_constant) {
      node.removed = true;
      continue;
    }
    // Constant inputs: compute now with the reference kernel.
    if (node.def->foldable && all_inputs_constant(graph_, node) && out_bytes <= kFoldLimitBytes) {
      bool any_dynamic = false;
      for (const auto& s : node.outputs)
        for (ValueId v : s.values) any_dynamic |= graph_.value(v).dynamic;
      std::vector<Tensor> values(graph_.values.size());
      for (const auto& s : node.inputs)
        for (ValueId v : s.values) values[static_cast<std::size_t>(v)] = *graph_.value(v).constant;
      for (const auto& s : node.outputs)
        for (ValueId v : s.values)
          if (!graph_.value(v).dynamic)
            values[static_cast<std::size_t>(v)] =
                Tensor::empty(graph_.value(v).meta.dtype, graph_.value(v).meta.dims);
      KernelSpec spec{graph_, node, options};
      auto kernel = node.def->reference(spec);
      KernelContext kctx(node, values);
      DETPORT_TRY(kernel->run(kctx));
      for (const auto& s : node.outputs)
        for (ValueId v : s.values) {
          Value& val = graph_.value(v);
          val.constant = values[static_cast<std::size_t>(v)];
          val.meta = val.constant->meta();
          val.dynamic = false;
          val.meta_known = true;
        }
      (void)any_dynamic;
      node.removed = true;
    }
  }
  return {};
}

Status Plan::choose_kernels(const CompileOptions& options) {
  for (auto& node : graph_.nodes) {
    if (node.removed) continue;
    KernelSpec spec{graph_, node, options};
    node.use_optimized = options.optimized && !node.dynamic && node.def->optimized != nullptr &&
                         (node.def->supports == nullptr || node.def->supports(spec));
  }
  if (options.fuse) passes::fuse_post_ops(graph_, options);
  passes::assign_layouts(graph_, options);
  graph_.relink();
  kernels_.clear();
  kernels_.resize(graph_.nodes.size());
  flops_.assign(graph_.nodes.size(), 0.0);
  order_.clear();
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    Node& node = graph_.nodes[i];
    if (node.removed) continue;
    KernelSpec spec{graph_, node, options};
    if (node.use_optimized) {
      // A layout conversion or fusion may have changed what the node sees; ask again.
      if (node.def->supports != nullptr && !node.def->supports(spec))
        return make_error(ErrorCode::kInternal,
                          "the optimised kernel refused the node after layout assignment",
                          node.label());
      kernels_[i] = node.def->optimized(spec);
    } else {
      kernels_[i] = node.def->reference(spec);
    }
    if (!kernels_[i])
      return make_error(ErrorCode::kInternal, "no kernel could be created", node.label());
    if (node.def->flops != nullptr && !node.dynamic) flops_[i] = node.def->flops(spec);
    order_.push_back(static_cast<int>(i));
  }
  return {};
}

Status Plan::plan_memory(const CompileOptions& options) {
  // Lifetimes in steps of order_: a value lives from its producer's step to its last consumer's.
  const std::size_t nv = graph_.values.size();
  std::vector<int> first(nv, -1), last(nv, -1);
  for (ValueId in : graph_.inputs)
    first[static_cast<std::size_t>(in)] = 0, last[static_cast<std::size_t>(in)] = 0;
  for (int step = 0; step < static_cast<int>(order_.size()); ++step) {
    const Node& node =
        graph_.nodes[static_cast<std::size_t>(order_[static_cast<std::size_t>(step)])];
    auto use = [&](ValueId v) {
      if (v == kNoValue) return;
      auto& l = last[static_cast<std::size_t>(v)];
      l = std::max(l, step);
    };
    for (const auto& s : node.inputs)
      for (ValueId v : s.values) use(v);
    for (const auto& f : node.fused)
      for (ValueId v : f.extra) use(v);
    for (const auto& s : node.outputs)
      for (ValueId v : s.values) {
        if (first[static_cast<std::size_t>(v)] < 0) first[static_cast<std::size_t>(v)] = step;
        use(v);
      }
  }
  const int end = static_cast<int>(order_.size());
  for (ValueId o : graph_.outputs) last[static_cast<std::size_t>(o)] = end;

  // Views: an aliasing op's output shares its input's storage, so the storage lives as long as
  // either. root[v] is the value whose block holds v.
  std::vector<ValueId> root(nv);
  for (ValueId v = 0; v < static_cast<ValueId>(nv); ++v) root[static_cast<std::size_t>(v)] = v;
  for (int idx : order_) {
    const Node& node = graph_.nodes[static_cast<std::size_t>(idx)];
    if (!node.def->aliases_input || node.dynamic || !node.fused.empty()) continue;
    const ValueId in = node.input_value("X"), out = node.output_value("Out");
    if (in == kNoValue || out == kNoValue) continue;
    const Value& iv = graph_.value(in);
    const Value& ov = graph_.value(out);
    if (iv.constant || iv.dynamic || ov.dynamic || iv.layout != Layout::kPlain ||
        ov.layout != Layout::kPlain || iv.meta.bytes() != ov.meta.bytes())
      continue;
    const ValueId r = root[static_cast<std::size_t>(in)];
    root[static_cast<std::size_t>(out)] = r;
    first[static_cast<std::size_t>(r)] =
        std::min(first[static_cast<std::size_t>(r)], first[static_cast<std::size_t>(out)]);
    last[static_cast<std::size_t>(r)] =
        std::max(last[static_cast<std::size_t>(r)], last[static_cast<std::size_t>(out)]);
  }

  struct Block {
    ValueId id;
    std::size_t size;
  };
  std::vector<Block> blocks;
  for (ValueId v = 0; v < static_cast<ValueId>(nv); ++v) {
    const Value& val = graph_.value(v);
    if (val.constant || val.dynamic || first[static_cast<std::size_t>(v)] < 0) continue;
    if (root[static_cast<std::size_t>(v)] != v) continue;  // placed with its root
    blocks.push_back({v, align_up(val.meta.bytes())});
  }
  // Greedy by size: each value takes the lowest offset free for its whole lifetime.
  std::stable_sort(blocks.begin(), blocks.end(),
                   [](const Block& a, const Block& b) { return a.size > b.size; });
  struct Placed {
    std::size_t offset, size;
    int first, last;
  };
  std::vector<Placed> placed;
  offsets_.assign(nv, -1);
  std::size_t total = 0;
  for (const Block& b : blocks) {
    const int f = first[static_cast<std::size_t>(b.id)], l = last[static_cast<std::size_t>(b.id)];
    std::vector<std::pair<std::size_t, std::size_t>> busy;
    for (const Placed& p : placed)
      if (!(p.last < f || l < p.first)) busy.push_back({p.offset, p.offset + p.size});
    std::sort(busy.begin(), busy.end());
    std::size_t offset = 0;
    for (const auto& [lo, hi] : busy) {
      if (offset + b.size <= lo) break;
      offset = std::max(offset, hi);
    }
    placed.push_back({offset, b.size, f, l});
    offsets_[static_cast<std::size_t>(b.id)] = static_cast<int64_t>(offset);
    total = std::max(total, offset + b.size);
  }
  for (ValueId v = 0; v < static_cast<ValueId>(nv); ++v)
    if (root[static_cast<std::size_t>(v)] != v)
      offsets_[static_cast<std::size_t>(v)] =
          offsets_[static_cast<std::size_t>(root[static_cast<std::size_t>(v)])];
  if (total > options.max_arena_bytes)
    return make_error(
        ErrorCode::kInvalidInput,
        fmt::format("the plan needs {} MiB of activations, more than the {} MiB allowed; "
                    "use a smaller input size or batch",
                    total >> 20, options.max_arena_bytes >> 20));
  arena_bytes_ = total;
  void* p = std::aligned_alloc(kAlign, std::max<std::size_t>(align_up(total), kAlign));
  if (p == nullptr)
    return make_error(ErrorCode::kIo, fmt::format("cannot allocate {} bytes", total));
  arena_ = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  values_.assign(nv, Tensor());
  for (ValueId v = 0; v < static_cast<ValueId>(nv); ++v) {
    const Value& val = graph_.value(v);
    if (val.constant) {
      values_[static_cast<std::size_t>(v)] = *val.constant;
    } else if (offsets_[static_cast<std::size_t>(v)] >= 0) {
      auto* base =
          static_cast<unsigned char*>(arena_.get()) + offsets_[static_cast<std::size_t>(v)];
      values_[static_cast<std::size_t>(v)] =
          Tensor::view(val.meta.dtype, val.meta.dims, base, val.layout);
    }
  }
  return {};
}

Result<std::unique_ptr<Plan>> Plan::build(const Graph& base, const std::vector<TensorMeta>& inputs,
                                          const CompileOptions& options) {
  std::unique_ptr<Plan> plan(new Plan());
  plan->graph_ = base;
  Graph& g = plan->graph_;
  for (std::size_t i = 0; i < g.inputs.size(); ++i) {
    Value& v = g.value(g.inputs[i]);
    v.meta = inputs[i];
    v.meta_known = true;
  }
  DETPORT_TRY(plan->infer_and_fold(options));
  if (options.fuse) {
    passes::remove_noops(g);
    passes::fold_batch_norm(g);
    passes::fold_conv_bias(g);
    passes::fuse_channel_shuffle(g);
  }
  passes::remove_dead(g);
  g.relink();
  // Graph outputs that folded to constants are still produced (copied out at run time).
  DETPORT_TRY(plan->choose_kernels(options));
  DETPORT_TRY(plan->plan_memory(options));
  return plan;
}

Status Plan::infer_at_run_time(Node& node) {
  for (const auto& s : node.inputs)
    for (ValueId v : s.values) {
      Value& val = graph_.value(v);
      val.meta = values_[static_cast<std::size_t>(v)].meta();
      val.meta_known = true;
    }
  InferContext ctx(graph_, node);
  DETPORT_TRY(node.def->infer(ctx));
  for (const auto& s : node.outputs)
    for (ValueId v : s.values) {
      const Value& val = graph_.value(v);
      // Dims the data decides (-1) are the kernel's to allocate.
      if (std::any_of(val.meta.dims.begin(), val.meta.dims.end(), [](int64_t d) { return d < 0; }))
        continue;
      values_[static_cast<std::size_t>(v)] = Tensor::empty(val.meta.dtype, val.meta.dims);
    }
  return {};
}

Result<std::vector<NamedTensor>> Plan::execute(const std::vector<NamedTensor>& inputs,
                                               Profile* profile) {
  for (std::size_t i = 0; i < graph_.inputs.size(); ++i) {
    Tensor& slot = values_[static_cast<std::size_t>(graph_.inputs[i])];
    const Tensor& in = inputs[i].tensor;
    if (slot.raw() != nullptr && in.bytes() > 0) std::memcpy(slot.raw(), in.raw(), in.bytes());
  }
  if (profile != nullptr) profile->nodes.clear();
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  for (int idx : order_) {
    Node& node = graph_.nodes[static_cast<std::size_t>(idx)];
    const auto t0 = clock::now();
    if (node.dynamic) DETPORT_TRY(infer_at_run_time(node));
    KernelContext ctx(node, values_);
    DETPORT_TRY(kernels_[static_cast<std::size_t>(idx)]->run(ctx));
    if (profile != nullptr) {
      const double seconds = std::chrono::duration<double>(clock::now() - t0).count();
      NodeProfile p;
      p.label = node.label();
      p.type = node.op.type;
      for (const auto& f : node.fused) p.type += "+" + f.op.type;
      p.impl = kernels_[static_cast<std::size_t>(idx)]->impl();
      p.seconds = seconds;
      p.flops = flops_[static_cast<std::size_t>(idx)];
      for (const auto* slots : {&node.inputs, &node.outputs})
        for (const auto& s : *slots)
          for (ValueId v : s.values)
            p.bytes += static_cast<double>(values_[static_cast<std::size_t>(v)].bytes());
      profile->nodes.push_back(std::move(p));
    }
  }
  if (profile != nullptr)
    profile->total_seconds = std::chrono::duration<double>(clock::now() - start).count();
  std::vector<NamedTensor> out;
  for (std::size_t i = 0; i < graph_.outputs.size(); ++i)
    out.push_back(
        {graph_.output_names[i], values_[static_cast<std::size_t>(graph_.outputs[i])].clone()});
  return out;
}

std::string Plan::summary() const {
  std::map<std::string, int> impls;
  int fused = 0, nodes = 0, conversions = 0;
  for (int idx : order_) {
    const Node& n = graph_.nodes[static_cast<std::size_t>(idx)];
    ++nodes;
    fused += static_cast<int>(n.fused.size());
    if (n.op.type.rfind("detport.", 0) == 0) ++conversions;
    ++impls[kernels_[static_cast<std::size_t>(idx)]->impl()];
  }
  std::string s =
      fmt::format("{} nodes ({} fused ops folded in, {} layout conversions), arena {:.1f} MiB;",
                  nodes, fused, conversions, static_cast<double>(arena_bytes_) / (1 << 20));
  for (const auto& [impl, n] : impls) s += fmt::format(" {} x{}", impl, n);
  return s;
}

}  // namespace detport::runtime
