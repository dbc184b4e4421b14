// ListValue: see list_value.h. The quicklist part mirrors the node rules of
// Redis's quicklist.c (when a node may take one more entry, when two nodes
// merge, how a full node splits), because the node layout decides when a list
// may convert back to a listpack, and that shows in OBJECT ENCODING.
//
// Nodes live in a std::deque: O(1) at both ends, which is where lists are
// pushed and popped; inserting a node in the middle moves node handles
// (8 bytes each), which is cheap next to the listpack work around it.
#include "storage/list_value.h"

#include <algorithm>
#include <climits>
#include <utility>
#include <vector>

namespace lodestone {
namespace {

// Byte limits of negative fills -1..-5 (Redis's optimization_level).
constexpr size_t kNegativeFillLimits[] = {4096, 8192, 16384, 32768, 65536};
// Largest multi-entry node when the fill counts entries (SIZE_SAFETY_LIMIT).
constexpr size_t kSizeSafetyLimit = 8192;
// Per-entry overhead assumed when testing whether one more fits.
constexpr size_t kEntryOverheadEstimate = 8;
// Redis listpack header (6) plus end mark (1).
constexpr size_t kRedisListpackOverhead = 7;
// Largest fill a quicklist keeps (FILL_MAX) and smallest.
constexpr int kFillMax = (1 << 15) - 1;
constexpr int kFillMin = -5;

size_t NegativeFillLimit(int fill) {
  size_t level = size_t(-(int64_t(fill))) - 1;
  return kNegativeFillLimits[std::min(level, std::size(kNegativeFillLimits) - 1)];
}

// quicklistNodeLimit: a byte limit (negative fill) or an entry limit.
void NodeLimit(int fill, uint64_t* size_limit, uint64_t* count_limit) {
  *size_limit = UINT64_MAX;
  *count_limit = UINT64_MAX;
  if (fill >= 0) {
    *count_limit = fill == 0 ? 1 : uint64_t(fill);
  } else {
    *size_limit = NegativeFillLimit(fill);
  }
}

bool ExceedsLimit(int fill, size_t bytes, size_t count) {
  uint64_t size_limit, count_limit;
  NodeLimit(fill, &size_limit, &count_limit);
  if (size_limit != UINT64_MAX) return bytes > size_limit;
  if (bytes > kSizeSafetyLimit) return true;
  return count > count_limit;
}

// An element this large gets a node of its own.
bool IsLarge(size_t length, int fill) {
  return fill >= 0 ? length > kSizeSafetyLimit : length > NegativeFillLimit(fill);
}

int ClampFill(int fill) { return std::clamp(fill, kFillMin, kFillMax); }

}  // namespace

bool IsLargeListElement(size_t length, const ListLimits& limits) {
  return IsLarge(length, ClampFill(limits.max_listpack_size));
}

size_t RedisListpackBytes(const Listpack& lp) {
  static const size_t kEmptyBytes = Listpack().BytesUsed();
  return kRedisListpackOverhead + (lp.BytesUsed() - kEmptyBytes);
}

// ---- Quicklist --------------------------------------------------------------

struct ListValue::Quicklist {
  std::deque<Listpack> nodes;  // Never empty ones, once an operation ends.
  size_t count = 0;            // Elements across all nodes.
  int fill;                    // list-max-listpack-size when it was created.

  explicit Quicklist(int f) : fill(ClampFill(f)) {}

  // Redis's plain node: a single element too large to share a node.
  bool IsPlain(const Listpack& node) const {
    if (node.Size() != 1) return false;
    Listpack::Value v = node.Get(node.First());
    return !v.is_int() && IsLarge(v.bytes().size(), fill);
  }
  bool AllowInsert(size_t i, size_t length) const {
    if (i >= nodes.size()) return false;
    const Listpack& node = nodes[i];
    if (IsPlain(node) || IsLarge(length, fill)) return false;
    size_t new_bytes = RedisListpackBytes(node) + length + kEntryOverheadEstimate;
    return !ExceedsLimit(fill, new_bytes, node.Size() + 1);
  }
  bool AllowMerge(size_t a, size_t b) const {
    if (a >= nodes.size() || b >= nodes.size()) return false;
    if (IsPlain(nodes[a]) || IsPlain(nodes[b])) return false;
    size_t merged = RedisListpackBytes(nodes[a]) + RedisListpackBytes(nodes[b]) -
                    kRedisListpackOverhead;
    return !ExceedsLimit(fill, merged, nodes[a].Size() + nodes[b].Size());
  }

  static Listpack NodeOf(std::string_view value) {
    Listpack lp;
    lp.Append(Listpack::Value(value));
    return lp;
  }

  // Moves node a+1's entries to the end of node a and drops it.
  void Merge(size_t a) {
    Listpack& dst = nodes[a];
    const Listpack& src = nodes[a + 1];
    std::vector<Listpack::Value> values(src.begin(), src.end());
    dst.Append(std::span<const Listpack::Value>(values));
    nodes.erase(nodes.begin() + ptrdiff_t(a) + 1);
  }

  // _quicklistMergeNodes: tries (prev_prev, prev), (next, next_next),
  // (prev, center), (center, next). Returns the center's final index.
  size_t MergeAround(size_t c) {
    if (c >= 2 && AllowMerge(c - 2, c - 1)) {
      Merge(c - 2);
      c--;
    }
    if (AllowMerge(c + 1, c + 2)) Merge(c + 1);
    size_t target = c;
    if (c >= 1 && AllowMerge(c - 1, c)) {
      Merge(c - 1);
      target = c - 1;
    }
    if (AllowMerge(target, target + 1)) Merge(target);
    return target;
  }

  // _quicklistSplitNode: with `after`, node i keeps [0, offset] and the
  // returned node holds the rest; else the returned node holds [0, offset)
  // and node i keeps the rest.
  Listpack Split(size_t i, size_t offset, bool after) {
    Listpack& node = nodes[i];
    Listpack other = node.Clone();
    size_t n = node.Size();
    if (after) {
      node.DeleteRange(int64_t(offset + 1), n);
      other.DeleteRange(0, offset + 1);
    } else {
      node.DeleteRange(0, offset);
      other.DeleteRange(int64_t(offset), n);
    }
    return other;
  }

  void InsertNode(size_t i, bool after, Listpack node) {
    nodes.insert(nodes.begin() + ptrdiff_t(after ? i + 1 : i), std::move(node));
  }

  void Push(End end, std::string_view value) {
    bool head = end == End::kHead;
    size_t edge = head ? 0 : nodes.size() - 1;
    if (!nodes.empty() && AllowInsert(edge, value.size())) {
      if (head) {
        nodes.front().Prepend(Listpack::Value(value));
      } else {
        nodes.back().Append(Listpack::Value(value));
      }
    } else if (head) {
      nodes.push_front(NodeOf(value));
      // Only the head node needs room in front (Listpack::Prepend).
      if (nodes.size() > 1) nodes[1].ShrinkToFit();
    } else {
      nodes.push_back(NodeOf(value));
    }
    count++;
  }

  // _quicklistInsert: `value` goes before or after entry `offset` of node i.
  void Insert(size_t i, size_t offset, bool after, std::string_view value) {
    const size_t length = value.size();
    const size_t node_count = nodes[i].Size();
    const bool full = !AllowInsert(i, length);
    const bool at_tail = after && offset == node_count - 1;
    const bool at_head = !after && offset == 0;
    const bool avail_next = at_tail && AllowInsert(i + 1, length);
    const bool avail_prev = at_head && i > 0 && AllowInsert(i - 1, length);
    count++;
    if (IsLarge(length, fill)) {
      if (IsPlain(nodes[i]) || at_tail || at_head) {
        InsertNode(i, after, NodeOf(value));
      } else {
        Listpack rest = Split(i, offset, after);
        InsertNode(i, after, NodeOf(value));
        InsertNode(after ? i + 1 : i, after, std::move(rest));
      }
      return;
    }
    if (!full) {
      Listpack& node = nodes[i];
      node.InsertAt(after ? offset + 1 : offset, Listpack::Value(value));
    } else if (at_tail && avail_next) {
      nodes[i + 1].InsertAt(0, Listpack::Value(value));
    } else if (at_head && avail_prev) {
      nodes[i - 1].Append(Listpack::Value(value));
    } else if (at_tail || at_head) {
      InsertNode(i, after, NodeOf(value));
    } else {
      Listpack rest = Split(i, offset, after);
      if (after) {
        rest.InsertAt(0, Listpack::Value(value));
      } else {
        rest.Append(Listpack::Value(value));
      }
      InsertNode(i, after, std::move(rest));
      MergeAround(after ? i : i + 1);
    }
  }

  // quicklistReplaceEntry for entry `offset` of node i.
  void Replace(size_t i, size_t offset, std::string_view value) {
    Listpack& node = nodes[i];
    const bool large = IsLarge(value.size(), fill);
    if (!IsPlain(node) && !large) {
      node.ReplaceAt(int64_t(offset), Listpack::Value(value));
    } else if (IsPlain(node)) {
      // A small value leaving a plain node joins the next node if it can.
      if (!large && AllowInsert(i + 1, value.size())) {
        nodes[i + 1].InsertAt(0, Listpack::Value(value));
        nodes.erase(nodes.begin() + ptrdiff_t(i));
      } else {
        node.ReplaceAt(0, Listpack::Value(value));
      }
    } else {
      // A large value in a packed node: the node splits around it.
      if (offset != node.Size() - 1) {
        Listpack rest = Split(i, offset, /*after=*/true);
        InsertNode(i, true, std::move(rest));
      }
      InsertNode(i, true, NodeOf(value));
      if (nodes[i].Size() == 1) {
        nodes.erase(nodes.begin() + ptrdiff_t(i));
      } else {
        nodes[i].DeleteRange(-1, 1);
        MergeAround(i + 1);
      }
    }
  }

  void Locate(size_t index, size_t* node, size_t* offset) const {
    if (index < count / 2) {
      size_t i = 0;
      while (index >= nodes[i].Size()) index -= nodes[i++].Size();
      *node = i;
      *offset = index;
    } else {
      size_t from_tail = count - 1 - index;  // 0 = the last element
      size_t i = nodes.size() - 1;
      while (from_tail >= nodes[i].Size()) from_tail -= nodes[i--].Size();
      *node = i;
      *offset = nodes[i].Size() - 1 - from_tail;
    }
  }

  // Removes n >= 1 elements from absolute index `first` on (in range).
  void DeleteRange(size_t first, size_t n) {
    size_t i, offset;
    Locate(first, &i, &offset);
    count -= n;
    while (n > 0) {
      Listpack& node = nodes[i];
      size_t del = std::min(n, node.Size() - offset);
      if (offset == 0 && del == node.Size()) {
        nodes.erase(nodes.begin() + ptrdiff_t(i));
      } else {
        node.DeleteRange(int64_t(offset), del);
        i++;
      }
      n -= del;
      offset = 0;
    }
  }
};

// ---- ListValue ----------------------------------------------------------------

ListValue::ListValue() = default;
ListValue::~ListValue() = default;

size_t ListValue::MemoryUsage() const {
  auto lp_bytes = [](const Listpack& lp) {
    return lp.Empty() ? size_t{0} : lp.BytesUsed() + lp.ReserveBytes();
  };
  size_t total = sizeof(*this) + lp_bytes(lp_);
  if (ql_) {
    total += sizeof(Quicklist) + ql_->nodes.size() * sizeof(Listpack);
    for (const Listpack& node : ql_->nodes) total += lp_bytes(node);
  }
  return total;
}

std::unique_ptr<Collection> ListValue::Clone() const {
  auto copy = std::make_unique<ListValue>();
  copy->lp_ = lp_.Clone();
  if (ql_) {
    copy->ql_ = std::make_unique<Quicklist>(ql_->fill);
    copy->ql_->count = ql_->count;
    for (const Listpack& node : ql_->nodes) copy->ql_->nodes.push_back(node.Clone());
  }
  return copy;
}

size_t ListValue::Size() const { return ql_ ? ql_->count : lp_.Size(); }

size_t ListValue::NodeCount() const { return ql_ ? ql_->nodes.size() : 1; }

const Listpack& ListValue::NodeAt(size_t i) const { return ql_ ? ql_->nodes[i] : lp_; }
Listpack& ListValue::NodeAt(size_t i) { return ql_ ? ql_->nodes[i] : lp_; }

void ListValue::Locate(size_t index, size_t* node, size_t* offset) const {
  if (ql_) {
    ql_->Locate(index, node, offset);
  } else {
    *node = 0;
    *offset = index;
  }
}

void ListValue::GrowFor(size_t add_bytes, size_t add_count, const ListLimits& limits) {
  if (ql_) return;
  if (!ExceedsLimit(limits.max_listpack_size, RedisListpackBytes(lp_) + add_bytes,
                    lp_.Size() + add_count)) {
    return;
  }
  ql_ = std::make_unique<Quicklist>(limits.max_listpack_size);
  if (!lp_.Empty()) {
    ql_->count = lp_.Size();
    ql_->nodes.push_back(std::move(lp_));
    lp_ = Listpack();
  }
}

void ListValue::GrowFor(std::span<const std::string_view> values, const ListLimits& limits) {
  size_t bytes = 0;
  for (std::string_view v : values) bytes += v.size();
  GrowFor(bytes, values.size(), limits);
}

void ListValue::TryShrink(const ListLimits& limits, bool shrinking) {
  if (!ql_ || ql_->nodes.size() != 1 || ql_->IsPlain(ql_->nodes[0])) return;
  uint64_t size_limit, count_limit;
  NodeLimit(limits.max_listpack_size, &size_limit, &count_limit);
  if (shrinking) {
    size_limit /= 2;
    count_limit /= 2;
  }
  const Listpack& node = ql_->nodes[0];
  if (RedisListpackBytes(node) > size_limit || node.Size() > count_limit) return;
  lp_ = std::move(ql_->nodes[0]);
  ql_.reset();
}

std::optional<ListValue::Element> ListValue::Index(int64_t index) const {
  int64_t size = int64_t(Size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return std::nullopt;
  size_t node, offset;
  Locate(size_t(index), &node, &offset);
  return NodeAt(node).Get(int64_t(offset));
}

ListValue::Cursor ListValue::CursorAt(size_t index, bool reverse) const {
  Cursor c;
  c.list_ = this;
  c.reverse_ = reverse;
  if (index >= Size()) return c;
  size_t offset;
  Locate(index, &c.node_, &offset);
  c.pos_ = NodeAt(c.node_).Seek(int64_t(offset));
  return c;
}

std::optional<ListValue::Element> ListValue::Cursor::Next() {
  if (!pos_) return std::nullopt;
  const Listpack& node = list_->NodeAt(node_);
  Element out = node.Get(pos_);
  pos_ = reverse_ ? node.Prev(pos_) : node.Next(pos_);
  if (!pos_) {
    if (reverse_ && node_ > 0) {
      node_--;
      pos_ = list_->NodeAt(node_).Last();
    } else if (!reverse_ && node_ + 1 < list_->NodeCount()) {
      node_++;
      pos_ = list_->NodeAt(node_).First();
    }
  }
  return out;
}

void ListValue::Push(End end, std::string_view value) {
  if (ql_) {
    ql_->Push(end, value);
  } else if (end == End::kHead) {
    lp_.Prepend(Listpack::Value(value));
  } else {
    lp_.Append(Listpack::Value(value));
  }
}

std::string ListValue::Pop(End end) {
  bool head = end == End::kHead;
  Listpack& node = ql_ ? (head ? ql_->nodes.front() : ql_->nodes.back()) : lp_;
  Listpack::Position p = head ? node.First() : node.Last();
  std::string value = node.Get(p).ToString();
  if (head) {
    node.DeleteFirst();
  } else {
    node.Delete(p);
  }
  if (ql_) {
    ql_->count--;
    if (node.Empty()) {
      if (head) {
        ql_->nodes.pop_front();
      } else {
        ql_->nodes.pop_back();
      }
    }
  }
  return value;
}

bool ListValue::Set(int64_t index, std::string_view value) {
  int64_t size = int64_t(Size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return false;
  if (!ql_) {
    lp_.ReplaceAt(index, Listpack::Value(value));
    return true;
  }
  size_t node, offset;
  ql_->Locate(size_t(index), &node, &offset);
  ql_->Replace(node, offset, value);
  return true;
}

bool ListValue::Insert(std::string_view pivot, std::string_view value, bool after) {
  for (size_t i = 0; i < NodeCount(); i++) {
    Listpack& node = NodeAt(i);
    Listpack::Position p = node.Find(pivot);
    if (!p) continue;
    if (!ql_) {
      node.Insert(p, after ? Listpack::Where::kAfter : Listpack::Where::kBefore,
                  Listpack::Value(value));
      return true;
    }
    size_t offset = 0;
    for (Listpack::Position q = node.First(); q != p; q = node.Next(q)) offset++;
    ql_->Insert(i, offset, after, value);
    return true;
  }
  return false;
}

size_t ListValue::Remove(std::string_view value, int64_t count) {
  const bool from_tail = count < 0;
  const uint64_t limit = from_tail ? uint64_t(0) - uint64_t(count) : uint64_t(count);
  size_t removed = 0;
  auto want_more = [&] { return limit == 0 || removed < limit; };
  // Nodes are visited from the chosen end. Going forward, erasing node i
  // brings the next one to index i; going backward, i just steps down.
  size_t i = from_tail ? NodeCount() : 0;
  while (want_more()) {
    if (from_tail) {
      if (i == 0) break;
      i--;
    } else if (i >= NodeCount()) {
      break;
    }
    Listpack& node = NodeAt(i);
    const size_t before = node.Size();
    Listpack::Position p = from_tail ? node.Last() : node.First();
    while (p && want_more()) {
      if (!node.Get(p).Equals(value)) {
        p = from_tail ? node.Prev(p) : node.Next(p);
        continue;
      }
      Listpack::Position next = node.Delete(p);
      removed++;
      p = !from_tail ? next : (next ? node.Prev(next) : node.Last());
    }
    bool erased = false;
    if (ql_) {
      ql_->count -= before - node.Size();
      if (node.Empty()) {
        ql_->nodes.erase(ql_->nodes.begin() + ptrdiff_t(i));
        erased = true;
      }
    }
    if (!from_tail && !erased) i++;
  }
  return removed;
}

void ListValue::DeleteRange(int64_t start, size_t count) {
  const size_t size = Size();
  if (count == 0) return;
  size_t first;
  if (start >= 0) {
    if (size_t(start) >= size) return;
    first = size_t(start);
    count = std::min(count, size - first);
  } else {
    uint64_t back = uint64_t(0) - uint64_t(start);
    if (back > size) return;
    first = size - back;
    count = std::min<uint64_t>(count, back);
  }
  if (ql_) {
    ql_->DeleteRange(first, count);
  } else {
    lp_.DeleteRange(int64_t(first), count);
  }
}

bool ListValue::CheckConsistency() const {
  if (!ql_) return lp_.CheckConsistency();
  if (!lp_.Empty()) return false;
  size_t total = 0;
  for (const Listpack& node : ql_->nodes) {
    if (node.Empty() || !node.CheckConsistency()) return false;
    total += node.Size();
  }
  return total == ql_->count;
}

}  // namespace lodestone
