// Tests for the Random generator (random.h).
#include "common/random.h"

#include <gtest/gtest.h>

#include <vector>

namespace lodestone {
namespace {

TEST(RandomTest, DeterministicPerSeed) {
  Random a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(RandomTest, ZeroSeedWorks) {
  Random r(0);
  uint64_t ored = 0;
  for (int i = 0; i < 10; ++i) ored |= r.Next();
  EXPECT_NE(ored, 0u);
}

TEST(RandomTest, UniformStaysInRangeAndCoversIt) {
  Random r(5);
  std::vector<int> counts(10);
  for (int i = 0; i < 100000; ++i) {
    uint64_t v = r.Uniform(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int count : counts) {
    EXPECT_GT(count, 9000);
    EXPECT_LT(count, 11000);
  }
  EXPECT_EQ(r.Uniform(1), 0u);
  const uint64_t big = (uint64_t{1} << 63) + 12345;
  for (int i = 0; i < 1000; ++i) ASSERT_LT(r.Uniform(big), big);
}

TEST(RandomTest, NextDoubleInUnitInterval) {
  Random r(9);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    double d = r.NextDouble();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
    sum += d;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

}  // namespace
}  // namespace lodestone
