// The `struct` Lua library of Redis scripts: packing Lua numbers and strings
// into binary records and back (struct.pack, struct.unpack, struct.size),
// with Roberto Ierusalimschy's format language. See lua_struct.cc.
#pragma once

#include <lua.hpp>

// Opens the library: leaves its table on the stack and also sets it as the
// global `struct`. Call once per lua_State, before the sandbox makes the
// globals read-only.
extern "C" int luaopen_struct(lua_State* L);
