// Client-side caching: the tracking table, the registry of tracking clients
// and the delivery of invalidation messages (see tracking.h).
#include "engine/tracking.h"

#include <algorithm>
#include <functional>
#include <mutex>

#include "engine/client.h"
#include "engine/command_context.h"
#include "engine/command_table.h"
#include "engine/engine.h"
#include "engine/shard.h"
#include "server/config.h"

namespace lodestone {

// ---- TrackingRegistry ---------------------------------------------------------

void TrackingRegistry::Set(uint64_t client_id, const TrackingTarget& target) {
  std::unique_lock lock(mu_);
  if (targets_.insert_or_assign(client_id, target).second) clients_.fetch_add(1);
}

void TrackingRegistry::Remove(uint64_t client_id) {
  std::unique_lock lock(mu_);
  if (targets_.erase(client_id) > 0) clients_.fetch_sub(1);
}

bool TrackingRegistry::Find(uint64_t client_id, TrackingTarget* out) const {
  std::shared_lock lock(mu_);
  auto it = targets_.find(client_id);
  if (it == targets_.end()) return false;
  *out = it->second;
  return true;
}

// ---- TrackingTable ------------------------------------------------------------

bool TrackingTable::Remember(std::string_view key, uint64_t client_id) {
  auto [it, inserted] = keys_.try_emplace(std::string(key));
  std::vector<uint64_t>& ids = it->second;
  if (std::find(ids.begin(), ids.end(), client_id) == ids.end()) {
    ids.push_back(client_id);
    items_++;
  }
  return inserted;
}

std::vector<uint64_t> TrackingTable::Take(std::string_view key) {
  auto it = keys_.find(std::string(key));
  if (it == keys_.end()) return {};
  std::vector<uint64_t> ids = std::move(it->second);
  items_ -= ids.size();
  keys_.erase(it);
  return ids;
}

const std::string* TrackingTable::SomeKey() const {
  return keys_.empty() ? nullptr : &keys_.begin()->first;
}

size_t TrackingTable::Clear() {
  size_t n = keys_.size();
  keys_.clear();
  items_ = 0;
  return n;
}

void TrackingTable::AddPrefix(const std::string& prefix, uint64_t client_id, uint64_t generation) {
  auto& clients = prefixes_[prefix];
  for (auto& entry : clients) {
    if (entry.first == client_id) {
      entry.second = generation;
      return;
    }
  }
  clients.emplace_back(client_id, generation);
}

void TrackingTable::RemovePrefix(const std::string& prefix, uint64_t client_id,
                                 uint64_t generation) {
  auto it = prefixes_.find(prefix);
  if (it == prefixes_.end()) return;
  auto& clients = it->second;
  clients.erase(std::remove(clients.begin(), clients.end(), std::make_pair(client_id, generation)),
                clients.end());
  if (clients.empty()) prefixes_.erase(it);
}

void TrackingTable::NoteBroadcast(std::string_view key, uint64_t writer) {
  for (const auto& [prefix, clients] : prefixes_) {
    if (key.substr(0, prefix.size()) != prefix) continue;
    pending_[prefix].insert_or_assign(std::string(key), writer);
  }
}

const std::vector<std::pair<uint64_t, uint64_t>>* TrackingTable::PrefixClients(
    const std::string& prefix) const {
  auto it = prefixes_.find(prefix);
  return it == prefixes_.end() ? nullptr : &it->second;
}

// ---- Delivery -------------------------------------------------------------------

namespace {

constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

// "*1\r\n$<len>\r\n<key>\r\n": the array of invalidated keys.
std::string KeyArray(std::string_view key) {
  std::string out = "*1\r\n$" + std::to_string(key.size()) + "\r\n";
  out.append(key);
  out += "\r\n";
  return out;
}

// The array of `keys`, leaving out those last changed by `skip_writer`
// (NOLOOP; 0 keeps all). Empty when nothing is left.
std::string KeyArray(const std::map<std::string, uint64_t>& keys, uint64_t skip_writer) {
  size_t n = 0;
  std::string body;
  for (const auto& [key, writer] : keys) {
    if (skip_writer != 0 && writer == skip_writer) continue;
    n++;
    body += "$" + std::to_string(key.size()) + "\r\n";
    body += key;
    body += "\r\n";
  }
  if (n == 0) return {};
  return "*" + std::to_string(n) + "\r\n" + body;
}

// Writes one invalidation to `receiver`. `keys` is a RESP array of keys, or
// empty for "every key" (a null). `redirected`: the receiver gets it on
// behalf of another client, so a RESP2 receiver in Pub/Sub mode may get it
// as a message on __redis__:invalidate.
void WriteInvalidation(Client& receiver, const std::string& keys, bool redirected) {
  std::string out;
  if (receiver.resp >= 3) {
    out = ">2\r\n$10\r\ninvalidate\r\n";
  } else if (redirected && receiver.in_pubsub_mode()) {
    out = "*3\r\n$7\r\nmessage\r\n$" + std::to_string(kInvalidateChannel.size()) + "\r\n";
    out.append(kInvalidateChannel);
    out += "\r\n";
  } else {
    return;  // RESP2 has no way to push on the same connection
  }
  if (keys.empty()) {
    out += receiver.resp >= 3 ? "_\r\n" : "$-1\r\n";
  } else {
    out += keys;
  }
  receiver.WritePush(out);
}

void ReportBrokenRedirect(Engine& engine, int home_shard, uint64_t client_id, uint64_t generation) {
  Shard& home = engine.shard(home_shard);
  home.Post([&home, client_id, generation] {
    Client* c = home.FindClient(client_id);
    if (c == nullptr || !c->tracking || c->tracking->generation != generation) return;
    c->tracking->broken_redirect = true;
    if (c->resp < 3) return;
    std::string id = std::to_string(c->tracking->redirect_id);
    c->WritePush(">2\r\n$21\r\ntracking-redir-broken\r\n:" + id + "\r\n");
  });
}

// Inside a DirectInvalidationScope (see tracking.h).
thread_local bool tls_direct_delivery = false;

// Sends `keys` (see WriteInvalidation) to whoever receives `client_id`'s
// invalidations: posted to that client's shard, or written at once when it
// is this thread's and a DirectInvalidationScope is open. Any thread.
void Deliver(Engine& engine, uint64_t client_id, const TrackingTarget& t, const std::string& keys) {
  std::function<void()> task;
  Shard* dest;
  if (t.redirect_id == 0) {
    Shard& home = engine.shard(t.home_shard);
    dest = &home;
    task = [&home, client_id, keys] {
      Client* c = home.FindClient(client_id);
      if (c != nullptr && c->tracking) WriteInvalidation(*c, keys, false);
    };
  } else {
    Shard& target = engine.shard(t.redirect_shard);
    dest = &target;
    task = [&engine, &target, redirect_id = t.redirect_id, client_id, home_shard = t.home_shard,
            generation = t.generation, keys] {
      Client* r = target.FindClient(redirect_id);
      if (r == nullptr) {
        ReportBrokenRedirect(engine, home_shard, client_id, generation);
        return;
      }
      WriteInvalidation(*r, keys, true);
    };
  }
  if (tls_direct_delivery && PubSub::ThreadShard() == dest->id()) {
    task();
  } else {
    dest->Post(std::move(task));
  }
}

// Tells every client in `ids` (which had read `key` of `shard`) that it
// changed.
void NotifyReaders(Engine& engine, Shard& shard, const std::vector<uint64_t>& ids,
                   std::string_view key, uint64_t writer) {
  std::string keys = KeyArray(key);
  TrackingTarget t;
  for (uint64_t id : ids) {
    // Gone, tracking off, or switched to BCAST since it read the key.
    if (!engine.tracking().Find(id, &t) || t.bcast) continue;
    if (t.noloop && id == writer) continue;
    if (shard.tracking().ShouldHold(id)) {
      shard.tracking().Hold(id, keys);
      continue;
    }
    Deliver(engine, id, t, keys);
  }
}

}  // namespace

DirectInvalidationScope::DirectInvalidationScope() : previous_(tls_direct_delivery) {
  tls_direct_delivery = true;
}
DirectInvalidationScope::~DirectInvalidationScope() { tls_direct_delivery = previous_; }

// ---- Hooks ------------------------------------------------------------------------

uint64_t TrackingReaderFor(Client& client, const CommandSpec& spec, bool consume_caching) {
  ClientTracking& t = *client.tracking;
  uint64_t reader = 0;
  if (!t.bcast && !((t.optin && !t.caching) || (t.optout && t.caching))) reader = client.id();
  t.command_reader = reader;
  // CLIENT CACHING applies to the next command only (CLIENT subcommands keep it).
  if (consume_caching && t.caching && !(spec.parent != nullptr && spec.parent->name == "client")) {
    t.caching = false;
  }
  return reader;
}

bool TrackingRemembersKeysOf(const CommandSpec& spec) {
  if (!(spec.flags & kReadonly) || (spec.flags & kPubSub)) return false;
  return spec.name != "eval_ro" && spec.name != "evalsha_ro" && spec.name != "fcall_ro";
}

void TrackingRememberKeys(Engine& engine, Shard& shard, bool cross_shard, const CommandSpec& spec,
                          const std::vector<std::string_view>& args, uint64_t reader) {
  if (!TrackingRemembersKeysOf(spec)) return;
  std::vector<int> positions;
  GetKeyPositions(spec, args, &positions);
  if (positions.empty()) return;
  TrackingRegistry& reg = engine.tracking();
  for (int pos : positions) {
    std::string_view key = args[size_t(pos)];
    Shard& owner = cross_shard ? engine.shard(engine.ShardOfKey(key)) : shard;
    if (owner.tracking().Remember(key, reader)) reg.total_keys().fetch_add(1);
  }
  if (!cross_shard) TrackingEnforceLimit(engine, shard);
}

void TrackingInvalidateKey(Engine& engine, Shard& shard, std::string_view key, uint64_t writer) {
  TrackingTable& table = shard.tracking();
  if (table.prefix_count() > 0) table.NoteBroadcast(key, writer);
  std::vector<uint64_t> ids = table.Take(key);
  if (ids.empty()) return;
  engine.tracking().total_keys().fetch_sub(1);
  NotifyReaders(engine, shard, ids, key, writer);
}

uint64_t TrackingReaderOf(CommandContext& ctx) {
  if (ctx.client == nullptr) return ctx.shard.tracking().current_reader();
  return ctx.client->tracking ? ctx.client->tracking->command_reader : 0;
}

void TrackingKeyModified(CommandContext& ctx, Shard& shard, std::string_view key) {
  uint64_t writer = ctx.client != nullptr ? ctx.client->id() : shard.tracking().current_writer();
  TrackingInvalidateKey(ctx.engine, shard, key, writer);
}

void TrackingInvalidateAll(Engine& engine) {
  TrackingRegistry& reg = engine.tracking();
  for (int i = 0; i < engine.shard_count(); i++) {
    Shard& s = engine.shard(i);
    s.tracking().Clear();
    if (reg.client_count() == 0) continue;
    TrackingTarget t;
    for (const auto& [id, c] : s.clients()) {
      if (c->tracking && reg.Find(id, &t)) Deliver(engine, id, t, std::string());
    }
  }
  reg.total_keys().store(0);
}

void TrackingFlushBroadcasts(Engine& engine, Shard& shard) {
  TrackingTable& table = shard.tracking();
  if (!table.has_broadcasts()) return;
  TrackingTable::PendingBroadcasts pending = table.TakeBroadcasts();
  TrackingTarget t;
  for (const auto& [prefix, keys] : pending) {
    const auto* clients = table.PrefixClients(prefix);
    if (clients == nullptr) continue;
    std::string common = KeyArray(keys, 0);
    for (const auto& [id, generation] : *clients) {
      if (!engine.tracking().Find(id, &t) || !t.bcast || t.generation != generation) continue;
      if (t.noloop) {
        std::string own = KeyArray(keys, id);
        if (!own.empty()) Deliver(engine, id, t, own);
      } else {
        Deliver(engine, id, t, common);
      }
    }
  }
}

void TrackingReleaseHeld(Engine& engine, Shard& shard) {
  TrackingTarget t;
  for (const auto& [id, keys] : shard.tracking().TakeHeld()) {
    if (engine.tracking().Find(id, &t)) Deliver(engine, id, t, keys);
  }
}

void TrackingEnforceLimit(Engine& engine, Shard& shard) {
  int64_t max_keys = engine.config().tracking_table_max_keys;
  if (max_keys <= 0) return;
  TrackingRegistry& reg = engine.tracking();
  std::atomic<int64_t>& total = reg.total_keys();
  TrackingTable& table = shard.tracking();
  int64_t now = total.load(std::memory_order_relaxed);
  while (now > max_keys && table.key_count() > 0) {
    // Reserve one eviction first, so shards evicting at the same time never
    // take the table below the limit together.
    if (!total.compare_exchange_weak(now, now - 1)) continue;
    std::string key = *table.SomeKey();
    std::vector<uint64_t> ids = table.Take(key);
    NotifyReaders(engine, shard, ids, key, 0);
    now = total.load(std::memory_order_relaxed);
  }
}

void TrackingEnforceLimitNow(Engine& engine, Shard& own) {
  DirectInvalidationScope direct;
  TrackingEnforceLimit(engine, own);
  int64_t max_keys = engine.config().tracking_table_max_keys;
  if (max_keys <= 0 || engine.tracking().total_keys().load() <= max_keys) return;
  engine.RunOnAllShards(own, [&] {
    for (int i = 0; i < engine.shard_count(); i++) TrackingEnforceLimit(engine, engine.shard(i));
  });
}

void TrackingDisable(Engine& engine, Client& client, bool parked) {
  if (!client.tracking) return;
  std::unique_ptr<ClientTracking> t = std::move(client.tracking);
  engine.tracking().Remove(client.id());
  if (!t->bcast) return;
  uint64_t id = client.id();
  for (int i = 0; i < engine.shard_count(); i++) {
    Shard& s = engine.shard(i);
    if (parked || &s == &client.shard()) {
      for (const std::string& p : t->prefixes) s.tracking().RemovePrefix(p, id, t->generation);
    } else {
      s.Post([&s, id, generation = t->generation, prefixes = t->prefixes] {
        for (const std::string& p : prefixes) s.tracking().RemovePrefix(p, id, generation);
      });
    }
  }
}

TrackingInfo CollectTrackingInfo(Engine& engine) {
  TrackingInfo info;
  info.clients = engine.tracking().client_count();
  for (int i = 0; i < engine.shard_count(); i++) {
    const TrackingTable& table = engine.shard(i).tracking();
    info.keys += table.key_count();
    info.items += table.item_count();
  }
  // Every shard holds every prefix.
  info.prefixes = engine.shard(0).tracking().prefix_count();
  return info;
}

}  // namespace lodestone
