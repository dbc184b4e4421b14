// Set commands: SADD, SREM, SCARD, SISMEMBER, SMISMEMBER, SMEMBERS,
// SRANDMEMBER, SPOP, SMOVE, the algebra (SINTER, SINTERCARD, SINTERSTORE,
// SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE) and SSCAN.
//
// Behaviour, option parsing order, error texts and the encodings of stored
// results follow Redis 7.4's t_set.c; the encodings themselves live in
// storage/set_value.h. Multi-key commands find each key's database through
// ctx.DbFor (the engine has parked every shard involved), and a STORE form
// computes its whole result before touching the destination, which may be one
// of its sources.
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/glob.h"
#include "common/strings.h"
#include "server/config.h"
#include "storage/set_value.h"

namespace lodestone {
namespace {

using Member = SetValue::Member;

constexpr std::string_view kNumkeysNotPositive = "ERR numkeys should be greater than 0";
constexpr std::string_view kNumkeysTooMany =
    "ERR Number of keys can't be greater than number of args";
constexpr std::string_view kLimitNegative = "ERR LIMIT can't be negative";
constexpr std::string_view kCountOutOfRange =
    "ERR value is out of range, value must between -9223372036854775807 and "
    "9223372036854775807";

// ---- Helpers ----------------------------------------------------------------

SetLimits LimitsFrom(CommandContext& ctx) {
  const ServerConfig& c = ctx.config();
  auto size = [](int64_t v) { return static_cast<size_t>(std::max<int64_t>(v, 0)); };
  return {size(c.set_max_intset_entries), size(c.set_max_listpack_entries),
          size(c.set_max_listpack_value)};
}

SetValue* AsSet(Entry* e) { return static_cast<SetValue*>(e->value.collection()); }

bool IsSet(const Entry* e) { return e->value.type() == ObjType::kSet; }

// A set key looked up for reading (counting a hit or miss): nullptr when
// absent. A key of another type replies WRONGTYPE and sets *failed.
Entry* LookupSetRead(CommandContext& ctx, Db& db, std::string_view key, bool* failed) {
  Entry* e = LookupRead(ctx, db, key);
  *failed = e != nullptr && !IsSet(e);
  if (*failed) ctx.reply.Error(protocol::kWrongType);
  return *failed ? nullptr : e;
}

Entry* LookupSetWrite(CommandContext& ctx, Db& db, std::string_view key, bool* failed) {
  Entry* e = LookupWrite(ctx, db, key);
  *failed = e != nullptr && !IsSet(e);
  if (*failed) ctx.reply.Error(protocol::kWrongType);
  return *failed ? nullptr : e;
}

// After members were removed: notifies `event` ("srem", "spop"), deletes the
// key once empty ("del"), else brings the Value's encoding up to date.
// Records the change, `dirty` counting one per member removed (Redis).
void FinishRemoval(CommandContext& ctx, Db& db, Entry* e, std::string_view key,
                   std::string_view event, uint64_t dirty = 1) {
  ctx.Notify(kNotifySet, event, key);
  if (AsSet(e)->Empty()) {
    db.DeleteEntry(e);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else {
    e->value.set_encoding(AsSet(e)->encoding());
  }
  ctx.KeyModified(db, key, dirty);
}

void ReplyMember(CommandContext& ctx, Member m) {
  char buf[kInt64BufferSize];
  ctx.reply.Bulk(m.AsString(buf));
}

// Redis's setKey for a computed set: replaces whatever `key` holds and drops
// its TTL, notifying `event` ("sinterstore", ...). An empty result deletes
// the key instead ("del"). Replies with the size.
void StoreResult(CommandContext& ctx, std::string_view key, std::unique_ptr<SetValue> set,
                 std::string_view event) {
  Db& db = ctx.DbFor(key);
  Entry* e = LookupWrite(ctx, db, key);
  size_t size = set->Size();
  if (size == 0) {
    if (e != nullptr) {
      db.DeleteEntry(e);
      ctx.KeyModified(db, key);
      ctx.Notify(kNotifyGeneric, "del", key);
    }
    ctx.reply.Integer(0);
    return;
  }
  Encoding encoding = set->encoding();
  Value value = Value::Object(ObjType::kSet, encoding, std::move(set));
  if (e == nullptr) {
    db.Add(key, std::move(value));
  } else {
    db.Overwrite(e, std::move(value), false);
  }
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifySet, event, key);
  ctx.reply.Integer(static_cast<int64_t>(size));
}

// Looks up the sets named by args[first .. first+count) for reading, each in
// its own shard's database; nullptr stands for a missing key. On a key of
// another type replies WRONGTYPE and returns false.
bool LookupSets(CommandContext& ctx, size_t first, size_t count,
                std::vector<const SetValue*>* sets) {
  sets->clear();
  for (size_t j = first; j < first + count; ++j) {
    bool failed;
    Entry* e = LookupSetRead(ctx, ctx.DbFor(ctx.arg(j)), ctx.arg(j), &failed);
    if (failed) return false;
    sets->push_back(e == nullptr ? nullptr : AsSet(e));
  }
  return true;
}

// ---- Single-key commands ----------------------------------------------------

// SADD key member [member ...]
void SAdd(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupSetWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  SetLimits limits = LimitsFrom(ctx);
  size_t hint = ctx.argc() - 2;
  if (e == nullptr) {
    std::unique_ptr<SetValue> set = SetValue::Create(ctx.arg(2), hint, limits);
    Encoding encoding = set->encoding();
    e = db.Add(ctx.arg(1), Value::Object(ObjType::kSet, encoding, std::move(set)));
  } else {
    AsSet(e)->MaybeConvert(hint, limits);
  }
  SetValue* set = AsSet(e);
  int64_t added = 0;
  for (size_t j = 2; j < ctx.argc(); ++j) added += set->Add(Member(ctx.arg(j)), limits) ? 1 : 0;
  e->value.set_encoding(set->encoding());
  if (added > 0) {
    ctx.KeyModified(db, ctx.arg(1), uint64_t(added));
    ctx.Notify(kNotifySet, "sadd", ctx.arg(1));
  }
  ctx.reply.Integer(added);
}

// SREM key member [member ...]
void SRem(CommandContext& ctx) {
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupSetWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  SetValue* set = AsSet(e);
  int64_t deleted = 0;
  for (size_t j = 2; j < ctx.argc() && !set->Empty(); ++j) {
    deleted += set->Remove(Member(ctx.arg(j))) ? 1 : 0;
  }
  if (deleted > 0) FinishRemoval(ctx, db, e, ctx.arg(1), "srem", uint64_t(deleted));
  ctx.reply.Integer(deleted);
}

// SCARD key
void SCard(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.Integer(e == nullptr ? 0 : static_cast<int64_t>(AsSet(e)->Size()));
}

// SISMEMBER key member
void SIsMember(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.Integer(e != nullptr && AsSet(e)->Contains(Member(ctx.arg(2))) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void SMIsMember(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    ctx.reply.Integer(e != nullptr && AsSet(e)->Contains(Member(ctx.arg(j))) ? 1 : 0);
  }
}

// SMEMBERS key
void SMembers(CommandContext& ctx) {
  bool failed;
  Entry* e = LookupSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.SetHeader(0);
  ctx.reply.SetHeader(AsSet(e)->Size());
  AsSet(e)->ForEach([&ctx](Member m) { ReplyMember(ctx, m); });
}

// SRANDMEMBER key [count]
void SRandMember(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::kSyntaxError);
  int64_t count = 1;
  if (ctx.argc() == 3) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(protocol::kNotInteger);
    if (count == INT64_MIN) return ctx.reply.Error(kCountOutOfRange);
  }
  bool failed;
  Entry* e = LookupSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (ctx.argc() == 2) {
    if (e == nullptr) return ctx.reply.Null();
    return ReplyMember(ctx, AsSet(e)->RandomMember(ctx.shard.rng()));
  }
  if (e == nullptr || count == 0) return ctx.reply.EmptyArray();
  SetValue* set = AsSet(e);
  bool unique = count > 0;
  auto n = static_cast<size_t>(unique ? count : -count);
  ctx.reply.ArrayHeader(unique ? std::min(n, set->Size()) : n);
  set->RandomMembers(n, unique, ctx.shard.rng(), [&ctx](Member m) { ReplyMember(ctx, m); });
}

// SPOP key [count]
void SPop(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::kSyntaxError);
  int64_t count = 0;
  bool with_count = ctx.argc() == 3;
  if (with_count) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(protocol::kNotInteger);
    if (count < 0) return ctx.reply.Error(protocol::kValueMustBePositive);
  }
  Db& db = ctx.db();
  bool failed;
  Entry* e = LookupSetWrite(ctx, db, ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return with_count ? ctx.reply.SetHeader(0) : ctx.reply.Null();
  SetValue* set = AsSet(e);
  if (!with_count) {
    ctx.reply.Bulk(set->PopRandom(ctx.shard.rng()));
    return FinishRemoval(ctx, db, e, ctx.arg(1), "spop");
  }
  if (count == 0) return ctx.reply.SetHeader(0);
  if (static_cast<size_t>(count) >= set->Size()) {
    // Everything goes: reply with the whole set and delete the key.
    const uint64_t size = set->Size();
    ctx.reply.SetHeader(size);
    set->ForEach([&ctx](Member m) { ReplyMember(ctx, m); });
    ctx.Notify(kNotifySet, "spop", ctx.arg(1));
    db.DeleteEntry(e);
    ctx.Notify(kNotifyGeneric, "del", ctx.arg(1));
    return ctx.KeyModified(db, ctx.arg(1), size);
  }
  std::vector<std::string> popped =
      set->PopRandom(static_cast<size_t>(count), ctx.shard.rng(), LimitsFrom(ctx));
  ctx.reply.SetHeader(popped.size());
  for (const std::string& m : popped) ctx.reply.Bulk(m);
  FinishRemoval(ctx, db, e, ctx.arg(1), "spop", popped.size());
}

// SMOVE source destination member
void SMove(CommandContext& ctx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2), member = ctx.arg(3);
  Db& src_db = ctx.DbFor(src);
  Db& dst_db = ctx.DbFor(dst);
  Entry* se = LookupWrite(ctx, src_db, src);
  Entry* de = LookupWrite(ctx, dst_db, dst);
  if (se == nullptr) return ctx.reply.Integer(0);
  if (!IsSet(se) || (de != nullptr && !IsSet(de))) return ctx.reply.Error(protocol::kWrongType);
  if (se == de) return ctx.reply.Integer(AsSet(se)->Contains(Member(member)) ? 1 : 0);
  if (!AsSet(se)->Remove(Member(member))) return ctx.reply.Integer(0);
  FinishRemoval(ctx, src_db, se, src, "srem");
  SetLimits limits = LimitsFrom(ctx);
  if (de == nullptr) {
    std::unique_ptr<SetValue> set = SetValue::Create(member, 1, limits);
    Encoding encoding = set->encoding();
    de = dst_db.Add(dst, Value::Object(ObjType::kSet, encoding, std::move(set)));
  }
  if (AsSet(de)->Add(Member(member), limits)) {
    de->value.set_encoding(AsSet(de)->encoding());
    ctx.KeyModified(dst_db, dst);
    ctx.Notify(kNotifySet, "sadd", dst);
  }
  ctx.reply.Integer(1);
}

// ---- Set algebra ------------------------------------------------------------

// Redis's sinterGenericCommand for the keys args[first .. first+count):
// replies with the members (dst empty, !cardinality_only), their number
// (cardinality_only, stopping at `limit` unless 0), or stores them at dst.
void SInterGeneric(CommandContext& ctx, size_t first, size_t count, std::string_view dst,
                   bool cardinality_only, uint64_t limit) {
  std::vector<const SetValue*> sets;
  if (!LookupSets(ctx, first, count, &sets)) return;
  bool store = !dst.empty();
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
    // An intersection with an empty set is empty.
    if (store) {
      return StoreResult(ctx, dst, std::make_unique<SetValue>(Encoding::kIntset), "sinterstore");
    }
    return cardinality_only ? ctx.reply.Integer(0) : ctx.reply.SetHeader(0);
  }
  if (store) {
    return StoreResult(ctx, dst, SetValue::Intersection(sets, LimitsFrom(ctx)), "sinterstore");
  }
  uint64_t cardinality = 0;
  size_t token = ctx.reply.BeginDeferred();
  SetValue::ForEachInIntersection(sets, [&](Member m) {
    ++cardinality;
    if (cardinality_only) return limit == 0 || cardinality < limit;
    ReplyMember(ctx, m);
    return true;
  });
  if (cardinality_only) return ctx.reply.Integer(static_cast<int64_t>(cardinality));
  ctx.reply.EndDeferredSet(token, cardinality);
}

enum class SetOp { kUnion, kDiff };

// Redis's sunionDiffGenericCommand: replies with, or stores at dst, the
// union or difference of the sets at args[first .. first+count).
void SUnionDiffGeneric(CommandContext& ctx, size_t first, size_t count, std::string_view dst,
                       SetOp op) {
  std::vector<const SetValue*> sets;
  if (!LookupSets(ctx, first, count, &sets)) return;
  bool store = !dst.empty();
  SetLimits limits = LimitsFrom(ctx);
  std::unique_ptr<SetValue> result = op == SetOp::kUnion
                                         ? SetValue::Union(sets, store, limits)
                                         : SetValue::Difference(sets, store, limits);
  if (store) {
    return StoreResult(ctx, dst, std::move(result),
                       op == SetOp::kUnion ? "sunionstore" : "sdiffstore");
  }
  ctx.reply.SetHeader(result->Size());
  result->ForEach([&ctx](Member m) { ReplyMember(ctx, m); });
}

// SINTER key [key ...]
void SInter(CommandContext& ctx) { SInterGeneric(ctx, 1, ctx.argc() - 1, {}, false, 0); }

// SINTERSTORE destination key [key ...]
void SInterStore(CommandContext& ctx) {
  SInterGeneric(ctx, 2, ctx.argc() - 2, ctx.arg(1), false, 0);
}

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void SInterCard(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys < 1) {
    return ctx.reply.Error(kNumkeysNotPositive);
  }
  if (numkeys > static_cast<int64_t>(ctx.argc()) - 2) return ctx.reply.Error(kNumkeysTooMany);
  int64_t limit = 0;
  for (size_t j = 2 + static_cast<size_t>(numkeys); j < ctx.argc(); ++j) {
    if (EqualsIgnoreCase(ctx.arg(j), "LIMIT") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++j), &limit) || limit < 0) return ctx.reply.Error(kLimitNegative);
    } else {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  }
  SInterGeneric(ctx, 2, static_cast<size_t>(numkeys), {}, true, static_cast<uint64_t>(limit));
}

// SUNION key [key ...]
void SUnion(CommandContext& ctx) { SUnionDiffGeneric(ctx, 1, ctx.argc() - 1, {}, SetOp::kUnion); }

// SUNIONSTORE destination key [key ...]
void SUnionStore(CommandContext& ctx) {
  SUnionDiffGeneric(ctx, 2, ctx.argc() - 2, ctx.arg(1), SetOp::kUnion);
}

// SDIFF key [key ...]
void SDiff(CommandContext& ctx) { SUnionDiffGeneric(ctx, 1, ctx.argc() - 1, {}, SetOp::kDiff); }

// SDIFFSTORE destination key [key ...]
void SDiffStore(CommandContext& ctx) {
  SUnionDiffGeneric(ctx, 2, ctx.argc() - 2, ctx.arg(1), SetOp::kDiff);
}

// ---- SSCAN ------------------------------------------------------------------

// SSCAN key cursor [MATCH pattern] [COUNT count]
void SScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseUint64(ctx.arg(2), &cursor)) return ctx.reply.Error(protocol::kInvalidCursor);
  bool failed;
  Entry* e = LookupSetRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ReplyEmptyScan(ctx);
  ScanOptions opts;
  if (!ParseScanOptions(ctx, 3, false, &opts)) return;
  std::vector<std::string> members;
  char buf[kInt64BufferSize];
  uint64_t next = AsSet(e)->Scan(cursor, static_cast<size_t>(opts.count), [&](Member m) {
    std::string_view s = m.AsString(buf);
    if (!opts.use_pattern || StringMatch(opts.pattern, s, false)) members.emplace_back(s);
  });
  ctx.reply.ArrayHeader(2);
  char cursor_buf[kInt64BufferSize];
  ctx.reply.Bulk(std::string_view(cursor_buf, FormatUint64(next, cursor_buf)));
  ctx.reply.ArrayHeader(members.size());
  for (const std::string& m : members) ctx.reply.Bulk(m);
}

CommandSpec WithTips(CommandSpec spec, std::vector<std::string_view> tips) {
  spec.tips = std::move(tips);
  return spec;
}

}  // namespace

void RegisterSetCommands(CommandTable& table) {
  const std::vector<std::string> set = {"set"};
  constexpr std::string_view kNondet = "nondeterministic_output";
  constexpr std::string_view kNondetOrder = "nondeterministic_output_order";
  const KeySpec read_one = KeysAt(1, 0, 1, kKsRO);
  const KeySpec access_one = KeysAt(1, 0, 1, kKsRO | kKsAccess);
  const KeySpec access_all = KeysAt(1, -1, 1, kKsRO | kKsAccess);
  const KeySpec store_dst = KeysAt(1, 0, 1, kKsOW | kKsUpdate);
  const KeySpec store_srcs = KeysAt(2, -1, 1, kKsRO | kKsAccess);
  constexpr std::string_view kInterComplexity =
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
      "of sets.";
  constexpr std::string_view kUnionComplexity =
      "O(N) where N is the total number of elements in all given sets.";

  table.Add(Row("sadd", -3, kWrite | kDenyOom | kFast, "set", SAdd,
                {KeysAt(1, 0, 1, kKsRW | kKsInsert)},
                {"Adds one or more members to a set. Creates the key if it doesn't exist.",
                 "1.0.0",
                 "O(1) for each element added, so O(N) to add N elements when the command is "
                 "called with multiple arguments."},
                set));
  table.Add(Row("srem", -3, kWrite | kFast, "set", SRem, {KeysAt(1, 0, 1, kKsRW | kKsDelete)},
                {"Removes one or more members from a set. Deletes the set if the last member was "
                 "removed.",
                 "1.0.0", "O(N) where N is the number of members to be removed."},
                set));
  table.Add(Row("scard", 2, kReadonly | kFast, "set", SCard, {read_one},
                {"Returns the number of members in a set.", "1.0.0", "O(1)"}, set));
  table.Add(Row("sismember", 3, kReadonly | kFast, "set", SIsMember, {read_one},
                {"Determines whether a member belongs to a set.", "1.0.0", "O(1)"}, set));
  table.Add(Row("smismember", -3, kReadonly | kFast, "set", SMIsMember, {access_one},
                {"Determines whether multiple members belong to a set.", "6.2.0",
                 "O(N) where N is the number of elements being checked for membership"},
                set));
  table.Add(WithTips(Row("smembers", 2, kReadonly, "set", SMembers, {access_one},
                         {"Returns all members of a set.", "1.0.0",
                          "O(N) where N is the set cardinality."},
                         set),
                     {kNondetOrder}));
  table.Add(WithTips(Row("srandmember", -2, kReadonly, "set", SRandMember, {access_one},
                         {"Get one or multiple random members from a set", "1.0.0",
                          "Without the count argument O(1), otherwise O(N) where N is the "
                          "absolute value of the passed count."},
                         set),
                     {kNondet}));
  table.Add(WithTips(Row("spop", -2, kWrite | kFast, "set", SPop,
                         {KeysAt(1, 0, 1, kKsRW | kKsAccess | kKsDelete)},
                         {"Returns one or more random members from a set after removing them. "
                          "Deletes the set if the last member was popped.",
                          "1.0.0",
                          "Without the count argument O(1), otherwise O(N) where N is the value "
                          "of the passed count."},
                         set),
                     {kNondet}));
  table.Add(Row("smove", 4, kWrite | kFast, "set", SMove,
                {KeysAt(1, 0, 1, kKsRW | kKsAccess | kKsDelete),
                 KeysAt(2, 0, 1, kKsRW | kKsInsert)},
                {"Moves a member from one set to another.", "1.0.0", "O(1)"}, set));
  table.Add(WithTips(Row("sinter", -2, kReadonly, "set", SInter, {access_all},
                         {"Returns the intersect of multiple sets.", "1.0.0", kInterComplexity},
                         set),
                     {kNondetOrder}));
  table.Add(Row("sintercard", -3, kReadonly, "set", SInterCard,
                {KeysCounted(1, 1, kKsRO | kKsAccess)},
                {"Returns the number of members of the intersect of multiple sets.", "7.0.0",
                 kInterComplexity},
                set));
  table.Add(Row("sinterstore", -3, kWrite | kDenyOom, "set", SInterStore, {store_dst, store_srcs},
                {"Stores the intersect of multiple sets in a key.", "1.0.0", kInterComplexity},
                set));
  table.Add(WithTips(Row("sunion", -2, kReadonly, "set", SUnion, {access_all},
                         {"Returns the union of multiple sets.", "1.0.0", kUnionComplexity}, set),
                     {kNondetOrder}));
  table.Add(Row("sunionstore", -3, kWrite | kDenyOom, "set", SUnionStore, {store_dst, store_srcs},
                {"Stores the union of multiple sets in a key.", "1.0.0", kUnionComplexity}, set));
  table.Add(WithTips(Row("sdiff", -2, kReadonly, "set", SDiff, {access_all},
                         {"Returns the difference of multiple sets.", "1.0.0", kUnionComplexity},
                         set),
                     {kNondetOrder}));
  table.Add(Row("sdiffstore", -3, kWrite | kDenyOom, "set", SDiffStore, {store_dst, store_srcs},
                {"Stores the difference of multiple sets in a key.", "1.0.0", kUnionComplexity},
                set));
  table.Add(WithTips(Row("sscan", -3, kReadonly, "set", SScan, {access_one},
                         {"Iterates over members of a set.", "2.8.0",
                          "O(1) for every call. O(N) for a complete iteration, including enough "
                          "command calls for the cursor to return back to 0. N is the number of "
                          "elements inside the collection."},
                         set),
                     {kNondet}));
}

}  // namespace lodestone
