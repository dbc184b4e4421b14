#include "engine/pubsub.h"

#include <algorithm>
#include <mutex>

#include "common/glob.h"
#include "engine/client.h"
#include "engine/engine.h"
#include "engine/shard.h"
#include "protocol/reply_builder.h"
#include "server/config.h"

namespace lodestone {

namespace {
thread_local int tls_thread_shard = -1;
}  // namespace

// ---------------------------------------------------------------------------
// ChannelRegistry

bool ChannelRegistry::Add(PubSubKind kind, std::string_view name, Subscriber sub) {
  std::unique_lock lock(mu_);
  Map& map = maps_[int(kind)];
  auto it = map.find(std::string(name));
  if (it == map.end()) {
    Entry e;
    e.name = std::make_shared<const std::string>(name);
    it = map.emplace(std::string(name), std::move(e)).first;
  }
  for (const Subscriber& s : it->second.subscribers) {
    if (s.client_id == sub.client_id) return false;
  }
  it->second.subscribers.push_back(sub);
  subscriptions_[int(kind)].fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool ChannelRegistry::Remove(PubSubKind kind, std::string_view name, uint64_t client_id) {
  std::unique_lock lock(mu_);
  Map& map = maps_[int(kind)];
  auto it = map.find(std::string(name));
  if (it == map.end()) return false;
  std::vector<Subscriber>& subs = it->second.subscribers;
  auto pos = std::find_if(subs.begin(), subs.end(),
                          [&](const Subscriber& s) { return s.client_id == client_id; });
  if (pos == subs.end()) return false;
  *pos = subs.back();
  subs.pop_back();
  if (subs.empty()) map.erase(it);
  subscriptions_[int(kind)].fetch_sub(1, std::memory_order_relaxed);
  return true;
}

void ChannelRegistry::Collect(std::string_view channel, bool shard_channel,
                              std::vector<Receiver>* out) const {
  std::shared_lock lock(mu_);
  const Map& direct = maps_[int(shard_channel ? PubSubKind::kShardChannel : PubSubKind::kChannel)];
  if (!direct.empty()) {
    auto it = direct.find(std::string(channel));
    if (it != direct.end()) {
      for (const Subscriber& s : it->second.subscribers) out->push_back({s.shard, s.client_id, {}});
    }
  }
  if (shard_channel) return;
  for (const auto& [pattern, entry] : maps_[int(PubSubKind::kPattern)]) {
    if (!StringMatch(pattern, channel, false)) continue;
    for (const Subscriber& s : entry.subscribers) out->push_back({s.shard, s.client_id, entry.name});
  }
}

size_t ChannelRegistry::SubscriberCount(PubSubKind kind, std::string_view name) const {
  std::shared_lock lock(mu_);
  const Map& map = maps_[int(kind)];
  auto it = map.find(std::string(name));
  return it == map.end() ? 0 : it->second.subscribers.size();
}

size_t ChannelRegistry::NameCount(PubSubKind kind) const {
  std::shared_lock lock(mu_);
  return maps_[int(kind)].size();
}

std::vector<std::string> ChannelRegistry::Names(PubSubKind kind,
                                                const std::string_view* pattern) const {
  std::vector<std::string> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, entry] : maps_[int(kind)]) {
    if (pattern == nullptr || StringMatch(*pattern, name, false)) out.push_back(name);
  }
  return out;
}

// ---------------------------------------------------------------------------
// PubSub

void PubSub::SetThreadShard(int shard_id) { tls_thread_shard = shard_id; }
int PubSub::ThreadShard() { return tls_thread_shard; }

bool PubSub::Subscribe(Client& c, PubSubKind kind, std::string_view name) {
  if (!c.subscriptions(kind).emplace(name).second) return false;
  registry_.Add(kind, name, {c.shard().id(), c.id()});
  return true;
}

bool PubSub::Unsubscribe(Client& c, PubSubKind kind, std::string_view name) {
  auto& set = c.subscriptions(kind);
  auto it = set.find(std::string(name));
  if (it == set.end()) return false;
  set.erase(it);
  registry_.Remove(kind, name, c.id());
  return true;
}

void PubSub::UnsubscribeAll(Client& c) {
  for (int k = 0; k < kPubSubKinds; k++) {
    auto& set = c.subscriptions(PubSubKind(k));
    for (const std::string& name : set) registry_.Remove(PubSubKind(k), name, c.id());
    set.clear();
  }
}

std::string FormatPubSubMessage(int resp, bool shard_channel, const std::string* pattern,
                                std::string_view channel, std::string_view message) {
  std::string out;
  out.reserve(32 + channel.size() + message.size() + (pattern ? pattern->size() : 0));
  protocol::ReplyBuilder rb(&out, resp);
  if (pattern != nullptr) {
    rb.PushHeader(4);
    rb.Bulk("pmessage");
    rb.Bulk(*pattern);
  } else {
    rb.PushHeader(3);
    rb.Bulk(shard_channel ? "smessage" : "message");
  }
  rb.Bulk(channel);
  rb.Bulk(message);
  return out;
}

namespace {

// One message bound for the receivers of one shard.
struct ShardDelivery {
  std::shared_ptr<const std::string> channel;
  std::shared_ptr<const std::string> message;
  bool shard_channel = false;
  std::vector<ChannelRegistry::Receiver> receivers;
};

// On the target shard's thread: formats and appends the message for each
// receiver still connected. Formatting is cached per protocol version and
// pattern, so a channel with many subscribers formats it once or twice.
void Deliver(Shard& shard, const ShardDelivery& d) {
  std::string cached[2];  // direct message, RESP2 and RESP3
  for (const ChannelRegistry::Receiver& r : d.receivers) {
    Client* c = shard.FindClient(r.client_id);
    if (c == nullptr || c->closed()) continue;
    int resp = c->resp == 3 ? 3 : 2;
    if (r.pattern) {
      c->WritePush(FormatPubSubMessage(resp, false, r.pattern.get(), *d.channel, *d.message));
      continue;
    }
    std::string& bytes = cached[resp - 2];
    if (bytes.empty()) bytes = FormatPubSubMessage(resp, d.shard_channel, nullptr, *d.channel, *d.message);
    c->WritePush(bytes);
  }
}

}  // namespace

int64_t PubSub::Publish(std::string_view channel, std::string_view message, bool shard_channel) {
  if (shard_channel) {
    if (registry_.Empty(PubSubKind::kShardChannel)) return 0;
  } else if (registry_.Empty(PubSubKind::kChannel) && registry_.Empty(PubSubKind::kPattern)) {
    return 0;
  }
  std::vector<ChannelRegistry::Receiver> receivers;
  registry_.Collect(channel, shard_channel, &receivers);
  if (receivers.empty()) return 0;

  auto channel_copy = std::make_shared<const std::string>(channel);
  auto message_copy = std::make_shared<const std::string>(message);
  int shards = engine_.shard_count();
  std::vector<ShardDelivery> by_shard(shards);
  for (ChannelRegistry::Receiver& r : receivers) {
    if (r.shard < 0 || r.shard >= shards) continue;
    by_shard[r.shard].receivers.push_back(std::move(r));
  }
  int here = ThreadShard();
  for (int s = 0; s < shards; s++) {
    ShardDelivery& d = by_shard[s];
    if (d.receivers.empty()) continue;
    d.channel = channel_copy;
    d.message = message_copy;
    d.shard_channel = shard_channel;
    Shard& target = engine_.shard(s);
    if (s == here) {
      Deliver(target, d);
    } else {
      target.Post([&target, d = std::move(d)] { Deliver(target, d); });
    }
  }
  return int64_t(receivers.size());
}

int64_t PubSub::CountReceivers(std::string_view channel, bool shard_channel) const {
  std::vector<ChannelRegistry::Receiver> receivers;
  registry_.Collect(channel, shard_channel, &receivers);
  return int64_t(receivers.size());
}

void PubSub::NotifyKeyspaceEvent(int flags, std::string_view event, std::string_view key,
                                 int db) {
  if (registry_.Empty(PubSubKind::kChannel) && registry_.Empty(PubSubKind::kPattern)) return;
  std::string channel;
  if (flags & kNotifyKeyspace) {
    channel = "__keyspace@" + std::to_string(db) + "__:";
    channel.append(key);
    Publish(channel, event, false);
  }
  if (flags & kNotifyKeyevent) {
    channel = "__keyevent@" + std::to_string(db) + "__:";
    channel.append(event);
    Publish(channel, key, false);
  }
}

}  // namespace lodestone
