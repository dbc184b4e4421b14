// Popping sorted sets: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN,
// BZPOPMAX and BZMPOP. A blocking pop serves at once when one of its keys
// holds a sorted set; otherwise it asks the engine to block
// (CommandContext::BlockOn) and is executed again from scratch when a key is
// signalled ready (every write that adds members calls SignalKeyReady), or
// replies a null array when the client may not block (MULTI, scripts).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/zset_util.h"
#include "common/strings.h"

namespace lodestone::zset {
namespace {

constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
constexpr std::string_view kCountNotPositive = "ERR count should be greater than 0";


// Removes up to `count` members from the low (or high, when max) end of the
// set at `e` and returns them in pop order. Deletes the key when emptied.
Pairs PopMembers(CommandContext& ctx, Db& db, Entry* e, std::string_view key, bool max,
                 size_t count) {
  ZSetValue& z = AsZSet(e);
  size_t n = std::min(count, z.Size());
  Pairs popped;
  popped.reserve(n);
  size_t first = max ? z.Size() - n : 0;
  size_t last = max ? z.Size() - 1 : n - 1;
  z.ForRanks(first, last, max, [&](std::string_view m, double s) {
    popped.emplace_back(std::string(m), s);
  });
  z.RemoveRanks(first, last);
  AfterRemoval(ctx, db, e, key, max ? "zpopmax" : "zpopmin", n);
  return popped;
}

// The first of `keys` that exists (each looked up in its own shard's db).
// Replies WRONGTYPE and sets *failed when that key is not a sorted set.
Entry* FirstExisting(CommandContext& ctx, std::span<const std::string_view> keys, bool* failed,
                     std::string_view* found) {
  *failed = false;
  for (std::string_view key : keys) {
    Entry* e = LookupWrite(ctx, ctx.DbFor(key), key);
    if (e == nullptr) continue;
    if (WrongType(ctx, e)) {
      *failed = true;
      return nullptr;
    }
    *found = key;
    return e;
  }
  return nullptr;
}


// ZPOPMIN/ZPOPMAX key [count]
void PopGeneric(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::kSyntaxError);
  int64_t count = -1;
  if (ctx.argc() == 3) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(protocol::kNotInteger);
    if (count < 0) return ctx.reply.Error(protocol::kValueMustBePositive);
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (WrongType(ctx, e)) return;
  if (e == nullptr || count == 0) return ctx.reply.EmptyArray();
  bool nested = ctx.reply.resp() > 2 && count != -1;
  Pairs popped = PopMembers(ctx, db, e, key, max, count == -1 ? 1 : static_cast<size_t>(count));
  ctx.reply.ArrayHeader(nested ? popped.size() : popped.size() * 2);
  for (const auto& [member, score] : popped) {
    if (nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
  }
}



// BZPOPMIN/BZPOPMAX key [key ...] timeout
void BlockingPop(CommandContext& ctx, bool max) {
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), &timeout_ms)) return;
  std::span<const std::string_view> keys = std::span(ctx.args).subspan(1, ctx.argc() - 2);
  bool failed;
  std::string_view key;
  Entry* e = FirstExisting(ctx, keys, &failed, &key);
  if (failed) return;
  if (e != nullptr) {
    Pairs popped = PopMembers(ctx, ctx.DbFor(key), e, key, max, 1);
    ctx.reply.ArrayHeader(3);
    ctx.reply.Bulk(key);
    ctx.reply.Bulk(popped[0].first);
    ctx.reply.Double(popped[0].second);
    return;
  }
  std::vector<std::string_view> wait_keys(keys.begin(), keys.end());
  if (!ctx.BlockOn(wait_keys, timeout_ms)) ctx.reply.NullArray();
}



struct MPopArgs {
  std::span<const std::string_view> keys;
  bool max = false;
  size_t count = 1;
};

// "numkeys key [key ...] <MIN | MAX> [COUNT count]" from `numkeys_index` on.
bool ParseMPop(CommandContext& ctx, size_t numkeys_index, MPopArgs* out) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(numkeys_index), &numkeys) || numkeys < 1) {
    ctx.reply.Error(kNumkeysNotPositive);
    return false;
  }
  size_t where_index = numkeys_index + static_cast<size_t>(numkeys) + 1;
  if (numkeys >= static_cast<int64_t>(ctx.argc()) || where_index >= ctx.argc()) {
    ctx.reply.Error(protocol::kSyntaxError);
    return false;
  }
  std::string_view where = ctx.arg(where_index);
  if (EqualsIgnoreCase(where, "min")) {
    out->max = false;
  } else if (EqualsIgnoreCase(where, "max")) {
    out->max = true;
  } else {
    ctx.reply.Error(protocol::kSyntaxError);
    return false;
  }
  bool have_count = false;
  for (size_t j = where_index + 1; j < ctx.argc(); ++j) {
    if (!have_count && EqualsIgnoreCase(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      int64_t count;
      if (!ParseInt64(ctx.arg(++j), &count) || count < 1) {
        ctx.reply.Error(kCountNotPositive);
        return false;
      }
      out->count = static_cast<size_t>(count);
      have_count = true;
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  out->keys = std::span(ctx.args).subspan(numkeys_index + 1, static_cast<size_t>(numkeys));
  return true;
}

// Serves an MPOP from the first existing key: [key, [[member, score], ...]].
// Returns false (having replied nothing) when no key exists.
bool MPopServe(CommandContext& ctx, const MPopArgs& args, bool* failed) {
  std::string_view key;
  Entry* e = FirstExisting(ctx, args.keys, failed, &key);
  if (e == nullptr) return false;
  Pairs popped = PopMembers(ctx, ctx.DbFor(key), e, key, args.max, args.count);
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(key);
  ctx.reply.ArrayHeader(popped.size());
  for (const auto& [member, score] : popped) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(member);
    ctx.reply.Double(score);
  }
  return true;
}


}  // namespace

// ZPOPMIN key [count]
void ZPopMin(CommandContext& ctx) { PopGeneric(ctx, false); }
// ZPOPMAX key [count]
void ZPopMax(CommandContext& ctx) { PopGeneric(ctx, true); }

// BZPOPMIN key [key ...] timeout
void BZPopMin(CommandContext& ctx) { BlockingPop(ctx, false); }
// BZPOPMAX key [key ...] timeout
void BZPopMax(CommandContext& ctx) { BlockingPop(ctx, true); }

// ZMPOP numkeys key [key ...] <MIN | MAX> [COUNT count]
void ZMPop(CommandContext& ctx) {
  MPopArgs args;
  if (!ParseMPop(ctx, 1, &args)) return;
  bool failed;
  if (!MPopServe(ctx, args, &failed) && !failed) ctx.reply.NullArray();
}

// BZMPOP timeout numkeys key [key ...] <MIN | MAX> [COUNT count]
void BZMPop(CommandContext& ctx) {
  MPopArgs args;
  if (!ParseMPop(ctx, 2, &args)) return;
  int64_t timeout_ms;
  if (!ParseBlockTimeout(ctx, ctx.arg(1), &timeout_ms)) return;
  bool failed;
  if (MPopServe(ctx, args, &failed) || failed) return;
  std::vector<std::string_view> wait_keys(args.keys.begin(), args.keys.end());
  if (!ctx.BlockOn(wait_keys, timeout_ms)) ctx.reply.NullArray();
}

}  // namespace lodestone::zset
