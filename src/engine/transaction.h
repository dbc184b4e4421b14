// Transaction: one client's MULTI state (the queued commands, which own
// their arguments because the query buffer is reused) and its WATCHed keys.
//
// How it fits the threads. Every operation here runs on the client's own
// thread. WATCH registers each key with the WatchRegistry of the key's shard
// while holding those shards (a cross-shard execution, inline when every key
// is local). EXEC runs the whole transaction as ONE cross-shard execution
// over the shards of every queued command's keys and of the watched keys
// (every shard if a queued command is kAllShards): the watch check, the
// commands and the unwatch happen with those shards held, so no other client
// sees a partial transaction. UNWATCH, DISCARD, RESET and disconnect remove
// the registrations on the client's shard directly and post their removal to
// other shards (see watch_registry.h for why that is safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/watch_registry.h"

namespace lodestone {

class CommandContext;
class Engine;
class Shard;
struct CommandSpec;

class Transaction {
 public:
  // --- MULTI state ---
  bool active() const { return active_; }
  // A command was rejected while queueing: EXEC will answer EXECABORT.
  bool aborted() const { return aborted_; }
  void Begin() { active_ = true; }
  // Redis's flagTransaction: a rejected command inside MULTI.
  void FlagError() {
    if (active_) aborted_ = true;
  }
  // Copies the command into the queue (nothing is kept once aborted or
  // already doomed by a touched watched key).
  void Queue(const CommandSpec& spec, const std::vector<std::string_view>& args);
  size_t queued_count() const { return queue_.size(); }
  // Bytes of queued arguments (CLIENT LIST multi-mem).
  size_t queued_bytes() const { return queued_bytes_; }
  // The flags of every queued command ORed together.
  uint64_t queued_flags() const { return queued_flags_; }

  // --- WATCH state ---
  // Keys watched and not yet known to be touched (CLIENT LIST watch=, INFO).
  size_t watched_count() const { return dirty() ? 0 : watched_.size(); }
  bool dirty() const { return state_ && state_->dirty.load(std::memory_order_relaxed); }
  const std::set<std::pair<int, std::string>>& watched_keys() const { return watched_; }

  // --- Commands; `ctx.client` owns this transaction ---
  void Multi(CommandContext& ctx);
  void Exec(CommandContext& ctx);
  void Discard(CommandContext& ctx);
  void Watch(CommandContext& ctx);
  void Unwatch(CommandContext& ctx);

  // Drops the MULTI state and every watch (RESET, disconnect). `home` is the
  // client's shard; runs on its thread.
  void Reset(Shard& home);

 private:
  struct QueuedCommand {
    const CommandSpec* spec;
    std::vector<std::string> args;
  };
  void ClearQueue();
  // Removes every registration: on `home` directly, elsewhere by a posted
  // task (or directly when `held`: the caller holds every watched shard).
  void UnwatchAll(Engine& engine, Shard& home, bool held);
  // isWatchedKeyExpired. REQUIRES: every watched key's shard held.
  bool AnyWatchedKeyExpired(Engine& engine, int64_t now_ms) const;

  bool active_ = false;
  bool aborted_ = false;
  std::vector<QueuedCommand> queue_;
  size_t queued_bytes_ = 0;
  uint64_t queued_flags_ = 0;
  std::shared_ptr<WatchState> state_;  // null until the first WATCH
  std::set<std::pair<int, std::string>> watched_;
};

}  // namespace lodestone
