// Client-side caching (CLIENT TRACKING): who must hear that a key changed.
//
// Three pieces, placed by which thread touches them:
//   - ClientTracking, inside each Client: the options CLIENT TRACKING set
//     (own thread only).
//   - TrackingTable, one per shard: in default mode the keys of this shard
//     that tracking clients have read (key -> client ids), and in BCAST mode
//     the registered prefixes (prefix -> client ids). Only the shard's thread
//     touches it, or a coordinator while the shard is parked. Like Redis, the
//     table ignores the database: a key name is tracked in all of them.
//   - TrackingRegistry, one per engine: client id -> where its invalidations
//     go (its shard, its redirect and whether NOLOOP/BCAST apply). Any thread
//     reads it when a tracked key changes, under a shared lock; it is written
//     when a client turns tracking on or off, or closes.
//
// A write on any thread looks up the changed key in its shard's table, takes
// the remembered ids, and for each one posts the invalidation straight to the
// shard of the client that receives it (the redirect target when there is
// one), so invalidations from one writer arrive in the order they happened.
// The receiving thread formats it for the client's protocol: a RESP3 push
// `invalidate [keys]`, or a `message` on __redis__:invalidate for a RESP2
// redirect target. A redirect target that has gone away is reported to the
// tracking client as Redis does (`tracking-redir-broken`).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lodestone {

class Engine;
class Shard;
class Client;
class CommandContext;
struct CommandSpec;

// What CLIENT TRACKING ON set for one client. Own thread only.
struct ClientTracking {
  bool bcast = false;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  bool caching = false;  // CLIENT CACHING YES/NO given for the next command
  bool broken_redirect = false;  // the redirect target was found gone
  // What TrackingReaderFor decided for the command being dispatched: EXEC
  // and scripts pass it to TrackingRememberKeys for the commands they run.
  uint64_t command_reader = 0;
  uint64_t redirect_id = 0;
  uint64_t generation = 0;           // tells apart successive enablings
  std::vector<std::string> prefixes;  // BCAST prefixes, sorted
};

// Where one tracking client's invalidations go.
struct TrackingTarget {
  int home_shard = -1;
  uint64_t redirect_id = 0;
  int redirect_shard = -1;
  bool noloop = false;
  bool bcast = false;
  uint64_t generation = 0;
};

class TrackingRegistry {
 public:
  void Set(uint64_t client_id, const TrackingTarget& target);
  void Remove(uint64_t client_id);
  // False if the client does not track.
  bool Find(uint64_t client_id, TrackingTarget* out) const;
  size_t client_count() const { return clients_.load(std::memory_order_relaxed); }

  // Keys in every shard's table together, for tracking-table-max-keys.
  std::atomic<int64_t>& total_keys() { return total_keys_; }
  uint64_t NextGeneration() { return next_generation_.fetch_add(1) + 1; }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<uint64_t, TrackingTarget> targets_;  // guarded by mu_
  std::atomic<size_t> clients_{0};
  std::atomic<int64_t> total_keys_{0};
  std::atomic<uint64_t> next_generation_{0};
};

// One shard's keys read by tracking clients and its BCAST prefixes.
class TrackingTable {
 public:
  // True when a write must look here (anything is tracked).
  bool active() const { return !keys_.empty() || !prefixes_.empty(); }

  // Remembers that `client_id` read `key`. Returns true if the key is new to
  // the table.
  bool Remember(std::string_view key, uint64_t client_id);
  // Forgets `key` and hands back the ids that had read it (empty if none).
  std::vector<uint64_t> Take(std::string_view key);
  // Any key of the table (for eviction), or nullptr when empty.
  const std::string* SomeKey() const;
  // Forgets every key; returns how many there were.
  size_t Clear();

  size_t key_count() const { return keys_.size(); }
  size_t item_count() const { return items_; }

  // BCAST prefixes. A client's entry is removed only by the same generation
  // that added it, so a late removal cannot undo a newer enabling.
  void AddPrefix(const std::string& prefix, uint64_t client_id, uint64_t generation);
  void RemovePrefix(const std::string& prefix, uint64_t client_id, uint64_t generation);
  // Calls fn(client_id, generation) for every client whose prefix `key` starts with.
  template <typename Fn>
  void ForEachPrefixMatch(std::string_view key, Fn&& fn) const {
    for (const auto& [prefix, clients] : prefixes_) {
      if (key.substr(0, prefix.size()) != prefix) continue;
      for (const auto& [id, gen] : clients) fn(id, gen);
    }
  }
  // Notes that `key` changed (by `writer`, 0 for none) under every prefix it
  // matches; the shard announces the keys of each prefix together once per
  // loop iteration, as Redis does before sleeping.
  void NoteBroadcast(std::string_view key, uint64_t writer);
  bool has_broadcasts() const { return !pending_.empty(); }
  // Per prefix: the changed keys, sorted, each with its last writer.
  using PendingBroadcasts = std::map<std::string, std::map<std::string, uint64_t>>;
  PendingBroadcasts TakeBroadcasts() { return std::move(pending_); }
  // The clients registered for `prefix`, as (client id, generation).
  const std::vector<std::pair<uint64_t, uint64_t>>* PrefixClients(const std::string& prefix) const;
  size_t prefix_count() const { return prefixes_.size(); }
  const std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>>& prefixes() const {
    return prefixes_;
  }

  // The client whose command runs as a hop on this shard right now (0 when
  // none), so NOLOOP can recognise its own writes.
  uint64_t current_writer() const { return current_writer_; }
  void set_current_writer(uint64_t id) { current_writer_ = id; }
  // The reader id (TrackingReaderFor) of the hop running now, 0 for none.
  uint64_t current_reader() const { return current_reader_; }
  void set_current_reader(uint64_t id) { current_reader_ = id; }
  // While the shard re-executes a blocked client's command (serving it), the
  // invalidations that command causes for that same client are held back
  // and sent after its reply (TrackingReleaseHeld), as Redis orders them.
  void BeginServing(uint64_t id) {
    current_writer_ = id;
    serving_ = true;
  }
  void EndServing() {
    current_writer_ = 0;
    serving_ = false;
  }
  bool ShouldHold(uint64_t receiver) const { return serving_ && receiver == current_writer_; }
  void Hold(uint64_t receiver, std::string keys) { held_.emplace_back(receiver, std::move(keys)); }
  bool has_held() const { return !held_.empty(); }
  std::vector<std::pair<uint64_t, std::string>> TakeHeld() { return std::move(held_); }

 private:
  std::unordered_map<std::string, std::vector<uint64_t>> keys_;
  size_t items_ = 0;
  // prefix -> (client id, generation)
  std::map<std::string, std::vector<std::pair<uint64_t, uint64_t>>> prefixes_;
  PendingBroadcasts pending_;
  uint64_t current_writer_ = 0;
  uint64_t current_reader_ = 0;
  bool serving_ = false;
  std::vector<std::pair<uint64_t, std::string>> held_;  // (receiver, key array)
};

// ---- Hooks used by the engine -----------------------------------------------

// Client thread, when a command is dispatched: the id under which keys read
// by the command, or by the commands it runs (EXEC, a script), are
// remembered; 0 for none (tracking off, BCAST, or OPTIN/OPTOUT says no).
// Consumes CLIENT CACHING unless `consume_caching` is false (Redis keeps it
// while commands are queued in MULTI, until EXEC) or the command is itself a
// CLIENT subcommand.
uint64_t TrackingReaderFor(Client& client, const CommandSpec& spec, bool consume_caching = true);
inline uint64_t TrackingReaderFor(ClientTracking* t, Client& client, const CommandSpec& spec) {
  return t == nullptr ? 0 : TrackingReaderFor(client, spec);
}

// Whether running `spec` remembers its keys: read-only commands, except
// Pub/Sub ones and read-only scripts (the commands a script runs count).
bool TrackingRemembersKeysOf(const CommandSpec& spec);

// After a command ran for a client whose reader id is `reader` (see
// TrackingReaderFor): remembers its keys if it is one that does. On the keys'
// shard, or on the coordinator (cross_shard) with the shards parked. EXEC and
// scripts call it for each command they run, with the outer command's reader.
void TrackingRememberKeys(Engine& engine, Shard& shard, bool cross_shard, const CommandSpec& spec,
                          const std::vector<std::string_view>& args, uint64_t reader);

// The reader id of the command `ctx` runs (see TrackingReaderFor), for EXEC
// and scripts to pass to TrackingRememberKeys for each command they run.
uint64_t TrackingReaderOf(CommandContext& ctx);

// A key of `shard` changed: invalidates it for everyone who read it and for
// BCAST clients whose prefix matches. `writer` is the client that changed it
// (0 for expiry and eviction). Call only when shard.tracking().active().
void TrackingInvalidateKey(Engine& engine, Shard& shard, std::string_view key, uint64_t writer);
// CommandContext::KeyModified's hook: finds the writer and invalidates.
void TrackingKeyModified(CommandContext& ctx, Shard& shard, std::string_view key);

// While one lives, invalidations for clients of the current thread's shard
// are written at once instead of posted: keys evicted before a command runs
// reach its client before the command's reply, as in Redis.
class DirectInvalidationScope {
 public:
  DirectInvalidationScope();
  ~DirectInvalidationScope();
  DirectInvalidationScope(const DirectInvalidationScope&) = delete;
  DirectInvalidationScope& operator=(const DirectInvalidationScope&) = delete;

 private:
  bool previous_;
};

// FLUSHALL/FLUSHDB: every tracking client is told that all keys are invalid
// (a null), and every table is emptied. REQUIRES: every shard parked.
void TrackingInvalidateAll(Engine& engine);

// Sends BCAST clients the keys changed under their prefixes since the last
// call, one message per prefix: on the shard's thread once per loop iteration
// and after each batch, or by a coordinator for the shards it has parked.
void TrackingFlushBroadcasts(Engine& engine, Shard& shard);

// After a served blocked command's reply was posted: sends the invalidations
// held back (see TrackingTable::BeginServing). Own thread.
void TrackingReleaseHeld(Engine& engine, Shard& shard);

// tracking-table-max-keys: evicts keys of this shard (telling their readers)
// while every shard's tables together hold more keys than allowed.
void TrackingEnforceLimit(Engine& engine, Shard& shard);
// Before a command (queued ones included), as Redis: when the tables hold
// more keys than allowed (the limit was lowered), trims them now, from this
// shard first and then from every shard, delivering the invalidations to
// this thread's clients before the command's reply.
void TrackingEnforceLimitNow(Engine& engine, Shard& own);

// Turns tracking off for a client (CLIENT TRACKING OFF, RESET, close).
// Own thread; when `parked` every shard is parked and prefixes are removed
// at once, otherwise by posting to each shard.
void TrackingDisable(Engine& engine, Client& client, bool parked);

// INFO's figures, summed over every shard. REQUIRES: every shard parked.
struct TrackingInfo {
  uint64_t clients = 0;
  uint64_t keys = 0;
  uint64_t items = 0;
  uint64_t prefixes = 0;
};
TrackingInfo CollectTrackingInfo(Engine& engine);

}  // namespace lodestone
