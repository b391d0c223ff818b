// compat::rewrite_for_target on models built in memory: each rewrite family, refusals,
// --allow-approx and a downgrade/upgrade round trip. Expected values come from Paddle's op
// definitions (cited), not from the rewriter.
#include <gtest/gtest.h>

#include "compat/catalog.h"
#include "compat/export_form.h"
#include "compat/rewrite.h"
#include "ir/builder.h"
#include "zoo/ppyoloe_like.h"

namespace detport::compat {
namespace {

using ir::Attribute;

const Catalog& catalog() {
  static const Catalog c = *Catalog::load_builtin();
  return c;
}

RewriteResult rewrite(ir::Model& m, const std::string& target, bool approx = false) {
  auto t = catalog().resolve(target);
  EXPECT_TRUE(t.ok());
  RewriteOptions o;
  o.allow_approx = approx;
  auto r = rewrite_for_target(m, catalog(), **t, target, o);
  EXPECT_TRUE(r.ok());
  return *r;
}

bool has_rule(const RewriteResult& r, std::string_view rule) {
  for (const Change& c : r.changes)
    if (c.rule == rule) return true;
  return false;
}

ir::Model export_261() {
  ir::Model m = zoo::ppyoloe_like();
  const ir::Release p261{2, 6, 1};
  EXPECT_TRUE(apply_export_form(m, *catalog().find(p261), p261).ok());
  return m;
}

// One op between a float32 input and the output.
ir::Model one_op(const std::string& type, std::vector<ir::NamedAttribute> attrs,
                 ir::Release producer) {
  ir::ProgramBuilder b;
  auto x = b.input("x", ir::DType::kFloat32, {-1, 4});
  auto y = b.temp("y", ir::DType::kFloat32, {-1, 4});
  auto op = b.op(type).in("X", {x}).out("Out", {y});
  for (auto& a : attrs) op.attr(a.name, a.value);
  op.build();
  b.output(y);
  ir::Model m = std::move(b).finish(producer);
  const ReleaseData* data = catalog().find(producer);
  if (data != nullptr && data->op_version_map.entries)
    m.program.op_version_map = *data->op_version_map.entries;
  return m;
}

TEST(Rewrite, DowngradeRestoresWhatThe26ExporterStripped) {
  ir::Model m = export_261();
  const RewriteResult r = rewrite(m, "2.3.2");
  EXPECT_TRUE(r.refusals.empty()) << r.refusals.front().finding.title;
  EXPECT_TRUE(has_rule(r, "restore-stripped-attrs"));
  EXPECT_TRUE(has_rule(r, "set-program-version"));
  std::size_t swishes = 0;
  for (const ir::Op& op : m.program.global_block().ops) {
    if (op.type == "swish") {
      ++swishes;
      // swish's beta defaults to 1 in Paddle (activation_op.cc SwishOpMaker).
      ASSERT_NE(op.attr("beta"), nullptr);
      EXPECT_EQ(op.attr("beta")->as_double(), 1.0);
    }
  }
  EXPECT_GT(swishes, 0u);
  EXPECT_EQ(m.program.version, 2003002);
  const Report after = check(m, catalog(), **catalog().resolve("2.3.2"), "2.3.2");
  for (const Finding& f : after.findings) EXPECT_FALSE(is_blocking(f)) << f.title;
}

TEST(Rewrite, XShapeIsAddedBackWhereTheTargetRequiresIt) {
  ir::Model m = one_op("transpose2", {{"axis", Attribute::i32s({1, 0})}}, ir::Release{2, 6, 1});
  const RewriteResult r = rewrite(m, "2.1.0");
  EXPECT_TRUE(r.refusals.empty()) << r.refusals.front().finding.title;
  const ir::Op& op = m.program.global_block().ops[1];
  ASSERT_EQ(op.output("XShape").size(), 1u);  // transpose2 before 2.2 writes XShape unconditionally
  const ir::Var* v = m.program.global_block().find_var(op.output("XShape").front());
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->tensor->dims, (std::vector<int64_t>{0, -1, 4}));  // [0] + X's dims
}

TEST(Rewrite, SiluBecomesSwishWithBetaOneWhereTheTargetLacksSilu) {
  ir::Model m = one_op("silu", {}, ir::Release{2, 6, 1});
  const RewriteResult r = rewrite(m, "2.0.1");
  EXPECT_TRUE(r.refusals.empty());
  const ir::Op& op = m.program.global_block().ops[1];
  EXPECT_EQ(op.type, "swish");
  EXPECT_EQ(op.attr("beta")->as_double(), 1.0);  // silu(x) = x * sigmoid(x) = swish(x, 1)
  // 2.6 has silu: nothing renamed there.
  ir::Model m26 = one_op("silu", {}, ir::Release{2, 6, 1});
  const RewriteResult r26 = rewrite(m26, "2.6.1");
  EXPECT_FALSE(has_rule(r26, "rename-equivalent-op"));
}

TEST(Rewrite, ScalarValuesBecomeTypedListsAndBack) {
  ir::Model m = one_op(
      "set_value",
      {{"dtype", Attribute::i32(5)},
       {"shape", Attribute::i32s({2})},
       {"values", Attribute::scalars({ir::Scalar::of_double(0.5), ir::Scalar::of_double(2.0)})}},
      ir::Release{2, 6, 1});
  const RewriteResult down = rewrite(m, "2.4.2");
  ASSERT_TRUE(down.refusals.empty()) << down.refusals.front().finding.title;
  const ir::Op& op = m.program.global_block().ops[1];
  EXPECT_EQ(op.attr("values"), nullptr);
  // dtype 5 is FP32: Paddle <= 2.4 reads fp32_values (set_value_op.cc).
  ASSERT_NE(op.attr("fp32_values"), nullptr);
  EXPECT_EQ(op.attr("fp32_values")->get<std::vector<float>>(), (std::vector<float>{0.5f, 2.0f}));
  const RewriteResult up = rewrite(m, "2.6.1");
  EXPECT_TRUE(has_rule(up, "legacy-to-scalars"));

  const ir::Op& op2 = m.program.global_block().ops[1];
  ASSERT_NE(op2.attr("values"), nullptr);
  EXPECT_EQ(op2.attr("values")->as_doubles(), (std::vector<double>{0.5, 2.0}));
}

TEST(Rewrite, InexactFloat64IsRefusedUnlessApproximationIsAllowed) {
  auto make = [](double v) {
    return one_op("scale", {{"scale", Attribute::f64(v)}, {"bias", Attribute::f32(0)}},
                  ir::Release{2, 6, 1});
  };
  ir::Model exact = make(0.5);  // 0.5 is a float32 value
  EXPECT_TRUE(rewrite(exact, "2.3.2").refusals.empty());
  EXPECT_EQ(exact.program.global_block().ops[1].attr("scale")->kind(), ir::AttrKind::kFloat);

  ir::Model inexact = make(0.1);  // 0.1 is not
  const RewriteResult refused = rewrite(inexact, "2.3.2");
  ASSERT_FALSE(refused.refusals.empty());
  EXPECT_NE(refused.refusals.front().reason.find("--allow-approx"), std::string::npos)
      << refused.refusals.front().reason;

  ir::Model approx = make(0.1);
  const RewriteResult allowed = rewrite(approx, "2.3.2", true);
  EXPECT_TRUE(allowed.refusals.empty());
  bool reported = false;
  for (const Change& c : allowed.changes) reported = reported || (c.attr == "scale" && c.approx);
  EXPECT_TRUE(reported);
  EXPECT_EQ(approx.program.global_block().ops[1].attr("scale")->get<float>(), 0.1f);
}

TEST(Rewrite, AnOpTheTargetLacksWithoutAnEquivalentIsRefusedWithItsFinding) {
  ir::Model m = export_261();  // ends in multiclass_nms3, which 2.0 does not have
  const RewriteResult r = rewrite(m, "2.0.1");
  bool nms = false;
  for (const Refusal& f : r.refusals)
    nms = nms || (f.finding.rule == "op-missing" &&
                  f.finding.title.find("multiclass_nms3") != std::string::npos);
  EXPECT_TRUE(nms);
}

TEST(Rewrite, DowngradeThenUpgradeKeepsOpsAttributesAndWeights) {
  const ir::Model original = export_261();
  ir::Model m = original;
  ASSERT_TRUE(rewrite(m, "2.3.2").refusals.empty());
  ASSERT_TRUE(rewrite(m, "2.6.1").refusals.empty());
  const auto& a = original.program.global_block().ops;
  const auto& b = m.program.global_block().ops;
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].inputs, b[i].inputs);
    // Every attribute of the original is there with its value (restored ones may be added).
    for (const ir::NamedAttribute& at : a[i].attrs) {
      ASSERT_NE(b[i].attr(at.name), nullptr) << a[i].type << "." << at.name;
      EXPECT_EQ(*b[i].attr(at.name), at.value) << a[i].type << "." << at.name;
    }
  }
  EXPECT_EQ(m.program.op_version_map, original.program.op_version_map);
  EXPECT_EQ(m.program.version, original.program.version);
  EXPECT_EQ(m.weights.size(), original.weights.size());
}

}  // namespace
}  // namespace detport::compat
