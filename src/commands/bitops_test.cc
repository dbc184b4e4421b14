// Checks the word-at-a-time bit algorithms against bit-by-bit models on
// random strings, at every alignment and length around the word size.
#include "commands/bitops.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace lodestone::bitops {
namespace {

int BitAt(std::string_view s, uint64_t n) {
  return n / 8 < s.size() ? (static_cast<unsigned char>(s[n / 8]) >> (7 - n % 8)) & 1 : 0;
}

std::string RandomBytes(std::mt19937_64& rng, size_t len, int density) {
  std::string s(len, '\0');
  for (char& c : s) {
    // density 0: sparse, 1: random, 2: dense.
    unsigned v = static_cast<unsigned>(rng());
    if (density == 0) v = (v % 8 == 0) ? (1u << (v >> 8) % 8) : 0;
    if (density == 2) v = (v % 8 == 0) ? ~(1u << (v >> 8) % 8) : 0xff;
    c = static_cast<char>(v);
  }
  return s;
}

TEST(BitopsTest, PopcountMatchesBitByBit) {
  std::mt19937_64 rng(1);
  std::string s = RandomBytes(rng, 300, 1);
  for (size_t begin = 0; begin < 40; begin++) {
    for (size_t len = 0; begin + len <= s.size(); len += 7) {
      uint64_t expected = 0;
      for (uint64_t n = begin * 8; n < (begin + len) * 8; n++) expected += BitAt(s, n);
      ASSERT_EQ(Popcount(std::string_view(s).substr(begin, len)), expected);
    }
  }
}

TEST(BitopsTest, ResolveRangeFollowsRedis) {
  BitRange r;
  ASSERT_TRUE(ResolveRange(0, -1, false, 5, &r));
  EXPECT_EQ(r.first_bit, 0u);
  EXPECT_EQ(r.last_bit, 39u);
  ASSERT_TRUE(ResolveRange(-2, 100, false, 5, &r));
  EXPECT_EQ(r.first_bit, 24u);
  EXPECT_EQ(r.last_bit, 39u);
  ASSERT_TRUE(ResolveRange(5, -3, true, 2, &r));
  EXPECT_EQ(r.first_bit, 5u);
  EXPECT_EQ(r.last_bit, 13u);
  EXPECT_FALSE(ResolveRange(0, -1, false, 0, &r));
  EXPECT_FALSE(ResolveRange(3, 2, false, 5, &r));
  EXPECT_FALSE(ResolveRange(10, 20, false, 5, &r));
}

TEST(BitopsTest, CountAndFindMatchBitByBit) {
  std::mt19937_64 rng(2);
  for (int density = 0; density < 3; density++) {
    std::string s = RandomBytes(rng, 70, density);
    const uint64_t nbits = s.size() * 8;
    for (uint64_t first = 0; first < nbits; first += 3) {
      for (uint64_t last = first; last < nbits; last += 5) {
        BitRange r{first, last};
        uint64_t count = 0;
        int64_t pos[2] = {-1, -1};
        for (uint64_t n = first; n <= last; n++) {
          int b = BitAt(s, n);
          count += b;
          if (pos[b] < 0) pos[b] = static_cast<int64_t>(n);
        }
        ASSERT_EQ(CountBits(s, r), count) << first << " " << last;
        ASSERT_EQ(FindBit(s, 0, r), pos[0]) << first << " " << last;
        ASSERT_EQ(FindBit(s, 1, r), pos[1]) << first << " " << last;
      }
    }
  }
}

TEST(BitopsTest, FindBitInUniformStrings) {
  std::string zeros(100, '\0'), ones(100, '\xff');
  BitRange all{0, 799};
  EXPECT_EQ(FindBit(zeros, 1, all), -1);
  EXPECT_EQ(FindBit(zeros, 0, all), 0);
  EXPECT_EQ(FindBit(ones, 0, all), -1);
  EXPECT_EQ(FindBit(ones, 1, BitRange{13, 799}), 13);
  ones[77] = '\xfe';
  EXPECT_EQ(FindBit(ones, 0, all), 77 * 8 + 7);
}

unsigned char ModelByte(BitOpKind kind, const std::vector<std::string>& srcs, size_t i) {
  auto at = [&](size_t k) -> unsigned char {
    return i < srcs[k].size() ? static_cast<unsigned char>(srcs[k][i]) : 0;
  };
  unsigned char out = 0;
  for (int bit = 0; bit < 8; bit++) {
    int ones = 0, rest = 0;
    for (size_t k = 0; k < srcs.size(); k++) {
      int b = (at(k) >> bit) & 1;
      ones += b;
      if (k > 0) rest |= b;
    }
    int x = (at(0) >> bit) & 1, all = ones == static_cast<int>(srcs.size());
    int r = 0;
    switch (kind) {
      case BitOpKind::kAnd: r = all; break;
      case BitOpKind::kOr: r = ones > 0; break;
      case BitOpKind::kXor: r = ones & 1; break;
      case BitOpKind::kNot: r = !x; break;
      case BitOpKind::kDiff: r = x && !rest; break;
      case BitOpKind::kDiff1: r = !x && rest; break;
      case BitOpKind::kAndOr: r = x && rest; break;
      case BitOpKind::kOne: r = ones == 1; break;
    }
    out |= static_cast<unsigned char>(r << bit);
  }
  return out;
}

TEST(BitopsTest, BitOpMatchesModel) {
  std::mt19937_64 rng(3);
  const BitOpKind kinds[] = {BitOpKind::kAnd,  BitOpKind::kOr,    BitOpKind::kXor,
                             BitOpKind::kNot,  BitOpKind::kDiff,  BitOpKind::kDiff1,
                             BitOpKind::kAndOr, BitOpKind::kOne};
  for (BitOpKind kind : kinds) {
    for (int round = 0; round < 60; round++) {
      size_t nsrc = kind == BitOpKind::kNot ? 1 : 2 + rng() % 4;
      std::vector<std::string> srcs;
      size_t max_len = 0;
      for (size_t k = 0; k < nsrc; k++) {
        // Some lengths cross the 4096-byte chunk boundary.
        size_t len = round % 10 == 0 ? 4000 + rng() % 300 : rng() % 70;
        srcs.push_back(RandomBytes(rng, len, static_cast<int>(rng() % 3)));
        max_len = std::max(max_len, len);
      }
      if (max_len == 0) continue;
      std::vector<std::string_view> views(srcs.begin(), srcs.end());
      std::string out(max_len, '?');
      BitOp(kind, views, out);
      for (size_t i = 0; i < max_len; i++) {
        ASSERT_EQ(static_cast<unsigned char>(out[i]), ModelByte(kind, srcs, i))
            << static_cast<int>(kind) << " byte " << i;
      }
    }
  }
}

TEST(BitopsTest, BitOpWithMissingSources) {
  // A missing key is a view with no data at all.
  std::string x = "\xf0\x0f";
  std::vector<std::string_view> views = {x, std::string_view(), std::string_view()};
  std::string out(2, '?');
  BitOp(BitOpKind::kDiff, views, out);
  EXPECT_EQ(out, x);
  BitOp(BitOpKind::kAnd, views, out);
  EXPECT_EQ(out, std::string(2, '\0'));
  BitOp(BitOpKind::kOne, views, out);
  EXPECT_EQ(out, x);
  views = {std::string_view(), x};
  BitOp(BitOpKind::kDiff1, views, out);
  EXPECT_EQ(out, x);
  BitOp(BitOpKind::kAndOr, views, out);
  EXPECT_EQ(out, std::string(2, '\0'));
}

TEST(BitopsTest, FieldsRoundTripAtEveryOffset) {
  std::mt19937_64 rng(4);
  for (int bits = 1; bits <= 64; bits++) {
    for (uint64_t offset = 0; offset < 20; offset++) {
      std::string s = RandomBytes(rng, 12, 1), before = s;
      uint64_t v = rng();
      Field f{offset, bits, true};
      SetField(s, f, v);
      uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
      uint64_t got = static_cast<uint64_t>(GetField(s, f)) & mask;
      ASSERT_EQ(got, v & mask);
      // Only the field's bits changed.
      for (uint64_t n = 0; n < 96; n++) {
        if (n < offset || n >= offset + bits) {
          ASSERT_EQ(BitAt(s, n), BitAt(before, n));
        }
      }
      if (bits < 64) {
        Field u{offset, bits, false};
        ASSERT_EQ(static_cast<uint64_t>(GetField(s, u)), v & mask);
      }
    }
  }
}

TEST(BitopsTest, GetFieldPastTheEndReadsZeros) {
  std::string s = "\xff";
  EXPECT_EQ(GetField(s, Field{4, 8, false}), 0xf0);
  EXPECT_EQ(GetField(s, Field{0, 8, true}), -1);
  EXPECT_EQ(GetField(s, Field{100, 64, true}), 0);
  EXPECT_EQ(GetField("", Field{0, 63, false}), 0);
}

TEST(BitopsTest, OverflowPolicies) {
  std::string s(8, '\0');
  Field u8{0, 8, false}, i8{0, 8, true};
  FieldWrite w = SetFieldChecked(s, u8, 300, Overflow::kWrap);
  EXPECT_EQ(w.reply, 0);
  EXPECT_EQ(GetField(s, u8), 300 % 256);
  EXPECT_EQ(IncrField(s, u8, 250, Overflow::kSat).reply, 255);
  EXPECT_TRUE(IncrField(s, u8, 1, Overflow::kFail).failed);
  EXPECT_EQ(IncrField(s, u8, 1, Overflow::kWrap).reply, 0);
  EXPECT_EQ(IncrField(s, u8, -1, Overflow::kSat).reply, 0);
  EXPECT_EQ(IncrField(s, i8, 127, Overflow::kWrap).reply, 127);
  EXPECT_EQ(IncrField(s, i8, 1, Overflow::kWrap).reply, -128);
  EXPECT_EQ(IncrField(s, i8, -1, Overflow::kSat).reply, -128);
  EXPECT_TRUE(IncrField(s, i8, -1, Overflow::kFail).failed);
  EXPECT_EQ(GetField(s, i8), -128);
  Field i64{0, 64, true};
  SetFieldChecked(s, i64, INT64_MAX, Overflow::kWrap);
  EXPECT_EQ(IncrField(s, i64, 1, Overflow::kWrap).reply, INT64_MIN);
  EXPECT_EQ(IncrField(s, i64, -1, Overflow::kSat).reply, INT64_MIN);
  EXPECT_TRUE(IncrField(s, i64, INT64_MIN, Overflow::kFail).failed);
  EXPECT_EQ(IncrField(s, i64, INT64_MAX, Overflow::kSat).reply, -1);
}

}  // namespace
}  // namespace lodestone::bitops
