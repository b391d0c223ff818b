#include "runtime/kernels/conv_shape.h"

#include <fmt/format.h>

#include <algorithm>

namespace detport::runtime::kernels {

void resolve_padding(const std::string& algorithm, int64_t in, int64_t kernel, int64_t stride,
                     int64_t dilation, int64_t& before, int64_t& after) {
  if (algorithm == "VALID") {
    before = after = 0;
  } else if (algorithm == "SAME") {
    const int64_t out = (in + stride - 1) / stride;
    const int64_t total =
        std::max<int64_t>((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
    before = total / 2;
    after = total - before;
  }
}

Result<ConvGeometry> conv_geometry(const ir::Op& op, const Dims& x, const Dims& filter) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  if (x.size() != 4)
    return bad(fmt::format("Input has dims {}; expected 4-D NCHW", dims_to_string(x)));
  if (filter.size() != 4)
    return bad(fmt::format("Filter has dims {}; expected 4-D", dims_to_string(filter)));
  ConvGeometry g;
  const auto strides = op.ints_attr("strides", {1, 1});
  const auto dilations = op.ints_attr("dilations", {1, 1});
  auto pads = op.ints_attr("paddings", {0, 0});
  if (strides.size() != 2 || dilations.size() != 2 || (pads.size() != 2 && pads.size() != 4))
    return bad("strides/dilations need 2 values and paddings 2 or 4");
  g.stride_h = strides[0];
  g.stride_w = strides[1];
  g.dil_h = dilations[0];
  g.dil_w = dilations[1];
  if (pads.size() == 2) pads = {pads[0], pads[0], pads[1], pads[1]};
  g.pad_top = pads[0];
  g.pad_bottom = pads[1];
  g.pad_left = pads[2];
  g.pad_right = pads[3];
  g.groups = std::max<int64_t>(op.int_attr("groups", 1), 1);
  if (g.stride_h <= 0 || g.stride_w <= 0 || g.dil_h <= 0 || g.dil_w <= 0)
    return bad("strides and dilations must be positive");
  const std::string algo = op.string_attr("padding_algorithm", "EXPLICIT");
  // Paddle's UpdatePaddingAndDilation: SAME pads for the undilated kernel and resets the
  // dilations to 1.
  if (algo == "SAME") g.dil_h = g.dil_w = 1;
  resolve_padding(algo, x[2], filter[2], g.stride_h, g.dil_h, g.pad_top, g.pad_bottom);
  resolve_padding(algo, x[3], filter[3], g.stride_w, g.dil_w, g.pad_left, g.pad_right);
  if (g.pad_top < 0 || g.pad_bottom < 0 || g.pad_left < 0 || g.pad_right < 0)
    return bad("negative paddings");
  if (x[1] != filter[1] * g.groups)
    return bad(fmt::format("Input has {} channels but Filter {} expects {} x {} groups", x[1],
                           dims_to_string(filter), filter[1], g.groups));
  if (filter[0] % g.groups != 0)
    return bad(fmt::format("{} filters do not split into {} groups", filter[0], g.groups));
  const int64_t eff_h = (filter[2] - 1) * g.dil_h + 1, eff_w = (filter[3] - 1) * g.dil_w + 1;
  g.out_h = (x[2] + g.pad_top + g.pad_bottom - eff_h) / g.stride_h + 1;
  g.out_w = (x[3] + g.pad_left + g.pad_right - eff_w) / g.stride_w + 1;
  if (g.out_h <= 0 || g.out_w <= 0)
    return bad(
        fmt::format("the {}x{} input is smaller than the {}x{} kernel", x[2], x[3], eff_h, eff_w));
  return g;
}

}  // namespace detport::runtime::kernels
