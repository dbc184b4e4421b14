// Tests for HashPack (hash_pack.h) against a vector model.
#include "storage/hash_pack.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "common/random.h"

namespace lodestone {
namespace {

TEST(HashPackTest, EmptyAllocatesNothing) {
  HashPack p;
  EXPECT_TRUE(p.Empty());
  EXPECT_EQ(p.Size(), 0u);
  EXPECT_EQ(p.BytesUsed(), 0u);
  std::string v;
  EXPECT_FALSE(p.Find("x", &v));
  EXPECT_FALSE(p.Erase("x"));
}

TEST(HashPackTest, FrontCodesSimilarPairs) {
  HashPack p;
  for (int i = 0; i < 10; i++) {
    char value[32];
    std::snprintf(value, sizeof(value), "value:%010d", 1230 + i);
    EXPECT_TRUE(p.Set("field:" + std::to_string(i), value));
  }
  EXPECT_EQ(p.Size(), 10u);
  // First pair 2 + 7 + 2 + 16 bytes, then 6 per pair, plus a 2-byte header.
  EXPECT_EQ(p.BytesUsed(), 2u + 27u + 9 * 6u);
  std::string v;
  ASSERT_TRUE(p.Find("field:7", &v));
  EXPECT_EQ(v, "value:0000001237");
}

TEST(HashPackTest, MatchesModel) {
  Random rng(42);
  HashPack p;
  HashPack::Pairs model;
  for (int step = 0; step < 20000; step++) {
    std::string field = "f" + std::to_string(rng.Uniform(40));
    std::string value(rng.Uniform(3) == 0 ? 200 : rng.Uniform(12), char('a' + rng.Uniform(3)));
    auto it = std::find_if(model.begin(), model.end(), [&](auto& e) { return e.first == field; });
    if (rng.Uniform(3) == 0) {
      ASSERT_EQ(p.Erase(field), it != model.end());
      if (it != model.end()) model.erase(it);
    } else {
      ASSERT_EQ(p.Set(field, value), it == model.end());
      if (it == model.end()) {
        model.emplace_back(field, value);
      } else {
        it->second = value;
      }
    }
    ASSERT_EQ(p.Size(), model.size());
    if (step % 97 == 0) {
      ASSERT_EQ(p.Decode(), model);
      HashPack copy = p.Clone();
      ASSERT_EQ(copy.Decode(), model);
    }
  }
}

}  // namespace
}  // namespace lodestone
