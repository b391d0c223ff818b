// Paddle's convolution geometry: output size and explicit paddings from strides, paddings,
// padding_algorithm (EXPLICIT, SAME, VALID), dilations and groups. Shared by conv,
// conv2d_transpose, deformable_conv and pool2d.
#pragma once

#include "core/result.h"
#include "ir/program.h"
#include "runtime/tensor.h"

namespace detport::runtime::kernels {

struct ConvGeometry {
  int64_t stride_h = 1, stride_w = 1;
  int64_t dil_h = 1, dil_w = 1;
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int64_t groups = 1;
  int64_t out_h = 0, out_w = 0;
};

// x: [N, C, H, W]; filter: [M, C/groups, kh, kw].
Result<ConvGeometry> conv_geometry(const ir::Op& op, const Dims& x, const Dims& filter);

// Pads for one spatial dim under padding_algorithm, given explicit pads (before, after). For SAME
// Paddle uses dilation 1 (and the op runs undilated): pass 1.
void resolve_padding(const std::string& algorithm, int64_t in, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t& before, int64_t& after);

}  // namespace detport::runtime::kernels
