// Grisu2 digit generation, reproducing the digits of Redis's fpconv_dtoa.
//
// How Grisu2 works. A double v lies strictly inside the interval (m-, m+)
// between the midpoints to its two neighbours; every decimal inside that
// interval reads back as v. Grisu2 works on "DIY floats", f * 2^e with a
// 64-bit f:
//   1. Take v and the boundaries m-, m+ exactly as DIY floats, all three
//      normalized to the exponent of m+ (f with its top bit set).
//   2. Multiply all three by a cached approximation c ~= 10^k chosen so that
//      the products' binary exponents fall in [-60, -32]; the digits found
//      below then spell v * 10^k, so v ~= digits * 10^-k. Each product is a
//      fixed-point number whose integer part fits in 32 bits. The products
//      are inexact by less than one unit in the last place, so the interval
//      is shrunk by one unit at each end to stay safely inside (m-, m+).
//   3. Emit the decimal digits of the scaled m+ from the left, stopping as
//      soon as the remaining tail is no larger than delta = m+ - m-: the digits
//      so far, followed by zeros, are then inside the interval.
//   4. "Round": while a smaller value with the same digit count is still
//      inside the interval and closer to the scaled v, lower the last digit.
// Because step 2 works with approximations, the result is occasionally one
// digit longer than the shortest possible, or its last digit is not the
// closest one; that is Grisu2's known trade-off, and Redis prints exactly it.
//
// Every choice below that can change the digits (the boundary rule for powers
// of two, the rounding of the 64x64-bit products, the guess that picks the
// cached power, the stopping tests "<=" then "<", the arithmetic that may wrap
// in step 4) follows fpconv_dtoa, so that our replies match Redis's byte for
// byte. The cached powers are computed here from exact integer arithmetic:
// 10^k rounded to nearest in 64 bits, for k = -348, -340, ..., 340.
#include "common/grisu.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace lodestone {
namespace {

// f * 2^e.
struct DiyFp {
  uint64_t f;
  int e;
};

constexpr int kFirstCachedPower = -348;  // Decimal exponent of entry 0.
constexpr int kCachedPowerStep = 8;      // Decimal exponent step between entries.
constexpr int kCachedPowerCount = 87;
constexpr int kMinTargetExponent = -60;
constexpr int kMaxTargetExponent = -32;

constexpr uint64_t kHiddenBit = uint64_t{1} << 52;
constexpr uint64_t kFractionMask = kHiddenBit - 1;
constexpr int kExponentBias = 1023 + 52;

// --- Exact big integers, only to build the cached powers once. -------------

// Little-endian base-2^32 unsigned integer, large enough for 2^1300.
class BigInt {
 public:
  static constexpr int kLimbs = 42;

  explicit BigInt(uint32_t v) { limbs_[0] = v; }

  static BigInt PowerOfTwo(int n) {
    BigInt b(0);
    b.limbs_[n / 32] = uint32_t{1} << (n % 32);
    return b;
  }

  void MultiplyBy(uint32_t m) {
    uint64_t carry = 0;
    for (uint32_t& limb : limbs_) {
      uint64_t x = uint64_t{limb} * m + carry;
      limb = static_cast<uint32_t>(x);
      carry = x >> 32;
    }
  }

  void ShiftLeftOne() {
    uint32_t carry = 0;
    for (uint32_t& limb : limbs_) {
      uint32_t next = limb >> 31;
      limb = (limb << 1) | carry;
      carry = next;
    }
  }

  void Subtract(const BigInt& other) {
    int64_t borrow = 0;
    for (int i = 0; i < kLimbs; ++i) {
      int64_t x = int64_t{limbs_[i]} - other.limbs_[i] - borrow;
      borrow = x < 0;
      limbs_[i] = static_cast<uint32_t>(x);
    }
  }

  int Compare(const BigInt& other) const {
    for (int i = kLimbs - 1; i >= 0; --i) {
      if (limbs_[i] != other.limbs_[i]) return limbs_[i] < other.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

  int BitLength() const {
    for (int i = kLimbs - 1; i >= 0; --i) {
      if (limbs_[i] != 0) return i * 32 + 32 - __builtin_clz(limbs_[i]);
    }
    return 0;
  }

  bool Bit(int n) const { return (limbs_[n / 32] >> (n % 32)) & 1; }

 private:
  std::array<uint32_t, kLimbs> limbs_{};
};

// 10^k as f * 2^e with 2^63 <= f < 2^64, f rounded to nearest, given
// ten_power = 10^|k| exactly.
DiyFp PowerOfTen(int k, const BigInt& ten_power) {
  const int bits = ten_power.BitLength();
  uint64_t f = 0;
  int e = 0;
  bool round_up = false;
  if (k >= 0) {
    // The top 64 bits of 10^k, rounded on the first bit dropped (no ties:
    // the bits below the top 64 are never exactly one half).
    const int drop = bits > 64 ? bits - 64 : 0;
    for (int i = bits - 1; i >= drop; --i) f = (f << 1) | ten_power.Bit(i);
    f <<= 64 - (bits - drop);
    e = drop - (64 - (bits - drop));
    round_up = drop > 0 && ten_power.Bit(drop - 1);
  } else {
    // floor(2^(bits + 63) / 10^-k) lies in [2^63, 2^64): long division,
    // bringing down one zero bit of the dividend per quotient bit.
    BigInt remainder = BigInt::PowerOfTwo(bits);
    for (int i = 63; i >= 0; --i) {
      if (remainder.Compare(ten_power) >= 0) {
        remainder.Subtract(ten_power);
        f |= uint64_t{1} << i;
      }
      remainder.ShiftLeftOne();
    }
    // `remainder` is now twice the true remainder: round up when the
    // remainder is at least half the divisor (never exactly half).
    round_up = remainder.Compare(ten_power) >= 0;
    e = -(bits + 63);
  }
  if (round_up && ++f == 0) {
    f = uint64_t{1} << 63;
    ++e;
  }
  return {f, e};
}

using CachedPowerTable = std::array<DiyFp, kCachedPowerCount>;

// The table holds 10^k for k = -348, -340, ..., -4, 4, ..., 340: magnitudes
// 10^4, 10^12, ... shared by both signs, so one running product serves.
CachedPowerTable MakeCachedPowers() {
  static_assert(kFirstCachedPower % kCachedPowerStep == -4);
  CachedPowerTable table{};
  const int first_positive = -kFirstCachedPower / kCachedPowerStep + 1;  // k = 4.
  BigInt ten_power(10000);
  for (int j = 0; first_positive - 1 - j >= 0; ++j) {
    const int magnitude = 4 + j * kCachedPowerStep;
    table[first_positive - 1 - j] = PowerOfTen(-magnitude, ten_power);
    if (first_positive + j < kCachedPowerCount) {
      table[first_positive + j] = PowerOfTen(magnitude, ten_power);
    }
    ten_power.MultiplyBy(100000000);  // 10^kCachedPowerStep.
  }
  return table;
}

// Built on first use (well under a millisecond). Not constexpr: the big
// number arithmetic exceeds clang's constant-evaluation step limit.
const CachedPowerTable& CachedPowers() {
  static const CachedPowerTable table = MakeCachedPowers();
  return table;
}

// --- Grisu2 proper. ---------------------------------------------------------

// The high 64 bits of a.f * b.f, rounded half up.
DiyFp Multiply(DiyFp a, DiyFp b) {
  unsigned __int128 product = static_cast<unsigned __int128>(a.f) * b.f;
  product += static_cast<unsigned __int128>(1) << 63;
  return {static_cast<uint64_t>(product >> 64), a.e + b.e + 64};
}

DiyFp Normalize(DiyFp x) {
  int shift = __builtin_clzll(x.f);
  return {x.f << shift, x.e - shift};
}

// Picks the cached power c (with c ~= 10^decimal_exponent) that brings a
// number with binary exponent `e` into the target range. Where two entries
// qualify, the first guess decides, as in fpconv_dtoa.
DiyFp CachedPowerFor(int e, int* decimal_exponent) {
  constexpr double kLog10Of2 = 0.30102999566398114;
  const CachedPowerTable& table = CachedPowers();
  const int approx = static_cast<int>(-(e + kCachedPowerCount) * kLog10Of2);
  int index = (approx - kFirstCachedPower) / kCachedPowerStep;
  while (true) {
    const int scaled = e + table[index].e + 64;
    if (scaled < kMinTargetExponent) {
      ++index;
    } else if (scaled > kMaxTargetExponent) {
      --index;
    } else {
      *decimal_exponent = kFirstCachedPower + index * kCachedPowerStep;
      return table[index];
    }
  }
}

// Step 4. `rest` is what lies between the digits and the upper bound,
// `ten_kappa` the weight of the last digit, `distance` the gap between the
// upper bound and v; all in the same fixed-point unit. Unsigned arithmetic
// wraps exactly where fpconv_dtoa's does.
void RoundLastDigit(char* digits, int count, uint64_t delta, uint64_t rest, uint64_t ten_kappa,
                    uint64_t distance) {
  while (rest < distance && delta - rest >= ten_kappa &&
         (rest + ten_kappa < distance || distance - rest > rest + ten_kappa - distance)) {
    --digits[count - 1];
    rest += ten_kappa;
  }
}

// Step 3, on the scaled v (w), upper bound and lower bound.
int GenerateDigits(DiyFp w, DiyFp upper, DiyFp lower, char* digits, int* decimal_exponent) {
  const uint64_t distance = upper.f - w.f;
  uint64_t delta = upper.f - lower.f;
  const int shift = -upper.e;  // 32..60: the fixed-point position.
  const uint64_t one = uint64_t{1} << shift;
  uint64_t integral = upper.f >> shift;  // Below 2^32: at most ten digits.
  uint64_t fraction = upper.f & (one - 1);
  int count = 0;

  // Integral digits; kappa counts the digit positions still to the right.
  int kappa = 10;
  for (uint64_t divisor = 1000000000; kappa > 0; divisor /= 10) {
    const uint64_t digit = integral / divisor;
    if (digit != 0 || count != 0) digits[count++] = static_cast<char>('0' + digit);
    integral -= digit * divisor;
    --kappa;
    const uint64_t rest = (integral << shift) + fraction;
    if (rest <= delta) {
      *decimal_exponent += kappa;
      RoundLastDigit(digits, count, delta, rest, divisor << shift, distance);
      return count;
    }
  }

  // Fractional digits; the bounds are scaled up with the fraction.
  uint64_t unit = 10;
  while (true) {
    fraction *= 10;
    delta *= 10;
    --kappa;
    const uint64_t digit = fraction >> shift;
    if (digit != 0 || count != 0) digits[count++] = static_cast<char>('0' + digit);
    fraction &= one - 1;
    if (fraction < delta) {
      *decimal_exponent += kappa;
      RoundLastDigit(digits, count, delta, fraction, one, distance * unit);
      return count;
    }
    unit *= 10;
  }
}

}  // namespace

int Grisu2(double v, char* digits, int* decimal_exponent) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof(bits));
  const int biased_exponent = static_cast<int>((bits >> 52) & 0x7FF);
  DiyFp w = {bits & kFractionMask, 0};
  if (biased_exponent != 0) {
    w.f += kHiddenBit;
    w.e = biased_exponent - kExponentBias;
  } else {
    w.e = 1 - kExponentBias;  // Subnormal.
  }

  // Step 1: the boundaries. Below a power of two the lower neighbour is half
  // as far away, so m- sits a quarter of a unit below v instead of a half.
  DiyFp upper = Normalize({(w.f << 1) + 1, w.e - 1});
  const int lower_shift = w.f == kHiddenBit ? 2 : 1;
  DiyFp lower = {(w.f << lower_shift) - 1, w.e - lower_shift};
  lower.f <<= lower.e - upper.e;
  lower.e = upper.e;
  w = Normalize(w);

  // Step 2.
  int k = 0;
  const DiyFp c = CachedPowerFor(upper.e, &k);
  w = Multiply(w, c);
  upper = Multiply(upper, c);
  lower = Multiply(lower, c);
  ++lower.f;
  --upper.f;

  *decimal_exponent = -k;
  return GenerateDigits(w, upper, lower, digits, decimal_exponent);
}

}  // namespace lodestone
