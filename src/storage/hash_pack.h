// HashPack: the packed form of a small hash without field TTLs (what OBJECT
// ENCODING calls "listpack").
//
// Redis keeps a small hash as a listpack of field, value, field, value in
// insertion order. We keep the same order in one allocation, with the
// layout of the sorted sets' ZSetPack: each field is front-coded against the
// previous field and each value against the previous value (the count of
// shared leading bytes, then the rest). Fields of one hash tend to share a
// prefix ("field:1", "field:2") and so do values written by one program
// ("value:0000001230", "value:0000001231"), so a pair commonly takes 6-10
// bytes where a listpack takes 25-30: 100,000 hashes of 10 such pairs drop
// from a 320-byte allocation each to a 96-byte one. The format is written
// out at the top of hash_pack.cc.
//
// Front coding makes access sequential: reads walk the pairs rebuilding each
// field and value in the cursor's buffers; a new field is appended in place,
// other changes re-encode the block.
// Both are O(n), as with a listpack; hashes stay in this form only while
// they are small (hash-max-listpack-entries / -value).
//
// Thread safety: none; a HashPack belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lodestone {

class HashPack {
 public:
  // The largest block allowed, as Redis's listpacks (LISTPACK_MAX_SAFETY_SIZE).
  static constexpr size_t kMaxBytes = size_t{1} << 30;

  using Pairs = std::vector<std::pair<std::string, std::string>>;

  // Walks the pairs in order. Views are valid until the next Next() call
  // (or the pack changes).
  class Cursor {
   public:
    explicit Cursor(const HashPack& pack);
    // Moves to the next pair (the first, on the first call); false at the end.
    bool Next();
    std::string_view field() const { return field_; }
    std::string_view value() const { return value_; }

   private:
    const uint8_t* p_;
    const uint8_t* end_;
    std::string field_;
    std::string value_;
  };

  HashPack() noexcept = default;
  ~HashPack();
  HashPack(HashPack&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
  HashPack& operator=(HashPack&& other) noexcept;
  HashPack(const HashPack&) = delete;
  HashPack& operator=(const HashPack&) = delete;
  HashPack Clone() const;

  size_t Size() const;
  bool Empty() const { return data_ == nullptr; }
  // Bytes allocated (0 when empty).
  size_t BytesUsed() const;
  // Whether `added` more payload bytes keep it within kMaxBytes.
  bool SafeToAdd(size_t added) const { return BytesUsed() + added <= kMaxBytes; }

  // Copies the value of `field` into *value; false if absent.
  bool Find(std::string_view field, std::string* value) const;
  // Sets a field (appended when new, in place otherwise); true if new.
  bool Set(std::string_view field, std::string_view value);
  // Removes a field; false if absent.
  bool Erase(std::string_view field);
  // Every pair, in order.
  Pairs Decode() const;
  // Replaces the contents with `pairs` (distinct fields).
  void Assign(const Pairs& pairs);
  void Clear();

 private:
  // Adds one encoded pair at the end, the pack then holding new_count pairs.
  void AppendEncoded(size_t new_count, std::string_view pair);

  uint8_t* data_ = nullptr;  // count:varint payload_size:varint payload
};

}  // namespace lodestone
