// Number parsing and formatting with Redis's exact rules, and ASCII case helpers.
//
// Clients see these rules directly: which strings INCR accepts, how ZSCORE and
// INCRBYFLOAT print their results, when a string is stored as an integer. Each
// function names the Redis function (src/util.c) whose behaviour it reproduces;
// any difference from Redis here is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lodestone {

// Buffer sizes for the Format* functions below.
inline constexpr size_t kInt64BufferSize = 21;   // "-9223372036854775808" + spare.
inline constexpr size_t kDoubleBufferSize = 32;  // Longest FormatDouble() is 25.
// Longest string ParseLongDouble() accepts is kMaxLongDoubleChars - 1 bytes.
inline constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// string2ll: an optional '-', then "0" alone or a digit 1-9 followed by digits;
// nothing else (no spaces, no '+', no leading zeros, no "-0"), at most 20
// bytes, and within int64_t. A string accepted here prints back unchanged
// through FormatInt64, which is what lets Redis store it as an integer.
bool ParseInt64(std::string_view s, int64_t* out);

// string2ull: ParseInt64 (rejecting negatives), else strtoull(base 10), which
// also admits leading whitespace, a sign and leading zeros. Like Redis it reads
// `s` as a C string: anything from the first NUL byte on is ignored.
bool ParseUint64(std::string_view s, uint64_t* out);

// string2d as Redis 7.4 has it: strtod must consume the whole string, which
// may not be empty or start with whitespace; NaN and values that overflow
// (1e400) or underflow to zero (1e-400) are rejected. "inf", "-inf", "+inf",
// "infinity", hexadecimal floats and a leading '+' are accepted, as strtod does.
bool ParseDouble(std::string_view s, double* out);

// string2ld: the same rules with strtold, for strings shorter than
// kMaxLongDoubleChars bytes.
bool ParseLongDouble(std::string_view s, long double* out);

// ll2string: writes the decimal form of `v` to `buf`, which must hold
// kInt64BufferSize bytes; returns the length. Also writes a terminating NUL.
size_t FormatInt64(int64_t v, char* buf);
size_t FormatUint64(uint64_t v, char* buf);
std::string Int64ToString(int64_t v);
std::string Uint64ToString(uint64_t v);

// Bytes in the decimal form of `v`, sign included.
int64_t LengthOfInt64(int64_t v);

// ld2string in LD_STR_HUMAN mode, as INCRBYFLOAT and HINCRBYFLOAT print their
// result: "%.17Lf" with trailing zeros (and a bare '.') removed, "-0" turned
// into "0", and "inf", "-inf", "nan" spelled out. 10.5 + 0.1 -> "10.6";
// 5000.0 -> "5000".
std::string FormatLongDouble(long double v);

// d2string as in Redis 7.4, used for double replies (ZSCORE, ...): "nan",
// "inf", "-inf", "0" and "-0"; a value that fits in a long long without loss
// (integral, |v| <= 2^62) in integer form; otherwise the Grisu2 digits (see
// grisu.h: they read back as `v` and are nearly always the shortest such)
// laid out as fpconv_dtoa lays them out: 0.1 -> "0.1", 1e20 -> "1e+20",
// 1.5e-7 -> "1.5e-7", 0.000015 -> "0.000015", 0.0001234 -> "1.234e-4",
// 1.2e19 -> "1.2e+19", 2^63 -> "9223372036854776000". `buf` must hold
// kDoubleBufferSize bytes; returns the length and writes a terminating NUL.
size_t FormatDouble(double v, char* buf);
std::string DoubleToString(double v);

// ASCII-only case folding: bytes outside A-Z / a-z compare and copy unchanged.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
void ToLowerAscii(std::string* s);
std::string ToLowerCopy(std::string_view s);

}  // namespace lodestone
