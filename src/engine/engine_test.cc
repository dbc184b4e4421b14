// Engine tests through the real dispatcher, over real sockets, with several
// shard threads. These are the tests that CI also runs under ThreadSanitizer.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "engine/test_server.h"

namespace lodestone::testing {
namespace {

TEST(EngineTest, SetGetAcrossShards) {
  TestServer server(4);
  auto c = server.Connect();
  for (int i = 0; i < 200; i++) {
    EXPECT_EQ(c->Call({"SET", "key:" + std::to_string(i), std::to_string(i)}).str, "OK");
  }
  for (int i = 0; i < 200; i++) {
    EXPECT_EQ(c->Call({"GET", "key:" + std::to_string(i)}).str, std::to_string(i));
  }
  EXPECT_EQ(c->Call({"DBSIZE"}).integer, 200);
}

TEST(EngineTest, PipelineRepliesInRequestOrder) {
  TestServer server(4);
  auto c = server.Connect();
  std::string pipeline;
  const int n = 2000;
  for (int i = 0; i < n; i++) {
    pipeline += TestClient::Encode({"SET", "k" + std::to_string(i % 97), std::to_string(i)});
    pipeline += TestClient::Encode({"GET", "k" + std::to_string(i % 97)});
    if (i % 100 == 0) pipeline += TestClient::Encode({"MGET", "a", "b", "c", "d"});
    if (i % 250 == 0) pipeline += TestClient::Encode({"PING", std::to_string(i)});
  }
  c->Send(pipeline);
  for (int i = 0; i < n; i++) {
    ASSERT_EQ(c->Read().str, "OK");
    ASSERT_EQ(c->Read().str, std::to_string(i)) << "at " << i;
    if (i % 100 == 0) {
      ASSERT_EQ(c->Read().elements.size(), 4u);
    }
    if (i % 250 == 0) {
      ASSERT_EQ(c->Read().str, std::to_string(i));
    }
  }
}

TEST(EngineTest, ErrorsForUnknownCommandAndArity) {
  TestServer server(2);
  auto c = server.Connect();
  Reply r = c->Call({"NOSUCH", "a", "b"});
  EXPECT_EQ(r.type, '-');
  EXPECT_EQ(r.str, "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
  r = c->Call({"GET"});
  EXPECT_EQ(r.str, "ERR wrong number of arguments for 'get' command");
}

TEST(EngineTest, ProtocolErrorClosesConnection) {
  TestServer server(2);
  auto c = server.Connect();
  c->Send("*1\r\n$x\r\n");
  Reply r = c->Read();
  EXPECT_EQ(r.str, "ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(c->Closed());
}

// Writers set every key to the same value with one cross-shard MSET; readers
// must never see two different values in one MGET.
TEST(EngineTest, CrossShardMsetIsAtomic) {
  TestServer server(4);
  std::vector<std::string> keys = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"};
  {
    auto c = server.Connect();
    std::vector<std::string> args = {"MSET"};
    for (auto& k : keys) {
      args.push_back(k);
      args.push_back("0");
    }
    c->Call(args);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; w++) {
    threads.emplace_back([&, w] {
      auto c = server.Connect();
      for (int i = 0; i < 300; i++) {
        std::vector<std::string> args = {"MSET"};
        std::string v = std::to_string(w * 100000 + i);
        for (auto& k : keys) {
          args.push_back(k);
          args.push_back(v);
        }
        c->Call(args);
      }
    });
  }
  for (int rd = 0; rd < 3; rd++) {
    threads.emplace_back([&] {
      auto c = server.Connect();
      while (!stop.load()) {
        std::vector<std::string> args = {"MGET"};
        args.insert(args.end(), keys.begin(), keys.end());
        Reply r = c->Call(args);
        std::set<std::string> values;
        for (auto& e : r.elements) values.insert(e.str);
        if (values.size() != 1) torn++;
      }
    });
  }
  for (int i = 0; i < 3; i++) threads[i].join();
  stop = true;
  for (size_t i = 3; i < threads.size(); i++) threads[i].join();
  EXPECT_EQ(torn.load(), 0);
}

// Many clients on every thread running cross-shard and all-shard commands at
// once: must finish (no deadlock between coordinators).
TEST(EngineTest, ConcurrentCoordinatorsDoNotDeadlock) {
  TestServer server(4);
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int t = 0; t < 8; t++) {
    threads.emplace_back([&, t] {
      auto c = server.Connect();
      std::mt19937 rng(t);
      for (int i = 0; i < 200; i++) {
        switch (rng() % 4) {
          case 0:
            c->Call({"MSET", "x" + std::to_string(rng() % 50), "1", "y" + std::to_string(rng() % 50), "2"});
            break;
          case 1:
            c->Call({"MGET", "x1", "y2", "z3"});
            break;
          case 2:
            c->Call({"DBSIZE"});
            break;
          default:
            c->Call({"SET", "k" + std::to_string(rng() % 100), "v"});
        }
      }
      done++;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(done.load(), 8);
}

TEST(EngineTest, ManyClientsSpreadAcrossThreads) {
  TestServer server(4);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 64; i++) clients.push_back(server.Connect());
  for (int i = 0; i < 64; i++) {
    EXPECT_EQ(clients[i]->Call({"SET", "c" + std::to_string(i), std::to_string(i)}).str, "OK");
  }
  for (int i = 0; i < 64; i++) {
    EXPECT_EQ(clients[(i + 7) % 64]->Call({"GET", "c" + std::to_string(i)}).str, std::to_string(i));
  }
}

TEST(EngineTest, InlineCommands) {
  TestServer server(2);
  auto c = server.Connect();
  c->Send("SET \"hello world\" 'v 1'\r\nGET \"hello world\"\r\n");
  EXPECT_EQ(c->Read().str, "OK");
  EXPECT_EQ(c->Read().str, "v 1");
}

}  // namespace
}  // namespace lodestone::testing
