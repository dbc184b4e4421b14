// Db: keys, TTL index and expiry of one database. See db.h.
#include "storage/db.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "common/clock.h"

namespace lodestone {

// ---- TTL index -------------------------------------------------------------

void Db::AddToTtlIndex(Entry* entry, int64_t at_ms) {
  if (ttl_entries_.size() >= kNoTtlIndex) throw std::length_error("TTL index full");
  ttl_entries_.push_back(TtlSlot{entry, at_ms});
  entry->ttl_index = static_cast<uint32_t>(ttl_entries_.size() - 1);
}

void Db::RemoveFromTtlIndex(Entry* entry) {
  uint32_t index = entry->ttl_index;
  if (index == kNoTtlIndex) return;
  const TtlSlot& last = ttl_entries_.back();
  last.entry->ttl_index = index;
  ttl_entries_[index] = last;
  ttl_entries_.pop_back();
  entry->ttl_index = kNoTtlIndex;
}

void Db::SetExpire(Entry* entry, int64_t at_ms) {
  if (entry->has_expire()) {
    ttl_entries_[entry->ttl_index].expire_at_ms = at_ms;
  } else {
    AddToTtlIndex(entry, at_ms);
  }
}

bool Db::RemoveExpire(Entry* entry) {
  if (!entry->has_expire()) return false;
  RemoveFromTtlIndex(entry);
  return true;
}

bool Db::CheckTtlIndex() const {
  for (size_t i = 0; i < ttl_entries_.size(); ++i) {
    const TtlSlot& slot = ttl_entries_[i];
    if (slot.entry->ttl_index != i || slot.expire_at_ms < 0) return false;
  }
  size_t with_ttl = 0;
  bool ok = true;
  table_.ForEach([&](const Entry* entry) {
    if (entry->has_expire()) {
      ++with_ttl;
      ok &= entry->ttl_index < ttl_entries_.size() && ttl_entries_[entry->ttl_index].entry == entry;
    }
  });
  return ok && with_ttl == ttl_entries_.size();
}

// ---- Lookup and update ---------------------------------------------------

Entry* Db::Lookup(std::string_view key, int64_t now_ms) {
  Entry* entry = table_.Find(key);
  if (entry == nullptr) return nullptr;
  if (IsExpired(entry, now_ms)) {
    if (delete_expired_) ExpireEntry(entry);
    return nullptr;
  }
  return entry;
}

Entry* Db::Add(std::string_view key, Value value) {
  bool is_volatile = !value.IsString() && value.collection()->HasVolatileElements();
  Entry* entry = table_.Insert(key, std::move(value));
  if (is_volatile) TrackVolatile(key);
  if (add_listener_) add_listener_(key);
  return entry;
}

Entry* Db::AddString(std::string_view key, std::string_view bytes) {
  Entry* entry = Entry::CreateString(key, bytes);
  table_.InsertEntry(entry);
  if (add_listener_) add_listener_(key);
  return entry;
}

void Db::OverwriteString(Entry* entry, std::string_view bytes, bool keep_ttl) {
  uint32_t lru = entry->value.lru();
  entry->AssignString(bytes);
  entry->value.set_lru(lru);
  if (!keep_ttl) RemoveExpire(entry);
}

void Db::Overwrite(Entry* entry, Value value, bool keep_ttl) {
  uint32_t lru = entry->value.lru();
  entry->AssignValue(std::move(value));
  entry->value.set_lru(lru);
  if (!keep_ttl) RemoveExpire(entry);
  if (!entry->value.IsString() && entry->value.collection()->HasVolatileElements()) {
    TrackVolatile(entry->key());
  }
}

void Db::TrackVolatile(std::string_view key) { volatile_keys_.emplace(key); }

// Visits tracked keys, purging expired elements; forgets keys that are gone
// or have no volatile elements left, and deletes keys left empty.
size_t Db::ActiveExpireElements(int64_t now_ms, size_t max_elements,
                                const ElementsExpiredFn& on_expired) {
  size_t purged = 0;
  for (auto it = volatile_keys_.begin(); it != volatile_keys_.end() && purged < max_elements;) {
    Entry* entry = table_.Find(*it);
    if (entry == nullptr || entry->value.IsString() ||
        !entry->value.collection()->HasVolatileElements()) {
      it = volatile_keys_.erase(it);
      continue;
    }
    Collection* c = entry->value.collection();
    size_t n = c->PurgeExpired(now_ms, max_elements - purged);
    purged += n;
    stats_.expired_elements += n;
    if (n > 0 && on_expired) on_expired(*it, c->IsEmpty());
    if (c->IsEmpty()) {
      DeleteEntry(entry);
      it = volatile_keys_.erase(it);
      continue;
    }
    ++it;
  }
  return purged;
}

Entry* Db::Upsert(std::string_view key, Value value, bool keep_ttl) {
  Entry* entry = table_.Find(key);
  if (entry == nullptr) return Add(key, std::move(value));
  Overwrite(entry, std::move(value), keep_ttl);
  return entry;
}

bool Db::Delete(std::string_view key) {
  Entry* entry = table_.Unlink(key);
  if (entry == nullptr) return false;
  RemoveFromTtlIndex(entry);
  Entry::Destroy(entry);
  return true;
}

void Db::DeleteEntry(Entry* entry) {
  RemoveFromTtlIndex(entry);
  table_.EraseEntry(entry);
}

void Db::ExpireEntry(Entry* entry) {
  if (listener_) listener_(entry->key());
  ++stats_.expired_keys;
  DeleteEntry(entry);
}

// ---- Whole database ------------------------------------------------------

Entry* Db::RandomKey(Random& random, int64_t now_ms) {
  constexpr int kMaxTries = 100;
  bool all_volatile = table_.size() == ttl_entries_.size();
  int tries = 0;
  while (true) {
    Entry* entry = table_.RandomEntry(random);
    if (entry == nullptr || !IsExpired(entry, now_ms)) return entry;
    if (delete_expired_) {
      // Each miss deletes a key, so this ends when the keys run out.
      ExpireEntry(entry);
      continue;
    }
    if (++tries >= kMaxTries) return all_volatile ? entry : nullptr;
  }
}

size_t Db::Clear() {
  volatile_keys_.clear();
  ttl_entries_.clear();
  ttl_entries_.shrink_to_fit();
  avg_ttl_ms_ = 0;
  return table_.Clear();
}

void Db::SwapWith(Db& other) noexcept {
  table_.Swap(other.table_);
  ttl_entries_.swap(other.ttl_entries_);
  volatile_keys_.swap(other.volatile_keys_);
  std::swap(avg_ttl_ms_, other.avg_ttl_ms_);
}

// ---- Active expiry ---------------------------------------------------------

// Redis samples the expires dict with a scan cursor; our TTL index lets us
// draw uniformly instead (with replacement, which at 20 draws from a set of
// any useful size makes no difference to the stale estimate).
ExpireCycleResult Db::ActiveExpireCycle(int64_t now_ms, int64_t time_budget_us,
                                        Random& random, int keys_per_loop,
                                        int acceptable_stale_percent) {
  ExpireCycleResult result;
  if (!delete_expired_) return result;
  const int64_t start_us = MonotonicUs();
  for (int iteration = 1;; ++iteration) {
    if (ttl_entries_.empty()) {
      avg_ttl_ms_ = 0;
      break;
    }
    uint64_t sampled = 0;
    uint64_t expired = 0;
    int64_t ttl_sum_ms = 0;
    int64_t ttl_samples = 0;
    size_t wanted = std::min(ttl_entries_.size(), static_cast<size_t>(keys_per_loop));
    for (size_t i = 0; i < wanted && !ttl_entries_.empty(); ++i) {
      const TtlSlot slot = ttl_entries_[random.Uniform(ttl_entries_.size())];
      ++sampled;
      if (now_ms > slot.expire_at_ms) {
        ExpireEntry(slot.entry);
        ++expired;
      } else {
        ttl_sum_ms += slot.expire_at_ms - now_ms;
        ++ttl_samples;
      }
    }
    result.sampled += sampled;
    result.expired += expired;

    // Running average: the new estimate weighs 2%, as in Redis.
    if (ttl_samples > 0) {
      int64_t average = ttl_sum_ms / ttl_samples;
      avg_ttl_ms_ = avg_ttl_ms_ == 0 ? average : avg_ttl_ms_ / 50 * 49 + average / 50;
    }

    bool repeat = sampled > 0 &&
                  expired * 100 / sampled > static_cast<uint64_t>(acceptable_stale_percent);
    if (!repeat) break;
    if ((iteration & 0xf) == 0 && MonotonicUs() - start_us > time_budget_us) {
      result.time_limit_reached = true;
      ++stats_.expire_cycle_time_cap_reached;
      break;
    }
  }
  return result;
}

}  // namespace lodestone
