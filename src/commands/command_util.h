// Helpers shared by the command groups: building table rows, and the
// lookups that almost every handler starts with.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/command_context.h"
#include "engine/command_table.h"
#include "protocol/errors.h"
#include "common/strings.h"
#include "server/config.h"
#include "storage/db.h"
#include "storage/eviction.h"

namespace lodestone {

// A table row. `keys` follows Redis's key specs (see engine/command_table.h).
inline CommandSpec Row(std::string name, int arity, uint64_t flags, std::string group,
                       CommandHandler handler, std::vector<KeySpec> keys = {},
                       CommandDoc doc = {}, std::vector<std::string> acl_categories = {}) {
  CommandSpec spec;
  spec.name = std::move(name);
  spec.arity = arity;
  spec.flags = flags;
  spec.group = std::move(group);
  spec.handler = handler;
  spec.key_specs = std::move(keys);
  spec.doc = doc;
  spec.acl_categories = std::move(acl_categories);
  return spec;
}

// Records an access to `value` for eviction: its LRU clock, or under an LFU
// policy its logarithmic counter (storage/eviction.h).
inline void TouchValue(CommandContext& ctx, Value& value) {
  const ServerConfig& cfg = ctx.config();
  if (cfg.maxmemory_policy == MaxmemoryPolicy::kAllkeysLfu ||
      cfg.maxmemory_policy == MaxmemoryPolicy::kVolatileLfu) {
    double r = double(ctx.shard.rng().Next() >> 11) * (1.0 / 9007199254740992.0);
    value.set_lru(LfuTouch(value.lru(), ctx.now_ms, cfg.lfu_log_factor, cfg.lfu_decay_time, r));
  } else {
    value.set_lru(uint32_t(ctx.now_ms / 1000));
  }
}

// Looks `key` up for reading, honouring expiry, and counts a keyspace hit or
// miss (a miss is also the "keymiss" event). Returns nullptr when absent.
inline Entry* LookupRead(CommandContext& ctx, Db& db, std::string_view key) {
  Entry* e = db.Lookup(key, ctx.now_ms);
  ctx.CountHit(e != nullptr);
  if (e == nullptr) {
    ctx.Notify(kNotifyKeyMiss, "keymiss", key);
    return nullptr;
  }
  TouchValue(ctx, e->value);
  return e;
}

// Looks `key` up for writing (expired keys are removed, no hit/miss counted).
inline Entry* LookupWrite(CommandContext& ctx, Db& db, std::string_view key) {
  return db.Lookup(key, ctx.now_ms);
}

// Looks up a string key. On a wrong type replies WRONGTYPE and sets *failed.
inline Entry* LookupStringRead(CommandContext& ctx, Db& db, std::string_view key, bool* failed) {
  *failed = false;
  Entry* e = LookupRead(ctx, db, key);
  if (e != nullptr && !e->value.IsString()) {
    ctx.reply.Error(protocol::kWrongType);
    *failed = true;
    return nullptr;
  }
  return e;
}

// The timeout argument of BLPOP, BZPOPMIN & co. (Redis's
// getTimeoutFromObjectOrReply in seconds): a float rounded up to whole
// milliseconds, 0 meaning forever. Replies and returns false when invalid.
inline bool ParseBlockTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms) {
  long double seconds;
  if (!ParseLongDouble(arg, &seconds)) {
    ctx.reply.Error(protocol::kTimeoutNotFloat);
    return false;
  }
  long double ms = seconds * 1000.0L;
  if (ms > static_cast<long double>(INT64_MAX)) {
    ctx.reply.Error(protocol::kTimeoutOutOfRange);
    return false;
  }
  auto t = static_cast<int64_t>(std::ceil(ms));
  if (t < 0) {
    ctx.reply.Error(protocol::kTimeoutNegative);
    return false;
  }
  if (t > 0 && t > INT64_MAX - ctx.now_ms) {
    ctx.reply.Error(protocol::kTimeoutOutOfRange);
    return false;
  }
  *timeout_ms = t;
  return true;
}

// The options of SCAN-family commands over one key (SSCAN, ZSCAN, HSCAN).
struct ScanOptions {
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;  // MATCH given and not "*"
  bool novalues = false;     // HSCAN only
};

// Parses [MATCH pattern] [COUNT count] (and NOVALUES when allowed) starting
// at argument `first`. Replies and returns false on a bad option.
inline bool ParseScanOptions(CommandContext& ctx, size_t first, bool allow_novalues,
                             ScanOptions* o) {
  // As Redis's scanGenericCommand: options in any order, NOVALUES alone.
  for (size_t j = first; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool has_arg = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "COUNT") && has_arg) {
      if (!ParseInt64(ctx.arg(++j), &o->count)) {
        ctx.reply.Error(protocol::kNotInteger);
        return false;
      }
      if (o->count < 1) {
        ctx.reply.Error(protocol::kSyntaxError);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "MATCH") && has_arg) {
      o->pattern = ctx.arg(++j);
      o->use_pattern = o->pattern != "*";
    } else if (EqualsIgnoreCase(opt, "NOVALUES")) {
      if (!allow_novalues) {
        ctx.reply.Error(protocol::kNoValuesOnlyHscan);
        return false;
      }
      o->novalues = true;
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  return true;
}

// The reply of a SCAN-family command on a missing key: cursor 0, no items.
inline void ReplyEmptyScan(CommandContext& ctx) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk("0");
  ctx.reply.EmptyArray();
}

// Replies with a string value's bytes.
inline void ReplyStringValue(CommandContext& ctx, const Value& v) {
  char scratch[kValueScratchSize];
  ctx.reply.Bulk(v.StringBytes(scratch));
}

}  // namespace lodestone
