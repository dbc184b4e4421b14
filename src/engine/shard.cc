#include "engine/shard.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>

#include "common/clock.h"
#include "common/log.h"
#include "engine/acl_check.h"
#include "engine/client.h"
#include "engine/command_table.h"
#include "engine/engine.h"
#include "engine/executor.h"
#include "protocol/reply_builder.h"
#include "server/config.h"

// mimalloc's collection of free memory, when mimalloc is linked (weak).
extern "C" {
void mi_collect(bool force) __attribute__((weak));
}

namespace lodestone {

Shard::Shard(Engine& engine, int id, int databases, uint64_t seed)
    : engine_(engine), id_(id), rng_(seed), watches_(databases) {
  dbs_.reserve(databases);
  for (int i = 0; i < databases; i++) {
    dbs_.push_back(std::make_unique<Db>());
    dbs_.back()->set_expire_listener([this, i](std::string_view key) { OnKeyExpired(i, key); });
    dbs_.back()->set_add_listener([this, i](std::string_view key) { OnKeyAdded(i, key); });
  }
  command_stats_.resize(engine.commands().all().size() + 1);
}

Shard::~Shard() {
  for (auto& [id, c] : clients_) delete c;
  for (Client* c : closing_) delete c;
}

int Shard::DbIndexOf(const Db& db) const {
  for (size_t i = 0; i < dbs_.size(); i++) {
    if (dbs_[i].get() == &db) return int(i);
  }
  return 0;
}

bool Shard::stopping() const { return engine_.stopping(); }

// Everything that reacts to a key expiring hooks in here (a Db has one
// expire listener).
void Shard::OnKeyExpired(int db, std::string_view key) {
  // An expired key is deleted: that changes it for WATCH.
  if (!watches_.empty()) watches_.Touch(db, key, false);
  if (tracking_.active()) TrackingInvalidateKey(engine_, *this, key, 0);
  engine_.pubsub().Notify(kNotifyExpired, "expired", key, db);
}

void Shard::OnKeyEvicted(int db, std::string_view key) {
  stats_.evicted_keys++;
  if (!watches_.empty()) watches_.Touch(db, key, false);
  if (tracking_.active()) TrackingInvalidateKey(engine_, *this, key, 0);
  engine_.pubsub().Notify(kNotifyEvicted, "evicted", key, db);
}

void Shard::OnKeyAdded(int db, std::string_view key) {
  engine_.pubsub().Notify(kNotifyNew, "new", key, db);
}

// The cron expired elements of `key` (hash fields, the only elements with a
// TTL): "hexpired", then "del" when the key goes with them.
void Shard::OnElementsExpired(int db, std::string_view key, bool emptied) {
  engine_.pubsub().Notify(kNotifyHash, "hexpired", key, db);
  if (emptied) engine_.pubsub().Notify(kNotifyGeneric, "del", key, db);
}

void Shard::Post(std::function<void()> task) {
  bool was_empty;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    was_empty = inbox_.empty();
    inbox_.push_back(std::move(task));
    has_inbox_.store(true, std::memory_order_release);
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
    park_pending_.store(park_queue_.size(), std::memory_order_release);
  }
  Signal();        // in case the shard waits as a coordinator
  loop_.Wake();    // in case it sleeps in epoll_wait
}

bool Shard::ServeParkRequests() {
  bool served = false;
  for (;;) {
    // A request pushed after this look also wakes the loop (RequestPark),
    // so the next iteration sees it.
    if (park_pending_.load(std::memory_order_acquire) == 0) return served;
    std::shared_ptr<ParkRequest> req;
    {
      std::lock_guard<std::mutex> lock(park_mu_);
      if (park_queue_.empty()) return served;
      req = std::move(park_queue_.front());
      park_queue_.pop_front();
      park_pending_.store(park_queue_.size(), std::memory_order_release);
    }
    Shard& coordinator = engine_.shard(req->coordinator);
    req->acked.store(1, std::memory_order_release);
    coordinator.Signal();
    // Parked: the coordinator owns this shard's data until it releases us.
    // While a script runs past busy-reply-threshold, keep answering this
    // thread's clients (BUSY, SCRIPT KILL); the coordinator signals us when
    // it becomes busy and when it releases.
    ScriptBusyState& busy = engine_.script_busy;
    for (;;) {
      uint32_t seq = signal_.load(std::memory_order_acquire);
      if (req->released.load(std::memory_order_acquire) != 0) break;
      if (busy.busy.load(std::memory_order_acquire) > 0) {
        ServeWhileBusy(5);
        continue;
      }
      signal_.wait(seq, std::memory_order_acquire);
    }
    served = true;
  }
}

void Shard::ServeWhileBusy(int timeout_ms) {
  loop_.Poll(timeout_ms);
  DrainAdoptions();
  // The script may have started from the middle of an outer Poll whose
  // remaining events (other clients' input) are not reported again, edge-
  // triggered: every 10 ms try reading every client (EAGAIN when idle).
  int64_t now_us = MonotonicUs();
  if (now_us - last_busy_sweep_us_ >= 10000) {
    last_busy_sweep_us_ = now_us;
    std::vector<Client*> all;
    all.reserve(clients_.size());
    for (auto& [id, c] : clients_) all.push_back(c);
    for (Client* c : all) {
      if (c->closed() || c->in_process_) continue;
      c->readable_ = true;
      c->ReadFromSocket();
    }
  }
  FlushPendingWrites();
}

void Shard::PostAdoption(uint64_t id, int fd, std::string peer, std::string local,
                         bool unix_socket) {
  {
    std::lock_guard<std::mutex> lock(adopt_mu_);
    adoptions_.push_back(Adoption{id, fd, std::move(peer), std::move(local), unix_socket});
  }
  has_adoptions_.store(true, std::memory_order_release);
  loop_.Wake();
}

void Shard::DrainAdoptions() {
  if (!has_adoptions_.load(std::memory_order_acquire)) return;
  std::vector<Adoption> batch;
  {
    std::lock_guard<std::mutex> lock(adopt_mu_);
    batch.swap(adoptions_);
    has_adoptions_.store(false, std::memory_order_relaxed);
  }
  for (Adoption& a : batch) {
    AdoptClient(a.id, a.fd, std::move(a.peer), std::move(a.local), a.unix_socket);
  }
}

void Shard::AdoptClient(uint64_t id, int fd, std::string peer, std::string local,
                        bool unix_socket) {
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
  RemoveBlockedClient(c);
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

void Shard::RegisterBlocked(const std::shared_ptr<BlockedClient>& bc,
                            const std::vector<std::string>& keys) {
  int64_t now_ms = WallTimeMs();
  for (const std::string& key : keys) {
    blocking_.Register(bc->db, key, bc);
    if (db(bc->db).Lookup(key, now_ms) != nullptr) blocking_.SignalReady(bc->db, key);
  }
}

void Shard::RemoveBlockedClient(Client* c) {
  blocked_clients_.erase(std::remove(blocked_clients_.begin(), blocked_clients_.end(), c),
                         blocked_clients_.end());
}

namespace {

// As in Redis, a waiter is woken only by a key of the type it waits for: a
// list made ready and then replaced by a string in the same transaction
// (MULTI, LPUSH, DEL, SET, EXEC) wakes no BLPOP. A missing key is left to
// the command, which blocks again. XREADGROUP is always run again (Redis's
// unblock_on_nokey): a deleted or retyped stream ends its wait with an error.
bool ServesType(const CommandSpec& spec, const Entry* entry) {
  if (entry == nullptr || spec.name == "xreadgroup") return true;
  ObjType t = entry->value.type();
  if (spec.group == "list") return t == ObjType::kList;
  if (spec.group == "sorted-set") return t == ObjType::kZSet;
  if (spec.group == "stream") return t == ObjType::kStream;
  return true;
}

}  // namespace

void Shard::ServeReadyKeys() {
  // Serving runs commands, whose writes may signal more keys: those are
  // picked up by this loop rather than by a nested call.
  if (serving_blocked_) return;
  serving_blocked_ = true;
  while (blocking_.HasReady()) {
    for (auto& [db_index, key] : blocking_.TakeReady()) {
      auto* queue = blocking_.Waiters(db_index, key);
      while (queue != nullptr && !queue->empty()) {
        std::shared_ptr<BlockedClient> bc = queue->front();
        if (!bc->TryClaim()) {  // already served, timed out or gone
          queue->pop_front();
          continue;
        }
        if (!ServesType(*bc->spec, db(db_index).Find(key))) {
          bc->Unclaim();  // the key changed type since it was signalled
          break;
        }
        Shard& home = engine_.shard(bc->home_shard);
        uint64_t client_id = bc->client_id;
        if (!bc->single_shard) {
          // Keys on several shards: the client retries as a cross-shard run.
          queue->pop_front();
          home.Post([&home, client_id, bc] {
            if (Client* c = home.FindClient(client_id)) c->OnBlockedRetry(bc);
          });
          continue;
        }
        std::vector<std::string_view> args(bc->args.begin(), bc->args.end());
        std::string reply;
        protocol::ReplyBuilder rb(&reply, bc->resp);
        BlockRequest again;
        std::string denied;
        if (!AclAllowsBlocked(engine_, *bc, args, &denied)) {
          // Refused as Redis refuses it when reprocessing: an error reply,
          // counted as a rejected call.
          rb.Error(denied);
          command_stats()[bc->spec->id].rejected_calls++;
          stats_.CountErrorReply(denied);
        } else {
          tracking_.BeginServing(client_id);
          ExecuteCommand(engine_, *this, *bc->spec, args, rb, bc->db, nullptr, false, &again);
          tracking_.EndServing();
        }
        if (again.requested) {
          bc->Unclaim();  // nothing for it after all: it keeps its place
          break;
        }
        queue->pop_front();
        home.Post([&home, client_id, bc, reply = std::move(reply)]() mutable {
          if (Client* c = home.FindClient(client_id)) c->OnBlockedServed(bc, std::move(reply));
        });
        if (tracking_.has_held()) TrackingReleaseHeld(engine_, *this);
        queue = blocking_.Waiters(db_index, key);
      }
    }
  }
  serving_blocked_ = false;
}

void Shard::CheckBlockedTimeouts(int64_t now_ms) {
  std::vector<Client*> expired;
  for (Client* c : blocked_clients_) {
    int64_t deadline = c->block_deadline_ms();
    if (deadline > 0 && deadline <= now_ms) expired.push_back(c);
  }
  for (Client* c : expired) c->OnBlockTimeout(false);
}

int64_t Shard::NextBlockedDeadline() const {
  int64_t next = 0;
  for (Client* c : blocked_clients_) {
    int64_t d = c->block_deadline_ms();
    if (d > 0 && (next == 0 || d < next)) next = d;
  }
  return next;
}

void Shard::RetryPausedClients() {
  std::vector<Client*> retry;
  retry.swap(paused_clients_);
  for (Client* c : retry) {
    if (c->closed()) continue;
    c->ResumeAfterPause();
  }
}

bool Shard::DrainInbox() {
  // A task posted after this look wakes the loop again (Post).
  if (!has_inbox_.load(std::memory_order_acquire)) return false;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    draining_.swap(inbox_);
    has_inbox_.store(false, std::memory_order_relaxed);
  }
  bool ran = !draining_.empty();
  for (auto& task : draining_) task();
  draining_.clear();
  return ran;
}

bool Shard::DrainAfterStop() {
  bool ran = has_adoptions_.load(std::memory_order_acquire);
  DrainAdoptions();
  ran = DrainInbox() || ran;
  FlushPendingWrites();
  return ran;
}

void Shard::Cron() {
  const ServerConfig& cfg = engine_.config();
  int64_t now_ms = WallTimeMs();
  // Active expiry: Redis gives the slow cycle 25% of each cron period.
  const bool active_expire = engine_.active_expire_enabled().load(std::memory_order_relaxed);
  if (active_expire) {
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
  for (int i = 0; i < int(dbs_.size()); i++) {
    Db& db = *dbs_[i];
    db.RehashStep();
    // Field expiry is part of Redis's active expire cycle: off with it.
    if (active_expire && db.volatile_key_count() > 0) {
      db.ActiveExpireElements(now_ms, 1000, [this, i](std::string_view key, bool emptied) {
        OnElementsExpired(i, key, emptied);
      });
    }
  }
  blocking_.Purge();
  // After evictions, hand this thread's freed pages back (the maxmemory
  // check reads the allocator's committed bytes, which otherwise lag).
  if (stats_.evicted_keys != evicted_at_last_collect_) {
    evicted_at_last_collect_ = stats_.evicted_keys;
    if (mi_collect != nullptr) mi_collect(true);
  }
  TrackingEnforceLimit(engine_, *this);
  if (id_ == 0) engine_.RefreshUsedMemory();
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
    // A soft output limit also expires while no more output arrives.
    if (c->soft_limit_since_ms_ != 0) c->CheckOutputLimits();
    if (c->flags & kClientCloseAsap) doomed.push_back(c);
  }
  for (Client* c : doomed) c->Close();
}

void Shard::Run() {
  PubSub::SetThreadShard(id_);
  // Posted work runs before the input that woke the loop with it.
  loop_.set_wake_handler([this] { DrainInbox(); });
  while (!engine_.stopping()) {
    int64_t now = MonotonicUs();
    int hz = engine_.config().hz > 0 ? engine_.config().hz : 10;
    if (now >= next_cron_us_) {
      Cron();
      next_cron_us_ = now + 1000000 / hz;
    }
    int timeout_ms = int((next_cron_us_ - now) / 1000) + 1;
    if (!paused_clients_.empty()) timeout_ms = std::min(timeout_ms, 10);
    if (!blocked_clients_.empty()) {
      int64_t next = NextBlockedDeadline();
      if (next > 0) {
        int64_t wait = next - WallTimeMs();
        timeout_ms = int(std::clamp<int64_t>(wait, 0, timeout_ms));
      }
    }
    if (!pending_writes_.empty()) timeout_ms = 0;
    loop_.Poll(timeout_ms);
    if (!paused_clients_.empty()) RetryPausedClients();
    ServeParkRequests();
    DrainAdoptions();
    DrainInbox();
    if (blocking_.HasReady()) ServeReadyKeys();
    if (!blocked_clients_.empty()) CheckBlockedTimeouts(WallTimeMs());
    if (tracking_.has_broadcasts()) TrackingFlushBroadcasts(engine_, *this);
    FlushPendingWrites();
  }
  // Keep serving park requests until every shard has left its loop, so a
  // coordinator that started before the shutdown can finish.
  engine_.running_shards().fetch_sub(1);
  while (engine_.running_shards().load() > 0) {
    if (!ServeParkRequests()) usleep(200);
  }
  ServeParkRequests();
  DrainAdoptions();
  DrainInbox();
  FlushPendingWrites();
  std::vector<Client*> all;
  for (auto& [id, c] : clients_) all.push_back(c);
  for (Client* c : all) c->Close();
  FlushPendingWrites();
}

}  // namespace lodestone
