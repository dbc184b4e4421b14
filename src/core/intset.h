// IntSet: a sorted array of distinct integers in one allocation.
//
// The packed form of small sets whose members are all integers (Redis's
// OBJ_ENCODING_INTSET). Every element has the width of the widest one: 16,
// 32 or 64 bits. Adding a value that does not fit widens the whole array
// once (the value then goes at one end, since it lies outside the old range);
// removing never narrows it, as in Redis. The block is byte for byte Redis's
// intset (RDB type 11):
//
//   intset := width:u32 count:u32 value[count]
//             width is 2, 4 or 8; each value a little-endian two's complement
//             integer of that many bytes; values strictly ascending.
//
// Cost: Contains is a binary search, O(log n); Add and Remove move the tail,
// O(n); Get is O(1). 8 bytes of header, then 2, 4 or 8 bytes per element.
//
// Thread safety: none; an IntSet belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/random.h"

namespace lodestone {

class IntSet {
 public:
  // Bytes before the elements: width and count.
  static constexpr size_t kHeaderSize = 8;

  // An empty set; it allocates nothing until the first Add.
  IntSet() noexcept;
  ~IntSet();
  IntSet(IntSet&& other) noexcept;
  IntSet& operator=(IntSet&& other) noexcept;
  IntSet(const IntSet&) = delete;
  IntSet& operator=(const IntSet&) = delete;
  IntSet Clone() const;

  // Inserts `value`; false if it was already present.
  bool Add(int64_t value);
  // Removes `value`; false if it was absent.
  bool Remove(int64_t value);
  bool Contains(int64_t value) const { return Find(value).has_value(); }
  // The index of `value`, if present. O(log n).
  std::optional<size_t> Find(int64_t value) const;

  // The element at `index` in ascending order. REQUIRES: index < Size().
  int64_t Get(size_t index) const;
  // REQUIRES: index < Size().
  void RemoveAt(size_t index);
  // REQUIRES: !Empty().
  int64_t Min() const { return Get(0); }
  int64_t Max() const { return Get(Size() - 1); }
  // A uniformly chosen element. REQUIRES: !Empty().
  int64_t Random(lodestone::Random& rng) const;

  size_t Size() const;
  bool Empty() const { return Size() == 0; }
  // Bytes per element: 2, 4 or 8.
  size_t Width() const;
  // Bytes of the block, header included (what an empty one would take, when
  // nothing is allocated).
  size_t BytesUsed() const { return kHeaderSize + Size() * Width(); }

  // Redis's intset blob for these elements: a view of our own block, valid
  // until the next modification.
  std::string_view RedisFormat() const;
  // Parses and fully validates an untrusted blob (an RDB payload) as Redis's
  // intsetValidateIntegrity does in deep mode: known width, exact size, not
  // empty, strictly ascending. nullopt if anything is wrong.
  static std::optional<IntSet> FromRedisFormat(std::string_view blob);

 private:
  // The index `value` has or would have; sets *found.
  size_t Search(int64_t value, bool* found) const;
  void Set(size_t index, int64_t value);
  void Resize(size_t width, size_t count);
  bool IsStaticEmpty() const;

  uint8_t* data_;
};

}  // namespace lodestone
