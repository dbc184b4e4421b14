// Running FUNCTION library code in a shard's Lua VM (a kFunction LuaVm).
//
// Library code runs once per VM, in an environment of its own: a read-only
// table whose metatable's __index is, while the code runs, the loading API
// (a global `redis` holding only register_function, log, the LOG_* levels
// and the version fields; any other name fails as a nonexistent global) and,
// once it has run, the VM's ordinary script globals. Functions defined by
// the library are closures over that environment, so when FCALL calls them
// they see redis.call & co. and the libraries, exactly as in Redis, where
// the functions engine swaps its globals' __index the same way.
//
// Compiled libraries are kept in the VM's Lua registry, keyed by library id;
// the copies of libraries no longer in the registry are released when the
// VM sees a new registry generation.
//
// Thread: the VM's own (shard) thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "scripting/function_registry.h"

namespace lodestone {

class LuaVm;

// FUNCTION LOAD's load timeout (Redis's LOAD_TIMEOUT_MS).
inline constexpr int64_t kFunctionLoadTimeoutMs = 500;

// Builds a library from a FUNCTION LOAD payload: parses the shebang, checks
// the name and engine, refuses a name `current` already has unless
// `replace`, then runs the code in `vm` (timeout_ms 0: no limit) and
// collects what it registers. On failure returns null and sets *err to the
// full error reply text ("ERR ..."). The library's id is `id`; `vm` keeps
// the compiled copy under that id for FCALL.
// `library_exists` tells whether a library of that name is loaded (an error
// unless `replace`); clashes of function names are left to
// FunctionRegistry::Add.
std::shared_ptr<FunctionLibrary> CreateLibrary(
    LuaVm& vm, std::string_view code, uint64_t id,
    const std::function<bool(std::string_view)>& library_exists, bool replace, int64_t timeout_ms,
    std::string* err);

// Pushes the Lua function implementing `fn` onto `vm`'s stack, compiling
// its library in `vm` first if needed. `set` is the snapshot `fn` came from.
// On failure (the library no longer loads) pushes nothing, returns false
// and sets *err ("ERR ...").
bool PushFunction(LuaVm& vm, const FunctionSet& set, const FunctionSet::Function& fn,
                  std::string* err);

}  // namespace lodestone
