// detport.to_nhwc / detport.to_nchw: the conversions the layout pass inserts at the borders of
// channels-last regions. Logical dims stay [N,C,H,W]; only the storage order changes.
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/onednn_util.h"

namespace detport::runtime::kernels {
namespace {

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  if (ctx.input("X").dims.size() != 4) return ctx.error("layout conversions take 4-D tensors");
  ctx.set_output("Out", ctx.input("X"));
  return {};
}

// Copies between storage orders with a oneDNN reorder (any element type it knows).
class Convert final : public Kernel {
 public:
  explicit Convert(bool to_nhwc) : to_nhwc_(to_nhwc) {}
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& y = ctx.output("Out");
    if (x.numel() == 0) return {};
    dnnl::memory::data_type dt;
    switch (ir::dtype_size(x.dtype())) {
      case 4:
        dt = x.dtype() == DType::kInt32 ? dnnl::memory::data_type::s32
                                        : dnnl::memory::data_type::f32;
        break;
      case 1:
        dt = dnnl::memory::data_type::u8;
        break;
      default: {
        // Other widths: the plain loop.
        Tensor r = to_layout(x.with_layout(to_nhwc_ ? Layout::kPlain : Layout::kNhwc),
                             to_nhwc_ ? Layout::kNhwc : Layout::kPlain);
        std::memcpy(y.raw(), r.raw(), r.bytes());
        return {};
      }
    }
    dnnl::memory::dims d(x.dims().begin(), x.dims().end());
    const auto from = to_nhwc_ ? dnnl::memory::format_tag::nchw : dnnl::memory::format_tag::nhwc;
    const auto to = to_nhwc_ ? dnnl::memory::format_tag::nhwc : dnnl::memory::format_tag::nchw;
    dnnl::memory src({d, dt, from}, onednn_engine(), const_cast<void*>(x.raw()));
    dnnl::memory dst({d, dt, to}, onednn_engine(), y.raw());
    dnnl::reorder(src, dst).execute(onednn_stream(), src, dst);
    onednn_stream().wait();
    return {};
  }
  std::string impl() const override { return "onednn:reorder"; }

 private:
  bool to_nhwc_;
};

std::unique_ptr<Kernel> make_to_nhwc(const KernelSpec&) {
  return std::make_unique<Convert>(true);
}
std::unique_ptr<Kernel> make_to_nchw(const KernelSpec&) {
  return std::make_unique<Convert>(false);
}

}  // namespace

void register_layout(OpRegistry& r) {
  OpDef to_nhwc;
  to_nhwc.type = "detport.to_nhwc";
  to_nhwc.infer = infer;
  to_nhwc.reference = make_to_nhwc;
  to_nhwc.foldable = false;
  r.add(to_nhwc);
  OpDef to_nchw = to_nhwc;
  to_nchw.type = "detport.to_nchw";
  to_nchw.reference = make_to_nchw;
  r.add(to_nchw);
}

}  // namespace detport::runtime::kernels
