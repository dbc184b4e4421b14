// StringSet: a compact hash set of byte strings — the "hashtable" encoding of
// large sets (Redis's dict with no values).
//
// Layout. One array of 8-byte slots, open addressing with linear probing, a
// power-of-two capacity kept at most 3/4 full. A slot is one of:
//   0                 empty;
//   low bit 1         an inline member of up to 7 bytes: byte 0 is
//                     (length << 1) | 1, bytes 1..7 the member, zero-padded;
//   low bit 0         a pointer to a malloc'd block holding the member's length
//                     (LEB128) then its bytes, in the low 48 bits, and the top
//                     16 bits of the member's hash (a tag that lets most probes
//                     skip the block) in the high 16 bits.
// So a member costs its slot (8 bytes at load 1, ~14 on average) plus, above 7
// bytes, one block of length + 1..2 bytes; there is no per-member node, next
// pointer or cached hash. Pointer tagging assumes user-space addresses fit in
// 48 bits (x86-64 and AArch64 Linux with the default address-space layout);
// Insert checks it.
//
// Deletion uses backward shifting, so every member stays reachable from its
// home slot (hash & mask) through occupied slots only; no tombstones. That
// invariant is what makes Scan work: a cursor names a home slot, and one step
// visits the members whose home it is (the run of occupied slots from it), in
// Redis's reverse-binary cursor order. As with dictScan, every member present
// for the whole scan is returned at least once, across any resizes between
// calls, because a member's home in a table of 2^k slots is the low k bits of
// its hash.
//
// Resizes rehash the whole table at once (O(n), no incremental rehashing);
// the table grows at 3/4 full and shrinks below 1/8 full.
//
// Thread safety: none; a StringSet belongs to one shard's thread. Views
// returned by any method are valid until the set is next modified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "common/random.h"

namespace lodestone {

class StringSet {
 public:
  StringSet() = default;
  ~StringSet();
  StringSet(StringSet&& other) noexcept;
  StringSet& operator=(StringSet&& other) noexcept;
  StringSet(const StringSet&) = delete;
  StringSet& operator=(const StringSet&) = delete;
  StringSet Clone() const;

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }

  // True if added, false if already present. O(1) expected.
  bool Insert(std::string_view member);
  // True if removed, false if absent. O(1) expected.
  bool Erase(std::string_view member);
  bool Contains(std::string_view member) const;
  // Prefetch hints for a lookup of `member` due soon (a pipelined batch
  // overlaps their cache misses): stage 0 its home slot; stage 1, once that
  // has arrived, the block of the member stored there if its tag matches.
  void Prefetch(std::string_view member, int stage) const;
  // Makes room for `n` members without further growth.
  void Reserve(size_t n);
  void Clear();

  // A uniformly random member. REQUIRES: !empty().
  std::string_view RandomMember(Random& random) const;

  // One step of a scan (see the top of this file): calls fn(member) for the
  // members whose home is the cursor's slot and returns the next cursor, 0
  // when the scan is complete. `fn` must not modify the set.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const;

  // Calls fn(member) for every member. If fn returns bool, returning false
  // stops the walk. `fn` must not modify the set.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // Heap bytes: the slot array and the member blocks (rounded as malloc's
  // small size classes round), not counting sizeof(StringSet).
  size_t MemoryUsage() const;

 private:
  static constexpr uint64_t kPointerMask = (uint64_t{1} << 48) - 1;

  static bool IsInline(uint64_t slot) { return (slot & 1) != 0; }
  static std::string_view SlotMember(const uint64_t& slot);
  // The inline encoding of `member`. REQUIRES: member.size() <= 7.
  static uint64_t InlineSlot(std::string_view member);
  static uint64_t HashOf(std::string_view member);
  size_t Home(uint64_t slot) const { return HashOf(SlotMember(slot)) & (capacity_ - 1); }

  // The index of `member`'s slot, or the empty slot where it would go;
  // *found says which. REQUIRES: capacity_ > 0.
  size_t Probe(std::string_view member, uint64_t hash, bool* found) const;
  void Rehash(size_t new_capacity);
  // Frees the blocks of every slot (not the array).
  void FreeBlocks();
  static void FreeSlot(uint64_t slot);
  static size_t BlockBytes(size_t length);
  static uint64_t NextCursor(uint64_t cursor, uint64_t mask);

  uint64_t* slots_ = nullptr;
  size_t capacity_ = 0;  // 0 or a power of two.
  size_t size_ = 0;
  size_t block_bytes_ = 0;  // Sum of BlockBytes over heap members.
};

template <typename Fn>
uint64_t StringSet::Scan(uint64_t cursor, Fn&& fn) const {
  if (size_ == 0) return 0;
  const uint64_t mask = capacity_ - 1;
  const size_t home = cursor & mask;
  for (size_t i = home; slots_[i] != 0; i = (i + 1) & mask) {
    if (Home(slots_[i]) == home) fn(SlotMember(slots_[i]));
  }
  return NextCursor(cursor, mask);
}

template <typename Fn>
void StringSet::ForEach(Fn&& fn) const {
  for (size_t i = 0; i < capacity_; ++i) {
    if (slots_[i] == 0) continue;
    if constexpr (std::is_same_v<std::invoke_result_t<Fn, std::string_view>, bool>) {
      if (!fn(SlotMember(slots_[i]))) return;
    } else {
      fn(SlotMember(slots_[i]));
    }
  }
}

}  // namespace lodestone
