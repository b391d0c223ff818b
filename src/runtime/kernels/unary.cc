#include "runtime/kernels/unary.h"

#include <cmath>
#include <unordered_map>

namespace detport::runtime::kernels {
namespace {

const std::unordered_map<std::string, UnaryKind>& kinds() {
  static const std::unordered_map<std::string, UnaryKind> k{
      {"relu", UnaryKind::kRelu},
      {"relu6", UnaryKind::kRelu6},
      {"leaky_relu", UnaryKind::kLeakyRelu},
      {"elu", UnaryKind::kElu},
      {"gelu", UnaryKind::kGelu},
      {"sigmoid", UnaryKind::kSigmoid},
      {"logsigmoid", UnaryKind::kLogSigmoid},
      {"hard_sigmoid", UnaryKind::kHardSigmoid},
      {"hard_swish", UnaryKind::kHardSwish},
      {"swish", UnaryKind::kSwish},
      {"silu", UnaryKind::kSwish},
      {"mish", UnaryKind::kMish},
      {"softplus", UnaryKind::kSoftplus},
      {"softsign", UnaryKind::kSoftsign},
      {"tanh", UnaryKind::kTanh},
      {"exp", UnaryKind::kExp},
      {"log", UnaryKind::kLog},
      {"log2", UnaryKind::kLog2},
      {"log10", UnaryKind::kLog10},
      {"sqrt", UnaryKind::kSqrt},
      {"rsqrt", UnaryKind::kRsqrt},
      {"square", UnaryKind::kSquare},
      {"abs", UnaryKind::kAbs},
      {"reciprocal", UnaryKind::kReciprocal},
      {"floor", UnaryKind::kFloor},
      {"ceil", UnaryKind::kCeil},
      {"round", UnaryKind::kRound},
      {"sign", UnaryKind::kSign},
      {"sin", UnaryKind::kSin},
      {"cos", UnaryKind::kCos},
      {"erf", UnaryKind::kErf},
      {"clip", UnaryKind::kClip},
      {"pow", UnaryKind::kPow},
      {"scale", UnaryKind::kScale}};
  return k;
}

}  // namespace

bool is_unary(const std::string& type) {
  return kinds().count(type) > 0;
}

UnaryParams unary_params(const ir::Op& op) {
  UnaryParams p;
  auto it = kinds().find(op.type);
  if (it == kinds().end()) return p;
  p.kind = it->second;
  switch (p.kind) {
    case UnaryKind::kRelu6:
      p.a = op.float_attr("threshold", 6.0);
      break;
    case UnaryKind::kLeakyRelu:
      p.a = op.float_attr("alpha", 0.02);
      break;
    case UnaryKind::kElu:
      p.a = op.float_attr("alpha", 1.0);
      break;
    case UnaryKind::kGelu:
      if (op.bool_attr("approximate", false)) p.kind = UnaryKind::kGeluTanh;
      break;
    case UnaryKind::kHardSigmoid:
      p.a = op.float_attr("slope", 0.2);
      p.b = op.float_attr("offset", 0.5);
      break;
    case UnaryKind::kHardSwish:
      p.a = op.float_attr("threshold", 6.0);
      p.b = op.float_attr("scale", 6.0);
      p.c = op.float_attr("offset", 3.0);
      break;
    case UnaryKind::kSwish:
      p.a = op.type == "silu" ? 1.0 : op.float_attr("beta", 1.0);
      break;
    case UnaryKind::kMish:
      p.a = op.float_attr("threshold", 20.0);
      break;
    case UnaryKind::kSoftplus:
      p.a = op.float_attr("beta", 1.0);
      p.b = op.float_attr("threshold", 20.0);
      break;
    case UnaryKind::kClip:
      p.a = op.float_attr("min", -3.4028234663852886e38);
      p.b = op.float_attr("max", 3.4028234663852886e38);
      break;
    case UnaryKind::kPow:
      p.a = op.float_attr("factor", 1.0);
      break;
    case UnaryKind::kScale: {
      const double s = op.float_attr("scale", 1.0), bias = op.float_attr("bias", 0.0);
      p.a = s;
      p.b = op.bool_attr("bias_after_scale", true) ? bias : s * bias;
      break;
    }
    default:
      break;
  }
  return p;
}

double unary_value(const UnaryParams& p, double x) {
  switch (p.kind) {
    case UnaryKind::kRelu:
      return x > 0 ? x : 0;
    case UnaryKind::kRelu6:
      return std::min(std::max(x, 0.0), p.a);
    case UnaryKind::kLeakyRelu:
      return x > 0 ? x : p.a * x;
    case UnaryKind::kElu:
      return x > 0 ? x : p.a * (std::exp(x) - 1);
    case UnaryKind::kGelu:
      return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case UnaryKind::kGeluTanh:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    case UnaryKind::kSigmoid:
      return 1 / (1 + std::exp(-x));
    case UnaryKind::kLogSigmoid:
      return -std::log1p(std::exp(-x));
    case UnaryKind::kHardSigmoid:
      return std::min(1.0, std::max(0.0, p.a * x + p.b));
    case UnaryKind::kHardSwish:
      return x * std::min(std::max(x + p.c, 0.0), p.a) / p.b;
    case UnaryKind::kSwish:
      return x / (1 + std::exp(-p.a * x));
    case UnaryKind::kMish: {
      const double sp = x > p.a ? x : std::log1p(std::exp(x));
      return x * std::tanh(sp);
    }
    case UnaryKind::kSoftplus:
      return x * p.a > p.b ? x : std::log1p(std::exp(p.a * x)) / p.a;
    case UnaryKind::kSoftsign:
      return x / (1 + std::abs(x));
    case UnaryKind::kTanh:
      return std::tanh(x);
    case UnaryKind::kExp:
      return std::exp(x);
    case UnaryKind::kLog:
      return std::log(x);
    case UnaryKind::kLog2:
      return std::log2(x);
    case UnaryKind::kLog10:
      return std::log10(x);
    case UnaryKind::kSqrt:
      return std::sqrt(x);
    case UnaryKind::kRsqrt:
      return 1 / std::sqrt(x);
    case UnaryKind::kSquare:
      return x * x;
    case UnaryKind::kAbs:
      return std::abs(x);
    case UnaryKind::kReciprocal:
      return 1 / x;
    case UnaryKind::kFloor:
      return std::floor(x);
    case UnaryKind::kCeil:
      return std::ceil(x);
    case UnaryKind::kRound:
      return std::round(x);
    case UnaryKind::kSign:
      return x > 0 ? 1 : (x < 0 ? -1 : 0);
    case UnaryKind::kSin:
      return std::sin(x);
    case UnaryKind::kCos:
      return std::cos(x);
    case UnaryKind::kErf:
      return std::erf(x);
    case UnaryKind::kClip:
      return std::min(std::max(x, p.a), p.b);
    case UnaryKind::kPow:
      return std::pow(x, p.a);
    case UnaryKind::kScale:
      return p.a * x + p.b;
    case UnaryKind::kIdentity:
      return x;
  }
  return x;
}

void unary_float(const UnaryParams& p, const float* src, float* dst, int64_t n) {
  const float a = static_cast<float>(p.a), b = static_cast<float>(p.b), c = static_cast<float>(p.c);
  switch (p.kind) {
    case UnaryKind::kRelu:
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i] > 0 ? src[i] : 0.0f;
      return;
    case UnaryKind::kRelu6:
      for (int64_t i = 0; i < n; ++i) dst[i] = std::min(std::max(src[i], 0.0f), a);
      return;
    case UnaryKind::kLeakyRelu:
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i] > 0 ? src[i] : a * src[i];
      return;
    case UnaryKind::kHardSigmoid:
      for (int64_t i = 0; i < n; ++i) dst[i] = std::min(1.0f, std::max(0.0f, a * src[i] + b));
      return;
    case UnaryKind::kHardSwish:
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i] * std::min(std::max(src[i] + c, 0.0f), a) / b;
      return;
    case UnaryKind::kSigmoid:
      for (int64_t i = 0; i < n; ++i) dst[i] = 1.0f / (1.0f + std::exp(-src[i]));
      return;
    case UnaryKind::kSwish:
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i] / (1.0f + std::exp(-a * src[i]));
      return;
    case UnaryKind::kExp:
      for (int64_t i = 0; i < n; ++i) dst[i] = std::exp(src[i]);
      return;
    case UnaryKind::kScale:
      for (int64_t i = 0; i < n; ++i) dst[i] = a * src[i] + b;
      return;
    case UnaryKind::kClip:
      for (int64_t i = 0; i < n; ++i) dst[i] = std::min(std::max(src[i], a), b);
      return;
    default:
      for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(unary_value(p, src[i]));
      return;
  }
}

}  // namespace detport::runtime::kernels
