// Tests for Listpack: the encodings entry by entry, byte-exact agreement with
// blobs taken from redis-server 7.0.15 (DUMP of a list, rdbcompression off),
// memory per entry, and randomized runs against a vector model.
#include "core/listpack.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "common/random.h"
#include "common/strings.h"

namespace lodestone {
namespace {

using Model = std::vector<std::variant<int64_t, std::string>>;
using Value = Listpack::Value;

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// What the model stores for `s`: the integer if string2ll accepts it.
std::variant<int64_t, std::string> Normalize(std::string_view s) {
  int64_t v;
  if (ParseInt64(s, &v)) return v;
  return std::string(s);
}

bool Same(const Value& v, const std::variant<int64_t, std::string>& m) {
  if (v.is_int()) return std::holds_alternative<int64_t>(m) && std::get<int64_t>(m) == v.integer();
  return std::holds_alternative<std::string>(m) && std::get<std::string>(m) == v.bytes();
}

// Redis's comparison: the string forms are equal.
bool ModelEquals(const std::variant<int64_t, std::string>& m, std::string_view s) {
  int64_t v;
  if (std::holds_alternative<int64_t>(m)) return ParseInt64(s, &v) && v == std::get<int64_t>(m);
  return std::get<std::string>(m) == s;
}

std::string Describe(const Value& v) {
  return v.is_int() ? "int " + Int64ToString(v.integer())
                    : "str \"" + std::string(v.bytes()) + "\"";
}

// Checks every way of reading `lp` against `model`.
void ExpectMatches(const Listpack& lp, const Model& model) {
  ASSERT_TRUE(lp.CheckConsistency());
  ASSERT_EQ(lp.Size(), model.size());
  size_t i = 0;
  for (Value v : lp) {
    ASSERT_TRUE(Same(v, model[i])) << "forward at " << i << ": " << Describe(v);
    ++i;
  }
  ASSERT_EQ(i, model.size());
  for (auto it = lp.rbegin(); it != lp.rend(); ++it) {
    --i;
    ASSERT_TRUE(Same(*it, model[i])) << "backward at " << i << ": " << Describe(*it);
  }
  // Positions both ways.
  i = 0;
  for (Listpack::Position p = lp.First(); p; p = lp.Next(p))
    ASSERT_TRUE(Same(lp.Get(p), model[i++]));
  ASSERT_EQ(i, model.size());
  for (Listpack::Position p = lp.Last(); p; p = lp.Prev(p))
    ASSERT_TRUE(Same(lp.Get(p), model[--i]));
  ASSERT_EQ(i, 0u);
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

std::string Hex(std::string_view hex) {
  std::string s;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    s.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return s;
}

// --- Encodings

TEST(ListpackTest, EmptyOwnsNothingAndReadsEmpty) {
  Listpack lp;
  EXPECT_EQ(lp.Size(), 0u);
  EXPECT_TRUE(lp.Empty());
  EXPECT_EQ(lp.BytesUsed(), 6u);
  EXPECT_FALSE(lp.First());
  EXPECT_FALSE(lp.Last());
  EXPECT_FALSE(lp.Seek(0));
  EXPECT_FALSE(lp.Seek(-1));
  EXPECT_FALSE(lp.Find("x"));
  EXPECT_TRUE(lp.begin() == lp.end());
  EXPECT_TRUE(lp.CheckConsistency());
  EXPECT_EQ(lp.ToRedisFormat(), Bytes({7, 0, 0, 0, 0, 0, 0xFF}));
}

TEST(ListpackTest, EntryBytesPerEncoding) {
  // Integers: 7-bit, 13-bit, 16, 24, 32, 64-bit forms, backlen included.
  EXPECT_EQ(Listpack::EntryBytes(0), 2u);
  EXPECT_EQ(Listpack::EntryBytes(127), 2u);
  EXPECT_EQ(Listpack::EntryBytes(128), 3u);
  EXPECT_EQ(Listpack::EntryBytes(-1), 3u);
  EXPECT_EQ(Listpack::EntryBytes(4095), 3u);
  EXPECT_EQ(Listpack::EntryBytes(-4096), 3u);
  EXPECT_EQ(Listpack::EntryBytes(4096), 4u);
  EXPECT_EQ(Listpack::EntryBytes(-4097), 4u);
  EXPECT_EQ(Listpack::EntryBytes(32767), 4u);
  EXPECT_EQ(Listpack::EntryBytes(-32768), 4u);
  EXPECT_EQ(Listpack::EntryBytes(32768), 5u);
  EXPECT_EQ(Listpack::EntryBytes(8388607), 5u);
  EXPECT_EQ(Listpack::EntryBytes(-8388608), 5u);
  EXPECT_EQ(Listpack::EntryBytes(8388608), 6u);
  EXPECT_EQ(Listpack::EntryBytes(int64_t{INT32_MAX}), 6u);
  EXPECT_EQ(Listpack::EntryBytes(int64_t{INT32_MIN}), 6u);
  EXPECT_EQ(Listpack::EntryBytes(int64_t{INT32_MAX} + 1), 10u);
  EXPECT_EQ(Listpack::EntryBytes(kMin), 10u);
  EXPECT_EQ(Listpack::EntryBytes(kMax), 10u);
  // Integer-looking strings cost what the integer costs.
  EXPECT_EQ(Listpack::EntryBytes("127"), 2u);
  EXPECT_EQ(Listpack::EntryBytes("-9223372036854775808"), 10u);
  // Strings: payload + 2 up to 63 bytes, + 3 to 125, + 4 to 4095, then + 7..
  EXPECT_EQ(Listpack::EntryBytes(""), 2u);
  EXPECT_EQ(Listpack::EntryBytes("abcdefg"), 9u);
  EXPECT_EQ(Listpack::EntryBytes(std::string(63, 'x')), 65u);
  EXPECT_EQ(Listpack::EntryBytes(std::string(64, 'x')), 67u);
  EXPECT_EQ(Listpack::EntryBytes(std::string(125, 'x')), 128u);
  EXPECT_EQ(Listpack::EntryBytes(std::string(126, 'x')), 130u);
  EXPECT_EQ(Listpack::EntryBytes(std::string(4095, 'x')), 4095u + 4);
  EXPECT_EQ(Listpack::EntryBytes(std::string(4096, 'x')), 4096u + 7);
  EXPECT_EQ(Listpack::EntryBytes(std::string(16377, 'x')), 16377u + 7);
  EXPECT_EQ(Listpack::EntryBytes(std::string(16378, 'x')), 16378u + 8);
  EXPECT_EQ(Listpack::EntryBytes(std::string(65536, 'x')), 65536u + 8);
}

TEST(ListpackTest, IntegerLikeStringsBecomeIntegersAndOthersStayStrings) {
  Listpack lp;
  const std::vector<std::string> as_int = {
      "0", "1", "-1", "127", "128", "-4096", "4095", "9223372036854775807", "-9223372036854775808"};
  const std::vector<std::string> as_string = {"",
                                              "0123",
                                              "-0",
                                              "+1",
                                              " 1",
                                              "1 ",
                                              "00",
                                              "1.0",
                                              "1e3",
                                              "-",
                                              "0x10",
                                              "9223372036854775808",
                                              "-9223372036854775809",
                                              "99999999999999999999",
                                              std::string("1\0", 2)};
  for (const std::string& s : as_int) lp.Append(s);
  for (const std::string& s : as_string) lp.Append(s);
  size_t i = 0;
  for (Value v : lp) {
    if (i < as_int.size()) {
      ASSERT_TRUE(v.is_int()) << as_int[i];
      EXPECT_EQ(v.ToString(), as_int[i]);
    } else {
      ASSERT_FALSE(v.is_int()) << as_string[i - as_int.size()];
      EXPECT_EQ(v.bytes(), as_string[i - as_int.size()]);
    }
    ++i;
  }
  EXPECT_TRUE(lp.CheckConsistency());
}

TEST(ListpackTest, EveryIntegerWidthBoundaryRoundTrips) {
  std::vector<int64_t> values = {0, 1, 127, 128, -1, 4095, -4096, 4096, -4097};
  for (int bits : {16, 24, 32, 64}) {
    const int64_t high = bits == 64 ? kMax : (int64_t{1} << (bits - 1)) - 1;
    const int64_t low = bits == 64 ? kMin : -(int64_t{1} << (bits - 1));
    for (int64_t v : {high, low, high - 1, low + 1}) values.push_back(v);
    if (bits < 64) {
      values.push_back(high + 1);
      values.push_back(low - 1);
    }
  }
  // Appended as integers, prepended as strings: the model is the values
  // reversed, then the values.
  Listpack lp;
  for (int64_t v : values) {
    lp.Append(v);
    lp.Prepend(Int64ToString(v));
  }
  Model model(values.rbegin(), values.rend());
  model.insert(model.end(), values.begin(), values.end());
  ExpectMatches(lp, model);
}

// --- Redis's bytes

// redis-server 7.0.15: RPUSH l hello 1 -1 1000 100000 -0 0123
// 9223372036854775807 -9223372036854775808 "" ; DUMP l (quicklist node 1).
const std::string kRedisListBlob =
    Hex("3b0000000a00"
        "8568656c6c6f06"        // "hello"
        "0101"                  // 1
        "dfff02"                // -1
        "c3e802"                // 1000
        "f2a0860104"            // 100000
        "822d3003"              // "-0"
        "843031323305"          // "0123"
        "f4ffffffffffffff7f09"  // INT64_MAX
        "f4000000000000008009"  // INT64_MIN
        "8001"                  // ""
        "ff");

TEST(ListpackTest, MatchesRedisBytes) {
  Listpack lp;
  for (const char* s : {"hello", "1", "-1", "1000", "100000", "-0", "0123", "9223372036854775807",
                        "-9223372036854775808", ""}) {
    lp.Append(s);
  }
  EXPECT_EQ(lp.ToRedisFormat(), kRedisListBlob);
  EXPECT_EQ(lp.BytesUsed() + 1, kRedisListBlob.size());  // Redis has a 0xFF terminator.

  std::optional<Listpack> parsed = Listpack::FromRedisFormat(kRedisListBlob);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->Size(), 10u);
  EXPECT_EQ(parsed->ToRedisFormat(), kRedisListBlob);
  EXPECT_TRUE(parsed->CheckConsistency());
}

TEST(ListpackTest, MatchesRedisBytesForLongStringsAndIntegerWidths) {
  // RPUSH m <a*100> <b*200> -4096 4095 4096 -4097 32767 -32768 32768 8388607
  // -8388608 8388608 2147483647 -2147483648 2147483648 127 128
  const std::string expected =
      Hex("800100001100e064") + std::string(100, 'a') + Hex("66e0c8") + std::string(200, 'b') +
      Hex("01cad00002cfff02f1001003f1ffef03f1ff7f03f1008003f200800004f2ffff7f04f200008004"
          "f30000800005f3ffffff7f05f30000008005f40000008000000000097f01c08002ff");
  Listpack lp;
  lp.Append(std::string(100, 'a'));
  lp.Append(std::string(200, 'b'));
  for (int64_t v : {-4096L, 4095L, 4096L, -4097L, 32767L, -32768L, 32768L, 8388607L, -8388608L,
                    8388608L, 2147483647L, -2147483648L, 2147483648L, 127L, 128L}) {
    lp.Append(v);
  }
  EXPECT_EQ(lp.ToRedisFormat(), expected);

  // RPUSH c x <c*5000> y: a 32-bit string length and a 2-byte backlen.
  const std::string expected_long =
      Hex("9c1300000300817802f088130000") + std::string(5000, 'c') + Hex("278d817902ff");
  Listpack long_lp;
  long_lp.Append("x");
  long_lp.Append(std::string(5000, 'c'));
  long_lp.Append("y");
  EXPECT_EQ(long_lp.ToRedisFormat(), expected_long);
  std::optional<Listpack> parsed = Listpack::FromRedisFormat(expected_long);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->Get(1).bytes(), std::string(5000, 'c'));
  EXPECT_EQ(parsed->Get(-1).bytes(), "y");
}

TEST(ListpackTest, FromRedisFormatRejectsEveryTruncationAndBadHeader) {
  // Every proper prefix fails; so does each one patched to look whole (its
  // total fixed, a terminator, count unknown) unless it still parses as a
  // valid sequence of entries.
  for (size_t n = 0; n < kRedisListBlob.size(); ++n) {
    std::string cut = kRedisListBlob.substr(0, n);
    EXPECT_FALSE(Listpack::FromRedisFormat(cut).has_value()) << n;
    if (n < 7) continue;
    cut.back() = static_cast<char>(0xFF);
    cut[0] = static_cast<char>(n);
    cut[4] = static_cast<char>(0xFF);
    cut[5] = static_cast<char>(0xFF);
    std::optional<Listpack> patched = Listpack::FromRedisFormat(cut);
    if (patched) {
      EXPECT_TRUE(patched->CheckConsistency()) << n;
    }
  }
  std::string bad = kRedisListBlob;
  bad[4] = 9;  // Wrong count.
  EXPECT_FALSE(Listpack::FromRedisFormat(bad).has_value());
  bad = kRedisListBlob;
  bad[0] = 0x3c;  // Wrong total.
  EXPECT_FALSE(Listpack::FromRedisFormat(bad).has_value());
  bad = kRedisListBlob;
  bad[12] = 0x07;  // "hello"'s backlen.
  EXPECT_FALSE(Listpack::FromRedisFormat(bad).has_value());
  bad = kRedisListBlob;
  bad[6] = static_cast<char>(0xF5);  // Unknown encoding.
  EXPECT_FALSE(Listpack::FromRedisFormat(bad).has_value());
  bad = kRedisListBlob;
  bad[4] = static_cast<char>(0xFF);  // Unknown count is allowed.
  bad[5] = static_cast<char>(0xFF);
  ASSERT_TRUE(Listpack::FromRedisFormat(bad).has_value());
  EXPECT_EQ(Listpack::FromRedisFormat(bad)->Size(), 10u);
}

TEST(ListpackTest, FromRedisFormatSurvivesRandomCorruption) {
  // Flip bytes of the Redis blobs; half the time repair the total and the
  // terminator so the entry-by-entry checks are what must catch it.
  const std::string blobs[] = {kRedisListBlob, Hex("9c1300000300817802f088130000") +
                                                   std::string(5000, 'c') + Hex("278d817902ff")};
  Random rng(7);
  size_t accepted = 0;
  for (int round = 0; round < 40000; ++round) {
    std::string blob = blobs[round % 2];
    if (round % 2 == 1) blob.resize(6 + rng.Uniform(blob.size() - 6));  // Also truncate.
    const int flips = 1 + static_cast<int>(rng.Uniform(3));
    for (int i = 0; i < flips; ++i) {
      const size_t at = round % 2 == 1 && rng.Uniform(2)
                            ? rng.Uniform(std::min<size_t>(blob.size(), 20))
                            : rng.Uniform(blob.size());
      blob[at] = static_cast<char>(rng.Uniform(256));
    }
    if (rng.Uniform(2)) {
      blob[0] = static_cast<char>(blob.size());
      blob[1] = static_cast<char>(blob.size() >> 8);
      blob[2] = blob[3] = 0;
      blob.back() = static_cast<char>(0xFF);
      if (rng.Uniform(2)) blob[4] = blob[5] = static_cast<char>(0xFF);
    }
    std::optional<Listpack> lp = Listpack::FromRedisFormat(blob);
    if (lp) {
      ++accepted;
      ASSERT_TRUE(lp->CheckConsistency());
      size_t n = 0;
      for (Value v : *lp) n += v.ToString().size();
      for (auto it = lp->rbegin(); it != lp->rend(); ++it) n -= (*it).ToString().size();
      ASSERT_EQ(n, 0u);
      ASSERT_EQ(lp->ToRedisFormat().size(), blob.size());
    }
  }
  EXPECT_GT(accepted, 0u);  // Some corruptions are still valid listpacks.
}

// --- Memory

TEST(ListpackTest, SmallStringsCostTwoBytesEachPlusSixForTheHeader) {
  // 10 entries of 7-byte strings: 6 (header) + 10 * (1 + 7 + 1) = 96 bytes;
  // Redis's listpack takes 97 (its header is 6 bytes plus a 0xFF terminator).
  Listpack lp;
  for (int i = 0; i < 10; ++i) lp.Append("value:" + std::to_string(i));
  EXPECT_EQ(lp.BytesUsed(), 96u);
  EXPECT_EQ(lp.ToRedisFormat().size(), 97u);

  // A 10-field hash as field, value pairs: "field:N" and "value:N".
  Listpack hash;
  for (int i = 0; i < 10; ++i) {
    const std::string field = "field:" + std::to_string(i);
    const std::string value = "value:" + std::to_string(i);
    const Value pair[] = {field, value};
    hash.Append(pair);
  }
  EXPECT_EQ(hash.BytesUsed(), 6u + 20 * 9);
  // Small integers: 2 bytes each.
  Listpack ints;
  for (int i = 0; i < 100; ++i) ints.Append(i);
  EXPECT_EQ(ints.BytesUsed(), 6u + 100 * 2);
}

// --- Operations

TEST(ListpackTest, PositionalOperations) {
  Listpack lp;
  lp.Append("b");
  lp.Prepend("a");
  lp.Append(3);
  // a b 3
  Listpack::Position b = lp.Find("b");
  ASSERT_TRUE(b);
  Listpack::Position x = lp.Insert(b, Listpack::Where::kAfter, "x");
  EXPECT_EQ(lp.Get(x).bytes(), "x");
  EXPECT_EQ(lp.Get(lp.Next(x)).integer(), 3);
  // a b x 3
  Listpack::Position y = lp.Insert(lp.Find("a"), Listpack::Where::kBefore, "y");
  EXPECT_EQ(y, lp.First());
  // y a b x 3
  Listpack::Position r = lp.Replace(lp.Find("3"), "three");
  EXPECT_EQ(lp.Get(r).bytes(), "three");
  EXPECT_EQ(r, lp.Last());
  // y a b x three
  EXPECT_EQ(lp.Get(-2).bytes(), "x");
  EXPECT_EQ(lp.Get(int64_t{1}).bytes(), "a");
  Listpack::Position after = lp.Delete(lp.Find("a"), 2);
  EXPECT_EQ(lp.Get(after).bytes(), "x");
  // y x three
  EXPECT_FALSE(lp.Delete(lp.Last()));
  // y x
  lp.InsertAt(1, 42);
  lp.InsertAt(3, "end");
  // y 42 x end
  Model model = {"y", 42, "x", "end"};
  ExpectMatches(lp, model);
  lp.DeleteRange(-2, 100);
  model.resize(2);
  ExpectMatches(lp, model);
  lp.DeleteRange(5, 1);  // Out of range: nothing.
  lp.DeleteRange(-3, 1);
  ExpectMatches(lp, model);
  lp.DeleteRange(0, 2);
  EXPECT_TRUE(lp.Empty());
  EXPECT_TRUE(lp.CheckConsistency());
}

TEST(ListpackTest, FindComparesLikeRedis) {
  Listpack lp;
  for (const char* s :
       {"f1", "12", "f2", "-0", "f3", "0123", "", "x", "9223372036854775807", "v"}) {
    lp.Append(s);
  }
  EXPECT_EQ(lp.Find("12"), lp.Seek(1));
  EXPECT_FALSE(lp.Find("012"));
  EXPECT_FALSE(lp.Find("12 "));
  EXPECT_EQ(lp.Find("-0"), lp.Seek(3));
  EXPECT_FALSE(lp.Find("0"));
  EXPECT_EQ(lp.Find("0123"), lp.Seek(5));
  EXPECT_EQ(lp.Find(""), lp.Seek(6));
  EXPECT_EQ(lp.Find("9223372036854775807"), lp.Seek(8));
  // skip 1 looks only at even indexes (hash fields).
  EXPECT_EQ(lp.Find("f3", 1), lp.Seek(4));
  EXPECT_FALSE(lp.Find("12", 1));
  EXPECT_FALSE(lp.Find("v", 1));
  EXPECT_EQ(lp.Find("v"), lp.Seek(9));
  // From a start position.
  EXPECT_EQ(lp.Find(lp.Seek(1), "x", 1), lp.Seek(7));
  EXPECT_FALSE(lp.Find(lp.Seek(8), "f1"));
  EXPECT_FALSE(lp.Find(Listpack::Position(), "f1"));
}

TEST(ListpackTest, ValueEquality) {
  EXPECT_EQ(Value(123), Value("123"));
  EXPECT_EQ(Value("123"), Value(int64_t{123}));
  EXPECT_FALSE(Value(0) == Value("-0"));
  EXPECT_FALSE(Value(123) == Value("0123"));
  EXPECT_EQ(Value("abc"), Value(std::string("abc")));
  EXPECT_EQ(Value(std::string_view()), Value(""));
  EXPECT_TRUE(Value(kMin).Equals("-9223372036854775808"));
  char buf[kInt64BufferSize];
  EXPECT_EQ(Value(-42).AsString(buf), "-42");
  EXPECT_EQ(Value("x").AsString(buf), "x");
}

TEST(ListpackTest, LargeAndEmptyStrings) {
  Listpack lp;
  Model model;
  for (size_t len : {size_t{0}, size_t{63}, size_t{64}, size_t{4095}, size_t{4096}, size_t{16377},
                     size_t{16378}, size_t{65536}, size_t{0}}) {
    std::string s(len, static_cast<char>('a' + len % 26));
    lp.Append(s);
    model.push_back(s);
    lp.Prepend(s);
    model.insert(model.begin(), s);
  }
  ExpectMatches(lp, model);
  lp.Replace(lp.Seek(3), "");
  model[3] = "";
  lp.Replace(lp.Seek(4), std::string(70000, 'z'));
  model[4] = std::string(70000, 'z');
  ExpectMatches(lp, model);
  std::optional<Listpack> copy = Listpack::FromRedisFormat(lp.ToRedisFormat());
  ASSERT_TRUE(copy);
  ExpectMatches(*copy, model);
}

TEST(ListpackTest, ValuesViewingTheSameListpackAreCopiedFirst) {
  // Long strings so a realloc really moves the block.
  const std::string a(3000, 'a'), b(5000, 'b');
  Listpack lp;
  lp.Append(a);
  lp.Append(b);
  lp.Prepend(lp.Get(-1));  // RPOPLPUSH l l, before the pop.
  ExpectMatches(lp, {b, a, b});
  lp.Replace(lp.Seek(1), lp.Get(int64_t{0}));  // LSET with an element of the list.
  ExpectMatches(lp, {b, b, b});
  lp.Replace(lp.Seek(0), "x");
  lp.Insert(lp.Seek(0), Listpack::Where::kAfter, lp.Get(-1));
  ExpectMatches(lp, {"x", b, b, b});
  const Value pair[] = {lp.Get(int64_t{0}), lp.Get(int64_t{1})};
  lp.Append(pair);
  ExpectMatches(lp, {"x", b, b, b, "x", b});
}

TEST(ListpackTest, MoveAndClone) {
  Listpack a;
  a.Append("x");
  a.Append(7);
  Listpack b = a.Clone();
  Listpack c = std::move(a);
  EXPECT_TRUE(a.Empty());  // NOLINT: moved-from is empty by contract.
  EXPECT_TRUE(a.CheckConsistency());
  ExpectMatches(b, {"x", 7});
  ExpectMatches(c, {"x", 7});
  b.Append("y");
  ExpectMatches(c, {"x", 7});
  c = std::move(b);
  ExpectMatches(c, {"x", 7, "y"});
  Listpack empty;
  Listpack empty_clone = empty.Clone();
  EXPECT_TRUE(empty_clone.Empty());
}

TEST(ListpackTest, CountWidensPast65534AndNarrowsBack) {
  Listpack lp;
  std::vector<Value> batch(1000, Value(5));
  for (int i = 0; i < 65; ++i) lp.Append(batch);
  ASSERT_EQ(lp.Size(), 65000u);
  const size_t narrow_bytes = lp.BytesUsed();
  EXPECT_EQ(narrow_bytes, 6u + 65000 * 2);
  for (int i = 0; i < 534; ++i) lp.Append(i % 100);
  ASSERT_EQ(lp.Size(), 65534u);
  EXPECT_EQ(lp.BytesUsed(), 6u + 65534 * 2);
  lp.Prepend("first");
  ASSERT_EQ(lp.Size(), 65535u);
  EXPECT_EQ(lp.BytesUsed(), 10u + 65534 * 2 + 7);  // The header is now 10 bytes.
  EXPECT_TRUE(lp.CheckConsistency());
  EXPECT_EQ(lp.Get(int64_t{0}).bytes(), "first");
  EXPECT_EQ(lp.Get(-1).integer(), 533 % 100);
  lp.Insert(lp.Seek(30000), Listpack::Where::kBefore, "middle");
  EXPECT_EQ(lp.Size(), 65536u);
  EXPECT_EQ(lp.Get(int64_t{30000}).bytes(), "middle");
  // Redis's blob saturates its count at 65535 ("unknown").
  const std::string blob = lp.ToRedisFormat();
  EXPECT_EQ(static_cast<uint8_t>(blob[4]), 0xFF);
  EXPECT_EQ(static_cast<uint8_t>(blob[5]), 0xFF);
  std::optional<Listpack> parsed = Listpack::FromRedisFormat(blob);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->Size(), 65536u);
  EXPECT_EQ(parsed->BytesUsed(), lp.BytesUsed());
  // Back under: the header narrows again. Left: 65533 ints and "middle".
  lp.Delete(lp.First(), 2);
  EXPECT_EQ(lp.Size(), 65534u);
  EXPECT_TRUE(lp.CheckConsistency());
  EXPECT_EQ(lp.BytesUsed(), 6u + 65533 * 2 + 8);
  lp.DeleteRange(0, 29998);
  EXPECT_EQ(lp.Get(int64_t{0}).bytes(), "middle");
  EXPECT_TRUE(lp.CheckConsistency());
}

// --- Randomized against the model

std::string RandomString(Random& rng) {
  switch (rng.Uniform(10)) {
    case 0:
      return "";
    case 1: {
      static const char* kTricky[] = {"-0",
                                      "0123",
                                      "+1",
                                      " 1",
                                      "00",
                                      "-",
                                      "1.5",
                                      "0x1",
                                      "9223372036854775808",
                                      "-9223372036854775809",
                                      "abc"};
      return kTricky[rng.Uniform(std::size(kTricky))];
    }
    case 2:
      return Int64ToString(static_cast<int64_t>(rng.Next()));  // Parses: stored as int.
    case 3:
      return std::string(60 + rng.Uniform(10), 'm');  // Around the 6-bit limit.
    case 4:
      return std::string(120 + rng.Uniform(12), 'b');  // Around the 1-byte backlen.
    case 5:
      if (rng.Uniform(20) == 0) return std::string(4090 + rng.Uniform(12), 'L');
      [[fallthrough]];
    default: {
      std::string s(rng.Uniform(12), '\0');
      for (char& c : s) c = static_cast<char>(rng.Uniform(256));
      return s;
    }
  }
}

int64_t RandomInt(Random& rng) {
  switch (rng.Uniform(8)) {
    case 0:
      return static_cast<int64_t>(rng.Uniform(128));
    case 1:
      return static_cast<int64_t>(rng.Uniform(8192)) - 4096;
    case 2:
      return static_cast<int64_t>(rng.Uniform(1 << 16)) - (1 << 15);
    case 3:
      return static_cast<int64_t>(rng.Uniform(1 << 24)) - (1 << 23);
    case 4:
      return static_cast<int64_t>(rng.Uniform(uint64_t{1} << 32)) - (int64_t{1} << 31);
    case 5:
      return rng.Uniform(2) ? kMin : kMax;
    default:
      return static_cast<int64_t>(rng.Next());
  }
}

struct Item {
  Value value;
  std::variant<int64_t, std::string> model;
};

// A random item; `storage` keeps a string alive for the Value's view.
Item RandomItem(Random& rng, std::string* storage) {
  if (rng.Uniform(2)) {
    const int64_t v = RandomInt(rng);
    return {Value(v), v};
  }
  *storage = RandomString(rng);
  return {Value(*storage), Normalize(*storage)};
}

TEST(ListpackTest, RandomizedAgainstModel) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random rng(seed);
    Listpack lp;
    Model model;
    const size_t target = 1 + rng.Uniform(150);  // Typical size this run drifts around.
    for (int step = 0; step < 1500; ++step) {
      std::string storage;
      const size_t size = model.size();
      const bool grow = size < target;
      switch (rng.Uniform(grow ? 7 : 11)) {
        case 0: {
          Item item = RandomItem(rng, &storage);
          lp.Append(item.value);
          model.push_back(item.model);
          break;
        }
        case 1: {
          Item item = RandomItem(rng, &storage);
          lp.Prepend(item.value);
          model.insert(model.begin(), item.model);
          break;
        }
        case 2: {
          Item item = RandomItem(rng, &storage);
          const size_t index = rng.Uniform(size + 1);
          lp.InsertAt(index, item.value);
          model.insert(model.begin() + static_cast<ptrdiff_t>(index), item.model);
          break;
        }
        case 3: {
          if (size == 0) break;
          Item item = RandomItem(rng, &storage);
          const size_t index = rng.Uniform(size);
          const bool after = rng.Uniform(2);
          Listpack::Position p =
              lp.Insert(lp.Seek(static_cast<int64_t>(index)),
                        after ? Listpack::Where::kAfter : Listpack::Where::kBefore, item.value);
          const size_t at = index + (after ? 1 : 0);
          model.insert(model.begin() + static_cast<ptrdiff_t>(at), item.model);
          ASSERT_EQ(p, lp.Seek(static_cast<int64_t>(at)));
          break;
        }
        case 4: {
          // Batch append, e.g. a hash's field and value.
          std::string s1, s2;
          Item a = RandomItem(rng, &s1);
          Item b = RandomItem(rng, &s2);
          const Value pair[] = {a.value, b.value};
          lp.Append(pair);
          model.push_back(a.model);
          model.push_back(b.model);
          break;
        }
        case 5:
        case 6: {
          if (size == 0) break;
          Item item = RandomItem(rng, &storage);
          const int64_t index = static_cast<int64_t>(rng.Uniform(size));
          const int64_t signed_index = rng.Uniform(2) ? index : index - static_cast<int64_t>(size);
          Listpack::Position p = lp.Replace(lp.Seek(signed_index), item.value);
          model[static_cast<size_t>(index)] = item.model;
          ASSERT_EQ(p, lp.Seek(index));
          break;
        }
        case 7:
        case 8: {
          if (size == 0) break;
          const size_t index = rng.Uniform(size);
          const size_t count = 1 + rng.Uniform(3);
          Listpack::Position next = lp.Delete(lp.Seek(static_cast<int64_t>(index)), count);
          const size_t removed = std::min(count, size - index);
          model.erase(model.begin() + static_cast<ptrdiff_t>(index),
                      model.begin() + static_cast<ptrdiff_t>(index + removed));
          if (index < model.size()) {
            ASSERT_EQ(next, lp.Seek(static_cast<int64_t>(index)));
          } else {
            ASSERT_FALSE(next);
          }
          break;
        }
        case 9: {
          const int64_t index =
              static_cast<int64_t>(rng.Uniform(2 * size + 2)) - static_cast<int64_t>(size) - 1;
          const size_t count = rng.Uniform(size / 2 + 2);
          lp.DeleteRange(index, count);
          int64_t start = index < 0 ? index + static_cast<int64_t>(size) : index;
          if (start >= 0 && start < static_cast<int64_t>(size)) {
            const size_t removed = std::min(count, size - static_cast<size_t>(start));
            model.erase(model.begin() + start,
                        model.begin() + start + static_cast<ptrdiff_t>(removed));
          }
          break;
        }
        case 10:
          if (rng.Uniform(20) == 0) {
            lp.Clear();
            model.clear();
          }
          break;
      }
      // Cheap checks every step, full checks now and then.
      ASSERT_EQ(lp.Size(), model.size());
      ASSERT_TRUE(lp.CheckConsistency());
      if (!model.empty()) {
        const size_t i = rng.Uniform(model.size());
        ASSERT_TRUE(Same(lp.Get(static_cast<int64_t>(i)), model[i]));
        ASSERT_TRUE(
            Same(lp.Get(static_cast<int64_t>(i) - static_cast<int64_t>(model.size())), model[i]));
        // Find agrees with the model's first match of that item's string form.
        const std::string needle = lp.Get(static_cast<int64_t>(i)).ToString();
        size_t first = 0;
        while (!ModelEquals(model[first], needle)) ++first;
        ASSERT_EQ(lp.Find(needle), lp.Seek(static_cast<int64_t>(first)));
      }
      if (step % 100 == 0) ExpectMatches(lp, model);
    }
    ExpectMatches(lp, model);
    std::optional<Listpack> copy = Listpack::FromRedisFormat(lp.ToRedisFormat());
    ASSERT_TRUE(copy);
    ExpectMatches(*copy, model);
  }
}

// --- Front reserve (Prepend / DeleteFirst)

TEST(ListpackTest, PrependIntoTheReserveMovesNoEntry) {
  Listpack lp;
  lp.Append("tail-element");
  // Small: no reserve, every prepend moves the entries.
  while (lp.BytesUsed() < 600) lp.Prepend("0123456789abcdef");
  ASSERT_GT(lp.ReserveBytes(), 0u) << "a listpack of 600 bytes pushed at its head keeps a reserve";
  // While the reserve lasts, the entries stay where they are: the last
  // element's bytes keep their address.
  const char* tail = lp.Get(-1).bytes().data();
  const size_t reserve = lp.ReserveBytes();
  size_t in_place = 0;
  while (lp.ReserveBytes() >= 4 + 18) {  // 18: the entry's bytes.
    lp.Prepend("0123456789abcdef");
    ASSERT_EQ(lp.Get(-1).bytes().data(), tail);
    ++in_place;
  }
  EXPECT_EQ(in_place, (reserve - 4) / 18);
  EXPECT_GT(in_place, 5u);
  // Then one copy makes a new reserve of about half the entries.
  lp.Prepend("0123456789abcdef");
  EXPECT_GE(lp.ReserveBytes(), lp.BytesUsed() / 2 - 32);
  EXPECT_LE(lp.ReserveBytes(), lp.BytesUsed() / 2 + 4);
  EXPECT_TRUE(lp.CheckConsistency());
  EXPECT_EQ(lp.Get(-1).bytes(), "tail-element");
  EXPECT_EQ(lp.Get(int64_t{0}).bytes(), "0123456789abcdef");
}

TEST(ListpackTest, ReserveIsInvisibleToReadersAndToRedisFormat) {
  Listpack pushed, appended;
  std::vector<std::string> items;
  for (int i = 0; i < 500; ++i) items.push_back(i % 3 ? "item-" + std::to_string(i) : std::to_string(i));
  for (const std::string& item : items) pushed.Prepend(item);
  for (auto it = items.rbegin(); it != items.rend(); ++it) appended.Append(*it);
  ASSERT_GT(pushed.ReserveBytes(), 0u);
  EXPECT_EQ(appended.ReserveBytes(), 0u);
  EXPECT_EQ(pushed.BytesUsed(), appended.BytesUsed());
  EXPECT_EQ(pushed.ToRedisFormat(), appended.ToRedisFormat());
  Listpack copy = pushed.Clone();
  EXPECT_EQ(copy.ReserveBytes(), 0u);
  EXPECT_TRUE(copy.CheckConsistency());
  EXPECT_EQ(copy.ToRedisFormat(), appended.ToRedisFormat());
  // Other modifications keep the reserve and work around it.
  const size_t reserve = pushed.ReserveBytes();
  pushed.Append("appended");
  pushed.Insert(pushed.Seek(100), Listpack::Where::kAfter, "inserted");
  pushed.Replace(pushed.Seek(3), "replaced, and longer than before");
  pushed.Delete(pushed.Seek(200), 5);
  EXPECT_EQ(pushed.ReserveBytes(), reserve);
  EXPECT_TRUE(pushed.CheckConsistency());
  EXPECT_EQ(pushed.Get(-1).bytes(), "appended");
  EXPECT_EQ(pushed.Get(int64_t{101}).bytes(), "inserted");
  pushed.ShrinkToFit();
  EXPECT_EQ(pushed.ReserveBytes(), 0u);
  EXPECT_TRUE(pushed.CheckConsistency());
  EXPECT_EQ(pushed.Get(int64_t{3}).bytes(), "replaced, and longer than before");
  // Moves carry the reserve; the moved-from listpack owns nothing.
  Listpack moved;
  for (int i = 0; i < 200; ++i) moved.Prepend("abcdefgh");
  const size_t before = moved.ReserveBytes();
  Listpack target(std::move(moved));
  EXPECT_EQ(target.ReserveBytes(), before);
  EXPECT_TRUE(moved.Empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified.
  Listpack assigned;
  assigned.Append("to be freed");
  assigned = std::move(target);
  EXPECT_EQ(assigned.Size(), 200u);
  EXPECT_TRUE(assigned.CheckConsistency());
}

TEST(ListpackTest, DeleteFirstFreesIntoTheReserveAndGivesMemoryBack) {
  Listpack lp;
  for (int i = 0; i < 400; ++i) lp.Append("element:" + std::to_string(1000 + i));
  ASSERT_EQ(lp.ReserveBytes(), 0u);
  const char* tail = lp.Get(-1).bytes().data();
  // The first pops free bytes in front without moving the rest.
  for (int i = 0; i < 100; ++i) {
    lp.DeleteFirst();
    ASSERT_EQ(lp.Get(-1).bytes().data(), tail);
    ASSERT_EQ(lp.Get(int64_t{0}).bytes(), "element:" + std::to_string(1000 + i + 1));
  }
  EXPECT_GT(lp.ReserveBytes(), 100u * 13);
  // Popped below half, the block shrinks; the reserve never holds more than
  // the entries left, or 512 bytes.
  for (int i = 100; i < 399; ++i) {
    lp.DeleteFirst();
    const size_t entries = lp.BytesUsed() - 6;
    ASSERT_LE(lp.ReserveBytes(), 4 + std::max<size_t>(entries, 512)) << i;
    ASSERT_TRUE(lp.CheckConsistency());
  }
  EXPECT_EQ(lp.Size(), 1u);
  EXPECT_EQ(lp.Get(int64_t{0}).bytes(), "element:1399");
  lp.DeleteFirst(5);  // More than there are.
  EXPECT_TRUE(lp.Empty());
  EXPECT_EQ(lp.ReserveBytes(), 0u);
  lp.DeleteFirst();  // Nothing to delete.
  EXPECT_TRUE(lp.Empty());
}

TEST(ListpackTest, PrependOfItsOwnElementWithAReserve) {
  Listpack lp;
  for (int i = 0; i < 100; ++i) lp.Prepend("value-number-" + std::to_string(i));
  ASSERT_GT(lp.ReserveBytes(), 0u);
  // The value views into the listpack, in the fast path and in the copy.
  for (int i = 0; i < 300; ++i) {
    lp.Prepend(lp.Get(-1));
    ASSERT_EQ(lp.Get(int64_t{0}).bytes(), "value-number-0");
    ASSERT_TRUE(lp.CheckConsistency());
  }
}

TEST(ListpackTest, ReserveAcrossTheWideHeader) {
  // Prepends that cross 65535 entries widen the header; pops narrow it.
  Listpack lp;
  std::vector<Value> batch(1000, Value(7));
  for (int i = 0; i < 65; ++i) lp.Append(batch);
  for (int i = 0; i < 530; ++i) lp.Prepend(i % 100);
  ASSERT_EQ(lp.Size(), 65530u);
  ASSERT_GT(lp.ReserveBytes(), 0u);
  for (int i = 0; i < 10; ++i) {
    lp.Prepend("x" + std::to_string(i));
    ASSERT_TRUE(lp.CheckConsistency());
  }
  EXPECT_EQ(lp.Size(), 65540u);
  EXPECT_EQ(lp.Get(int64_t{0}).bytes(), "x9");
  EXPECT_EQ(lp.Get(-1).integer(), 7);
  for (int i = 0; i < 10; ++i) {
    lp.DeleteFirst();
    ASSERT_TRUE(lp.CheckConsistency());
  }
  EXPECT_EQ(lp.Size(), 65530u);
  EXPECT_EQ(lp.Get(int64_t{0}).integer(), 529 % 100);
}

TEST(ListpackTest, HeadOperationsRandomizedAgainstModel) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random rng(seed);
    Listpack lp;
    Model model;
    const size_t target = 50 + rng.Uniform(1500);
    for (int step = 0; step < 6000; ++step) {
      std::string storage;
      const size_t size = model.size();
      const bool grow = size < target;
      const uint64_t op = rng.Uniform(20);
      if (op < (grow ? 12u : 6u)) {
        Item item = RandomItem(rng, &storage);
        lp.Prepend(item.value);
        model.insert(model.begin(), item.model);
      } else if (op < 14) {
        const size_t count = 1 + rng.Uniform(3);
        lp.DeleteFirst(count);
        model.erase(model.begin(), model.begin() + static_cast<ptrdiff_t>(std::min(count, size)));
      } else if (op < 16) {
        Item item = RandomItem(rng, &storage);
        lp.Append(item.value);
        model.push_back(item.model);
      } else if (op < 17) {
        if (size == 0) continue;
        lp.Delete(lp.Last());
        model.pop_back();
      } else if (op < 18) {
        Item item = RandomItem(rng, &storage);
        const size_t index = rng.Uniform(size + 1);
        lp.InsertAt(index, item.value);
        model.insert(model.begin() + static_cast<ptrdiff_t>(index), item.model);
      } else if (op < 19) {
        if (size == 0) continue;
        Item item = RandomItem(rng, &storage);
        const size_t index = rng.Uniform(size);
        lp.ReplaceAt(static_cast<int64_t>(index), item.value);
        model[index] = item.model;
      } else if (rng.Uniform(10) == 0) {
        lp.ShrinkToFit();
      }
      ASSERT_EQ(lp.Size(), model.size());
      ASSERT_TRUE(lp.CheckConsistency());
      if (!model.empty()) {
        ASSERT_TRUE(Same(lp.Get(int64_t{0}), model.front()));
        ASSERT_TRUE(Same(lp.Get(-1), model.back()));
      }
      if (step % 500 == 0) ExpectMatches(lp, model);
    }
    ExpectMatches(lp, model);
    ASSERT_EQ(lp.ToRedisFormat(), lp.Clone().ToRedisFormat());
  }
}

}  // namespace
}  // namespace lodestone
