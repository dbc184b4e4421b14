// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with NX | XX | GT |
// LT), TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST.
//
// Times are unix milliseconds throughout; ctx.now_ms is fixed for the command,
// as Redis's commandTimeSnapshot(). A key whose TTL is `when` expires once
// now > when (storage/db.h); an EXPIRE whose result is <= now deletes the key
// at once, except where expired keys are kept (a replica), where the past
// time is stored and the key merely hidden until the primary's DEL.
#include <cstdint>
#include <string>
#include <string_view>

#include "commands/command_util.h"
#include "commands/key_commands.h"
#include "common/strings.h"
#include "server/config.h"

namespace lodestone {
namespace {

constexpr std::string_view kNxWithOthers =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
constexpr std::string_view kGtWithLt = "ERR GT and LT options at the same time are not compatible";

enum ExpireFlag : int { kExpireNx = 1, kExpireXx = 2, kExpireGt = 4, kExpireLt = 8 };

// Redis's parseExtendedExpireArgumentsOrReply.
bool ParseExpireFlags(CommandContext& ctx, int* flags) {
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "NX")) {
      *flags |= kExpireNx;
    } else if (EqualsIgnoreCase(opt, "XX")) {
      *flags |= kExpireXx;
    } else if (EqualsIgnoreCase(opt, "GT")) {
      *flags |= kExpireGt;
    } else if (EqualsIgnoreCase(opt, "LT")) {
      *flags |= kExpireLt;
    } else {
      ctx.reply.Error("ERR Unsupported option " + std::string(opt));
      return false;
    }
  }
  if ((*flags & kExpireNx) && (*flags & (kExpireXx | kExpireGt | kExpireLt))) {
    ctx.reply.Error(kNxWithOthers);
    return false;
  }
  if ((*flags & kExpireGt) && (*flags & kExpireLt)) {
    ctx.reply.Error(kGtWithLt);
    return false;
  }
  return true;
}

// Whether NX / XX / GT / LT allow replacing `current` (kNoExpire = none,
// which GT and LT treat as an infinite TTL) with `when`.
bool ExpireFlagsAllow(int flags, int64_t current, int64_t when) {
  if ((flags & kExpireNx) && current != kNoExpire) return false;
  if ((flags & kExpireXx) && current == kNoExpire) return false;
  if ((flags & kExpireGt) && (current == kNoExpire || when <= current)) return false;
  if ((flags & kExpireLt) && current != kNoExpire && when >= current) return false;
  return true;
}

// The four EXPIRE variants: `base_ms` is now for the relative ones and 0 for
// the absolute ones; `seconds` says the argument's unit.
void ExpireGeneric(CommandContext& ctx, int64_t base_ms, bool seconds) {
  int flags = 0;
  if (!ParseExpireFlags(ctx, &flags)) return;
  int64_t when;
  if (!ParseInt64(ctx.arg(2), &when)) return ctx.reply.Error(protocol::kNotInteger);
  // Negative times are allowed (they delete the key); only overflow is refused.
  if (seconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) {
      return ctx.reply.Error(protocol::InvalidExpire(ctx.spec.name));
    }
    when *= 1000;
  }
  if (when > INT64_MAX - base_ms) return ctx.reply.Error(protocol::InvalidExpire(ctx.spec.name));
  when += base_ms;

  std::string_view key = ctx.arg(1);
  Db& db = ctx.db();
  Entry* e = LookupWrite(ctx, db, key);
  if (e == nullptr) return ctx.reply.Integer(0);
  if (flags != 0 && !ExpireFlagsAllow(flags, db.GetExpire(e), when)) {
    return ctx.reply.Integer(0);
  }
  if (when <= ctx.now_ms && db.delete_expired()) {
    db.DeleteEntry(e);
    ctx.KeyModified(db, key);
    ctx.Notify(kNotifyGeneric, "del", key);
  } else {
    db.SetExpire(e, when < 0 ? 0 : when);
    ctx.KeyModified(db, key);
    ctx.Notify(kNotifyGeneric, "expire", key);
  }
  ctx.reply.Integer(1);
}

// EXPIRE key seconds [NX | XX | GT | LT]
void Expire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms, true); }

// PEXPIRE key milliseconds [NX | XX | GT | LT]
void PExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.now_ms, false); }

// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
void ExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, true); }

// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
void PExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, false); }

// TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 without the key, -1 without a
// TTL; a remaining time is never negative, and TTL rounds to the nearest
// second.
void TtlGeneric(CommandContext& ctx, bool milliseconds, bool absolute) {
  Db& db = ctx.db();
  Entry* e = db.Lookup(ctx.arg(1), ctx.now_ms);
  ctx.CountHit(e != nullptr);
  if (e == nullptr) {
    ctx.Notify(kNotifyKeyMiss, "keymiss", ctx.arg(1));
    return ctx.reply.Integer(-2);
  }
  int64_t expire = db.GetExpire(e);
  if (expire == kNoExpire) return ctx.reply.Integer(-1);
  int64_t ttl = absolute ? expire : expire - ctx.now_ms;
  if (ttl < 0) ttl = 0;
  // Redis rounds with (ttl + 500) / 1000 and replies the exact quotient even
  // for TTLs near INT64_MAX; ttl >= 0 here, so unsigned arithmetic gives the
  // same value without signed overflow.
  int64_t rounded = static_cast<int64_t>((static_cast<uint64_t>(ttl) + 500) / 1000);
  ctx.reply.Integer(milliseconds ? ttl : rounded);
}

// TTL key
void Ttl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }

// PTTL key
void PTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }

// EXPIRETIME key
void ExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }

// PEXPIRETIME key
void PExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

// PERSIST key
void Persist(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Db& db = ctx.db();
  Entry* e = LookupWrite(ctx, db, key);
  if (e == nullptr || !db.RemoveExpire(e)) return ctx.reply.Integer(0);
  ctx.KeyModified(db, key);
  ctx.Notify(kNotifyGeneric, "persist", key);
  ctx.reply.Integer(1);
}

}  // namespace

void RegisterExpireCommands(CommandTable& table) {
  const KeySpec rw = KeysAt(1, 0, 1, kKsRW | kKsUpdate);
  const KeySpec ro = KeysAt(1, 0, 1, kKsRO | kKsAccess);
  table.Add(Row("expire", -3, kWrite | kFast, "generic", Expire, {rw},
                {"Sets the expiration time of a key in seconds.", "1.0.0", "O(1)"}, {"keyspace"}));
  table.Add(Row("pexpire", -3, kWrite | kFast, "generic", PExpire, {rw},
                {"Sets the expiration time of a key in milliseconds.", "2.6.0", "O(1)"},
                {"keyspace"}));
  table.Add(Row("expireat", -3, kWrite | kFast, "generic", ExpireAt, {rw},
                {"Sets the expiration time of a key to a Unix timestamp.", "1.2.0", "O(1)"},
                {"keyspace"}));
  table.Add(Row("pexpireat", -3, kWrite | kFast, "generic", PExpireAt, {rw},
                {"Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0",
                 "O(1)"},
                {"keyspace"}));
  CommandSpec& ttl =
      table.Add(Row("ttl", 2, kReadonly | kFast, "generic", Ttl, {ro},
                    {"Returns the expiration time in seconds of a key.", "1.0.0", "O(1)"},
                    {"keyspace"}));
  ttl.tips = {"nondeterministic_output"};
  CommandSpec& pttl =
      table.Add(Row("pttl", 2, kReadonly | kFast, "generic", PTtl, {ro},
                    {"Returns the expiration time in milliseconds of a key.", "2.6.0", "O(1)"},
                    {"keyspace"}));
  pttl.tips = {"nondeterministic_output"};
  table.Add(Row("expiretime", 2, kReadonly | kFast, "generic", ExpireTime, {ro},
                {"Returns the expiration time of a key as a Unix timestamp.", "7.0.0", "O(1)"},
                {"keyspace"}));
  table.Add(Row("pexpiretime", 2, kReadonly | kFast, "generic", PExpireTime, {ro},
                {"Returns the expiration time of a key as a Unix milliseconds timestamp.",
                 "7.0.0", "O(1)"},
                {"keyspace"}));
  table.Add(Row("persist", 2, kWrite | kFast, "generic", Persist, {rw},
                {"Removes the expiration time of a key.", "2.2.0", "O(1)"}, {"keyspace"}));
}

}  // namespace lodestone
