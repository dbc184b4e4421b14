// Glob matching with Redis's stringmatchlen() semantics (see glob.h).
#include "common/glob.h"

#include <cstddef>
#include <utility>

namespace lodestone {
namespace {

// Redis gives up (no match) beyond this depth of nested '*'.
constexpr int kMaxNesting = 1000;

// glibc's tolower() in the C locale, which Redis applies to signed chars: it
// lowers A-Z and, being indexable from -128, maps the negative values -128..-2
// to their unsigned byte values (-1 is EOF and stays). Only ranges observe the
// second part: "[\x80-b]" covers '^' case-sensitively but not with nocase.
int FoldCase(int c) {
  if (c >= 'A' && c <= 'Z') return c + ('a' - 'A');
  if (c >= -128 && c <= -2) return c + 256;
  return c;
}

// Bytes as Redis on x86-64 sees them: signed chars.
int ByteValue(char c) { return static_cast<signed char>(c); }

class Matcher {
 public:
  Matcher(std::string_view pattern, std::string_view str, bool nocase)
      : pattern_(pattern), str_(str), nocase_(nocase) {}

  bool Run() { return Match(0, 0, 0); }

 private:
  bool SameByte(char a, char b) const {
    return nocase_ ? FoldCase(ByteValue(a)) == FoldCase(ByteValue(b)) : a == b;
  }

  // Does str_[s..] match pattern_[p..]? `nesting` counts the '*' frames above.
  bool Match(size_t p, size_t s, int nesting) {
    if (nesting > kMaxNesting) return false;
    const size_t plen = pattern_.size();
    const size_t slen = str_.size();
    while (p < plen && s < slen) {
      switch (pattern_[p]) {
        case '*': {
          while (p + 1 < plen && pattern_[p + 1] == '*') ++p;
          if (p + 1 == plen) return true;
          for (; s < slen; ++s) {
            if (Match(p + 1, s, nesting + 1)) return true;
            if (skip_longer_matches_) return false;
          }
          // The rest of the pattern matches at no later position of the
          // string. An earlier '*' taking a longer match would only start the
          // rest later still, so every enclosing frame can stop too.
          skip_longer_matches_ = true;
          return false;
        }
        case '?':
          ++s;
          break;
        case '[':
          if (!MatchSet(&p, s)) return false;
          ++s;
          break;
        case '\\':
          if (plen - p >= 2) ++p;
          [[fallthrough]];
        default:
          if (!SameByte(pattern_[p], str_[s])) return false;
          ++s;
          break;
      }
      ++p;
      if (s == slen) {
        while (p < plen && pattern_[p] == '*') ++p;
        break;
      }
    }
    return p == plen && s == slen;
  }

  // *p is at a '['; matches str_[s] against the set and leaves *p on its
  // closing ']' (or on the last byte of the pattern when the set is unclosed).
  bool MatchSet(size_t* pp, size_t s) const {
    const size_t plen = pattern_.size();
    const char c = str_[s];
    size_t p = *pp + 1;
    const bool negate = p < plen && pattern_[p] == '^';
    if (negate) ++p;
    bool match = false;
    while (true) {
      if (p >= plen) {
        --p;
        break;
      }
      if (pattern_[p] == '\\' && plen - p >= 2) {
        ++p;
        if (pattern_[p] == c) match = true;
      } else if (pattern_[p] == ']') {
        break;
      } else if (plen - p >= 3 && pattern_[p + 1] == '-') {
        int start = ByteValue(pattern_[p]);
        int end = ByteValue(pattern_[p + 2]);
        int value = ByteValue(c);
        if (start > end) std::swap(start, end);
        if (nocase_) {
          start = FoldCase(start);
          end = FoldCase(end);
          value = FoldCase(value);
        }
        if (value >= start && value <= end) match = true;
        p += 2;
      } else if (SameByte(pattern_[p], c)) {
        match = true;
      }
      ++p;
    }
    *pp = p;
    return negate ? !match : match;
  }

  std::string_view pattern_;
  std::string_view str_;
  bool nocase_;
  // Set once the tail after some '*' has failed at every position.
  bool skip_longer_matches_ = false;
};

}  // namespace

bool StringMatch(std::string_view pattern, std::string_view str, bool nocase) {
  return Matcher(pattern, str, nocase).Run();
}

}  // namespace lodestone
