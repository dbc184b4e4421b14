// Evictor: maxmemory eviction (Redis's evict.c performEvictions), per shard.
//
// Memory is global (Engine::used_memory, the allocator's figure sampled by
// shard 0's cron) but keys belong to shards, and only a shard's own thread,
// or a coordinator holding it parked, may touch them. So:
//   - Before a command runs (Client::Dispatch), when used memory is over
//     maxmemory, the client's thread evicts from its own shard, which it
//     owns at that moment. Only when its shard has nothing left to evict
//     (no keys, or no keys with a TTL for volatile-*) does it take every
//     shard (Engine::RunOnAllShards) and evict from all of them.
//   - CONFIG SET maxmemory runs with every shard parked already and evicts
//     from all of them at once (EvictHeldShards).
// Candidates are chosen as Redis does: for the random policies one random
// key, otherwise `maxmemory-samples` keys sampled per database offered to an
// eviction pool (storage/eviction.h) that keeps the best candidates across
// calls (one pool per thread for its own shard). Scores: idle seconds for
// LRU, 255 - decayed counter for LFU, the earliest expire time for
// volatile-ttl.
//
// How much an eviction frees is estimated from the entry's own accounting
// (Entry::MemoryUsage plus table overhead); the evictor stops once the
// estimate covers the excess and lowers the shared used-memory figure by
// what it freed, so that the following commands do not evict again before
// the cron samples the allocator anew. A pass is also bounded in time by
// maxmemory-eviction-tenacity and always ends when nothing is evictable.
#pragma once

#include <vector>

namespace lodestone {

class Engine;
class Shard;
struct ServerConfig;

// Makes new values start with LFU data when the policy is an LFU one (after
// loading the configuration and after CONFIG SET).
void ApplyMaxmemoryPolicy(const ServerConfig& cfg);

// Own thread of `self`, not inside a cross-shard execution. Evicts while the
// used memory is over maxmemory. Returns false when still over the limit and
// nothing more could be evicted (noeviction, or no candidate keys): a
// command that may grow memory is then refused with the OOM error.
// REQUIRES: config().maxmemory > 0.
bool PerformEvictions(Shard& self);

// With every shard held (an all-shards execution such as CONFIG SET):
// refreshes the used-memory figure and evicts from every shard until under
// maxmemory or out of candidates. Returns PerformEvictions's verdict.
bool EvictHeldShards(Engine& engine);

}  // namespace lodestone
