// Tests for SplitArgs (split_args.h). Expected results were taken from
// Redis's sdssplitargs() on the same lines.
#include "common/split_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lodestone {
namespace {

using Args = std::vector<std::string>;

Args Split(std::string_view line) {
  Args out = {"stale"};
  EXPECT_TRUE(SplitArgs(line, &out)) << line;
  return out;
}

bool Fails(std::string_view line) {
  Args out = {"stale"};
  bool ok = SplitArgs(line, &out);
  EXPECT_TRUE(out.empty()) << line;
  return !ok;
}

TEST(SplitArgsTest, Whitespace) {
  EXPECT_EQ(Split("set foo bar"), (Args{"set", "foo", "bar"}));
  EXPECT_EQ(Split("  set   foo   bar  "), (Args{"set", "foo", "bar"}));
  EXPECT_EQ(Split("a\tb\nc\rd"), (Args{"a", "b", "c", "d"}));
  EXPECT_EQ(Split(""), Args{});
  EXPECT_EQ(Split("   "), Args{});
  // \v and \f are skipped between arguments but do not end one.
  EXPECT_EQ(Split("\va"), Args{"a"});
  EXPECT_EQ(Split("a\vb"), Args{"a\vb"});
}

TEST(SplitArgsTest, DoubleQuotes) {
  EXPECT_EQ(Split("\"hello world\""), Args{"hello world"});
  EXPECT_EQ(Split("\"a\\nb\\r\\t\\b\\a\\\\\\\"c\""), Args{"a\nb\r\t\b\a\\\"c"});
  EXPECT_EQ(Split("\"\\x41\\x4a\\x4A\\xff\""), Args{"AJJ\xff"});
  EXPECT_EQ(Split("\"\\x00\""), Args{std::string(1, '\0')});
  // Not a full \xHH: the backslash escapes the 'x' itself.
  EXPECT_EQ(Split("\"\\x4\""), Args{"x4"});
  EXPECT_EQ(Split("\"\\xZZ\""), Args{"xZZ"});
  EXPECT_EQ(Split("\"\\q\""), Args{"q"});
  EXPECT_EQ(Split("\"\\\"\""), Args{"\""});
  EXPECT_EQ(Split("\"\""), Args{""});
  EXPECT_EQ(Split("set \"\" x"), (Args{"set", "", "x"}));
  EXPECT_EQ(Split("\"a\"\t"), Args{"a"});
  EXPECT_EQ(Split("\"a\"\v"), Args{"a"});
}

TEST(SplitArgsTest, SingleQuotes) {
  EXPECT_EQ(Split("'hello world'"), Args{"hello world"});
  EXPECT_EQ(Split("'it\\'s'"), Args{"it's"});
  EXPECT_EQ(Split("'a\\nb'"), Args{"a\\nb"});
  EXPECT_EQ(Split("''"), Args{""});
}

TEST(SplitArgsTest, QuotesInsideAnArgument) {
  EXPECT_EQ(Split("foo\"bar baz\" x"), (Args{"foobar baz", "x"}));
  EXPECT_EQ(Split("a\"b\""), Args{"ab"});
}

TEST(SplitArgsTest, Errors) {
  EXPECT_TRUE(Fails("\"abc\"def"));
  EXPECT_TRUE(Fails("'abc'def"));
  EXPECT_TRUE(Fails("\"abc"));
  EXPECT_TRUE(Fails("'abc"));
  EXPECT_TRUE(Fails("\"a\\"));
  EXPECT_TRUE(Fails("'a\\"));
  EXPECT_TRUE(Fails("x\""));
  EXPECT_TRUE(Fails("\"x\"y\""));
  EXPECT_TRUE(Fails("ok \"unterminated"));
}

TEST(SplitArgsTest, NulEndsTheLine) {
  EXPECT_EQ(Split(std::string_view("a b\0c d", 7)), (Args{"a", "b"}));
  EXPECT_TRUE(Fails(std::string_view("\"a\0\"", 4)));
}

TEST(SplitArgsTest, ConfigLines) {
  EXPECT_EQ(Split("save 900 1 300 10"), (Args{"save", "900", "1", "300", "10"}));
  EXPECT_EQ(Split("requirepass \"p@ss word\"\n"), (Args{"requirepass", "p@ss word"}));
  EXPECT_EQ(Split("dir '/var/lib/redis'\r\n"), (Args{"dir", "/var/lib/redis"}));
}

}  // namespace
}  // namespace lodestone
