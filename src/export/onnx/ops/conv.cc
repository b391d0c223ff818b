// conv2d, depthwise_conv2d (Conv), conv2d_transpose, depthwise_conv2d_transpose (ConvTranspose).
// Paddle's 4-element paddings are [top, bottom, left, right]; ONNX pads are [top, left, bottom,
// right]. SAME padding becomes explicit pads when the input's spatial dims are declared (OpenCV
// handles those best), else auto_pad SAME_UPPER (Paddle puts the odd pixel at the end too, and
// forces dilation 1).
#include <fmt/format.h>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

std::vector<int64_t> pair_attr(const ir::Op& op, std::string_view name, int64_t fallback) {
  auto v = op.ints_attr(name, {fallback, fallback});
  if (v.size() == 1) v.push_back(v.front());
  return v;
}

// ONNX pads [top, left, bottom, right] from Paddle's paddings.
std::optional<std::vector<int64_t>> onnx_pads(const std::vector<int64_t>& p) {
  if (p.size() == 2) return std::vector<int64_t>{p[0], p[1], p[0], p[1]};
  if (p.size() == 4) return std::vector<int64_t>{p[0], p[2], p[1], p[3]};
  return std::nullopt;
}

Support check_fusions(const OpView& v) {
  const ir::Op& op = v.op();
  if (op.bool_attr("fuse_relu", false) || !op.string_attr("fuse_activation", "").empty() ||
      op.bool_attr("fuse_residual_connection", false) || v.has_in("ResidualData"))
    return Support::no(
        "carries oneDNN fusion attributes (fuse_relu/fuse_activation/residual): "
        "an optimised program, not an exported one");
  if (v.in_meta("Input").known && v.in_meta("Input").rank() != 4)
    return Support::no(fmt::format("input of rank {} (only 2-D convolutions are exported)",
                                   v.in_meta("Input").rank()));
  const std::string algo = op.string_attr("padding_algorithm", "EXPLICIT");
  if (algo != "EXPLICIT" && algo != "SAME" && algo != "VALID")
    return Support::no(fmt::format("padding_algorithm '{}'", algo));
  if (!onnx_pads(op.ints_attr("paddings", {0, 0})))
    return Support::no("paddings must have 2 or 4 entries");
  return require_nchw(v, "data_format");
}

Support check_conv(const OpView& v) {
  return check_fusions(v);
}

// Pads and dilations of a Conv for the op's padding_algorithm.
struct Padding {
  std::vector<int64_t> pads;
  std::vector<int64_t> dilations;
  bool same_upper = false;
};

Padding padding(const MapContext& c, const std::vector<int64_t>& kernel,
                const std::vector<int64_t>& strides) {
  Padding p;
  p.dilations = pair_attr(c.op(), "dilations", 1);
  p.pads = *onnx_pads(c.op().ints_attr("paddings", {0, 0}));
  const std::string algo = c.op().string_attr("padding_algorithm", "EXPLICIT");
  if (algo == "VALID") {
    p.pads = {0, 0, 0, 0};
  } else if (algo == "SAME") {
    p.dilations = {1, 1};
    const VarMeta in = c.in_meta("Input");
    if (in.known && in.rank() == 4 && in.dims[2] > 0 && in.dims[3] > 0) {
      for (int d = 0; d < 2; ++d) {
        const int64_t size = in.dims[static_cast<std::size_t>(2 + d)];
        const int64_t s = strides[static_cast<std::size_t>(d)];
        const int64_t out = (size + s - 1) / s;
        const int64_t total =
            std::max<int64_t>((out - 1) * s + kernel[static_cast<std::size_t>(d)] - size, 0);
        p.pads[static_cast<std::size_t>(d)] = total / 2;
        p.pads[static_cast<std::size_t>(d) + 2] = total - total / 2;
      }
    } else {
      p.same_upper = true;
    }
  }
  return p;
}

Status emit_conv(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("Input"));
  DETPORT_ASSIGN(std::string w, c.in("Filter"));
  const VarMeta wm = c.in_meta("Filter");
  if (!wm.known || wm.rank() != 4) return c.error("the filter's dims are not declared");
  const std::vector<int64_t> kernel{wm.dims[2], wm.dims[3]};
  const auto strides = pair_attr(c.op(), "strides", 1);
  const Padding p = padding(c, kernel, strides);
  Attrs attrs{attr("kernel_shape", kernel), attr("strides", strides),
              attr("dilations", p.dilations), attr("group", c.op().int_attr("groups", 1))};
  if (p.same_upper)
    attrs.push_back(attr("auto_pad", std::string("SAME_UPPER")));
  else
    attrs.push_back(attr("pads", p.pads));
  std::vector<std::string> inputs{x, w};
  if (c.has_in("Bias")) {
    DETPORT_ASSIGN(std::string b, c.in("Bias"));
    inputs.push_back(b);
  }
  c.emit1("Conv", inputs, attrs, "Output");
  return {};
}

Support check_conv_transpose(const OpView& v) {
  Support s = check_fusions(v);
  if (!s.reason.empty()) return s;
  if (v.op().string_attr("padding_algorithm", "EXPLICIT") == "SAME")
    return Support::no("padding_algorithm SAME for a transposed convolution");
  const bool has_size = !v.op().ints_attr("output_size").empty() || v.has_in("output_size");
  const VarMeta in = v.in_meta("Input");
  if (has_size && !(in.known && in.rank() == 4 && in.dims[2] > 0 && in.dims[3] > 0) &&
      !v.options().shape_probe)
    return Support::no(
        "output_size with dynamic input dims (the extra output padding cannot be "
        "worked out at export time)");
  return {};
}

Status emit_conv_transpose(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("Input"));
  DETPORT_ASSIGN(std::string w, c.in("Filter"));
  const VarMeta wm = c.in_meta("Filter");
  if (!wm.known || wm.rank() != 4) return c.error("the filter's dims are not declared");
  const std::vector<int64_t> kernel{wm.dims[2], wm.dims[3]};
  const auto strides = pair_attr(c.op(), "strides", 1);
  Padding p = padding(c, kernel, strides);
  std::vector<int64_t> out_pad = c.op().ints_attr("output_padding");
  if (out_pad.size() == 1) out_pad.push_back(out_pad.front());
  if (out_pad.empty()) out_pad = {0, 0};
  auto size = c.int_list("output_size", "output_size");
  const VarMeta in = c.in_meta("Input");
  // A shape probe (see ExportOptions::shape_probe) without the input dims: the natural size.
  if (c.options().shape_probe && !(in.known && in.rank() == 4 && in.dims[2] > 0 && in.dims[3] > 0))
    size.reset();
  if (size && size->size() == 2) {
    // Paddle adds what output_size asks beyond the natural size as padding at the end.
    for (int d = 0; d < 2; ++d) {
      const auto i = static_cast<std::size_t>(d);
      const int64_t natural = (in.dims[2 + i] - 1) * strides[i] - p.pads[i] - p.pads[i + 2] +
                              p.dilations[i] * (kernel[i] - 1) + 1;
      out_pad[i] = (*size)[i] - natural;
      if (out_pad[i] < 0 || out_pad[i] >= std::max(strides[i], p.dilations[i]))
        return c.error(
            fmt::format("output_size {} is not reachable from the input size", (*size)[i]));
    }
  }
  Attrs attrs{attr("kernel_shape", kernel), attr("strides", strides),
              attr("dilations", p.dilations), attr("group", c.op().int_attr("groups", 1)),
              attr("pads", p.pads)};
  if (out_pad[0] != 0 || out_pad[1] != 0) attrs.push_back(attr("output_padding", out_pad));
  std::vector<std::string> inputs{x, w};
  if (c.has_in("Bias")) {
    DETPORT_ASSIGN(std::string b, c.in("Bias"));
    inputs.push_back(b);
  }
  c.emit1("ConvTranspose", inputs, attrs, "Output");
  return {};
}

Support check_deformable(const OpView&) {
  return Support::no(
      "deformable convolution has no ONNX op before opset 19 (DeformConv), and detport writes "
      "opsets 11-17 (what ONNX 1.12 validates)");
}

Status emit_unreachable(MapContext& c) {
  return c.error("not exportable");
}

}  // namespace

void add_conv_mappers(MapperTable& t) {
  const char* conv_notes = "paddings [t,b,l,r] reordered; SAME -> explicit pads or SAME_UPPER";
  t.add({"conv2d", emit_conv, check_conv, kMinOpset, kMaxOpset, "Conv", conv_notes});
  t.add({"depthwise_conv2d", emit_conv, check_conv, kMinOpset, kMaxOpset, "Conv (group = C)",
         conv_notes});
  t.add({"conv2d_transpose", emit_conv_transpose, check_conv_transpose, kMinOpset, kMaxOpset,
         "ConvTranspose", "output_size becomes output_padding (static input dims)"});
  t.add({"depthwise_conv2d_transpose", emit_conv_transpose, check_conv_transpose, kMinOpset,
         kMaxOpset, "ConvTranspose", ""});
  for (const char* type : {"deformable_conv", "deformable_conv_v1"})
    t.add({type, emit_unreachable, check_deformable, kMinOpset, kMaxOpset, "-",
           "refused: DeformConv is opset 19"});
}

}  // namespace detport::onnx_export
