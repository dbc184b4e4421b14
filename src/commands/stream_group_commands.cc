// Consumer-group commands: XACK, XPENDING, XCLAIM, XAUTOCLAIM, XGROUP
// (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP) and XINFO
// (STREAM [FULL], GROUPS, CONSUMERS, HELP).
//
// Behaviour, parsing order and error texts follow Redis 7.4's t_stream.c; the
// group state (PELs, consumers) lives in storage/stream_value.h.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_util.h"
#include "commands/server_commands.h"
#include "commands/stream_util.h"
#include "common/strings.h"
#include "storage/stream_value.h"

namespace lodestone {
namespace {

using namespace stream_cmd;  // NOLINT: this group's own helpers

constexpr std::string_view kNoStreamForGroup =
    "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want "
    "to use the MKSTREAM option to create an empty stream automatically.";
constexpr std::string_view kBusyGroup = "BUSYGROUP Consumer Group name already exists";
constexpr std::string_view kEntriesReadInvalid =
    "ERR value for ENTRIESREAD must be positive or -1";

// ---- XACK / XPENDING ------------------------------------------------------

// XACK key group id [id ...]
void XAck(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupStream(ctx, db, ctx.arg(1), false, &failed);
  if (failed) return;
  StreamGroup* g = e != nullptr ? AsStream(e)->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ctx.reply.Integer(0);
  std::vector<StreamId> ids(ctx.argc() - 3);
  for (size_t j = 3; j < ctx.argc(); j++) {
    if (!ParseIdOrReply(ctx, ctx.arg(j), 0, &ids[j - 3], true)) return;
  }
  int64_t acked = 0;
  for (StreamId id : ids) acked += g->Ack(id) ? 1 : 0;
  if (acked > 0) ctx.KeyModified(db, ctx.arg(1));
  ctx.reply.Integer(acked);
}

void PendingSummary(CommandContext& ctx, const StreamGroup& g) {
  ctx.reply.ArrayHeader(4);
  ctx.reply.Integer(int64_t(g.pel.size()));
  if (g.pel.empty()) {
    ctx.reply.Null();
    ctx.reply.Null();
    return ctx.reply.NullArray();
  }
  ReplyId(ctx, g.pel.begin()->first);
  ReplyId(ctx, g.pel.rbegin()->first);
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  for (const auto& [name, c] : g.consumers) {
    if (c.pel.empty()) continue;
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(name);
    ctx.reply.Bulk(std::to_string(c.pel.size()));
    n++;
  }
  ctx.reply.EndDeferredArray(token, n);
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
void XPending(CommandContext& ctx) {
  size_t argc = ctx.argc();
  bool extended = argc >= 6;
  int64_t min_idle = 0, count = 0;
  StreamId start, end;
  std::string_view consumer;
  bool has_consumer = false;
  if (argc != 3 && (argc < 6 || argc > 9)) return ctx.reply.Error(protocol::kSyntaxError);
  if (extended) {
    size_t i = 3;
    if (EqualsIgnoreCase(ctx.arg(3), "idle")) {
      if (!ParseInt64(ctx.arg(4), &min_idle)) return ctx.reply.Error(protocol::kNotInteger);
      if (argc < 8) return ctx.reply.Error(protocol::kSyntaxError);
      i += 2;
    }
    if (!ParseInt64(ctx.arg(i + 2), &count)) return ctx.reply.Error(protocol::kNotInteger);
    if (count < 0) count = 0;
    if (!ParseIntervalId(ctx, ctx.arg(i), 0, true, &start)) return;
    if (!ParseIntervalId(ctx, ctx.arg(i + 1), UINT64_MAX, false, &end)) return;
    if (i + 3 < argc) {
      consumer = ctx.arg(i + 3);
      has_consumer = true;
    }
  }
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(1), false, &failed);
  if (failed) return;
  StreamGroup* g = e != nullptr ? AsStream(e)->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ctx.reply.Error(NoGroupError(ctx.arg(1), ctx.arg(2), ""));
  if (!extended) return PendingSummary(ctx, *g);
  const StreamConsumer* only = nullptr;
  if (has_consumer) {
    auto it = g->consumers.find(consumer);
    if (it == g->consumers.end()) return ctx.reply.EmptyArray();
    only = &it->second;
  }
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  for (auto it = g->pel.lower_bound(start); it != g->pel.end() && it->first <= end; ++it) {
    if (int64_t(n) >= count) break;
    if (only != nullptr && !only->pel.count(it->first)) continue;
    int64_t idle = std::max<int64_t>(ctx.now_ms - it->second.delivery_time, 0);
    if (idle < min_idle) continue;
    ctx.reply.ArrayHeader(4);
    ReplyId(ctx, it->first);
    ctx.reply.Bulk(it->second.consumer);
    ctx.reply.Integer(idle);
    ctx.reply.Integer(int64_t(it->second.delivery_count));
    n++;
  }
  ctx.reply.EndDeferredArray(token, n);
}

// ---- XCLAIM / XAUTOCLAIM ----------------------------------------------------

struct ClaimArgs {
  int64_t min_idle = 0;
  int64_t retry = -1;     // RETRYCOUNT; -1: not given
  int64_t delivery = -1;  // IDLE/TIME as a delivery time; -1: not given
  bool force = false;
  bool justid = false;
  StreamId last_id;
  std::vector<StreamId> ids;
};

// XCLAIM's arguments after the consumer: IDs up to the first non-ID, then
// options. False after an error reply.
bool ParseClaimArgs(CommandContext& ctx, ClaimArgs* a) {
  if (!ParseInt64(ctx.arg(4), &a->min_idle)) {
    return ctx.reply.Error("ERR Invalid min-idle-time argument for XCLAIM"), false;
  }
  if (a->min_idle < 0) a->min_idle = 0;
  size_t j = 5;
  for (; j < ctx.argc(); j++) {
    StreamId id;
    std::string_view arg = ctx.arg(j);
    if (arg == "-" || arg == "+" || !ParseStreamId(arg, 0, &id)) break;
    a->ids.push_back(id);
  }
  for (; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    auto number = [&](const char* what, int64_t* out) {
      if (ParseInt64(ctx.arg(++j), out)) return true;
      ctx.reply.Error(std::string("ERR Invalid ") + what + " option argument for XCLAIM");
      return false;
    };
    if (EqualsIgnoreCase(opt, "force")) {
      a->force = true;
    } else if (EqualsIgnoreCase(opt, "justid")) {
      a->justid = true;
    } else if (EqualsIgnoreCase(opt, "idle") && more) {
      if (!number("IDLE", &a->delivery)) return false;
      a->delivery = ctx.now_ms - a->delivery;
    } else if (EqualsIgnoreCase(opt, "time") && more) {
      if (!number("TIME", &a->delivery)) return false;
    } else if (EqualsIgnoreCase(opt, "retrycount") && more) {
      if (!number("RETRYCOUNT", &a->retry)) return false;
    } else if (EqualsIgnoreCase(opt, "lastid") && more) {
      if (!ParseIdOrReply(ctx, ctx.arg(++j), 0, &a->last_id, true)) return false;
    } else {
      ctx.reply.Error("ERR Unrecognized XCLAIM option '" + std::string(opt) + "'");
      return false;
    }
  }
  return true;
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-ms]
//   [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
void XClaim(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(1), false, &failed);
  if (failed) return;
  StreamGroup* g = e != nullptr ? AsStream(e)->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ctx.reply.Error(NoGroupError(ctx.arg(1), ctx.arg(2), ""));
  ClaimArgs a;
  if (!ParseClaimArgs(ctx, &a)) return;
  if (a.last_id > g->last_id) g->last_id = a.last_id;
  int64_t delivery = a.delivery < 0 || a.delivery > ctx.now_ms ? ctx.now_ms : a.delivery;
  std::string consumer(ctx.arg(3));
  TouchConsumer(ctx, g, ctx.arg(1), consumer);
  StreamValue* s = AsStream(e);
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  for (StreamId id : a.ids) {
    auto nit = g->pel.find(id);
    auto entry = s->entries().find(id);
    if (entry == s->entries().end()) {
      if (nit != g->pel.end()) g->DropPending(nit);
      continue;
    }
    bool orphan = false;
    if (a.force && nit == g->pel.end()) {
      nit = g->pel.emplace(id, StreamNack{"", ctx.now_ms, 1}).first;
      orphan = true;
    }
    if (nit == g->pel.end()) continue;
    StreamNack& nack = nit->second;
    if (!orphan && a.min_idle != 0 && ctx.now_ms - nack.delivery_time < a.min_idle) continue;
    g->Claim(nit, consumer);
    nack.delivery_time = delivery;
    if (a.retry >= 0) {
      nack.delivery_count = uint64_t(a.retry);
    } else if (!a.justid) {
      nack.delivery_count++;
    }
    if (a.justid) {
      ReplyId(ctx, id);
    } else {
      ReplyEntry(ctx, id, entry->second);
    }
    g->consumers[consumer].active_time = ctx.now_ms;
    n++;
  }
  ctx.reply.EndDeferredArray(token, n);
  ctx.KeyModified(ctx.db(), ctx.arg(1));
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void XAutoClaim(CommandContext& ctx) {
  int64_t min_idle, count = 100;
  if (!ParseInt64(ctx.arg(4), &min_idle)) {
    return ctx.reply.Error("ERR Invalid min-idle-time argument for XAUTOCLAIM");
  }
  if (min_idle < 0) min_idle = 0;
  StreamId start;
  if (!ParseIntervalId(ctx, ctx.arg(5), 0, true, &start)) return;
  bool justid = false;
  for (size_t j = 6; j < ctx.argc(); j++) {
    if (EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      constexpr int64_t kMaxCount = INT64_MAX / 16;
      if (!ParseInt64(ctx.arg(j + 1), &count) || count < 1 || count > kMaxCount) {
        return ctx.reply.Error("ERR COUNT must be > 0");
      }
      j++;
    } else if (EqualsIgnoreCase(ctx.arg(j), "justid")) {
      justid = true;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(1), false, &failed);
  if (failed) return;
  StreamGroup* g = e != nullptr ? AsStream(e)->FindGroup(ctx.arg(2)) : nullptr;
  if (g == nullptr) return ctx.reply.Error(NoGroupError(ctx.arg(1), ctx.arg(2), ""));
  std::string consumer(ctx.arg(3));
  TouchConsumer(ctx, g, ctx.arg(1), consumer);
  StreamValue* s = AsStream(e);
  int64_t attempts = count * 10;
  std::vector<StreamId> deleted;
  ctx.reply.ArrayHeader(3);
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  auto it = g->pel.lower_bound(start);
  while (attempts-- > 0 && count > 0 && it != g->pel.end()) {
    StreamId id = it->first;
    auto entry = s->entries().find(id);
    if (entry == s->entries().end()) {
      it = g->DropPending(it);
      deleted.push_back(id);
      count--;
      continue;
    }
    auto current = it++;
    StreamNack& nack = current->second;
    if (min_idle != 0 && ctx.now_ms - nack.delivery_time < min_idle) continue;
    g->Claim(current, consumer);
    nack.delivery_time = ctx.now_ms;
    if (!justid) nack.delivery_count++;
    if (justid) {
      ReplyId(ctx, id);
    } else {
      ReplyEntry(ctx, id, entry->second);
    }
    g->consumers[consumer].active_time = ctx.now_ms;
    n++;
    count--;
  }
  ctx.reply.EndDeferredArray(token, n);
  // The cursor goes before the claimed entries: build it and splice it in.
  StreamId next_id = it == g->pel.end() ? StreamId{} : it->first;
  std::string cursor;
  {
    std::string* saved = ctx.reply.out();
    ctx.reply.set_out(&cursor);
    ReplyId(ctx, next_id);
    ctx.reply.set_out(saved);
    saved->insert(token, cursor);
  }
  ctx.reply.ArrayHeader(deleted.size());
  for (StreamId id : deleted) ReplyId(ctx, id);
  ctx.KeyModified(ctx.db(), ctx.arg(1));
}

// ---- XGROUP ---------------------------------------------------------------

// Common prologue of XGROUP subcommands: options, key and group lookup.
// Returns false after replying.
bool GroupPrologue(CommandContext& ctx, bool create, bool setid, bool* mkstream,
                   int64_t* entries_read, Entry** e, StreamGroup** g) {
  for (size_t i = 5; i < ctx.argc();) {
    if (create && EqualsIgnoreCase(ctx.arg(i), "mkstream")) {
      *mkstream = true;
      i++;
    } else if ((create || setid) && EqualsIgnoreCase(ctx.arg(i), "entriesread") &&
               i + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(i + 1), entries_read)) {
        return ctx.reply.Error(protocol::kNotInteger), false;
      }
      if (*entries_read < 0 && *entries_read != kInvalidEntriesRead) {
        return ctx.reply.Error(kEntriesReadInvalid), false;
      }
      i += 2;
    } else {
      return ctx.reply.Error(protocol::SubcommandSyntaxError("xgroup", ctx.arg(1))), false;
    }
  }
  bool failed;
  *e = LookupStream(ctx, ctx.db(), ctx.arg(2), true, &failed);
  if (failed) return false;
  if (*mkstream) return true;
  if (*e == nullptr) return ctx.reply.Error(kNoStreamForGroup), false;
  *g = AsStream(*e)->FindGroup(ctx.arg(3));
  if (*g == nullptr && !create && !EqualsIgnoreCase(ctx.arg(1), "destroy")) {
    ctx.reply.Error("NOGROUP No such consumer group '" + std::string(ctx.arg(3)) +
                    "' for key name '" + std::string(ctx.arg(2)) + "'");
    return false;
  }
  return true;
}

// XGROUP CREATE key group <id|$> [MKSTREAM] [ENTRIESREAD entries-read]
void XGroupCreate(CommandContext& ctx) {
  if (ctx.argc() > 8) return ctx.reply.Error(protocol::SubcommandSyntaxError("xgroup", "create"));
  bool mk = false;
  int64_t er = kInvalidEntriesRead;
  Entry* e = nullptr;
  StreamGroup* g = nullptr;
  if (!GroupPrologue(ctx, true, false, &mk, &er, &e, &g)) return;
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = e != nullptr ? AsStream(e)->last_id() : StreamId{};
  } else if (!ParseIdOrReply(ctx, ctx.arg(4), 0, &id, true)) {
    return;
  }
  Db& db = ctx.db();
  if (e == nullptr) e = CreateStream(db, ctx.arg(2));
  auto [it, created] = AsStream(e)->groups().try_emplace(std::string(ctx.arg(3)));
  if (!created) return ctx.reply.Error(kBusyGroup);
  it->second.last_id = id;
  it->second.entries_read = er;
  ctx.KeyModified(db, ctx.arg(2));
  ctx.Notify(kNotifyStream, "xgroup-create", ctx.arg(2));
  ctx.reply.Ok();
}

// XGROUP SETID key group <id|$> [ENTRIESREAD entries-read]
void XGroupSetId(CommandContext& ctx) {
  if (ctx.argc() != 5 && ctx.argc() != 7) {
    return ctx.reply.Error(protocol::SubcommandSyntaxError("xgroup", "setid"));
  }
  bool mk = false;
  int64_t er = kInvalidEntriesRead;
  Entry* e = nullptr;
  StreamGroup* g = nullptr;
  if (!GroupPrologue(ctx, false, true, &mk, &er, &e, &g)) return;
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = AsStream(e)->last_id();
  } else if (!ParseIdOrReply(ctx, ctx.arg(4), 0, &id)) {
    return;
  }
  g->last_id = id;
  g->entries_read = er;
  ctx.KeyModified(ctx.db(), ctx.arg(2));
  ctx.Notify(kNotifyStream, "xgroup-setid", ctx.arg(2));
  ctx.reply.Ok();
}

// XGROUP DESTROY key group
void XGroupDestroy(CommandContext& ctx) {
  bool mk = false;
  int64_t er = kInvalidEntriesRead;
  Entry* e = nullptr;
  StreamGroup* g = nullptr;
  if (!GroupPrologue(ctx, false, false, &mk, &er, &e, &g)) return;
  if (g == nullptr) return ctx.reply.Integer(0);
  AsStream(e)->groups().erase(std::string(ctx.arg(3)));
  ctx.KeyModified(ctx.db(), ctx.arg(2));
  ctx.Notify(kNotifyStream, "xgroup-destroy", ctx.arg(2));
  ctx.reply.Integer(1);
}

// XGROUP CREATECONSUMER key group consumer
void XGroupCreateConsumer(CommandContext& ctx) {
  bool mk = false;
  int64_t er = kInvalidEntriesRead;
  Entry* e = nullptr;
  StreamGroup* g = nullptr;
  if (!GroupPrologue(ctx, false, false, &mk, &er, &e, &g)) return;
  auto [it, created] = g->consumers.try_emplace(std::string(ctx.arg(4)));
  if (created) {
    it->second.seen_time = ctx.now_ms;
    ctx.KeyModified(ctx.db(), ctx.arg(2));
    ctx.Notify(kNotifyStream, "xgroup-createconsumer", ctx.arg(2));
  }
  ctx.reply.Integer(created ? 1 : 0);
}

// XGROUP DELCONSUMER key group consumer
void XGroupDelConsumer(CommandContext& ctx) {
  bool mk = false;
  int64_t er = kInvalidEntriesRead;
  Entry* e = nullptr;
  StreamGroup* g = nullptr;
  if (!GroupPrologue(ctx, false, false, &mk, &er, &e, &g)) return;
  if (g->consumers.find(ctx.arg(4)) == g->consumers.end()) return ctx.reply.Integer(0);
  size_t pending = g->DeleteConsumer(ctx.arg(4));
  ctx.KeyModified(ctx.db(), ctx.arg(2));
  ctx.Notify(kNotifyStream, "xgroup-delconsumer", ctx.arg(2));
  ctx.reply.Integer(int64_t(pending));
}

void XGroupHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CREATE <key> <groupname> <id|$> [option]",
                     "    Create a new consumer group. Options are:",
                     "    * MKSTREAM",
                     "      Create the empty stream if it does not exist.",
                     "    * ENTRIESREAD entries_read",
                     "      Set the group's entries_read counter (internal use).",
                     "CREATECONSUMER <key> <groupname> <consumer>",
                     "    Create a new consumer in the specified group.",
                     "DELCONSUMER <key> <groupname> <consumer>",
                     "    Remove the specified consumer.",
                     "DESTROY <key> <groupname>",
                     "    Remove the specified group.",
                     "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
                     "    Set the current group ID and entries_read counter.",
                 });
}

void XGroupContainer(CommandContext& ctx) { ctx.reply.Error(protocol::WrongArity("xgroup")); }

// ---- XINFO ----------------------------------------------------------------

void ReplyLag(CommandContext& ctx, const StreamValue& s, const StreamGroup& g) {
  int64_t lag;
  if (s.GroupLag(g, &lag)) return ctx.reply.Integer(lag);
  ctx.reply.Null();
}

void ReplyEntriesRead(CommandContext& ctx, const StreamGroup& g) {
  if (g.entries_read != kInvalidEntriesRead) return ctx.reply.Integer(g.entries_read);
  ctx.reply.Null();
}

void ReplyGroupFull(CommandContext& ctx, const StreamValue& s, const std::string& name,
                    const StreamGroup& g, int64_t count) {
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("name");
  ctx.reply.Bulk(name);
  ctx.reply.Bulk("last-delivered-id");
  ReplyId(ctx, g.last_id);
  ctx.reply.Bulk("entries-read");
  ReplyEntriesRead(ctx, g);
  ctx.reply.Bulk("lag");
  ReplyLag(ctx, s, g);
  ctx.reply.Bulk("pel-count");
  ctx.reply.Integer(int64_t(g.pel.size()));
  ctx.reply.Bulk("pending");
  size_t n = std::min<size_t>(g.pel.size(), count == 0 ? SIZE_MAX : size_t(count));
  ctx.reply.ArrayHeader(n);
  auto pit = g.pel.begin();
  for (size_t i = 0; i < n; i++, ++pit) {
    ctx.reply.ArrayHeader(4);
    ReplyId(ctx, pit->first);
    ctx.reply.Bulk(pit->second.consumer);
    ctx.reply.Integer(pit->second.delivery_time);
    ctx.reply.Integer(int64_t(pit->second.delivery_count));
  }
  ctx.reply.Bulk("consumers");
  ctx.reply.ArrayHeader(g.consumers.size());
  for (const auto& [cname, c] : g.consumers) {
    ctx.reply.MapHeader(5);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(cname);
    ctx.reply.Bulk("seen-time");
    ctx.reply.Integer(c.seen_time);
    ctx.reply.Bulk("active-time");
    ctx.reply.Integer(c.active_time);
    ctx.reply.Bulk("pel-count");
    ctx.reply.Integer(int64_t(c.pel.size()));
    ctx.reply.Bulk("pending");
    size_t cn = std::min<size_t>(c.pel.size(), count == 0 ? SIZE_MAX : size_t(count));
    ctx.reply.ArrayHeader(cn);
    auto cit = c.pel.begin();
    for (size_t i = 0; i < cn; i++, ++cit) {
      const StreamNack& nack = g.pel.at(*cit);
      ctx.reply.ArrayHeader(3);
      ReplyId(ctx, *cit);
      ctx.reply.Integer(nack.delivery_time);
      ctx.reply.Integer(int64_t(nack.delivery_count));
    }
  }
}

// XINFO STREAM key [FULL [COUNT count]]
void XInfoStream(CommandContext& ctx) {
  size_t optc = ctx.argc() - 3;
  bool full = optc > 0;
  int64_t count = 10;
  if (full) {
    bool ok = (optc == 1 || optc == 3) && EqualsIgnoreCase(ctx.arg(3), "full") &&
              (optc == 1 || EqualsIgnoreCase(ctx.arg(4), "count"));
    if (!ok) return ctx.reply.Error(protocol::SubcommandSyntaxError("xinfo", "stream"));
    if (optc == 3) {
      if (!ParseInt64(ctx.arg(5), &count)) return ctx.reply.Error(protocol::kNotInteger);
      if (count < 0) count = 10;
    }
  }
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(2), false, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Error(protocol::kNoSuchKey);
  StreamValue* s = AsStream(e);
  ctx.reply.MapHeader(full ? 9 : 10);
  ctx.reply.Bulk("length");
  ctx.reply.Integer(int64_t(s->length()));
  ctx.reply.Bulk("radix-tree-keys");
  ctx.reply.Integer(int64_t(s->RadixKeys()));
  ctx.reply.Bulk("radix-tree-nodes");
  ctx.reply.Integer(int64_t(s->RadixNodes()));
  ctx.reply.Bulk("last-generated-id");
  ReplyId(ctx, s->last_id());
  ctx.reply.Bulk("max-deleted-entry-id");
  ReplyId(ctx, s->max_deleted_id());
  ctx.reply.Bulk("entries-added");
  ctx.reply.Integer(int64_t(s->entries_added()));
  ctx.reply.Bulk("recorded-first-entry-id");
  ReplyId(ctx, s->first_id());
  if (!full) {
    ctx.reply.Bulk("groups");
    ctx.reply.Integer(int64_t(s->groups().size()));
    ctx.reply.Bulk("first-entry");
    if (s->length() == 0) {
      ctx.reply.Null();
    } else {
      ReplyEntry(ctx, s->entries().begin()->first, s->entries().begin()->second);
    }
    ctx.reply.Bulk("last-entry");
    if (s->length() == 0) return ctx.reply.Null();
    return ReplyEntry(ctx, s->entries().rbegin()->first, s->entries().rbegin()->second);
  }
  ctx.reply.Bulk("entries");
  ReplyRange(ctx, s, StreamId{}, StreamId::Max(), count, false);
  ctx.reply.Bulk("groups");
  ctx.reply.ArrayHeader(s->groups().size());
  for (const auto& [name, g] : s->groups()) ReplyGroupFull(ctx, *s, name, g, count);
}

// XINFO GROUPS key
void XInfoGroups(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(2), false, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Error(protocol::kNoSuchKey);
  StreamValue* s = AsStream(e);
  ctx.reply.ArrayHeader(s->groups().size());
  for (const auto& [name, g] : s->groups()) {
    ctx.reply.MapHeader(6);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("consumers");
    ctx.reply.Integer(int64_t(g.consumers.size()));
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(int64_t(g.pel.size()));
    ctx.reply.Bulk("last-delivered-id");
    ReplyId(ctx, g.last_id);
    ctx.reply.Bulk("entries-read");
    ReplyEntriesRead(ctx, g);
    ctx.reply.Bulk("lag");
    ReplyLag(ctx, *s, g);
  }
}

// XINFO CONSUMERS key group
void XInfoConsumers(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(2), false, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Error(protocol::kNoSuchKey);
  StreamGroup* g = AsStream(e)->FindGroup(ctx.arg(3));
  if (g == nullptr) {
    return ctx.reply.Error("NOGROUP No such consumer group '" + std::string(ctx.arg(3)) +
                           "' for key name '" + std::string(ctx.arg(2)) + "'");
  }
  ctx.reply.ArrayHeader(g->consumers.size());
  for (const auto& [name, c] : g->consumers) {
    ctx.reply.MapHeader(4);
    ctx.reply.Bulk("name");
    ctx.reply.Bulk(name);
    ctx.reply.Bulk("pending");
    ctx.reply.Integer(int64_t(c.pel.size()));
    ctx.reply.Bulk("idle");
    ctx.reply.Integer(std::max<int64_t>(ctx.now_ms - c.seen_time, 0));
    ctx.reply.Bulk("inactive");
    ctx.reply.Integer(c.active_time == -1 ? -1
                                          : std::max<int64_t>(ctx.now_ms - c.active_time, 0));
  }
}

void XInfoHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CONSUMERS <key> <groupname>",
                     "    Show consumers of <groupname>.",
                     "GROUPS <key>",
                     "    Show the stream consumer groups.",
                     "STREAM <key> [FULL [COUNT <count>]",
                     "    Show information about the stream.",
                 });
}

void XInfoContainer(CommandContext& ctx) { ctx.reply.Error(protocol::WrongArity("xinfo")); }
}  // namespace

void RegisterStreamGroupCommands(CommandTable& table) {
  const std::vector<std::string> acl = {"stream"};
  table.Add(Row("xack", -4, kWrite | kFast, "stream", XAck, {KeysAt(1, 0, 1, kKsRW | kKsUpdate)},
                {"Returns the number of messages that were successfully acknowledged by the "
                 "consumer group member of a stream.",
                 "5.0.0", "O(1) for each message ID processed."},
                acl));
  NondeterministicOutput(table.Add(Row("xpending", -3, kReadonly, "stream", XPending,
                                 {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns the information and entries from a stream consumer group's pending "
                 "entries list.",
                 "5.0.0",
                 "O(N) with N being the number of elements returned, so asking for a small "
                 "fixed number of entries per call is O(1). O(M), where M is the total number "
                 "of entries scanned when used with the IDLE filter. When the command returns "
                 "just the summary and the list of consumers is small, it runs in O(1) time; "
                 "otherwise, an additional O(N) time for iterating every consumer."},
                acl)));

  NondeterministicOutput(table.Add(Row("xclaim", -6, kWrite | kFast, "stream", XClaim,
                {KeysAt(1, 0, 1, kKsRW | kKsUpdate)},
                {"Changes, or acquires, ownership of a message in a consumer group, as if the "
                 "message was delivered a consumer group member.",
                 "5.0.0",
                 "O(log N) with N being the number of messages in the PEL of the consumer "
                 "group."},
                acl)));
  NondeterministicOutput(table.Add(Row("xautoclaim", -6, kWrite | kFast, "stream", XAutoClaim,
                {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
                {"Changes, or acquires, ownership of messages in a consumer group, as if the "
                 "messages were delivered to as consumer group member.",
                 "6.2.0", "O(1) if COUNT is small."},
                acl)));
  CommandSpec& xgroup = table.Add(Row("xgroup", -2, 0, "stream", XGroupContainer, {},
                                      {"A container for consumer groups commands.", "5.0.0",
                                       "Depends on subcommand."}));
  const KeySpec rw_insert = KeysAt(2, 0, 1, kKsRW | kKsInsert);
  table.AddSubcommand(xgroup, Row("create", -5, kWrite | kDenyOom, "stream", XGroupCreate,
                                  {rw_insert},
                                  {"Creates a consumer group.", "5.0.0", "O(1)"}, acl));
  table.AddSubcommand(xgroup, Row("createconsumer", 5, kWrite | kDenyOom, "stream",
                                  XGroupCreateConsumer, {rw_insert},
                                  {"Creates a consumer in a consumer group.", "6.2.0", "O(1)"},
                                  acl));
  table.AddSubcommand(xgroup, Row("delconsumer", 5, kWrite, "stream", XGroupDelConsumer,
                                  {KeysAt(2, 0, 1, kKsRW | kKsDelete)},
                                  {"Deletes a consumer from a consumer group.", "5.0.0", "O(1)"},
                                  acl));
  table.AddSubcommand(xgroup, Row("destroy", 4, kWrite, "stream", XGroupDestroy,
                                  {KeysAt(2, 0, 1, kKsRW | kKsDelete)},
                                  {"Destroys a consumer group.", "5.0.0",
                                   "O(N) where N is the number of entries in the group's pending "
                                   "entries list (PEL)."},
                                  acl));
  table.AddSubcommand(xgroup, Row("setid", -5, kWrite, "stream", XGroupSetId,
                                  {KeysAt(2, 0, 1, kKsRW | kKsUpdate)},
                                  {"Sets the last-delivered ID of a consumer group.", "5.0.0",
                                   "O(1)"},
                                  acl));
  table.AddSubcommand(xgroup, Row("help", 2, kLoading | kStale, "stream", XGroupHelp, {},
                                  {"Returns helpful text about the different subcommands.",
                                   "5.0.0", "O(1)"},
                                  acl));

  CommandSpec& xinfo = table.Add(Row("xinfo", -2, 0, "stream", XInfoContainer, {},
                                     {"A container for stream introspection commands.", "5.0.0",
                                      "Depends on subcommand."}));
  const KeySpec ro = KeysAt(2, 0, 1, kKsRO | kKsAccess);
  table.AddSubcommand(xinfo, Row("stream", -3, kReadonly, "stream", XInfoStream, {ro},
                                 {"Returns information about a stream.", "5.0.0", "O(1)"}, acl));
  table.AddSubcommand(xinfo, Row("groups", 3, kReadonly, "stream", XInfoGroups, {ro},
                                 {"Returns a list of the consumer groups of a stream.", "5.0.0",
                                  "O(1)"},
                                 acl));
  NondeterministicOutput(table.AddSubcommand(xinfo, Row("consumers", 4, kReadonly, "stream",
                                                  XInfoConsumers, {ro},
                                 {"Returns a list of the consumers in a consumer group.",
                                  "5.0.0", "O(1)"},
                                 acl)));
  table.AddSubcommand(xinfo, Row("help", 2, kLoading | kStale, "stream", XInfoHelp, {},
                                 {"Returns helpful text about the different subcommands.",
                                  "5.0.0", "O(1)"},
                                 acl));
}

}  // namespace lodestone
