// Introspection commands: COMMAND (generated from the command table), SLOWLOG
// and LATENCY.
//
// COMMAND INFO and COMMAND DOCS write each row in Redis 7's shape (server.c
// addReplyCommandInfo / addReplyCommandDocs): flags, ACL categories and key
// spec flags in Redis's own order, so clients that parse the reply by position
// (redis-cli hints, cluster clients) read the same thing. The table has no
// argument descriptions, so COMMAND DOCS leaves "arguments" out, which Redis
// also does for commands without arguments.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "common/glob.h"
#include "common/strings.h"
#include "engine/client.h"

namespace lodestone {
namespace {

constexpr std::string_view kInvalidCommand = "ERR Invalid command specified";
constexpr std::string_view kNoKeyArguments = "ERR The command has no key arguments";
constexpr std::string_view kInvalidArgCount =
    "ERR Invalid number of arguments specified for command";
constexpr std::string_view kInvalidArguments = "ERR Invalid arguments specified for command";
constexpr std::string_view kSlowlogCount = "ERR count should be greater than or equal to -1";

// ---- COMMAND -----------------------------------------------------------------

struct FlagName {
  uint64_t flag;
  const char* name;
};

// Redis's order (server.c addReplyFlagsForCommand); movablekeys is derived.
constexpr FlagName kCommandFlagNames[] = {
    {kWrite, "write"},        {kReadonly, "readonly"},
    {kDenyOom, "denyoom"},    {kAdmin, "admin"},
    {kPubSub, "pubsub"},      {kNoScript, "noscript"},
    {kBlocking, "blocking"},  {kLoading, "loading"},
    {kStale, "stale"},        {kSkipMonitor, "skip_monitor"},
    {kSkipSlowlog, "skip_slowlog"}, {kFast, "fast"},
    {kNoAuth, "no_auth"},     {kNoMandatoryKeys, "no_mandatory_keys"},
    {kNoAsyncLoading, "no_async_loading"}, {kNoMulti, "no_multi"},
};

constexpr FlagName kKeySpecFlagNames[] = {
    {kKsRO, "RO"},          {kKsRW, "RW"},           {kKsOW, "OW"},
    {kKsRM, "RM"},          {kKsAccess, "access"},   {kKsUpdate, "update"},
    {kKsInsert, "insert"},  {kKsDelete, "delete"},   {kKsNotKey, "not_key"},
    {kKsIncomplete, "incomplete"}, {kKsVariableFlags, "variable_flags"},
};

// ACL categories in Redis's bit order (acl.c ACLDefaultCommandCategories).
constexpr const char* kAclCategoryOrder[] = {
    "keyspace", "read",   "write", "set",       "sortedset", "list",       "hash",
    "string",   "bitmap", "hyperloglog", "geo", "stream",    "pubsub",     "admin",
    "fast",     "slow",   "blocking", "dangerous", "connection", "transaction", "scripting",
};

int CategoryRank(std::string_view name) {
  for (size_t i = 0; i < std::size(kAclCategoryOrder); i++) {
    if (EqualsIgnoreCase(name, kAclCategoryOrder[i])) return int(i);
  }
  return int(std::size(kAclCategoryOrder));
}

void ReplyCommandFlags(protocol::ReplyBuilder& rb, const CommandSpec& c) {
  std::vector<const char*> names;
  for (const FlagName& f : kCommandFlagNames) {
    if (c.flags & f.flag) names.push_back(f.name);
    // movablekeys sits between no_multi and allow_busy in Redis's list.
    if (f.flag == kNoMulti && c.movable_keys) names.push_back("movablekeys");
  }
  if (c.flags & kAllowBusy) names.push_back("allow_busy");
  rb.SetHeader(names.size());
  for (const char* n : names) rb.SimpleString(n);
}

void ReplyKeySpecFlags(protocol::ReplyBuilder& rb, uint32_t flags) {
  size_t n = 0;
  for (const FlagName& f : kKeySpecFlagNames) n += (flags & f.flag) ? 1 : 0;
  rb.SetHeader(n);
  for (const FlagName& f : kKeySpecFlagNames) {
    if (flags & f.flag) rb.SimpleString(f.name);
  }
}

void ReplyCategories(protocol::ReplyBuilder& rb, const CommandSpec& c) {
  std::vector<std::string_view> cats(c.acl_categories.begin(), c.acl_categories.end());
  std::stable_sort(cats.begin(), cats.end(), [](std::string_view a, std::string_view b) {
    return CategoryRank(a) < CategoryRank(b);
  });
  rb.SetHeader(cats.size());
  for (std::string_view cat : cats) rb.SimpleString("@" + std::string(cat));
}

void ReplyKeySpec(protocol::ReplyBuilder& rb, const KeySpec& ks) {
  rb.MapHeader(3);
  rb.Bulk("flags");
  ReplyKeySpecFlags(rb, ks.flags);
  rb.Bulk("begin_search");
  rb.MapHeader(2);
  rb.Bulk("type");
  if (ks.begin_keyword) {
    rb.Bulk("keyword");
    rb.Bulk("spec");
    rb.MapHeader(2);
    rb.Bulk("keyword");
    rb.Bulk(ks.keyword);
    rb.Bulk("startfrom");
    rb.Integer(ks.keyword_startfrom);
  } else {
    rb.Bulk("index");
    rb.Bulk("spec");
    rb.MapHeader(1);
    rb.Bulk("index");
    rb.Integer(ks.begin_index);
  }
  rb.Bulk("find_keys");
  rb.MapHeader(2);
  rb.Bulk("type");
  if (ks.find_keynum) {
    rb.Bulk("keynum");
    rb.Bulk("spec");
    rb.MapHeader(3);
    rb.Bulk("keynumidx");
    rb.Integer(ks.keynumidx);
    rb.Bulk("firstkey");
    rb.Integer(ks.firstkey);
    rb.Bulk("keystep");
    rb.Integer(ks.keystep);
  } else {
    rb.Bulk("range");
    rb.Bulk("spec");
    rb.MapHeader(3);
    rb.Bulk("lastkey");
    rb.Integer(ks.lastkey);
    rb.Bulk("keystep");
    rb.Integer(ks.keystep);
    rb.Bulk("limit");
    rb.Integer(ks.limit);
  }
}

std::vector<const CommandSpec*> SortedSubcommands(const CommandSpec& c) {
  std::vector<const CommandSpec*> subs;
  for (const auto& [name, sub] : c.subcommands) subs.push_back(sub.get());
  std::sort(subs.begin(), subs.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  return subs;
}

// One COMMAND INFO row (nullptr: a null reply, for unknown names).
void ReplyCommandInfo(protocol::ReplyBuilder& rb, const CommandSpec* c) {
  if (c == nullptr) return rb.Null();
  rb.ArrayHeader(10);
  rb.Bulk(c->name);
  rb.Integer(c->arity);
  ReplyCommandFlags(rb, *c);
  rb.Integer(c->first_key);
  rb.Integer(c->last_key);
  rb.Integer(c->key_step);
  ReplyCategories(rb, *c);
  rb.SetHeader(c->tips.size());
  for (std::string_view tip : c->tips) rb.Bulk(tip);
  rb.SetHeader(c->key_specs.size());
  for (const KeySpec& ks : c->key_specs) ReplyKeySpec(rb, ks);
  if (c->subcommands.empty()) {
    rb.SetHeader(0);
  } else {
    rb.ArrayHeader(c->subcommands.size());
    for (const CommandSpec* sub : SortedSubcommands(*c)) ReplyCommandInfo(rb, sub);
  }
}

void ReplyCommandDocs(protocol::ReplyBuilder& rb, const CommandSpec& c) {
  size_t fields = 1 + !c.doc.summary.empty() + !c.doc.since.empty() + !c.doc.complexity.empty() +
                  !c.subcommands.empty();
  rb.MapHeader(fields);
  if (!c.doc.summary.empty()) {
    rb.Bulk("summary");
    rb.Bulk(c.doc.summary);
  }
  if (!c.doc.since.empty()) {
    rb.Bulk("since");
    rb.Bulk(c.doc.since);
  }
  rb.Bulk("group");
  rb.Bulk(c.group);
  if (!c.doc.complexity.empty()) {
    rb.Bulk("complexity");
    rb.Bulk(c.doc.complexity);
  }
  if (!c.subcommands.empty()) {
    rb.Bulk("subcommands");
    rb.MapHeader(c.subcommands.size());
    for (const CommandSpec* sub : SortedSubcommands(c)) {
      rb.Bulk(sub->name);
      ReplyCommandDocs(rb, *sub);
    }
  }
}

// "get" or "client|kill" (any case) as COMMAND INFO / DOCS name them.
const CommandSpec* FindByFullName(const CommandTable& table, std::string_view name) {
  size_t bar = name.find('|');
  const CommandSpec* c = table.Find(name.substr(0, bar));
  if (c == nullptr || bar == std::string_view::npos) return c;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos) return nullptr;
  auto it = c->subcommands.find(ToLowerCopy(sub));
  return it == c->subcommands.end() ? nullptr : it->second.get();
}

// COMMAND (no subcommand)
void Command(CommandContext& ctx) {
  const auto& top = ctx.engine.commands().top_level();
  ctx.reply.ArrayHeader(top.size());
  for (const CommandSpec* c : top) ReplyCommandInfo(ctx.reply, c);
}

// COMMAND COUNT
void CommandCount(CommandContext& ctx) { ctx.reply.Integer(int64_t(ctx.engine.commands().size())); }

// COMMAND INFO [command-name ...]
void CommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) return Command(ctx);
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    ReplyCommandInfo(ctx.reply, FindByFullName(ctx.engine.commands(), ctx.arg(i)));
  }
}

// COMMAND DOCS [command-name ...]
void CommandDocs(CommandContext& ctx) {
  const CommandTable& table = ctx.engine.commands();
  if (ctx.argc() == 2) {
    ctx.reply.MapHeader(table.top_level().size());
    for (const CommandSpec* c : table.top_level()) {
      ctx.reply.Bulk(c->name);
      ReplyCommandDocs(ctx.reply, *c);
    }
    return;
  }
  std::vector<const CommandSpec*> found;
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (const CommandSpec* c = FindByFullName(table, ctx.arg(i))) found.push_back(c);
  }
  ctx.reply.MapHeader(found.size());
  for (const CommandSpec* c : found) {
    ctx.reply.Bulk(c->name);
    ReplyCommandDocs(ctx.reply, *c);
  }
}

bool HasCategory(const CommandSpec& c, std::string_view cat) {
  for (const std::string& have : c.acl_categories) {
    if (EqualsIgnoreCase(have, cat)) return true;
  }
  return false;
}

// COMMAND LIST [FILTERBY <MODULE module-name | ACLCAT category | PATTERN pattern>]
void CommandList(CommandContext& ctx) {
  enum { kNone, kModule, kAclCat, kPattern } filter = kNone;
  std::string_view filter_arg;
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (!EqualsIgnoreCase(ctx.arg(i), "filterby") || ctx.argc() - 1 - i != 2) {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
    std::string_view type = ctx.arg(i + 1);
    if (EqualsIgnoreCase(type, "module")) {
      filter = kModule;
    } else if (EqualsIgnoreCase(type, "aclcat")) {
      filter = kAclCat;
    } else if (EqualsIgnoreCase(type, "pattern")) {
      filter = kPattern;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
    filter_arg = ctx.arg(i + 2);
    i += 2;
  }
  // An unknown ACL category matches nothing; there are no modules.
  bool valid_category = CategoryRank(filter_arg) < int(std::size(kAclCategoryOrder));
  std::vector<const CommandSpec*> out;
  for (const CommandSpec* c : ctx.engine.commands().all()) {
    bool keep = filter == kNone ||
                (filter == kAclCat && valid_category && HasCategory(*c, filter_arg)) ||
                (filter == kPattern && StringMatch(filter_arg, c->name, true));
    if (keep) out.push_back(c);
  }
  ctx.reply.ArrayHeader(out.size());
  for (const CommandSpec* c : out) ctx.reply.Bulk(c->name);
}

// The flags of a key whose spec says variable_flags, worked out from the
// arguments as Redis's getkeys procedures do (setGetKeys, bitfieldGetKeys).
uint32_t ActualKeyFlags(const CommandSpec& c, const std::vector<std::string_view>& args,
                        uint32_t flags) {
  if (!(flags & kKsVariableFlags)) return flags;
  if (c.name == "set") {
    for (size_t i = 3; i < args.size(); i++) {
      if (EqualsIgnoreCase(args[i], "get")) return kKsRW | kKsAccess | kKsUpdate;
    }
    return kKsOW | kKsUpdate;
  }
  if (c.name == "bitfield") {
    bool readonly = true;
    for (size_t i = 2; i < args.size(); i++) {
      size_t remaining = args.size() - i - 1;
      if (EqualsIgnoreCase(args[i], "get") && remaining >= 2) {
        i += 2;
      } else if (EqualsIgnoreCase(args[i], "overflow") && remaining >= 1) {
        i += 1;
      } else {
        readonly = false;  // a write, or a syntax error: assume it writes
        break;
      }
    }
    return readonly ? kKsRO | kKsAccess : kKsRW | kKsAccess | kKsUpdate;
  }
  return flags;
}

// COMMAND GETKEYS command [arg ...] and COMMAND GETKEYSANDFLAGS command [arg ...]
void GetKeys(CommandContext& ctx, bool with_flags) {
  std::vector<std::string_view> args(ctx.args.begin() + 2, ctx.args.end());
  bool unknown_sub = false;
  const CommandSpec* c = ctx.engine.commands().Resolve(args, &unknown_sub);
  if (c == nullptr || unknown_sub) return ctx.reply.Error(kInvalidCommand);
  if (c->key_specs.empty()) return ctx.reply.Error(kNoKeyArguments);
  if (!ArityOk(*c, args.size())) return ctx.reply.Error(kInvalidArgCount);
  // Each key with the flags of the key spec that found it, in spec order.
  std::vector<std::pair<int, uint32_t>> keys;
  bool ok = true;
  if (c->get_keys != nullptr) {
    std::vector<KeyRef> refs;
    ok = c->get_keys(args, &refs);
    for (const KeyRef& ref : refs) keys.emplace_back(ref.pos, ref.flags);
  } else {
    for (const KeySpec& ks : c->key_specs) {
      CommandSpec one;
      one.key_specs.push_back(ks);
      std::vector<int> positions;
      if (!GetKeyPositions(one, args, &positions)) ok = false;
      for (int pos : positions) keys.emplace_back(pos, ActualKeyFlags(*c, args, ks.flags));
    }
  }
  if (!ok || keys.empty()) {
    if (c->flags & kNoMandatoryKeys) return ctx.reply.EmptyArray();
    return ctx.reply.Error(kInvalidArguments);
  }
  ctx.reply.ArrayHeader(keys.size());
  for (auto [pos, flags] : keys) {
    if (!with_flags) {
      ctx.reply.Bulk(args[pos]);
      continue;
    }
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(args[pos]);
    ReplyKeySpecFlags(ctx.reply, flags);
  }
}

void CommandGetKeys(CommandContext& ctx) { GetKeys(ctx, false); }
void CommandGetKeysAndFlags(CommandContext& ctx) { GetKeys(ctx, true); }

// COMMAND HELP
void CommandHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "(no subcommand)",
                     "    Return details about all Redis commands.",
                     "COUNT",
                     "    Return the total number of commands in this Redis server.",
                     "LIST",
                     "    Return a list of all commands in this Redis server.",
                     "INFO [<command-name> ...]",
                     "    Return details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "DOCS [<command-name> ...]",
                     "    Return documentation details about multiple Redis commands.",
                     "    If no command names are given, documentation details for all",
                     "    commands are returned.",
                     "GETKEYS <full-command>",
                     "    Return the keys from a full Redis command.",
                     "GETKEYSANDFLAGS <full-command>",
                     "    Return the keys and the access flags from a full Redis command.",
                 });
}

// ---- SLOWLOG -------------------------------------------------------------------

// SLOWLOG GET [count]
void SlowlogGet(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    return ctx.reply.Error(protocol::SubcommandSyntaxError("slowlog", ctx.arg(1)));
  }
  int64_t count = 10;
  if (ctx.argc() == 3) {
    if (!ParseInt64(ctx.arg(2), &count) || count < -1) return ctx.reply.Error(kSlowlogCount);
  }
  std::vector<SlowlogEntry> entries = ctx.engine.SlowlogGet(count);
  ctx.reply.ArrayHeader(entries.size());
  for (const SlowlogEntry& e : entries) {
    ctx.reply.ArrayHeader(6);
    ctx.reply.Integer(int64_t(e.id));
    ctx.reply.Integer(e.time_s);
    ctx.reply.Integer(e.duration_us);
    ctx.reply.ArrayHeader(e.args.size());
    for (const std::string& a : e.args) ctx.reply.Bulk(a);
    ctx.reply.Bulk(e.peer);
    ctx.reply.Bulk(e.client_name);
  }
}

// SLOWLOG LEN
void SlowlogLen(CommandContext& ctx) { ctx.reply.Integer(int64_t(ctx.engine.SlowlogLen())); }

// SLOWLOG RESET
void SlowlogReset(CommandContext& ctx) {
  ctx.engine.SlowlogReset();
  ctx.reply.Ok();
}

// SLOWLOG HELP
void SlowlogHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "GET [<count>]",
                     "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                     "    Entries are made of:",
                     "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                     "    client name",
                     "LEN",
                     "    Return the length of the slowlog.",
                     "RESET",
                     "    Reset the slowlog.",
                 });
}

// ---- LATENCY -------------------------------------------------------------------

// The samples of an event, oldest first.
std::vector<LatencySample> OrderedSamples(const LatencyEvent& ev) {
  std::vector<LatencySample> out;
  size_t n = ev.samples.size();
  size_t start = n < 160 ? 0 : ev.next;
  for (size_t i = 0; i < n; i++) out.push_back(ev.samples[(start + i) % n]);
  return out;
}

const LatencyEvent* FindEvent(const std::vector<std::pair<std::string, LatencyEvent>>& events,
                              std::string_view name) {
  for (const auto& [event_name, ev] : events) {
    if (event_name == name) return &ev;
  }
  return nullptr;
}

// LATENCY LATEST
void LatencyLatest(CommandContext& ctx) {
  auto events = ctx.engine.LatencyEvents();
  ctx.reply.ArrayHeader(events.size());
  for (const auto& [name, ev] : events) {
    std::vector<LatencySample> samples = OrderedSamples(ev);
    LatencySample last = samples.empty() ? LatencySample{0, 0} : samples.back();
    ctx.reply.ArrayHeader(4);
    ctx.reply.Bulk(name);
    ctx.reply.Integer(last.time_s);
    ctx.reply.Integer(last.latency_ms);
    ctx.reply.Integer(ev.max_ms);
  }
}

// LATENCY HISTORY event
void LatencyHistory(CommandContext& ctx) {
  auto events = ctx.engine.LatencyEvents();
  const LatencyEvent* ev = FindEvent(events, ctx.arg(2));
  if (ev == nullptr) return ctx.reply.EmptyArray();
  std::vector<LatencySample> samples = OrderedSamples(*ev);
  ctx.reply.ArrayHeader(samples.size());
  for (const LatencySample& s : samples) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(s.time_s);
    ctx.reply.Integer(s.latency_ms);
  }
}

// LATENCY RESET [event ...]
void LatencyReset(CommandContext& ctx) {
  std::vector<std::string> names(ctx.args.begin() + 2, ctx.args.end());
  int64_t removed = 0;
  ctx.engine.LatencyReset(names, &removed);
  ctx.reply.Integer(removed);
}

// LATENCY GRAPH event: the header of Redis's graph and one line per sample
// (no ASCII sparkline).
void LatencyGraph(CommandContext& ctx) {
  auto events = ctx.engine.LatencyEvents();
  const LatencyEvent* ev = FindEvent(events, ctx.arg(2));
  if (ev == nullptr) {
    return ctx.reply.Error("ERR No samples available for event '" + std::string(ctx.arg(2)) + "'");
  }
  std::vector<LatencySample> samples = OrderedSamples(*ev);
  int64_t lo = 0, hi = 0;
  for (size_t i = 0; i < samples.size(); i++) {
    lo = i == 0 ? samples[i].latency_ms : std::min(lo, samples[i].latency_ms);
    hi = i == 0 ? samples[i].latency_ms : std::max(hi, samples[i].latency_ms);
  }
  std::string graph = std::string(ctx.arg(2)) + " - high " + std::to_string(hi) + " ms, low " +
                      std::to_string(lo) + " ms (all time high " + std::to_string(ev->max_ms) +
                      " ms)\n" + std::string(80, '-') + "\n";
  int64_t now_s = ctx.now_ms / 1000;
  for (const LatencySample& s : samples) {
    graph += std::to_string(now_s - s.time_s) + "s ago: " + std::to_string(s.latency_ms) + " ms\n";
  }
  ctx.reply.Verbatim(graph);
}

// LATENCY DOCTOR
void LatencyDoctor(CommandContext& ctx) {
  auto events = ctx.engine.LatencyEvents();
  std::string report;
  if (events.empty()) {
    report =
        "Dave, no latency spike was observed during the lifetime of this Redis instance, not in "
        "the slightest bit. I honestly think you ought to sleep a little more.\n";
  } else {
    report = "Dave, I have observed latency spikes in this Redis instance.\n\n";
    int i = 1;
    for (const auto& [name, ev] : events) {
      report += std::to_string(i++) + ". " + name + ": " + std::to_string(ev.samples.size()) +
                " latency spikes (all time high " + std::to_string(ev.max_ms) + " milliseconds).\n";
    }
  }
  ctx.reply.Verbatim(report);
}

// LATENCY HISTOGRAM [command ...]: per-command histograms are not kept yet, so
// the map is empty.
void LatencyHistogram(CommandContext& ctx) { ctx.reply.MapHeader(0); }

// LATENCY HELP
void LatencyHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "DOCTOR",
                     "    Return a human readable latency analysis report.",
                     "GRAPH <event>",
                     "    Return an ASCII latency graph for the <event> class.",
                     "HISTORY <event>",
                     "    Return time-latency samples for the <event> class.",
                     "LATEST",
                     "    Return the latest latency samples for all events.",
                     "RESET [<event> ...]",
                     "    Reset latency data of one or more <event> classes.",
                     "    (default: reset all data for all event classes)",
                     "HISTOGRAM [COMMAND ...]",
                     "    Return a cumulative distribution of latencies in the format of a "
                     "histogram for the specified command names.",
                     "    If no commands are specified then all histograms are replied.",
                 });
}

CommandSpec WithTips(CommandSpec spec, std::vector<std::string_view> tips) {
  spec.tips = std::move(tips);
  return spec;
}

constexpr std::string_view kNondetOrder = "nondeterministic_output_order";
constexpr std::string_view kNondet = "nondeterministic_output";

void RegisterCommandCommand(CommandTable& table) {
  constexpr uint64_t kFlags = kLoading | kStale | kSentinel;
  CommandSpec& cmd = table.Add(WithTips(
      Row("command", -1, kFlags, "server", Command, {},
          {"Returns detailed information about all commands.", "2.8.13",
           "O(N) where N is the total number of Redis commands"},
          {"connection"}),
      {kNondetOrder}));
  table.AddSubcommand(cmd, Row("count", 2, kFlags, "server", CommandCount, {},
                               {"Returns a count of commands.", "2.8.13", "O(1)"}, {"connection"}));
  table.AddSubcommand(
      cmd, WithTips(Row("info", -2, kFlags, "server", CommandInfo, {},
                        {"Returns information about one, multiple or all commands.", "2.8.13",
                         "O(N) where N is the number of commands to look up"},
                        {"connection"}),
                    {kNondetOrder}));
  table.AddSubcommand(
      cmd, WithTips(Row("docs", -2, kFlags, "server", CommandDocs, {},
                        {"Returns documentary information about one, multiple or all commands.",
                         "7.0.0", "O(N) where N is the number of commands to look up"},
                        {"connection"}),
                    {kNondetOrder}));
  table.AddSubcommand(
      cmd, WithTips(Row("list", -2, kFlags, "server", CommandList, {},
                        {"Returns a list of command names.", "7.0.0",
                         "O(N) where N is the total number of Redis commands"},
                        {"connection"}),
                    {kNondetOrder}));
  table.AddSubcommand(cmd, Row("getkeys", -3, kFlags, "server", CommandGetKeys, {},
                               {"Extracts the key names from an arbitrary command.", "2.8.13",
                                "O(N) where N is the number of arguments to the command"},
                               {"connection"}));
  table.AddSubcommand(
      cmd, Row("getkeysandflags", -3, kFlags, "server", CommandGetKeysAndFlags, {},
               {"Extracts the key names and access flags for an arbitrary command.", "7.0.0",
                "O(N) where N is the number of arguments to the command"},
               {"connection"}));
  table.AddSubcommand(cmd, Row("help", 2, kFlags, "server", CommandHelp, {},
                               {"Returns helpful text about the different subcommands.", "5.0.0",
                                "O(1)"},
                               {"connection"}));
}

void RegisterSlowlogCommand(CommandTable& table) {
  constexpr uint64_t kFlags = kAdmin | kLoading | kStale;
  CommandSpec& slowlog =
      table.Add(Row("slowlog", -2, 0, "server", ContainerHelpHint, {},
                    {"A container for slow log commands.", "2.2.12", "Depends on subcommand."}));
  table.AddSubcommand(
      slowlog, WithTips(Row("get", -2, kFlags, "server", SlowlogGet, {},
                            {"Returns the slow log's entries.", "2.2.12",
                             "O(N) where N is the number of entries returned"}),
                        {"request_policy:all_nodes", kNondet}));
  table.AddSubcommand(
      slowlog, WithTips(Row("len", 2, kFlags, "server", SlowlogLen, {},
                            {"Returns the number of entries in the slow log.", "2.2.12", "O(1)"}),
                        {"request_policy:all_nodes", "response_policy:agg_sum", kNondet}));
  table.AddSubcommand(
      slowlog, WithTips(Row("reset", 2, kFlags, "server", SlowlogReset, {},
                            {"Clears all entries from the slow log.", "2.2.12",
                             "O(N) where N is the number of entries in the slowlog"}),
                        {"request_policy:all_nodes", "response_policy:all_succeeded"}));
  table.AddSubcommand(slowlog,
                      Row("help", 2, kLoading | kStale, "server", SlowlogHelp, {},
                          {"Show helpful text about the different subcommands", "6.2.0", "O(1)"}));
}

void RegisterLatencyCommand(CommandTable& table) {
  constexpr uint64_t kFlags = kAdmin | kNoScript | kLoading | kStale;
  constexpr std::string_view kAllNodes = "request_policy:all_nodes";
  constexpr std::string_view kSpecial = "response_policy:special";
  CommandSpec& latency = table.Add(
      Row("latency", -2, 0, "server", ContainerHelpHint, {},
          {"A container for latency diagnostics commands.", "2.8.13", "Depends on subcommand."}));
  table.AddSubcommand(
      latency, WithTips(Row("latest", 2, kFlags, "server", LatencyLatest, {},
                            {"Returns the latest latency samples for all events.", "2.8.13",
                             "O(1)"}),
                        {kNondet, kAllNodes, kSpecial}));
  table.AddSubcommand(
      latency, WithTips(Row("history", 3, kFlags, "server", LatencyHistory, {},
                            {"Returns timestamp-latency samples for an event.", "2.8.13", "O(1)"}),
                        {kNondet, kAllNodes, kSpecial}));
  table.AddSubcommand(
      latency, WithTips(Row("reset", -2, kFlags, "server", LatencyReset, {},
                            {"Resets the latency data for one or more events.", "2.8.13", "O(1)"}),
                        {kAllNodes, "response_policy:agg_sum"}));
  table.AddSubcommand(
      latency, WithTips(Row("doctor", 2, kFlags, "server", LatencyDoctor, {},
                            {"Returns a human-readable latency analysis report.", "2.8.13",
                             "O(1)"}),
                        {kNondet, kAllNodes, kSpecial}));
  table.AddSubcommand(
      latency, WithTips(Row("graph", 3, kFlags, "server", LatencyGraph, {},
                            {"Returns a latency graph for an event.", "2.8.13", "O(1)"}),
                        {kNondet, kAllNodes, kSpecial}));
  table.AddSubcommand(
      latency,
      WithTips(Row("histogram", -2, kFlags, "server", LatencyHistogram, {},
                   {"Returns the cumulative distribution of latencies of a subset or all "
                    "commands.",
                    "7.0.0",
                    "O(N) where N is the number of commands with latency information being "
                    "retrieved."}),
               {kNondet, kAllNodes, kSpecial}));
  table.AddSubcommand(latency, Row("help", 2, kLoading | kStale, "server", LatencyHelp, {},
                                   {"Returns helpful text about the different subcommands.",
                                    "2.8.13", "O(1)"}));
}

}  // namespace

void ContainerHelpHint(CommandContext& ctx) {
  ctx.reply.Error(protocol::SubcommandSyntaxError(ctx.spec.name, ctx.argc() > 1 ? ctx.arg(1) : ""));
}

void ReplyHelp(CommandContext& ctx, std::initializer_list<const char*> lines) {
  std::string cmd(ctx.arg(0));
  for (char& ch : cmd) ch = char(toupper(static_cast<unsigned char>(ch)));
  ctx.reply.ArrayHeader(lines.size() + 3);
  ctx.reply.SimpleString(cmd + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (const char* line : lines) ctx.reply.SimpleString(line);
  ctx.reply.SimpleString("HELP");
  ctx.reply.SimpleString("    Print this help.");
}

void RegisterIntrospectionCommands(CommandTable& table) {
  RegisterCommandCommand(table);
  RegisterSlowlogCommand(table);
  RegisterLatencyCommand(table);
}

}  // namespace lodestone
