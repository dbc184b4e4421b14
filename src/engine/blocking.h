// Blocking commands across shards (BLPOP, BLMOVE, BZPOPMIN, ...).
//
// A handler that finds nothing to serve calls CommandContext::BlockOn. The
// client's thread then creates a BlockedClient (the command and its
// arguments, owned) and registers it with the BlockingRegistry of every
// shard that owns one of its keys. From then on the client processes no
// further input.
//
// Exactly-once service. Everything that may end the wait (a shard serving
// it, the timeout, CLIENT UNBLOCK, a disconnect) first claims the
// BlockedClient by flipping `claimed` from false to true; only the winner
// acts. A shard that claimed it but finds nothing to serve after all gives
// the claim back.
//
// Serving. A write that may unblock someone calls SignalKeyReady; the key's
// shard then walks the key's waiters in FIFO order and, for each one it can
// claim, executes the blocked command again on its own thread (all of the
// command's keys are on this shard) and posts the reply to the client's
// thread. It stops at the first waiter the command cannot serve, so FIFO
// order holds. A command whose keys span several shards cannot run on one
// of them: the shard claims it and posts a retry to the client's thread,
// which runs it as a cross-shard command and blocks again if needed (at the
// back of the queues).
//
// Registration races with writes: a key may be filled between the moment the
// command found it empty and the moment the registration reaches the key's
// shard. So registering treats a key that exists as ready.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lodestone {

struct CommandSpec;

struct BlockedClient {
  int home_shard = -1;
  uint64_t client_id = 0;
  const CommandSpec* spec = nullptr;
  std::vector<std::string> args;  // the command, owned
  int db = 0;
  int resp = 2;
  int64_t deadline_ms = 0;        // 0 = forever
  bool single_shard = true;       // every key on one shard: it serves in place
  std::vector<std::string> keys;
  // What the client gets on timeout, as RESP; empty means a null array
  // (WAIT answers with a count instead).
  std::string timeout_reply;
  // ACL: the client's user, and whether its rules were checked as they
  // stand now. The command is checked again when it is served unless the
  // user was unrestricted and no user changed since (acl_generation).
  std::string username;
  bool acl_unrestricted = false;
  uint64_t acl_generation = 0;
  std::atomic<bool> claimed{false};

  bool TryClaim() {
    bool expected = false;
    return claimed.compare_exchange_strong(expected, true, std::memory_order_acq_rel);
  }
  void Unclaim() { claimed.store(false, std::memory_order_release); }
};

// A shard's waiters, by database and key. Own thread only (or a coordinator
// holding the shard parked).
class BlockingRegistry {
 public:
  void Register(int db, std::string_view key, std::shared_ptr<BlockedClient> bc);
  // A write made `key` possibly able to serve a waiter.
  void SignalReady(int db, std::string_view key);
  bool HasReady() const { return !ready_.empty(); }
  // Takes the keys signalled since the last call.
  std::vector<std::pair<int, std::string>> TakeReady();
  std::deque<std::shared_ptr<BlockedClient>>* Waiters(int db, std::string_view key);
  // Drops claimed (finished) waiters; removes empty queues.
  void Purge();
  size_t key_count() const { return waiters_.size(); }
  // The keys of database `db` that have waiters (SWAPDB signals those that
  // exist after the swap).
  std::vector<std::string> KeysInDb(int db) const;

 private:
  static std::string MapKey(int db, std::string_view key);
  std::unordered_map<std::string, std::deque<std::shared_ptr<BlockedClient>>> waiters_;
  std::vector<std::pair<int, std::string>> ready_;
};

}  // namespace lodestone
