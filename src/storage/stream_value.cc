#include "storage/stream_value.h"

#include <algorithm>
#include <charconv>

namespace lodestone {

std::string StreamId::ToString() const {
  return std::to_string(ms) + "-" + std::to_string(seq);
}

bool StreamId::Incr() {
  if (seq == UINT64_MAX) {
    if (ms == UINT64_MAX) return false;
    ms++;
    seq = 0;
  } else {
    seq++;
  }
  return true;
}

bool StreamId::Decr() {
  if (seq == 0) {
    if (ms == 0) return false;
    ms--;
    seq = UINT64_MAX;
  } else {
    seq--;
  }
  return true;
}

namespace {

// strtoull-like strict parse of a non-empty decimal (as string2ull).
bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool ParseStreamId(std::string_view s, uint64_t missing_seq, StreamId* id, bool* seq_given) {
  if (seq_given != nullptr) *seq_given = true;
  if (s.size() > 127) return false;
  if (s == "-") {
    *id = StreamId{};
    return true;
  }
  if (s == "+") {
    *id = StreamId::Max();
    return true;
  }
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!ParseU64(s, &id->ms)) return false;
    id->seq = missing_seq;
    return true;
  }
  if (!ParseU64(s.substr(0, dash), &id->ms)) return false;
  std::string_view seq = s.substr(dash + 1);
  if (seq_given != nullptr && seq == "*") {
    *seq_given = false;
    id->seq = 0;
    return true;
  }
  return ParseU64(seq, &id->seq);
}

std::string StreamValue::Pack(const Fields& fields) {
  std::string out;
  size_t total = 0;
  for (const std::string& f : fields) total += f.size() + 2;
  out.reserve(total);
  for (const std::string& f : fields) {
    size_t len = f.size();
    do {
      auto byte = static_cast<unsigned char>(len & 0x7f);
      len >>= 7;
      if (len != 0) byte |= 0x80;
      out.push_back(static_cast<char>(byte));
    } while (len != 0);
    out.append(f);
  }
  return out;
}

size_t StreamValue::ElementCount(std::string_view packed) {
  size_t n = 0;
  ForEachElement(packed, [&](std::string_view) { n++; });
  return n;
}

size_t StreamValue::MemoryUsage() const {
  size_t total = sizeof(*this) + nodes_.size() * (48 + sizeof(Node));
  for (const auto& [id, packed] : entries_) {
    // A tree node (header, key, inline string) plus any heap buffer.
    total += 32 + sizeof(StreamId) + sizeof(std::string);
    if (packed.capacity() > 15) total += packed.capacity() + 1;
  }
  for (const auto& [name, g] : groups_) {
    total += 64 + sizeof(StreamGroup) + name.capacity();
    total += g.pel.size() * (48 + sizeof(StreamNack));
    for (const auto& [cname, c] : g.consumers) {
      total += 64 + sizeof(StreamConsumer) + cname.capacity() + c.pel.size() * 48;
    }
  }
  return total;
}

std::unique_ptr<Collection> StreamValue::Clone() const {
  return std::make_unique<StreamValue>(*this);
}

void StreamValue::Append(StreamId id, Fields fields, StreamNodeLimits limits) {
  size_t element_bytes = 0;
  for (const std::string& f : fields) element_bytes += f.size();
  size_t element_count = fields.size();
  bool new_node = nodes_.empty();
  if (!new_node) {
    const Node& tail = nodes_.rbegin()->second;
    new_node = (limits.max_bytes != 0 && tail.bytes + element_bytes >= limits.max_bytes) ||
               (limits.max_entries != 0 && tail.total >= limits.max_entries);
  }
  if (new_node) nodes_.emplace_hint(nodes_.end(), id, Node{0, 0, 16});
  Node& tail = nodes_.rbegin()->second;
  tail.live++;
  tail.total++;
  // Roughly what the listpack entry costs: each element with its header,
  // plus the entry's ID delta, flags and back-length.
  tail.bytes += element_bytes + 2 * element_count + 6;
  entries_.emplace_hint(entries_.end(), id, Pack(fields));
  last_id_ = id;
  entries_added_++;
}

bool StreamValue::Delete(StreamId id) {
  if (entries_.erase(id) == 0) return false;
  auto node = std::prev(nodes_.upper_bound(id));
  if (--node->second.live == 0) nodes_.erase(node);
  if (id > max_deleted_id_) max_deleted_id_ = id;
  return true;
}

int64_t StreamValue::DropHeadNode() {
  int64_t n = nodes_.begin()->second.live;
  for (int64_t i = 0; i < n; i++) entries_.erase(entries_.begin());
  nodes_.erase(nodes_.begin());
  return n;
}

void StreamValue::DropHeadEntry() {
  entries_.erase(entries_.begin());
  if (--nodes_.begin()->second.live == 0) nodes_.erase(nodes_.begin());
}

int64_t StreamValue::TrimByLength(uint64_t maxlen, bool approx, int64_t limit) {
  int64_t removed = 0;
  while (entries_.size() > maxlen) {
    uint64_t live = nodes_.begin()->second.live;
    if (entries_.size() - live >= maxlen) {
      if (limit > 0 && removed + int64_t(live) > limit) break;
      removed += DropHeadNode();
      continue;
    }
    if (approx) break;
    DropHeadEntry();
    removed++;
  }
  return removed;
}

int64_t StreamValue::TrimByMinId(StreamId minid, bool approx, int64_t limit) {
  int64_t removed = 0;
  while (!entries_.empty() && entries_.begin()->first < minid) {
    auto next = std::next(nodes_.begin());
    StreamId node_last = next == nodes_.end() ? entries_.rbegin()->first
                                              : std::prev(entries_.lower_bound(next->first))->first;
    if (node_last < minid) {
      int64_t live = nodes_.begin()->second.live;
      if (limit > 0 && removed + live > limit) break;
      removed += DropHeadNode();
      continue;
    }
    if (approx) break;
    DropHeadEntry();
    removed++;
  }
  return removed;
}

StreamConsumer& StreamGroup::Touch(const std::string& name, int64_t now_ms) {
  StreamConsumer& c = consumers[name];
  c.seen_time = now_ms;
  return c;
}

void StreamGroup::Deliver(StreamId id, const std::string& consumer, int64_t now_ms) {
  auto [it, inserted] = pel.try_emplace(id);
  if (!inserted) consumers[it->second.consumer].pel.erase(id);
  it->second = StreamNack{consumer, now_ms, 1};
  consumers[consumer].pel.insert(id);
}

void StreamGroup::Claim(Pel::iterator it, const std::string& consumer) {
  StreamNack& nack = it->second;
  if (nack.consumer == consumer) return;
  if (!nack.consumer.empty()) consumers[nack.consumer].pel.erase(it->first);
  nack.consumer = consumer;
  consumers[consumer].pel.insert(it->first);
}

StreamGroup::Pel::iterator StreamGroup::DropPending(Pel::iterator it) {
  auto c = consumers.find(it->second.consumer);
  if (c != consumers.end()) c->second.pel.erase(it->first);
  return pel.erase(it);
}

bool StreamGroup::Ack(StreamId id) {
  auto it = pel.find(id);
  if (it == pel.end()) return false;
  DropPending(it);
  return true;
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) return 0;
  size_t pending = it->second.pel.size();
  for (StreamId id : it->second.pel) pel.erase(id);
  consumers.erase(it);
  return pending;
}

StreamGroup* StreamValue::FindGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : &it->second;
}

bool StreamValue::RangeHasTombstones(StreamId start, StreamId end) const {
  if (entries_.empty() || max_deleted_id_.IsZero()) return false;
  return start <= max_deleted_id_ && max_deleted_id_ <= end;
}

int64_t StreamValue::EstimateDistance(StreamId id) const {
  if (entries_added_ == 0) return 0;
  if (entries_.empty() && id <= last_id_) return int64_t(entries_added_);
  if (!id.IsZero() && id < max_deleted_id_) return kInvalidEntriesRead;
  if (id == last_id_) return int64_t(entries_added_);
  if (id > last_id_) return kInvalidEntriesRead;
  StreamId first = first_id();
  if (max_deleted_id_.IsZero() || max_deleted_id_ < first) {
    if (id < first) return int64_t(entries_added_ - entries_.size());
    if (id == first) return int64_t(entries_added_ - entries_.size() + 1);
  }
  return kInvalidEntriesRead;
}

bool StreamValue::GroupLag(const StreamGroup& g, int64_t* lag) const {
  if (entries_added_ == 0 || entries_.empty()) {
    *lag = 0;
    return true;
  }
  StreamId first = first_id();
  if (g.last_id < first && max_deleted_id_ < first) {
    *lag = int64_t(entries_.size());
    return true;
  }
  if (g.entries_read != kInvalidEntriesRead && !RangeHasTombstones(g.last_id, StreamId::Max())) {
    *lag = int64_t(entries_added_) - g.entries_read;
    return true;
  }
  int64_t read = EstimateDistance(g.last_id);
  if (read == kInvalidEntriesRead) return false;
  *lag = int64_t(entries_added_) - read;
  return true;
}

void StreamValue::AdvanceGroup(StreamGroup& g, StreamId id) const {
  if (!(id > g.last_id)) return;
  if (g.entries_read != kInvalidEntriesRead && !RangeHasTombstones(g.last_id, StreamId::Max())) {
    g.entries_read++;
  } else if (entries_added_ != 0) {
    g.entries_read = EstimateDistance(id);
  }
  g.last_id = id;
}

size_t StreamValue::RadixKeys() const { return nodes_.size(); }

size_t StreamValue::RadixNodes() const {
  size_t keys = RadixKeys();
  return keys == 0 ? 1 : keys + 1;
}

}  // namespace lodestone
