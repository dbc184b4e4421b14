// Sorted set commands: ZADD and friends, ranks and ranges (the unified ZRANGE
// and its legacy forms, ZRANGESTORE, ZREM*RANGEBY*), ZRANDMEMBER and ZSCAN,
// and the table rows of every sorted set command, including those defined in
// zset_combine_commands.cc (ZUNION/ZINTER/ZDIFF, their STORE forms,
// ZINTERCARD) and zset_pop_commands.cc (ZPOPMIN/MAX, ZMPOP and the blocking
// BZPOPMIN/BZPOPMAX/BZMPOP).
//
// Behaviour, option parsing order, reply shapes and error texts follow
// Redis 7.4's t_zset.c. Encodings live in storage/zset_value.h: handlers pass
// the limits from the config and copy the set's encoding into the Value
// after every change. A set that becomes empty is deleted. Replies with
// scores use ReplyBuilder::Double (RESP3 doubles; RESP2 bulk strings in
// Redis 7.4's format); WITHSCORES replies are flat in RESP2 and arrays of
// [member, score] pairs in RESP3.
//
// Range commands first turn any range into a span of ranks, then apply
// LIMIT to the span, so the reply length is always known up front.
//
// Every write that adds members calls SignalKeyReady, for blocked pops.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "commands/register.h"
#include "commands/zset_util.h"
#include "common/glob.h"
#include "common/strings.h"

namespace lodestone::zset {
namespace {

constexpr std::string_view kNaNScore = "ERR resulting score is not a number (NaN)";
constexpr std::string_view kXxAndNx = "ERR XX and NX options at the same time are not compatible";
constexpr std::string_view kGtLtNx =
    "ERR GT, LT, and/or NX options at the same time are not compatible";
constexpr std::string_view kIncrSinglePair =
    "ERR INCR option supports a single increment-element pair";
constexpr std::string_view kLimitNeedsRange =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
constexpr std::string_view kWithscoresByLex =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
constexpr std::string_view kOutOfLongRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

// zslParseRange: "(" makes a bound exclusive; the number is read as Redis
// 7.4's fast_float_strtod reads it (no leading space, no hex; "inf", "+inf",
// "-inf" and out-of-range values become infinities), up to the first NUL;
// NaN is refused. An empty string reads as 0, as in Redis.
bool ParseScoreBound(std::string_view arg, double* value, bool* exclusive) {
  *exclusive = !arg.empty() && arg[0] == '(';
  if (*exclusive) arg.remove_prefix(1);
  std::string s(arg.substr(0, arg.find('\0')));
  if (s.empty()) {
    *value = 0;
    return true;
  }
  if (std::isspace(static_cast<unsigned char>(s[0])) ||
      s.find_first_of("xX") != std::string::npos) {
    return false;
  }
  char* end;
  *value = std::strtod(s.c_str(), &end);
  return *end == '\0' && !std::isnan(*value);
}

bool ParseScoreRange(std::string_view min, std::string_view max, ScoreRange* range) {
  return ParseScoreBound(min, &range->min, &range->min_exclusive) &&
         ParseScoreBound(max, &range->max, &range->max_exclusive);
}

// zslParseLexRangeItem: "+", "-", "(member" or "[member".
bool ParseLexBound(std::string_view arg, LexBound* bound) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '+':
    case '-':
      if (arg.size() != 1) return false;
      bound->kind = arg[0] == '+' ? LexBound::Kind::kPlusInfinity : LexBound::Kind::kMinusInfinity;
      bound->exclusive = true;
      return true;
    case '(':
    case '[':
      bound->kind = LexBound::Kind::kValue;
      bound->exclusive = arg[0] == '(';
      bound->value.assign(arg.substr(1));
      return true;
    default:
      return false;
  }
}

bool ParseLexRange(std::string_view min, std::string_view max, LexRange* range) {
  return ParseLexBound(min, &range->min) && ParseLexBound(max, &range->max);
}

// Redis's rank sanitizing (start/end may count from the end). Returns false
// when the span is empty; else sets the 0-based inclusive span.
bool ClampRanks(int64_t start, int64_t end, size_t size, size_t* first, size_t* last) {
  auto len = static_cast<int64_t>(size);
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return false;
  if (end >= len) end = len - 1;
  *first = static_cast<size_t>(start);
  *last = static_cast<size_t>(end);
  return true;
}


// ---- ZADD, ZINCRBY, ZREM --------------------------------------------------------

// After an add: deletes a key left empty (a created key whose adds all
// failed), syncs the encoding, and records a change ("zadd", or "zincr" for
// the INCR form).
// `changed`: members added or updated, each one change for Redis's dirty.
void AfterAdd(CommandContext& ctx, Db& db, Entry* e, std::string_view key, uint64_t changed,
              bool incr) {
  if (AsZSet(e).Empty()) {
    db.DeleteEntry(e);
  } else {
    SyncEncoding(e);
  }
  if (changed > 0) {
    ctx.KeyModified(db, key, changed);
    ctx.SignalKeyReady(db, key);
    ctx.Notify(kNotifyZset, incr ? "zincr" : "zadd", key);
  }
}

struct ZAddRequest {
  unsigned flags = ZSetValue::kAddNone;
  bool ch = false;
  size_t first_pair = 2;  // argument index of the first score
  std::vector<double> scores;
};

// zaddGenericCommand's parsing, errors in Redis's order: options, pair
// count, incompatible options, then every score before anything changes.
bool ParseZAdd(CommandContext& ctx, ZAddRequest* req) {
  size_t& idx = req->first_pair;
  for (; idx < ctx.argc(); ++idx) {
    std::string_view opt = ctx.arg(idx);
    if (EqualsIgnoreCase(opt, "nx")) {
      req->flags |= ZSetValue::kAddNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      req->flags |= ZSetValue::kAddXx;
    } else if (EqualsIgnoreCase(opt, "ch")) {
      req->ch = true;
    } else if (EqualsIgnoreCase(opt, "incr")) {
      req->flags |= ZSetValue::kAddIncr;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      req->flags |= ZSetValue::kAddGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      req->flags |= ZSetValue::kAddLt;
    } else {
      break;
    }
  }
  auto has = [req](unsigned flag) { return (req->flags & flag) != 0; };
  size_t elements = ctx.argc() - idx;
  std::string_view error;
  if (elements == 0 || elements % 2 != 0) {
    error = protocol::kSyntaxError;
  } else if (has(ZSetValue::kAddNx) && has(ZSetValue::kAddXx)) {
    error = kXxAndNx;
  } else if ((has(ZSetValue::kAddGt) || has(ZSetValue::kAddLt)) &&
             (has(ZSetValue::kAddNx) || (has(ZSetValue::kAddGt) && has(ZSetValue::kAddLt)))) {
    error = kGtLtNx;
  } else if (has(ZSetValue::kAddIncr) && elements > 2) {
    error = kIncrSinglePair;
  }
  if (!error.empty()) {
    ctx.reply.Error(error);
    return false;
  }
  req->scores.resize(elements / 2);
  for (size_t j = 0; j < req->scores.size(); ++j) {
    if (!ParseDouble(ctx.arg(idx + 2 * j), &req->scores[j])) {
      ctx.reply.Error(protocol::kNotFloat);
      return false;
    }
  }
  return true;
}

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
// ZINCRBY key increment member
void ZAddGeneric(CommandContext& ctx, unsigned flags) {
  ZAddRequest req;
  req.flags = flags;
  if (!ParseZAdd(ctx, &req)) return;
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (WrongType(ctx, e)) return;
  ZSetLimits limits = Limits(ctx);
  size_t n = req.scores.size();
  if (e == nullptr && !(req.flags & ZSetValue::kAddXx)) {
    auto z = ZSetValue::Create(n, ctx.arg(req.first_pair + 1).size(), limits);
    Encoding encoding = z->encoding();
    e = db.Add(key, Value::Object(ObjType::kZSet, encoding, std::move(z)));
  } else if (e != nullptr) {
    AsZSet(e).MaybeConvert(n, limits);
  }
  size_t added = 0, updated = 0, processed = 0;
  double score = 0;
  bool nan = false;
  if (e != nullptr) {
    ZSetValue& z = AsZSet(e);
    for (size_t j = 0; j < n && !nan; ++j) {
      auto r = z.Add(ctx.arg(req.first_pair + 2 * j + 1), req.scores[j], req.flags, limits);
      nan = r.nan;
      added += r.added;
      updated += r.updated;
      if (!r.nop && !r.nan) {
        ++processed;
        score = r.score;
      }
    }
    AfterAdd(ctx, db, e, key, uint64_t(added + updated), (req.flags & ZSetValue::kAddIncr) != 0);
  }
  if (nan) return ctx.reply.Error(kNaNScore);
  if (!(req.flags & ZSetValue::kAddIncr)) {
    return ctx.reply.Integer(static_cast<int64_t>(req.ch ? added + updated : added));
  }
  processed > 0 ? ctx.reply.Double(score) : ctx.reply.Null();
}

// ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...]
void ZAdd(CommandContext& ctx) { ZAddGeneric(ctx, ZSetValue::kAddNone); }

// ZINCRBY key increment member
void ZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, ZSetValue::kAddIncr); }

// ZREM key member [member ...]
void ZRem(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (WrongType(ctx, e)) return;
  ZSetValue& z = AsZSet(e);
  int64_t deleted = 0;
  for (size_t j = 2; j < ctx.argc() && !z.Empty(); ++j) deleted += z.Remove(ctx.arg(j));
  if (deleted > 0) AfterRemoval(ctx, db, e, key, "zrem", uint64_t(deleted));
  ctx.reply.Integer(deleted);
}

// ---- Reads --------------------------------------------------------------------

// ZCARD key
void ZCard(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(AsZSet(e).Size()));
}

// ZSCORE key member
void ZScore(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  double score;
  if (e == nullptr || !AsZSet(e).Score(ctx.arg(2), &score)) return ctx.reply.Null();
  ctx.reply.Double(score);
}

// ZMSCORE key member [member ...]
void ZMScore(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    double score;
    if (e != nullptr && AsZSet(e).Score(ctx.arg(j), &score)) {
      ctx.reply.Double(score);
    } else {
      ctx.reply.Null();
    }
  }
}

// ZRANK/ZREVRANK key member [WITHSCORE]
void RankGeneric(CommandContext& ctx, bool reverse) {
  if (ctx.argc() > 4) return ctx.reply.Error(protocol::WrongArity(ctx.spec.full_name()));
  bool withscore = false;
  if (ctx.argc() == 4) {
    if (!EqualsIgnoreCase(ctx.arg(3), "withscore")) return ctx.reply.Error(protocol::kSyntaxError);
    withscore = true;
  }
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  size_t rank;
  double score;
  if (e == nullptr || !AsZSet(e).Rank(ctx.arg(2), reverse, &rank, &score)) {
    return withscore ? ctx.reply.NullArray() : ctx.reply.Null();
  }
  if (withscore) ctx.reply.ArrayHeader(2);
  ctx.reply.Integer(static_cast<int64_t>(rank));
  if (withscore) ctx.reply.Double(score);
}

// ZRANK key member [WITHSCORE]
void ZRank(CommandContext& ctx) { RankGeneric(ctx, false); }
// ZREVRANK key member [WITHSCORE]
void ZRevRank(CommandContext& ctx) { RankGeneric(ctx, true); }

// ZCOUNT key min max
void ZCount(CommandContext& ctx) {
  ScoreRange range;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.reply.Error(protocol::kMinMaxNotFloat);
  }
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  size_t first, last;
  bool any = e != nullptr && AsZSet(e).RanksIn(range, &first, &last);
  ctx.reply.Integer(any ? static_cast<int64_t>(last - first + 1) : 0);
}

// ZLEXCOUNT key min max
void ZLexCount(CommandContext& ctx) {
  LexRange range;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &range)) {
    return ctx.reply.Error(protocol::kMinMaxNotStringRange);
  }
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  size_t first, last;
  bool any = e != nullptr && AsZSet(e).RanksIn(range, &first, &last);
  ctx.reply.Integer(any ? static_cast<int64_t>(last - first + 1) : 0);
}

// ---- Ranges -------------------------------------------------------------------

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

struct RangeRequest {
  RangeType type = RangeType::kAuto;
  Direction direction = Direction::kAuto;
  bool withscores = false;
  int64_t offset = 0;
  int64_t limit = -1;
  int64_t start = 0;  // kRank
  int64_t end = 0;
  ScoreRange score_range;
  LexRange lex_range;
};

// Parses "<min> <max> [BYSCORE | BYLEX] [REV] [WITHSCORES] [LIMIT offset
// count]" starting at the source key's index, as zrangeGenericCommand does.
// Replies with the error and returns false on a bad request.
bool ParseRange(CommandContext& ctx, size_t key_index, bool store, RangeRequest* req) {
  for (size_t j = key_index + 3; j < ctx.argc(); ++j) {
    size_t left = ctx.argc() - j - 1;
    std::string_view opt = ctx.arg(j);
    if (!store && EqualsIgnoreCase(opt, "withscores")) {
      req->withscores = true;
    } else if (EqualsIgnoreCase(opt, "limit") && left >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &req->offset) || !ParseInt64(ctx.arg(j + 2), &req->limit)) {
        ctx.reply.Error(protocol::kNotInteger);
        return false;
      }
      j += 2;
    } else if (req->direction == Direction::kAuto && EqualsIgnoreCase(opt, "rev")) {
      req->direction = Direction::kReverse;
    } else if (req->type == RangeType::kAuto && EqualsIgnoreCase(opt, "bylex")) {
      req->type = RangeType::kLex;
    } else if (req->type == RangeType::kAuto && EqualsIgnoreCase(opt, "byscore")) {
      req->type = RangeType::kScore;
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  if (req->direction == Direction::kAuto) req->direction = Direction::kForward;
  if (req->type == RangeType::kAuto) req->type = RangeType::kRank;
  if (req->limit != -1 && req->type == RangeType::kRank) {
    ctx.reply.Error(kLimitNeedsRange);
    return false;
  }
  if (req->withscores && req->type == RangeType::kLex) {
    ctx.reply.Error(kWithscoresByLex);
    return false;
  }
  bool reverse = req->direction == Direction::kReverse;
  std::string_view min = ctx.arg(key_index + 1), max = ctx.arg(key_index + 2);
  if (reverse && req->type != RangeType::kRank) std::swap(min, max);
  switch (req->type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      if (!ParseInt64(min, &req->start) || !ParseInt64(max, &req->end)) {
        ctx.reply.Error(protocol::kNotInteger);
        return false;
      }
      break;
    case RangeType::kScore:
      if (!ParseScoreRange(min, max, &req->score_range)) {
        ctx.reply.Error(protocol::kMinMaxNotFloat);
        return false;
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(min, max, &req->lex_range)) {
        ctx.reply.Error(protocol::kMinMaxNotStringRange);
        return false;
      }
      break;
  }
  return true;
}

// The ranks a request selects, ascending (visited from *last down when
// reverse). False when none.
bool SelectRanks(const ZSetValue& z, const RangeRequest& req, size_t* first, size_t* last) {
  bool reverse = req.direction == Direction::kReverse;
  size_t size = z.Size();
  if (req.type == RangeType::kRank) {
    size_t a, b;
    if (!ClampRanks(req.start, req.end, size, &a, &b)) return false;
    *first = reverse ? size - 1 - b : a;
    *last = reverse ? size - 1 - a : b;
    return true;
  }
  size_t lo, hi;
  bool any = req.type == RangeType::kScore ? z.RanksIn(req.score_range, &lo, &hi)
                                           : z.RanksIn(req.lex_range, &lo, &hi);
  if (!any || req.offset < 0) return false;
  size_t span = hi - lo + 1;
  auto offset = static_cast<uint64_t>(req.offset);
  if (offset >= span) return false;
  size_t count = span - offset;
  if (req.limit >= 0) count = std::min<uint64_t>(count, static_cast<uint64_t>(req.limit));
  if (count == 0) return false;
  if (reverse) {
    *last = hi - offset;
    *first = *last - (count - 1);
  } else {
    *first = lo + offset;
    *last = *first + (count - 1);
  }
  return true;
}

// Z[REV]RANGE[BYSCORE|BYLEX] and ZRANGESTORE, from argument `key_index` on.
void RangeGeneric(CommandContext& ctx, size_t key_index, bool store, RangeType type,
                  Direction direction) {
  RangeRequest req;
  req.type = type;
  req.direction = direction;
  if (!ParseRange(ctx, key_index, store, &req)) return;
  std::string_view key = ctx.arg(key_index);
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.DbFor(key), key, &failed);
  if (failed) return;
  size_t first = 0, last = 0;
  bool any = e != nullptr && SelectRanks(AsZSet(e), req, &first, &last);
  bool reverse = req.direction == Direction::kReverse;
  if (store) {
    Pairs pairs;
    if (any) {
      AsZSet(e).ForRanks(first, last, reverse, [&](std::string_view m, double s) {
        pairs.emplace_back(std::string(m), s);
      });
      if (reverse) std::reverse(pairs.begin(), pairs.end());
    }
    return StoreResult(ctx, ctx.arg(1), pairs, "zrangestore");
  }
  if (!any) return ctx.reply.EmptyArray();
  PairReply out(ctx, req.withscores);
  out.Begin(last - first + 1);
  AsZSet(e).ForRanks(first, last, reverse, [&](std::string_view m, double s) { out.Emit(m, s); });
}

// ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
void ZRange(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kAuto, Direction::kAuto);
}
// ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count]
void ZRangeStore(CommandContext& ctx) {
  RangeGeneric(ctx, 2, true, RangeType::kAuto, Direction::kAuto);
}
// ZREVRANGE key start stop [WITHSCORES]
void ZRevRange(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kRank, Direction::kReverse);
}
// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
void ZRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
void ZRevRangeByScore(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
// ZRANGEBYLEX key min max [LIMIT offset count]
void ZRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kForward);
}
// ZREVRANGEBYLEX key max min [LIMIT offset count]
void ZRevRangeByLex(CommandContext& ctx) {
  RangeGeneric(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

// ZREMRANGEBYRANK/SCORE/LEX key <start stop | min max>
void RemoveRangeGeneric(CommandContext& ctx, RangeType type) {
  RangeRequest req;
  req.type = type;
  req.direction = Direction::kForward;
  if (type == RangeType::kRank) {
    if (!ParseInt64(ctx.arg(2), &req.start) || !ParseInt64(ctx.arg(3), &req.end)) {
      return ctx.reply.Error(protocol::kNotInteger);
    }
  } else if (type == RangeType::kScore) {
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &req.score_range)) {
      return ctx.reply.Error(protocol::kMinMaxNotFloat);
    }
  } else if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &req.lex_range)) {
    return ctx.reply.Error(protocol::kMinMaxNotStringRange);
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  Entry* e = LookupWrite(ctx, db, key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (WrongType(ctx, e)) return;
  size_t first, last;
  if (!SelectRanks(AsZSet(e), req, &first, &last)) return ctx.reply.Integer(0);
  size_t removed = AsZSet(e).RemoveRanks(first, last);
  std::string_view event = type == RangeType::kRank    ? "zremrangebyrank"
                           : type == RangeType::kScore ? "zremrangebyscore"
                                                       : "zremrangebylex";
  if (removed > 0) {
    AfterRemoval(ctx, db, e, key, event, removed);
  } else {
    SyncEncoding(e);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

// ZREMRANGEBYRANK key start stop
void ZRemRangeByRank(CommandContext& ctx) { RemoveRangeGeneric(ctx, RangeType::kRank); }
// ZREMRANGEBYSCORE key min max
void ZRemRangeByScore(CommandContext& ctx) { RemoveRangeGeneric(ctx, RangeType::kScore); }
// ZREMRANGEBYLEX key min max
void ZRemRangeByLex(CommandContext& ctx) { RemoveRangeGeneric(ctx, RangeType::kLex); }

// ---- ZRANDMEMBER, ZSCAN ----------------------------------------------------------

// ZRANDMEMBER's count form (zrandmemberWithCountCommand): negative counts
// repeat members; otherwise distinct members, the whole set when count >= size.
void RandomMembers(CommandContext& ctx, const ZSetValue& z, int64_t l, bool withscores) {
  PairReply out(ctx, withscores);
  Random& rng = ctx.shard.rng();
  size_t size = z.Size();
  bool unique = l >= 0;
  uint64_t count = unique ? static_cast<uint64_t>(l) : 0 - static_cast<uint64_t>(l);
  if (count == 0) return ctx.reply.EmptyArray();
  if (unique && count >= size) {
    out.Begin(size);
    z.ForEach([&](std::string_view m, double s) { out.Emit(m, s); });
    return;
  }
  auto emit_rank = [&](size_t rank) {
    z.ForRanks(rank, rank, false, [&](std::string_view m, double s) { out.Emit(m, s); });
  };
  if (z.encoding() == Encoding::kListpack || (unique && count * 3 > size)) {
    // Small set, or most of it wanted: work on a copy of the pairs, drawing
    // with repetition or by a partial Fisher-Yates shuffle.
    Pairs pairs;
    pairs.reserve(size);
    z.ForEach([&](std::string_view m, double s) { pairs.emplace_back(std::string(m), s); });
    out.Begin(count);
    for (uint64_t i = 0; i < count; ++i) {
      size_t pick;
      if (unique) {
        pick = i + rng.Uniform(size - i);
        std::swap(pairs[i], pairs[pick]);
        pick = i;
      } else {
        pick = rng.Uniform(size);
      }
      out.Emit(pairs[pick].first, pairs[pick].second);
    }
    return;
  }
  out.Begin(count);
  if (!unique) {
    for (uint64_t i = 0; i < count; ++i) emit_rank(rng.Uniform(size));
    return;
  }
  std::unordered_set<size_t> chosen;
  while (chosen.size() < count) {
    size_t rank = rng.Uniform(size);
    if (chosen.insert(rank).second) emit_rank(rank);
  }
}

// ZRANDMEMBER key [count [WITHSCORES]]
void ZRandMember(CommandContext& ctx) {
  if (ctx.argc() >= 3) {
    int64_t l;
    if (!ParseInt64(ctx.arg(2), &l)) return ctx.reply.Error(protocol::kNotInteger);
    if (l == INT64_MIN) return ctx.reply.Error(kOutOfLongRange);
    bool withscores = false;
    if (ctx.argc() > 4 || (ctx.argc() == 4 && !EqualsIgnoreCase(ctx.arg(3), "withscores"))) {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
    if (ctx.argc() == 4) {
      withscores = true;
      if (l < -INT64_MAX / 2 || l > INT64_MAX / 2) return ctx.reply.Error(protocol::kValueOutOfRange);
    }
    bool failed;
    Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
    if (failed) return;
    if (e == nullptr) return ctx.reply.EmptyArray();
    return RandomMembers(ctx, AsZSet(e), l, withscores);
  }
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Null();
  const ZSetValue& z = AsZSet(e);
  size_t rank = ctx.shard.rng().Uniform(z.Size());
  z.ForRanks(rank, rank, false, [&](std::string_view m, double) { ctx.reply.Bulk(m); });
}

// ZSCAN key cursor [MATCH pattern] [COUNT count]
void ZScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseUint64(ctx.arg(2), &cursor)) return ctx.reply.Error(protocol::kInvalidCursor);
  bool failed;
  Entry* e = LookupZSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ReplyEmptyScan(ctx);
  ScanOptions opts;
  if (!ParseScanOptions(ctx, 3, false, &opts)) return;
  const ZSetValue& z = AsZSet(e);
  bool packed = z.encoding() == Encoding::kListpack;
  std::vector<std::string> items;
  uint64_t next = z.Scan(cursor, static_cast<size_t>(opts.count), [&](std::string_view m, double s) {
    if (opts.use_pattern && !StringMatch(opts.pattern, m, false)) return;
    items.emplace_back(m);
    // Redis replies a listpack's stored score string (d2string) and a
    // skiplist's score as "%.17Lg".
    char buf[64];
    size_t n = packed ? FormatDouble(s, buf)
                      : static_cast<size_t>(std::snprintf(buf, sizeof(buf), "%.17Lg",
                                                          static_cast<long double>(s)));
    items.emplace_back(buf, n);
  });
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(Uint64ToString(next));
  ctx.reply.ArrayHeader(items.size());
  for (const std::string& item : items) ctx.reply.Bulk(item);
}

}  // namespace
}  // namespace lodestone::zset

namespace lodestone {

void RegisterZSetCommands(CommandTable& table) {
  using namespace zset;  // NOLINT: the handlers
  constexpr uint32_t kRead = kKsRO | kKsAccess;
  constexpr uint32_t kPop = kKsRW | kKsAccess | kKsDelete;
  constexpr uint32_t kStoreDst = kKsOW | kKsUpdate;
  constexpr const char* kRangeComplexity =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).";
  constexpr const char* kRemRangeComplexity =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  constexpr const char* kMPopComplexity =
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
      "elements in the sorted set, and M being the number of elements popped.";
  constexpr const char* kInterComplexity =
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
      "number of input sorted sets and M being the number of elements in the resulting sorted "
      "set.";
  constexpr const char* kDiffComplexity =
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
      "is the size of the first set, and K is the size of the result set.";
  auto add = [&](std::string name, int arity, uint64_t flags, CommandHandler handler,
                 std::vector<KeySpec> keys, CommandDoc doc) -> CommandSpec& {
    return table.Add(
        Row(std::move(name), arity, flags, "sorted-set", handler, std::move(keys), doc,
            {"sortedset"}));
  };
  add("bzmpop", -5, kWrite | kBlocking, BZMPop, {KeysCounted(2, 1, kPop)},
      {"Removes and returns a member by score from one or more sorted sets. Blocks until a "
       "member is available otherwise. Deletes the sorted set if the last element was popped.",
       "7.0.0", kMPopComplexity});
  add("bzpopmax", -3, kWrite | kFast | kBlocking, BZPopMax, {KeysAt(1, -2, 1, kPop)},
      {"Removes and returns the member with the highest score from one or more sorted sets. "
       "Blocks until a member available otherwise.  Deletes the sorted set if the last element "
       "was popped.",
       "5.0.0", "O(log(N)) with N being the number of elements in the sorted set."});
  add("bzpopmin", -3, kWrite | kFast | kBlocking, BZPopMin, {KeysAt(1, -2, 1, kPop)},
      {"Removes and returns the member with the lowest score from one or more sorted sets. "
       "Blocks until a member is available otherwise. Deletes the sorted set if the last "
       "element was popped.",
       "5.0.0", "O(log(N)) with N being the number of elements in the sorted set."});
  add("zadd", -4, kWrite | kDenyOom | kFast, ZAdd, {KeysAt(1, 0, 1, kKsRW | kKsUpdate)},
      {"Adds one or more members to a sorted set, or updates their scores. Creates the key if "
       "it doesn't exist.",
       "1.2.0",
       "O(log(N)) for each item added, where N is the number of elements in the sorted set."});
  add("zcard", 2, kReadonly | kFast, ZCard, {KeysAt(1, 0, 1, kKsRO)},
      {"Returns the number of members in a sorted set.", "1.2.0", "O(1)"});
  add("zcount", 4, kReadonly | kFast, ZCount, {KeysAt(1, 0, 1, kRead)},
      {"Returns the count of members in a sorted set that have scores within a range.", "2.0.0",
       "O(log(N)) with N being the number of elements in the sorted set."});
  add("zdiff", -3, kReadonly, ZDiff, {KeysCounted(1, 1, kRead)},
      {"Returns the difference between multiple sorted sets.", "6.2.0", kDiffComplexity});
  add("zdiffstore", -4, kWrite | kDenyOom, ZDiffStore,
      {KeysAt(1, 0, 1, kStoreDst), KeysCounted(2, 1, kRead)},
      {"Stores the difference of multiple sorted sets in a key.", "6.2.0", kDiffComplexity});
  add("zincrby", 4, kWrite | kDenyOom | kFast, ZIncrBy,
      {KeysAt(1, 0, 1, kKsRW | kKsAccess | kKsUpdate)},
      {"Increments the score of a member in a sorted set.", "1.2.0",
       "O(log(N)) where N is the number of elements in the sorted set."});
  add("zinter", -3, kReadonly, ZInter, {KeysCounted(1, 1, kRead)},
      {"Returns the intersect of multiple sorted sets.", "6.2.0", kInterComplexity});
  add("zintercard", -3, kReadonly, ZInterCard, {KeysCounted(1, 1, kRead)},
      {"Returns the number of members of the intersect of multiple sorted sets.", "7.0.0",
       "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
       "input sorted sets."});
  add("zinterstore", -4, kWrite | kDenyOom, ZInterStore,
      {KeysAt(1, 0, 1, kStoreDst), KeysCounted(2, 1, kRead)},
      {"Stores the intersect of multiple sorted sets in a key.", "2.0.0", kInterComplexity});
  add("zlexcount", 4, kReadonly | kFast, ZLexCount, {KeysAt(1, 0, 1, kRead)},
      {"Returns the number of members in a sorted set within a lexicographical range.", "2.8.9",
       "O(log(N)) with N being the number of elements in the sorted set."});
  add("zmpop", -4, kWrite, ZMPop, {KeysCounted(1, 1, kPop)},
      {"Returns the highest- or lowest-scoring members from one or more sorted sets after "
       "removing them. Deletes the sorted set if the last member was popped.",
       "7.0.0", kMPopComplexity});
  add("zmscore", -3, kReadonly | kFast, ZMScore, {KeysAt(1, 0, 1, kRead)},
      {"Returns the score of one or more members in a sorted set.", "6.2.0",
       "O(N) where N is the number of members being requested."});
  add("zpopmax", -2, kWrite | kFast, ZPopMax, {KeysAt(1, 0, 1, kPop)},
      {"Returns the highest-scoring members from a sorted set after removing them. Deletes the "
       "sorted set if the last member was popped.",
       "5.0.0",
       "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
       "number of elements popped."});
  add("zpopmin", -2, kWrite | kFast, ZPopMin, {KeysAt(1, 0, 1, kPop)},
      {"Returns the lowest-scoring members from a sorted set after removing them. Deletes the "
       "sorted set if the last member was popped.",
       "5.0.0",
       "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
       "number of elements popped."});
  add("zrandmember", -2, kReadonly, ZRandMember, {KeysAt(1, 0, 1, kRead)},
      {"Returns one or more random members from a sorted set.", "6.2.0",
       "O(N) where N is the number of members returned"})
      .tips = {"nondeterministic_output"};
  add("zrange", -4, kReadonly, ZRange, {KeysAt(1, 0, 1, kRead)},
      {"Returns members in a sorted set within a range of indexes.", "1.2.0",
       "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
       "elements returned."});
  add("zrangebylex", -4, kReadonly, ZRangeByLex, {KeysAt(1, 0, 1, kRead)},
      {"Returns members in a sorted set within a lexicographical range.", "2.8.9",
       kRangeComplexity});
  add("zrangebyscore", -4, kReadonly, ZRangeByScore, {KeysAt(1, 0, 1, kRead)},
      {"Returns members in a sorted set within a range of scores.", "1.0.5", kRangeComplexity});
  add("zrangestore", -5, kWrite | kDenyOom, ZRangeStore,
      {KeysAt(1, 0, 1, kStoreDst), KeysAt(2, 0, 1, kRead)},
      {"Stores a range of members from sorted set in a key.", "6.2.0",
       "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
       "elements stored into the destination key."});
  add("zrank", -3, kReadonly | kFast, ZRank, {KeysAt(1, 0, 1, kRead)},
      {"Returns the index of a member in a sorted set ordered by ascending scores.", "2.0.0",
       "O(log(N))"});
  add("zrem", -3, kWrite | kFast, ZRem, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
      {"Removes one or more members from a sorted set. Deletes the sorted set if all members "
       "were removed.",
       "1.2.0",
       "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
       "elements to be removed."});
  add("zremrangebylex", 4, kWrite, ZRemRangeByLex, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
      {"Removes members in a sorted set within a lexicographical range. Deletes the sorted set "
       "if all members were removed.",
       "2.8.9", kRemRangeComplexity});
  add("zremrangebyrank", 4, kWrite, ZRemRangeByRank, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
      {"Removes members in a sorted set within a range of indexes. Deletes the sorted set if "
       "all members were removed.",
       "2.0.0", kRemRangeComplexity});
  add("zremrangebyscore", 4, kWrite, ZRemRangeByScore, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
      {"Removes members in a sorted set within a range of scores. Deletes the sorted set if all "
       "members were removed.",
       "1.2.0", kRemRangeComplexity});
  add("zrevrange", -4, kReadonly, ZRevRange, {KeysAt(1, 0, 1, kRead)},
      {"Returns members in a sorted set within a range of indexes in reverse order.", "1.2.0",
       "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
       "elements returned."});
  add("zrevrangebylex", -4, kReadonly, ZRevRangeByLex, {KeysAt(1, 0, 1, kRead)},
      {"Returns members in a sorted set within a lexicographical range in reverse order.",
       "2.8.9", kRangeComplexity});
  add("zrevrangebyscore", -4, kReadonly, ZRevRangeByScore, {KeysAt(1, 0, 1, kRead)},
      {"Returns members in a sorted set within a range of scores in reverse order.", "2.2.0",
       kRangeComplexity});
  add("zrevrank", -3, kReadonly | kFast, ZRevRank, {KeysAt(1, 0, 1, kRead)},
      {"Returns the index of a member in a sorted set ordered by descending scores.", "2.0.0",
       "O(log(N))"});
  add("zscan", -3, kReadonly, ZScan, {KeysAt(1, 0, 1, kRead)},
      {"Iterates over members and scores of a sorted set.", "2.8.0",
       "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
       "the cursor to return back to 0. N is the number of elements inside the collection."})
      .tips = {"nondeterministic_output"};
  add("zscore", 3, kReadonly | kFast, ZScore, {KeysAt(1, 0, 1, kRead)},
      {"Returns the score of a member in a sorted set.", "1.2.0", "O(1)"});
  add("zunion", -3, kReadonly, ZUnion, {KeysCounted(1, 1, kRead)},
      {"Returns the union of multiple sorted sets.", "6.2.0",
       "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M "
       "being the number of elements in the resulting sorted set."});
  add("zunionstore", -4, kWrite | kDenyOom, ZUnionStore,
      {KeysAt(1, 0, 1, kStoreDst), KeysCounted(2, 1, kRead)},
      {"Stores the union of multiple sorted sets in a key.", "2.0.0",
       "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M "
       "being the number of elements in the resulting sorted set."});
}

}  // namespace lodestone
