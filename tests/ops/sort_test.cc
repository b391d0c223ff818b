// arg_max/arg_min, top_k, top_k_v2, argsort, cumsum.
#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

TEST(ArgMax, AxisKeepdimsFlattenAndTies) {
  Tensor x = f32({2, 3}, {1, 5, 5, 7, 0, 7});
  auto out = run_both("arg_max", {{"X", x}},
                      {{"axis", Attribute::i64(1)},
                       {"keepdims", Attribute::boolean(false)},
                       {"dtype", Attribute::i32(3)}},
                      {{"Out", DType::kInt64}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));  // first of ties
  out = run_both("arg_min", {{"X", x}},
                 {{"axis", Attribute::i64(0)},
                  {"keepdims", Attribute::boolean(true)},
                  {"dtype", Attribute::i32(2)}},
                 {{"Out", DType::kInt32}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1, 3}));
  EXPECT_EQ(out[0].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0, 1, 0}));
  // flatten: over all elements; 0-D as 2.5+ declares it, [1] as 2.4 did.
  out = run_both("arg_max", {{"X", x}},
                 {{"axis", Attribute::i64(0)}, {"flatten", Attribute::boolean(true)}},
                 {{"Out", DType::kInt64}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{}));
  EXPECT_EQ(out[0].tensor.to_vector<int64_t>(), (std::vector<int64_t>{3}));
  out = run_both("arg_max", {{"X", x}},
                 {{"axis", Attribute::i64(0)}, {"flatten", Attribute::boolean(true)}},
                 {{"Out", DType::kInt64, 1, {1}}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{1}));
  // hrnet's keypoint decoding: arg_max over the flattened heatmap axis of [N, K, H*W].
  run_both("arg_max", {{"X", random_tensor({2, 21, 3072}, 1)}},
           {{"axis", Attribute::i64(-1)}, {"keepdims", Attribute::boolean(false)}},
           {{"Out", DType::kInt64}});
}

TEST(TopK, LargestSmallestAxisAndKTensor) {
  Tensor x = f32({2, 4}, {3, 1, 4, 1, 5, 9, 2, 6});
  auto out = run_both("top_k_v2", {{"X", x}},
                      {{"k", Attribute::i32(2)},
                       {"axis", Attribute::i32(-1)},
                       {"largest", Attribute::boolean(true)},
                       {"sorted", Attribute::boolean(true)}},
                      {{"Out"}, {"Indices", DType::kInt64}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{4, 3, 9, 6}));
  EXPECT_EQ(out[1].tensor.to_vector<int64_t>(), (std::vector<int64_t>{2, 0, 1, 3}));
  // Smallest along axis 0.
  out = run_both("top_k_v2", {{"X", x}},
                 {{"k", Attribute::i32(1)},
                  {"axis", Attribute::i32(0)},
                  {"largest", Attribute::boolean(false)}},
                 {{"Out"}, {"Indices", DType::kInt64}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{3, 1, 2, 1}));
  EXPECT_EQ(out[1].tensor.to_vector<int64_t>(), (std::vector<int64_t>{0, 0, 1, 0}));
  // top_k v1 with K from a tensor; the tied 1s come lower index first.
  out = run_both("top_k", {{"X", x}, {"K", i32({1}, {3})}}, {{"k", Attribute::i32(1)}},
                 {{"Out"}, {"Indices", DType::kInt64}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 3}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{4, 3, 1, 9, 6, 5}));
  EXPECT_EQ(out[1].tensor.to_vector<int64_t>(), (std::vector<int64_t>{2, 0, 1, 1, 3, 0}));
}

TEST(ArgSort, StableBothDirections) {
  Tensor x = f32({5}, {2, 1, 2, 0, 1});
  auto out = run_both("argsort", {{"X", x}},
                      {{"axis", Attribute::i32(0)}, {"descending", Attribute::boolean(false)}},
                      {{"Out"}, {"Indices", DType::kInt64}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 1, 1, 2, 2}));
  EXPECT_EQ(out[1].tensor.to_vector<int64_t>(), (std::vector<int64_t>{3, 1, 4, 0, 2}));
  out = run_both("argsort", {{"X", x}},
                 {{"axis", Attribute::i32(-1)}, {"descending", Attribute::boolean(true)}},
                 {{"Out"}, {"Indices", DType::kInt64}});
  EXPECT_EQ(out[1].tensor.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 1, 4, 3}));
  run_both("argsort", {{"X", random_tensor({3, 7, 5}, 2)}}, {{"axis", Attribute::i32(1)}},
           {{"Out"}, {"Indices", DType::kInt64}});
}

TEST(Cumsum, ExclusiveReverseFlatten) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto out = run_both("cumsum", {{"X", x}}, {{"axis", Attribute::i32(1)}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, 3, 6, 4, 9, 15}));
  out = run_both("cumsum", {{"X", x}},
                 {{"axis", Attribute::i32(0)},
                  {"exclusive", Attribute::boolean(true)},
                  {"reverse", Attribute::boolean(true)}},
                 {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{4, 5, 6, 0, 0, 0}));
  out = run_both("cumsum", {{"X", x}}, {{"flatten", Attribute::boolean(true)}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{6}));
  EXPECT_EQ(out[0].tensor.to_vector<float>()[5], 21.0f);
}

}  // namespace
}  // namespace detport::testing
