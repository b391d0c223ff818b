// The op replacements of detport convert --target for releases that lack an op (data/compat
// absent_ops.<op>.replacement): hand-written one-op programs, the expected attributes from Paddle's
// op definitions (cited per test), the conditions under which each is refused, and the native
// runtime computing bit-identical outputs for the original and the rewritten program.
#include <gtest/gtest.h>

#include <random>

#include "compat/catalog.h"
#include "compat/rewrite.h"
#include "ir/builder.h"
#include "runtime/session.h"
#include "same_outputs.h"

namespace detport {
namespace {

using ir::Attribute;

const compat::Catalog& catalog() {
  static const compat::Catalog c = *compat::Catalog::load_builtin();
  return c;
}

compat::RewriteResult rewrite(ir::Model& m, const std::string& target) {
  auto t = catalog().resolve(target);
  EXPECT_TRUE(t.ok());
  auto r = compat::rewrite_for_target(m, catalog(), **t, target);
  EXPECT_TRUE(r.ok());
  return *r;
}

// The model as Paddle 2.6.1 exports it (its op_version_map).
ir::Model finish(ir::ProgramBuilder&& b) {
  const ir::Release p261{2, 6, 1};
  ir::Model m = std::move(b).finish(p261);
  const compat::ReleaseData* data = catalog().find(p261);
  if (data != nullptr && data->op_version_map.entries)
    m.program.op_version_map = *data->op_version_map.entries;
  return m;
}

const ir::Op& only_op(const ir::Model& m, std::string_view not_io = "") {
  for (const ir::Op& op : m.program.global_block().ops)
    if (op.type != "feed" && op.type != "fetch" && op.type != not_io) return op;
  ADD_FAILURE() << "no op";
  return m.program.global_block().ops.front();
}

std::string refusal_text(const compat::RewriteResult& r) {
  std::string s;
  for (const compat::Refusal& f : r.refusals) s += f.finding.title + ": " + f.reason + "\n";
  return s;
}

ir::Model matmul_v2(std::vector<int64_t> xd, std::vector<int64_t> yd, std::vector<int64_t> od,
                    bool trans_x, bool trans_y) {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, std::move(xd));
  auto y = b.random_param("y", std::move(yd), 1.0f);
  auto out = b.temp("out", ir::DType::kFloat32, std::move(od));
  b.op("matmul_v2")
      .in("X", {x})
      .in("Y", {y})
      .out("Out", {out})
      .attr("trans_x", Attribute::boolean(trans_x))
      .attr("trans_y", Attribute::boolean(trans_y))
      .build();
  b.output(out);
  return finish(std::move(b));
}

// Runs both on the same seeded inputs (dynamic dims as `dyn`) and compares the bytes.
void expect_bit_identical(const ir::Model& a, const ir::Model& b, int64_t dyn = 2) {
  auto sa = runtime::compile(a);
  auto sb = runtime::compile(b);
  ASSERT_TRUE(sa.ok()) << sa.error().describe();
  ASSERT_TRUE(sb.ok()) << sb.error().describe();
  std::vector<runtime::NamedTensor> in;
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (const ir::IoTarget& t : ir::feed_targets(a.program)) {
    const ir::Var* v = a.program.global_block().find_var(t.name);
    std::vector<int64_t> dims = v->tensor->dims;
    for (int64_t& d : dims) d = d < 0 ? dyn : d;
    runtime::Tensor x = runtime::Tensor::empty(v->tensor->dtype, dims);
    float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) p[i] = dist(rng);
    in.push_back({t.name, std::move(x)});
  }
  auto ra = sa->run(in);
  auto rb = sb->run(in);
  ASSERT_TRUE(ra.ok()) << ra.error().describe();
  ASSERT_TRUE(rb.ok()) << rb.error().describe();
  EXPECT_EQ(detport::testing::bitwise_differences(*ra, *rb), "");
}

// matmul_op.cc (MatMulOpMaker): transpose_X/transpose_Y, Out = alpha * X Y, alpha defaults to 1;
// its doc: X [B, M, K] x Y [K] => [B, M]; matmul_v2_op.cc: trans_x/trans_y, no scale. A batched
// X times a matrix, and PicoDet's [?, 8] x [8] (its DFL integral), are v1 cases.
TEST(ConvertReplace, MatmulV2BecomesMatmulWithAlphaOneOn18) {
  struct Case {
    std::vector<int64_t> x, y, out;
    bool ty;
  };
  const Case cases[] = {
      {{-1, 3, 8}, {8, 5}, {-1, 3, 5}, false},
      {{-1, 3, 8}, {5, 8}, {-1, 3, 5}, true},
      {{-1, 8}, {8}, {-1}, false},
      {{2, 3, 8}, {2, 8, 5}, {2, 3, 5}, false},
  };
  for (const Case& c : cases) {
    const ir::Model original = matmul_v2(c.x, c.y, c.out, false, c.ty);
    ir::Model m = original;
    const compat::RewriteResult r = rewrite(m, "1.8.5");
    ASSERT_TRUE(r.refusals.empty()) << refusal_text(r);
    const ir::Op& op = only_op(m);
    EXPECT_EQ(op.type, "matmul");
    ASSERT_NE(op.attr("alpha"), nullptr);
    EXPECT_EQ(op.attr("alpha")->get<float>(), 1.0f);
    EXPECT_EQ(op.bool_attr("transpose_X", true), false);
    EXPECT_EQ(op.bool_attr("transpose_Y", !c.ty), c.ty);
    EXPECT_FALSE(op.has_attr("trans_x"));
    EXPECT_FALSE(op.has_attr("trans_y"));
    expect_bit_identical(original, m);
  }
}

TEST(ConvertReplace, MatmulV2StaysOnReleasesThatHaveIt) {
  ir::Model m = matmul_v2({-1, 3, 8}, {8, 5}, {-1, 3, 5}, false, false);
  const compat::RewriteResult r = rewrite(m, "2.0.1");
  EXPECT_TRUE(r.refusals.empty()) << refusal_text(r);
  EXPECT_EQ(only_op(m).type, "matmul_v2");
}

// matmul v1 needs equal batch sizes or a rank-2 operand (matmul_op.cc InferShape); matmul_v2
// broadcasts like numpy.matmul. [2, 1, 4, 8] x [1, 3, 8, 5] is only a v2 product.
TEST(ConvertReplace, MatmulV2WithBroadcastLeadingDimsIsRefusedWithTheReason) {
  ir::Model m = matmul_v2({2, 1, 4, 8}, {1, 3, 8, 5}, {2, 3, 4, 5}, false, false);
  const compat::RewriteResult r = rewrite(m, "1.8.5");
  ASSERT_FALSE(r.refusals.empty());
  EXPECT_NE(refusal_text(r).find("leading dims not statically equal"), std::string::npos)
      << refusal_text(r);
  EXPECT_EQ(only_op(m).type, "matmul_v2");
  // A vector times a vector: v1 gives [1], v2 a 0-D tensor.
  ir::Model vv = matmul_v2({8}, {8}, {}, false, false);
  EXPECT_FALSE(rewrite(vv, "1.8.5").refusals.empty());
}

ir::Model nms3(bool fetch_num) {
  ir::ProgramBuilder b;
  auto boxes = b.input("boxes", ir::DType::kFloat32, {1, 6, 4});
  auto scores = b.input("scores", ir::DType::kFloat32, {1, 2, 6});
  auto out = b.temp("out", ir::DType::kFloat32, {-1, 6});
  auto index = b.temp("index", ir::DType::kInt32, {-1, 1});
  auto num = b.temp("num", ir::DType::kInt32, {-1});
  b.op("multiclass_nms3")
      .in("BBoxes", {boxes})
      .in("Scores", {scores})
      .out("Index", {index})
      .out("NmsRoisNum", {num})
      .out("Out", {out})
      .attr("background_label", Attribute::i32(-1))
      .attr("keep_top_k", Attribute::i32(100))
      .attr("nms_eta", Attribute::f32(1.0f))
      .attr("nms_threshold", Attribute::f32(0.5f))
      .attr("nms_top_k", Attribute::i32(1000))
      .attr("normalized", Attribute::boolean(true))
      .attr("score_threshold", Attribute::f32(0.0f))
      .build();
  b.output(out);
  if (fetch_num) b.output(num);
  return finish(std::move(b));
}

// multiclass_nms_op.cc: MultiClassNMS3OpMaker = MultiClassNMS2OpMaker + RoisNum (dispensable
// input) + NmsRoisNum (dispensable output); one kernel for all three; the same attributes.
TEST(ConvertReplace, MulticlassNms3BecomesNms2WhenNmsRoisNumIsUnread) {
  for (const char* target : {"1.8.5", "2.0.1"}) {
    const ir::Model original = nms3(false);
    ir::Model m = original;
    const compat::RewriteResult r = rewrite(m, target);
    ASSERT_TRUE(r.refusals.empty()) << target << ": " << refusal_text(r);
    const ir::Op& op = only_op(m);
    EXPECT_EQ(op.type, "multiclass_nms2");
    EXPECT_TRUE(op.output("NmsRoisNum").empty());
    EXPECT_EQ(op.output("Index").size(), 1u);
    EXPECT_EQ(op.output("Out").size(), 1u);
    const ir::Op& before = only_op(original);
    for (const char* a : {"background_label", "keep_top_k", "nms_eta", "nms_threshold", "nms_top_k",
                          "normalized", "score_threshold"}) {
      ASSERT_NE(op.attr(a), nullptr) << a;
      EXPECT_EQ(*op.attr(a), *before.attr(a)) << a;
    }
    expect_bit_identical(original, m, 1);
  }
}

TEST(ConvertReplace, MulticlassNms3WhoseNmsRoisNumIsFetchedIsRefusedNamingIt) {
  ir::Model m = nms3(true);
  const compat::RewriteResult r = rewrite(m, "2.0.1");
  ASSERT_FALSE(r.refusals.empty());
  const std::string text = refusal_text(r);
  EXPECT_NE(text.find("multiclass_nms3"), std::string::npos) << text;
  EXPECT_NE(text.find("reads NmsRoisNum ('num')"), std::string::npos) << text;
  EXPECT_EQ(only_op(m).type, "multiclass_nms3");
}

ir::Model flatten(std::vector<int64_t> xd, int start, int stop, std::vector<int64_t> od) {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, std::move(xd));
  auto out = b.temp("out", ir::DType::kFloat32, std::move(od));
  b.op("flatten_contiguous_range")
      .in("X", {x})
      .out("Out", {out})
      .attr("start_axis", Attribute::i32(start))
      .attr("stop_axis", Attribute::i32(stop))
      .build();
  b.output(out);
  return finish(std::move(b));
}

// flatten_op.cc: dims start_axis..stop_axis merge into their product ((3,100,100,4), 2, -1 ->
// (3,100,400)); reshape2: 0 copies the input dim at that position, one -1 is inferred.
TEST(ConvertReplace, FlattenContiguousRangeBecomesReshape2WithTheShapeItMeans) {
  struct Case {
    std::vector<int64_t> x;
    int start, stop;
    std::vector<int64_t> out;
    std::vector<int32_t> shape;  // by hand from the two definitions above
  };
  const Case cases[] = {
      {{-1, 8, 4, 5}, 2, 3, {-1, 8, 20}, {0, 0, 20}},
      {{-1, 8, 4, 5}, 1, -1, {-1, 160}, {0, 160}},
      {{-1, 8, -1, 5}, 1, 2, {-1, -1, 5}, {0, -1, 5}},
      {{-1, 8, 4, 5}, 0, 1, {-1, 4, 5}, {-1, 4, 5}},
      {{-1, 8, 4}, 1, 1, {-1, 8, 4}, {0, 0, 0}},
  };
  for (const Case& c : cases) {
    const ir::Model original = flatten(c.x, c.start, c.stop, c.out);
    ir::Model m = original;
    const compat::RewriteResult r = rewrite(m, "1.8.5");
    ASSERT_TRUE(r.refusals.empty()) << refusal_text(r);
    const ir::Op& op = only_op(m);
    EXPECT_EQ(op.type, "reshape2");
    ASSERT_NE(op.attr("shape"), nullptr);
    EXPECT_EQ(op.attr("shape")->get<std::vector<int32_t>>(), c.shape);
    EXPECT_FALSE(op.has_attr("start_axis"));
    EXPECT_FALSE(op.has_attr("stop_axis"));
    expect_bit_identical(original, m, 3);
  }
}

TEST(ConvertReplace, FlattenWithTwoUnknownOutputDimsIsRefused) {
  ir::Model m = flatten({-1, -1, 4, -1}, 1, 2, {-1, -1, -1});
  const compat::RewriteResult r = rewrite(m, "1.8.5");
  ASSERT_FALSE(r.refusals.empty());
  EXPECT_NE(refusal_text(r).find("reshape2 infers only one"), std::string::npos) << refusal_text(r);
}

// Ops the data gives no replacement for are refused with the data's reason.
TEST(ConvertReplace, InterpV2On18IsRefusedWithTheDataReason) {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {-1, 2, 4, 4});
  auto out = b.temp("out", ir::DType::kFloat32, {-1, 2, 8, 8});
  b.op("nearest_interp_v2")
      .in("X", {x})
      .out("Out", {out})
      .attr("scale", Attribute::f32s({2.0f, 2.0f}))
      .attr("interp_method", Attribute::str("nearest"))
      .build();
  b.output(out);
  ir::Model m = finish(std::move(b));
  const compat::RewriteResult r = rewrite(m, "1.8.5");
  ASSERT_FALSE(r.refusals.empty());
  EXPECT_NE(refusal_text(r).find("float(1/scale)"), std::string::npos) << refusal_text(r);
}

}  // namespace
}  // namespace detport
