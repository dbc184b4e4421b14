// ZSetPack: the packed form of a small sorted set (what OBJECT ENCODING
// calls "listpack").
//
// Redis keeps a small sorted set as a listpack of member, score, member,
// score... in score order. We keep the same order in one allocation too, but
// with a tighter layout, because small sorted sets are where the memory goes
// (100k leaderboards of 10 members): members are front-coded — each stores
// only how many leading bytes it shares with the previous member and the rest
// — and a score takes a 4-bit tag plus 0-8 bytes, an integral score often
// stored as its distance from the previous one. Members of one set often
// share long prefixes ("user:1234", "member:000000017") and scores cluster,
// so a pair commonly takes 4-6 bytes where a Redis listpack takes 23. The format is written out as
// a grammar at the top of zset_pack.cc.
//
// Front coding makes every access sequential, as in a listpack: reads are
// O(n) walks that rebuild each member in a small buffer, and every change is
// one splice of the block (O(n) bytes moved). Collections stay in this form
// only while they are small (zset-max-listpack-entries / -value).
//
// Ranks are 0-based here. Views returned by a Cursor are valid until it moves.
// Thread safety: none; a ZSetPack belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/skiplist.h"

namespace lodestone {

class ZSetPack {
 public:
  // The largest block allowed, as Redis's listpacks (LISTPACK_MAX_SAFETY_SIZE).
  static constexpr size_t kMaxBytes = size_t{1} << 30;

  // Walks the pairs in ascending (score, member) order.
  class Cursor {
   public:
    explicit Cursor(const ZSetPack& pack);
    // Moves to the next pair (the first, on the first call); false at the end.
    bool Next();
    // The current pair. REQUIRES: Next() returned true once; after it
    // returns false these still hold the last pair.
    std::string_view member() const { return current_; }
    double score() const { return score_; }
    // The member before the current one ("" for the first), and its score.
    std::string_view previous_member() const { return previous_; }
    double previous_score() const { return previous_score_; }
    // 0-based rank of the current pair.
    size_t rank() const { return rank_; }
    // Byte offsets (within the pairs) of the current pair and of the next.
    size_t offset() const { return offset_; }
    size_t next_offset() const { return static_cast<size_t>(p_ - begin_); }

   private:
    const uint8_t* begin_;
    const uint8_t* p_;
    const uint8_t* end_;
    std::string current_;
    std::string previous_;
    double score_ = 0;
    double previous_score_ = 0;
    size_t rank_ = SIZE_MAX;
    size_t offset_ = 0;
  };

  // Builds a pack from pairs given in ascending order, with one allocation.
  class Builder {
   public:
    // REQUIRES: (score, member) follows the previous pair's.
    void Add(std::string_view member, double score);
    ZSetPack Finish();

   private:
    std::string pairs_;
    std::string previous_;
    double previous_score_ = 0;
    size_t count_ = 0;
  };

  // An empty pack; it allocates nothing.
  ZSetPack() noexcept : data_(nullptr) {}
  ~ZSetPack();
  ZSetPack(ZSetPack&& other) noexcept : data_(other.data_) { other.data_ = nullptr; }
  ZSetPack& operator=(ZSetPack&& other) noexcept;
  ZSetPack(const ZSetPack&) = delete;
  ZSetPack& operator=(const ZSetPack&) = delete;
  ZSetPack Clone() const;

  size_t Size() const;
  bool Empty() const { return data_ == nullptr; }
  // Bytes of the block (0 when empty).
  size_t BytesUsed() const;
  // Whether adding a member of `member_size` bytes keeps the block within
  // kMaxBytes (Redis's lpSafeToAdd).
  bool SafeToAdd(size_t member_size) const;

  // Finds `member`: its score and 0-based rank. O(n).
  bool Find(std::string_view member, double* score, size_t* rank) const;
  // Inserts a pair in order. REQUIRES: member absent, score not NaN.
  void Insert(std::string_view member, double score);
  // Removes `member`; false if absent.
  bool Remove(std::string_view member);
  // Removes the pairs of ranks first..last (inclusive).
  // REQUIRES: first <= last < Size().
  void RemoveRanks(size_t first, size_t last);

  // 0-based ranks of the first and last pairs within the range; false when
  // no pair is (Redis's zzlFirstInRange/zzlLastInRange walks).
  bool RanksIn(const ScoreRange& range, size_t* first, size_t* last) const;
  bool RanksIn(const LexRange& range, size_t* first, size_t* last) const;

  // Calls fn(member, score) for each pair in order; if fn returns bool,
  // false stops the walk.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // For tests: the block decodes cleanly, pairs are in strict order, counts
  // and lengths agree, and front coding is maximal (up to 255 bytes).
  bool CheckConsistency() const;

 private:
  explicit ZSetPack(uint8_t* data) : data_(data) {}
  // The pairs of the block: [begin, end).
  const uint8_t* PairsBegin() const;
  const uint8_t* PairsEnd() const;
  // Replaces pair bytes [from, to) with `replacement`, the count changing by
  // count_delta. Frees the block when it becomes empty.
  void Splice(size_t from, size_t to, std::string_view replacement, int64_t count_delta);
  static uint8_t* NewBlock(std::string_view pairs, size_t count);

  // header := payload_size:varint payload; payload := count:varint pair*.
  uint8_t* data_;
};

template <typename Fn>
void ZSetPack::ForEach(Fn&& fn) const {
  Cursor c(*this);
  while (c.Next()) {
    if constexpr (std::is_same_v<std::invoke_result_t<Fn, std::string_view, double>, bool>) {
      if (!fn(c.member(), c.score())) return;
    } else {
      fn(c.member(), c.score());
    }
  }
}

}  // namespace lodestone
