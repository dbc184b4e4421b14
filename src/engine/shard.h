// Shard: one thread, its event loop, the connections assigned to it, and its
// part of the keyspace (for each database, the keys whose hash slot maps to
// this shard). Only the shard's own thread touches its data, except while the
// shard is parked for a cross-shard execution (see engine.h): then exactly
// one coordinating thread does, and the shard's thread waits.
//
// Other threads talk to a shard only through Post() (a task queue drained by
// the shard's loop) and the park protocol.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/random.h"
#include "engine/blocking.h"
#include "engine/tracking.h"
#include "engine/watch_registry.h"
#include "net/event_loop.h"
#include "protocol/errors.h"
#include "storage/db.h"

namespace lodestone {

class Engine;
class Client;

// Per-command counters, one array per shard indexed by CommandSpec::id.
struct CommandStats {
  uint64_t calls = 0;
  uint64_t usec = 0;
  uint64_t rejected_calls = 0;
  uint64_t failed_calls = 0;
};

struct ShardStats {
  uint64_t commands_processed = 0;
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t expired_keys = 0;
  uint64_t expired_time_cap_reached = 0;
  uint64_t evicted_keys = 0;
  uint64_t dirty = 0;  // changes since the last save
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t remote_batches = 0;
  uint64_t cross_shard_runs = 0;
  std::unordered_map<std::string, uint64_t> error_codes;  // errorstats
  // Sum of this shard's Db::stats().expired_keys at the last CONFIG
  // RESETSTAT (those counters cannot be reset; INFO subtracts this).
  uint64_t expired_keys_reset_base = 0;

  // An error reply as INFO counts it (Redis's afterErrorReply):
  // total_error_replies and errorstats under the reply's code ("ERR ...").
  void CountErrorReply(std::string_view reply) {
    total_error_replies++;
    error_codes[std::string(protocol::ErrorCode(reply))]++;
  }
};

// A request, sent by a coordinating thread, that a shard stop and wait.
struct ParkRequest {
  int coordinator = -1;
  std::atomic<uint32_t> acked{0};
  std::atomic<uint32_t> released{0};
};

// Per-shard state of a library above the engine (scripting's Lua VM).
class ShardExtension {
 public:
  virtual ~ShardExtension() = default;
};

class Shard {
 public:
  Shard(Engine& engine, int id, int databases, uint64_t seed);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  int id() const { return id_; }
  Engine& engine() { return engine_; }
  net::EventLoop& loop() { return loop_; }
  Db& db(int index) { return *dbs_[index]; }
  int db_count() const { return int(dbs_.size()); }
  Random& rng() { return rng_; }
  ShardStats& stats() { return stats_; }
  std::vector<CommandStats>& command_stats() { return command_stats_; }

  // Any thread. Runs `task` on this shard's thread, in posting order.
  void Post(std::function<void()> task);

  // Starts the thread; Join waits for it to finish after Engine::Shutdown.
  void Start();
  void Join();

  // --- Park protocol (see engine.h) ---
  // Any thread: asks this shard to park; the shard acks through req->acked and
  // then waits for req->released.
  // The request is shared: the parked thread may still be reading it when
  // the coordinator has moved on.
  void RequestPark(std::shared_ptr<ParkRequest> req);
  // Own thread: wakes when acks or park requests arrive.
  std::atomic<uint32_t>& signal() { return signal_; }
  void Signal();
  // Own thread: serves pending park requests (parks for each in turn).
  // Returns true if any was served.
  bool ServeParkRequests();

  // --- Clients owned by this shard (own thread only) ---
  void AdoptClient(uint64_t id, int fd, std::string peer, std::string local, bool unix_socket);
  // Any thread: queues a new connection for AdoptClient on this shard's
  // thread. Kept apart from Post's tasks because a thread serving clients
  // in busy mode (a long script) adopts connections but runs no tasks.
  void PostAdoption(uint64_t id, int fd, std::string peer, std::string local, bool unix_socket);
  void RemoveClient(Client* c);
  void MarkPendingWrite(Client* c);
  const std::unordered_map<uint64_t, Client*>& clients() const { return clients_; }
  Client* FindClient(uint64_t id);

  // --- Blocking (engine/blocking.h) ---
  BlockingRegistry& blocking() { return blocking_; }
  // Serves waiters of keys signalled ready. Own thread only.
  void ServeReadyKeys();
  // Registers `bc` for `keys` of this shard (own thread only); a key that
  // already exists counts as ready.
  void RegisterBlocked(const std::shared_ptr<BlockedClient>& bc, const std::vector<std::string>& keys);
  void AddBlockedClient(Client* c) { blocked_clients_.push_back(c); }
  void RemoveBlockedClient(Client* c);
  size_t blocked_client_count() const { return blocked_clients_.size(); }

  // --- Client-side caching (engine/tracking.h): this shard's keys read by
  // tracking clients, and the BCAST prefixes. Own thread, or parked. ---
  TrackingTable& tracking() { return tracking_; }
  // --- WATCH (engine/watch_registry.h): this shard's watched keys ---
  WatchRegistry& watches() { return watches_; }
  // The index of `db`, one of this shard's databases.
  int DbIndexOf(const Db& db) const;

  // A client whose next command waits for CLIENT PAUSE to end; retried from
  // the loop until it runs.
  void AddPausedClient(Client* c) { paused_clients_.push_back(c); }

  // Db listeners: a key of database `db` expired / was created. Run on
  // whichever thread touches the Db (this shard's, or a coordinator's while
  // it is parked). Fire the "expired" and "new" keyspace notifications, and
  // "hexpired" (+ "del") for hash fields purged by the cron.
  void OnKeyExpired(int db, std::string_view key);
  void OnKeyAdded(int db, std::string_view key);
  // `key` of database `db` was just evicted for maxmemory (engine/evictor.h):
  // counts it and fires what a deletion fires (WATCH, client-side caching
  // invalidation, the "evicted" notification). Same threads as above.
  void OnKeyEvicted(int db, std::string_view key);
  void OnElementsExpired(int db, std::string_view key, bool emptied);
  // Scripting's per-thread state (its Lua VM), created on first use by the
  // shard's own thread. Own thread only.
  std::unique_ptr<ShardExtension> scripting;
  // Own thread, while a script runs past busy-reply-threshold here or while
  // this shard is parked for one: serves this thread's connections in busy
  // mode (they get BUSY, SCRIPT KILL works) without running tasks or park
  // requests. Waits up to `timeout_ms` for input.
  void ServeWhileBusy(int timeout_ms);

  bool stopping() const;
  // After every shard thread has exited: runs what was posted to this shard
  // too late to be run by its thread (so nothing is leaked). Returns true if
  // anything ran; the caller repeats until no shard runs anything.
  bool DrainAfterStop();

 private:
  void Run();
  bool DrainInbox();  // true if any task ran
  void RetryPausedClients();
  void CheckBlockedTimeouts(int64_t now_ms);
  int64_t NextBlockedDeadline() const;
  void FlushPendingWrites();
  void Cron();

  Engine& engine_;
  const int id_;
  net::EventLoop loop_;
  std::vector<std::unique_ptr<Db>> dbs_;
  Random rng_;
  ShardStats stats_;
  std::vector<CommandStats> command_stats_;

  std::mutex inbox_mu_;
  std::vector<std::function<void()>> inbox_;  // guarded by inbox_mu_
  // Whether inbox_ may hold tasks: set with each Post, cleared when drained
  // (both under inbox_mu_), so an idle loop iteration takes no lock.
  std::atomic<bool> has_inbox_{false};
  std::vector<std::function<void()>> draining_;

  struct Adoption {
    uint64_t id;
    int fd;
    std::string peer;
    std::string local;
    bool unix_socket;
  };
  void DrainAdoptions();
  std::mutex adopt_mu_;
  std::vector<Adoption> adoptions_;  // guarded by adopt_mu_
  std::atomic<bool> has_adoptions_{false};

  std::mutex park_mu_;
  std::deque<std::shared_ptr<ParkRequest>> park_queue_;  // guarded by park_mu_
  std::atomic<size_t> park_pending_{0};  // park_queue_'s size, read without the lock
  std::atomic<uint32_t> signal_{0};

  std::unordered_map<uint64_t, Client*> clients_;
  std::vector<Client*> pending_writes_;
  std::vector<Client*> closing_;
  std::vector<Client*> paused_clients_;
  BlockingRegistry blocking_;
  TrackingTable tracking_;
  WatchRegistry watches_;
  bool serving_blocked_ = false;
  std::vector<Client*> blocked_clients_;
  int64_t next_cron_us_ = 0;
  uint64_t evicted_at_last_collect_ = 0;
  int64_t last_busy_sweep_us_ = 0;
  std::thread thread_;
};

}  // namespace lodestone
