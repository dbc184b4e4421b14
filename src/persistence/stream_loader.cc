// Stream RDB objects -> StreamValue (see stream_loader.h).
//
// Each node is a listpack of a master entry (live count, deleted count, the
// master field names, 0) followed by entries (flags, ms and seq deltas from
// the node's ID, [field count, fields and values | values only when the
// SAMEFIELDS flag says the fields are the master's], and the entry's element
// count). Deleted entries are skipped; live ones are appended in order, and
// everything the node claims is checked against what it holds.
#include "persistence/stream_loader.h"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "core/listpack.h"
#include "persistence/rdb_format.h"

namespace lodestone {
namespace {

StreamId DecodeStreamId(std::string_view raw) {
  StreamId id;
  for (int i = 0; i < 8; i++) {
    id.ms = id.ms << 8 | static_cast<uint8_t>(raw[i]);
    id.seq = id.seq << 8 | static_cast<uint8_t>(raw[8 + i]);
  }
  return id;
}

bool ReadRawId(RdbReader& r, StreamId* id) {
  std::string_view raw;
  if (!r.ReadRaw(16, &raw)) return false;
  *id = DecodeStreamId(raw);
  return true;
}

bool ReadId(RdbReader& r, StreamId* id) { return r.ReadLength(&id->ms) && r.ReadLength(&id->seq); }

// Sequential, bounds-checked reads of a listpack's elements.
class ElementReader {
 public:
  explicit ElementReader(const Listpack& lp) : it_(lp.begin()), end_(lp.end()) {}
  bool AtEnd() const { return it_ == end_; }
  bool Int(int64_t* v) {
    if (AtEnd()) return false;
    Listpack::Value e = *it_++;
    if (!e.is_int()) return false;
    *v = e.integer();
    return true;
  }
  bool String(std::string* s) {
    if (AtEnd()) return false;
    *s = (*it_++).ToString();
    return true;
  }

 private:
  Listpack::Iterator it_, end_;
};

// Appends the live entries of one node to `stream`.
bool LoadNode(StreamId master_id, const Listpack& lp, const StreamNodeLimits& limits,
              StreamValue& stream, bool* any_entry) {
  ElementReader r(lp);
  int64_t live, deleted, master_count;
  if (!r.Int(&live) || !r.Int(&deleted) || !r.Int(&master_count) || live < 0 || deleted < 0 ||
      master_count < 0 || uint64_t(master_count) > lp.Size()) {
    return false;
  }
  std::vector<std::string> master_fields(master_count);
  for (std::string& f : master_fields) {
    if (!r.String(&f)) return false;
  }
  int64_t zero;
  if (!r.Int(&zero) || zero != 0) return false;
  int64_t seen_live = 0, seen_deleted = 0;
  while (!r.AtEnd()) {
    int64_t flags, ms_diff, seq_diff, lp_count;
    if (!r.Int(&flags) || !r.Int(&ms_diff) || !r.Int(&seq_diff)) return false;
    if (flags & ~(rdb::kStreamItemDeleted | rdb::kStreamItemSameFields)) return false;
    StreamId id{master_id.ms + uint64_t(ms_diff), master_id.seq + uint64_t(seq_diff)};
    StreamValue::Fields fields;
    int64_t count;
    if (flags & rdb::kStreamItemSameFields) {
      count = master_count;
      for (int64_t i = 0; i < count; i++) {
        std::string value;
        if (!r.String(&value)) return false;
        fields.push_back(master_fields[i]);
        fields.push_back(std::move(value));
      }
    } else {
      if (!r.Int(&count) || count < 0 || uint64_t(count) > lp.Size()) return false;
      for (int64_t i = 0; i < 2 * count; i++) {
        std::string s;
        if (!r.String(&s)) return false;
        fields.push_back(std::move(s));
      }
    }
    int64_t expected = (flags & rdb::kStreamItemSameFields) ? count + 3 : 2 * count + 4;
    if (!r.Int(&lp_count) || lp_count != expected) return false;
    if (flags & rdb::kStreamItemDeleted) {
      seen_deleted++;
      continue;
    }
    // IDs strictly ascending across the whole stream, and above 0-0.
    if (id <= stream.last_id()) return false;
    if (fields.empty()) return false;
    stream.Append(id, std::move(fields), limits);
    seen_live++;
    *any_entry = true;
  }
  return seen_live == live && seen_deleted == deleted && seen_live + seen_deleted > 0;
}

bool LoadGroups(RdbReader& r, uint8_t type, StreamValue& stream) {
  uint64_t groups;
  if (!r.ReadLength(&groups)) return false;
  for (uint64_t g = 0; g < groups; g++) {
    std::string name;
    StreamId last_id;
    if (!r.ReadString(&name) || !ReadId(r, &last_id)) return false;
    int64_t entries_read;
    if (type >= rdb::kTypeStreamListpacks2) {
      uint64_t raw;
      if (!r.ReadLength(&raw)) return false;
      entries_read = static_cast<int64_t>(raw);
    } else {
      entries_read = stream.EstimateDistance(last_id);
    }
    if (stream.groups().count(name) != 0) return false;
    StreamGroup& group = stream.groups()[name];
    group.last_id = last_id;
    group.entries_read = entries_read;
    uint64_t pending;
    if (!r.ReadLength(&pending)) return false;
    for (uint64_t i = 0; i < pending; i++) {
      StreamId id;
      StreamNack nack;
      uint64_t delivery_count;
      if (!ReadRawId(r, &id) || !r.ReadMillis(&nack.delivery_time) ||
          !r.ReadLength(&delivery_count)) {
        return false;
      }
      nack.delivery_count = delivery_count;
      if (!group.pel.emplace(id, std::move(nack)).second) return false;
    }
    uint64_t consumers;
    if (!r.ReadLength(&consumers)) return false;
    std::set<StreamId> owned;
    for (uint64_t c = 0; c < consumers; c++) {
      std::string consumer_name;
      StreamConsumer consumer;
      if (!r.ReadString(&consumer_name) || !r.ReadMillis(&consumer.seen_time)) return false;
      if (type >= rdb::kTypeStreamListpacks3) {
        if (!r.ReadMillis(&consumer.active_time)) return false;
      } else {
        consumer.active_time = consumer.seen_time;
      }
      uint64_t ids;
      if (!r.ReadLength(&ids)) return false;
      for (uint64_t i = 0; i < ids; i++) {
        StreamId id;
        if (!ReadRawId(r, &id)) return false;
        auto nack = group.pel.find(id);
        // Each pending entry belongs to exactly one consumer.
        if (nack == group.pel.end() || !owned.insert(id).second) return false;
        nack->second.consumer = consumer_name;
        consumer.pel.insert(id);
      }
      if (!group.consumers.emplace(std::move(consumer_name), std::move(consumer)).second) {
        return false;
      }
    }
    if (owned.size() != group.pel.size()) return false;
  }
  return true;
}

}  // namespace

bool LoadStream(RdbReader& r, uint8_t type, const StreamNodeLimits& limits, Value* out) {
  auto stream = std::make_unique<StreamValue>();
  uint64_t nodes;
  if (!r.ReadLength(&nodes)) return false;
  bool any_entry = false;
  for (uint64_t n = 0; n < nodes; n++) {
    std::string key, blob;
    if (!r.ReadString(&key) || key.size() != 16 || !r.ReadString(&blob)) return false;
    std::optional<Listpack> lp = Listpack::FromRedisFormat(blob);
    if (!lp || lp->Empty()) return false;
    if (!LoadNode(DecodeStreamId(key), *lp, limits, *stream, &any_entry)) return false;
  }
  uint64_t length;
  StreamId last_id;
  if (!r.ReadLength(&length) || !ReadId(r, &last_id)) return false;
  if (length != stream->length()) return false;
  if (any_entry && last_id < stream->last_id()) return false;
  stream->set_last_id(last_id);
  if (type >= rdb::kTypeStreamListpacks2) {
    StreamId first_id, max_deleted;
    uint64_t entries_added;
    if (!ReadId(r, &first_id) || !ReadId(r, &max_deleted) || !r.ReadLength(&entries_added)) {
      return false;
    }
    stream->set_max_deleted_id(max_deleted);
    stream->set_entries_added(entries_added);
  } else {
    stream->set_entries_added(length);
  }
  if (!LoadGroups(r, type, *stream)) return false;
  *out = Value::Object(ObjType::kStream, Encoding::kStream, std::move(stream));
  return true;
}

}  // namespace lodestone
