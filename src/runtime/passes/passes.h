// Graph passes run while compiling a plan (all skipped with --no-fuse). Each keeps the graph's
// meaning: tests compare outputs with and without them.
#pragma once

#include "runtime/graph.h"
#include "runtime/session.h"

namespace detport::runtime::passes {

// Drops ops that do nothing at inference: dropout (upscale_in_train), scale by 1 plus 0, assign,
// cast to the same type, reshapes to the same dims. Returns how many were removed.
int remove_noops(Graph& graph);

// Folds batch_norm (inference mode) into the conv2d/depthwise_conv2d (and its bias add) before it
// when the conv's weights are constants and its output feeds only the batch_norm.
int fold_batch_norm(Graph& graph);

// Folds an elementwise_add of a per-channel constant ([C] on axis 1, or [1,C,1,1]) into the
// conv2d/depthwise_conv2d before it as its Bias. Run after fold_batch_norm.
int fold_conv_bias(Graph& graph);

// Folds each optimised node's single consumer into it when its OpDef::can_fuse accepts it
// (activations and residual adds into convolutions, as oneDNN post-ops).
int fuse_post_ops(Graph& graph, const CompileOptions& options);

// Rewrites reshape2 -> transpose2 [0,2,1,3,4] -> reshape2 channel shuffles into one
// channel_shuffle node (which runs on NHWC data). Returns how many were rewritten.
int fuse_channel_shuffle(Graph& graph);

// Removes nodes none of whose outputs are used.
int remove_dead(Graph& graph);

// Chooses plain or NHWC storage for every node and inserts layout conversions at region borders.
// Returns the number of conversions inserted.
int assign_layouts(Graph& graph, const CompileOptions& options);

}  // namespace detport::runtime::passes
