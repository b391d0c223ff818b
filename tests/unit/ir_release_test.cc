#include <gtest/gtest.h>

#include "ir/release.h"

namespace detport::ir {
namespace {

TEST(Release, DecodesProgramVersion) {
  EXPECT_EQ(Release::from_program_version(2006002).to_string(), "2.6.2");
  EXPECT_EQ(Release::from_program_version(1008004).to_string(), "1.8.4");
  EXPECT_EQ(Release::from_program_version(3001001).to_string(), "3.1.1");
  EXPECT_EQ(Release::from_program_version(2000001), (Release{2, 0, 1}));
}

TEST(Release, ZeroIsADevelopBuild) {
  EXPECT_TRUE(Release::from_program_version(0).is_develop());
  EXPECT_EQ(Release::from_program_version(0).to_string(), "develop build");
  EXPECT_TRUE(Release::from_program_version(-5).is_develop());
}

TEST(Release, EncodesBack) {
  EXPECT_EQ((Release{2, 3, 2}).program_version(), 2003002);
  EXPECT_EQ((Release{3, 0, 0}).program_version(), 3000000);
}

TEST(Release, ParsesWhatUsersType) {
  EXPECT_EQ(Release::parse("2.3.2"), (Release{2, 3, 2}));
  EXPECT_EQ(Release::parse("2.6"), (Release{2, 6, 0}));
  EXPECT_EQ(Release::parse("v3.1.1"), (Release{3, 1, 1}));
  for (const char* bad : {"", "2", "2.", "2..3", "a.b", "2.6.1.4", "2.6-rc1", "-1.2", "2.1000"})
    EXPECT_EQ(Release::parse(bad), std::nullopt) << bad;
}

TEST(Release, Orders) {
  EXPECT_LT((Release{2, 3, 2}), (Release{2, 6, 0}));
  EXPECT_LT((Release{2, 6, 1}), (Release{3, 0, 0}));
}

}  // namespace
}  // namespace detport::ir
