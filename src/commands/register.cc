#include "commands/register.h"

namespace lodestone {

void RegisterAllCommands(CommandTable& table) {
  RegisterStringCommands(table);
  RegisterBitmapCommands(table);
  RegisterKeyCommands(table);
  RegisterConnectionCommands(table);
  RegisterServerCommands(table);
  RegisterIntrospectionCommands(table);
  RegisterFunctionCommands(table);
  RegisterMemoryCommands(table);
  RegisterListCommands(table);
  RegisterSetCommands(table);
  RegisterHashCommands(table);
  RegisterZSetCommands(table);
  RegisterStreamCommands(table);
  RegisterSortCommands(table);
  RegisterDumpCommands(table);
  RegisterPubSubCommands(table);
  RegisterScriptCommands(table);
  RegisterTransactionCommands(table);
  RegisterWaitCommands(table);
  RegisterAclCommands(table);
  RegisterClusterCommands(table);
  table.Finalize();
}

}  // namespace lodestone
