// channel_shuffle (Paddle's op, and what the fusion pass makes of the reshape2 -> transpose2
// [0,2,1,3,4] -> reshape2 pattern ShuffleNet-style backbones export): output channel i*g + j is
// input channel j*(C/g) + i. On NHWC data it permutes the channels of each pixel in place of
// leaving the channels-last region for three copies.
#include <cstring>

#include "runtime/kernels/strided_copy.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

// The channel axis of the op's logical dims: Paddle's data_format NHWC puts it last.
int channel_axis(const ir::Op& op) {
  return op.string_attr("data_format", "NCHW") == "NHWC" ? 3 : 1;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "X"));
  const TensorMeta& x = ctx.input("X");
  if (x.dims.size() != 4) return ctx.error("channel_shuffle takes 4-D tensors");
  const int64_t g = ctx.op().int_attr("groups", 1);
  const int64_t c = x.dims[static_cast<std::size_t>(channel_axis(ctx.op()))];
  if (g < 1 || c % g != 0)
    return ctx.error(fmt::format("{} channels do not split into {} groups", c, g));
  ctx.set_output("Out", x);
  return {};
}

// Reference: plain layout, output channel c = i*g + j reads input channel j*per + i.
class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    const int axis = channel_axis(ctx.op());
    const int64_t g = ctx.op().int_attr("groups", 1);
    const int64_t c = x.dim(axis), per = c / g;
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < 4; ++k) {
      if (k < axis) outer *= x.dim(k);
      if (k > axis) inner *= x.dim(k);
    }
    const std::size_t block = static_cast<std::size_t>(inner) * ir::dtype_size(x.dtype());
    const auto* src = static_cast<const unsigned char*>(x.raw());
    auto* dst = static_cast<unsigned char*>(out.raw());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t oc = 0; oc < c; ++oc) {
        const int64_t ic = (oc % g) * per + oc / g;
        std::memcpy(dst + static_cast<std::size_t>(o * c + oc) * block,
                    src + static_cast<std::size_t>(o * c + ic) * block, block);
      }
    return {};
  }
};

// Optimised: any storage order; the channel dim split into (i: per, j: g) on the output side.
class Optimized final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("X");
    Tensor& out = ctx.output("Out");
    const int axis = channel_axis(ctx.op());
    const int64_t g = ctx.op().int_attr("groups", 1);
    const int64_t per = x.dim(axis) / g;
    const auto xs = tensor_strides(x);
    const auto os = tensor_strides(out);
    const std::size_t es = ir::dtype_size(x.dtype());
    if (xs[static_cast<std::size_t>(axis)] == 1 && os[static_cast<std::size_t>(axis)] == 1 &&
        x.layout() == out.layout() && (es == 1 || es == 2 || es == 4 || es == 8))
      return pixels(x, out, g, per);
    Dims d;
    std::vector<int64_t> ss, ds;
    for (int k = 0; k < 4; ++k) {
      const auto uk = static_cast<std::size_t>(k);
      if (k == axis) {
        d.insert(d.end(), {per, g});
        ss.insert(ss.end(), {xs[uk], xs[uk] * per});
        ds.insert(ds.end(), {os[uk] * g, os[uk]});
      } else {
        d.push_back(x.dim(k));
        ss.push_back(xs[uk]);
        ds.push_back(os[uk]);
      }
    }
    strided_copy(d, x.raw(), ss, out.raw(), ds, ir::dtype_size(x.dtype()), true);
    return {};
  }
  std::string impl() const override { return "native:shuffle"; }

 private:
  // Channels innermost (NHWC storage): each pixel's g x per block is transposed to per x g.
  static Status pixels(const Tensor& x, Tensor& out, int64_t g, int64_t per) {
    const int64_t c = g * per, n = x.numel() / std::max<int64_t>(c, 1);
    auto run = [&]<typename T>() {
      const T* src = static_cast<const T*>(x.raw());
      T* dst = static_cast<T*>(out.raw());
      parallel_for((n + 255) / 256, 1, [&](int64_t b) {
        const int64_t p1 = std::min(n, (b + 1) * 256);
        for (int64_t p = b * 256; p < p1; ++p) {
          const T* s = src + p * c;
          T* t = dst + p * c;
          if (g == 2) {
            for (int64_t j = 0; j < per; ++j) {
              t[2 * j] = s[j];
              t[2 * j + 1] = s[per + j];
            }
          } else {
            for (int64_t i = 0; i < g; ++i)
              for (int64_t j = 0; j < per; ++j) t[j * g + i] = s[i * per + j];
          }
        }
      });
    };
    switch (ir::dtype_size(x.dtype())) {
      case 4:
        run.template operator()<uint32_t>();
        break;
      case 8:
        run.template operator()<uint64_t>();
        break;
      case 2:
        run.template operator()<uint16_t>();
        break;
      default:  // 1
        run.template operator()<uint8_t>();
        break;
    }
    return {};
  }
};

template <typename K>
std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<K>();
}

// Paddle's NCHW form (channels at axis 1) is the one that can be stored channels-last.
bool nhwc_ok(const KernelSpec& spec) {
  return channel_axis(spec.node.op) == 1;
}

}  // namespace

void register_channel_shuffle(OpRegistry& r) {
  OpDef d;
  d.type = "channel_shuffle";
  d.infer = infer;
  d.reference = make<Reference>;
  d.optimized = make<Optimized>;
  d.nhwc_ok = nhwc_ok;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
