// Binary elementwise ops with Paddle's `axis` broadcasting: elementwise_{add,sub,mul,div,pow,max,
// min,mod,floordiv}, comparisons and logical and/or/xor. ONNX broadcasts numpy-style (trailing
// dims aligned); when Paddle aligns the smaller operand at `axis` instead, it gets trailing unit
// dims (Unsqueeze) first, and trailing 1s that Paddle trims are squeezed away.
#include <fmt/format.h>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

struct Binary {
  const char* paddle;
  const char* onnx;
  bool boolean_out;
};

constexpr Binary kOps[] = {
    {"elementwise_add", "Add", false},
    {"elementwise_sub", "Sub", false},
    {"elementwise_mul", "Mul", false},
    {"elementwise_div", "Div", false},
    {"elementwise_pow", "Pow", false},
    {"elementwise_max", "Max", false},
    {"elementwise_min", "Min", false},
    {"elementwise_mod", "Mod", false},
    {"elementwise_floordiv", "Div", false},
    {"equal", "Equal", true},
    {"not_equal", "Equal", true},
    {"less_than", "Less", true},
    {"less_equal", "LessOrEqual", true},
    {"greater_than", "Greater", true},
    {"greater_equal", "GreaterOrEqual", true},
    {"logical_and", "And", true},
    {"logical_or", "Or", true},
    {"logical_xor", "Xor", true},
};

const Binary& info(std::string_view type) {
  for (const auto& b : kOps)
    if (type == b.paddle) return b;
  return kOps[0];
}

// How the smaller operand must be reshaped: squeeze its trailing `trim` unit dims, then append
// `append` unit dims.
struct Alignment {
  int trim = 0;
  int append = 0;
  bool x_is_small = false;
};

std::optional<Alignment> align(const VarMeta& x, const VarMeta& y, int64_t axis) {
  Alignment a;
  a.x_is_small = x.rank() < y.rank();
  const VarMeta& big = a.x_is_small ? y : x;
  const VarMeta& small = a.x_is_small ? x : y;
  const int rb = big.rank();
  int rs = small.rank();
  const int start = axis < 0 ? rb - rs : static_cast<int>(axis);
  if (start < 0) return std::nullopt;
  while (start + rs > rb) {
    if (rs == 0 || small.dims[static_cast<std::size_t>(rs - 1)] != 1) return std::nullopt;
    --rs;
    ++a.trim;
  }
  a.append = rb - start - rs;
  return a;
}

Support check(const OpView& v) {
  const VarMeta x = v.in_meta("X"), y = v.in_meta("Y");
  if (!x.known || !y.known) return Support::no("the ranks of X and Y are not declared");
  if (!align(x, y, v.op().int_attr("axis", -1)))
    return Support::no(fmt::format("Y dims [{}] cannot be aligned to X dims [{}] at axis {}",
                                   fmt::join(y.dims, ","), fmt::join(x.dims, ","),
                                   v.op().int_attr("axis", -1)));
  return {};
}

Status emit(MapContext& c) {
  const Binary& b = info(c.op().type);
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string y, c.in("Y"));
  const VarMeta xm = c.in_meta("X"), ym = c.in_meta("Y");
  auto a = align(xm, ym, c.op().int_attr("axis", -1));
  if (!a) return c.error("X and Y do not broadcast");
  std::string& small = a->x_is_small ? x : y;
  const int rs = a->x_is_small ? xm.rank() : ym.rank();
  auto& g = c.g();
  if (a->trim > 0) {
    std::vector<int64_t> axes;
    for (int i = rs - a->trim; i < rs; ++i) axes.push_back(i);
    small = g.squeeze(small, axes);
  }
  if (a->append > 0) {
    std::vector<int64_t> axes;
    const int r = rs - a->trim;
    for (int i = 0; i < a->append; ++i) axes.push_back(r + i);
    small = g.unsqueeze(small, axes);
  }
  const std::string type = c.op().type;
  const bool is_float = xm.dtype == ir::DType::kFloat32 || xm.dtype == ir::DType::kFloat64 ||
                        xm.dtype == ir::DType::kFloat16;
  if (type == "elementwise_mul" && g.producer(y) == "HardSigmoid" && g.producer(x) != "HardSigmoid")
    std::swap(x, y);  // OpenCV DNN 4.6 fuses Mul(x, HardSigmoid(y)) wrongly
  if ((type == "less_equal" || type == "greater_equal") && c.opset() < 12) {
    // LessOrEqual/GreaterOrEqual are opset 12; Or keeps NaN comparisons false as in Paddle.
    const std::string strict = g.op(type == "less_equal" ? "Less" : "Greater", {x, y});
    c.emit1("Or", {strict, g.op("Equal", {x, y})});
  } else if (type == "not_equal") {
    c.emit1("Not", {g.op("Equal", {x, y})});
  } else if (type == "elementwise_mod") {
    if (!is_float) {
      c.emit1("Mod", {x, y}, {attr("fmod", int64_t{0})});  // sign of the divisor, as Paddle
    } else {
      // Paddle: r = fmod(x, y), then r + y when r != 0 and r, y differ in sign.
      const std::string r = g.op("Mod", {x, y}, {attr("fmod", int64_t{1})});
      DETPORT_ASSIGN(std::string zero, g.typed(xm.dtype, {}, {0.0}));
      const std::string fix =
          g.op("And", {g.op("Not", {g.op("Equal", {r, zero})}),
                       g.op("Xor", {g.op("Less", {r, zero}), g.op("Less", {y, zero})})});
      c.emit1("Where", {fix, g.op("Add", {r, y}), r});
    }
  } else if (type == "elementwise_floordiv" && is_float) {
    c.emit1("Floor", {g.op("Div", {x, y})});
  } else if (const std::string_view onnx_op = b.onnx;
             xm.rank() == 1 && ym.rank() == 1 && c.known("X") == nullptr &&
             c.known("Y") == nullptr &&
             (onnx_op == "Add" || onnx_op == "Sub" || onnx_op == "Mul" || onnx_op == "Div")) {
    // OpenCV DNN 4.6's Eltwise layer needs inputs of rank >= 2 (eltwise_layer.cpp
    // getMemoryShapes), which blazeface's im_shape / scale_factor per image is not: compute on
    // [1, N] views.
    const std::string r = g.op(b.onnx, {g.unsqueeze(x, {0}), g.unsqueeze(y, {0})});
    c.set_out("Out", g.squeeze(r, {0}));
  } else {
    c.emit1(b.onnx, {x, y});
  }
  return {};
}

}  // namespace

void add_elementwise_mappers(MapperTable& t) {
  for (const auto& b : kOps) {
    std::string notes = "axis broadcasting via Unsqueeze/Squeeze of the smaller operand";
    const std::string type = b.paddle;
    if (type == "elementwise_mul") notes += "; HardSigmoid operand first (OpenCV DNN 4.6)";
    if (type == "elementwise_mod") notes += "; float: fmod then sign fix (Paddle's floor mod)";
    if (type == "elementwise_floordiv") notes += "; integer: truncating Div (exact for x, y >= 0)";
    std::string onnx = b.onnx;
    if (type == "not_equal") onnx = "Equal, Not";
    if (type == "less_equal" || type == "greater_equal")
      onnx += " (opset 12+), else Less/Greater, Equal, Or";
    if (type == "elementwise_floordiv") onnx = "Div (+Floor for floats)";
    t.add({type, emit, check, kMinOpset, kMaxOpset, onnx, notes});
  }
}

}  // namespace detport::onnx_export
