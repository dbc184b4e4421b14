// ZSetValue: the payload of a sorted set key, in one of Redis's two encodings.
//
//   kListpack  a ZSetPack (storage/zset_pack.h): front-coded pairs in score
//              order, one allocation, while there are at most
//              zset-max-listpack-entries members of at most
//              zset-max-listpack-value bytes;
//   kSkiplist  a ZSkiplist (core/skiplist.h) with span counts, so ranks are
//              O(log n), plus a member index: an open-addressing hash table
//              of node pointers (linear probing, backward-shift deletion, a
//              16-bit hash tag in each slot's spare pointer bits) giving
//              ZSCORE in O(1). A member's bytes live once, in its node; the
//              index costs about 11 bytes per member.
//
// Conversions are Redis's t_zset.c ones: a new set starts as a listpack when
// the size and member-length hints allow (zsetTypeCreate); ZADD converts
// before adding a member that would break a limit (zsetAdd) or when its
// argument count alone exceeds the entry limit (zsetTypeMaybeConvert);
// nothing converts back, except the *STORE commands, whose result goes back
// to a listpack when small enough (zsetConvertToListpackIfNeeded).
// Thresholds come in as ZSetLimits; storage knows nothing of the config.
//
// Ranks are 0-based. Member views passed to callbacks are valid only during
// the call. Thread safety: none; a ZSetValue belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <string_view>
#include <type_traits>

#include "core/skiplist.h"
#include "storage/value.h"
#include "storage/zset_pack.h"

namespace lodestone {

// zset-max-listpack-entries / zset-max-listpack-value.
struct ZSetLimits {
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

// A non-owning callable taking (member, score), for the iteration methods.
// The callable may return void, or bool where false stops the walk.
class PairVisitor {
 public:
  template <typename Fn>
    requires(!std::is_same_v<std::remove_cvref_t<Fn>, PairVisitor>)
  PairVisitor(Fn&& fn)  // NOLINT: implicit by design, callers pass lambdas.
      : object_(const_cast<void*>(static_cast<const void*>(&fn))),
        call_([](void* object, std::string_view member, double score) -> bool {
          auto& f = *static_cast<std::remove_reference_t<Fn>*>(object);
          if constexpr (std::is_same_v<std::invoke_result_t<decltype(f), std::string_view, double>,
                                       bool>) {
            return f(member, score);
          } else {
            f(member, score);
            return true;
          }
        }) {}
  bool operator()(std::string_view member, double score) const {
    return call_(object_, member, score);
  }

 private:
  void* object_;
  bool (*call_)(void*, std::string_view, double);
};

class ZSetValue final : public Collection {
 public:
  // ZADD's options, as zsetAdd takes them.
  enum AddFlag : unsigned {
    kAddNone = 0,
    kAddIncr = 1 << 0,
    kAddNx = 1 << 1,
    kAddXx = 1 << 2,
    kAddGt = 1 << 3,
    kAddLt = 1 << 4,
  };
  struct AddResult {
    bool nan = false;      // The score (or the incremented score) is NaN; nothing changed.
    bool added = false;    // The member was new.
    bool updated = false;  // An existing member's score changed.
    bool nop = false;      // Skipped because of NX, XX, GT or LT.
    double score = 0;      // The member's score afterwards (unless nop or nan).
  };

  // An empty set in `encoding` (kListpack or kSkiplist).
  explicit ZSetValue(Encoding encoding);
  ~ZSetValue() override;
  ZSetValue(const ZSetValue&) = delete;
  ZSetValue& operator=(const ZSetValue&) = delete;

  // Redis's zsetTypeCreate: the encoding a set that will get about
  // `size_hint` members of about `member_size_hint` bytes starts in.
  static std::unique_ptr<ZSetValue> Create(size_t size_hint, size_t member_size_hint,
                                           const ZSetLimits& limits);
  // A set holding `pairs` (ascending (score, member) order, distinct members,
  // no NaN), encoded as Redis encodes the result of ZUNIONSTORE & co. and
  // ZRANGESTORE: a listpack when the count and every member are within the
  // limits, else a skiplist.
  static std::unique_ptr<ZSetValue> FromSorted(
      std::span<const std::pair<std::string, double>> pairs, const ZSetLimits& limits);

  Encoding encoding() const { return encoding_; }
  size_t Size() const;
  bool Empty() const { return Size() == 0; }

  // --- Members.
  // The score of `member`; false if absent. O(1) as a skiplist, O(n) packed.
  bool Score(std::string_view member, double* score) const;
  // Adds or updates a member (zsetAdd). May convert to kSkiplist.
  AddResult Add(std::string_view member, double score, unsigned flags, const ZSetLimits& limits);
  // Removes `member`; false if absent.
  bool Remove(std::string_view member);

  // --- Conversions.
  // zsetTypeMaybeConvert: to kSkiplist when `size_hint` exceeds the entries limit.
  void MaybeConvert(size_t size_hint, const ZSetLimits& limits);
  // zsetConvertToListpackIfNeeded: back to kListpack when the set is small
  // enough; the caller knows the longest and total member lengths.
  void ConvertToListpackIfNeeded(size_t max_member_size, size_t total_member_size,
                                 const ZSetLimits& limits);
  // To kSkiplist with the index presized for `capacity` members. No-op if
  // already there.
  void ConvertToSkiplist(size_t capacity);

  // --- Ranks and ranges (0-based ranks, ascending order).
  // The rank of `member` (counted from the highest when reverse) and its
  // score; false if absent.
  bool Rank(std::string_view member, bool reverse, size_t* rank, double* score) const;
  // The ranks of the first and last members within the range; false when
  // none is. O(log n) as a skiplist.
  bool RanksIn(const ScoreRange& range, size_t* first, size_t* last) const;
  bool RanksIn(const LexRange& range, size_t* first, size_t* last) const;
  // Calls fn(member, score) for ranks first..last, ascending, or descending
  // from last when reverse. REQUIRES: first <= last < Size().
  void ForRanks(size_t first, size_t last, bool reverse, PairVisitor fn) const;
  // Calls fn(member, score) for every member in ascending order.
  void ForEach(PairVisitor fn) const;
  // Removes ranks first..last; returns how many. REQUIRES: first <= last < Size().
  size_t RemoveRanks(size_t first, size_t last);

  // One step of ZSCAN: as a skiplist, walks the member index from `cursor`
  // (Redis's reverse-binary cursor, so members present for the whole scan
  // are returned at least once across resizes) until `count` members were
  // seen or 10 * count slots were visited; packed, returns every member and
  // cursor 0.
  uint64_t Scan(uint64_t cursor, size_t count, PairVisitor fn) const;

  size_t MemoryUsage() const override;
  std::unique_ptr<Collection> Clone() const override;

  // For tests: the representation is well formed and the index agrees with
  // the skiplist. O(n).
  bool CheckConsistency() const;

 private:
  struct Big;

  void Destroy();

  union {
    ZSetPack pack_;
    Big* big_;
  };
  Encoding encoding_;
};

}  // namespace lodestone
