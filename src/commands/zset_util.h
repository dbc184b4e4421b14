// Helpers shared by the sorted set command files (zset_commands.cc,
// zset_combine_commands.cc, zset_pop_commands.cc): lookups, the encoding
// bookkeeping every write does, *STORE results and WITHSCORES replies, and the
// handlers the other files define for RegisterZSetCommands.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/command_util.h"
#include "server/config.h"
#include "storage/zset_value.h"

namespace lodestone::zset {

// Members with their scores, as results are built before replying or storing.
using Pairs = std::vector<std::pair<std::string, double>>;

inline ZSetLimits Limits(CommandContext& ctx) {
  const ServerConfig& c = ctx.config();
  return ZSetLimits{static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries)),
                    static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value))};
}

inline ZSetValue& AsZSet(Entry* e) { return *static_cast<ZSetValue*>(e->value.collection()); }

inline void SyncEncoding(Entry* e) { e->value.set_encoding(AsZSet(e).encoding()); }

// Replies WRONGTYPE and returns true when `e` holds something else.
inline bool WrongType(CommandContext& ctx, const Entry* e) {
  if (e != nullptr && e->value.type() != ObjType::kZSet) {
    ctx.reply.Error(protocol::kWrongType);
    return true;
  }
  return false;
}

// Stores `z` under `key` in `db`, replacing whatever was there (setKey).
inline Entry* StoreZSet(Db& db, std::string_view key, std::unique_ptr<ZSetValue> z) {
  Encoding encoding = z->encoding();
  return db.Upsert(key, Value::Object(ObjType::kZSet, encoding, std::move(z)), false);
}

// After removing members: notifies `event` ("zrem", "zpopmin", ...), deletes
// the key when empty ("del"), else syncs the encoding.
// `dirty`: the changes Redis counts, one per member removed.
inline void AfterRemoval(CommandContext& ctx, Db& db, Entry* e, std::string_view key,
                         std::string_view event, uint64_t dirty = 1) {
  ctx.Notify(kNotifyZset, event, key);
  if (AsZSet(e).Empty()) {
    db.DeleteEntry(e);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else {
    SyncEncoding(e);
  }
  ctx.KeyModified(db, key, dirty);
}

// Writes a *STORE result: the sorted pairs under `dst`, notifying `event`
// ("zunionstore", ...), or deletes `dst` ("del") when there are none.
// Replies with the count.
inline void StoreResult(CommandContext& ctx, std::string_view dst, const Pairs& pairs,
                        std::string_view event) {
  Db& db = ctx.DbFor(dst);
  LookupWrite(ctx, db, dst);  // drops an expired destination first
  if (pairs.empty()) {
    if (db.Delete(dst)) {
      ctx.KeyModified(db, dst);
      ctx.Notify(kNotifyGeneric, "del", dst);
    }
    ctx.reply.Integer(0);
    return;
  }
  StoreZSet(db, dst, ZSetValue::FromSorted(pairs, Limits(ctx)));
  ctx.KeyModified(db, dst);
  ctx.Notify(kNotifyZset, event, dst);
  ctx.SignalKeyReady(db, dst);
  ctx.reply.Integer(static_cast<int64_t>(pairs.size()));
}

// Sorts into sorted-set order: by score, then member bytes.
inline void SortPairs(Pairs* pairs) {
  std::sort(pairs->begin(), pairs->end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second < b.second;
    return CompareMembers(a.first, b.first) < 0;
  });
}

// Replies with members (and scores): RESP2 flat, RESP3 [member, score] pairs.
class PairReply {
 public:
  PairReply(CommandContext& ctx, bool withscores) : ctx_(ctx), withscores_(withscores) {}
  void Begin(size_t n) {
    ctx_.reply.ArrayHeader(withscores_ && ctx_.reply.resp() == 2 ? n * 2 : n);
  }
  void Emit(std::string_view member, double score) {
    if (withscores_ && ctx_.reply.resp() > 2) ctx_.reply.ArrayHeader(2);
    ctx_.reply.Bulk(member);
    if (withscores_) ctx_.reply.Double(score);
  }

 private:
  CommandContext& ctx_;
  bool withscores_;
};

inline void ReplyPairs(CommandContext& ctx, const Pairs& pairs, bool withscores) {
  PairReply out(ctx, withscores);
  out.Begin(pairs.size());
  for (const auto& [member, score] : pairs) out.Emit(member, score);
}

// Looks a sorted set up for reading; on a wrong type replies and sets *failed.
inline Entry* LookupZSetRead(CommandContext& ctx, Db& db, std::string_view key, bool* failed) {
  Entry* e = LookupRead(ctx, db, key);
  *failed = WrongType(ctx, e);
  return *failed ? nullptr : e;
}

// Set operations (zset_combine_commands.cc).
void ZUnion(CommandContext& ctx);
void ZInter(CommandContext& ctx);
void ZDiff(CommandContext& ctx);
void ZUnionStore(CommandContext& ctx);
void ZInterStore(CommandContext& ctx);
void ZDiffStore(CommandContext& ctx);
void ZInterCard(CommandContext& ctx);

// Pops (zset_pop_commands.cc).
void ZPopMin(CommandContext& ctx);
void ZPopMax(CommandContext& ctx);
void BZPopMin(CommandContext& ctx);
void BZPopMax(CommandContext& ctx);
void ZMPop(CommandContext& ctx);
void BZMPop(CommandContext& ctx);

}  // namespace lodestone::zset
