// Test helper for the Lua C libraries (cmsgpack, struct): a bare Lua 5.1
// state with the standard libraries plus ours, and Run(chunk), which returns
// the chunk's results joined by spaces (tostring of each) or "error: <msg>".
#pragma once

#include <lua.hpp>

#include <string>

#include "scripting/lua_cmsgpack.h"
#include "scripting/lua_struct.h"

namespace lodestone {

class LuaLibraryState {
 public:
  LuaLibraryState() : L_(luaL_newstate()) {
    luaL_openlibs(L_);
    lua_pushcfunction(L_, luaopen_cmsgpack);
    lua_call(L_, 0, 0);
    lua_pushcfunction(L_, luaopen_struct);
    lua_call(L_, 0, 0);
    Run(
        "function hex(s) return (string.gsub(s, '.', function(c) "
        "return string.format('%02x', string.byte(c)) end)) end\n"
        "function unhex(h) return (string.gsub(h, '%x%x', function(b) "
        "return string.char(tonumber(b, 16)) end)) end");
  }
  ~LuaLibraryState() { lua_close(L_); }
  LuaLibraryState(const LuaLibraryState&) = delete;
  LuaLibraryState& operator=(const LuaLibraryState&) = delete;

  std::string Run(const std::string& chunk) {
    int base = lua_gettop(L_);
    if (luaL_loadbuffer(L_, chunk.data(), chunk.size(), "=test") != 0 ||
        lua_pcall(L_, 0, LUA_MULTRET, 0) != 0) {
      std::string message = std::string("error: ") + lua_tostring(L_, -1);
      lua_settop(L_, base);
      return message;
    }
    std::string out;
    int top = lua_gettop(L_);
    lua_getglobal(L_, "tostring");
    for (int i = base + 1; i <= top; i++) {
      lua_pushvalue(L_, -1);
      lua_pushvalue(L_, i);
      lua_call(L_, 1, 1);
      if (!out.empty()) out += ' ';
      out += lua_tostring(L_, -1);
      lua_pop(L_, 1);
    }
    lua_settop(L_, base);
    return out;
  }

  lua_State* state() { return L_; }

 private:
  lua_State* L_;
};

}  // namespace lodestone
