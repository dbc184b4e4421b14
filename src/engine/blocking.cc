#include "engine/blocking.h"

#include <algorithm>

namespace lodestone {

std::string BlockingRegistry::MapKey(int db, std::string_view key) {
  std::string k = std::to_string(db);
  k.push_back(':');
  k.append(key);
  return k;
}

std::vector<std::string> BlockingRegistry::KeysInDb(int db) const {
  std::string prefix = MapKey(db, "");
  std::vector<std::string> keys;
  for (const auto& [k, queue] : waiters_) {
    if (k.compare(0, prefix.size(), prefix) == 0) keys.push_back(k.substr(prefix.size()));
  }
  return keys;
}

void BlockingRegistry::Register(int db, std::string_view key, std::shared_ptr<BlockedClient> bc) {
  waiters_[MapKey(db, key)].push_back(std::move(bc));
}

void BlockingRegistry::SignalReady(int db, std::string_view key) {
  if (waiters_.empty()) return;
  if (waiters_.find(MapKey(db, key)) == waiters_.end()) return;
  for (const auto& [d, k] : ready_) {
    if (d == db && k == key) return;
  }
  ready_.emplace_back(db, std::string(key));
}

std::vector<std::pair<int, std::string>> BlockingRegistry::TakeReady() {
  std::vector<std::pair<int, std::string>> out;
  out.swap(ready_);
  return out;
}

std::deque<std::shared_ptr<BlockedClient>>* BlockingRegistry::Waiters(int db, std::string_view key) {
  auto it = waiters_.find(MapKey(db, key));
  return it == waiters_.end() ? nullptr : &it->second;
}

void BlockingRegistry::Purge() {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    auto& q = it->second;
    q.erase(std::remove_if(q.begin(), q.end(),
                           [](const auto& bc) { return bc->claimed.load(std::memory_order_acquire); }),
            q.end());
    if (q.empty()) {
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace lodestone
