// StreamValue: a Redis stream (t_stream.c) — entries keyed by ID, plus
// consumer groups with their pending entries lists (PELs).
//
// Representation: a std::map from ID to the entry's field/value list packed
// into one string (each element a varint length and its bytes, so a small
// entry fits the string's inline buffer),
// and for each group a map of pending entries and a map of consumers, each
// consumer holding the set of IDs it owns. Redis's radix tree of listpack
// nodes is not reproduced, but its node boundaries are: a side map from each
// node's first ID to its live/total entry counts, so approximate trimming
// (whole nodes only) and XINFO's radix-tree-keys behave as in Redis (nodes
// split at stream-node-max-entries entries, live or deleted, or at
// stream-node-max-bytes of an estimated listpack size). Storage knows
// nothing of RESP.
//
// Thread safety: none (a value belongs to one shard).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/value.h"

namespace lodestone {

struct StreamId {
  uint64_t ms = 0;
  uint64_t seq = 0;
  auto operator<=>(const StreamId&) const = default;
  bool IsZero() const { return ms == 0 && seq == 0; }
  std::string ToString() const;
  // The next/previous ID; false on overflow/underflow.
  bool Incr();
  bool Decr();
  static constexpr StreamId Max() { return {UINT64_MAX, UINT64_MAX}; }
};

// Parses "ms" or "ms-seq" (seq defaults to `missing_seq`). "-" and "+" are
// the minimum and maximum ID. With `seq_given` non-null, "ms-*" is accepted
// and *seq_given tells whether a sequence was present. Returns false on a
// malformed ID.
bool ParseStreamId(std::string_view s, uint64_t missing_seq, StreamId* id,
                   bool* seq_given = nullptr);

// Sentinel for "entries-read unknown" (SCG_INVALID_ENTRIES_READ).
inline constexpr int64_t kInvalidEntriesRead = -1;

struct StreamNack {
  std::string consumer;
  int64_t delivery_time = 0;
  uint64_t delivery_count = 1;
};

struct StreamConsumer {
  int64_t seen_time = 0;
  int64_t active_time = -1;
  std::set<StreamId> pel;
};

// A consumer group: its last delivered ID, its PEL (every pending entry, with
// the consumer owning it) and its consumers (each with the IDs it owns, so
// the two always agree).
struct StreamGroup {
  using Pel = std::map<StreamId, StreamNack>;

  // The consumer `name`, created when missing; its seen-time becomes now_ms.
  StreamConsumer& Touch(const std::string& name, int64_t now_ms);
  // Records the delivery of `id` to `consumer`: a new pending entry, or the
  // existing one moved to `consumer` with a delivery count of 1.
  void Deliver(StreamId id, const std::string& consumer, int64_t now_ms);
  // Moves the pending entry `it` to `consumer` (its times are left as is).
  void Claim(Pel::iterator it, const std::string& consumer);
  // Removes a pending entry; returns the next one.
  Pel::iterator DropPending(Pel::iterator it);
  // Acknowledges `id`: true when it was pending.
  bool Ack(StreamId id);
  // Deletes a consumer and its pending entries; returns how many it had.
  size_t DeleteConsumer(std::string_view name);

  StreamId last_id;
  int64_t entries_read = kInvalidEntriesRead;
  Pel pel;
  std::map<std::string, StreamConsumer, std::less<>> consumers;
};

// Node limits (0 = no limit), from stream-node-max-entries/-bytes.
struct StreamNodeLimits {
  size_t max_entries = 100;
  size_t max_bytes = 4096;
};

class StreamValue : public Collection {
 public:
  using Fields = std::vector<std::string>;  // field, value, field, value...
  using EntryMap = std::map<StreamId, std::string>;  // packed fields

  // Packing of an entry's elements (see the file comment).
  static std::string Pack(const Fields& fields);
  // The number of elements of a packed entry.
  static size_t ElementCount(std::string_view packed);
  // Calls fn(std::string_view) for each element, in order.
  template <typename Fn>
  static void ForEachElement(std::string_view packed, Fn&& fn) {
    size_t pos = 0;
    while (pos < packed.size()) {
      size_t len = ReadVarint(packed, &pos);
      fn(packed.substr(pos, len));
      pos += len;
    }
  }

  size_t MemoryUsage() const override;
  std::unique_ptr<Collection> Clone() const override;

  size_t length() const { return entries_.size(); }
  const EntryMap& entries() const { return entries_; }
  StreamId last_id() const { return last_id_; }
  void set_last_id(StreamId id) { last_id_ = id; }
  StreamId first_id() const { return entries_.empty() ? StreamId{} : entries_.begin()->first; }
  StreamId max_deleted_id() const { return max_deleted_id_; }
  void set_max_deleted_id(StreamId id) { max_deleted_id_ = id; }
  uint64_t entries_added() const { return entries_added_; }
  void set_entries_added(uint64_t n) { entries_added_ = n; }

  // Appends an entry, opening a new node when the tail node is full (as
  // streamAppendItem decides). REQUIRES: id > last_id().
  void Append(StreamId id, Fields fields, StreamNodeLimits limits = {});
  // Deletes one entry; false when absent. Updates max_deleted_id.
  bool Delete(StreamId id);

  // Trimming (XADD/XTRIM). Removes from the head while the stream is longer
  // than `maxlen` (by MAXLEN) or the head ID is below `minid` (by MINID).
  // With `approx`, whole nodes only; `limit` (0 = none) bounds the removed
  // entries. Returns the number removed.
  int64_t TrimByLength(uint64_t maxlen, bool approx, int64_t limit);
  int64_t TrimByMinId(StreamId minid, bool approx, int64_t limit);

  // Consumer groups.
  std::map<std::string, StreamGroup, std::less<>>& groups() { return groups_; }
  const std::map<std::string, StreamGroup, std::less<>>& groups() const { return groups_; }
  StreamGroup* FindGroup(std::string_view name);

  // Redis's streamRangeHasTombstones / streamEstimateDistanceFromFirstEverEntry.
  bool RangeHasTombstones(StreamId start, StreamId end) const;
  int64_t EstimateDistance(StreamId id) const;
  // The group's lag, or false when it cannot be computed (null reply).
  bool GroupLag(const StreamGroup& g, int64_t* lag) const;
  // Advances a group's last ID to `id` while delivering (entries_read upkeep).
  void AdvanceGroup(StreamGroup& g, StreamId id) const;

  // Redis's rax size for XINFO: the node count, and an estimate of the
  // radix tree's node count.
  size_t RadixKeys() const;
  size_t RadixNodes() const;

 private:
  static size_t ReadVarint(std::string_view s, size_t* pos) {
    size_t v = 0;
    for (int shift = 0;; shift += 7) {
      auto byte = static_cast<unsigned char>(s[(*pos)++]);
      v |= size_t(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
  }

  struct Node {
    uint32_t live = 0;
    uint32_t total = 0;
    size_t bytes = 0;  // estimated listpack bytes
  };
  // Removes the head node and its entries; returns how many.
  int64_t DropHeadNode();
  // Removes the first entry (exact trimming).
  void DropHeadEntry();

  EntryMap entries_;
  std::map<StreamId, Node> nodes_;  // keyed by each node's first ID
  StreamId last_id_;
  StreamId max_deleted_id_;
  uint64_t entries_added_ = 0;
  std::map<std::string, StreamGroup, std::less<>> groups_;
};

}  // namespace lodestone
