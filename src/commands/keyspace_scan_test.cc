#include "commands/keyspace_scan.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace lodestone {
namespace {

constexpr int64_t kNow = 1'000'000;

class KeyspaceScanTest : public ::testing::Test {
 protected:
  void MakeShards(int n) {
    owned_.clear();
    dbs_.clear();
    for (int i = 0; i < n; i++) {
      owned_.push_back(std::make_unique<Db>());
      dbs_.push_back(owned_.back().get());
    }
  }
  // Spreads keys over the shards by a simple rule (tests need not match the
  // engine's slot map).
  Db& ShardOf(const std::string& key) { return *dbs_[std::hash<std::string>()(key) % dbs_.size()]; }
  void Add(const std::string& key) { ShardOf(key).Add(key, Value::String("v")); }
  void Erase(const std::string& key) { ShardOf(key).Delete(key); }

  // Runs a whole SCAN, calling between(step) after every call.
  template <typename Fn>
  std::multiset<std::string> ScanAll(int64_t count, const ScanFilter& filter, Fn&& between) {
    std::multiset<std::string> seen;
    uint64_t cursor = 0;
    int step = 0;
    do {
      std::vector<std::string> keys;
      cursor = ScanDatabases(dbs_, cursor, count, filter, kNow, &keys);
      seen.insert(keys.begin(), keys.end());
      between(step++);
      EXPECT_LT(step, 1'000'000);
    } while (cursor != 0);
    return seen;
  }
  std::multiset<std::string> ScanAll(int64_t count, const ScanFilter& filter = {}) {
    return ScanAll(count, filter, [](int) {});
  }

  std::vector<std::unique_ptr<Db>> owned_;
  std::vector<Db*> dbs_;
};

TEST_F(KeyspaceScanTest, CursorRoundTrip) {
  for (int shards : {1, 3, 4, 16}) {
    for (int shard = 0; shard < shards; shard++) {
      for (uint64_t tc : {0ull, 1ull, 5ull, (1ull << 40) + 3}) {
        ShardCursor c = DecodeScanCursor(EncodeScanCursor({shard, tc}, shards), shards);
        EXPECT_EQ(c.shard, shard);
        EXPECT_EQ(c.table_cursor, tc);
      }
    }
  }
  EXPECT_EQ(EncodeScanCursor({0, 0}, 4), 0u);
}

TEST_F(KeyspaceScanTest, EmptyDatabasesEndAtOnce) {
  MakeShards(4);
  std::vector<std::string> keys;
  EXPECT_EQ(ScanDatabases(dbs_, 0, 10, {}, kNow, &keys), 0u);
  EXPECT_TRUE(keys.empty());
}

TEST_F(KeyspaceScanTest, ReturnsEveryKeyAtEveryShardCount) {
  for (int shards : {1, 2, 4, 7}) {
    MakeShards(shards);
    for (int i = 0; i < 10000; i++) Add("key:" + std::to_string(i));
    for (int64_t count : {1, 10, 1000}) {
      auto seen = ScanAll(count);
      std::set<std::string> unique(seen.begin(), seen.end());
      ASSERT_EQ(unique.size(), 10000u) << shards << " shards, COUNT " << count;
      // Without resizes during the scan there are no duplicates either.
      EXPECT_EQ(seen.size(), 10000u);
    }
  }
}

TEST_F(KeyspaceScanTest, KeysPresentThroughoutSurviveGrowthAndShrink) {
  MakeShards(4);
  for (int i = 0; i < 2000; i++) Add("stable:" + std::to_string(i));
  for (int i = 0; i < 3000; i++) Add("doomed:" + std::to_string(i));
  int added = 0;
  int erased = 0;
  auto seen = ScanAll(10, {}, [&](int) {
    // Every step inserts 40 keys (the tables double several times) and
    // deletes 10 others (later, the tables shrink).
    for (int j = 0; j < 40; j++) Add("new:" + std::to_string(added++));
    for (int j = 0; j < 10 && erased < 3000; j++) Erase("doomed:" + std::to_string(erased++));
  });
  for (int i = 0; i < 2000; i++) {
    ASSERT_TRUE(seen.count("stable:" + std::to_string(i))) << i;
  }
  EXPECT_GT(added, 2000);
}

TEST_F(KeyspaceScanTest, KeysPresentThroughoutSurviveMassDeletion) {
  MakeShards(3);
  for (int i = 0; i < 500; i++) Add("stable:" + std::to_string(i));
  for (int i = 0; i < 20000; i++) Add("doomed:" + std::to_string(i));
  int erased = 0;
  auto seen = ScanAll(5, {}, [&](int) {
    for (int j = 0; j < 2000 && erased < 20000; j++) Erase("doomed:" + std::to_string(erased++));
  });
  for (int i = 0; i < 500; i++) ASSERT_TRUE(seen.count("stable:" + std::to_string(i))) << i;
}

TEST_F(KeyspaceScanTest, PatternAndTypeFilters) {
  MakeShards(4);
  for (int i = 0; i < 300; i++) Add("user:" + std::to_string(i));
  for (int i = 0; i < 300; i++) Add("item:" + std::to_string(i));
  ScanFilter match;
  match.pattern = "user:1*";
  match.use_pattern = true;
  auto seen = ScanAll(10, match);
  EXPECT_EQ(seen.size(), 111u);  // 1, 10-19, 100-199
  for (const auto& k : seen) EXPECT_EQ(k.rfind("user:1", 0), 0u);

  ScanFilter lists;
  lists.use_type = true;
  lists.type = ObjType::kList;
  EXPECT_TRUE(ScanAll(10, lists).empty());
  ScanFilter strings;
  strings.use_type = true;
  strings.type = ObjType::kString;
  EXPECT_EQ(ScanAll(10, strings).size(), 600u);
}

TEST_F(KeyspaceScanTest, ExpiredKeysAreDeletedAndLeftOut) {
  MakeShards(2);
  for (int i = 0; i < 100; i++) {
    std::string key = "k" + std::to_string(i);
    Add(key);
    if (i % 2 == 0) ShardOf(key).SetExpire(ShardOf(key).Find(key), kNow - 1);
    if (i == 1) ShardOf(key).SetExpire(ShardOf(key).Find(key), kNow);  // Not yet expired.
  }
  auto seen = ScanAll(1000);
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_TRUE(seen.count("k1"));
  EXPECT_EQ(dbs_[0]->size() + dbs_[1]->size(), 50u);
}

TEST_F(KeyspaceScanTest, CountBoundsTheWork) {
  MakeShards(1);
  for (int i = 0; i < 1000; i++) Add("k" + std::to_string(i));
  std::vector<std::string> keys;
  uint64_t cursor = ScanDatabases(dbs_, 0, 10, {}, kNow, &keys);
  EXPECT_NE(cursor, 0u);
  EXPECT_GE(keys.size(), 10u);
  EXPECT_LT(keys.size(), 100u);
}

TEST_F(KeyspaceScanTest, ForEachMatchingKeySkipsExpired) {
  MakeShards(3);
  for (const char* k : {"hello", "hallo", "hxllo", "world", ""}) Add(k);
  ShardOf("hxllo").SetExpire(ShardOf("hxllo").Find("hxllo"), kNow - 5);
  std::set<std::string> found;
  ForEachMatchingKey(dbs_, "h?llo", kNow, [&](std::string_view k) { found.emplace(k); });
  EXPECT_EQ(found, (std::set<std::string>{"hello", "hallo"}));
  found.clear();
  ForEachMatchingKey(dbs_, "*", kNow, [&](std::string_view k) { found.emplace(k); });
  EXPECT_EQ(found.size(), 4u);  // the empty key included, the expired one not
  // KEYS does not delete.
  EXPECT_NE(ShardOf("hxllo").Find("hxllo"), nullptr);
}

TEST_F(KeyspaceScanTest, RandomKeyNeverReturnsExpiredKeys) {
  MakeShards(4);
  Random random(7);
  EXPECT_EQ(RandomKeyAcross(dbs_, random, kNow), nullptr);
  for (int i = 0; i < 200; i++) {
    std::string key = "x" + std::to_string(i);
    Add(key);
    if (i != 123) ShardOf(key).SetExpire(ShardOf(key).Find(key), kNow - 1);
  }
  for (int i = 0; i < 5; i++) {
    Entry* e = RandomKeyAcross(dbs_, random, kNow);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->key(), "x123");
  }
  ShardOf("x123").Delete("x123");
  EXPECT_EQ(RandomKeyAcross(dbs_, random, kNow), nullptr);
}

TEST_F(KeyspaceScanTest, RandomKeyIsWeightedBySize) {
  MakeShards(2);
  for (int i = 0; i < 900; i++) dbs_[0]->Add("a" + std::to_string(i), Value::String("v"));
  for (int i = 0; i < 100; i++) dbs_[1]->Add("b" + std::to_string(i), Value::String("v"));
  Random random(11);
  int from_b = 0;
  for (int i = 0; i < 10000; i++) {
    if (RandomKeyAcross(dbs_, random, kNow)->key()[0] == 'b') from_b++;
  }
  EXPECT_GT(from_b, 700);
  EXPECT_LT(from_b, 1300);
}

TEST(ParseTypeNameTest, KnowsRedisTypes) {
  ObjType t;
  EXPECT_TRUE(ParseTypeName("ZSET", &t));
  EXPECT_EQ(t, ObjType::kZSet);
  EXPECT_TRUE(ParseTypeName("stream", &t));
  EXPECT_EQ(t, ObjType::kStream);
  EXPECT_FALSE(ParseTypeName("none", &t));
  EXPECT_FALSE(ParseTypeName("strings", &t));
}

}  // namespace
}  // namespace lodestone
