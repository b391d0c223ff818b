// Helpers for the neural-network op tests: running an op inside a channels-last region (behind an
// identity 1x1 convolution, which the layout pass runs NHWC) and checking that it really ran NHWC,
// plus element access for hand-computed expectations.
#pragma once

#include <string>
#include <vector>

#include "op_test_util.h"

namespace detport::testing {

// The model `conv2d(identity 1x1) -> type`: the first input (4-D, NCHW) goes through a 1x1
// convolution with identity weights, so the op under test receives the same values but stored
// NHWC when the optimised path runs. Other inputs as in one_op_model.
inline ir::Model nhwc_op_model(const std::string& type, const std::vector<OpInput>& inputs,
                               const std::vector<ir::NamedAttribute>& attrs,
                               const std::vector<OpOutput>& outputs) {
  ir::ProgramBuilder b;
  const Tensor& x0 = inputs.at(0).value;
  const int64_t c = x0.dim(1);
  b.input("in0", x0.dtype(), x0.dims());
  std::vector<std::byte> eye(static_cast<std::size_t>(c * c) * sizeof(float));
  std::vector<float> w(static_cast<std::size_t>(c * c), 0.0f);
  for (int64_t i = 0; i < c; ++i) w[static_cast<std::size_t>(i * c + i)] = 1.0f;
  std::memcpy(eye.data(), w.data(), eye.size());
  b.param("eye", ir::Tensor::owned(ir::DType::kFloat32, {c, c, 1, 1}, std::move(eye)));
  const std::string mid = b.temp("mid", x0.dtype(), {});
  b.op("conv2d")
      .in("Input", {"in0"})
      .in("Filter", {"eye"})
      .out("Output", {mid})
      .attr("strides", ir::Attribute::i32s({1, 1}))
      .attr("paddings", ir::Attribute::i32s({0, 0}))
      .attr("dilations", ir::Attribute::i32s({1, 1}))
      .attr("groups", ir::Attribute::i32(1))
      .build();
  auto op = b.op(type);
  std::map<std::string, std::vector<std::string>> in_slots;
  in_slots[inputs[0].slot].push_back(mid);
  for (std::size_t k = 1; k < inputs.size(); ++k) {
    const auto& in = inputs[k];
    const std::string name = "in" + std::to_string(k);
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
      names.push_back(b.temp(out.slot + "_" + std::to_string(i), out.dtype, {}));
    op.out(out.slot, names);
  }
  for (const auto& a : attrs) op.attr(a.name, a.value);
  op.build();
  for (const auto& out : outputs)
    for (int i = 0; i < out.count; ++i) b.output(out.slot + "_" + std::to_string(i));
  return std::move(b).finish(ir::Release{2, 6, 1});
}

// Runs the op behind an identity conv on the optimised path, checks that the op's kernel ran on
// NHWC storage (its impl names "nhwc"), and compares every output with the one-op reference.
inline void check_nhwc_matches_reference(const std::string& type,
                                         const std::vector<OpInput>& inputs,
                                         const std::vector<ir::NamedAttribute>& attrs,
                                         const std::vector<OpOutput>& outputs, double tol = 1e-5) {
  auto ref = run_model(one_op_model(type, inputs, attrs, outputs), feeds(inputs), false);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  runtime::CompileOptions o;
  o.profile = true;
  auto s = runtime::compile(nhwc_op_model(type, inputs, attrs, outputs), o);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  auto opt = s->run(feeds(inputs));
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  bool found = false;
  for (const auto& n : s->profile().nodes)
    if (n.type.rfind(type, 0) == 0) {
      found = true;
      EXPECT_NE(n.impl.find("nhwc"), std::string::npos)
          << type << " ran as " << n.impl << " (" << s->plan_summary() << ")";
    }
  EXPECT_TRUE(found) << "no " << type << " node ran: " << s->plan_summary();
  ASSERT_EQ(ref->size(), opt->size());
  for (std::size_t i = 0; i < ref->size(); ++i)
    expect_close((*opt)[i].tensor, (*ref)[i].tensor, tol, type + " (nhwc) " + (*ref)[i].name);
}

// The implementation the optimised path chose for the op (from a profiled one-op run).
inline std::string optimized_impl(const std::string& type, const std::vector<OpInput>& inputs,
                                  const std::vector<ir::NamedAttribute>& attrs,
                                  const std::vector<OpOutput>& outputs) {
  runtime::CompileOptions o;
  o.profile = true;
  auto s = runtime::compile(one_op_model(type, inputs, attrs, outputs), o);
  if (!s.ok()) return "compile error: " + s.error().describe();
  auto r = s->run(feeds(inputs));
  if (!r.ok()) return "run error: " + r.error().describe();
  for (const auto& n : s->profile().nodes)
    if (n.type.rfind(type, 0) == 0) return n.impl;
  return "not run";
}

// The error of compiling and running the op on the given path ("" if it succeeded).
inline std::string op_error(const std::string& type, const std::vector<OpInput>& inputs,
                            const std::vector<ir::NamedAttribute>& attrs,
                            const std::vector<OpOutput>& outputs, bool optimized = true) {
  auto r = run_model(one_op_model(type, inputs, attrs, outputs), feeds(inputs), optimized);
  return r.ok() ? std::string() : r.error().describe();
}

inline Tensor iota_tensor(Dims dims, float start = 1.0f, float step = 1.0f) {
  Tensor t = Tensor::empty(ir::DType::kFloat32, std::move(dims));
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = start + step * static_cast<float>(i);
  return t;
}

inline std::vector<float> values(const std::vector<runtime::NamedTensor>& out, std::size_t i = 0) {
  return out.at(i).tensor.to_vector<float>();
}

inline ir::Attribute ints(std::vector<int32_t> v) {
  return ir::Attribute::i32s(std::move(v));
}

}  // namespace detport::testing
