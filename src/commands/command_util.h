// Helpers shared by the command groups: building table rows, and the
// lookups that almost every handler starts with.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/command_context.h"
#include "engine/command_table.h"
#include "protocol/errors.h"
#include "storage/db.h"

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

// Looks `key` up for reading, honouring expiry, and counts a keyspace hit or
// miss. Returns nullptr when absent.
inline Entry* LookupRead(CommandContext& ctx, Db& db, std::string_view key) {
  Entry* e = db.Lookup(key, ctx.now_ms);
  ctx.CountHit(e != nullptr);
  if (e != nullptr) e->value.set_lru(uint32_t(ctx.now_ms / 1000));
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

// Replies with a string value's bytes.
inline void ReplyStringValue(CommandContext& ctx, const Value& v) {
  char scratch[kValueScratchSize];
  ctx.reply.Bulk(v.StringBytes(scratch));
}

}  // namespace lodestone
