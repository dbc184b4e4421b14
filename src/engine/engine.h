// Engine: the set of shards and everything shared between them: the
// configuration, the command table, the hash-slot-to-shard map, listeners,
// and the cross-shard execution protocol.
//
// Cross-shard execution ("parking"). A command whose keys live on several
// shards, or which needs every shard, runs on the calling client's thread
// (the coordinator) with exclusive access to the shards involved:
//   1. The coordinator adds its own shard to the set and walks the set in
//      ascending shard order. For another shard it posts a ParkRequest and
//      waits for the ack; for its own shard it simply marks it acquired.
//   2. A shard that receives a park request finishes what it is doing, acks,
//      and waits (doing nothing else) until released.
//   3. With every shard acquired, the handler runs as if single-threaded;
//      then every parked shard is released.
// While a coordinator waits for an ack and has not yet reached its own shard
// in the order, it keeps serving park requests addressed to itself: its own
// shard is not held yet, so others may take it. After that point it serves
// none. Every thread therefore acquires shards in one global order and never
// holds a shard while waiting for a lower one, which is lock ordering: no
// cycle of waits can form, so two coordinators cannot deadlock.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "acl/user_registry.h"
#include "common/crc16.h"
#include "common/memory_accounting.h"
#include "engine/command_table.h"
#include "engine/pubsub.h"
#include "engine/shard.h"
#include "engine/tracking.h"
#include "net/event_loop.h"

namespace lodestone {

struct ServerConfig;
class ConfigRegistry;

struct SlowlogEntry {
  uint64_t id;
  int64_t time_s;
  int64_t duration_us;
  std::vector<std::string> args;
  std::string peer;
  std::string client_name;
};

struct LatencySample {
  int64_t time_s;
  int64_t latency_ms;
};

struct LatencyEvent {
  std::vector<LatencySample> samples;  // ring of the last 160
  size_t next = 0;
  int64_t max_ms = 0;
};

// INFO's instantaneous_* figures: a ring of (time, counter) samples taken by
// INFO itself. INFO and CONFIG RESETSTAT run with every shard parked, which
// serializes them, so the ring needs no lock.
struct InstantMetric {
  static constexpr int kSamples = 16;
  std::array<int64_t, kSamples> time_us{};
  std::array<uint64_t, kSamples> value{};
  int next = 0;
  int count = 0;
};

// State owned by a library above the engine (scripting) and hung on the
// engine or a shard, so that the engine does not depend on it.
class EngineExtension {
 public:
  virtual ~EngineExtension() = default;
};

// Scripts running past busy-reply-threshold (scripting/script_runner.cc).
// While `busy` is non-zero every thread answers BUSY to commands without
// kAllowBusy (Client::Dispatch), and threads parked by a busy script keep
// answering their clients (Shard park wait).
struct ScriptBusyState {
  std::atomic<int> busy{0};            // scripts past the threshold
  std::atomic<int> busy_functions{0};  // of which run by FCALL
  std::atomic<int> busy_wrote{0};      // of which have written
  std::atomic<uint64_t> kill_epoch{0};  // SCRIPT/FUNCTION KILL bumps it
  // DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call kNoScript commands
  // (Redis's tests use it for DEBUG PROTOCOL); never EVAL/FCALL themselves.
  std::atomic<bool> disable_deny_script{false};
};

class Engine {
 public:
  Engine(ServerConfig& config, ConfigRegistry& registry, const CommandTable& table);
  ~Engine();

  // Opens the listeners (on failure returns false and *err) and starts one
  // thread per shard.
  bool Start(std::string* err);
  // Any thread: asks every shard to stop; WaitForShutdown returns afterwards.
  void Shutdown();
  void WaitForShutdown();
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  ServerConfig& config() { return config_; }
  ConfigRegistry& registry() { return registry_; }
  const CommandTable& commands() const { return table_; }

  int shard_count() const { return int(shards_.size()); }
  Shard& shard(int i) { return *shards_[i]; }
  int ShardOfSlot(uint16_t slot) const { return slot_to_shard_[slot]; }
  // With one shard there is nothing to route, so the CRC16 is skipped.
  int ShardOfKey(std::string_view key) const {
    return shards_.size() == 1 ? 0 : slot_to_shard_[KeyHashSlot(key)];
  }

  // Runs fn on the calling thread (which must be `self`'s) with exclusive
  // access to every shard in `shards` (any order, duplicates allowed; `self`
  // is always included). See the protocol above.
  void RunCrossShard(Shard& self, std::vector<int> shards, const std::function<void()>& fn);
  // Same over every shard.
  void RunOnAllShards(Shard& self, const std::function<void()>& fn);

  // Client bookkeeping shared by all threads.
  uint64_t NextClientId() { return next_client_id_.fetch_add(1) + 1; }
  std::atomic<int>& connected_clients() { return connected_clients_; }
  std::atomic<uint64_t>& total_connections() { return total_connections_; }
  std::atomic<uint64_t>& rejected_connections() { return rejected_connections_; }

  // CLIENT PAUSE: until when (ms) and whether only writes are paused.
  std::atomic<int64_t>& pause_until_ms() { return pause_until_ms_; }
  std::atomic<bool>& pause_writes_only() { return pause_writes_only_; }

  // SLOWLOG and LATENCY: rarely written, guarded by a mutex.
  void SlowlogAdd(SlowlogEntry entry);
  std::vector<SlowlogEntry> SlowlogGet(int64_t count);
  size_t SlowlogLen();
  void SlowlogReset();
  void LatencyAdd(const std::string& event, int64_t latency_ms);
  std::vector<std::pair<std::string, LatencyEvent>> LatencyEvents();
  void LatencyReset(const std::vector<std::string>& events, int64_t* removed);

  int64_t start_time_us() const { return start_time_us_; }
  int tcp_port() const { return tcp_port_; }
  const std::string& executable() const { return executable_; }
  void set_executable(std::string path) { executable_ = std::move(path); }
  const std::string& config_file() const { return config_file_; }
  void set_config_file(std::string path) { config_file_ = std::move(path); }
  std::string run_id() const { return run_id_; }
  // The replication ID INFO reports (DEBUG CHANGE-REPL-ID draws a new one).
  // REQUIRES: every shard parked, or the caller is the only reader.
  const std::string& master_replid() const { return master_replid_; }
  void set_master_replid(std::string id) { master_replid_ = std::move(id); }
  // INFO's instantaneous metrics: kMetricCommands, kMetricNetInput,
  // kMetricNetOutput. REQUIRES: every shard parked (INFO, CONFIG RESETSTAT).
  enum { kMetricCommands, kMetricNetInput, kMetricNetOutput, kMetricCount };
  InstantMetric& instant_metric(int which) { return instant_metrics_[which]; }

  // Client IDs for CLIENT KILL etc. live in each shard; this finds the shard
  // of a connected client, or -1.
  std::atomic<bool>& active_expire_enabled() { return active_expire_enabled_; }

  std::atomic<int>& running_shards() { return running_shards_; }

  // Bytes the process has allocated: what maxmemory is checked against.
  // With the server's counting allocator this is exact and current (a sum
  // of per-thread counters, common/memory_accounting.h); otherwise it is
  // the allocator's coarser figure as of shard 0's last cron.
  uint64_t used_memory() const {
    return exact_memory_ ? memory::AllocatedBytes()
                         : used_memory_.load(std::memory_order_relaxed);
  }
  void RefreshUsedMemory();
  // used_memory once the server was ready (MEMORY STATS startup.allocated).
  uint64_t startup_memory() const { return startup_memory_; }
  // The highest used_memory seen by RefreshUsedMemory (INFO's peak).
  uint64_t used_memory_peak() const { return used_memory_peak_.load(std::memory_order_relaxed); }
  // Eviction (engine/evictor.h) freed about `bytes` since the last sample:
  // lowers the sampled figure until the cron samples the allocator again.
  void NoteMemoryFreed(uint64_t bytes);
  // Whether used memory is over maxmemory now (evictor), for INFO's
  // total_eviction_exceeded_time and current_eviction_exceeded_time (ms).
  void NoteOverMaxmemory(bool over, int64_t now_us);
  uint64_t eviction_exceeded_total_ms(int64_t now_us) const;
  uint64_t eviction_exceeded_current_ms(int64_t now_us) const;

  // MONITOR: clients (shard, id) that receive every command. Feeding costs
  // nothing while nobody monitors (one relaxed load).
  void AddMonitor(int shard, uint64_t client_id);
  void RemoveMonitor(uint64_t client_id);
  bool HasMonitors() const { return monitor_count_.load(std::memory_order_relaxed) > 0; }
  // Any thread: sends one formatted MONITOR line to every monitor.
  void FeedMonitors(const std::string& line);

  // ACL users and the ACL log (acl/user_registry.h, engine/acl_check.h).
  // Any thread.
  acl::UserRegistry& acl() { return acl_; }
  // Start-up: the default user's password from requirepass, then the users
  // of `user` directives or of the aclfile. Also installs the requirepass
  // apply hook, so CONFIG SET requirepass updates the default user.
  Status LoadAclAtStartup();

  // Pub/Sub: the channel registry and delivery (engine/pubsub.h). Any thread.
  PubSub& pubsub() { return pubsub_; }

  // CLIENT TRACKING: where each tracking client's invalidations go.
  TrackingRegistry& tracking() { return tracking_; }

  // Shutdown options chosen by SHUTDOWN / signals, read by main.
  std::atomic<int> shutdown_flags{0};

  // Scripting's engine-wide state (the script cache), created on first use
  // under scripting_once.
  std::once_flag scripting_once;
  std::unique_ptr<EngineExtension> scripting;
  ScriptBusyState script_busy;

 private:
  class Listener;
  void OnAccept(int fd, std::string peer, std::string local, bool unix_socket);

  ServerConfig& config_;
  ConfigRegistry& registry_;
  const CommandTable& table_;
  acl::UserRegistry acl_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<uint16_t> slot_to_shard_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::atomic<uint32_t> next_shard_for_client_{0};

  std::atomic<bool> stopping_{false};
  std::atomic<int> running_shards_{0};
  const bool exact_memory_ = memory::Exact();
  std::atomic<uint64_t> used_memory_{0};
  std::atomic<uint64_t> used_memory_peak_{0};
  uint64_t startup_memory_ = 0;  // set by Start
  std::atomic<int64_t> over_maxmemory_since_us_{0};  // 0: not over
  std::atomic<uint64_t> over_maxmemory_total_us_{0};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;

  std::atomic<uint64_t> next_client_id_{0};
  std::atomic<int> connected_clients_{0};
  std::atomic<uint64_t> total_connections_{0};
  std::atomic<uint64_t> rejected_connections_{0};
  std::atomic<int64_t> pause_until_ms_{0};
  std::atomic<bool> pause_writes_only_{false};
  std::atomic<bool> active_expire_enabled_{true};

  std::atomic<int> monitor_count_{0};
  std::mutex monitors_mu_;
  std::vector<std::pair<int, uint64_t>> monitors_;  // guarded by monitors_mu_
  TrackingRegistry tracking_;

  PubSub pubsub_;

  std::mutex slowlog_mu_;
  std::deque<SlowlogEntry> slowlog_;
  uint64_t slowlog_next_id_ = 0;
  std::mutex latency_mu_;
  std::vector<std::pair<std::string, LatencyEvent>> latency_;

  int64_t start_time_us_ = 0;
  int tcp_port_ = 0;
  std::string executable_;
  std::string config_file_;
  std::string run_id_;
  std::string master_replid_;
  std::array<InstantMetric, kMetricCount> instant_metrics_;
};

}  // namespace lodestone
