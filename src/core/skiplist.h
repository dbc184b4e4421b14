// ZSkiplist: the ordered half of a large sorted set (Redis's zskiplist).
//
// William Pugh's skiplist, kept in (score, member) order exactly as Redis
// orders a sorted set: by score, then by member bytes (memcmp, a shorter
// member first when one is a prefix of the other). Every forward link also
// records its span, the number of level-0 steps it jumps, so the rank of an
// element and the element at a rank are both found in O(log n) expected time
// (Redis's zslGetRank / zslGetElementByRank). Level-0 nodes are doubly linked,
// so ranges are walked both ways.
//
// Each node is one allocation holding the score, the backward link, its
// levels and the member bytes themselves (no separate string), so an element
// costs 24 bytes + 16 per level (1.33 levels on average with p = 1/4) + the
// member. Levels are drawn with p = 1/4 up to 32, as Redis does, from a small
// generator each list carries (no global state).
//
// The list does not detect duplicates: the owner (ZSetValue) keeps a member
// index and only inserts members that are absent.
//
// Thread safety: none; a ZSkiplist belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lodestone {

// Compares member bytes as Redis's sdscmp does: memcmp over the common
// length, then the shorter first. Returns <0, 0 or >0.
int CompareMembers(std::string_view a, std::string_view b);

// A score interval as ZRANGEBYSCORE takes it: "(1.5" is exclusive, "-inf" and
// "+inf" are the unbounded ends.
struct ScoreRange {
  double min = 0;
  double max = 0;
  bool min_exclusive = false;
  bool max_exclusive = false;

  bool GteMin(double v) const { return min_exclusive ? v > min : v >= min; }
  bool LteMax(double v) const { return max_exclusive ? v < max : v <= max; }
  bool Contains(double v) const { return GteMin(v) && LteMax(v); }
  // True when no score at all can lie in the range (zslIsInRange's test).
  bool IsEmpty() const { return min > max || (min == max && (min_exclusive || max_exclusive)); }
};

// One end of a ZRANGEBYLEX interval: "[abc" (inclusive), "(abc" (exclusive),
// "-" (below every member) or "+" (above every member).
struct LexBound {
  enum class Kind : uint8_t { kMinusInfinity, kValue, kPlusInfinity };
  Kind kind = Kind::kValue;
  bool exclusive = false;
  std::string value;
};

// Compares a member with a bound as Redis's sdscmplex does.
int CompareWithBound(std::string_view member, const LexBound& bound);

struct LexRange {
  LexBound min;
  LexBound max;

  bool GteMin(std::string_view v) const {
    int c = CompareWithBound(v, min);
    return min.exclusive ? c > 0 : c >= 0;
  }
  bool LteMax(std::string_view v) const {
    int c = CompareWithBound(v, max);
    return max.exclusive ? c < 0 : c <= 0;
  }
  bool Contains(std::string_view v) const { return GteMin(v) && LteMax(v); }
  // True when no member can lie in the range (zslIsInLexRange's test).
  bool IsEmpty() const;
};

class ZSkiplist {
 public:
  static constexpr int kMaxLevel = 32;

  class Node {
   public:
    double score() const { return score_; }
    std::string_view member() const {
      return {reinterpret_cast<const char*>(levels() + level_count_), member_size_};
    }
    // Neighbours in (score, member) order; nullptr past either end.
    Node* next() const { return levels()[0].forward; }
    Node* prev() const { return backward_; }

   private:
    friend class ZSkiplist;
    struct Level {
      Node* forward;
      size_t span;
    };
    Level* levels() { return reinterpret_cast<Level*>(this + 1); }
    const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }

    double score_;
    Node* backward_;
    uint32_t member_size_;
    uint8_t level_count_;
  };

  ZSkiplist();
  ~ZSkiplist();
  ZSkiplist(ZSkiplist&& other) noexcept;
  ZSkiplist& operator=(ZSkiplist&& other) noexcept;
  ZSkiplist(const ZSkiplist&) = delete;
  ZSkiplist& operator=(const ZSkiplist&) = delete;

  size_t size() const { return length_; }
  bool empty() const { return length_ == 0; }
  // The lowest and highest elements, or nullptr when empty.
  Node* first() const { return header_->levels()[0].forward; }
  Node* last() const { return tail_; }

  // Inserts an element and returns its node, valid until it is deleted.
  // REQUIRES: `member` is absent, score is not NaN, member < 4 GiB.
  Node* Insert(double score, std::string_view member);
  // Deletes the element (score, member); false if there is none.
  bool Delete(double score, std::string_view member);
  // Gives `node` a new score, moving it if its position changes. The node
  // itself is relinked, never reallocated, so pointers to it stay valid.
  // REQUIRES: node is in this list; new_score is not NaN.
  void UpdateScore(Node* node, double new_score);

  // 1-based rank of (score, member), 0 if absent. O(log n).
  size_t Rank(double score, std::string_view member) const;
  // The node of 1-based rank `rank`, or nullptr when out of 1..size(). O(log n).
  Node* ByRank(size_t rank) const;

  // The first and last elements within the range, with their 1-based rank
  // in *rank; nullptr (rank untouched) when none is. O(log n).
  Node* FirstInRange(const ScoreRange& range, size_t* rank) const;
  Node* LastInRange(const ScoreRange& range, size_t* rank) const;
  Node* FirstInRange(const LexRange& range, size_t* rank) const;
  Node* LastInRange(const LexRange& range, size_t* rank) const;

  // Deletes the elements of 1-based ranks start..end (inclusive), calling
  // before_free(node) for each just before it is freed. Returns how many.
  // REQUIRES: 1 <= start <= end <= size().
  template <typename Fn>
  size_t DeleteRangeByRank(size_t start, size_t end, Fn&& before_free);

  // Heap bytes: the header and every node. O(1).
  size_t MemoryUsage() const { return bytes_; }
  // For tests: links, spans, backward pointers, order and length agree. O(n).
  bool CheckConsistency() const;

 private:
  static Node* NewNode(int levels, double score, std::string_view member);
  static void FreeNode(Node* node);
  static size_t NodeBytes(const Node* node);
  int RandomLevel();
  // Finds, for each level, the last node before (score, member), and its rank.
  void FindPredecessors(double score, std::string_view member, Node** update,
                        size_t* rank) const;
  // Links `node` (its level_count_ fixed) after the predecessors in
  // update/rank, first extending both to the node's level if it is higher
  // than the list's.
  void Link(Node* node, Node** update, size_t* rank);
  // Unlinks `node`, whose predecessors are in update. Does not free it.
  void Unlink(Node* node, Node** update);
  // Shared descent of the range searches: advances while before(next) and
  // returns the last node reached, with its rank.
  template <typename Pred>
  Node* Descend(Pred&& advance, size_t* rank) const;

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  size_t bytes_ = 0;
  int level_ = 1;
  uint64_t random_state_;
};

template <typename Pred>
ZSkiplist::Node* ZSkiplist::Descend(Pred&& advance, size_t* rank) const {
  Node* x = header_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && advance(x->levels()[i].forward)) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
  }
  *rank = traversed;
  return x;
}

template <typename Fn>
size_t ZSkiplist::DeleteRangeByRank(size_t start, size_t end, Fn&& before_free) {
  Node* update[kMaxLevel];
  Node* x = header_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span < start) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  ++traversed;
  x = x->levels()[0].forward;
  size_t removed = 0;
  while (x != nullptr && traversed <= end) {
    Node* next = x->levels()[0].forward;
    Unlink(x, update);
    before_free(x);
    bytes_ -= NodeBytes(x);
    FreeNode(x);
    ++removed;
    ++traversed;
    x = next;
  }
  return removed;
}

}  // namespace lodestone
