// MEMORY: per-key memory usage and allocator diagnostics.
#include <climits>

#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "common/strings.h"

namespace lodestone {
namespace {

// The share of the key table each key costs: one bucket pointer at the
// table's load factor of about one.
constexpr size_t kBucketShare = sizeof(void*);

// MEMORY USAGE key [SAMPLES count]
// Collections report their exact size, so SAMPLES only has to be valid.
void MemoryUsage(CommandContext& ctx) {
  for (size_t j = 3; j < ctx.argc(); j++) {
    if (EqualsIgnoreCase(ctx.arg(j), "SAMPLES") && j + 1 < ctx.argc()) {
      int64_t samples;
      if (!ParseInt64(ctx.arg(j + 1), &samples)) return ctx.reply.Error(protocol::kNotInteger);
      if (samples < 0) return ctx.reply.Error(protocol::kSyntaxError);
      j++;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  // Like Redis's dbFind: the raw table, expired or not.
  Entry* e = ctx.db().Find(ctx.arg(2));
  if (e == nullptr) return ctx.reply.Null();
  ctx.reply.Integer(int64_t(e->MemoryUsage() + kBucketShare));
}

// MEMORY DOCTOR
void MemoryDoctor(CommandContext& ctx) {
  ctx.reply.Verbatim(
      "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
      "occurs on this base.");
}

// MEMORY PURGE: mimalloc returns freed pages to the system on its own.
void MemoryPurge(CommandContext& ctx) { ctx.reply.Ok(); }

// MEMORY MALLOC-STATS
void MemoryMallocStats(CommandContext& ctx) {
  ctx.reply.Verbatim("Stats not supported for the current allocator");
}

// MEMORY HELP
void MemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {"DOCTOR",
                  "    Return memory problems reports.", "MALLOC-STATS",
                  "    Return internal statistics report from the memory allocator.", "PURGE",
                  "    Attempt to purge dirty pages for reclamation by the allocator.",
                  "USAGE <key> [SAMPLES <count>]",
                  "    Return memory in bytes used by <key> and its value. Nested values are",
                  "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

}  // namespace

void RegisterMemoryCommands(CommandTable& table) {
  CommandSpec& memory = table.Add(Row("memory", -2, 0, "server", ContainerHelpHint, {},
                                      {"A container for memory diagnostics commands.", "4.0.0",
                                       "Depends on subcommand."}));
  table.AddSubcommand(memory, Row("usage", -3, kReadonly, "server", MemoryUsage,
                                  {KeysAt(2, 0, 1, kKsRO)},
                                  {"Estimates the memory usage of a key.", "4.0.0",
                                   "O(N) where N is the number of samples."},
                                  {"keyspace"}));
  table.AddSubcommand(memory, Row("doctor", 2, 0, "server", MemoryDoctor, {},
                                  {"Outputs a memory problems report.", "4.0.0", "O(1)"}));
  table.AddSubcommand(memory, Row("purge", 2, 0, "server", MemoryPurge, {},
                                  {"Asks the allocator to release memory.", "4.0.0",
                                   "Depends on how much memory is allocated, could be slow"}));
  table.AddSubcommand(memory, Row("malloc-stats", 2, 0, "server", MemoryMallocStats, {},
                                  {"Returns the allocator statistics.", "4.0.0",
                                   "Depends on how much memory is allocated, could be slow"}));
  table.AddSubcommand(memory, Row("help", 2, kLoading | kStale, "server", MemoryHelp, {},
                                  {"Returns helpful text about the different subcommands.",
                                   "4.0.0", "O(1)"}));
}

}  // namespace lodestone
