// CommandContext: everything a command handler may touch. Handlers are
// written as if single-threaded: while one runs, every shard it may reach
// through this context belongs to it.
//
//   - A single-shard command runs on its keys' shard (on the client's thread
//     or as a hop); db() is that shard's database.
//   - A cross-shard command (keys on several shards, or kAllShards) runs on
//     the client's thread with the shards parked; DbFor(key) finds each key's
//     database, shard(i) any shard.
//   - client is the calling client when the handler runs on its thread (always
//     for keyless and cross-shard commands), and nullptr for a hop.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/command_table.h"
#include "engine/engine.h"
#include "engine/executor.h"
#include "protocol/errors.h"
#include "protocol/reply_builder.h"
#include "storage/db.h"

namespace lodestone {

class Client;
struct ServerConfig;

class CommandContext {
 public:
  CommandContext(Engine& engine, Shard& shard, const CommandSpec& spec,
                 const std::vector<std::string_view>& args, protocol::ReplyBuilder& reply,
                 int db_index, Client* client, bool cross_shard, int64_t now_ms)
      : engine(engine), shard(shard), spec(spec), args(args), reply(reply), db_index(db_index),
        client(client), cross_shard(cross_shard), now_ms(now_ms) {}

  size_t argc() const { return args.size(); }
  std::string_view arg(size_t i) const { return args[i]; }

  // The database of the shard this command runs on.
  Db& db() { return shard.db(db_index); }
  // The database holding `key` (the command's shard, or a parked one).
  Db& DbFor(std::string_view key) { return ShardFor(key).db(db_index); }
  Shard& ShardFor(std::string_view key) {
    return cross_shard ? engine.shard(engine.ShardOfKey(key)) : shard;
  }
  ServerConfig& config() { return engine.config(); }

  // Records a change to the keyspace: the dirty counter, and WATCH (a
  // transaction watching the key will fail; one branch when nothing on the
  // key's shard is watched). Later tracking and notifications hook in here.
  // Call after the change. `dirty`: how many changes Redis counts for it
  // (LPUSH counts each element, LMOVE's push none).
  void KeyModified(Db& db, std::string_view key, uint64_t dirty = 1) {
    Shard& owner = ShardFor(key);
    owner.stats().dirty += dirty;
    if (!owner.watches().empty()) {
      owner.watches().Touch(owner.DbIndexOf(db), key, db.Find(key) != nullptr);
    }
    if (owner.tracking().active()) TrackingKeyModified(*this, owner, key);
  }
  // Keyspace notification (notify-keyspace-events): `cls` is one of the
  // kNotify* classes of server/config.h (kNotifyString, kNotifyList, ...),
  // `event` Redis's event name ("set", "lpush", "expire", ...). Costs one
  // load and a branch when notifications are off. Publishes
  // __keyspace@<db>__:<key> and __keyevent@<db>__:<event> (engine/pubsub.h);
  // works from any thread (hops and cross-shard executions included).
  // Inside a script (hooks->deferred) the publication is queued and made
  // when the script commits: a script may be rolled back and run again
  // (see scripting/script_runner.h).
  void Notify(int cls, std::string_view event, std::string_view key) {
    NotifyInDb(db_index, cls, event, key);
  }
  // The same for database `db` (MOVE's and COPY's target database).
  void NotifyInDb(int db, int cls, std::string_view event, std::string_view key) {
    if (!engine.pubsub().Notifies(cls)) return;  // the common case: one load
    PublishNotification(db, cls, event, key);
  }
  // Blocking commands (BLPOP & co.). A handler that finds nothing to serve
  // calls BlockOn; the client then waits until a key is signalled ready (the
  // command is executed again from scratch) or the timeout passes (the
  // client gets a null array). Returns false when the client cannot block
  // (inside MULTI or a script, or blocking is unavailable): the handler then
  // replies as on timeout. timeout_ms 0 means forever.
  // See engine/blocking.h for how the wait is served.
  // `rewritten_args`, when not empty, is what to execute when a key is
  // ready, instead of the command as sent.
  bool BlockOn(const std::vector<std::string_view>& keys, int64_t timeout_ms,
               std::vector<std::string> rewritten_args = {}) {
    if (block == nullptr || !(spec.flags & kBlocking)) return false;
    block->requested = true;
    block->keys.assign(keys.begin(), keys.end());
    block->timeout_ms = timeout_ms;
    block->args = std::move(rewritten_args);
    block->timeout_reply.clear();
    return true;
  }
  // Called after a write that may let a blocked client proceed (a push to a
  // list, ZADD to a sorted set, ...).
  void SignalKeyReady(Db& db, std::string_view key) {
    Shard& owner = ShardFor(key);
    int index = &db == &owner.db(db_index) ? db_index : owner.DbIndexOf(db);  // MOVE, COPY DB
    owner.blocking().SignalReady(index, key);
  }

  void CountHit(bool hit) {
    if (hit) {
      shard.stats().keyspace_hits++;
    } else {
      shard.stats().keyspace_misses++;
    }
  }

  // NotifyInDb with the class on: publishes now, or queues it for a script.
  void PublishNotification(int db, int cls, std::string_view event, std::string_view key);

  Engine& engine;
  Shard& shard;
  const CommandSpec& spec;
  const std::vector<std::string_view>& args;
  protocol::ReplyBuilder& reply;
  int db_index;
  Client* client;
  bool cross_shard;
  int64_t now_ms;
  BlockRequest* block = nullptr;  // where BlockOn records a wait; null = cannot block
  // Scripting: routing scope and deferred side effects (engine/executor.h);
  // null for ordinary commands.
  ExecHooks* hooks = nullptr;
};

}  // namespace lodestone
