// Unary activations and math: relu, relu6, sigmoid, tanh, swish/silu, hard_swish, hard_sigmoid,
// leaky_relu, elu, selu, gelu, mish, softplus, exp, log, sqrt, ..., pow, clip, scale.
// Attributes newer exports no longer write take Paddle's defaults (swish beta 1, relu6
// threshold 6, hard_swish 6/6/3, hard_sigmoid slope 0.2 offset 0.5, leaky_relu alpha 0.02).
// Clip is never emitted with min/max inputs (OpenCV DNN 4.6 rejects them): Relu/Min/Max instead.
// x * HardSigmoid(x) is emitted as Mul(HardSigmoid(x), x): OpenCV 4.6 fuses Mul(x, HardSigmoid(y))
// wrongly into HardSwish.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "export/onnx/ops/families.h"

namespace detport::onnx_export {
namespace {

// The input X as float-typed ONNX value and the ONNX type of the output.
Status unary(MapContext& c, std::string_view onnx_op, const Attrs& attrs = {}) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  c.emit1(onnx_op, {x}, attrs);
  return {};
}

// A scalar constant of the input's element type (for Min/Max/Mul against x).
Result<std::string> scalar_like(MapContext& c, double v) {
  return c.g().typed(c.in_meta("X").dtype, {}, {v});
}

// min(max(x, lo), hi) without Clip inputs; lo == 0 uses Relu.
Result<std::string> clamp(MapContext& c, const std::string& x, std::optional<double> lo,
                          std::optional<double> hi) {
  std::string y = x;
  if (lo) {
    if (*lo == 0) {
      y = c.g().op("Relu", {y});
    } else {
      DETPORT_ASSIGN(std::string l, scalar_like(c, *lo));
      y = c.g().op("Max", {y, l});
    }
  }
  if (hi) {
    DETPORT_ASSIGN(std::string h, scalar_like(c, *hi));
    y = c.g().op("Min", {y, h});
  }
  return y;
}

Status emit_relu6(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const double t = c.op().float_attr("threshold", 6.0);
  DETPORT_ASSIGN(std::string y, clamp(c, x, 0.0, t));
  c.set_out("Out", y);
  return {};
}

Status emit_brelu(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  DETPORT_ASSIGN(std::string y,
                 clamp(c, x, c.op().float_attr("t_min", 0.0), c.op().float_attr("t_max", 24.0)));
  c.set_out("Out", y);
  return {};
}

Status emit_clip(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  std::optional<double> lo = c.op().float_attr("min", std::numeric_limits<float>::lowest());
  std::optional<double> hi = c.op().float_attr("max", std::numeric_limits<float>::max());
  for (auto [slot, target] : {std::pair{"Min", &lo}, std::pair{"Max", &hi}}) {
    if (!c.has_in(slot)) continue;
    const Known* k = c.known(slot);
    if (k != nullptr && k->full() && k->v.size() == 1) {
      *target = k->values().front();
      continue;
    }
    // A run-time bound: Max/Min against the tensor.
    DETPORT_ASSIGN(std::string b, c.in(slot));
    x = c.g().op(std::string_view(slot) == "Min" ? "Max" : "Min", {x, b});
    target->reset();
  }
  // Paddle's defaults are the float limits: no bound.
  if (lo && *lo <= std::numeric_limits<float>::lowest()) lo.reset();
  if (hi && *hi >= std::numeric_limits<float>::max()) hi.reset();
  DETPORT_ASSIGN(std::string y, clamp(c, x, lo, hi));
  if (y == x) y = c.g().op("Identity", {x});
  c.set_out("Out", y);
  return {};
}

Status emit_swish(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  // Paddle 2.6+ strips `beta` on export; its value was always 1 in inference programs.
  const double beta = c.op().float_attr("beta", 1.0);
  std::string s = x;
  if (beta != 1.0) {
    DETPORT_ASSIGN(std::string b, scalar_like(c, beta));
    s = c.g().op("Mul", {x, b});
  }
  c.emit1("Mul", {x, c.g().op("Sigmoid", {s})});
  return {};
}

// Paddle: x * min(max(x + offset, 0), threshold) / scale.
Status emit_hard_swish(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const double threshold = c.op().float_attr("threshold", 6.0);
  const double scale = c.op().float_attr("scale", 6.0);
  const double offset = c.op().float_attr("offset", 3.0);
  if (threshold == 6.0 && scale == 6.0 && offset == 3.0 && c.opset() >= 14) {
    c.emit1("HardSwish", {x});
    return {};
  }
  if (threshold == scale) {
    // min(max(x+o, 0), s)/s = HardSigmoid(x; 1/s, o/s); HardSigmoid first (OpenCV 4.6).
    const std::string hs = c.g().op("HardSigmoid", {x},
                                    {attr_f("alpha", static_cast<float>(1 / scale)),
                                     attr_f("beta", static_cast<float>(offset / scale))});
    c.emit1("Mul", {hs, x});
    return {};
  }
  DETPORT_ASSIGN(std::string o, scalar_like(c, offset));
  DETPORT_ASSIGN(std::string r, clamp(c, c.g().op("Add", {x, o}), 0.0, threshold));
  DETPORT_ASSIGN(std::string s, scalar_like(c, 1.0 / scale));
  c.emit1("Mul", {c.g().op("Mul", {r, s}), x});
  return {};
}

// Paddle: max(0, min(1, slope * x + offset)); legacy defaults slope 0.2, offset 0.5.
Status emit_hard_sigmoid(MapContext& c) {
  const double slope = c.op().float_attr("slope", 0.2);
  const double offset = c.op().float_attr("offset", 0.5);
  return unary(
      c, "HardSigmoid",
      {attr_f("alpha", static_cast<float>(slope)), attr_f("beta", static_cast<float>(offset))});
}

Status emit_leaky_relu(MapContext& c) {
  return unary(c, "LeakyRelu",
               {attr_f("alpha", static_cast<float>(c.op().float_attr("alpha", 0.02)))});
}

Status emit_elu(MapContext& c) {
  return unary(c, "Elu", {attr_f("alpha", static_cast<float>(c.op().float_attr("alpha", 1.0)))});
}

Status emit_selu(MapContext& c) {
  return unary(
      c, "Selu",
      {attr_f("alpha", static_cast<float>(c.op().float_attr("alpha", 1.6732632423543772))),
       attr_f("gamma", static_cast<float>(c.op().float_attr("scale", 1.0507009873554805)))});
}

// gelu: 0.5 x (1 + erf(x / sqrt 2)), or the tanh approximation when `approximate`.
Status emit_gelu(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  auto& g = c.g();
  std::string inner;
  if (c.op().bool_attr("approximate", false)) {
    DETPORT_ASSIGN(std::string k0, scalar_like(c, 0.044715));
    DETPORT_ASSIGN(std::string k1, scalar_like(c, std::sqrt(2.0 / M_PI)));
    const std::string x3 = g.op("Mul", {g.op("Mul", {x, x}), x});
    inner = g.op("Tanh", {g.op("Mul", {g.op("Add", {x, g.op("Mul", {x3, k0})}), k1})});
  } else {
    DETPORT_ASSIGN(std::string r, scalar_like(c, M_SQRT1_2));
    inner = g.op("Erf", {g.op("Mul", {x, r})});
  }
  DETPORT_ASSIGN(std::string one, scalar_like(c, 1.0));
  DETPORT_ASSIGN(std::string half, scalar_like(c, 0.5));
  c.emit1("Mul", {g.op("Mul", {x, half}), g.op("Add", {inner, one})});
  return {};
}

// mish: x * tanh(softplus(x)); Paddle's threshold (20) only guards overflow in softplus.
Status emit_mish(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  c.emit1("Mul", {x, c.g().op("Tanh", {c.g().op("Softplus", {x})})});
  return {};
}

// softplus(x) = log(1 + exp(beta x)) / beta, linear above `threshold` / beta.
Status emit_softplus(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const double beta = c.op().float_attr("beta", 1.0);
  const double threshold = c.op().float_attr("threshold", 20.0);
  auto& g = c.g();
  if (beta == 1.0 && threshold >= 20.0) {
    c.emit1("Softplus", {x});
    return {};
  }
  DETPORT_ASSIGN(std::string b, scalar_like(c, beta));
  DETPORT_ASSIGN(std::string inv, scalar_like(c, 1.0 / beta));
  DETPORT_ASSIGN(std::string t, scalar_like(c, threshold));
  const std::string bx = g.op("Mul", {x, b});
  const std::string sp = g.op("Mul", {g.op("Softplus", {bx}), inv});
  c.emit1("Where", {g.op("Greater", {bx, t}), x, sp});
  return {};
}

Status emit_logsigmoid(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  c.emit1("Neg", {c.g().op("Softplus", {c.g().op("Neg", {x})})});
  return {};
}

Status emit_square(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  c.emit1("Mul", {x, x});
  return {};
}

Status emit_rsqrt(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  c.emit1("Reciprocal", {c.g().op("Sqrt", {x})});
  return {};
}

Status emit_thresholded_relu(MapContext& c) {
  return unary(c, "ThresholdedRelu",
               {attr_f("alpha", static_cast<float>(c.op().float_attr("threshold", 1.0)))});
}

// pow: x ^ factor (attribute, or FactorTensor).
Status emit_pow(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  std::string f;
  if (c.has_in("FactorTensor")) {
    DETPORT_ASSIGN(f, c.in("FactorTensor"));
    DETPORT_ASSIGN(int32_t t, c.onnx_type(c.in_meta("X")));
    f = c.g().cast(f, t);
  } else {
    const double factor = c.op().float_attr("factor", 1.0);
    if (factor == 2.0) {
      c.emit1("Mul", {x, x});
      return {};
    }
    DETPORT_ASSIGN(f, scalar_like(c, factor));
  }
  c.emit1("Pow", {x, f});
  return {};
}

// scale: scale * x + bias (bias_after_scale) or scale * (x + bias).
Status emit_scale(MapContext& c) {
  DETPORT_ASSIGN(std::string x, c.in("X"));
  const double bias = c.op().float_attr("bias", 0.0);
  const bool after = c.op().bool_attr("bias_after_scale", true);
  std::string s;
  std::optional<double> scale = c.op().float_attr("scale", 1.0);
  if (c.has_in("ScaleTensor")) {
    const Known* k = c.known("ScaleTensor");
    if (k != nullptr && k->full() && k->v.size() == 1) {
      scale = k->values().front();
    } else {
      scale.reset();
      DETPORT_ASSIGN(s, c.in("ScaleTensor"));
      DETPORT_ASSIGN(int32_t t, c.onnx_type(c.in_meta("X")));
      s = c.g().cast(s, t);
    }
  }
  if (scale && *scale == 1.0 && bias == 0.0) {
    c.emit1("Identity", {x});
    return {};
  }
  if (scale) {
    DETPORT_ASSIGN(s, scalar_like(c, *scale));
  }
  auto& g = c.g();
  std::string y = x;
  if (!after && bias != 0.0) {
    DETPORT_ASSIGN(std::string b, scalar_like(c, bias));
    y = g.op("Add", {y, b});
  }
  if (!scale || *scale != 1.0) y = g.op("Mul", {y, s});
  if (after && bias != 0.0) {
    DETPORT_ASSIGN(std::string b, scalar_like(c, bias));
    y = g.op("Add", {y, b});
  }
  c.set_out("Out", y);
  return {};
}

template <const char* kOp>
Status simple(MapContext& c) {
  return unary(c, kOp);
}

constexpr char kRelu[] = "Relu", kSigmoid[] = "Sigmoid", kTanh[] = "Tanh", kExp[] = "Exp",
               kLog[] = "Log", kSqrt[] = "Sqrt", kAbs[] = "Abs", kFloor[] = "Floor",
               kCeil[] = "Ceil", kRound[] = "Round", kRecip[] = "Reciprocal", kErf[] = "Erf",
               kSin[] = "Sin", kCos[] = "Cos", kSign[] = "Sign", kSoftsign[] = "Softsign",
               kNeg[] = "Neg", kNot[] = "Not";

Support float_only(const OpView& v) {
  const auto t = v.in_meta("X").dtype;
  if (t != ir::DType::kFloat32 && t != ir::DType::kFloat64 && t != ir::DType::kFloat16)
    return Support::no(fmt::format("input of type {} (ONNX wants float)", ir::var_type_name(t)));
  return {};
}

}  // namespace

void add_activation_mappers(MapperTable& t) {
  struct Simple {
    const char* paddle;
    EmitFn emit;
    const char* onnx;
  };
  const Simple simple_ops[] = {
      {"relu", simple<kRelu>, "Relu"},
      {"sigmoid", simple<kSigmoid>, "Sigmoid"},
      {"tanh", simple<kTanh>, "Tanh"},
      {"exp", simple<kExp>, "Exp"},
      {"log", simple<kLog>, "Log"},
      {"sqrt", simple<kSqrt>, "Sqrt"},
      {"abs", simple<kAbs>, "Abs"},
      {"floor", simple<kFloor>, "Floor"},
      {"ceil", simple<kCeil>, "Ceil"},
      {"round", simple<kRound>, "Round"},
      {"reciprocal", simple<kRecip>, "Reciprocal"},
      {"erf", simple<kErf>, "Erf"},
      {"sin", simple<kSin>, "Sin"},
      {"cos", simple<kCos>, "Cos"},
      {"sign", simple<kSign>, "Sign"},
      {"softsign", simple<kSoftsign>, "Softsign"},
      {"logical_not", simple<kNot>, "Not"},
  };
  for (const auto& s : simple_ops)
    t.add({s.paddle, s.emit, nullptr, kMinOpset, kMaxOpset, s.onnx, ""});
  (void)kNeg;
  t.add({"relu6", emit_relu6, float_only, kMinOpset, kMaxOpset, "Relu, Min",
         "threshold defaults to 6 when absent (Paddle 2.6+ exports); no Clip (OpenCV DNN 4.6)"});
  t.add({"brelu", emit_brelu, float_only, kMinOpset, kMaxOpset, "Relu/Max, Min", "t_min, t_max"});
  t.add({"clip", emit_clip, nullptr, kMinOpset, kMaxOpset, "Relu/Max, Min",
         "min/max attributes or Min/Max tensors; never Clip with inputs (OpenCV DNN 4.6)"});
  t.add({"swish", emit_swish, float_only, kMinOpset, kMaxOpset, "Sigmoid, Mul",
         "beta defaults to 1 when absent (stripped by Paddle 2.6+)"});
  t.add({"silu", emit_swish, float_only, kMinOpset, kMaxOpset, "Sigmoid, Mul", ""});
  t.add({"hard_swish", emit_hard_swish, float_only, kMinOpset, kMaxOpset,
         "HardSwish (opset 14+) or Mul(HardSigmoid(x), x)",
         "threshold/scale/offset default to 6/6/3; HardSigmoid first in the Mul (OpenCV DNN 4.6)"});
  t.add({"hard_sigmoid", emit_hard_sigmoid, float_only, kMinOpset, kMaxOpset, "HardSigmoid",
         "slope/offset default to 0.2/0.5"});
  t.add({"leaky_relu", emit_leaky_relu, float_only, kMinOpset, kMaxOpset, "LeakyRelu",
         "alpha defaults to 0.02"});
  t.add({"elu", emit_elu, float_only, kMinOpset, kMaxOpset, "Elu", ""});
  t.add({"selu", emit_selu, float_only, kMinOpset, kMaxOpset, "Selu", ""});
  t.add({"gelu", emit_gelu, float_only, kMinOpset, kMaxOpset, "Erf or Tanh, Mul, Add",
         "approximate=true uses the tanh form"});
  t.add({"mish", emit_mish, float_only, kMinOpset, kMaxOpset, "Softplus, Tanh, Mul", ""});
  t.add({"softplus", emit_softplus, float_only, kMinOpset, kMaxOpset, "Softplus (+Where)",
         "beta, threshold"});
  t.add({"logsigmoid", emit_logsigmoid, float_only, kMinOpset, kMaxOpset, "Neg, Softplus", ""});
  t.add({"square", emit_square, nullptr, kMinOpset, kMaxOpset, "Mul", ""});
  t.add({"rsqrt", emit_rsqrt, float_only, kMinOpset, kMaxOpset, "Sqrt, Reciprocal", ""});
  t.add({"thresholded_relu", emit_thresholded_relu, float_only, kMinOpset, kMaxOpset,
         "ThresholdedRelu", ""});
  t.add({"pow", emit_pow, nullptr, kMinOpset, kMaxOpset, "Pow (Mul for factor 2)",
         "factor attribute or FactorTensor"});
  t.add({"scale", emit_scale, nullptr, kMinOpset, kMaxOpset, "Mul, Add",
         "bias_after_scale; ScaleTensor"});
}

}  // namespace detport::onnx_export
