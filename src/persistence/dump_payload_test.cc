// Tests for DUMP payloads (dump_payload.h): every type and encoding round
// trips with its contents and encoding, and corrupt payloads (truncated,
// bit-flipped) are rejected without crashing.
#include "persistence/dump_payload.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "common/random.h"
#include "common/strings.h"

namespace lodestone {
namespace {

// A canonical text form of a value's contents, to compare two values.
std::string Contents(const Value& v) {
  std::string out = TypeName(v.type());
  out += ":";
  switch (v.type()) {
    case ObjType::kString: {
      char scratch[kValueScratchSize];
      out += v.StringBytes(scratch);
      break;
    }
    case ObjType::kList: {
      const auto& l = *static_cast<const ListValue*>(v.collection());
      if (l.Empty()) break;
      auto c = l.CursorAt(0, false);
      while (auto e = c.Next()) out += e->ToString() + ",";
      break;
    }
    case ObjType::kSet: {
      std::vector<std::string> members;
      static_cast<const SetValue*>(v.collection())->ForEach([&](SetValue::Member m) {
        members.push_back(m.ToString());
      });
      std::sort(members.begin(), members.end());
      for (auto& m : members) out += m + ",";
      break;
    }
    case ObjType::kZSet:
      static_cast<const ZSetValue*>(v.collection())->ForEach([&](std::string_view m, double s) {
        out += std::string(m) + "=" + DoubleToString(s) + ",";
      });
      break;
    case ObjType::kHash: {
      std::vector<std::string> fields;
      const auto& h = *static_cast<const HashValue*>(v.collection());
      uint64_t cursor = 0;
      do {
        cursor = h.ScanStep(cursor, [&](Listpack::Value f, Listpack::Value val, int64_t at) {
          fields.push_back(f.ToString() + "=" + val.ToString() + "@" + std::to_string(at));
        });
      } while (cursor != 0);
      std::sort(fields.begin(), fields.end());
      for (auto& f : fields) out += f + ",";
      break;
    }
    case ObjType::kStream: {
      const auto& s = *static_cast<const StreamValue*>(v.collection());
      out += "last=" + s.last_id().ToString() + " maxdel=" + s.max_deleted_id().ToString() +
             " added=" + std::to_string(s.entries_added()) + ";";
      for (const auto& [id, packed] : s.entries()) {
        out += id.ToString() + "[";
        StreamValue::ForEachElement(packed, [&](std::string_view e) { out += std::string(e) + " "; });
        out += "]";
      }
      for (const auto& [name, g] : s.groups()) {
        out += "group " + name + " " + g.last_id.ToString() + " " + std::to_string(g.entries_read);
        for (const auto& [id, nack] : g.pel) {
          out += " " + id.ToString() + "/" + nack.consumer + "/" +
                 std::to_string(nack.delivery_time) + "/" + std::to_string(nack.delivery_count);
        }
        for (const auto& [cname, c] : g.consumers) {
          out += " c:" + cname + "/" + std::to_string(c.seen_time) + "/" +
                 std::to_string(c.active_time) + "/" + std::to_string(c.pel.size());
        }
      }
      break;
    }
  }
  return out;
}

RdbLoadLimits DefaultLimits() { return RdbLoadLimits{}; }

Value RoundTrip(const Value& v, std::string* payload_out = nullptr) {
  std::string payload = CreateDumpPayload(v, RdbSaveOptions{}, true);
  EXPECT_TRUE(VerifyDumpPayload(payload));
  Value loaded;
  EXPECT_TRUE(LoadDumpPayload(payload, DefaultLimits(), &loaded));
  if (payload_out != nullptr) *payload_out = payload;
  return loaded;
}

void ExpectRoundTrip(const Value& v) {
  Value loaded = RoundTrip(v);
  EXPECT_EQ(Contents(loaded), Contents(v));
  EXPECT_EQ(loaded.type(), v.type());
  // Strings are re-encoded as Redis's tryObjectEncoding would (raw -> embstr).
  if (!v.IsString()) {
    EXPECT_EQ(std::string(EncodingName(loaded.encoding())), EncodingName(v.encoding()));
  }
}

Value MakeList(size_t n, size_t element_size) {
  auto list = std::make_unique<ListValue>();
  ListLimits limits;
  for (size_t i = 0; i < n; i++) {
    std::string e = i % 3 == 0 ? std::to_string(i) : std::string(element_size, char('a' + i % 26));
    list->GrowFor(e.size(), 1, limits);
    list->Push(ListValue::End::kTail, e);
  }
  Encoding enc = list->encoding();
  return Value::Object(ObjType::kList, enc, std::move(list));
}

Value MakeSet(size_t n, bool ints, size_t member_size = 5) {
  SetLimits limits;
  std::string first = ints ? "0" : std::string(member_size, 'm') + "0";
  auto set = SetValue::Create(first, n, limits);
  for (size_t i = 0; i < n; i++) {
    std::string m = ints ? std::to_string(i * 1000003) : std::string(member_size, 'm') + std::to_string(i);
    set->Add(SetValue::Member(std::string_view(m)), limits);
  }
  Encoding enc = set->encoding();
  return Value::Object(ObjType::kSet, enc, std::move(set));
}

Value MakeZSet(size_t n) {
  ZSetLimits limits;
  auto z = ZSetValue::Create(n, 8, limits);
  for (size_t i = 0; i < n; i++) {
    double score = i == 0 ? -std::numeric_limits<double>::infinity()
                   : i == 1 ? std::numeric_limits<double>::infinity()
                            : (i % 2 ? double(i) : double(i) / 7);
    z->Add("member" + std::to_string(i), score, ZSetValue::kAddNone, limits);
  }
  Encoding enc = z->encoding();
  return Value::Object(ObjType::kZSet, enc, std::move(z));
}

Value MakeHash(size_t n, bool ttls) {
  HashLimits limits;
  auto h = std::make_unique<HashValue>();
  for (size_t i = 0; i < n; i++) {
    h->Set("field" + std::to_string(i), i % 2 ? std::to_string(i) : "value" + std::to_string(i),
           limits);
  }
  if (ttls) {
    h->EnableFieldExpiry();
    for (size_t i = 0; i < n; i += 3) {
      h->SetFieldExpire("field" + std::to_string(i), 4000000000000 + int64_t(i),
                        FieldExpireCondition::kNone, 0);
    }
  }
  Encoding enc = h->encoding();
  return Value::Object(ObjType::kHash, enc, std::move(h));
}

Value MakeStream(size_t n, bool groups) {
  auto s = std::make_unique<StreamValue>();
  for (size_t i = 0; i < n; i++) {
    StreamValue::Fields f = {"name", "item" + std::to_string(i), "n", std::to_string(i)};
    if (i % 5 == 0) f = {"other", "x"};
    s->Append(StreamId{1000 + i / 3, i % 3}, std::move(f));
  }
  s->set_entries_added(n + 2);
  s->set_max_deleted_id(StreamId{5, 5});
  if (n > 0) s->Delete(StreamId{1000, 1});
  if (groups && n > 4) {
    StreamGroup& g = s->groups()["g1"];
    g.last_id = StreamId{1001, 1};
    g.entries_read = 4;
    g.Deliver(StreamId{1000, 0}, "alice", 123);
    g.Deliver(StreamId{1001, 0}, "bob", 456);
    g.Touch("carol", 789);
    s->groups()["g2"];
  }
  return Value::Object(ObjType::kStream, Encoding::kStream, std::move(s));
}

std::vector<Value> Samples() {
  std::vector<Value> v;
  v.push_back(Value::String("hello"));
  v.push_back(Value::String("12345"));
  v.push_back(Value::String("-9223372036854775808"));
  v.push_back(Value::String(std::string(1000, 'x')));
  v.push_back(Value::RawString("raw but 7"));
  v.push_back(MakeList(10, 5));
  v.push_back(MakeList(1000, 20));
  v.push_back(MakeList(3, 20000));
  v.push_back(MakeSet(10, true));
  v.push_back(MakeSet(1000, true));
  v.push_back(MakeSet(10, false));
  v.push_back(MakeSet(500, false));
  v.push_back(MakeZSet(10));
  v.push_back(MakeZSet(500));
  v.push_back(MakeHash(10, false));
  v.push_back(MakeHash(1000, false));
  v.push_back(MakeHash(10, true));
  v.push_back(MakeHash(1000, true));
  v.push_back(MakeStream(0, false));
  v.push_back(MakeStream(10, true));
  v.push_back(MakeStream(1000, true));
  return v;
}

TEST(DumpPayloadTest, EveryTypeRoundTrips) {
  for (const Value& v : Samples()) {
    SCOPED_TRACE(std::string(TypeName(v.type())) + "/" + EncodingName(v.encoding()));
    ExpectRoundTrip(v);
  }
}

TEST(DumpPayloadTest, EncodingsFollowLoaderLimits) {
  // A 200-member listpack set loaded under a 100-member limit becomes a table.
  std::string payload = CreateDumpPayload(MakeSet(100, false), RdbSaveOptions{}, true);
  RdbLoadLimits limits;
  limits.set.max_listpack_entries = 50;
  Value loaded;
  ASSERT_TRUE(LoadDumpPayload(payload, limits, &loaded));
  EXPECT_EQ(loaded.encoding(), Encoding::kHashtable);
  // A skiplist zset small enough comes back packed.
  payload = CreateDumpPayload(MakeZSet(200), RdbSaveOptions{}, true);
  limits.zset.max_listpack_entries = 1000;
  ASSERT_TRUE(LoadDumpPayload(payload, limits, &loaded));
  EXPECT_EQ(loaded.encoding(), Encoding::kListpack);
}

TEST(DumpPayloadTest, FooterChecks) {
  std::string payload = CreateDumpPayload(Value::String("abc"), RdbSaveOptions{}, true);
  // type 0, string "abc", version 12, CRC.
  EXPECT_EQ(payload.substr(0, 7), std::string("\x00\x03" "abc\x0c\x00", 7));
  EXPECT_TRUE(VerifyDumpPayload(payload));
  std::string bad = payload;
  bad[2] = 'x';
  EXPECT_FALSE(VerifyDumpPayload(bad));
  EXPECT_TRUE(VerifyDumpPayload(bad, true));
  bad = payload;
  bad[payload.size() - 10] = 13;  // a newer RDB version
  EXPECT_FALSE(VerifyDumpPayload(bad, true));
  EXPECT_FALSE(VerifyDumpPayload("short"));
}

TEST(DumpPayloadTest, RejectsEmptyAndDuplicateCollections) {
  auto load = [](std::string body) {
    body += std::string("\x0c\x00", 2) + std::string(8, '\0');
    Value v;
    return LoadDumpPayload(body, DefaultLimits(), &v);
  };
  EXPECT_FALSE(load(std::string("\x02\x00", 2)));                      // empty set
  EXPECT_FALSE(load(std::string("\x02\x02\x01" "a\x01" "a", 7)));      // duplicate member
  EXPECT_TRUE(load(std::string("\x02\x02\x01" "a\x01" "b", 7)));
  EXPECT_FALSE(load(std::string("\x04\x02\x01" "f\x01" "v\x01" "f\x01" "w", 11)));  // dup field
  EXPECT_FALSE(load(std::string("\x03\x01\x01" "m\xfd", 5)));         // NaN score
  EXPECT_TRUE(load(std::string("\x03\x01\x01" "m\xfe", 5)));          // +inf
  EXPECT_FALSE(load(std::string("\x06\x00", 2)));                      // module
  EXPECT_FALSE(load(std::string("\x63", 1)));                          // unknown type
}

// Every truncation and many random corruptions of every sample payload must
// load or fail cleanly; a loaded value must be internally consistent.
TEST(DumpPayloadTest, CorruptPayloadsFailCleanly) {
  Random rng(2024);
  for (const Value& v : Samples()) {
    std::string payload = CreateDumpPayload(v, RdbSaveOptions{}, true);
    std::string body = payload.substr(0, payload.size() - 10);
    std::string footer = payload.substr(payload.size() - 10);
    size_t step = std::max<size_t>(1, body.size() / 300);
    for (size_t cut = 0; cut < body.size(); cut += step) {
      Value out;
      LoadDumpPayload(body.substr(0, cut) + footer, DefaultLimits(), &out);
    }
    for (int i = 0; i < 300; i++) {
      std::string bad = body;
      int flips = 1 + int(rng.Uniform(3));
      for (int f = 0; f < flips; f++) {
        bad[rng.Uniform(bad.size())] ^= static_cast<char>(1 << rng.Uniform(8));
      }
      Value out;
      if (LoadDumpPayload(bad + footer, DefaultLimits(), &out)) {
        Contents(out);  // walk it
        std::string again = CreateDumpPayload(out, RdbSaveOptions{}, true);
        Value back;
        EXPECT_TRUE(LoadDumpPayload(again, DefaultLimits(), &back));
      }
    }
  }
}

}  // namespace
}  // namespace lodestone
