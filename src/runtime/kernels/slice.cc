// slice and strided_slice. Starts/ends (and strides) come from attributes or tensors
// (StartsTensor, StartsTensorList, ...); `infer_flags` only marks, for Paddle's compile-time shape
// inference, which came from tensors, so it is ignored once the values are known. `decrease_axis`
// drops sliced axes of size 1 (all dropped: 0-D on Paddle 2.5+, [1] before; the declared rank
// decides, tensor_util.h).
//
// Index rules follow Paddle's (phi slice_utils.h, strided_slice_kernel_impl.h): negative indices
// count from the end, then clamp to the dim; for slice an end before the start is an error; for
// strided_slice a negative stride walks backwards, end -1 with a negative stride meaning "through
// index 0".
#include "runtime/kernels/strided_copy.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

// What one output axis reads: `count` elements of x from `first`, `step` apart.
struct AxisSel {
  int64_t first = 0, step = 1, count = 0;
};

struct Selection {
  std::vector<AxisSel> axes;  // one per input dim
  Dims out;                   // after decrease_axis
};

// Plain slice (step 1), Paddle's CheckAndUpdateSliceAttrs and GetSliceDims.
template <typename Ctx>
Result<AxisSel> slice_axis(const Ctx& c, int64_t dim, int64_t start, int64_t end) {
  if (dim <= 0) return AxisSel{0, 1, 0};
  if (start < 0) start += dim;
  start = std::min(std::max<int64_t>(start, 0), dim);
  if (end < 0) end += dim;
  end = std::max<int64_t>(std::min(end, dim), 0);
  if (end < start)
    return c.error(fmt::format("the slice ends ({}) before it starts ({})", end, start));
  return AxisSel{start, 1, end - start};
}

// strided_slice, Paddle's StridedSliceOutDims and StridedSliceFunctor.
template <typename Ctx>
Result<AxisSel> strided_axis(const Ctx& c, int64_t dim, int64_t start, int64_t end, int64_t stride,
                             bool last_of_decreased) {
  if (stride == 0) return c.error("a stride is 0");
  if (last_of_decreased) {
    // x[-1] with a tensor index (start -1, end 0, infer flag -1, decreased): the last element.
    return AxisSel{dim - 1, 1, dim > 0 ? 1 : 0};
  }
  if (start < 0) start = std::max<int64_t>(start + dim, 0);
  if (end < 0 && !(end == -1 && stride < 0)) end = std::max<int64_t>(end + dim, 0);
  int64_t s = start, e = end;
  if (stride < 0) ++s, ++e;
  if ((stride < 0 && s < e) || (stride > 0 && s > e))
    return c.error(fmt::format("start {} and end {} do not suit stride {}", start, end, stride));
  const int64_t left = std::max<int64_t>(0, std::min(s, e));
  const int64_t right = std::min(dim, std::max(s, e));
  const int64_t step = std::abs(stride);
  const int64_t count = std::max<int64_t>(0, (right - left + step - 1) / step);
  if (stride > 0) return AxisSel{std::min(start, dim), stride, count};
  // Backwards: Paddle takes the forward run that ends on the last index <= min(start, dim - 1)
  // congruent to it, then reverses it.
  const int64_t top = std::min(dim - 1, start);
  return AxisSel{top, stride, count};
}

template <typename Ctx>
Result<std::optional<Selection>> select(const Ctx& c, const Dims& x, bool one_d) {
  using R = std::optional<Selection>;
  const bool strided = c.op().type == "strided_slice";
  const IntList starts = int_list(c, {"StartsTensor", "StartsTensorList"}, "starts");
  const IntList ends = int_list(c, {"EndsTensor", "EndsTensorList"}, "ends");
  IntList strides;
  if (strided) strides = int_list(c, {"StridesTensor", "StridesTensorList"}, "strides");
  if (!starts.known || !ends.known || !strides.known) return R();
  const auto axes = c.op().ints_attr("axes");
  const auto flags = c.op().ints_attr("infer_flags");
  const auto decrease = c.op().ints_attr("decrease_axis");
  if (starts.values.size() != axes.size() || ends.values.size() != axes.size() ||
      (strided && strides.values.size() != axes.size()))
    return c.error(fmt::format("{} axes but {} starts, {} ends{}", axes.size(),
                               starts.values.size(), ends.values.size(),
                               strided ? fmt::format(", {} strides", strides.values.size()) : ""));
  const int rank = static_cast<int>(x.size());
  Selection sel;
  for (int64_t d : x) sel.axes.push_back({0, 1, d});
  std::vector<bool> dropped(x.size(), false);
  for (int64_t a : decrease) {
    DETPORT_ASSIGN(const int k, axis_arg(c, a, rank, "decrease_axis entry"));
    dropped[static_cast<std::size_t>(k)] = true;
  }
  for (std::size_t i = 0; i < axes.size(); ++i) {
    DETPORT_ASSIGN(const int k, axis_arg(c, axes[i], rank, "axes entry"));
    const int64_t dim = x[static_cast<std::size_t>(k)];
    AxisSel s;
    if (strided) {
      const bool last = starts.values[i] == -1 && ends.values[i] == 0 && i < flags.size() &&
                        flags[i] == -1 && dropped[static_cast<std::size_t>(k)];
      DETPORT_ASSIGN(
          s, strided_axis(c, dim, starts.values[i], ends.values[i], strides.values[i], last));
    } else {
      DETPORT_ASSIGN(s, slice_axis(c, dim, starts.values[i], ends.values[i]));
    }
    sel.axes[static_cast<std::size_t>(k)] = s;
  }
  for (int k = 0; k < rank; ++k) {
    const int64_t n = sel.axes[static_cast<std::size_t>(k)].count;
    if (!dropped[static_cast<std::size_t>(k)]) {
      sel.out.push_back(n);
    } else if (n != 1) {
      return c.error(
          fmt::format("decrease_axis drops axis {}, which has {} elements, not 1", k, n));
    }
  }
  if (sel.out.empty() && !decrease.empty()) sel.out = scalar_dims(one_d);
  return R(std::move(sel));
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  const TensorMeta& x = ctx.input("Input");
  DETPORT_ASSIGN(auto sel, select(ctx, x.dims, declared_1d(ctx)));
  if (sel) {
    ctx.set_output("Out", {x.dtype, sel->out});
    return {};
  }
  const std::size_t rank = x.dims.size() - ctx.op().ints_attr("decrease_axis").size();
  ctx.set_dynamic_output("Out", 0, {x.dtype, Dims(rank, -1)});
  return {};
}

template <bool kOptimized>
class Slice final : public Kernel {
 public:
  explicit Slice(bool one_d) : one_d_(one_d) {}
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("Input");
    DETPORT_ASSIGN(auto sel, select(ctx, x.dims(), one_d_));
    if (!sel) return ctx.error("an input this op needs has no value");
    Tensor& out = output_for(ctx, "Out", 0, x.dtype(), sel->out);
    const std::size_t es = ir::dtype_size(x.dtype());
    const auto xs = kOptimized ? tensor_strides(x) : strides_of(x.dims());
    Dims counts;
    std::vector<int64_t> src_strides;
    int64_t offset = 0;
    for (std::size_t k = 0; k < sel->axes.size(); ++k) {
      const AxisSel& a = sel->axes[k];
      counts.push_back(a.count);
      src_strides.push_back(a.step * xs[k]);
      offset += a.first * xs[k];
    }
    if (numel_of(counts) == 0) return {};
    const auto* src =
        static_cast<const unsigned char*>(x.raw()) + offset * static_cast<int64_t>(es);
    // The output as a view over all input dims: decreased axes have one element (any stride).
    std::vector<int64_t> dst_strides;
    const auto os = kOptimized ? tensor_strides(out) : strides_of(out.dims());
    if (counts.size() == os.size()) {
      dst_strides = os;
    } else {
      dst_strides = strides_of(counts);
    }
    if (kOptimized) {
      strided_copy(counts, src, src_strides, out.raw(), dst_strides, es, true);
      return {};
    }
    auto* dst = static_cast<unsigned char*>(out.raw());
    std::vector<int64_t> coord(counts.size(), 0);
    for (int64_t o = 0; o < numel_of(counts); ++o) {
      int64_t s = 0, d = 0;
      for (std::size_t k = 0; k < counts.size(); ++k) {
        s += coord[k] * src_strides[k];
        d += coord[k] * dst_strides[k];
      }
      std::memcpy(dst + d * static_cast<int64_t>(es), src + s * static_cast<int64_t>(es), es);
      for (int k = static_cast<int>(counts.size()) - 1; k >= 0; --k) {
        if (++coord[static_cast<std::size_t>(k)] < counts[static_cast<std::size_t>(k)]) break;
        coord[static_cast<std::size_t>(k)] = 0;
      }
    }
    return {};
  }
  std::string impl() const override { return kOptimized ? "native:strided_copy" : "reference"; }

 private:
  bool one_d_;
};

template <bool kOptimized>
std::unique_ptr<Kernel> make(const KernelSpec& spec) {
  return std::make_unique<Slice<kOptimized>>(declared_1d(spec));
}

// 4-D slices without dropped axes (e.g. cropping H/W or picking channels) keep NHWC.
bool nhwc_ok(const KernelSpec& spec) {
  return spec.input("Input").dims.size() == 4 && spec.output("Out").dims.size() == 4;
}

}  // namespace

void register_slice(OpRegistry& r) {
  for (const char* type : {"slice", "strided_slice"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make<false>;
    d.optimized = make<true>;
    d.nhwc_ok = nhwc_ok;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
