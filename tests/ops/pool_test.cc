#include "nn_test_util.h"

namespace detport::testing {
namespace {

using ir::Attribute;

struct PoolCase {
  Dims x;
  std::string type;  // max / avg
  std::vector<int32_t> ksize, strides, paddings;
  bool ceil_mode = false, exclusive = true, adaptive = false, global = false;
  std::string algorithm = "EXPLICIT";
};

std::vector<ir::NamedAttribute> pool_attrs(const PoolCase& c) {
  return {{"pooling_type", Attribute::str(c.type)},
          {"ksize", ints(c.ksize)},
          {"strides", ints(c.strides)},
          {"paddings", ints(c.paddings)},
          {"ceil_mode", Attribute::boolean(c.ceil_mode)},
          {"exclusive", Attribute::boolean(c.exclusive)},
          {"adaptive", Attribute::boolean(c.adaptive)},
          {"global_pooling", Attribute::boolean(c.global)},
          {"padding_algorithm", Attribute::str(c.algorithm)},
          {"data_format", Attribute::str("NCHW")}};
}

std::vector<float> pool_ref(const Tensor& x, const PoolCase& c) {
  return values(run_reference("pool2d", {{"X", x}}, pool_attrs(c), {{"Out"}}));
}

// x = 1..9 as a 3x3 image:  1 2 3 / 4 5 6 / 7 8 9.
TEST(Pool, CeilModeAndExclusiveByHand) {
  const Tensor x = iota_tensor({1, 1, 3, 3});
  // ceil_mode: (3 - 2 + 1) / 2 + 1 = 2 outputs per dim; the last window holds one row/col.
  EXPECT_EQ(pool_ref(x, {{}, "max", {2, 2}, {2, 2}, {0, 0}, true}),
            (std::vector<float>{5, 6, 8, 9}));
  EXPECT_EQ(pool_ref(x, {{}, "avg", {2, 2}, {2, 2}, {0, 0}, true, true}),
            (std::vector<float>{3, 4.5f, 7.5f, 9}));
  // Non-exclusive with ceil_mode: Paddle clips the window at in + pad_top (3 + 0), so the corner
  // window divides by 1, not 4 (Pool2dFunctor: hend = min(hstart + k, H + pad), pool_size before
  // clipping to H).
  EXPECT_EQ(pool_ref(x, {{}, "avg", {2, 2}, {2, 2}, {0, 0}, true, false}),
            (std::vector<float>{3, 4.5f, 7.5f, 9}));
  // Non-exclusive with padding 1, k3 s2: every window spans 3x3 including padding -> / 9.
  auto v = pool_ref(x, {{}, "avg", {3, 3}, {2, 2}, {1, 1}, false, false});
  ASSERT_EQ(v.size(), 4u);
  EXPECT_FLOAT_EQ(v[0], 12.0f / 9);  // 1+2+4+5
  EXPECT_FLOAT_EQ(v[1], 16.0f / 9);  // 2+3+5+6
  EXPECT_FLOAT_EQ(v[3], 28.0f / 9);  // 5+6+8+9
  // The same exclusive: divide by the in-image count (4).
  v = pool_ref(x, {{}, "avg", {3, 3}, {2, 2}, {1, 1}, false, true});
  EXPECT_FLOAT_EQ(v[0], 3.0f);
  EXPECT_FLOAT_EQ(v[3], 7.0f);
  // 4 paddings [top, bottom, left, right] = [0, 1, 0, 1]: out (3 - 2 + 1) / 2 + 1 = 2; the
  // bottom pad only sizes the output: the corner window is clipped at 3 + pad_top = 3, so even a
  // non-exclusive average divides by 1.
  EXPECT_EQ(pool_ref(x, {{}, "avg", {2, 2}, {2, 2}, {0, 1, 0, 1}, false, false}),
            (std::vector<float>{3, 4.5f, 7.5f, 9}));
}

TEST(Pool, AdaptiveGlobalAndSameByHand) {
  const Tensor x = iota_tensor({1, 1, 5, 5});  // row r, col c holds 5r + c + 1
  // adaptive 2x2 on 5: windows [floor(0), ceil(2.5)) = [0,3) and [floor(2.5), ceil(5)) = [2,5).
  auto v = pool_ref(x, {{}, "avg", {2, 2}, {1, 1}, {0, 0}, false, true, true});
  ASSERT_EQ(v.size(), 4u);
  EXPECT_FLOAT_EQ(v[0], 7.0f);   // mean of rows 0-2, cols 0-2: centre value 2*5+... = 7
  EXPECT_FLOAT_EQ(v[1], 9.0f);   // rows 0-2, cols 2-4: centre (1, 3) = 9
  EXPECT_FLOAT_EQ(v[3], 19.0f);  // rows 2-4, cols 2-4: centre (3, 3) = 19
  // global pooling ignores ksize and paddings.
  v = pool_ref(x, {{}, "avg", {2, 2}, {1, 1}, {3, 3}, false, true, false, true});
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FLOAT_EQ(v[0], 13.0f);
  // SAME, k3 s2 on 5: out ceil(5/2) = 3, pad (3-1)*2 + 3 - 5 = 2 -> 1 before, 1 after.
  v = pool_ref(x, {{}, "max", {3, 3}, {2, 2}, {0, 0}, false, true, false, false, "SAME"});
  EXPECT_EQ(v, (std::vector<float>{7, 9, 10, 17, 19, 20, 22, 24, 25}));
  // VALID ignores the paddings: (5 - 3) / 2 + 1 = 2.
  v = pool_ref(x, {{}, "max", {3, 3}, {2, 2}, {1, 1}, false, true, false, false, "VALID"});
  EXPECT_EQ(v, (std::vector<float>{13, 15, 23, 25}));
}

TEST(Pool, UnsupportedAndBadAttributesAreClearErrors) {
  const Tensor x = random_tensor({1, 2, 6, 6}, 3);
  PoolCase c{{}, "max", {2, 2}, {1, 1}, {0, 0}, false, true, true};
  EXPECT_NE(op_error("pool2d", {{"X", x}}, pool_attrs(c), {{"Out"}}).find("adaptive"),
            std::string::npos);
  c = {{}, "lp", {2, 2}, {1, 1}, {0, 0}};
  EXPECT_NE(op_error("pool2d", {{"X", x}}, pool_attrs(c), {{"Out"}}).find("pooling_type"),
            std::string::npos);
  c = {{}, "max", {9, 9}, {1, 1}, {0, 0}};
  EXPECT_NE(op_error("pool2d", {{"X", x}}, pool_attrs(c), {{"Out"}}).find("empty"),
            std::string::npos);
}

TEST(Pool, OneDnnOnlyWhereItsDefinitionIsPaddles) {
  const Tensor x = random_tensor({1, 8, 19, 19}, 5);
  auto impl = [&](const PoolCase& c) {
    return optimized_impl("pool2d", {{"X", x}}, pool_attrs(c), {{"Out"}});
  };
  EXPECT_EQ(impl({{}, "max", {5, 5}, {1, 1}, {2, 2}}).rfind("onednn:", 0), 0u);
  EXPECT_EQ(impl({{}, "avg", {2, 2}, {2, 2}, {0, 0}, true, true}).rfind("onednn:", 0), 0u);
  EXPECT_EQ(impl({{}, "avg", {1, 1}, {1, 1}, {0, 0}, false, true, true}).rfind("onednn:", 0), 0u);
  // Non-exclusive with ceil_mode: the last window's divisor differs from oneDNN's kh * kw.
  EXPECT_EQ(impl({{}, "avg", {2, 2}, {2, 2}, {0, 0}, true, false}).rfind("native:", 0), 0u);
  // Adaptive 2x2 on 19x19: uneven windows.
  EXPECT_EQ(impl({{}, "avg", {2, 2}, {1, 1}, {0, 0}, false, true, true}).rfind("native:", 0), 0u);
}

void PrintTo(const PoolCase& c, std::ostream* os) {
  *os << c.type << " x" << runtime::dims_to_string(c.x) << " k"
      << runtime::dims_to_string(Dims(c.ksize.begin(), c.ksize.end())) << " s"
      << runtime::dims_to_string(Dims(c.strides.begin(), c.strides.end())) << " p"
      << runtime::dims_to_string(Dims(c.paddings.begin(), c.paddings.end()))
      << " ceil=" << c.ceil_mode << " exclusive=" << c.exclusive << " adaptive=" << c.adaptive
      << " global=" << c.global << " " << c.algorithm;
}

class PoolShapes : public ::testing::TestWithParam<PoolCase> {};

TEST_P(PoolShapes, OptimizedMatchesReference) {
  const PoolCase& c = GetParam();
  const Tensor x = random_tensor(c.x, 7, -2, 2);
  check_optimized_matches_reference("pool2d", {{"X", x}}, pool_attrs(c), {{"Out"}}, 1e-5);
}

TEST_P(PoolShapes, ChannelsLastMatchesReference) {
  const PoolCase& c = GetParam();
  const Tensor x = random_tensor(c.x, 8, -2, 2);
  check_nhwc_matches_reference("pool2d", {{"X", x}}, pool_attrs(c), {{"Out"}}, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, PoolShapes,
    ::testing::Values(
        // SPP max pools as PP-YOLO(E) use them.
        PoolCase{{1, 19, 10, 10}, "max", {5, 5}, {1, 1}, {2, 2}},
        PoolCase{{2, 17, 9, 11}, "max", {13, 13}, {1, 1}, {6, 6}},
        // BlazeFace / PP-YOLO downsampling with ceil_mode.
        PoolCase{{2, 24, 7, 9}, "max", {2, 2}, {2, 2}, {0, 0}, true},
        PoolCase{{1, 5, 19, 19}, "avg", {2, 2}, {2, 2}, {0, 0}, true, true},
        PoolCase{{1, 5, 19, 19}, "avg", {2, 2}, {2, 2}, {0, 0}, true, false},
        PoolCase{{1, 3, 8, 8}, "max", {3, 3}, {2, 2}, {1, 1}},
        PoolCase{{1, 3, 9, 8}, "avg", {3, 3}, {2, 2}, {1, 1}, false, false},
        PoolCase{{1, 3, 9, 8}, "avg", {3, 2}, {2, 3}, {1, 0, 1, 1}, true, true},
        PoolCase{{1, 3, 9, 8}, "avg", {3, 2}, {2, 3}, {1, 0, 1, 1}, true, false},
        PoolCase{{1, 4, 7, 6}, "max", {3, 3}, {2, 2}, {0, 0}, false, true, false, false, "SAME"},
        PoolCase{{1, 4, 7, 6}, "avg", {3, 3}, {2, 2}, {0, 0}, false, false, false, false, "SAME"},
        PoolCase{{1, 4, 7, 6}, "avg", {2, 2}, {2, 2}, {5, 5}, false, true, false, false, "VALID"},
        // SE / ESE blocks: adaptive average to 1x1, and adaptive to other sizes.
        PoolCase{{2, 33, 5, 7}, "avg", {1, 1}, {1, 1}, {0, 0}, false, true, true},
        PoolCase{{1, 6, 8, 12}, "avg", {2, 3}, {1, 1}, {0, 0}, false, true, true},
        PoolCase{{1, 6, 7, 10}, "avg", {3, 4}, {1, 1}, {0, 0}, false, true, true},
        PoolCase{{1, 1, 1, 1}, "avg", {1, 1}, {1, 1}, {0, 0}, false, true, true},
        // global pooling, max and average.
        PoolCase{{3, 9, 6, 5}, "max", {1, 1}, {1, 1}, {0, 0}, false, true, false, true},
        PoolCase{{3, 9, 6, 5}, "avg", {1, 1}, {1, 1}, {1, 1}, false, false, false, true},
        // Windows that are all padding: Paddle yields -FLT_MAX for max (kept by our loop).
        PoolCase{{1, 2, 3, 3}, "max", {2, 2}, {3, 3}, {2, 2}, true}));

}  // namespace
}  // namespace detport::testing
