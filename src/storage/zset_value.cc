// ZSetValue: the two encodings behind one API, and the member index of the
// skiplist encoding.
//
// The member index maps a member to its skiplist node. It is an array of
// 8-byte slots, a power of two long and at most 3/4 full, probed linearly
// from a member's home slot (hash & mask). A slot holds 0 (empty) or a node
// pointer in its low 48 bits with the top 16 bits of the member's hash above
// them, so most probes reject a slot without touching the node. Deletion
// shifts later members of the run back into the hole instead of leaving a
// tombstone, which keeps every member reachable from its home through
// occupied slots only; that is what makes the scan cursor work: a cursor
// names a home slot, one step returns the members whose home it is, and
// cursors advance in Redis's reverse-binary order, so a resize between calls
// never makes the scan skip a member (see Redis's dictScan).
#include "storage/zset_value.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "storage/key_table.h"

namespace lodestone {
namespace {

using Node = ZSkiplist::Node;

constexpr uintptr_t kPointerMask = (uintptr_t{1} << 48) - 1;

uint64_t HashMember(std::string_view member) { return KeyTable::Hash(member); }

class MemberIndex {
 public:
  MemberIndex() = default;
  ~MemberIndex() { std::free(slots_); }
  MemberIndex(const MemberIndex&) = delete;
  MemberIndex& operator=(const MemberIndex&) = delete;

  size_t size() const { return size_; }
  size_t MemoryUsage() const { return capacity_ * sizeof(uintptr_t); }

  Node* Find(std::string_view member) const {
    if (capacity_ == 0) return nullptr;
    uint64_t hash = HashMember(member);
    uintptr_t tag = Tag(hash);
    size_t mask = capacity_ - 1;
    for (size_t i = hash & mask; slots_[i] != 0; i = (i + 1) & mask) {
      if ((slots_[i] & ~kPointerMask) == tag && NodeAt(i)->member() == member) return NodeAt(i);
    }
    return nullptr;
  }

  // REQUIRES: the node's member is absent.
  void Insert(Node* node) {
    if ((size_ + 1) * 4 > capacity_ * 3) Rehash(capacity_ == 0 ? 8 : capacity_ * 2);
    Place(node, HashMember(node->member()));
    ++size_;
  }

  // Removes `member`'s slot; returns its node, or nullptr if absent.
  Node* Erase(std::string_view member) {
    if (capacity_ == 0) return nullptr;
    uint64_t hash = HashMember(member);
    uintptr_t tag = Tag(hash);
    size_t mask = capacity_ - 1;
    size_t i = hash & mask;
    for (; slots_[i] != 0; i = (i + 1) & mask) {
      if ((slots_[i] & ~kPointerMask) == tag && NodeAt(i)->member() == member) break;
    }
    if (slots_[i] == 0) return nullptr;
    Node* node = NodeAt(i);
    // Backward shift: move each later member of the run into the hole when
    // its home does not lie cyclically in (hole, its slot].
    size_t hole = i;
    for (size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
      size_t home = HashMember(NodeAt(j)->member()) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole] = 0;
    --size_;
    if (capacity_ > 8 && size_ * 8 < capacity_) Rehash(capacity_ / 2);
    return node;
  }

  void Reserve(size_t n) {
    size_t want = 8;
    while (want * 3 < n * 4) want *= 2;
    if (want > capacity_) Rehash(want);
  }

  // Calls fn(node) for the members whose home is the cursor's slot and
  // returns the next cursor (0 when the walk is over).
  template <typename Fn>
  uint64_t ScanStep(uint64_t cursor, Fn&& fn) const {
    if (capacity_ == 0) return 0;
    uint64_t mask = capacity_ - 1;
    size_t home = cursor & mask;
    for (size_t i = home; slots_[i] != 0; i = (i + 1) & mask) {
      if ((HashMember(NodeAt(i)->member()) & mask) == home) fn(NodeAt(i));
    }
    cursor |= ~mask;
    cursor = ReverseBits(cursor);
    ++cursor;
    return ReverseBits(cursor);
  }

  template <typename Fn>
  void ForEachNode(Fn&& fn) const {
    for (size_t i = 0; i < capacity_; ++i) {
      if (slots_[i] != 0) fn(NodeAt(i));
    }
  }

 private:
  static uintptr_t Tag(uint64_t hash) { return static_cast<uintptr_t>(hash >> 48) << 48; }
  static uint64_t ReverseBits(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    return __builtin_bswap64(v);
  }
  Node* NodeAt(size_t i) const { return reinterpret_cast<Node*>(slots_[i] & kPointerMask); }

  void Place(Node* node, uint64_t hash) {
    auto p = reinterpret_cast<uintptr_t>(node);
    assert((p & ~kPointerMask) == 0);
    size_t mask = capacity_ - 1;
    size_t i = hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = Tag(hash) | p;
  }

  void Rehash(size_t new_capacity) {
    uintptr_t* old = slots_;
    size_t old_capacity = capacity_;
    slots_ = static_cast<uintptr_t*>(std::calloc(new_capacity, sizeof(uintptr_t)));
    if (slots_ == nullptr) throw std::bad_alloc();
    capacity_ = new_capacity;
    for (size_t i = 0; i < old_capacity; ++i) {
      if (old[i] == 0) continue;
      Node* node = reinterpret_cast<Node*>(old[i] & kPointerMask);
      Place(node, HashMember(node->member()));
    }
    std::free(old);
  }

  uintptr_t* slots_ = nullptr;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace

struct ZSetValue::Big {
  ZSkiplist list;
  MemberIndex index;

  Node* Insert(std::string_view member, double score) {
    Node* node = list.Insert(score, member);
    index.Insert(node);
    return node;
  }
};

// ---- Lifetime -----------------------------------------------------------------

ZSetValue::ZSetValue(Encoding encoding) : encoding_(encoding) {
  assert(encoding == Encoding::kListpack || encoding == Encoding::kSkiplist);
  if (encoding == Encoding::kListpack) {
    new (&pack_) ZSetPack();
  } else {
    big_ = new Big();
  }
}

ZSetValue::~ZSetValue() { Destroy(); }

void ZSetValue::Destroy() {
  if (encoding_ == Encoding::kListpack) {
    pack_.~ZSetPack();
  } else {
    delete big_;
  }
}

std::unique_ptr<ZSetValue> ZSetValue::Create(size_t size_hint, size_t member_size_hint,
                                             const ZSetLimits& limits) {
  if (size_hint <= limits.max_listpack_entries && member_size_hint <= limits.max_listpack_value) {
    return std::make_unique<ZSetValue>(Encoding::kListpack);
  }
  auto z = std::make_unique<ZSetValue>(Encoding::kSkiplist);
  z->big_->index.Reserve(size_hint);
  return z;
}

std::unique_ptr<ZSetValue> ZSetValue::FromSorted(
    std::span<const std::pair<std::string, double>> pairs, const ZSetLimits& limits) {
  size_t longest = 0, total = 0;
  for (const auto& p : pairs) {
    longest = std::max(longest, p.first.size());
    total += p.first.size();
  }
  if (pairs.size() <= limits.max_listpack_entries && longest <= limits.max_listpack_value &&
      total <= ZSetPack::kMaxBytes) {
    ZSetPack::Builder builder;
    for (const auto& p : pairs) builder.Add(p.first, p.second);
    auto z = std::make_unique<ZSetValue>(Encoding::kListpack);
    z->pack_ = builder.Finish();
    return z;
  }
  auto z = std::make_unique<ZSetValue>(Encoding::kSkiplist);
  z->big_->index.Reserve(pairs.size());
  for (const auto& p : pairs) z->big_->Insert(p.first, p.second);
  return z;
}

std::unique_ptr<Collection> ZSetValue::Clone() const {
  if (encoding_ == Encoding::kListpack) {
    auto copy = std::make_unique<ZSetValue>(Encoding::kListpack);
    copy->pack_ = pack_.Clone();
    return copy;
  }
  auto copy = std::make_unique<ZSetValue>(Encoding::kSkiplist);
  copy->big_->index.Reserve(Size());
  for (Node* n = big_->list.first(); n != nullptr; n = n->next()) {
    copy->big_->Insert(n->member(), n->score());
  }
  return copy;
}

size_t ZSetValue::Size() const {
  return encoding_ == Encoding::kListpack ? pack_.Size() : big_->list.size();
}

size_t ZSetValue::MemoryUsage() const {
  if (encoding_ == Encoding::kListpack) return sizeof(*this) + pack_.BytesUsed();
  return sizeof(*this) + sizeof(Big) + big_->list.MemoryUsage() + big_->index.MemoryUsage();
}

// ---- Conversions --------------------------------------------------------------

void ZSetValue::ConvertToSkiplist(size_t capacity) {
  if (encoding_ == Encoding::kSkiplist) return;
  auto big = std::make_unique<Big>();
  big->index.Reserve(capacity);
  pack_.ForEach([&](std::string_view member, double score) { big->Insert(member, score); });
  pack_.~ZSetPack();
  big_ = big.release();
  encoding_ = Encoding::kSkiplist;
}

void ZSetValue::MaybeConvert(size_t size_hint, const ZSetLimits& limits) {
  if (encoding_ == Encoding::kListpack && size_hint > limits.max_listpack_entries) {
    ConvertToSkiplist(size_hint);
  }
}

void ZSetValue::ConvertToListpackIfNeeded(size_t max_member_size, size_t total_member_size,
                                          const ZSetLimits& limits) {
  if (encoding_ == Encoding::kListpack) return;
  if (big_->list.size() > limits.max_listpack_entries ||
      max_member_size > limits.max_listpack_value || total_member_size > ZSetPack::kMaxBytes) {
    return;
  }
  ZSetPack::Builder builder;
  for (Node* n = big_->list.first(); n != nullptr; n = n->next()) {
    builder.Add(n->member(), n->score());
  }
  ZSetPack pack = builder.Finish();
  delete big_;
  new (&pack_) ZSetPack(std::move(pack));
  encoding_ = Encoding::kListpack;
}

// ---- Members ------------------------------------------------------------------

bool ZSetValue::Score(std::string_view member, double* score) const {
  if (encoding_ == Encoding::kListpack) return pack_.Find(member, score, nullptr);
  Node* node = big_->index.Find(member);
  if (node == nullptr) return false;
  *score = node->score();
  return true;
}

ZSetValue::AddResult ZSetValue::Add(std::string_view member, double score, unsigned flags,
                                    const ZSetLimits& limits) {
  AddResult result;
  if (std::isnan(score)) {
    result.nan = true;
    return result;
  }
  const bool incr = flags & kAddIncr, nx = flags & kAddNx, xx = flags & kAddXx;
  const bool gt = flags & kAddGt, lt = flags & kAddLt;

  double current;
  Node* node = nullptr;
  bool exists;
  if (encoding_ == Encoding::kListpack) {
    exists = pack_.Find(member, &current, nullptr);
  } else {
    node = big_->index.Find(member);
    exists = node != nullptr;
    if (exists) current = node->score();
  }

  if (exists) {
    if (nx) {
      result.nop = true;
      return result;
    }
    if (incr) {
      score += current;
      if (std::isnan(score)) {
        result.nan = true;
        return result;
      }
    }
    if ((lt && score >= current) || (gt && score <= current)) {
      result.nop = true;
      return result;
    }
    result.score = score;
    if (score != current) {
      if (encoding_ == Encoding::kListpack) {
        pack_.Remove(member);
        pack_.Insert(member, score);
      } else {
        big_->list.UpdateScore(node, score);
      }
      result.updated = true;
    }
    return result;
  }
  if (xx) {
    result.nop = true;
    return result;
  }
  if (encoding_ == Encoding::kListpack &&
      (pack_.Size() + 1 > limits.max_listpack_entries ||
       member.size() > limits.max_listpack_value || !pack_.SafeToAdd(member.size()))) {
    ConvertToSkiplist(pack_.Size() + 1);
  }
  if (encoding_ == Encoding::kListpack) {
    pack_.Insert(member, score);
  } else {
    big_->Insert(member, score);
  }
  result.added = true;
  result.score = score;
  return result;
}

bool ZSetValue::Remove(std::string_view member) {
  if (encoding_ == Encoding::kListpack) return pack_.Remove(member);
  Node* node = big_->index.Erase(member);
  if (node == nullptr) return false;
  big_->list.Delete(node->score(), member);
  return true;
}

// ---- Ranks and ranges ---------------------------------------------------------

bool ZSetValue::Rank(std::string_view member, bool reverse, size_t* rank, double* score) const {
  size_t r;
  double s;
  if (encoding_ == Encoding::kListpack) {
    if (!pack_.Find(member, &s, &r)) return false;
  } else {
    Node* node = big_->index.Find(member);
    if (node == nullptr) return false;
    s = node->score();
    r = big_->list.Rank(s, member) - 1;
  }
  *rank = reverse ? Size() - 1 - r : r;
  if (score != nullptr) *score = s;
  return true;
}

bool ZSetValue::RanksIn(const ScoreRange& range, size_t* first, size_t* last) const {
  if (encoding_ == Encoding::kListpack) return pack_.RanksIn(range, first, last);
  size_t a, b;
  if (big_->list.FirstInRange(range, &a) == nullptr) return false;
  if (big_->list.LastInRange(range, &b) == nullptr) return false;
  *first = a - 1;
  *last = b - 1;
  return true;
}

bool ZSetValue::RanksIn(const LexRange& range, size_t* first, size_t* last) const {
  if (encoding_ == Encoding::kListpack) return pack_.RanksIn(range, first, last);
  size_t a, b;
  if (big_->list.FirstInRange(range, &a) == nullptr) return false;
  if (big_->list.LastInRange(range, &b) == nullptr || b < a) return false;
  *first = a - 1;
  *last = b - 1;
  return true;
}

void ZSetValue::ForRanks(size_t first, size_t last, bool reverse, PairVisitor fn) const {
  assert(first <= last && last < Size());
  if (encoding_ == Encoding::kSkiplist) {
    Node* n = big_->list.ByRank((reverse ? last : first) + 1);
    for (size_t i = first; i <= last && n != nullptr; ++i) {
      if (!fn(n->member(), n->score())) return;
      n = reverse ? n->prev() : n->next();
    }
    return;
  }
  ZSetPack::Cursor c(pack_);
  if (!reverse) {
    while (c.Next() && c.rank() <= last) {
      if (c.rank() >= first && !fn(c.member(), c.score())) return;
    }
    return;
  }
  std::vector<std::pair<std::string, double>> pairs;
  pairs.reserve(last - first + 1);
  while (c.Next() && c.rank() <= last) {
    if (c.rank() >= first) pairs.emplace_back(c.member(), c.score());
  }
  for (auto it = pairs.rbegin(); it != pairs.rend(); ++it) {
    if (!fn(it->first, it->second)) return;
  }
}

void ZSetValue::ForEach(PairVisitor fn) const {
  if (encoding_ == Encoding::kListpack) {
    pack_.ForEach([&fn](std::string_view m, double s) { return fn(m, s); });
    return;
  }
  for (Node* n = big_->list.first(); n != nullptr; n = n->next()) {
    if (!fn(n->member(), n->score())) return;
  }
}

size_t ZSetValue::RemoveRanks(size_t first, size_t last) {
  assert(first <= last && last < Size());
  if (encoding_ == Encoding::kListpack) {
    pack_.RemoveRanks(first, last);
    return last - first + 1;
  }
  MemberIndex& index = big_->index;
  return big_->list.DeleteRangeByRank(first + 1, last + 1,
                                      [&index](Node* n) { index.Erase(n->member()); });
}

uint64_t ZSetValue::Scan(uint64_t cursor, size_t count, PairVisitor fn) const {
  if (encoding_ == Encoding::kListpack) {
    ForEach(fn);
    return 0;
  }
  size_t seen = 0;
  size_t max_steps = count * 10;
  do {
    cursor = big_->index.ScanStep(cursor, [&](Node* n) {
      ++seen;
      fn(n->member(), n->score());
    });
  } while (cursor != 0 && max_steps-- > 0 && seen < count);
  return cursor;
}

bool ZSetValue::CheckConsistency() const {
  if (encoding_ == Encoding::kListpack) return pack_.CheckConsistency();
  const ZSkiplist& list = big_->list;
  if (!list.CheckConsistency() || big_->index.size() != list.size()) return false;
  bool ok = true;
  for (Node* n = list.first(); n != nullptr; n = n->next()) {
    if (big_->index.Find(n->member()) != n) ok = false;
  }
  size_t counted = 0;
  big_->index.ForEachNode([&counted](Node*) { ++counted; });
  return ok && counted == list.size();
}

}  // namespace lodestone
