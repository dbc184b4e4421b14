#include "engine/transaction.h"

#include <functional>

#include "common/clock.h"
#include "engine/acl_check.h"
#include "engine/client.h"
#include "engine/command_context.h"
#include "engine/command_table.h"
#include "engine/engine.h"
#include "engine/executor.h"
#include "engine/shard.h"
#include "engine/tracking.h"
#include "protocol/errors.h"

namespace lodestone {

namespace {

constexpr int kNoKeys = -1;      // runs on the client's shard
constexpr int kSeveralShards = -2;

// The shard a queued command's keys live on (kNoKeys, kSeveralShards, or a
// shard id); every shard it touches is appended to *shards.
int ShardsOfCommand(Engine& engine, const CommandSpec& spec,
                    const std::vector<std::string_view>& args, std::vector<int>* shards) {
  if (spec.key_specs.empty()) return kNoKeys;
  std::vector<int> positions;
  GetKeyPositions(spec, args, &positions);
  int target = kNoKeys;
  for (int pos : positions) {
    int s = engine.ShardOfKey(args[size_t(pos)]);
    shards->push_back(s);
    if (target == kNoKeys) {
      target = s;
    } else if (s != target) {
      target = kSeveralShards;
    }
  }
  return target;
}

// A script may touch keys it did not declare, and inside EXEC it cannot be
// retried over more shards: a transaction holding one holds every shard.
bool IsScript(const CommandSpec& spec) {
  static constexpr std::string_view kScripts[] = {"eval", "evalsha", "eval_ro",
                                                  "evalsha_ro", "fcall", "fcall_ro"};
  for (std::string_view name : kScripts) {
    if (spec.name == name) return true;
  }
  return false;
}

// Runs fn holding `shards` (every shard if `all`); inline, without the park
// protocol, when that is only the client's own shard.
void RunHolding(Engine& engine, Shard& home, bool all, const std::vector<int>& shards,
                const std::function<void()>& fn) {
  if (all) return engine.RunOnAllShards(home, fn);
  bool local = true;
  for (int s : shards) local = local && s == home.id();
  if (local) return fn();
  engine.RunCrossShard(home, shards, fn);
}

}  // namespace

void Transaction::Queue(const CommandSpec& spec, const std::vector<std::string_view>& args) {
  if (aborted_ || dirty()) return;  // EXEC fails anyway: keep nothing
  QueuedCommand& q = queue_.emplace_back();
  q.spec = &spec;
  q.args.assign(args.begin(), args.end());
  for (std::string_view a : args) queued_bytes_ += a.size();
  queued_flags_ |= spec.flags;
}

void Transaction::ClearQueue() {
  queue_.clear();
  queue_.shrink_to_fit();
  queued_bytes_ = 0;
  queued_flags_ = 0;
  active_ = false;
  aborted_ = false;
}

void Transaction::Reset(Shard& home) {
  ClearQueue();
  UnwatchAll(home.engine(), home, false);
}

void Transaction::UnwatchAll(Engine& engine, Shard& home, bool held) {
  if (!state_) return;
  std::vector<std::vector<std::pair<int, std::string>>> remote(size_t(engine.shard_count()));
  for (const auto& [db, key] : watched_) {
    Shard& s = engine.shard(engine.ShardOfKey(key));
    if (held || &s == &home) {
      s.watches().Remove(db, key, state_.get());
    } else {
      remote[size_t(s.id())].emplace_back(db, key);
    }
  }
  for (size_t i = 0; i < remote.size(); i++) {
    if (remote[i].empty()) continue;
    Shard& target = engine.shard(int(i));
    // The task keeps the state alive, so its address cannot be reused by a
    // later WATCH before the removal has run.
    target.Post([&target, state = state_, keys = std::move(remote[i])] {
      for (const auto& [db, key] : keys) target.watches().Remove(db, key, state.get());
    });
  }
  watched_.clear();
  state_.reset();
}

bool Transaction::AnyWatchedKeyExpired(Engine& engine, int64_t now_ms) const {
  for (const auto& [db, key] : watched_) {
    Shard& s = engine.shard(engine.ShardOfKey(key));
    if (s.watches().ExpiredSinceWatch(db, key, state_.get(), s.db(db), now_ms)) return true;
  }
  return false;
}

// MULTI
void Transaction::Multi(CommandContext& ctx) {
  if (active_) return ctx.reply.Error(protocol::kNestedMulti);
  active_ = true;
  ctx.reply.Ok();
}

// DISCARD
void Transaction::Discard(CommandContext& ctx) {
  if (!active_) return ctx.reply.Error(protocol::kDiscardWithoutMulti);
  Reset(ctx.shard);
  ctx.reply.Ok();
}

// UNWATCH
void Transaction::Unwatch(CommandContext& ctx) {
  UnwatchAll(ctx.engine, ctx.shard, false);
  ctx.reply.Ok();
}

// WATCH key [key ...]
void Transaction::Watch(CommandContext& ctx) {
  if (active_) return ctx.reply.Error(protocol::kWatchInsideMulti);
  if (dirty()) return ctx.reply.Ok();  // EXEC fails anyway
  Engine& engine = ctx.engine;
  if (!state_) state_ = std::make_shared<WatchState>();
  int db = ctx.client->db;
  std::vector<int> shards;
  for (size_t i = 1; i < ctx.argc(); i++) shards.push_back(engine.ShardOfKey(ctx.arg(i)));
  RunHolding(engine, ctx.shard, false, shards, [&] {
    for (size_t i = 1; i < ctx.argc(); i++) {
      std::string_view key = ctx.arg(i);
      if (!watched_.emplace(db, std::string(key)).second) continue;
      Shard& s = engine.shard(engine.ShardOfKey(key));
      Entry* e = s.db(db).Find(key);
      s.watches().Add(db, key, state_, e != nullptr && s.db(db).IsExpired(e, ctx.now_ms));
    }
  });
  ctx.reply.Ok();
}

// EXEC
void Transaction::Exec(CommandContext& ctx) {
  if (!active_) return ctx.reply.Error(protocol::kExecWithoutMulti);
  Engine& engine = ctx.engine;
  Shard& home = ctx.shard;
  if (aborted_) {
    ctx.reply.Error(protocol::kExecAbort);
    return Reset(home);
  }
  Client& client = *ctx.client;

  // Where each queued command runs, and every shard the execution needs.
  std::vector<std::vector<std::string_view>> argv(queue_.size());
  std::vector<int> targets(queue_.size());
  std::vector<int> shards;
  bool all = false;
  for (size_t i = 0; i < queue_.size(); i++) {
    argv[i].assign(queue_[i].args.begin(), queue_[i].args.end());
    if ((queue_[i].spec->flags & kAllShards) || IsScript(*queue_[i].spec)) {
      all = true;
      targets[i] = kSeveralShards;
    } else {
      targets[i] = ShardsOfCommand(engine, *queue_[i].spec, argv[i], &shards);
    }
  }
  for (const auto& [db, key] : watched_) shards.push_back(engine.ShardOfKey(key));

  bool failed = false;
  RunHolding(engine, home, all, shards, [&] {
    if (state_ && (dirty() || AnyWatchedKeyExpired(engine, WallTimeMs()))) {
      failed = true;
      return UnwatchAll(engine, home, true);
    }
    UnwatchAll(engine, home, true);  // nothing needs watching any more
    ctx.reply.ArrayHeader(queue_.size());
    // The commands' own builder: their errors are theirs, not EXEC's.
    protocol::ReplyBuilder rb(ctx.reply.out(), client.resp);
    // Client-side caching: the keys the transaction reads are remembered for
    // the client, as decided for EXEC when it was dispatched.
    uint64_t reader = TrackingReaderOf(ctx);
    for (size_t i = 0; i < queue_.size(); i++) {
      // A command on one shard runs as that shard's own (ctx.db() is its
      // database); a command on several runs from the client's shard. Both
      // are marked cross-shard: the shards are held, and blocked clients are
      // served only once the transaction is over.
      Shard& runner = targets[i] >= 0 ? engine.shard(targets[i]) : home;
      rb.set_resp(client.resp);  // HELLO inside MULTI changes it
      // ACL rules may have changed since the command was queued.
      std::string denied;
      if (client.acl_free_generation != engine.acl().generation() &&
          !AclAllows(client, *queue_[i].spec, argv[i], acl::LogContext::kMulti, &denied)) {
        rb.Error(denied);
        continue;
      }
      ExecuteCommand(engine, runner, *queue_[i].spec, argv[i], rb, client.db, &client, true,
                     nullptr);
      if (reader != 0) TrackingRememberKeys(engine, runner, true, *queue_[i].spec, argv[i], reader);
    }
  });
  if (failed) ctx.reply.NullArray();
  ClearQueue();
}

}  // namespace lodestone
