// The sandboxed interpreter: libraries, the redis API that does not need a
// run in progress, math.random, and the read-only protection (see lua_vm.h).
#include "scripting/lua_vm.h"

#include <cmath>
#include <cstring>
#include <ctime>
#include <string>

#include "common/log.h"
#include "common/memory_accounting.h"
#include "common/sha1.h"
#include "scripting/lua_api.h"

extern "C" {
#include <lua-bitop.h>
#include <lua-cjson.h>
}

#ifdef LODESTONE_HAVE_CMSGPACK
extern "C" int luaopen_cmsgpack(lua_State* L);
#endif
#ifdef LODESTONE_HAVE_STRUCT
extern "C" int luaopen_struct(lua_State* L);
#endif

namespace lodestone {
namespace {

// Registry keys (addresses of these statics are unique light userdata).
char kVmKey;
char kReadonlyKey;
char kRealGlobalsKey;

constexpr int32_t kRand48Max = INT32_MAX;
// Redis's version, as INFO reports it.
constexpr const char* kRedisVersion = "7.4.0";
constexpr int kRedisVersionNum = 0x00070400;

int ReadonlyError(lua_State* L) {
  luaL_where(L, 1);
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_concat(L, 2);
  return lua_error(L);
}

// Raised by setmetatable and rawset, where Redis's error has no position.
int ReadonlyErrorNoWhere(lua_State* L) {
  lua_pushstring(L, "Attempt to modify a readonly table");
  return lua_error(L);
}

int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  luaL_where(L, 1);
  lua_pushfstring(L, "Script attempted to access nonexistent global variable '%s'",
                  name != nullptr ? name : "?");
  lua_concat(L, 2);
  return lua_error(L);
}

bool IsReadonly(lua_State* L, int index) {
  if (!lua_istable(L, index)) return false;
  lua_pushvalue(L, index);
  lua_pushlightuserdata(L, &kReadonlyKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_insert(L, -2);
  lua_rawget(L, -2);
  bool ro = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return ro;
}

// Records the read-only proxy at `index` with the table it stands for
// (`target_index`, or true when it stands for nothing iterable).
void MarkReadonly(lua_State* L, int index, int target_index = 0) {
  index = index < 0 ? lua_gettop(L) + index + 1 : index;
  if (target_index < 0) target_index = lua_gettop(L) + target_index + 1;
  lua_pushlightuserdata(L, &kReadonlyKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, index);
  if (target_index > 0) {
    lua_pushvalue(L, target_index);
  } else {
    lua_pushboolean(L, 1);
  }
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

// Replaces the value at `index` by the table a read-only proxy stands for,
// so that pairs, next and ipairs see through proxies.
void Unproxy(lua_State* L, int index) {
  if (!lua_istable(L, index)) return;
  lua_pushlightuserdata(L, &kReadonlyKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) {
    lua_replace(L, index);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}

// next, pairs and ipairs over proxies iterate the tables behind them.
int SafeNext(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  Unproxy(L, 1);
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

int SafePairs(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));  // next
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

int SafeIpairs(lua_State* L) {
  luaL_checkany(L, 1);
  Unproxy(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));  // the original ipairs
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// loadstring refuses precompiled (binary) chunks, as Redis's patched Lua
// does: they could break the VM's memory safety.
int SafeLoadstring(lua_State* L) {
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  if (s != nullptr && len > 0 && s[0] == LUA_SIGNATURE[0]) {
    lua_pushnil(L);
    lua_pushstring(L, "binary chunks are not allowed");
    return 2;
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// LuaBitOp 1.0.2 overflows its buffer in bit.tohex(x, INT32_MIN) (it
// negates the count); Redis patched its copy, this wrapper clamps it.
int SafeTohex(lua_State* L) {
  if (lua_gettop(L) >= 2 && lua_isnumber(L, 2) && lua_tonumber(L, 2) <= -2147483648.0) {
    lua_pushnumber(L, -2147483647.0);
    lua_replace(L, 2);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

// setmetatable and rawset that refuse read-only proxies.
int SafeSetmetatable(lua_State* L) {
  if (IsReadonly(L, 1)) return ReadonlyErrorNoWhere(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

int SafeRawset(lua_State* L) {
  if (IsReadonly(L, 1)) return ReadonlyErrorNoWhere(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// Replaces the table at the top of the stack with a read-only proxy of it.
void PushReadonlyProxy(lua_State* L) {
  int target = lua_gettop(L);
  lua_newtable(L);  // proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, target);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyError);
  lua_setfield(L, -2, "__newindex");
  // getmetatable(proxy) yields a read-only view of the metatable.
  lua_newtable(L);
  lua_newtable(L);
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyError);
  lua_setfield(L, -2, "__newindex");
  lua_setmetatable(L, -2);
  MarkReadonly(L, -1);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  MarkReadonly(L, -1, target);
  lua_replace(L, target);
}

int Sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, "wrong number of arguments", 25);
    return lua_error(L);
  }
  size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  std::string hex = Sha1Hex(std::string_view(s != nullptr ? s : "", s != nullptr ? len : 0));
  lua_pushstring(L, hex.c_str());
  return 1;
}

int ErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments", 33);
    return 1;
  }
  size_t len;
  const char* s = lua_tolstring(L, -1, &len);
  std::string text = s[0] == '-' ? std::string(s, len) : "-" + std::string(s, len);
  PushErrorTable(L, text.data(), text.size());
  return 1;
}

int StatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments", 33);
    return 1;
  }
  lua_newtable(L);
  lua_pushstring(L, "ok");
  lua_pushvalue(L, -3);
  lua_settable(L, -3);
  return 1;
}

// Redis's log levels: LL_DEBUG 0 .. LL_WARNING 3.
int LogCommand(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) {
    PushErrorTable(L, "redis.log() requires two arguments or more.", 43);
    return lua_error(L);
  }
  if (!lua_isnumber(L, 1)) {
    PushErrorTable(L, "First argument must be a number (log level).", 44);
    return lua_error(L);
  }
  int level = int(lua_tonumber(L, 1));
  if (level < 0 || level > 3) {
    PushErrorTable(L, "Invalid log level.", 18);
    return lua_error(L);
  }
  std::string line;
  for (int j = 2; j <= argc; j++) {
    size_t len;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr) continue;
    if (j != 2) line += ' ';
    line.append(s, len);
  }
  static const LogLevel kLevels[] = {LogLevel::kDebug, LogLevel::kVerbose, LogLevel::kNotice,
                                     LogLevel::kWarning};
  Log(kLevels[level], "%s", line.c_str());
  return 0;
}

int NoOp(lua_State* L) {
  (void)L;
  return 0;
}

// CPU time used by the process, in seconds (Lua's os.clock).
int OsClock(lua_State* L) {
  lua_pushnumber(L, lua_Number(clock()) / lua_Number(CLOCKS_PER_SEC));
  return 1;
}

int ReplicateCommands(lua_State* L) {
  lua_pushboolean(L, 1);
  return 1;
}

int MathRandom(lua_State* L) {
  LuaVm* vm = LuaVm::From(L);
  lua_Number r = lua_Number(vm->Rand48() % kRand48Max) / lua_Number(kRand48Max);
  switch (lua_gettop(L)) {
    case 0:
      lua_pushnumber(L, r);
      break;
    case 1: {
      int u = luaL_checkint(L, 1);
      luaL_argcheck(L, 1 <= u, 1, "interval is empty");
      lua_pushnumber(L, std::floor(r * u) + 1);
      break;
    }
    case 2: {
      int l = luaL_checkint(L, 1);
      int u = luaL_checkint(L, 2);
      luaL_argcheck(L, l <= u, 2, "interval is empty");
      lua_pushnumber(L, std::floor(r * (u - l + 1)) + l);
      break;
    }
    default:
      return luaL_error(L, "wrong number of arguments");
  }
  return 1;
}

int MathRandomseed(lua_State* L) {
  LuaVm::From(L)->Srand48(luaL_checkint(L, 1));
  return 0;
}

void SetNumber(lua_State* L, const char* name, lua_Number v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, name);
}

void SetFunction(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

void OpenLibrary(lua_State* L, const char* name, lua_CFunction open) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
  if (name[0] != '\0' && lua_istable(L, -1)) {
    lua_setglobal(L, name);
  } else {
    lua_pop(L, 1);
  }
}

// The __redis__err__handler of Redis: turns any error into a table
// {err=..., source=..., line=...} naming where it was raised.
constexpr const char* kErrorHandler =
    "local dbg = debug\n"
    "__redis__err__handler = function(err)\n"
    "  local i = dbg.getinfo(2,'nSl')\n"
    "  if i and i.what == 'C' then\n"
    "    i = dbg.getinfo(3,'nSl')\n"
    "  end\n"
    "  if type(err) ~= 'table' then\n"
    "    err = {err='ERR ' .. tostring(err)}\n"
    "  end\n"
    "  if i then\n"
    "    err['source'] = i.source\n"
    "    err['line'] = i.currentline\n"
    "  end\n"
    "  return err\n"
    "end\n";

}  // namespace

void MarkErrorCounted(lua_State* L) {
  lua_pushstring(L, "ignore_error_stats_update");
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
}

bool ErrorAlreadyCounted(lua_State* L) {
  if (!lua_istable(L, -1)) return false;
  lua_pushstring(L, "ignore_error_stats_update");
  lua_rawget(L, -2);
  bool counted = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return counted;
}

void PushErrorTable(lua_State* L, const char* text, size_t len) {
  std::string s(text, len);
  std::string code = "ERR", msg;
  if (!s.empty() && s[0] == '-') {
    size_t sp = s.find(' ');
    if (sp == std::string::npos) {
      msg = s.substr(1);
    } else {
      code = s.substr(1, sp - 1);
      msg = s.substr(sp + 1);
    }
  } else {
    msg = s;
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) msg.pop_back();
  std::string full = code + " " + msg;
  lua_newtable(L);
  lua_pushstring(L, "err");
  lua_pushlstring(L, full.data(), full.size());
  lua_settable(L, -3);
}

// Lua's allocations stay out of used_memory, as in Redis (whose Lua heap is
// libc's, reported apart as used_memory_lua).
static void* LuaAlloc(void*, void* ptr, size_t, size_t nsize) {
  return memory::UncountedRealloc(ptr, nsize);
}

LuaVm::LuaVm(Kind kind) : L_(lua_newstate(LuaAlloc, nullptr)), kind_(kind) {
  rand48_state_ = 0x1234ABCD330Eull;  // lrand48's initial state, as Redis's
  lua_State* L = L_;
  lua_atpanic(L, [](lua_State* state) {
    Log(LogLevel::kWarning, "Lua panic: unprotected error in call to Lua API (%s)",
                lua_tostring(state, -1));
    return 0;
  });
  lua_pushlightuserdata(L, &kVmKey);
  lua_pushlightuserdata(L, this);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_pushlightuserdata(L, &kReadonlyKey);
  lua_newtable(L);
  lua_newtable(L);  // weak keys
  lua_pushstring(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);

  OpenLibrary(L, "", luaopen_base);
  OpenLibrary(L, LUA_TABLIBNAME, luaopen_table);
  OpenLibrary(L, LUA_STRLIBNAME, luaopen_string);
  OpenLibrary(L, LUA_MATHLIBNAME, luaopen_math);
  OpenLibrary(L, LUA_DBLIBNAME, luaopen_debug);
  OpenLibrary(L, "cjson", luaopen_cjson);
  OpenLibrary(L, "bit", luaopen_bit);
  lua_getglobal(L, "bit");
  lua_getfield(L, -1, "tohex");
  lua_pushcclosure(L, SafeTohex, 1);
  lua_setfield(L, -2, "tohex");
  lua_pop(L, 1);
#ifdef LODESTONE_HAVE_CMSGPACK
  OpenLibrary(L, "cmsgpack", luaopen_cmsgpack);
#endif
#ifdef LODESTONE_HAVE_STRUCT
  OpenLibrary(L, "struct", luaopen_struct);
#endif
  // os: only os.clock (as Redis 8; the rest of the library is not loaded).
  lua_newtable(L);
  lua_pushcfunction(L, OsClock);
  lua_setfield(L, -2, "clock");
  lua_setglobal(L, "os");
  // Not part of the sandbox.
  for (const char* name : {"loadfile", "dofile", "print"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }

  lua_newtable(L);  // redis
  RegisterRunnerApi(L);
  SetFunction(L, "sha1hex", Sha1hex);
  SetFunction(L, "error_reply", ErrorReply);
  SetFunction(L, "status_reply", StatusReply);
  SetFunction(L, "log", LogCommand);
  SetFunction(L, "replicate_commands", ReplicateCommands);
  SetFunction(L, "breakpoint", NoOp);
  SetFunction(L, "debug", NoOp);
  SetNumber(L, "LOG_DEBUG", 0);
  SetNumber(L, "LOG_VERBOSE", 1);
  SetNumber(L, "LOG_NOTICE", 2);
  SetNumber(L, "LOG_WARNING", 3);
  SetNumber(L, "REPL_NONE", 0);
  SetNumber(L, "REPL_AOF", 1);
  SetNumber(L, "REPL_SLAVE", 2);
  SetNumber(L, "REPL_REPLICA", 2);
  SetNumber(L, "REPL_ALL", 3);
  lua_pushstring(L, kRedisVersion);
  lua_setfield(L, -2, "REDIS_VERSION");
  SetNumber(L, "REDIS_VERSION_NUM", kRedisVersionNum);
  lua_setglobal(L, "redis");

  lua_getglobal(L, "math");
  SetFunction(L, "random", MathRandom);
  SetFunction(L, "randomseed", MathRandomseed);
  lua_pop(L, 1);

  // The error handler needs the debug library, which scripts do not get.
  if (luaL_loadbuffer(L, kErrorHandler, strlen(kErrorHandler), "@err_handler_def") == 0) {
    lua_pcall(L, 0, 0, 0);
  } else {
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  lua_setglobal(L, "debug");

  if (kind == Kind::kEval) LockGlobals();
}

LuaVm::~LuaVm() { lua_close(L_); }

LuaVm* LuaVm::From(lua_State* L) {
  lua_pushlightuserdata(L, &kVmKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* vm = static_cast<LuaVm*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return vm;
}

void LuaVm::LockGlobals() {
  if (locked_) return;
  locked_ = true;
  lua_State* L = L_;
  // Library tables become read-only proxies.
  for (const char* name : {"string", "table", "math", "cjson", "bit", "cmsgpack", "struct",
                           "redis", "coroutine", "os"}) {
    lua_getglobal(L, name);
    if (lua_istable(L, -1)) {
      PushReadonlyProxy(L);
      lua_setglobal(L, name);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushcfunction(L, SafeNext);
  lua_pushvalue(L, -1);
  lua_setglobal(L, "next");
  lua_pushcclosure(L, SafePairs, 1);
  lua_setglobal(L, "pairs");
  lua_getglobal(L, "ipairs");
  lua_pushcclosure(L, SafeIpairs, 1);
  lua_setglobal(L, "ipairs");
  lua_getglobal(L, "loadstring");
  lua_pushcclosure(L, SafeLoadstring, 1);
  lua_setglobal(L, "loadstring");
  lua_getglobal(L, "setmetatable");
  lua_pushcclosure(L, SafeSetmetatable, 1);
  lua_setglobal(L, "setmetatable");
  lua_pushcfunction(L, SafeRawset);
  lua_setglobal(L, "rawset");

  // Real globals: missing names fail.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int real = lua_gettop(L);
  lua_pushlightuserdata(L, &kRealGlobalsKey);
  lua_pushvalue(L, real);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, real);
  // The proxy scripts see; _G names it.
  lua_pushvalue(L, real);
  PushReadonlyProxy(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, real, "_G");
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_pop(L, 1);
}

void LuaVm::SetProtectedGlobal(const char* name) {
  lua_State* L = L_;
  lua_pushlightuserdata(L, &kRealGlobalsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_setglobal(L, name);
    return;
  }
  lua_insert(L, -2);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

void LuaVm::Pop(int n) { lua_pop(L_, n); }

size_t LuaVm::MemoryBytes() const { return size_t(lua_gc(L_, LUA_GCCOUNT, 0)) * 1024; }

void LuaVm::AfterRun() {
  if (++gc_count_ >= 50) {
    lua_gc(L_, LUA_GCSTEP, 50);
    gc_count_ = 0;
  }
}

// lrand48: x' = (0x5DEECE66D * x + 0xB) mod 2^48, output the top 31 bits.
int32_t LuaVm::Rand48() {
  rand48_state_ = (0x5DEECE66Dull * rand48_state_ + 0xB) & ((1ull << 48) - 1);
  return int32_t(rand48_state_ >> 17);
}

void LuaVm::Srand48(int32_t seed) {
  rand48_state_ = (uint64_t(uint32_t(seed)) << 16) | 0x330E;
}

}  // namespace lodestone
