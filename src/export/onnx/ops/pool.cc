// pool2d: MaxPool/AveragePool (exclusive -> count_include_pad 0, ceil_mode), global pooling and
// adaptive pooling to 1x1 -> GlobalMaxPool/GlobalAveragePool, adaptive pooling to sizes that
// divide the (static) input -> a plain pool with kernel = stride = input / output.
#include <fmt/format.h>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

std::optional<std::vector<int64_t>> onnx_pads(const std::vector<int64_t>& p) {
  if (p.size() == 2) return std::vector<int64_t>{p[0], p[1], p[0], p[1]};
  if (p.size() == 4) return std::vector<int64_t>{p[0], p[2], p[1], p[3]};
  return std::nullopt;
}

std::vector<int64_t> pair(std::vector<int64_t> v) {
  if (v.size() == 1) v.push_back(v.front());
  return v;
}

// The kernel size: the ksize attribute, or PIR's kernel_size operand.
std::optional<std::vector<int64_t>> kernel(const OpView& v, const MapContext* c) {
  if (v.has_in("kernel_size")) {
    if (c == nullptr) return std::vector<int64_t>{};  // known only while emitting
    return c->int_list("ksize", "kernel_size");
  }
  return pair(v.op().ints_attr("ksize"));
}

bool is_global(const OpView& v, const std::vector<int64_t>& k) {
  if (v.op().bool_attr("global_pooling", false)) return true;
  return v.op().bool_attr("adaptive", false) && k.size() == 2 && k[0] == 1 && k[1] == 1;
}

Support check(const OpView& v) {
  Support s = require_nchw(v, "data_format");
  if (!s.reason.empty()) return s;
  const std::string type = v.op().string_attr("pooling_type", "max");
  if (type != "max" && type != "avg") return Support::no(fmt::format("pooling_type '{}'", type));
  const VarMeta x = v.in_meta("X");
  if (x.known && x.rank() != 4) return Support::no("only 2-D pooling (4-D input) is exported");
  auto k = kernel(v, nullptr);
  if (!k) return Support::no("ksize is not known at export time");
  if (v.has_in("kernel_size")) return {};
  if (k->size() != 2) return Support::no("ksize must have 2 entries");
  if (is_global(v, *k)) return {};
  if (!onnx_pads(v.op().ints_attr("paddings", {0, 0})))
    return Support::no("paddings must have 2 or 4 entries");
  if (v.op().bool_attr("adaptive", false)) {
    if (!x.known || x.dims[2] < 0 || x.dims[3] < 0)
      return Support::no(
          fmt::format("adaptive pooling to {}x{} on an input with dynamic spatial "
                      "dims (only 1x1, or sizes dividing a static input)",
                      (*k)[0], (*k)[1]));
    if (x.dims[2] % (*k)[0] != 0 || x.dims[3] % (*k)[1] != 0)
      return Support::no(fmt::format("adaptive pooling {}x{} -> {}x{} with uneven windows",
                                     x.dims[2], x.dims[3], (*k)[0], (*k)[1]));
  }
  return {};
}

Status emit(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto k = kernel(c, &c);
  if (!k || k->empty()) return c.error("kernel_size is not known at export time");
  *k = pair(*k);
  const bool max = c.op().string_attr("pooling_type", "max") == "max";
  if (is_global(c, *k)) {
    c.emit1(max ? "GlobalMaxPool" : "GlobalAveragePool", {x});
    return {};
  }
  const VarMeta xm = c.in_meta("X");
  std::vector<int64_t> strides = pair(c.op().ints_attr("strides", {1, 1}));
  std::vector<int64_t> pads =
      onnx_pads(c.op().ints_attr("paddings", {0, 0})).value_or(std::vector<int64_t>{0, 0, 0, 0});
  bool same_upper = false;
  if (c.op().bool_attr("adaptive", false)) {
    if (!xm.known || xm.dims[2] <= 0 || xm.dims[3] <= 0)
      return c.error("adaptive pooling needs static input dims");
    *k = {xm.dims[2] / (*k)[0], xm.dims[3] / (*k)[1]};
    strides = *k;
    pads = {0, 0, 0, 0};
  } else {
    const std::string algo = c.op().string_attr("padding_algorithm", "EXPLICIT");
    if (algo == "VALID") pads = {0, 0, 0, 0};
    if (algo == "SAME") {
      if (xm.known && xm.dims[2] > 0 && xm.dims[3] > 0) {
        for (std::size_t d = 0; d < 2; ++d) {
          const int64_t size = xm.dims[2 + d];
          const int64_t out = (size + strides[d] - 1) / strides[d];
          const int64_t total = std::max<int64_t>((out - 1) * strides[d] + (*k)[d] - size, 0);
          pads[d] = total / 2;
          pads[d + 2] = total - total / 2;
        }
      } else {
        same_upper = true;
      }
    }
  }
  Attrs attrs{attr("kernel_shape", *k), attr("strides", strides)};
  if (same_upper)
    attrs.push_back(attr("auto_pad", std::string("SAME_UPPER")));
  else
    attrs.push_back(attr("pads", pads));
  if (c.op().bool_attr("ceil_mode", false)) attrs.push_back(attr("ceil_mode", int64_t{1}));
  if (!max)
    attrs.push_back(
        attr("count_include_pad", int64_t{c.op().bool_attr("exclusive", true) ? 0 : 1}));
  c.emit1(max ? "MaxPool" : "AveragePool", {x}, attrs);
  return {};
}

}  // namespace

void add_pool_mappers(MapperTable& t) {
  t.add({"pool2d", emit, check, kMinOpset, kMaxOpset,
         "MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool",
         "exclusive -> count_include_pad=0; adaptive only to 1x1 or evenly dividing static dims; "
         "non-exclusive avg + ceil_mode windows hanging over the padded edge are divided by the "
         "clipped window in ONNX Runtime (Paddle divides by the full kernel)"});
}

}  // namespace detport::onnx_export
