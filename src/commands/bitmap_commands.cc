// Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
// BITFIELD_RO. A bitmap is a string value; the bit algorithms are in
// commands/bitops.h, and this file parses, looks keys up, and replies.
//
// Writes grow the string in place (Value::MutableBytes), which turns it into
// a raw string, as Redis's commands do. BITOP's keys may live on several
// shards; each is reached through ctx.DbFor.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "commands/bitops.h"
#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"
#include "server/config.h"

namespace lodestone {
namespace {

constexpr std::string_view kBitArgument = "ERR The bit argument must be 1 or 0.";
constexpr std::string_view kBitOpNotOneKey =
    "ERR BITOP NOT must be called with a single source key.";
constexpr std::string_view kBitfieldType =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but "
    "i64 is.";
constexpr std::string_view kBitfieldOverflow = "ERR Invalid OVERFLOW type specified";
constexpr std::string_view kBitfieldReadonly = "ERR BITFIELD_RO only supports the GET subcommand";

// "ERR BITOP DIFF must be called with at least two source keys." (DIFF, DIFF1, ANDOR).
std::string BitOpTwoKeysError(std::string_view op) {
  std::string name(op);
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "ERR BITOP " + name + " must be called with at least two source keys.";
}

// Parses a bit offset. With `field_bits` > 0 (BITFIELD), "#n" means n fields
// of that width. Offsets must address a byte below proto-max-bulk-len.
bool ParseBitOffset(CommandContext& ctx, std::string_view arg, int field_bits, uint64_t* out) {
  bool positional = field_bits > 0 && !arg.empty() && arg[0] == '#';
  int64_t offset;
  if (!ParseInt64(positional ? arg.substr(1) : arg, &offset)) {
    ctx.reply.Error(protocol::kBitOffset);
    return false;
  }
  if (positional) {
    if (offset > INT64_MAX / field_bits || offset < INT64_MIN / field_bits) {
      ctx.reply.Error(protocol::kBitOffset);
      return false;
    }
    offset *= field_bits;
  }
  if (offset < 0 || (offset >> 3) >= ctx.config().proto_max_bulk_len) {
    ctx.reply.Error(protocol::kBitOffset);
    return false;
  }
  *out = static_cast<uint64_t>(offset);
  return true;
}

// Parses a BITFIELD type: i1..i64 or u1..u63 (lowercase, as Redis).
bool ParseFieldType(std::string_view arg, bitops::Field* field) {
  if (arg.empty() || (arg[0] != 'i' && arg[0] != 'u')) return false;
  field->is_signed = arg[0] == 'i';
  int64_t bits;
  if (!ParseInt64(arg.substr(1), &bits) || bits < 1 || bits > (field->is_signed ? 64 : 63)) {
    return false;
  }
  field->bits = static_cast<int>(bits);
  return true;
}

// Parses "BYTE" or "BIT".
bool ParseBitUnit(std::string_view arg, bool* bit_unit) {
  *bit_unit = EqualsIgnoreCase(arg, "BIT");
  return *bit_unit || EqualsIgnoreCase(arg, "BYTE");
}

// A string key to write bits into, grown with zeros so that bit `max_bit`
// exists (created if absent). Replies WRONGTYPE and returns nullopt for
// another type. *grown tells whether the key was created or lengthened.
std::optional<std::span<char>> StringForBitWrite(CommandContext& ctx, Db& db,
                                                 std::string_view key, uint64_t max_bit,
                                                 bool* grown) {
  const size_t min_len = static_cast<size_t>(max_bit / 8 + 1);
  Entry* e = LookupWrite(ctx, db, key);
  if (e == nullptr) {
    // Sized exactly, as Redis's sdsnewlen.
    Value v = Value::RawString({});
    v.MutableBytes(min_len);
    v.TrimSpare();
    e = db.Add(key, std::move(v));
    *grown = true;
    return e->value.MutableBytes(0);
  }
  if (!e->value.IsString()) {
    ctx.reply.Error(protocol::kWrongType);
    return std::nullopt;
  }
  *grown = e->value.StringLength() < min_len;
  return e->value.MutableBytes(min_len);
}

// SETBIT key offset value
void SetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.arg(2), 0, &offset)) return;
  int64_t on;
  if (!ParseInt64(ctx.arg(3), &on) || (on & ~1) != 0) return ctx.reply.Error(protocol::kBitValue);
  Db& db = ctx.db();
  bool grown;
  auto bytes = StringForBitWrite(ctx, db, ctx.arg(1), offset, &grown);
  if (!bytes) return;
  char& byte = (*bytes)[offset / 8];
  const unsigned char mask = static_cast<unsigned char>(0x80u >> (offset % 8));
  const bool old_bit = (static_cast<unsigned char>(byte) & mask) != 0;
  if (grown || old_bit != (on == 1)) {
    byte = static_cast<char>(on ? (byte | mask) : (byte & ~mask));
    ctx.KeyModified(db, ctx.arg(1));
    ctx.Notify(kNotifyString, "setbit", ctx.arg(1));
  }
  ctx.reply.Integer(old_bit ? 1 : 0);
}

// GETBIT key offset
void GetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.arg(2), 0, &offset)) return;
  bool failed;
  Entry* e = LookupStringRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  if (e == nullptr) return ctx.reply.Integer(0);
  char scratch[kValueScratchSize];
  std::string_view s = e->value.StringBytes(scratch);
  const uint64_t byte = offset / 8;
  int bit = byte < s.size() ? (static_cast<unsigned char>(s[byte]) >> (7 - offset % 8)) & 1 : 0;
  ctx.reply.Integer(bit);
}

// BITCOUNT key [start end [BYTE | BIT]]
void BitCount(CommandContext& ctx) {
  int64_t start = 0, end = -1;
  bool bit_unit = false;
  const bool ranged = ctx.argc() == 4 || ctx.argc() == 5;
  if (ranged) {
    if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end)) {
      return ctx.reply.Error(protocol::kNotInteger);
    }
    if (ctx.argc() == 5 && !ParseBitUnit(ctx.arg(4), &bit_unit)) {
      return ctx.reply.Error(protocol::kSyntaxError);
    }
  } else if (ctx.argc() != 2) {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  bool failed;
  Entry* e = LookupStringRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  // Two negative bounds in the wrong order are empty before any clamping
  // could make them overlap (-10 -20 on a 5-byte string would clamp to 0 0).
  if (e == nullptr || (start < 0 && end < 0 && start > end)) return ctx.reply.Integer(0);
  char scratch[kValueScratchSize];
  std::string_view s = e->value.StringBytes(scratch);
  bitops::BitRange range;
  if (!bitops::ResolveRange(start, end, bit_unit, s.size(), &range)) return ctx.reply.Integer(0);
  ctx.reply.Integer(static_cast<int64_t>(bitops::CountBits(s, range)));
}

// BITPOS key bit [start [end [BYTE | BIT]]]
void BitPos(CommandContext& ctx) {
  int64_t bit;
  if (!ParseInt64(ctx.arg(2), &bit)) return ctx.reply.Error(protocol::kNotInteger);
  if (bit != 0 && bit != 1) return ctx.reply.Error(kBitArgument);
  if (ctx.argc() > 6) return ctx.reply.Error(protocol::kSyntaxError);
  int64_t start = 0, end = -1;
  bool bit_unit = false;
  const bool end_given = ctx.argc() >= 5;
  // Redis reads start, then the unit, then end: errors come in that order.
  if (ctx.argc() >= 4 && !ParseInt64(ctx.arg(3), &start)) {
    return ctx.reply.Error(protocol::kNotInteger);
  }
  if (ctx.argc() == 6 && !ParseBitUnit(ctx.arg(5), &bit_unit)) {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  if (end_given && !ParseInt64(ctx.arg(4), &end)) return ctx.reply.Error(protocol::kNotInteger);
  bool failed;
  Entry* e = LookupStringRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  // A missing key is an endless run of zeros.
  if (e == nullptr) return ctx.reply.Integer(bit ? -1 : 0);
  char scratch[kValueScratchSize];
  std::string_view s = e->value.StringBytes(scratch);
  bitops::BitRange range;
  if (!bitops::ResolveRange(start, end, bit_unit, s.size(), &range)) return ctx.reply.Integer(-1);
  int64_t pos = bitops::FindBit(s, static_cast<int>(bit), range);
  // Without an explicit end the string counts as zero-padded on the right,
  // so a clear bit is always found: the first one past the string.
  if (pos < 0 && bit == 0 && !end_given) pos = static_cast<int64_t>(range.last_bit + 1);
  ctx.reply.Integer(pos);
}

std::optional<bitops::BitOpKind> ParseBitOpKind(std::string_view name) {
  using K = bitops::BitOpKind;
  static constexpr std::pair<std::string_view, K> kNames[] = {
      {"AND", K::kAnd},     {"OR", K::kOr},       {"XOR", K::kXor},     {"NOT", K::kNot},
      {"DIFF", K::kDiff},   {"DIFF1", K::kDiff1}, {"ANDOR", K::kAndOr}, {"ONE", K::kOne},
  };
  for (const auto& [text, kind] : kNames) {
    if (EqualsIgnoreCase(name, text)) return kind;
  }
  return std::nullopt;
}

// BITOP <AND | OR | XOR | NOT | DIFF | DIFF1 | ANDOR | ONE> destkey key [key ...]
void BitOp(CommandContext& ctx) {
  using K = bitops::BitOpKind;
  std::optional<K> kind = ParseBitOpKind(ctx.arg(1));
  if (!kind) return ctx.reply.Error(protocol::kSyntaxError);
  if (*kind == K::kNot && ctx.argc() != 4) return ctx.reply.Error(kBitOpNotOneKey);
  if ((*kind == K::kDiff || *kind == K::kDiff1 || *kind == K::kAndOr) && ctx.argc() < 5) {
    return ctx.reply.Error(BitOpTwoKeysError(ctx.arg(1)));
  }
  // Views of every source, missing keys as empty strings. Nothing is written
  // until the result is complete, so the destination may also be a source.
  const size_t count = ctx.argc() - 3;
  std::vector<std::string_view> sources(count);
  std::vector<std::array<char, kValueScratchSize>> scratch(count);
  size_t max_len = 0;
  for (size_t i = 0; i < count; i++) {
    std::string_view key = ctx.arg(i + 3);
    Entry* e = LookupRead(ctx, ctx.DbFor(key), key);
    if (e == nullptr) continue;
    if (!e->value.IsString()) return ctx.reply.Error(protocol::kWrongType);
    sources[i] = e->value.StringBytes(scratch[i].data());
    max_len = std::max(max_len, sources[i].size());
  }
  std::string_view dest = ctx.arg(2);
  Db& db = ctx.DbFor(dest);
  if (max_len == 0) {
    if (LookupWrite(ctx, db, dest) != nullptr && db.Delete(dest)) {
      ctx.KeyModified(db, dest);
      ctx.Notify(kNotifyGeneric, "del", dest);
    }
    return ctx.reply.Integer(0);
  }
  Value result = Value::RawString({});
  bitops::BitOp(*kind, sources, result.MutableBytes(max_len));
  result.TrimSpare();
  LookupWrite(ctx, db, dest);
  db.Upsert(dest, std::move(result), false);
  ctx.KeyModified(db, dest);
  ctx.Notify(kNotifyString, "set", dest);
  ctx.reply.Integer(static_cast<int64_t>(max_len));
}

// One BITFIELD operation.
struct BitfieldOp {
  enum Kind { kGet, kSet, kIncrBy } kind;
  bitops::Field field;
  int64_t value = 0;  // SET's value or INCRBY's increment.
  bitops::Overflow overflow = bitops::Overflow::kWrap;
};

// Parses the operations after the key. Replies the error and returns false
// on the first bad one. *max_write_bit is the last bit a SET/INCRBY touches.
bool ParseBitfieldOps(CommandContext& ctx, std::vector<BitfieldOp>* ops, bool* writes,
                      uint64_t* max_write_bit) {
  bitops::Overflow overflow = bitops::Overflow::kWrap;
  *writes = false;
  *max_write_bit = 0;
  for (size_t j = 2; j < ctx.argc(); j++) {
    const size_t remaining = ctx.argc() - j - 1;
    std::string_view sub = ctx.arg(j);
    BitfieldOp op;
    if (EqualsIgnoreCase(sub, "GET") && remaining >= 2) {
      op.kind = BitfieldOp::kGet;
    } else if (EqualsIgnoreCase(sub, "SET") && remaining >= 3) {
      op.kind = BitfieldOp::kSet;
    } else if (EqualsIgnoreCase(sub, "INCRBY") && remaining >= 3) {
      op.kind = BitfieldOp::kIncrBy;
    } else if (EqualsIgnoreCase(sub, "OVERFLOW") && remaining >= 1) {
      std::string_view type = ctx.arg(++j);
      if (EqualsIgnoreCase(type, "WRAP")) {
        overflow = bitops::Overflow::kWrap;
      } else if (EqualsIgnoreCase(type, "SAT")) {
        overflow = bitops::Overflow::kSat;
      } else if (EqualsIgnoreCase(type, "FAIL")) {
        overflow = bitops::Overflow::kFail;
      } else {
        ctx.reply.Error(kBitfieldOverflow);
        return false;
      }
      continue;
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
    if (!ParseFieldType(ctx.arg(j + 1), &op.field)) {
      ctx.reply.Error(kBitfieldType);
      return false;
    }
    if (!ParseBitOffset(ctx, ctx.arg(j + 2), op.field.bits, &op.field.offset)) return false;
    if (op.kind != BitfieldOp::kGet) {
      *writes = true;
      *max_write_bit = std::max(*max_write_bit, op.field.offset + op.field.bits - 1);
      if (!ParseInt64(ctx.arg(j + 3), &op.value)) {
        ctx.reply.Error(protocol::kNotInteger);
        return false;
      }
    }
    op.overflow = overflow;
    ops->push_back(op);
    j += op.kind == BitfieldOp::kGet ? 2 : 3;
  }
  return true;
}

// Runs `ops` on a key that SET/INCRBY may change (grown to hold them all).
void RunBitfieldWrites(CommandContext& ctx, const std::vector<BitfieldOp>& ops,
                       uint64_t max_write_bit) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool grown;
  auto bytes = StringForBitWrite(ctx, db, key, max_write_bit, &grown);
  if (!bytes) return;
  uint64_t changes = 0;
  ctx.reply.ArrayHeader(ops.size());
  for (const BitfieldOp& op : ops) {
    if (op.kind == BitfieldOp::kGet) {
      ctx.reply.Integer(bitops::GetField({bytes->data(), bytes->size()}, op.field));
      continue;
    }
    bitops::FieldWrite w = op.kind == BitfieldOp::kSet
                               ? bitops::SetFieldChecked(*bytes, op.field, op.value, op.overflow)
                               : bitops::IncrField(*bytes, op.field, op.value, op.overflow);
    if (w.failed) {
      ctx.reply.Null();
      continue;
    }
    ctx.reply.Integer(w.reply);
    if (grown || w.changed) changes++;
  }
  if (changes > 0) {
    ctx.KeyModified(db, key);
    ctx.ShardFor(key).stats().dirty += changes - 1;  // Redis counts each change.
    ctx.Notify(kNotifyString, "setbit", key);
  }
}

// BITFIELD and BITFIELD_RO.
void BitfieldGeneric(CommandContext& ctx, bool readonly_command) {
  std::vector<BitfieldOp> ops;
  bool writes;
  uint64_t max_write_bit;
  if (!ParseBitfieldOps(ctx, &ops, &writes, &max_write_bit)) return;
  if (writes) {
    if (readonly_command) return ctx.reply.Error(kBitfieldReadonly);
    return RunBitfieldWrites(ctx, ops, max_write_bit);
  }
  bool failed;
  Entry* e = LookupStringRead(ctx, ctx.db(), ctx.arg(1), &failed);
  if (failed) return;
  char scratch[kValueScratchSize];
  std::string_view s = e != nullptr ? e->value.StringBytes(scratch) : std::string_view();
  ctx.reply.ArrayHeader(ops.size());
  for (const BitfieldOp& op : ops) ctx.reply.Integer(bitops::GetField(s, op.field));
}

// BITFIELD key [GET encoding offset | [OVERFLOW <WRAP | SAT | FAIL>]
//     <SET encoding offset value | INCRBY encoding offset increment> [...]]
void Bitfield(CommandContext& ctx) { BitfieldGeneric(ctx, false); }

// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
void BitfieldRo(CommandContext& ctx) { BitfieldGeneric(ctx, true); }

}  // namespace

void RegisterBitmapCommands(CommandTable& table) {
  table.Add(Row("setbit", 4, kWrite | kDenyOom, "bitmap", SetBit,
                {KeysAt(1, 0, 1, kKsRW | kKsAccess | kKsUpdate)},
                {"Sets or clears the bit at offset of the string value. Creates the key if it "
                 "doesn't exist.",
                 "2.2.0", "O(1)"},
                {"bitmap"}));
  table.Add(Row("getbit", 3, kReadonly | kFast, "bitmap", GetBit,
                {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns a bit value by offset.", "2.2.0", "O(1)"}, {"bitmap"}));
  table.Add(Row("bitcount", -2, kReadonly, "bitmap", BitCount, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Counts the number of set bits (population counting) in a string.", "2.6.0",
                 "O(N)"},
                {"bitmap"}));
  table.Add(Row("bitpos", -3, kReadonly, "bitmap", BitPos, {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Finds the first set (1) or clear (0) bit in a string.", "2.8.7", "O(N)"},
                {"bitmap"}));
  table.Add(Row("bitop", -4, kWrite | kDenyOom, "bitmap", BitOp,
                {KeysAt(2, 0, 1, kKsOW | kKsUpdate), KeysAt(3, -1, 1, kKsRO | kKsAccess)},
                {"Performs bitwise operations on multiple strings, and stores the result.",
                 "2.6.0", "O(N)"},
                {"bitmap"}));
  table.Add(Row("bitfield", -2, kWrite | kDenyOom, "bitmap", Bitfield,
                {KeysAt(1, 0, 1, kKsRW | kKsUpdate | kKsAccess | kKsVariableFlags)},
                {"Performs arbitrary bitfield integer operations on strings.", "3.2.0",
                 "O(1) for each subcommand specified"},
                {"bitmap"}));
  table.Add(Row("bitfield_ro", -2, kReadonly | kFast, "bitmap", BitfieldRo,
                {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Performs arbitrary read-only bitfield integer operations on strings.", "6.0.0",
                 "O(1) for each subcommand specified"},
                {"bitmap"}));
}

}  // namespace lodestone
