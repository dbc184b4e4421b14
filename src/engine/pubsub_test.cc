// Tests of the pub/sub channel registry (alone and under concurrent
// subscribe/unsubscribe/publish, for ThreadSanitizer) and of delivery
// through a running engine.
#include "engine/pubsub.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "engine/test_server.h"

namespace lodestone {
namespace {

using Receiver = ChannelRegistry::Receiver;

TEST(ChannelRegistryTest, AddRemoveCount) {
  ChannelRegistry reg;
  EXPECT_TRUE(reg.Empty(PubSubKind::kChannel));
  EXPECT_TRUE(reg.Add(PubSubKind::kChannel, "a", {0, 1}));
  EXPECT_FALSE(reg.Add(PubSubKind::kChannel, "a", {0, 1}));
  EXPECT_TRUE(reg.Add(PubSubKind::kChannel, "a", {1, 2}));
  EXPECT_TRUE(reg.Add(PubSubKind::kShardChannel, "a", {1, 2}));
  EXPECT_FALSE(reg.Empty(PubSubKind::kChannel));
  EXPECT_TRUE(reg.Empty(PubSubKind::kPattern));
  EXPECT_EQ(reg.SubscriberCount(PubSubKind::kChannel, "a"), 2u);
  EXPECT_EQ(reg.SubscriberCount(PubSubKind::kShardChannel, "a"), 1u);
  EXPECT_EQ(reg.NameCount(PubSubKind::kChannel), 1u);
  EXPECT_TRUE(reg.Remove(PubSubKind::kChannel, "a", 1));
  EXPECT_FALSE(reg.Remove(PubSubKind::kChannel, "a", 1));
  EXPECT_FALSE(reg.Remove(PubSubKind::kChannel, "zz", 2));
  EXPECT_TRUE(reg.Remove(PubSubKind::kChannel, "a", 2));
  EXPECT_EQ(reg.NameCount(PubSubKind::kChannel), 0u);
  EXPECT_TRUE(reg.Empty(PubSubKind::kChannel));
}

TEST(ChannelRegistryTest, CollectDirectThenPatterns) {
  ChannelRegistry reg;
  reg.Add(PubSubKind::kChannel, "news.sport", {0, 1});
  reg.Add(PubSubKind::kPattern, "news.*", {1, 2});
  reg.Add(PubSubKind::kPattern, "*sport", {1, 2});
  reg.Add(PubSubKind::kPattern, "weather.*", {0, 3});
  reg.Add(PubSubKind::kShardChannel, "news.sport", {0, 4});
  std::vector<Receiver> out;
  reg.Collect("news.sport", false, &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].client_id, 1u);
  EXPECT_EQ(out[0].pattern, nullptr);
  EXPECT_NE(out[1].pattern, nullptr);
  EXPECT_NE(out[2].pattern, nullptr);
  out.clear();
  reg.Collect("news.sport", true, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].client_id, 4u);
  std::string_view pat = "news*";
  EXPECT_EQ(reg.Names(PubSubKind::kChannel, &pat).size(), 1u);
  pat = "x*";
  EXPECT_EQ(reg.Names(PubSubKind::kChannel, &pat).size(), 0u);
  EXPECT_EQ(reg.Names(PubSubKind::kPattern, nullptr).size(), 3u);
}

TEST(ChannelRegistryTest, FormatsBothProtocols) {
  EXPECT_EQ(FormatPubSubMessage(2, false, nullptr, "ch", "hi"),
            "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
  EXPECT_EQ(FormatPubSubMessage(3, true, nullptr, "ch", "hi"),
            ">3\r\n$8\r\nsmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
  std::string pattern = "c*";
  EXPECT_EQ(FormatPubSubMessage(3, false, &pattern, "ch", "hi"),
            ">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$2\r\nhi\r\n");
}

// Writers subscribe and unsubscribe while readers collect: run under TSan.
TEST(ChannelRegistryTest, ConcurrentSubscribeAndCollect) {
  ChannelRegistry reg;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; w++) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < 2000; i++) {
        std::string name = "ch" + std::to_string(i % 17);
        uint64_t id = uint64_t(w * 100000 + i);
        reg.Add(PubSubKind::kChannel, name, {w, id});
        reg.Add(PubSubKind::kPattern, "ch1*", {w, id});
        reg.Remove(PubSubKind::kChannel, name, id);
        reg.Remove(PubSubKind::kPattern, "ch1*", id);
      }
    });
  }
  std::atomic<size_t> seen{0};
  for (int r = 0; r < 2; r++) {
    threads.emplace_back([&] {
      std::vector<Receiver> out;
      while (!stop.load()) {
        out.clear();
        reg.Collect("ch12", false, &out);
        seen += out.size();
        (void)reg.NameCount(PubSubKind::kChannel);
        (void)reg.Empty(PubSubKind::kPattern);
      }
    });
  }
  for (int w = 0; w < 3; w++) threads[w].join();
  stop = true;
  for (size_t i = 3; i < threads.size(); i++) threads[i].join();
  EXPECT_TRUE(reg.Empty(PubSubKind::kChannel));
  EXPECT_TRUE(reg.Empty(PubSubKind::kPattern));
  EXPECT_EQ(reg.NameCount(PubSubKind::kChannel), 0u);
}

// Subscribers on every shard, several publishers on their own threads, and
// keyspace notifications from hops: every message arrives, each publisher's
// in order. Exercises the registry and cross-thread delivery under TSan.
TEST(PubSubEngineTest, PublishersAndSubscribersOnAllShards) {
  testing::TestServer server(4);
  std::vector<std::unique_ptr<testing::TestClient>> subs;
  for (int i = 0; i < 4; i++) {
    subs.push_back(server.Connect());
    testing::Reply r = subs.back()->Call({"SUBSCRIBE", "ch", "__keyevent@0__:set"});
    ASSERT_EQ(r.elements.size(), 3u);
    subs.back()->Read();
  }
  auto admin = server.Connect();
  EXPECT_EQ(admin->Call({"CONFIG", "SET", "notify-keyspace-events", "E$"}).str, "OK");
  constexpr int kPublishers = 3, kMessages = 50;
  std::vector<std::thread> publishers;
  for (int p = 0; p < kPublishers; p++) {
    publishers.emplace_back([&, p] {
      auto c = server.Connect();
      for (int i = 0; i < kMessages; i++) {
        c->Call({"PUBLISH", "ch", std::to_string(p) + ":" + std::to_string(i)});
      }
      c->Call({"SET", "key" + std::to_string(p), "v"});
    });
  }
  for (auto& t : publishers) t.join();
  for (auto& s : subs) {
    std::vector<int> next(kPublishers, 0);
    int events = 0;
    for (int n = 0; n < kPublishers * kMessages + kPublishers; n++) {
      testing::Reply r = s->Read();
      ASSERT_EQ(r.elements.size(), 3u);
      if (r.elements[1].str == "__keyevent@0__:set") {
        events++;
        continue;
      }
      const std::string& msg = r.elements[2].str;
      int p = std::stoi(msg.substr(0, msg.find(':')));
      int i = std::stoi(msg.substr(msg.find(':') + 1));
      EXPECT_EQ(i, next[p]);
      next[p] = i + 1;
    }
    EXPECT_EQ(events, kPublishers);
  }
}

}  // namespace
}  // namespace lodestone
