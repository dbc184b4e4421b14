// Combining sorted sets: ZUNION, ZINTER, ZDIFF, their STORE forms and
// ZINTERCARD (Redis's zunionInterDiffGenericCommand). Inputs may be sorted
// sets or plain sets (whose members score 1) and may live on different
// shards: each key is looked up in its own shard's database (ctx.DbFor), the
// engine having parked them all. Results are computed whole, sorted by
// (score, member), then replied or stored.
#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "commands/zset_util.h"
#include "common/strings.h"
#include "storage/set_value.h"

namespace lodestone::zset {
namespace {

constexpr std::string_view kWeightNotFloat = "ERR weight value is not a float";
constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input of a set operation: a sorted set, a plain set (every score 1),
// or a missing key (empty).
struct Source {
  const ZSetValue* zset = nullptr;
  const SetValue* set = nullptr;
  double weight = 1;

  size_t Size() const { return zset ? zset->Size() : set ? set->Size() : 0; }
  const void* identity() const {
    return zset ? static_cast<const void*>(zset) : static_cast<const void*>(set);
  }
  bool Find(std::string_view member, double* score) const {
    if (zset != nullptr) return zset->Score(member, score);
    if (set != nullptr && set->Contains(SetValue::Member(member))) {
      *score = 1;
      return true;
    }
    return false;
  }
  void ForEach(PairVisitor fn) const {
    if (zset != nullptr) {
      zset->ForEach(fn);
    } else if (set != nullptr) {
      char buf[kInt64BufferSize];
      set->ForEach([&](SetValue::Member m) { fn(m.AsString(buf), 1.0); });
    }
  }
};

void AggregateInto(double* target, double value, Aggregate aggregate) {
  switch (aggregate) {
    case Aggregate::kSum:
      *target += value;
      if (std::isnan(*target)) *target = 0;  // inf + -inf
      break;
    case Aggregate::kMin:
      *target = std::min(*target, value);
      break;
    case Aggregate::kMax:
      *target = std::max(*target, value);
      break;
  }
}

// zunionInterDiffGenericCommand's computation, unsorted result.
Pairs Combine(std::vector<Source> src, SetOp op, Aggregate aggregate, size_t limit,
              size_t* cardinality) {
  Pairs out;
  if (op != SetOp::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.Size() < b.Size(); });
  }
  if (op == SetOp::kInter) {
    if (src[0].Size() == 0) return out;
    src[0].ForEach([&](std::string_view member, double s) {
      double score = src[0].weight * s;
      if (std::isnan(score)) score = 0;
      for (size_t j = 1; j < src.size(); ++j) {
        double value;
        if (src[j].identity() == src[0].identity()) {
          value = s;
        } else if (!src[j].Find(member, &value)) {
          return true;
        }
        AggregateInto(&score, value * src[j].weight, aggregate);
      }
      if (cardinality != nullptr) {
        ++*cardinality;
        return limit == 0 || *cardinality < limit;
      }
      out.emplace_back(std::string(member), score);
      return true;
    });
  } else if (op == SetOp::kUnion) {
    std::unordered_map<std::string, double> acc;
    acc.reserve(src.back().Size());
    for (const Source& s : src) {
      s.ForEach([&](std::string_view member, double v) {
        double score = s.weight * v;
        if (std::isnan(score)) score = 0;
        auto [it, inserted] = acc.try_emplace(std::string(member), score);
        if (!inserted) AggregateInto(&it->second, score, aggregate);
      });
    }
    out.assign(std::make_move_iterator(acc.begin()), std::make_move_iterator(acc.end()));
  } else {
    src[0].ForEach([&](std::string_view member, double s) {
      double ignored;
      for (size_t j = 1; j < src.size(); ++j) {
        if (src[j].Find(member, &ignored)) return;
      }
      out.emplace_back(std::string(member), s);
    });
  }
  return out;
}

struct CombineRequest {
  std::vector<Source> sources;
  Aggregate aggregate = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;  // ZINTERCARD; 0 = no limit
};

// Looks up the input keys (each in its own shard's database): a missing key
// is an empty input, a key of another type than set or sorted set is
// WRONGTYPE. Redis checks the keys before parsing the options.
bool LookupSources(CommandContext& ctx, size_t first_key, size_t count, CombineRequest* req) {
  req->sources.resize(count);
  for (size_t i = 0; i < count; ++i) {
    std::string_view key = ctx.arg(first_key + i);
    Entry* e = LookupRead(ctx, ctx.DbFor(key), key);
    if (e == nullptr) continue;
    if (e->value.type() == ObjType::kZSet) {
      req->sources[i].zset = &AsZSet(e);
    } else if (e->value.type() == ObjType::kSet) {
      req->sources[i].set = static_cast<const SetValue*>(e->value.collection());
    } else {
      ctx.reply.Error(protocol::kWrongType);
      return false;
    }
  }
  return true;
}

// WEIGHTS, AGGREGATE and WITHSCORES (LIMIT for ZINTERCARD) from argument j on,
// each allowed only where Redis allows it.
bool ParseCombineOptions(CommandContext& ctx, size_t j, bool store, SetOp op,
                         bool cardinality_only, CombineRequest* req) {
  bool weighted = op != SetOp::kDiff && !cardinality_only;
  while (j < ctx.argc()) {
    size_t remaining = ctx.argc() - j;
    std::string_view opt = ctx.arg(j);
    if (weighted && remaining >= req->sources.size() + 1 && EqualsIgnoreCase(opt, "weights")) {
      ++j;
      for (Source& s : req->sources) {
        if (!ParseDouble(ctx.arg(j++), &s.weight)) {
          ctx.reply.Error(kWeightNotFloat);
          return false;
        }
      }
      continue;
    }
    if (weighted && remaining >= 2 && EqualsIgnoreCase(opt, "aggregate")) {
      std::string_view how = ctx.arg(j + 1);
      j += 2;
      if (EqualsIgnoreCase(how, "sum")) {
        req->aggregate = Aggregate::kSum;
      } else if (EqualsIgnoreCase(how, "min")) {
        req->aggregate = Aggregate::kMin;
      } else if (EqualsIgnoreCase(how, "max")) {
        req->aggregate = Aggregate::kMax;
      } else {
        ctx.reply.Error(protocol::kSyntaxError);
        return false;
      }
      continue;
    }
    if (!store && !cardinality_only && EqualsIgnoreCase(opt, "withscores")) {
      req->withscores = true;
      ++j;
      continue;
    }
    if (cardinality_only && remaining >= 2 && EqualsIgnoreCase(opt, "limit")) {
      if (!ParseInt64(ctx.arg(j + 1), &req->limit) || req->limit < 0) {
        ctx.reply.Error(kLimitNegative);
        return false;
      }
      j += 2;
      continue;
    }
    break;
  }
  if (j < ctx.argc()) {
    ctx.reply.Error(protocol::kSyntaxError);
    return false;
  }
  return true;
}

// Z{UNION,INTER,DIFF}[STORE] and ZINTERCARD, numkeys at `numkeys_index`.
void CombineGeneric(CommandContext& ctx, size_t numkeys_index, bool store, SetOp op,
                    bool cardinality_only) {
  int64_t setnum;
  if (!ParseInt64(ctx.arg(numkeys_index), &setnum)) return ctx.reply.Error(protocol::kNotInteger);
  if (setnum < 1) {
    return ctx.reply.Error("ERR at least 1 input key is needed for '" + ctx.spec.full_name() +
                           "' command");
  }
  if (setnum > static_cast<int64_t>(ctx.argc() - numkeys_index - 1)) {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  auto count = static_cast<size_t>(setnum);
  CombineRequest req;
  if (!LookupSources(ctx, numkeys_index + 1, count, &req) ||
      !ParseCombineOptions(ctx, numkeys_index + 1 + count, store, op, cardinality_only, &req)) {
    return;
  }
  size_t cardinality = 0;
  Pairs pairs = Combine(std::move(req.sources), op, req.aggregate,
                        static_cast<size_t>(req.limit), cardinality_only ? &cardinality : nullptr);
  if (cardinality_only) return ctx.reply.Integer(static_cast<int64_t>(cardinality));
  SortPairs(&pairs);
  if (store) {
    std::string_view event = op == SetOp::kUnion   ? "zunionstore"
                             : op == SetOp::kInter ? "zinterstore"
                                                   : "zdiffstore";
    return StoreResult(ctx, ctx.arg(1), pairs, event);
  }
  ReplyPairs(ctx, pairs, req.withscores);
}

}  // namespace

// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]
void ZUnion(CommandContext& ctx) { CombineGeneric(ctx, 1, false, SetOp::kUnion, false); }
// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>] [WITHSCORES]
void ZInter(CommandContext& ctx) { CombineGeneric(ctx, 1, false, SetOp::kInter, false); }
// ZDIFF numkeys key [key ...] [WITHSCORES]
void ZDiff(CommandContext& ctx) { CombineGeneric(ctx, 1, false, SetOp::kDiff, false); }
// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]
void ZUnionStore(CommandContext& ctx) { CombineGeneric(ctx, 2, true, SetOp::kUnion, false); }
// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE <SUM | MIN | MAX>]
void ZInterStore(CommandContext& ctx) { CombineGeneric(ctx, 2, true, SetOp::kInter, false); }
// ZDIFFSTORE destination numkeys key [key ...]
void ZDiffStore(CommandContext& ctx) { CombineGeneric(ctx, 2, true, SetOp::kDiff, false); }
// ZINTERCARD numkeys key [key ...] [LIMIT limit]
void ZInterCard(CommandContext& ctx) { CombineGeneric(ctx, 1, false, SetOp::kInter, true); }

}  // namespace lodestone::zset
