// The math of every unary op, shared by the activation kernels, the reference path and the conv
// kernel's fallback for fused activations: one definition of each formula.
#pragma once

#include <cstdint>
#include <string>

#include "ir/program.h"

namespace detport::runtime::kernels {

enum class UnaryKind {
  kRelu,
  kRelu6,
  kLeakyRelu,
  kElu,
  kGelu,
  kGeluTanh,
  kSigmoid,
  kLogSigmoid,
  kHardSigmoid,
  kHardSwish,
  kSwish,
  kMish,
  kSoftplus,
  kSoftsign,
  kTanh,
  kExp,
  kLog,
  kLog2,
  kLog10,
  kSqrt,
  kRsqrt,
  kSquare,
  kAbs,
  kReciprocal,
  kFloor,
  kCeil,
  kRound,
  kSign,
  kSin,
  kCos,
  kErf,
  kClip,
  kPow,
  kScale,
  kIdentity
};

// The op's formula and its parameters (a, b, c as the formula uses them), with Paddle's defaults.
struct UnaryParams {
  UnaryKind kind = UnaryKind::kIdentity;
  double a = 0, b = 0, c = 0;
};

// False for ops that are not unary elementwise.
bool is_unary(const std::string& type);
UnaryParams unary_params(const ir::Op& op);
double unary_value(const UnaryParams& p, double x);
// Applies the op to n floats (vectorisable single-precision loops).
void unary_float(const UnaryParams& p, const float* src, float* dst, int64_t n);

}  // namespace detport::runtime::kernels
