// RDB object -> Value (see value_loader.h). Strings, lists, sets, sorted sets
// and hashes; streams are in stream_loader.cc.
#include "persistence/value_loader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "core/intset.h"
#include "core/listpack.h"
#include "persistence/legacy_formats.h"
#include "persistence/rdb_format.h"
#include "persistence/stream_loader.h"

namespace lodestone {
namespace {

// The largest field expiry time an RDB may carry (EB_EXPIRE_TIME_MAX).
constexpr uint64_t kMaxFieldExpireMs = (uint64_t{1} << 48) - 1;

// A listpack stored as an RDB string.
std::optional<Listpack> ReadListpack(RdbReader& r) {
  std::string blob;
  if (!r.ReadString(&blob)) return std::nullopt;
  return Listpack::FromRedisFormat(blob);
}

// A ziplist stored as an RDB string.
bool ReadZiplist(RdbReader& r, std::vector<std::string>* elements) {
  std::string blob;
  return r.ReadString(&blob) && ParseZiplist(blob, elements);
}

// ---- Strings and lists --------------------------------------------------------

bool LoadString(RdbReader& r, Value* out) {
  std::string s;
  if (!r.ReadString(&s)) return false;
  *out = Value::String(s);
  return true;
}

class ListBuilder {
 public:
  explicit ListBuilder(const ListLimits& limits) : limits_(limits) {}
  void Add(std::string_view element) {
    list_->GrowFor(element.size(), 1, limits_);
    list_->Push(ListValue::End::kTail, element);
  }
  void Add(Listpack::Value element) {
    char buf[kInt64BufferSize];
    Add(element.AsString(buf));
  }
  bool Finish(Value* out) {
    if (list_->Empty()) return false;
    list_->TryShrink(limits_, false);
    Encoding encoding = list_->encoding();
    *out = Value::Object(ObjType::kList, encoding, std::move(list_));
    return true;
  }

 private:
  const ListLimits& limits_;
  std::unique_ptr<ListValue> list_ = std::make_unique<ListValue>();
};

bool LoadList(RdbReader& r, uint8_t type, const ListLimits& limits, Value* out) {
  ListBuilder list(limits);
  std::vector<std::string> elements;
  uint64_t n = 1;
  if (type != rdb::kTypeListZiplist && !r.ReadLength(&n)) return false;
  for (uint64_t i = 0; i < n; i++) {
    switch (type) {
      case rdb::kTypeList: {
        std::string e;
        if (!r.ReadString(&e)) return false;
        list.Add(std::string_view(e));
        break;
      }
      case rdb::kTypeListZiplist:
      case rdb::kTypeListQuicklist:
        if (!ReadZiplist(r, &elements)) return false;
        for (const std::string& e : elements) list.Add(std::string_view(e));
        break;
      default: {  // kTypeListQuicklist2
        uint64_t container;
        if (!r.ReadLength(&container)) return false;
        if (container == rdb::kQuicklistNodePlain) {
          std::string e;
          if (!r.ReadString(&e)) return false;
          list.Add(std::string_view(e));
        } else if (container == rdb::kQuicklistNodePacked) {
          std::optional<Listpack> lp = ReadListpack(r);
          if (!lp) return false;
          for (Listpack::Value e : *lp) list.Add(e);
        } else {
          return false;
        }
        break;
      }
    }
  }
  return list.Finish(out);
}

// ---- Sets -----------------------------------------------------------------------

bool FinishSet(std::unique_ptr<SetValue> set, Value* out) {
  if (set == nullptr || set->Empty()) return false;
  Encoding encoding = set->encoding();
  *out = Value::Object(ObjType::kSet, encoding, std::move(set));
  return true;
}

bool LoadSet(RdbReader& r, uint8_t type, const SetLimits& limits, Value* out) {
  std::unique_ptr<SetValue> set;
  char buf[kInt64BufferSize];
  switch (type) {
    case rdb::kTypeSet: {
      uint64_t n;
      if (!r.ReadLength(&n)) return false;
      for (uint64_t i = 0; i < n; i++) {
        std::string member;
        if (!r.ReadString(&member)) return false;
        // The size hint presizes a table: trust it only as far as the input
        // could hold that many members (one byte each at least).
        if (set == nullptr) set = SetValue::Create(member, std::min<uint64_t>(n, r.remaining() + 1), limits);
        if (!set->Add(SetValue::Member(std::string_view(member)), limits)) return false;
      }
      break;
    }
    case rdb::kTypeSetIntset: {
      std::string blob;
      if (!r.ReadString(&blob)) return false;
      std::optional<IntSet> ints = IntSet::FromRedisFormat(blob);
      if (!ints) return false;
      set = std::make_unique<SetValue>(Encoding::kIntset);
      for (size_t i = 0; i < ints->Size(); i++) set->Add(SetValue::Member(ints->Get(i)), limits);
      break;
    }
    default: {  // kTypeSetListpack
      std::optional<Listpack> lp = ReadListpack(r);
      if (!lp) return false;
      set = std::make_unique<SetValue>(lp->Size() > limits.max_listpack_entries
                                           ? Encoding::kHashtable
                                           : Encoding::kListpack);
      for (Listpack::Value m : *lp) {
        if (!set->Add(SetValue::Member(m.AsString(buf)), limits)) return false;
      }
      break;
    }
  }
  return FinishSet(std::move(set), out);
}

// ---- Sorted sets ----------------------------------------------------------------

// A listpack or ziplist score: an integer, or a number as text.
bool ParseScore(std::string_view text, double* score) {
  if (text.empty() || text.size() > 128) return false;
  std::string copy(text);
  char* end = nullptr;
  *score = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

bool FinishZSet(std::vector<std::pair<std::string, double>>& pairs, const ZSetLimits& limits,
                Value* out) {
  if (pairs.empty()) return false;
  for (const auto& p : pairs) {
    if (std::isnan(p.second)) return false;
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 1; i < pairs.size(); i++) {
    if (pairs[i].first == pairs[i - 1].first) return false;  // duplicate member
  }
  std::sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  std::unique_ptr<ZSetValue> zset = ZSetValue::FromSorted(pairs, limits);
  Encoding encoding = zset->encoding();
  *out = Value::Object(ObjType::kZSet, encoding, std::move(zset));
  return true;
}

bool LoadZSet(RdbReader& r, uint8_t type, const ZSetLimits& limits, Value* out) {
  std::vector<std::pair<std::string, double>> pairs;
  if (type == rdb::kTypeZSet || type == rdb::kTypeZSet2) {
    uint64_t n;
    if (!r.ReadLength(&n)) return false;
    for (uint64_t i = 0; i < n; i++) {
      std::string member;
      double score;
      if (!r.ReadString(&member)) return false;
      bool ok = type == rdb::kTypeZSet2 ? r.ReadBinaryDouble(&score) : r.ReadStringDouble(&score);
      if (!ok) return false;
      pairs.emplace_back(std::move(member), score);
    }
    return FinishZSet(pairs, limits, out);
  }
  std::vector<std::string> elements;
  if (type == rdb::kTypeZSetZiplist) {
    if (!ReadZiplist(r, &elements)) return false;
  } else {  // kTypeZSetListpack
    std::optional<Listpack> lp = ReadListpack(r);
    if (!lp) return false;
    for (Listpack::Value e : *lp) elements.push_back(e.ToString());
  }
  if (elements.size() % 2 != 0) return false;
  for (size_t i = 0; i < elements.size(); i += 2) {
    double score;
    if (!ParseScore(elements[i + 1], &score)) return false;
    pairs.emplace_back(std::move(elements[i]), score);
  }
  return FinishZSet(pairs, limits, out);
}

// ---- Hashes ---------------------------------------------------------------------

class HashBuilder {
 public:
  explicit HashBuilder(const HashLimits& limits) : limits_(limits) {}
  // For the types that carry field TTLs: the hash is a listpackex from the
  // start, as Redis loads them.
  void EnableFieldExpiry() { hash_->EnableFieldExpiry(); }
  // Adds a field; expire_at_ms 0 for none. False on a duplicate or a TTL
  // out of range.
  bool Add(std::string_view field, std::string_view value, uint64_t expire_at_ms = 0) {
    if (expire_at_ms > kMaxFieldExpireMs) return false;
    if (!hash_->Set(field, value, limits_)) return false;
    if (expire_at_ms != 0) {
      hash_->EnableFieldExpiry();
      // Fields already expired are kept, as Redis keeps them on load; lazy
      // and active expiry remove them later.
      hash_->SetFieldExpire(field, int64_t(expire_at_ms), FieldExpireCondition::kNone, INT64_MIN);
    }
    return true;
  }
  bool Finish(Value* out) {
    if (hash_->Size() == 0) return false;
    Encoding encoding = hash_->encoding();
    *out = Value::Object(ObjType::kHash, encoding, std::move(hash_));
    return true;
  }

 private:
  const HashLimits& limits_;
  std::unique_ptr<HashValue> hash_ = std::make_unique<HashValue>();
};

bool LoadHash(RdbReader& r, uint8_t type, const HashLimits& limits, Value* out) {
  HashBuilder hash(limits);
  char fbuf[kInt64BufferSize], vbuf[kInt64BufferSize];
  switch (type) {
    case rdb::kTypeHash: {
      uint64_t n;
      if (!r.ReadLength(&n)) return false;
      for (uint64_t i = 0; i < n; i++) {
        std::string field, value;
        if (!r.ReadString(&field) || !r.ReadString(&value) || !hash.Add(field, value)) {
          return false;
        }
      }
      break;
    }
    case rdb::kTypeHashMetadata:
    case rdb::kTypeHashMetadataPreGa: {
      int64_t min_expire = 0;
      if (type == rdb::kTypeHashMetadata) {
        if (!r.ReadMillis(&min_expire) || uint64_t(min_expire) > kMaxFieldExpireMs) return false;
      }
      uint64_t n;
      if (!r.ReadLength(&n)) return false;
      hash.EnableFieldExpiry();
      for (uint64_t i = 0; i < n; i++) {
        uint64_t ttl;
        std::string field, value;
        if (!r.ReadLength(&ttl) || !r.ReadString(&field) || !r.ReadString(&value)) return false;
        uint64_t at = ttl;
        if (type == rdb::kTypeHashMetadata && ttl != 0) {
          if (ttl > kMaxFieldExpireMs) return false;
          at = ttl + uint64_t(min_expire) - 1;
        }
        if (!hash.Add(field, value, at)) return false;
      }
      break;
    }
    case rdb::kTypeHashZipmap:
    case rdb::kTypeHashZiplist: {
      std::string blob;
      std::vector<std::string> elements;
      if (!r.ReadString(&blob)) return false;
      bool ok = type == rdb::kTypeHashZipmap ? ParseZipmap(blob, &elements)
                                             : ParseZiplist(blob, &elements);
      if (!ok || elements.size() % 2 != 0) return false;
      for (size_t i = 0; i < elements.size(); i += 2) {
        if (!hash.Add(elements[i], elements[i + 1])) return false;
      }
      break;
    }
    default: {  // the listpack types
      const bool ex = type != rdb::kTypeHashListpack;
      if (type == rdb::kTypeHashListpackEx) {
        int64_t min_expire;
        if (!r.ReadMillis(&min_expire)) return false;
      }
      std::optional<Listpack> lp = ReadListpack(r);
      if (!lp) return false;
      const size_t stride = ex ? 3 : 2;
      if (lp->Size() % stride != 0) return false;
      if (ex) hash.EnableFieldExpiry();
      for (auto it = lp->begin(); it != lp->end();) {
        Listpack::Value field = *it++;
        Listpack::Value value = *it++;
        uint64_t at = 0;
        if (ex) {
          Listpack::Value ttl = *it++;
          if (!ttl.is_int() || ttl.integer() < 0) return false;
          at = uint64_t(ttl.integer());
        }
        if (!hash.Add(field.AsString(fbuf), value.AsString(vbuf), at)) return false;
      }
      break;
    }
  }
  return hash.Finish(out);
}

}  // namespace

bool IsLoadableRdbType(uint8_t type) {
  switch (type) {
    case rdb::kTypeModulePreGa:
    case rdb::kTypeModule2:
      return false;
    default:
      return type <= rdb::kTypeHashListpackEx && type != 8;
  }
}

bool ReadRdbObject(RdbReader& reader, uint8_t type, const RdbLoadLimits& limits, Value* out) {
  switch (type) {
    case rdb::kTypeString:
      return LoadString(reader, out);
    case rdb::kTypeList:
    case rdb::kTypeListZiplist:
    case rdb::kTypeListQuicklist:
    case rdb::kTypeListQuicklist2:
      return LoadList(reader, type, limits.list, out);
    case rdb::kTypeSet:
    case rdb::kTypeSetIntset:
    case rdb::kTypeSetListpack:
      return LoadSet(reader, type, limits.set, out);
    case rdb::kTypeZSet:
    case rdb::kTypeZSet2:
    case rdb::kTypeZSetZiplist:
    case rdb::kTypeZSetListpack:
      return LoadZSet(reader, type, limits.zset, out);
    case rdb::kTypeHash:
    case rdb::kTypeHashZipmap:
    case rdb::kTypeHashZiplist:
    case rdb::kTypeHashListpack:
    case rdb::kTypeHashMetadataPreGa:
    case rdb::kTypeHashListpackExPreGa:
    case rdb::kTypeHashMetadata:
    case rdb::kTypeHashListpackEx:
      return LoadHash(reader, type, limits.hash, out);
    case rdb::kTypeStreamListpacks:
    case rdb::kTypeStreamListpacks2:
    case rdb::kTypeStreamListpacks3:
      return LoadStream(reader, type, limits.stream, out);
    default:
      return false;
  }
}

}  // namespace lodestone
