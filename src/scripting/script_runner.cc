// The script runner: see script_runner.h for routing, rollback and busy
// handling. redis.call converts its Lua arguments, checks the command as
// Redis's scriptCall does (arity, kNoScript, read-only), checks that its keys
// are on held shards, saves undo entries before a write, executes the
// command with the ordinary executor into a string, and parses the RESP
// bytes back into Lua values.
#include "scripting/script_runner.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_set>

#include "common/clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "engine/acl_check.h"
#include "engine/client.h"
#include "engine/command_context.h"
#include "engine/engine.h"
#include "engine/executor.h"
#include "engine/shard.h"
#include "engine/tracking.h"
#include "protocol/errors.h"
#include "scripting/lua_api.h"
#include "scripting/lua_convert.h"
#include "scripting/lua_vm.h"
#include "server/config.h"
#include "storage/db.h"

namespace lodestone {

// The state of one script execution, reachable from Lua through
// LuaVm::run.
class ScriptRun {
 public:
  ScriptRun(CommandContext& ctx, LuaVm& vm, const ScriptCall& call)
      : ctx(ctx), vm(vm), call(call), db_index(ctx.db_index) {}

  CommandContext& ctx;
  LuaVm& vm;
  const ScriptCall& call;
  int db_index;
  int resp = 2;
  bool all_held = true;
  std::vector<char> held;  // by shard id, when !all_held
  bool wrote = false;
  // Memory was over maxmemory when the script started (Redis's
  // pre_command_oom_state): until its first write, a deny-oom command fails.
  bool oom_at_start = false;
  bool retry = false;   // met a key outside the held shards
  bool killed = false;
  bool busy = false;
  bool busy_counted_write = false;
  int64_t start_us = 0;       // monotonic, for busy-reply-threshold
  int64_t start_wall_us = 0;  // the time every inner command sees
  uint64_t kill_epoch = 0;

  // Undo log: entries as they were before this run's first write to them.
  struct Saved {
    int shard;
    int db;
    std::string key;
    bool existed;
    Value value;
    int64_t expire_at_ms;
  };
  std::vector<Saved> undo;
  std::unordered_set<std::string> saved_keys;  // "shard:db:key"
  std::vector<std::function<void()>> deferred;

  void SaveForUndo(int shard_id, std::string_view key);
  void Rollback();
};

void ScriptRun::SaveForUndo(int shard_id, std::string_view key) {
  std::string id = std::to_string(shard_id) + ":" + std::to_string(db_index) + ":";
  id.append(key);
  if (!saved_keys.insert(id).second) return;
  Db& db = ctx.engine.shard(shard_id).db(db_index);
  Saved s{shard_id, db_index, std::string(key), false, Value(), kNoExpire};
  Entry* e = db.Find(key);
  if (e != nullptr && !db.IsExpired(e, start_wall_us / 1000)) {
    s.existed = true;
    s.value = e->value.Clone();
    s.expire_at_ms = db.GetExpire(e);
  }
  undo.push_back(std::move(s));
}

void ScriptRun::Rollback() {
  for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
    Db& db = ctx.engine.shard(it->shard).db(it->db);
    Entry* cur = db.Find(it->key);
    if (!it->existed) {
      if (cur != nullptr) db.Delete(it->key);
      continue;
    }
    Entry* e;
    if (cur != nullptr) {
      db.Overwrite(cur, std::move(it->value), false);
      e = cur;
    } else {
      e = db.Add(it->key, std::move(it->value));
    }
    if (it->expire_at_ms != kNoExpire) db.SetExpire(e, it->expire_at_ms);
  }
  undo.clear();
  saved_keys.clear();
}

namespace {

// The OOM error as redis.call raises it (a leading '-': the code is given).
const std::string kOomError = "-" + std::string(protocol::kOom);

char kAbortMessage[] = "ERR Script aborted to run again over every shard";
char kKilledMessage[] = "-ERR Script killed by user with SCRIPT KILL...";

ScriptRun* CurrentRun(lua_State* L) {
  LuaVm* vm = LuaVm::From(L);
  return vm != nullptr ? vm->run : nullptr;
}

// Raises the same error at every instruction, so pcall cannot swallow an
// abort or a kill for good.
void RaiseAgainHook(lua_State* L, lua_Debug* ar) {
  (void)ar;
  ScriptRun* run = CurrentRun(L);
  if (run != nullptr && run->killed) {
    PushErrorTable(L, kKilledMessage, strlen(kKilledMessage));
  } else {
    PushErrorTable(L, kAbortMessage, strlen(kAbortMessage));
  }
  lua_error(L);
}

// What CallCommand leaves on the stack for GenericCall to do. Lua errors
// unwind with longjmp, which would skip C++ destructors, so they are raised
// only from frames that own no C++ objects.
enum class CallOutcome {
  kReturn,  // one result pushed
  kRaise,   // an error table pushed: raise it
  kAbort,   // a key outside the held shards: abort the run
};

void EnterBusy(ScriptRun* run) {
  run->busy = true;
  Engine& engine = run->ctx.engine;
  ScriptBusyState& b = engine.script_busy;
  if (!run->call.eval_mode) b.busy_functions.fetch_add(1);
  if (run->wrote) {
    b.busy_wrote.fetch_add(1);
    run->busy_counted_write = true;
  }
  b.busy.fetch_add(1, std::memory_order_release);
  // Threads parked for this script wake up and serve their clients.
  for (int i = 0; i < engine.shard_count(); i++) engine.shard(i).Signal();
  Log(LogLevel::kWarning,
      "Slow script detected: still in execution after %lld milliseconds. You can try killing "
      "the script using the %s command. Script name is: %s.",
      static_cast<long long>((MonotonicUs() - run->start_us) / 1000),
      run->call.eval_mode ? "SCRIPT KILL" : "FUNCTION KILL", run->call.name.c_str());
}

void LeaveBusy(ScriptRun* run) {
  if (!run->busy) return;
  run->busy = false;
  Engine& engine = run->ctx.engine;
  ScriptBusyState& b = engine.script_busy;
  if (!run->call.eval_mode) b.busy_functions.fetch_sub(1);
  if (run->busy_counted_write) b.busy_wrote.fetch_sub(1);
  b.busy.fetch_sub(1, std::memory_order_release);
  for (int i = 0; i < engine.shard_count(); i++) engine.shard(i).Signal();
}

// Every 100000 instructions: past busy-reply-threshold, serve this thread's
// clients in busy mode and honour SCRIPT KILL.
void CountHook(lua_State* L, lua_Debug* ar) {
  (void)ar;
  ScriptRun* run = CurrentRun(L);
  if (run == nullptr) return;
  Engine& engine = run->ctx.engine;
  if (!run->busy) {
    int64_t threshold_ms = engine.config().busy_reply_threshold;
    if (threshold_ms <= 0 || (MonotonicUs() - run->start_us) / 1000 < threshold_ms) return;
    EnterBusy(run);
  }
  run->ctx.shard.ServeWhileBusy(0);
  bool kill = engine.script_busy.kill_epoch.load(std::memory_order_acquire) != run->kill_epoch;
  if ((kill && !run->wrote) || engine.stopping()) {
    Log(LogLevel::kNotice, "Lua script killed by user with SCRIPT KILL.");
    run->killed = true;
    lua_sethook(L, RaiseAgainHook, LUA_MASKCOUNT | LUA_MASKLINE, 1);
    PushErrorTable(L, kKilledMessage, strlen(kKilledMessage));
    lua_error(L);
  }
}

// Lua arguments to command arguments: strings as they are, numbers as
// integers when integral (so "1e9" never reaches a command), otherwise in
// the shortest form that reads back the same.
bool ArgsFromLua(lua_State* L, std::vector<std::string>* out) {
  int argc = lua_gettop(L);
  out->reserve(argc);
  for (int j = 1; j <= argc; j++) {
    if (lua_type(L, j) == LUA_TNUMBER) {
      double num = lua_tonumber(L, j);
      if (std::isfinite(num) && num == std::floor(num) && num >= -9.2e18 && num <= 9.2e18) {
        out->push_back(std::to_string(int64_t(num)));
      } else {
        char buf[64];
        snprintf(buf, sizeof(buf), "%.17g", num);
        double back = strtod(buf, nullptr);
        for (int prec = 1; prec <= 17; prec++) {
          char shorter[64];
          snprintf(shorter, sizeof(shorter), "%.*g", prec, num);
          if (strtod(shorter, nullptr) == back) {
            memcpy(buf, shorter, sizeof(buf));
            break;
          }
        }
        out->push_back(buf);
      }
      continue;
    }
    size_t len;
    const char* s = lua_tolstring(L, j, &len);
    if (s == nullptr || lua_type(L, j) != LUA_TSTRING) return false;
    out->emplace_back(s, len);
  }
  return true;
}

// Commands whose writes reach beyond their key arguments (another database,
// every key): with only some shards held they cannot be undone by key, so
// they need every shard.
bool WritesBeyondKeys(const CommandSpec& spec) {
  return spec.name == "move" || spec.name == "copy" || spec.name == "swapdb" ||
         spec.name == "flushdb" || spec.name == "flushall";
}

// Pushes the error for a call rejected before running.
CallOutcome Reject(lua_State* L, bool raise, const char* text) {
  PushErrorTable(L, text, strlen(text));
  return raise ? CallOutcome::kRaise : CallOutcome::kReturn;
}

// Counts an error of redis.call's form on `shard`: a leading '-' gives the
// code, none means ERR (as PushErrorTable reads it).
void CountErrorReply(Shard& shard, std::string_view text) {
  if (!text.empty() && text[0] == '-') {
    shard.stats().CountErrorReply(text.substr(1));
  } else {
    shard.stats().CountErrorReply("ERR");
  }
}

// A command refused by the checks Redis's scriptCall makes (unknown, arity,
// not allowed from scripts, ACL, writes in a read-only script, OOM): counted
// now, with the command's rejected_calls when it is known, and flagged so
// that the script's reply passing it on does not count it again.
CallOutcome RejectCounted(lua_State* L, ScriptRun* run, const CommandSpec* spec, bool raise,
                          const char* text) {
  CountErrorReply(run->ctx.shard, text);
  if (spec != nullptr) run->ctx.shard.command_stats()[spec->id].rejected_calls++;
  PushErrorTable(L, text, strlen(text));
  MarkErrorCounted(L);
  return raise ? CallOutcome::kRaise : CallOutcome::kReturn;
}

CallOutcome CallCommand(lua_State* L, ScriptRun* run, bool raise) {
  if (lua_gettop(L) == 0) {
    return Reject(L, raise, "Please specify at least one argument for this redis lib call");
  }
  std::vector<std::string> owned;
  if (!ArgsFromLua(L, &owned)) {
    lua_settop(L, 0);
    return Reject(L, raise, "Lua redis lib command arguments must be strings or integers");
  }
  lua_settop(L, 0);
  std::vector<std::string_view> args(owned.begin(), owned.end());
  CommandContext& ctx = run->ctx;
  Engine& engine = ctx.engine;
  bool unknown_sub = false;
  const CommandSpec* spec = engine.commands().Resolve(args, &unknown_sub);
  if (spec == nullptr || unknown_sub) {
    return RejectCounted(L, run, nullptr, raise, "Unknown Redis command called from script");
  }
  if (!ArityOk(*spec, args.size())) {
    return RejectCounted(L, run, spec, raise,
                         "Wrong number of args calling Redis command from script");
  }
  if ((spec->flags & kNoScript) &&
      (!engine.script_busy.disable_deny_script.load(std::memory_order_relaxed) ||
       (spec->flags & kNoHop))) {
    return RejectCounted(L, run, spec, raise, "This Redis command is not allowed from script");
  }
  // ACL: the script runs as its caller's user.
  if (ctx.client != nullptr && ctx.client->acl_free_generation != engine.acl().generation()) {
    std::string denied;
    if (!AclAllows(*ctx.client, *spec, args, acl::LogContext::kLua, &denied)) {
      std::string text = "ACL failure in script: " + denied.substr(denied.find(' ') + 1);
      return RejectCounted(L, run, spec, raise, text.c_str());
    }
  }
  bool read_only = run->call.read_only || (!(run->call.flags & kScriptEvalCompat) &&
                                           (run->call.flags & kScriptNoWrites));
  if (read_only && (spec->flags & (kWrite | kMayReplicate))) {
    return RejectCounted(L, run, spec, raise,
                         "Write commands are not allowed from read-only scripts.");
  }
  if (run->oom_at_start && !run->wrote && (spec->flags & kDenyOom) &&
      !(run->call.flags & kScriptAllowOom)) {
    return RejectCounted(L, run, spec, raise, kOomError.c_str());
  }

  // SELECT changes the script's database only.
  // It counts as a call of SELECT, as in Redis.
  if (spec->name == "select") {
    CommandStats& st = ctx.shard.command_stats()[spec->id];
    st.calls++;
    int64_t index;
    const char* error = nullptr;
    if (!ParseInt64(args[1], &index)) {
      error = "-ERR value is not an integer or out of range";
    } else if (index < 0 || index >= engine.shard(0).db_count()) {
      error = "-ERR DB index is out of range";
    }
    if (error != nullptr) {
      st.failed_calls++;
      CountErrorReply(ctx.shard, error);
      PushErrorTable(L, error, strlen(error));
      MarkErrorCounted(L);
      return raise ? CallOutcome::kRaise : CallOutcome::kReturn;
    }
    run->db_index = int(index);
    lua_newtable(L);
    lua_pushstring(L, "ok");
    lua_pushstring(L, "OK");
    lua_settable(L, -3);
    return CallOutcome::kReturn;
  }

  // Routing: every key must be on a held shard.
  std::vector<int> positions;
  if (!run->all_held) {
    if ((spec->flags & kAllShards) || ((spec->flags & kWrite) && WritesBeyondKeys(*spec))) {
      return CallOutcome::kAbort;
    }
    GetKeyPositions(*spec, args, &positions);
    for (int pos : positions) {
      int s = engine.ShardOfKey(args[pos]);
      if (!run->held[s]) return CallOutcome::kAbort;
    }
    if (spec->flags & kWrite) {
      for (int pos : positions) run->SaveForUndo(engine.ShardOfKey(args[pos]), args[pos]);
    }
  }
  if (spec->flags & kWrite) {
    run->wrote = true;
    if (run->busy && !run->busy_counted_write) {
      engine.script_busy.busy_wrote.fetch_add(1);
      run->busy_counted_write = true;
    }
  }

  std::string out;
  protocol::ReplyBuilder rb(&out, run->resp);
  ExecHooks hooks;
  hooks.from_script = true;
  hooks.deferred = &run->deferred;
  hooks.frozen_time_us = run->start_wall_us;
  if (ctx.hooks != nullptr) hooks.held_shards = ctx.hooks->held_shards;
  // Single-shard handlers reach their key through ctx.db(), so the command
  // runs as its first key's shard (held, hence ours); DbFor still routes
  // any other key. Keyless commands run as the script's own shard.
  if (run->all_held) GetKeyPositions(*spec, args, &positions);
  Shard& target = positions.empty() ? ctx.shard : engine.shard(engine.ShardOfKey(args[positions[0]]));
  ExecuteCommand(engine, target, *spec, args, rb, run->db_index, ctx.client, true, nullptr,
                 &hooks);
  // Client-side caching: keys read by the script's read-only commands are
  // remembered for the calling client (Redis tracks those, not the script).
  if (uint64_t reader = TrackingReaderOf(ctx); reader != 0) {
    TrackingRememberKeys(engine, target, true, *spec, args, reader);
  }
  size_t pos = 0;
  PushRespAsLua(L, out, &pos);
  const bool failed = !out.empty() && out[0] == '-';
  if (failed && lua_istable(L, -1)) MarkErrorCounted(L);  // ExecuteCommand counted it
  return raise && failed ? CallOutcome::kRaise : CallOutcome::kReturn;
}

int GenericCall(lua_State* L, bool raise) {
  ScriptRun* run = CurrentRun(L);
  if (run == nullptr) return luaL_error(L, "redis.call is only available inside a script");
  switch (CallCommand(L, run, raise)) {
    case CallOutcome::kReturn:
      return 1;
    case CallOutcome::kRaise:
      return lua_error(L);
    case CallOutcome::kAbort:
      break;
  }
  run->retry = true;
  lua_sethook(L, RaiseAgainHook, LUA_MASKCOUNT | LUA_MASKLINE, 1);
  PushErrorTable(L, kAbortMessage, strlen(kAbortMessage));
  return lua_error(L);
}

int Call(lua_State* L) { return GenericCall(L, true); }
int PCall(lua_State* L) { return GenericCall(L, false); }

int SetResp(lua_State* L) {
  ScriptRun* run = CurrentRun(L);
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, "redis.setresp() requires one argument.", 38);
    return lua_error(L);
  }
  int resp = int(lua_tonumber(L, 1));
  if (resp != 2 && resp != 3) {
    PushErrorTable(L, "RESP version must be 2 or 3.", 28);
    return lua_error(L);
  }
  if (run != nullptr) run->resp = resp;
  return 0;
}

int SetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) {
    PushErrorTable(L, "redis.set_repl() requires one argument.", 39);
    return lua_error(L);
  }
  int flags = int(lua_tonumber(L, 1));
  if ((flags & ~3) != 0) {
    const char* text = "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.";
    PushErrorTable(L, text, strlen(text));
    return lua_error(L);
  }
  // Replication is not built yet: there is nothing to switch.
  return 0;
}

// Pushes acl_check_cmd's result, or an error table (returns false).
bool AclCheckInner(lua_State* L) {
  ScriptRun* run = CurrentRun(L);
  std::vector<std::string> owned;
  const char* error = nullptr;
  if (lua_gettop(L) == 0) {
    error = "Please specify at least one argument for this redis lib call";
  } else if (!ArgsFromLua(L, &owned)) {
    error = "Lua redis lib command arguments must be strings or integers";
  } else {
    std::vector<std::string_view> args(owned.begin(), owned.end());
    bool unknown_sub = false;
    const CommandSpec* spec =
        run != nullptr ? run->ctx.engine.commands().Resolve(args, &unknown_sub) : nullptr;
    if (spec == nullptr || unknown_sub) error = "Invalid command passed to redis.acl_check_cmd()";
  }
  if (error != nullptr) {
    PushErrorTable(L, error, strlen(error));
    return false;
  }
  // The verdict for the script's caller, without logging.
  std::vector<std::string_view> args(owned.begin(), owned.end());
  bool unknown_sub = false;
  Engine& engine = run->ctx.engine;
  const CommandSpec* spec = engine.commands().Resolve(args, &unknown_sub);
  bool allowed = true;
  if (run->ctx.client != nullptr) {
    std::shared_ptr<const acl::User> user = engine.acl().Find(run->ctx.client->user);
    int errpos = 0;
    allowed = user != nullptr &&
              AclCheckUser(engine, *user, *spec, args, &errpos) == acl::Denial::kNone;
  }
  lua_pushboolean(L, allowed ? 1 : 0);
  return true;
}

int AclCheckCmd(lua_State* L) { return AclCheckInner(L) ? 1 : lua_error(L); }

// The error reply for a failed script: Redis's format, with the place the
// error was raised when the error handler found one.
std::string ErrorText(lua_State* L, const ScriptCall& call) {
  if (!lua_istable(L, -1)) {
    const char* msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
    std::string text = "ERR Error running script " + call.name + ", " + std::string(msg).substr(0, 100);
    return text;
  }
  std::string err, source, line;
  lua_getfield(L, -1, "err");
  if (lua_isstring(L, -1)) err = lua_tostring(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, -1, "source");
  if (lua_isstring(L, -1)) source = lua_tostring(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, -1, "line");
  if (lua_isstring(L, -1)) line = lua_tostring(L, -1);
  lua_pop(L, 1);
  std::string text = err;
  if (!source.empty() && !line.empty()) {
    text += " script: " + call.name + ", on " + source + ":" + line + ".";
  }
  return text;
}

// Scripts declared with a shebang are checked before they run: one that
// may write (neither no-writes nor allow-oom) is refused while memory is
// over maxmemory, as Redis treats it as a deny-oom command.
bool PreRunChecks(CommandContext& ctx, const ScriptCall& call, bool oom) {
  if (call.flags & kScriptEvalCompat) return true;
  if (!(call.flags & kScriptNoWrites) && call.read_only) {
    ctx.reply.Error("ERR Can not execute a script with write flag using *_ro command.");
    return false;
  }
  if (oom && !(call.flags & (kScriptNoWrites | kScriptAllowOom))) {
    ctx.reply.Error(protocol::kOom);
    return false;
  }
  return true;
}

// Whether used memory is over maxmemory as the script starts (the
// dispatcher has already tried to evict). Not inside a busy script's
// yield, as Redis skips the check in yielding commands.
bool OverMaxmemory(Engine& engine) {
  uint64_t maxmemory = engine.config().maxmemory;
  return maxmemory > 0 && engine.script_busy.busy.load(std::memory_order_relaxed) == 0 &&
         engine.used_memory() > maxmemory;
}

void PushArray(lua_State* L, const std::vector<std::string_view>& items) {
  lua_createtable(L, int(items.size()), 0);
  for (size_t i = 0; i < items.size(); i++) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, int(i + 1));
  }
}

}  // namespace

void RegisterRunnerApi(lua_State* L) {
  lua_pushcfunction(L, Call);
  lua_setfield(L, -2, "call");
  lua_pushcfunction(L, PCall);
  lua_setfield(L, -2, "pcall");
  lua_pushcfunction(L, SetResp);
  lua_setfield(L, -2, "setresp");
  lua_pushcfunction(L, SetRepl);
  lua_setfield(L, -2, "set_repl");
  lua_pushcfunction(L, AclCheckCmd);
  lua_setfield(L, -2, "acl_check_cmd");
}

bool ParseScriptFlag(std::string_view name, uint32_t* flag) {
  static const struct {
    std::string_view name;
    uint32_t flag;
  } kFlags[] = {{"no-writes", kScriptNoWrites},
                {"allow-oom", kScriptAllowOom},
                {"allow-stale", kScriptAllowStale},
                {"no-cluster", kScriptNoCluster},
                {"allow-cross-slot-keys", kScriptAllowCrossSlot}};
  for (const auto& f : kFlags) {
    if (f.name == name) {
      *flag = f.flag;
      return true;
    }
  }
  return false;
}

void RunScript(CommandContext& ctx, LuaVm& vm, const ScriptCall& call) {
  lua_State* L = vm.state();
  bool oom = OverMaxmemory(ctx.engine);
  if (!PreRunChecks(ctx, call, oom)) {
    lua_pop(L, 1);
    return;
  }
  ScriptRun run(ctx, vm, call);
  run.oom_at_start = oom;
  Engine& engine = ctx.engine;
  const std::vector<int>* held = ctx.hooks != nullptr ? ctx.hooks->held_shards : nullptr;
  if (held != nullptr) {
    run.all_held = int(held->size()) == engine.shard_count();
    if (!run.all_held) {
      run.held.assign(engine.shard_count(), 0);
      for (int s : *held) run.held[s] = 1;
    }
  } else if (!ctx.cross_shard && engine.shard_count() > 1) {
    run.all_held = false;
    run.held.assign(engine.shard_count(), 0);
    run.held[ctx.shard.id()] = 1;
  }
  // A run that must not abort (no hooks to ask for a retry) holds everything
  // it may touch by contract.
  if (!run.all_held && ctx.hooks == nullptr) run.all_held = true;
  run.start_us = MonotonicUs();
  run.start_wall_us = WallTimeUs();
  run.kill_epoch = engine.script_busy.kill_epoch.load(std::memory_order_acquire);

  // Stack: function -> handler, function [, keys, args].
  lua_getglobal(L, "__redis__err__handler");
  lua_insert(L, -2);
  vm.run = &run;
  lua_sethook(L, CountHook, LUA_MASKCOUNT, 100000);
  int err;
  if (call.eval_mode) {
    PushArray(L, call.keys);
    vm.SetProtectedGlobal("KEYS");
    PushArray(L, call.args);
    vm.SetProtectedGlobal("ARGV");
    err = lua_pcall(L, 0, 1, -2);
  } else {
    PushArray(L, call.keys);
    PushArray(L, call.args);
    err = lua_pcall(L, 2, 1, -4);
  }
  lua_sethook(L, nullptr, 0, 0);
  LeaveBusy(&run);
  vm.run = nullptr;
  if (run.retry) {
    lua_pop(L, 2);
    run.Rollback();
    run.deferred.clear();
    ctx.hooks->retry_on_all_shards = true;
    vm.AfterRun();
    return;
  }
  if (err != 0) {
    if (ErrorAlreadyCounted(L)) {
      ctx.reply.ErrorCountedElsewhere(ErrorText(L, call));
    } else {
      ctx.reply.Error(ErrorText(L, call));
    }
    lua_pop(L, 1);
  } else {
    WriteLuaAsReply(L, ctx.reply, run.resp);
  }
  lua_pop(L, 1);  // the error handler
  vm.AfterRun();
  for (auto& effect : run.deferred) effect();
}

void KillBusyScript(CommandContext& ctx, bool functions) {
  ScriptBusyState& b = ctx.engine.script_busy;
  int busy = b.busy.load(std::memory_order_acquire);
  int busy_functions = b.busy_functions.load(std::memory_order_acquire);
  int matching = functions ? busy_functions : busy - busy_functions;
  if (matching <= 0) {
    // A script of the other kind is busy: Redis names the kill that works.
    if (busy > 0) return ctx.reply.Error(functions ? protocol::kBusyScript : protocol::kBusyFunction);
    return ctx.reply.Error(protocol::kNotBusy);
  }
  if (b.busy_wrote.load(std::memory_order_acquire) > 0) {
    return ctx.reply.Error(protocol::kUnkillable);
  }
  b.kill_epoch.fetch_add(1, std::memory_order_acq_rel);
  ctx.reply.Ok();
}

}  // namespace lodestone
