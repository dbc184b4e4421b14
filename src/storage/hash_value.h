// HashValue: the payload of a hash key, in Redis's three encodings.
//
//   kListpack    field, value pairs in a HashPack (storage/hash_pack.h):
//                insertion order, front-coded, one allocation (OBJECT
//                ENCODING "listpack").
//   kListpackEx  field, value, ttl triples, once any field-expiry command has
//                touched the hash ("listpackex"). ttl is the field's expiry in
//                unix ms, 0 for none; triples are kept sorted by ttl with the
//                fields without one at the end, as Redis keeps them, so the
//                earliest expiry is the first triple and HGETALL's order
//                matches Redis's.
//   kTable       a HashFieldTable ("hashtable"), once the hash outgrows the
//                limits (more than max_listpack_entries fields, or a field or
//                value longer than max_listpack_value bytes).
// Conversions only go forward (listpack -> listpackex -> table), as in Redis.
//
// Field expiry: a field whose expire time is before now_ms is expired. It is
// never returned by the reading functions that take now_ms; Get removes it
// when it meets it (lazy expiry), PurgeExpired removes expired fields in TTL
// order (active expiry: the shard cron calls it on hashes with
// HasVolatileFields(), and HRANDFIELD before sampling). Size() still counts
// expired fields until they are removed, which is what HLEN reports in Redis.
// A caller that removes fields must delete the key when Size() reaches 0.
//
// Values read from a hash are Listpack::Value: an integer (a listpack stores
// "123" as one) or bytes; views stay valid until the hash is next modified,
// except those that Peek, Get and RandomField return for a kListpack hash:
// its pairs are front-coded, so those views point into a per-thread buffer
// that the next such call on any hash of this thread overwrites (use or copy
// them first). Views passed to callbacks are valid during the call.
// This layer knows nothing of RESP or the server config: limits come in as
// HashLimits.
//
// Thread safety: none; a HashValue belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/random.h"
#include "core/listpack.h"
#include "storage/hash_field_table.h"
#include "storage/hash_pack.h"
#include "storage/value.h"

namespace lodestone {

// hash-max-listpack-entries / hash-max-listpack-value.
struct HashLimits {
  size_t max_listpack_entries = 512;
  size_t max_listpack_value = 64;
};

// The condition of HEXPIRE & co.
enum class FieldExpireCondition { kNone, kNx, kXx, kGt, kLt };

// HEXPIRE's per-field result codes.
enum class FieldExpireResult : int { kNoField = -2, kConditionNotMet = 0, kSet = 1, kDeleted = 2 };

// HPERSIST's per-field result codes.
enum class FieldPersistResult : int { kNoField = -2, kNoTtl = -1, kPersisted = 1 };

class HashValue final : public Collection {
 public:
  enum class Kind : uint8_t { kListpack, kListpackEx, kTable };
  static constexpr int64_t kNoTtl = HashFieldTable::kNoTtl;

  HashValue() = default;
  ~HashValue() override;
  HashValue(const HashValue&) = delete;
  HashValue& operator=(const HashValue&) = delete;

  size_t MemoryUsage() const override;
  void PrefetchMember(std::string_view field, int stage) const override {
    if (is_table()) table()->Prefetch(field, stage);
  }
  std::unique_ptr<Collection> Clone() const override;

  Kind kind() const {
    return aux_ == kAuxListpack ? Kind::kListpack
                                : aux_ == kAuxListpackEx ? Kind::kListpackEx : Kind::kTable;
  }
  // The Value encoding to report: kListpack or kHashtable. A kListpackEx hash
  // reports kListpack until value.h names Redis's OBJ_ENCODING_LISTPACK_EX.
  Encoding encoding() const {
    if (kind() == Kind::kTable) return Encoding::kHashtable;
    return kind() == Kind::kListpackEx ? Encoding::kListpackEx : Encoding::kListpack;
  }

  // Stored fields, expired ones included until removed (HLEN).
  size_t Size() const;
  // Fields not expired at now_ms.
  size_t LiveSize(int64_t now_ms) const;
  // Whether some field has a TTL; the earliest such TTL (kNoTtl if none).
  bool HasVolatileFields() const { return NextExpire() != kNoTtl; }
  int64_t NextExpire() const;

  // ---- Reads ---------------------------------------------------------------

  enum class Lookup { kFound, kAbsent, kExpired };
  // The value of a live field. An expired field is removed (lazy expiry) and
  // reported as kExpired; the caller deletes the key if Size() is now 0.
  Lookup Get(std::string_view field, int64_t now_ms, Listpack::Value* value);
  // The field as stored, expired or not: false if absent. expire_at_ms gets
  // kNoTtl for a field without TTL. Either out-pointer may be null.
  bool Peek(std::string_view field, Listpack::Value* value, int64_t* expire_at_ms) const;

  // Calls fn(Listpack::Value field, Listpack::Value value) for each field
  // not expired at now_ms, in encoding order.
  template <typename Fn>
  void ForEach(int64_t now_ms, Fn&& fn) const;

  // One HSCAN step: calls fn(field, value, expire_at_ms) for every field of
  // one table bucket (expired ones too; the caller filters) and returns the
  // next cursor, 0 at the end. A listpack hash is visited whole in one step
  // and returns 0, as Redis does.
  template <typename Fn>
  uint64_t ScanStep(uint64_t cursor, Fn&& fn) const;

  // A random field and its value (expired ones included: purge first).
  // REQUIRES: Size() > 0.
  void RandomField(Random& random, Listpack::Value* field, Listpack::Value* value) const;
  // `count` distinct random fields (REQUIRES: count < Size()), each passed
  // to fn(field, value) once. Expired ones may be chosen: purge first.
  template <typename Fn>
  void SampleDistinct(Random& random, size_t count, Fn&& fn) const;

  // ---- Writes --------------------------------------------------------------

  // Before setting `pairs` field/value pairs whose longest string has
  // `longest_bytes` and whose strings sum to `total_bytes`: converts to a
  // table when they cannot all fit the listpack limits (Redis's
  // hashTypeTryConversion).
  void PrepareForPairs(size_t pairs, size_t longest_bytes, size_t total_bytes,
                       const HashLimits& limits);
  // Sets a field. A new field has no TTL; an existing one keeps its TTL only
  // when keep_ttl (HINCRBY, HSETEX KEEPTTL), else loses it (HSET). Converts
  // to a table when a limit is exceeded. Returns true if the field is new.
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits,
           bool keep_ttl = false);
  // Removes a field, expired or not; false if absent.
  bool Delete(std::string_view field);

  // ---- Field expiry --------------------------------------------------------

  // Turns a plain listpack into a listpackex (any HEXPIRE-family command does
  // this, as Redis's hashTypeSetExInit does). No-op for other kinds.
  void EnableFieldExpiry();
  // HPEXPIREAT on one field. An absent or expired field is kNoField (the
  // expired one is removed). A time at or before now_ms removes the field
  // (kDeleted). REQUIRES: kind() != kListpack (EnableFieldExpiry first).
  FieldExpireResult SetFieldExpire(std::string_view field, int64_t at_ms,
                                   FieldExpireCondition condition, int64_t now_ms);
  // HPERSIST on one field.
  FieldPersistResult PersistField(std::string_view field, int64_t now_ms);
  // Removes up to `max` fields expired at now_ms, earliest first; returns how
  // many. The caller deletes the key if Size() is now 0.
  size_t PurgeExpired(int64_t now_ms, size_t max = SIZE_MAX) override;
  bool HasVolatileElements() const override { return HasVolatileFields(); }
  bool IsEmpty() const override { return Size() == 0; }

 private:
  // Listpack positions of a field's triple (the listpack holds only listpackex
  // hashes now; Stride() is 3 whenever it is used).
  struct LpFound {
    Listpack::Position field, value, ttl;
  };
  // aux_ is the kind for packed hashes, else the owned table (so a HashValue
  // is four words: vtable, pack, listpack, aux).
  static constexpr uintptr_t kAuxListpack = 0;
  static constexpr uintptr_t kAuxListpackEx = 1;
  HashFieldTable* table() const { return reinterpret_cast<HashFieldTable*>(aux_); }
  bool is_table() const { return aux_ > kAuxListpackEx; }
  size_t Stride() const { return aux_ == kAuxListpackEx ? 3 : 2; }
  bool LpFind(std::string_view field, LpFound* found) const;
  int64_t LpTtl(const LpFound& found) const;
  // Inserts a triple before the first one whose ttl is none or >= ttl.
  void LpExInsert(std::string_view field, Listpack::Value value, int64_t ttl);
  // Moves a triple to the position its new ttl calls for (kNoTtl: the end).
  void LpExRetime(const LpFound& found, int64_t ttl);
  void ConvertToTable();

  HashPack pack_;  // kListpack
  Listpack lp_;    // kListpackEx
  uintptr_t aux_ = kAuxListpack;
};

// ---- Template members --------------------------------------------------------

template <typename Fn>
void HashValue::ForEach(int64_t now_ms, Fn&& fn) const {
  if (is_table()) {
    table()->ForEach([&](const HashFieldTable::Node* n) {
      int64_t at = HashFieldTable::ExpireOf(n);
      if (at != kNoTtl && at < now_ms) return;
      fn(Listpack::Value(HashFieldTable::FieldOf(n)), Listpack::Value(HashFieldTable::ValueOf(n)));
    });
    return;
  }
  if (aux_ == kAuxListpack) {
    HashPack::Cursor c(pack_);
    while (c.Next()) fn(Listpack::Value(c.field()), Listpack::Value(c.value()));
    return;
  }
  for (auto it = lp_.begin(); it != lp_.end();) {
    Listpack::Value field = *it++;
    Listpack::Value value = *it++;
    int64_t at = (*it++).integer();
    if (at != 0 && at < now_ms) continue;
    fn(field, value);
  }
}

template <typename Fn>
uint64_t HashValue::ScanStep(uint64_t cursor, Fn&& fn) const {
  if (is_table()) {
    return table()->Scan(cursor, [&](const HashFieldTable::Node* n) {
      fn(Listpack::Value(HashFieldTable::FieldOf(n)), Listpack::Value(HashFieldTable::ValueOf(n)),
         HashFieldTable::ExpireOf(n));
    });
  }
  if (aux_ == kAuxListpack) {
    HashPack::Cursor c(pack_);
    while (c.Next()) fn(Listpack::Value(c.field()), Listpack::Value(c.value()), kNoTtl);
    return 0;
  }
  for (auto it = lp_.begin(); it != lp_.end();) {
    Listpack::Value field = *it++;
    Listpack::Value value = *it++;
    int64_t stored = (*it++).integer();
    fn(field, value, stored != 0 ? stored : kNoTtl);
  }
  return 0;
}

template <typename Fn>
void HashValue::SampleDistinct(Random& random, size_t count, Fn&& fn) const {
  size_t remaining = Size();
  if (aux_ == kAuxListpack) {
    // Selection sampling (Knuth's algorithm S): one pass, pack order.
    HashPack::Cursor c(pack_);
    for (size_t left = count; left > 0 && c.Next(); remaining--) {
      if (random.Uniform(remaining) < left) {
        fn(Listpack::Value(c.field()), Listpack::Value(c.value()));
        left--;
      }
    }
    return;
  }
  if (!is_table()) {
    // Selection sampling (Knuth's algorithm S): one pass, listpack order.
    const size_t stride = Stride();
    auto it = lp_.begin();
    for (size_t left = count; left > 0; remaining--) {
      Listpack::Value field = *it++;
      Listpack::Value value = *it++;
      if (stride == 3) ++it;
      if (random.Uniform(remaining) < left) {
        fn(field, value);
        left--;
      }
    }
    return;
  }
  // Tables: collect every node and drop random ones (Redis's CASE 3) when the
  // sample is a large part of the hash, else draw until `count` distinct.
  std::vector<const HashFieldTable::Node*> nodes;
  if (count * 3 > remaining) {
    nodes.reserve(remaining);
    table()->ForEach([&](const HashFieldTable::Node* n) { nodes.push_back(n); });
    while (nodes.size() > count) {
      size_t victim = random.Uniform(nodes.size());
      nodes[victim] = nodes.back();
      nodes.pop_back();
    }
  } else {
    std::unordered_set<const HashFieldTable::Node*> seen;
    seen.reserve(count);
    while (nodes.size() < count) {
      const HashFieldTable::Node* n = table()->RandomNode(random);
      if (seen.insert(n).second) nodes.push_back(n);
    }
  }
  for (const HashFieldTable::Node* n : nodes) {
    fn(Listpack::Value(HashFieldTable::FieldOf(n)), Listpack::Value(HashFieldTable::ValueOf(n)));
  }
}

}  // namespace lodestone
