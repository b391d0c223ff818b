// fill_constant (+ batch_size_like, fill_any_like), assign_value in both attribute forms, shape,
// range, linspace, cast and assign; and compile-time folding of shape subgraphs, on a synthetic
// graph and on the real hrnet_hand_kpt_p26 export.
#include "formats/model_io.h"
#include "tensor_ops_util.h"
#include "test_support.h"

namespace detport::testing {
namespace {

TEST(FillConstant, StrValueValueTensorAndShapeTensor) {
  // str_value wins over value (exact for big int64s); dtype is a VarType code (3 = int64).
  auto out = run_both("fill_constant", {},
                      {{"shape", Attribute::i64s({2})},
                       {"dtype", Attribute::i32(3)},
                       {"value", Attribute::f32(1)},
                       {"str_value", Attribute::str("9007199254740993")}},
                      {{"Out", DType::kInt64}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<int64_t>(),
            (std::vector<int64_t>{9007199254740993, 9007199254740993}));
  out = run_both("fill_constant", {},
                 {{"shape", Attribute::i64s({1})},
                  {"dtype", Attribute::i32(5)},
                  {"str_value", Attribute::str("-inf")}},
                 {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>()[0], -INFINITY);
  // ValueTensor and ShapeTensor fed at run time: the dims are found when the op runs.
  out = run_both(
      "fill_constant", {{"ValueTensor", f32({1}, {2.5f})}, {"ShapeTensor", i32({2}, {2, 3})}},
      {{"shape", Attribute::i64s({})}, {"dtype", Attribute::i32(5)}, {"value", Attribute::f32(0)}},
      {{"Out"}});
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 3}));
  EXPECT_EQ(out[0].tensor.to_vector<float>()[5], 2.5f);
}

TEST(FillConstant, BatchSizeLikeAndAnyLike) {
  auto out = run_both("fill_constant_batch_size_like", {{"Input", iota({7, 2})}},
                      {{"shape", Attribute::i32s({-1, 3})},
                       {"dtype", Attribute::i32(5)},
                       {"value", Attribute::f32(4)},
                       {"input_dim_idx", Attribute::i32(0)},
                       {"output_dim_idx", Attribute::i32(0)}},
                      {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{7, 3}));
  out = run_both("fill_any_like", {{"X", iota({2, 2})}},
                 {{"value", Attribute::f32(3)}, {"dtype", Attribute::i32(-1)}}, {{"Out"}});
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{3, 3, 3, 3}));
  out = run_both("fill_any_like", {{"X", iota({2})}},
                 {{"value", Attribute::f32(1)}, {"dtype", Attribute::i32(0)}},
                 {{"Out", DType::kBool}});
  EXPECT_EQ(out[0].tensor.dtype(), DType::kBool);
}

TEST(AssignValue, TypedListsAndScalars) {
  // Paddle <= 2.4: fp32_values / int64_values; 2.5+: SCALARS `values`.
  auto out = run_both("assign_value", {},
                      {{"shape", Attribute::i32s({2, 2})},
                       {"dtype", Attribute::i32(5)},
                       {"fp32_values", Attribute::f32s({1, -0.5f, 2, 3})},
                       {"int32_values", Attribute::i32s({})}},
                      {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{1, -0.5f, 2, 3}));
  out = run_both(
      "assign_value", {},
      {{"shape", Attribute::i32s({3})},
       {"dtype", Attribute::i32(3)},
       {"values", Attribute::scalars({ir::Scalar::of_int(-1), ir::Scalar::of_int(int64_t{1} << 60),
                                      ir::Scalar::of_int(7)})}},
      {{"Out", DType::kInt64}});
  EXPECT_EQ(out[0].tensor.to_vector<int64_t>(), (std::vector<int64_t>{-1, int64_t{1} << 60, 7}));
  EXPECT_NE(op_error("assign_value", {},
                     {{"shape", Attribute::i32s({3})},
                      {"dtype", Attribute::i32(5)},
                      {"fp32_values", Attribute::f32s({1})}},
                     {{"Out"}})
                .find("1 values for the shape [3]"),
            std::string::npos);
}

TEST(AssignValue, PirFullIntArrayForm) {
  // The PIR reader maps pd_op.full_int_array (attributes `value`, a list, and `dtype`; no shape:
  // the result is the 1-D vector of the list, paddle/phi/ops/yaml/ops.yaml full_int_array) to
  // assign_value with those attributes as they are.
  auto out = run_both("assign_value", {},
                      {{"value", Attribute::i64s({1, 1, -3})}, {"dtype", Attribute::i32(3)}},
                      {{"Out", DType::kInt64}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (runtime::Dims{3}));
  EXPECT_EQ(out[0].tensor.to_vector<int64_t>(), (std::vector<int64_t>{1, 1, -3}));
}

TEST(Range, SizesAndAccumulation) {
  // Integer size: (|end - start| + |step| - 1) / |step|; float: ceil(|end - start| / |step|).
  auto out = run_both("range",
                      {{"Start", i64({1}, {10})}, {"End", i64({1}, {1})}, {"Step", i64({1}, {-3})}},
                      {}, {{"Out", DType::kInt64}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<int64_t>(), (std::vector<int64_t>{10, 7, 4}));
  // Floats accumulate step by step as Paddle's kernel does: 0.1 added 7 times, not 0.1 * 7.
  out = run_both("range",
                 {{"Start", f32({1}, {0})}, {"End", f32({1}, {0.75f})}, {"Step", f32({1}, {0.1f})}},
                 {}, {{"Out"}});
  float v = 0;
  for (int i = 0; i < 7; ++i) v += 0.1f;
  EXPECT_EQ(out[0].tensor.dims(), (Dims{8}));
  EXPECT_EQ(out[0].tensor.to_vector<float>()[7], v);
  EXPECT_NE(op_error("range",
                     {{"Start", i64({1}, {0})}, {"End", i64({1}, {5})}, {"Step", i64({1}, {-1})}},
                     {}, {{"Out", DType::kInt64}})
                .find("points away"),
            std::string::npos);
}

TEST(Linspace, HalvesFromEachEnd) {
  auto out = run_both("linspace",
                      {{"Start", f32({1}, {0})}, {"Stop", f32({1}, {1})}, {"Num", i32({1}, {5})}},
                      {{"dtype", Attribute::i32(5)}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<float>(), (std::vector<float>{0, 0.25f, 0.5f, 0.75f, 1}));
  // int32 output: bounds and values truncate.
  out = run_both("linspace",
                 {{"Start", f32({1}, {0})}, {"Stop", f32({1}, {10})}, {"Num", i32({1}, {4})}},
                 {{"dtype", Attribute::i32(2)}}, {{"Out", DType::kInt32}});
  EXPECT_EQ(out[0].tensor.to_vector<int32_t>(), (std::vector<int32_t>{0, 3, 6, 10}));
}

TEST(Cast, TruncatesAndSaturates) {
  Tensor x = f32({6}, {1.9f, -1.9f, 0.0f, 3e10f, NAN, -0.2f});
  auto out = run_both("cast", {{"X", x}},
                      {{"in_dtype", Attribute::i32(5)}, {"out_dtype", Attribute::i32(2)}},
                      {{"Out", DType::kInt32}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<int32_t>(),
            (std::vector<int32_t>{1, -1, 0, std::numeric_limits<int32_t>::max(), 0, 0}));
  out = run_both("cast", {{"X", x}},
                 {{"in_dtype", Attribute::i32(5)}, {"out_dtype", Attribute::i32(0)}},
                 {{"Out", DType::kBool}});
  EXPECT_EQ(out[0].tensor.to_vector<bool>(),
            (std::vector<bool>{true, true, false, true, true, true}));
  run_both("assign", {{"X", random_tensor({3, 5}, 1)}}, {}, {{"Out"}});
}

TEST(Shape, IsAConstantOfTheInputDims) {
  auto out = run_both("shape", {{"Input", iota({2, 3, 5})}}, {}, {{"Out", DType::kInt32}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.to_vector<int32_t>(), (std::vector<int32_t>{2, 3, 5}));
}

// The pattern of hrnet_hand_kpt_p26's channel shuffles: shape -> slice (decreased to 0-D) ->
// reshape2's ShapeTensor list with fill_constant entries -> transpose2 -> reshape2.
TEST(Folding, ShapeSubgraphsFoldAtCompileTime) {
  ir::ProgramBuilder b;
  const std::string x = b.input("x", DType::kFloat32, {-1, 8, 3, 5});
  const std::string s =
      b.op("shape").in("Input", {x}).out("Out", {b.temp("s", DType::kInt32, {4})}).build();
  auto sl = b.op("slice");
  sl.in("Input", {s}).out("Out", {b.temp("n", DType::kInt32, {})});
  for (const auto& a : std::vector<ir::NamedAttribute>{{"axes", Attribute::i32s({0})},
                                                       {"starts", Attribute::i32s({0})},
                                                       {"ends", Attribute::i32s({1})},
                                                       {"infer_flags", Attribute::i32s({1})},
                                                       {"decrease_axis", Attribute::i32s({0})}})
    sl.attr(a.name, a.value);
  const std::string n = sl.build();
  auto fill = [&](int v) {
    return b.op("fill_constant")
        .out("Out", {b.temp("", DType::kInt32, {1}, "fill_constant")})
        .attr("shape", Attribute::i64s({1}))
        .attr("dtype", Attribute::i32(2))
        .attr("value", Attribute::f32(static_cast<float>(v)))
        .attr("str_value", Attribute::str(std::to_string(v)))
        .build();
  };
  const std::string r = b.op("reshape2")
                            .in("X", {x})
                            .in("ShapeTensor", {n, fill(2), fill(4), fill(3), fill(5)})
                            .out("Out", {b.temp("r", DType::kFloat32, {})})
                            .out("XShape", {b.temp("rx", DType::kFloat32, {})})
                            .attr("shape", Attribute::i32s({-1, 2, 4, 3, 5}))
                            .build();
  const std::string t = b.op("transpose2")
                            .in("X", {r})
                            .out("Out", {b.temp("t", DType::kFloat32, {})})
                            .attr("axis", Attribute::i32s({0, 2, 1, 3, 4}))
                            .build();
  const std::string y = b.op("reshape2")
                            .in("X", {t})
                            .in("ShapeTensor", {n, fill(8), fill(3), fill(5)})
                            .out("Out", {b.temp("y", DType::kFloat32, {})})
                            .attr("shape", Attribute::i32s({-1, 8, 3, 5}))
                            .build();
  b.output(y);
  const ir::Model m = std::move(b).finish(ir::Release{2, 6, 0});
  Tensor in = iota({2, 8, 3, 5});
  for (bool fuse : {false, true}) {
    SCOPED_TRACE(fuse);
    runtime::CompileOptions o;
    o.profile = true;
    o.fuse = fuse;
    auto session = runtime::compile(m, o);
    ASSERT_TRUE(session.ok()) << session.error().describe();
    auto out = session->run({{"x", in}});
    ASSERT_TRUE(out.ok()) << out.error().describe();
    // Only the data ops are left (with fusion, as one channel_shuffle).
    std::vector<std::string> ran;
    for (const auto& p : session->profile().nodes) ran.push_back(p.type);
    const std::vector<std::string> want =
        fuse ? std::vector<std::string>{"channel_shuffle"}
             : std::vector<std::string>{"reshape2", "transpose2", "reshape2"};
    EXPECT_EQ(ran, want);
    // Channel c = 4g + k goes to 2k + g: output channel 1 is input channel 4.
    EXPECT_EQ((*out)[0].tensor.dims(), (Dims{2, 8, 3, 5}));
    EXPECT_EQ((*out)[0].tensor.to_vector<float>()[15], in.to_vector<float>()[4 * 15]);
  }
  compare_paths(m, {{"x", in}});
}

// The real export: its first channel shuffles (ops up to the first interpolation), with seeded
// random weights since the params are not in the repository. batch_norm becomes an identity
// scale: this test is about shapes and data movement, and keeps it independent of the nn kernels.
TEST(Folding, HrnetHandShuffleSubgraphsFold) {
  const auto dir = models_dir() / "hrnet_hand_kpt_p26";
  DETPORT_REQUIRE_SHARED(dir);
  auto loaded = formats::load_model(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  ir::Model m = std::move(loaded).value();
  auto& ops = m.program.blocks[0].ops;
  std::size_t cut = 0;
  while (cut < ops.size() && ops[cut].type.find("interp") == std::string::npos) ++cut;
  ASSERT_LT(cut, ops.size());
  ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(cut), ops.end());
  for (ir::Op& op : ops) {
    if (op.type != "batch_norm") continue;
    ir::Op id;
    id.type = "scale";
    const auto x = op.input("X");
    const auto y = op.output("Y");
    id.inputs.push_back({"X", {x.begin(), x.end()}});
    id.outputs.push_back({"Out", {y.begin(), y.end()}});
    id.attrs = {{"scale", Attribute::f32(1)},
                {"bias", Attribute::f32(0)},
                {"bias_after_scale", Attribute::boolean(true)}};
    op = id;
  }
  // Fetch the output of the last op before the cut.
  const std::string last = ops.back().outputs.front().args.front();
  ir::Op fetch;
  fetch.type = "fetch";
  fetch.inputs.push_back({"X", {last}});
  fetch.outputs.push_back({"Out", {"fetch"}});
  fetch.attrs.push_back({"col", Attribute::i32(0)});
  ops.push_back(fetch);
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.1f);
  for (const auto& v : m.program.blocks[0].vars) {
    if (!v.holds_weights() || !v.tensor || m.weights.count(v.name) != 0) continue;
    int64_t count = 1;
    for (int64_t d : v.tensor->dims) count *= std::max<int64_t>(d, 1);
    const auto n = static_cast<std::size_t>(count);
    std::vector<float> vals(n);
    // Batch-norm variances must stay positive.
    for (float& f : vals)
      f = v.name.find("w_2") != std::string::npos ? 1.0f + std::abs(noise(rng)) : noise(rng);
    m.weights.emplace(v.name, ir::Tensor::from_values(DType::kFloat32, v.tensor->dims, vals));
  }
  runtime::CompileOptions o;
  o.profile = true;
  auto session = runtime::compile(m, o);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  auto out = session->run({{"image", random_tensor({1, 3, 256, 192}, 9, 0.0f, 1.0f)}});
  ASSERT_TRUE(out.ok()) << out.error().describe();
  std::map<std::string, int> ran;
  for (const auto& p : session->profile().nodes) ++ran[p.type];
  EXPECT_EQ(ran.count("shape") + ran.count("slice") + ran.count("fill_constant"), 0u)
      << session->plan_summary();
  // Every channel shuffle became one channel_shuffle node.
  EXPECT_GT(ran["channel_shuffle"], 0);
  EXPECT_EQ(ran.count("reshape2") + ran.count("transpose2"), 0u) << session->plan_summary();
  // The concats, splits and shuffles between convolutions stay channels-last: one conversion in,
  // one out.
  EXPECT_NE(session->plan_summary().find("2 layout conversions"), std::string::npos)
      << session->plan_summary();
  EXPECT_GT(ran["concat"], 0);
  EXPECT_GT(ran["split"], 0);
  compare_paths(m, {{"image", random_tensor({2, 3, 256, 192}, 9, 0.0f, 1.0f)}});
}

}  // namespace
}  // namespace detport::testing
