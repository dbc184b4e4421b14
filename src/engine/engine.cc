#include "engine/engine.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>

#include "common/clock.h"
#include "common/log.h"
#include "engine/acl_check.h"
#include "engine/client.h"
#include "engine/evictor.h"
#include "net/socket.h"
#include "server/config.h"

namespace lodestone {

// Accepts connections on one listening socket (registered with shard 0's
// loop) and hands each to a shard, round robin.
class Engine::Listener : public net::IoHandler {
 public:
  Listener(Engine& engine, int fd, bool unix_socket)
      : engine_(engine), fd_(fd), unix_socket_(unix_socket) {}
  ~Listener() override { close(fd_); }
  int fd() const { return fd_; }
  void OnIoEvent(uint32_t events) override {
    for (;;) {
      std::string peer, local;
      int cfd = net::Accept(fd_, unix_socket_, &peer, &local);
      if (cfd < 0) return;
      engine_.OnAccept(cfd, std::move(peer), std::move(local), unix_socket_);
    }
  }

 private:
  Engine& engine_;
  int fd_;
  bool unix_socket_;
};

Engine::Engine(ServerConfig& config, ConfigRegistry& registry, const CommandTable& table)
    : config_(config), registry_(registry), table_(table), acl_(BuildAclCatalog(table)),
      pubsub_(*this, &config.notify_keyspace_events) {
  int n = std::clamp(config.threads, 1, 256);
  std::random_device rd;
  for (int i = 0; i < n; i++) {
    shards_.push_back(std::make_unique<Shard>(*this, i, config.databases,
                                              (uint64_t(rd()) << 32) ^ rd() ^ uint64_t(i)));
  }
  // Slots map to shards in contiguous ranges.
  slot_to_shard_.resize(kClusterSlots);
  for (int s = 0; s < kClusterSlots; s++) slot_to_shard_[s] = uint16_t(int64_t(s) * n / kClusterSlots);
  active_expire_enabled_.store(config.active_expire_enabled);
  start_time_us_ = WallTimeUs();
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 40; i++) run_id_.push_back(kHex[rd() % 16]);
  for (int i = 0; i < 40; i++) master_replid_.push_back(kHex[rd() % 16]);
}

Engine::~Engine() = default;

bool Engine::Start(std::string* err) {
  ApplyMaxmemoryPolicy(config_);
  if (Status st = LoadAclAtStartup(); !st.ok()) {
    *err = st.message();
    return false;
  }
  bool any = false;
  for (const std::string& addr : config_.bind) {
    std::string e;
    int fd = net::ListenTcp(addr, config_.port, 511, &e);
    if (fd < 0) {
      bool optional = !addr.empty() && addr[0] == '-';
      if (optional) continue;
      *err = "Warning: Could not create server TCP listening socket " + addr + ":" +
             std::to_string(config_.port) + ": " + e;
      return false;
    }
    if (tcp_port_ == 0) tcp_port_ = net::BoundPort(fd);
    listeners_.push_back(std::make_unique<Listener>(*this, fd, false));
    any = true;
  }
  if (!config_.unixsocket.empty()) {
    std::string e;
    int fd = net::ListenUnix(config_.unixsocket, config_.unixsocketperm, 511, &e);
    if (fd < 0) {
      *err = "Failed opening Unix socket: " + e;
      return false;
    }
    listeners_.push_back(std::make_unique<Listener>(*this, fd, true));
    any = true;
  }
  if (!any && config_.port != 0) {
    *err = "Failed listening on port " + std::to_string(config_.port) + " (tcp), aborting.";
    return false;
  }
  for (auto& l : listeners_) shards_[0]->loop().Add(l->fd(), EPOLLIN, l.get());
  running_shards_.store(int(shards_.size()));
  startup_memory_ = memory::AllocatedBytes();
  for (auto& s : shards_) s->Start();
  return true;
}

namespace {

constexpr std::string_view kProtectedModeDenied =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from the "
    "loopback interface. If you want to connect from external computers to Redis you may adopt "
    "one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG "
    "SET protected-mode no' from the loopback interface by connecting to Redis from the same host "
    "the server is running, however MAKE SURE Redis is not publicly accessible from internet if "
    "you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just "
    "disable the protected mode by editing the Redis configuration file, and setting the "
    "protected mode option to 'no', and then restarting the server. 3) If you started the server "
    "manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an "
    "authentication password for the default user. NOTE: You only need to do one of the above "
    "things in order for the server to start accepting connections from the outside.\r\n";

// "ip:port" from a loopback address (127.0.0.0/8 or ::1).
bool IsLoopbackPeer(const std::string& peer) {
  return peer.rfind("127.", 0) == 0 || peer.rfind("::1:", 0) == 0 ||
         peer.rfind("::ffff:127.", 0) == 0;
}

}  // namespace

void Engine::OnAccept(int fd, std::string peer, std::string local, bool unix_socket) {
  total_connections_.fetch_add(1, std::memory_order_relaxed);
  // Accepting runs on shard 0's thread, and CONFIG SET parks every shard, so
  // reading the configuration here needs no lock.
  if (!unix_socket && config_.protected_mode && config_.requirepass.empty() &&
      !IsLoopbackPeer(peer)) {
    ssize_t r = write(fd, kProtectedModeDenied.data(), kProtectedModeDenied.size());
    (void)r;
    close(fd);
    rejected_connections_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (connected_clients_.load() >= int64_t(config_.maxclients)) {
    static const char kMsg[] = "-ERR max number of clients reached\r\n";
    ssize_t r = write(fd, kMsg, sizeof(kMsg) - 1);
    (void)r;
    close(fd);
    rejected_connections_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  connected_clients_.fetch_add(1);
  if (!unix_socket) {
    net::SetNoDelay(fd);
    if (config_.tcp_keepalive > 0) net::SetKeepAlive(fd, config_.tcp_keepalive);
  }
  uint32_t n = next_shard_for_client_.fetch_add(1, std::memory_order_relaxed);
  Shard& target = *shards_[n % shards_.size()];
  // IDs are taken here, in accept order: a later connection has a higher ID.
  uint64_t id = NextClientId();
  target.PostAdoption(id, fd, std::move(peer), std::move(local), unix_socket);
}

void Engine::Shutdown() {
  // Everything under the lock: once it is released, WaitForShutdown may
  // return and the engine (loops, condition variable) be destroyed while the
  // caller (the signal thread) would still be touching it.
  std::lock_guard<std::mutex> lock(stop_mu_);
  stopping_.store(true);
  for (auto& s : shards_) s->loop().Wake();
  stop_cv_.notify_all();
}

void Engine::WaitForShutdown() {
  {
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait(lock, [this] { return stopping_.load(); });
  }
  for (auto& s : shards_) s->Join();
  // Tasks posted after a shard's thread left its loop (a batch reply, a
  // hop) still own memory: run them here, single-threaded now.
  for (bool ran = true; ran;) {
    ran = false;
    for (auto& s : shards_) ran = s->DrainAfterStop() || ran;
  }
  for (auto& l : listeners_) shards_[0]->loop().Remove(l->fd());
  listeners_.clear();
  if (!config_.unixsocket.empty()) unlink(config_.unixsocket.c_str());
}

void Engine::RunCrossShard(Shard& self, std::vector<int> shards, const std::function<void()>& fn) {
  shards.push_back(self.id());
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  self.stats().cross_shard_runs++;
  if (shards.size() == 1) {
    fn();
    return;
  }
  std::vector<std::shared_ptr<ParkRequest>> parked;
  parked.reserve(shards.size());
  bool own_acquired = false;
  for (int s : shards) {
    if (s == self.id()) {
      own_acquired = true;
      continue;
    }
    auto req = std::make_shared<ParkRequest>();
    req->coordinator = self.id();
    shards_[s]->RequestPark(req);
    for (;;) {
      uint32_t seq = self.signal().load(std::memory_order_acquire);
      if (req->acked.load(std::memory_order_acquire)) break;
      // Before our own shard is reached in the order, it is free: others may
      // park it while we wait (this is what prevents deadlock).
      if (!own_acquired && self.ServeParkRequests()) continue;
      if (req->acked.load(std::memory_order_acquire)) break;
      self.signal().wait(seq, std::memory_order_acquire);
    }
    parked.push_back(std::move(req));
  }
  fn();
  for (size_t i = 0, j = 0; i < shards.size(); i++) {
    if (shards[i] == self.id()) continue;
    auto& req = parked[j++];
    req->released.store(1, std::memory_order_release);
    shards_[shards[i]]->Signal();  // the parked thread waits on its signal word
  }
}

void Engine::RefreshUsedMemory() {
  uint64_t used = memory::AllocatedBytes();
  used_memory_.store(used, std::memory_order_relaxed);
  if (used > used_memory_peak_.load(std::memory_order_relaxed)) {
    used_memory_peak_.store(used, std::memory_order_relaxed);
  }
}

void Engine::NoteMemoryFreed(uint64_t bytes) {
  if (exact_memory_) return;  // the counters have seen it already
  uint64_t used = used_memory_.load(std::memory_order_relaxed);
  used_memory_.store(used > bytes ? used - bytes : 0, std::memory_order_relaxed);
}

void Engine::NoteOverMaxmemory(bool over, int64_t now_us) {
  int64_t since = over_maxmemory_since_us_.load(std::memory_order_relaxed);
  if (over && since == 0) {
    over_maxmemory_since_us_.compare_exchange_strong(since, now_us);
  } else if (!over && since != 0 &&
             over_maxmemory_since_us_.compare_exchange_strong(since, 0)) {
    over_maxmemory_total_us_.fetch_add(uint64_t(std::max<int64_t>(0, now_us - since)));
  }
}

uint64_t Engine::eviction_exceeded_current_ms(int64_t now_us) const {
  int64_t since = over_maxmemory_since_us_.load(std::memory_order_relaxed);
  return since == 0 ? 0 : uint64_t(std::max<int64_t>(0, now_us - since)) / 1000;
}

uint64_t Engine::eviction_exceeded_total_ms(int64_t now_us) const {
  return over_maxmemory_total_us_.load(std::memory_order_relaxed) / 1000 +
         eviction_exceeded_current_ms(now_us);
}

void Engine::RunOnAllShards(Shard& self, const std::function<void()>& fn) {
  std::vector<int> all(shards_.size());
  for (size_t i = 0; i < all.size(); i++) all[i] = int(i);
  RunCrossShard(self, std::move(all), fn);
}

void Engine::AddMonitor(int shard, uint64_t client_id) {
  std::lock_guard<std::mutex> lock(monitors_mu_);
  monitors_.emplace_back(shard, client_id);
  monitor_count_.store(int(monitors_.size()));
}

void Engine::RemoveMonitor(uint64_t client_id) {
  std::lock_guard<std::mutex> lock(monitors_mu_);
  monitors_.erase(std::remove_if(monitors_.begin(), monitors_.end(),
                                 [&](const auto& m) { return m.second == client_id; }),
                  monitors_.end());
  monitor_count_.store(int(monitors_.size()));
}

void Engine::FeedMonitors(const std::string& line) {
  std::vector<std::pair<int, uint64_t>> targets;
  {
    std::lock_guard<std::mutex> lock(monitors_mu_);
    targets = monitors_;
  }
  for (auto [shard_id, client_id] : targets) {
    Shard& s = *shards_[shard_id];
    s.Post([&s, client_id, line] {
      if (Client* c = s.FindClient(client_id)) c->WriteRaw(line);
    });
  }
}

void Engine::SlowlogAdd(SlowlogEntry entry) {
  std::lock_guard<std::mutex> lock(slowlog_mu_);
  entry.id = slowlog_next_id_++;
  slowlog_.push_front(std::move(entry));
  while (!slowlog_.empty() && int64_t(slowlog_.size()) > config_.slowlog_max_len) slowlog_.pop_back();
}

std::vector<SlowlogEntry> Engine::SlowlogGet(int64_t count) {
  std::lock_guard<std::mutex> lock(slowlog_mu_);
  std::vector<SlowlogEntry> out;
  for (const auto& e : slowlog_) {
    if (count >= 0 && int64_t(out.size()) >= count) break;
    out.push_back(e);
  }
  return out;
}

size_t Engine::SlowlogLen() {
  std::lock_guard<std::mutex> lock(slowlog_mu_);
  return slowlog_.size();
}

void Engine::SlowlogReset() {
  std::lock_guard<std::mutex> lock(slowlog_mu_);
  slowlog_.clear();
}

void Engine::LatencyAdd(const std::string& event, int64_t latency_ms) {
  std::lock_guard<std::mutex> lock(latency_mu_);
  auto it = std::find_if(latency_.begin(), latency_.end(),
                         [&](const auto& p) { return p.first == event; });
  if (it == latency_.end()) {
    latency_.emplace_back(event, LatencyEvent{});
    it = latency_.end() - 1;
  }
  LatencyEvent& ev = it->second;
  int64_t now_s = WallTimeMs() / 1000;
  // Samples in the same second are merged, keeping the maximum (as Redis).
  if (!ev.samples.empty()) {
    size_t last = (ev.next + ev.samples.size() - 1) % ev.samples.size();
    if (ev.samples.size() < 160) last = ev.samples.size() - 1;
    if (ev.samples[last].time_s == now_s) {
      ev.samples[last].latency_ms = std::max(ev.samples[last].latency_ms, latency_ms);
      ev.max_ms = std::max(ev.max_ms, latency_ms);
      return;
    }
  }
  if (ev.samples.size() < 160) {
    ev.samples.push_back({now_s, latency_ms});
  } else {
    ev.samples[ev.next] = {now_s, latency_ms};
    ev.next = (ev.next + 1) % 160;
  }
  ev.max_ms = std::max(ev.max_ms, latency_ms);
}

std::vector<std::pair<std::string, LatencyEvent>> Engine::LatencyEvents() {
  std::lock_guard<std::mutex> lock(latency_mu_);
  return latency_;
}

void Engine::LatencyReset(const std::vector<std::string>& events, int64_t* removed) {
  std::lock_guard<std::mutex> lock(latency_mu_);
  *removed = 0;
  if (events.empty()) {
    *removed = int64_t(latency_.size());
    latency_.clear();
    return;
  }
  for (const std::string& name : events) {
    auto it = std::find_if(latency_.begin(), latency_.end(),
                           [&](const auto& p) { return p.first == name; });
    if (it != latency_.end()) {
      latency_.erase(it);
      (*removed)++;
    }
  }
}

}  // namespace lodestone
