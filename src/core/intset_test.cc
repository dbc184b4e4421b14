// Tests for IntSet: widening, Redis's blob layout, memory per element, and
// randomized runs against std::set.
#include "core/intset.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/random.h"

namespace lodestone {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

void ExpectMatches(const IntSet& set, const std::set<int64_t>& model) {
  ASSERT_EQ(set.Size(), model.size());
  ASSERT_EQ(set.BytesUsed(), IntSet::kHeaderSize + model.size() * set.Width());
  size_t i = 0;
  for (int64_t v : model) {
    ASSERT_EQ(set.Get(i), v) << i;
    ASSERT_EQ(set.Find(v), i);
    ++i;
  }
  if (!model.empty()) {
    EXPECT_EQ(set.Min(), *model.begin());
    EXPECT_EQ(set.Max(), *model.rbegin());
  }
}

size_t WidthNeeded(const std::set<int64_t>& values) {
  size_t width = 2;
  for (int64_t v : values) {
    if (v < INT32_MIN || v > INT32_MAX) return 8;
    if (v < INT16_MIN || v > INT16_MAX) width = 4;
  }
  return width;
}

TEST(IntSetTest, EmptyOwnsNothing) {
  IntSet set;
  EXPECT_EQ(set.Size(), 0u);
  EXPECT_TRUE(set.Empty());
  EXPECT_EQ(set.Width(), 2u);
  EXPECT_EQ(set.BytesUsed(), 8u);
  EXPECT_FALSE(set.Contains(0));
  EXPECT_FALSE(set.Remove(0));
}

TEST(IntSetTest, AddRemoveContains) {
  IntSet set;
  EXPECT_TRUE(set.Add(5));
  EXPECT_TRUE(set.Add(1));
  EXPECT_TRUE(set.Add(3));
  EXPECT_FALSE(set.Add(3));
  ExpectMatches(set, {1, 3, 5});
  EXPECT_TRUE(set.Contains(3));
  EXPECT_FALSE(set.Contains(4));
  EXPECT_FALSE(set.Contains(100000));  // Wider than the set: not even searched.
  EXPECT_TRUE(set.Remove(3));
  EXPECT_FALSE(set.Remove(3));
  ExpectMatches(set, {1, 5});
  set.RemoveAt(0);
  ExpectMatches(set, {5});
  set.RemoveAt(0);
  EXPECT_TRUE(set.Empty());
  EXPECT_TRUE(set.Add(-1));
  ExpectMatches(set, {-1});
}

TEST(IntSetTest, WidensOnceAndNeverNarrows) {
  IntSet set;
  set.Add(32767);
  set.Add(-32768);
  EXPECT_EQ(set.Width(), 2u);
  EXPECT_EQ(set.BytesUsed(), 8u + 2 * 2);
  set.Add(32768);  // Widens to 32 bits, goes last.
  EXPECT_EQ(set.Width(), 4u);
  ExpectMatches(set, {-32768, 32767, 32768});
  set.Add(int64_t{INT32_MIN} - 1);  // Widens to 64 bits, goes first.
  EXPECT_EQ(set.Width(), 8u);
  ExpectMatches(set, {int64_t{INT32_MIN} - 1, -32768, 32767, 32768});
  set.Add(kMin);
  set.Add(kMax);
  set.Add(0);
  ExpectMatches(set, {kMin, int64_t{INT32_MIN} - 1, -32768, 0, 32767, 32768, kMax});
  EXPECT_TRUE(set.Remove(kMin));
  EXPECT_TRUE(set.Remove(kMax));
  EXPECT_TRUE(set.Remove(int64_t{INT32_MIN} - 1));
  EXPECT_EQ(set.Width(), 8u);  // As Redis: removal never narrows.
  ExpectMatches(set, {-32768, 0, 32767, 32768});
  EXPECT_FALSE(set.Contains(kMax));
}

TEST(IntSetTest, WidthBoundaries) {
  for (int64_t v : {int64_t{INT16_MAX}, int64_t{INT16_MIN}, int64_t{INT16_MAX} + 1,
                    int64_t{INT16_MIN} - 1, int64_t{INT32_MAX}, int64_t{INT32_MIN},
                    int64_t{INT32_MAX} + 1, int64_t{INT32_MIN} - 1, kMin, kMax}) {
    IntSet set;
    set.Add(1);
    set.Add(v);
    EXPECT_EQ(set.Width(), WidthNeeded({1, v})) << v;
    EXPECT_TRUE(set.Contains(v));
    EXPECT_TRUE(set.Contains(1));
    EXPECT_EQ(set.Min(), std::min<int64_t>(1, v));
    EXPECT_EQ(set.Max(), std::max<int64_t>(1, v));
  }
}

TEST(IntSetTest, MemoryPerElement) {
  // 8 bytes of header, then the width per element: 100 small values take
  // 208 bytes, 100 values needing 64 bits take 808.
  IntSet small;
  for (int i = 0; i < 100; ++i) small.Add(i * 3);
  EXPECT_EQ(small.BytesUsed(), 8u + 100 * 2);
  IntSet large;
  for (int64_t i = 0; i < 100; ++i) large.Add(i << 40);
  EXPECT_EQ(large.BytesUsed(), 8u + 100 * 8);
}

TEST(IntSetTest, RedisFormat) {
  // redis-server's blob for SADD s 1 -2 300 (intset, 16-bit).
  IntSet set;
  set.Add(300);
  set.Add(1);
  set.Add(-2);
  const std::string expected("\x02\x00\x00\x00\x03\x00\x00\x00\xfe\xff\x01\x00\x2c\x01", 14);
  EXPECT_EQ(set.RedisFormat(), expected);
  std::optional<IntSet> parsed = IntSet::FromRedisFormat(expected);
  ASSERT_TRUE(parsed);
  ExpectMatches(*parsed, {-2, 1, 300});
  EXPECT_TRUE(parsed->Add(70000));
  ExpectMatches(*parsed, {-2, 1, 300, 70000});

  // Rejected: empty, bad width, wrong size, unsorted, duplicate.
  EXPECT_FALSE(IntSet::FromRedisFormat(std::string("\x02\x00\x00\x00\x00\x00\x00\x00", 8)));
  EXPECT_FALSE(
      IntSet::FromRedisFormat(std::string("\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00", 11)));
  EXPECT_FALSE(IntSet::FromRedisFormat(expected.substr(0, 13)));
  EXPECT_FALSE(IntSet::FromRedisFormat(expected + std::string("\x00\x00", 2)));
  EXPECT_FALSE(
      IntSet::FromRedisFormat(std::string("\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x01\x00", 12)));
  EXPECT_FALSE(
      IntSet::FromRedisFormat(std::string("\x02\x00\x00\x00\x02\x00\x00\x00\x05\x00\x05\x00", 12)));
  EXPECT_FALSE(IntSet::FromRedisFormat(std::string("\x02\x00\x00", 3)));
  // A count whose size overflows 32 bits.
  EXPECT_FALSE(IntSet::FromRedisFormat(std::string("\x08\x00\x00\x00\x00\x00\x00\x20\x00", 9)));
}

TEST(IntSetTest, MoveAndClone) {
  IntSet a;
  a.Add(1);
  a.Add(2);
  IntSet b = a.Clone();
  IntSet c = std::move(a);
  EXPECT_TRUE(a.Empty());  // NOLINT: moved-from is empty by contract.
  b.Add(3);
  ExpectMatches(b, {1, 2, 3});
  ExpectMatches(c, {1, 2});
  c = std::move(b);
  ExpectMatches(c, {1, 2, 3});
}

TEST(IntSetTest, RandomIsUniform) {
  IntSet set;
  for (int i = 0; i < 10; ++i) set.Add(i * 1000);
  Random rng(3);
  std::map<int64_t, int> hits;
  for (int i = 0; i < 100000; ++i) ++hits[set.Random(rng)];
  ASSERT_EQ(hits.size(), 10u);
  for (const auto& [value, count] : hits) {
    EXPECT_TRUE(set.Contains(value));
    EXPECT_NEAR(count, 10000, 600) << value;
  }
}

int64_t RandomValue(Random& rng, int range) {
  switch (range) {
    case 0:
      return static_cast<int64_t>(rng.Uniform(200)) - 100;  // Dense: many duplicates.
    case 1:
      return static_cast<int64_t>(rng.Uniform(1 << 16)) - (1 << 15);
    case 2:
      return static_cast<int64_t>(rng.Uniform(uint64_t{1} << 32)) - (int64_t{1} << 31);
    default: {
      const uint64_t pick = rng.Uniform(10);
      if (pick == 0) return kMin;
      if (pick == 1) return kMax;
      return static_cast<int64_t>(rng.Next());
    }
  }
}

TEST(IntSetTest, RandomizedAgainstModel) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Random rng(seed);
    IntSet set;
    std::set<int64_t> model;
    std::set<int64_t> ever;  // For the width: it never narrows.
    // Each run starts narrow and may widen partway through.
    int range = 0;
    for (int step = 0; step < 3000; ++step) {
      if (rng.Uniform(500) == 0) range = static_cast<int>(rng.Uniform(4));
      const uint64_t op = rng.Uniform(10);
      if (op < 5) {
        const int64_t v = RandomValue(rng, range);
        ASSERT_EQ(set.Add(v), model.insert(v).second);
        ever.insert(v);
      } else if (op < 8) {
        // Remove an element present half the time.
        int64_t v = RandomValue(rng, range);
        if (!model.empty() && rng.Uniform(2)) v = set.Random(rng);
        ASSERT_EQ(set.Remove(v), model.erase(v) == 1);
      } else if (op < 9) {
        if (!model.empty()) {
          const size_t index = rng.Uniform(model.size());
          const int64_t v = set.Get(index);
          set.RemoveAt(index);
          ASSERT_EQ(model.erase(v), 1u);
        }
      } else {
        const int64_t v = RandomValue(rng, range);
        ASSERT_EQ(set.Contains(v), model.count(v) == 1);
      }
      if (model.empty()) ever.clear();  // An emptied set starts over at 16 bits.
      ASSERT_EQ(set.Size(), model.size());
      ASSERT_EQ(set.Width(), WidthNeeded(ever));
      if (step % 250 == 0) ExpectMatches(set, model);
    }
    ExpectMatches(set, model);
    if (!model.empty()) {
      std::optional<IntSet> copy = IntSet::FromRedisFormat(set.RedisFormat());
      ASSERT_TRUE(copy);
      ExpectMatches(*copy, model);
    }
  }
}

}  // namespace
}  // namespace lodestone
