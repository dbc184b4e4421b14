// Server configuration: the typed ServerConfig that the rest of the server
// reads, and the ConfigRegistry that fills it from redis.conf text and
// command-line options and serves CONFIG GET, CONFIG SET and CONFIG REWRITE.
//
// Names, value syntax, defaults and error texts are those of Redis 7.4
// (src/config.c is the specification). Every directive is one row of a table
// built explicitly by the registry's constructor: name, aliases, type, flags,
// the ServerConfig field it writes, and for the few irregular directives
// (save, bind, dir, client-output-buffer-limit, ...) their own parse and
// render functions. Defaults live in one place: the member initialisers of
// ServerConfig below; the registry reads them from a default-constructed copy.
//
// Directives Redis has but Lodestone does not act on (TLS, cluster, defrag
// tuning, ...) are still accepted and reported, so a stock redis.conf loads.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/log.h"
#include "common/status.h"

namespace lodestone {

// The version this server claims to be, in the fatal config error banner.
inline constexpr std::string_view kConfigRedisVersion = "7.4.0";

enum class MaxmemoryPolicy {
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kNoEviction,
};

enum class AppendFsync { kEverysec, kAlways, kNo };

// enable-debug-command, enable-protected-configs, enable-module-command:
// "no", "yes", or "local" (allowed only to clients on a loopback or unix socket).
enum class ProtectedAction { kNo, kYes, kLocal };

enum class SupervisedMode { kUpstart, kSystemd, kAuto, kNo };
enum class ReplDisklessLoad { kDisabled, kOnEmptyDb, kSwapDb };
enum class OomScoreAdj { kNo, kRelative, kAbsolute };  // "yes" reads as kRelative.
enum class SanitizeDumpPayload { kNo, kYes, kClients };
enum class PropagationErrorBehavior { kIgnore, kPanic, kPanicOnReplicas };
enum class ClusterEndpointType { kIp, kHostname, kUnknownEndpoint };
enum class TlsAuthClients { kNo, kYes, kOptional };
enum class AclPubsubDefault { kResetChannels, kAllChannels };
enum class SyslogFacility {
  kUser,
  kLocal0,
  kLocal1,
  kLocal2,
  kLocal3,
  kLocal4,
  kLocal5,
  kLocal6,
  kLocal7
};

// shutdown-on-sigint / shutdown-on-sigterm flags; 0 is "default".
inline constexpr int kShutdownSave = 1;
inline constexpr int kShutdownNoSave = 2;
inline constexpr int kShutdownNow = 4;
inline constexpr int kShutdownForce = 8;

// One `save <seconds> <changes>` point: snapshot when at least `changes`
// writes happened in the last `seconds` seconds.
struct SavePoint {
  int64_t seconds = 0;
  int64_t changes = 0;
  bool operator==(const SavePoint&) const = default;
};

// Output buffer limits per client class (client-output-buffer-limit).
enum class ClientClass { kNormal = 0, kReplica = 1, kPubSub = 2 };
inline constexpr int kClientClassCount = 3;
struct ClientBufferLimit {
  uint64_t hard_limit_bytes = 0;
  uint64_t soft_limit_bytes = 0;
  int64_t soft_limit_seconds = 0;
  bool operator==(const ClientBufferLimit&) const = default;
};

// notify-keyspace-events classes (server.h NOTIFY_*), as stored in
// ServerConfig::notify_keyspace_events.
inline constexpr int kNotifyKeyspace = 1 << 0;  // K
inline constexpr int kNotifyKeyevent = 1 << 1;  // E
inline constexpr int kNotifyGeneric = 1 << 2;   // g
inline constexpr int kNotifyString = 1 << 3;    // $
inline constexpr int kNotifyList = 1 << 4;      // l
inline constexpr int kNotifySet = 1 << 5;       // s
inline constexpr int kNotifyHash = 1 << 6;      // h
inline constexpr int kNotifyZset = 1 << 7;      // z
inline constexpr int kNotifyExpired = 1 << 8;   // x
inline constexpr int kNotifyEvicted = 1 << 9;   // e
inline constexpr int kNotifyStream = 1 << 10;   // t
inline constexpr int kNotifyKeyMiss = 1 << 11;  // m (not part of A)
inline constexpr int kNotifyModule = 1 << 13;   // d
inline constexpr int kNotifyNew = 1 << 14;      // n (not part of A)
inline constexpr int kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet |
                                  kNotifyHash | kNotifyZset | kNotifyExpired | kNotifyEvicted |
                                  kNotifyStream | kNotifyModule;

// keyspaceEventsStringToFlags: -1 when `classes` holds a character outside
// "KEg$lshzxetmdnA".
int KeyspaceEventsStringToFlags(std::string_view classes);
// keyspaceEventsFlagsToString: the canonical form CONFIG GET shows ("AKE").
std::string KeyspaceEventsFlagsToString(int flags);

// memtoull: digits followed by nothing, "b", "k" (1000), "kb" (1024), "m",
// "mb", "g" or "gb", case-insensitive. Like Redis, an empty string is 0 and an
// overflowing value is not rejected. Returns false on anything else.
bool ParseMemory(std::string_view text, uint64_t* bytes);

// The configuration. Field names follow the directive names (dashes become
// underscores); every default is Redis 7.4's unless a comment says otherwise.
// Fields are plain data: the registry writes them on load and CONFIG SET; a
// few are also changed by commands (DEBUG SET-ACTIVE-EXPIRE, REPLICAOF).
struct ServerConfig {
  // --- Network.
  int port = 6379;
  std::vector<std::string> bind = {"*", "-::*"};
  std::string bind_source_addr;
  bool protected_mode = true;
  int tcp_backlog = 511;
  std::string unixsocket;       // Empty: no unix socket.
  uint32_t unixsocketperm = 0;  // Octal in the config file.
  int timeout = 0;              // Client idle timeout in seconds; 0 = never.
  int tcp_keepalive = 300;
  uint32_t socket_mark_id = 0;
  uint32_t maxclients = 10000;
  uint32_t max_new_connections_per_cycle = 10;
  uint32_t max_new_tls_connections_per_cycle = 1;
  int64_t proto_max_bulk_len = 512LL * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024LL * 1024 * 1024;
  std::array<ClientBufferLimit, kClientClassCount> client_output_buffer_limits = {{
      {0, 0, 0},
      {256ULL * 1024 * 1024, 64ULL * 1024 * 1024, 60},
      {32ULL * 1024 * 1024, 8ULL * 1024 * 1024, 60},
  }};

  // --- Threads (Lodestone's own directive): how many shard threads to run.
  int threads = std::thread::hardware_concurrency() > 0
                    ? static_cast<int>(std::thread::hardware_concurrency())
                    : 1;
  int io_threads = 1;  // Accepted for compatibility and ignored.
  bool io_threads_do_reads = false;

  // --- General.
  bool daemonize = false;  // Only "no": Lodestone never forks.
  SupervisedMode supervised = SupervisedMode::kNo;
  std::string pidfile;
  LogLevel loglevel = LogLevel::kNotice;
  std::string logfile;  // Empty: standard output.
  bool syslog_enabled = false;
  std::string syslog_ident = "redis";
  SyslogFacility syslog_facility = SyslogFacility::kLocal0;
  bool crash_log_enabled = true;
  bool crash_memcheck_enabled = true;
  bool use_exit_on_panic = false;
  int databases = 16;
  bool always_show_logo = false;
  bool set_proc_title = true;
  std::string proc_title_template = "{title} {listen-addr} {server-mode}";
  std::string locale_collate;
  std::string ignore_warnings;
  bool hide_user_data_from_log = false;
  int hz = 10;  // Clamped to 1..500 as Redis does.
  bool dynamic_hz = true;
  int shutdown_timeout = 10;
  int shutdown_on_sigint = 0;   // kShutdown* flags.
  int shutdown_on_sigterm = 0;  // kShutdown* flags.
  OomScoreAdj oom_score_adj = OomScoreAdj::kNo;
  std::array<int, 3> oom_score_adj_values = {0, 200, 800};
  bool disable_thp = true;
  std::string server_cpulist;
  std::string bio_cpulist;
  std::string aof_rewrite_cpulist;
  std::string bgsave_cpulist;
  int watchdog_period = 0;

  // --- Security.
  std::string requirepass;
  std::string aclfile;
  int64_t acllog_max_len = 128;
  AclPubsubDefault acl_pubsub_default = AclPubsubDefault::kResetChannels;
  ProtectedAction enable_protected_configs = ProtectedAction::kNo;
  // Redis defaults to "no"; Lodestone defaults to "yes" because its test
  // suites (and Redis's) drive the server through DEBUG.
  ProtectedAction enable_debug_command = ProtectedAction::kYes;
  ProtectedAction enable_module_command = ProtectedAction::kNo;
  SanitizeDumpPayload sanitize_dump_payload = SanitizeDumpPayload::kNo;

  // --- Snapshotting.
  std::vector<SavePoint> save_points = {{3600, 1}, {300, 100}, {60, 10000}};
  bool stop_writes_on_bgsave_error = true;
  bool rdbcompression = true;
  bool rdbchecksum = true;
  std::string dbfilename = "dump.rdb";
  bool rdb_del_sync_files = false;
  bool rdb_save_incremental_fsync = true;
  // Absolute once set through the registry, which never changes the working
  // directory itself: the server chdir()s into `dir` after loading and from
  // its "dir" apply hook, so relative dbfilename/appenddirname work as in Redis.
  std::string dir = ".";
  int rdb_key_save_delay = 0;
  int key_load_delay = 0;
  int64_t loading_process_events_interval_bytes = 2 * 1024 * 1024;

  // --- Append only file.
  bool appendonly = false;
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  AppendFsync appendfsync = AppendFsync::kEverysec;
  bool no_appendfsync_on_rewrite = false;
  int auto_aof_rewrite_percentage = 100;
  int64_t auto_aof_rewrite_min_size = 64LL * 1024 * 1024;
  bool aof_load_truncated = true;
  bool aof_use_rdb_preamble = true;
  bool aof_timestamp_enabled = false;
  bool aof_rewrite_incremental_fsync = true;
  bool aof_disable_auto_gc = false;

  // --- Replication.
  std::string replicaof_host;  // Empty: this server is a primary.
  int replicaof_port = 0;
  std::string masterauth;
  std::string masteruser;
  bool replica_serve_stale_data = true;
  bool replica_read_only = true;
  bool repl_diskless_sync = true;
  int repl_diskless_sync_delay = 5;
  int repl_diskless_sync_max_replicas = 0;
  ReplDisklessLoad repl_diskless_load = ReplDisklessLoad::kDisabled;
  int repl_ping_replica_period = 10;
  int repl_timeout = 60;
  bool repl_disable_tcp_nodelay = false;
  int64_t repl_backlog_size = 1024 * 1024;
  int64_t repl_backlog_ttl = 3600;
  int replica_priority = 100;
  bool replica_announced = true;
  int min_replicas_to_write = 0;
  int min_replicas_max_lag = 10;
  std::string replica_announce_ip;
  int replica_announce_port = 0;
  bool replica_lazy_flush = false;
  bool replica_ignore_maxmemory = true;
  bool replica_ignore_disk_write_errors = false;
  PropagationErrorBehavior propagation_error_behavior = PropagationErrorBehavior::kIgnore;

  // --- Memory management.
  uint64_t maxmemory = 0;
  MaxmemoryPolicy maxmemory_policy = MaxmemoryPolicy::kNoEviction;
  int maxmemory_samples = 5;
  int maxmemory_eviction_tenacity = 10;
  // Bytes when >= 0; a negative value -N means N percent of maxmemory.
  int64_t maxmemory_clients = 0;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;

  // --- Lazy freeing.
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;

  // --- Expiry (active_expire_enabled is Lodestone's; DEBUG SET-ACTIVE-EXPIRE
  // toggles it).
  bool active_expire_enabled = true;
  int active_expire_effort = 1;

  // --- Scripting, slow log, latency, tracking, notifications.
  int64_t busy_reply_threshold = 5000;      // Milliseconds; alias lua-time-limit.
  int64_t slowlog_log_slower_than = 10000;  // Microseconds; -1 disables.
  int64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold = 0;
  bool latency_tracking = true;
  std::vector<double> latency_tracking_info_percentiles = {50.0, 99.0, 99.9};
  int64_t tracking_table_max_keys = 1000000;
  int notify_keyspace_events = 0;  // kNotify* flags.

  // --- Encodings of small aggregates.
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  int list_max_listpack_size = -2;
  int list_compress_depth = 0;
  int64_t set_max_intset_entries = 512;
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t hll_sparse_max_bytes = 3000;
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  bool activerehashing = true;

  // --- Active defragmentation (accepted; activedefrag cannot be enabled).
  bool activedefrag = false;
  int64_t active_defrag_ignore_bytes = 100LL * 1024 * 1024;
  int active_defrag_threshold_lower = 10;
  int active_defrag_threshold_upper = 100;
  int active_defrag_cycle_min = 1;
  int active_defrag_cycle_max = 25;
  int64_t active_defrag_max_scan_fields = 1000;
  bool jemalloc_bg_thread = true;

  // --- Cluster (accepted; cluster-enabled cannot be turned on).
  bool cluster_enabled = false;
  std::string cluster_config_file = "nodes.conf";
  int64_t cluster_node_timeout = 15000;
  int cluster_port = 0;
  int cluster_replica_validity_factor = 10;
  int cluster_migration_barrier = 1;
  bool cluster_allow_replica_migration = true;
  bool cluster_require_full_coverage = true;
  bool cluster_replica_no_failover = false;
  bool cluster_allow_reads_when_down = false;
  bool cluster_allow_pubsubshard_when_down = true;
  uint64_t cluster_link_sendbuf_limit = 0;
  std::string cluster_announce_hostname;
  std::string cluster_announce_human_nodename;
  ClusterEndpointType cluster_preferred_endpoint_type = ClusterEndpointType::kIp;
  std::string cluster_announce_ip;
  int cluster_announce_port = 0;
  int cluster_announce_tls_port = 0;
  int cluster_announce_bus_port = 0;
  int64_t cluster_ping_interval = 0;

  // --- TLS (accepted; Lodestone does not speak TLS).
  int tls_port = 0;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_key_file_pass;
  std::string tls_client_cert_file;
  std::string tls_client_key_file;
  std::string tls_client_key_file_pass;
  std::string tls_dh_params_file;
  std::string tls_ca_cert_file;
  std::string tls_ca_cert_dir;
  TlsAuthClients tls_auth_clients = TlsAuthClients::kYes;
  bool tls_replication = false;
  bool tls_cluster = false;
  std::string tls_protocols;
  std::string tls_ciphers;
  std::string tls_ciphersuites;
  bool tls_prefer_server_ciphers = false;
  bool tls_session_caching = true;
  int tls_session_cache_size = 20 * 1024;
  int tls_session_cache_timeout = 300;

  // --- File-only directives, kept for the layers that act on them.
  // `rename-command <name> <new-name>` in file order (new-name "" removes it).
  std::vector<std::pair<std::string, std::string>> rename_commands;
  // `user ...` lines, each as its arguments after "user", for the ACL layer.
  std::vector<std::vector<std::string>> user_directives;
};

// The directive table over one ServerConfig.
//
// Thread safety: none. The owner calls every method from one thread and
// decides how readers on other threads see changes (typically by running
// CONFIG SET/REWRITE where no other thread reads the fields, or by pushing
// copies to shards from apply hooks).
class ConfigRegistry {
 public:
  // REQUIRES: `cfg` outlives the registry. It is not reset: the defaults the
  // registry compares against (CONFIG REWRITE) are ServerConfig's initialisers.
  explicit ConfigRegistry(ServerConfig* cfg);
  ~ConfigRegistry();
  ConfigRegistry(const ConfigRegistry&) = delete;
  ConfigRegistry& operator=(const ConfigRegistry&) = delete;

  // Parses redis.conf text (loadServerConfigFromString): one directive per
  // line, '#' comments, arguments split like sdssplitargs, names
  // case-insensitive, later lines overriding earlier ones, `include <path>`
  // (glob patterns allowed, relative to the working directory). Apply hooks are
  // not called: the server reads the fields after loading.
  // On error the message is Redis's fatal report without a trailing newline:
  //   "\n*** FATAL CONFIG FILE ERROR (Redis 7.4.0) ***\n"
  //   "Reading the configuration file, at line 2\n>>> 'foo bar'\n"
  //   "Bad directive or wrong number of arguments"
  // or, for an unreadable included file, "Fatal error, can't open config
  // file '<path>': <reason>".
  Status LoadFromString(std::string_view text);

  // The start-up form `lodestone-server [config-file] [--name value ...]`:
  // reads `config_path` ("" for none, "-" for standard input), then standard
  // input when a lone "-" is the first or last of `cli_args`, then the
  // options converted by CliArgsToConfigText, and parses it all with
  // LoadFromString. Records the file's absolute path for Rewrite().
  // `cli_args` are the arguments after the config file (if any).
  Status LoadFromFileAndArgs(const std::string& config_path,
                             const std::vector<std::string>& cli_args);

  // Redis main()'s conversion of options to config text: "--port 7000
  // --save ''" becomes "port \"7000\" \nsave \"\" " (values quoted as
  // sdscatrepr does; a bare --save at the end or before another option means
  // `save ""`). A lone "-" (stdin) is skipped.
  static std::string CliArgsToConfigText(const std::vector<std::string>& cli_args);

  // CONFIG GET: every directive whose name or alias matches one of the glob
  // `patterns` (case-insensitive), once per name, in table order; the reply
  // names the alias when the alias matched. A pattern without * ? [ is an
  // exact, case-insensitive lookup that echoes the name as given and also
  // finds hidden directives. Values are rendered as Redis renders them.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;

  // CONFIG SET name value [name value ...], all or nothing. Values of
  // multi-argument directives (save, bind, ...) are split on single spaces.
  // After all values are stored, the apply hooks of the changed directives
  // run; if a value or a hook fails, every field is restored, the hooks of the
  // changed directives run again, and the error is returned, e.g.
  //   "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
  //   "ERR CONFIG SET failed (possibly related to argument 'port') -
  //    argument couldn't be parsed into an integer"
  // `client_is_local` matters only for protected directives (dir, dbfilename)
  // when enable-protected-configs is "local".
  Status Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
             bool client_is_local = false);

  // CONFIG REWRITE: rewrites the config file in place as rewriteConfig does
  // (keeps comments and foreign lines, updates the lines of known directives,
  // blanks their leftovers, appends non-default values after a
  // "# Generated by CONFIG REWRITE" line), replacing the file atomically.
  // "ERR The server is running without a config file" without one.
  Status Rewrite();

  // Runs `fn` after CONFIG SET changed directive `name` (or its alias); an
  // error vetoes the whole CONFIG SET, its message becoming the reason after
  // " - ". Replaces any earlier hook; an unknown name is ignored.
  void SetApplyHook(std::string_view name, std::function<Status()> fn);

  // The absolute path Rewrite() writes; empty when started without a file.
  const std::string& config_file() const { return config_file_; }
  void set_config_file(std::string path) { config_file_ = std::move(path); }

  // True for directives whose values must not be logged (requirepass, ...).
  bool IsSensitive(std::string_view name) const;

 private:
  struct Directive;
  struct RewriteLine;
  class Builder;

  void RegisterDirectives();
  void RegisterSpecialDirectives(Builder* b);
  Directive* Find(std::string_view name, std::string* matched_name) const;
  Status LoadText(std::string_view text, int depth);
  Status LoadInclude(const std::string& pattern, int depth);
  Status ApplyLine(const std::vector<std::string>& argv);
  Status SetOne(const Directive& d, std::string_view value);

  ServerConfig* cfg_;
  std::vector<std::unique_ptr<Directive>> directives_;
  std::string config_file_;
  // True while config text is being read: its first `save` line replaces the
  // default save points, later ones add to them (Redis's rule).
  bool loading_ = false;
  bool save_loaded_ = false;
  unsigned file_mode_mask_ = 022;  // The process umask, for Rewrite()'s file.
};

}  // namespace lodestone
