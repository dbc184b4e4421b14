#include "storage/db.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace lodestone {
namespace {

std::string Key(uint64_t i) { return "key:" + std::to_string(i); }

TEST(DbTest, AddFindDelete) {
  Db db;
  Entry* e = db.Add("k", Value::String("v"));
  EXPECT_EQ(db.Find("k"), e);
  EXPECT_EQ(db.Lookup("k", 0), e);
  EXPECT_EQ(db.size(), 1u);
  EXPECT_EQ(db.GetExpire(e), kNoExpire);
  EXPECT_TRUE(db.Delete("k"));
  EXPECT_FALSE(db.Delete("k"));
  EXPECT_EQ(db.size(), 0u);
}

TEST(DbTest, ExpiredOnlyAfterTheDeadline) {
  Db db;
  std::vector<std::string> notified;
  db.set_expire_listener([&](std::string_view key) { notified.emplace_back(key); });
  Entry* e = db.Add("k", Value::Int(1));
  db.SetExpire(e, 1000);
  EXPECT_EQ(db.expires_count(), 1u);
  EXPECT_EQ(db.GetExpire(e), 1000);
  // Redis: expired when now > when, so at exactly `when` the key still exists.
  EXPECT_EQ(db.Lookup("k", 999), e);
  EXPECT_EQ(db.Lookup("k", 1000), e);
  EXPECT_EQ(db.Lookup("k", 1001), nullptr);
  EXPECT_EQ(db.Find("k"), nullptr);  // Deleted, not just hidden.
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.expires_count(), 0u);
  EXPECT_EQ(db.stats().expired_keys, 1u);
  EXPECT_EQ(notified, std::vector<std::string>{"k"});
  EXPECT_TRUE(db.CheckTtlIndex());
}

TEST(DbTest, ReplicaHidesButKeepsExpiredKeys) {
  Db db;
  db.set_delete_expired(false);
  Entry* e = db.Add("k", Value::Int(1));
  db.SetExpire(e, 10);
  EXPECT_EQ(db.Lookup("k", 11), nullptr);
  EXPECT_EQ(db.Find("k"), e);
  EXPECT_EQ(db.stats().expired_keys, 0u);
  Random random(1);
  EXPECT_EQ(db.ActiveExpireCycle(11, 1000000, random).sampled, 0u);
  EXPECT_EQ(db.size(), 1u);
  // Every key volatile and expired: after bounded tries the key is returned.
  EXPECT_EQ(db.RandomKey(random, 11), e);
}

TEST(DbTest, PersistAndOverwrite) {
  Db db;
  Entry* e = db.Add("k", Value::String("a"));
  EXPECT_FALSE(db.RemoveExpire(e));
  db.SetExpire(e, 500);
  db.SetExpire(e, 600);  // Re-setting does not duplicate the index slot.
  EXPECT_EQ(db.expires_count(), 1u);
  EXPECT_TRUE(db.RemoveExpire(e));
  EXPECT_EQ(db.expires_count(), 0u);
  EXPECT_EQ(db.GetExpire(e), kNoExpire);

  db.SetExpire(e, 700);
  e->value.set_lru(77);
  db.Overwrite(e, Value::String("b"), /*keep_ttl=*/true);
  EXPECT_EQ(db.GetExpire(e), 700);
  EXPECT_EQ(e->value.lru(), 77u);  // dbSetValue keeps the old lru.
  db.Overwrite(e, Value::String("c"), /*keep_ttl=*/false);
  EXPECT_EQ(db.GetExpire(e), kNoExpire);
  EXPECT_EQ(db.expires_count(), 0u);
  char scratch[kValueScratchSize];
  EXPECT_EQ(e->value.StringBytes(scratch), "c");

  Entry* u = db.Upsert("k", Value::Int(5), false);
  EXPECT_EQ(u, e);
  Entry* n = db.Upsert("new", Value::Int(6), false);
  EXPECT_EQ(db.Find("new"), n);
  EXPECT_TRUE(db.CheckTtlIndex());
}

TEST(DbTest, AddAndOverwriteString) {
  Db db;
  std::vector<std::string> added;
  db.set_add_listener([&](std::string_view key) { added.emplace_back(key); });
  Entry* e = db.AddString("k", "a 16-byte value!");
  EXPECT_EQ(added, std::vector<std::string>{"k"});
  EXPECT_EQ(db.Find("k"), e);
  char scratch[kValueScratchSize];
  EXPECT_EQ(e->value.StringBytes(scratch), "a 16-byte value!");
  EXPECT_EQ(e->value.encoding(), Encoding::kEmbstr);

  db.SetExpire(e, 900);
  e->value.set_lru(55);
  db.OverwriteString(e, "another value", /*keep_ttl=*/true);
  EXPECT_EQ(e->value.StringBytes(scratch), "another value");
  EXPECT_EQ(e->value.lru(), 55u);
  EXPECT_EQ(db.GetExpire(e), 900);
  db.OverwriteString(e, "42", /*keep_ttl=*/false);
  EXPECT_TRUE(e->value.IsInt());
  EXPECT_EQ(db.GetExpire(e), kNoExpire);
  EXPECT_EQ(db.AddString("n", "12345678901234567890123456789012345678901234567890")
                ->value.encoding(),
            Encoding::kRaw);
  EXPECT_TRUE(db.CheckTtlIndex());
}

TEST(DbTest, TtlIndexStaysConsistent) {
  Db db;
  Random random(42);
  std::map<std::string, int64_t> model;  // key -> expire (or kNoExpire)
  for (int op = 0; op < 200000; ++op) {
    std::string key = Key(random.Uniform(3000));
    Entry* e = db.Find(key);
    ASSERT_EQ(e != nullptr, model.count(key) == 1);
    switch (random.Uniform(7)) {
      case 0:
      case 1:
        if (e == nullptr) {
          db.Add(key, Value::Int(op));
          model[key] = kNoExpire;
        }
        break;
      case 2:
        if (e != nullptr) {
          int64_t at = static_cast<int64_t>(random.Uniform(1000000));
          db.SetExpire(e, at);
          model[key] = at;
        }
        break;
      case 3:
        if (e != nullptr) {
          EXPECT_EQ(db.RemoveExpire(e), model[key] != kNoExpire);
          model[key] = kNoExpire;
        }
        break;
      case 4:
        if (e != nullptr) {
          bool keep = random.Uniform(2) == 0;
          db.Overwrite(e, Value::Int(op), keep);
          if (!keep) model[key] = kNoExpire;
        }
        break;
      case 5:
        EXPECT_EQ(db.Delete(key), model.erase(key) == 1);
        break;
      case 6:
        if (e != nullptr) {
          db.DeleteEntry(e);
          model.erase(key);
        }
        break;
    }
    if (op % 5000 == 0) {
      ASSERT_TRUE(db.CheckTtlIndex()) << op;
    }
  }
  ASSERT_TRUE(db.CheckTtlIndex());
  size_t volatile_keys = 0;
  for (const auto& [key, at] : model) {
    Entry* e = db.Find(key);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(db.GetExpire(e), at);
    volatile_keys += at != kNoExpire;
  }
  EXPECT_EQ(db.expires_count(), volatile_keys);
  EXPECT_EQ(db.size(), model.size());
}

TEST(DbTest, NeverVisibleAfterExpiry) {
  Db db;
  Random random(3);
  for (int i = 0; i < 10000; ++i) {
    Entry* e = db.Add(Key(i), Value::Int(i));
    db.SetExpire(e, i);  // Key i expires after time i.
  }
  for (int64_t now = 0; now < 10000; now += 97) {
    for (int probe = 0; probe < 50; ++probe) {
      int i = static_cast<int>(random.Uniform(10000));
      Entry* e = db.Lookup(Key(i), now);
      EXPECT_EQ(e != nullptr, now <= i) << "key " << i << " now " << now;
    }
    Entry* r = db.RandomKey(random, now);
    if (r != nullptr) {
      EXPECT_FALSE(db.IsExpired(r, now));
    }
    db.ActiveExpireCycle(now, 1000, random);
  }
  EXPECT_TRUE(db.CheckTtlIndex());
}

TEST(DbTest, ActiveExpireCycleRemovesMostExpiredKeys) {
  Db db;
  Random random(11);
  const int kKeys = 10000;
  for (int i = 0; i < kKeys; ++i) {
    Entry* e = db.Add(Key(i), Value::Int(i));
    if (i % 10 != 0) db.SetExpire(e, 100);       // 9000 expire at 100...
    else if (i % 20 == 0) db.SetExpire(e, 5000);  // ...500 later, 500 never.
  }
  ExpireCycleResult result = db.ActiveExpireCycle(200, 10'000'000, random);
  EXPECT_GE(result.expired, 7000u);
  EXPECT_GE(result.sampled, result.expired);
  EXPECT_FALSE(result.time_limit_reached);
  EXPECT_EQ(db.stats().expired_keys, result.expired);
  EXPECT_EQ(db.size(), kKeys - result.expired);
  // Keys that have not expired are never touched.
  for (int i = 0; i < kKeys; i += 10) {
    EXPECT_NE(db.Find(Key(i)), nullptr) << i;
  }
  EXPECT_TRUE(db.CheckTtlIndex());
  EXPECT_GT(db.avg_ttl_ms(), 0);
  // Further cycles converge on few stale keys.
  for (int c = 0; c < 50; ++c) db.ActiveExpireCycle(200, 10'000'000, random);
  EXPECT_LE(db.size(), 1000u + 300u);
}

TEST(DbTest, ActiveExpireCycleRespectsTimeBudget) {
  Db db;
  Random random(12);
  for (int i = 0; i < 100000; ++i) db.SetExpire(db.Add(Key(i), Value::Int(i)), 1);
  ExpireCycleResult result = db.ActiveExpireCycle(2, /*time_budget_us=*/0, random);
  EXPECT_TRUE(result.time_limit_reached);
  // The clock is read every 16 loops of 20 keys.
  EXPECT_EQ(result.sampled, 16u * 20u);
  EXPECT_EQ(db.stats().expire_cycle_time_cap_reached, 1u);
  // With time to spare, everything goes.
  while (db.size() > 0) db.ActiveExpireCycle(2, 10'000'000, random);
  EXPECT_EQ(db.expires_count(), 0u);
  EXPECT_EQ(db.avg_ttl_ms(), 0);
}

TEST(DbTest, RandomKey) {
  Db db;
  Random random(4);
  EXPECT_EQ(db.RandomKey(random, 0), nullptr);
  for (int i = 0; i < 100; ++i) db.SetExpire(db.Add(Key(i), Value::Int(i)), 10);
  db.Add("alive", Value::Int(1));
  // All the volatile keys have expired: RandomKey deletes what it meets and
  // always ends on the live key.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(db.RandomKey(random, 11)->key(), "alive");
  EXPECT_TRUE(db.Delete("alive"));
  EXPECT_EQ(db.RandomKey(random, 11), nullptr);
  EXPECT_EQ(db.size(), 0u);
  EXPECT_EQ(db.stats().expired_keys, 100u);
}

TEST(DbTest, ClearAndSwap) {
  Db a;
  Db b;
  for (int i = 0; i < 100; ++i) a.SetExpire(a.Add(Key(i), Value::Int(i)), 1000 + i);
  b.Add("b-only", Value::Int(1));
  a.SwapWith(b);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 100u);
  EXPECT_EQ(b.expires_count(), 100u);
  EXPECT_EQ(a.expires_count(), 0u);
  EXPECT_TRUE(a.CheckTtlIndex());
  EXPECT_TRUE(b.CheckTtlIndex());
  EXPECT_EQ(b.Lookup(Key(5), 1005)->value.int_value(), 5);
  EXPECT_EQ(b.Clear(), 100u);
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.expires_count(), 0u);
  EXPECT_EQ(b.Find(Key(5)), nullptr);
}

TEST(DbTest, ScanSeesEveryKey) {
  Db db;
  for (int i = 0; i < 1000; ++i) db.Add(Key(i), Value::Int(i));
  std::vector<bool> seen(1000, false);
  uint64_t cursor = 0;
  do {
    cursor = db.Scan(cursor, [&](Entry* e) { seen[e->value.int_value()] = true; });
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen[i]) << i;
}

}  // namespace
}  // namespace lodestone
