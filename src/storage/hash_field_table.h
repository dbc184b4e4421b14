// HashFieldTable: the large encoding of a hash (Redis's OBJ_ENCODING_HT).
//
// A chained hash table whose nodes hold everything about one field in a
// single allocation:
//
//   node := next:Node* flags:u8 [expire_at_ms:i64 when flags & kHasTtl]
//           field_len:varint value_len:varint field value
//
// so a field of 7 bytes with a 16-byte value costs 34 bytes plus its bucket
// pointer, where Redis pays a dictEntry, an mstr field and an sds value
// (three allocations). A field without a TTL pays nothing for TTL support.
//
// Fields with a TTL are also listed in an ordered index (expire time, node),
// created on the first TTL and freed with the last, so the earliest TTL is
// O(1) to read and expired fields are removed in TTL order (active expiry).
//
// The bucket array is a power of two at load factor <= 1; it doubles when
// full and shrinks when under 1/8 full, rehashing everything at once (a hash
// is one key: its resize is bounded by its own size). Scan() uses Redis's
// reverse-binary cursor (dictScan), which with a single table guarantees that
// every field present for the whole scan is returned at least once, whatever
// resizes happen between calls.
//
// Node pointers are valid until the node is erased or its value replaced.
// Thread safety: none; a table belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

#include "common/random.h"

namespace lodestone {

class HashFieldTable {
 public:
  // No TTL (the same value as kNoExpire in entry.h).
  static constexpr int64_t kNoTtl = -1;

  // A field as stored; read through the accessors below.
  struct Node;

  HashFieldTable() = default;
  ~HashFieldTable();
  HashFieldTable(const HashFieldTable&) = delete;
  HashFieldTable& operator=(const HashFieldTable&) = delete;
  std::unique_ptr<HashFieldTable> Clone() const;

  static std::string_view FieldOf(const Node* node);
  static std::string_view ValueOf(const Node* node);
  // The field's absolute expiry time in unix ms, or kNoTtl.
  static int64_t ExpireOf(const Node* node);

  size_t size() const { return size_; }
  size_t bucket_count() const { return buckets_ == nullptr ? 0 : bucket_mask_ + 1; }
  // Fields that carry a TTL.
  size_t volatile_count() const { return ttl_index_ ? ttl_index_->size() : 0; }
  // The earliest TTL of any field, or kNoTtl.
  int64_t MinExpire() const;

  // Makes room for `n` fields without further growth.
  void Reserve(size_t n);

  // The node of `field`, or nullptr. O(1) expected.
  const Node* Find(std::string_view field) const;
  // Prefetch hints for a lookup of `field` due soon: stage 0 its bucket;
  // stage 1, once that has arrived, the first node of the bucket's chain.
  void Prefetch(std::string_view field, int stage) const;

  // Sets `field` to `value`. A new field gets `expire_at_ms` (kNoTtl: none).
  // An existing field gets the new value and, unless keep_ttl, `expire_at_ms`
  // too. Returns true when the field was created.
  bool Set(std::string_view field, std::string_view value, int64_t expire_at_ms = kNoTtl,
           bool keep_ttl = false);
  // Changes the TTL of an existing field (kNoTtl removes it); false if absent.
  bool SetExpire(std::string_view field, int64_t expire_at_ms);
  // Removes `field`; false if absent.
  bool Erase(std::string_view field);
  // Removes up to `max` fields whose TTL is before `now_ms` (expire_at_ms <
  // now_ms), earliest first, calling on_erase(field) for each just before.
  // Returns how many were removed.
  template <typename Fn>
  size_t EraseExpired(int64_t now_ms, size_t max, Fn&& on_erase);
  // Fields whose TTL is before `now_ms`, without removing them. O(expired).
  size_t CountExpired(int64_t now_ms) const;

  // Calls fn(const Node*) for every field, in table order. `fn` must not
  // modify the table.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // One step of dictScan: visits one bucket (and, if the table shrank since
  // the cursor was issued, nothing is lost) and returns the next cursor, 0
  // when done. fn(const Node*) must not modify the table.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, Fn&& fn) const;

  // A random field: a random non-empty bucket, then a random node of its
  // chain. REQUIRES: size() > 0.
  const Node* RandomNode(Random& random) const;

  // Heap bytes: bucket array, nodes, TTL index, and the table object.
  size_t MemoryUsage() const;

 private:
  using TtlIndex = std::set<std::pair<int64_t, const Node*>>;

  static uint64_t ReverseBits(uint64_t v);
  static Node* NewNode(std::string_view field, std::string_view value, int64_t expire_at_ms);
  static void FreeNode(Node* node);
  static Node*& NextOf(Node* node);
  static Node* NextOf(const Node* node);
  static size_t NodeBytes(const Node* node);
  uint64_t BucketOf(std::string_view field) const;
  // The link that points at `field`'s node (a bucket or a predecessor's next),
  // or nullptr when absent.
  Node** FindLink(std::string_view field) const;
  void Resize(size_t buckets);
  void GrowIfNeeded();
  void ShrinkIfNeeded();
  void IndexAdd(const Node* node);
  void IndexRemove(const Node* node);
  // Unlinks and frees the node `*link` points at.
  void EraseAt(Node** link);

  Node** buckets_ = nullptr;
  uint64_t bucket_mask_ = 0;
  size_t size_ = 0;
  std::unique_ptr<TtlIndex> ttl_index_;
};

// ---- Template members ----------------------------------------------------

template <typename Fn>
size_t HashFieldTable::EraseExpired(int64_t now_ms, size_t max, Fn&& on_erase) {
  size_t erased = 0;
  while (erased < max && ttl_index_ && !ttl_index_->empty()) {
    auto [at_ms, node] = *ttl_index_->begin();
    if (at_ms >= now_ms) break;
    std::string_view field = FieldOf(node);
    on_erase(field);
    Erase(field);
    erased++;
  }
  return erased;
}

template <typename Fn>
void HashFieldTable::ForEach(Fn&& fn) const {
  if (buckets_ == nullptr) return;
  for (uint64_t i = 0; i <= bucket_mask_; i++) {
    for (const Node* n = buckets_[i]; n != nullptr; n = NextOf(n)) fn(n);
  }
}

template <typename Fn>
uint64_t HashFieldTable::Scan(uint64_t cursor, Fn&& fn) const {
  if (buckets_ == nullptr) return 0;
  const uint64_t mask = bucket_mask_;
  for (const Node* n = buckets_[cursor & mask]; n != nullptr; n = NextOf(n)) fn(n);
  // Increment the reversed cursor over the bits of the mask (dictScan).
  cursor |= ~mask;
  cursor = ReverseBits(cursor);
  cursor++;
  return ReverseBits(cursor);
}

}  // namespace lodestone
