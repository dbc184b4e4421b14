// Stream commands: XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID, XREAD
// and XREADGROUP. Consumer-group administration and introspection (XACK,
// XPENDING, XCLAIM, XAUTOCLAIM, XGROUP, XINFO) are in stream_group_commands.cc.
//
// Behaviour, parsing order and error texts follow Redis 7.4's t_stream.c; the
// data structure lives in storage/stream_value.h. Blocking reads serve what
// is there, else ask the engine to block (ctx.BlockOn).
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/stream_util.h"
#include "common/strings.h"
#include "server/config.h"
#include "storage/stream_value.h"

namespace lodestone {
namespace {

using namespace stream_cmd;  // NOLINT: this group's own helpers

constexpr std::string_view kIdTooSmall =
    "ERR The ID specified in XADD is equal or smaller than the target stream top item";
constexpr std::string_view kIdZero = "ERR The ID specified in XADD must be greater than 0-0";
constexpr std::string_view kExhausted =
    "ERR The stream has exhausted the last possible ID, unable to add more items";
constexpr std::string_view kBothStrategies =
    "ERR syntax error, MAXLEN and MINID options at the same time are not compatible";
constexpr std::string_view kMaxlenNegative = "ERR The MAXLEN argument must be >= 0.";
constexpr std::string_view kLimitNegative = "ERR The LIMIT argument must be >= 0.";
constexpr std::string_view kLimitNoStrategy =
    "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy";
constexpr std::string_view kXtrimNoStrategy =
    "ERR syntax error, XTRIM must be called with a trimming strategy";
constexpr std::string_view kLimitNoTilde =
    "ERR syntax error, LIMIT cannot be used without the special ~ option";
enum class Trim { kNone, kMaxlen, kMinid };

struct AddTrimArgs {
  Trim strategy = Trim::kNone;
  bool approx = false;
  int64_t maxlen = 0;
  StreamId minid;
  int64_t limit = 0;
  bool no_mkstream = false;
  bool id_given = false;
  bool seq_given = true;
  StreamId id;
};

// Parses XADD/XTRIM options (streamParseAddOrTrimArgsOrReply). Returns the
// index of the ID for XADD (or argc for XTRIM), -1 after an error reply.
int ParseAddTrimArgs(CommandContext& ctx, AddTrimArgs* a, bool xadd) {
  size_t i = 2;
  bool limit_given = false;
  for (; i < ctx.argc(); i++) {
    size_t more = ctx.argc() - 1 - i;
    std::string_view opt = ctx.arg(i);
    if (xadd && opt == "*") break;
    bool maxlen = EqualsIgnoreCase(opt, "maxlen"), minid = EqualsIgnoreCase(opt, "minid");
    if ((maxlen || minid) && more > 0) {
      if (a->strategy != Trim::kNone) return ctx.reply.Error(kBothStrategies), -1;
      a->approx = false;
      std::string_view next = ctx.arg(i + 1);
      if (more >= 2 && (next == "~" || next == "=")) {
        a->approx = next == "~";
        i++;
      }
      if (maxlen) {
        if (!ParseInt64(ctx.arg(i + 1), &a->maxlen)) {
          return ctx.reply.Error(protocol::kNotInteger), -1;
        }
        if (a->maxlen < 0) return ctx.reply.Error(kMaxlenNegative), -1;
      } else if (!ParseIdOrReply(ctx, ctx.arg(i + 1), 0, &a->minid, true)) {
        return -1;
      }
      i++;
      a->strategy = maxlen ? Trim::kMaxlen : Trim::kMinid;
    } else if (EqualsIgnoreCase(opt, "limit") && more > 0) {
      if (!ParseInt64(ctx.arg(i + 1), &a->limit)) {
        return ctx.reply.Error(protocol::kNotInteger), -1;
      }
      if (a->limit < 0) return ctx.reply.Error(kLimitNegative), -1;
      limit_given = true;
      i++;
    } else if (xadd && EqualsIgnoreCase(opt, "nomkstream")) {
      a->no_mkstream = true;
    } else if (xadd) {
      if (!ParseIdOrReply(ctx, opt, 0, &a->id, true, &a->seq_given)) return -1;
      a->id_given = true;
      break;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError), -1;
    }
  }
  if (a->limit != 0 && a->strategy == Trim::kNone) return ctx.reply.Error(kLimitNoStrategy), -1;
  if (!xadd && a->strategy == Trim::kNone) return ctx.reply.Error(kXtrimNoStrategy), -1;
  if (limit_given && !a->approx) return ctx.reply.Error(kLimitNoTilde), -1;
  if (!limit_given && a->approx) a->limit = 100 * ctx.config().stream_node_max_entries;
  return static_cast<int>(i);
}

int64_t ApplyTrim(StreamValue* s, const AddTrimArgs& a) {
  if (a.strategy == Trim::kMaxlen) return s->TrimByLength(uint64_t(a.maxlen), a.approx, a.limit);
  if (a.strategy == Trim::kMinid) return s->TrimByMinId(a.minid, a.approx, a.limit);
  return 0;
}

// The ID XADD would assign (streamAppendItem), or an error reply.
bool NextAddId(CommandContext& ctx, const StreamValue* s, const AddTrimArgs& a, StreamId* id) {
  StreamId last = s->last_id();
  if (!a.id_given) {
    uint64_t now = uint64_t(std::max<int64_t>(ctx.now_ms, 0));
    *id = last.ms < now ? StreamId{now, 0} : last;
    if (!(last.ms < now)) id->Incr();
    return true;
  }
  *id = a.id;
  if (!a.seq_given) {
    if (a.id.ms == last.ms) {
      if (last.seq == UINT64_MAX) return ctx.reply.Error(kIdTooSmall), false;
      id->seq = last.seq + 1;
    } else if (a.id.ms < last.ms) {
      return ctx.reply.Error(kIdTooSmall), false;
    }
    return true;
  }
  if (!(*id > last)) return ctx.reply.Error(kIdTooSmall), false;
  return true;
}

// ---- XADD / XLEN / XRANGE / XDEL / XTRIM ------------------------------------

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] <*|id> field value ...
void XAdd(CommandContext& ctx) {
  AddTrimArgs a;
  int idpos = ParseAddTrimArgs(ctx, &a, true);
  if (idpos < 0) return;
  size_t fields = ctx.argc() - size_t(idpos) - 1;
  if (fields < 2 || fields % 2 == 1) return ctx.reply.Error(protocol::WrongArity("xadd"));
  if (a.id_given && a.seq_given && a.id.IsZero()) return ctx.reply.Error(kIdZero);
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupStream(ctx, db, ctx.arg(1), true, &failed);
  if (failed) return;
  if (e == nullptr && a.no_mkstream) return ctx.reply.Null();
  StreamValue* s = e != nullptr ? AsStream(e) : nullptr;
  StreamValue empty;
  if (s != nullptr && s->last_id() == StreamId::Max()) return ctx.reply.Error(kExhausted);
  StreamId id;
  if (!NextAddId(ctx, s != nullptr ? s : &empty, a, &id)) return;
  if (e == nullptr) e = CreateStream(db, ctx.arg(1));
  s = AsStream(e);
  StreamValue::Fields fv(ctx.args.begin() + idpos + 1, ctx.args.end());
  const ServerConfig& c = ctx.config();
  s->Append(id, std::move(fv),
            {static_cast<size_t>(std::max<int64_t>(c.stream_node_max_entries, 0)),
             static_cast<size_t>(std::max<int64_t>(c.stream_node_max_bytes, 0))});
  ReplyId(ctx, id);
  ctx.Notify(kNotifyStream, "xadd", ctx.arg(1));
  if (ApplyTrim(s, a) > 0) ctx.Notify(kNotifyStream, "xtrim", ctx.arg(1));
  ctx.KeyModified(db, ctx.arg(1));
  ctx.SignalKeyReady(db, ctx.arg(1));
}

// XLEN key
void XLen(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(1), false, &failed);
  if (failed) return;
  ctx.reply.Integer(e == nullptr ? 0 : int64_t(AsStream(e)->length()));
}

// XRANGE key start end [COUNT count]   /   XREVRANGE key end start [COUNT count]
void RangeGeneric(CommandContext& ctx, bool rev) {
  StreamId start, end;
  std::string_view sa = ctx.arg(rev ? 3 : 2), ea = ctx.arg(rev ? 2 : 3);
  if (!ParseIntervalId(ctx, sa, 0, true, &start)) return;
  if (!ParseIntervalId(ctx, ea, UINT64_MAX, false, &end)) return;
  int64_t count = -1;
  for (size_t j = 4; j < ctx.argc(); j++) {
    if (EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(j + 1), &count)) return ctx.reply.Error(protocol::kNotInteger);
      if (count < 0) count = 0;
      j++;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(1), false, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.EmptyArray();
  if (count == 0) return ctx.reply.NullArray();
  ReplyRange(ctx, AsStream(e), start, end, count == -1 ? 0 : count, rev);
}

void XRange(CommandContext& ctx) { RangeGeneric(ctx, false); }
void XRevRange(CommandContext& ctx) { RangeGeneric(ctx, true); }

// XDEL key id [id ...]
void XDel(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupStream(ctx, db, ctx.arg(1), true, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  std::vector<StreamId> ids(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); j++) {
    if (!ParseIdOrReply(ctx, ctx.arg(j), 0, &ids[j - 2], true)) return;
  }
  int64_t deleted = 0;
  for (StreamId id : ids) deleted += AsStream(e)->Delete(id) ? 1 : 0;
  if (deleted > 0) {
    ctx.KeyModified(db, ctx.arg(1));
    ctx.Notify(kNotifyStream, "xdel", ctx.arg(1));
  }
  ctx.reply.Integer(deleted);
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
void XTrim(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupStream(ctx, db, ctx.arg(1), true, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  AddTrimArgs a;
  if (ParseAddTrimArgs(ctx, &a, false) < 0) return;
  int64_t removed = ApplyTrim(AsStream(e), a);
  if (removed > 0) {
    ctx.KeyModified(db, ctx.arg(1));
    ctx.Notify(kNotifyStream, "xtrim", ctx.arg(1));
  }
  ctx.reply.Integer(removed);
}
// ---- XREAD / XREADGROUP -----------------------------------------------------

// Serves consumer `name`'s history (its PEL) after `start`: deleted entries
// reply with a null body; each delivery counts.
void ReplyHistory(CommandContext& ctx, StreamValue* s, StreamGroup* g, const std::string& name,
                  StreamId start, int64_t count) {
  StreamConsumer& c = g->consumers[name];
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  for (auto it = c.pel.lower_bound(start); it != c.pel.end(); ++it) {
    if (count != 0 && int64_t(n) >= count) break;
    auto entry = s->entries().find(*it);
    if (entry == s->entries().end()) {
      ctx.reply.ArrayHeader(2);
      ReplyId(ctx, *it);
      ctx.reply.NullArray();
    } else {
      ReplyEntry(ctx, entry->first, entry->second);
      StreamNack& nack = g->pel[*it];
      nack.delivery_time = ctx.now_ms;
      nack.delivery_count++;
    }
    n++;
  }
  ctx.reply.EndDeferredArray(token, n);
}

struct ReadArgs {
  int64_t count = 0;
  int64_t timeout_ms = -1;  // -1: no BLOCK
  bool noack = false;
  size_t streams_arg = 0;
  size_t nstreams = 0;
  bool have_group = false;
  std::string_view group;
  std::string consumer;
};

// One STREAMS key of XREAD/XREADGROUP with its resolved ID.
struct ReadSource {
  std::string_view key;
  StreamValue* s = nullptr;
  StreamGroup* g = nullptr;
  StreamId id;
  bool new_only = false;  // ">"
};

// Parses XREAD/XREADGROUP options up to STREAMS. False after an error reply.
bool ParseReadArgs(CommandContext& ctx, bool group_mode, ReadArgs* a) {
  const char* only_group = "option is only supported by XREADGROUP. You called XREAD instead.";
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view o = ctx.arg(i);
    size_t more = ctx.argc() - i - 1;
    if (EqualsIgnoreCase(o, "block") && more > 0) {
      if (!ParseInt64(ctx.arg(++i), &a->timeout_ms)) {
        return ctx.reply.Error("ERR timeout is not an integer or out of range"), false;
      }
      if (a->timeout_ms < 0) return ctx.reply.Error("ERR timeout is negative"), false;
    } else if (EqualsIgnoreCase(o, "count") && more > 0) {
      if (!ParseInt64(ctx.arg(++i), &a->count)) {
        return ctx.reply.Error(protocol::kNotInteger), false;
      }
      if (a->count < 0) a->count = 0;
    } else if (EqualsIgnoreCase(o, "streams") && more > 0) {
      a->streams_arg = i + 1;
      a->nstreams = ctx.argc() - a->streams_arg;
      if (a->nstreams % 2 != 0) {
        std::string which = group_mode ? "ID or '>'" : "ID, '+', or '$'";
        return ctx.reply.Error("ERR Unbalanced '" +
                               std::string(group_mode ? "xreadgroup" : "xread") +
                               "' list of streams: for each stream key an " + which +
                               " must be specified."),
               false;
      }
      a->nstreams /= 2;
      break;
    } else if (EqualsIgnoreCase(o, "group") && more >= 2) {
      if (!group_mode) return ctx.reply.Error(std::string("ERR The GROUP ") + only_group), false;
      a->group = ctx.arg(i + 1);
      a->consumer = std::string(ctx.arg(i + 2));
      a->have_group = true;
      i += 2;
    } else if (EqualsIgnoreCase(o, "noack")) {
      if (!group_mode) return ctx.reply.Error(std::string("ERR The NOACK ") + only_group), false;
      a->noack = true;
    } else {
      return ctx.reply.Error(protocol::kSyntaxError), false;
    }
  }
  if (a->streams_arg == 0) return ctx.reply.Error(protocol::kSyntaxError), false;
  if (group_mode && !a->have_group) {
    return ctx.reply.Error("ERR Missing GROUP option for XREADGROUP"), false;
  }
  return true;
}

// Looks up the k-th stream and resolves its ID ("$", "+", ">" or an ID).
// False after an error reply.
bool ResolveSource(CommandContext& ctx, bool group_mode, const ReadArgs& a, size_t k,
                   ReadSource* x) {
  x->key = ctx.arg(a.streams_arg + k);
  std::string_view ida = ctx.arg(a.streams_arg + a.nstreams + k);
  bool failed;
  Entry* e = LookupStream(ctx, ctx.DbFor(x->key), x->key, false, &failed);
  if (failed) return false;
  x->s = e != nullptr ? AsStream(e) : nullptr;
  if (group_mode) {
    x->g = x->s != nullptr ? x->s->FindGroup(a.group) : nullptr;
    if (x->g == nullptr) {
      ctx.reply.Error(NoGroupError(x->key, a.group, " in XREADGROUP with GROUP option"));
      return false;
    }
  }
  if (ida == "$" || ida == "+") {
    if (group_mode) {
      std::string id(ida);
      ctx.reply.Error("ERR The " + id +
                      " ID is meaningless in the context of XREADGROUP: you want to read the "
                      "history of this consumer by specifying a proper ID, or use the > ID to "
                      "get new messages. The " +
                      id + " ID would just return an empty result set.");
      return false;
    }
    x->id = x->s != nullptr ? x->s->last_id() : StreamId{};
    if (ida == "+" && x->s != nullptr && !x->id.Decr()) {
      ctx.reply.Error("ERR the stream last element ID is 0-0");
      return false;
    }
    return true;
  }
  if (ida == ">") {
    if (!group_mode) {
      ctx.reply.Error("ERR The > ID can be specified only when calling XREADGROUP using the "
                      "GROUP <group> <consumer> option.");
      return false;
    }
    x->new_only = true;
    return true;
  }
  return ParseIdOrReply(ctx, ida, 0, &x->id, true);
}

// Replies with what `x` has to offer, as a [key, entries] element; false
// (nothing written) when there is nothing. History reads always reply.
bool ServeSource(CommandContext& ctx, const ReadArgs& a, ReadSource& x) {
  if (x.s == nullptr) return false;
  bool resp3 = ctx.reply.resp() >= 3;
  if (x.g != nullptr) {
    TouchConsumer(ctx, x.g, x.key, a.consumer);
    ctx.KeyModified(ctx.DbFor(x.key), x.key);
    if (!x.new_only) {
      if (!resp3) ctx.reply.ArrayHeader(2);
      ctx.reply.Bulk(x.key);
      ReplyHistory(ctx, x.s, x.g, a.consumer, x.id, a.count);
      return true;
    }
  }
  StreamId after = x.new_only ? x.g->last_id : x.id;
  StreamId from = after;
  if (!from.Incr() || x.s->entries().upper_bound(after) == x.s->entries().end()) return false;
  if (!resp3) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(x.key);
  ReplyRange(ctx, x.s, from, StreamId::Max(), a.count, false, x.g, &a.consumer, a.noack);
  return true;
}

// XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...]
// XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key ... id ...
void ReadGeneric(CommandContext& ctx, bool group_mode) {
  ReadArgs a;
  if (!ParseReadArgs(ctx, group_mode, &a)) return;
  std::vector<ReadSource> sources(a.nstreams);
  for (size_t k = 0; k < a.nstreams; k++) {
    if (!ResolveSource(ctx, group_mode, a, k, &sources[k])) return;
  }
  size_t token = ctx.reply.BeginDeferred();
  size_t served = 0;
  for (ReadSource& x : sources) served += ServeSource(ctx, a, x) ? 1 : 0;
  if (served > 0) {
    if (ctx.reply.resp() >= 3) return ctx.reply.EndDeferredMap(token, served);
    return ctx.reply.EndDeferredArray(token, served);
  }
  if (a.timeout_ms >= 0) {
    std::vector<std::string_view> keys;
    for (const ReadSource& x : sources) keys.push_back(x.key);
    // XREAD waits for entries after the last ID *now*: "$" must not be
    // resolved again when the command runs after a wake-up.
    std::vector<std::string> rewritten;
    if (!group_mode) {
      for (size_t k = 0; k < a.nstreams; k++) {
        size_t pos = a.streams_arg + a.nstreams + k;
        if (ctx.arg(pos) != "$") continue;
        if (rewritten.empty()) rewritten.assign(ctx.args.begin(), ctx.args.end());
        rewritten[pos] = sources[k].id.ToString();
      }
    }
    if (ctx.BlockOn(keys, a.timeout_ms, std::move(rewritten))) return;
  }
  ctx.reply.NullArray();
}

void XRead(CommandContext& ctx) { ReadGeneric(ctx, false); }
void XReadGroup(CommandContext& ctx) { ReadGeneric(ctx, true); }

// ---- XSETID -----------------------------------------------------------------

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void XSetId(CommandContext& ctx) {
  StreamId id, max_del;
  int64_t added = -1;
  if (!ParseIdOrReply(ctx, ctx.arg(2), 0, &id, true)) return;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(ctx.arg(i), "entriesadded") && more) {
      if (!ParseInt64(ctx.arg(i + 1), &added)) return ctx.reply.Error(protocol::kNotInteger);
      if (added < 0) return ctx.reply.Error("ERR entries_added must be positive");
    } else if (EqualsIgnoreCase(ctx.arg(i), "maxdeletedid") && more) {
      if (!ParseIdOrReply(ctx, ctx.arg(i + 1), 0, &max_del, true)) return;
      if (id < max_del) {
        return ctx.reply.Error(
            "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  bool failed;
  Entry* e = LookupStream(ctx, ctx.db(), ctx.arg(1), true, &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Error(protocol::kNoSuchKey);
  StreamValue* s = AsStream(e);
  if (id < s->max_deleted_id()) {
    return ctx.reply.Error(
        "ERR The ID specified in XSETID is smaller than current max_deleted_entry_id");
  }
  if (s->length() > 0) {
    if (id < s->entries().rbegin()->first) {
      return ctx.reply.Error(
          "ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (added != -1 && s->length() > uint64_t(added)) {
      return ctx.reply.Error(
          "ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  s->set_last_id(id);
  if (added != -1) s->set_entries_added(uint64_t(added));
  if (!max_del.IsZero()) s->set_max_deleted_id(max_del);
  ctx.KeyModified(ctx.db(), ctx.arg(1));
  ctx.Notify(kNotifyStream, "xsetid", ctx.arg(1));
  ctx.reply.Ok();
}

}  // namespace

void RegisterStreamCommands(CommandTable& table) {
  const std::vector<std::string> acl = {"stream"};
  NondeterministicOutput(table.Add(Row("xadd", -5, kWrite | kDenyOom | kFast, "stream", XAdd,
                {KeysAt(1, 0, 1, kKsRW | kKsUpdate)},
                {"Appends a new message to a stream. Creates the key if it doesn't exist.", "5.0.0",
                 "O(1) when adding a new entry, O(N) when trimming where N being the number of "
                 "entries evicted."},
                acl)));
  table.Add(Row("xlen", 2, kReadonly | kFast, "stream", XLen, {KeysAt(1, 0, 1, kKsRO)},
                {"Return the number of messages in a stream.", "5.0.0", "O(1)"}, acl));
  table.Add(Row("xrange", -4, kReadonly, "stream", XRange, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns the messages from a stream within a range of IDs.", "5.0.0",
                 "O(N) with N being the number of elements being returned. If N is constant "
                 "(e.g. always asking for the first 10 elements with COUNT), you can consider "
                 "it O(1)."},
                acl));
  table.Add(Row("xrevrange", -4, kReadonly, "stream", XRevRange,
                {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns the messages from a stream within a range of IDs in reverse order.",
                 "5.0.0",
                 "O(N) with N being the number of elements returned. If N is constant (e.g. "
                 "always asking for the first 10 elements with COUNT), you can consider it "
                 "O(1)."},
                acl));
  table.Add(Row("xdel", -3, kWrite | kFast, "stream", XDel, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
                {"Returns the number of messages after removing them from a stream.", "5.0.0",
                 "O(1) for each single item to delete in the stream, regardless of the stream "
                 "size."},
                acl));
  NondeterministicOutput(table.Add(Row("xtrim", -4, kWrite, "stream", XTrim,
                                 {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
                {"Deletes messages from the beginning of a stream.", "5.0.0",
                 "O(N), with N being the number of evicted entries. Constant times are very "
                 "small however, since entries are organized in macro nodes containing multiple "
                 "entries that can be released with a single deallocation."},
                acl)));
  KeySpec read_keys = KeysAfterKeyword("STREAMS", 1, -1, 1, kKsRO | kKsAccess);
  read_keys.limit = 2;
  table.Add(Row("xread", -4, kReadonly | kBlocking, "stream", XRead, {read_keys},
                {"Returns messages from multiple streams with IDs greater than the ones "
                 "requested. Blocks until a message is available otherwise.",
                 "5.0.0", ""},
                acl));
  KeySpec group_keys = KeysAfterKeyword("STREAMS", 4, -1, 1, kKsRO | kKsAccess);
  group_keys.limit = 2;
  table.Add(Row("xreadgroup", -7, kWrite | kBlocking, "stream", XReadGroup, {group_keys},
                {"Returns new or historical messages from a stream for a consumer in a group. "
                 "Blocks until a message is available otherwise.",
                 "5.0.0",
                 "For each stream mentioned: O(M) with M being the number of elements returned. "
                 "If M is constant (e.g. always asking for the first 10 elements with COUNT), "
                 "you can consider it O(1). On the other side when XREADGROUP blocks, XADD will "
                 "pay the O(N) time in order to serve the N clients blocked on the stream "
                 "getting new data."},
                acl));
  table.Add(Row("xsetid", -3, kWrite | kDenyOom | kFast, "stream", XSetId,
                {KeysAt(1, 0, 1, kKsRW | kKsUpdate)},
                {"An internal command for replicating stream values.", "5.0.0", "O(1)"}, acl));
  RegisterStreamGroupCommands(table);
}

}  // namespace lodestone
