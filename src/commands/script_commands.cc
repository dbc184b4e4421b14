// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: Lua scripts by body or
// SHA1. The handlers parse arguments, find the compiled function in the
// shard's VM (scripting/script_cache.h) and hand it to the runner
// (scripting/script_runner.h). Routing (kNoHop): see Client::Dispatch.
#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "common/sha1.h"
#include "common/strings.h"
#include "scripting/lua_vm.h"
#include "scripting/script_cache.h"
#include "scripting/script_runner.h"

namespace lodestone {
namespace {

void EvalGeneric(CommandContext& ctx, bool by_sha, bool read_only) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(2), &numkeys)) return ctx.reply.Error(protocol::kNotInteger);
  if (numkeys > int64_t(ctx.argc()) - 3) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  std::string sha;
  std::string_view body;
  if (by_sha) {
    if (ctx.arg(1).size() != 40) return ctx.reply.Error(protocol::kNoScript);
    sha = ToLowerCopy(ctx.arg(1));
  } else {
    body = ctx.arg(1);
    sha = Sha1Hex(body);
  }
  LuaVm& vm = VmForShard(ctx.shard, LuaVm::Kind::kEval);
  ScriptCall call;
  std::string err;
  bool missing = false;
  if (!PushEvalFunction(ctx.engine, vm, sha, body, &call.flags, &err, &missing)) {
    if (missing) return ctx.reply.Error(protocol::kNoScript);
    return ctx.reply.Error(err);
  }
  if (!by_sha) ScriptCache::Of(ctx.engine).Add(body);
  size_t first_key = 3, first_arg = 3 + size_t(numkeys);
  call.keys.assign(ctx.args.begin() + first_key, ctx.args.begin() + first_arg);
  call.args.assign(ctx.args.begin() + first_arg, ctx.args.end());
  call.read_only = read_only;
  call.eval_mode = true;
  call.name = sha;
  RunScript(ctx, vm, call);
}

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
void Eval(CommandContext& ctx) { EvalGeneric(ctx, false, false); }
// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
void EvalSha(CommandContext& ctx) { EvalGeneric(ctx, true, false); }
// EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]
void EvalRo(CommandContext& ctx) { EvalGeneric(ctx, false, true); }
// EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]
void EvalShaRo(CommandContext& ctx) { EvalGeneric(ctx, true, true); }

// SCRIPT LOAD script
void ScriptLoad(CommandContext& ctx) {
  std::string_view body = ctx.arg(2);
  std::string sha = Sha1Hex(body);
  LuaVm& vm = VmForShard(ctx.shard, LuaVm::Kind::kEval);
  uint32_t flags;
  std::string err;
  bool missing;
  if (!PushEvalFunction(ctx.engine, vm, sha, body, &flags, &err, &missing)) {
    return ctx.reply.Error(err);
  }
  vm.Pop(1);
  vm.AfterRun();  // compiling leaves garbage: collect a step, as after a run
  ScriptCache::Of(ctx.engine).Add(body);
  ctx.reply.Bulk(sha);
}

// SCRIPT EXISTS sha1 [sha1 ...]
void ScriptExists(CommandContext& ctx) {
  ScriptCache& cache = ScriptCache::Of(ctx.engine);
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) ctx.reply.Integer(cache.Contains(ctx.arg(i)) ? 1 : 0);
}

// SCRIPT FLUSH [ASYNC | SYNC]
void ScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "sync") &&
                         !EqualsIgnoreCase(ctx.arg(2), "async"))) {
    return ctx.reply.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  }
  ScriptCache::Of(ctx.engine).Flush();
  ctx.reply.Ok();
}

// SCRIPT KILL
void ScriptKill(CommandContext& ctx) { KillBusyScript(ctx, false); }

// SCRIPT HELP
void ScriptHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "DEBUG (YES|SYNC|NO)",
                     "    Set the debug mode for subsequent scripts executed.",
                     "EXISTS <sha1> [<sha1> ...]",
                     "    Return information about the existence of the scripts in the script cache.",
                     "FLUSH [ASYNC|SYNC]",
                     "    Flush the Lua scripts cache. Very dangerous on replicas.",
                     "    When called without the optional mode argument, the behavior is determined by the",
                     "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
                     "    * ASYNC: Asynchronously flush the scripts cache.",
                     "    * SYNC: Synchronously flush the scripts cache.",
                     "KILL",
                     "    Kill the currently executing Lua script.",
                     "LOAD <script>",
                     "    Load a script into the scripts cache without executing it.",
                 });
}

// SCRIPT (container): reached only without a subcommand.
void ScriptContainer(CommandContext& ctx) { ctx.reply.Error(protocol::WrongArity("script")); }

CommandSpec EvalRow(std::string name, CommandHandler handler, bool read_only, CommandDoc doc) {
  uint64_t flags = kNoScript | kSkipMonitor | kNoMandatoryKeys | kStale | kNoHop |
                   (read_only ? kReadonly : kMayReplicate);
  uint32_t key_flags = read_only ? (kKsRO | kKsAccess) : (kKsRW | kKsAccess | kKsUpdate);
  return Row(std::move(name), -3, flags, "scripting", handler, {KeysCounted(2, 1, key_flags)}, doc,
             {"scripting"});
}

}  // namespace

void RegisterScriptCommands(CommandTable& table) {
  table.Add(EvalRow("eval", Eval, false,
                    {"Executes a server-side Lua script.", "2.6.0",
                     "Depends on the script that is executed."}));
  table.Add(EvalRow("evalsha", EvalSha, false,
                    {"Executes a server-side Lua script by SHA1 digest.", "2.6.0",
                     "Depends on the script that is executed."}));
  table.Add(EvalRow("eval_ro", EvalRo, true,
                    {"Executes a read-only server-side Lua script.", "7.0.0",
                     "Depends on the script that is executed."}));
  table.Add(EvalRow("evalsha_ro", EvalShaRo, true,
                    {"Executes a read-only server-side Lua script by SHA1 digest.", "7.0.0",
                     "Depends on the script that is executed."}));
  CommandSpec& script = table.Add(Row("script", -2, 0, "scripting", ScriptContainer, {},
                                      {"A container for Lua scripts management commands.",
                                       "2.6.0", "Depends on subcommand."}));
  table.AddSubcommand(script, Row("load", 3, kNoScript | kStale, "scripting", ScriptLoad, {},
                                  {"Loads a server-side Lua script to the script cache.", "2.6.0",
                                   "O(N) with N being the length in bytes of the script body."},
                                  {"scripting"}));
  table.AddSubcommand(script, Row("exists", -3, kNoScript, "scripting", ScriptExists, {},
                                  {"Determines whether server-side Lua scripts exist in the script "
                                   "cache.",
                                   "2.6.0",
                                   "O(N) with N being the number of scripts to check (so checking "
                                   "a single script is an O(1) operation)."},
                                  {"scripting"}));
  table.AddSubcommand(script, Row("flush", -2, kNoScript, "scripting", ScriptFlush, {},
                                  {"Removes all server-side Lua scripts from the script cache.",
                                   "2.6.0", "O(N) with N being the number of scripts in cache"},
                                  {"scripting"}));
  table.AddSubcommand(script, Row("kill", 2, kNoScript | kAllowBusy, "scripting", ScriptKill, {},
                                  {"Terminates a server-side Lua script during execution.",
                                   "2.6.0", "O(1)"},
                                  {"scripting"}));
  table.AddSubcommand(script, Row("help", 2, kLoading | kStale, "scripting", ScriptHelp, {},
                                  {"Returns helpful text about the different subcommands.",
                                   "5.0.0", "O(1)"},
                                  {"scripting"}));
}

}  // namespace lodestone
