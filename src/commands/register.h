// One place that registers every command group with the table.
#pragma once

#include "engine/command_table.h"

namespace lodestone {

void RegisterStringCommands(CommandTable& table);
void RegisterBitmapCommands(CommandTable& table);
void RegisterKeyCommands(CommandTable& table);
void RegisterConnectionCommands(CommandTable& table);
// CLIENT's client-side caching subcommands, added to the CLIENT row.
void RegisterTrackingSubcommands(CommandTable& table, CommandSpec& client);
void RegisterServerCommands(CommandTable& table);
void RegisterIntrospectionCommands(CommandTable& table);
void RegisterFunctionCommands(CommandTable& table);
void RegisterMemoryCommands(CommandTable& table);
void RegisterListCommands(CommandTable& table);
void RegisterSetCommands(CommandTable& table);
void RegisterHashCommands(CommandTable& table);
void RegisterZSetCommands(CommandTable& table);
void RegisterStreamCommands(CommandTable& table);
void RegisterSortCommands(CommandTable& table);
void RegisterDumpCommands(CommandTable& table);
void RegisterPubSubCommands(CommandTable& table);
void RegisterScriptCommands(CommandTable& table);
void RegisterTransactionCommands(CommandTable& table);
void RegisterWaitCommands(CommandTable& table);
void RegisterAclCommands(CommandTable& table);
void RegisterClusterCommands(CommandTable& table);

// Registers everything and finalizes the table.
void RegisterAllCommands(CommandTable& table);

}  // namespace lodestone
