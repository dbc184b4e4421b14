// Helpers shared by the stream command files (stream_commands.cc and
// stream_group_commands.cc): ID parsing with Redis's error replies, stream
// lookups, and the reply shapes of entries and ranges.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "commands/command_util.h"
#include "common/strings.h"
#include "server/config.h"
#include "storage/stream_value.h"

namespace lodestone {

// Registers XACK, XPENDING, XCLAIM, XAUTOCLAIM, XGROUP and XINFO
// (stream_group_commands.cc); called by RegisterStreamCommands.
void RegisterStreamGroupCommands(CommandTable& table);

namespace stream_cmd {

inline constexpr std::string_view kInvalidId =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view kInvalidStart = "ERR invalid start ID for the interval";
inline constexpr std::string_view kInvalidEnd = "ERR invalid end ID for the interval";

inline void NondeterministicOutput(CommandSpec& spec) { spec.tips = {"nondeterministic_output"}; }

inline StreamValue* AsStream(Entry* e) { return static_cast<StreamValue*>(e->value.collection()); }

// The consumer `name` of `g` (created when missing; seen now). A new one is
// announced as "xgroup-createconsumer" on `key`, as Redis's
// streamCreateConsumer does for XREADGROUP, XCLAIM and XAUTOCLAIM.
inline StreamConsumer& TouchConsumer(CommandContext& ctx, StreamGroup* g, std::string_view key,
                                     const std::string& name) {
  const bool created = g->consumers.find(name) == g->consumers.end();
  StreamConsumer& consumer = g->Touch(name, ctx.now_ms);
  if (created) ctx.Notify(kNotifyStream, "xgroup-createconsumer", key);
  return consumer;
}

// streamParseIDOrReply: "-", "+", "ms", "ms-seq" (strict rejects - and +).
inline bool ParseIdOrReply(CommandContext& ctx, std::string_view s, uint64_t missing_seq,
                           StreamId* id, bool strict = false, bool* seq_given = nullptr) {
  if ((strict && (s == "-" || s == "+")) || !ParseStreamId(s, missing_seq, id, seq_given)) {
    ctx.reply.Error(kInvalidId);
    return false;
  }
  return true;
}

inline std::string NoGroupError(std::string_view key, std::string_view group,
                                std::string_view tail) {
  return "NOGROUP No such key '" + std::string(key) + "' or consumer group '" +
         std::string(group) + "'" + std::string(tail);
}

// A stream key looked up for reading (counting a hit or miss) or writing:
// nullptr when absent. A key of another type replies WRONGTYPE and sets
// *failed.
inline Entry* LookupStream(CommandContext& ctx, Db& db, std::string_view key, bool write,
                           bool* failed) {
  Entry* e = write ? LookupWrite(ctx, db, key) : LookupRead(ctx, db, key);
  *failed = e != nullptr && e->value.type() != ObjType::kStream;
  if (*failed) ctx.reply.Error(protocol::kWrongType);
  return *failed ? nullptr : e;
}

inline Entry* CreateStream(Db& db, std::string_view key) {
  return db.Add(key, Value::Object(ObjType::kStream, Encoding::kStream,
                                   std::make_unique<StreamValue>()));
}

inline void ReplyId(CommandContext& ctx, StreamId id) { ctx.reply.Bulk(id.ToString()); }

inline void ReplyEntry(CommandContext& ctx, StreamId id, std::string_view packed) {
  ctx.reply.ArrayHeader(2);
  ReplyId(ctx, id);
  ctx.reply.ArrayHeader(StreamValue::ElementCount(packed));
  StreamValue::ForEachElement(packed, [&](std::string_view e) { ctx.reply.Bulk(e); });
}

// Replies with entries in [start, end] (reversed with `rev`), at most `count`
// (0 = all). With a group, delivers them: advances the group and, unless
// `noack`, records them in the PELs of the group and `consumer`.
inline size_t ReplyRange(CommandContext& ctx, StreamValue* s, StreamId start, StreamId end,
                         int64_t count, bool rev, StreamGroup* group = nullptr,
                         const std::string* consumer = nullptr, bool noack = false) {
  size_t token = ctx.reply.BeginDeferred();
  size_t n = 0;
  auto emit = [&](StreamId id, std::string_view fields) {
    if (group != nullptr) s->AdvanceGroup(*group, id);
    ReplyEntry(ctx, id, fields);
    if (group != nullptr && !noack) {
      group->Deliver(id, *consumer, ctx.now_ms);
      group->consumers[*consumer].active_time = ctx.now_ms;
    }
    n++;
    return count == 0 || int64_t(n) < count;
  };
  if (start <= end) {
    const auto& m = s->entries();
    if (!rev) {
      for (auto it = m.lower_bound(start); it != m.end() && it->first <= end; ++it) {
        if (!emit(it->first, it->second)) break;
      }
    } else {
      auto it = m.upper_bound(end);
      while (it != m.begin()) {
        --it;
        if (it->first < start) break;
        if (!emit(it->first, it->second)) break;
      }
    }
  }
  ctx.reply.EndDeferredArray(token, n);
  return n;
}

// An interval bound: "-", "+", an ID, or "(" ID for an exclusive one.
inline bool ParseIntervalId(CommandContext& ctx, std::string_view s, uint64_t missing_seq,
                            bool is_start, StreamId* id) {
  if (s.size() > 1 && s[0] == '(') {
    if (!ParseIdOrReply(ctx, s.substr(1), missing_seq, id, true)) return false;
    if (!(is_start ? id->Incr() : id->Decr())) {
      ctx.reply.Error(is_start ? kInvalidStart : kInvalidEnd);
      return false;
    }
    return true;
  }
  return ParseIdOrReply(ctx, s, missing_seq, id);
}

}  // namespace stream_cmd
}  // namespace lodestone
