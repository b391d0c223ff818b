// Helpers shared by the neural-network kernels (pool, interp, norms, pad, ...): an NCHW view of a
// 4-D tensor whatever its storage, and small attribute checks.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/kernels/kernel_util.h"

namespace detport::runtime::kernels {

// Sizes and element strides of a 4-D image tensor addressed as (n, c, h, w). `channel_last` is the
// op's own data_format NHWC (logical dims [N,H,W,C], stored plain); otherwise the logical dims
// are [N,C,H,W] and the storage is plain or, inside channels-last regions, NHWC (`layout`).
struct Image4 {
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t sn = 0, sc = 0, sh = 0, sw = 0;
  int64_t at(int64_t in, int64_t ic, int64_t ih, int64_t iw) const {
    return in * sn + ic * sc + ih * sh + iw * sw;
  }
};

inline Image4 image_view(const Dims& dims, Layout layout, bool channel_last) {
  Image4 v;
  if (channel_last) {
    v.n = dims[0], v.h = dims[1], v.w = dims[2], v.c = dims[3];
  } else {
    v.n = dims[0], v.c = dims[1], v.h = dims[2], v.w = dims[3];
  }
  if (channel_last || layout == Layout::kNhwc) {
    v.sc = 1, v.sw = v.c, v.sh = v.w * v.c, v.sn = v.h * v.w * v.c;
  } else {
    v.sw = 1, v.sh = v.w, v.sc = v.h * v.w, v.sn = v.c * v.h * v.w;
  }
  return v;
}

inline Image4 image_view(const Tensor& t, bool channel_last) {
  return image_view(t.dims(), t.layout(), channel_last);
}

// Logical dims of an image with the given N, C, H, W in the op's data_format.
inline Dims image_dims(int64_t n, int64_t c, int64_t h, int64_t w, bool channel_last) {
  return channel_last ? Dims{n, h, w, c} : Dims{n, c, h, w};
}

// Paddle's data_format / data_layout strings: "NHWC" is channels-last; "NCHW", "AnyLayout" and
// an absent attribute mean channels-first. Anything else is an error message.
inline Result<bool> channel_last_attr(const ir::Op& op, std::string_view name) {
  const std::string f = op.string_attr(name, "NCHW");
  if (f == "NHWC" || f == "NDHWC" || f == "NLC" || f == "NWC") return true;
  if (f == "NCHW" || f == "NCDHW" || f == "NCL" || f == "NCW" || f == "AnyLayout") return false;
  return make_error(ErrorCode::kUnsupported,
                    fmt::format("{} '{}' is not supported (expected NCHW or NHWC)", name, f));
}

// channel_last_attr for kernels, whose node already passed shape inference (which reports bad
// values): false for anything but a channels-last format.
inline bool is_channel_last(const ir::Op& op, std::string_view name) {
  auto cl = channel_last_attr(op, name);
  return cl.ok() && *cl;
}

// The 4-D node is an NCHW op (data_format channels-first) whose tensors may be stored NHWC.
inline bool nhwc_candidate(const KernelSpec& spec, std::string_view format_attr,
                           std::string_view slot, std::string_view out_slot) {
  auto cl = channel_last_attr(spec.node.op, format_attr);
  return cl.ok() && !*cl && spec.input(slot).dims.size() == 4 &&
         spec.input(slot).dtype == DType::kFloat32 && spec.output(out_slot).dims.size() == 4;
}

}  // namespace detport::runtime::kernels
