// FUNCTION: the function library registry.
//
// Lodestone has no scripting engine yet (it arrives with issue 5), so the
// library registry is always empty and these are the replies Redis gives for
// an empty registry. FUNCTION FLUSH matters beyond scripting: Redis's own
// test harness sends it before every test.
#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"

namespace lodestone {
namespace {

// FUNCTION FLUSH [ASYNC | SYNC]
void FunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::SubcommandSyntaxError("function", ctx.arg(1)));
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "SYNC") &&
      !EqualsIgnoreCase(ctx.arg(2), "ASYNC")) {
    return ctx.reply.Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  ctx.shard.stats().dirty++;
  ctx.reply.Ok();
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
void FunctionList(CommandContext& ctx) {
  bool with_code = false, has_pattern = false;
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (EqualsIgnoreCase(ctx.arg(i), "WITHCODE") && !with_code) {
      with_code = true;
    } else if (EqualsIgnoreCase(ctx.arg(i), "LIBRARYNAME") && !has_pattern && i + 1 < ctx.argc()) {
      has_pattern = true;
      i++;
    } else {
      return ctx.reply.Error("ERR Unknown argument " + std::string(ctx.arg(i)));
    }
  }
  ctx.reply.EmptyArray();
}

// FUNCTION (container): reached only without a subcommand.
void FunctionContainer(CommandContext& ctx) { ctx.reply.Error(protocol::WrongArity("function")); }

}  // namespace

void RegisterFunctionCommands(CommandTable& table) {
  CommandSpec& fn = table.Add(Row("function", -2, 0, "scripting", FunctionContainer, {},
                                  {"A container for function commands.", "7.0.0",
                                   "Depends on subcommand."}));
  table.AddSubcommand(fn, Row("flush", -2, kNoScript | kWrite, "scripting", FunctionFlush, {},
                              {"Deletes all libraries and functions.", "7.0.0",
                               "O(N) where N is the number of functions deleted"},
                              {"scripting"}));
  table.AddSubcommand(fn, Row("list", -2, kNoScript, "scripting", FunctionList, {},
                              {"Returns information about all libraries.", "7.0.0",
                               "O(N) where N is the number of functions"},
                              {"scripting"}));
}

}  // namespace lodestone
