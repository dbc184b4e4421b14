// Eviction building blocks that need no threads: the LFU counter arithmetic
// and the eviction pool.
//
// LFU data lives in a Value's 32-bit lru field as (minutes << 8) | counter:
// 16 bits of "last decrement time" in minutes (wrapping) and an 8-bit
// logarithmic access counter. A new key starts at kLfuInitCounter so that it
// is not evicted before it had a chance to be read. Each access first decays
// the counter by one per `decay_minutes` elapsed, then increments it with a
// probability 1 / ((counter - init) * log_factor + 1), so the counter grows
// roughly logarithmically with the number of accesses and saturates at 255.
//
// The eviction pool (Redis's evictionPoolEntry array) keeps the best
// candidates seen by sampling, across calls: each round samples a few keys
// per database and offers them; the pool keeps the kPoolSize with the highest
// score ("idle": the larger, the better to evict), sorted ascending, and the
// evictor takes them from the end. Entries are keys by name (with their
// database): a key may be gone, or changed, by the time it is picked; the
// caller checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lodestone {

inline constexpr uint32_t kLfuInitCounter = 5;

// Minutes since the epoch, modulo 2^16 (the LFU clock).
uint32_t LfuMinutes(int64_t now_ms);
// Minutes elapsed since `last` on the wrapping 16-bit clock.
uint32_t LfuElapsedMinutes(uint32_t last, uint32_t now_minutes);
// The counter of `lfu` after decay (does not update anything).
uint32_t LfuDecayedCount(uint32_t lfu, uint32_t now_minutes, int64_t decay_minutes);
// One logarithmic increment of `counter`; `r` is uniform in [0, 1).
uint32_t LfuIncrement(uint32_t counter, int64_t log_factor, double r);
// The lru field after an access: decayed, incremented, stamped now.
uint32_t LfuTouch(uint32_t lfu, int64_t now_ms, int64_t log_factor, int64_t decay_minutes,
                  double r);
// The lru field of a new object under an LFU policy.
inline uint32_t LfuNew(int64_t now_ms) { return LfuMinutes(now_ms) << 8 | kLfuInitCounter; }

class EvictionPool {
 public:
  static constexpr int kPoolSize = 16;

  struct Candidate {
    uint64_t score = 0;  // larger: evict first
    int shard = 0;
    int db = 0;
    std::string key;
  };

  // Offers a sampled key. Kept if the pool has room or it beats the worst
  // candidate (which is then dropped). A key already pooled is not added
  // twice.
  void Offer(uint64_t score, int shard, int db, std::string_view key);
  // Takes the best candidate (highest score); false if the pool is empty.
  bool PopBest(Candidate* out);
  int size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void Clear() { size_ = 0; }
  // Candidates in ascending score order (tests).
  const Candidate& at(int i) const { return slots_[i]; }

 private:
  Candidate slots_[kPoolSize];
  int size_ = 0;
};

}  // namespace lodestone
