// deformable_conv (DCNv2, with Mask) and deformable_conv_v1 (DCNv1, no Mask), as PP-YOLO's
// ResNet-vd DCN backbones export them. Input [N, C, H, W], Offset [N, 2*dg*kh*kw, Ho, Wo] (per
// deformable group and kernel tap k = i*kw + j: dy at channel 2k, dx at 2k+1), Mask
// [N, dg*kh*kw, Ho, Wo], Filter [M, C/groups, kh, kw] -> Output [N, M, Ho, Wo]; attributes strides,
// paddings, dilations (2 values each), groups, deformable_groups (im2col_step only batches work).
//
// Paddle's definition (paddle/phi/kernels/funcs/deformable_conv_functor.{h,cc}): tap (i, j) of
// output (ho, wo) samples channel c at y = ho*stride_h - pad_h + i*dil_h + dy, x likewise, with
// the offsets of c's deformable group (c / (C / dg)). A sample counts only when -1 < y < H and
// -1 < x < W; it is bilinear with each of the four corners read only when inside the map
// (y_low = floor(y), weights (1-ly)(1-lx), (1-ly)lx, ly(1-lx), ly*lx), then multiplied by the mask.
// The output is the grouped matrix product of the filter with these samples.
#include <array>
#include <cmath>

#include "runtime/kernels/detection/detection_util.h"
#include "runtime/kernels/onednn_util.h"

namespace detport::runtime::kernels {
namespace {

namespace du = detection_util;

struct DcnGeometry {
  int64_t n, c, h, w, m, cg, kh, kw, ho, wo;
  int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w, groups, dg;
};

Result<DcnGeometry> geometry(const ir::Op& op, const TensorMeta& x, const TensorMeta& filter,
                             const TensorMeta& offset, const TensorMeta* mask) {
  auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidInput, std::move(m)); };
  if (x.dims.size() != 4 || filter.dims.size() != 4) return bad("Input and Filter must be 4-D");
  if (x.dtype != DType::kFloat32 || filter.dtype != DType::kFloat32 ||
      offset.dtype != DType::kFloat32 || (mask != nullptr && mask->dtype != DType::kFloat32))
    return bad("deformable_conv runs on float32 tensors");
  auto pair = [&](const char* name, int64_t dflt) -> Result<std::array<int64_t, 2>> {
    const auto v = op.ints_attr(name, {dflt, dflt});
    if (v.size() != 2) return bad(fmt::format("attribute '{}' must hold 2 values", name));
    return std::array<int64_t, 2>{v[0], v[1]};
  };
  DETPORT_ASSIGN(const auto strides, pair("strides", 1));
  DETPORT_ASSIGN(const auto pads, pair("paddings", 0));
  DETPORT_ASSIGN(const auto dils, pair("dilations", 1));
  DcnGeometry g{};
  g.n = x.dims[0];
  g.c = x.dims[1];
  g.h = x.dims[2];
  g.w = x.dims[3];
  g.m = filter.dims[0];
  g.cg = filter.dims[1];
  g.kh = filter.dims[2];
  g.kw = filter.dims[3];
  g.stride_h = strides[0];
  g.stride_w = strides[1];
  g.pad_h = pads[0];
  g.pad_w = pads[1];
  g.dil_h = dils[0];
  g.dil_w = dils[1];
  g.groups = op.int_attr("groups", 1);
  g.dg = op.int_attr("deformable_groups", 1);
  if (g.stride_h <= 0 || g.stride_w <= 0 || g.dil_h <= 0 || g.dil_w <= 0 || g.pad_h < 0 ||
      g.pad_w < 0)
    return bad("strides and dilations must be positive, paddings not negative");
  if (g.groups <= 0 || g.c != g.cg * g.groups || g.m % g.groups != 0)
    return bad(fmt::format("Filter {} does not fit Input {} with groups {}",
                           dims_to_string(filter.dims), dims_to_string(x.dims), g.groups));
  if (g.dg <= 0 || g.c % g.dg != 0)
    return bad(fmt::format("{} channels do not split into {} deformable groups", g.c, g.dg));
  g.ho = (g.h + 2 * g.pad_h - (g.dil_h * (g.kh - 1) + 1)) / g.stride_h + 1;
  g.wo = (g.w + 2 * g.pad_w - (g.dil_w * (g.kw - 1) + 1)) / g.stride_w + 1;
  if (g.ho <= 0 || g.wo <= 0) return bad("the output would be empty");
  const Dims want_offset{g.n, 2 * g.dg * g.kh * g.kw, g.ho, g.wo};
  if (offset.dims != want_offset)
    return bad(fmt::format("Offset is {}; {} expected", dims_to_string(offset.dims),
                           dims_to_string(want_offset)));
  if (mask != nullptr) {
    const Dims want_mask{g.n, g.dg * g.kh * g.kw, g.ho, g.wo};
    if (mask->dims != want_mask)
      return bad(fmt::format("Mask is {}; {} expected", dims_to_string(mask->dims),
                             dims_to_string(want_mask)));
  }
  return g;
}

const TensorMeta* mask_meta(const InferContext& ctx) {
  return ctx.op().type == "deformable_conv" && ctx.has_input("Mask") ? &ctx.input("Mask") : nullptr;
}

Status infer(InferContext& ctx) {
  for (const char* s : {"Input", "Offset", "Filter"}) DETPORT_TRY(require_input(ctx, s));
  if (ctx.op().type == "deformable_conv" && !ctx.has_input("Mask"))
    return ctx.error("deformable_conv (DCNv2) needs its Mask input");
  auto g = geometry(ctx.op(), ctx.input("Input"), ctx.input("Filter"), ctx.input("Offset"),
                    mask_meta(ctx));
  if (!g.ok()) return ctx.error(g.error().message);
  ctx.set_output("Output", {DType::kFloat32, {g->n, g->m, g->ho, g->wo}});
  return {};
}

// Paddle's DmcnIm2colBilinear on one channel plane.
float bilinear(const float* plane, int64_t height, int64_t width, float y, float x) {
  const int64_t y_low = static_cast<int64_t>(std::floor(y));
  const int64_t x_low = static_cast<int64_t>(std::floor(x));
  const int64_t y_high = y_low + 1, x_high = x_low + 1;
  const float ly = y - static_cast<float>(y_low), lx = x - static_cast<float>(x_low);
  const float hy = 1.0f - ly, hx = 1.0f - lx;
  const float v1 = (y_low >= 0 && x_low >= 0) ? plane[y_low * width + x_low] : 0.0f;
  const float v2 = (y_low >= 0 && x_high <= width - 1) ? plane[y_low * width + x_high] : 0.0f;
  const float v3 = (y_high <= height - 1 && x_low >= 0) ? plane[y_high * width + x_low] : 0.0f;
  const float v4 =
      (y_high <= height - 1 && x_high <= width - 1) ? plane[y_high * width + x_high] : 0.0f;
  return hy * hx * v1 + hy * lx * v2 + ly * hx * v3 + ly * lx * v4;
}

// The masked sample of channel c, tap (i, j), output (ho, wo) of image b.
struct Sampler {
  const DcnGeometry& g;
  const float* x;
  const float* offset;
  const float* mask;  // null for DCNv1
  float operator()(int64_t b, int64_t c, int64_t i, int64_t j, int64_t ho, int64_t wo) const {
    const int64_t group = c / (g.c / g.dg), taps = g.kh * g.kw, k = i * g.kw + j;
    const int64_t plane = g.ho * g.wo, at = ho * g.wo + wo;
    const float* off = offset + (b * g.dg + group) * 2 * taps * plane;
    const float dy = off[(2 * k) * plane + at], dx = off[(2 * k + 1) * plane + at];
    const float y = static_cast<float>(ho * g.stride_h - g.pad_h + i * g.dil_h) + dy;
    const float xx = static_cast<float>(wo * g.stride_w - g.pad_w + j * g.dil_w) + dx;
    float v = 0;
    if (y > -1 && xx > -1 && y < static_cast<float>(g.h) && xx < static_cast<float>(g.w))
      v = bilinear(x + (b * g.c + c) * g.h * g.w, g.h, g.w, y, xx);
    if (mask != nullptr) v *= mask[((b * g.dg + group) * taps + k) * plane + at];
    return v;
  }
};

// Validates the run-time tensors; returns the geometry.
Result<DcnGeometry> check(const KernelContext& ctx) {
  const Tensor* mask = ctx.op().type == "deformable_conv" ? &ctx.input("Mask") : nullptr;
  return geometry(ctx.op(), ctx.input("Input").meta(), ctx.input("Filter").meta(),
                  ctx.input("Offset").meta(), mask != nullptr ? &mask->meta() : nullptr);
}

Sampler sampler(const KernelContext& ctx, const DcnGeometry& g) {
  const bool v2 = ctx.op().type == "deformable_conv";
  return Sampler{g, ctx.input("Input").data<float>(), ctx.input("Offset").data<float>(),
                 v2 ? ctx.input("Mask").data<float>() : nullptr};
}

// The definition, one output at a time, accumulating in double.
class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    auto geo = check(ctx);
    if (!geo.ok()) return ctx.error(geo.error().message);
    const DcnGeometry& g = *geo;
    const Sampler s = sampler(ctx, g);
    const float* w = ctx.input("Filter").data<float>();
    float* out = ctx.output("Output").data<float>();
    const int64_t mg = g.m / g.groups;
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t m = 0; m < g.m; ++m)
        for (int64_t ho = 0; ho < g.ho; ++ho)
          for (int64_t wo = 0; wo < g.wo; ++wo) {
            double acc = 0;
            const int64_t c0 = (m / mg) * g.cg;
            for (int64_t c = 0; c < g.cg; ++c)
              for (int64_t i = 0; i < g.kh; ++i)
                for (int64_t j = 0; j < g.kw; ++j)
                  acc += static_cast<double>(w[((m * g.cg + c) * g.kh + i) * g.kw + j]) *
                         s(b, c0 + c, i, j, ho, wo);
            out[((b * g.m + m) * g.ho + ho) * g.wo + wo] = static_cast<float>(acc);
          }
    return {};
  }
};

// Deformable im2col (parallel over channels) then one oneDNN matmul per group.
class Optimized final : public Kernel {
 public:
  explicit Optimized(const KernelSpec& spec) {
    const TensorMeta* mask = spec.node.op.type == "deformable_conv" ? &spec.input("Mask") : nullptr;
    g_ = geometry(spec.node.op, spec.input("Input"), spec.input("Filter"), spec.input("Offset"),
                  mask)
             .value();
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    const int64_t mg = g_.m / g_.groups, k = g_.cg * g_.kh * g_.kw, p = g_.ho * g_.wo;
    const dnnl::memory::desc a({mg, k}, dt::f32, tag::ab), b({k, p}, dt::f32, tag::ab),
        c({mg, p}, dt::f32, tag::ab);
    pd_ = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), onednn_engine());
    prim_ = dnnl::matmul(pd_);
    a_ = dnnl::memory(a, onednn_engine(), nullptr);
    b_ = dnnl::memory(b, onednn_engine(), nullptr);
    c_ = dnnl::memory(c, onednn_engine(), nullptr);
    col_.resize(static_cast<std::size_t>(g_.c * g_.kh * g_.kw * p));
    impl_ = "native:im2col+" + onednn_impl(pd_.impl_info_str());
  }

  Status run(KernelContext& ctx) override {
    auto geo = check(ctx);
    if (!geo.ok()) return ctx.error(geo.error().message);
    const Sampler s = sampler(ctx, g_);
    const float* w = ctx.input("Filter").data<float>();
    float* out = ctx.output("Output").data<float>();
    const int64_t mg = g_.m / g_.groups, taps = g_.kh * g_.kw, k = g_.cg * taps;
    const int64_t p = g_.ho * g_.wo;
    for (int64_t b = 0; b < g_.n; ++b) {
      parallel_for(g_.c, 1, [&](int64_t c) {
        float* row = col_.data() + c * taps * p;
        for (int64_t i = 0; i < g_.kh; ++i)
          for (int64_t j = 0; j < g_.kw; ++j, row += p)
            for (int64_t ho = 0; ho < g_.ho; ++ho)
              for (int64_t wo = 0; wo < g_.wo; ++wo) row[ho * g_.wo + wo] = s(b, c, i, j, ho, wo);
      });
      for (int64_t grp = 0; grp < g_.groups; ++grp) {
        a_.set_data_handle(const_cast<float*>(w + grp * mg * k));
        b_.set_data_handle(col_.data() + grp * k * p);
        c_.set_data_handle(out + (b * g_.m + grp * mg) * p);
        prim_.execute(onednn_stream(),
                      {{DNNL_ARG_SRC, a_}, {DNNL_ARG_WEIGHTS, b_}, {DNNL_ARG_DST, c_}});
      }
      onednn_stream().wait();
    }
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  DcnGeometry g_{};
  dnnl::matmul::primitive_desc pd_;
  dnnl::matmul prim_;
  dnnl::memory a_, b_, c_;
  std::vector<float> col_;
  std::string impl_;
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<Optimized>(spec);
}

double flops(const KernelSpec& spec) {
  const TensorMeta& out = spec.output("Output");
  const TensorMeta& w = spec.input("Filter");
  return 2.0 * static_cast<double>(out.numel()) *
         static_cast<double>(w.dims[1] * w.dims[2] * w.dims[3]);
}

}  // namespace

void register_detection_deformable_conv(OpRegistry& r) {
  for (const char* type : {"deformable_conv", "deformable_conv_v1"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.flops = flops;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
