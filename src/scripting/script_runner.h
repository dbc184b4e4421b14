// Running a compiled Lua function against the engine: the redis.call path,
// type conversions, routing checks and rollback, busy handling.
//
// Routing. A script command (EVAL, FCALL; flag kNoHop) runs on its client's
// thread holding the shards of its declared keys (ExecHooks::held_shards:
// just its own shard when they are all local, else a cross-shard
// execution). Inner commands run with cross_shard=true, so
// CommandContext::DbFor finds each key's shard. Before each redis.call the
// runner computes the call's keys and checks that each key's shard is held;
// a kAllShards command needs every shard. When one is not held the run is
// aborted and ExecHooks::retry_on_all_shards asks the dispatcher to run the
// script again as a cross-shard execution over every shard. Writes already
// made are undone first: before the first write command touching a key, the
// runner saves a clone of the key's entry (value and expiry, or "absent"),
// and an abort restores the saved entries in reverse order. Side effects
// other clients could see are queued on ExecHooks::deferred by the inner
// commands and performed only when the run commits. When every shard is
// held (one thread, or the retry) nothing is saved and nothing can abort.
//
// Busy scripts. A count hook checks the run time every 100000 instructions.
// Past busy-reply-threshold the script is "busy": the engine-wide counter in
// ScriptBusyState makes every thread answer BUSY, threads parked for the
// script serve their clients in busy mode (Shard park wait), and the
// script's own thread polls its event loop in busy mode from the hook
// (Shard::ServeWhileBusy). SCRIPT KILL (or FUNCTION KILL) bumps the kill
// epoch; a busy script that has not written then fails with "Script killed
// by user with SCRIPT KILL...".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone {

class CommandContext;
class LuaVm;

// Script flags: EVAL shebang ("#!lua flags=...") or FUNCTION registration.
enum ScriptFlag : uint32_t {
  kScriptNoWrites = 1 << 0,
  kScriptAllowOom = 1 << 1,
  kScriptAllowStale = 1 << 2,
  kScriptNoCluster = 1 << 3,
  kScriptAllowCrossSlot = 1 << 4,
  kScriptEvalCompat = 1 << 5,  // EVAL without a shebang: Redis 6 semantics
};

// Parses a flag name ("no-writes", ...). Returns false when unknown.
bool ParseScriptFlag(std::string_view name, uint32_t* flag);

struct ScriptCall {
  std::vector<std::string_view> keys;
  std::vector<std::string_view> args;
  uint32_t flags = kScriptEvalCompat;
  bool read_only = false;  // EVAL_RO, EVALSHA_RO, FCALL_RO
  // kEval: KEYS/ARGV globals; kFunction: keys and args passed as the
  // function's two arguments.
  bool eval_mode = true;
  // For error texts: the script's SHA1, or the function's name.
  std::string name;
};

// Calls the Lua function on top of `vm`'s stack (popped) and writes its
// result, converted to RESP, to ctx.reply. On a key outside the held shards
// it rolls back, writes nothing and sets ctx.hooks->retry_on_all_shards.
// `ctx` is the script command's context (its hooks say which shards are
// held; null hooks mean all of them when ctx.cross_shard, else ctx.shard
// only). Usable inside someone else's cross-shard execution (MULTI): pass
// the held shards in ctx.hooks.
void RunScript(CommandContext& ctx, LuaVm& vm, const ScriptCall& call);

// Replies to SCRIPT KILL (functions=false) or FUNCTION KILL (true):
// NOTBUSY, UNKILLABLE, or OK after asking the busy script to stop.
void KillBusyScript(CommandContext& ctx, bool functions);

}  // namespace lodestone
