// Regression: post-op fusion moves an op into the node producing one of its inputs, which runs at
// that node's position; a residual add whose other operand is computed later in program order must
// not be fused there (it read the operand before it existed). Found running BlazeFace, whose
// blocks add a shortcut branch computed after the main branch.
#include "op_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;
using ir::DType;

ir::Tensor weight(Dims dims, uint32_t seed) {
  Tensor t = random_tensor(std::move(dims), seed);
  std::vector<std::byte> bytes(t.bytes());
  std::memcpy(bytes.data(), t.raw(), bytes.size());
  return ir::Tensor::owned(DType::kFloat32, t.dims(), std::move(bytes));
}

TEST(FusePostOps, DoesNotMoveAnAddAboveItsOtherOperand) {
  ir::ProgramBuilder b;
  b.input("x", DType::kFloat32, {1, 4, 9, 7});
  b.param("w1", weight({6, 4, 1, 1}, 1));
  b.param("w2", weight({6, 4, 3, 3}, 2));
  for (const char* t : {"c1", "c2", "r2", "y"}) b.temp(t, DType::kFloat32, {});
  auto conv = [&](const char* w, const char* out, int pad) {
    b.op("conv2d")
        .in("Input", {"x"})
        .in("Filter", {w})
        .in("Bias", {})
        .out("Output", {out})
        .attr("strides", Attribute::i32s({1, 1}))
        .attr("paddings", Attribute::i32s({pad, pad}))
        .attr("dilations", Attribute::i32s({1, 1}))
        .attr("groups", Attribute::i32(1))
        .build();
  };
  conv("w1", "c1", 0);  // the shortcut, first in program order
  conv("w2", "c2", 1);  // the main branch, after it
  b.op("relu").in("X", {"c2"}).out("Out", {"r2"}).build();
  // X is the later branch, Y the earlier one: c1's only consumer is this add.
  b.op("elementwise_add")
      .in("X", {"r2"})
      .in("Y", {"c1"})
      .out("Out", {"y"})
      .attr("axis", Attribute::i32(-1))
      .build();
  b.output("y");
  const ir::Model model = std::move(b).finish(ir::Release{2, 4, 0});
  const std::vector<runtime::NamedTensor> in{{"x", random_tensor({1, 4, 9, 7}, 3)}};
  auto ref = run_model(model, in, false);
  auto opt = run_model(model, in, true);
  ASSERT_TRUE(ref.ok()) << ref.error().describe();
  ASSERT_TRUE(opt.ok()) << opt.error().describe();
  expect_close((*opt)[0].tensor, (*ref)[0].tensor, 1e-4, "residual add fused in program order");
}

}  // namespace
}  // namespace detport::testing
