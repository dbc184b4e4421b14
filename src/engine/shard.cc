#include "engine/shard.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>

#include "common/clock.h"
#include "common/log.h"
#include "engine/client.h"
#include "engine/engine.h"
#include "server/config.h"

namespace lodestone {

Shard::Shard(Engine& engine, int id, int databases, uint64_t seed)
    : engine_(engine), id_(id), rng_(seed) {
  dbs_.reserve(databases);
  for (int i = 0; i < databases; i++) dbs_.push_back(std::make_unique<Db>());
  command_stats_.resize(engine.commands().all().size() + 1);
}

Shard::~Shard() {
  for (auto& [id, c] : clients_) delete c;
  for (Client* c : closing_) delete c;
}

bool Shard::stopping() const { return engine_.stopping(); }

void Shard::Post(std::function<void()> task) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    was_empty = inbox_.empty();
    inbox_.push_back(std::move(task));
  }
  // Only the first task of a burst needs to wake the loop.
  if (was_empty) loop_.Wake();
}

void Shard::Start() {
  thread_ = std::thread([this] { Run(); });
}

void Shard::Join() {
  if (thread_.joinable()) thread_.join();
}

void Shard::Signal() {
  signal_.fetch_add(1, std::memory_order_release);
  signal_.notify_all();
}

void Shard::RequestPark(std::shared_ptr<ParkRequest> req) {
  {
    std::lock_guard<std::mutex> lock(park_mu_);
    park_queue_.push_back(std::move(req));
  }
  Signal();        // in case the shard waits as a coordinator
  loop_.Wake();    // in case it sleeps in epoll_wait
}

bool Shard::ServeParkRequests() {
  bool served = false;
  for (;;) {
    std::shared_ptr<ParkRequest> req;
    {
      std::lock_guard<std::mutex> lock(park_mu_);
      if (park_queue_.empty()) return served;
      req = std::move(park_queue_.front());
      park_queue_.pop_front();
    }
    Shard& coordinator = engine_.shard(req->coordinator);
    req->acked.store(1, std::memory_order_release);
    coordinator.Signal();
    // Parked: the coordinator owns this shard's data until it releases us.
    while (req->released.load(std::memory_order_acquire) == 0) {
      req->released.wait(0, std::memory_order_acquire);
    }
    served = true;
  }
}

void Shard::AdoptClient(int fd, std::string peer, std::string local, bool unix_socket) {
  uint64_t id = engine_.NextClientId();
  auto* c = new Client(*this, fd, id, std::move(peer), std::move(local), unix_socket);
  if (!loop_.Add(fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, c)) {
    delete c;
    return;
  }
  clients_[id] = c;
  // Data may already be waiting; edge-triggered epoll reports it anyway on
  // registration, so nothing else to do.
}

void Shard::RemoveClient(Client* c) {
  clients_.erase(c->id());
  paused_clients_.erase(std::remove(paused_clients_.begin(), paused_clients_.end(), c),
                        paused_clients_.end());
  closing_.push_back(c);
}

Client* Shard::FindClient(uint64_t id) {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second;
}

void Shard::MarkPendingWrite(Client* c) {
  if (c->pending_write_registered_) return;
  c->pending_write_registered_ = true;
  pending_writes_.push_back(c);
}

void Shard::FlushPendingWrites() {
  // A write may trigger more work (a closed client), so iterate by index.
  for (size_t i = 0; i < pending_writes_.size(); i++) {
    Client* c = pending_writes_[i];
    c->pending_write_registered_ = false;
    if (!c->closed()) c->FlushOutput();
  }
  pending_writes_.clear();
  // Free closed clients that no batch refers to any more.
  if (!closing_.empty()) {
    auto it = std::remove_if(closing_.begin(), closing_.end(), [](Client* c) {
      if (!c->Reclaimable()) return false;
      delete c;
      return true;
    });
    closing_.erase(it, closing_.end());
  }
}

void Shard::RetryPausedClients() {
  std::vector<Client*> retry;
  retry.swap(paused_clients_);
  for (Client* c : retry) {
    if (c->closed()) continue;
    c->ResumeAfterPause();
  }
}

void Shard::DrainInbox() {
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    draining_.swap(inbox_);
  }
  for (auto& task : draining_) task();
  draining_.clear();
}

void Shard::Cron() {
  const ServerConfig& cfg = engine_.config();
  int64_t now_ms = WallTimeMs();
  // Active expiry: Redis gives the slow cycle 25% of each cron period.
  if (engine_.active_expire_enabled().load(std::memory_order_relaxed)) {
    int hz = cfg.hz > 0 ? cfg.hz : 10;
    int64_t budget_us = 1000000 / hz / 4;
    int64_t start = MonotonicUs();
    for (auto& db : dbs_) {
      if (db->expires_count() == 0) continue;
      int64_t left = budget_us - (MonotonicUs() - start);
      if (left <= 0) {
        stats_.expired_time_cap_reached++;
        break;
      }
      db->ActiveExpireCycle(now_ms, left, rng_);
    }
  }
  for (auto& db : dbs_) db->RehashStep();
  // Idle client timeout.
  if (cfg.timeout > 0) {
    std::vector<Client*> idle;
    for (auto& [id, c] : clients_) {
      if (now_ms - c->last_interaction_ms > int64_t(cfg.timeout) * 1000) idle.push_back(c);
    }
    for (Client* c : idle) c->Close();
  }
  // Clients killed from other threads.
  std::vector<Client*> doomed;
  for (auto& [id, c] : clients_) {
    if (c->flags & kClientCloseAsap) doomed.push_back(c);
  }
  for (Client* c : doomed) c->Close();
}

void Shard::Run() {
  while (!engine_.stopping()) {
    int64_t now = MonotonicUs();
    int hz = engine_.config().hz > 0 ? engine_.config().hz : 10;
    if (now >= next_cron_us_) {
      Cron();
      next_cron_us_ = now + 1000000 / hz;
    }
    int timeout_ms = int((next_cron_us_ - now) / 1000) + 1;
    if (!paused_clients_.empty()) timeout_ms = std::min(timeout_ms, 10);
    if (!pending_writes_.empty()) timeout_ms = 0;
    loop_.Poll(timeout_ms);
    if (!paused_clients_.empty()) RetryPausedClients();
    ServeParkRequests();
    DrainInbox();
    FlushPendingWrites();
  }
  // Keep serving park requests until every shard has left its loop, so a
  // coordinator that started before the shutdown can finish.
  engine_.running_shards().fetch_sub(1);
  while (engine_.running_shards().load() > 0) {
    if (!ServeParkRequests()) usleep(200);
  }
  ServeParkRequests();
  DrainInbox();
  FlushPendingWrites();
  std::vector<Client*> all;
  for (auto& [id, c] : clients_) all.push_back(c);
  for (Client* c : all) c->Close();
  FlushPendingWrites();
}

}  // namespace lodestone
