#include "export/onnx/ops/families.h"

namespace detport::onnx_export {

const MapperTable& mapper_table() {
  static const MapperTable table = [] {
    MapperTable t;
    add_activation_mappers(t);
    add_elementwise_mappers(t);
    add_conv_mappers(t);
    add_norm_mappers(t);
    add_pool_mappers(t);
    add_shape_mappers(t);
    add_slice_mappers(t);
    add_creation_mappers(t);
    add_interp_mappers(t);
    add_math_mappers(t);
    add_yolo_box_mappers(t);
    add_prior_box_mappers(t);
    add_nms_mappers(t);
    return t;
  }();
  return table;
}

}  // namespace detport::onnx_export
