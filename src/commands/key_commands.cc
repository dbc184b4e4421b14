// Generic keyspace commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, KEYS, SCAN,
// RANDOMKEY, RENAME, RENAMENX, MOVE, COPY, OBJECT, SWAPDB, FLUSHDB. The expiry
// commands are in expire_commands.cc, the cross-shard walks in keyspace_scan.cc.
//
// Keys of one command may live on different shards (RENAME a b, COPY a b):
// every key's database is found with ctx.DbFor, and the engine has parked
// each shard involved, so the handlers read as single-threaded code. KEYS,
// SCAN, RANDOMKEY, SWAPDB and FLUSHDB are kAllShards rows and see every shard.
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_util.h"
#include "commands/key_commands.h"
#include "commands/keyspace_scan.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "common/strings.h"
#include "server/config.h"

namespace lodestone {
namespace {

constexpr std::string_view kInvalidFirstDb = "ERR invalid first DB index";
constexpr std::string_view kInvalidSecondDb = "ERR invalid second DB index";
// COPY of collections needs their deep copy (issue 3); until then it is refused.
constexpr std::string_view kIdleTimeUnderLfu =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";
constexpr std::string_view kFreqWithoutLfu =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust.";

// The database `db_index` of every shard, in shard order (kAllShards only).
std::vector<Db*> AllShardsDb(CommandContext& ctx, int db_index) {
  std::vector<Db*> dbs;
  dbs.reserve(ctx.engine.shard_count());
  for (int i = 0; i < ctx.engine.shard_count(); i++) dbs.push_back(&ctx.engine.shard(i).db(db_index));
  return dbs;
}

int DatabaseCount(CommandContext& ctx) { return ctx.shard.db_count(); }

// getIntFromObjectOrReply: a string2ll number within int32.
bool ParseInt32(std::string_view s, int* out) {
  int64_t v;
  if (!ParseInt64(s, &v) || v < INT32_MIN || v > INT32_MAX) return false;
  *out = int(v);
  return true;
}

// Parses a DB index argument as MOVE and COPY do; replies with the error.
bool ParseDbIndexOrReply(CommandContext& ctx, std::string_view arg, int* db_index) {
  if (!ParseInt32(arg, db_index)) {
    ctx.reply.Error(protocol::kNotInteger);
    return false;
  }
  if (*db_index < 0 || *db_index >= DatabaseCount(ctx)) {
    ctx.reply.Error(protocol::kDbIndexOutOfRange);
    return false;
  }
  return true;
}

// Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): expiry honoured and hits
// counted, the access time left alone (EXISTS, TYPE, OBJECT). A miss is the
// "keymiss" event unless `notify_miss` is false (OBJECT's LOOKUP_NONOTIFY).
Entry* LookupNoTouch(CommandContext& ctx, Db& db, std::string_view key, bool notify_miss = true) {
  Entry* e = db.Lookup(key, ctx.now_ms);
  ctx.CountHit(e != nullptr);
  if (e == nullptr && notify_miss) ctx.Notify(kNotifyKeyMiss, "keymiss", key);
  return e;
}

// Copies `entry`'s value (of `src`) into `dst` as `dst_key` with the same TTL,
// replacing what is there.
void CopyEntry(CommandContext& ctx, const Entry& entry, const Db& src, Db& dst,
               std::string_view dst_key) {
  Value copy = entry.value.Clone();
  copy.set_lru(uint32_t(ctx.now_ms / 1000));  // A new object: accessed now.
  Entry* target = dst.Find(dst_key);
  if (target != nullptr) dst.DeleteEntry(target);
  Entry* added = dst.Add(dst_key, std::move(copy));
  if (entry.has_expire()) dst.SetExpire(added, src.GetExpire(&entry));
}

// Moves `entry` (of `src`) into `dst` under `dst_key`, keeping its value,
// access time and TTL. REQUIRES: dst_key is absent from dst.
void MoveEntry(Entry* entry, Db& src, Db& dst, std::string_view dst_key) {
  int64_t expire_at_ms = src.GetExpire(entry);
  Entry* added = dst.Add(dst_key, std::move(entry->value));
  if (expire_at_ms != kNoExpire) dst.SetExpire(added, expire_at_ms);
  src.DeleteEntry(entry);
}

// A keyspace event for `key` in database `db_index` rather than the
// command's own (MOVE's and COPY's target database).
void NotifyInDb(CommandContext& ctx, int db_index, int cls, std::string_view event,
                std::string_view key) {
  ctx.NotifyInDb(db_index, cls, event, key);
}

// ---- DEL, UNLINK, EXISTS, TYPE, TOUCH ------------------------------------

// DEL key [key ...]
// UNLINK key [key ...]
void Del(CommandContext& ctx) {
  int64_t deleted = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view key = ctx.arg(i);
    Db& db = ctx.DbFor(key);
    Entry* e = LookupWrite(ctx, db, key);
    if (e == nullptr) continue;
    db.DeleteEntry(e);
    ctx.KeyModified(db, key);
    ctx.Notify(kNotifyGeneric, "del", key);
    deleted++;
  }
  ctx.reply.Integer(deleted);
}

// EXISTS key [key ...]
void Exists(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view key = ctx.arg(i);
    if (LookupNoTouch(ctx, ctx.DbFor(key), key) != nullptr) n++;
  }
  ctx.reply.Integer(n);
}

// TYPE key
void Type(CommandContext& ctx) {
  Entry* e = LookupNoTouch(ctx, ctx.db(), ctx.arg(1));
  ctx.reply.SimpleString(e == nullptr ? "none" : TypeName(e->value.type()));
}

// TOUCH key [key ...]
void Touch(CommandContext& ctx) {
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view key = ctx.arg(i);
    if (LookupRead(ctx, ctx.DbFor(key), key) != nullptr) n++;
  }
  ctx.reply.Integer(n);
}

// ---- KEYS, SCAN, RANDOMKEY (every shard) -----------------------------------

// KEYS pattern
void Keys(CommandContext& ctx) {
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  ForEachMatchingKey(AllShardsDb(ctx, ctx.db_index), ctx.arg(1), ctx.now_ms,
                     [&](std::string_view key) {
                       ctx.reply.Bulk(key);
                       n++;
                     });
  ctx.reply.EndDeferredArray(token, n);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
void Scan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseUint64(ctx.arg(1), &cursor)) return ctx.reply.Error(protocol::kInvalidCursor);
  int64_t count = 10;
  ScanFilter filter;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (has_value && EqualsIgnoreCase(opt, "COUNT")) {
      if (!ParseInt64(ctx.arg(i + 1), &count)) return ctx.reply.Error(protocol::kNotInteger);
      if (count < 1) return ctx.reply.Error(protocol::kSyntaxError);
    } else if (has_value && EqualsIgnoreCase(opt, "MATCH")) {
      filter.pattern = ctx.arg(i + 1);
      filter.use_pattern = filter.pattern != "*";
    } else if (has_value && EqualsIgnoreCase(opt, "TYPE")) {
      if (!ParseTypeName(ctx.arg(i + 1), &filter.type)) {
        return ctx.reply.Error("ERR unknown type name '" + std::string(ctx.arg(i + 1)) + "'");
      }
      filter.use_type = true;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  std::vector<std::string> keys;
  uint64_t next = ScanDatabases(AllShardsDb(ctx, ctx.db_index), cursor, count, filter,
                                ctx.now_ms, &keys);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(Uint64ToString(next));
  ctx.reply.ArrayHeader(keys.size());
  for (const std::string& key : keys) ctx.reply.Bulk(key);
}

// RANDOMKEY
void RandomKey(CommandContext& ctx) {
  Entry* e = RandomKeyAcross(AllShardsDb(ctx, ctx.db_index), ctx.shard.rng(), ctx.now_ms);
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(e->key());
}

// ---- RENAME, RENAMENX, MOVE, COPY ------------------------------------------

void RenameGeneric(CommandContext& ctx, bool nx) {
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2);
  Db& src = ctx.DbFor(src_key);
  Entry* e = LookupWrite(ctx, src, src_key);
  if (e == nullptr) return ctx.reply.Error(protocol::kNoSuchKey);
  if (src_key == dst_key) return nx ? ctx.reply.Integer(0) : ctx.reply.Ok();
  Db& dst = ctx.DbFor(dst_key);
  Entry* existing = LookupWrite(ctx, dst, dst_key);
  if (existing != nullptr) {
    if (nx) return ctx.reply.Integer(0);
    dst.DeleteEntry(existing);
  }
  MoveEntry(e, src, dst, dst_key);
  ctx.KeyModified(src, src_key);
  ctx.KeyModified(dst, dst_key, 0);  // Redis counts a rename once
  ctx.Notify(kNotifyGeneric, "rename_from", src_key);
  ctx.Notify(kNotifyGeneric, "rename_to", dst_key);
  ctx.SignalKeyReady(dst, dst_key);  // a list moved into place wakes BLPOP
  nx ? ctx.reply.Integer(1) : ctx.reply.Ok();
}

// RENAME key newkey
void Rename(CommandContext& ctx) { RenameGeneric(ctx, false); }

// RENAMENX key newkey
void RenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// MOVE key db
void Move(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  int dst_index;
  if (!ParseDbIndexOrReply(ctx, ctx.arg(2), &dst_index)) return;
  if (dst_index == ctx.db_index) return ctx.reply.Error(protocol::kSameObject);
  Db& src = ctx.DbFor(key);
  Db& dst = ctx.ShardFor(key).db(dst_index);
  Entry* e = LookupWrite(ctx, src, key);
  if (e == nullptr || LookupWrite(ctx, dst, key) != nullptr) return ctx.reply.Integer(0);
  MoveEntry(e, src, dst, key);
  ctx.KeyModified(src, key);
  ctx.KeyModified(dst, key, 0);  // Redis counts a move once
  ctx.Notify(kNotifyGeneric, "move_from", key);
  NotifyInDb(ctx, dst_index, kNotifyGeneric, "move_to", key);
  ctx.SignalKeyReady(dst, key);
  ctx.reply.Integer(1);
}

// COPY source destination [DB destination-db] [REPLACE]
void Copy(CommandContext& ctx) {
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2);
  bool replace = false;
  int dst_index = ctx.db_index;
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "REPLACE")) {
      replace = true;
    } else if (EqualsIgnoreCase(opt, "DB") && i + 1 < ctx.argc()) {
      if (!ParseDbIndexOrReply(ctx, ctx.arg(++i), &dst_index)) return;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  if (dst_index == ctx.db_index && src_key == dst_key) {
    return ctx.reply.Error(protocol::kSameObject);
  }
  Db& src = ctx.DbFor(src_key);
  Entry* e = LookupRead(ctx, src, src_key);
  if (e == nullptr) return ctx.reply.Integer(0);
  Db& dst = ctx.ShardFor(dst_key).db(dst_index);
  if (LookupWrite(ctx, dst, dst_key) != nullptr && !replace) return ctx.reply.Integer(0);
  CopyEntry(ctx, *e, src, dst, dst_key);
  ctx.KeyModified(dst, dst_key);
  NotifyInDb(ctx, dst_index, kNotifyGeneric, "copy_to", dst_key);
  ctx.SignalKeyReady(dst, dst_key);
  ctx.reply.Integer(1);
}

// ---- OBJECT --------------------------------------------------------------

bool LfuPolicy(CommandContext& ctx) {
  MaxmemoryPolicy policy = ctx.config().maxmemory_policy;
  return policy == MaxmemoryPolicy::kVolatileLfu || policy == MaxmemoryPolicy::kAllkeysLfu;
}

// OBJECT ENCODING key
void ObjectEncoding(CommandContext& ctx) {
  Entry* e = LookupNoTouch(ctx, ctx.db(), ctx.arg(2), false);
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(EncodingName(e->value.encoding()));
}

// OBJECT REFCOUNT key
void ObjectRefcount(CommandContext& ctx) {
  // Values are never shared (Redis's shared integers report INT_MAX), so
  // every value has exactly one owner, its key.
  Entry* e = LookupNoTouch(ctx, ctx.db(), ctx.arg(2), false);
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Integer(1);
}

// OBJECT IDLETIME key
void ObjectIdletime(CommandContext& ctx) {
  Entry* e = LookupNoTouch(ctx, ctx.db(), ctx.arg(2), false);
  if (e == nullptr) return ctx.reply.Null();
  if (LfuPolicy(ctx)) return ctx.reply.Error(kIdleTimeUnderLfu);
  ctx.reply.Integer(IdleSeconds(e->value.lru(), ctx.now_ms));
}

// OBJECT FREQ key
void ObjectFreq(CommandContext& ctx) {
  Entry* e = LookupNoTouch(ctx, ctx.db(), ctx.arg(2), false);
  if (e == nullptr) return ctx.reply.Null();
  if (!LfuPolicy(ctx)) return ctx.reply.Error(kFreqWithoutLfu);
  ctx.reply.Integer(LfuDecayedCounter(e->value.lru(), ctx.now_ms, ctx.config().lfu_decay_time));
}

// OBJECT HELP
void ObjectHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "ENCODING <key>",
                     "    Return the kind of internal representation used in order to store the value",
                     "    associated with a <key>.",
                     "FREQ <key>",
                     "    Return the access frequency index of the <key>. The returned integer is",
                     "    proportional to the logarithm of the recent access frequency of the key.",
                     "IDLETIME <key>",
                     "    Return the idle time of the <key>, that is the approximated number of",
                     "    seconds elapsed since the last access to the key.",
                     "REFCOUNT <key>",
                     "    Return the number of references of the value associated with the specified",
                     "    <key>.",
                 });
}

// A container row's own handler is reached only without a known subcommand.
void ObjectContainer(CommandContext& ctx) {
  ctx.reply.Error(protocol::SubcommandSyntaxError(ctx.arg(0), ctx.argc() > 1 ? ctx.arg(1) : ""));
}

// ---- SWAPDB, FLUSHDB (every shard) ------------------------------------------

// SWAPDB index1 index2
void SwapDb(CommandContext& ctx) {
  int a, b;
  if (!ParseInt32(ctx.arg(1), &a)) return ctx.reply.Error(kInvalidFirstDb);
  if (!ParseInt32(ctx.arg(2), &b)) return ctx.reply.Error(kInvalidSecondDb);
  int n = DatabaseCount(ctx);
  if (a < 0 || a >= n || b < 0 || b >= n) return ctx.reply.Error(protocol::kDbIndexOutOfRange);
  if (a != b) {
    for (int i = 0; i < ctx.engine.shard_count(); i++) {
      Shard& shard = ctx.engine.shard(i);
      if (!shard.watches().empty()) {
        shard.watches().TouchAll(a, shard.db(a), &shard.db(b), ctx.now_ms);
        shard.watches().TouchAll(b, shard.db(b), &shard.db(a), ctx.now_ms);
      }
      shard.db(a).SwapWith(shard.db(b));
      // Clients blocked on a key that exists after the swap can be served
      // (an expired key serves nobody).
      for (int db : {a, b}) {
        for (const std::string& key : shard.blocking().KeysInDb(db)) {
          Entry* e = shard.db(db).Find(key);
          if (e != nullptr && !shard.db(db).IsExpired(e, ctx.now_ms)) {
            shard.blocking().SignalReady(db, key);
          }
        }
      }
    }
  }
  ctx.shard.stats().dirty++;
  ctx.reply.Ok();
}

// FLUSHDB [ASYNC | SYNC]
void FlushDb(CommandContext& ctx) {
  if (ctx.argc() > 2 ||
      (ctx.argc() == 2 && !EqualsIgnoreCase(ctx.arg(1), "ASYNC") &&
       !EqualsIgnoreCase(ctx.arg(1), "SYNC"))) {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  // Freeing is synchronous in both modes: each shard frees its own part, so
  // the pause is already divided by the number of shards.
  for (int i = 0; i < ctx.engine.shard_count(); i++) {
    Shard& shard = ctx.engine.shard(i);
    shard.watches().TouchAll(ctx.db_index, shard.db(ctx.db_index), nullptr, ctx.now_ms);
    shard.stats().dirty += shard.db(ctx.db_index).Clear();
  }
  TrackingInvalidateAll(ctx.engine);
  ctx.reply.Ok();
}

constexpr std::string_view kNondet = "nondeterministic_output";
constexpr std::string_view kMultiShard = "request_policy:multi_shard";
constexpr std::string_view kAggSum = "response_policy:agg_sum";
constexpr std::string_view kAllShardsTip = "request_policy:all_shards";

CommandSpec WithTips(CommandSpec spec, std::vector<std::string_view> tips) {
  spec.tips = std::move(tips);
  return spec;
}

void RegisterObjectCommand(CommandTable& table) {
  CommandSpec& object = table.Add(Row("object", -2, 0, "generic", ObjectContainer, {},
                                      {"A container for object introspection commands.", "2.2.3",
                                       "Depends on subcommand."}));
  const KeySpec key = KeysAt(2, 0, 1, kKsRO);
  table.AddSubcommand(
      object, WithTips(Row("encoding", 3, kReadonly, "generic", ObjectEncoding, {key},
                           {"Returns the internal encoding of a Redis object.", "2.2.3", "O(1)"},
                           {"keyspace"}),
                       {kNondet}));
  table.AddSubcommand(
      object,
      WithTips(Row("freq", 3, kReadonly, "generic", ObjectFreq, {key},
                   {"Returns the logarithmic access frequency counter of a Redis object.", "4.0.0",
                    "O(1)"},
                   {"keyspace"}),
               {kNondet}));
  table.AddSubcommand(
      object, WithTips(Row("idletime", 3, kReadonly, "generic", ObjectIdletime, {key},
                           {"Returns the time since the last access to a Redis object.", "2.2.3",
                            "O(1)"},
                           {"keyspace"}),
                       {kNondet}));
  table.AddSubcommand(
      object, WithTips(Row("refcount", 3, kReadonly, "generic", ObjectRefcount, {key},
                           {"Returns the reference count of a value of a key.", "2.2.3", "O(1)"},
                           {"keyspace"}),
                       {kNondet}));
  table.AddSubcommand(object, Row("help", 2, kLoading | kStale, "generic", ObjectHelp, {},
                                  {"Returns helpful text about the different subcommands.",
                                   "6.2.0", "O(1)"},
                                  {"keyspace"}));
}

}  // namespace

uint32_t IdleSeconds(uint32_t lru, int64_t now_ms) {
  // Both are seconds modulo 2^32, so the difference wraps correctly.
  return uint32_t(now_ms / 1000) - lru;
}

int64_t LfuDecayedCounter(uint32_t lfu, int64_t now_ms, int64_t decay_minutes) {
  // Redis's LFUDecrAndReturn: the top 16 bits of the 24-bit field are the
  // last decrement time in minutes (mod 2^16), the low 8 the counter.
  uint32_t last_minutes = (lfu >> 8) & 0xffff;
  int64_t counter = lfu & 0xff;
  uint32_t now_minutes = uint32_t(now_ms / 60000) & 0xffff;
  int64_t elapsed = now_minutes >= last_minutes ? now_minutes - last_minutes
                                                : 65535 - last_minutes + now_minutes;
  int64_t periods = decay_minutes > 0 ? elapsed / decay_minutes : 0;
  return periods > counter ? 0 : counter - periods;
}

void RegisterKeyCommands(CommandTable& table) {
  const KeySpec one_rw = KeysAt(1, 0, 1, kKsRW | kKsAccess | kKsDelete);
  table.Add(WithTips(
      Row("del", -2, kWrite, "generic", Del, {KeysAt(1, -1, 1, kKsRM | kKsDelete)},
          {"Deletes one or more keys.", "1.0.0",
           "O(N) where N is the number of keys that will be removed. When a key to remove holds "
           "a value other than a string, the individual complexity for this key is O(M) where M "
           "is the number of elements in the list, set, sorted set or hash. Removing a single "
           "key that holds a string value is O(1)."},
          {"keyspace"}),
      {kMultiShard, kAggSum}));
  table.Add(WithTips(
      Row("unlink", -2, kWrite | kFast, "generic", Del, {KeysAt(1, -1, 1, kKsRM | kKsDelete)},
          {"Asynchronously deletes one or more keys.", "4.0.0",
           "O(1) for each key removed regardless of its size. Then the command does O(N) work in "
           "a different thread in order to reclaim memory, where N is the number of allocations "
           "the deleted objects where composed of."},
          {"keyspace"}),
      {kMultiShard, kAggSum}));
  table.Add(WithTips(Row("exists", -2, kReadonly | kFast, "generic", Exists,
                         {KeysAt(1, -1, 1, kKsRO)},
                         {"Determines whether one or more keys exist.", "1.0.0",
                          "O(N) where N is the number of keys to check."},
                         {"keyspace"}),
                     {kMultiShard, kAggSum}));
  table.Add(Row("type", 2, kReadonly | kFast, "generic", Type, {KeysAt(1, 0, 1, kKsRO)},
                {"Determines the type of value stored at a key.", "1.0.0", "O(1)"}, {"keyspace"}));
  table.Add(WithTips(
      Row("touch", -2, kReadonly | kFast, "generic", Touch, {KeysAt(1, -1, 1, kKsRO)},
          {"Returns the number of existing keys out of those specified after updating the time "
           "they were last accessed.",
           "3.2.1", "O(N) where N is the number of keys that will be touched."},
          {"keyspace"}),
      {kMultiShard, kAggSum}));
  table.Add(WithTips(
      Row("keys", 2, kReadonly | kAllShards, "generic", Keys, {},
          {"Returns all key names that match a pattern.", "1.0.0",
           "O(N) with N being the number of keys in the database, under the assumption that the "
           "key names in the database and the given pattern have limited length."},
          {"keyspace", "dangerous"}),
      {kAllShardsTip, "nondeterministic_output_order"}));
  table.Add(WithTips(
      Row("scan", -2, kReadonly | kAllShards, "generic", Scan, {},
          {"Iterates over the key names in the database.", "2.8.0",
           "O(1) for every call. O(N) for a complete iteration, including enough command calls "
           "for the cursor to return back to 0. N is the number of elements inside the "
           "collection."},
          {"keyspace"}),
      {kNondet, "request_policy:special", "response_policy:special"}));
  table.Add(WithTips(Row("randomkey", 1, kReadonly | kAllShards, "generic", RandomKey, {},
                         {"Returns a random key name from the database.", "1.0.0", "O(1)"},
                         {"keyspace"}),
                     {kAllShardsTip, "response_policy:special", kNondet}));
  table.Add(Row("rename", 3, kWrite, "generic", Rename,
                {one_rw, KeysAt(2, 0, 1, kKsOW | kKsUpdate)},
                {"Renames a key and overwrites the destination.", "1.0.0", "O(1)"}, {"keyspace"}));
  table.Add(Row("renamenx", 3, kWrite | kFast, "generic", RenameNx,
                {one_rw, KeysAt(2, 0, 1, kKsOW | kKsInsert)},
                {"Renames a key only when the target key name doesn't exist.", "1.0.0", "O(1)"},
                {"keyspace"}));
  table.Add(Row("move", 3, kWrite | kFast, "generic", Move,
                {KeysAt(1, 0, 1, kKsRW | kKsAccess | kKsUpdate)},
                {"Moves a key to another database.", "1.0.0", "O(1)"}, {"keyspace"}));
  table.Add(Row("copy", -3, kWrite | kDenyOom, "generic", Copy,
                {KeysAt(1, 0, 1, kKsRO | kKsAccess), KeysAt(2, 0, 1, kKsOW | kKsUpdate)},
                {"Copies the value of a key to a new key.", "6.2.0",
                 "O(N) worst case for collections, where N is the number of nested items. O(1) "
                 "for string values."},
                {"keyspace"}));
  table.Add(Row("swapdb", 3, kWrite | kFast | kAllShards, "server", SwapDb, {},
                {"Swaps two Redis databases.", "4.0.0",
                 "O(N) where N is the count of clients watching or blocking on keys from both "
                 "databases."},
                {"keyspace", "dangerous"}));
  table.Add(WithTips(Row("flushdb", -1, kWrite | kAllShards, "server", FlushDb, {},
                         {"Remove all keys from the current database.", "1.0.0",
                          "O(N) where N is the number of keys in the selected database"},
                         {"keyspace", "dangerous"}),
                     {kAllShardsTip, "response_policy:all_succeeded"}));
  RegisterObjectCommand(table);
  RegisterExpireCommands(table);
}

}  // namespace lodestone
