// Listpack: a compact sequence of integers and byte strings in one allocation.
//
// The packed form of small lists, hashes, sets and sorted sets (Redis's
// OBJ_ENCODING_LISTPACK). Each entry costs its payload plus two bytes when it
// is small: one encoding byte and one back-length byte, the latter so the
// sequence can be walked from either end. Strings that read as integers under
// Redis's string2ll rules ("12", "-7", not "012" or "-0") are stored as
// integers, in 1 to 9 bytes. Entries use exactly Redis's listpack encoding, so
// RDB files carry our bytes unchanged (see ToRedisFormat); only the header
// differs. The byte format is written out as a grammar at the top of
// listpack.cc.
//
// Cost: reads by Position are O(1); Seek is O(n) (it walks from the nearer
// end); every insertion, replacement and deletion is O(n) (one realloc and one
// memmove of the tail). That is the intended trade: collections stay in this
// form only while they are small (hash-max-listpack-entries and friends).
//
// Thread safety: none; a Listpack belongs to one shard's thread.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/strings.h"

namespace lodestone {

class Listpack {
 public:
  // An entry's content: an int64 or a string of bytes. As read from a listpack
  // the bytes view points into it and stays valid until the listpack is next
  // modified, moved or destroyed. As given to a listpack either form may be
  // used: bytes that parse as an integer are stored as that integer.
  // 16 bytes; pass by value.
  class Value {
   public:
    // Any integer type but bool and char, converted to int64_t.
    // Implicit by design, so that lp.Append(5) and lp.Append("x") read well.
    template <std::integral T>
      requires(!std::same_as<T, bool> && !std::same_as<T, char>)
    Value(T integer) : data_(nullptr), integer_(static_cast<int64_t>(integer)) {}  // NOLINT
    Value(std::string_view bytes)  // NOLINT
        : data_(bytes.data() != nullptr ? bytes.data() : ""), size_(bytes.size()) {}
    Value(const char* bytes) : Value(std::string_view(bytes)) {}         // NOLINT
    Value(const std::string& bytes) : Value(std::string_view(bytes)) {}  // NOLINT

    bool is_int() const { return data_ == nullptr; }
    // REQUIRES: is_int().
    int64_t integer() const { return integer_; }
    // REQUIRES: !is_int().
    std::string_view bytes() const { return std::string_view(data_, size_); }

    // The string form: the bytes, or the integer in decimal written to `buf`
    // (which the returned view then points into).
    std::string_view AsString(char (&buf)[kInt64BufferSize]) const;
    std::string ToString() const;

    // Equal string forms, the comparison Redis's lpCompare and lpFind make:
    // Value(123) == Value("123"), Value(0) != Value("-0").
    bool Equals(std::string_view s) const;
    friend bool operator==(const Value& a, const Value& b);

   private:
    const char* data_;  // nullptr for an integer.
    union {
      size_t size_;
      int64_t integer_;
    };
  };

  // Where an entry starts: a byte offset into the entries, valid until the
  // next modification (each modifying call that takes a Position returns the
  // one to continue with). A default-constructed Position is "none": returned
  // past either end and when a search finds nothing.
  class Position {
   public:
    Position() = default;
    explicit operator bool() const { return offset_ != kNone; }
    friend bool operator==(Position, Position) = default;

   private:
    friend class Listpack;
    static constexpr uint32_t kNone = UINT32_MAX;
    explicit Position(uint32_t offset) : offset_(offset) {}
    uint32_t offset_ = kNone;
  };

  enum class Where { kBefore, kAfter };

  // A bidirectional iterator yielding Values; invalidated by any modification.
  class Iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using reference = Value;
    using pointer = void;

    Iterator() = default;
    Value operator*() const;
    Iterator& operator++();
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    Iterator& operator--();
    Iterator operator--(int) {
      Iterator old = *this;
      --*this;
      return old;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.at_ == b.at_; }
    // The entry this iterator is at. REQUIRES: not end().
    Position position() const { return Position(static_cast<uint32_t>(at_ - entries_)); }

   private:
    friend class Listpack;
    Iterator(const uint8_t* entries, const uint8_t* at) : entries_(entries), at_(at) {}
    const uint8_t* entries_ = nullptr;
    const uint8_t* at_ = nullptr;
  };
  using ReverseIterator = std::reverse_iterator<Iterator>;

  // The largest listpack allowed (Redis's LISTPACK_MAX_SAFETY_SIZE). Callers
  // convert to another encoding before passing it; see SafeToAdd.
  static constexpr size_t kMaxBytes = size_t{1} << 30;

  // An empty listpack; it allocates nothing until the first insertion.
  Listpack() noexcept;
  ~Listpack();
  Listpack(Listpack&& other) noexcept;
  Listpack& operator=(Listpack&& other) noexcept;
  Listpack(const Listpack&) = delete;
  Listpack& operator=(const Listpack&) = delete;
  Listpack Clone() const;

  // Entries. O(1).
  size_t Size() const;
  bool Empty() const { return Size() == 0; }
  // Bytes of the encoded listpack, header included and any front reserve
  // (ReserveBytes) excluded, or what an empty one would take.
  size_t BytesUsed() const;
  // Free bytes held in front of the listpack for Prepend (see DeleteFirst),
  // 0 for most: what its block takes beyond BytesUsed. For memory accounting.
  size_t ReserveBytes() const;
  // Whether `added_bytes` more keep it within kMaxBytes (Redis's lpSafeToAdd).
  bool SafeToAdd(size_t added_bytes) const { return BytesUsed() + added_bytes <= kMaxBytes; }
  // Bytes one entry holding `value` takes: encoding, payload and back-length.
  static size_t EntryBytes(Value value);

  // --- Positions. All O(1) except Seek.
  Position First() const;
  Position Last() const;
  // Neighbours of `p`, or none past either end. REQUIRES: p is an entry.
  Position Next(Position p) const;
  Position Prev(Position p) const;
  // The entry at `index`: 0 is the first, -1 the last; none when out of range.
  // O(min(index, Size() - index)).
  Position Seek(int64_t index) const;

  // --- Reads.
  // REQUIRES: p is an entry.
  Value Get(Position p) const;
  // REQUIRES: -Size() <= index < Size().
  Value Get(int64_t index) const { return Get(Seek(index)); }

  // The first entry at or after `start` (default: the first) whose string form
  // equals `bytes`, looking only at every (skip+1)-th entry: skip 1 searches
  // the fields of a hash stored as field, value, field, value. O(n).
  Position Find(std::string_view bytes, size_t skip = 0) const;
  Position Find(Position start, std::string_view bytes, size_t skip = 0) const;

  Iterator begin() const;
  Iterator end() const;
  ReverseIterator rbegin() const { return ReverseIterator(end()); }
  ReverseIterator rend() const { return ReverseIterator(begin()); }

  // --- Modifications. Each invalidates every Position, Iterator and Value
  // view into this listpack, and is O(n). A Value passed in may itself view
  // into this listpack (moving an element within it); it is copied first.
  // REQUIRES for every insertion: the result stays within kMaxBytes.
  void Append(Value value);
  // Inserts before the first entry. Meant for a list's head: once the
  // entries take 512 bytes or more, it keeps free bytes in front of them
  // (ReserveBytes, at most about half the entries' size), so that repeated
  // prepends cost O(1) amortized instead of moving every entry.
  void Prepend(Value value);
  // Appends `values` in order with one reallocation.
  void Append(std::span<const Value> values);
  // Inserts before or after the entry at `p`; returns the new entry's position.
  Position Insert(Position p, Where where, Value value);
  // Inserts so that the new entry has `index`, 0 <= index <= Size().
  void InsertAt(size_t index, Value value);
  // Overwrites the entry at `p`; returns its (unchanged) position.
  Position Replace(Position p, Value value);
  // REQUIRES: -Size() <= index < Size().
  void ReplaceAt(int64_t index, Value value) { Replace(Seek(index), value); }
  // Removes the entry at `p` and the count - 1 after it (fewer if the end
  // comes first); returns the position of the entry that followed them.
  Position Delete(Position p, size_t count = 1);
  // Removes `count` entries from `index` on (negative: from the end), stopping
  // at the end; Redis's lpDeleteRange. An index out of range removes nothing.
  void DeleteRange(int64_t index, size_t count);
  // Removes the first `count` entries (fewer if there are fewer), as
  // DeleteRange(0, count) does, but O(count) rather than O(n) where the freed
  // bytes can become front reserve for Prepend: the counterpart of Prepend
  // for a list's head. The reserve is given back (ShrinkToFit) once it is
  // larger than the entries left and 512 bytes.
  void DeleteFirst(size_t count = 1);
  // Gives back any front reserve (one copy into an exact block).
  void ShrinkToFit();
  void Clear();

  // --- Redis's own listpack bytes (RDB types 16-20, DEBUG LISTPACK).
  // The exact blob Redis would hold for these entries.
  std::string ToRedisFormat() const;
  // Parses and fully validates an untrusted blob (an RDB payload): every
  // header, length and back-length is checked; nullopt if anything is wrong.
  static std::optional<Listpack> FromRedisFormat(std::string_view blob);

  // Walks the entries both ways and checks every length and the header.
  // For tests; O(n).
  bool CheckConsistency() const;

 private:
  const uint8_t* Entries() const;
  size_t EntryBytesTotal() const;
  // Replaces `remove_bytes` bytes holding `remove_count` entries at entry
  // offset `offset` with the encodings of `values`. Returns `offset`.
  uint32_t Splice(uint32_t offset, size_t remove_bytes, size_t remove_count,
                  std::span<const Value> values);
  bool IsStaticEmpty() const;
  // Writes the header: `total` bytes (reserve excluded), `count` entries, and
  // the reserve's flag and length when `reserve` > 0.
  void StoreHeader(size_t total, size_t count, size_t reserve);
  // Frees the block, reserve included (not kStaticEmpty).
  void FreeBlock();

  // The header; the block starts ReserveBytes() before it.
  uint8_t* data_;
};

}  // namespace lodestone
