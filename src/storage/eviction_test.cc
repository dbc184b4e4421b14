// Tests for the LFU counter arithmetic and the eviction pool.
#include "storage/eviction.h"

#include <gtest/gtest.h>

#include <string>

namespace lodestone {
namespace {

TEST(LfuTest, MinutesWrapAt16Bits) {
  EXPECT_EQ(LfuMinutes(0), 0u);
  EXPECT_EQ(LfuMinutes(59999), 0u);
  EXPECT_EQ(LfuMinutes(60000), 1u);
  EXPECT_EQ(LfuMinutes(int64_t(65536) * 60000 + 120000), 2u);
  EXPECT_EQ(LfuElapsedMinutes(10, 15), 5u);
  EXPECT_EQ(LfuElapsedMinutes(0xFFF0, 5), 0xFFFFu - 0xFFF0u + 5u);
}

TEST(LfuTest, DecayOnePerPeriod) {
  uint32_t lfu = 100u << 8 | 20u;
  EXPECT_EQ(LfuDecayedCount(lfu, 100, 1), 20u);
  EXPECT_EQ(LfuDecayedCount(lfu, 107, 1), 13u);
  EXPECT_EQ(LfuDecayedCount(lfu, 107, 2), 17u);  // 3 whole periods
  EXPECT_EQ(LfuDecayedCount(lfu, 200, 1), 0u);   // never below zero
  EXPECT_EQ(LfuDecayedCount(lfu, 200, 0), 20u);  // decay off
}

TEST(LfuTest, IncrementIsLogarithmic) {
  // At or below the initial value the increment is certain.
  EXPECT_EQ(LfuIncrement(0, 10, 0.999), 1u);
  EXPECT_EQ(LfuIncrement(kLfuInitCounter, 10, 0.999), kLfuInitCounter + 1);
  // Above it the probability is 1 / ((c - 5) * factor + 1).
  EXPECT_EQ(LfuIncrement(6, 10, 0.08), 7u);   // p = 1/11 ~ 0.0909
  EXPECT_EQ(LfuIncrement(6, 10, 0.10), 6u);
  EXPECT_EQ(LfuIncrement(255, 0, 0.0), 255u);  // saturates
  EXPECT_EQ(LfuIncrement(100, 0, 0.5), 101u);  // factor 0: always
}

TEST(LfuTest, TouchStampsNowAndCounts) {
  int64_t now_ms = int64_t(1000) * 60000;
  uint32_t lfu = LfuNew(now_ms);
  EXPECT_EQ(lfu & 0xFF, kLfuInitCounter);
  EXPECT_EQ(lfu >> 8, 1000u);
  uint32_t touched = LfuTouch(lfu, now_ms + 60000 * 3, 10, 1, 0.0);
  EXPECT_EQ(touched >> 8, 1003u);
  EXPECT_EQ(touched & 0xFF, kLfuInitCounter - 3 + 1);  // decayed by 3, then +1
  // A million accesses with factor 10 stay well below saturation.
  uint32_t v = LfuNew(now_ms);
  uint64_t seed = 12345;
  for (int i = 0; i < 100000; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    v = LfuTouch(v, now_ms, 10, 1, double(seed >> 11) / double(1ULL << 53));
  }
  EXPECT_GT(v & 0xFF, 50u);
  EXPECT_LT(v & 0xFF, 255u);
}

TEST(EvictionPoolTest, KeepsBestSortedAndPopsHighest) {
  EvictionPool pool;
  EXPECT_TRUE(pool.empty());
  for (int i = 0; i < 40; i++) pool.Offer(uint64_t((i * 7) % 40), 0, 0, "k" + std::to_string(i));
  EXPECT_EQ(pool.size(), EvictionPool::kPoolSize);
  for (int i = 1; i < pool.size(); i++) EXPECT_LE(pool.at(i - 1).score, pool.at(i).score);
  EXPECT_EQ(pool.at(0).score, 40u - EvictionPool::kPoolSize);  // the 16 best of 0..39
  EvictionPool::Candidate c;
  ASSERT_TRUE(pool.PopBest(&c));
  EXPECT_EQ(c.score, 39u);
  ASSERT_TRUE(pool.PopBest(&c));
  EXPECT_EQ(c.score, 38u);
  EXPECT_EQ(pool.size(), EvictionPool::kPoolSize - 2);
}

TEST(EvictionPoolTest, RejectsWorseWhenFullAndDuplicates) {
  EvictionPool pool;
  for (int i = 0; i < EvictionPool::kPoolSize; i++) pool.Offer(100 + i, 1, 2, "k" + std::to_string(i));
  pool.Offer(5, 0, 0, "low");
  EXPECT_EQ(pool.at(0).score, 100u);
  pool.Offer(1000, 0, 0, "k3");  // same name, other shard/db: a new key
  pool.Offer(1000, 0, 0, "k3");  // duplicate: ignored
  EXPECT_EQ(pool.size(), EvictionPool::kPoolSize);
  EXPECT_EQ(pool.at(0).score, 101u);
  EvictionPool::Candidate c;
  ASSERT_TRUE(pool.PopBest(&c));
  EXPECT_EQ(c.key, "k3");
  EXPECT_EQ(c.shard, 0);
  pool.Clear();
  EXPECT_FALSE(pool.PopBest(&c));
}

}  // namespace
}  // namespace lodestone
