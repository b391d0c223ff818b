// The list of op families. Each kernels/<family>.cc defines register_<family>.
#include "runtime/op_registry.h"

namespace detport::runtime {
namespace kernels {
void register_activation(OpRegistry&);
void register_batch_norm(OpRegistry&);
void register_conv(OpRegistry&);
void register_conv_transpose(OpRegistry&);
void register_deformable_conv(OpRegistry&);
void register_detection_bipartite_match(OpRegistry&);
void register_detection_box_coder(OpRegistry&);
void register_detection_nms(OpRegistry&);
void register_detection_priors(OpRegistry&);
void register_detection_proposals(OpRegistry&);
void register_detection_roi(OpRegistry&);
void register_detection_yolo_box(OpRegistry&);
void register_elementwise(OpRegistry&);
void register_grid_sampler(OpRegistry&);
void register_interp(OpRegistry&);
void register_layout(OpRegistry&);
void register_matmul(OpRegistry&);
void register_misc_nn(OpRegistry&);
void register_norm(OpRegistry&);
void register_pad(OpRegistry&);
void register_pool(OpRegistry&);
void register_softmax(OpRegistry&);
// Data movement, indexing, constants, reductions.
void register_cast(OpRegistry&);
void register_dropout(OpRegistry&);
void register_channel_shuffle(OpRegistry&);
void register_concat_split(OpRegistry&);
void register_constant(OpRegistry&);
void register_expand(OpRegistry&);
void register_gather(OpRegistry&);
void register_reduce(OpRegistry&);
void register_reshape(OpRegistry&);
void register_select(OpRegistry&);
void register_set_value(OpRegistry&);
void register_slice(OpRegistry&);
void register_sort(OpRegistry&);
void register_transpose(OpRegistry&);
}  // namespace kernels

void register_all_ops(OpRegistry& r) {
  kernels::register_activation(r);
  kernels::register_batch_norm(r);
  kernels::register_conv(r);
  kernels::register_conv_transpose(r);
  kernels::register_deformable_conv(r);
  kernels::register_detection_bipartite_match(r);
  kernels::register_detection_box_coder(r);
  kernels::register_detection_nms(r);
  kernels::register_detection_priors(r);
  kernels::register_detection_proposals(r);
  kernels::register_detection_roi(r);
  kernels::register_detection_yolo_box(r);
  kernels::register_elementwise(r);
  kernels::register_grid_sampler(r);
  kernels::register_interp(r);
  kernels::register_layout(r);
  kernels::register_matmul(r);
  kernels::register_misc_nn(r);
  kernels::register_norm(r);
  kernels::register_pad(r);
  kernels::register_pool(r);
  kernels::register_softmax(r);
  kernels::register_cast(r);
  kernels::register_dropout(r);
  kernels::register_channel_shuffle(r);
  kernels::register_concat_split(r);
  kernels::register_constant(r);
  kernels::register_expand(r);
  kernels::register_gather(r);
  kernels::register_reduce(r);
  kernels::register_reshape(r);
  kernels::register_select(r);
  kernels::register_set_value(r);
  kernels::register_slice(r);
  kernels::register_sort(r);
  kernels::register_transpose(r);
}

}  // namespace detport::runtime
