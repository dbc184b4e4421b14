// Executes one command on the current thread: builds the CommandContext,
// calls the handler, and records statistics (commandstats, errorstats,
// slowlog). Routing has already happened: the caller holds every shard the
// command may touch.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command_table.h"
#include "protocol/reply_builder.h"

namespace lodestone {

class Engine;
class Shard;
class Client;

// What a blocking command asked for when it found nothing to serve.
struct BlockRequest {
  bool requested = false;
  std::vector<std::string> keys;
  int64_t timeout_ms = 0;  // 0 = forever
  // When set, the arguments to run again instead of the original ones (XREAD
  // replaces "$" with the ID it resolved when it first blocked).
  std::vector<std::string> args;
  // The reply on timeout, as RESP; empty means a null array.
  std::string timeout_reply;
};

// What a caller that runs scripts (EVAL, FCALL: scripting/script_runner.h)
// and the script's own inner commands share with the executor. Ordinary
// commands never see it (CommandContext::hooks is null).
struct ExecHooks {
  // The shards the caller holds, ascending. Null means: every shard when the
  // command runs cross_shard, else only the command's own shard.
  const std::vector<int>* held_shards = nullptr;
  // Set by a script command that met a key on a shard it does not hold: the
  // caller discards its reply and runs it again over every shard.
  bool retry_on_all_shards = false;
  // Set for commands called by a script (redis.call). Side effects that
  // other clients could observe (keyspace notifications, PUBLISH) must be
  // appended to `deferred` instead of being performed: the script runner
  // performs them when the script commits, and drops them when it is rolled
  // back and retried.
  bool from_script = false;
  std::vector<std::function<void()>>* deferred = nullptr;
  // When set (unix us): the time the command sees (CommandContext::now_ms,
  // TIME). A script's commands all see its start time, as in Redis, so
  // keys do not expire in the middle of a script.
  int64_t frozen_time_us = 0;
};

// `block` receives a blocking command's request to wait (may be null for
// callers that never run blocking commands).
// `clock_us`, for commands run back to back (a pipelined batch): in, the
// WallTimeUs() at which the previous one ended, taken as this one's start
// (0: read the clock); out, when this one ended. One clock read per command
// instead of two. The caller passes 0 whenever anything that may take time
// (a wait, a cross-shard execution, evictions) ran since.
void ExecuteCommand(Engine& engine, Shard& shard, const CommandSpec& spec,
                    const std::vector<std::string_view>& args, protocol::ReplyBuilder& reply,
                    int db_index, Client* client, bool cross_shard, BlockRequest* block = nullptr,
                    ExecHooks* hooks = nullptr, int64_t* clock_us = nullptr);

}  // namespace lodestone
