// Walks every row of the command table and checks its invariants.
#include <gtest/gtest.h>

#include <cctype>

#include "commands/register.h"

namespace lodestone {
namespace {

TEST(CommandTableTest, EveryRowIsWellFormed) {
  CommandTable table;
  RegisterAllCommands(table);
  ASSERT_GT(table.size(), 0u);
  for (const CommandSpec* c : table.all()) {
    SCOPED_TRACE(c->name);
    EXPECT_NE(c->handler, nullptr);
    EXPECT_NE(c->arity, 0);
    EXPECT_FALSE(c->group.empty());
    for (char ch : c->name) EXPECT_FALSE(std::isupper(static_cast<unsigned char>(ch)));
    EXPECT_FALSE(c->doc.summary.empty());
    EXPECT_FALSE(c->doc.since.empty());
    // A command cannot be both a reader and a writer.
    EXPECT_FALSE((c->flags & kReadonly) && (c->flags & kWrite));
    // Keyed commands need an arity that covers the first key (channels
    // declared as NOT_KEY, as SUNSUBSCRIBE's, may all be omitted).
    bool only_not_keys = true;
    for (const KeySpec& ks : c->key_specs) only_not_keys = only_not_keys && (ks.flags & kKsNotKey);
    if (!c->key_specs.empty() && !c->movable_keys && !only_not_keys) {
      int min_args = c->arity > 0 ? c->arity : -c->arity;
      EXPECT_GT(min_args, c->first_key);
    }
    // The dispatcher's fast route: exactly the commands with one fixed key.
    const bool one_fixed_key = !c->key_specs.empty() && !c->movable_keys && c->first_key > 0 &&
                               c->first_key == c->last_key;
    EXPECT_EQ(c->single_key, one_fixed_key ? c->first_key : 0);
    for (const KeySpec& ks : c->key_specs) {
      EXPECT_NE(ks.flags & (kKsRO | kKsRW | kKsOW | kKsRM | kKsNotKey), 0u);
      EXPECT_GE(ks.keystep, 1);
    }
  }
}

TEST(CommandTableTest, LookupIsCaseInsensitive) {
  CommandTable table;
  RegisterAllCommands(table);
  EXPECT_NE(table.Find("GET"), nullptr);
  EXPECT_NE(table.Find("gEt"), nullptr);
  EXPECT_EQ(table.Find("nosuchcommand"), nullptr);
}

TEST(CommandTableTest, KeyPositions) {
  CommandTable table;
  RegisterAllCommands(table);
  std::vector<int> pos;
  std::vector<std::string_view> args = {"MSET", "a", "1", "b", "2"};
  ASSERT_TRUE(GetKeyPositions(*table.Find("mset"), args, &pos));
  EXPECT_EQ(pos, (std::vector<int>{1, 3}));
}

}  // namespace
}  // namespace lodestone
