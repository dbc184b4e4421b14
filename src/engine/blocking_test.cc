// Blocking across shards, through the real engine, with two test-only
// commands so the machinery is tested independently of any data type:
//   TBGETDEL timeout key [key ...]  pops (GETDEL) the first existing key, or
//                                   blocks until one is signalled ready
//   TSET key value                  SET + SignalKeyReady
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "commands/command_util.h"
#include "common/strings.h"
#include "engine/test_server.h"

namespace lodestone::testing {
namespace {

void TBGetDel(CommandContext& ctx) {
  int64_t timeout_ms;
  if (!ParseInt64(ctx.arg(1), &timeout_ms)) return ctx.reply.Error(protocol::kNotInteger);
  std::vector<std::string_view> keys;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view key = ctx.arg(i);
    keys.push_back(key);
    Db& db = ctx.DbFor(key);
    Entry* e = db.Lookup(key, ctx.now_ms);
    if (e == nullptr) continue;
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ReplyStringValue(ctx, e->value);
    db.DeleteEntry(e);
    return;
  }
  if (!ctx.BlockOn(keys, timeout_ms)) ctx.reply.NullArray();
}

void TSet(CommandContext& ctx) {
  Db& db = ctx.db();
  db.Upsert(ctx.arg(1), Value::String(ctx.arg(2)), false);
  ctx.SignalKeyReady(db, ctx.arg(1));
  ctx.reply.Ok();
}

void RegisterTestCommands(CommandTable& table) {
  table.Add(Row("tbgetdel", -3, kWrite | kBlocking, "generic", TBGetDel,
                {KeysAt(2, -1, 1, kKsRW | kKsAccess | kKsDelete)}, {"test", "0", "O(1)"}));
  table.Add(Row("tset", 3, kWrite, "generic", TSet, {KeysAt(1, 0, 1, kKsOW | kKsUpdate)},
                {"test", "0", "O(1)"}));
}

TEST(BlockingTest, ServesImmediatelyWhenAvailable) {
  TestServer server(4, RegisterTestCommands);
  auto c = server.Connect();
  c->Call({"TSET", "k", "v"});
  Reply r = c->Call({"TBGETDEL", "0", "k"});
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[1].str, "v");
}

TEST(BlockingTest, TimesOutWithNullArray) {
  TestServer server(4, RegisterTestCommands);
  auto c = server.Connect();
  auto start = std::chrono::steady_clock::now();
  Reply r = c->Call({"TBGETDEL", "150", "nothing"});
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.is_null());
  EXPECT_GE(ms, 140);
  EXPECT_LT(ms, 1000);
  // The connection still works afterwards.
  EXPECT_EQ(c->Call({"PING"}).str, "PONG");
}

TEST(BlockingTest, WokenByWriteFromAnotherClient) {
  for (int threads : {1, 4}) {
    TestServer server(threads, RegisterTestCommands);
    auto waiter = server.Connect();
    auto writer = server.Connect();
    waiter->Send(TestClient::Encode({"TBGETDEL", "0", "a", "b", "c"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    writer->Call({"TSET", "b", "hello"});
    Reply r = waiter->Read();
    ASSERT_EQ(r.elements.size(), 2u) << threads;
    EXPECT_EQ(r.elements[0].str, "b");
    EXPECT_EQ(r.elements[1].str, "hello");
    EXPECT_EQ(writer->Call({"EXISTS", "b"}).integer, 0);
  }
}

// Several clients blocked on one key are served in FIFO order, each once.
TEST(BlockingTest, FifoAndExactlyOnce) {
  TestServer server(4, RegisterTestCommands);
  std::vector<std::unique_ptr<TestClient>> waiters;
  for (int i = 0; i < 5; i++) {
    waiters.push_back(server.Connect());
    waiters.back()->Send(TestClient::Encode({"TBGETDEL", "0", "q"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  auto writer = server.Connect();
  for (int i = 0; i < 5; i++) {
    writer->Call({"TSET", "q", "v" + std::to_string(i)});
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  for (int i = 0; i < 5; i++) {
    Reply r = waiters[i]->Read();
    ASSERT_EQ(r.elements.size(), 2u);
    EXPECT_EQ(r.elements[1].str, "v" + std::to_string(i));
  }
}

// A client blocked on keys of several shards is served exactly once even when
// writers fill all of them at the same time.
TEST(BlockingTest, MultiShardWaitServedOnce) {
  TestServer server(4, RegisterTestCommands);
  std::vector<std::string> keys = {"alpha", "bravo", "charlie", "delta", "echo"};
  for (int round = 0; round < 20; round++) {
    auto waiter = server.Connect();
    std::vector<std::string> cmd = {"TBGETDEL", "0"};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    waiter->Send(TestClient::Encode(cmd));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::vector<std::thread> writers;
    for (const auto& k : keys) {
      writers.emplace_back([&, k] {
        auto w = server.Connect();
        w->Call({"TSET", k, "x"});
      });
    }
    for (auto& t : writers) t.join();
    Reply r = waiter->Read();
    ASSERT_EQ(r.elements.size(), 2u);
    // Exactly one key was consumed.
    auto check = server.Connect();
    std::vector<std::string> exists = {"EXISTS"};
    exists.insert(exists.end(), keys.begin(), keys.end());
    EXPECT_EQ(check->Call(exists).integer, int64_t(keys.size()) - 1);
    check->Call({"FLUSHALL"});
  }
}

TEST(BlockingTest, DisconnectLeavesNothingBehind) {
  TestServer server(4, RegisterTestCommands);
  {
    auto waiter = server.Connect();
    waiter->Send(TestClient::Encode({"TBGETDEL", "0", "gone"}));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto writer = server.Connect();
  writer->Call({"TSET", "gone", "v"});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // Nobody consumed it.
  EXPECT_EQ(writer->Call({"EXISTS", "gone"}).integer, 1);
}

TEST(BlockingTest, ClientUnblockTimeoutAndError) {
  TestServer server(4, RegisterTestCommands);
  auto waiter = server.Connect();
  auto admin = server.Connect();
  int64_t id = waiter->Call({"CLIENT", "ID"}).integer;
  waiter->Send(TestClient::Encode({"TBGETDEL", "0", "nothing"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(admin->Call({"CLIENT", "UNBLOCK", std::to_string(id)}).integer, 1);
  EXPECT_TRUE(waiter->Read().is_null());
  waiter->Send(TestClient::Encode({"TBGETDEL", "0", "nothing"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(admin->Call({"CLIENT", "UNBLOCK", std::to_string(id), "ERROR"}).integer, 1);
  Reply r = waiter->Read();
  EXPECT_EQ(r.type, '-');
  EXPECT_EQ(r.str, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
  EXPECT_EQ(admin->Call({"CLIENT", "UNBLOCK", std::to_string(id)}).integer, 0);
}

TEST(BlockingTest, PipelineAfterBlockingCommandWaits) {
  TestServer server(4, RegisterTestCommands);
  auto waiter = server.Connect();
  auto writer = server.Connect();
  waiter->Send(TestClient::Encode({"TBGETDEL", "0", "p"}) + TestClient::Encode({"GET", "p"}) +
               TestClient::Encode({"PING"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  writer->Call({"TSET", "p", "1"});
  EXPECT_EQ(waiter->Read().elements.size(), 2u);
  EXPECT_TRUE(waiter->Read().is_null());  // GET ran after the pop
  EXPECT_EQ(waiter->Read().str, "PONG");
}

}  // namespace
}  // namespace lodestone::testing

namespace lodestone::testing {
namespace {

// A blocking command that is served at once on the client's own shard must
// not stall the commands pipelined after it (with one thread every command
// runs inline).
TEST(BlockingTest, PipelineContinuesAfterInlineServedBlockingCommand) {
  for (int threads : {1, 4}) {
    TestServer server(threads, RegisterTestCommands);
    auto c = server.Connect();
    c->Send(TestClient::Encode({"TSET", "k", "v"}) + TestClient::Encode({"TBGETDEL", "0", "k"}) +
            TestClient::Encode({"PING"}) + TestClient::Encode({"ECHO", "after"}));
    EXPECT_EQ(c->Read().str, "OK");
    EXPECT_EQ(c->Read().elements.size(), 2u);
    EXPECT_EQ(c->Read().str, "PONG") << threads;
    EXPECT_EQ(c->Read().str, "after") << threads;
  }
}

}  // namespace
}  // namespace lodestone::testing
