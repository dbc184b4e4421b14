// Loading FUNCTION libraries into a Lua VM and finding their functions (see
// the header for the environment scheme).
//
// Lua 5.1 raises errors with longjmp: the Lua C functions here (register_
// function, the metamethods, the load hook) keep no object with a
// destructor alive across a call that may raise.
#include "scripting/function_loader.h"

#include <cstring>
#include <unordered_set>
#include <vector>

#include "common/clock.h"
#include "common/strings.h"
#include "scripting/lua_api.h"
#include "scripting/lua_vm.h"
#include "scripting/script_runner.h"

namespace lodestone {
namespace {

// Registry keys (the addresses of these statics are unique light userdata).
char kLoadGlobalsKey;  // the loading environment's globals
char kLibrariesKey;    // {[library id] = {[function name] = function}}
char kGenerationKey;   // the registry generation kLibrariesKey reflects
char kLoadStateKey;    // LoadState* while library code runs
char kCallbacksKey;    // the running library's callbacks table
char kRuntimeEnvMetaKey;  // the metatable of every loaded library's environment

// What register_function fills while library code runs.
struct LoadState {
  std::vector<FunctionInfo>* functions;
  int64_t deadline_us;  // 0: no timeout
};

LoadState* CurrentLoad(lua_State* L) {
  lua_pushlightuserdata(L, &kLoadStateKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto* state = static_cast<LoadState*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return state;
}

void SetCurrentLoad(lua_State* L, LoadState* state) {
  lua_pushlightuserdata(L, &kLoadStateKey);
  if (state != nullptr) {
    lua_pushlightuserdata(L, state);
  } else {
    lua_pushnil(L);
  }
  lua_rawset(L, LUA_REGISTRYINDEX);
}

// Raises {err="ERR <text>"}, as Redis's API functions do.
int RaiseError(lua_State* L, const char* text) {
  PushErrorTable(L, text, std::strlen(text));
  return lua_error(L);
}

int ReadonlyError(lua_State* L) {
  luaL_where(L, 1);
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_concat(L, 2);
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

// Sets a metatable on the table on top of the stack: __index is the value
// just below it (popped), __newindex fails, the metatable is hidden.
void SetReadonlyMetatable(lua_State* L) {
  lua_newtable(L);       // ... index table meta
  lua_pushvalue(L, -3);  // index
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyError);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_remove(L, -2);  // ... table
}

void SetNonexistentGlobalMetatable(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
}

// Reads the flags table at the top of the stack. False on a non-string or
// unknown flag.
bool ReadFlags(lua_State* L, uint32_t* flags) {
  *flags = 0;
  for (int i = 1;; i++) {
    lua_pushnumber(L, i);
    lua_gettable(L, -2);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      return true;
    }
    if (!lua_isstring(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    size_t len;
    const char* s = lua_tolstring(L, -1, &len);
    char lower[32];
    bool fits = len < sizeof(lower);
    for (size_t j = 0; fits && j < len; j++) lower[j] = (s[j] >= 'A' && s[j] <= 'Z') ? char(s[j] - 'A' + 'a') : s[j];
    uint32_t flag = 0;
    bool known = fits && ParseScriptFlag(std::string_view(lower, len), &flag);
    lua_pop(L, 1);
    if (!known) return false;
    *flags |= flag;
  }
}

// redis.register_function{function_name=..., callback=..., description=...,
// flags={...}}. Leaves the callback at index 2, the name at 3 and the
// description (or nil) at 4. Returns an error text or null.
const char* ReadNamedArgs(lua_State* L, uint32_t* flags) {
  if (!lua_istable(L, 1)) {
    return "calling redis.register_function with a single argument is only applicable to Lua "
           "table (representing named arguments).";
  }
  lua_settop(L, 4);
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    // Stack: args, callback, name, description, key, value.
    if (!lua_isstring(L, -2)) return "named argument key given to redis.register_function is not a string";
    lua_pushvalue(L, -2);
    const char* key = lua_tostring(L, -1);
    int slot = 0;
    if (EqualsIgnoreCase(key, "function_name")) {
      if (!lua_isstring(L, -2)) return "function_name argument given to redis.register_function must be a string";
      slot = 3;
    } else if (EqualsIgnoreCase(key, "description")) {
      if (!lua_isstring(L, -2)) return "description argument given to redis.register_function must be a string";
      slot = 4;
    } else if (EqualsIgnoreCase(key, "callback")) {
      if (!lua_isfunction(L, -2)) return "callback argument given to redis.register_function must be a function";
      slot = 2;
    } else if (EqualsIgnoreCase(key, "flags")) {
      if (!lua_istable(L, -2)) {
        return "flags argument to redis.register_function must be a table representing function flags";
      }
      lua_pushvalue(L, -2);
      bool ok = ReadFlags(L, flags);
      lua_pop(L, 1);
      if (!ok) return "unknown flag given";
    } else {
      return "unknown argument given to redis.register_function";
    }
    lua_pop(L, 1);  // the key's copy
    if (slot != 0) {
      lua_pushvalue(L, -1);
      lua_replace(L, slot);
    }
    lua_pop(L, 1);  // the value
  }
  if (lua_isnil(L, 3)) return "redis.register_function must get a function name argument";
  if (lua_isnil(L, 2)) return "redis.register_function must get a callback argument";
  return nullptr;
}

// redis.register_function(name, callback). Leaves the same layout as
// ReadNamedArgs.
const char* ReadPositionalArgs(lua_State* L) {
  if (!lua_isstring(L, 1)) return "first argument to redis.register_function must be a string";
  if (!lua_isfunction(L, 2)) return "second argument to redis.register_function must be a function";
  lua_pushvalue(L, 1);
  lua_pushnil(L);  // stack: name, callback, name, nil
  return nullptr;
}

int RegisterFunction(lua_State* L) {
  LoadState* state = CurrentLoad(L);
  if (state == nullptr) return RaiseError(L, "redis.register_function can only be called on FUNCTION LOAD command");
  int argc = lua_gettop(L);
  uint32_t flags = 0;
  const char* error = nullptr;
  if (argc < 1 || argc > 2) {
    error = "wrong number of arguments to redis.register_function";
  } else if (argc == 1) {
    error = ReadNamedArgs(L, &flags);
  } else {
    error = ReadPositionalArgs(L);
  }
  if (error != nullptr) return RaiseError(L, error);
  size_t name_len;
  const char* name = lua_tolstring(L, 3, &name_len);
  if (!IsValidFunctionName(std::string_view(name, name_len))) {
    return RaiseError(L, kBadFunctionName.data());  // a literal: NUL-terminated
  }
  // Case-sensitive here, as Redis's per-library table is.
  for (const FunctionInfo& fn : *state->functions) {
    if (fn.name == std::string_view(name, name_len)) {
      return RaiseError(L, "Function already exists in the library");
    }
  }
  // Lua calls first, C++ objects after: nothing to leak if Lua raises.
  lua_pushlightuserdata(L, &kCallbacksKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, 2);
  lua_setfield(L, -2, name);  // a valid name has no NUL
  lua_pop(L, 1);
  size_t desc_len = 0;
  const char* desc = lua_isnil(L, 4) ? nullptr : lua_tolstring(L, 4, &desc_len);
  FunctionInfo info;
  info.name.assign(name, name_len);
  if (desc != nullptr) info.description.emplace(desc, desc_len);
  info.flags = flags;
  state->functions->push_back(std::move(info));
  return 0;
}

void LoadTimeoutHook(lua_State* L, lua_Debug* ar) {
  (void)ar;
  LoadState* state = CurrentLoad(L);
  if (state == nullptr || state->deadline_us == 0 || MonotonicUs() <= state->deadline_us) return;
  // A line hook raises again at once should anything catch the error.
  lua_sethook(L, LoadTimeoutHook, LUA_MASKLINE, 0);
  RaiseError(L, "FUNCTION LOAD timeout");
}

// Pushes the loading environment's globals: {redis = <loading API>}, both
// read-only, missing names failing as nonexistent globals. Built once per VM.
void PushLoadGlobals(lua_State* L) {
  lua_pushlightuserdata(L, &kLoadGlobalsKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_istable(L, -1)) return;
  lua_pop(L, 1);

  lua_newtable(L);  // the API
  lua_pushcfunction(L, RegisterFunction);
  lua_setfield(L, -2, "register_function");
  lua_getglobal(L, "redis");
  for (const char* field : {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING",
                            "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
    lua_getfield(L, -1, field);
    lua_setfield(L, -3, field);
  }
  lua_pop(L, 1);
  SetNonexistentGlobalMetatable(L);
  lua_newtable(L);  // its read-only proxy
  SetReadonlyMetatable(L);

  lua_newtable(L);  // the globals
  lua_insert(L, -2);
  lua_setfield(L, -2, "redis");
  SetNonexistentGlobalMetatable(L);

  lua_pushlightuserdata(L, &kLoadGlobalsKey);
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

std::string ErrorValueText(lua_State* L) {
  if (lua_isstring(L, -1)) return std::string("ERR ") + lua_tostring(L, -1);
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    std::string text = lua_isstring(L, -1) ? lua_tostring(L, -1) : "";
    lua_pop(L, 1);
    return text;
  }
  return "";
}

// Compiles and runs a library body in a new environment, appending what it
// registers to *functions. On success pushes the callbacks table
// ({[function name] = function}) and returns true; otherwise pushes nothing
// and sets *err.
bool RunLibrary(lua_State* L, std::string_view body, int64_t timeout_ms,
                std::vector<FunctionInfo>* functions, std::string* err) {
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_function") != 0) {
    *err = std::string("ERR Error compiling function: ") + lua_tostring(L, -1);
    lua_pop(L, 1);
    return false;
  }
  lua_newtable(L);  // callbacks
  int callbacks = lua_gettop(L);
  lua_newtable(L);  // the library's environment
  int env = lua_gettop(L);
  PushLoadGlobals(L);
  lua_pushvalue(L, env);
  SetReadonlyMetatable(L);  // env is now read-only with __index = load globals
  lua_pop(L, 1);
  lua_pushvalue(L, callbacks - 1);  // the chunk
  lua_pushvalue(L, env);
  lua_setfenv(L, -2);

  LoadState state{functions, timeout_ms > 0 ? MonotonicUs() + timeout_ms * 1000 : 0};
  lua_pushlightuserdata(L, &kCallbacksKey);
  lua_pushvalue(L, callbacks);
  lua_rawset(L, LUA_REGISTRYINDEX);
  SetCurrentLoad(L, &state);
  lua_Hook saved_hook = lua_gethook(L);
  int saved_mask = lua_gethookmask(L);
  int saved_count = lua_gethookcount(L);
  if (state.deadline_us != 0) lua_sethook(L, LoadTimeoutHook, LUA_MASKCOUNT, 100000);
  int status = lua_pcall(L, 0, 0, 0);
  lua_sethook(L, saved_hook, saved_mask, saved_count);
  SetCurrentLoad(L, nullptr);
  lua_pushlightuserdata(L, &kCallbacksKey);
  lua_pushnil(L);
  lua_rawset(L, LUA_REGISTRYINDEX);

  if (status != 0) {
    *err = "ERR Error registering functions: " + ErrorValueText(L);
    lua_settop(L, callbacks - 2);
    functions->clear();
    return false;
  }
  // From now on the library's functions see the ordinary script globals,
  // through one read-only metatable shared by every library of the VM (a
  // library then keeps only its own empty environment table).
  lua_pushlightuserdata(L, &kRuntimeEnvMetaKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ReadonlyError);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pushlightuserdata(L, &kRuntimeEnvMetaKey);
    lua_pushvalue(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
  }
  lua_setmetatable(L, env);
  lua_pop(L, 1);           // env
  lua_replace(L, -2);      // callbacks over the chunk
  return true;
}

// Pushes the VM's table of compiled libraries, created on first use.
void PushLibrariesTable(lua_State* L) {
  lua_pushlightuserdata(L, &kLibrariesKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (lua_istable(L, -1)) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushlightuserdata(L, &kLibrariesKey);
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
}

// Pushes the VM's table of compiled libraries, first dropping those that
// are not in `set` when the registry changed since the last look.
void PushCompiledLibraries(lua_State* L, const FunctionSet& set) {
  PushLibrariesTable(L);
  lua_pushlightuserdata(L, &kGenerationKey);
  lua_rawget(L, LUA_REGISTRYINDEX);
  auto seen = static_cast<uint64_t>(lua_tonumber(L, -1));
  lua_pop(L, 1);
  if (seen == set.generation()) return;

  std::unordered_set<uint64_t> live;
  for (const auto& [name, library] : set.libraries()) live.insert(library->id);
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    if (live.count(static_cast<uint64_t>(lua_tonumber(L, -1))) == 0) {
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, -4);  // clearing a field during traversal is allowed
    }
  }
  lua_pushlightuserdata(L, &kGenerationKey);
  lua_pushnumber(L, static_cast<lua_Number>(set.generation()));
  lua_rawset(L, LUA_REGISTRYINDEX);
}

// Pops the callbacks table on top of the stack into the VM's compiled
// libraries under `id`.
void StoreCompiled(lua_State* L, uint64_t id) {
  PushLibrariesTable(L);
  lua_pushnumber(L, static_cast<lua_Number>(id));
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 2);
}

}  // namespace

std::shared_ptr<FunctionLibrary> CreateLibrary(
    LuaVm& vm, std::string_view code, uint64_t id,
    const std::function<bool(std::string_view)>& library_exists, bool replace, int64_t timeout_ms,
    std::string* err) {
  LibraryMetadata metadata;
  if (!ParseLibraryMetadata(code, &metadata, err)) {
    *err = "ERR " + *err;
    return nullptr;
  }
  if (!IsValidFunctionName(metadata.name)) {
    *err = "ERR " + std::string(kBadFunctionName);
    return nullptr;
  }
  if (!EqualsIgnoreCase(metadata.engine, "LUA")) {
    *err = "ERR Engine '" + metadata.engine + "' not found";
    return nullptr;
  }
  if (!replace && library_exists(metadata.name)) {
    *err = "ERR Library '" + metadata.name + "' already exists";
    return nullptr;
  }
  auto library = std::make_shared<FunctionLibrary>();
  library->id = id;
  library->name = std::move(metadata.name);
  library->engine = "LUA";
  library->code.assign(code.data(), code.size());
  library->body_offset = metadata.body_offset;
  lua_State* L = vm.state();
  bool ran = RunLibrary(L, library->body(), timeout_ms, &library->functions, err);
  vm.AfterRun();  // a GC step every 50 loads, as for script runs
  if (!ran) return nullptr;
  // Keep this compiled copy: FCALL on this thread will not run the code
  // again. Should the library not be published, the copy goes at the VM's
  // next look at a new generation, like any copy of a departed library.
  StoreCompiled(L, id);
  if (library->functions.empty()) {
    *err = "ERR No functions registered";
    return nullptr;
  }
  return library;
}

bool PushFunction(LuaVm& vm, const FunctionSet& set, const FunctionSet::Function& fn,
                  std::string* err) {
  lua_State* L = vm.state();
  PushCompiledLibraries(L, set);
  auto key = static_cast<lua_Number>(fn.library->id);
  lua_pushnumber(L, key);
  lua_rawget(L, -2);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    std::vector<FunctionInfo> functions;
    if (!RunLibrary(L, fn.library->body(), 0, &functions, err)) {
      lua_pop(L, 1);
      return false;
    }
    lua_pushnumber(L, key);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
  }
  lua_getfield(L, -1, fn.info->name.c_str());
  lua_replace(L, -3);
  lua_pop(L, 1);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 1);
    *err = "ERR Function not found";
    return false;
  }
  return true;
}

}  // namespace lodestone
