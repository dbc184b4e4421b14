// DUMP and RESTORE: a key's value as Redis's serialized payload, and back.
//
// The payload format and all the encoding work live in persistence/
// (dump_payload.h); these handlers parse options, apply the keyspace rules of
// Redis's restoreCommand (BUSYKEY unless REPLACE, a TTL already in the past
// deletes instead of restoring, IDLETIME / FREQ set the access data) and
// reply. Both are single-key commands and run on the key's shard.
#include <string>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"
#include "persistence/dump_payload.h"
#include "server/config.h"
#include "storage/hash_value.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace lodestone {
namespace {

constexpr std::string_view kBadPayload = "ERR DUMP payload version or checksum are wrong";
constexpr std::string_view kBadDataFormat = "ERR Bad data format";
constexpr std::string_view kInvalidTtl = "ERR Invalid TTL value, must be >= 0";
constexpr std::string_view kInvalidIdleTime = "ERR Invalid IDLETIME value, must be >= 0";
constexpr std::string_view kInvalidFreq = "ERR Invalid FREQ value, must be >= 0 and <= 255";
constexpr std::string_view kNondet = "nondeterministic_output";
// A new object's LFU counter (LFU_INIT_VAL).
constexpr uint32_t kLfuInitCounter = 5;

size_t NonNegative(int64_t v) { return static_cast<size_t>(std::max<int64_t>(v, 0)); }

RdbSaveOptions SaveOptions(const ServerConfig& c) {
  RdbSaveOptions options;
  options.list = ListLimits{c.list_max_listpack_size, c.list_compress_depth};
  options.stream = StreamNodeLimits{NonNegative(c.stream_node_max_entries),
                                    NonNegative(c.stream_node_max_bytes)};
  return options;
}

RdbLoadLimits LoadLimits(const ServerConfig& c) {
  RdbLoadLimits limits;
  limits.list = ListLimits{c.list_max_listpack_size, c.list_compress_depth};
  limits.set = SetLimits{NonNegative(c.set_max_intset_entries),
                         NonNegative(c.set_max_listpack_entries),
                         NonNegative(c.set_max_listpack_value)};
  limits.zset = ZSetLimits{NonNegative(c.zset_max_listpack_entries),
                           NonNegative(c.zset_max_listpack_value)};
  limits.hash = HashLimits{NonNegative(c.hash_max_listpack_entries),
                           NonNegative(c.hash_max_listpack_value)};
  limits.stream = SaveOptions(c).stream;
  return limits;
}

bool LfuPolicy(const ServerConfig& c) {
  return c.maxmemory_policy == MaxmemoryPolicy::kVolatileLfu ||
         c.maxmemory_policy == MaxmemoryPolicy::kAllkeysLfu;
}

// DUMP key
void Dump(CommandContext& ctx) {
  Entry* e = LookupRead(ctx, ctx.db(), ctx.arg(1));
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Bulk(CreateDumpPayload(e->value, SaveOptions(ctx.config()), ctx.config().rdbcompression));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void Restore(CommandContext& ctx) {
  bool replace = false, absttl = false;
  int64_t idle_seconds = -1, freq = -1;
  for (size_t i = 4; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    bool has_arg = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "REPLACE")) {
      replace = true;
    } else if (EqualsIgnoreCase(opt, "ABSTTL")) {
      absttl = true;
    } else if (EqualsIgnoreCase(opt, "IDLETIME") && has_arg && freq == -1) {
      if (!ParseInt64(ctx.arg(++i), &idle_seconds)) return ctx.reply.Error(protocol::kNotInteger);
      if (idle_seconds < 0) return ctx.reply.Error(kInvalidIdleTime);
    } else if (EqualsIgnoreCase(opt, "FREQ") && has_arg && idle_seconds == -1) {
      if (!ParseInt64(ctx.arg(++i), &freq)) return ctx.reply.Error(protocol::kNotInteger);
      if (freq < 0 || freq > 255) return ctx.reply.Error(kInvalidFreq);
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  std::string_view key = ctx.arg(1);
  Db& db = ctx.db();
  Entry* existing = LookupWrite(ctx, db, key);
  if (existing != nullptr && !replace) return ctx.reply.Error(protocol::kBusyKey);
  int64_t ttl;
  if (!ParseInt64(ctx.arg(2), &ttl)) return ctx.reply.Error(protocol::kNotInteger);
  if (ttl < 0) return ctx.reply.Error(kInvalidTtl);
  std::string_view payload = ctx.arg(3);
  if (!VerifyDumpPayload(payload)) return ctx.reply.Error(kBadPayload);
  Value value;
  if (!LoadDumpPayload(payload, LoadLimits(ctx.config()), &value)) {
    return ctx.reply.Error(kBadDataFormat);
  }

  if (existing != nullptr) db.DeleteEntry(existing);
  if (ttl != 0 && !absttl) ttl = ttl > INT64_MAX - ctx.now_ms ? INT64_MAX : ttl + ctx.now_ms;
  if (ttl != 0 && ttl <= ctx.now_ms) {
    // Already expired: nothing is created, but a replaced key is gone.
    if (existing != nullptr) {
      ctx.KeyModified(db, key);
      ctx.Notify(kNotifyGeneric, "del", key);
    }
    return ctx.reply.Ok();
  }

  const ServerConfig& config = ctx.config();
  uint32_t now_seconds = uint32_t(ctx.now_ms / 1000);
  if (LfuPolicy(config)) {
    uint32_t minutes = uint32_t(ctx.now_ms / 60000) & 0xffff;
    value.set_lru(minutes << 8 | (freq >= 0 ? uint32_t(freq) : kLfuInitCounter));
  } else {
    value.set_lru(idle_seconds >= 0 ? now_seconds - uint32_t(idle_seconds) : now_seconds);
  }
  ObjType type = value.type();
  Entry* added = db.Add(key, std::move(value));
  if (ttl != 0) db.SetExpire(added, ttl);
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyGeneric, "restore", key);
  if (type == ObjType::kList || type == ObjType::kZSet || type == ObjType::kStream) {
    ctx.SignalKeyReady(db, key);
  }
  ctx.reply.Ok();
}

}  // namespace

void RegisterDumpCommands(CommandTable& table) {
  CommandSpec& dump = table.Add(
      Row("dump", 2, kReadonly, "generic", Dump, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
          {"Returns a serialized representation of the value stored at a key.", "2.6.0",
           "O(1) to access the key and additional O(N*M) to serialize it, where N is the number "
           "of Redis objects composing the value and M their average size. For small string "
           "values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."},
          {"keyspace"}));
  dump.tips = {kNondet};
  table.Add(Row(
      "restore", -4, kWrite | kDenyOom, "generic", Restore, {KeysAt(1, 0, 1, kKsOW | kKsUpdate)},
      {"Creates a key from the serialized representation of a value.", "2.6.0",
       "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, "
       "where N is the number of Redis objects composing the value and M their average size. "
       "For small string values the time complexity is thus O(1)+O(1*M) where M is small, so "
       "simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because "
       "inserting values into sorted sets is O(log(N))."},
      {"keyspace", "dangerous"}));
}

}  // namespace lodestone
