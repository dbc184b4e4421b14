// Maxmemory eviction: choosing and deleting keys until under the limit (see
// evictor.h for how it fits the threads).
#include "engine/evictor.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "common/clock.h"
#include "engine/engine.h"
#include "engine/shard.h"
#include "engine/tracking.h"
#include "server/config.h"
#include "storage/eviction.h"
#include "storage/value.h"

namespace lodestone {
namespace {

bool IsVolatile(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLru || p == MaxmemoryPolicy::kVolatileLfu ||
         p == MaxmemoryPolicy::kVolatileRandom || p == MaxmemoryPolicy::kVolatileTtl;
}

bool IsRandom(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileRandom || p == MaxmemoryPolicy::kAllkeysRandom;
}

bool IsLfu(MaxmemoryPolicy p) {
  return p == MaxmemoryPolicy::kVolatileLfu || p == MaxmemoryPolicy::kAllkeysLfu;
}

// Redis's evictionTimeLimitUs: how long one pass may take, from tenacity
// 0..100 (100: no limit).
int64_t TimeLimitUs(int tenacity) {
  if (tenacity <= 10) return 50 * int64_t(tenacity);
  if (tenacity < 100) return int64_t(500.0 * std::pow(1.15, tenacity - 10));
  return std::numeric_limits<int64_t>::max();
}

// Bytes an evicted entry is taken to free: its own accounting plus its
// bucket slot and a little allocator rounding.
constexpr uint64_t kEntryOverhead = 16;

// The candidates of one database under the policy.
size_t CandidateCount(Db& db, bool volatile_only) {
  return volatile_only ? db.expires_count() : db.size();
}

// One eviction pass over `shards` (all owned by the calling thread now).
class EvictionPass {
 public:
  EvictionPass(Engine& engine, std::vector<Shard*> shards, EvictionPool& pool, int64_t now_ms)
      : cfg_(engine.config()),
        shards_(std::move(shards)),
        pool_(pool),
        now_ms_(now_ms),
        policy_(cfg_.maxmemory_policy),
        volatile_only_(IsVolatile(policy_)) {}

  // Evicts until `to_free` bytes are (estimated) freed, the time limit
  // passes, or nothing is left to evict. Returns the bytes freed.
  uint64_t Run(uint64_t to_free) {
    uint64_t freed = 0;
    int64_t start_us = MonotonicUs();
    int64_t limit_us = TimeLimitUs(cfg_.maxmemory_eviction_tenacity);
    int evicted = 0;
    while (freed < to_free) {
      uint64_t bytes;
      if (!EvictOne(&bytes)) {
        exhausted_ = true;
        break;
      }
      freed += bytes;
      if (++evicted % 16 == 0 && MonotonicUs() - start_us > limit_us) {
        timed_out_ = true;
        break;
      }
    }
    return freed;
  }

  bool exhausted() const { return exhausted_; }
  bool timed_out() const { return timed_out_; }

 private:
  // Picks a key, deletes it; false if there is no candidate at all.
  bool EvictOne(uint64_t* bytes) {
    if (IsRandom(policy_)) return EvictRandom(bytes);
    // Sample until the pool yields a key that still exists (pooled keys
    // may have been deleted since they were sampled).
    for (;;) {
      if (!FillPool()) return false;
      EvictionPool::Candidate c;
      while (pool_.PopBest(&c)) {
        Shard* shard = FindShard(c.shard);
        if (shard == nullptr || c.db >= shard->db_count()) continue;
        Db& db = shard->db(c.db);
        Entry* e = db.Find(c.key);
        if (e == nullptr || (volatile_only_ && !e->has_expire())) continue;
        *bytes = Delete(*shard, c.db, e);
        return true;
      }
    }
  }

  // Random policies: a random key of the next database with candidates,
  // visiting shards and databases in turn across calls.
  bool EvictRandom(uint64_t* bytes) {
    size_t slots = 0;
    for (Shard* s : shards_) slots += size_t(s->db_count());
    for (size_t i = 0; i < slots; i++) {
      size_t slot = next_slot_++ % slots;
      Shard* shard = nullptr;
      int db_index = 0;
      for (Shard* s : shards_) {
        if (slot < size_t(s->db_count())) {
          shard = s;
          db_index = int(slot);
          break;
        }
        slot -= size_t(s->db_count());
      }
      Db& db = shard->db(db_index);
      if (CandidateCount(db, volatile_only_) == 0) continue;
      Entry* e = volatile_only_ ? db.SampleVolatileKey(shard->rng()) : db.SampleAnyKey(shard->rng());
      if (e == nullptr) continue;
      *bytes = Delete(*shard, db_index, e);
      return true;
    }
    return false;
  }

  // Offers maxmemory-samples keys of every database with candidates to the
  // pool. False if no database has any.
  bool FillPool() {
    bool any = false;
    int samples = cfg_.maxmemory_samples > 0 ? cfg_.maxmemory_samples : 5;
    uint32_t now_s = uint32_t(now_ms_ / 1000);
    uint32_t now_min = LfuMinutes(now_ms_);
    for (Shard* shard : shards_) {
      for (int d = 0; d < shard->db_count(); d++) {
        Db& db = shard->db(d);
        size_t n = CandidateCount(db, volatile_only_);
        if (n == 0) continue;
        any = true;
        if (db.size() <= size_t(samples)) {
          // A sample this large would see every key: offer them all.
          db.ForEach([&](Entry* e) {
            if (!volatile_only_ || e->has_expire()) {
              pool_.Offer(Score(db, *e, now_s, now_min), shard->id(), d, e->key());
            }
          });
          continue;
        }
        for (int i = 0; i < samples; i++) {
          Entry* e = volatile_only_ ? db.SampleVolatileKey(shard->rng())
                                    : db.SampleAnyKey(shard->rng());
          if (e == nullptr) continue;
          pool_.Offer(Score(db, *e, now_s, now_min), shard->id(), d, e->key());
        }
      }
    }
    return any;
  }

  uint64_t Score(const Db& db, const Entry& e, uint32_t now_s, uint32_t now_min) const {
    if (policy_ == MaxmemoryPolicy::kVolatileTtl) {
      return std::numeric_limits<uint64_t>::max() - uint64_t(db.GetExpire(&e));
    }
    uint32_t lru = e.value.lru();
    if (IsLfu(policy_)) return 255 - LfuDecayedCount(lru, now_min, cfg_.lfu_decay_time);
    return lru <= now_s ? now_s - lru : 0;
  }

  Shard* FindShard(int id) const {
    for (Shard* s : shards_) {
      if (s->id() == id) return s;
    }
    return nullptr;
  }

  uint64_t Delete(Shard& shard, int db_index, Entry* e) {
    uint64_t bytes = e->MemoryUsage() + kEntryOverhead;
    std::string key(e->key());
    shard.db(db_index).DeleteEntry(e);
    shard.OnKeyEvicted(db_index, key);
    return bytes;
  }

  const ServerConfig& cfg_;
  std::vector<Shard*> shards_;
  EvictionPool& pool_;
  int64_t now_ms_;
  MaxmemoryPolicy policy_;
  bool volatile_only_;
  bool exhausted_ = false;
  bool timed_out_ = false;
  size_t next_slot_ = 0;
};

// The pool of a thread's evictions from its own shard, kept across calls as
// Redis keeps its pool.
thread_local EvictionPool own_pool;

// Records whether memory is over the limit (INFO's eviction_exceeded_time).
void NoteState(Engine& engine, bool over) { engine.NoteOverMaxmemory(over, MonotonicUs()); }

}  // namespace

void ApplyMaxmemoryPolicy(const ServerConfig& cfg) {
  Value::SetLfuClock(IsLfu(cfg.maxmemory_policy));
}

bool PerformEvictions(Shard& self) {
  Engine& engine = self.engine();
  const ServerConfig& cfg = engine.config();
  uint64_t maxmemory = cfg.maxmemory;
  uint64_t used = engine.used_memory();
  if (maxmemory == 0 || used <= maxmemory) {
    NoteState(engine, false);
    return true;
  }
  NoteState(engine, true);
  if (cfg.maxmemory_policy == MaxmemoryPolicy::kNoEviction) return false;
  uint64_t to_free = used - maxmemory;
  int64_t now_ms = WallTimeMs();
  // Runs before a command: its client (and any other client of this
  // thread) hears of the evicted keys before the command's reply.
  DirectInvalidationScope direct_invalidation;
  EvictionPass local(engine, {&self}, own_pool, now_ms);
  uint64_t freed = local.Run(to_free);
  bool timed_out = local.timed_out();
  if (freed < to_free && local.exhausted() && engine.shard_count() > 1) {
    // Our shard has nothing more: take every shard and evict anywhere.
    engine.RunOnAllShards(self, [&] {
      std::vector<Shard*> all;
      for (int i = 0; i < engine.shard_count(); i++) all.push_back(&engine.shard(i));
      EvictionPool pool;
      EvictionPass pass(engine, std::move(all), pool, now_ms);
      freed += pass.Run(to_free - freed);
      timed_out = pass.timed_out();
    });
  }
  engine.NoteMemoryFreed(freed);
  if (freed < to_free && !timed_out) {
    // Out of candidates. The cron's sample may be stale (memory freed
    // since, by FLUSHALL or DEL): read the allocator before refusing.
    engine.RefreshUsedMemory();
    if (engine.used_memory() <= maxmemory) freed = to_free;
  }
  if (freed >= to_free) NoteState(engine, false);
  // Cut short by the time limit counts as progress (Redis's EVICT_RUNNING).
  return freed >= to_free || timed_out;
}

bool EvictHeldShards(Engine& engine) {
  const ServerConfig& cfg = engine.config();
  engine.RefreshUsedMemory();
  uint64_t maxmemory = cfg.maxmemory;
  uint64_t used = engine.used_memory();
  if (maxmemory == 0 || used <= maxmemory) {
    NoteState(engine, false);
    return true;
  }
  NoteState(engine, true);
  if (cfg.maxmemory_policy == MaxmemoryPolicy::kNoEviction) return false;
  uint64_t to_free = used - maxmemory;
  std::vector<Shard*> all;
  for (int i = 0; i < engine.shard_count(); i++) all.push_back(&engine.shard(i));
  EvictionPool pool;
  EvictionPass pass(engine, std::move(all), pool, WallTimeMs());
  uint64_t freed = pass.Run(to_free);
  engine.NoteMemoryFreed(freed);
  if (freed >= to_free) NoteState(engine, false);
  return freed >= to_free || pass.timed_out();
}

}  // namespace lodestone
