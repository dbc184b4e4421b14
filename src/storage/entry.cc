// Entry allocation and the value tail. See entry.h.
#include "storage/entry.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace lodestone {

namespace {

// A tail string's position is a 32-bit offset from its Value: keys long
// enough to overflow it (4 GiB) keep their strings on the heap.
constexpr size_t kMaxTailKeyLength = UINT32_MAX - sizeof(Entry);

// Allocates a block for `key` with `tail` spare bytes after it and constructs
// the header (owning `value`, no expiry) and the key.
Entry* Allocate(std::string_view key, size_t tail, Value&& value) {
  void* block = std::malloc(sizeof(Entry) + key.size() + tail);
  if (block == nullptr) throw std::bad_alloc();
  Entry* entry = new (block) Entry{nullptr, std::move(value), kNoTtlIndex,
                                   static_cast<uint32_t>(key.size())};
  if (!key.empty()) std::memcpy(reinterpret_cast<char*>(entry + 1), key.data(), key.size());
  return entry;
}

}  // namespace

Entry* Entry::Create(std::string_view key, Value value) {
  if (value.IsHeapEmbstr() && key.size() <= kMaxTailKeyLength) {
    Entry* entry = Allocate(key, value.HeapEmbstrLength(), std::move(value));
    entry->value.MoveBytesToTail(entry->tail());
    return entry;
  }
  return Allocate(key, 0, std::move(value));
}

Entry* Entry::CreateString(std::string_view key, std::string_view bytes) {
  if (!Value::IsTailString(bytes) || key.size() > kMaxTailKeyLength) {
    return Create(key, Value::String(bytes));
  }
  Entry* entry = Allocate(key, bytes.size(), Value());
  entry->value.AssignTail(entry->tail(), bytes);
  return entry;
}

void Entry::Destroy(Entry* entry) {
  if (entry == nullptr) return;
  entry->~Entry();
  std::free(entry);
}

size_t Entry::TailCapacity() const {
  if (key_length > kMaxTailKeyLength) return 0;
  // The allocator's rounding is usable space too (malloc_usable_size's
  // contract), so a block made without a tail may still have room for one.
  return malloc_usable_size(const_cast<Entry*>(this)) - sizeof(Entry) - key_length;
}

void Entry::AssignValue(Value value) {
  if (value.IsHeapEmbstr() && value.HeapEmbstrLength() <= TailCapacity()) {
    this->value = std::move(value);
    this->value.MoveBytesToTail(tail());
    return;
  }
  this->value = std::move(value);
}

void Entry::AssignString(std::string_view bytes) {
  if (Value::IsTailString(bytes) && bytes.size() <= TailCapacity()) {
    value.AssignTail(tail(), bytes);
    return;
  }
  value = Value::String(bytes);
}

}  // namespace lodestone
