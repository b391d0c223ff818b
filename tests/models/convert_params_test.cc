// How detport convert --target writes params (pipeline::write_converted): copied byte for byte when
// the persistable set is unchanged, written from the weights when it changed; either way the
// output re-reads with the original's weights and checks clean against the target.
#include <gtest/gtest.h>

#include <algorithm>

#include "compat/catalog.h"
#include "compat/export_form.h"
#include "formats/model_io.h"
#include "pipeline/convert_target.h"
#include "test_support.h"
#include "zoo/ppyoloe_like.h"

namespace detport {
namespace {

namespace fs = std::filesystem;

const compat::Catalog& catalog() {
  static const compat::Catalog c = *compat::Catalog::load_builtin();
  return c;
}

// The demo's model as Paddle 2.6.1 writes it, saved and loaded back (so its files are known).
ir::Model saved_261(const fs::path& dir) {
  ir::Model m = zoo::ppyoloe_like();
  const ir::Release p261{2, 6, 1};
  EXPECT_TRUE(compat::apply_export_form(m, *catalog().find(p261), p261).ok());
  fs::create_directories(dir);
  EXPECT_TRUE(formats::save_model(m, dir).ok());
  testing::spit(dir / "infer_cfg.yml", "mode: paddle\narch: YOLO\n");
  auto loaded = formats::load_model(dir);
  EXPECT_TRUE(loaded.ok()) << loaded.error().describe();
  return std::move(*loaded);
}

void expect_same_weights(const ir::Weights& a, const ir::Weights& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) {
    auto it = b.find(name);
    ASSERT_NE(it, b.end()) << name;
    EXPECT_EQ(t.dtype, it->second.dtype) << name;
    EXPECT_EQ(t.dims, it->second.dims) << name;
    ASSERT_EQ(t.bytes.size(), it->second.bytes.size()) << name;
    EXPECT_TRUE(std::equal(t.bytes.begin(), t.bytes.end(), it->second.bytes.begin())) << name;
  }
}

void expect_clean(const ir::Model& m, const std::string& target) {
  const compat::Report rep = compat::check(m, catalog(), **catalog().resolve(target), target);
  for (const compat::Finding& f : rep.findings) EXPECT_FALSE(compat::is_blocking(f)) << f.title;
}

TEST(ConvertParams, NoRewriteChangesThePersistableSet) {
  testing::TempDir tmp;
  const ir::Model original = saved_261(tmp.path() / "in");
  for (const char* target : {"2.3.2", "2.4.2", "2.6.1"}) {
    auto conv =
        pipeline::convert_for_target(original, catalog(), **catalog().resolve(target), target);
    ASSERT_TRUE(conv.ok());
    EXPECT_FALSE(conv->rewrite.persistables_changed) << target;
    EXPECT_EQ(ir::persistable_names(conv->model.program), ir::persistable_names(original.program));
  }
}

// Both branches of write_converted, end to end: files written, re-read, weights compared with the
// original's, checked against the target.
TEST(ConvertParams, ParamsAreCopiedOrWrittenAndReReadTheSame) {
  testing::TempDir tmp;
  const ir::Model original = saved_261(tmp.path() / "in");
  ASSERT_TRUE(original.has_weights());
  auto conv =
      pipeline::convert_for_target(original, catalog(), **catalog().resolve("2.3.2"), "2.3.2");
  ASSERT_TRUE(conv.ok());
  ASSERT_TRUE(conv->rewrite.refusals.empty());
  for (bool changed : {false, true}) {
    const fs::path out = tmp.path() / (changed ? "written" : "copied");
    fs::create_directories(out);
    ASSERT_TRUE(pipeline::write_converted(original, conv->model, changed, out).ok());
    EXPECT_TRUE(fs::exists(out / "model.pdiparams"));
    EXPECT_EQ(testing::slurp(out / "infer_cfg.yml"),
              testing::slurp(tmp.path() / "in/infer_cfg.yml"));
    if (!changed) {
      EXPECT_EQ(testing::slurp(out / "model.pdiparams"),
                testing::slurp(*original.meta.files.params));
    }
    auto back = formats::load_model(out);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    expect_same_weights(original.weights, back->weights);
    expect_clean(*back, "2.3.2");
  }
}

}  // namespace
}  // namespace detport
