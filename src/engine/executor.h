// Executes one command on the current thread: builds the CommandContext,
// calls the handler, and records statistics (commandstats, errorstats,
// slowlog). Routing has already happened: the caller holds every shard the
// command may touch.
#pragma once

#include <string_view>
#include <vector>

#include "engine/command_table.h"
#include "protocol/reply_builder.h"

namespace lodestone {

class Engine;
class Shard;
class Client;

void ExecuteCommand(Engine& engine, Shard& shard, const CommandSpec& spec,
                    const std::vector<std::string_view>& args, protocol::ReplyBuilder& reply,
                    int db_index, Client* client, bool cross_shard);

}  // namespace lodestone
