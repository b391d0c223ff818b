// set_value: Out is Input with a strided region overwritten by ValueTensor or by constant values
// from the attributes (the typed *_values lists of Paddle <= 2.4 or, from op version 4, the SCALARS
// `values`), broadcast numpy-style to the region. What inference programs use: x[..., a:b] = v.
// Index rules are strided_slice's (Paddle's CheckAndUpdateSliceAttrs with steps); decrease_axes
// and none_axes only change how the value's dims line up with the region.
#include "runtime/kernels/strided_copy.h"
#include "runtime/kernels/tensor_util.h"

namespace detport::runtime::kernels {
namespace {

struct Region {
  Dims counts;  // per input dim
  std::vector<int64_t> first, step;
};

template <typename Ctx>
Result<std::optional<Region>> region(const Ctx& c, const Dims& x) {
  using R = std::optional<Region>;
  const IntList starts = int_list(c, {"StartsTensorList"}, "starts");
  const IntList ends = int_list(c, {"EndsTensorList"}, "ends");
  const IntList steps = int_list(c, {"StepsTensorList"}, "steps");
  if (!starts.known || !ends.known || !steps.known) return R();
  const auto axes = c.op().ints_attr("axes");
  if (starts.values.size() != axes.size() || ends.values.size() != axes.size() ||
      (!steps.values.empty() && steps.values.size() != axes.size()))
    return c.error(fmt::format("{} axes but {} starts, {} ends, {} steps", axes.size(),
                               starts.values.size(), ends.values.size(), steps.values.size()));
  Region r;
  r.counts = x;
  r.first.assign(x.size(), 0);
  r.step.assign(x.size(), 1);
  for (std::size_t i = 0; i < axes.size(); ++i) {
    DETPORT_ASSIGN(const int k, axis_arg(c, axes[i], static_cast<int>(x.size()), "axes entry"));
    const int64_t dim = x[static_cast<std::size_t>(k)];
    const int64_t step = steps.values.empty() ? 1 : steps.values[i];
    if (step == 0) return c.error("a step is 0");
    int64_t start = starts.values[i], end = ends.values[i];
    if (dim > 0) {
      if (start < 0) start += dim;
      start = std::max<int64_t>(start, 0);
      if (step > 0 && end < 0) end += dim;
      end = std::min(end, dim);
      if (step > 0) {
        start = std::min(start, dim);
        end = std::max<int64_t>(end, 0);
        if (end < start) return c.error(fmt::format("end {} is before start {}", end, start));
      } else {
        start = std::min(start, dim - 1);
        if (end < -1) end += dim;
        end = std::max<int64_t>(end, -1);
        if (start < end) return c.error(fmt::format("start {} is before end {}", start, end));
      }
    } else {
      start = end = 0;
    }
    const int64_t n = step > 0 ? (end - start + step - 1) / step : (end - start + step + 1) / step;
    r.counts[static_cast<std::size_t>(k)] = n;
    r.first[static_cast<std::size_t>(k)] = start;
    r.step[static_cast<std::size_t>(k)] = step;
  }
  return R(std::move(r));
}

// The value's strides over the region's dims (0 where it broadcasts), or an error.
template <typename Ctx>
Result<std::vector<int64_t>> value_strides(const Ctx& c, const Region& r, const Dims& value) {
  const auto decrease = c.op().ints_attr("decrease_axes");
  const auto none = c.op().ints_attr("none_axes");
  const int rank = static_cast<int>(r.counts.size());
  std::vector<bool> dropped(r.counts.size(), false);
  for (int64_t a : decrease) {
    DETPORT_ASSIGN(const int k, axis_arg(c, a, rank, "decrease_axes entry"));
    dropped[static_cast<std::size_t>(k)] = true;
  }
  // The region as the value sees it: decreased axes gone, a 1 at each none axis. Each entry
  // remembers the region dim it stands for (-1 for none axes).
  std::vector<int> of;
  for (int k = 0; k < rank; ++k)
    if (!dropped[static_cast<std::size_t>(k)]) of.push_back(k);
  for (int64_t a : none) {
    if (a < 0 || a > static_cast<int64_t>(of.size())) return c.error("none_axes out of range");
    of.insert(of.begin() + a, -1);
  }
  if (value.size() > of.size())
    return c.error(fmt::format("a value of dims {} does not fit a region of rank {}",
                               dims_to_string(value), of.size()));
  std::vector<int64_t> out(r.counts.size(), 0);
  const auto vs = strides_of(value);
  const std::size_t lead = of.size() - value.size();
  for (std::size_t j = 0; j < value.size(); ++j) {
    const int k = of[lead + j];
    const int64_t want = k < 0 ? 1 : r.counts[static_cast<std::size_t>(k)];
    if (value[j] != want && value[j] != 1)
      return c.error(fmt::format("a value of dims {} does not broadcast to the region {}",
                                 dims_to_string(value), dims_to_string(r.counts)));
    if (k >= 0 && value[j] != 1) out[static_cast<std::size_t>(k)] = vs[j];
  }
  return out;
}

// The constant value from the attributes, converted to the input's type.
Result<Tensor> attr_value(const KernelContext& ctx, DType dtype) {
  const ir::Op& op = ctx.op();
  std::vector<double> v;
  std::vector<int64_t> iv;
  bool integral = false;
  if (const ir::Attribute* a = op.attr("values");
      a != nullptr && a->kind() == ir::AttrKind::kScalars) {
    v = a->as_doubles().value_or(std::vector<double>{});
    if (auto ints = a->as_ints()) iv = *ints, integral = true;
  } else {
    for (const char* name :
         {"fp32_values", "fp64_values", "int32_values", "int64_values", "bool_values"}) {
      const ir::Attribute* a2 = op.attr(name);
      if (a2 == nullptr) continue;
      auto d = a2->as_doubles();
      if (!d || d->empty()) {
        if (auto b = a2->as_ints(); b && !b->empty()) d = std::vector<double>(b->begin(), b->end());
      }
      if (d && !d->empty()) {
        v = *d;
        if (std::string(name).find("int") != std::string::npos)
          iv = op.ints_attr(name), integral = true;
        break;
      }
    }
  }
  Dims shape = op.ints_attr("shape");
  if (shape.empty() && v.size() == 1) shape = {1};
  if (numel_of(shape) != static_cast<int64_t>(v.size()))
    return ctx.error(fmt::format("{} values for the shape {}", v.size(), dims_to_string(shape)));
  Tensor t = Tensor::empty(dtype, shape);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (integral && dtype == DType::kInt64)
      t.data<int64_t>()[i] = iv[i];  // exact beyond 2^53
    else
      store_double(t, static_cast<int64_t>(i), v[i]);
  }
  return t;
}

Status infer(InferContext& ctx) {
  DETPORT_TRY(require_input(ctx, "Input"));
  ctx.set_output("Out", ctx.input("Input"));
  return {};
}

class SetValue final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const Tensor& x = ctx.input("Input");
    Tensor& out = ctx.output("Out");
    if (out.raw() != x.raw() && x.bytes() > 0) std::memcpy(out.raw(), x.raw(), x.bytes());
    DETPORT_ASSIGN(auto r, region(ctx, x.dims()));
    if (!r) return ctx.error("an input this op needs has no value");
    if (numel_of(r->counts) == 0) return {};
    Tensor value;
    if (ctx.has_input("ValueTensor")) {
      const Tensor& v = ctx.input("ValueTensor");
      if (v.dtype() == x.dtype()) {
        value = v;
      } else {
        value = Tensor::empty(x.dtype(), v.dims());
        for (int64_t i = 0; i < v.numel(); ++i) store_double(value, i, element_as_double(v, i));
      }
    } else {
      DETPORT_ASSIGN(value, attr_value(ctx, x.dtype()));
    }
    DETPORT_ASSIGN(auto vs, value_strides(ctx, *r, value.dims()));
    const auto xs = strides_of(x.dims());
    std::vector<int64_t> ds(xs.size());
    int64_t offset = 0;
    for (std::size_t k = 0; k < xs.size(); ++k) {
      ds[k] = xs[k] * r->step[k];
      offset += r->first[k] * xs[k];
    }
    const std::size_t es = ir::dtype_size(x.dtype());
    strided_copy(r->counts, value.raw(), vs,
                 static_cast<unsigned char*>(out.raw()) + offset * static_cast<int64_t>(es), ds, es,
                 false);
    return {};
  }
};

std::unique_ptr<Kernel> make(const KernelSpec&) {
  return std::make_unique<SetValue>();
}

}  // namespace

void register_set_value(OpRegistry& r) {
  OpDef d;
  d.type = "set_value";
  d.infer = infer;
  d.reference = make;
  r.add(std::move(d));
}

}  // namespace detport::runtime::kernels
