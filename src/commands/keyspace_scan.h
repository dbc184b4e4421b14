// Walking one logical database that is split across shards: the SCAN cursor,
// KEYS, and RANDOMKEY over the per-shard parts of database N.
//
// THE CURSOR
//
// Database N is the union of shard 0's, shard 1's, ... database N, each a
// KeyTable with its own dictScan-style cursor (storage/key_table.h). SCAN
// walks the shards in order and, within a shard, follows that table's cursor;
// the client's cursor carries both:
//
//     cursor = table_cursor * shard_count + shard
//
// Cursor 0 is shard 0 at table cursor 0, the start; when a shard's table
// cursor comes back to 0 the walk moves to the next shard at table cursor 0,
// and after the last shard the reply's cursor is 0, the end. A key belongs to
// one shard for its whole life (its hash slot fixes it), and within that shard
// the table cursor gives KeyTable::Scan's guarantee across inserts, deletes and
// resizes, so every key present from the first call to the last is returned
// at least once, as Redis promises. Any 64-bit number decodes to some valid
// position (the table masks the cursor), so, as in Redis, a made-up cursor is
// never an error; only a non-number is.
//
// The helpers take the databases as a vector indexed by shard and must run
// with every one of them owned by the caller (a kAllShards command).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/random.h"
#include "storage/db.h"
#include "storage/value.h"

namespace lodestone {

struct ShardCursor {
  int shard = 0;
  uint64_t table_cursor = 0;
};

// REQUIRES: shard_count > 0.
inline ShardCursor DecodeScanCursor(uint64_t cursor, int shard_count) {
  auto n = static_cast<uint64_t>(shard_count);
  return {static_cast<int>(cursor % n), cursor / n};
}
// REQUIRES: 0 <= c.shard < shard_count and table_cursor small enough not to
// overflow (table cursors are below the bucket count).
inline uint64_t EncodeScanCursor(ShardCursor c, int shard_count) {
  return c.table_cursor * static_cast<uint64_t>(shard_count) + static_cast<uint64_t>(c.shard);
}

// What SCAN keeps of the keys it visits.
struct ScanFilter {
  std::string_view pattern;  // glob; ignored unless use_pattern
  bool use_pattern = false;
  bool use_type = false;
  ObjType type = ObjType::kString;  // when use_type
};

// One SCAN call: visits buckets from `cursor` until `count` keys have been
// sampled (matching or not), 10 * count buckets have been visited, or the
// walk ends. Keys that pass the filter are appended to *keys, except those
// that have expired at now_ms, which are deleted (Db::Lookup) and left out.
// Returns the cursor for the next call, 0 when the walk is over.
// REQUIRES: !dbs.empty(), count >= 1.
uint64_t ScanDatabases(const std::vector<Db*>& dbs, uint64_t cursor, int64_t count,
                       const ScanFilter& filter, int64_t now_ms, std::vector<std::string>* keys);

// KEYS: calls fn(key) for every key that matches `pattern` and has not
// expired at now_ms (expired keys are skipped, not deleted, as Redis does).
// A lone "*" matches everything, including the empty key.
template <typename Fn>
void ForEachMatchingKey(const std::vector<Db*>& dbs, std::string_view pattern, int64_t now_ms,
                        Fn&& fn);

// RANDOMKEY: picks a shard with probability proportional to the size of its
// database, then a random key of it (Db::RandomKey, which deletes expired keys
// it meets). Shards that turn out to hold no live key are left out and the
// draw repeats. Returns nullptr when no live key exists anywhere.
Entry* RandomKeyAcross(const std::vector<Db*>& dbs, Random& random, int64_t now_ms);

// Redis's getObjectTypeByName (case-insensitive); false if unknown.
bool ParseTypeName(std::string_view name, ObjType* type);

}  // namespace lodestone

#include "common/glob.h"

namespace lodestone {

template <typename Fn>
void ForEachMatchingKey(const std::vector<Db*>& dbs, std::string_view pattern, int64_t now_ms,
                        Fn&& fn) {
  const bool all_keys = pattern == "*";
  for (Db* db : dbs) {
    db->ForEach([&](const Entry* entry) {
      std::string_view key = entry->key();
      if (!all_keys && !StringMatch(pattern, key, false)) return;
      if (db->IsExpired(entry, now_ms)) return;
      fn(key);
    });
  }
}

}  // namespace lodestone
