// Tests for Redis-exact number parsing and formatting (strings.h). Expected
// values come from Redis's util.c (string2ll, string2ull, string2ld,
// ld2string, d2string) run on the same inputs.
#include "common/strings.h"

#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "common/random.h"

namespace lodestone {
namespace {

bool Int64Ok(std::string_view s, int64_t expected) {
  int64_t v = 12345;
  return ParseInt64(s, &v) && v == expected;
}

bool Int64Rejected(std::string_view s) {
  int64_t v = 0;
  return !ParseInt64(s, &v);
}

TEST(ParseInt64Test, AcceptsCanonicalIntegers) {
  EXPECT_TRUE(Int64Ok("0", 0));
  EXPECT_TRUE(Int64Ok("1", 1));
  EXPECT_TRUE(Int64Ok("-1", -1));
  EXPECT_TRUE(Int64Ok("99", 99));
  EXPECT_TRUE(Int64Ok("-99", -99));
  EXPECT_TRUE(Int64Ok("1234567890", 1234567890));
  EXPECT_TRUE(Int64Ok("9223372036854775807", std::numeric_limits<int64_t>::max()));
  EXPECT_TRUE(Int64Ok("-9223372036854775808", std::numeric_limits<int64_t>::min()));
  EXPECT_TRUE(Int64Ok("9223372036854775806", std::numeric_limits<int64_t>::max() - 1));
  EXPECT_TRUE(Int64Ok("-9223372036854775807", std::numeric_limits<int64_t>::min() + 1));
}

TEST(ParseInt64Test, RejectsNonCanonicalForms) {
  EXPECT_TRUE(Int64Rejected(""));
  EXPECT_TRUE(Int64Rejected("-"));
  EXPECT_TRUE(Int64Rejected("+1"));
  EXPECT_TRUE(Int64Rejected(" 1"));
  EXPECT_TRUE(Int64Rejected("1 "));
  EXPECT_TRUE(Int64Rejected("01"));
  EXPECT_TRUE(Int64Rejected("00"));
  EXPECT_TRUE(Int64Rejected("-0"));
  EXPECT_TRUE(Int64Rejected("-01"));
  EXPECT_TRUE(Int64Rejected("1.0"));
  EXPECT_TRUE(Int64Rejected("1e3"));
  EXPECT_TRUE(Int64Rejected("0x10"));
  EXPECT_TRUE(Int64Rejected("abc"));
  EXPECT_TRUE(Int64Rejected("12a"));
  EXPECT_TRUE(Int64Rejected("--1"));
  EXPECT_TRUE(Int64Rejected(std::string_view("1\0", 2)));
}

TEST(ParseInt64Test, RejectsOverflow) {
  EXPECT_TRUE(Int64Rejected("9223372036854775808"));
  EXPECT_TRUE(Int64Rejected("-9223372036854775809"));
  EXPECT_TRUE(Int64Rejected("18446744073709551615"));
  EXPECT_TRUE(Int64Rejected("18446744073709551616"));
  EXPECT_TRUE(Int64Rejected("99999999999999999999"));
  EXPECT_TRUE(Int64Rejected("-99999999999999999999"));
  // 21 bytes or more is rejected before looking at the digits.
  EXPECT_TRUE(Int64Rejected("100000000000000000000"));
}

TEST(ParseInt64Test, RoundTripsEveryFormattedValue) {
  Random rng(1);
  for (int i = 0; i < 100000; ++i) {
    int64_t v = static_cast<int64_t>(rng.Next()) >> rng.Uniform(64);
    std::string s = Int64ToString(v);
    int64_t parsed = 0;
    ASSERT_TRUE(ParseInt64(s, &parsed)) << s;
    ASSERT_EQ(parsed, v);
  }
}

TEST(ParseUint64Test, FollowsString2ull) {
  uint64_t v = 0;
  EXPECT_TRUE(ParseUint64("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(ParseUint64("9223372036854775807", &v));
  EXPECT_EQ(v, 9223372036854775807u);
  EXPECT_TRUE(ParseUint64("9223372036854775808", &v));
  EXPECT_EQ(v, 9223372036854775808u);
  EXPECT_TRUE(ParseUint64("18446744073709551615", &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  EXPECT_FALSE(ParseUint64("18446744073709551616", &v));
  EXPECT_FALSE(ParseUint64("-1", &v));
  EXPECT_FALSE(ParseUint64("", &v));
  EXPECT_FALSE(ParseUint64("abc", &v));
  EXPECT_FALSE(ParseUint64("12abc", &v));
  EXPECT_FALSE(ParseUint64("1 ", &v));
  // The strtoull() fallback admits what string2ll refuses.
  EXPECT_TRUE(ParseUint64("007", &v));
  EXPECT_EQ(v, 7u);
  EXPECT_TRUE(ParseUint64("+5", &v));
  EXPECT_EQ(v, 5u);
  EXPECT_TRUE(ParseUint64(" 5", &v));
  EXPECT_EQ(v, 5u);
  // Read as a C string: the NUL ends it.
  EXPECT_TRUE(ParseUint64(std::string_view("12\0x", 4), &v));
  EXPECT_EQ(v, 12u);
}

TEST(ParseDoubleTest, AcceptsWhatStrtodConsumesEntirely) {
  double v = 0;
  EXPECT_TRUE(ParseDouble("1", &v));
  EXPECT_EQ(v, 1.0);
  EXPECT_TRUE(ParseDouble("-1.5", &v));
  EXPECT_EQ(v, -1.5);
  EXPECT_TRUE(ParseDouble("+1.5", &v));
  EXPECT_EQ(v, 1.5);
  EXPECT_TRUE(ParseDouble(".5", &v));
  EXPECT_EQ(v, 0.5);
  EXPECT_TRUE(ParseDouble("5.", &v));
  EXPECT_EQ(v, 5.0);
  EXPECT_TRUE(ParseDouble("1e3", &v));
  EXPECT_EQ(v, 1000.0);
  EXPECT_TRUE(ParseDouble("1E-3", &v));
  EXPECT_EQ(v, 0.001);
  EXPECT_TRUE(ParseDouble("007", &v));
  EXPECT_EQ(v, 7.0);
  EXPECT_TRUE(ParseDouble("0x10", &v));
  EXPECT_EQ(v, 16.0);
  EXPECT_TRUE(ParseDouble("inf", &v));
  EXPECT_EQ(v, HUGE_VAL);
  EXPECT_TRUE(ParseDouble("+inf", &v));
  EXPECT_EQ(v, HUGE_VAL);
  EXPECT_TRUE(ParseDouble("-inf", &v));
  EXPECT_EQ(v, -HUGE_VAL);
  EXPECT_TRUE(ParseDouble("Infinity", &v));
  EXPECT_EQ(v, HUGE_VAL);
  EXPECT_TRUE(ParseDouble("1.7976931348623157e308", &v));
  EXPECT_EQ(v, std::numeric_limits<double>::max());
  EXPECT_TRUE(ParseDouble("-0", &v));
  EXPECT_TRUE(std::signbit(v));
  // Subnormal: ERANGE, but neither zero nor infinite.
  EXPECT_TRUE(ParseDouble("4.9e-324", &v));
  EXPECT_GT(v, 0.0);
}

TEST(ParseDoubleTest, RejectsTheRest) {
  double v = 0;
  EXPECT_FALSE(ParseDouble("", &v));
  EXPECT_FALSE(ParseDouble(" 1", &v));
  EXPECT_FALSE(ParseDouble("\t1", &v));
  EXPECT_FALSE(ParseDouble("1 ", &v));
  EXPECT_FALSE(ParseDouble("1.5x", &v));
  EXPECT_FALSE(ParseDouble("abc", &v));
  EXPECT_FALSE(ParseDouble("nan", &v));
  EXPECT_FALSE(ParseDouble("-nan", &v));
  EXPECT_FALSE(ParseDouble("NaN", &v));
  EXPECT_FALSE(ParseDouble("1e400", &v));
  EXPECT_FALSE(ParseDouble("-1e400", &v));
  EXPECT_FALSE(ParseDouble("1e-400", &v));
  EXPECT_FALSE(ParseDouble(std::string_view("1\0", 2), &v));
  // Long inputs take the heap path and still parse exactly.
  std::string long_input = "1." + std::string(300, '0') + "1";
  EXPECT_TRUE(ParseDouble(long_input, &v));
  EXPECT_EQ(v, 1.0);
}

TEST(ParseLongDoubleTest, FollowsString2ld) {
  long double v = 0;
  EXPECT_TRUE(ParseLongDouble("10.5", &v));
  EXPECT_EQ(v, 10.5L);
  EXPECT_TRUE(ParseLongDouble("-3", &v));
  EXPECT_EQ(v, -3.0L);
  EXPECT_TRUE(ParseLongDouble("5.0e3", &v));
  EXPECT_EQ(v, 5000.0L);
  EXPECT_TRUE(ParseLongDouble("inf", &v));
  EXPECT_TRUE(std::isinf(v));
  EXPECT_TRUE(ParseLongDouble("1e4000", &v));  // Fits in a long double.
  EXPECT_FALSE(ParseLongDouble("1e5000", &v));
  EXPECT_FALSE(ParseLongDouble("1e-5000", &v));
  EXPECT_FALSE(ParseLongDouble("", &v));
  EXPECT_FALSE(ParseLongDouble(" 1", &v));
  EXPECT_FALSE(ParseLongDouble("1 ", &v));
  EXPECT_FALSE(ParseLongDouble("nan", &v));
  EXPECT_FALSE(ParseLongDouble("1x", &v));
  std::string longest(kMaxLongDoubleChars - 1, '0');
  longest[0] = '1';
  longest[1] = '.';
  EXPECT_TRUE(ParseLongDouble(longest, &v));
  EXPECT_FALSE(ParseLongDouble(longest + "0", &v));
}

TEST(FormatInt64Test, FormatsAllMagnitudes) {
  char buf[kInt64BufferSize];
  EXPECT_EQ(FormatInt64(0, buf), 1u);
  EXPECT_STREQ(buf, "0");
  EXPECT_EQ(FormatInt64(-7, buf), 2u);
  EXPECT_STREQ(buf, "-7");
  EXPECT_EQ(FormatInt64(std::numeric_limits<int64_t>::min(), buf), 20u);
  EXPECT_STREQ(buf, "-9223372036854775808");
  EXPECT_EQ(Int64ToString(std::numeric_limits<int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(Uint64ToString(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
  EXPECT_EQ(FormatUint64(42, buf), 2u);
  EXPECT_STREQ(buf, "42");
}

TEST(FormatInt64Test, AgreesWithToCharsAtEveryPowerOfTenAndAtRandom) {
  std::vector<int64_t> values = {0, std::numeric_limits<int64_t>::max(),
                                 std::numeric_limits<int64_t>::min()};
  int64_t p = 1;
  for (int i = 0; i < 19; ++i) {
    for (int64_t d : {-1, 0, 1}) {
      values.push_back(p + d);
      values.push_back(-(p + d));
    }
    if (i < 18) p *= 10;
  }
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 100000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    values.push_back(static_cast<int64_t>(x >> (x % 64)));  // every magnitude
    values.push_back(-static_cast<int64_t>(x >> (1 + x % 63)));
  }
  for (int64_t v : values) {
    char expected[32];
    char* end = std::to_chars(expected, expected + sizeof(expected), v).ptr;
    char buf[kInt64BufferSize];
    const size_t n = FormatInt64(v, buf);
    ASSERT_EQ(std::string_view(buf, n), std::string_view(expected, size_t(end - expected))) << v;
    ASSERT_EQ(buf[n], '\0');
    ASSERT_EQ(LengthOfInt64(v), static_cast<int64_t>(n)) << v;
    if (v >= 0) {
      ASSERT_EQ(FormatUint64(static_cast<uint64_t>(v), buf), n);
    }
  }
  char buf[kInt64BufferSize];
  for (uint64_t u : {uint64_t{9999999999999999999u}, uint64_t{10000000000000000000u},
                     std::numeric_limits<uint64_t>::max()}) {
    char expected[32];
    char* end = std::to_chars(expected, expected + sizeof(expected), u).ptr;
    ASSERT_EQ(std::string_view(buf, FormatUint64(u, buf)),
              std::string_view(expected, size_t(end - expected)));
  }
}

TEST(FormatInt64Test, LengthOfInt64MatchesFormattedLength) {
  const int64_t values[] = {0,
                            1,
                            9,
                            10,
                            99,
                            100,
                            -1,
                            -9,
                            -10,
                            123456789,
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) {
    EXPECT_EQ(LengthOfInt64(v), static_cast<int64_t>(Int64ToString(v).size())) << v;
  }
}

long double Ld(const char* s) { return strtold(s, nullptr); }

TEST(FormatLongDoubleTest, HumanFriendlyLikeIncrByFloat) {
  EXPECT_EQ(FormatLongDouble(Ld("10.5") + Ld("0.1")), "10.6");
  EXPECT_EQ(FormatLongDouble(Ld("10.6") + Ld("5.0e3")), "5010.60000000000000009");
  EXPECT_EQ(FormatLongDouble(Ld("5.0e3")), "5000");
  EXPECT_EQ(FormatLongDouble(Ld("1.0e1")), "10");
  EXPECT_EQ(FormatLongDouble(Ld("3.0")), "3");
  EXPECT_EQ(FormatLongDouble(Ld("0.1")), "0.1");
  EXPECT_EQ(FormatLongDouble(Ld("-0.1")), "-0.1");
  EXPECT_EQ(FormatLongDouble(Ld("-5")), "-5");
  EXPECT_EQ(FormatLongDouble(0.0L), "0");
  EXPECT_EQ(FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(FormatLongDouble(Ld("1e-20")), "0");
  EXPECT_EQ(FormatLongDouble(Ld("-1e-20")), "0");
  EXPECT_EQ(FormatLongDouble(Ld("1e20")), "100000000000000000000");
  EXPECT_EQ(FormatLongDouble(Ld("1.5e30")), "1500000000000000000002684354560");
  EXPECT_EQ(FormatLongDouble(Ld("123456789.123456789")), "123456789.12345678899873747");
  EXPECT_EQ(FormatLongDouble(Ld("0.33333333333333333333")), "0.33333333333333333");
  EXPECT_EQ(FormatLongDouble(HUGE_VALL), "inf");
  EXPECT_EQ(FormatLongDouble(-HUGE_VALL), "-inf");
  EXPECT_EQ(FormatLongDouble(std::nanl("")), "nan");
}

TEST(FormatLongDoubleTest, LargestValueFits) {
  std::string s = FormatLongDouble(std::numeric_limits<long double>::max());
  EXPECT_EQ(s.size(), 4933u);
  EXPECT_EQ(s.substr(0, 5), "11897");
  EXPECT_LT(s.size(), kMaxLongDoubleChars);
}

struct DoubleCase {
  const char* input;
  const char* expected;
};

TEST(FormatDoubleTest, MatchesRedisD2string) {
  const DoubleCase cases[] = {
      {"1", "1"},
      {"-1", "-1"},
      {"0.1", "0.1"},
      {"0.3", "0.3"},
      {"1.5", "1.5"},
      {"-1.5", "-1.5"},
      {"-0.5", "-0.5"},
      {"3.14159", "3.14159"},
      {"123.456", "123.456"},
      {"12345678.9", "12345678.9"},
      {"1234567.125", "1234567.125"},
      {"0.30000000000000004", "0.30000000000000004"},
      {"1.0000000000000002", "1.0000000000000002"},
      // Integers up to 2^62 print as integers.
      {"1e15", "1000000000000000"},
      {"4611686018427387904", "4611686018427387904"},
      // Above 2^62, fpconv_dtoa's layout.
      {"9223372036854775807", "9223372036854776000"},
      {"123456789012345678901234", "123456789012345690000000"},
      {"1e19", "1e+19"},
      {"1.2e19", "1.2e+19"},
      {"1e20", "1e+20"},
      {"-1e20", "-1e+20"},
      {"1e21", "1e+21"},
      {"1e25", "1e+25"},
      {"1e100", "1e+100"},
      {"1.7976931348623157e308", "1.7976931348623157e+308"},
      // Small values: decimal down to 1e-6, or while the exponent is small.
      {"0.001234", "0.001234"},
      {"1e-4", "0.0001"},
      {"5e-5", "0.00005"},
      {"1.1e-5", "0.000011"},
      {"0.000015", "0.000015"},
      {"1e-6", "0.000001"},
      {"1e-7", "1e-7"},
      {"1.5e-6", "1.5e-6"},
      {"1.5e-7", "1.5e-7"},
      {"0.0001234", "1.234e-4"},
      {"0.00012345678901234567", "1.2345678901234567e-4"},
      {"1.234e-100", "1.234e-100"},
      {"2.2250738585072014e-308", "2.2250738585072014e-308"},
      {"4.9406564584124654e-324", "5e-324"},
      // Where Grisu2 is not the shortest or not the closest, Redis prints
      // Grisu2's digits, and so do we.
      {"-3.9324947182894267e-129", "-3.9324947182894267e-129"},
      {"682728310938602.25", "682728310938602.3"},
      {"85609271644104.875", "85609271644104.87"},
      {"-6.7594886769999995e+18", "-6759488676999999000"},
      {"1.2539424817999999e+19", "12539424817999999000"},
  };
  for (const DoubleCase& c : cases) {
    EXPECT_EQ(DoubleToString(strtod(c.input, nullptr)), c.expected) << c.input;
  }
}

TEST(FormatDoubleTest, SpecialValues) {
  EXPECT_EQ(DoubleToString(0.0), "0");
  EXPECT_EQ(DoubleToString(-0.0), "-0");
  EXPECT_EQ(DoubleToString(HUGE_VAL), "inf");
  EXPECT_EQ(DoubleToString(-HUGE_VAL), "-inf");
  EXPECT_EQ(DoubleToString(std::nan("")), "nan");
  EXPECT_EQ(DoubleToString(-std::nan("")), "nan");
}

TEST(FormatDoubleTest, ReturnsLengthAndTerminates) {
  char buf[kDoubleBufferSize];
  EXPECT_EQ(FormatDouble(1.5, buf), 3u);
  EXPECT_STREQ(buf, "1.5");
  EXPECT_EQ(FormatDouble(-1.2345678901234567e-300, buf), 24u);
  EXPECT_STREQ(buf, "-1.2345678901234568e-300");
}

// Every output reads back as the same double, at every binary exponent.
TEST(FormatDoubleTest, RoundTripsRandomDoubles) {
  Random rng(42);
  for (int i = 0; i < 200000; ++i) {
    uint64_t bits = rng.Next();
    double v;
    memcpy(&v, &bits, sizeof(v));
    if (std::isnan(v)) continue;
    char buf[kDoubleBufferSize];
    size_t len = FormatDouble(v, buf);
    ASSERT_LT(len, kDoubleBufferSize);
    ASSERT_EQ(strlen(buf), len);
    double back = 0;
    ASSERT_TRUE(ParseDouble(buf, &back) || std::isinf(v)) << buf;
    ASSERT_EQ(back, v) << buf;
  }
}

TEST(CaseTest, EqualsIgnoreCase) {
  EXPECT_TRUE(EqualsIgnoreCase("GET", "get"));
  EXPECT_TRUE(EqualsIgnoreCase("gEt", "GeT"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_TRUE(EqualsIgnoreCase("a1-_", "A1-_"));
  EXPECT_FALSE(EqualsIgnoreCase("get", "gets"));
  EXPECT_FALSE(EqualsIgnoreCase("get", "set"));
  // Only ASCII letters fold: '@' (0x40) and '`' (0x60) differ by 0x20 too.
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC0", "\xE0"));
}

TEST(CaseTest, ToLower) {
  std::string s = "HeLLo World 123 \xC0";
  ToLowerAscii(&s);
  EXPECT_EQ(s, "hello world 123 \xC0");
  EXPECT_EQ(ToLowerCopy("CONFIG SET"), "config set");
  EXPECT_EQ(ToLowerCopy(""), "");
}

}  // namespace
}  // namespace lodestone
