// Running one op through the runtime: build a one-op program with the IR builder, then compare the
// optimised path (fusion, layouts, oneDNN) with the reference path on the same inputs.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ir/builder.h"
#include "runtime/session.h"

namespace detport::testing {

using runtime::Dims;
using runtime::Tensor;

struct OpInput {
  std::string slot;
  Tensor value;
  bool constant = false;  // a weight (persistable) rather than a graph input
};

struct OpOutput {
  std::string slot;
  ir::DType dtype = ir::DType::kFloat32;
  int count = 1;
  Dims declared = {};  // the VarDesc dims (their rank picks 0-D or [1] results)
};

inline Tensor random_tensor(Dims dims, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t = Tensor::empty(ir::DType::kFloat32, std::move(dims));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = d(rng);
  return t;
}

template <typename T>
Tensor make_tensor(Dims dims, std::vector<T> values, ir::DType dtype) {
  return Tensor::from(std::move(dims), values, dtype);
}

// Builds the model: graph inputs in order, constants as weights, outputs named <slot>_<i>.
inline ir::Model one_op_model(const std::string& type, const std::vector<OpInput>& inputs,
                              const std::vector<ir::NamedAttribute>& attrs,
                              const std::vector<OpOutput>& outputs) {
  ir::ProgramBuilder b;
  auto op = b.op(type);
  std::map<std::string, std::vector<std::string>> in_slots;
  int k = 0;
  for (const auto& in : inputs) {
    const std::string name = "in" + std::to_string(k++);
    if (in.constant) {
      std::vector<std::byte> bytes(in.value.bytes());
      std::memcpy(bytes.data(), in.value.raw(), bytes.size());
      b.param(name, ir::Tensor::owned(in.value.dtype(), in.value.dims(), std::move(bytes)));
    } else {
      b.input(name, in.value.dtype(), in.value.dims());
    }
    in_slots[in.slot].push_back(name);
  }
  for (auto& [slot, names] : in_slots) op.in(slot, names);
  for (const auto& out : outputs) {
    std::vector<std::string> names;
    for (int i = 0; i < out.count; ++i)
      names.push_back(b.temp(out.slot + "_" + std::to_string(i), out.dtype, out.declared));
    op.out(out.slot, names);
  }
  for (const auto& a : attrs) op.attr(a.name, a.value);
  op.build();
  for (const auto& out : outputs)
    for (int i = 0; i < out.count; ++i) b.output(out.slot + "_" + std::to_string(i));
  return std::move(b).finish(ir::Release{2, 6, 1});
}

inline std::vector<runtime::NamedTensor> feeds(const std::vector<OpInput>& inputs) {
  std::vector<runtime::NamedTensor> f;
  int k = 0;
  for (const auto& in : inputs) {
    const std::string name = "in" + std::to_string(k++);
    if (!in.constant) f.push_back({name, in.value});
  }
  return f;
}

inline Result<std::vector<runtime::NamedTensor>> run_model(
    const ir::Model& model, const std::vector<runtime::NamedTensor>& inputs, bool optimized,
    int threads = 0) {
  runtime::CompileOptions o;
  o.optimized = optimized;
  o.fuse = optimized;
  o.threads = threads;
  auto s = runtime::compile(model, o);
  if (!s.ok()) return s.error();
  return s->run(inputs);
}

// Max relative error |a-b| / max(1, |b|) over float outputs; exact equality for others.
inline void expect_close(const Tensor& got, const Tensor& want, double tol,
                         const std::string& what) {
  ASSERT_EQ(got.dims(), want.dims()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  double worst = 0;
  int64_t at = -1;
  for (int64_t i = 0; i < got.numel(); ++i) {
    double a, b;
    switch (got.dtype()) {
      case ir::DType::kFloat32:
        a = got.data<float>()[i], b = want.data<float>()[i];
        break;
      case ir::DType::kFloat64:
        a = got.data<double>()[i], b = want.data<double>()[i];
        break;
      case ir::DType::kInt32:
        a = got.data<int32_t>()[i], b = want.data<int32_t>()[i];
        break;
      case ir::DType::kInt64:
        a = static_cast<double>(got.data<int64_t>()[i]),
        b = static_cast<double>(want.data<int64_t>()[i]);
        break;
      case ir::DType::kBool:
        a = got.data<bool>()[i], b = want.data<bool>()[i];
        break;
      default:
        FAIL() << "dtype";
    }
    if (std::isnan(a) && std::isnan(b)) continue;
    const double err = std::abs(a - b) / std::max(1.0, std::abs(b));
    if (!(err <= worst)) {
      worst = std::isnan(err) ? 1e30 : err;
      at = i;
    }
  }
  EXPECT_LE(worst, tol) << what << ": worst relative error at element " << at;
}

// Runs the op on both paths and compares every output.
inline void check_optimized_matches_reference(const std::string& type,
                                              const std::vector<OpInput>& inputs,
                                              const std::vector<ir::NamedAttribute>& attrs,
                                              const std::vector<OpOutput>& outputs,
                                              double tol = 1e-5) {
  const ir::Model model = one_op_model(type, inputs, attrs, outputs);
  auto ref = run_model(model, feeds(inputs), false);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  auto opt = run_model(model, feeds(inputs), true);
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  ASSERT_EQ(ref->size(), opt->size());
  for (std::size_t i = 0; i < ref->size(); ++i)
    expect_close((*opt)[i].tensor, (*ref)[i].tensor, tol, type + " " + (*ref)[i].name);
}

// The reference path's outputs.
inline std::vector<runtime::NamedTensor> run_reference(const std::string& type,
                                                       const std::vector<OpInput>& inputs,
                                                       const std::vector<ir::NamedAttribute>& attrs,
                                                       const std::vector<OpOutput>& outputs) {
  auto r = run_model(one_op_model(type, inputs, attrs, outputs), feeds(inputs), false);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? std::move(r).value() : std::vector<runtime::NamedTensor>{};
}

}  // namespace detport::testing
