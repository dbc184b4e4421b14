#include "engine/watch_registry.h"

#include <algorithm>

namespace lodestone {

size_t WatchRegistry::WatcherCount(int db, std::string_view key) const {
  const KeyMap& keys = dbs_[size_t(db)];
  auto it = keys.find(key);
  return it == keys.end() ? 0 : it->second.size();
}

void WatchRegistry::Add(int db, std::string_view key, const std::shared_ptr<WatchState>& state,
                        bool expired) {
  KeyMap& keys = dbs_[size_t(db)];
  auto it = keys.find(key);
  if (it == keys.end()) {
    it = keys.emplace(std::string(key), std::vector<Watcher>{}).first;
    key_count_++;
  }
  for (const Watcher& w : it->second) {
    if (w.state == state) return;
  }
  it->second.push_back(Watcher{state, expired});
}

void WatchRegistry::Remove(int db, std::string_view key, const WatchState* state) {
  KeyMap& keys = dbs_[size_t(db)];
  auto it = keys.find(key);
  if (it == keys.end()) return;
  std::vector<Watcher>& watchers = it->second;
  watchers.erase(std::remove_if(watchers.begin(), watchers.end(),
                                [&](const Watcher& w) { return w.state.get() == state; }),
                 watchers.end());
  if (watchers.empty()) {
    keys.erase(it);
    key_count_--;
  }
}

void WatchRegistry::Touch(int db, std::string_view key, bool exists) {
  if (key_count_ == 0) return;
  KeyMap& keys = dbs_[size_t(db)];
  auto it = keys.find(key);
  if (it == keys.end()) return;
  for (Watcher& w : it->second) {
    if (w.expired && !exists) {
      // The key was already logically gone when watched; deleting it changes
      // nothing. From now on it is an ordinary missing key.
      w.expired = false;
      continue;
    }
    w.state->dirty.store(true, std::memory_order_relaxed);
  }
}

void WatchRegistry::TouchAll(int db, Db& emptied, Db* replaced_with, int64_t now_ms) {
  KeyMap& keys = dbs_[size_t(db)];
  for (auto& [key, watchers] : keys) {
    bool in_emptied = emptied.Find(key) != nullptr;
    Entry* replacement = replaced_with ? replaced_with->Find(key) : nullptr;
    if (!in_emptied && replacement == nullptr) continue;
    bool replacement_expired =
        replacement != nullptr && replaced_with->IsExpired(replacement, now_ms);
    for (Watcher& w : watchers) {
      if (w.expired) {
        if (replacement == nullptr) {
          w.expired = false;  // an expired key deleted: no logical change
          continue;
        }
        if (replacement_expired) continue;  // still logically absent
      } else if (!in_emptied && replacement_expired) {
        w.expired = true;  // a missing key replaced by an expired one
        continue;
      }
      w.state->dirty.store(true, std::memory_order_relaxed);
    }
  }
}

bool WatchRegistry::ExpiredSinceWatch(int db, std::string_view key, const WatchState* state,
                                      Db& keys_db, int64_t now_ms) const {
  const KeyMap& keys = dbs_[size_t(db)];
  auto it = keys.find(key);
  if (it == keys.end()) return false;
  for (const Watcher& w : it->second) {
    if (w.state.get() != state) continue;
    if (w.expired) return false;
    Entry* e = keys_db.Find(key);
    return e != nullptr && keys_db.IsExpired(e, now_ms);
  }
  return false;
}

}  // namespace lodestone
