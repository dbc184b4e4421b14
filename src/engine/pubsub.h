// Pub/Sub: the channel registry every thread reads, and message delivery.
//
// ChannelRegistry maps channel names (and patterns, and shard channels) to
// their subscribers, each named by (shard, client id). It is the one pub/sub
// structure shared between threads: a reader/writer lock guards the maps, and
// an atomic count of subscriptions lets a PUBLISH (or a keyspace
// notification) with nobody subscribed at all cost one relaxed load.
//
// Delivery. A publisher, on any thread, collects the receivers under the
// shared lock, groups them by shard and posts the message once to each
// shard; that shard's thread formats it for each receiver (RESP2 array or
// RESP3 push) and appends it to the client's output. Receivers on the
// publishing thread's own shard are written directly. Per target shard every
// message therefore takes one FIFO path, so messages from one publisher
// arrive in publish order. A push to the client whose command is executing
// is deferred until that command's reply is written (Redis 7.4 behaviour:
// "published message comes after the publish command's response").
//
// Each client keeps its own subscription sets (Client::subscriptions), read
// and written only on its thread; the registry mirrors them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lodestone {

class Engine;
class Client;

enum class PubSubKind { kChannel = 0, kPattern = 1, kShardChannel = 2 };
inline constexpr int kPubSubKinds = 3;

// Thread-safe map of channel/pattern -> subscribers. Every method may be
// called from any thread.
class ChannelRegistry {
 public:
  struct Subscriber {
    int shard = 0;
    uint64_t client_id = 0;
  };
  // One receiver of a published message. `pattern` is set for a pattern
  // match (pmessage), empty for a direct subscription.
  struct Receiver {
    int shard = 0;
    uint64_t client_id = 0;
    std::shared_ptr<const std::string> pattern;
  };

  // Adds `sub` to `name`; false if it was already there.
  bool Add(PubSubKind kind, std::string_view name, Subscriber sub);
  // Removes the client from `name`; false if it was not there.
  bool Remove(PubSubKind kind, std::string_view name, uint64_t client_id);

  // True when no client subscribes to anything of `kind` (one relaxed load).
  bool Empty(PubSubKind kind) const {
    return subscriptions_[int(kind)].load(std::memory_order_relaxed) == 0;
  }
  // The receivers of a message on `channel`: its subscribers, then (for a
  // non-shard channel) every matching pattern's subscribers. O(subscribers +
  // patterns).
  void Collect(std::string_view channel, bool shard_channel, std::vector<Receiver>* out) const;

  // PUBSUB NUMSUB / SHARDNUMSUB.
  size_t SubscriberCount(PubSubKind kind, std::string_view name) const;
  // PUBSUB NUMPAT and INFO: how many distinct names have subscribers.
  size_t NameCount(PubSubKind kind) const;
  // PUBSUB CHANNELS / SHARDCHANNELS: names matching `pattern` (all when
  // `pattern` is null).
  std::vector<std::string> Names(PubSubKind kind, const std::string_view* pattern) const;

 private:
  struct Entry {
    std::shared_ptr<const std::string> name;  // shared with Receiver::pattern
    std::vector<Subscriber> subscribers;
  };
  using Map = std::unordered_map<std::string, Entry>;

  mutable std::shared_mutex mu_;
  Map maps_[kPubSubKinds];  // guarded by mu_
  std::atomic<size_t> subscriptions_[kPubSubKinds] = {};
};

// The engine-facing side: subscribing clients, publishing, notifications.
class PubSub {
 public:
  // `notify_flags` is ServerConfig::notify_keyspace_events (written only
  // while every shard is parked, so any thread may read it).
  PubSub(Engine& engine, const int* notify_flags) : engine_(engine), notify_flags_(notify_flags) {}

  ChannelRegistry& registry() { return registry_; }

  // Client's thread. Subscribes `c` to `name`; returns false if it already
  // was. After the call, c's subscription sets reflect the change.
  bool Subscribe(Client& c, PubSubKind kind, std::string_view name);
  bool Unsubscribe(Client& c, PubSubKind kind, std::string_view name);
  // Client's thread: drops every subscription (close, RESET).
  void UnsubscribeAll(Client& c);

  // Any thread. Sends `message` to the subscribers of `channel` (shard
  // channels for SPUBLISH); returns how many receivers it was sent to.
  int64_t Publish(std::string_view channel, std::string_view message, bool shard_channel);

  // Any thread. Keyspace notification of class `cls` (kNotify* in
  // server/config.h) for `key` in database `db`: publishes
  // __keyspace@<db>__:<key> <event> and/or __keyevent@<db>__:<event> <key>,
  // as notify-keyspace-events selects. With the class off it costs a load
  // and a branch.
  void Notify(int cls, std::string_view event, std::string_view key, int db) {
    int flags = *notify_flags_;
    if (flags & cls) NotifyKeyspaceEvent(flags, event, key, db);
  }
  void NotifyKeyspaceEvent(int flags, std::string_view event, std::string_view key, int db);
  // Whether notifications of class `cls` are on.
  bool Notifies(int cls) const { return (*notify_flags_ & cls) != 0; }
  // Any thread: how many receivers a Publish would reach now.
  int64_t CountReceivers(std::string_view channel, bool shard_channel) const;

  // The shard whose thread is the calling thread (-1 for a thread that runs
  // no shard). Set once by each shard thread.
  static void SetThreadShard(int shard_id);
  static int ThreadShard();

 private:
  Engine& engine_;
  const int* notify_flags_;
  ChannelRegistry registry_;
};

// Formats a message for a client speaking `resp`: ["message", channel, msg],
// ["pmessage", pattern, channel, msg] or ["smessage", channel, msg].
std::string FormatPubSubMessage(int resp, bool shard_channel, const std::string* pattern,
                                std::string_view channel, std::string_view message);

}  // namespace lodestone
