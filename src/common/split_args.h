// Splitting a line into arguments the way Redis's sdssplitargs() does, for
// inline commands and redis.conf lines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lodestone {

// Replaces *out with the arguments of `line`, or clears it and returns false
// when a quoted argument is unterminated or its closing quote is followed by
// something other than whitespace or the end of the line.
//
// Arguments are separated by whitespace. Unquoted bytes are taken as they
// are; an unquoted argument ends at ' ', '\n', '\r' or '\t' (so "\v" and "\f"
// only separate arguments where they lead). A '"' or '\'' inside an argument
// starts a quoted part:
//   "..."  with escapes \n \r \t \b \a, \xHH (two hex digits) for any byte,
//          and \<c> for c itself (\" and \\ among them);
//   '...'  with the single escape \' ; any other backslash is literal.
// Like Redis, the line is read as a C string: a NUL byte ends it.
// An empty or blank line gives no arguments and returns true.
bool SplitArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace lodestone
