// Entry allocation. See entry.h.
#include "storage/entry.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace lodestone {

Entry* Entry::Create(std::string_view key, Value value) {
  void* block = std::malloc(sizeof(Entry) + key.size());
  if (block == nullptr) throw std::bad_alloc();
  // The header is constructed in place; the key bytes follow it.
  Entry* entry = new (block) Entry{nullptr, std::move(value), kNoExpire,
                                   kNoTtlIndex, static_cast<uint32_t>(key.size())};
  if (!key.empty()) std::memcpy(reinterpret_cast<char*>(entry + 1), key.data(), key.size());
  return entry;
}

void Entry::Destroy(Entry* entry) {
  if (entry == nullptr) return;
  entry->~Entry();
  std::free(entry);
}

}  // namespace lodestone
