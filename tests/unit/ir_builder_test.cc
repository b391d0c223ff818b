#include <gtest/gtest.h>

#include "ir/builder.h"

namespace detport::ir {
namespace {

TEST(ProgramBuilder, LaysOutTheExportForm) {
  ProgramBuilder b;
  auto image = b.input("image", DType::kFloat32, {-1, 3, 8, 8});
  auto sf = b.input("scale_factor", DType::kFloat32, {-1, 2});
  auto w = b.random_param("conv.w_0", {4, 3, 3, 3}, 0.1f);
  auto y = b.temp("", DType::kFloat32, {-1, 4, 8, 8}, "conv2d");
  b.op("conv2d")
      .in("Input", {image})
      .in("Filter", {w})
      .out("Output", {y})
      .attr("strides", Attribute::i32s({1, 1}))
      .attr("groups", Attribute::i32(1))
      .build();
  b.output(y);
  b.output(sf);
  Model m = std::move(b).finish(Release{2, 6, 1}, std::vector<OpVersion>{{"conv2d", 1}});

  ASSERT_EQ(m.program.blocks.size(), 1u);
  const Block& blk = m.program.global_block();
  // Feeds are prepended in reverse column order, fetches appended in order.
  ASSERT_EQ(blk.ops.size(), 5u);
  EXPECT_EQ(blk.ops[0].type, "feed");
  EXPECT_EQ(blk.ops[0].output("Out").front(), "scale_factor");
  EXPECT_EQ(blk.ops[0].int_attr("col", -1), 1);
  EXPECT_EQ(blk.ops[1].output("Out").front(), "image");
  EXPECT_EQ(blk.ops[2].type, "conv2d");
  EXPECT_EQ(blk.ops[3].type, "fetch");
  EXPECT_EQ(blk.ops[4].int_attr("col", -1), 1);
  // Attributes are name-ordered as Paddle writes them.
  EXPECT_EQ(blk.ops[2].attrs.front().name, "groups");
  // Vars are name-ordered, holders included.
  for (std::size_t i = 1; i < blk.vars.size(); ++i)
    EXPECT_LT(blk.vars[i - 1].name, blk.vars[i].name);
  ASSERT_NE(blk.find_var("feed"), nullptr);
  EXPECT_EQ(blk.find_var("feed")->type, VarType::kFeedMinibatch);
  EXPECT_EQ(blk.find_var("fetch")->type, VarType::kFetchList);

  EXPECT_EQ(m.program.version, 2006001);
  EXPECT_EQ(m.program.op_version("conv2d"), 1);
  EXPECT_EQ(persistable_names(m.program), std::vector<std::string>{"conv.w_0"});
  ASSERT_EQ(m.weights.count("conv.w_0"), 1u);
  EXPECT_EQ(m.weights.at("conv.w_0").numel(), 4 * 3 * 3 * 3);
  EXPECT_EQ(m.weights.at("conv.w_0").bytes.size(), 4u * 27 * 4);
  EXPECT_EQ(m.meta.params_layout, ParamsLayout::kCombined);
  auto feeds = feed_targets(m.program);
  ASSERT_EQ(feeds.size(), 2u);
  EXPECT_EQ(feeds[0].name, "image");
}

TEST(ProgramBuilder, RandomParamsAreSeeded) {
  auto make = [] {
    ProgramBuilder b;
    b.random_param("w", {16}, 1.0f);
    return std::move(b).finish(std::nullopt).weights.at("w").values<float>();
  };
  EXPECT_EQ(make(), make());
}

TEST(Tensor, ChecksNumel) {
  EXPECT_EQ(checked_numel(std::vector<int64_t>{2, 3, 4}), 24);
  EXPECT_EQ(checked_numel(std::vector<int64_t>{}), 1);
  EXPECT_EQ(checked_numel(std::vector<int64_t>{0, 5}), 0);
  EXPECT_EQ(checked_numel(std::vector<int64_t>{-1, 3}), std::nullopt);
  EXPECT_EQ(checked_numel(std::vector<int64_t>{int64_t{1} << 40, int64_t{1} << 40}), std::nullopt);
}

}  // namespace
}  // namespace detport::ir
