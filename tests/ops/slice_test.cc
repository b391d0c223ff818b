// slice and strided_slice: index rules (negative, clamped, tensors for starts/ends),
// decrease_axis with 0-D and [1] results, strided_slice's backwards strides against Python's
// slicing, and set_value.
#include <fmt/format.h>

#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

std::vector<ir::NamedAttribute> slice_attrs(std::vector<int32_t> axes, std::vector<int32_t> starts,
                                            std::vector<int32_t> ends,
                                            std::vector<int32_t> decrease = {}) {
  std::vector<int32_t> flags(axes.size(), 1);
  return {{"axes", Attribute::i32s(axes)},
          {"starts", Attribute::i32s(starts)},
          {"ends", Attribute::i32s(ends)},
          {"infer_flags", Attribute::i32s(flags)},
          {"decrease_axis", Attribute::i32s(decrease)}};
}

TEST(Slice, NegativeAndClampedIndices) {
  Tensor x = iota({3, 4});
  // Rows 1..end, columns -3..-1 (= 1..3): Python's x[1:, -3:-1].
  auto out = run_both("slice", {{"Input", x}}, slice_attrs({0, 1}, {1, -3}, {100, -1}), {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{5, 6, 9, 10}));
  // A start past the end clamps to an empty slice.
  out = run_both("slice", {{"Input", x}}, slice_attrs({1}, {7}, {9}), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 0}));
  EXPECT_NE(op_error("slice", {{"Input", x}}, slice_attrs({1}, {3}, {1}), {{"Out"}})
                .find("before it starts"),
            std::string::npos);
}

TEST(Slice, DecreaseAxisGivesZeroDOrOneDAsDeclared) {
  // shape(x)[0] as Paddle 2.6 exports it (hrnet_hand_kpt_p26 declares the result []), and as
  // 2.4 did ([1]).
  Tensor shape = i32({4}, {1, 32, 64, 48});
  auto out = run_both("slice", {{"Input", shape}}, slice_attrs({0}, {0}, {1}, {0}),
                      {{"Out", DType::kInt32}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{}));
  EXPECT_EQ(out[0].tensor.to_vector<int32_t>(), (std::vector<int32_t>{1}));
  out = run_both("slice", {{"Input", shape}}, slice_attrs({0}, {0}, {1}, {0}),
                 {{"Out", DType::kInt32, 1, {1}}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1}));
  // blazeface: concat [?,4] sliced at column 2 with the column dropped -> [?].
  out = run_both("slice", {{"Input", iota({3, 4})}}, slice_attrs({1}, {2}, {3}, {1}), {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{2, 6, 10}));
  EXPECT_NE(op_error("slice", {{"Input", iota({3, 4})}}, slice_attrs({1}, {0}, {2}, {1}), {{"Out"}})
                .find("not 1"),
            std::string::npos);
}

TEST(Slice, StartsAndEndsFromTensors) {
  Tensor x = iota({3, 4});
  // StartsTensorList entries (constants) override the attribute; EndsTensor is one 1-D tensor.
  auto out = run_both("slice",
                      {{"Input", x},
                       {"StartsTensorList", i64({1}, {1}), true},
                       {"EndsTensor", i32({1}, {3}), true}},
                      slice_attrs({1}, {0}, {1}), {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{3, 2}));
  // From a fed tensor: resolved when the op runs.
  out = run_both("slice", {{"Input", x}, {"StartsTensor", i64({1}, {2})}},
                 slice_attrs({0}, {-1}, {3}), {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 4}));
  EXPECT_EQ(out[0].tensor.to_vector<float>()[0], 8.0f);
}

// Python slicing of 0..n-1 with a stride, the expected values for strided_slice.
std::vector<float> py_slice(int64_t n, int64_t start, int64_t end, int64_t step, bool end_is_none) {
  std::vector<float> v;
  if (step > 0) {
    if (start < 0) start = std::max<int64_t>(start + n, 0);
    if (end < 0) end = std::max<int64_t>(end + n, 0);
    start = std::min(start, n), end = std::min(end, n);
    for (int64_t i = start; i < end; i += step) v.push_back(static_cast<float>(i));
  } else {
    if (start < 0) start += n;
    start = std::min(start, n - 1);
    if (end_is_none)
      end = -1;
    else if (end < 0)
      end = std::max<int64_t>(end + n, -1);
    for (int64_t i = start; i > end; i += step) v.push_back(static_cast<float>(i));
  }
  return v;
}

TEST(StridedSlice, MatchesPythonSlicing) {
  struct Case {
    int64_t start, end, step;
    bool none;
  };
  // end -1 with a negative stride is Python's "None" stop (through index 0), as Paddle reads it.
  for (const Case& c :
       {Case{0, 10, 3, false}, Case{1, -1, 2, false}, Case{9, 0, -1, false}, Case{8, -1, -3, true},
        Case{-2, -9, -2, false}, Case{20, -1, -4, true}, Case{-3, 10, 1, false}}) {
    SCOPED_TRACE(fmt::format("{}:{}:{}", c.start, c.end, c.step));
    auto out = run_both("strided_slice", {{"Input", iota({10})}},
                        {{"axes", Attribute::i32s({0})},
                         {"starts", Attribute::i32s({static_cast<int32_t>(c.start)})},
                         {"ends", Attribute::i32s({static_cast<int32_t>(c.end)})},
                         {"strides", Attribute::i32s({static_cast<int32_t>(c.step)})},
                         {"infer_flags", Attribute::i32s({1})},
                         {"decrease_axis", Attribute::i32s({})}},
                        {{"Out"}});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].tensor.to_vector<float>(), py_slice(10, c.start, c.end, c.step, c.none));
  }
}

TEST(StridedSlice, OddShapesBothPaths) {
  run_both("strided_slice", {{"Input", random_tensor({3, 17, 9, 11}, 1)}},
           {{"axes", Attribute::i32s({1, 2, 3})},
            {"starts", Attribute::i32s({1, -1, 0})},
            {"ends", Attribute::i32s({16, -10, 11})},
            {"strides", Attribute::i32s({3, -2, 4})},
            {"infer_flags", Attribute::i32s({1, 1, 1})},
            {"decrease_axis", Attribute::i32s({})}},
           {{"Out"}});
}

TEST(SetValue, AttributeValuesAndValueTensor) {
  // x[:, 1:3] = 7 (Paddle <= 2.4: fp32_values with shape [1]).
  auto out = run_both("set_value", {{"Input", iota({2, 4})}},
                      {{"axes", Attribute::i64s({1})},
                       {"starts", Attribute::i64s({1})},
                       {"ends", Attribute::i64s({3})},
                       {"steps", Attribute::i64s({1})},
                       {"dtype", Attribute::i32(5)},
                       {"shape", Attribute::i64s({1})},
                       {"fp32_values", Attribute::f32s({7})}},
                      {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 7, 7, 3, 4, 7, 7, 7}));
  // 2.5+: SCALARS `values`; x[0, ::-2] = [10, 20] with decrease on axis 0.
  out = run_both(
      "set_value", {{"Input", iota({2, 4})}},
      {{"axes", Attribute::i64s({0, 1})},
       {"starts", Attribute::i64s({0, -1})},
       {"ends", Attribute::i64s({1, -5})},
       {"steps", Attribute::i64s({1, -2})},
       {"decrease_axes", Attribute::i64s({0})},
       {"dtype", Attribute::i32(5)},
       {"shape", Attribute::i64s({2})},
       {"values", Attribute::scalars({ir::Scalar::of_double(10), ir::Scalar::of_double(20)})}},
      {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 20, 2, 10, 4, 5, 6, 7}));
  // A value tensor broadcast over the region: x[:, 2:] = [[-1], [-2]].
  out = run_both("set_value", {{"Input", iota({2, 4})}, {"ValueTensor", f32({2, 1}, {-1, -2})}},
                 {{"axes", Attribute::i64s({1})},
                  {"starts", Attribute::i64s({2})},
                  {"ends", Attribute::i64s({4})},
                  {"steps", Attribute::i64s({1})}},
                 {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 1, -1, -1, 4, 5, -2, -2}));
}

}  // namespace
}  // namespace detport::testing
