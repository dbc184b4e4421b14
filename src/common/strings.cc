// Redis-exact number parsing and formatting (see strings.h for the rules).
#include "common/strings.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "common/grisu.h"

namespace lodestone {
namespace {

constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

constexpr uint64_t kPowersOf10[20] = {1ull,
                                      10ull,
                                      100ull,
                                      1000ull,
                                      10000ull,
                                      100000ull,
                                      1000000ull,
                                      10000000ull,
                                      100000000ull,
                                      1000000000ull,
                                      10000000000ull,
                                      100000000000ull,
                                      1000000000000ull,
                                      10000000000000ull,
                                      100000000000000ull,
                                      1000000000000000ull,
                                      10000000000000000ull,
                                      100000000000000000ull,
                                      1000000000000000000ull,
                                      10000000000000000000ull};

// Decimal digits of v (1 for 0). 1233 / 4096 is just over log10(2), so t is
// floor(log10(2^bits)): v has t or t + 1 digits, and one comparison decides.
// (v | 1 has the same digit count as v, since no power of ten above 1 is odd,
// and makes 0 count as one digit.)
size_t DecimalDigits(uint64_t v) {
  const uint64_t w = v | 1;
  const int bits = 64 - __builtin_clzll(w);
  const int t = (bits * 1233) >> 12;
  return static_cast<size_t>(t) + (w >= kPowersOf10[t] ? 1 : 0);
}

// isspace() in the C locale, without the locale lookup.
bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

char ToLowerChar(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// A NUL-terminated copy of a string_view for the C library's parsers; short
// strings, the common case, stay on the stack.
class CString {
 public:
  explicit CString(std::string_view s) {
    if (s.size() < sizeof(inline_)) {
      memcpy(inline_, s.data(), s.size());
      inline_[s.size()] = '\0';
      ptr_ = inline_;
    } else {
      heap_.assign(s);
      ptr_ = heap_.c_str();
    }
  }
  CString(const CString&) = delete;
  CString& operator=(const CString&) = delete;

  const char* get() const { return ptr_; }

 private:
  char inline_[128];
  std::string heap_;
  const char* ptr_;
};

// double2ll: true when `d` is an integer no larger than 2^62 in magnitude, so
// that it prints exactly as a long long.
bool DoubleToInt64Exactly(double d, int64_t* out) {
  constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 2;
  if (d < static_cast<double>(-kLimit) || d > static_cast<double>(kLimit)) return false;
  int64_t ll = static_cast<int64_t>(d);
  if (static_cast<double>(ll) != d) return false;
  *out = ll;
  return true;
}

}  // namespace

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() >= kInt64BufferSize) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return false;
  }
  // The first digit must be 1-9: this rules out leading zeros and "-0".
  if (s[i] < '1' || s[i] > '9') return false;
  // 19 digits cannot overflow 64 bits, and anything longer is out of range.
  if (s.size() - i > 19) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const unsigned digit = static_cast<unsigned char>(s[i]) - unsigned('0');
    if (digit > 9) return false;
    v = v * 10 + digit;
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (v > kMaxPositive + 1) return false;
    *out = static_cast<int64_t>(0 - v);  // Wraps correctly for v == 2^63.
  } else {
    if (v > kMaxPositive) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseUint64(std::string_view s, uint64_t* out) {
  s = s.substr(0, std::min(s.size(), s.find('\0')));
  int64_t ll;
  if (ParseInt64(s, &ll)) {
    if (ll < 0) return false;
    *out = static_cast<uint64_t>(ll);
    return true;
  }
  if (s.empty()) return false;
  CString c(s);
  char* end = nullptr;
  errno = 0;
  unsigned long long v = strtoull(c.get(), &end, 10);
  if (errno == EINVAL || errno == ERANGE || *end != '\0') return false;
  *out = v;
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || IsCSpace(s[0])) return false;
  CString c(s);
  char* end = nullptr;
  errno = 0;
  double v = strtod(c.get(), &end);
  if (static_cast<size_t>(end - c.get()) != s.size()) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) {
    return false;
  }
  if (std::isnan(v)) return false;
  *out = v;
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars || IsCSpace(s[0])) return false;
  CString c(s);
  char* end = nullptr;
  errno = 0;
  long double v = strtold(c.get(), &end);
  if (static_cast<size_t>(end - c.get()) != s.size()) return false;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) {
    return false;
  }
  if (errno == EINVAL || std::isnan(v)) return false;
  *out = v;
  return true;
}

// Integer replies (INCR, LPUSH, SADD...) print one of these per request, so
// the digits are counted without a loop and written two at a time.
size_t FormatUint64(uint64_t v, char* buf) {
  const size_t digits = DecimalDigits(v);
  char* p = buf + digits;
  *p = '\0';
  while (v >= 100) {
    const size_t pair = static_cast<size_t>(v % 100) * 2;
    v /= 100;
    p -= 2;
    std::memcpy(p, kDigitPairs + pair, 2);
  }
  if (v >= 10) {
    std::memcpy(p - 2, kDigitPairs + v * 2, 2);
  } else {
    p[-1] = static_cast<char>('0' + v);
  }
  return digits;
}

size_t FormatInt64(int64_t v, char* buf) {
  if (v >= 0) return FormatUint64(static_cast<uint64_t>(v), buf);
  buf[0] = '-';
  return 1 + FormatUint64(0 - static_cast<uint64_t>(v), buf + 1);
}

std::string Int64ToString(int64_t v) {
  char buf[kInt64BufferSize];
  return std::string(buf, FormatInt64(v, buf));
}

std::string Uint64ToString(uint64_t v) {
  char buf[kInt64BufferSize];
  return std::string(buf, FormatUint64(v, buf));
}

int64_t LengthOfInt64(int64_t v) {
  const uint64_t magnitude = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return static_cast<int64_t>(DecimalDigits(magnitude)) + (v < 0 ? 1 : 0);
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  // The largest finite long double needs about 4,950 bytes in this format.
  char stack_buf[kMaxLongDoubleChars];
  int n = snprintf(stack_buf, sizeof(stack_buf), "%.17Lf", v);
  if (n < 0) return "nan";
  std::string out;
  if (static_cast<size_t>(n) < sizeof(stack_buf)) {
    out.assign(stack_buf, static_cast<size_t>(n));
  } else {
    out.resize(static_cast<size_t>(n) + 1);
    snprintf(out.data(), out.size(), "%.17Lf", v);
    out.resize(static_cast<size_t>(n));
  }
  // "%.17Lf" always prints a '.', so trailing zeros are all fractional.
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

// Layout rules of fpconv_dtoa, for the n Grisu2 digits D standing for
// D * 10^k, with x = |k + n - 1| the magnitude of the scientific exponent:
//   k >= 0 and x < n + 7         -> D followed by k zeros
//   k < 0 and (k > -7 or x < 4)  -> plain decimal, "0.000ddd" below 1
//   otherwise                     -> d.ddde[+-]x, the exponent not padded
size_t FormatDouble(double v, char* buf) {
  if (std::isnan(v)) {
    memcpy(buf, "nan", 4);
    return 3;
  }
  if (std::isinf(v)) {
    const char* text = v > 0 ? "inf" : "-inf";
    size_t len = strlen(text);
    memcpy(buf, text, len + 1);
    return len;
  }
  if (v == 0) {
    const char* text = std::signbit(v) ? "-0" : "0";
    size_t len = strlen(text);
    memcpy(buf, text, len + 1);
    return len;
  }
  int64_t ll;
  if (DoubleToInt64Exactly(v, &ll)) return FormatInt64(ll, buf);

  char digits[kGrisuMaxDigits];
  int k = 0;
  int n = Grisu2(v, digits, &k);
  const bool negative = v < 0;
  char* out = buf;
  if (negative) *out++ = '-';
  const int abs_exponent = std::abs(k + n - 1);

  if (k >= 0 && abs_exponent < n + 7) {
    memcpy(out, digits, n);
    out += n;
    memset(out, '0', k);
    out += k;
  } else if (k < 0 && (k > -7 || abs_exponent < 4)) {
    const int int_digits = n + k;  // Digits before the '.'.
    if (int_digits <= 0) {
      *out++ = '0';
      *out++ = '.';
      memset(out, '0', -int_digits);
      out += -int_digits;
      memcpy(out, digits, n);
      out += n;
    } else {
      memcpy(out, digits, int_digits);
      out += int_digits;
      *out++ = '.';
      memcpy(out, digits + int_digits, n - int_digits);
      out += n - int_digits;
    }
  } else {
    // fpconv_dtoa keeps at most 18 digits here (17 for a negative value); the
    // exponent's magnitude is from before that cut, its sign from after.
    n = std::min(n, negative ? 17 : 18);
    *out++ = digits[0];
    if (n > 1) {
      *out++ = '.';
      memcpy(out, digits + 1, n - 1);
      out += n - 1;
    }
    *out++ = 'e';
    *out++ = k + n - 1 < 0 ? '-' : '+';
    out = std::to_chars(out, out + 4, abs_exponent).ptr;
  }
  *out = '\0';
  return static_cast<size_t>(out - buf);
}

std::string DoubleToString(double v) {
  char buf[kDoubleBufferSize];
  return std::string(buf, FormatDouble(v, buf));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerChar(a[i]) != ToLowerChar(b[i])) return false;
  }
  return true;
}

void ToLowerAscii(std::string* s) {
  for (char& c : *s) c = ToLowerChar(c);
}

std::string ToLowerCopy(std::string_view s) {
  std::string out(s);
  ToLowerAscii(&out);
  return out;
}

}  // namespace lodestone
