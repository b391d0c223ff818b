// Matrix products: matmul (v1), matmul_v2, mul and fc.
//  - matmul_v2 (phi MatmulInferMeta): numpy-style; a 1-D X is a row [1, K] and a 1-D Y a column
//    [K, 1] whose unit dim is dropped from the output (trans_x/trans_y ignored for them; both 1-D
//    gives [1]); batch dims broadcast (a dim of 1 against any).
//  - matmul (v1, fluid matmul_op.cc): a 1-D X is [1, K], a 1-D Y [K, 1], then transpose_X/Y
//    apply; rank >= 3 operands flatten their leading dims into one batch, which must be equal or
//    absent (rank 2); the output takes the batched operand's dims (X's first) with the last two
//    replaced by M, N; then a unit dim from a 1-D operand is dropped ([1] if nothing is left).
//    Out = alpha * X' Y'. fused_reshape/transpose attributes and head_number > 1 (oneDNN/MKL
//    only) are refused.
//  - mul: X flattened to 2-D at x_num_col_dims, Y at y_num_col_dims; Out dims are
//    X.dims[:x_num_col_dims] + Y.dims[y_num_col_dims:].
//  - fc: Input flattened at in_num_col_dims times W [K, N] plus Bias, then activation_type
//    ("" or "relu"); padding_weights is refused.
// The reference multiplies in double; the optimised kernel is a oneDNN matmul (strided
// descriptors for transposes and broadcast batches, alpha as an output scale, fc's bias and relu
// and fused unary activations as post-ops).
#include "runtime/kernels/kernel_util.h"
#include "runtime/kernels/onednn_util.h"

namespace detport::runtime::kernels {
namespace {

struct MatmulShape {
  Dims batch;             // output batch dims
  Dims x_batch, y_batch;  // the operands' batch dims aligned to `batch` (1 = broadcast)
  int64_t m = 1, n = 1, k = 1;
  bool tx = false, ty = false;  // the operand is stored [.., K, M] / [.., N, K]
  double alpha = 1;
  Dims out;
};

Error shape_error(std::string m) {
  return make_error(ErrorCode::kInvalidInput, std::move(m));
}

int64_t product(const Dims& d, std::size_t from, std::size_t to) {
  int64_t p = 1;
  for (std::size_t i = from; i < to; ++i) p *= d[i];
  return p;
}

Result<MatmulShape> matmul_v2_shape(const ir::Op& op, const Dims& x, const Dims& y) {
  if (x.empty() || y.empty()) return shape_error("X and Y must have at least one dim");
  MatmulShape s;
  const bool xv = x.size() == 1, yv = y.size() == 1;
  s.tx = !xv && op.bool_attr("trans_x", false);
  s.ty = !yv && op.bool_attr("trans_y", false);
  const Dims xm = xv ? Dims{1, x[0]} : x;
  const Dims ym = yv ? Dims{y[0], 1} : y;
  const std::size_t xr = xm.size(), yr = ym.size();
  s.m = s.tx ? xm[xr - 1] : xm[xr - 2];
  const int64_t kx = s.tx ? xm[xr - 2] : xm[xr - 1];
  const int64_t ky = s.ty ? ym[yr - 1] : ym[yr - 2];
  s.n = s.ty ? ym[yr - 2] : ym[yr - 1];
  if (kx != ky)
    return shape_error(fmt::format("X {} and Y {} do not multiply (K {} vs {})", dims_to_string(x),
                                   dims_to_string(y), kx, ky));
  s.k = kx;
  const std::size_t nb = std::max(xr, yr) - 2;
  s.batch.assign(nb, 1);
  s.x_batch.assign(nb, 1);
  s.y_batch.assign(nb, 1);
  for (std::size_t i = 0; i < xr - 2; ++i) s.x_batch[nb - (xr - 2) + i] = xm[i];
  for (std::size_t i = 0; i < yr - 2; ++i) s.y_batch[nb - (yr - 2) + i] = ym[i];
  for (std::size_t i = 0; i < nb; ++i) {
    const int64_t a = s.x_batch[i], b = s.y_batch[i];
    if (a != b && a != 1 && b != 1)
      return shape_error(fmt::format("batch dims of X {} and Y {} do not broadcast",
                                     dims_to_string(x), dims_to_string(y)));
    s.batch[i] = a == 1 ? b : a;
  }
  s.out = s.batch;
  if (!xv) s.out.push_back(s.m);
  if (!yv) s.out.push_back(s.n);
  if (xv && yv) s.out.push_back(1);
  return s;
}

Result<MatmulShape> matmul_v1_shape(const ir::Op& op, const Dims& x, const Dims& y) {
  if (x.empty() || y.empty()) return shape_error("X and Y must have at least one dim");
  for (const char* a : {"fused_reshape_X", "fused_reshape_Y", "fused_reshape_Out",
                        "fused_transpose_X", "fused_transpose_Y", "fused_transpose_Out"})
    if (!op.ints_attr(a).empty())
      return make_error(ErrorCode::kUnsupported,
                        fmt::format("matmul with {} (a oneDNN fusion) is not supported", a));
  if (op.int_attr("head_number", 1) > 1)
    return make_error(ErrorCode::kUnsupported, "matmul with head_number > 1 is not supported");
  MatmulShape s;
  s.alpha = op.float_attr("alpha", 1.0);
  const Dims xm = x.size() == 1 ? Dims{1, x[0]} : x;
  const Dims ym = y.size() == 1 ? Dims{y[0], 1} : y;
  s.tx = op.bool_attr("transpose_X", false);
  s.ty = op.bool_attr("transpose_Y", false);
  const std::size_t xr = xm.size(), yr = ym.size();
  const int64_t bx = xr > 2 ? product(xm, 0, xr - 2) : 0;
  const int64_t by = yr > 2 ? product(ym, 0, yr - 2) : 0;
  s.m = s.tx ? xm[xr - 1] : xm[xr - 2];
  const int64_t kx = s.tx ? xm[xr - 2] : xm[xr - 1];
  const int64_t ky = s.ty ? ym[yr - 1] : ym[yr - 2];
  s.n = s.ty ? ym[yr - 2] : ym[yr - 1];
  if (kx != ky)
    return shape_error(fmt::format("X {} and Y {} do not multiply (K {} vs {})", dims_to_string(x),
                                   dims_to_string(y), kx, ky));
  s.k = kx;
  if (bx != 0 && by != 0 && bx != by)
    return shape_error(fmt::format("X {} and Y {} have different batch sizes ({} vs {})",
                                   dims_to_string(x), dims_to_string(y), bx, by));
  if (bx != 0 || by != 0) {
    const int64_t b = bx != 0 ? bx : by;
    s.batch = {b};
    s.x_batch = {bx != 0 ? b : 1};
    s.y_batch = {by != 0 ? b : 1};
  }
  if (bx != 0)
    s.out = Dims(xm.begin(), xm.end() - 2);
  else if (by != 0)
    s.out = Dims(ym.begin(), ym.end() - 2);
  s.out.push_back(s.m);
  s.out.push_back(s.n);
  if (x.size() == 1 && s.out[s.out.size() - 2] == 1) {
    std::swap(s.out[s.out.size() - 2], s.out[s.out.size() - 1]);
    s.out.pop_back();
  }
  if (y.size() == 1 && s.out.back() == 1) s.out.pop_back();
  if (s.out.empty()) s.out = {1};
  return s;
}

// mul / fc: X flattened at `xn`, Y 2-D after flattening at `yn`.
Result<MatmulShape> flat_shape(const Dims& x, const Dims& y, int64_t xn, int64_t yn) {
  if (xn < 1 || xn >= static_cast<int64_t>(x.size()) || yn < 1 ||
      yn >= static_cast<int64_t>(y.size()))
    return shape_error(fmt::format("num_col_dims {} / {} do not split X {} and Y {}", xn, yn,
                                   dims_to_string(x), dims_to_string(y)));
  MatmulShape s;
  const auto xs = static_cast<std::size_t>(xn), ys = static_cast<std::size_t>(yn);
  s.m = product(x, 0, xs);
  s.k = product(x, xs, x.size());
  if (product(y, 0, ys) != s.k)
    return shape_error(fmt::format("X {} flattened has {} columns but Y {} has {} rows",
                                   dims_to_string(x), s.k, dims_to_string(y), product(y, 0, ys)));
  s.n = product(y, ys, y.size());
  s.out = Dims(x.begin(), x.begin() + xn);
  s.out.insert(s.out.end(), y.begin() + yn, y.end());
  return s;
}

const char* x_slot(const ir::Op& op) {
  return op.type == "fc" ? "Input" : "X";
}
const char* y_slot(const ir::Op& op) {
  return op.type == "fc" ? "W" : "Y";
}

Result<MatmulShape> shape_of(const ir::Op& op, const Dims& x, const Dims& y) {
  if (op.type == "matmul_v2") return matmul_v2_shape(op, x, y);
  if (op.type == "matmul") return matmul_v1_shape(op, x, y);
  if (op.type == "mul")
    return flat_shape(x, y, op.int_attr("x_num_col_dims", 1), op.int_attr("y_num_col_dims", 1));
  // fc
  if (op.bool_attr("padding_weights", false))
    return make_error(ErrorCode::kUnsupported, "fc with padding_weights is not supported");
  const std::string act = op.string_attr("activation_type", "");
  if (!act.empty() && act != "relu")
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("fc activation_type '{}' is not supported", act));
  if (y.size() != 2)
    return shape_error(fmt::format("W has dims {}; expected 2-D", dims_to_string(y)));
  return flat_shape(x, y, op.int_attr("in_num_col_dims", 1), 1);
}

Status infer(InferContext& ctx) {
  const ir::Op& op = ctx.op();
  DETPORT_TRY(require_input(ctx, x_slot(op)));
  DETPORT_TRY(require_input(ctx, y_slot(op)));
  const TensorMeta& x = ctx.input(x_slot(op));
  const TensorMeta& y = ctx.input(y_slot(op));
  if (x.dtype != y.dtype || (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat64))
    return ctx.error(fmt::format("operands are {} and {}; expected float32 or float64 of one type",
                                 ir::var_type_name(x.dtype), ir::var_type_name(y.dtype)));
  auto s = shape_of(op, x.dims, y.dims);
  if (!s.ok()) return ctx.error(s.error().message);
  if (op.type == "fc" && ctx.has_input("Bias") && ctx.input("Bias").numel() != s->n)
    return ctx.error(
        fmt::format("Bias has {} values; expected {}", ctx.input("Bias").numel(), s->n));
  ctx.set_output("Out", {x.dtype, s->out});
  return {};
}

// Element offset of batch `b` (row-major over s.batch) in an operand with batch dims `ob` and
// matrix size `mat`.
int64_t batch_offset(const MatmulShape& s, const Dims& ob, int64_t b, int64_t mat) {
  int64_t off = 0, stride = mat;
  for (int i = static_cast<int>(s.batch.size()) - 1; i >= 0; --i) {
    const auto u = static_cast<std::size_t>(i);
    const int64_t idx = b % s.batch[u];
    b /= s.batch[u];
    if (ob[u] != 1) off += idx * stride;
    stride *= ob[u];
  }
  return off;
}

template <typename T>
void reference_typed(const MatmulShape& s, const T* x, const T* y, const T* bias, bool relu,
                     T* out) {
  const int64_t batches = product(s.batch, 0, s.batch.size());
  for (int64_t b = 0; b < batches; ++b) {
    const T* a = x + batch_offset(s, s.x_batch, b, s.m * s.k);
    const T* w = y + batch_offset(s, s.y_batch, b, s.k * s.n);
    T* c = out + b * s.m * s.n;
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t j = 0; j < s.n; ++j) {
        double acc = 0;
        for (int64_t l = 0; l < s.k; ++l)
          acc += static_cast<double>(s.tx ? a[l * s.m + i] : a[i * s.k + l]) *
                 (s.ty ? w[j * s.k + l] : w[l * s.n + j]);
        acc *= s.alpha;
        if (bias != nullptr) acc += bias[j];
        if (relu) acc = std::max(acc, 0.0);
        c[i * s.n + j] = static_cast<T>(acc);
      }
  }
}

class Reference final : public Kernel {
 public:
  Status run(KernelContext& ctx) override {
    const ir::Op& op = ctx.op();
    const Tensor& x = ctx.input(x_slot(op));
    const Tensor& y = ctx.input(y_slot(op));
    auto s = shape_of(op, x.dims(), y.dims());
    if (!s.ok()) return ctx.error(s.error().message);
    const bool fc = op.type == "fc";
    const bool relu = fc && op.string_attr("activation_type", "") == "relu";
    const Tensor* bias = fc && ctx.has_input("Bias") ? &ctx.input("Bias") : nullptr;
    Tensor& out = ctx.output("Out");
    if (x.dtype() == DType::kFloat64)
      reference_typed<double>(*s, x.data<double>(), y.data<double>(),
                              bias ? bias->data<double>() : nullptr, relu, out.data<double>());
    else
      reference_typed<float>(*s, x.data<float>(), y.data<float>(),
                             bias ? bias->data<float>() : nullptr, relu, out.data<float>());
    return {};
  }
};

// oneDNN memory desc of an operand: logical [batch..., rows, cols] over storage that is
// [obatch..., rows, cols] or, transposed, [obatch..., cols, rows].
dnnl::memory::desc operand_desc(const Dims& ob, int64_t rows, int64_t cols, bool transposed) {
  dnnl::memory::dims dims(ob.begin(), ob.end()), strides(ob.size() + 2);
  dims.push_back(rows);
  dims.push_back(cols);
  const std::size_t r = dims.size();
  strides[r - 1] = transposed ? rows : 1;
  strides[r - 2] = transposed ? 1 : cols;
  int64_t stride = rows * cols;
  for (int i = static_cast<int>(ob.size()) - 1; i >= 0; --i) {
    strides[static_cast<std::size_t>(i)] = stride;
    stride *= ob[static_cast<std::size_t>(i)];
  }
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

class OneDnnMatmul final : public Kernel {
 public:
  explicit OneDnnMatmul(const KernelSpec& spec) {
    const ir::Op& op = spec.node.op;
    const MatmulShape s =
        shape_of(op, spec.input(x_slot(op)).dims, spec.input(y_slot(op)).dims).value();
    auto a = operand_desc(s.x_batch, s.m, s.k, s.tx);
    auto b = operand_desc(s.y_batch, s.k, s.n, s.ty);
    auto c = operand_desc(s.batch, s.m, s.n, false);
    dnnl::primitive_attr attr;
    if (s.alpha != 1.0) attr.set_output_scales(0, {static_cast<float>(s.alpha)});
    dnnl::post_ops ops;
    const bool fc = op.type == "fc";
    if (fc && op.string_attr("activation_type", "") == "relu")
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0, 0);
    for (const auto& f : spec.node.fused)
      for (const auto& e : eltwise_for(f.op)) ops.append_eltwise(1.0f, e.alg, e.alpha, e.beta);
    attr.set_post_ops(ops);
    has_bias_ = fc && spec.node.input_value("Bias") != kNoValue;
    // Bias [N] (or [1, N]) broadcast over every batch and row.
    dnnl::memory::desc bmd = operand_desc(Dims(s.batch.size(), 1), 1, s.n, false);
    auto desc = has_bias_ ? dnnl::matmul::desc(a, b, bmd, c) : dnnl::matmul::desc(a, b, c);
    pd_ = dnnl::matmul::primitive_desc(desc, attr, onednn_engine());
    prim_ = dnnl::matmul(pd_);
    a_ = dnnl::memory(a, onednn_engine(), nullptr);
    b_ = dnnl::memory(b, onednn_engine(), nullptr);
    c_ = dnnl::memory(c, onednn_engine(), nullptr);
    bias_ = dnnl::memory(bmd, onednn_engine(), nullptr);
    impl_ = onednn_impl(pd_.impl_info_str());
  }

  Status run(KernelContext& ctx) override {
    const ir::Op& op = ctx.op();
    a_.set_data_handle(const_cast<void*>(ctx.input(x_slot(op)).raw()));
    b_.set_data_handle(const_cast<void*>(ctx.input(y_slot(op)).raw()));
    c_.set_data_handle(ctx.output("Out").raw());
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, a_}, {DNNL_ARG_WEIGHTS, b_}, {DNNL_ARG_DST, c_}};
    if (has_bias_) {
      bias_.set_data_handle(const_cast<void*>(ctx.input("Bias").raw()));
      args.emplace(DNNL_ARG_BIAS, bias_);
    }
    prim_.execute(onednn_stream(), args);
    onednn_stream().wait();
    return {};
  }
  std::string impl() const override { return impl_; }

 private:
  dnnl::matmul::primitive_desc pd_;
  dnnl::matmul prim_;
  dnnl::memory a_, b_, c_, bias_;
  bool has_bias_ = false;
  std::string impl_;
};

std::unique_ptr<Kernel> make_reference(const KernelSpec&) {
  return std::make_unique<Reference>();
}
std::unique_ptr<Kernel> make_optimized(const KernelSpec& spec) {
  return std::make_unique<OneDnnMatmul>(spec);
}

bool supports(const KernelSpec& spec) {
  const ir::Op& op = spec.node.op;
  const TensorMeta& x = spec.input(x_slot(op));
  const TensorMeta& y = spec.input(y_slot(op));
  if (x.dtype != DType::kFloat32 || y.dtype != DType::kFloat32) return false;
  auto s = shape_of(op, x.dims, y.dims);
  // oneDNN matmul takes up to 12 dims; empty products have nothing to compute.
  return s.ok() && s->batch.size() + 2 <= 12 && s->m > 0 && s->n > 0 && s->k > 0;
}

bool can_fuse(const KernelSpec&, const ir::Op& op, const Graph&, const Node& fused_node) {
  // Unary activations only: binary post-ops would need descriptors of the output's rank.
  return !eltwise_for(op).empty() && fused_node.inputs.size() == 1;
}

double flops(const KernelSpec& spec) {
  const ir::Op& op = spec.node.op;
  auto s = shape_of(op, spec.input(x_slot(op)).dims, spec.input(y_slot(op)).dims);
  if (!s.ok()) return 0;
  return 2.0 * static_cast<double>(product(s->batch, 0, s->batch.size())) *
         static_cast<double>(s->m * s->n * s->k);
}

}  // namespace

void register_matmul(OpRegistry& r) {
  for (const char* type : {"matmul", "matmul_v2", "mul", "fc"}) {
    OpDef d;
    d.type = type;
    d.infer = infer;
    d.reference = make_reference;
    d.optimized = make_optimized;
    d.supports = supports;
    d.flops = flops;
    d.can_fuse = can_fuse;
    r.add(std::move(d));
  }
}

}  // namespace detport::runtime::kernels
