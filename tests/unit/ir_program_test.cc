#include <gtest/gtest.h>

#include "ir/program.h"

namespace detport::ir {
namespace {

Op make_op(std::string type, std::vector<Slot> in, std::vector<Slot> out) {
  Op op;
  op.type = std::move(type);
  op.inputs = std::move(in);
  op.outputs = std::move(out);
  return op;
}

TEST(Op, AttributeAccess) {
  Op op;
  op.set_attr("axis", Attribute::i32(1));
  op.set_attr("scale", Attribute::f32(0.5f));
  op.set_attr("axis", Attribute::i32(2));  // replaces in place
  ASSERT_EQ(op.attrs.size(), 2u);
  EXPECT_EQ(op.attrs[0].name, "axis");
  EXPECT_EQ(op.int_attr("axis", 0), 2);
  EXPECT_DOUBLE_EQ(op.float_attr("scale", 0), 0.5);
  EXPECT_EQ(op.int_attr("missing", 9), 9);
  EXPECT_TRUE(op.erase_attr("axis"));
  EXPECT_FALSE(op.erase_attr("axis"));
  EXPECT_FALSE(op.has_attr("axis"));
}

TEST(Op, SlotAccess) {
  Op op = make_op("concat", {{"X", {"a", "b"}}, {"AxisTensor", {}}}, {{"Out", {"c"}}});
  EXPECT_EQ(op.input("X").size(), 2u);
  EXPECT_FALSE(op.has_input("AxisTensor"));
  EXPECT_FALSE(op.has_input("Nope"));
  EXPECT_EQ(op.all_inputs(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(op.output("Out").front(), "c");
}

TEST(Program, FeedAndFetchTargetsFollowCol) {
  Program p;
  Block b;
  Op f2 = make_op("feed", {{"X", {"feed"}}}, {{"Out", {"scale_factor"}}});
  f2.set_attr("col", Attribute::i32(1));
  Op f1 = make_op("feed", {{"X", {"feed"}}}, {{"Out", {"image"}}});
  f1.set_attr("col", Attribute::i32(0));
  Op o1 = make_op("fetch", {{"X", {"bbox_num"}}}, {{"Out", {"fetch"}}});
  o1.set_attr("col", Attribute::i32(1));
  Op o0 = make_op("fetch", {{"X", {"bbox"}}}, {{"Out", {"fetch"}}});
  o0.set_attr("col", Attribute::i32(0));
  b.ops = {f2, f1, o1, o0};
  p.blocks.push_back(b);
  auto feeds = feed_targets(p);
  ASSERT_EQ(feeds.size(), 2u);
  EXPECT_EQ(feeds[0].name, "image");
  EXPECT_EQ(feeds[1].name, "scale_factor");
  auto fetches = fetch_targets(p);
  ASSERT_EQ(fetches.size(), 2u);
  EXPECT_EQ(fetches[0].name, "bbox");
}

TEST(Program, PersistableNamesAreSortedBytewiseAndSkipHolders) {
  Program p;
  Block b;
  auto var = [](std::string name, VarType t, bool persistable) {
    Var v;
    v.name = std::move(name);
    v.type = t;
    v.persistable = persistable;
    return v;
  };
  b.vars = {var("feed", VarType::kFeedMinibatch, true),  var("fetch", VarType::kFetchList, true),
            var("conv_b", VarType::kDenseTensor, true),  var("Conv_a", VarType::kDenseTensor, true),
            var("conv_a", VarType::kDenseTensor, true),  var("tmp", VarType::kDenseTensor, false),
            var("conv.w_0", VarType::kDenseTensor, true)};
  p.blocks.push_back(b);
  // Byte order: upper case before lower case, '.' (0x2e) before '_' (0x5f).
  EXPECT_EQ(persistable_names(p),
            (std::vector<std::string>{"Conv_a", "conv.w_0", "conv_a", "conv_b"}));
}

TEST(Program, OpVersionLookup) {
  Program p;
  EXPECT_EQ(p.op_version("conv2d"), std::nullopt);
  p.op_version_map = std::vector<OpVersion>{{"conv2d", 1}, {"set_value", 4}};
  EXPECT_EQ(p.op_version("set_value"), 4);
  EXPECT_EQ(p.op_version("relu"), std::nullopt);
}

}  // namespace
}  // namespace detport::ir
