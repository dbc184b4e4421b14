// MEMORY: per-key memory usage and allocator diagnostics.
#include <algorithm>
#include <climits>
#include <memory>
#include <string>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "common/memory_accounting.h"
#include "common/strings.h"
#include "engine/client.h"
#include "scripting/function_registry.h"
#include "scripting/script_cache.h"

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

// MEMORY STATS: Redis's breakdown (object.c getMemoryOverheadData), from
// our counters. Runs with every shard parked (kAllShards) to read every
// database. The allocator fields: allocated is the counted bytes, active
// mimalloc's committed bytes, resident the process RSS.
void MemoryStats(CommandContext& ctx) {
  Engine& engine = ctx.engine;
  engine.RefreshUsedMemory();
  const uint64_t used = memory::AllocatedBytes();
  const uint64_t peak = std::max(used, engine.used_memory_peak());
  const uint64_t startup = engine.startup_memory();
  const uint64_t rss = memory::ResidentBytes();
  // mimalloc commits ahead of use; what is resident bounds what is active.
  const uint64_t active = std::max(std::min(memory::CommittedBytes(), rss), used);
  const MemoryOverhead mo = CollectMemoryOverhead(engine);
  const uint64_t clients_normal = mo.clients_normal;
  std::vector<MemoryOverhead::Database> dbs;  // the non-empty ones, as Redis lists
  uint64_t keys = 0;
  for (const MemoryOverhead::Database& d : mo.dbs) {
    keys += d.keys;
    if (d.keys > 0) dbs.push_back(d);
  }
  ScriptingMemory sm = GetScriptingMemory(engine);
  std::shared_ptr<const FunctionSet> functions = FunctionRegistry::Of(engine).Snapshot();
  uint64_t lut = 0;
  for (const MemoryOverhead::Database& o : dbs) lut += o.main + o.expires;
  const uint64_t overhead =
      startup + clients_normal + sm.script_bytes + functions->code_bytes() + lut;
  const uint64_t dataset = used > overhead ? used - overhead : 0;
  const uint64_t net = used > startup ? used - startup : 1;
  auto ratio = [](uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0.0; };

  ctx.reply.MapHeader(31 + dbs.size());
  auto field = [&](const char* name, int64_t v) {
    ctx.reply.Bulk(name);
    ctx.reply.Integer(v);
  };
  auto real = [&](const char* name, double v) {
    ctx.reply.Bulk(name);
    ctx.reply.Double(v);
  };
  field("peak.allocated", int64_t(peak));
  field("total.allocated", int64_t(used));
  field("startup.allocated", int64_t(startup));
  field("replication.backlog", 0);
  field("clients.slaves", 0);
  field("clients.normal", int64_t(clients_normal));
  field("cluster.links", 0);
  field("aof.buffer", 0);
  field("lua.caches", int64_t(sm.script_bytes));
  field("functions.caches", int64_t(functions->code_bytes()));
  for (const MemoryOverhead::Database& o : dbs) {
    ctx.reply.Bulk("db." + std::to_string(o.id));
    ctx.reply.MapHeader(2);
    field("overhead.hashtable.main", int64_t(o.main));
    field("overhead.hashtable.expires", int64_t(o.expires));
  }
  field("overhead.db.hashtable.lut", int64_t(lut));
  field("overhead.db.hashtable.rehashing", 0);
  field("overhead.total", int64_t(overhead));
  field("db.dict.rehashing.count", 0);
  field("keys.count", int64_t(keys));
  field("keys.bytes-per-key", keys ? int64_t(dataset / keys) : 0);
  field("dataset.bytes", int64_t(dataset));
  real("dataset.percentage", 100.0 * double(dataset) / double(net));
  real("peak.percentage", 100.0 * ratio(used, peak));
  field("allocator.allocated", int64_t(used));
  field("allocator.active", int64_t(active));
  field("allocator.resident", int64_t(rss));
  field("allocator.muzzy", 0);
  real("allocator-fragmentation.ratio", ratio(active, used));
  field("allocator-fragmentation.bytes", int64_t(active - used));
  real("allocator-rss.ratio", ratio(rss, active));
  field("allocator-rss.bytes", int64_t(rss) - int64_t(active));
  real("rss-overhead.ratio", 1.0);
  field("rss-overhead.bytes", 0);
  real("fragmentation", ratio(rss, used));
  field("fragmentation.bytes", int64_t(rss) - int64_t(used));
}

// MEMORY MALLOC-STATS
void MemoryMallocStats(CommandContext& ctx) {
  ctx.reply.Verbatim("Stats not supported for the current allocator");
}

// MEMORY HELP
void MemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {"DOCTOR",
                  "    Return memory problems reports.", "MALLOC-STATS",
                  "    Return internal statistics report from the memory allocator.", "PURGE",
                  "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
                  "    Return information about the memory usage of the server.",
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
  table.AddSubcommand(memory, Row("stats", 2, kAllShards, "server", MemoryStats, {},
                                  {"Returns details about memory usage.", "4.0.0", "O(1)"}));
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
