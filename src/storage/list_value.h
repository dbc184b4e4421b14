// ListValue: the payload of a list key, in Redis's two encodings.
//
//   listpack   one Listpack holding every element, while the list is small;
//   quicklist  a sequence of Listpack nodes, each within the node limit.
//
// The limit is list-max-listpack-size ("fill"): a positive fill caps a node's
// entries (and, for safety, its size at 8 KiB); a negative one caps its bytes
// (-1..-5 => 4, 8, 16, 32, 64 KiB; lower values count as -5). An element larger
// than the limit lives alone in its node (Redis's "plain" node; here a
// one-entry listpack, recognised by its size). Conversions follow Redis 7.2+'s
// t_list.c exactly, because OBJECT ENCODING shows them:
//   - before elements are added (GrowFor), a listpack whose bytes plus the new
//     elements' lengths, or whose entries plus their number, would exceed the
//     limit becomes a quicklist (its listpack turns into the first node);
//   - after elements are removed (TryShrink), a quicklist that is down to one
//     packed node of at most half the limit becomes a listpack again.
// Byte sizes are measured as Redis's lpBytes (6-byte header, entries, 1-byte
// end mark), so thresholds cross at the same element.
//
// Head pushes and pops go through Listpack::Prepend and DeleteFirst, which
// keep free bytes in front of the head node's entries (its "front reserve"),
// so neither moves the node's entries; a node gives its reserve back when a
// new head node is pushed in front of it. MemoryUsage counts the reserve.
//
// list-compress-depth is accepted (ListLimits::compress_depth) but nodes are
// never compressed: a design choice (compression trades CPU for memory on long
// lists only), not a behaviour clients can see.
//
// Storage code: no RESP, no config. The command layer passes the limits in.
// Thread safety: none; a ListValue belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/listpack.h"
#include "storage/value.h"

namespace lodestone {

// Redis's list-max-listpack-size and list-compress-depth.
struct ListLimits {
  int max_listpack_size = -2;
  int compress_depth = 0;
};

class ListValue final : public Collection {
 public:
  enum class End : uint8_t { kHead, kTail };
  // An element as read from the list: an integer or a view of bytes, valid
  // until the list is next modified.
  using Element = Listpack::Value;

  // An empty list in the listpack encoding.
  ListValue();
  ~ListValue() override;
  ListValue(const ListValue&) = delete;
  ListValue& operator=(const ListValue&) = delete;

  size_t MemoryUsage() const override;
  std::unique_ptr<Collection> Clone() const override;

  // Encoding::kListpack or Encoding::kQuicklist.
  Encoding encoding() const { return ql_ ? Encoding::kQuicklist : Encoding::kListpack; }
  // Elements. O(1).
  size_t Size() const;
  bool Empty() const { return Size() == 0; }

  // --- Encoding conversions (Redis's listTypeTryConversion*) -------------

  // Call before adding elements whose string lengths sum to `add_bytes`
  // (`add_count` of them): converts a listpack that would outgrow `limits`.
  void GrowFor(size_t add_bytes, size_t add_count, const ListLimits& limits);
  // Same, for these values.
  void GrowFor(std::span<const std::string_view> values, const ListLimits& limits);
  // Call after removing or replacing elements: a single packed quicklist
  // node within half the limit becomes a listpack again. With
  // `shrinking` false the full limit applies (a freshly built list).
  void TryShrink(const ListLimits& limits, bool shrinking = true);

  // --- Reads --------------------------------------------------------------

  // The element at `index` (negative: from the tail); nullopt when out of
  // range. O(min(index, Size() - index)).
  std::optional<Element> Index(int64_t index) const;

  // Walks elements from `index` (0 <= index < Size()) towards the tail, or
  // towards the head when `reverse`. Invalidated by any modification.
  class Cursor {
   public:
    // The next element; nullopt past the end.
    std::optional<Element> Next();

   private:
    friend class ListValue;
    const ListValue* list_ = nullptr;
    size_t node_ = 0;
    Listpack::Position pos_;
    bool reverse_ = false;
  };
  Cursor CursorAt(size_t index, bool reverse) const;

  // --- Modifications (each may invalidate Elements and Cursors) ----------
  // None of them converts the encoding: call GrowFor before and TryShrink
  // after, as Redis's commands do.

  void Push(End end, std::string_view value);
  // Removes and returns the element at `end`. REQUIRES: !Empty().
  std::string Pop(End end);
  // Replaces the element at `index`; false when out of range.
  bool Set(int64_t index, std::string_view value);
  // Inserts `value` before or after the first element equal to `pivot`
  // (searching from the head); false when there is none.
  bool Insert(std::string_view pivot, std::string_view value, bool after);
  // LREM: removes up to `count` elements equal to `value` from the head
  // (count > 0), from the tail (count < 0), or all of them (0). Returns how
  // many were removed.
  size_t Remove(std::string_view value, int64_t count);
  // Removes `count` elements starting at `start` (negative: from the tail),
  // clipped at the end (Redis's listTypeDelRange).
  void DeleteRange(int64_t start, size_t count);

  // Checks every node against the limits it was built with and the cached
  // counts. For tests.
  bool CheckConsistency() const;
  // Nodes (1 for a listpack). For tests and serialization.
  size_t NodeCount() const;
  // Node `i` (the listpack itself in that encoding), for serialization (RDB
  // writes each quicklist node as it is). REQUIRES: i < NodeCount().
  const Listpack& Node(size_t i) const { return NodeAt(i); }

 private:
  struct Quicklist;

  const Listpack& NodeAt(size_t i) const;
  Listpack& NodeAt(size_t i);
  // Which node holds `index` (0 <= index < Size()) and its offset there.
  void Locate(size_t index, size_t* node, size_t* offset) const;

  Listpack lp_;                    // The listpack encoding (empty otherwise).
  std::unique_ptr<Quicklist> ql_;  // Non-null in the quicklist encoding.
};

// Whether an element of `length` bytes is too large to share a node: Redis
// keeps such an element in a "plain" node (and RDB writes it as one).
bool IsLargeListElement(size_t length, const ListLimits& limits);

// Redis's lpBytes of `lp`: 6 header bytes, the entries, 1 end byte.
size_t RedisListpackBytes(const Listpack& lp);

}  // namespace lodestone
