// Entry: one key of a database — chain link, value, key bytes and a short
// string value's bytes in a single allocation.
//
// Layout (64-bit):            offset  size
//   next          Entry*           0     8   KeyTable chain link
//   value         Value            8    16   see value.h
//   ttl_index     uint32_t        24     4   slot in Db's TTL index, or kNoTtlIndex
//   key_length    uint32_t        28     4
//   key bytes                     32     key_length (not NUL-terminated)
//   tail                    32 + key_length   an embstr value's bytes (9..44)
//
// The expiry time itself is not here: a key with a TTL has a slot in its Db's
// TTL index (entry pointer + expire_at_ms, 16 bytes), and ttl_index says which
// (Db::GetExpire). Keys without a TTL, the common case, pay 4 bytes for it.
//
// A string value of 9..44 bytes (Redis's embstr, when it is not an integer)
// is stored in the tail, so key and value are one allocation: a 16-byte key
// with a 16-byte value is a 64-byte block. Integers and strings of up to 8
// bytes live inside the Value, longer strings (raw) and collections in their
// own allocations. When the value is replaced (AssignValue, AssignString) a
// new embstr reuses the tail if the block has room (malloc_usable_size), and
// otherwise goes to a heap buffer; the block is never reallocated, since
// Entry* must stay valid.
//
// Memory per key is therefore 32 bytes of header + the key (+ an embstr's
// bytes), plus one bucket pointer (8 bytes at load factor 1) in the KeyTable,
// plus the allocator's rounding, plus 16 bytes in the TTL index for a key with
// a TTL.
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
  uint32_t ttl_index;
  uint32_t key_length;

  std::string_view key() const {
    return {reinterpret_cast<const char*>(this + 1), key_length};
  }
  // Whether the key has a TTL (its expiry time is in the Db's TTL index).
  bool has_expire() const { return ttl_index != kNoTtlIndex; }

  // Allocates an entry holding a copy of `key` and owning `value` (an embstr
  // moves into the tail); next is nullptr, no expiry. REQUIRES: key.size() < 2^32.
  static Entry* Create(std::string_view key, Value value);
  // Create(key, Value::String(bytes)) without the intermediate heap buffer.
  static Entry* CreateString(std::string_view key, std::string_view bytes);
  // Destroys the value and frees the block. Accepts nullptr.
  static void Destroy(Entry* entry);

  // Replaces the value (the old one is freed), moving an embstr into the
  // tail when it fits. The lru field comes with the new value.
  void AssignValue(Value value);
  // AssignValue(Value::String(bytes)), without the intermediate buffer when
  // the tail has room.
  void AssignString(std::string_view bytes);

  // Bytes of the entry block (header + key) plus the value's bytes (in the
  // tail or on the heap).
  size_t MemoryUsage() const {
    return sizeof(Entry) + key_length + value.MemoryUsage();
  }

 private:
  char* tail() { return reinterpret_cast<char*>(this + 1) + key_length; }
  // Bytes of the block after the key (0 when allocated without a tail).
  size_t TailCapacity() const;
};

static_assert(sizeof(Entry) == 32, "Entry header layout changed");

}  // namespace lodestone
