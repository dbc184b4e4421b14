// INFO [section ...]: the server's state in Redis 7.4's text format
// (server.c genRedisInfoString): "# Section" headers, "field:value" lines,
// CRLF line ends, a blank line between sections, field names exactly as Redis
// prints them so monitoring tools read ours.
//
// INFO runs with every shard parked (kAllShards), so it sums every shard's
// counters and walks every shard's clients without locks. Every figure is
// real: features Lodestone does not have yet (replication, persistence,
// pub/sub, blocking) report what a Redis without them reports (0, "ok", -1).
//
// Memory: used_memory is the bytes allocated and not freed, counted per
// allocation in front of mimalloc (common/memory_accounting.h), as Redis's
// zmalloc counts; the sanitizer builds take their runtime's count.
// instantaneous_* metrics are computed from samples that INFO itself takes
// (see Engine::InstantMetric): the rate since the newest sample at least 1.6 s
// old (Redis averages over 1.6 s), or since the oldest one.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "commands/command_util.h"
#include "commands/server_commands.h"
#include "scripting/function_registry.h"
#include "scripting/script_cache.h"
#include "common/clock.h"
#include "common/strings.h"
#include "engine/client.h"
#include "server/config.h"

// mimalloc's statistics, when mimalloc is linked (weak: absent otherwise).
extern "C" {
int mi_version(void) __attribute__((weak));
}

namespace lodestone {
namespace {

constexpr const char* kRedisVersion = "7.4.0";
constexpr const char* kLodestoneVersion = "0.1.0";

// Appends "name:value\r\n".
class InfoWriter {
 public:
  void Section(const char* title) {
    if (sections_++) out_ += "\r\n";
    out_ += "# ";
    out_ += title;
    out_ += "\r\n";
  }
  void Field(std::string_view name, std::string_view value) {
    out_.append(name);
    out_ += ':';
    out_.append(value);
    out_ += "\r\n";
  }
  void Int(std::string_view name, int64_t v) { Field(name, std::to_string(v)); }
  void Uint(std::string_view name, uint64_t v) { Field(name, std::to_string(v)); }
  void Fixed2(std::string_view name, double v, const char* suffix = "") {
    char buf[64];
    snprintf(buf, sizeof(buf), "%.2f%s", v, suffix);
    Field(name, buf);
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
  int sections_ = 0;
};

// Totals over every shard (and every database of each).
struct Totals {
  ShardStats stats;
  std::map<std::string, uint64_t> error_codes;  // sorted, as Redis's rax
  std::vector<CommandStats> commands;
  uint64_t expired_keys = 0;
};

Totals SumShards(CommandContext& ctx) {
  Totals t;
  t.commands.resize(ctx.engine.commands().all().size() + 1);
  for (int i = 0; i < ctx.engine.shard_count(); i++) {
    Shard& s = ctx.engine.shard(i);
    const ShardStats& ss = s.stats();
    t.stats.commands_processed += ss.commands_processed;
    t.stats.keyspace_hits += ss.keyspace_hits;
    t.stats.keyspace_misses += ss.keyspace_misses;
    t.stats.net_input_bytes += ss.net_input_bytes;
    t.stats.net_output_bytes += ss.net_output_bytes;
    t.stats.expired_time_cap_reached += ss.expired_time_cap_reached;
    t.stats.evicted_keys += ss.evicted_keys;
    t.stats.dirty += ss.dirty;
    t.stats.total_error_replies += ss.total_error_replies;
    t.stats.unexpected_error_replies += ss.unexpected_error_replies;
    t.stats.remote_batches += ss.remote_batches;
    t.stats.cross_shard_runs += ss.cross_shard_runs;
    for (const auto& [code, n] : ss.error_codes) t.error_codes[code] += n;
    uint64_t expired = 0;
    for (int d = 0; d < s.db_count(); d++) expired += s.db(d).stats().expired_keys;
    t.expired_keys += expired - ss.expired_keys_reset_base;
    const std::vector<CommandStats>& cs = s.command_stats();
    for (size_t id = 0; id < cs.size() && id < t.commands.size(); id++) {
      t.commands[id].calls += cs[id].calls;
      t.commands[id].usec += cs[id].usec;
      t.commands[id].rejected_calls += cs[id].rejected_calls;
      t.commands[id].failed_calls += cs[id].failed_calls;
    }
  }
  return t;
}

struct MemoryFigures {
  uint64_t used = 0;
  uint64_t peak = 0;
  uint64_t rss = 0;
  std::string allocator;
};

MemoryFigures ReadMemory(Engine& engine) {
  MemoryFigures m;
  m.rss = memory::ResidentBytes();
  engine.RefreshUsedMemory();
  m.used = memory::AllocatedBytes();
  m.peak = std::max(m.used, engine.used_memory_peak());
  if (mi_version != nullptr) {
    int v = mi_version();
    m.allocator = "mimalloc-" + std::to_string(v / 100) + "." + std::to_string((v / 10) % 10) +
                  "." + std::to_string(v % 10);
  } else {
    m.allocator = "libc";
  }
  return m;
}

// The rate of `value` per second from INFO's own samples (see the top).
uint64_t InstantRate(InstantMetric& m, int64_t now_us, uint64_t value) {
  int newest = (m.next + InstantMetric::kSamples - 1) % InstantMetric::kSamples;
  if (m.count == 0 || now_us - m.time_us[newest] >= 100000) {
    m.time_us[m.next] = now_us;
    m.value[m.next] = value;
    m.next = (m.next + 1) % InstantMetric::kSamples;
    m.count = std::min(m.count + 1, InstantMetric::kSamples);
  }
  int ref = -1;
  for (int i = 0; i < m.count; i++) {
    int idx = (m.next + InstantMetric::kSamples - 1 - i) % InstantMetric::kSamples;
    ref = idx;
    if (now_us - m.time_us[idx] >= 1600000) break;
  }
  if (ref < 0 || now_us - m.time_us[ref] < 1000 || value < m.value[ref]) return 0;
  return (value - m.value[ref]) * 1000000 / uint64_t(now_us - m.time_us[ref]);
}

const char* PolicyName(MaxmemoryPolicy p) {
  switch (p) {
    case MaxmemoryPolicy::kVolatileLru: return "volatile-lru";
    case MaxmemoryPolicy::kVolatileLfu: return "volatile-lfu";
    case MaxmemoryPolicy::kVolatileRandom: return "volatile-random";
    case MaxmemoryPolicy::kVolatileTtl: return "volatile-ttl";
    case MaxmemoryPolicy::kAllkeysLru: return "allkeys-lru";
    case MaxmemoryPolicy::kAllkeysLfu: return "allkeys-lfu";
    case MaxmemoryPolicy::kAllkeysRandom: return "allkeys-random";
    case MaxmemoryPolicy::kNoEviction: return "noeviction";
  }
  return "noeviction";
}

std::string Timeval(const timeval& tv) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%ld.%06ld", long(tv.tv_sec), long(tv.tv_usec));
  return buf;
}

void ServerSection(CommandContext& ctx, InfoWriter& w) {
  const ServerConfig& cfg = ctx.config();
  utsname name;
  uname(&name);
  int64_t now_us = WallTimeUs();
  int64_t uptime_s = (now_us - ctx.engine.start_time_us()) / 1000000;
  w.Section("Server");
  w.Field("redis_version", kRedisVersion);
  w.Field("redis_git_sha1", "00000000");
  w.Field("redis_git_dirty", "0");
  w.Field("redis_build_id", "0");
  w.Field("redis_mode", "standalone");
  w.Field("os", std::string(name.sysname) + " " + name.release + " " + name.machine);
  w.Int("arch_bits", sizeof(void*) * 8);
  w.Field("monotonic_clock", "POSIX clock_gettime");
  w.Field("multiplexing_api", "epoll");
  w.Field("atomicvar_api", "c11-builtin");
  w.Field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                             std::to_string(__GNUC_PATCHLEVEL__));
  w.Int("process_id", getpid());
  w.Field("process_supervised", "no");
  w.Field("run_id", ctx.engine.run_id());
  w.Int("tcp_port", ctx.engine.tcp_port());
  w.Int("server_time_usec", now_us);
  w.Int("uptime_in_seconds", uptime_s);
  w.Int("uptime_in_days", uptime_s / (3600 * 24));
  w.Int("hz", cfg.hz);
  w.Int("configured_hz", cfg.hz);
  w.Int("lru_clock", (now_us / 1000000) & 0xFFFFFF);
  w.Field("executable", ctx.engine.executable());
  w.Field("config_file", ctx.engine.config_file());
  w.Field("io_threads_active", "0");
  if (ctx.engine.tcp_port() != 0) {
    std::string listener = "name=tcp";
    for (const std::string& addr : cfg.bind) listener += ",bind=" + addr;
    listener += ",port=" + std::to_string(ctx.engine.tcp_port());
    w.Field("listener0", listener);
  }
  if (!cfg.unixsocket.empty()) w.Field("listener1", "name=unix,bind=" + cfg.unixsocket);
  w.Field("lodestone_version", kLodestoneVersion);
  w.Int("threads", ctx.engine.shard_count());
}

void ClientsSection(CommandContext& ctx, InfoWriter& w) {
  size_t max_in = 0, max_out = 0, blocked = 0, blocking_keys = 0, watching = 0, pubsub_clients = 0;
  // Watched keys are counted from the clients: a removal posted to another
  // shard by UNWATCH may not have run yet. A client whose watched key was
  // touched counts no more (Redis unwatches it at once).
  std::set<std::pair<int, std::string>> watched;
  for (int i = 0; i < ctx.engine.shard_count(); i++) {
    Shard& shard = ctx.engine.shard(i);
    blocked += shard.blocked_client_count();
    shard.blocking().Purge();  // count live waits only
    blocking_keys += shard.blocking().key_count();
    for (const auto& [id, c] : shard.clients()) {
      if (c->transaction().watched_count() > 0) {
        watching++;
        for (const auto& k : c->transaction().watched_keys()) watched.insert(k);
      }
      max_in = std::max(max_in, c->query_buffer_capacity());
      max_out = std::max(max_out, c->output_size());
      if (c->in_pubsub_mode()) pubsub_clients++;
    }
  }
  w.Section("Clients");
  w.Int("connected_clients", ctx.engine.connected_clients().load());
  w.Field("cluster_connections", "0");
  w.Uint("maxclients", ctx.config().maxclients);
  w.Uint("client_recent_max_input_buffer", max_in);
  w.Uint("client_recent_max_output_buffer", max_out);
  w.Uint("blocked_clients", blocked);
  w.Uint("tracking_clients", ctx.engine.tracking().client_count());
  w.Uint("pubsub_clients", pubsub_clients);
  w.Uint("watching_clients", watching);
  w.Uint("clients_in_timeout_table", blocked);
  w.Uint("total_watched_keys", watched.size());
  w.Uint("total_blocking_keys", blocking_keys);
  w.Field("total_blocking_keys_on_nokey", "0");
}

void MemorySection(CommandContext& ctx, InfoWriter& w) {
  const ServerConfig& cfg = ctx.config();
  MemoryFigures m = ReadMemory(ctx.engine);
  const MemoryOverhead mo = CollectMemoryOverhead(ctx.engine);
  const uint64_t clients_normal = mo.clients_normal;
  uint64_t overhead = clients_normal;
  for (const MemoryOverhead::Database& d : mo.dbs) overhead += d.main + d.expires;
  uint64_t dataset = m.used > overhead ? m.used - overhead : 0;
  uint64_t total_system = uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE));
  w.Section("Memory");
  w.Uint("used_memory", m.used);
  w.Field("used_memory_human", BytesToHuman(m.used));
  w.Uint("used_memory_rss", m.rss);
  w.Field("used_memory_rss_human", BytesToHuman(m.rss));
  w.Uint("used_memory_peak", m.peak);
  w.Field("used_memory_peak_human", BytesToHuman(m.peak));
  w.Fixed2("used_memory_peak_perc", m.peak ? 100.0 * double(m.used) / double(m.peak) : 0, "%");
  w.Uint("used_memory_overhead", overhead);
  w.Uint("used_memory_dataset", dataset);
  w.Fixed2("used_memory_dataset_perc", m.used ? 100.0 * double(dataset) / double(m.used) : 0, "%");
  w.Uint("total_system_memory", total_system);
  w.Field("total_system_memory_human", BytesToHuman(total_system));
  w.Uint("maxmemory", cfg.maxmemory);
  w.Field("maxmemory_human", BytesToHuman(cfg.maxmemory));
  w.Field("maxmemory_policy", PolicyName(cfg.maxmemory_policy));
  ScriptingMemory sm = GetScriptingMemory(ctx.engine);
  w.Uint("used_memory_vm_eval", sm.vm_eval_bytes);
  w.Uint("used_memory_lua", sm.vm_eval_bytes);
  w.Field("used_memory_lua_human", BytesToHuman(sm.vm_eval_bytes));
  w.Uint("used_memory_scripts_eval", sm.script_bytes);
  w.Uint("number_of_cached_scripts", sm.cached_scripts);
  std::shared_ptr<const FunctionSet> functions = FunctionRegistry::Of(ctx.engine).Snapshot();
  w.Uint("number_of_functions", functions->function_count());
  w.Uint("number_of_libraries", functions->libraries().size());
  w.Uint("used_memory_vm_functions", sm.vm_functions_bytes);
  w.Uint("used_memory_vm_total", sm.vm_eval_bytes + sm.vm_functions_bytes);
  w.Field("used_memory_vm_total_human", BytesToHuman(sm.vm_eval_bytes + sm.vm_functions_bytes));
  w.Uint("used_memory_functions", functions->code_bytes());
  w.Uint("used_memory_scripts", sm.script_bytes + functions->code_bytes());
  w.Field("used_memory_scripts_human", BytesToHuman(sm.script_bytes + functions->code_bytes()));
  w.Fixed2("mem_fragmentation_ratio", m.used ? double(m.rss) / double(m.used) : 0);
  w.Int("mem_fragmentation_bytes", int64_t(m.rss) - int64_t(m.used));
  w.Field("mem_not_counted_for_evict", "0");
  w.Field("mem_replication_backlog", "0");
  w.Field("mem_total_replication_buffers", "0");
  w.Field("mem_clients_slaves", "0");
  w.Uint("mem_clients_normal", clients_normal);
  w.Field("mem_aof_buffer", "0");
  w.Field("mem_allocator", m.allocator);
  w.Field("active_defrag_running", "0");
  w.Field("lazyfree_pending_objects", "0");
  w.Field("lazyfreed_objects", "0");
}

void PersistenceSection(CommandContext& ctx, const Totals& t, InfoWriter& w) {
  w.Section("Persistence");
  for (const char* zero : {"loading", "async_loading", "current_cow_peak", "current_cow_size",
                           "current_cow_size_age"}) {
    w.Field(zero, "0");
  }
  w.Field("current_fork_perc", "0.00");
  w.Field("current_save_keys_processed", "0");
  w.Field("current_save_keys_total", "0");
  w.Uint("rdb_changes_since_last_save", t.stats.dirty);
  w.Field("rdb_bgsave_in_progress", "0");
  w.Int("rdb_last_save_time", ctx.engine.start_time_us() / 1000000);
  w.Field("rdb_last_bgsave_status", "ok");
  w.Field("rdb_last_bgsave_time_sec", "-1");
  w.Field("rdb_current_bgsave_time_sec", "-1");
  w.Field("rdb_saves", "0");
  w.Field("rdb_last_cow_size", "0");
  w.Field("rdb_last_load_keys_expired", "0");
  w.Field("rdb_last_load_keys_loaded", "0");
  w.Field("aof_enabled", "0");
  w.Field("aof_rewrite_in_progress", "0");
  w.Field("aof_rewrite_scheduled", "0");
  w.Field("aof_last_rewrite_time_sec", "-1");
  w.Field("aof_current_rewrite_time_sec", "-1");
  w.Field("aof_last_bgrewrite_status", "ok");
  w.Field("aof_rewrites", "0");
  w.Field("aof_rewrites_consecutive_failures", "0");
  w.Field("aof_last_write_status", "ok");
  w.Field("aof_last_cow_size", "0");
  w.Field("module_fork_in_progress", "0");
  w.Field("module_fork_last_cow_size", "0");
}

void StatsSection(CommandContext& ctx, const Totals& t, InfoWriter& w) {
  Engine& e = ctx.engine;
  int64_t now_us = WallTimeUs();
  uint64_t ops = InstantRate(e.instant_metric(Engine::kMetricCommands), now_us,
                             t.stats.commands_processed);
  uint64_t in_bps =
      InstantRate(e.instant_metric(Engine::kMetricNetInput), now_us, t.stats.net_input_bytes);
  uint64_t out_bps =
      InstantRate(e.instant_metric(Engine::kMetricNetOutput), now_us, t.stats.net_output_bytes);
  w.Section("Stats");
  w.Uint("total_connections_received", e.total_connections().load());
  w.Uint("total_commands_processed", t.stats.commands_processed);
  w.Uint("instantaneous_ops_per_sec", ops);
  w.Uint("total_net_input_bytes", t.stats.net_input_bytes);
  w.Uint("total_net_output_bytes", t.stats.net_output_bytes);
  w.Field("total_net_repl_input_bytes", "0");
  w.Field("total_net_repl_output_bytes", "0");
  w.Fixed2("instantaneous_input_kbps", double(in_bps) / 1024);
  w.Fixed2("instantaneous_output_kbps", double(out_bps) / 1024);
  w.Field("instantaneous_input_repl_kbps", "0.00");
  w.Field("instantaneous_output_repl_kbps", "0.00");
  w.Uint("rejected_connections", e.rejected_connections().load());
  w.Field("sync_full", "0");
  w.Field("sync_partial_ok", "0");
  w.Field("sync_partial_err", "0");
  w.Field("expired_subkeys", "0");
  w.Uint("expired_keys", t.expired_keys);
  w.Uint("expired_time_cap_reached_count", t.stats.expired_time_cap_reached);
  w.Uint("evicted_keys", t.stats.evicted_keys);
  w.Field("evicted_clients", "0");
  w.Field("evicted_scripts", "0");
  int64_t mono_us = MonotonicUs();
  w.Uint("total_eviction_exceeded_time", e.eviction_exceeded_total_ms(mono_us));
  w.Uint("current_eviction_exceeded_time", e.eviction_exceeded_current_ms(mono_us));
  w.Uint("keyspace_hits", t.stats.keyspace_hits);
  w.Uint("keyspace_misses", t.stats.keyspace_misses);
  const ChannelRegistry& channels = ctx.engine.pubsub().registry();
  w.Uint("pubsub_channels", channels.NameCount(PubSubKind::kChannel));
  w.Uint("pubsub_patterns", channels.NameCount(PubSubKind::kPattern));
  w.Uint("pubsubshard_channels", channels.NameCount(PubSubKind::kShardChannel));
  w.Field("latest_fork_usec", "0");
  w.Field("total_forks", "0");
  w.Field("migrate_cached_sockets", "0");
  w.Field("slave_expires_tracked_keys", "0");
  TrackingInfo tracking = CollectTrackingInfo(ctx.engine);
  w.Uint("tracking_total_keys", tracking.keys);
  w.Uint("tracking_total_items", tracking.items);
  w.Uint("tracking_total_prefixes", tracking.prefixes);
  w.Uint("unexpected_error_replies", t.stats.unexpected_error_replies);
  w.Uint("total_error_replies", t.stats.total_error_replies);
  w.Field("dump_payload_sanitizations", "0");
  acl::DenialCounters& denials = ctx.engine.acl().denials();
  w.Uint("acl_access_denied_auth", denials.auth.load());
  w.Uint("acl_access_denied_cmd", denials.command.load());
  w.Uint("acl_access_denied_key", denials.key.load());
  w.Uint("acl_access_denied_channel", denials.channel.load());
  // Lodestone's own: commands served on another shard's thread, and
  // cross-shard executions.
  w.Uint("remote_batches", t.stats.remote_batches);
  w.Uint("cross_shard_executions", t.stats.cross_shard_runs);
}

void ReplicationSection(CommandContext& ctx, InfoWriter& w) {
  w.Section("Replication");
  w.Field("role", "master");
  w.Field("connected_slaves", "0");
  w.Field("master_failover_state", "no-failover");
  w.Field("master_replid", ctx.engine.master_replid());
  w.Field("master_replid2", std::string(40, '0'));
  w.Field("master_repl_offset", "0");
  w.Field("second_repl_offset", "-1");
  w.Field("repl_backlog_active", "0");
  w.Int("repl_backlog_size", ctx.config().repl_backlog_size);
  w.Field("repl_backlog_first_byte_offset", "0");
  w.Field("repl_backlog_histlen", "0");
}

void CpuSection(InfoWriter& w) {
  rusage self, children, thread;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  w.Section("CPU");
  w.Field("used_cpu_sys", Timeval(self.ru_stime));
  w.Field("used_cpu_user", Timeval(self.ru_utime));
  w.Field("used_cpu_sys_children", Timeval(children.ru_stime));
  w.Field("used_cpu_user_children", Timeval(children.ru_utime));
  w.Field("used_cpu_sys_main_thread", Timeval(thread.ru_stime));
  w.Field("used_cpu_user_main_thread", Timeval(thread.ru_utime));
}

void CommandStatsSection(CommandContext& ctx, const Totals& t, InfoWriter& w) {
  w.Section("Commandstats");
  for (const CommandSpec* c : ctx.engine.commands().all()) {
    const CommandStats& s = t.commands[c->id];
    if (s.calls == 0 && s.failed_calls == 0 && s.rejected_calls == 0) continue;
    char buf[512];
    snprintf(buf, sizeof(buf),
             "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
             "failed_calls=%llu\r\n",
             c->name.c_str(), static_cast<unsigned long long>(s.calls),
             static_cast<unsigned long long>(s.usec),
             s.calls ? double(float(s.usec) / float(s.calls)) : 0.0,
             static_cast<unsigned long long>(s.rejected_calls),
             static_cast<unsigned long long>(s.failed_calls));
    w.out() += buf;
  }
}

// INFO field names must not hold '#', ':', CR or LF (getSafeInfoString).
std::string SafeInfoString(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch == '#' || ch == ':' || ch == '\n' || ch == '\r') ch = '_';
  }
  return out;
}

void ErrorStatsSection(const Totals& t, InfoWriter& w) {
  w.Section("Errorstats");
  for (const auto& [code, n] : t.error_codes) {
    w.Field("errorstat_" + SafeInfoString(code), "count=" + std::to_string(n));
  }
}

void KeyspaceSection(CommandContext& ctx, InfoWriter& w) {
  w.Section("Keyspace");
  int dbs = ctx.engine.shard(0).db_count();
  for (int d = 0; d < dbs; d++) {
    uint64_t keys = 0, expires = 0;
    double ttl_weighted = 0;
    for (int i = 0; i < ctx.engine.shard_count(); i++) {
      Db& db = ctx.engine.shard(i).db(d);
      keys += db.size();
      expires += db.expires_count();
      ttl_weighted += double(db.avg_ttl_ms()) * double(db.expires_count());
    }
    if (keys == 0 && expires == 0) continue;
    int64_t avg_ttl = expires ? int64_t(ttl_weighted / double(expires)) : 0;
    w.Field("db" + std::to_string(d), "keys=" + std::to_string(keys) +
                                          ",expires=" + std::to_string(expires) +
                                          ",avg_ttl=" + std::to_string(avg_ttl) + ",subexpiry=0");
  }
}

// INFO [section [section ...]]
void Info(CommandContext& ctx) {
  static constexpr const char* kDefaults[] = {"server", "clients",     "memory",      "persistence",
                                              "stats",  "replication", "cpu",         "module_list",
                                              "errorstats", "cluster", "keyspace"};
  std::set<std::string> want;
  bool all = false;
  if (ctx.argc() == 1) want.insert(std::begin(kDefaults), std::end(kDefaults));
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string s = ToLowerCopy(ctx.arg(i));
    if (s == "default") {
      want.insert(std::begin(kDefaults), std::end(kDefaults));
    } else if (s == "all" || s == "everything") {
      all = true;
    } else {
      want.insert(std::move(s));
    }
  }
  auto on = [&](const char* name) { return all || want.count(name) > 0; };
  Totals t = SumShards(ctx);
  InfoWriter w;
  if (on("server")) ServerSection(ctx, w);
  if (on("clients")) ClientsSection(ctx, w);
  if (on("memory")) MemorySection(ctx, w);
  if (on("persistence")) PersistenceSection(ctx, t, w);
  if (on("stats")) StatsSection(ctx, t, w);
  if (on("replication")) ReplicationSection(ctx, w);
  if (on("cpu")) CpuSection(w);
  if (on("module_list") || on("modules")) w.Section("Modules");
  if (on("commandstats")) CommandStatsSection(ctx, t, w);
  if (on("errorstats")) ErrorStatsSection(t, w);
  if (on("latencystats")) w.Section("Latencystats");
  if (on("cluster")) {
    w.Section("Cluster");
    w.Field("cluster_enabled", "0");
  }
  if (on("keyspace")) KeyspaceSection(ctx, w);
  ctx.reply.Verbatim(w.out());
}

}  // namespace

std::string BytesToHuman(uint64_t n) {
  static constexpr const char* kUnits = "KMGTP";
  char buf[64];
  if (n < 1024) {
    snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(n));
    return buf;
  }
  double d = double(n) / 1024;
  int unit = 0;
  while (d >= 1024 && unit < 4) {
    d /= 1024;
    unit++;
  }
  snprintf(buf, sizeof(buf), "%.2f%c", d, kUnits[unit]);
  return buf;
}

MemoryOverhead CollectMemoryOverhead(Engine& engine) {
  MemoryOverhead mo;
  mo.dbs.resize(size_t(engine.shard(0).db_count()));
  for (size_t d = 0; d < mo.dbs.size(); d++) mo.dbs[d].id = int(d);
  for (int i = 0; i < engine.shard_count(); i++) {
    Shard& s = engine.shard(i);
    for (int d = 0; d < s.db_count(); d++) {
      const Db& db = s.db(d);
      const uint64_t buckets = db.table().BucketMemory();
      mo.dbs[size_t(d)].keys += db.size();
      mo.dbs[size_t(d)].main += buckets;
      mo.dbs[size_t(d)].expires += db.OverheadMemory() - buckets;
    }
    for (const auto& [id, c] : s.clients()) {
      mo.clients_normal += c->query_buffer_capacity() + c->output_size();
    }
  }
  return mo;
}

void RegisterInfoCommand(CommandTable& table) {
  CommandSpec spec = Row("info", -1, kLoading | kStale | kSentinel | kAllShards, "server", Info, {},
                         {"Returns information and statistics about the server.", "1.0.0", "O(1)"},
                         {"dangerous"});
  spec.tips = {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"};
  table.Add(std::move(spec));
}

}  // namespace lodestone
