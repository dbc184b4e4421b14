// SCAN and RANDOMKEY over a database split across shards. See keyspace_scan.h.
#include "commands/keyspace_scan.h"

#include <limits>

#include "common/strings.h"

namespace lodestone {

uint64_t ScanDatabases(const std::vector<Db*>& dbs, uint64_t cursor, int64_t count,
                       const ScanFilter& filter, int64_t now_ms, std::vector<std::string>* keys) {
  const int shard_count = static_cast<int>(dbs.size());
  ShardCursor position = DecodeScanCursor(cursor, shard_count);
  // Which shard each collected key came from, for the expiry pass below.
  std::vector<int> owners;
  int64_t sampled = 0;
  // Like Redis, give up after 10 * COUNT buckets so that a sparse table (or a
  // filter that drops everything) cannot stall the shards for long.
  int64_t max_iterations =
      count > std::numeric_limits<int64_t>::max() / 10 ? std::numeric_limits<int64_t>::max()
                                                       : count * 10;
  bool finished = false;
  do {
    Db* db = dbs[position.shard];
    position.table_cursor = db->Scan(position.table_cursor, [&](Entry* entry) {
      ++sampled;
      if (filter.use_type && entry->value.type() != filter.type) return;
      std::string_view key = entry->key();
      if (filter.use_pattern && !StringMatch(filter.pattern, key, false)) return;
      keys->emplace_back(key);
      owners.push_back(position.shard);
    });
    if (position.table_cursor == 0) {
      // This shard is done; the next one starts at its table's beginning.
      if (++position.shard == shard_count) finished = true;
    }
  } while (!finished && max_iterations-- > 0 && sampled < count);

  // Expired keys are deleted and left out, after the walk (deleting from the
  // table inside Scan's callback is allowed only for the visited entry, and
  // Lookup is the one place that knows how to expire a key).
  size_t kept = 0;
  for (size_t i = 0; i < keys->size(); ++i) {
    if (dbs[owners[i]]->Lookup((*keys)[i], now_ms) == nullptr) continue;
    if (kept != i) (*keys)[kept] = std::move((*keys)[i]);
    ++kept;
  }
  keys->resize(kept);
  return finished ? 0 : EncodeScanCursor(position, shard_count);
}

Entry* RandomKeyAcross(const std::vector<Db*>& dbs, Random& random, int64_t now_ms) {
  std::vector<bool> excluded(dbs.size(), false);
  while (true) {
    uint64_t total = 0;
    for (size_t i = 0; i < dbs.size(); ++i) {
      if (!excluded[i]) total += dbs[i]->size();
    }
    if (total == 0) return nullptr;
    uint64_t pick = random.Uniform(total);
    size_t shard = 0;
    for (;; ++shard) {
      if (excluded[shard]) continue;
      if (pick < dbs[shard]->size()) break;
      pick -= dbs[shard]->size();
    }
    Entry* entry = dbs[shard]->RandomKey(random, now_ms);
    if (entry != nullptr) return entry;
    // Every key there had expired (and is now deleted), or, on a replica that
    // keeps expired keys, none could be found: draw among the others.
    excluded[shard] = true;
  }
}

bool ParseTypeName(std::string_view name, ObjType* type) {
  static constexpr struct {
    std::string_view name;
    ObjType type;
  } kTypes[] = {
      {"string", ObjType::kString}, {"list", ObjType::kList}, {"set", ObjType::kSet},
      {"zset", ObjType::kZSet},     {"hash", ObjType::kHash}, {"stream", ObjType::kStream},
  };
  for (const auto& t : kTypes) {
    if (EqualsIgnoreCase(name, t.name)) {
      *type = t.type;
      return true;
    }
  }
  return false;
}

}  // namespace lodestone
