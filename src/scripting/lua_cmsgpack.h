// The `cmsgpack` Lua library of Redis scripts: MessagePack encoding of Lua
// values (cmsgpack.pack) and decoding back (unpack, unpack_one, unpack_limit),
// with the conventions scripts written for Redis rely on. See lua_cmsgpack.cc.
#pragma once

#include <lua.hpp>

// Opens the library: leaves its table on the stack and also sets it as the
// global `cmsgpack` (Lua 5.1 convention). Call once per lua_State, before the
// sandbox makes the globals read-only.
extern "C" int luaopen_cmsgpack(lua_State* L);
