// WatchRegistry: one shard's WATCHed keys, (db, key) -> the clients
// watching it, and the rules by which a change to a key makes those
// clients' transactions fail (Redis's multi.c: touchWatchedKey,
// touchAllWatchedKeysInDb, isWatchedKeyExpired).
//
// A client's watch is a WatchState shared between the client and every
// shard holding one of its registrations. A write on any shard's thread (or
// by a coordinator holding that shard) sets its atomic `dirty` flag; the
// client reads it at EXEC. A client that UNWATCHes drops its WatchState and
// starts a fresh one at its next WATCH, so a late removal posted to a remote
// shard can only ever remove registrations of the old state: removals match
// the state's address, which the removal task keeps alive.
//
// Thread safety: like the rest of a shard, touched only by the shard's own
// thread or by a coordinator while the shard is parked.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/db.h"

namespace lodestone {

struct WatchState {
  // Set when a watched key changed: the next EXEC answers a null array.
  std::atomic<bool> dirty{false};
};

class WatchRegistry {
 public:
  explicit WatchRegistry(int databases) : dbs_(size_t(databases)) {}

  // The fast path of every write: true when no key of this shard is watched.
  bool empty() const { return key_count_ == 0; }
  // Distinct (db, key) pairs watched here.
  size_t key_count() const { return key_count_; }
  // Watchers of one key (tests, introspection).
  size_t WatcherCount(int db, std::string_view key) const;

  // Registers `state` as a watcher of `key`, once. `expired` says the key
  // was present but already logically expired at WATCH time: its later
  // deletion is then no change.
  void Add(int db, std::string_view key, const std::shared_ptr<WatchState>& state, bool expired);
  // Removes `state`'s registration of `key`, if any.
  void Remove(int db, std::string_view key, const WatchState* state);

  // A write to `key` (touchWatchedKey). `exists` says whether the key is in
  // its Db after the change (a deletion of a key that was already expired
  // when watched is no change).
  void Touch(int db, std::string_view key, bool exists);
  // Database `db` (whose keys are `emptied`) is being emptied, or replaced
  // by `replaced_with` (SWAPDB), before the change happens
  // (touchAllWatchedKeysInDb). Keys that exist on neither side are no change.
  void TouchAll(int db, Db& emptied, Db* replaced_with, int64_t now_ms);
  // isWatchedKeyExpired for one key: true if `state` watches `key` without
  // the expired-at-WATCH mark and `key` has expired since (lazily unseen).
  bool ExpiredSinceWatch(int db, std::string_view key, const WatchState* state, Db& keys,
                         int64_t now_ms) const;

 private:
  struct Watcher {
    std::shared_ptr<WatchState> state;
    bool expired = false;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using KeyMap = std::unordered_map<std::string, std::vector<Watcher>, Hash, std::equal_to<>>;

  std::vector<KeyMap> dbs_;
  size_t key_count_ = 0;
};

}  // namespace lodestone
