// ZSkiplist, following the algorithms of Pugh's paper as Redis's t_zset.c
// applies them. Insertion finds, for every level, the last node before the
// new element (update[]) and that node's rank (rank[]); the new node's span at
// level i is then the distance from update[i] to the old successor minus the
// ranks skipped below, and update[i]'s span becomes rank[0] - rank[i] + 1.
// Unlinking reverses this: a predecessor that pointed at the node takes over
// its span minus one, every higher predecessor just loses one.
#include "core/skiplist.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unordered_map>

namespace lodestone {

int CompareMembers(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  int c = n == 0 ? 0 : std::memcmp(a.data(), b.data(), n);
  if (c != 0) return c;
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

int CompareWithBound(std::string_view member, const LexBound& bound) {
  switch (bound.kind) {
    case LexBound::Kind::kMinusInfinity:
      return 1;
    case LexBound::Kind::kPlusInfinity:
      return -1;
    case LexBound::Kind::kValue:
      break;
  }
  return CompareMembers(member, bound.value);
}

bool LexRange::IsEmpty() const {
  using Kind = LexBound::Kind;
  int c;
  if (min.kind == max.kind && min.kind != Kind::kValue) {
    c = 0;
  } else if (min.kind == Kind::kMinusInfinity || max.kind == Kind::kPlusInfinity) {
    c = -1;
  } else if (min.kind == Kind::kPlusInfinity || max.kind == Kind::kMinusInfinity) {
    c = 1;
  } else {
    c = CompareMembers(min.value, max.value);
  }
  return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
}

namespace {

// (a_score, a_member) < (b_score, b_member) in sorted-set order.
bool Before(double a_score, std::string_view a_member, double b_score, std::string_view b_member) {
  return a_score < b_score || (a_score == b_score && CompareMembers(a_member, b_member) < 0);
}

uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

size_t NodeBytesFor(int levels, size_t member_size) {
  return sizeof(ZSkiplist::Node) + static_cast<size_t>(levels) * 2 * sizeof(void*) + member_size;
}

}  // namespace

ZSkiplist::Node* ZSkiplist::NewNode(int levels, double score, std::string_view member) {
  assert(member.size() < (uint64_t{1} << 32));
  void* block = std::malloc(NodeBytesFor(levels, member.size()));
  if (block == nullptr) throw std::bad_alloc();
  Node* node = static_cast<Node*>(block);
  node->score_ = score;
  node->backward_ = nullptr;
  node->member_size_ = static_cast<uint32_t>(member.size());
  node->level_count_ = static_cast<uint8_t>(levels);
  for (int i = 0; i < levels; ++i) node->levels()[i] = {nullptr, 0};
  if (!member.empty()) {
    std::memcpy(reinterpret_cast<char*>(node->levels() + levels), member.data(), member.size());
  }
  return node;
}

void ZSkiplist::FreeNode(Node* node) { std::free(node); }

size_t ZSkiplist::NodeBytes(const Node* node) {
  return NodeBytesFor(node->level_count_, node->member_size_);
}

ZSkiplist::ZSkiplist() : header_(NewNode(kMaxLevel, 0, {})) {
  bytes_ = NodeBytes(header_);
  random_state_ = reinterpret_cast<uintptr_t>(header_) ^ 0x5851f42d4c957f2dULL;
}

ZSkiplist::~ZSkiplist() {
  if (header_ == nullptr) return;
  Node* x = header_->levels()[0].forward;
  while (x != nullptr) {
    Node* next = x->levels()[0].forward;
    FreeNode(x);
    x = next;
  }
  FreeNode(header_);
}

ZSkiplist::ZSkiplist(ZSkiplist&& other) noexcept
    : header_(other.header_),
      tail_(other.tail_),
      length_(other.length_),
      bytes_(other.bytes_),
      level_(other.level_),
      random_state_(other.random_state_) {
  other.header_ = nullptr;
  other.tail_ = nullptr;
  other.length_ = 0;
  other.bytes_ = 0;
  other.level_ = 1;
}

ZSkiplist& ZSkiplist::operator=(ZSkiplist&& other) noexcept {
  if (this != &other) {
    this->~ZSkiplist();
    new (this) ZSkiplist(std::move(other));
  }
  return *this;
}

int ZSkiplist::RandomLevel() {
  // Each further level with probability 1/4: two more zero bits.
  uint64_t bits = SplitMix64(&random_state_);
  int level = 1 + std::countr_zero(bits | (uint64_t{1} << 62)) / 2;
  return std::min(level, kMaxLevel);
}

void ZSkiplist::FindPredecessors(double score, std::string_view member, Node** update,
                                 size_t* rank) const {
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward != nullptr &&
           Before(x->levels()[i].forward->score_, x->levels()[i].forward->member(), score,
                  member)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
}

void ZSkiplist::Link(Node* node, Node** update, size_t* rank) {
  int level = node->level_count_;
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      // FindPredecessors filled only the levels in use.
      rank[i] = 0;
      update[i] = header_;
      update[i]->levels()[i].span = length_;
    }
    level_ = level;
  }
  for (int i = 0; i < level; ++i) {
    node->levels()[i].forward = update[i]->levels()[i].forward;
    update[i]->levels()[i].forward = node;
    node->levels()[i].span = update[i]->levels()[i].span - (rank[0] - rank[i]);
    update[i]->levels()[i].span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; ++i) update[i]->levels()[i].span++;
  node->backward_ = update[0] == header_ ? nullptr : update[0];
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward_ = node;
  } else {
    tail_ = node;
  }
  ++length_;
}

void ZSkiplist::Unlink(Node* node, Node** update) {
  for (int i = 0; i < level_; ++i) {
    if (update[i]->levels()[i].forward == node) {
      update[i]->levels()[i].span += node->levels()[i].span - 1;
      update[i]->levels()[i].forward = node->levels()[i].forward;
    } else {
      update[i]->levels()[i].span -= 1;
    }
  }
  if (node->levels()[0].forward != nullptr) {
    node->levels()[0].forward->backward_ = node->backward_;
  } else {
    tail_ = node->backward_;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) --level_;
  --length_;
}

ZSkiplist::Node* ZSkiplist::Insert(double score, std::string_view member) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  FindPredecessors(score, member, update, rank);
  Node* node = NewNode(RandomLevel(), score, member);
  bytes_ += NodeBytes(node);
  Link(node, update, rank);
  return node;
}

bool ZSkiplist::Delete(double score, std::string_view member) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  FindPredecessors(score, member, update, rank);
  Node* x = update[0]->levels()[0].forward;
  if (x == nullptr || x->score_ != score || x->member() != member) return false;
  Unlink(x, update);
  bytes_ -= NodeBytes(x);
  FreeNode(x);
  return true;
}

void ZSkiplist::UpdateScore(Node* node, double new_score) {
  // Still between its neighbours: change the score in place.
  if ((node->backward_ == nullptr || node->backward_->score_ < new_score) &&
      (node->levels()[0].forward == nullptr || node->levels()[0].forward->score_ > new_score)) {
    node->score_ = new_score;
    return;
  }
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  FindPredecessors(node->score_, node->member(), update, rank);
  assert(update[0]->levels()[0].forward == node);
  Unlink(node, update);
  node->score_ = new_score;
  FindPredecessors(new_score, node->member(), update, rank);
  Link(node, update, rank);
}

size_t ZSkiplist::Rank(double score, std::string_view member) const {
  size_t traversed;
  Node* x = Descend(
      [&](const Node* n) {
        return n->score_ < score || (n->score_ == score && CompareMembers(n->member(), member) <= 0);
      },
      &traversed);
  if (x != header_ && x->score_ == score && x->member() == member) return traversed;
  return 0;
}

ZSkiplist::Node* ZSkiplist::ByRank(size_t rank) const {
  if (rank == 0 || rank > length_) return nullptr;
  Node* x = header_;
  size_t traversed = 0;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward != nullptr && traversed + x->levels()[i].span <= rank) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == rank) return x;
  }
  return nullptr;
}

ZSkiplist::Node* ZSkiplist::FirstInRange(const ScoreRange& range, size_t* rank) const {
  if (range.IsEmpty() || tail_ == nullptr || !range.GteMin(tail_->score_) ||
      !range.LteMax(first()->score_)) {
    return nullptr;
  }
  size_t traversed;
  Node* x = Descend([&](const Node* n) { return !range.GteMin(n->score_); }, &traversed);
  x = x->levels()[0].forward;
  if (x == nullptr || !range.LteMax(x->score_)) return nullptr;
  *rank = traversed + 1;
  return x;
}

ZSkiplist::Node* ZSkiplist::LastInRange(const ScoreRange& range, size_t* rank) const {
  if (range.IsEmpty() || tail_ == nullptr || !range.GteMin(tail_->score_) ||
      !range.LteMax(first()->score_)) {
    return nullptr;
  }
  size_t traversed;
  Node* x = Descend([&](const Node* n) { return range.LteMax(n->score_); }, &traversed);
  if (x == header_ || !range.GteMin(x->score_)) return nullptr;
  *rank = traversed;
  return x;
}

ZSkiplist::Node* ZSkiplist::FirstInRange(const LexRange& range, size_t* rank) const {
  if (range.IsEmpty() || tail_ == nullptr || !range.GteMin(tail_->member()) ||
      !range.LteMax(first()->member())) {
    return nullptr;
  }
  size_t traversed;
  Node* x = Descend([&](const Node* n) { return !range.GteMin(n->member()); }, &traversed);
  x = x->levels()[0].forward;
  if (x == nullptr || !range.LteMax(x->member())) return nullptr;
  *rank = traversed + 1;
  return x;
}

ZSkiplist::Node* ZSkiplist::LastInRange(const LexRange& range, size_t* rank) const {
  if (range.IsEmpty() || tail_ == nullptr || !range.GteMin(tail_->member()) ||
      !range.LteMax(first()->member())) {
    return nullptr;
  }
  size_t traversed;
  Node* x = Descend([&](const Node* n) { return range.LteMax(n->member()); }, &traversed);
  if (x == header_ || !range.GteMin(x->member())) return nullptr;
  *rank = traversed;
  return x;
}

bool ZSkiplist::CheckConsistency() const {
  std::unordered_map<const Node*, size_t> rank_of;
  rank_of[header_] = 0;
  size_t n = 0;
  const Node* prev = nullptr;
  for (const Node* x = first(); x != nullptr; x = x->next()) {
    ++n;
    rank_of[x] = n;
    if (x->backward_ != prev) return false;
    if (prev != nullptr && !Before(prev->score_, prev->member(), x->score_, x->member())) {
      return false;
    }
    if (x->level_count_ < 1 || x->level_count_ > kMaxLevel) return false;
    prev = x;
  }
  if (n != length_ || tail_ != prev) return false;
  for (int i = 0; i < kMaxLevel; ++i) {
    if (i >= level_) {
      if (header_->levels()[i].forward != nullptr) return false;
      continue;
    }
    const Node* x = header_;
    while (true) {
      const Node* next = x->levels()[i].forward;
      size_t here = rank_of[x];
      if (next == nullptr) break;  // A last link's span is never read.
      if (next->level_count_ <= i) return false;
      if (x->levels()[i].span != rank_of[next] - here) return false;
      x = next;
    }
  }
  if (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) return false;
  return true;
}

}  // namespace lodestone
