// softmax, log_softmax, matmul, matmul_v2, mul, bmm, reduce_*, mean, sum, arg_max/arg_min,
// top_k/top_k_v2, cumsum, dropout, p_norm.
#include <fmt/format.h>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

constexpr int32_t kI64 = onnx::TensorProto_DataType_INT64;
constexpr int32_t kI32 = onnx::TensorProto_DataType_INT32;

Support check_ranked(const OpView& v) {
  if (!v.in_meta("X").known) return Support::no("the rank of X is not declared");
  return {};
}

// Softmax over one axis. Before opset 13 ONNX's Softmax flattens the dims from `axis` on, which
// is the same only for the last axis: other axes are moved last and back.
Status emit_softmax(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const std::string onnx_op = c.op().type == "log_softmax" ? "LogSoftmax" : "Softmax";
  const int64_t r = c.in_meta("X").rank();
  const int64_t axis = norm_axis(c.op().int_attr("axis", -1), r);
  if (r == 0) {
    c.emit1(onnx_op, {x}, {attr("axis", int64_t{0})});
    return {};
  }
  if (axis == r - 1 || c.opset() >= 13) {
    c.emit1(onnx_op, {x}, {attr("axis", axis == r - 1 ? int64_t{-1} : axis)});
    return {};
  }
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < r; ++i) perm.push_back(i);
  std::swap(perm[static_cast<std::size_t>(axis)], perm.back());
  auto& g = c.g();
  const std::string t = g.op("Transpose", {x}, {attr("perm", perm)});
  const std::string s = g.op(onnx_op, {t}, {attr("axis", int64_t{-1})});
  c.emit1("Transpose", {s}, {attr("perm", perm)});
  return {};
}

std::string transpose_last2(Graph& g, const std::string& x, int64_t rank) {
  std::vector<int64_t> perm;
  for (int64_t i = 0; i < rank; ++i) perm.push_back(i);
  std::swap(perm[static_cast<std::size_t>(rank - 1)], perm[static_cast<std::size_t>(rank - 2)]);
  return g.op("Transpose", {x}, {attr("perm", perm)});
}

Support check_matmul(const OpView& v) {
  if (!v.in_meta("X").known || !v.in_meta("Y").known)
    return Support::no("the ranks of X and Y are not declared");
  if (v.op().int_attr("head_number", 1) != 1) return Support::no("head_number != 1");
  return {};
}

Status emit_matmul(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string y, c.in("Y"));
  const bool v2 = c.op().type == "matmul_v2";
  const bool tx = c.op().bool_attr(v2 ? "trans_x" : "transpose_X", false);
  const bool ty = c.op().bool_attr(v2 ? "trans_y" : "transpose_Y", false);
  const int64_t rx = c.in_meta("X").rank(), ry = c.in_meta("Y").rank();
  auto& g = c.g();
  if (tx && rx >= 2) x = transpose_last2(g, x, rx);
  if (ty && ry >= 2) y = transpose_last2(g, y, ry);
  const double alpha = v2 ? 1.0 : c.op().float_attr("alpha", 1.0);
  if (alpha == 1.0) {
    c.emit1("MatMul", {x, y});
    return {};
  }
  DETPORT_ASSIGN(std::string a, g.typed(c.in_meta("X").dtype, {}, {alpha}));
  c.emit1("Mul", {g.op("MatMul", {x, y}), a});
  return {};
}

// mul: X flattened to 2-D at x_num_col_dims, times Y flattened at y_num_col_dims; the result
// takes X's leading dims and Y's trailing dims.
Support check_mul(const OpView& v) {
  const VarMeta y = v.in_meta("Y");
  if (!v.in_meta("X").known || !y.known) return Support::no("X and Y dims are not declared");
  const int64_t yn = v.op().int_attr("y_num_col_dims", 1);
  for (int64_t d = 0; d < y.rank(); ++d)
    if (y.dims[static_cast<std::size_t>(d)] < 0) return Support::no("Y has dynamic dims");
  (void)yn;
  return {};
}

Status emit_mul(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string y, c.in("Y"));
  const VarMeta xm = c.in_meta("X"), ym = c.in_meta("Y");
  const int64_t xn = c.op().int_attr("x_num_col_dims", 1);
  const int64_t yn = c.op().int_attr("y_num_col_dims", 1);
  auto& g = c.g();
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < ym.rank(); ++d)
    (d < yn ? rows : cols) *= ym.dims[static_cast<std::size_t>(d)];
  std::string y2 = ym.rank() == 2 && yn == 1 ? y : g.reshape(y, {rows, cols});
  std::string x2 = xm.rank() == 2 && xn == 1 ? x : g.op("Flatten", {x}, {attr("axis", xn)});
  std::string out = g.op("MatMul", {x2, y2});
  if (xm.rank() == 2 && xn == 1 && ym.rank() == 2) {
    c.set_out("Out", out);
    return {};
  }
  std::vector<int64_t> tail(ym.dims.begin() + yn, ym.dims.end());
  c.emit1("Reshape", {out, g.concat({g.shape_slice(x, 0, xn), g.i64s(tail)}, 0)});
  return {};
}

struct Reduce {
  const char* paddle;
  const char* onnx;
};
constexpr Reduce kReduce[] = {{"reduce_sum", "ReduceSum"},   {"reduce_mean", "ReduceMean"},
                              {"reduce_max", "ReduceMax"},   {"reduce_min", "ReduceMin"},
                              {"reduce_prod", "ReduceProd"}, {"reduce_all", "ReduceMin"},
                              {"reduce_any", "ReduceMax"}};

Status emit_reduce(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const std::string& type = c.op().type;
  const char* onnx_op = "ReduceSum";
  for (const auto& r : kReduce)
    if (type == r.paddle) onnx_op = r.onnx;
  const VarMeta xm = c.in_meta("X");
  const bool keep = c.op().bool_attr("keep_dim", false);
  std::vector<int64_t> axes;
  if (!c.op().bool_attr("reduce_all", false)) {
    auto dims = c.int_list("dim", "", "");
    if (dims) axes = *dims;
  }
  for (auto& a : axes) a = norm_axis(a, xm.rank());
  if (static_cast<int64_t>(axes.size()) == xm.rank()) axes.clear();  // all
  auto& g = c.g();
  const bool boolean = type == "reduce_all" || type == "reduce_any";
  if (boolean) x = g.cast(x, kI32);
  std::string y = g.reduce(onnx_op, x, axes, keep);
  if (boolean) y = g.cast(y, onnx::TensorProto_DataType_BOOL);
  // Reducing everything gives 0-D in ONNX; Paddle before 2.5 declares [1].
  const VarMeta out = c.out_meta("Out");
  if (!keep && axes.empty() && out.known && out.rank() == 1) y = g.reshape(y, {1});
  c.set_out("Out", y);
  return {};
}

Status emit_mean(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  std::string y = c.g().reduce("ReduceMean", x, {}, false);
  const VarMeta out = c.out_meta("Out");
  if (out.known && out.rank() == 1) y = c.g().reshape(y, {1});
  c.set_out("Out", y);
  return {};
}

Status emit_sum(MapContext& c) {
  DETPORT_ASSIGN(auto xs, c.ins("X"));
  c.emit1(xs.size() == 1 ? "Identity" : "Sum", xs);
  return {};
}

Status emit_arg(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto& g = c.g();
  int64_t axis = c.op().int_attr("axis", -1);
  if (c.op().bool_attr("flatten", false)) {
    x = g.reshape(x, {-1});
    axis = 0;
  }
  const std::string y =
      g.op(c.op().type == "arg_max" ? "ArgMax" : "ArgMin", {x},
           {attr("axis", axis), attr("keepdims", int64_t{c.op().bool_attr("keepdims", false)})});
  // dtype 2 = int32, 3 = int64 (the default).
  if (c.op().int_attr("dtype", 3) == 2)
    c.emit1("Cast", {y}, {attr("to", int64_t{kI32})});
  else
    c.set_out("Out", y);
  return {};
}

Status emit_top_k(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto& g = c.g();
  std::string k;
  if (c.has_in("K")) {
    const Known* kk = c.known("K");
    if (kk != nullptr && kk->full()) {
      k = g.i64s({kk->ints().front()});
    } else {
      DETPORT_ASSIGN(k, c.in("K"));
      k = g.reshape(g.cast(k, kI64), {1});
    }
  } else {
    k = g.i64s({c.op().int_attr("k", 1)});
  }
  const bool v2 = c.op().type == "top_k_v2";
  Attrs attrs{attr("axis", v2 ? c.op().int_attr("axis", -1) : int64_t{-1})};
  if (v2) {
    attrs.push_back(attr("largest", int64_t{c.op().bool_attr("largest", true)}));
    attrs.push_back(attr("sorted", int64_t{c.op().bool_attr("sorted", true)}));
  }
  auto outs = g.add("TopK", {x, k}, 2, attrs);
  c.set_out("Out", 0, outs[0]);
  c.set_out("Indices", 0, outs[1]);
  return {};
}

Status emit_cumsum(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto& g = c.g();
  int64_t axis = c.op().int_attr("axis", -1);
  if (c.op().bool_attr("flatten", false)) {
    x = g.reshape(x, {-1});
    axis = 0;
  }
  c.emit1("CumSum", {x, g.i64(axis)},
          {attr("exclusive", int64_t{c.op().bool_attr("exclusive", false)}),
           attr("reverse", int64_t{c.op().bool_attr("reverse", false)})});
  return {};
}

// At inference Paddle's dropout is x * (1 - p) ("downgrade_in_infer", the default) or x.
Status emit_dropout(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const std::string impl = c.op().string_attr("dropout_implementation", "downgrade_in_infer");
  const double p = c.op().float_attr("dropout_prob", 0.5);
  if (impl == "upscale_in_train" || p == 0.0) {
    c.emit1("Identity", {x});
    return {};
  }
  DETPORT_ASSIGN(std::string k, c.g().typed(c.in_meta("X").dtype, {}, {1.0 - p}));
  c.emit1("Mul", {x, k});
  return {};
}

Support check_p_norm(const OpView& v) {
  const double p = v.op().float_attr("porder", 2.0);
  if (p != 1.0 && p != 2.0) return Support::no(fmt::format("porder {} (only 1 and 2)", p));
  if (v.op().bool_attr("asvector", false)) return Support::no("asvector=true");
  return check_ranked(v);
}

Status emit_p_norm(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const int64_t axis = norm_axis(c.op().int_attr("axis", -1), c.in_meta("X").rank());
  const bool l1 = c.op().float_attr("porder", 2.0) == 1.0;
  c.set_out("Out", c.g().reduce(l1 ? "ReduceL1" : "ReduceL2", x, {axis},
                                c.op().bool_attr("keepdim", false)));
  return {};
}

}  // namespace

void add_math_mappers(MapperTable& t) {
  t.add({"softmax", emit_softmax, check_ranked, kMinOpset, kMaxOpset,
         "Softmax (+Transpose before opset 13 for a non-last axis)", ""});
  t.add({"log_softmax", emit_softmax, check_ranked, kMinOpset, kMaxOpset, "LogSoftmax", ""});
  t.add({"matmul_v2", emit_matmul, check_matmul, kMinOpset, kMaxOpset, "MatMul (+Transpose)",
         "trans_x/trans_y"});
  t.add({"matmul", emit_matmul, check_matmul, kMinOpset, kMaxOpset, "MatMul (+Transpose, Mul)",
         "transpose_X/transpose_Y, alpha"});
  t.add({"bmm", emit_matmul, check_matmul, kMinOpset, kMaxOpset, "MatMul", ""});
  t.add({"mul", emit_mul, check_mul, kMinOpset, kMaxOpset, "Flatten, MatMul, Reshape",
         "x_num_col_dims/y_num_col_dims"});
  for (const auto& r : kReduce)
    t.add({r.paddle, emit_reduce, check_ranked, kMinOpset, kMaxOpset, r.onnx,
           "dim, keep_dim, reduce_all; a declared [1] result of a full reduction stays 1-D"});
  t.add({"mean", emit_mean, nullptr, kMinOpset, kMaxOpset, "ReduceMean", ""});
  t.add({"sum", emit_sum, nullptr, kMinOpset, kMaxOpset, "Sum", ""});
  t.add({"arg_max", emit_arg, nullptr, kMinOpset, kMaxOpset, "ArgMax (+Cast)",
         "flatten, keepdims, dtype int32/int64"});
  t.add({"arg_min", emit_arg, nullptr, kMinOpset, kMaxOpset, "ArgMin (+Cast)", ""});
  t.add({"top_k", emit_top_k, nullptr, kMinOpset, kMaxOpset, "TopK", "last axis"});
  t.add({"top_k_v2", emit_top_k, nullptr, kMinOpset, kMaxOpset, "TopK",
         "k or K tensor, axis, largest, sorted"});
  t.add({"cumsum", emit_cumsum, nullptr, kMinOpset, kMaxOpset, "CumSum", ""});
  t.add({"dropout", emit_dropout, nullptr, kMinOpset, kMaxOpset, "Mul or Identity",
         "downgrade_in_infer scales by 1-p"});
  t.add({"p_norm", emit_p_norm, check_p_norm, kMinOpset, kMaxOpset, "ReduceL1/ReduceL2", ""});
}

}  // namespace detport::onnx_export
