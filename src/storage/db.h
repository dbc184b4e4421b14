// Db: one logical database (SELECT 0..15) of one shard — keys, values, expiry.
//
// The keys live in a KeyTable. Keys with a TTL are also listed in
// `ttl_entries_`, a vector of {Entry*, expire_at_ms} in which each such entry
// knows its own position (Entry::ttl_index): adding is a push_back, removing
// swaps the last element into the hole. The vector is where the expiry time
// lives (entries without a TTL carry only the 4-byte index), and it makes "a
// random key with a TTL" O(1), which is all the active expire cycle needs, at
// 16 bytes per volatile key.
//
// Expiry follows Redis exactly: a key whose expire_at_ms is `when` is expired
// once now_ms > when (db.c keyIsExpired). Lookup() deletes such keys lazily;
// ActiveExpireCycle() finds them by sampling (expire.c activeExpireCycle).
// Neither propagates anything: the engine, told through the expire listener,
// propagates the DEL and fires the "expired" notification.
//
// An Entry* stays valid until that entry is deleted. Besides the explicit
// deletes, Lookup(k) may delete k, RandomKey may delete any expired key, and
// ActiveExpireCycle deletes expired keys; hold no Entry* across the latter two.
//
// Thread safety: none; only the owning shard's thread may call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <string_view>
#include <utility>
#include <vector>

#include "common/random.h"
#include "storage/entry.h"
#include "storage/key_table.h"
#include "storage/value.h"

namespace lodestone {

// Counters Redis reports in INFO stats, summed over databases by the caller.
struct DbStats {
  uint64_t expired_keys = 0;        // Deleted because their TTL passed.
  uint64_t expire_cycle_time_cap_reached = 0;  // Cycles cut short by time.
  uint64_t expired_elements = 0;    // Hash fields removed by active expiry.
};

struct ExpireCycleResult {
  uint64_t sampled = 0;   // Keys with a TTL examined.
  uint64_t expired = 0;   // Of which deleted.
  bool time_limit_reached = false;
};

class Db {
 public:
  // Called with each key just before it is deleted for having expired (lazily
  // or by the active cycle). The view is valid only during the call; the
  // listener must not modify this Db.
  using ExpireListener = std::function<void(std::string_view key)>;
  // Called with each key just added (Add, and Upsert of a new key): the
  // "new" keyspace notification. Same rules as the expire listener.
  using AddListener = std::function<void(std::string_view key)>;

  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // ---- Lookup --------------------------------------------------------------

  // The entry for `key` whether or not it has expired, or nullptr.
  Entry* Find(std::string_view key) { return table_.Find(key); }
  // The entry for `key` if it exists and has not expired at `now_ms`. An
  // expired key is deleted (counting stats().expired_keys and telling the
  // listener) unless expired-key deletion is off (replicas), in which case it
  // is only hidden.
  Entry* Lookup(std::string_view key, int64_t now_ms);
  // Redis's keyIsExpired: has a TTL and now_ms > its expiry time.
  // REQUIRES: entry belongs to this Db.
  bool IsExpired(const Entry* entry, int64_t now_ms) const {
    return entry->has_expire() && now_ms > ttl_entries_[entry->ttl_index].expire_at_ms;
  }

  // ---- Update --------------------------------------------------------------

  // Adds `key` with `value`, no TTL. REQUIRES: Find(key) == nullptr.
  Entry* Add(std::string_view key, Value value);
  // Replaces the value of `entry` (the old one is freed); drops its TTL
  // unless keep_ttl (SET ... KEEPTTL). Like Redis's dbSetValue, the entry
  // keeps the old value's lru field.
  void Overwrite(Entry* entry, Value value, bool keep_ttl);
  // Add and Overwrite with Value::String(bytes), an embstr's bytes going
  // straight into the entry's block (no intermediate heap buffer).
  Entry* AddString(std::string_view key, std::string_view bytes);
  void OverwriteString(Entry* entry, std::string_view bytes, bool keep_ttl);
  // Add or Overwrite by key, ignoring whether an existing key has expired
  // (callers that care have called Lookup first, as Redis's lookupKeyWrite).
  Entry* Upsert(std::string_view key, Value value, bool keep_ttl);
  // Deletes `key` (expired or not); false if absent.
  bool Delete(std::string_view key);
  // Deletes `entry`. REQUIRES: entry belongs to this Db.
  void DeleteEntry(Entry* entry);

  // ---- TTL -----------------------------------------------------------------

  // Sets the absolute expiry time (unix ms). REQUIRES: at_ms >= 0.
  void SetExpire(Entry* entry, int64_t at_ms);
  // Removes the TTL; false if there was none (PERSIST's reply).
  bool RemoveExpire(Entry* entry);
  // Unix ms, or kNoExpire (-1). REQUIRES: entry belongs to this Db.
  int64_t GetExpire(const Entry* entry) const {
    return entry->has_expire() ? ttl_entries_[entry->ttl_index].expire_at_ms : kNoExpire;
  }

  // ---- Whole database --------------------------------------------------------

  size_t size() const { return table_.size(); }
  size_t expires_count() const { return ttl_entries_.size(); }
  // One step of SCAN over the keys, with KeyTable::Scan's guarantee and rules
  // for `fn`. Expired keys are passed too; the caller filters them.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) {
    return table_.Scan(cursor, fn);
  }
  // Calls fn(Entry*) for every key (KEYS, snapshots). `fn` must not modify
  // this Db.
  template <typename Fn>
  void ForEach(Fn&& fn) const { table_.ForEach(std::forward<Fn>(fn)); }
  // A random key that has not expired at `now_ms`, or nullptr if none (dbRandomKey).
  // Expired keys met on the way are deleted (or, with deletion off, skipped
  // for at most 100 tries, after which an expired key may be returned when
  // every key has a TTL, as Redis does on replicas).
  Entry* RandomKey(Random& random, int64_t now_ms);
  // Eviction sampling: any key (expired or not), or any key with a TTL;
  // nullptr when there is none. Deletes nothing.
  Entry* SampleAnyKey(Random& random) { return table_.RandomEntry(random); }
  Entry* SampleVolatileKey(Random& random) {
    if (ttl_entries_.empty()) return nullptr;
    return ttl_entries_[random.Uniform(ttl_entries_.size())].entry;
  }
  // Deletes every key; returns how many there were.
  size_t Clear();
  // Exchanges the whole contents (keys, TTL index, avg_ttl) with `other`
  // (SWAPDB). Stats and listener stay with their Db.
  void SwapWith(Db& other) noexcept;

  // ---- Background work (server cron) --------------------------------------

  // Redis's active expiry for one database: repeatedly samples up to
  // `keys_per_loop` keys with a TTL, deletes the expired ones, and goes on
  // while more than `acceptable_stale_percent` of a sample had expired and
  // the time budget lasts (checked every 16 loops, as Redis does).
  ExpireCycleResult ActiveExpireCycle(int64_t now_ms, int64_t time_budget_us,
                                      Random& random, int keys_per_loop = 20,
                                      int acceptable_stale_percent = 10);
  // Moves a few buckets of an ongoing table rehash; true while one remains.
  bool RehashStep(int max_buckets = 100) { return table_.RehashStep(max_buckets); }

  // Keys whose collection has elements with their own TTL (hash fields).
  // Add/Overwrite track them automatically; commands that give an existing
  // collection its first such element call TrackVolatile.
  void TrackVolatile(std::string_view key);
  // Called by ActiveExpireElements for each key that lost elements, before
  // it is deleted when `emptied`. Same rules as the expire listener.
  using ElementsExpiredFn = std::function<void(std::string_view key, bool emptied)>;
  // Active expiry of such elements: purges up to `max_elements`, deleting
  // keys left empty. Returns the number purged. Called from the cron.
  size_t ActiveExpireElements(int64_t now_ms, size_t max_elements,
                              const ElementsExpiredFn& on_expired = {});
  size_t volatile_key_count() const { return volatile_keys_.size(); }

  // ---- Settings and statistics ----------------------------------------------

  // Replicas keep expired keys until the primary's DEL arrives.
  void set_delete_expired(bool on) { delete_expired_ = on; }
  bool delete_expired() const { return delete_expired_; }
  void set_expire_listener(ExpireListener listener) { listener_ = std::move(listener); }
  void set_add_listener(AddListener listener) { add_listener_ = std::move(listener); }
  const DbStats& stats() const { return stats_; }
  // Estimated mean remaining TTL in ms of keys with a TTL, maintained by the
  // active cycle as Redis does (INFO keyspace avg_ttl); 0 if unknown.
  int64_t avg_ttl_ms() const { return avg_ttl_ms_; }
  // Bytes of table bucket arrays and the TTL index (not the entries).
  size_t OverheadMemory() const {
    return table_.BucketMemory() + ttl_entries_.capacity() * sizeof(TtlSlot);
  }
  const KeyTable& table() const { return table_; }
  // O(n) self-check for tests and DEBUG: every key with a TTL is in the TTL
  // index at its recorded position, and nothing else is.
  bool CheckTtlIndex() const;

 private:
  // A key with a TTL: ttl_entries_[entry->ttl_index].entry == entry.
  struct TtlSlot {
    Entry* entry;
    int64_t expire_at_ms;
  };

  void AddToTtlIndex(Entry* entry, int64_t at_ms);
  void RemoveFromTtlIndex(Entry* entry);
  // Deletes an expired entry: listener, stats, then the delete itself.
  void ExpireEntry(Entry* entry);

  KeyTable table_;
  std::vector<TtlSlot> ttl_entries_;
  std::unordered_set<std::string> volatile_keys_;
  DbStats stats_;
  int64_t avg_ttl_ms_ = 0;
  bool delete_expired_ = true;
  ExpireListener listener_;
  AddListener add_listener_;
};

}  // namespace lodestone
