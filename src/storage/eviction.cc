// LFU counter arithmetic and the eviction pool (see eviction.h).
#include "storage/eviction.h"

#include <utility>

namespace lodestone {

uint32_t LfuMinutes(int64_t now_ms) {
  return uint32_t(uint64_t(now_ms / 60000) & 0xFFFF);
}

uint32_t LfuElapsedMinutes(uint32_t last, uint32_t now_minutes) {
  if (now_minutes >= last) return now_minutes - last;
  return 0xFFFF - last + now_minutes;  // the 16-bit clock wrapped
}

uint32_t LfuDecayedCount(uint32_t lfu, uint32_t now_minutes, int64_t decay_minutes) {
  uint32_t counter = lfu & 0xFF;
  if (decay_minutes <= 0) return counter;
  uint64_t periods = LfuElapsedMinutes((lfu >> 8) & 0xFFFF, now_minutes) / uint64_t(decay_minutes);
  return periods >= counter ? 0 : counter - uint32_t(periods);
}

uint32_t LfuIncrement(uint32_t counter, int64_t log_factor, double r) {
  if (counter >= 255) return 255;
  double base = counter > kLfuInitCounter ? double(counter - kLfuInitCounter) : 0.0;
  double p = 1.0 / (base * double(log_factor) + 1.0);
  return r < p ? counter + 1 : counter;
}

uint32_t LfuTouch(uint32_t lfu, int64_t now_ms, int64_t log_factor, int64_t decay_minutes,
                  double r) {
  uint32_t now_minutes = LfuMinutes(now_ms);
  uint32_t counter = LfuDecayedCount(lfu, now_minutes, decay_minutes);
  counter = LfuIncrement(counter, log_factor, r);
  return now_minutes << 8 | counter;
}

void EvictionPool::Offer(uint64_t score, int shard, int db, std::string_view key) {
  for (int i = 0; i < size_; i++) {
    if (slots_[i].shard == shard && slots_[i].db == db && slots_[i].key == key) return;
  }
  // Position: the first slot whose score is not below ours.
  int pos = 0;
  while (pos < size_ && slots_[pos].score < score) pos++;
  if (size_ == kPoolSize) {
    if (pos == 0) return;  // worse than everything pooled
    // Drop the worst (slot 0) by shifting the lower part left.
    pos--;
    for (int i = 0; i < pos; i++) slots_[i] = std::move(slots_[i + 1]);
  } else {
    for (int i = size_; i > pos; i--) slots_[i] = std::move(slots_[i - 1]);
    size_++;
  }
  Candidate& c = slots_[pos];
  c.score = score;
  c.shard = shard;
  c.db = db;
  c.key.assign(key.data(), key.size());
}

bool EvictionPool::PopBest(Candidate* out) {
  if (size_ == 0) return false;
  *out = std::move(slots_[--size_]);
  return true;
}

}  // namespace lodestone
