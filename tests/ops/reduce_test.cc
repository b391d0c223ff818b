// Reductions: hand-checked values, dims rules (keep_dim, reduce_all, 0-D vs [1]), the
// storage-order kernel against the reference on odd shapes, and reduce_mean inside an NHWC region
// (PP-YOLOE's ESE attention).
#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

std::vector<ir::NamedAttribute> reduce_attrs(std::vector<int32_t> dim, bool keep,
                                             bool all = false) {
  return {{"dim", Attribute::i32s(dim)},
          {"keep_dim", Attribute::boolean(keep)},
          {"reduce_all", Attribute::boolean(all)},
          {"in_dtype", Attribute::i32(-1)},
          {"out_dtype", Attribute::i32(-1)}};
}

TEST(Reduce, ByHand) {
  Tensor x = f32({2, 3}, {1, -2, 3, 4, 5, -6});
  auto one = [&](const char* type, std::vector<int32_t> dim, bool keep) {
    auto out = run_reference(type, {{"X", x}}, reduce_attrs(dim, keep), {{"Out"}});
    return out.empty() ? std::vector<float>{} : out[0].tensor.to_vector<float>();
  };
  EXPECT_EQ(one("reduce_sum", {1}, false), (std::vector<float>{2, 3}));
  EXPECT_EQ(one("reduce_mean", {0}, true), (std::vector<float>{2.5f, 1.5f, -1.5f}));
  EXPECT_EQ(one("reduce_max", {-1}, false), (std::vector<float>{3, 5}));
  EXPECT_EQ(one("reduce_min", {0, 1}, false), (std::vector<float>{-6}));
  EXPECT_EQ(one("reduce_prod", {1}, false), (std::vector<float>{-6, -120}));
  auto any = run_reference("reduce_any", {{"X", bools({2, 2}, {0, 0, 0, 1})}},
                           reduce_attrs({1}, false), {{"Out", DType::kBool}});
  ASSERT_EQ(any.size(), 1u);
  EXPECT_EQ(any[0].tensor.to_vector<bool>(), (std::vector<bool>{false, true}));
  auto all = run_reference("reduce_all", {{"X", bools({2, 2}, {1, 1, 0, 1})}},
                           reduce_attrs({1}, false), {{"Out", DType::kBool}});
  EXPECT_EQ(all[0].tensor.to_vector<bool>(), (std::vector<bool>{true, false}));
}

TEST(Reduce, DimsRules) {
  Tensor x = iota({2, 3, 4});
  // reduce_all (or an empty dim list) reduces everything: 0-D as 2.5+ declares, [1] before.
  auto out = run_both("reduce_sum", {{"X", x}}, reduce_attrs({1}, false, true), {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{276}));
  out = run_both("reduce_mean", {{"X", x}}, reduce_attrs({}, false),
                 {{"Out", DType::kFloat32, 1, {1}}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{11.5f}));
  out = run_both("reduce_max", {{"X", x}}, reduce_attrs({0, 2}, true), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 3, 1}));
  out = run_both("mean", {{"X", x}}, {}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{11.5f}));
  // out_dtype changes the result's type.
  auto attrs = reduce_attrs({0}, false);
  attrs[4].value = Attribute::i32(6);
  out = run_both("reduce_sum", {{"X", x}}, attrs, {{"Out", DType::kFloat64}});
  EXPECT_EQ(out[0].tensor.dtype(), DType::kFloat64);
}

struct ReduceCase {
  Dims x;
  std::vector<int32_t> dim;
  bool keep;
};
void PrintTo(const ReduceCase& c, std::ostream* os) {
  *os << runtime::dims_to_string(c.x) << " dim " << ::testing::PrintToString(c.dim)
      << (c.keep ? " keep" : "");
}
class ReduceShapes : public ::testing::TestWithParam<ReduceCase> {};

TEST_P(ReduceShapes, OptimizedMatchesReference) {
  const ReduceCase& c = GetParam();
  for (const char* type :
       {"reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"}) {
    SCOPED_TRACE(type);
    check_optimized_matches_reference(type, {{"X", random_tensor(c.x, 3, 0.5f, 1.5f)}},
                                      reduce_attrs(c.dim, c.keep), {{"Out"}}, 1e-5);
  }
  Tensor ints = Tensor::empty(DType::kInt64, c.x);
  for (int64_t i = 0; i < ints.numel(); ++i) ints.data<int64_t>()[i] = (i * 37) % 11 - 5;
  check_optimized_matches_reference("reduce_sum", {{"X", ints}}, reduce_attrs(c.dim, c.keep),
                                    {{"Out", DType::kInt64}}, 0);
}

INSTANTIATE_TEST_SUITE_P(Shapes, ReduceShapes,
                         ::testing::Values(ReduceCase{{2, 72, 20, 20}, {2, 3}, true},  // ESE
                                           ReduceCase{{3, 17, 9}, {1}, false},
                                           ReduceCase{{3, 17, 9}, {0, 2}, true},
                                           ReduceCase{{1, 1, 5, 1}, {2}, false},
                                           ReduceCase{{4, 33}, {0}, false},
                                           ReduceCase{{7, 5, 3, 2}, {}, false}));

// conv -> reduce_mean over H, W (keep_dim) -> conv -> sigmoid -> multiply with the first conv:
// PP-YOLOE's ESE block. The mean runs on NHWC data; no conversion is needed inside.
TEST(Reduce, MeanStaysChannelsLastInEse) {
  for (int64_t n : {1, 2}) {
    SCOPED_TRACE(n);
    ir::ProgramBuilder b;
    const std::string x = b.input("x", DType::kFloat32, {n, 3, 9, 7});
    const std::string a = pointwise(b, x, 3, 16, "a");
    auto mean = b.op("reduce_mean");
    mean.in("X", {a}).out("Out", {b.temp("m", DType::kFloat32, {})});
    for (const auto& at : reduce_attrs({2, 3}, true)) mean.attr(at.name, at.value);
    const std::string gate = pointwise(b, mean.build(), 16, 16, "g");
    const std::string sig =
        b.op("sigmoid").in("X", {gate}).out("Out", {b.temp("s", DType::kFloat32, {})}).build();
    const std::string y = b.op("elementwise_mul")
                              .in("X", {a})
                              .in("Y", {sig})
                              .out("Out", {b.temp("y", DType::kFloat32, {})})
                              .attr("axis", Attribute::i32(-1))
                              .build();
    b.output(pointwise(b, y, 16, 4, "o"));
    const ir::Model m = std::move(b).finish(ir::Release{2, 4, 0});
    auto c = compare_paths(m, {{"x", random_tensor({n, 3, 9, 7}, 8)}});
    EXPECT_NE(c.optimized_plan.find("2 layout conversions"), std::string::npos) << c.optimized_plan;
  }
}

}  // namespace
}  // namespace detport::testing
