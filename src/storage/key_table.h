// KeyTable: the keyspace hash table of one database of one shard.
//
// A chained hash table of Entry* (the chain link lives in the Entry), with
// power-of-two bucket arrays that grow and shrink by incremental rehashing, as
// Redis's dict does: no operation ever moves more than a handful of buckets,
// so latency stays flat while a table of millions of keys doubles. Scan()
// keeps dictScan's guarantee across any number of resizes. The algorithms are
// explained at the top of key_table.cc.
//
// Memory: one bucket pointer per bucket (load factor between 1/8 and 1,
// typically ~0.75, so 8-11 bytes per key) plus the Entry header (entry.h).
//
// Thread safety: none; only the owning shard's thread may call.
// Entry* returned by any method stays valid until that entry is erased (tables
// relink entries, they never move them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "common/random.h"
#include "storage/entry.h"

namespace lodestone {

class KeyTable {
 public:
  KeyTable() = default;
  ~KeyTable();
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  // The process-wide hash seed. Call once at start-up, before any table holds
  // a key (changing it later makes existing keys unfindable). By default it
  // is random per process; a fixed seed makes benchmarks repeatable.
  static void SetHashSeed(uint64_t seed);
  static uint64_t hash_seed();
  // The seeded 64-bit hash used for keys.
  static uint64_t Hash(std::string_view key);
  static uint64_t Hash(std::string_view key, uint64_t seed);

  // The entry for `key`, or nullptr. O(1) expected; may move a bucket of an
  // ongoing rehash.
  Entry* Find(std::string_view key);
  // Creates an entry for `key` owning `value`; returns it.
  // REQUIRES: `key` is absent.
  Entry* Insert(std::string_view key, Value value);
  // Inserts an entry made by Entry::Create (its next field is overwritten).
  // REQUIRES: its key is absent.
  void InsertEntry(Entry* entry);
  // Removes `key` and frees its entry; false if absent.
  bool Erase(std::string_view key);
  // Removes and frees `entry`. REQUIRES: `entry` is in this table.
  void EraseEntry(Entry* entry);
  // Removes `key`'s entry from the table without freeing it and returns it
  // (nullptr if absent); the caller owns it (Entry::Destroy).
  Entry* Unlink(std::string_view key);

  // Prefetch hints for a lookup of a key whose Hash() is `hash`, due soon
  // (a pipelined batch hides its cache misses this way): the bucket slot
  // first; then, once that has had time to arrive, the chain's first entry.
  // Neither changes anything nor rehashes.
  void PrefetchBucket(uint64_t hash) const {
    if (const Entry* const* slot = BucketFor(hash)) __builtin_prefetch(slot);
  }
  void PrefetchChainHead(uint64_t hash) const;
  // The first entry of the chain Find searches first for `hash` (nullptr if
  // none): at load factor <= 1 usually the key's own entry, which is all a
  // prefetch hint needs. During a rehash a key added since it began may sit
  // in the new table's chain instead. No key comparison, no rehash step.
  const Entry* ChainHead(uint64_t hash) const {
    const Entry* const* slot = BucketFor(hash);
    return slot == nullptr ? nullptr : *slot;
  }

  size_t size() const { return used_[0] + used_[1]; }
  bool empty() const { return size() == 0; }
  // Buckets allocated in both tables.
  size_t BucketCount() const { return Buckets(0) + Buckets(1); }
  bool IsRehashing() const { return rehash_index_ >= 0; }
  // Bytes of the bucket arrays (the table's own overhead beyond entries).
  size_t BucketMemory() const { return BucketCount() * sizeof(Entry*); }

  // One step of dictScan. Call with cursor 0 first, then with each returned
  // cursor until it returns 0. Every entry present from the first call to the
  // last is passed to `fn` at least once, whatever inserts, erases and resizes
  // happen between calls; some may be passed more than once. Each call visits
  // one bucket (and, while rehashing, its expansions in the larger table),
  // so may call `fn` zero or several times.
  // `fn` may look keys up and may erase the entry it is given, but must not
  // erase any other entry nor insert.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn);

  // A random entry, or nullptr when empty: a random non-empty bucket, then a
  // random element of its chain (like dictGetRandomKey; entries in long chains
  // are slightly less likely, which is fine at load factor <= 1).
  Entry* RandomEntry(Random& random);

  // Calls fn(Entry*) for every entry. `fn` must not modify the table.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // Frees every entry and the bucket arrays. Returns the number of entries.
  size_t Clear();

  // Moves up to `max_buckets` buckets of an ongoing rehash (visiting at most
  // 10x as many empty ones); if none is in progress, starts a shrink when the
  // table is sparse. Returns true while a rehash is still in progress. The
  // server cron calls it to finish rehashes of idle tables.
  bool RehashStep(int max_buckets);

  // Exchanges the contents of two tables (SWAPDB).
  void Swap(KeyTable& other) noexcept;

 private:
  static constexpr int kInitialExponent = 2;  // 4 buckets.
  // Shrink when fewer than 1 key per kMinFillRatio buckets (12.5% full).
  static constexpr size_t kMinFillRatio = 8;

  size_t Buckets(int t) const { return buckets_[t] == nullptr ? 0 : size_t{1} << exponent_[t]; }
  uint64_t Mask(int t) const { return (uint64_t{1} << exponent_[t]) - 1; }

  // The slot Find searches first for `hash` (in the new table for a bucket
  // already moved by a rehash), or nullptr before the first key.
  const Entry* const* BucketFor(uint64_t hash) const {
    if (buckets_[0] == nullptr) return nullptr;
    uint64_t index = hash & Mask(0);
    if (IsRehashing() && static_cast<int64_t>(index) < rehash_index_) {
      return &buckets_[1][hash & Mask(1)];
    }
    return &buckets_[0][index];
  }
  // The link pointing at `key`'s entry (its predecessor's next, or its
  // bucket), or nullptr if absent. `hash` is Hash(key).
  Entry** FindLink(std::string_view key, uint64_t hash, int* table);
  void RehashStepIfAllowed();
  void MoveBucket(size_t index);
  void CompleteRehashIfDone();
  void ExpandIfNeeded();
  void ShrinkIfNeeded();
  void StartResize(size_t min_buckets);
  void FreeTable(int t);

  Entry** buckets_[2] = {nullptr, nullptr};
  uint8_t exponent_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  // Next bucket of table 0 to move to table 1, or -1 when not rehashing.
  int64_t rehash_index_ = -1;
  // While > 0 (inside Scan's callbacks) no bucket moves and no resize starts.
  int pause_rehash_ = 0;
};

template <typename Fn>
void KeyTable::ForEach(Fn&& fn) const {
  for (int t = 0; t < 2; ++t) {
    size_t n = Buckets(t);
    for (size_t i = 0; i < n; ++i) {
      for (Entry* e = buckets_[t][i]; e != nullptr;) {
        Entry* next = e->next;
        fn(e);
        e = next;
      }
    }
  }
}

}  // namespace lodestone
