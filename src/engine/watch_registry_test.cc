#include "engine/watch_registry.h"

#include <gtest/gtest.h>

#include <memory>

namespace lodestone {
namespace {

bool Dirty(const std::shared_ptr<WatchState>& s) { return s->dirty.load(); }

TEST(WatchRegistryTest, AddRemoveCountsKeysOnce) {
  WatchRegistry reg(16);
  auto a = std::make_shared<WatchState>();
  auto b = std::make_shared<WatchState>();
  EXPECT_TRUE(reg.empty());
  reg.Add(0, "k", a, false);
  reg.Add(0, "k", a, false);  // the same watcher twice is one registration
  reg.Add(0, "k", b, false);
  reg.Add(3, "k", a, false);  // another database is another key
  EXPECT_EQ(reg.key_count(), 2u);
  EXPECT_EQ(reg.WatcherCount(0, "k"), 2u);
  reg.Remove(0, "k", a.get());
  EXPECT_EQ(reg.WatcherCount(0, "k"), 1u);
  reg.Remove(0, "k", b.get());
  reg.Remove(0, "k", b.get());  // absent: nothing happens
  EXPECT_EQ(reg.key_count(), 1u);
  reg.Remove(3, "k", a.get());
  EXPECT_TRUE(reg.empty());
}

TEST(WatchRegistryTest, TouchMarksEveryWatcherOfThatKeyOnly) {
  WatchRegistry reg(16);
  auto a = std::make_shared<WatchState>();
  auto b = std::make_shared<WatchState>();
  auto c = std::make_shared<WatchState>();
  reg.Add(0, "k", a, false);
  reg.Add(0, "k", b, false);
  reg.Add(1, "k", c, false);
  reg.Touch(0, "other", true);
  EXPECT_FALSE(Dirty(a));
  reg.Touch(0, "k", true);
  EXPECT_TRUE(Dirty(a));
  EXPECT_TRUE(Dirty(b));
  EXPECT_FALSE(Dirty(c));  // same name, other database
  reg.Touch(1, "k", false);  // a deletion is a change too
  EXPECT_TRUE(Dirty(c));
}

TEST(WatchRegistryTest, DeletingAKeyExpiredAtWatchTimeIsNoChange) {
  WatchRegistry reg(16);
  auto a = std::make_shared<WatchState>();
  reg.Add(0, "k", a, true);
  reg.Touch(0, "k", false);  // the stale key goes away
  EXPECT_FALSE(Dirty(a));
  reg.Touch(0, "k", true);  // now an ordinary missing key being created
  EXPECT_TRUE(Dirty(a));

  auto b = std::make_shared<WatchState>();
  reg.Add(0, "j", b, true);
  reg.Touch(0, "j", true);  // the stale key overwritten: a change
  EXPECT_TRUE(Dirty(b));
}

TEST(WatchRegistryTest, ExpiredSinceWatch) {
  WatchRegistry reg(16);
  Db db;
  Entry* e = db.Add("k", Value::Int(1));
  db.SetExpire(e, 1000);
  auto a = std::make_shared<WatchState>();
  auto b = std::make_shared<WatchState>();
  reg.Add(0, "k", a, false);
  reg.Add(0, "k", b, true);
  EXPECT_FALSE(reg.ExpiredSinceWatch(0, "k", a.get(), db, 1000));
  EXPECT_TRUE(reg.ExpiredSinceWatch(0, "k", a.get(), db, 1001));
  EXPECT_FALSE(reg.ExpiredSinceWatch(0, "k", b.get(), db, 1001));  // stale when watched
  EXPECT_FALSE(reg.ExpiredSinceWatch(0, "missing", a.get(), db, 1001));
}

TEST(WatchRegistryTest, FlushTouchesOnlyKeysThatExist) {
  WatchRegistry reg(16);
  Db db;
  db.Add("present", Value::Int(1));
  Entry* stale = db.Add("stale", Value::Int(1));
  db.SetExpire(stale, 10);
  auto present = std::make_shared<WatchState>();
  auto missing = std::make_shared<WatchState>();
  auto stale_watch = std::make_shared<WatchState>();
  reg.Add(0, "present", present, false);
  reg.Add(0, "missing", missing, false);
  reg.Add(0, "stale", stale_watch, true);
  reg.TouchAll(0, db, nullptr, 100);
  EXPECT_TRUE(Dirty(present));
  EXPECT_FALSE(Dirty(missing));
  EXPECT_FALSE(Dirty(stale_watch));
}

TEST(WatchRegistryTest, SwapDbFollowsRedisRules) {
  WatchRegistry reg(16);
  Db zero, one;
  one.Add("created", Value::Int(1));          // missing in 0, present in 1
  Entry* s = one.Add("stale_in", Value::Int(1));  // missing in 0, stale in 1
  one.SetExpire(s, 10);
  Entry* s0 = zero.Add("both_stale", Value::Int(1));
  zero.SetExpire(s0, 10);
  Entry* s1 = one.Add("both_stale", Value::Int(1));
  one.SetExpire(s1, 10);
  auto created = std::make_shared<WatchState>();
  auto stale_in = std::make_shared<WatchState>();
  auto both_stale = std::make_shared<WatchState>();
  reg.Add(0, "created", created, false);
  reg.Add(0, "stale_in", stale_in, false);
  reg.Add(0, "both_stale", both_stale, true);
  reg.TouchAll(0, zero, &one, 100);
  EXPECT_TRUE(Dirty(created));
  EXPECT_FALSE(Dirty(stale_in));
  EXPECT_FALSE(Dirty(both_stale));
  // The missing key replaced by a stale one is now itself watched as stale:
  // its later deletion is no change.
  reg.Touch(0, "stale_in", false);
  EXPECT_FALSE(Dirty(stale_in));
}

}  // namespace
}  // namespace lodestone
