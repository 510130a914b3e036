#include "project/schema.h"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

namespace handoff::project::schema {
namespace {

TEST(Schema, EveryKeyIsInTheReferenceOnceWithItsMeaning) {
  std::string md = markdown();
  for (const auto& s : sections()) {
    std::set<std::string_view> seen;
    for (const auto& k : s.keys) {
      EXPECT_TRUE(seen.insert(k.name).second) << s.id << ": duplicate key " << k.name;
      EXPECT_FALSE(k.meaning.empty()) << s.id << "." << k.name;
      EXPECT_NE(md.find("| `" + std::string(k.name) + "` | "), std::string::npos) << k.name;
    }
  }
}

TEST(Schema, KeyNamesOfASectionAreWhatTheLoaderChecks) {
  auto task = key_names("task");
  EXPECT_EQ(task.front(), "name");
  EXPECT_NE(std::find(task.begin(), task.end(), "kill_loop_on_fail"), task.end());
  EXPECT_THROW(key_names("no_such_section"), std::logic_error);
}

}  // namespace
}  // namespace handoff::project::schema
