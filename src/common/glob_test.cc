// Tests for StringMatch (glob.h). Expected results were taken from Redis's
// stringmatchlen() on the same inputs, quirks included.
#include "common/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace lodestone {
namespace {

struct GlobCase {
  const char* pattern;
  const char* str;
  bool match;         // Case-sensitive.
  bool match_nocase;  // With nocase.
};

TEST(StringMatchTest, MatchesLikeRedis) {
  const GlobCase cases[] = {
      // keyspace.tcl: "KEYS with pattern" and "KEYS with hashtag".
      {"foo*", "foo_a", true, true},
      {"foo*", "key_x", false, false},
      {"*", "anything", true, true},
      {"{a}*", "{a}x", true, true},
      {"*{b}*", "{b}a", true, true},
      {"*{b}*", "{a}x", false, false},
      // scan.tcl: "SCAN MATCH".
      {"key:1??", "key:123", true, true},
      {"key:1??", "key:12", false, false},
      // The pattern examples of the KEYS documentation.
      {"h?llo", "hello", true, true},
      {"h?llo", "hllo", false, false},
      {"h*llo", "hllo", true, true},
      {"h*llo", "heeeello", true, true},
      {"h[ae]llo", "hello", true, true},
      {"h[ae]llo", "hillo", false, false},
      {"h[^e]llo", "hallo", true, true},
      {"h[^e]llo", "hello", false, false},
      {"h[a-b]llo", "hbllo", true, true},
      {"h[a-b]llo", "hcllo", false, false},
      {"h[b-a]llo", "hallo", true, true},  // Reversed range.
      {"h\\*llo", "h*llo", true, true},
      {"h\\*llo", "hello", false, false},
      // Stars.
      {"a*", "a", true, true},
      {"**", "x", true, true},
      {"*a", "ba", true, true},
      {"*a", "ab", false, false},
      {"a*b*c", "axxbyyc", true, true},
      {"a*b*c", "axxbyy", false, false},
      {"?*", "a", true, true},
      {"*?", "a", true, true},
      {"[a-c]*", "cat", true, true},
      {"*.*", "foo.bar", true, true},
      {"user:*:name", "user:1000:name", true, true},
      {"user:*:name", "user:1000:email", false, false},
      // Empty strings: only the empty pattern matches the empty string.
      {"", "", true, true},
      {"", "a", false, false},
      {"*", "", false, false},
      {"a*", "", false, false},
      {"?", "", false, false},
      // Odd sets.
      {"[abc", "b", true, true},  // Unclosed: the rest is the set.
      {"[abc", "d", false, false},
      {"[", "[", false, false},
      {"[]", "]", false, false},
      {"[]]", "]", false, false},   // "[]" is an empty set.
      {"[a-]", "-", false, false},  // "a-]" is a range ending at ']'...
      {"[a-]", "_", true, true},    // ...from ']' (0x5d) to 'a' (0x61).
      {"[a-]", "]", true, true},
      {"[\\]]", "]", true, true},
      {"[\\-]", "-", true, true},
      {"[^", "x", true, true},
      {"[^]", "x", true, true},
      {"[\\a]", "A", false, false},  // An escape in a set ignores nocase.
      // Backslashes.
      {"\\", "\\", true, true},  // A trailing backslash is literal.
      {"a\\", "a\\", true, true},
      // Case.
      {"HELLO", "hello", false, true},
      {"h[A-Z]llo", "heLLo", false, true},
  };
  for (const GlobCase& c : cases) {
    EXPECT_EQ(StringMatch(c.pattern, c.str, false), c.match)
        << "pattern '" << c.pattern << "' string '" << c.str << "'";
    EXPECT_EQ(StringMatch(c.pattern, c.str, true), c.match_nocase)
        << "nocase pattern '" << c.pattern << "' string '" << c.str << "'";
  }
}

TEST(StringMatchTest, HighBytesInRanges) {
  // Bytes compare as signed chars: 0x80 is below 'b', so it starts a range.
  EXPECT_TRUE(StringMatch("[\x80-b]", "^", false));
  EXPECT_TRUE(StringMatch("[\x80-b]", "\x90", false));
  // With nocase Redis folds through tolower(), which turns 0x80 into 128.
  EXPECT_FALSE(StringMatch("[\x80-b]", "^", true));
  EXPECT_TRUE(StringMatch("\xC0", "\xC0", true));
  EXPECT_FALSE(StringMatch("\xC0", "\xE0", true));
}

TEST(StringMatchTest, BinarySafe) {
  std::string pattern("a\0*", 3);
  EXPECT_TRUE(StringMatch(pattern, std::string("a\0bc", 4), false));
  EXPECT_FALSE(StringMatch(pattern, std::string("a\1bc", 4), false));
  EXPECT_TRUE(StringMatch("?", std::string("\0", 1), false));
}

// keyspace.tcl: "Regression for pattern matching long nested loops".
TEST(StringMatchTest, ManyStarsFailFast) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(
      StringMatch("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(40, 'a'), false));
  std::string pattern;
  for (int i = 0; i < 500; ++i) pattern += "a*";
  pattern += "b";
  EXPECT_FALSE(StringMatch(pattern, std::string(5000, 'a'), false));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

// keyspace.tcl: "Regression for pattern matching very long nested loops".
// The pattern would match, but nests 50000 deep: Redis gives up, no match.
TEST(StringMatchTest, VeryDeepNestingGivesNoMatch) {
  std::string pattern;
  for (int i = 0; i < 50000; ++i) pattern += "*?";
  EXPECT_FALSE(StringMatch(pattern, std::string(50000, 'a'), false));
}

TEST(StringMatchTest, NestingLimitIsExactlyRedis) {
  // "a*" repeated n times nests n - 1 stars deep below the first.
  auto repeated = [](int n) {
    std::string p;
    for (int i = 0; i < n; ++i) p += "a*";
    return p;
  };
  const std::string str(3000, 'a');
  EXPECT_TRUE(StringMatch(repeated(1001), str, false));
  EXPECT_FALSE(StringMatch(repeated(1002), str, false));
}

}  // namespace
}  // namespace lodestone
