#include "container/versions.h"

#include <gtest/gtest.h>

namespace handoff::container {
namespace {

TEST(IncrementVersion, AddsOneToTheLastNumericComponent) {
  EXPECT_EQ(increment_version("0.1"), "0.2");
  EXPECT_EQ(increment_version("0.9"), "0.10");
  EXPECT_EQ(increment_version("1.2.3"), "1.2.4");
  EXPECT_EQ(increment_version("1.2.rc"), "1.3.rc");
}

TEST(IncrementVersion, NeverTheFirstComponent) {
  EXPECT_EQ(increment_version("1"), "1.1");
  EXPECT_EQ(increment_version("7.a"), "7.a.1");
}

TEST(IncrementVersion, NoVersionGivesZeroPointOne) { EXPECT_EQ(increment_version(""), "0.1"); }

TEST(IncrementVersion, AllNonNumericAppendsDotOne) {
  EXPECT_EQ(increment_version("v1.a"), "v1.a.1");
  EXPECT_EQ(increment_version("dev"), "dev.1");
}

TEST(VersionOrder, NumbersCompareAsNumbers) {
  EXPECT_TRUE(version_less("0.9", "0.10"));
  EXPECT_FALSE(version_less("0.10", "0.9"));
  EXPECT_TRUE(version_less("0.9", "0.9.1"));
  EXPECT_TRUE(version_less("0.9", "0.9.rc"));
  EXPECT_TRUE(version_less("0.9.rc", "0.10"));
  EXPECT_FALSE(version_less("1.0", "1.0"));
}

TEST(LatestVersion, IgnoresLatestAndUntagged) {
  EXPECT_EQ(latest_version({"0.2", "latest", "0.10", "<none>", "0.9"}), "0.10");
  EXPECT_EQ(latest_version({"latest", "<none>", ""}), std::nullopt);
  EXPECT_EQ(latest_version({}), std::nullopt);
}

TEST(ImageTag, DockerRules) {
  EXPECT_TRUE(is_valid_tag("0.1"));
  EXPECT_TRUE(is_valid_tag("v1_rc-2"));
  EXPECT_FALSE(is_valid_tag(""));
  EXPECT_FALSE(is_valid_tag(".1"));
  EXPECT_FALSE(is_valid_tag("1:2"));
  EXPECT_FALSE(is_valid_tag("a b"));
  EXPECT_FALSE(is_valid_tag(std::string(129, 'a')));
  EXPECT_EQ(image_ref("etl", "0.3"), "etl:0.3");
}

}  // namespace
}  // namespace handoff::container
