// Shape ops exported to ONNX and run by ONNX Runtime: reshape2 fed by Paddle's shape arithmetic
// (the channel shuffle of HRNet/ShuffleNet exports: shape -> slice -> fill_constant ->
// reshape2.ShapeTensor) becomes a constant-shape Reshape; squeeze2/unsqueeze2 follow Paddle's axis
// rules; split, slice with decrease_axis, stack, flatten, concat, transpose.
#include <algorithm>

#include "export/onnx/onnx_model.h"
#include "onnx/onnx_test_util.h"

namespace detport {
namespace {

using ir::Attribute;
using ir::DType;
using testing::HostTensor;

int count_nodes(const std::string& bytes, const std::string& type) {
  onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes));
  int n = 0;
  for (const auto& node : m.graph().node()) n += node.op_type() == type;
  return n;
}

// x [N, 4, 2, 3] -> reshape [N, 2, 2, 2, 3] (ShapeTensor) -> transpose -> reshape [N, 4, 2, 3].
ir::Model channel_shuffle() {
  ir::ProgramBuilder b;
  auto x = b.input("x", DType::kFloat32, {-1, 4, 2, 3});
  auto shape = b.temp("shape", DType::kInt32, {4});
  b.op("shape").in("Input", {x}).out("Out", {shape}).build();
  auto batch = b.temp("batch", DType::kInt32, {});
  b.op("slice")
      .in("Input", {shape})
      .out("Out", {batch})
      .attr("axes", Attribute::i32s({0}))
      .attr("starts", Attribute::i32s({0}))
      .attr("ends", Attribute::i32s({1}))
      .attr("decrease_axis", Attribute::i32s({0}))
      .attr("infer_flags", Attribute::i32s({1}))
      .build();
  std::vector<std::string> dims;
  for (int v : {2, 2, 2, 3}) {
    auto c = b.temp("", DType::kInt32, {1}, "fill_constant");
    b.op("fill_constant")
        .out("Out", {c})
        .attr("dtype", Attribute::i32(2))
        .attr("shape", Attribute::i64s({1}))
        .attr("value", Attribute::f32(static_cast<float>(v)))
        .attr("str_value", Attribute::str(std::to_string(v)))
        .build();
    dims.push_back(c);
  }
  std::vector<std::string> st{batch};
  st.insert(st.end(), dims.begin(), dims.end());
  auto r1 = b.temp("r1", DType::kFloat32, {-1, 2, 2, 2, 3});
  b.op("reshape2")
      .in("X", {x})
      .in("ShapeTensor", st)
      .out("Out", {r1})
      .attr("shape", Attribute::i32s({-1, 2, 2, 2, 3}))
      .build();
  auto t = b.temp("t", DType::kFloat32, {-1, 2, 2, 2, 3});
  b.op("transpose2")
      .in("X", {r1})
      .out("Out", {t})
      .attr("axis", Attribute::i32s({0, 2, 1, 3, 4}))
      .build();
  auto c4 = b.temp("", DType::kInt32, {1}, "fill_constant");
  b.op("fill_constant")
      .out("Out", {c4})
      .attr("dtype", Attribute::i32(2))
      .attr("shape", Attribute::i64s({1}))
      .attr("value", Attribute::f32(4))
      .build();
  auto out = b.temp("out", DType::kFloat32, {-1, 4, 2, 3});
  b.op("reshape2")
      .in("X", {t})
      .in("ShapeTensor", {batch, c4, dims[2], dims[3]})
      .out("Out", {out})
      .attr("shape", Attribute::i32s({-1, 4, 2, 3}))
      .build();
  b.output(out);
  return std::move(b).finish(ir::Release{2, 6, 0});
}

TEST(OnnxShape, ChannelShuffleBecomesConstantReshapes) {
  auto model = channel_shuffle();
  const std::string bytes = testing::export_or_fail(model, 11);
  // No run-time shape arithmetic is left: OpenCV DNN needs static Reshape shapes.
  EXPECT_EQ(count_nodes(bytes, "Shape"), 0);
  EXPECT_EQ(count_nodes(bytes, "Concat"), 0);
  EXPECT_EQ(count_nodes(bytes, "Reshape"), 2);
  const int n = 2;
  auto x = testing::random_floats(n * 24, -1, 1, 9);
  std::vector<double> expected;
  for (int b = 0; b < n; ++b)
    for (int c = 0; c < 4; ++c) {
      const int src = (c % 2) * 2 + c / 2;  // groups 2: out channel (j, g) <- in channel (g, j)
      for (int i = 0; i < 6; ++i)
        expected.push_back(x[static_cast<std::size_t>((b * 4 + src) * 6 + i)]);
    }
  testing::OrtBatch batch;
  batch.add("shuffle", bytes, {{"x", HostTensor::f32({n, 4, 2, 3}, x)}},
            [expected](const testing::RunResult& r) {
              EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 4, 2, 3}));
              EXPECT_TRUE(testing::all_close(r.out(0).values(), expected));
            });
  auto ocv = testing::run_opencv(bytes, {{"x", HostTensor::f32({n, 4, 2, 3}, x)}}, {"out"});
  ASSERT_TRUE(ocv.ok) << ocv.message;
  EXPECT_TRUE(testing::all_close(ocv.out(0).values(), expected));
  batch.run();
}

TEST(OnnxShape, ReshapeZeroAndMinusOne) {
  auto model = testing::one_op("reshape2", {{"X", "x", DType::kFloat32, {-1, 4, 6}}},
                               {{"Out", "y", DType::kFloat32, {-1, 2, 12}},
                                {"XShape", "xs", DType::kFloat32, {0, -1, 4, 6}}},
                               {{"shape", Attribute::i32s({0, 2, -1})}});
  // XShape is not an output of the ONNX graph: Paddle's exports never fetch it.
  model.program.global_block().ops.pop_back();
  auto x = testing::random_floats(48, -1, 1, 2);
  testing::OrtBatch batch;
  batch.add_opsets("0 and -1", model, {11, 17}, {{"x", HostTensor::f32({2, 4, 6}, x)}},
                   [x](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 2, 12}));
                     EXPECT_EQ(r.out(0).as<float>(), x);
                   });
  batch.run();
}

TEST(OnnxShape, SqueezeAndUnsqueezeFollowPaddle) {
  testing::OrtBatch batch;
  auto x = testing::random_floats(12, -1, 1, 2);
  // squeeze2 ignores listed axes whose dim is not 1 (axis 2 here).
  auto sq = testing::one_op("squeeze2", {{"X", "x", DType::kFloat32, {-1, 1, 4, 3}}},
                            {{"Out", "y", DType::kFloat32, {-1, 4, 3}}},
                            {{"axes", Attribute::i32s({1, 2})}});
  batch.add_opsets("squeeze2", sq, {11, 13}, {{"x", HostTensor::f32({1, 1, 4, 3}, x)}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{1, 4, 3}));
                   });
  // unsqueeze2 inserts one axis at a time: [-1, 0] on [4, 3] gives [1, 4, 3, 1].
  auto un = testing::one_op("unsqueeze2", {{"X", "x", DType::kFloat32, {4, 3}}},
                            {{"Out", "y", DType::kFloat32, {1, 4, 3, 1}}},
                            {{"axes", Attribute::i32s({-1, 0})}});
  batch.add_opsets("unsqueeze2", un, {11, 13}, {{"x", HostTensor::f32({4, 3}, x)}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{1, 4, 3, 1}));
                   });
  batch.run();
}

TEST(OnnxShape, SplitSliceStackFlatten) {
  testing::OrtBatch batch;
  auto x = testing::random_floats(2 * 6 * 2, -1, 1, 4);
  auto split = testing::one_op(
      "split", {{"X", "x", DType::kFloat32, {-1, 6, 2}}},
      {{"Out", "a", DType::kFloat32, {-1, 1, 2}}, {"Out", "b", DType::kFloat32, {-1, 5, 2}}},
      {{"axis", Attribute::i32(1)},
       {"num", Attribute::i32(0)},
       {"sections", Attribute::i32s({1, -1})}});
  batch.add_opsets("split sections with -1", split, {11, 13},
                   {{"x", HostTensor::f32({2, 6, 2}, x)}}, [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 1, 2}));
                     EXPECT_EQ(r.out(1).dims, (std::vector<int64_t>{2, 5, 2}));
                   });
  // slice with decrease_axis, as BlazeFace's box decoding: x[:, :, 1].
  auto sl = testing::one_op("slice", {{"Input", "x", DType::kFloat32, {-1, 6, 2}}},
                            {{"Out", "y", DType::kFloat32, {-1, 6}}},
                            {{"axes", Attribute::i32s({2})},
                             {"starts", Attribute::i32s({1})},
                             {"ends", Attribute::i32s({2})},
                             {"decrease_axis", Attribute::i32s({2})}});
  std::vector<float> col;
  for (int i = 0; i < 12; ++i) col.push_back(x[static_cast<std::size_t>(i * 2 + 1)]);
  batch.add_opsets("slice decrease", sl, {11, 13}, {{"x", HostTensor::f32({2, 6, 2}, x)}},
                   [col](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 6}));
                     EXPECT_EQ(r.out(0).as<float>(), col);
                   });
  auto st = testing::one_op(
      "stack", {{"X", "a", DType::kFloat32, {-1, 2}}, {"X", "b", DType::kFloat32, {-1, 2}}},
      {{"Y", "y", DType::kFloat32, {-1, 2, 2}}}, {{"axis", Attribute::i32(-1)}});
  batch.add_opsets("stack -1", st, {11},
                   {{"a", HostTensor::f32({1, 2}, {1, 2})}, {"b", HostTensor::f32({1, 2}, {3, 4})}},
                   [](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{1, 2, 2}));
                     EXPECT_EQ(r.out(0).as<float>(), (std::vector<float>{1, 3, 2, 4}));
                   });
  auto fl = testing::one_op("flatten_contiguous_range", {{"X", "x", DType::kFloat32, {-1, 6, 2}}},
                            {{"Out", "y", DType::kFloat32, {-1, 12}}},
                            {{"start_axis", Attribute::i32(1)}, {"stop_axis", Attribute::i32(-1)}});
  batch.add_opsets("flatten", fl, {11}, {{"x", HostTensor::f32({2, 6, 2}, x)}},
                   [x](const testing::RunResult& r) {
                     EXPECT_EQ(r.out(0).dims, (std::vector<int64_t>{2, 12}));
                     EXPECT_EQ(r.out(0).as<float>(), x);
                   });
  batch.run();
}

}  // namespace
}  // namespace detport
