// DEBUG: the subcommands that tests and tools rely on (debug.c in Redis).
//
// DEBUG runs as a cross-shard execution over every shard (kAllShards): it may
// read or write any key, and DEBUG SLEEP stalls the whole server as it does in
// single-threaded Redis. Subcommands that only tune internals Lodestone does
// not have (PAUSE-CRON, DICT-RESIZING, REPLYBUFFER, ...) are accepted and do
// nothing, so test suites that set them keep running. DEBUG RELOAD replies OK
// and keeps the dataset until persistence exists (a save and reload would
// give back the same keys). Unlike Redis, DEBUG is not protected by
// enable-debug-command.
#include <time.h>

#include <cstdio>
#include <string>

#include "commands/command_util.h"
#include "commands/server_commands.h"
#include "common/log.h"
#include "common/strings.h"
#include "server/config.h"
#include "storage/list_value.h"

namespace lodestone {
namespace {

constexpr std::string_view kWrongProtocolType =
    "ERR Wrong protocol type name. Please use one of the following: "
    "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";
constexpr std::string_view kReloadOptions =
    "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.";
constexpr std::string_view kPackedThreshold =
    "ERR argument must be a memory value bigger than 1 and smaller than 4gb";
constexpr std::string_view kPushOnResp2 = "ERR RESP2 is not supported by this command";

// Bytes of an RDB length prefix (rdbSaveLen).
size_t RdbLenBytes(uint64_t len) {
  if (len < (1 << 6)) return 1;
  if (len < (1 << 14)) return 2;
  if (len <= UINT32_MAX) return 5;
  return 9;
}

// Bytes a string takes in an RDB file without LZF compression
// (rdbSaveRawString / rdbSaveLongLongAsStringObject): small integers get the
// 8/16/32-bit encodings, everything else a length prefix and the bytes.
size_t RdbStringLength(const Value& v) {
  char scratch[kValueScratchSize];
  std::string_view bytes = v.StringBytes(scratch);
  int64_t n;
  if (bytes.size() <= 11 && ParseInt64(bytes, &n) && Int64ToString(n) == bytes) {
    if (n >= -(1 << 7) && n <= (1 << 7) - 1) return 2;
    if (n >= -(1 << 15) && n <= (1 << 15) - 1) return 3;
    if (n >= INT32_MIN && n <= INT32_MAX) return 5;
  }
  return RdbLenBytes(bytes.size()) + bytes.size();
}

// DEBUG OBJECT key
void DebugObject(CommandContext& ctx) {
  Entry* e = ctx.DbFor(ctx.arg(2)).Find(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Error(protocol::kNoSuchKey);
  const Value& v = e->value;
  // The serialized length of a collection is estimated by its memory.
  size_t serialized = v.IsString() ? RdbStringLength(v) : v.MemoryUsage();
  uint32_t lru = v.lru() & 0xFFFFFF;
  uint32_t clock = uint32_t(ctx.now_ms / 1000) & 0xFFFFFF;
  uint64_t idle_s = clock >= lru ? clock - lru : (0xFFFFFF - lru) + clock;
  char buf[256];
  snprintf(buf, sizeof(buf),
           "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u lru_seconds_idle:%llu",
           static_cast<const void*>(&v), EncodingName(v.encoding()), serialized, lru,
           static_cast<unsigned long long>(idle_s));
  std::string line = buf;
  if (v.encoding() == Encoding::kQuicklist) {
    // Redis's quicklist fields. The node size limit and compression are the
    // current configuration's (a list does not keep its own), and nodes are
    // never compressed, so the uncompressed size is the whole size.
    const auto& list = *static_cast<const ListValue*>(v.collection());
    size_t nodes = list.NodeCount(), bytes = 0;
    for (size_t i = 0; i < nodes; i++) bytes += list.Node(i).BytesUsed();
    const ServerConfig& cfg = ctx.config();
    snprintf(buf, sizeof(buf),
             " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d "
             "ql_uncompressed_size:%zu",
             nodes, nodes > 0 ? double(list.Size()) / double(nodes) : 0.0,
             cfg.list_max_listpack_size, cfg.list_compress_depth != 0 ? 1 : 0, bytes);
    line += buf;
  }
  ctx.reply.SimpleString(line);
}

// DEBUG PROTOCOL type
void DebugProtocol(CommandContext& ctx) {
  std::string_view name = ctx.arg(2);
  protocol::ReplyBuilder& rb = ctx.reply;
  if (EqualsIgnoreCase(name, "string")) {
    rb.Bulk("Hello World");
  } else if (EqualsIgnoreCase(name, "integer")) {
    rb.Integer(12345);
  } else if (EqualsIgnoreCase(name, "double")) {
    rb.Double(3.141);
  } else if (EqualsIgnoreCase(name, "bignum")) {
    rb.BigNumber("1234567999999999999999999999999999999");
  } else if (EqualsIgnoreCase(name, "null")) {
    rb.Null();
  } else if (EqualsIgnoreCase(name, "array") || EqualsIgnoreCase(name, "set")) {
    if (EqualsIgnoreCase(name, "array")) {
      rb.ArrayHeader(3);
    } else {
      rb.SetHeader(3);
    }
    for (int j = 0; j < 3; j++) rb.Integer(j);
  } else if (EqualsIgnoreCase(name, "map")) {
    rb.MapHeader(3);
    for (int j = 0; j < 3; j++) {
      rb.Integer(j);
      rb.Bool(j == 1);
    }
  } else if (EqualsIgnoreCase(name, "attrib")) {
    // An attribute is not a reply: a real one follows it.
    if (rb.resp() >= 3) {
      rb.Raw("|1\r\n");
      rb.Bulk("key-popularity");
      rb.ArrayHeader(2);
      rb.Bulk("key:123");
      rb.Integer(90);
    }
    rb.Bulk("Some real reply following the attribute");
  } else if (EqualsIgnoreCase(name, "push")) {
    if (rb.resp() < 3) return rb.Error(kPushOnResp2);
    rb.PushHeader(2);
    rb.Bulk("server-cpu-usage");
    rb.Integer(42);
    rb.Bulk("Some real reply following the push reply");
  } else if (EqualsIgnoreCase(name, "true") || EqualsIgnoreCase(name, "false")) {
    rb.Bool(EqualsIgnoreCase(name, "true"));
  } else if (EqualsIgnoreCase(name, "verbatim")) {
    rb.Verbatim("This is a verbatim\nstring");
  } else {
    rb.Error(kWrongProtocolType);
  }
}

// DEBUG SLEEP seconds (decimals allowed; not a number sleeps 0, as strtod)
void DebugSleep(CommandContext& ctx) {
  double seconds = strtod(std::string(ctx.arg(2)).c_str(), nullptr);
  int64_t us = int64_t(seconds * 1000000);
  if (us > 0) {
    timespec ts{time_t(us / 1000000), long(us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
  }
  ctx.reply.Ok();
}

// DEBUG POPULATE count [prefix] [size]: string keys prefix:N = "value:N"
// (padded with zero bytes or cut to `size` when given); existing keys are
// left alone.
void DebugPopulate(CommandContext& ctx) {
  int64_t count, size = 0;
  if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(protocol::kNotInteger);
  if (count < 0) return ctx.reply.Error(protocol::kValueMustBePositive);
  if (ctx.argc() == 5) {
    if (!ParseInt64(ctx.arg(4), &size)) return ctx.reply.Error(protocol::kNotInteger);
    if (size < 0) return ctx.reply.Error(protocol::kValueMustBePositive);
  }
  std::string prefix = ctx.argc() >= 4 ? std::string(ctx.arg(3)) : "key";
  for (int64_t j = 0; j < count; j++) {
    std::string key = prefix + ":" + std::to_string(j);
    Db& db = ctx.DbFor(key);
    if (LookupWrite(ctx, db, key) != nullptr) continue;
    std::string value = "value:" + std::to_string(j);
    if (size > 0) value.resize(size_t(size), '\0');
    db.AddString(key, value);
  }
  ctx.reply.Ok();
}

void DebugHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CHANGE-REPL-ID",
                     "    Change the replication IDs of the instance.",
                     "    Dangerous: should be used only for testing the replication subsystem.",
                     "ERROR <string>",
                     "    Return a Redis protocol error with <string> as message. Useful for "
                     "clients",
                     "    unit tests to simulate Redis errors.",
                     "LOG <message>",
                     "    Write <message> to the server log.",
                     "OBJECT <key>",
                     "    Show low level info about `key` and associated value.",
                     "POPULATE <count> [<prefix>] [<size>]",
                     "    Create <count> string keys named key:<num>. If <prefix> is specified "
                     "then",
                     "    it is used instead of the 'key' prefix.",
                     "PROTOCOL <type>",
                     "    Reply with a test value of the specified type. <type> can be: string,",
                     "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
                     "    true, false.",
                     "RELOAD [option ...]",
                     "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
                     "    * MERGE: conflicting keys will be loaded from RDB.",
                     "    * NOFLUSH: the existing database will not be removed before load, but",
                     "      conflicting keys will generate an exception and kill the server.",
                     "    * NOSAVE: the database will be loaded from an existing RDB file.",
                     "SET-ACTIVE-EXPIRE <0|1>",
                     "    Setting it to 0 disables expiring keys in background when they are not",
                     "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back "
                     "the",
                     "    default.",
                     "QUICKLIST-PACKED-THRESHOLD <size>",
                     "    Sets the threshold for elements to be inserted as plain vs packed nodes",
                     "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to "
                     "default.",
                     "SLEEP <seconds>",
                     "    Stop the server for <seconds>. Decimals allowed.",
                 });
}

// Subcommands that tune Redis internals Lodestone does not have: accepted,
// no effect.
bool IsNoOpSubcommand(std::string_view sub, size_t argc) {
  static constexpr std::string_view kTwoArgs[] = {"jmap"};
  static constexpr std::string_view kThreeArgs[] = {
      "set-skip-checksum-validation", "aof-flush-sleep", "pause-cron", "dict-resizing"};
  for (std::string_view s : kTwoArgs) {
    if (argc == 2 && EqualsIgnoreCase(sub, s)) return true;
  }
  for (std::string_view s : kThreeArgs) {
    if (argc == 3 && EqualsIgnoreCase(sub, s)) return true;
  }
  return argc == 4 && EqualsIgnoreCase(sub, "replybuffer");
}

// DEBUG subcommand [argument ...]
void Debug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  size_t argc = ctx.argc();
  auto is = [&](std::string_view name) { return EqualsIgnoreCase(sub, name); };
  if (argc == 2 && is("help")) return DebugHelp(ctx);
  if (argc == 3 && is("object")) return DebugObject(ctx);
  if (argc == 3 && is("protocol")) return DebugProtocol(ctx);
  if (argc == 3 && is("sleep")) return DebugSleep(ctx);
  if (argc >= 3 && argc <= 5 && is("populate")) return DebugPopulate(ctx);
  if (argc == 3 && is("set-active-expire")) {
    bool on = atoi(std::string(ctx.arg(2)).c_str()) != 0;
    ctx.engine.active_expire_enabled().store(on);
    ctx.config().active_expire_enabled = on;
    return ctx.reply.Ok();
  }
  if (argc == 3 && is("set-disable-deny-scripts")) {
    ctx.engine.script_busy.disable_deny_script.store(atoi(std::string(ctx.arg(2)).c_str()) != 0);
    return ctx.reply.Ok();
  }
  if (argc == 3 && is("log")) {
    Log(LogLevel::kWarning, "DEBUG LOG: %s", std::string(ctx.arg(2)).c_str());
    return ctx.reply.Ok();
  }
  if (argc == 3 && is("error")) return ctx.reply.Error(ctx.arg(2));
  if (is("reload")) {
    for (size_t i = 2; i < argc; i++) {
      std::string_view opt = ctx.arg(i);
      if (!EqualsIgnoreCase(opt, "merge") && !EqualsIgnoreCase(opt, "noflush") &&
          !EqualsIgnoreCase(opt, "nosave")) {
        return ctx.reply.Error(kReloadOptions);
      }
    }
    return ctx.reply.Ok();
  }
  if (argc == 3 && is("quicklist-packed-threshold")) {
    uint64_t bytes;
    if (!ParseMemory(ctx.arg(2), &bytes) || bytes > (1ull << 32)) {
      return ctx.reply.Error(kPackedThreshold);
    }
    return ctx.reply.Ok();
  }
  if (argc == 2 && is("change-repl-id")) {
    Log(LogLevel::kNotice, "Changing replication IDs after receiving DEBUG change-repl-id");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 40; i++) id.push_back(kHex[ctx.shard.rng().Uniform(16)]);
    ctx.engine.set_master_replid(std::move(id));
    return ctx.reply.Ok();
  }
  if (IsNoOpSubcommand(sub, argc)) return ctx.reply.Ok();
  ctx.reply.Error(protocol::SubcommandSyntaxError("debug", sub));
}

}  // namespace

void RegisterDebugCommand(CommandTable& table) {
  table.Add(Row("debug", -2, kAdmin | kNoScript | kLoading | kStale | kAllShards, "server", Debug,
                {}, {"A container for debugging commands.", "1.0.0", "Depends on subcommand."}));
}

}  // namespace lodestone
