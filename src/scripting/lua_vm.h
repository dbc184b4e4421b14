// LuaVm: one sandboxed Lua 5.1 interpreter. Lua is not thread-safe, so each
// shard thread owns its own VMs (ForShard), created on first use; a VM is
// touched only by its thread.
//
// The sandbox is Redis's: the libraries base, table, string, math, cjson,
// bit (and cmsgpack, struct when built in); no os, io, loadfile, dofile,
// print; the `redis` API table (redis.call & co., see script_runner.h);
// math.random driven by Redis's own lrand48, so sequences match Redis's.
//
// Stock Lua 5.1 has no read-only tables (Redis patches its copy), so the
// protection is built from metatables:
//   - the globals seen by scripts are an empty proxy whose __index is the
//     real globals table and whose __newindex fails ("Attempt to modify a
//     readonly table"); the real table's own __index fails for a missing
//     name ("Script attempted to access nonexistent global variable 'x'");
//   - every library table is replaced by such a read-only proxy;
//   - setmetatable and rawset refuse proxies.
// Script code therefore cannot create or change globals; the runner sets
// KEYS and ARGV in the real table directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

struct lua_State;

namespace lodestone {

class Shard;
class ScriptRun;

class LuaVm {
 public:
  enum class Kind {
    kEval,      // EVAL/EVALSHA scripts: KEYS and ARGV globals
    kFunction,  // FUNCTION libraries (FCALL): keys and args as arguments
  };

  // Creates the interpreter with the libraries and the redis API installed.
  // The globals are not locked yet: a kFunction VM may add its own API
  // (redis.register_function...) first, then calls LockGlobals().
  explicit LuaVm(Kind kind);
  ~LuaVm();
  LuaVm(const LuaVm&) = delete;
  LuaVm& operator=(const LuaVm&) = delete;

  // The VM of a lua_State created here.
  static LuaVm* From(lua_State* L);

  lua_State* state() const { return L_; }
  Kind kind() const { return kind_; }

  // Installs the read-only protection described above. A kEval VM is locked
  // by its constructor.
  void LockGlobals();
  // Sets a global in the real globals table, bypassing the protection
  // (KEYS, ARGV). Pops the value from the stack.
  void SetProtectedGlobal(const char* name);

  // Pops n values from the stack.
  void Pop(int n);

  // Memory used by the interpreter (INFO used_memory_lua).
  size_t MemoryBytes() const;
  // An incremental garbage collection step every 50 runs, as Redis does.
  void AfterRun();

  // Redis's lrand48, per VM (math.random / math.randomseed).
  int32_t Rand48();
  void Srand48(int32_t seed);

  // The run in progress (set by the runner), or null.
  ScriptRun* run = nullptr;
  // Shebang flags of the EVAL scripts compiled in this VM, by SHA1 (kept
  // outside Lua's heap: INFO used_memory_lua counts only the interpreter).
  std::unordered_map<std::string, uint32_t> script_flags;

 private:
  lua_State* L_;
  Kind kind_;
  bool locked_ = false;
  int gc_count_ = 0;
  uint64_t rand48_state_;
};

// The calling shard's VM of kind `kind`, created on first use. Own thread
// only. Defined in script_cache.cc, which keeps the per-shard state.
LuaVm& VmForShard(Shard& shard, LuaVm::Kind kind);

}  // namespace lodestone
