#include "engine/executor.h"

#include <exception>

#include "common/clock.h"
#include "engine/client.h"
#include "engine/command_context.h"
#include "engine/engine.h"
#include "protocol/errors.h"
#include "server/config.h"

namespace lodestone {

void CommandContext::PublishNotification(int db, int cls, std::string_view event,
                                         std::string_view key) {
  if (hooks != nullptr && hooks->deferred != nullptr) {
    hooks->deferred->push_back(
        [&pubsub = engine.pubsub(), db, cls, event = std::string(event), key = std::string(key)] {
          pubsub.Notify(cls, event, key, db);
        });
    return;
  }
  engine.pubsub().Notify(cls, event, key, db);
}

void ExecuteCommand(Engine& engine, Shard& shard, const CommandSpec& spec,
                    const std::vector<std::string_view>& args, protocol::ReplyBuilder& reply,
                    int db_index, Client* client, bool cross_shard, BlockRequest* block,
                    ExecHooks* hooks, int64_t* clock_us) {
  size_t errors_before = reply.errors();
  uint64_t elsewhere_before = reply.counted_elsewhere();
  int64_t start_us = clock_us != nullptr && *clock_us > 0 ? *clock_us : WallTimeUs();
  int64_t now_ms = hooks != nullptr && hooks->frozen_time_us > 0 ? hooks->frozen_time_us / 1000
                                                                   : start_us / 1000;
  CommandContext ctx(engine, shard, spec, args, reply, db_index, client, cross_shard, now_ms);
  ctx.block = block;
  ctx.hooks = hooks;
  try {
    spec.handler(ctx);
  } catch (const std::bad_alloc&) {
    reply.Error("OOM command not allowed when used memory > 'maxmemory'.");
  } catch (const std::exception& e) {
    reply.Error(std::string("ERR ") + e.what());
  }
  // A script run abandoned to be run again over every shard: the run that
  // counts is the retry (commands it called before giving up were undone
  // but keep their own statistics).
  if (hooks != nullptr && hooks->retry_on_all_shards) {
    if (clock_us != nullptr) *clock_us = 0;
    return;
  }
  // Keys written by this command may let blocked clients proceed.
  if (!cross_shard && shard.blocking().HasReady()) shard.ServeReadyKeys();
  const int64_t end_us = WallTimeUs();
  if (clock_us != nullptr) *clock_us = end_us;
  int64_t duration_us = end_us - start_us;
  if (duration_us < 0) duration_us = 0;
  CommandStats& st = shard.command_stats()[spec.id];
  // A command that blocked is counted once, when it is served (executed
  // again) or times out (Client::OnBlockTimeout), as in Redis.
  // Its time, too, is counted then (Redis adds a blocked command's time when
  // it is unblocked; a call refused at that point adds none).
  if (block == nullptr || !block->requested) {
    st.calls++;
    st.usec += uint64_t(duration_us);
  }
  ShardStats& ss = shard.stats();
  ss.commands_processed++;
  if (reply.errors() > errors_before) {
    st.failed_calls++;
    // An error a script passes on from a command it called was counted when
    // that command failed (Redis's ERR_REPLY_FLAG_NO_STATS_UPDATE).
    if (reply.errors() - errors_before > reply.counted_elsewhere() - elsewhere_before) {
      ss.CountErrorReply(reply.last_error());
    }
  }
  const ServerConfig& cfg = engine.config();
  if (cfg.latency_monitor_threshold > 0 && duration_us / 1000 >= cfg.latency_monitor_threshold) {
    engine.LatencyAdd((spec.flags & kFast) ? "fast-command" : "command", duration_us / 1000);
  }
  if (cfg.slowlog_log_slower_than >= 0 && duration_us >= cfg.slowlog_log_slower_than &&
      !(spec.flags & kSkipSlowlog)) {
    SlowlogEntry e;
    e.time_s = start_us / 1000000;
    e.duration_us = duration_us;
    // Redis keeps at most 32 arguments, each at most 128 bytes.
    size_t n = std::min<size_t>(args.size(), 32);
    for (size_t i = 0; i < n; i++) {
      if (i == 31 && args.size() > 32) {
        e.args.push_back("... (" + std::to_string(args.size() - 31) + " more arguments)");
        break;
      }
      std::string_view a = args[i];
      if (a.size() > 128) {
        e.args.push_back(std::string(a.substr(0, 128)) + "... (" +
                         std::to_string(a.size() - 128) + " more bytes)");
      } else {
        e.args.emplace_back(a);
      }
    }
    if (client != nullptr) {
      e.peer = client->peer();
      e.client_name = client->name;
    }
    engine.SlowlogAdd(std::move(e));
  }
}

}  // namespace lodestone
