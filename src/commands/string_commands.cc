// String commands: GET, SET and their variants, counters (INCR...,
// INCRBYFLOAT), in-place edits (APPEND, SETRANGE), GETRANGE, STRLEN, the
// multi-key MGET/MSET/MSETNX, and LCS.
//
// Behaviour, option parsing order and error texts follow Redis's t_string.c.
// Encodings follow Redis too: a client-supplied value is stored through
// Value::String's rules (int, embstr or raw as tryObjectEncoding would
// choose; Db::AddString and OverwriteString put an embstr's bytes in the
// key's own Entry block),
// counters store kInt, and in-place edits (APPEND on an existing key,
// SETRANGE) leave a kRaw string. GET and SET are the hot path: they allocate
// nothing beyond the stored value.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"
#include "server/config.h"

namespace lodestone {
namespace {

constexpr std::string_view kDecrementOverflow = "ERR decrement would overflow";
constexpr std::string_view kLcsWrongType = "ERR The specified keys must contain string values";
constexpr std::string_view kLcsLenAndIdx =
    "ERR If you want both the length and indexes, please just use IDX.";
constexpr std::string_view kLcsTooLong = "ERR String too long for LCS";
constexpr std::string_view kLcsOverBulkLen =
    "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";
constexpr std::string_view kLcsAllocFailed =
    "ERR Insufficient memory, failed allocating transient memory for LCS";

// ---- Option parsing shared by SET and GETEX ---------------------------------

enum StringOption : uint32_t {
  kOptNx = 1 << 0,
  kOptXx = 1 << 1,
  kOptGet = 1 << 2,
  kOptKeepTtl = 1 << 3,
  kOptPersist = 1 << 4,
  kOptEx = 1 << 5,
  kOptPx = 1 << 6,
  kOptExat = 1 << 7,
  kOptPxat = 1 << 8,
};
constexpr uint32_t kOptAnyExpire = kOptEx | kOptPx | kOptExat | kOptPxat;

struct StringOptions {
  uint32_t flags = 0;
  std::string_view expire;  // The argument after EX/PX/EXAT/PXAT.
};

// The flag of an expire keyword (EX, PX, EXAT, PXAT), or 0.
uint32_t ExpireKeyword(std::string_view opt) {
  if (EqualsIgnoreCase(opt, "EX")) return kOptEx;
  if (EqualsIgnoreCase(opt, "PX")) return kOptPx;
  if (EqualsIgnoreCase(opt, "EXAT")) return kOptExat;
  if (EqualsIgnoreCase(opt, "PXAT")) return kOptPxat;
  return 0;
}

// Redis's parseExtendedStringArgumentsOrReply: SET takes NX/XX/GET/KEEPTTL,
// GETEX takes PERSIST; both take one of EX/PX/EXAT/PXAT (the same one may be
// repeated, the last wins). A conflicting or unknown option, or an expire
// keyword without its argument, is a syntax error (replied here).
bool ParseStringOptions(CommandContext& ctx, size_t first, bool for_set, StringOptions* out) {
  for (size_t j = first; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    uint32_t f = out->flags;
    uint32_t expire = ExpireKeyword(opt);
    if (for_set && EqualsIgnoreCase(opt, "NX") && !(f & kOptXx)) {
      f |= kOptNx;
    } else if (for_set && EqualsIgnoreCase(opt, "XX") && !(f & kOptNx)) {
      f |= kOptXx;
    } else if (for_set && EqualsIgnoreCase(opt, "GET")) {
      f |= kOptGet;
    } else if (for_set && EqualsIgnoreCase(opt, "KEEPTTL") && !(f & kOptAnyExpire)) {
      f |= kOptKeepTtl;
    } else if (!for_set && EqualsIgnoreCase(opt, "PERSIST") && !(f & kOptAnyExpire)) {
      f |= kOptPersist;
    } else if (expire != 0 && j + 1 < ctx.argc() &&
               !(f & (kOptKeepTtl | kOptPersist | (kOptAnyExpire & ~expire)))) {
      f |= expire;
      out->expire = ctx.arg(++j);
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
    out->flags = f;
  }
  return true;
}

// Redis's getExpireMillisecondsOrReply: turns the argument of an expire
// option into an absolute unix time in ms. Zero, negative and overflowing
// values are "invalid expire time in '<command>' command".
bool ExpireAtOrReply(CommandContext& ctx, std::string_view arg, uint32_t flag, int64_t* at_ms) {
  int64_t n;
  if (!ParseInt64(arg, &n)) {
    ctx.reply.Error(protocol::kNotInteger);
    return false;
  }
  bool seconds = flag == kOptEx || flag == kOptExat;
  bool relative = flag == kOptEx || flag == kOptPx;
  if (n <= 0 || (seconds && n > INT64_MAX / 1000)) {
    ctx.reply.Error(protocol::InvalidExpire(ctx.spec.full_name()));
    return false;
  }
  if (seconds) n *= 1000;
  if (relative) {
    if (n > INT64_MAX - ctx.now_ms) {
      ctx.reply.Error(protocol::InvalidExpire(ctx.spec.full_name()));
      return false;
    }
    n += ctx.now_ms;
  }
  *at_ms = n;
  return true;
}

// ---- Storing ----------------------------------------------------------------

// Replaces whatever `key` holds with `value` and drops its TTL (Redis's
// setKey): what MSET, MSETNX and GETSET do.
void StoreKey(CommandContext& ctx, Db& db, std::string_view key, std::string_view value) {
  Entry* e = LookupWrite(ctx, db, key);
  if (e == nullptr) {
    db.AddString(key, value);
  } else {
    db.OverwriteString(e, value, false);
  }
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyString, "set", key);
}

enum class SetResult { kFailed, kAborted, kStored };

// Redis's setGenericCommand, minus its replies: stores `value` at `key`
// honouring kOptNx, kOptXx, kOptKeepTtl and an absolute expiry (kNoExpire for
// none). With kOptGet it first replies with the old value, or with WRONGTYPE
// (returning kFailed, nothing stored); otherwise it writes no reply.
SetResult SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                     uint32_t flags, int64_t expire_at_ms) {
  Db& db = ctx.db();
  Entry* e;
  if (flags & kOptGet) {
    e = LookupRead(ctx, db, key);
    if (e != nullptr && !e->value.IsString()) {
      ctx.reply.Error(protocol::kWrongType);
      return SetResult::kFailed;
    }
    if (e == nullptr) {
      ctx.reply.Null();
    } else {
      ReplyStringValue(ctx, e->value);
    }
  } else {
    e = LookupWrite(ctx, db, key);
  }
  if (((flags & kOptNx) && e != nullptr) || ((flags & kOptXx) && e == nullptr)) {
    return SetResult::kAborted;
  }
  if (e == nullptr) {
    e = db.AddString(key, value);
  } else {
    db.OverwriteString(e, value, (flags & kOptKeepTtl) || expire_at_ms != kNoExpire);
  }
  if (expire_at_ms != kNoExpire) db.SetExpire(e, expire_at_ms);
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyString, "set", key);
  if (expire_at_ms != kNoExpire) ctx.Notify(kNotifyGeneric, "expire", key);
  return SetResult::kStored;
}

// Redis's checkStringLength: a string may not grow past proto-max-bulk-len.
bool CheckStringLength(CommandContext& ctx, uint64_t size, uint64_t append) {
  if (size + append > static_cast<uint64_t>(ctx.config().proto_max_bulk_len)) {
    ctx.reply.Error(protocol::kStringTooLong);
    return false;
  }
  return true;
}

// ---- Counters ---------------------------------------------------------------

// Reads a string value as an integer (getLongLongFromObject).
bool StringToInt64(const Value& v, int64_t* out) {
  if (v.IsInt()) {
    *out = v.int_value();
    return true;
  }
  char scratch[kValueScratchSize];
  return ParseInt64(v.StringBytes(scratch), out);
}

// Reads a string value as a long double (getLongDoubleFromObject).
bool StringToLongDouble(const Value& v, long double* out) {
  if (v.IsInt()) {
    *out = static_cast<long double>(v.int_value());
    return true;
  }
  char scratch[kValueScratchSize];
  return ParseLongDouble(v.StringBytes(scratch), out);
}

// INCR, DECR, INCRBY, DECRBY: adds `delta` to the integer at arg(1) (0 when
// absent), keeping the TTL; the result is int-encoded.
void IncrDecr(CommandContext& ctx, int64_t delta) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (e != nullptr && !e->value.IsString()) return ctx.reply.Error(protocol::kWrongType);
  int64_t value = 0;
  if (e != nullptr && !StringToInt64(e->value, &value)) {
    return ctx.reply.Error(protocol::kNotInteger);
  }
  if ((delta < 0 && value < 0 && delta < INT64_MIN - value) ||
      (delta > 0 && value > 0 && delta > INT64_MAX - value)) {
    return ctx.reply.Error(protocol::kIncrOverflow);
  }
  value += delta;
  if (e == nullptr) {
    db.Add(key, Value::Int(value));
  } else {
    db.Overwrite(e, Value::Int(value), true);
  }
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyString, "incrby", key);
  ctx.reply.Integer(value);
}

// ---- LCS --------------------------------------------------------------------

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
};

// Parses LCS's options from arg(3) on; replies and returns false on error.
bool ParseLcsOptions(CommandContext& ctx, LcsOptions* opts) {
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "IDX")) {
      opts->idx = true;
    } else if (EqualsIgnoreCase(opt, "LEN")) {
      opts->len = true;
    } else if (EqualsIgnoreCase(opt, "WITHMATCHLEN")) {
      opts->with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "MINMATCHLEN") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++j), &opts->min_match_len)) {
        ctx.reply.Error(protocol::kNotInteger);
        return false;
      }
      if (opts->min_match_len < 0) opts->min_match_len = 0;
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  if (opts->len && opts->idx) {
    ctx.reply.Error(kLcsLenAndIdx);
    return false;
  }
  return true;
}

// The classic dynamic-programming table: cell (i, j) holds the length of the
// LCS of a[0..i) and b[0..j). Walking it back from (alen, blen) yields the
// LCS string from its end, and the matching ranges from the last one, as
// Redis emits them. `table` holds (alen+1)*(blen+1) cells.
void ReplyLcs(CommandContext& ctx, std::string_view a, std::string_view b, uint32_t* table,
              const LcsOptions& opts) {
  const size_t alen = a.size(), blen = b.size(), row = blen + 1;
  auto cell = [&](size_t i, size_t j) -> uint32_t& { return table[i * row + j]; };
  for (size_t i = 0; i <= alen; i++) {
    for (size_t j = 0; j <= blen; j++) {
      if (i == 0 || j == 0) {
        cell(i, j) = 0;
      } else if (a[i - 1] == b[j - 1]) {
        cell(i, j) = cell(i - 1, j - 1) + 1;
      } else {
        cell(i, j) = std::max(cell(i - 1, j), cell(i, j - 1));
      }
    }
  }
  const uint32_t total = cell(alen, blen);
  if (opts.len) return ctx.reply.Integer(total);

  std::string result(opts.idx ? 0 : total, '\0');
  size_t token = 0, ranges = 0;
  if (opts.idx) {
    ctx.reply.MapHeader(2);
    ctx.reply.Bulk("matches");
    token = ctx.reply.BeginDeferred();
  }
  // A range under construction: a[a_start..a_end] == b[b_start..b_end];
  // a_start == alen means none.
  size_t a_start = alen, a_end = 0, b_start = 0, b_end = 0;
  size_t i = alen, j = blen, left = total;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      if (!opts.idx) result[left - 1] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        a_start--;
        b_start--;
      } else {
        emit = true;
      }
      if (a_start == 0 || b_start == 0) emit = true;
      left--;
      i--;
      j--;
    } else {
      if (cell(i - 1, j) > cell(i, j - 1)) {
        i--;
      } else {
        j--;
      }
      if (a_start != alen) emit = true;
    }
    if (!emit) continue;
    size_t match_len = a_end - a_start + 1;
    if (opts.idx && (opts.min_match_len == 0 || match_len >= uint64_t(opts.min_match_len))) {
      ctx.reply.ArrayHeader(opts.with_match_len ? 3 : 2);
      ctx.reply.ArrayHeader(2);
      ctx.reply.Integer(int64_t(a_start));
      ctx.reply.Integer(int64_t(a_end));
      ctx.reply.ArrayHeader(2);
      ctx.reply.Integer(int64_t(b_start));
      ctx.reply.Integer(int64_t(b_end));
      if (opts.with_match_len) ctx.reply.Integer(int64_t(match_len));
      ranges++;
    }
    a_start = alen;
  }
  if (!opts.idx) return ctx.reply.Bulk(result);
  ctx.reply.EndDeferredArray(token, ranges);
  ctx.reply.Bulk("len");
  ctx.reply.Integer(total);
}

// ---- Handlers ---------------------------------------------------------------

// GET key
void Get(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupStringRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Null();
  ReplyStringValue(ctx, e->value);
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds |
//     EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
void Set(CommandContext& ctx) {
  StringOptions opts;
  if (!ParseStringOptions(ctx, 3, true, &opts)) return;
  int64_t expire_at_ms = kNoExpire;
  if ((opts.flags & kOptAnyExpire) &&
      !ExpireAtOrReply(ctx, opts.expire, opts.flags & kOptAnyExpire, &expire_at_ms)) {
    return;
  }
  SetResult result = SetGeneric(ctx, ctx.arg(1), ctx.arg(2), opts.flags, expire_at_ms);
  if (result == SetResult::kFailed || (opts.flags & kOptGet)) return;
  if (result == SetResult::kAborted) return ctx.reply.Null();
  ctx.reply.Ok();
}

// SETNX key value
void SetNx(CommandContext& ctx) {
  SetResult result = SetGeneric(ctx, ctx.arg(1), ctx.arg(2), kOptNx, kNoExpire);
  ctx.reply.Integer(result == SetResult::kStored ? 1 : 0);
}

// SETEX key seconds value  /  PSETEX key milliseconds value
void SetExGeneric(CommandContext& ctx, uint32_t unit) {
  int64_t expire_at_ms;
  if (!ExpireAtOrReply(ctx, ctx.arg(2), unit, &expire_at_ms)) return;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(3), 0, expire_at_ms);
  ctx.reply.Ok();
}

// SETEX key seconds value
void SetEx(CommandContext& ctx) { SetExGeneric(ctx, kOptEx); }

// PSETEX key milliseconds value
void PSetEx(CommandContext& ctx) { SetExGeneric(ctx, kOptPx); }

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | PERSIST]
void GetEx(CommandContext& ctx) {
  StringOptions opts;
  if (!ParseStringOptions(ctx, 2, false, &opts)) return;
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool failed;
  Entry* e = LookupStringRead(ctx, db, key, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Null();
  uint32_t expire_flag = opts.flags & kOptAnyExpire;
  int64_t at_ms = kNoExpire;
  if (expire_flag != 0 && !ExpireAtOrReply(ctx, opts.expire, expire_flag, &at_ms)) return;
  ReplyStringValue(ctx, e->value);
  if ((expire_flag & (kOptExat | kOptPxat)) && at_ms <= ctx.now_ms) {
    db.DeleteEntry(e);  // An absolute time already past deletes the key.
    ctx.KeyModified(db, key);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else if (expire_flag != 0) {
    db.SetExpire(e, at_ms);
    ctx.KeyModified(db, key);
    ctx.Notify(kNotifyGeneric, "expire", key);
  } else if ((opts.flags & kOptPersist) && db.RemoveExpire(e)) {
    ctx.KeyModified(db, key);
    ctx.Notify(kNotifyGeneric, "persist", key);
  }
}

// GETDEL key
void GetDel(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool failed;
  Entry* e = LookupStringRead(ctx, db, key, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Null();
  ReplyStringValue(ctx, e->value);
  db.DeleteEntry(e);
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyGeneric, "del", key);
}

// GETSET key value
void GetSet(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool failed;
  Entry* e = LookupStringRead(ctx, db, key, &failed);
  if (failed) return;
  if (e == nullptr) {
    ctx.reply.Null();
  } else {
    ReplyStringValue(ctx, e->value);
  }
  StoreKey(ctx, db, key, ctx.arg(2));
}

// GETRANGE key start end  /  SUBSTR key start end
void GetRange(CommandContext& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end)) {
    return ctx.reply.Error(protocol::kNotInteger);
  }
  bool failed;
  Entry* e = LookupStringRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Bulk("");
  char scratch[kValueScratchSize];
  std::string_view s = e->value.StringBytes(scratch);
  const int64_t len = int64_t(s.size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (len == 0 || start >= len || end < 0 || start > end) return ctx.reply.Bulk("");
  if (start < 0) start = 0;
  if (end >= len) end = len - 1;
  ctx.reply.Bulk(s.substr(size_t(start), size_t(end - start + 1)));
}

// SETRANGE key offset value
void SetRange(CommandContext& ctx) {
  int64_t offset;
  if (!ParseInt64(ctx.arg(2), &offset)) return ctx.reply.Error(protocol::kNotInteger);
  if (offset < 0) return ctx.reply.Error(protocol::kOffsetOutOfRange);
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  std::string_view value = ctx.arg(3);
  Entry* e = LookupWrite(ctx, db, key);
  if (e != nullptr && !e->value.IsString()) return ctx.reply.Error(protocol::kWrongType);
  if (value.empty()) return ctx.reply.Integer(e == nullptr ? 0 : int64_t(e->value.StringLength()));
  if (!CheckStringLength(ctx, uint64_t(offset), value.size())) return;
  bool created = e == nullptr;
  if (created) e = db.Add(key, Value::RawString({}));
  std::span<char> bytes = e->value.MutableBytes(size_t(offset) + value.size());
  std::memcpy(bytes.data() + offset, value.data(), value.size());
  if (created) e->value.TrimSpare();  // Redis sizes a new string exactly.
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyString, "setrange", key);
  ctx.reply.Integer(int64_t(bytes.size()));
}

// APPEND key value
void Append(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  std::string_view value = ctx.arg(2);
  Entry* e = LookupWrite(ctx, db, key);
  size_t length;
  if (e == nullptr) {
    e = db.AddString(key, value);
    length = value.size();
  } else {
    if (!e->value.IsString()) return ctx.reply.Error(protocol::kWrongType);
    if (!CheckStringLength(ctx, e->value.StringLength(), value.size())) return;
    length = e->value.Append(value);
  }
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyString, "append", key);
  ctx.reply.Integer(int64_t(length));
}

// STRLEN key
void StrLen(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupStringRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.Integer(e == nullptr ? 0 : int64_t(e->value.StringLength()));
}

// INCR key
void Incr(CommandContext& ctx) { IncrDecr(ctx, 1); }

// DECR key
void Decr(CommandContext& ctx) { IncrDecr(ctx, -1); }

// INCRBY key increment
void IncrBy(CommandContext& ctx) {
  int64_t delta;
  if (!ParseInt64(ctx.arg(2), &delta)) return ctx.reply.Error(protocol::kNotInteger);
  IncrDecr(ctx, delta);
}

// DECRBY key decrement
void DecrBy(CommandContext& ctx) {
  int64_t delta;
  if (!ParseInt64(ctx.arg(2), &delta)) return ctx.reply.Error(protocol::kNotInteger);
  if (delta == INT64_MIN) return ctx.reply.Error(kDecrementOverflow);
  IncrDecr(ctx, -delta);
}

// INCRBYFLOAT key increment
void IncrByFloat(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (e != nullptr && !e->value.IsString()) return ctx.reply.Error(protocol::kWrongType);
  long double value = 0, incr;
  if ((e != nullptr && !StringToLongDouble(e->value, &value)) ||
      !ParseLongDouble(ctx.arg(2), &incr)) {
    return ctx.reply.Error(protocol::kNotFloat);
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) return ctx.reply.Error(protocol::kIncrFloatNaN);
  std::string formatted = FormatLongDouble(value);
  if (e == nullptr) {
    db.Add(key, Value::PlainString(formatted));
  } else {
    db.Overwrite(e, Value::PlainString(formatted), true);
  }
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyString, "incrbyfloat", key);
  ctx.reply.Bulk(formatted);
}

// MGET key [key ...]
void MGet(CommandContext& ctx) {
  ctx.reply.ArrayHeader(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view key = ctx.arg(i);
    Entry* e = LookupRead(ctx, ctx.DbFor(key), key);
    if (e == nullptr || !e->value.IsString()) {
      ctx.reply.Null();
    } else {
      ReplyStringValue(ctx, e->value);
    }
  }
}

// MSET key value [key value ...]
void MSet(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.reply.Error(protocol::WrongArity(ctx.spec.full_name()));
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    std::string_view key = ctx.arg(i);
    StoreKey(ctx, ctx.DbFor(key), key, ctx.arg(i + 1));
  }
  ctx.reply.Ok();
}

// MSETNX key value [key value ...]
void MSetNx(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.reply.Error(protocol::WrongArity(ctx.spec.full_name()));
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    std::string_view key = ctx.arg(i);
    if (LookupWrite(ctx, ctx.DbFor(key), key) != nullptr) return ctx.reply.Integer(0);
  }
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    std::string_view key = ctx.arg(i);
    StoreKey(ctx, ctx.DbFor(key), key, ctx.arg(i + 1));
  }
  ctx.reply.Integer(1);
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
void Lcs(CommandContext& ctx) {
  std::string_view key_a = ctx.arg(1), key_b = ctx.arg(2);
  Entry* ea = LookupRead(ctx, ctx.DbFor(key_a), key_a);
  Entry* eb = LookupRead(ctx, ctx.DbFor(key_b), key_b);
  if ((ea != nullptr && !ea->value.IsString()) || (eb != nullptr && !eb->value.IsString())) {
    return ctx.reply.Error(kLcsWrongType);
  }
  LcsOptions opts;
  if (!ParseLcsOptions(ctx, &opts)) return;
  char scratch_a[kValueScratchSize], scratch_b[kValueScratchSize];
  std::string_view a = ea == nullptr ? std::string_view() : ea->value.StringBytes(scratch_a);
  std::string_view b = eb == nullptr ? std::string_view() : eb->value.StringBytes(scratch_b);
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return ctx.reply.Error(kLcsTooLong);
  }
  uint64_t cells = uint64_t(a.size() + 1) * (b.size() + 1);
  if (cells > SIZE_MAX / sizeof(uint32_t)) return ctx.reply.Error(kLcsAllocFailed);
  if (cells * sizeof(uint32_t) > uint64_t(ctx.config().proto_max_bulk_len)) {
    return ctx.reply.Error(kLcsOverBulkLen);
  }
  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[size_t(cells)]);
  if (table == nullptr) return ctx.reply.Error(kLcsAllocFailed);
  ReplyLcs(ctx, a, b, table.get(), opts);
}

}  // namespace

void RegisterStringCommands(CommandTable& table) {
  constexpr uint32_t kRwAccessUpdate = kKsRW | kKsAccess | kKsUpdate;
  constexpr const char* kRangeComplexity =
      "O(N) where N is the length of the returned string. The complexity is ultimately "
      "determined by the returned length, but because creating a substring from an existing "
      "string is very cheap, it can be considered O(1) for small strings.";
  table.Add(Row("append", 3, kWrite | kDenyOom | kFast, "string", Append,
                {KeysAt(1, 0, 1, kKsRW | kKsInsert)},
                {"Appends a string to the value of a key. Creates the key if it doesn't exist.",
                 "2.0.0",
                 "O(1). The amortized time complexity is O(1) assuming the appended value is "
                 "small and the already present value is of any size, since the dynamic string "
                 "library used by Redis will double the free space available on every "
                 "reallocation."},
                {"string"}));
  table.Add(Row("decr", 2, kWrite | kDenyOom | kFast, "string", Decr,
                {KeysAt(1, 0, 1, kRwAccessUpdate)},
                {"Decrements the integer value of a key by one. Uses 0 as initial value if the "
                 "key doesn't exist.",
                 "1.0.0", "O(1)"},
                {"string"}));
  table.Add(Row("decrby", 3, kWrite | kDenyOom | kFast, "string", DecrBy,
                {KeysAt(1, 0, 1, kRwAccessUpdate)},
                {"Decrements a number from the integer value of a key. Uses 0 as initial value "
                 "if the key doesn't exist.",
                 "1.0.0", "O(1)"},
                {"string"}));
  table.Add(Row("get", 2, kReadonly | kFast, "string", Get, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns the string value of a key.", "1.0.0", "O(1)"}, {"string"}));
  table.Add(Row("getdel", 2, kWrite | kFast, "string", GetDel,
                {KeysAt(1, 0, 1, kKsRW | kKsAccess | kKsDelete)},
                {"Returns the string value of a key after deleting the key.", "6.2.0", "O(1)"},
                {"string"}));
  table.Add(Row("getex", -2, kWrite | kFast, "string", GetEx, {KeysAt(1, 0, 1, kRwAccessUpdate)},
                {"Returns the string value of a key after setting its expiration time.", "6.2.0",
                 "O(1)"},
                {"string"}));
  table.Add(Row("getrange", 4, kReadonly, "string", GetRange,
                {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns a substring of the string stored at a key.", "2.4.0", kRangeComplexity},
                {"string"}));
  table.Add(Row("getset", 3, kWrite | kDenyOom | kFast, "string", GetSet,
                {KeysAt(1, 0, 1, kRwAccessUpdate)},
                {"Returns the previous string value of a key after setting it to a new value.",
                 "1.0.0", "O(1)"},
                {"string"}));
  table.Add(Row("incr", 2, kWrite | kDenyOom | kFast, "string", Incr,
                {KeysAt(1, 0, 1, kRwAccessUpdate)},
                {"Increments the integer value of a key by one. Uses 0 as initial value if the "
                 "key doesn't exist.",
                 "1.0.0", "O(1)"},
                {"string"}));
  table.Add(Row("incrby", 3, kWrite | kDenyOom | kFast, "string", IncrBy,
                {KeysAt(1, 0, 1, kRwAccessUpdate)},
                {"Increments the integer value of a key by a number. Uses 0 as initial value if "
                 "the key doesn't exist.",
                 "1.0.0", "O(1)"},
                {"string"}));
  table.Add(Row("incrbyfloat", 3, kWrite | kDenyOom | kFast, "string", IncrByFloat,
                {KeysAt(1, 0, 1, kRwAccessUpdate)},
                {"Increment the floating point value of a key by a number. Uses 0 as initial "
                 "value if the key doesn't exist.",
                 "2.6.0", "O(1)"},
                {"string"}));
  table.Add(Row("lcs", -3, kReadonly, "string", Lcs, {KeysAt(1, 1, 1, kKsRO | kKsAccess)},
                {"Finds the longest common substring.", "7.0.0",
                 "O(N*M) where N and M are the lengths of s1 and s2, respectively"},
                {"string"}));
  table.Add(Row("mget", -2, kReadonly | kFast, "string", MGet, {KeysAt(1, -1, 1, kKsRO | kKsAccess)},
                {"Atomically returns the string values of one or more keys.", "1.0.0",
                 "O(N) where N is the number of keys to retrieve."},
                {"string"}));
  table.Add(Row("mset", -3, kWrite | kDenyOom, "string", MSet, {KeysAt(1, -1, 2, kKsOW | kKsUpdate)},
                {"Atomically creates or modifies the string values of one or more keys.", "1.0.1",
                 "O(N) where N is the number of keys to set."},
                {"string"}));
  table.Add(Row("msetnx", -3, kWrite | kDenyOom, "string", MSetNx,
                {KeysAt(1, -1, 2, kKsOW | kKsInsert)},
                {"Atomically modifies the string values of one or more keys only when all keys "
                 "don't exist.",
                 "1.0.1", "O(N) where N is the number of keys to set."},
                {"string"}));
  table.Add(Row("psetex", 4, kWrite | kDenyOom, "string", PSetEx,
                {KeysAt(1, 0, 1, kKsOW | kKsUpdate)},
                {"Sets both string value and expiration time in milliseconds of a key. The key is "
                 "created if it doesn't exist.",
                 "2.6.0", "O(1)"},
                {"string"}));
  table.Add(Row("set", -3, kWrite | kDenyOom, "string", Set,
                {KeysAt(1, 0, 1, kRwAccessUpdate | kKsVariableFlags)},
                {"Sets the string value of a key, ignoring its type. The key is created if it "
                 "doesn't exist.",
                 "1.0.0", "O(1)"},
                {"string"}));
  table.Add(Row("setex", 4, kWrite | kDenyOom, "string", SetEx,
                {KeysAt(1, 0, 1, kKsOW | kKsUpdate)},
                {"Sets the string value and expiration time of a key. Creates the key if it "
                 "doesn't exist.",
                 "2.0.0", "O(1)"},
                {"string"}));
  table.Add(Row("setnx", 3, kWrite | kDenyOom | kFast, "string", SetNx,
                {KeysAt(1, 0, 1, kKsOW | kKsInsert)},
                {"Set the string value of a key only when the key doesn't exist.", "1.0.0",
                 "O(1)"},
                {"string"}));
  table.Add(Row("setrange", 4, kWrite | kDenyOom, "string", SetRange,
                {KeysAt(1, 0, 1, kKsRW | kKsUpdate)},
                {"Overwrites a part of a string value with another by an offset. Creates the key "
                 "if it doesn't exist.",
                 "2.2.0",
                 "O(1), not counting the time taken to copy the new string in place. Usually, "
                 "this string is very small so the amortized complexity is O(1). Otherwise, "
                 "complexity is O(M) with M being the length of the value argument."},
                {"string"}));
  table.Add(Row("strlen", 2, kReadonly | kFast, "string", StrLen, {KeysAt(1, 0, 1, kKsRO)},
                {"Returns the length of a string value.", "2.2.0", "O(1)"}, {"string"}));
  table.Add(Row("substr", 4, kReadonly, "string", GetRange, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns a substring from a string value.", "1.0.0", kRangeComplexity},
                {"string"}));
}

}  // namespace lodestone
