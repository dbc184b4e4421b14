// Bit algorithms behind the bitmap commands (SETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD), free of any server type so they can be tested alone.
//
// A bitmap is a byte string read as a sequence of bits, most significant bit
// of byte 0 first: bit n is (bytes[n / 8] >> (7 - n % 8)) & 1. Bits past the
// end of the string read as 0. Every function here is pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace lodestone::bitops {

// ---- Counting and searching -------------------------------------------------

// Number of set bits in `bytes`. Counts 32 bytes per step with the POPCNT
// instruction where the CPU has it (chosen once, at load time).
uint64_t Popcount(std::string_view bytes);

// An inclusive range of bit positions inside a string.
struct BitRange {
  uint64_t first_bit = 0;
  uint64_t last_bit = 0;
};

// Resolves BITCOUNT/BITPOS's `start end` arguments against a string of `len`
// bytes as Redis does: counted in bytes, or in bits when `bit_unit`; negative
// values count from the end; the range is then clamped to the string. Returns
// false when the range is empty (including every range of an empty string).
bool ResolveRange(int64_t start, int64_t end, bool bit_unit, size_t len, BitRange* out);

// Number of set bits inside `range`. REQUIRES: range.last_bit < 8 * bytes.size().
uint64_t CountBits(std::string_view bytes, BitRange range);

// Position of the first bit equal to `bit` (0 or 1) inside `range`, or -1.
// REQUIRES: range.last_bit < 8 * bytes.size().
int64_t FindBit(std::string_view bytes, int bit, BitRange range);

// ---- BITOP --------------------------------------------------------------------

enum class BitOpKind {
  kAnd,    // X & Y1 & Y2 ...
  kOr,     // X | Y1 | Y2 ...
  kXor,    // X ^ Y1 ^ Y2 ...
  kNot,    // ~X (one source)
  kDiff,   // X & ~(Y1 | Y2 ...)
  kDiff1,  // ~X & (Y1 | Y2 ...)
  kAndOr,  // X & (Y1 | Y2 ...)
  kOne,    // the bits set in exactly one source
};

// Computes `kind` over `sources` (X first), each read as zero-padded to the
// longest, into `out`, which must be exactly as long as the longest source.
// REQUIRES: sources is not empty; kNot has one source; kDiff, kDiff1 and
// kAndOr have at least two. `out` must not overlap any source.
void BitOp(BitOpKind kind, std::span<const std::string_view> sources, std::span<char> out);

// ---- BITFIELD -----------------------------------------------------------------

enum class Overflow { kWrap, kSat, kFail };

// A field: `bits` wide (1..64 signed, 1..63 unsigned) at bit `offset`.
struct Field {
  uint64_t offset = 0;
  int bits = 0;
  bool is_signed = false;
};

// Reads `field` from `bytes`, bits past the end reading as 0. Unsigned values
// fit in int64 because unsigned fields have at most 63 bits.
int64_t GetField(std::string_view bytes, Field field);

// Writes the low `field.bits` bits of `value` into `bytes`.
// REQUIRES: field.offset + field.bits <= 8 * bytes.size().
void SetField(std::span<char> bytes, Field field, uint64_t value);

// What a SET or INCRBY did to a field.
struct FieldWrite {
  bool failed = false;   // OVERFLOW FAIL hit: nothing was written.
  int64_t reply = 0;     // The old value (SET) or the new value (INCRBY).
  bool changed = false;  // The stored value differs from the old one.
};

// BITFIELD SET: stores `value`, wrapped or saturated to the field's range by
// `overflow` (or refused with kFail). REQUIRES: as SetField.
FieldWrite SetFieldChecked(std::span<char> bytes, Field field, int64_t value, Overflow overflow);

// BITFIELD INCRBY: adds `increment` to the field, with the same overflow rules.
FieldWrite IncrField(std::span<char> bytes, Field field, int64_t increment, Overflow overflow);

}  // namespace lodestone::bitops
