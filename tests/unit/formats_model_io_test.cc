#include <gtest/gtest.h>

#include "formats/model_io.h"
#include "test_support.h"
#include "zoo/picodet_like.h"

namespace detport::formats {
namespace {

namespace fs = std::filesystem;
using detport::testing::slurp;
using detport::testing::TempDir;

ir::Model demo() {
  zoo::PicoDetOptions o;
  o.input_size = 64;
  o.width = 16;
  return zoo::picodet_like(o);
}

TEST(ModelIo, SaveThenLoadIsTheSameModel) {
  TempDir dir;
  ir::Model m = demo();
  ASSERT_TRUE(save_model(m, dir.path()).ok());
  EXPECT_TRUE(fs::exists(dir / "model.pdmodel"));
  EXPECT_TRUE(fs::exists(dir / "model.pdiparams"));
  EXPECT_TRUE(fs::exists(dir / "infer_cfg.yml"));
  auto back = load_model(dir.path());
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->program, m.program);
  EXPECT_EQ(back->meta.format, ir::SourceFormat::kLegacy);
  EXPECT_EQ(back->meta.params_layout, ir::ParamsLayout::kCombined);
  EXPECT_EQ(back->meta.producer, (ir::Release{2, 6, 1}));
  ASSERT_EQ(back->weights.size(), m.weights.size());
  for (const auto& [name, t] : m.weights)
    EXPECT_EQ(back->weights.at(name).values<float>(), t.values<float>()) << name;
  ASSERT_TRUE(back->meta.deploy.has_value());
  EXPECT_EQ(back->meta.deploy->arch, "PicoDet");
  EXPECT_EQ(back->meta.deploy->raw, m.meta.deploy->raw);

  // Writing what was read reproduces both files byte for byte.
  TempDir again;
  ASSERT_TRUE(save_model(*back, again.path()).ok());
  EXPECT_EQ(slurp(again / "model.pdmodel"), slurp(dir / "model.pdmodel"));
  EXPECT_EQ(slurp(again / "model.pdiparams"), slurp(dir / "model.pdiparams"));
  EXPECT_EQ(slurp(again / "infer_cfg.yml"), slurp(dir / "infer_cfg.yml"));
}

TEST(ModelIo, FindsEveryLayout) {
  ir::Model m = demo();
  {
    TempDir dir;  // inference.pdmodel + inference.pdiparams, found by directory and by prefix
    SaveOptions o;
    o.program_name = "inference.pdmodel";
    ASSERT_TRUE(save_model(m, dir.path(), o).ok());
    auto by_dir = load_model(dir.path());
    ASSERT_TRUE(by_dir.ok()) << by_dir.error().describe();
    EXPECT_EQ(by_dir->meta.files.params->filename(), "inference.pdiparams");
    auto by_prefix = load_model(dir / "inference");
    ASSERT_TRUE(by_prefix.ok()) << by_prefix.error().describe();
    EXPECT_EQ(by_prefix->weights.size(), m.weights.size());
  }
  {
    TempDir dir;  // __model__ + __params__
    SaveOptions o;
    o.program_name = "__model__";
    ASSERT_TRUE(save_model(m, dir.path(), o).ok());
    EXPECT_TRUE(fs::exists(dir / "__params__"));
    auto r = load_model(dir.path());
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->meta.params_layout, ir::ParamsLayout::kCombined);
  }
  {
    TempDir dir;  // __model__ + one file per parameter
    SaveOptions o;
    o.program_name = "__model__";
    o.layout = ir::ParamsLayout::kSeparate;
    ASSERT_TRUE(save_model(m, dir.path(), o).ok());
    EXPECT_TRUE(fs::exists(dir / "conv2d_0.w_0"));
    auto r = load_model(dir.path());
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->meta.params_layout, ir::ParamsLayout::kSeparate);
    EXPECT_EQ(r->weights.size(), m.weights.size());
  }
  {
    TempDir dir;  // arbitrary names given explicitly
    SaveOptions o;
    o.program_name = "net.prog";
    o.params_name = "net.weights";
    ASSERT_TRUE(save_model(m, dir.path(), o).ok());
    LoadOptions lo;
    lo.model_file = dir / "net.prog";
    lo.params_file = dir / "net.weights";
    auto r = load_model("", lo);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->weights.size(), m.weights.size());
  }
}

TEST(ModelIo, GraphOnlyModelsLoadWithoutWeights) {
  TempDir dir;
  ir::Model m = demo();
  ASSERT_TRUE(save_model(m, dir.path()).ok());
  fs::remove(dir / "model.pdiparams");
  auto r = load_model(dir.path());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_FALSE(r->has_weights());
  EXPECT_TRUE(r->weights.empty());
}

TEST(ModelIo, ClearErrorsForMissingOrAmbiguousModels) {
  TempDir dir;
  auto none = load_model(dir.path());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_NE(none.error().message.find("no Paddle program here"), std::string::npos);

  ir::Model m = demo();
  SaveOptions a;
  a.program_name = "a.pdmodel";
  SaveOptions b;
  b.program_name = "b.pdmodel";
  ASSERT_TRUE(save_model(m, dir.path(), a).ok());
  ASSERT_TRUE(save_model(m, dir.path(), b).ok());
  auto ambiguous = load_model(dir.path());
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_NE(ambiguous.error().message.find("a.pdmodel, b.pdmodel"), std::string::npos);

  auto missing = load_model(dir / "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(ModelIo, ErrorsNameTheFile) {
  TempDir dir;
  ir::Model m = demo();
  ASSERT_TRUE(save_model(m, dir.path()).ok());
  detport::testing::spit(dir / "model.pdiparams", slurp(dir / "model.pdiparams").substr(0, 1000));
  auto r = load_model(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().context.find("model.pdiparams: byte offset"), std::string::npos)
      << r.error().describe();
}

}  // namespace
}  // namespace detport::formats
