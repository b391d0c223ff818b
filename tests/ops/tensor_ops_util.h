// Helpers for the data-movement, indexing, constant and reduction op tests: small typed tensors,
// running an op on both paths at once, and models with a convolution around an op so that it runs
// inside a channels-last (NHWC) region.
#pragma once

#include <cstring>
#include <numeric>

#include "op_test_util.h"

namespace detport::testing {

using ir::Attribute;
using ir::DType;

inline Tensor f32(Dims dims, std::vector<float> v) {
  return make_tensor<float>(std::move(dims), std::move(v), DType::kFloat32);
}
inline Tensor i64(Dims dims, std::vector<int64_t> v) {
  return make_tensor<int64_t>(std::move(dims), std::move(v), DType::kInt64);
}
inline Tensor i32(Dims dims, std::vector<int32_t> v) {
  return make_tensor<int32_t>(std::move(dims), std::move(v), DType::kInt32);
}
inline Tensor bools(Dims dims, std::vector<int> v) {
  Tensor t = Tensor::empty(DType::kBool, std::move(dims));
  for (std::size_t i = 0; i < v.size(); ++i) t.data<bool>()[i] = v[i] != 0;
  return t;
}
// 0, 1, 2, ... as float32.
inline Tensor iota(Dims dims) {
  Tensor t = Tensor::empty(DType::kFloat32, std::move(dims));
  std::iota(t.data<float>(), t.data<float>() + t.numel(), 0.0f);
  return t;
}

// Runs the op on the reference and the optimised path, expects identical outputs and returns the
// reference ones (an empty list, with a test failure, when either path fails).
inline std::vector<runtime::NamedTensor> run_both(const std::string& type,
                                                  const std::vector<OpInput>& inputs,
                                                  const std::vector<ir::NamedAttribute>& attrs,
                                                  const std::vector<OpOutput>& outputs) {
  const ir::Model model = one_op_model(type, inputs, attrs, outputs);
  auto ref = run_model(model, feeds(inputs), false);
  EXPECT_TRUE(ref.ok()) << ref.error().describe();
  auto opt = run_model(model, feeds(inputs), true);
  EXPECT_TRUE(opt.ok()) << opt.error().describe();
  if (!ref.ok() || !opt.ok()) return {};
  EXPECT_EQ(ref->size(), opt->size());
  for (std::size_t i = 0; i < ref->size() && i < opt->size(); ++i) {
    // Data movement is exact: the same bytes (infinities and NaNs included).
    const Tensor& a = (*opt)[i].tensor;
    const Tensor& b = (*ref)[i].tensor;
    EXPECT_EQ(a.dims(), b.dims()) << type << " " << (*ref)[i].name;
    EXPECT_EQ(a.dtype(), b.dtype()) << type << " " << (*ref)[i].name;
    if (a.bytes() == b.bytes() && a.bytes() > 0) {
      EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.bytes()), 0) << type << " " << (*ref)[i].name;
    }
  }
  return std::move(ref).value();
}

// The error of compiling or running the op (reference path); empty when it succeeds.
inline std::string op_error(const std::string& type, const std::vector<OpInput>& inputs,
                            const std::vector<ir::NamedAttribute>& attrs,
                            const std::vector<OpOutput>& outputs) {
  auto r = run_model(one_op_model(type, inputs, attrs, outputs), feeds(inputs), false);
  return r.ok() ? std::string() : r.error().describe();
}

// conv2d attributes for a 1x1 convolution.
inline std::vector<ir::NamedAttribute> pointwise_attrs() {
  return {{"strides", Attribute::i32s({1, 1})},
          {"paddings", Attribute::i32s({0, 0})},
          {"dilations", Attribute::i32s({1, 1})},
          {"groups", Attribute::i32(1)},
          {"padding_algorithm", Attribute::str("EXPLICIT")},
          {"data_format", Attribute::str("NCHW")}};
}

// Adds a 1x1 conv with `out_c` channels (seeded weights) and returns its output name.
inline std::string pointwise(ir::ProgramBuilder& b, const std::string& x, int64_t in_c,
                             int64_t out_c, const std::string& name) {
  const std::string w = b.random_param(name + ".w", {out_c, in_c, 1, 1}, 0.5f);
  auto op = b.op("conv2d");
  op.in("Input", {x}).in("Filter", {w}).out("Output", {b.temp(name, DType::kFloat32, {})});
  for (const auto& a : pointwise_attrs()) op.attr(a.name, a.value);
  return op.build();
}

struct Compared {
  std::vector<runtime::NamedTensor> reference;
  std::string optimized_plan;  // the optimised plan's summary
};

// Runs a model on both paths with the given feeds and compares every output (1e-4 relative).
inline Compared compare_paths(const ir::Model& model,
                              const std::vector<runtime::NamedTensor>& inputs) {
  Compared c;
  runtime::CompileOptions ref_o;
  ref_o.optimized = false;
  ref_o.fuse = false;
  auto ref = runtime::compile(model, ref_o);
  EXPECT_TRUE(ref.ok()) << ref.error().describe();
  if (!ref.ok()) return c;
  auto r = ref->run(inputs);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  auto opt = runtime::compile(model, {});
  EXPECT_TRUE(opt.ok()) << opt.error().describe();
  if (!r.ok() || !opt.ok()) return c;
  auto o = opt->run(inputs);
  EXPECT_TRUE(o.ok()) << o.error().describe();
  if (!o.ok()) return c;
  c.optimized_plan = opt->plan_summary();
  EXPECT_EQ(r->size(), o->size());
  for (std::size_t i = 0; i < r->size() && i < o->size(); ++i)
    expect_close((*o)[i].tensor, (*r)[i].tensor, 1e-4, (*r)[i].name);
  c.reference = std::move(r).value();
  return c;
}

}  // namespace detport::testing
