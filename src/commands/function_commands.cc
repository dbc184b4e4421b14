// FUNCTION (LOAD, DELETE, FLUSH, LIST, STATS, KILL, DUMP, RESTORE, HELP),
// FCALL and FCALL_RO.
//
// The library registry is engine-wide (scripting/function_registry.h); the
// handlers run on the client's thread, validate library code in that
// thread's function VM (scripting/function_loader.h) and publish a new
// registry snapshot. FCALL finds the function in the current snapshot,
// compiles its library in the thread's VM if needed and hands it to the
// script runner, which routes it exactly as EVAL (kNoHop, keys by numkeys).
#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "common/clock.h"
#include "common/glob.h"
#include "common/strings.h"
#include "scripting/function_dump.h"
#include "scripting/function_loader.h"
#include "scripting/function_registry.h"
#include "scripting/lua_vm.h"
#include "scripting/script_runner.h"

namespace lodestone {
namespace {

// Flag names in Redis's order (FUNCTION LIST).
constexpr struct {
  uint32_t flag;
  std::string_view name;
} kFlagNames[] = {{kScriptNoWrites, "no-writes"},
                  {kScriptAllowOom, "allow-oom"},
                  {kScriptAllowStale, "allow-stale"},
                  {kScriptNoCluster, "no-cluster"},
                  {kScriptAllowCrossSlot, "allow-cross-slot-keys"}};

LuaVm& FunctionVm(CommandContext& ctx) {
  LuaVm& vm = VmForShard(ctx.shard, LuaVm::Kind::kFunction);
  vm.LockGlobals();
  return vm;
}

// FUNCTION LOAD [REPLACE] function-code
void FunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t i = 2;
  for (; i + 1 < ctx.argc(); i++) {
    if (!EqualsIgnoreCase(ctx.arg(i), "replace")) {
      return ctx.reply.Error("ERR Unknown option given: " + std::string(ctx.arg(i)));
    }
    replace = true;
  }
  FunctionRegistry& registry = FunctionRegistry::Of(ctx.engine);
  std::string err;
  std::shared_ptr<FunctionLibrary> library = CreateLibrary(
      FunctionVm(ctx), ctx.arg(i), registry.NextLibraryId(),
      [&registry](std::string_view name) { return registry.HasLibrary(name); }, replace,
      kFunctionLoadTimeoutMs, &err);
  if (library == nullptr) return ctx.reply.Error(err);
  std::string name = library->name;
  if (!registry.Add(std::move(library), replace, &err)) return ctx.reply.Error("ERR " + err);
  ctx.shard.stats().dirty++;
  ctx.reply.Bulk(name);
}

// FUNCTION DELETE library-name
void FunctionDelete(CommandContext& ctx) {
  if (!FunctionRegistry::Of(ctx.engine).Delete(ctx.arg(2))) {
    return ctx.reply.Error("ERR Library not found");
  }
  ctx.shard.stats().dirty++;
  ctx.reply.Ok();
}

// FUNCTION FLUSH [ASYNC | SYNC]
void FunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::SubcommandSyntaxError("function", ctx.arg(1)));
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "SYNC") &&
      !EqualsIgnoreCase(ctx.arg(2), "ASYNC")) {
    return ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  FunctionRegistry::Of(ctx.engine).Flush();
  ctx.shard.stats().dirty++;
  ctx.reply.Ok();
}

void ReplyLibrary(CommandContext& ctx, const FunctionLibrary& library, bool with_code) {
  ctx.reply.MapHeader(with_code ? 4 : 3);
  ctx.reply.Bulk("library_name");
  ctx.reply.Bulk(library.name);
  ctx.reply.Bulk("engine");
  ctx.reply.Bulk(library.engine);
  ctx.reply.Bulk("functions");
  ctx.reply.ArrayHeader(library.functions.size());
  for (const FunctionInfo& fn : library.functions) {
    ctx.reply.MapHeader(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(fn.name);
    ctx.reply.Bulk("description");
    if (fn.description) {
      ctx.reply.Bulk(*fn.description);
    } else {
      ctx.reply.Null();
    }
    ctx.reply.Bulk("flags");
    size_t count = 0;
    for (const auto& f : kFlagNames) count += (fn.flags & f.flag) ? 1 : 0;
    ctx.reply.SetHeader(count);
    for (const auto& f : kFlagNames) {
      if (fn.flags & f.flag) ctx.reply.SimpleString(f.name);
    }
  }
  if (with_code) {
    ctx.reply.Bulk("library_code");
    ctx.reply.Bulk(library.code);
  }
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
void FunctionList(CommandContext& ctx) {
  bool with_code = false;
  std::optional<std::string_view> pattern;
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (!with_code && EqualsIgnoreCase(ctx.arg(i), "withcode")) {
      with_code = true;
      continue;
    }
    if (!pattern && EqualsIgnoreCase(ctx.arg(i), "libraryname")) {
      if (i + 1 >= ctx.argc()) return ctx.reply.Error("ERR library name argument was not given");
      pattern = ctx.arg(++i);
      continue;
    }
    return ctx.reply.Error("ERR Unknown argument " + std::string(ctx.arg(i)));
  }
  std::shared_ptr<const FunctionSet> set = FunctionRegistry::Of(ctx.engine).Snapshot();
  std::vector<const FunctionLibrary*> matching;
  for (const auto& [name, library] : set->libraries()) {
    if (!pattern || StringMatch(*pattern, name, true)) matching.push_back(library.get());
  }
  ctx.reply.ArrayHeader(matching.size());
  for (const FunctionLibrary* library : matching) ReplyLibrary(ctx, *library, with_code);
}

// FUNCTION STATS
void FunctionStats(CommandContext& ctx) {
  const ScriptBusyState& busy = ctx.engine.script_busy;
  if (busy.busy.load(std::memory_order_acquire) > busy.busy_functions.load(std::memory_order_acquire)) {
    return ctx.reply.Error(protocol::kBusyScript);
  }
  FunctionRegistry& registry = FunctionRegistry::Of(ctx.engine);
  std::shared_ptr<const FunctionSet> set = registry.Snapshot();
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("running_script");
  std::optional<FunctionRegistry::RunningFunction> running;
  if (busy.busy_functions.load(std::memory_order_acquire) > 0) {
    running = registry.LongestRunning(ctx.engine.shard_count());
  }
  if (running) {
    ctx.reply.MapHeader(3);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(running->name);
    ctx.reply.Bulk("command");
    ctx.reply.ArrayHeader(running->command.size());
    for (const std::string& arg : running->command) ctx.reply.Bulk(arg);
    ctx.reply.Bulk("duration_ms");
    ctx.reply.Integer(std::max<int64_t>(0, WallTimeMs() - running->start_ms));
  } else {
    ctx.reply.Null();
  }
  ctx.reply.Bulk("engines");
  ctx.reply.MapHeader(1);
  ctx.reply.Bulk("LUA");
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("libraries_count");
  ctx.reply.Integer(int64_t(set->libraries().size()));
  ctx.reply.Bulk("functions_count");
  ctx.reply.Integer(int64_t(set->function_count()));
}

// FUNCTION KILL
void FunctionKill(CommandContext& ctx) { KillBusyScript(ctx, true); }

// FUNCTION DUMP
void FunctionDump(CommandContext& ctx) {
  ctx.reply.Bulk(DumpFunctions(*FunctionRegistry::Of(ctx.engine).Snapshot()));
}

// FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]
void FunctionRestore(CommandContext& ctx) {
  if (ctx.argc() > 4) return ctx.reply.Error(protocol::SubcommandSyntaxError("function", ctx.arg(1)));
  auto policy = FunctionRegistry::RestorePolicy::kAppend;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "append")) {
      policy = FunctionRegistry::RestorePolicy::kAppend;
    } else if (EqualsIgnoreCase(ctx.arg(3), "replace")) {
      policy = FunctionRegistry::RestorePolicy::kReplace;
    } else if (EqualsIgnoreCase(ctx.arg(3), "flush")) {
      policy = FunctionRegistry::RestorePolicy::kFlush;
    } else {
      return ctx.reply.Error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
    }
  }
  std::vector<std::string> codes;
  std::string err;
  if (!ParseFunctionDump(ctx.arg(2), &codes, &err)) return ctx.reply.Error("ERR " + err);
  FunctionRegistry& registry = FunctionRegistry::Of(ctx.engine);
  LuaVm& vm = FunctionVm(ctx);
  std::vector<std::shared_ptr<const FunctionLibrary>> libraries;
  std::unordered_map<std::string, bool> seen_libraries, seen_functions;
  for (const std::string& code : codes) {
    auto library = CreateLibrary(
        vm, code, registry.NextLibraryId(), [](std::string_view) { return false; }, false, 0, &err);
    if (library == nullptr) return ctx.reply.Error(err);
    if (!seen_libraries.emplace(library->name, true).second) {
      return ctx.reply.Error("ERR Library '" + library->name + "' already exists");
    }
    for (const FunctionInfo& fn : library->functions) {
      if (!seen_functions.emplace(ToLowerCopy(fn.name), true).second) {
        return ctx.reply.Error("ERR Function " + fn.name + " already exists");
      }
    }
    libraries.push_back(std::move(library));
  }
  if (!registry.Restore(std::move(libraries), policy, &err)) return ctx.reply.Error("ERR " + err);
  ctx.shard.stats().dirty++;
  ctx.reply.Ok();
}

// FUNCTION HELP
void FunctionHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using "
      "FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a restore "
      "policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance "
      "of failure",
      "      in case of functions name collision with another library).",
  });
}

// FUNCTION (container): reached only without a subcommand.
void FunctionContainer(CommandContext& ctx) { ctx.reply.Error(protocol::WrongArity("function")); }

void FCallGeneric(CommandContext& ctx, bool read_only) {
  FunctionRegistry& registry = FunctionRegistry::Of(ctx.engine);
  const FunctionSet& set = registry.CurrentFor(ctx.shard.id(), ctx.engine.shard_count());
  const FunctionSet::Function* fn = set.FindFunction(ctx.arg(1));
  if (fn == nullptr) return ctx.reply.Error("ERR Function not found");
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(2), &numkeys)) return ctx.reply.Error("ERR Bad number of keys provided");
  if (numkeys > int64_t(ctx.argc()) - 3) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  if (numkeys < 0) return ctx.reply.Error("ERR Number of keys can't be negative");
  LuaVm& vm = FunctionVm(ctx);
  std::string err;
  if (!PushFunction(vm, set, *fn, &err)) return ctx.reply.Error(err);
  ScriptCall call;
  size_t first_arg = 3 + size_t(numkeys);
  call.keys.assign(ctx.args.begin() + 3, ctx.args.begin() + first_arg);
  call.args.assign(ctx.args.begin() + first_arg, ctx.args.end());
  call.flags = fn->info->flags;
  call.read_only = read_only;
  call.eval_mode = false;
  call.name = fn->info->name;
  registry.BeginRun(ctx.shard.id(), ctx.engine.shard_count(), &fn->info->name, &ctx.args, WallTimeMs());
  RunScript(ctx, vm, call);
  registry.EndRun(ctx.shard.id());
}

// FCALL function numkeys [key [key ...]] [arg [arg ...]]
void FCall(CommandContext& ctx) { FCallGeneric(ctx, false); }
// FCALL_RO function numkeys [key [key ...]] [arg [arg ...]]
void FCallRo(CommandContext& ctx) { FCallGeneric(ctx, true); }

CommandSpec FCallRow(std::string name, CommandHandler handler, bool read_only, CommandDoc doc) {
  uint64_t flags = kNoScript | kSkipMonitor | kNoMandatoryKeys | kStale | kNoHop |
                   (read_only ? kReadonly : kMayReplicate);
  uint32_t key_flags = read_only ? (kKsRO | kKsAccess) : (kKsRW | kKsAccess | kKsUpdate);
  return Row(std::move(name), -3, flags, "scripting", handler, {KeysCounted(2, 1, key_flags)}, doc,
             {"scripting"});
}

CommandSpec Subcommand(std::string name, int arity, uint64_t flags, CommandHandler handler,
                       CommandDoc doc, std::vector<std::string_view> tips = {}) {
  CommandSpec spec = Row(std::move(name), arity, flags, "scripting", handler, {}, doc, {"scripting"});
  spec.tips = std::move(tips);
  return spec;
}

}  // namespace

void RegisterFunctionCommands(CommandTable& table) {
  table.Add(FCallRow("fcall", FCall, false,
                     {"Invokes a function.", "7.0.0", "Depends on the function that is executed."}));
  table.Add(FCallRow("fcall_ro", FCallRo, true,
                     {"Invokes a read-only function.", "7.0.0",
                      "Depends on the function that is executed."}));
  CommandSpec& fn = table.Add(Row("function", -2, 0, "scripting", FunctionContainer, {},
                                  {"A container for function commands.", "7.0.0",
                                   "Depends on subcommand."}));
  const std::vector<std::string_view> all_shards = {"request_policy:all_shards",
                                                    "response_policy:all_succeeded"};
  table.AddSubcommand(fn, Subcommand("load", -3, kNoScript | kWrite | kDenyOom, FunctionLoad,
                                     {"Creates a library.", "7.0.0",
                                      "O(1) (considering compilation time is redundant)"},
                                     all_shards));
  table.AddSubcommand(fn, Subcommand("delete", 3, kNoScript | kWrite, FunctionDelete,
                                     {"Deletes a library and its functions.", "7.0.0", "O(1)"},
                                     all_shards));
  table.AddSubcommand(fn, Subcommand("flush", -2, kNoScript | kWrite, FunctionFlush,
                                     {"Deletes all libraries and functions.", "7.0.0",
                                      "O(N) where N is the number of functions deleted"},
                                     all_shards));
  table.AddSubcommand(fn, Subcommand("list", -2, kNoScript, FunctionList,
                                     {"Returns information about all libraries.", "7.0.0",
                                      "O(N) where N is the number of functions"},
                                     {"nondeterministic_output_order"}));
  table.AddSubcommand(fn, Subcommand("stats", 2, kNoScript | kAllowBusy, FunctionStats,
                                     {"Returns information about a function during execution.",
                                      "7.0.0", "O(1)"},
                                     {"nondeterministic_output", "request_policy:all_shards",
                                      "response_policy:special"}));
  table.AddSubcommand(fn, Subcommand("kill", 2, kNoScript | kAllowBusy, FunctionKill,
                                     {"Terminates a function during execution.", "7.0.0", "O(1)"},
                                     {"request_policy:all_shards", "response_policy:one_succeeded"}));
  table.AddSubcommand(fn, Subcommand("dump", 2, kNoScript, FunctionDump,
                                     {"Dumps all libraries into a serialized binary payload.",
                                      "7.0.0", "O(N) where N is the number of functions"}));
  table.AddSubcommand(fn, Subcommand("restore", -3, kNoScript | kWrite | kDenyOom, FunctionRestore,
                                     {"Restores all libraries from a payload.", "7.0.0",
                                      "O(N) where N is the number of functions on the payload"},
                                     all_shards));
  table.AddSubcommand(fn, Subcommand("help", 2, kLoading | kStale, FunctionHelp,
                                     {"Returns helpful text about the different subcommands.",
                                      "7.0.0", "O(1)"}));
}

}  // namespace lodestone
