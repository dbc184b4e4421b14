// Unit tests for the client-side caching structures: the per-shard tracking
// table (keys and BCAST prefixes) and the registry of tracking clients.
#include "engine/tracking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace lodestone {
namespace {

TEST(TrackingTable, RemembersEachReaderOnce) {
  TrackingTable t;
  EXPECT_FALSE(t.active());
  EXPECT_TRUE(t.Remember("k", 7));
  EXPECT_FALSE(t.Remember("k", 7));
  EXPECT_FALSE(t.Remember("k", 8));
  EXPECT_TRUE(t.Remember("other", 7));
  EXPECT_TRUE(t.active());
  EXPECT_EQ(t.key_count(), 2u);
  EXPECT_EQ(t.item_count(), 3u);
}

TEST(TrackingTable, TakeForgetsTheKey) {
  TrackingTable t;
  t.Remember("k", 1);
  t.Remember("k", 2);
  std::vector<uint64_t> ids = t.Take("k");
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(t.Take("k").empty());  // a second change notifies nobody
  EXPECT_EQ(t.item_count(), 0u);
  EXPECT_FALSE(t.active());
}

TEST(TrackingTable, ClearAndSomeKey) {
  TrackingTable t;
  EXPECT_EQ(t.SomeKey(), nullptr);
  t.Remember("a", 1);
  t.Remember("b", 1);
  ASSERT_NE(t.SomeKey(), nullptr);
  EXPECT_TRUE(*t.SomeKey() == "a" || *t.SomeKey() == "b");
  EXPECT_EQ(t.Clear(), 2u);
  EXPECT_EQ(t.key_count(), 0u);
  EXPECT_EQ(t.item_count(), 0u);
}

TEST(TrackingTable, PrefixesMatchByStart) {
  TrackingTable t;
  t.AddPrefix("user:", 1, 10);
  t.AddPrefix("", 2, 20);
  t.AddPrefix("user:", 3, 30);
  EXPECT_TRUE(t.active());
  EXPECT_EQ(t.prefix_count(), 2u);
  std::vector<uint64_t> got;
  t.ForEachPrefixMatch("user:42", [&](uint64_t id, uint64_t) { got.push_back(id); });
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2, 3}));
  got.clear();
  t.ForEachPrefixMatch("use", [&](uint64_t id, uint64_t) { got.push_back(id); });
  EXPECT_EQ(got, (std::vector<uint64_t>{2}));
}

TEST(TrackingTable, PrefixRemovalNeedsTheSameGeneration) {
  TrackingTable t;
  t.AddPrefix("p", 1, 5);
  t.RemovePrefix("p", 1, 4);  // a late removal from an earlier enabling
  EXPECT_EQ(t.prefix_count(), 1u);
  t.RemovePrefix("p", 1, 5);
  EXPECT_EQ(t.prefix_count(), 0u);
  EXPECT_FALSE(t.active());
}

TEST(TrackingTable, BroadcastsGroupKeysPerPrefixWithTheirLastWriter) {
  TrackingTable t;
  EXPECT_FALSE(t.has_broadcasts());
  t.NoteBroadcast("a:1", 5);  // no prefix yet: nothing noted
  EXPECT_FALSE(t.has_broadcasts());
  t.AddPrefix("a:", 1, 1);
  t.AddPrefix("", 2, 1);
  t.NoteBroadcast("a:1", 5);
  t.NoteBroadcast("b:1", 6);
  t.NoteBroadcast("a:1", 7);  // the last writer wins
  ASSERT_TRUE(t.has_broadcasts());
  TrackingTable::PendingBroadcasts p = t.TakeBroadcasts();
  EXPECT_FALSE(t.has_broadcasts());
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[""], (std::map<std::string, uint64_t>{{"a:1", 7}, {"b:1", 6}}));
  EXPECT_EQ(p["a:"], (std::map<std::string, uint64_t>{{"a:1", 7}}));
  ASSERT_NE(t.PrefixClients("a:"), nullptr);
  EXPECT_EQ(t.PrefixClients("a:")->size(), 1u);
  EXPECT_EQ(t.PrefixClients("zz"), nullptr);
}

TEST(TrackingTable, HoldsOnlyForTheClientBeingServed) {
  TrackingTable t;
  EXPECT_FALSE(t.ShouldHold(4));
  t.BeginServing(4);
  EXPECT_EQ(t.current_writer(), 4u);
  EXPECT_TRUE(t.ShouldHold(4));
  EXPECT_FALSE(t.ShouldHold(5));
  t.Hold(4, "*1\r\n$1\r\nk\r\n");
  t.EndServing();
  EXPECT_FALSE(t.ShouldHold(4));
  EXPECT_EQ(t.current_writer(), 0u);
  ASSERT_TRUE(t.has_held());
  auto held = t.TakeHeld();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].first, 4u);
  EXPECT_FALSE(t.has_held());
}

TEST(TrackingTable, CurrentWriter) {
  TrackingTable t;
  EXPECT_EQ(t.current_writer(), 0u);
  t.set_current_writer(9);
  EXPECT_EQ(t.current_writer(), 9u);
}

TEST(TrackingRegistry, SetFindRemove) {
  TrackingRegistry r;
  TrackingTarget target;
  target.home_shard = 2;
  target.redirect_id = 5;
  r.Set(1, target);
  r.Set(1, target);  // changing options does not count twice
  EXPECT_EQ(r.client_count(), 1u);
  TrackingTarget out;
  ASSERT_TRUE(r.Find(1, &out));
  EXPECT_EQ(out.home_shard, 2);
  EXPECT_EQ(out.redirect_id, 5u);
  EXPECT_FALSE(r.Find(2, &out));
  r.Remove(1);
  r.Remove(1);
  EXPECT_EQ(r.client_count(), 0u);
  EXPECT_FALSE(r.Find(1, &out));
  EXPECT_NE(r.NextGeneration(), r.NextGeneration());
}

// Writers on several threads look clients up while others turn tracking on
// and off (run under TSan in CI).
TEST(TrackingRegistry, ConcurrentReadersAndWriters) {
  TrackingRegistry r;
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; w++) {
    threads.emplace_back([&r, w] {
      for (uint64_t i = 0; i < 2000; i++) {
        TrackingTarget t;
        t.home_shard = w;
        r.Set(i * 2 + uint64_t(w), t);
        if (i % 3 == 0) r.Remove(i * 2 + uint64_t(w));
      }
    });
  }
  for (int reader = 0; reader < 2; reader++) {
    threads.emplace_back([&r] {
      TrackingTarget t;
      for (uint64_t i = 0; i < 4000; i++) {
        if (r.Find(i, &t)) {
          EXPECT_EQ(t.home_shard, int(i % 2));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(r.client_count(), 2u * (2000 - 667));
}

}  // namespace
}  // namespace lodestone
