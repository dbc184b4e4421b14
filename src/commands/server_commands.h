// Shared pieces of the server and introspection command groups (server_commands.cc,
// introspection_commands.cc, info_command.cc, debug_command.cc): the
// registration of the INFO and DEBUG rows, and the reply helpers that several
// of those files use.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command_context.h"
#include "engine/command_table.h"

namespace lodestone {

// Called by RegisterServerCommands.
void RegisterInfoCommand(CommandTable& table);
void RegisterDebugCommand(CommandTable& table);

// Redis's addReplyHelp: "<COMMAND> <subcommand> [<arg> [value] [opt] ...].
// Subcommands are:", the lines, then "HELP" / "    Print this help.", every
// line a status reply; <COMMAND> is args[0] uppercased.
void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines);

// The handler of a container row (CONFIG, SLOWLOG, LATENCY). The dispatcher
// resolves subcommands and checks the container's arity (-2) first, so this
// only answers if a call ever reaches the container itself.
void ContainerHelpHint(CommandContext& ctx);

// Redis's bytesToHuman: "100B", "1.50K", "2.00M", ...
std::string BytesToHuman(uint64_t bytes);

// What the server spends besides the data, for INFO memory and MEMORY
// STATS: client buffers, and per database (summed over shards) its keys, the
// key tables' bucket arrays and the TTL index. REQUIRES: every shard parked.
struct MemoryOverhead {
  struct Database {
    int id = 0;
    uint64_t keys = 0;
    uint64_t main = 0;     // key table buckets
    uint64_t expires = 0;  // TTL index
  };
  uint64_t clients_normal = 0;
  std::vector<Database> dbs;  // every database, by index
};
MemoryOverhead CollectMemoryOverhead(Engine& engine);

// Resets every statistic CONFIG RESETSTAT clears (shard counters, command and
// error statistics, slowlog). REQUIRES: every shard is parked (kAllShards).
void ResetServerStats(CommandContext& ctx);

}  // namespace lodestone
