// Glob-style matching with the exact semantics of Redis's stringmatchlen(),
// as used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and ACL key patterns.
#pragma once

#include <string_view>

namespace lodestone {

// True when `str` matches `pattern`:
//   *        any run of bytes, including none
//   ?        exactly one byte
//   [abc]    one byte of the set; [^abc] one byte not in it; [a-z] a range,
//            also written reversed ([z-a]); \x inside a set is a literal x
//   \x       a literal x
// With `nocase`, ASCII letters match either case (except after '\' inside a
// set, which Redis compares exactly). An unclosed '[' takes the rest of the
// pattern as the set. Bytes compare as signed chars in ranges, as in Redis.
//
// Redis quirks kept on purpose: an empty `str` matches only an empty pattern
// ("*" does not match ""; callers such as KEYS treat a lone "*" specially
// anyway); and a pattern that nests more than 1000 '*' deep never matches.
//
// Cost: at most 1001 stack frames, and polynomial time even for patterns built
// to explode a naive matcher ("a*a*a*...b"): once the rest of the pattern has
// failed at every later position, no earlier '*' retries a longer match.
bool StringMatch(std::string_view pattern, std::string_view str, bool nocase);

}  // namespace lodestone
