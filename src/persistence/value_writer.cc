// Value -> RDB object (see value_writer.h). One function per type; each
// writes exactly what Redis 7.4's rdbSaveObject writes for the matching
// encoding, rebuilding Redis's listpack or intset blob from our
// representation where the two differ.
#include "persistence/value_writer.h"

#include <string>
#include <vector>

#include "common/strings.h"
#include "core/intset.h"
#include "core/listpack.h"
#include "persistence/rdb_format.h"
#include "storage/hash_value.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace lodestone {
namespace {

void WriteStringValue(RdbWriter& w, const Value& v) {
  if (v.IsInt()) {
    w.WriteInteger(v.int_value());
    return;
  }
  char scratch[kValueScratchSize];
  w.WriteString(v.StringBytes(scratch));
}

void WriteList(RdbWriter& w, const ListValue& list, const RdbSaveOptions& options) {
  size_t nodes = list.NodeCount();
  w.WriteLength(nodes);
  for (size_t i = 0; i < nodes; i++) {
    const Listpack& node = list.Node(i);
    if (node.Size() == 1) {
      Listpack::Value only = node.Get(0);
      if (!only.is_int() && IsLargeListElement(only.bytes().size(), options.list)) {
        w.WriteLength(rdb::kQuicklistNodePlain);
        w.WriteString(only.bytes());
        continue;
      }
    }
    w.WriteLength(rdb::kQuicklistNodePacked);
    w.WriteString(node.ToRedisFormat());
  }
}

void WriteSet(RdbWriter& w, const SetValue& set) {
  switch (set.encoding()) {
    case Encoding::kIntset: {
      IntSet ints;
      set.ForEach([&ints](SetValue::Member m) { ints.Add(m.integer()); });
      w.WriteString(ints.RedisFormat());
      return;
    }
    case Encoding::kListpack: {
      Listpack lp;
      set.ForEach([&lp](SetValue::Member m) { lp.Append(m); });
      w.WriteString(lp.ToRedisFormat());
      return;
    }
    default: {
      w.WriteLength(set.Size());
      char buf[kInt64BufferSize];
      set.ForEach([&](SetValue::Member m) { w.WriteString(m.AsString(buf)); });
      return;
    }
  }
}

void WriteZSet(RdbWriter& w, const ZSetValue& zset) {
  if (zset.encoding() == Encoding::kListpack) {
    Listpack lp;
    char buf[kDoubleBufferSize];
    zset.ForEach([&](std::string_view member, double score) {
      lp.Append(member);
      lp.Append(std::string_view(buf, FormatDouble(score, buf)));
    });
    w.WriteString(lp.ToRedisFormat());
    return;
  }
  // Highest first, as Redis walks its skiplist backwards so that loading
  // inserts each element at the head.
  size_t n = zset.Size();
  w.WriteLength(n);
  if (n == 0) return;
  zset.ForRanks(0, n - 1, true, [&w](std::string_view member, double score) {
    w.WriteString(member);
    w.WriteBinaryDouble(score);
  });
}

// Calls fn(field, value, expire_at_ms) for every stored field, expired or
// not (kNoTtl when a field has none).
template <typename Fn>
void ForEachStoredField(const HashValue& hash, Fn&& fn) {
  uint64_t cursor = 0;
  do {
    cursor = hash.ScanStep(cursor, fn);
  } while (cursor != 0);
}

void WriteHash(RdbWriter& w, const HashValue& hash) {
  char field_buf[kInt64BufferSize], value_buf[kInt64BufferSize];
  int64_t min_expire = hash.NextExpire();
  switch (hash.kind()) {
    case HashValue::Kind::kListpack:
    case HashValue::Kind::kListpackEx: {
      const bool ex = hash.kind() == HashValue::Kind::kListpackEx;
      if (ex) w.WriteMillis(min_expire == HashValue::kNoTtl ? 0 : min_expire);
      Listpack lp;
      ForEachStoredField(hash, [&](Listpack::Value f, Listpack::Value v, int64_t at) {
        lp.Append(f);
        lp.Append(v);
        if (ex) lp.Append(at == HashValue::kNoTtl ? int64_t{0} : at);
      });
      w.WriteString(lp.ToRedisFormat());
      return;
    }
    case HashValue::Kind::kTable: {
      const bool meta = min_expire != HashValue::kNoTtl;
      if (meta) w.WriteMillis(min_expire);
      w.WriteLength(hash.Size());
      ForEachStoredField(hash, [&](Listpack::Value f, Listpack::Value v, int64_t at) {
        // A field's TTL is stored relative to the hash's earliest one, plus
        // one so that 0 can mean "none".
        if (meta) w.WriteLength(at == HashValue::kNoTtl ? 0 : uint64_t(at - min_expire) + 1);
        w.WriteString(f.AsString(field_buf));
        w.WriteString(v.AsString(value_buf));
      });
      return;
    }
  }
}

// ---- Streams ----------------------------------------------------------------

// A stream ID as Redis keys its radix trees: 128 bits big-endian.
std::string EncodeStreamId(StreamId id) {
  std::string out(16, '\0');
  for (int i = 0; i < 8; i++) {
    out[i] = static_cast<char>(id.ms >> (56 - 8 * i));
    out[8 + i] = static_cast<char>(id.seq >> (56 - 8 * i));
  }
  return out;
}

using EntryIter = StreamValue::EntryMap::const_iterator;

// How many entries each node takes: a node is closed when it holds
// max_entries entries or its listpack would reach max_bytes (streamAppendItem).
std::vector<size_t> PlanStreamNodes(const StreamValue& s, const StreamNodeLimits& limits) {
  std::vector<size_t> counts;
  size_t count = 0, bytes = 0;
  for (const auto& [id, packed] : s.entries()) {
    size_t entry_bytes = 0;
    StreamValue::ForEachElement(packed, [&](std::string_view e) {
      entry_bytes += Listpack::EntryBytes(e);
    });
    bool full = count > 0 && ((limits.max_bytes != 0 && bytes + entry_bytes >= limits.max_bytes) ||
                              (limits.max_entries != 0 && count >= limits.max_entries));
    if (full) {
      counts.push_back(count);
      count = 0;
      bytes = 0;
    }
    if (count == 0) bytes = 7 + 2 * entry_bytes;  // header, master fields and first entry
    else bytes += entry_bytes + 8;
    count++;
  }
  if (count > 0) counts.push_back(count);
  return counts;
}

// Builds the listpack of one node from `count` entries starting at `it`.
Listpack BuildStreamNode(EntryIter it, size_t count) {
  const StreamId master_id = it->first;
  std::vector<std::string_view> master_fields;
  {
    size_t i = 0;
    StreamValue::ForEachElement(it->second, [&](std::string_view e) {
      if (i++ % 2 == 0) master_fields.push_back(e);
    });
  }
  Listpack lp;
  lp.Append(int64_t(count));
  lp.Append(0);
  lp.Append(int64_t(master_fields.size()));
  for (std::string_view f : master_fields) lp.Append(f);
  lp.Append(0);
  std::vector<std::string_view> elements;
  for (size_t n = 0; n < count; n++, ++it) {
    elements.clear();
    StreamValue::ForEachElement(it->second, [&](std::string_view e) { elements.push_back(e); });
    size_t fields = elements.size() / 2;
    bool same = fields == master_fields.size();
    for (size_t i = 0; same && i < fields; i++) same = elements[2 * i] == master_fields[i];
    lp.Append(same ? rdb::kStreamItemSameFields : int64_t{0});
    lp.Append(static_cast<int64_t>(it->first.ms - master_id.ms));
    lp.Append(static_cast<int64_t>(it->first.seq - master_id.seq));
    if (!same) lp.Append(int64_t(fields));
    for (size_t i = 0; i < fields; i++) {
      if (!same) lp.Append(elements[2 * i]);
      lp.Append(elements[2 * i + 1]);
    }
    lp.Append(int64_t(same ? fields + 3 : 2 * fields + 4));
  }
  return lp;
}

void WriteStream(RdbWriter& w, const StreamValue& s, const RdbSaveOptions& options) {
  std::vector<size_t> plan = PlanStreamNodes(s, options.stream);
  w.WriteLength(plan.size());
  EntryIter it = s.entries().begin();
  for (size_t count : plan) {
    w.WriteString(EncodeStreamId(it->first));
    w.WriteString(BuildStreamNode(it, count).ToRedisFormat());
    std::advance(it, count);
  }
  w.WriteLength(s.length());
  w.WriteLength(s.last_id().ms);
  w.WriteLength(s.last_id().seq);
  w.WriteLength(s.first_id().ms);
  w.WriteLength(s.first_id().seq);
  w.WriteLength(s.max_deleted_id().ms);
  w.WriteLength(s.max_deleted_id().seq);
  w.WriteLength(s.entries_added());
  w.WriteLength(s.groups().size());
  for (const auto& [name, group] : s.groups()) {
    w.WriteString(name);
    w.WriteLength(group.last_id.ms);
    w.WriteLength(group.last_id.seq);
    w.WriteLength(static_cast<uint64_t>(group.entries_read));
    w.WriteLength(group.pel.size());
    for (const auto& [id, nack] : group.pel) {
      w.WriteRaw(EncodeStreamId(id));
      w.WriteMillis(nack.delivery_time);
      w.WriteLength(nack.delivery_count);
    }
    w.WriteLength(group.consumers.size());
    for (const auto& [consumer_name, consumer] : group.consumers) {
      w.WriteString(consumer_name);
      w.WriteMillis(consumer.seen_time);
      w.WriteMillis(consumer.active_time);
      w.WriteLength(consumer.pel.size());
      for (StreamId id : consumer.pel) w.WriteRaw(EncodeStreamId(id));
    }
  }
}

}  // namespace

uint8_t RdbObjectType(const Value& value) {
  switch (value.type()) {
    case ObjType::kString:
      return rdb::kTypeString;
    case ObjType::kList:
      return rdb::kTypeListQuicklist2;
    case ObjType::kSet: {
      Encoding e = static_cast<const SetValue*>(value.collection())->encoding();
      return e == Encoding::kIntset     ? rdb::kTypeSetIntset
             : e == Encoding::kListpack ? rdb::kTypeSetListpack
                                        : rdb::kTypeSet;
    }
    case ObjType::kZSet:
      return static_cast<const ZSetValue*>(value.collection())->encoding() == Encoding::kListpack
                 ? rdb::kTypeZSetListpack
                 : rdb::kTypeZSet2;
    case ObjType::kHash: {
      const auto* hash = static_cast<const HashValue*>(value.collection());
      switch (hash->kind()) {
        case HashValue::Kind::kListpack:
          return rdb::kTypeHashListpack;
        case HashValue::Kind::kListpackEx:
          return rdb::kTypeHashListpackEx;
        case HashValue::Kind::kTable:
          return hash->HasVolatileFields() ? rdb::kTypeHashMetadata : rdb::kTypeHash;
      }
      return rdb::kTypeHash;
    }
    case ObjType::kStream:
      return rdb::kTypeStreamListpacks3;
  }
  return rdb::kTypeString;
}

void WriteRdbObject(RdbWriter& writer, const Value& value, const RdbSaveOptions& options) {
  writer.WriteByte(RdbObjectType(value));
  switch (value.type()) {
    case ObjType::kString:
      WriteStringValue(writer, value);
      return;
    case ObjType::kList:
      WriteList(writer, *static_cast<const ListValue*>(value.collection()), options);
      return;
    case ObjType::kSet:
      WriteSet(writer, *static_cast<const SetValue*>(value.collection()));
      return;
    case ObjType::kZSet:
      WriteZSet(writer, *static_cast<const ZSetValue*>(value.collection()));
      return;
    case ObjType::kHash:
      WriteHash(writer, *static_cast<const HashValue*>(value.collection()));
      return;
    case ObjType::kStream:
      WriteStream(writer, *static_cast<const StreamValue*>(value.collection()), options);
      return;
  }
}

}  // namespace lodestone
