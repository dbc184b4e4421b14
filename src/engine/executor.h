// Executes one command on the current thread: builds the CommandContext,
// calls the handler, and records statistics (commandstats, errorstats,
// slowlog). Routing has already happened: the caller holds every shard the
// command may touch.
#pragma once

#include <cstdint>
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
};

// `block` receives a blocking command's request to wait (may be null for
// callers that never run blocking commands).
void ExecuteCommand(Engine& engine, Shard& shard, const CommandSpec& spec,
                    const std::vector<std::string_view>& args, protocol::ReplyBuilder& reply,
                    int db_index, Client* client, bool cross_shard, BlockRequest* block = nullptr);

}  // namespace lodestone
