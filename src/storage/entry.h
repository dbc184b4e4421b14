// Entry: one key of a database — chain link, value, expiry and key bytes in a
// single allocation.
//
// Layout (64-bit):            offset  size
//   next          Entry*           0     8   KeyTable chain link
//   value         Value            8    16   see value.h
//   expire_at_ms  int64_t         24     8   unix ms, kNoExpire (-1) if none
//   ttl_index     uint32_t        32     4   slot in Db's TTL vector, or kNoTtlIndex
//   key_length    uint32_t        36     4
//   key bytes                     40     key_length (not NUL-terminated)
//
// Memory per key is therefore 40 bytes of header + the key, plus one bucket
// pointer (8 bytes at load factor 1) in the KeyTable, plus the allocator's own
// rounding; short strings (<= 8 bytes) and integers need nothing more.
//
// An Entry never moves while it is in a table (tables relink pointers), so an
// Entry* stays valid until the entry is erased. Only the owning shard's thread
// touches it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/value.h"

namespace lodestone {

inline constexpr int64_t kNoExpire = -1;
inline constexpr uint32_t kNoTtlIndex = UINT32_MAX;

struct Entry {
  Entry* next;
  Value value;
  int64_t expire_at_ms;
  uint32_t ttl_index;
  uint32_t key_length;

  std::string_view key() const {
    return {reinterpret_cast<const char*>(this + 1), key_length};
  }
  bool has_expire() const { return expire_at_ms != kNoExpire; }

  // Allocates an entry holding a copy of `key` and owning `value`; next is
  // nullptr, no expiry. REQUIRES: key.size() < 2^32.
  static Entry* Create(std::string_view key, Value value);
  // Destroys the value and frees the block. Accepts nullptr.
  static void Destroy(Entry* entry);

  // Bytes of the entry block (header + key) plus the value's heap bytes.
  size_t MemoryUsage() const {
    return sizeof(Entry) + key_length + value.MemoryUsage();
  }
};

static_assert(sizeof(Entry) == 40, "Entry header layout changed");

}  // namespace lodestone
