// oneDNN plumbing shared by the kernels that use it: the CPU engine and stream, memory wrappers,
// and the translation of fused Paddle ops into oneDNN post-ops.
#pragma once

#include <dnnl.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runtime/op_registry.h"

namespace detport::runtime::kernels {

dnnl::engine& onednn_engine();
dnnl::stream& onednn_stream();

// oneDNN's memory tag for a 4-D tensor stored in `layout`.
dnnl::memory::format_tag tag_for(Layout layout);

struct EltwisePostOp {
  dnnl::algorithm alg;
  float alpha = 0, beta = 0;
};

// The oneDNN eltwise post-ops computing this unary Paddle op exactly (same formula and parameters),
// or an empty list when there is none.
std::vector<EltwisePostOp> eltwise_for(const ir::Op& op);

// Can a node producing `out` fold this op in as a post-op? Unary ops with an eltwise equivalent,
// and elementwise_add/mul of a same-shaped tensor or a per-channel constant.
bool fusable_post_op(const Graph& graph, const TensorMeta& out, const ir::Op& op,
                     const Node& fused_node, ValueId produced);

// Appends the post-ops of `node.fused` (binary ones read their operand at run time as
// DNNL_ARG_ATTR_MULTIPLE_POST_OP(i) | DNNL_ARG_SRC_1). Returns the post-op index of each binary
// fused op's operand (or -1 for eltwise ones).
std::vector<int> append_post_ops(const Graph& graph, const Node& node, const TensorMeta& out,
                                 Layout layout, dnnl::post_ops& ops,
                                 std::vector<dnnl::memory::desc>& binary_descs);

// The implementation oneDNN chose, as detport reports it ("onednn:brgconv:avx512_core").
std::string onednn_impl(const char* impl_info);

}  // namespace detport::runtime::kernels
