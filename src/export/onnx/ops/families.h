// The mapper families; each file registers its mappers into the table (all_mappers.cc).
#pragma once

#include "export/onnx/mapper.h"

namespace detport::onnx_export {

void add_activation_mappers(MapperTable& t);
void add_elementwise_mappers(MapperTable& t);
void add_conv_mappers(MapperTable& t);
void add_norm_mappers(MapperTable& t);
void add_pool_mappers(MapperTable& t);
void add_shape_mappers(MapperTable& t);
void add_slice_mappers(MapperTable& t);
void add_creation_mappers(MapperTable& t);
void add_interp_mappers(MapperTable& t);
void add_math_mappers(MapperTable& t);
void add_yolo_box_mappers(MapperTable& t);
void add_prior_box_mappers(MapperTable& t);
void add_nms_mappers(MapperTable& t);

}  // namespace detport::onnx_export
