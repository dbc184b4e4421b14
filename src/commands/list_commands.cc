// List commands: pushes and pops at both ends (LPUSH..RPOP, LMPOP), reads
// (LLEN, LINDEX, LRANGE, LPOS), edits (LSET, LINSERT, LREM, LTRIM), moves
// between lists (LMOVE, RPOPLPUSH) and the blocking forms (BLPOP, BRPOP,
// BLMOVE, BRPOPLPUSH, BLMPOP).
//
// Behaviour, option parsing order, reply shapes and error texts follow
// Redis's t_list.c. The encoding rules (listpack <-> quicklist) live in
// storage/list_value.h; handlers call GrowFor before adding elements and
// TryShrink after removing some, where Redis calls listTypeTryConversion*,
// then copy the list's encoding into the Value. A list that becomes empty is
// deleted.
//
// Blocking: a blocking command serves at once when one of its keys holds a
// list; otherwise it asks the engine to block (CommandContext::BlockOn), and
// is executed again from scratch when a key is signalled ready. Every write
// that adds elements calls SignalKeyReady.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"
#include "server/config.h"
#include "storage/list_value.h"

namespace lodestone {
namespace {

using End = ListValue::End;

constexpr std::string_view kRankZero =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegative = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegative = "ERR MAXLEN can't be negative";
constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";
constexpr std::string_view kOutOfLongRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

// ---- Helpers ------------------------------------------------------------------

ListLimits Limits(CommandContext& ctx) {
  return ListLimits{ctx.config().list_max_listpack_size, ctx.config().list_compress_depth};
}

ListValue& AsList(Entry* e) { return *static_cast<ListValue*>(e->value.collection()); }

void SyncEncoding(Entry* e) { e->value.set_encoding(AsList(e).encoding()); }

// Replies WRONGTYPE and returns true when `e` holds something else.
bool WrongType(CommandContext& ctx, const Entry* e) {
  if (e == nullptr || e->value.type() == ObjType::kList) return false;
  ctx.reply.Error(protocol::kWrongType);
  return true;
}

Entry* CreateList(Db& db, std::string_view key) {
  return db.Add(key, Value::Object(ObjType::kList, Encoding::kListpack,
                                   std::make_unique<ListValue>()));
}

// The keyspace event of a pop or push at `end`.
std::string_view PopEvent(End end) { return end == End::kHead ? "lpop" : "rpop"; }
std::string_view PushEvent(End end) { return end == End::kHead ? "lpush" : "rpush"; }

// After elements were removed from the list at `e`: notifies `event`, deletes
// the key when the list is empty ("del"), else lets it shrink back to a
// listpack. Records the change.
// `dirty`: the changes Redis counts, one per element removed.
void AfterRemoval(CommandContext& ctx, Db& db, Entry* e, std::string_view key,
                  std::string_view event, uint64_t dirty = 1) {
  ctx.Notify(kNotifyList, event, key);
  if (AsList(e).Empty()) {
    db.DeleteEntry(e);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else {
    AsList(e).TryShrink(Limits(ctx));
    SyncEncoding(e);
  }
  ctx.KeyModified(db, key, dirty);
}

// Pushes `values` at `end` of the list at `e` (converting first if needed).
// Counts one change per element, as Redis's pushGenericCommand; a move's
// push counts none (`count_dirty` false: the pop counts the move).
void PushAll(CommandContext& ctx, Db& db, Entry* e, std::string_view key, End end,
             std::span<const std::string_view> values, bool count_dirty = true) {
  ListValue& list = AsList(e);
  list.GrowFor(values, Limits(ctx));
  for (std::string_view v : values) list.Push(end, v);
  SyncEncoding(e);
  ctx.KeyModified(db, key, count_dirty ? values.size() : 0);
  ctx.SignalKeyReady(db, key);
  ctx.Notify(kNotifyList, PushEvent(end), key);
}

void ReplyElement(CommandContext& ctx, ListValue::Element e) {
  char buf[kInt64BufferSize];
  ctx.reply.Bulk(e.AsString(buf));
}

// Redis's addListRangeReply: the inclusive range [start, end] with negative
// indexes from the tail, optionally from end to start.
void ReplyRange(CommandContext& ctx, const ListValue& list, int64_t start, int64_t end,
                bool reverse) {
  const int64_t size = int64_t(list.Size());
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  if (start > end || start >= size) {
    ctx.reply.EmptyArray();
    return;
  }
  if (end >= size) end = size - 1;
  int64_t n = end - start + 1;
  ctx.reply.ArrayHeader(size_t(n));
  ListValue::Cursor c = list.CursorAt(size_t(reverse ? end : start), reverse);
  while (n-- > 0) ReplyElement(ctx, *c.Next());
}

// Pops up to `count` elements at `end`, replying with them as an array.
void PopRangeReply(CommandContext& ctx, Db& db, Entry* e, std::string_view key, End end,
                   int64_t count) {
  ListValue& list = AsList(e);
  int64_t n = std::min<int64_t>(count, int64_t(list.Size()));
  if (end == End::kHead) {
    ReplyRange(ctx, list, 0, n - 1, false);
    list.DeleteRange(0, size_t(n));
  } else {
    ReplyRange(ctx, list, -n, -1, true);
    list.DeleteRange(-n, size_t(n));
  }
  AfterRemoval(ctx, db, e, key, PopEvent(end), uint64_t(n));
}

// getLongFromObjectOrReply / getRangeLongFromObjectOrReply. With `msg`,
// both a non-integer and an out-of-range value reply `msg`.
bool ParseLong(CommandContext& ctx, std::string_view arg, int64_t min, int64_t max,
               std::string_view msg, int64_t* out) {
  if (!ParseInt64(arg, out)) {
    ctx.reply.Error(msg.empty() ? protocol::kNotInteger : msg);
    return false;
  }
  if (*out < min || *out > max) {
    ctx.reply.Error(msg.empty() ? kOutOfLongRange : msg);
    return false;
  }
  return true;
}

// LEFT or RIGHT, else a syntax error.
bool ParseEnd(CommandContext& ctx, std::string_view arg, End* out) {
  if (EqualsIgnoreCase(arg, "left")) {
    *out = End::kHead;
  } else if (EqualsIgnoreCase(arg, "right")) {
    *out = End::kTail;
  } else {
    ctx.reply.Error(protocol::kSyntaxError);
    return false;
  }
  return true;
}


// ---- Pushes -------------------------------------------------------------------

// LPUSH/RPUSH/LPUSHX/RPUSHX key element [element ...]
void PushGeneric(CommandContext& ctx, End end, bool only_existing) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (WrongType(ctx, e)) return;
  if (e == nullptr) {
    if (only_existing) {
      ctx.reply.Integer(0);
      return;
    }
    e = CreateList(db, key);
  }
  PushAll(ctx, db, e, key, end, std::span(ctx.args).subspan(2));
  ctx.reply.Integer(int64_t(AsList(e).Size()));
}

// LPUSH key element [element ...]
void LPush(CommandContext& ctx) { PushGeneric(ctx, End::kHead, false); }
// RPUSH key element [element ...]
void RPush(CommandContext& ctx) { PushGeneric(ctx, End::kTail, false); }
// LPUSHX key element [element ...]
void LPushX(CommandContext& ctx) { PushGeneric(ctx, End::kHead, true); }
// RPUSHX key element [element ...]
void RPushX(CommandContext& ctx) { PushGeneric(ctx, End::kTail, true); }

// LINSERT key <BEFORE | AFTER> pivot element
void LInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "after")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "before")) {
    after = false;
  } else {
    ctx.reply.Error(protocol::kSyntaxError);
    return;
  }
  Db& db = ctx.db();
  Entry* e = LookupWrite(ctx, db, ctx.arg(1));
  if (e == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (WrongType(ctx, e)) return;
  ListValue& list = AsList(e);
  // Like Redis, converts before knowing whether the pivot exists.
  list.GrowFor(ctx.arg(4).size(), 1, Limits(ctx));
  bool inserted = list.Insert(ctx.arg(3), ctx.arg(4), after);
  SyncEncoding(e);
  if (!inserted) {
    ctx.reply.Integer(-1);
    return;
  }
  ctx.KeyModified(db, ctx.arg(1));
  ctx.SignalKeyReady(db, ctx.arg(1));
  ctx.Notify(kNotifyList, "linsert", ctx.arg(1));
  ctx.reply.Integer(int64_t(list.Size()));
}

// ---- Reads --------------------------------------------------------------------

// LLEN key
void LLen(CommandContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.db(), ctx.arg(1));
  if (WrongType(ctx, e)) return;
  ctx.reply.Integer(e == nullptr ? 0 : int64_t(AsList(e).Size()));
}

// LINDEX key index
void LIndex(CommandContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.db(), ctx.arg(1));
  if (e == nullptr) {
    ctx.reply.Null();
    return;
  }
  if (WrongType(ctx, e)) return;
  int64_t index;
  if (!ParseLong(ctx, ctx.arg(2), INT64_MIN, INT64_MAX, {}, &index)) return;
  std::optional<ListValue::Element> v = AsList(e).Index(index);
  if (v) {
    ReplyElement(ctx, *v);
  } else {
    ctx.reply.Null();
  }
}

// LRANGE key start stop
void LRange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseLong(ctx, ctx.arg(2), INT64_MIN, INT64_MAX, {}, &start) ||
      !ParseLong(ctx, ctx.arg(3), INT64_MIN, INT64_MAX, {}, &stop)) {
    return;
  }
  Entry* e = LookupRead(ctx, ctx.db(), ctx.arg(1));
  if (e == nullptr) {
    ctx.reply.EmptyArray();
    return;
  }
  if (WrongType(ctx, e)) return;
  ReplyRange(ctx, AsList(e), start, stop, false);
}

struct LPosOptions {
  int64_t rank = 1;
  int64_t count = -1;  // -1: COUNT not given.
  int64_t maxlen = 0;
};

bool ParseLPosOptions(CommandContext& ctx, LPosOptions* o) {
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "RANK") && more) {
      if (!ParseLong(ctx, ctx.arg(++j), -INT64_MAX, INT64_MAX, {}, &o->rank)) return false;
      if (o->rank == 0) {
        ctx.reply.Error(kRankZero);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "COUNT") && more) {
      if (!ParseLong(ctx, ctx.arg(++j), 0, INT64_MAX, kCountNegative, &o->count)) return false;
    } else if (EqualsIgnoreCase(opt, "MAXLEN") && more) {
      if (!ParseLong(ctx, ctx.arg(++j), 0, INT64_MAX, kMaxlenNegative, &o->maxlen)) return false;
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  return true;
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void LPos(CommandContext& ctx) {
  LPosOptions o;
  if (!ParseLPosOptions(ctx, &o)) return;
  const bool reverse = o.rank < 0;
  const int64_t rank = reverse ? -o.rank : o.rank;
  Entry* e = LookupRead(ctx, ctx.db(), ctx.arg(1));
  if (e == nullptr) {
    if (o.count != -1) {
      ctx.reply.EmptyArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  if (WrongType(ctx, e)) return;
  const ListValue& list = AsList(e);
  const int64_t size = int64_t(list.Size());
  size_t token = ctx.reply.BeginDeferred();
  int64_t matches = 0, found = 0, match_index = -1;
  ListValue::Cursor c = list.CursorAt(reverse ? list.Size() - 1 : 0, reverse);
  for (int64_t index = 0; o.maxlen == 0 || index < o.maxlen; index++) {
    std::optional<ListValue::Element> v = c.Next();
    if (!v) break;
    if (!v->Equals(ctx.arg(2)) || ++matches < rank) continue;
    match_index = reverse ? size - index - 1 : index;
    if (o.count == -1) break;
    ctx.reply.Integer(match_index);
    found++;
    if (o.count != 0 && found >= o.count) break;
  }
  if (o.count != -1) {
    ctx.reply.EndDeferredArray(token, size_t(found));
  } else if (match_index != -1) {
    ctx.reply.Integer(match_index);
  } else {
    ctx.reply.Null();
  }
}

// ---- Edits --------------------------------------------------------------------

// LSET key index element
void LSet(CommandContext& ctx) {
  Db& db = ctx.db();
  Entry* e = LookupWrite(ctx, db, ctx.arg(1));
  if (e == nullptr) {
    ctx.reply.Error(protocol::kNoSuchKey);
    return;
  }
  if (WrongType(ctx, e)) return;
  int64_t index;
  if (!ParseLong(ctx, ctx.arg(2), INT64_MIN, INT64_MAX, {}, &index)) return;
  ListValue& list = AsList(e);
  list.GrowFor(ctx.arg(3).size(), 1, Limits(ctx));
  bool replaced = list.Set(index, ctx.arg(3));
  if (replaced) list.TryShrink(Limits(ctx));
  SyncEncoding(e);
  if (!replaced) {
    ctx.reply.Error(protocol::kOutOfRange);
    return;
  }
  ctx.KeyModified(db, ctx.arg(1));
  ctx.Notify(kNotifyList, "lset", ctx.arg(1));
  ctx.reply.Ok();
}

// LREM key count element
void LRem(CommandContext& ctx) {
  int64_t count;
  if (!ParseLong(ctx, ctx.arg(2), -INT64_MAX, INT64_MAX, {}, &count)) return;
  Db& db = ctx.db();
  Entry* e = LookupWrite(ctx, db, ctx.arg(1));
  if (e == nullptr) {
    ctx.reply.Integer(0);
    return;
  }
  if (WrongType(ctx, e)) return;
  size_t removed = AsList(e).Remove(ctx.arg(3), count);
  if (removed > 0) AfterRemoval(ctx, db, e, ctx.arg(1), "lrem", removed);
  ctx.reply.Integer(int64_t(removed));
}

// LTRIM key start stop
void LTrim(CommandContext& ctx) {
  int64_t start, end;
  if (!ParseLong(ctx, ctx.arg(2), INT64_MIN, INT64_MAX, {}, &start) ||
      !ParseLong(ctx, ctx.arg(3), INT64_MIN, INT64_MAX, {}, &end)) {
    return;
  }
  Db& db = ctx.db();
  Entry* e = LookupWrite(ctx, db, ctx.arg(1));
  if (e == nullptr) {
    ctx.reply.Ok();
    return;
  }
  if (WrongType(ctx, e)) return;
  ListValue& list = AsList(e);
  const int64_t size = int64_t(list.Size());
  if (start < 0) start += size;
  if (end < 0) end += size;
  if (start < 0) start = 0;
  int64_t ltrim = size, rtrim = 0;
  if (start <= end && start < size) {
    if (end >= size) end = size - 1;
    ltrim = start;
    rtrim = size - end - 1;
  }
  list.DeleteRange(0, size_t(ltrim));
  list.DeleteRange(-rtrim, size_t(rtrim));
  AfterRemoval(ctx, db, e, ctx.arg(1), "ltrim", uint64_t(ltrim + rtrim));
  ctx.reply.Ok();
}

// ---- Pops ---------------------------------------------------------------------

// LPOP/RPOP key [count]
void PopGeneric(CommandContext& ctx, End end) {
  if (ctx.argc() > 3) {
    ctx.reply.Error(protocol::WrongArity(ctx.spec.full_name()));
    return;
  }
  const bool has_count = ctx.argc() == 3;
  int64_t count = 0;
  if (has_count &&
      !ParseLong(ctx, ctx.arg(2), 0, INT64_MAX, protocol::kValueMustBePositive, &count)) {
    return;
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (e == nullptr) {
    if (has_count) {
      ctx.reply.NullArray();
    } else {
      ctx.reply.Null();
    }
    return;
  }
  if (WrongType(ctx, e)) return;
  if (has_count && count == 0) {
    ctx.reply.EmptyArray();
  } else if (!has_count) {
    ctx.reply.Bulk(AsList(e).Pop(end));
    AfterRemoval(ctx, db, e, key, PopEvent(end));
  } else {
    PopRangeReply(ctx, db, e, key, end, count);
  }
}

// LPOP key [count]
void LPop(CommandContext& ctx) { PopGeneric(ctx, End::kHead); }
// RPOP key [count]
void RPop(CommandContext& ctx) { PopGeneric(ctx, End::kTail); }

// The first of `keys` holding a list, or nullptr with *key_out untouched.
// Replies WRONGTYPE (and sets *failed) at the first key of another type.
Entry* FirstList(CommandContext& ctx, std::span<const std::string_view> keys, bool* failed,
                 std::string_view* key_out) {
  *failed = false;
  for (std::string_view key : keys) {
    Entry* e = LookupWrite(ctx, ctx.DbFor(key), key);
    if (e == nullptr) continue;
    if (WrongType(ctx, e)) {
      *failed = true;
      return nullptr;
    }
    if (AsList(e).Empty()) continue;
    *key_out = key;
    return e;
  }
  return nullptr;
}

struct MPopArgs {
  std::span<const std::string_view> keys;
  End end = End::kHead;
  int64_t count = 1;
};

// [B]LMPOP's "numkeys key [key ...] <LEFT | RIGHT> [COUNT count]" from
// argument `numkeys_index` on.
bool ParseMPop(CommandContext& ctx, size_t numkeys_index, MPopArgs* out) {
  int64_t numkeys;
  if (!ParseLong(ctx, ctx.arg(numkeys_index), 1, INT64_MAX, kNumkeysNotPositive, &numkeys)) {
    return false;
  }
  if (uint64_t(numkeys) >= ctx.argc() - numkeys_index - 1) {
    ctx.reply.Error(protocol::kSyntaxError);
    return false;
  }
  size_t where_index = numkeys_index + size_t(numkeys) + 1;
  out->keys = std::span(ctx.args).subspan(numkeys_index + 1, size_t(numkeys));
  if (!ParseEnd(ctx, ctx.arg(where_index), &out->end)) return false;
  bool have_count = false;
  for (size_t j = where_index + 1; j < ctx.argc(); j++) {
    if (!have_count && EqualsIgnoreCase(ctx.arg(j), "COUNT") && j + 1 < ctx.argc()) {
      if (!ParseLong(ctx, ctx.arg(++j), 1, INT64_MAX, kCountNotPositive, &out->count)) {
        return false;
      }
      have_count = true;
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  return true;
}

// Pops from the first non-empty list of `args.keys`, replying [key, [elements]].
// Returns false (nothing replied) when every list is empty; *failed when a
// WRONGTYPE error was replied.
bool MPopServe(CommandContext& ctx, const MPopArgs& args, bool* failed) {
  std::string_view key;
  Entry* e = FirstList(ctx, args.keys, failed, &key);
  if (e == nullptr) return false;
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(key);
  PopRangeReply(ctx, ctx.DbFor(key), e, key, args.end, args.count);
  return true;
}

// LMPOP numkeys key [key ...] <LEFT | RIGHT> [COUNT count]
void LMPop(CommandContext& ctx) {
  MPopArgs args;
  if (!ParseMPop(ctx, 1, &args)) return;
  bool failed;
  if (!MPopServe(ctx, args, &failed) && !failed) ctx.reply.NullArray();
}

// ---- Moves --------------------------------------------------------------------

// Redis's lmoveGenericCommand once the source is known to hold a list.
void MoveFrom(CommandContext& ctx, Entry* src, End from, End to) {
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2);
  Db& src_db = ctx.DbFor(src_key);
  Db& dst_db = ctx.DbFor(dst_key);
  Entry* dst = LookupWrite(ctx, dst_db, dst_key);
  if (WrongType(ctx, dst)) return;
  std::string value = AsList(src).Pop(from);
  if (dst == nullptr) dst = CreateList(dst_db, dst_key);
  std::string_view one[] = {value};
  PushAll(ctx, dst_db, dst, dst_key, to, one, false);
  ctx.reply.Bulk(value);
  AfterRemoval(ctx, src_db, src, src_key, PopEvent(from));
}

void MoveGeneric(CommandContext& ctx, End from, End to) {
  Entry* src = LookupWrite(ctx, ctx.DbFor(ctx.arg(1)), ctx.arg(1));
  if (src == nullptr) {
    ctx.reply.Null();
    return;
  }
  if (WrongType(ctx, src)) return;
  MoveFrom(ctx, src, from, to);
}

// LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT>
void LMove(CommandContext& ctx) {
  End from, to;
  if (!ParseEnd(ctx, ctx.arg(3), &from) || !ParseEnd(ctx, ctx.arg(4), &to)) return;
  MoveGeneric(ctx, from, to);
}

// RPOPLPUSH source destination
void RPopLPush(CommandContext& ctx) { MoveGeneric(ctx, End::kTail, End::kHead); }

// ---- Blocking forms -----------------------------------------------------------

// BLPOP/BRPOP key [key ...] timeout
void BlockingPop(CommandContext& ctx, End end) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), &timeout_ms)) return;
  std::span<const std::string_view> keys = std::span(ctx.args).subspan(1, ctx.argc() - 2);
  bool failed;
  std::string_view key;
  Entry* e = FirstList(ctx, keys, &failed, &key);
  if (failed) return;
  if (e != nullptr) {
    Db& db = ctx.DbFor(key);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(AsList(e).Pop(end));
    AfterRemoval(ctx, db, e, key, PopEvent(end));
    return;
  }
  std::vector<std::string_view> wait_keys(keys.begin(), keys.end());
  if (!ctx.BlockOn(wait_keys, timeout_ms)) ctx.reply.NullArray();
}

// BLPOP key [key ...] timeout
void BLPop(CommandContext& ctx) { BlockingPop(ctx, End::kHead); }
// BRPOP key [key ...] timeout
void BRPop(CommandContext& ctx) { BlockingPop(ctx, End::kTail); }

void BlockingMove(CommandContext& ctx, End from, End to, int64_t timeout_ms) {
  Entry* src = LookupWrite(ctx, ctx.DbFor(ctx.arg(1)), ctx.arg(1));
  if (WrongType(ctx, src)) return;
  if (src != nullptr) {
    MoveFrom(ctx, src, from, to);
    return;
  }
  // Redis answers a client that may not block with a null bulk here (and
  // with a null array on a real timeout).
  if (!ctx.BlockOn({ctx.arg(1)}, timeout_ms)) ctx.reply.Null();
}

// BLMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout
void BLMove(CommandContext& ctx) {
  End from, to;
  int64_t timeout_ms;
  if (!ParseEnd(ctx, ctx.arg(3), &from) || !ParseEnd(ctx, ctx.arg(4), &to) ||
      !ParseBlockTimeout(ctx, ctx.arg(5), &timeout_ms)) {
    return;
  }
  BlockingMove(ctx, from, to, timeout_ms);
}

// BRPOPLPUSH source destination timeout
void BRPopLPush(CommandContext& ctx) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(3), &timeout_ms)) return;
  BlockingMove(ctx, End::kTail, End::kHead, timeout_ms);
}

// BLMPOP timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]
void BLMPop(CommandContext& ctx) {
  MPopArgs args;
  int64_t timeout_ms;
  if (!ParseMPop(ctx, 2, &args) || !ParseBlockTimeout(ctx, ctx.arg(1), &timeout_ms)) return;
  bool failed;
  if (MPopServe(ctx, args, &failed) || failed) return;
  std::vector<std::string_view> wait_keys(args.keys.begin(), args.keys.end());
  if (!ctx.BlockOn(wait_keys, timeout_ms)) ctx.reply.NullArray();
}

}  // namespace

void RegisterListCommands(CommandTable& table) {
  constexpr uint32_t kInsert = kKsRW | kKsInsert;
  constexpr uint32_t kPopFlags = kKsRW | kKsAccess | kKsDelete;
  constexpr const char* kPushComplexity =
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.";
  constexpr const char* kPopComplexity = "O(N) where N is the number of elements returned";
  constexpr const char* kMPopComplexity =
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.";
  auto add = [&](std::string name, int arity, uint64_t flags, CommandHandler handler,
                 std::vector<KeySpec> keys, CommandDoc doc) {
    table.Add(Row(std::move(name), arity, flags, "list", handler, std::move(keys), doc,
                  {"list"}));
  };
  add("blmove", 6, kWrite | kDenyOom | kBlocking, BLMove,
      {KeysAt(1, 0, 1, kPopFlags), KeysAt(2, 0, 1, kInsert)},
      {"Pops an element from a list, pushes it to another list and returns it. Blocks until an "
       "element is available otherwise. Deletes the list if the last element was moved.",
       "6.2.0", "O(1)"});
  add("blmpop", -5, kWrite | kBlocking, BLMPop, {KeysCounted(2, 1, kPopFlags)},
      {"Pops the first element from one of multiple lists. Blocks until an element is "
       "available otherwise. Deletes the list if the last element was popped.",
       "7.0.0", kMPopComplexity});
  add("blpop", -3, kWrite | kBlocking, BLPop, {KeysAt(1, -2, 1, kPopFlags)},
      {"Removes and returns the first element in a list. Blocks until an element is available "
       "otherwise. Deletes the list if the last element was popped.",
       "2.0.0", "O(N) where N is the number of provided keys."});
  add("brpop", -3, kWrite | kBlocking, BRPop, {KeysAt(1, -2, 1, kPopFlags)},
      {"Removes and returns the last element in a list. Blocks until an element is available "
       "otherwise. Deletes the list if the last element was popped.",
       "2.0.0", "O(N) where N is the number of provided keys."});
  add("brpoplpush", 4, kWrite | kDenyOom | kBlocking, BRPopLPush,
      {KeysAt(1, 0, 1, kPopFlags), KeysAt(2, 0, 1, kInsert)},
      {"Pops an element from a list, pushes it to another list and returns it. Block until an "
       "element is available otherwise. Deletes the list if the last element was popped.",
       "2.2.0", "O(1)"});
  add("lindex", 3, kReadonly, LIndex, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
      {"Returns an element from a list by its index.", "1.0.0",
       "O(N) where N is the number of elements to traverse to get to the element at index. "
       "This makes asking for the first or the last element of the list O(1)."});
  add("linsert", 5, kWrite | kDenyOom, LInsert, {KeysAt(1, 0, 1, kInsert)},
      {"Inserts an element before or after another element in a list.", "2.2.0",
       "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
       "means that inserting somewhere on the left end on the list (head) can be considered "
       "O(1) and inserting somewhere on the right end (tail) is O(N)."});
  add("llen", 2, kReadonly | kFast, LLen, {KeysAt(1, 0, 1, kKsRO)},
      {"Returns the length of a list.", "1.0.0", "O(1)"});
  add("lmove", 5, kWrite | kDenyOom, LMove,
      {KeysAt(1, 0, 1, kPopFlags), KeysAt(2, 0, 1, kInsert)},
      {"Returns an element after popping it from one list and pushing it to another. Deletes "
       "the list if the last element was moved.",
       "6.2.0", "O(1)"});
  add("lmpop", -4, kWrite, LMPop, {KeysCounted(1, 1, kPopFlags)},
      {"Returns multiple elements from a list after removing them. Deletes the list if the "
       "last element was popped.",
       "7.0.0", kMPopComplexity});
  add("lpop", -2, kWrite | kFast, LPop, {KeysAt(1, 0, 1, kPopFlags)},
      {"Returns the first elements in a list after removing it. Deletes the list if the last "
       "element was popped.",
       "1.0.0", kPopComplexity});
  add("lpos", -3, kReadonly, LPos, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
      {"Returns the index of matching elements in a list.", "6.0.6",
       "O(N) where N is the number of elements in the list, for the average case. When "
       "searching for elements near the head or the tail of the list, or when the MAXLEN "
       "option is provided, the command may run in constant time."});
  add("lpush", -3, kWrite | kDenyOom | kFast, LPush, {KeysAt(1, 0, 1, kInsert)},
      {"Prepends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0",
       kPushComplexity});
  add("lpushx", -3, kWrite | kDenyOom | kFast, LPushX, {KeysAt(1, 0, 1, kInsert)},
      {"Prepends one or more elements to a list only when the list exists.", "2.2.0",
       kPushComplexity});
  add("lrange", 4, kReadonly, LRange, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
      {"Returns a range of elements from a list.", "1.0.0",
       "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest "
       "end (HEAD or TAIL) for large lists; and N is the number of elements in the specified "
       "range."});
  add("lrem", 4, kWrite, LRem, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
      {"Removes elements from a list. Deletes the list if the last element was removed.",
       "1.0.0",
       "O(N+M) where N is the length of the list and M is the number of elements removed."});
  add("lset", 4, kWrite | kDenyOom, LSet, {KeysAt(1, 0, 1, kKsRW | kKsUpdate)},
      {"Sets the value of an element in a list by its index.", "1.0.0",
       "O(N) where N is the length of the list. Setting either the first or the last element "
       "of the list is O(1)."});
  add("ltrim", 4, kWrite, LTrim, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
      {"Removes elements from both ends a list. Deletes the list if all elements were trimmed.",
       "1.0.0", "O(N) where N is the number of elements to be removed by the operation."});
  add("rpop", -2, kWrite | kFast, RPop, {KeysAt(1, 0, 1, kPopFlags)},
      {"Returns and removes the last elements of a list. Deletes the list if the last element "
       "was popped.",
       "1.0.0", kPopComplexity});
  add("rpoplpush", 3, kWrite | kDenyOom, RPopLPush,
      {KeysAt(1, 0, 1, kPopFlags), KeysAt(2, 0, 1, kInsert)},
      {"Returns the last element of a list after removing and pushing it to another list. "
       "Deletes the list if the last element was popped.",
       "1.2.0", "O(1)"});
  add("rpush", -3, kWrite | kDenyOom | kFast, RPush, {KeysAt(1, 0, 1, kInsert)},
      {"Appends one or more elements to a list. Creates the key if it doesn't exist.", "1.0.0",
       kPushComplexity});
  add("rpushx", -3, kWrite | kDenyOom | kFast, RPushX, {KeysAt(1, 0, 1, kInsert)},
      {"Appends an element to a list only when the list exists.", "2.2.0", kPushComplexity});
}

}  // namespace lodestone
