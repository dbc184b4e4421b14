// Internal to scripting/: the pieces of the `redis` Lua table defined by
// the runner (they need the run in progress), and the Lua headers.
#pragma once

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

namespace lodestone {

// Adds call, pcall, setresp, set_repl, replicate_commands and acl_check_cmd
// to the table on top of the stack.
void RegisterRunnerApi(lua_State* L);

// Pushes an error table {err="CODE message"} built as Redis does: a
// leading '-' is dropped and the code kept; without one the code is ERR.
void PushErrorTable(lua_State* L, const char* text, size_t len);

// Error tables whose statistics were counted when the error arose (a
// command called from the script failed or was refused) carry a flag, so
// that the script's reply passing one on does not count it again.
// MarkErrorCounted flags the table on top of the stack; ErrorAlreadyCounted
// reads the flag of the table on top.
void MarkErrorCounted(lua_State* L);
bool ErrorAlreadyCounted(lua_State* L);

}  // namespace lodestone
