// reshape2/reshape, squeeze2, unsqueeze2, flatten_contiguous_range, flatten2: dims rules as
// Paddle defines them (phi ValidateShape, GetOutputSqueezeShape, GetUnsqueezeShape), XShape, shape
// tensors known at compile time and at run time only.
#include "tensor_ops_util.h"

namespace detport::testing {
namespace {

Dims out_dims(const std::string& type, const std::vector<OpInput>& in,
              const std::vector<ir::NamedAttribute>& attrs) {
  auto out = run_both(type, in, attrs, {{"Out"}, {"XShape"}});
  return out.empty() ? Dims{-99} : out[0].tensor.dims();
}

TEST(Reshape, ZeroCopiesAndMinusOneInfers) {
  // Paddle's rule: 0 copies the input dim at the same index, one -1 takes the rest.
  Tensor x = iota({2, 3, 4});
  auto out = run_both("reshape2", {{"X", x}}, {{"shape", Attribute::i32s({0, -1, 2})}},
                      {{"Out"}, {"XShape"}});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{2, 6, 2}));
  EXPECT_EQ(out[0].tensor.to_vector<float>(), x.to_vector<float>());  // same bytes
  EXPECT_EQ(out[1].tensor.dims(), (Dims{0, 2, 3, 4}));                // XShape: [0, x dims]
  EXPECT_EQ(out_dims("reshape", {{"X", x}}, {{"shape", Attribute::i32s({-1})}}), (Dims{24}));
}

TEST(Reshape, ShapeTensorListBeatsShapeTensorBeatsAttribute) {
  Tensor x = iota({2, 3, 4});
  // ShapeTensor: a list of 1-element int32 tensors (as hrnet's exports write them), constants.
  std::vector<OpInput> in = {{"X", x},
                             {"ShapeTensor", i32({1}, {4}), true},
                             {"ShapeTensor", i32({}, {-1}), true},  // 0-D entries too (2.5+)
                             {"Shape", i32({2}, {3, 8}), true}};
  EXPECT_EQ(out_dims("reshape2", in, {{"shape", Attribute::i32s({24})}}), (Dims{4, 6}));
  in.erase(in.begin() + 1, in.begin() + 3);
  EXPECT_EQ(out_dims("reshape2", in, {{"shape", Attribute::i32s({24})}}), (Dims{3, 8}));
}

TEST(Reshape, ShapeFromAGraphInputResolvesAtRunTime) {
  // The shape tensor is fed, so its value is unknown when compiling: the output's dims are found
  // when the op runs, and the op after it (a transpose) is shaped at run time too.
  ir::ProgramBuilder b;
  const std::string x = b.input("x", DType::kFloat32, {2, 3, 4});
  const std::string s = b.input("s", DType::kInt64, {2});
  const std::string r = b.op("reshape2")
                            .in("X", {x})
                            .in("Shape", {s})
                            .out("Out", {b.temp("r", DType::kFloat32, {})})
                            .out("XShape", {b.temp("rx", DType::kFloat32, {})})
                            .attr("shape", Attribute::i32s({-1, -1}))
                            .build();
  const std::string t = b.op("transpose2")
                            .in("X", {r})
                            .out("Out", {b.temp("t", DType::kFloat32, {})})
                            .attr("axis", Attribute::i32s({1, 0}))
                            .build();
  b.output(t);
  const ir::Model m = std::move(b).finish(ir::Release{2, 6, 0});
  auto c = compare_paths(m, {{"x", iota({2, 3, 4})}, {"s", i64({2}, {4, -1})}});
  ASSERT_EQ(c.reference.size(), 1u);
  EXPECT_EQ(c.reference[0].tensor.dims(), (Dims{6, 4}));
  EXPECT_EQ(c.reference[0].tensor.to_vector<float>()[1], 6.0f);  // (0,1) of the transpose = x[6]
  // A different fed shape on the same session re-resolves.
  auto session = runtime::compile(m, {});
  ASSERT_TRUE(session.ok());
  auto r2 = session->run({{"x", iota({2, 3, 4})}, {"s", i64({2}, {12, 2})}});
  ASSERT_TRUE(r2.ok()) << r2.error().describe();
  EXPECT_EQ((*r2)[0].tensor.dims(), (Dims{2, 12}));
}

TEST(Reshape, BadShapesAreClearErrors) {
  Tensor x = iota({2, 3});
  EXPECT_NE(op_error("reshape2", {{"X", x}}, {{"shape", Attribute::i32s({4, -1})}}, {{"Out"}})
                .find("cannot reshape"),
            std::string::npos);
  EXPECT_NE(op_error("reshape2", {{"X", x}}, {{"shape", Attribute::i32s({-1, -1})}}, {{"Out"}})
                .find("more than one -1"),
            std::string::npos);
  EXPECT_NE(op_error("reshape2", {{"X", x}}, {{"shape", Attribute::i32s({1, 1, 0, 6})}}, {{"Out"}})
                .find("copies dim 2"),
            std::string::npos);
}

TEST(Squeeze, ListedOnesGoOthersStay) {
  Tensor x = iota({1, 3, 1, 2});
  EXPECT_EQ(out_dims("squeeze2", {{"X", x}}, {{"axes", Attribute::i32s({})}}), (Dims{3, 2}));
  EXPECT_EQ(out_dims("squeeze2", {{"X", x}}, {{"axes", Attribute::i32s({-2})}}), (Dims{1, 3, 2}));
  // Axis 1 has 3 elements: Paddle keeps it without complaint.
  EXPECT_EQ(out_dims("squeeze2", {{"X", x}}, {{"axes", Attribute::i32s({0, 1})}}), (Dims{3, 1, 2}));
  EXPECT_EQ(out_dims("squeeze", {{"X", x}}, {{"axes", Attribute::i32s({2})}}), (Dims{1, 3, 2}));
}

TEST(Unsqueeze, AxesInsertOneAfterAnother) {
  Tensor x = iota({3, 4});
  EXPECT_EQ(out_dims("unsqueeze2", {{"X", x}}, {{"axes", Attribute::i32s({0, 3})}}),
            (Dims{1, 3, 4, 1}));
  // -1 is the end of the rank so far: [3,4] -> [3,4,1] -> (-1 of rank 3 = 3) [3,4,1,1].
  EXPECT_EQ(out_dims("unsqueeze2", {{"X", x}}, {{"axes", Attribute::i32s({-1, -1})}}),
            (Dims{3, 4, 1, 1}));
  // GetUnsqueezeShape: inserting at 1 then at 1 again shifts the first marker: [3,1,1,4].
  EXPECT_EQ(out_dims("unsqueeze2", {{"X", x}}, {{"axes", Attribute::i32s({1, 1})}}),
            (Dims{3, 1, 1, 4}));
  // Axes from a tensor list.
  EXPECT_EQ(out_dims("unsqueeze2", {{"X", x}, {"AxesTensorList", i64({1}, {2}), true}}, {}),
            (Dims{3, 4, 1}));
  EXPECT_NE(op_error("unsqueeze2", {{"X", x}}, {{"axes", Attribute::i32s({4})}}, {{"Out"}})
                .find("out of range"),
            std::string::npos);
}

TEST(Flatten, RangeAndTwoD) {
  Tensor x = iota({2, 3, 4, 5});
  EXPECT_EQ(out_dims("flatten_contiguous_range", {{"X", x}},
                     {{"start_axis", Attribute::i32(1)}, {"stop_axis", Attribute::i32(-1)}}),
            (Dims{2, 60}));
  EXPECT_EQ(out_dims("flatten_contiguous_range", {{"X", x}},
                     {{"start_axis", Attribute::i32(1)}, {"stop_axis", Attribute::i32(2)}}),
            (Dims{2, 12, 5}));
  EXPECT_EQ(out_dims("flatten2", {{"X", x}}, {{"axis", Attribute::i32(3)}}), (Dims{24, 5}));
  EXPECT_EQ(out_dims("flatten2", {{"X", x}}, {{"axis", Attribute::i32(0)}}), (Dims{1, 120}));
  auto out = run_both("flatten", {{"X", x}}, {{"axis", Attribute::i32(2)}}, {{"Out"}});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tensor.dims(), (Dims{6, 20}));
}

}  // namespace
}  // namespace detport::testing
