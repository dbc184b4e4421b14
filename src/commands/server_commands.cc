// Server commands: DBSIZE, FLUSHALL, TIME, LASTSAVE, SHUTDOWN, MONITOR,
// CONFIG, LOLWUT (INFO and DEBUG have their own files).
//
// Commands that read or change state of every shard (DBSIZE, FLUSHALL,
// CONFIG SET/RESETSTAT/REWRITE) are kAllShards: they run with every shard
// parked, so no shard reads the configuration while CONFIG SET changes it.
// CONFIG GET only reads, and every writer parks all shards, so it runs on the
// client's thread like any keyless command.
#include <string>

#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "engine/client.h"
#include "engine/evictor.h"
#include "server/config.h"

namespace lodestone {
namespace {

constexpr std::string_view kNoShutdownInProgress = "ERR No shutdown in progress.";

CommandSpec WithTips(CommandSpec spec, std::vector<std::string_view> tips) {
  spec.tips = std::move(tips);
  return spec;
}

// DBSIZE
void DbSize(CommandContext& ctx) {
  int64_t n = 0;
  for (int i = 0; i < ctx.engine.shard_count(); i++) {
    n += int64_t(ctx.engine.shard(i).db(ctx.db_index).size());
  }
  ctx.reply.Integer(n);
}

// FLUSHALL [ASYNC | SYNC]
void FlushAll(CommandContext& ctx) {
  if (ctx.argc() > 2 ||
      (ctx.argc() == 2 && !EqualsIgnoreCase(ctx.arg(1), "sync") &&
       !EqualsIgnoreCase(ctx.arg(1), "async"))) {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  // ASYNC frees synchronously: Lodestone has no lazy-free thread yet.
  for (int i = 0; i < ctx.engine.shard_count(); i++) {
    Shard& s = ctx.engine.shard(i);
    for (int d = 0; d < s.db_count(); d++) {
      s.watches().TouchAll(d, s.db(d), nullptr, ctx.now_ms);
      s.stats().dirty += s.db(d).Clear();
    }
  }
  TrackingInvalidateAll(ctx.engine);
  ctx.shard.stats().dirty++;
  ctx.reply.Ok();
}

// TIME
void Time(CommandContext& ctx) {
  // Inside a script, the script's start time (time is frozen there).
  int64_t now_us = ctx.hooks != nullptr && ctx.hooks->frozen_time_us > 0 ? ctx.hooks->frozen_time_us
                                                                         : WallTimeUs();
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(Int64ToString(now_us / 1000000));
  ctx.reply.Bulk(Int64ToString(now_us % 1000000));
}

// LASTSAVE: no snapshot has been taken yet, so the start time (Redis also
// starts with lastsave = start time).
void LastSave(CommandContext& ctx) { ctx.reply.Integer(ctx.engine.start_time_us() / 1000000); }

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
void Shutdown(CommandContext& ctx) {
  int flags = 0;
  bool abort = false;
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "nosave")) {
      flags |= kShutdownNoSave;
    } else if (EqualsIgnoreCase(opt, "save")) {
      flags |= kShutdownSave;
    } else if (EqualsIgnoreCase(opt, "now")) {
      flags |= kShutdownNow;
    } else if (EqualsIgnoreCase(opt, "force")) {
      flags |= kShutdownForce;
    } else if (EqualsIgnoreCase(opt, "abort")) {
      abort = true;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  if ((abort && flags != 0) || ((flags & kShutdownNoSave) && (flags & kShutdownSave))) {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  // A shutdown is immediate (nothing to save or wait for yet), so there is
  // never one in progress to abort.
  if (abort) return ctx.reply.Error(kNoShutdownInProgress);
  Log(LogLevel::kWarning, "User requested shutdown...");
  ctx.engine.shutdown_flags.store(flags);
  ctx.engine.Shutdown();
  // No reply: the connection closes with the server.
  ctx.client->flags |= kClientCloseAsap;
}

// MONITOR
void Monitor(CommandContext& ctx) {
  Client* c = ctx.client;
  if (c->flags & kClientMonitor) return;  // already monitoring: no reply, as Redis
  c->flags |= kClientMonitor;
  ctx.engine.AddMonitor(c->shard().id(), c->id());
  ctx.reply.Ok();
}

// LOLWUT [VERSION version]
void Lolwut(CommandContext& ctx) {
  if (ctx.argc() >= 3 && EqualsIgnoreCase(ctx.arg(1), "version")) {
    int64_t v;
    if (!ParseInt64(ctx.arg(2), &v)) return ctx.reply.Error(protocol::kNotInteger);
  }
  ctx.reply.Verbatim("Redis ver. 7.4.0\n");
}

// ---- CONFIG ---------------------------------------------------------------------

// CONFIG GET parameter [parameter ...]
void ConfigGet(CommandContext& ctx) {
  std::vector<std::string_view> patterns(ctx.args.begin() + 2, ctx.args.end());
  auto pairs = ctx.engine.registry().Get(patterns);
  ctx.reply.MapHeader(pairs.size());
  for (const auto& [name, value] : pairs) {
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(value);
  }
}

// A client on a loopback address or a unix socket (Redis's islocalClient).
bool IsLocalClient(const Client* c) {
  if (c == nullptr) return false;
  if (c->flags & kClientUnixSocket) return true;
  const std::string& peer = c->peer();
  return peer.rfind("127.", 0) == 0 || peer.rfind("::1", 0) == 0 || peer.rfind("[::1]", 0) == 0;
}

// CONFIG SET parameter value [parameter value ...]
void ConfigSet(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) return ctx.reply.Error(protocol::kSyntaxError);
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) pairs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  Status st = ctx.engine.registry().Set(pairs, IsLocalClient(ctx.client));
  if (!st.ok()) return ctx.reply.Error(st.message());
  // Side effects the registry has no hook for.
  SetLogLevel(ctx.config().loglevel);
  ApplyMaxmemoryPolicy(ctx.config());
  // A new maxmemory takes effect at once: every shard is parked here, so
  // keys are evicted from all of them (Redis's updateMaxmemory). Whether
  // that succeeds does not change the reply.
  for (const auto& [name, value] : pairs) {
    if (EqualsIgnoreCase(name, "maxmemory") && ctx.config().maxmemory > 0) {
      EvictHeldShards(ctx.engine);
      break;
    }
  }
  ctx.reply.Ok();
}

// CONFIG RESETSTAT
void ConfigResetStat(CommandContext& ctx) {
  ResetServerStats(ctx);
  ctx.reply.Ok();
}

// CONFIG REWRITE
void ConfigRewrite(CommandContext& ctx) {
  Status st = ctx.engine.registry().Rewrite();
  if (!st.ok()) {
    Log(LogLevel::kWarning, "CONFIG REWRITE failed: %s", st.message().c_str());
    return ctx.reply.Error(st.message());
  }
  Log(LogLevel::kNotice, "CONFIG REWRITE executed with success.");
  ctx.reply.Ok();
}

// CONFIG HELP
void ConfigHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "GET <pattern>",
                     "    Return parameters matching the glob-like <pattern> and their values.",
                     "SET <directive> <value>",
                     "    Set the configuration <directive> to <value>.",
                     "RESETSTAT",
                     "    Reset statistics reported by the INFO command.",
                     "REWRITE",
                     "    Rewrite the configuration file.",
                 });
}

void RegisterConfigCommand(CommandTable& table) {
  constexpr uint64_t kFlags = kAdmin | kNoScript | kLoading | kStale;
  constexpr std::string_view kAllNodes = "request_policy:all_nodes";
  constexpr std::string_view kAllSucceeded = "response_policy:all_succeeded";
  CommandSpec& config = table.Add(Row("config", -2, 0, "server", ContainerHelpHint, {},
                                      {"A container for server configuration commands.", "2.0.0",
                                       "Depends on subcommand."}));
  table.AddSubcommand(
      config, Row("get", -3, kFlags, "server", ConfigGet, {},
                  {"Returns the effective values of configuration parameters.", "2.0.0",
                   "O(N) when N is the number of configuration parameters provided"}));
  table.AddSubcommand(
      config, WithTips(Row("set", -4, kFlags | kAllShards, "server", ConfigSet, {},
                           {"Sets configuration parameters in-flight.", "2.0.0",
                            "O(N) when N is the number of configuration parameters provided"}),
                       {kAllNodes, kAllSucceeded}));
  table.AddSubcommand(
      config, WithTips(Row("resetstat", 2, kFlags | kAllShards, "server", ConfigResetStat, {},
                           {"Resets the server's statistics.", "2.0.0", "O(1)"}),
                       {kAllNodes, kAllSucceeded}));
  table.AddSubcommand(
      config, WithTips(Row("rewrite", 2, kFlags | kAllShards, "server", ConfigRewrite, {},
                           {"Persists the effective configuration to file.", "2.8.0", "O(1)"}),
                       {kAllNodes, kAllSucceeded}));
  table.AddSubcommand(config, Row("help", 2, kLoading | kStale, "server", ConfigHelp, {},
                                  {"Returns helpful text about the different subcommands.",
                                   "5.0.0", "O(1)"}));
}

}  // namespace

void ResetServerStats(CommandContext& ctx) {
  Engine& e = ctx.engine;
  for (int i = 0; i < e.shard_count(); i++) {
    Shard& s = e.shard(i);
    uint64_t dirty = s.stats().dirty;  // not a statistic: it drives snapshots
    uint64_t expired = 0;
    for (int d = 0; d < s.db_count(); d++) expired += s.db(d).stats().expired_keys;
    s.stats() = ShardStats{};
    s.stats().dirty = dirty;
    s.stats().expired_keys_reset_base = expired;
    for (CommandStats& cs : s.command_stats()) cs = CommandStats{};
  }
  e.total_connections().store(0);
  e.rejected_connections().store(0);
  for (int m = 0; m < Engine::kMetricCount; m++) e.instant_metric(m) = InstantMetric{};
}

void RegisterServerCommands(CommandTable& table) {
  table.Add(WithTips(Row("dbsize", 1, kReadonly | kFast | kAllShards, "server", DbSize, {},
                         {"Returns the number of keys in the database.", "1.0.0", "O(1)"},
                         {"keyspace"}),
                     {"request_policy:all_shards", "response_policy:agg_sum"}));
  table.Add(WithTips(Row("flushall", -1, kWrite | kAllShards, "server", FlushAll, {},
                         {"Removes all keys from all databases.", "1.0.0",
                          "O(N) where N is the total number of keys in all databases"},
                         {"keyspace", "dangerous"}),
                     {"request_policy:all_shards", "response_policy:all_succeeded"}));
  table.Add(WithTips(Row("time", 1, kLoading | kStale | kFast, "server", Time, {},
                         {"Returns the server time.", "2.6.0", "O(1)"}),
                     {"nondeterministic_output"}));
  table.Add(WithTips(Row("lastsave", 1, kLoading | kStale | kFast, "server", LastSave, {},
                         {"Returns the Unix timestamp of the last successful save to disk.",
                          "1.0.0", "O(1)"},
                         {"admin", "dangerous"}),
                     {"nondeterministic_output"}));
  table.Add(Row("shutdown", -1,
                kAdmin | kNoScript | kLoading | kStale | kNoMulti | kSentinel | kAllowBusy |
                    kClientState,
                "server", Shutdown, {},
                {"Synchronously saves the database(s) to disk and shuts down the Redis server.",
                 "1.0.0",
                 "O(N) when saving, where N is the total number of keys in all databases when "
                 "saving data, otherwise O(1)"}));
  table.Add(Row("monitor", 1, kAdmin | kNoScript | kLoading | kStale | kClientState, "server",
                Monitor, {},
                {"Listens for all requests received by the server in real-time.", "1.0.0", ""}));
  table.Add(Row("lolwut", -1, kReadonly | kFast, "server", Lolwut, {},
                {"Displays computer art and the Redis version", "5.0.0", ""}));
  RegisterConfigCommand(table);
  RegisterInfoCommand(table);
  RegisterDebugCommand(table);
}

}  // namespace lodestone
