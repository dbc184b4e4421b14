// Bit algorithms for the bitmap commands. See bitops.h for the bit order.
//
// Everything that walks a long string works a 64-bit word at a time (loaded
// with memcpy, so any alignment is fine) and falls back to bytes only at the
// edges. BITOP works through its output in chunks small enough to stay in L1
// while every source is folded into them.
#include "commands/bitops.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace lodestone::bitops {
namespace {

inline uint64_t Load64(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

inline void Store64(unsigned char* p, uint64_t w) { std::memcpy(p, &w, sizeof(w)); }

inline const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Leading zero bits of a non-zero byte: the offset of its first set bit.
inline int FirstSetBitOfByte(unsigned char b) { return std::countl_zero(b); }

// Index, in memory order, of the first non-zero byte of a non-zero word.
inline int FirstNonZeroByte(uint64_t w) {
  if constexpr (std::endian::native == std::endian::little) {
    return std::countr_zero(w) / 8;
  } else {
    return std::countl_zero(w) / 8;
  }
}

// The counting loop, compiled twice: once for CPUs with POPCNT and once
// portable. The choice is made at run time with an ordinary check rather than
// an ifunc (target_clones), because ifunc resolvers run before the
// sanitizers' runtimes are initialised and crash TSan builds.
template <typename Unused = void>
__attribute__((always_inline)) inline uint64_t PopcountLoop(const unsigned char* p, size_t n) {
  // Four independent accumulators let the CPU run four POPCNTs per step.
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 += __builtin_popcountll(Load64(p + i));
    c1 += __builtin_popcountll(Load64(p + i + 8));
    c2 += __builtin_popcountll(Load64(p + i + 16));
    c3 += __builtin_popcountll(Load64(p + i + 24));
  }
  for (; i + 8 <= n; i += 8) c0 += __builtin_popcountll(Load64(p + i));
  for (; i < n; i++) c1 += __builtin_popcount(p[i]);
  return c0 + c1 + c2 + c3;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("popcnt"))) uint64_t PopcountBytesHw(const unsigned char* p, size_t n) {
  return PopcountLoop(p, n);
}
#endif

uint64_t PopcountBytes(const unsigned char* p, size_t n) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool has_popcnt = __builtin_cpu_supports("popcnt");
  if (has_popcnt) return PopcountBytesHw(p, n);
#endif
  return PopcountLoop(p, n);
}

// ---- BITOP folds ------------------------------------------------------------
//
// Each fold combines `n` bytes of a source into an accumulator, a word at a
// time. A source shorter than the output contributes zeros past its end,
// which changes nothing for OR/XOR/ONE and clears the rest for AND.

template <typename Op>
inline void Fold(unsigned char* acc, const unsigned char* src, size_t n, Op op) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) Store64(acc + i, op(Load64(acc + i), Load64(src + i)));
  for (; i < n; i++) acc[i] = static_cast<unsigned char>(op(acc[i], src[i]));
}

// The bytes [begin, end) of `s` read as zero-padded: how many are real.
inline size_t RealBytes(std::string_view s, size_t begin, size_t end) {
  return s.size() > begin ? std::min(s.size(), end) - begin : 0;
}

// acc = s[begin, end) zero-padded.
inline void CopyPadded(unsigned char* acc, std::string_view s, size_t begin, size_t end) {
  size_t real = RealBytes(s, begin, end);
  if (real > 0) std::memcpy(acc, Bytes(s) + begin, real);
  std::memset(acc + real, 0, end - begin - real);
}

constexpr size_t kChunkBytes = 4096;

// Computes output bytes [begin, end) of `kind` into `acc`.
void BitOpChunk(BitOpKind kind, std::span<const std::string_view> sources, size_t begin,
                size_t end, unsigned char* acc) {
  const size_t len = end - begin;
  auto real = [&](std::string_view s) { return RealBytes(s, begin, end); };
  // Only dereferenced for the real bytes; a missing key's view has no data.
  auto data = [&](std::string_view s) { return s.size() > begin ? Bytes(s) + begin : nullptr; };
  switch (kind) {
    case BitOpKind::kAnd:
      CopyPadded(acc, sources[0], begin, end);
      for (size_t k = 1; k < sources.size(); k++) {
        size_t n = real(sources[k]);
        Fold(acc, data(sources[k]), n, [](uint64_t a, uint64_t b) { return a & b; });
        std::memset(acc + n, 0, len - n);
      }
      return;
    case BitOpKind::kOr:
    case BitOpKind::kXor:
      CopyPadded(acc, sources[0], begin, end);
      for (size_t k = 1; k < sources.size(); k++) {
        if (kind == BitOpKind::kOr) {
          Fold(acc, data(sources[k]), real(sources[k]), [](uint64_t a, uint64_t b) { return a | b; });
        } else {
          Fold(acc, data(sources[k]), real(sources[k]), [](uint64_t a, uint64_t b) { return a ^ b; });
        }
      }
      return;
    case BitOpKind::kNot: {
      CopyPadded(acc, sources[0], begin, end);
      Fold(acc, acc, len, [](uint64_t a, uint64_t) { return ~a; });
      return;
    }
    case BitOpKind::kOne: {
      // A bit is in the result when it is set in exactly one source: XOR all
      // sources while remembering the bits seen in at least two, then clear
      // those. `seen_twice` is per chunk, so it lives on the stack.
      unsigned char seen_twice[kChunkBytes];
      std::memset(seen_twice, 0, len);
      CopyPadded(acc, sources[0], begin, end);
      for (size_t k = 1; k < sources.size(); k++) {
        size_t n = real(sources[k]);
        const unsigned char* src = data(sources[k]);
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
          uint64_t a = Load64(acc + i), b = Load64(src + i);
          Store64(seen_twice + i, Load64(seen_twice + i) | (a & b));
          Store64(acc + i, a ^ b);
        }
        for (; i < n; i++) {
          seen_twice[i] |= acc[i] & src[i];
          acc[i] ^= src[i];
        }
      }
      Fold(acc, seen_twice, len, [](uint64_t a, uint64_t b) { return a & ~b; });
      return;
    }
    case BitOpKind::kDiff:
    case BitOpKind::kDiff1:
    case BitOpKind::kAndOr: {
      // acc = Y1 | Y2 | ..., then combined with X.
      CopyPadded(acc, sources[1], begin, end);
      for (size_t k = 2; k < sources.size(); k++) {
        Fold(acc, data(sources[k]), real(sources[k]), [](uint64_t a, uint64_t b) { return a | b; });
      }
      const size_t n = real(sources[0]);
      const unsigned char* x = data(sources[0]);
      if (kind == BitOpKind::kDiff) {
        Fold(acc, x, n, [](uint64_t y, uint64_t x) { return x & ~y; });
        std::memset(acc + n, 0, len - n);  // X is 0 there.
      } else if (kind == BitOpKind::kDiff1) {
        Fold(acc, x, n, [](uint64_t y, uint64_t x) { return ~x & y; });
      } else {
        Fold(acc, x, n, [](uint64_t y, uint64_t x) { return x & y; });
        std::memset(acc + n, 0, len - n);
      }
      return;
    }
  }
}

// ---- BITFIELD -------------------------------------------------------------------

inline uint64_t LowMask(int bits) { return bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1; }

// The field sits in the `nbytes` bytes starting at p, read big-endian into a
// 128-bit accumulator (a 64-bit field at a bit offset of 7 spans 9 bytes);
// `shift` is how far its lowest bit sits above the accumulator's bit 0.
struct FieldWindow {
  size_t nbytes;
  int shift;
};

inline FieldWindow WindowOf(uint64_t bit_in_byte, int bits) {
  size_t nbytes = (bit_in_byte + bits + 7) / 8;
  return {nbytes, static_cast<int>(nbytes * 8 - bit_in_byte - bits)};
}

uint64_t GetRaw(const unsigned char* p, uint64_t bit_in_byte, int bits) {
  FieldWindow w = WindowOf(bit_in_byte, bits);
  unsigned __int128 acc = 0;
  for (size_t i = 0; i < w.nbytes; i++) acc = (acc << 8) | p[i];
  return static_cast<uint64_t>(acc >> w.shift) & LowMask(bits);
}

int64_t SignExtend(uint64_t v, int bits) {
  if (bits < 64 && (v & (uint64_t{1} << (bits - 1)))) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

// Redis's overflow rules. Each returns 0 when `value + incr` fits the field,
// 1 on overflow, -1 on underflow; then, for kWrap and kSat, *limit is the
// value to store instead. The signed variant keeps Redis's exact arithmetic
// (including its answer for SET values far outside the field's range), done
// in unsigned types so that nothing is undefined.
int CheckUnsignedOverflow(uint64_t value, int64_t incr, int bits, Overflow overflow,
                          uint64_t* limit) {
  const uint64_t max = LowMask(bits);
  const int64_t max_incr = static_cast<int64_t>(max - value);
  const int64_t min_incr = static_cast<int64_t>(uint64_t{0} - value);
  int result = 0;
  if (value > max || (incr > 0 && incr > max_incr)) {
    result = 1;
    if (overflow == Overflow::kSat) *limit = max;
  } else if (incr < 0 && incr < min_incr) {
    result = -1;
    if (overflow == Overflow::kSat) *limit = 0;
  }
  if (result != 0 && overflow == Overflow::kWrap) {
    *limit = (value + static_cast<uint64_t>(incr)) & max;
  }
  return result;
}

int CheckSignedOverflow(int64_t value, int64_t incr, int bits, Overflow overflow, int64_t* limit) {
  const int64_t max = bits == 64 ? INT64_MAX : (int64_t{1} << (bits - 1)) - 1;
  const int64_t min = -max - 1;
  const int64_t max_incr = static_cast<int64_t>(static_cast<uint64_t>(max) - static_cast<uint64_t>(value));
  const int64_t min_incr = static_cast<int64_t>(static_cast<uint64_t>(min) - static_cast<uint64_t>(value));
  int result = 0;
  if (value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr)) {
    result = 1;
    if (overflow == Overflow::kSat) *limit = max;
  } else if (value < min || (bits != 64 && incr < min_incr) ||
             (value < 0 && incr < 0 && incr < min_incr)) {
    result = -1;
    if (overflow == Overflow::kSat) *limit = min;
  }
  if (result != 0 && overflow == Overflow::kWrap) {
    uint64_t sum = static_cast<uint64_t>(value) + static_cast<uint64_t>(incr);
    *limit = SignExtend(sum & LowMask(bits), bits);
  }
  return result;
}

// Stores `new_value` unless the overflow policy refuses it.
FieldWrite Commit(std::span<char> bytes, Field field, uint64_t old_value, uint64_t new_value,
                  bool overflowed, Overflow overflow, int64_t reply) {
  FieldWrite w;
  if (overflowed && overflow == Overflow::kFail) {
    w.failed = true;
    return w;
  }
  SetField(bytes, field, new_value);
  w.reply = reply;
  w.changed = old_value != (new_value & LowMask(field.bits));
  return w;
}

}  // namespace

uint64_t Popcount(std::string_view bytes) { return PopcountBytes(Bytes(bytes), bytes.size()); }

bool ResolveRange(int64_t start, int64_t end, bool bit_unit, size_t len, BitRange* out) {
  const int64_t total = static_cast<int64_t>(len) * (bit_unit ? 8 : 1);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return false;
  if (bit_unit) {
    *out = {static_cast<uint64_t>(start), static_cast<uint64_t>(end)};
  } else {
    *out = {static_cast<uint64_t>(start) * 8, static_cast<uint64_t>(end) * 8 + 7};
  }
  return true;
}

uint64_t CountBits(std::string_view bytes, BitRange range) {
  const unsigned char* p = Bytes(bytes);
  uint64_t first = range.first_bit / 8, last = range.last_bit / 8;
  uint64_t count = PopcountBytes(p + first, last - first + 1);
  // Take back the bits of the edge bytes that lie outside the range.
  unsigned char before = static_cast<unsigned char>(~(0xffu >> (range.first_bit % 8)));
  unsigned char after = static_cast<unsigned char>(0xffu >> (range.last_bit % 8 + 1));
  count -= std::popcount(static_cast<unsigned char>(p[first] & before));
  count -= std::popcount(static_cast<unsigned char>(p[last] & after));
  return count;
}

int64_t FindBit(std::string_view bytes, int bit, BitRange range) {
  const unsigned char* p = Bytes(bytes);
  const uint64_t first = range.first_bit / 8, last = range.last_bit / 8;
  // Searching for 0 is searching for 1 in the complemented bytes.
  const unsigned char flip = bit ? 0 : 0xff;
  const uint64_t flip_word = bit ? 0 : ~uint64_t{0};
  const unsigned char head = static_cast<unsigned char>(0xffu >> (range.first_bit % 8));
  const unsigned char tail = static_cast<unsigned char>(0xffu << (7 - range.last_bit % 8));
  auto found = [](uint64_t byte_index, unsigned char b) {
    return static_cast<int64_t>(byte_index * 8 + FirstSetBitOfByte(b));
  };

  if (first == last) {
    unsigned char b = (p[first] ^ flip) & head & tail;
    return b ? found(first, b) : -1;
  }
  if (unsigned char b = (p[first] ^ flip) & head) return found(first, b);
  uint64_t i = first + 1;
  for (; i + 8 <= last; i += 8) {
    uint64_t w = Load64(p + i) ^ flip_word;
    if (w != 0) {
      i += FirstNonZeroByte(w);
      return found(i, p[i] ^ flip);
    }
  }
  for (; i < last; i++) {
    if (unsigned char b = p[i] ^ flip) return found(i, b);
  }
  unsigned char b = (p[last] ^ flip) & tail;
  return b ? found(last, b) : -1;
}

void BitOp(BitOpKind kind, std::span<const std::string_view> sources, std::span<char> out) {
  auto* acc = reinterpret_cast<unsigned char*>(out.data());
  for (size_t begin = 0; begin < out.size(); begin += kChunkBytes) {
    size_t end = std::min(out.size(), begin + kChunkBytes);
    BitOpChunk(kind, sources, begin, end, acc + begin);
  }
}

int64_t GetField(std::string_view bytes, Field field) {
  // Copy the (at most 9) bytes holding the field, zero-padded past the end.
  unsigned char window[9] = {};
  const uint64_t byte = field.offset / 8;
  if (byte < bytes.size()) {
    std::memcpy(window, bytes.data() + byte, std::min<size_t>(9, bytes.size() - byte));
  }
  uint64_t raw = GetRaw(window, field.offset % 8, field.bits);
  return field.is_signed ? SignExtend(raw, field.bits) : static_cast<int64_t>(raw);
}

void SetField(std::span<char> bytes, Field field, uint64_t value) {
  auto* p = reinterpret_cast<unsigned char*>(bytes.data()) + field.offset / 8;
  FieldWindow w = WindowOf(field.offset % 8, field.bits);
  unsigned __int128 acc = 0;
  for (size_t i = 0; i < w.nbytes; i++) acc = (acc << 8) | p[i];
  const unsigned __int128 mask = static_cast<unsigned __int128>(LowMask(field.bits)) << w.shift;
  acc = (acc & ~mask) | (static_cast<unsigned __int128>(value & LowMask(field.bits)) << w.shift);
  for (size_t i = w.nbytes; i-- > 0;) {
    p[i] = static_cast<unsigned char>(acc);
    acc >>= 8;
  }
}

FieldWrite SetFieldChecked(std::span<char> bytes, Field field, int64_t value, Overflow overflow) {
  std::string_view view(bytes.data(), bytes.size());
  if (field.is_signed) {
    int64_t old_value = GetField(view, field), new_value = value, limit = 0;
    bool overflowed = CheckSignedOverflow(value, 0, field.bits, overflow, &limit) != 0;
    if (overflowed) new_value = limit;
    return Commit(bytes, field, static_cast<uint64_t>(old_value) & LowMask(field.bits),
                  static_cast<uint64_t>(new_value), overflowed, overflow, old_value);
  }
  uint64_t old_value = static_cast<uint64_t>(GetField(view, field));
  uint64_t new_value = static_cast<uint64_t>(value), limit = 0;
  bool overflowed = CheckUnsignedOverflow(new_value, 0, field.bits, overflow, &limit) != 0;
  if (overflowed) new_value = limit;
  return Commit(bytes, field, old_value, new_value, overflowed, overflow,
                static_cast<int64_t>(old_value));
}

FieldWrite IncrField(std::span<char> bytes, Field field, int64_t increment, Overflow overflow) {
  std::string_view view(bytes.data(), bytes.size());
  if (field.is_signed) {
    int64_t old_value = GetField(view, field), limit = 0;
    bool overflowed = CheckSignedOverflow(old_value, increment, field.bits, overflow, &limit) != 0;
    int64_t new_value = overflowed ? limit : old_value + increment;
    return Commit(bytes, field, static_cast<uint64_t>(old_value) & LowMask(field.bits),
                  static_cast<uint64_t>(new_value), overflowed, overflow, new_value);
  }
  uint64_t old_value = static_cast<uint64_t>(GetField(view, field)), limit = 0;
  bool overflowed = CheckUnsignedOverflow(old_value, increment, field.bits, overflow, &limit) != 0;
  uint64_t new_value = overflowed ? limit : old_value + static_cast<uint64_t>(increment);
  return Commit(bytes, field, old_value, new_value, overflowed, overflow,
                static_cast<int64_t>(new_value));
}

}  // namespace lodestone::bitops
