// Hash commands: HSET and friends, the readers (HGET ... HSCAN, HRANDFIELD),
// counters (HINCRBY, HINCRBYFLOAT), hash field expiry (Redis 7.4: HEXPIRE,
// HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME,
// HPERSIST) and Redis 8's HGETDEL, HGETEX and HSETEX.
//
// Behaviour, option parsing order and error texts follow Redis's t_hash.c
// (7.4 for the classic and field-expiry commands, 8.0 for HGETDEL, HGETEX and
// HSETEX). The encodings live in storage/hash_value.h. Expired fields are
// never returned; commands that look a field up remove it if it has expired
// (lazy expiry), and the key goes when its last field does.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/glob.h"
#include "common/strings.h"
#include "server/config.h"
#include "storage/hash_value.h"

namespace lodestone {
namespace {

constexpr std::string_view kNanOrInfinity = "ERR value is NaN or Infinity";
constexpr std::string_view kFieldsMissing =
    "ERR Mandatory argument FIELDS is missing or not at the right position";
constexpr std::string_view kNumFieldsPositive = "ERR Number of fields must be a positive integer";
constexpr std::string_view kNumFieldsGreaterThanZero =
    "ERR Parameter `numFields` should be greater than 0";
constexpr std::string_view kNumFieldsMismatch =
    "ERR The `numfields` parameter must match the number of arguments";
constexpr std::string_view kExpireNegative = "ERR invalid expire time, must be >= 0";
constexpr std::string_view kInvalidNumberOfFields = "ERR invalid number of fields";
constexpr std::string_view kMissingExpireTime = "ERR missing expire time";
constexpr std::string_view kOnlyOneFxxFnx = "ERR Only one of FXX or FNX arguments can be specified";
constexpr std::string_view kOnlyOneExpiry =
    "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified";
constexpr std::string_view kCountOutOfRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

// The largest field expiry time accepted at the API (Redis's
// HFE_MAX_ABS_TIME_MSEC: 48-bit ebuckets times, 2 bits reserved).
constexpr int64_t kMaxFieldExpireMs = (int64_t{1} << 46) - 1;

// ---- Helpers ----------------------------------------------------------------

HashLimits LimitsFrom(CommandContext& ctx) {
  const ServerConfig& c = ctx.config();
  auto size = [](int64_t v) { return static_cast<size_t>(std::max<int64_t>(v, 0)); };
  return {size(c.hash_max_listpack_entries), size(c.hash_max_listpack_value)};
}

HashValue* AsHash(Entry* e) { return static_cast<HashValue*>(e->value.collection()); }

// A hash key for reading (counting a hit or miss), nullptr when absent. A key
// of another type replies WRONGTYPE and sets *failed.
Entry* LookupHashRead(CommandContext& ctx, Db& db, std::string_view key, bool* failed) {
  Entry* e = LookupRead(ctx, db, key);
  *failed = e != nullptr && e->value.type() != ObjType::kHash;
  if (*failed) ctx.reply.Error(protocol::kWrongType);
  return *failed ? nullptr : e;
}

Entry* LookupHashWrite(CommandContext& ctx, Db& db, std::string_view key, bool* failed) {
  Entry* e = LookupWrite(ctx, db, key);
  *failed = e != nullptr && e->value.type() != ObjType::kHash;
  if (*failed) ctx.reply.Error(protocol::kWrongType);
  return *failed ? nullptr : e;
}

Entry* CreateHash(Db& db, std::string_view key) {
  return db.Add(key, Value::Object(ObjType::kHash, Encoding::kListpack,
                                   std::make_unique<HashValue>()));
}

// Keeps OBJECT ENCODING in step with the hash after a write.
void SyncEncoding(Entry* e) { e->value.set_encoding(AsHash(e)->encoding()); }

// After fields were removed: deletes the key if none is left. Returns true
// if it did (the Entry* is then gone).
bool DeleteIfEmpty(Db& db, Entry* e) {
  if (AsHash(e)->Size() != 0) return false;
  db.DeleteEntry(e);
  return true;
}

void ReplyItem(CommandContext& ctx, Listpack::Value v) {
  char buf[kInt64BufferSize];
  ctx.reply.Bulk(v.AsString(buf));
}

// The events of fields removed because their TTL passed: "hexpired", then
// "del" when the hash went with them.
void NotifyFieldsExpired(CommandContext& ctx, std::string_view key, bool key_deleted) {
  ctx.Notify(kNotifyHash, "hexpired", key);
  if (key_deleted) ctx.Notify(kNotifyGeneric, "del", key);
}

// Looks a field up with lazy expiry. When an expired field was removed the
// key is marked modified, and deleted if that emptied it (*e becomes null);
// the events are sent unless `notify` is false (HMGET sends them once).
HashValue::Lookup GetField(CommandContext& ctx, Db& db, Entry** e, std::string_view field,
                           Listpack::Value* value, bool notify = true) {
  HashValue::Lookup r = AsHash(*e)->Get(field, ctx.now_ms, value);
  if (r == HashValue::Lookup::kExpired) {
    std::string key((*e)->key());
    if (DeleteIfEmpty(db, *e)) *e = nullptr;
    ctx.KeyModified(db, key);
    if (notify) NotifyFieldsExpired(ctx, key, *e == nullptr);
  }
  return r;
}

// Removes every expired field of the hash at *e (hashTypeExpireIfNeeded);
// deletes the key, making *e null, if none is left.
void PurgeExpiredFields(CommandContext& ctx, Db& db, Entry** e, std::string_view key) {
  if (*e == nullptr || AsHash(*e)->PurgeExpired(ctx.now_ms) == 0) return;
  ctx.KeyModified(db, key);
  if (DeleteIfEmpty(db, *e)) *e = nullptr;
  NotifyFieldsExpired(ctx, key, *e == nullptr);
}

// Parses "FIELDS numfields field..." with FIELDS at arg(at) and checks the
// count against the arguments left; replies and returns false on error.
bool ParseFieldsClause(CommandContext& ctx, size_t at, std::string_view count_error,
                       size_t* first_field) {
  if (at + 1 >= ctx.argc()) {
    ctx.reply.Error(protocol::WrongArity(ctx.spec.full_name()));
    return false;
  }
  if (!EqualsIgnoreCase(ctx.arg(at), "FIELDS")) {
    ctx.reply.Error(kFieldsMissing);
    return false;
  }
  int64_t n;
  if (!ParseInt64(ctx.arg(at + 1), &n) || n < 1) {
    ctx.reply.Error(count_error);
    return false;
  }
  if (static_cast<uint64_t>(n) != ctx.argc() - at - 2) {
    ctx.reply.Error(kNumFieldsMismatch);
    return false;
  }
  *first_field = at + 2;
  return true;
}

// Redis's parseExpireTime for field expiry: `arg` in `unit_ms` units added
// to `base_ms`; negative values and results past kMaxFieldExpireMs fail.
bool ParseFieldExpire(CommandContext& ctx, std::string_view arg, int64_t unit_ms, int64_t base_ms,
                      int64_t* at_ms) {
  int64_t v;
  if (!ParseInt64(arg, &v)) {
    ctx.reply.Error(protocol::kNotInteger);
    return false;
  }
  if (v < 0) {
    ctx.reply.Error(kExpireNegative);
    return false;
  }
  if ((unit_ms == 1000 && v > kMaxFieldExpireMs / 1000) ||
      v * unit_ms > kMaxFieldExpireMs - base_ms) {
    ctx.reply.Error(protocol::InvalidExpire(ctx.spec.full_name()));
    return false;
  }
  *at_ms = v * unit_ms + base_ms;
  return true;
}

// ---- Setting ----------------------------------------------------------------

// Converts ahead of time when the pairs at arg(first)... cannot fit a
// listpack (hashTypeTryConversion).
void PrepareForArgs(CommandContext& ctx, HashValue* h, size_t first, const HashLimits& limits) {
  size_t longest = 0, total = 0;
  for (size_t i = first; i < ctx.argc(); i++) {
    longest = std::max(longest, ctx.arg(i).size());
    total += ctx.arg(i).size();
  }
  h->PrepareForPairs((ctx.argc() - first) / 2, longest, total, limits);
}

// HSET key field value [field value ...]  /  HMSET (same arguments)
void HSetGeneric(CommandContext& ctx, bool hmset) {
  if (ctx.argc() % 2 == 1) return ctx.reply.Error(protocol::WrongArity(ctx.spec.full_name()));
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) e = CreateHash(db, ctx.arg(1));
  HashValue* h = AsHash(e);
  const HashLimits limits = LimitsFrom(ctx);
  PrepareForArgs(ctx, h, 2, limits);
  int64_t created = 0;
  for (size_t i = 2; i < ctx.argc(); i += 2) created += h->Set(ctx.arg(i), ctx.arg(i + 1), limits);
  SyncEncoding(e);
  ctx.KeyModified(db, ctx.arg(1), (ctx.argc() - 2) / 2);  // one per pair, as Redis
  ctx.Notify(kNotifyHash, "hset", ctx.arg(1));
  if (hmset) return ctx.reply.Ok();
  ctx.reply.Integer(created);
}

// HSET key field value [field value ...]
void HSet(CommandContext& ctx) { HSetGeneric(ctx, false); }

// HMSET key field value [field value ...]
void HMSet(CommandContext& ctx) { HSetGeneric(ctx, true); }

// HSETNX key field value
void HSetNx(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  if (e != nullptr) {
    Listpack::Value v(0);
    if (GetField(ctx, db, &e, ctx.arg(2), &v) == HashValue::Lookup::kFound) {
      return ctx.reply.Integer(0);
    }
  }
  if (e == nullptr) e = CreateHash(db, ctx.arg(1));
  const HashLimits limits = LimitsFrom(ctx);
  PrepareForArgs(ctx, AsHash(e), 2, limits);
  AsHash(e)->Set(ctx.arg(2), ctx.arg(3), limits);
  SyncEncoding(e);
  ctx.KeyModified(db, ctx.arg(1));
  ctx.Notify(kNotifyHash, "hset", ctx.arg(1));
  ctx.reply.Integer(1);
}

// The current value of a field for HINCRBY/HINCRBYFLOAT: creates the hash
// when absent, removes the field if it expired. Null with a reply on error.
Entry* LookupForIncr(CommandContext& ctx, Db& db, Listpack::Value* value, bool* found) {
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return nullptr;
  *found = e != nullptr && GetField(ctx, db, &e, ctx.arg(2), value) == HashValue::Lookup::kFound;
  if (e == nullptr) e = CreateHash(db, ctx.arg(1));
  return e;
}

// HINCRBY key field increment
void HIncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.arg(3), &incr)) return ctx.reply.Error(protocol::kNotInteger);
  Db& db = ctx.db();
  Listpack::Value v(0);
  bool found;
  Entry* e = LookupForIncr(ctx, db, &v, &found);
  if (e == nullptr) return;
  int64_t value = 0;
  if (found && !v.is_int() && !ParseInt64(v.bytes(), &value)) {
    return ctx.reply.Error(protocol::kHashValueNotInteger);
  }
  if (found && v.is_int()) value = v.integer();
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value)) {
    return ctx.reply.Error(protocol::kIncrOverflow);
  }
  value += incr;
  char buf[kInt64BufferSize];
  AsHash(e)->Set(ctx.arg(2), std::string_view(buf, FormatInt64(value, buf)), LimitsFrom(ctx),
                 true);
  SyncEncoding(e);
  ctx.KeyModified(db, ctx.arg(1));
  ctx.Notify(kNotifyHash, "hincrby", ctx.arg(1));
  ctx.reply.Integer(value);
}

// HINCRBYFLOAT key field increment
void HIncrByFloat(CommandContext& ctx) {
  long double incr;
  if (!ParseLongDouble(ctx.arg(3), &incr)) return ctx.reply.Error(protocol::kNotFloat);
  if (std::isnan(incr) || std::isinf(incr)) return ctx.reply.Error(kNanOrInfinity);
  Db& db = ctx.db();
  Listpack::Value v(0);
  bool found;
  Entry* e = LookupForIncr(ctx, db, &v, &found);
  if (e == nullptr) return;
  long double value = 0;
  if (found && v.is_int()) {
    value = static_cast<long double>(v.integer());
  } else if (found && !ParseLongDouble(v.bytes(), &value)) {
    return ctx.reply.Error(protocol::kHashValueNotFloat);
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) return ctx.reply.Error(protocol::kIncrFloatNaN);
  std::string formatted = FormatLongDouble(value);
  AsHash(e)->Set(ctx.arg(2), formatted, LimitsFrom(ctx), true);
  SyncEncoding(e);
  ctx.KeyModified(db, ctx.arg(1));
  ctx.Notify(kNotifyHash, "hincrbyfloat", ctx.arg(1));
  ctx.reply.Bulk(formatted);
}

// HDEL key field [field ...]
void HDel(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  int64_t deleted = 0;
  bool key_removed = false;
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (!AsHash(e)->Delete(ctx.arg(i))) continue;
    deleted++;
    key_removed = DeleteIfEmpty(db, e);
    if (key_removed) break;
  }
  if (deleted > 0) {
    ctx.KeyModified(db, ctx.arg(1), uint64_t(deleted));
    ctx.Notify(kNotifyHash, "hdel", ctx.arg(1));
    if (key_removed) ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
  }
  ctx.reply.Integer(deleted);
}

// ---- Reading ----------------------------------------------------------------

// HGET key field
void HGet(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashRead(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  Listpack::Value v(0);
  if (e == nullptr || GetField(ctx, db, &e, ctx.arg(2), &v) != HashValue::Lookup::kFound) {
    return ctx.reply.Null();
  }
  ReplyItem(ctx, v);
}

// HMGET key field [field ...]
void HMGet(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashRead(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  bool expired = false;
  for (size_t i = 2; i < ctx.argc(); i++) {
    Listpack::Value v(0);
    HashValue::Lookup r = e == nullptr ? HashValue::Lookup::kAbsent
                                       : GetField(ctx, db, &e, ctx.arg(i), &v, false);
    expired |= r == HashValue::Lookup::kExpired;
    if (r == HashValue::Lookup::kFound) {
      ReplyItem(ctx, v);
    } else {
      ctx.reply.Null();
    }
  }
  if (expired) NotifyFieldsExpired(ctx, ctx.arg(1), e == nullptr);
}

// HLEN key
void HLen(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupHashRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(AsHash(e)->Size()));
}

// HSTRLEN key field
void HStrLen(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashRead(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  Listpack::Value v(0);
  if (e == nullptr || GetField(ctx, db, &e, ctx.arg(2), &v) != HashValue::Lookup::kFound) {
    return ctx.reply.Integer(0);
  }
  ctx.reply.Integer(v.is_int() ? LengthOfInt64(v.integer())
                               : static_cast<int64_t>(v.bytes().size()));
}

// HEXISTS key field
void HExists(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashRead(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  Listpack::Value v(0);
  bool found = e != nullptr && GetField(ctx, db, &e, ctx.arg(2), &v) == HashValue::Lookup::kFound;
  ctx.reply.Integer(found ? 1 : 0);
}

enum GetAllParts { kKeys = 1, kValues = 2 };

// HKEYS, HVALS, HGETALL: every live field, value, or both (a map).
void HGetAllGeneric(CommandContext& ctx, int parts) {
  bool failed;
  Entry* e = LookupHashRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  const bool map = parts == (kKeys | kValues);
  size_t n = e == nullptr ? 0 : AsHash(e)->LiveSize(ctx.now_ms);
  if (map) {
    ctx.reply.MapHeader(n);
  } else {
    ctx.reply.ArrayHeader(n);
  }
  if (n == 0) return;
  AsHash(e)->ForEach(ctx.now_ms, [&](Listpack::Value field, Listpack::Value value) {
    if (parts & kKeys) ReplyItem(ctx, field);
    if (parts & kValues) ReplyItem(ctx, value);
  });
}

// HKEYS key
void HKeys(CommandContext& ctx) { HGetAllGeneric(ctx, kKeys); }

// HVALS key
void HVals(CommandContext& ctx) { HGetAllGeneric(ctx, kValues); }

// HGETALL key
void HGetAll(CommandContext& ctx) { HGetAllGeneric(ctx, kKeys | kValues); }

// HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]
void HScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseUint64(ctx.arg(2), &cursor)) return ctx.reply.Error(protocol::kInvalidCursor);
  bool failed;
  Entry* e = LookupHashRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ReplyEmptyScan(ctx);
  ScanOptions opts;
  if (!ParseScanOptions(ctx, 3, true, &opts)) return;
  const HashValue* h = AsHash(e);
  std::vector<std::string> items;
  int64_t sampled = 0;
  auto visit = [&](Listpack::Value field, Listpack::Value value, int64_t at_ms) {
    sampled++;
    char buf[kInt64BufferSize];
    std::string_view f = field.AsString(buf);
    if (opts.use_pattern && !StringMatch(opts.pattern, f, false)) return;
    if (at_ms != HashValue::kNoTtl && at_ms < ctx.now_ms) return;
    items.emplace_back(f);
    if (!opts.novalues) items.emplace_back(value.AsString(buf));
  };
  int64_t max_iterations = opts.count * 10;
  do {
    cursor = h->ScanStep(cursor, visit);
  } while (cursor != 0 && max_iterations-- > 0 && sampled < opts.count);
  ctx.reply.ArrayHeader(2);
  char buf[kInt64BufferSize];
  ctx.reply.Bulk(std::string_view(buf, FormatUint64(cursor, buf)));
  ctx.reply.ArrayHeader(items.size());
  for (const std::string& item : items) ctx.reply.Bulk(item);
}

// Replies one HRANDFIELD element: the field, or with values a pair (RESP3)
// or two flat elements (RESP2).
void ReplyRandomPair(CommandContext& ctx, Listpack::Value field, Listpack::Value value,
                     bool with_values) {
  if (with_values && ctx.reply.resp() > 2) ctx.reply.ArrayHeader(2);
  ReplyItem(ctx, field);
  if (with_values) ReplyItem(ctx, value);
}

// HRANDFIELD key count [WITHVALUES], after the arguments are checked.
void HRandFieldWithCount(CommandContext& ctx, int64_t count, bool with_values) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashRead(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  PurgeExpiredFields(ctx, db, &e, ctx.arg(1));
  if (e == nullptr || count == 0) return ctx.reply.ArrayHeader(0);
  const HashValue* h = AsHash(e);
  const bool distinct = count > 0;
  const size_t wanted = distinct ? static_cast<size_t>(count) : static_cast<size_t>(-count);
  const size_t size = h->Size();
  const size_t n = distinct ? std::min(wanted, size) : wanted;
  ctx.reply.ArrayHeader(with_values && ctx.reply.resp() == 2 ? n * 2 : n);
  auto emit = [&](Listpack::Value f, Listpack::Value v) {
    ReplyRandomPair(ctx, f, v, with_values);
  };
  if (!distinct || wanted == 1) {
    for (size_t i = 0; i < n; i++) {
      Listpack::Value f(0), v(0);
      h->RandomField(ctx.shard.rng(), &f, &v);
      emit(f, v);
    }
  } else if (wanted >= size) {
    h->ForEach(ctx.now_ms, emit);
  } else {
    h->SampleDistinct(ctx.shard.rng(), wanted, emit);
  }
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandField(CommandContext& ctx) {
  if (ctx.argc() >= 3) {
    int64_t count;
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(protocol::kNotInteger);
    if (count == INT64_MIN) return ctx.reply.Error(kCountOutOfRange);
    bool with_values = ctx.argc() == 4;
    if (ctx.argc() > 4 || (with_values && !EqualsIgnoreCase(ctx.arg(3), "WITHVALUES"))) {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
    if (with_values && (count < -INT64_MAX / 2 || count > INT64_MAX / 2)) {
      return ctx.reply.Error(protocol::kValueOutOfRange);
    }
    return HRandFieldWithCount(ctx, count, with_values);
  }
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashRead(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  PurgeExpiredFields(ctx, db, &e, ctx.arg(1));
  if (e == nullptr) return ctx.reply.Null();
  Listpack::Value f(0);
  AsHash(e)->RandomField(ctx.shard.rng(), &f, nullptr);
  ReplyItem(ctx, f);
}

// ---- Field expiry -----------------------------------------------------------

// HEXPIRE/HPEXPIRE/HEXPIREAT/HPEXPIREAT key time [NX | XX | GT | LT]
//     FIELDS numfields field [field ...]
void HExpireGeneric(CommandContext& ctx, int64_t unit_ms, bool relative) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  int64_t at_ms;
  if (!ParseFieldExpire(ctx, ctx.arg(2), unit_ms, relative ? ctx.now_ms : 0, &at_ms)) return;
  FieldExpireCondition cond = FieldExpireCondition::kNone;
  std::string_view opt = ctx.arg(3);
  if (EqualsIgnoreCase(opt, "NX")) cond = FieldExpireCondition::kNx;
  if (EqualsIgnoreCase(opt, "XX")) cond = FieldExpireCondition::kXx;
  if (EqualsIgnoreCase(opt, "GT")) cond = FieldExpireCondition::kGt;
  if (EqualsIgnoreCase(opt, "LT")) cond = FieldExpireCondition::kLt;
  size_t first;
  if (!ParseFieldsClause(ctx, cond == FieldExpireCondition::kNone ? 3 : 4,
                         kNumFieldsGreaterThanZero, &first)) {
    return;
  }
  ctx.reply.ArrayHeader(ctx.argc() - first);
  if (e == nullptr) {
    for (size_t i = first; i < ctx.argc(); i++) ctx.reply.Integer(-2);
    return;
  }
  HashValue* h = AsHash(e);
  h->EnableFieldExpiry();
  db.TrackVolatile(ctx.arg(1));
  bool updated = false, deleted = false;
  for (size_t i = first; i < ctx.argc(); i++) {
    FieldExpireResult r = h->SetFieldExpire(ctx.arg(i), at_ms, cond, ctx.now_ms);
    updated |= r == FieldExpireResult::kSet;
    deleted |= r == FieldExpireResult::kDeleted;
    ctx.reply.Integer(static_cast<int>(r));
  }
  SyncEncoding(e);
  if (!updated && !deleted) {
    DeleteIfEmpty(db, e);
    return;
  }
  ctx.KeyModified(db, ctx.arg(1));
  // A time already past deletes the fields: "hdel" instead of "hexpire".
  ctx.Notify(kNotifyHash, deleted ? "hdel" : "hexpire", ctx.arg(1));
  if (DeleteIfEmpty(db, e)) ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
}

// HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HExpire(CommandContext& ctx) { HExpireGeneric(ctx, 1000, true); }
// HPEXPIRE key milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HPExpire(CommandContext& ctx) { HExpireGeneric(ctx, 1, true); }
// HEXPIREAT key unix-time-seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HExpireAt(CommandContext& ctx) { HExpireGeneric(ctx, 1000, false); }
// HPEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HPExpireAt(CommandContext& ctx) { HExpireGeneric(ctx, 1, false); }

enum class TtlForm { kTtlSeconds, kTtlMs, kTimeSeconds, kTimeMs };

// HTTL/HPTTL/HEXPIRETIME/HPEXPIRETIME key FIELDS numfields field [field ...]
void HTtlGeneric(CommandContext& ctx, TtlForm form) {
  bool failed;
  Entry* e = LookupHashRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  size_t first;
  if (!ParseFieldsClause(ctx, 2, kNumFieldsPositive, &first)) return;
  ctx.reply.ArrayHeader(ctx.argc() - first);
  for (size_t i = first; i < ctx.argc(); i++) {
    int64_t at;
    if (e == nullptr || !AsHash(e)->Peek(ctx.arg(i), nullptr, &at) ||
        (at != HashValue::kNoTtl && at < ctx.now_ms)) {
      ctx.reply.Integer(-2);
    } else if (at == HashValue::kNoTtl) {
      ctx.reply.Integer(-1);
    } else if (form == TtlForm::kTtlSeconds) {
      ctx.reply.Integer((at + 999 - ctx.now_ms) / 1000);
    } else if (form == TtlForm::kTtlMs) {
      ctx.reply.Integer(at - ctx.now_ms);
    } else {
      ctx.reply.Integer(form == TtlForm::kTimeSeconds ? (at + 999) / 1000 : at);
    }
  }
}

// HTTL key FIELDS numfields field [field ...]
void HTtl(CommandContext& ctx) { HTtlGeneric(ctx, TtlForm::kTtlSeconds); }
// HPTTL key FIELDS numfields field [field ...]
void HPTtl(CommandContext& ctx) { HTtlGeneric(ctx, TtlForm::kTtlMs); }
// HEXPIRETIME key FIELDS numfields field [field ...]
void HExpireTime(CommandContext& ctx) { HTtlGeneric(ctx, TtlForm::kTimeSeconds); }
// HPEXPIRETIME key FIELDS numfields field [field ...]
void HPExpireTime(CommandContext& ctx) { HTtlGeneric(ctx, TtlForm::kTimeMs); }

// HPERSIST key FIELDS numfields field [field ...]
void HPersist(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  size_t first;
  if (!ParseFieldsClause(ctx, 2, kNumFieldsPositive, &first)) return;
  ctx.reply.ArrayHeader(ctx.argc() - first);
  bool changed = false;
  for (size_t i = first; i < ctx.argc(); i++) {
    FieldPersistResult r = e == nullptr ? FieldPersistResult::kNoField
                                        : AsHash(e)->PersistField(ctx.arg(i), ctx.now_ms);
    changed |= r == FieldPersistResult::kPersisted;
    ctx.reply.Integer(static_cast<int>(r));
  }
  if (!changed) return;
  ctx.KeyModified(db, ctx.arg(1));
  ctx.Notify(kNotifyHash, "hpersist", ctx.arg(1));
}

// HGETDEL key FIELDS numfields field [field ...]
void HGetDel(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  size_t first;
  if (!ParseFieldsClause(ctx, 2, kNumFieldsPositive, &first)) return;
  ctx.reply.ArrayHeader(ctx.argc() - first);
  bool expired = false, deleted = false;
  for (size_t i = first; i < ctx.argc(); i++) {
    Listpack::Value v(0);
    HashValue::Lookup r =
        e == nullptr ? HashValue::Lookup::kAbsent : AsHash(e)->Get(ctx.arg(i), ctx.now_ms, &v);
    expired |= r == HashValue::Lookup::kExpired;
    if (r != HashValue::Lookup::kFound) {
      ctx.reply.Null();
      continue;
    }
    ReplyItem(ctx, v);
    AsHash(e)->Delete(ctx.arg(i));
    deleted = true;
  }
  if (!expired && !deleted) return;
  ctx.KeyModified(db, ctx.arg(1));
  bool key_removed = DeleteIfEmpty(db, e);
  if (expired) ctx.Notify(kNotifyHash, "hexpired", ctx.arg(1));
  if (deleted) ctx.Notify(kNotifyHash, "hdel", ctx.arg(1));
  if (key_removed) ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
}

// HGETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | PERSIST] FIELDS numfields field [field ...]
void HGetEx(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  std::string_view opt = ctx.arg(2);
  const bool ex = EqualsIgnoreCase(opt, "EX"), px = EqualsIgnoreCase(opt, "PX");
  const bool exat = EqualsIgnoreCase(opt, "EXAT"), pxat = EqualsIgnoreCase(opt, "PXAT");
  const bool persist = EqualsIgnoreCase(opt, "PERSIST");
  const bool set_expiry = ex || px || exat || pxat;
  size_t fields_at = 2;
  int64_t at_ms = HashValue::kNoTtl;
  if (set_expiry) {
    fields_at = 4;
    if (!ParseFieldExpire(ctx, ctx.arg(3), (ex || exat) ? 1000 : 1, (ex || px) ? ctx.now_ms : 0,
                          &at_ms)) {
      return;
    }
  } else if (persist) {
    fields_at = 3;
  }
  size_t first;
  if (!ParseFieldsClause(ctx, fields_at, kNumFieldsPositive, &first)) return;
  ctx.reply.ArrayHeader(ctx.argc() - first);
  if (e == nullptr) {
    for (size_t i = first; i < ctx.argc(); i++) ctx.reply.Null();
    return;
  }
  HashValue* h = AsHash(e);
  if (set_expiry || persist) h->EnableFieldExpiry();
  if (set_expiry) db.TrackVolatile(ctx.arg(1));
  bool expired = false, updated = false, deleted = false, persisted = false;
  for (size_t i = first; i < ctx.argc(); i++) {
    Listpack::Value v(0);
    HashValue::Lookup r = h->Get(ctx.arg(i), ctx.now_ms, &v);
    expired |= r == HashValue::Lookup::kExpired;
    if (r != HashValue::Lookup::kFound) {
      ctx.reply.Null();
      continue;
    }
    ReplyItem(ctx, v);
    if (set_expiry) {
      FieldExpireResult res =
          h->SetFieldExpire(ctx.arg(i), at_ms, FieldExpireCondition::kNone, ctx.now_ms);
      updated |= res == FieldExpireResult::kSet;
      deleted |= res == FieldExpireResult::kDeleted;
    } else if (persist) {
      persisted |= h->PersistField(ctx.arg(i), ctx.now_ms) == FieldPersistResult::kPersisted;
    }
  }
  SyncEncoding(e);
  if (!expired && !updated && !deleted && !persisted) return;
  ctx.KeyModified(db, ctx.arg(1));
  bool key_removed = DeleteIfEmpty(db, e);
  if (expired) ctx.Notify(kNotifyHash, "hexpired", ctx.arg(1));
  if (deleted) {
    ctx.Notify(kNotifyHash, "hdel", ctx.arg(1));
  } else if (updated) {
    ctx.Notify(kNotifyHash, "hexpire", ctx.arg(1));
  } else if (persisted) {
    ctx.Notify(kNotifyHash, "hpersist", ctx.arg(1));
  }
  if (key_removed) ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
}

struct HSetExOptions {
  bool fnx = false, fxx = false, keep_ttl = false, set_expiry = false;
  int64_t at_ms = HashValue::kNoTtl;
  size_t first_field = 0;
};

// HSETEX's options up to and including FIELDS numfields (hsetexParseArgs).
bool ParseHSetExOptions(CommandContext& ctx, HSetExOptions* o) {
  bool any_expiry = false;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    const bool ex = EqualsIgnoreCase(opt, "EX"), px = EqualsIgnoreCase(opt, "PX");
    const bool exat = EqualsIgnoreCase(opt, "EXAT"), pxat = EqualsIgnoreCase(opt, "PXAT");
    if (EqualsIgnoreCase(opt, "FIELDS")) {
      if (i + 3 >= ctx.argc()) break;
      int64_t n;
      if (!ParseInt64(ctx.arg(i + 1), &n) || n < 1 || n > INT32_MAX) {
        ctx.reply.Error(kInvalidNumberOfFields);
        return false;
      }
      const size_t remaining = ctx.argc() - i - 2;
      if (remaining % 2 != 0 || static_cast<uint64_t>(n) != remaining / 2) break;
      o->first_field = i + 2;
      return true;
    } else if (ex || px || exat || pxat || EqualsIgnoreCase(opt, "KEEPTTL")) {
      if (any_expiry) {
        ctx.reply.Error(kOnlyOneExpiry);
        return false;
      }
      any_expiry = true;
      if (EqualsIgnoreCase(opt, "KEEPTTL")) {
        o->keep_ttl = true;
        continue;
      }
      if (i + 1 >= ctx.argc()) {
        ctx.reply.Error(kMissingExpireTime);
        return false;
      }
      o->set_expiry = true;
      if (!ParseFieldExpire(ctx, ctx.arg(++i), (ex || exat) ? 1000 : 1,
                            (ex || px) ? ctx.now_ms : 0, &o->at_ms)) {
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "FXX") || EqualsIgnoreCase(opt, "FNX")) {
      if (o->fxx || o->fnx) {
        ctx.reply.Error(kOnlyOneFxxFnx);
        return false;
      }
      (EqualsIgnoreCase(opt, "FXX") ? o->fxx : o->fnx) = true;
    } else {
      ctx.reply.Error("ERR unknown argument: " + std::string(opt));
      return false;
    }
  }
  ctx.reply.Error(protocol::WrongArity(ctx.spec.full_name()));
  return false;
}

// Whether HSETEX's FNX/FXX condition holds; expired fields met are removed.
bool HSetExConditionHolds(CommandContext& ctx, HashValue* h, const HSetExOptions& o) {
  if (!o.fnx && !o.fxx) return true;
  for (size_t i = o.first_field; i < ctx.argc(); i += 2) {
    Listpack::Value v(0);
    bool exists = h->Get(ctx.arg(i), ctx.now_ms, &v) == HashValue::Lookup::kFound;
    if ((o.fxx && !exists) || (o.fnx && exists)) return false;
  }
  return true;
}

// HSETEX key [FNX | FXX] [EX seconds | PX milliseconds |
//     EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
//     FIELDS numfields field value [field value ...]
void HSetEx(CommandContext& ctx) {
  HSetExOptions o;
  if (!ParseHSetExOptions(ctx, &o)) return;
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupHashWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr && o.fxx) return ctx.reply.Integer(0);
  if (e == nullptr) e = CreateHash(db, ctx.arg(1));
  HashValue* h = AsHash(e);
  const size_t size_before = h->Size();
  if (!HSetExConditionHolds(ctx, h, o)) {
    if (h->Size() != size_before) {
      ctx.KeyModified(db, ctx.arg(1));
      NotifyFieldsExpired(ctx, ctx.arg(1), DeleteIfEmpty(db, e));
    } else {
      DeleteIfEmpty(db, e);
    }
    return ctx.reply.Integer(0);
  }
  const HashLimits limits = LimitsFrom(ctx);
  PrepareForArgs(ctx, h, o.first_field, limits);
  if (o.set_expiry) {
    h->EnableFieldExpiry();
    db.TrackVolatile(ctx.arg(1));
  }
  for (size_t i = o.first_field; i < ctx.argc(); i += 2) {
    // An expired field is dropped first, so that KEEPTTL cannot keep its past TTL.
    int64_t at;
    if (h->Peek(ctx.arg(i), nullptr, &at) && at != HashValue::kNoTtl && at < ctx.now_ms) {
      h->Delete(ctx.arg(i));
    }
    h->Set(ctx.arg(i), ctx.arg(i + 1), limits, o.keep_ttl || o.set_expiry);
    if (o.set_expiry) {
      h->SetFieldExpire(ctx.arg(i), o.at_ms, FieldExpireCondition::kNone, ctx.now_ms);
    }
  }
  SyncEncoding(e);
  ctx.KeyModified(db, ctx.arg(1));
  ctx.Notify(kNotifyHash, "hset", ctx.arg(1));
  if (o.set_expiry) ctx.Notify(kNotifyHash, "hexpire", ctx.arg(1));
  if (DeleteIfEmpty(db, e)) ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterHashCommands(CommandTable& table) {
  constexpr uint32_t kRwUpdate = kKsRW | kKsUpdate;
  constexpr uint32_t kRoAccess = kKsRO | kKsAccess;
  constexpr const char* kPerField = "O(N) where N is the number of specified fields";
  auto row = [&](const char* name, int arity, uint64_t flags, CommandHandler handler,
                 uint32_t key_flags, CommandDoc doc, std::vector<std::string_view> tips = {}) {
    CommandSpec spec =
        Row(name, arity, flags, "hash", handler, {KeysAt(1, 0, 1, key_flags)}, doc, {"hash"});
    spec.tips = std::move(tips);
    table.Add(std::move(spec));
  };
  const uint64_t kWriteOomFast = kWrite | kDenyOom | kFast;
  row("hdel", -3, kWrite | kFast, HDel, kKsRW | kKsDelete,
      {"Deletes one or more fields and their values from a hash. Deletes the hash if no fields "
       "remain.",
       "2.0.0", "O(N) where N is the number of fields to be removed."});
  row("hexists", 3, kReadonly | kFast, HExists, kKsRO,
      {"Determines whether a field exists in a hash.", "2.0.0", "O(1)"});
  row("hexpire", -6, kWriteOomFast, HExpire, kRwUpdate,
      {"Set expiry for hash field using relative time to expire (seconds)", "7.4.0", kPerField});
  row("hexpireat", -6, kWriteOomFast, HExpireAt, kRwUpdate,
      {"Set expiry for hash field using an absolute Unix timestamp (seconds)", "7.4.0",
       kPerField});
  row("hexpiretime", -5, kReadonly | kFast, HExpireTime, kRoAccess,
      {"Returns the expiration time of a hash field as a Unix timestamp, in seconds.", "7.4.0",
       kPerField});
  row("hget", 3, kReadonly | kFast, HGet, kRoAccess,
      {"Returns the value of a field in a hash.", "2.0.0", "O(1)"});
  row("hgetall", 2, kReadonly, HGetAll, kRoAccess,
      {"Returns all fields and values in a hash.", "2.0.0",
       "O(N) where N is the size of the hash."},
      {"nondeterministic_output_order"});
  row("hgetdel", -5, kWrite | kFast, HGetDel, kKsRW | kKsAccess | kKsDelete,
      {"Returns the value of a field and deletes it from the hash.", "8.0.0", kPerField});
  row("hgetex", -5, kWrite | kFast, HGetEx, kKsRW | kKsAccess | kKsUpdate,
      {"Get the value of one or more fields of a given hash key, and optionally set their "
       "expiration.",
       "8.0.0", kPerField});
  row("hincrby", 4, kWriteOomFast, HIncrBy, kKsRW | kKsAccess | kKsUpdate,
      {"Increments the integer value of a field in a hash by a number. Uses 0 as initial value "
       "if the field doesn't exist.",
       "2.0.0", "O(1)"});
  row("hincrbyfloat", 4, kWriteOomFast, HIncrByFloat, kKsRW | kKsAccess | kKsUpdate,
      {"Increments the floating point value of a field by a number. Uses 0 as initial value if "
       "the field doesn't exist.",
       "2.6.0", "O(1)"});
  row("hkeys", 2, kReadonly, HKeys, kRoAccess,
      {"Returns all fields in a hash.", "2.0.0", "O(N) where N is the size of the hash."},
      {"nondeterministic_output_order"});
  row("hlen", 2, kReadonly | kFast, HLen, kKsRO,
      {"Returns the number of fields in a hash.", "2.0.0", "O(1)"});
  row("hmget", -3, kReadonly | kFast, HMGet, kRoAccess,
      {"Returns the values of all fields in a hash.", "2.0.0",
       "O(N) where N is the number of fields being requested."});
  row("hmset", -4, kWriteOomFast, HMSet, kRwUpdate,
      {"Sets the values of multiple fields.", "2.0.0",
       "O(N) where N is the number of fields being set."});
  row("hpersist", -5, kWrite | kFast, HPersist, kRwUpdate,
      {"Removes the expiration time for each specified field", "7.4.0", kPerField});
  row("hpexpire", -6, kWriteOomFast, HPExpire, kRwUpdate,
      {"Set expiry for hash field using relative time to expire (milliseconds)", "7.4.0",
       kPerField});
  row("hpexpireat", -6, kWriteOomFast, HPExpireAt, kRwUpdate,
      {"Set expiry for hash field using an absolute Unix timestamp (milliseconds)", "7.4.0",
       kPerField});
  row("hpexpiretime", -5, kReadonly | kFast, HPExpireTime, kRoAccess,
      {"Returns the expiration time of a hash field as a Unix timestamp, in msec.", "7.4.0",
       kPerField});
  row("hpttl", -5, kReadonly | kFast, HPTtl, kRoAccess,
      {"Returns the TTL in milliseconds of a hash field.", "7.4.0", kPerField},
      {"nondeterministic_output"});
  row("hrandfield", -2, kReadonly, HRandField, kRoAccess,
      {"Returns one or more random fields from a hash.", "6.2.0",
       "O(N) where N is the number of fields returned"},
      {"nondeterministic_output"});
  row("hscan", -3, kReadonly, HScan, kRoAccess,
      {"Iterates over fields and values of a hash.", "2.8.0",
       "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
       "the cursor to return back to 0. N is the number of elements inside the collection."},
      {"nondeterministic_output"});
  row("hset", -4, kWriteOomFast, HSet, kRwUpdate,
      {"Creates or modifies the value of a field in a hash.", "2.0.0",
       "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
       "command is called with multiple field/value pairs."});
  row("hsetex", -6, kWriteOomFast, HSetEx, kRwUpdate,
      {"Set the value of one or more fields of a given hash key, and optionally set their "
       "expiration.",
       "8.0.0", "O(N) where N is the number of fields being set."});
  row("hsetnx", 4, kWriteOomFast, HSetNx, kKsRW | kKsInsert,
      {"Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0", "O(1)"});
  row("hstrlen", 3, kReadonly | kFast, HStrLen, kKsRO,
      {"Returns the length of the value of a field.", "3.2.0", "O(1)"});
  row("httl", -5, kReadonly | kFast, HTtl, kRoAccess,
      {"Returns the TTL in seconds of a hash field.", "7.4.0", kPerField},
      {"nondeterministic_output"});
  row("hvals", 2, kReadonly, HVals, kRoAccess,
      {"Returns all values in a hash.", "2.0.0", "O(N) where N is the size of the hash."},
      {"nondeterministic_output_order"});
}

}  // namespace lodestone
