#include "storage/hash_value.h"

#include <string>

#include "common/strings.h"

namespace lodestone {
namespace {

// The string form of a listpack entry, copied (the listpack is about to change).
std::string CopyOf(Listpack::Value v) { return v.ToString(); }

// Listpackex stores "no TTL" as 0.
int64_t StoredTtl(int64_t ttl) { return ttl == HashValue::kNoTtl ? 0 : ttl; }
int64_t LoadedTtl(int64_t stored) { return stored == 0 ? HashValue::kNoTtl : stored; }

bool IsExpired(int64_t at_ms, int64_t now_ms) {
  return at_ms != HashValue::kNoTtl && at_ms < now_ms;
}

// Where Peek and RandomField put a packed hash's field and value, which do
// not exist contiguously in the pack (see hash_value.h).
std::string& PeekedField() {
  thread_local std::string field;
  return field;
}
std::string& PeekedValue() {
  thread_local std::string value;
  return value;
}

// Bytes as a listpack would hand them back: an integer when they read as one.
Listpack::Value AsEntry(std::string_view bytes) {
  int64_t v;
  if (bytes.size() <= kIntEncodingMaxLength && ParseInt64(bytes, &v)) return Listpack::Value(v);
  return Listpack::Value(bytes);
}

}  // namespace

HashValue::~HashValue() {
  if (is_table()) delete table();
}

size_t HashValue::MemoryUsage() const {
  if (is_table()) return sizeof(*this) + table()->MemoryUsage();
  return sizeof(*this) + pack_.BytesUsed() + (lp_.Empty() ? 0 : lp_.BytesUsed());
}

std::unique_ptr<Collection> HashValue::Clone() const {
  auto copy = std::make_unique<HashValue>();
  if (is_table()) {
    copy->aux_ = reinterpret_cast<uintptr_t>(table()->Clone().release());
  } else {
    copy->pack_ = pack_.Clone();
    copy->lp_ = lp_.Clone();
    copy->aux_ = aux_;
  }
  return copy;
}

size_t HashValue::Size() const {
  if (is_table()) return table()->size();
  if (aux_ == kAuxListpack) return pack_.Size();
  return lp_.Size() / Stride();
}

size_t HashValue::LiveSize(int64_t now_ms) const {
  if (is_table()) return table()->size() - table()->CountExpired(now_ms);
  if (aux_ != kAuxListpackEx) return pack_.Size();
  // Triples are sorted by TTL: count the expired prefix.
  size_t expired = 0;
  for (Listpack::Position p = lp_.Seek(2); p; p = lp_.Seek(int64_t(expired * 3 + 2))) {
    int64_t at = LoadedTtl(lp_.Get(p).integer());
    if (!IsExpired(at, now_ms)) break;
    expired++;
  }
  return lp_.Size() / 3 - expired;
}

int64_t HashValue::NextExpire() const {
  if (is_table()) return table()->MinExpire();
  if (aux_ != kAuxListpackEx || lp_.Empty()) return kNoTtl;
  return LoadedTtl(lp_.Get(lp_.Seek(2)).integer());
}

// ---- Listpack helpers ----------------------------------------------------------

bool HashValue::LpFind(std::string_view field, LpFound* found) const {
  Listpack::Position p = lp_.Find(field, Stride() - 1);
  if (!p) return false;
  found->field = p;
  found->value = lp_.Next(p);
  found->ttl = Stride() == 3 ? lp_.Next(found->value) : Listpack::Position();
  return true;
}

int64_t HashValue::LpTtl(const LpFound& found) const {
  if (!found.ttl) return kNoTtl;
  return LoadedTtl(lp_.Get(found.ttl).integer());
}

void HashValue::LpExInsert(std::string_view field, Listpack::Value value, int64_t ttl) {
  const Listpack::Value entries[3] = {field, value, StoredTtl(ttl)};
  if (ttl != kNoTtl) {
    for (Listpack::Position p = lp_.First(); p; p = lp_.Next(lp_.Next(lp_.Next(p)))) {
      int64_t at = lp_.Get(lp_.Next(lp_.Next(p))).integer();
      if (at == 0 || at >= ttl) {
        Listpack::Position f = lp_.Insert(p, Listpack::Where::kBefore, entries[0]);
        Listpack::Position v = lp_.Insert(f, Listpack::Where::kAfter, entries[1]);
        lp_.Insert(v, Listpack::Where::kAfter, entries[2]);
        return;
      }
    }
  }
  lp_.Append(std::span<const Listpack::Value>(entries, 3));
}

void HashValue::LpExRetime(const LpFound& found, int64_t ttl) {
  std::string field = CopyOf(lp_.Get(found.field));
  Listpack::Value stored = lp_.Get(found.value);
  std::string value_bytes;
  Listpack::Value value = stored;
  if (!stored.is_int()) {
    value_bytes = std::string(stored.bytes());
    value = Listpack::Value(value_bytes);
  }
  lp_.Delete(found.field, 3);
  LpExInsert(field, value, ttl);
}

void HashValue::ConvertToTable() {
  auto table = std::make_unique<HashFieldTable>();
  table->Reserve(Size());
  HashPack::Cursor c(pack_);
  while (c.Next()) table->Set(c.field(), c.value(), kNoTtl);
  pack_.Clear();
  char fbuf[kInt64BufferSize], vbuf[kInt64BufferSize];
  for (auto it = lp_.begin(); it != lp_.end();) {
    std::string_view field = (*it++).AsString(fbuf);
    std::string_view value = (*it++).AsString(vbuf);
    int64_t ttl = LoadedTtl((*it++).integer());
    table->Set(field, value, ttl);
  }
  lp_.Clear();
  aux_ = reinterpret_cast<uintptr_t>(table.release());
}

// ---- Reads ---------------------------------------------------------------------

bool HashValue::Peek(std::string_view field, Listpack::Value* value, int64_t* expire_at_ms) const {
  if (is_table()) {
    const HashFieldTable::Node* n = table()->Find(field);
    if (n == nullptr) return false;
    if (value != nullptr) *value = Listpack::Value(HashFieldTable::ValueOf(n));
    if (expire_at_ms != nullptr) *expire_at_ms = HashFieldTable::ExpireOf(n);
    return true;
  }
  if (aux_ == kAuxListpack) {
    std::string& peeked = PeekedValue();
    if (!pack_.Find(field, &peeked)) return false;
    if (value != nullptr) *value = AsEntry(peeked);
    if (expire_at_ms != nullptr) *expire_at_ms = kNoTtl;
    return true;
  }
  LpFound found;
  if (!LpFind(field, &found)) return false;
  if (value != nullptr) *value = lp_.Get(found.value);
  if (expire_at_ms != nullptr) *expire_at_ms = LpTtl(found);
  return true;
}

HashValue::Lookup HashValue::Get(std::string_view field, int64_t now_ms, Listpack::Value* value) {
  int64_t at;
  if (!Peek(field, value, &at)) return Lookup::kAbsent;
  if (!IsExpired(at, now_ms)) return Lookup::kFound;
  Delete(field);
  return Lookup::kExpired;
}

void HashValue::RandomField(Random& random, Listpack::Value* field, Listpack::Value* value) const {
  if (is_table()) {
    const HashFieldTable::Node* n = table()->RandomNode(random);
    *field = Listpack::Value(HashFieldTable::FieldOf(n));
    if (value != nullptr) *value = Listpack::Value(HashFieldTable::ValueOf(n));
    return;
  }
  if (aux_ == kAuxListpack) {
    size_t index = random.Uniform(Size());
    HashPack::Cursor c(pack_);
    for (size_t i = 0; i <= index; i++) c.Next();
    PeekedField().assign(c.field());
    *field = AsEntry(PeekedField());
    if (value != nullptr) {
      PeekedValue().assign(c.value());
      *value = AsEntry(PeekedValue());
    }
    return;
  }
  const size_t stride = Stride();
  const int64_t index = static_cast<int64_t>(random.Uniform(Size()) * stride);
  Listpack::Position p = lp_.Seek(index);
  *field = lp_.Get(p);
  if (value != nullptr) *value = lp_.Get(lp_.Next(p));
}

// ---- Writes --------------------------------------------------------------------

void HashValue::PrepareForPairs(size_t pairs, size_t longest_bytes, size_t total_bytes,
                                const HashLimits& limits) {
  if (is_table()) return;
  bool fits = aux_ == kAuxListpack ? pack_.SafeToAdd(total_bytes) : lp_.SafeToAdd(total_bytes);
  if (pairs > limits.max_listpack_entries || longest_bytes > limits.max_listpack_value || !fits) {
    ConvertToTable();
    table()->Reserve(pairs);
  }
}

bool HashValue::Set(std::string_view field, std::string_view value, const HashLimits& limits,
                    bool keep_ttl) {
  if (!is_table()) {
    size_t added = field.size() + value.size() + 16;
    bool fits = aux_ == kAuxListpack ? pack_.SafeToAdd(added) : lp_.SafeToAdd(added);
    if (field.size() > limits.max_listpack_value || value.size() > limits.max_listpack_value ||
        !fits) {
      ConvertToTable();
    }
  }
  if (is_table()) return table()->Set(field, value, kNoTtl, keep_ttl);
  if (aux_ == kAuxListpack) {
    bool created = pack_.Set(field, value);
    if (Size() > limits.max_listpack_entries) ConvertToTable();
    return created;
  }

  bool created = false;
  LpFound found;
  if (LpFind(field, &found)) {
    lp_.Replace(found.value, value);
    if (aux_ == kAuxListpackEx && !keep_ttl) {
      LpFound again;
      LpFind(field, &again);
      if (LpTtl(again) != kNoTtl) LpExRetime(again, kNoTtl);
    }
  } else {
    created = true;
    if (aux_ == kAuxListpackEx) {
      LpExInsert(field, value, kNoTtl);
    } else {
      const Listpack::Value entries[2] = {field, value};
      lp_.Append(std::span<const Listpack::Value>(entries, 2));
    }
  }
  if (Size() > limits.max_listpack_entries) ConvertToTable();
  return created;
}

bool HashValue::Delete(std::string_view field) {
  if (is_table()) return table()->Erase(field);
  if (aux_ == kAuxListpack) return pack_.Erase(field);
  LpFound found;
  if (!LpFind(field, &found)) return false;
  lp_.Delete(found.field, Stride());
  return true;
}

// ---- Field expiry --------------------------------------------------------------

void HashValue::EnableFieldExpiry() {
  if (aux_ != kAuxListpack) return;
  Listpack ex;
  HashPack::Cursor c(pack_);
  while (c.Next()) {
    const Listpack::Value entries[3] = {c.field(), c.value(), 0};
    ex.Append(std::span<const Listpack::Value>(entries, 3));
  }
  pack_.Clear();
  lp_ = std::move(ex);
  aux_ = kAuxListpackEx;
}

FieldExpireResult HashValue::SetFieldExpire(std::string_view field, int64_t at_ms,
                                            FieldExpireCondition condition, int64_t now_ms) {
  int64_t prev;
  if (!Peek(field, nullptr, &prev)) return FieldExpireResult::kNoField;
  if (IsExpired(prev, now_ms)) {
    Delete(field);
    return FieldExpireResult::kNoField;
  }
  if (prev == kNoTtl) {
    // A field without TTL counts as an infinite TTL: XX and GT fail, LT holds.
    if (condition == FieldExpireCondition::kXx || condition == FieldExpireCondition::kGt) {
      return FieldExpireResult::kConditionNotMet;
    }
  } else if ((condition == FieldExpireCondition::kNx) ||
             (condition == FieldExpireCondition::kGt && prev >= at_ms) ||
             (condition == FieldExpireCondition::kLt && prev <= at_ms)) {
    return FieldExpireResult::kConditionNotMet;
  }
  if (at_ms <= now_ms) {
    Delete(field);
    return FieldExpireResult::kDeleted;
  }
  if (is_table()) {
    table()->SetExpire(field, at_ms);
  } else {
    LpFound found;
    LpFind(field, &found);
    LpExRetime(found, at_ms);
  }
  return FieldExpireResult::kSet;
}

FieldPersistResult HashValue::PersistField(std::string_view field, int64_t now_ms) {
  int64_t prev;
  if (!Peek(field, nullptr, &prev)) return FieldPersistResult::kNoField;
  if (prev == kNoTtl) return FieldPersistResult::kNoTtl;
  if (IsExpired(prev, now_ms)) return FieldPersistResult::kNoField;
  if (is_table()) {
    table()->SetExpire(field, kNoTtl);
  } else {
    LpFound found;
    LpFind(field, &found);
    LpExRetime(found, kNoTtl);
  }
  return FieldPersistResult::kPersisted;
}

size_t HashValue::PurgeExpired(int64_t now_ms, size_t max) {
  if (is_table()) return table()->EraseExpired(now_ms, max, [](std::string_view) {});
  if (aux_ != kAuxListpackEx) return 0;
  size_t expired = 0;
  while (expired < max) {
    Listpack::Position p = lp_.Seek(int64_t(expired * 3 + 2));
    if (!p || !IsExpired(LoadedTtl(lp_.Get(p).integer()), now_ms)) break;
    expired++;
  }
  if (expired > 0) lp_.DeleteRange(0, expired * 3);
  return expired;
}

}  // namespace lodestone
