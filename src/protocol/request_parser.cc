// RequestParser: Redis's processMultibulkBuffer and processInlineBuffer, made
// resumable and zero-copy.
//
// Redis keeps the query buffer and a read position per client; here the caller
// keeps the buffer and passes it in from the first byte of the current command,
// and the parser keeps offsets into it (pos_, scan_pos_) and the (offset, length)
// of each bulk read so far. Views are only made at the end, so the caller may
// grow or move its buffer between calls.
#include "protocol/request_parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "common/split_args.h"
#include "common/strings.h"

namespace lodestone::protocol {
namespace {

constexpr size_t kNotFound = std::string_view::npos;
// Above this many arguments the span table is freed after the command, so one
// huge request does not pin its memory for the life of the connection.
constexpr size_t kKeepCapacity = 1024;

// Searches data[from, size) for `target` the way strchr() searches Redis's
// NUL-terminated query buffer: a NUL byte ends the search. Returns the index of
// `target` or kNotFound; in the latter case *resume is where a later search
// over more data should start (the NUL itself, or the end of data).
size_t FindLikeStrchr(std::string_view data, size_t from, char target, size_t* resume) {
  const char* begin = data.data() + from;
  const size_t len = data.size() - from;
  const char* hit = static_cast<const char*>(std::memchr(begin, target, len));
  const size_t searched = hit != nullptr ? static_cast<size_t>(hit - begin) : len;
  const char* nul = static_cast<const char*>(std::memchr(begin, '\0', searched));
  if (nul != nullptr) {
    *resume = from + (nul - begin);
    return kNotFound;
  }
  if (hit == nullptr) {
    *resume = data.size();
    return kNotFound;
  }
  return from + searched;
}

// isspace() in the C locale: where sdssplitargs skips between words.
bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// The bytes that end an unquoted word in sdssplitargs ('\v' and '\f' do not).
bool EndsWord(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Reads the decimal digits at data[*pos] up to a '\r', in one pass: the
// common, well-formed header. Returns false (nothing decided) for anything
// else: no digit, a leading zero, a sign, more than 18 digits (so no
// overflow), another byte before the '\r', or the '\r' or the byte after it
// not arrived yet. On success *pos is past the header's line end.
inline bool ScanHeaderNumber(std::string_view data, size_t* pos, int64_t* value) {
  size_t i = *pos;
  const size_t end = data.size();
  if (i >= end || data[i] < '1' || data[i] > '9') return false;
  int64_t v = data[i] - '0';
  const size_t limit = i + 18;
  for (++i; i < end; ++i) {
    const unsigned digit = static_cast<unsigned char>(data[i]) - unsigned('0');
    if (digit > 9) break;
    if (i == limit) return false;
    v = v * 10 + int64_t(digit);
  }
  if (i + 2 > end || data[i] != '\r') return false;
  *value = v;
  *pos = i + 2;
  return true;
}

}  // namespace

bool RequestParser::ParseMultibulkFast(std::string_view data, std::vector<std::string_view>* args,
                                       size_t* consumed) {
  size_t pos = 1;
  int64_t count;
  if (!ScanHeaderNumber(data, &pos, &count) || count > INT_MAX) return false;
  if (!limits_.authenticated && count > kUnauthMaxArgs) return false;
  const int64_t max_len = limits_.authenticated ? limits_.max_bulk_len
                                                : std::min(limits_.max_bulk_len, kUnauthMaxBulkLen);
  for (int64_t n = 0; n < count; n++) {
    if (pos >= data.size() || data[pos] != '$') break;
    ++pos;
    int64_t len;
    if (!ScanHeaderNumber(data, &pos, &len)) {
      // "$0" is well formed too, and common enough (empty values).
      if (pos + 3 <= data.size() && data[pos] == '0' && data[pos + 1] == '\r') {
        len = 0;
        pos += 3;
      } else {
        break;
      }
    }
    if (len > max_len || data.size() - pos < uint64_t(len) + 2) break;
    args->push_back(data.substr(pos, size_t(len)));
    pos += size_t(len) + 2;
    if (n + 1 == count) {
      *consumed = pos;
      return true;
    }
  }
  args->clear();
  return false;
}

namespace {
// A header number for the look-ahead: one or two digits read inline (the
// common case), anything else as ScanHeaderNumber reads it. `p` points at the
// first digit, `end` past the data; returns the position after the line end,
// or nullptr.
inline const char* PeekHeaderNumber(const char* p, const char* end, int64_t* value) {
  if (end - p >= 3) {
    const unsigned d0 = static_cast<unsigned char>(p[0]) - unsigned('0');
    if (d0 - 1 < 9) {  // '1'..'9'
      if (p[1] == '\r') {
        *value = d0;
        return p + 3;
      }
      const unsigned d1 = static_cast<unsigned char>(p[1]) - unsigned('0');
      if (d1 < 10 && end - p >= 4 && p[2] == '\r') {
        *value = d0 * 10 + d1;
        return p + 4;
      }
    }
  }
  std::string_view rest(p, size_t(end - p));
  size_t pos = 0;
  return ScanHeaderNumber(rest, &pos, value) ? p + pos : nullptr;
}
}  // namespace

bool PeekArguments(std::string_view data, std::string_view args[kPeekArgs], int64_t* count,
                   size_t* size) {
  const char* begin = data.data();
  const char* end = begin + data.size();
  if (begin == end || *begin != '*') return false;
  const char* p = PeekHeaderNumber(begin + 1, end, count);
  if (p == nullptr || *count < 2) return false;
  for (int i = 2; i < kPeekArgs; i++) args[i] = {};
  for (int64_t n = 0; n < *count; n++) {
    if (p == end || *p != '$') return false;
    int64_t len;
    p = PeekHeaderNumber(p + 1, end, &len);  // "$0" declined too: rare
    if (p == nullptr || end - p < len + 2) return false;
    if (n < kPeekArgs) args[n] = std::string_view(p, size_t(len));
    p += len + 2;
  }
  *size = size_t(p - begin);
  return true;
}

ParseStatus RequestParser::Parse(std::string_view data, std::vector<std::string_view>* args,
                                 size_t* consumed) {
  args->clear();
  *consumed = 0;
  if (scan_pos_ > data.size()) Reset();  // The caller broke the resume contract.
  if (data.empty()) return ParseStatus::kNeedMore;
  if (data[0] == '*') {
    // A whole, well-formed command at the start parses in one pass; any
    // other case (partial, resumed, malformed, empty) takes the general path,
    // which gives Redis's exact errors.
    if (!in_multibulk_ && scan_pos_ == 0 && ParseMultibulkFast(data, args, consumed)) {
      return ParseStatus::kOk;
    }
    return ParseMultibulk(data, args, consumed);
  }
  return ParseInline(data, args, consumed);
}

void RequestParser::Reset() {
  in_multibulk_ = false;
  pos_ = 0;
  scan_pos_ = 0;
  args_left_ = 0;
  bulk_len_ = -1;
  spans_.clear();
}

ParseStatus RequestParser::Fail(std::string_view text) {
  error_.assign(text);
  // As addReplyErrorFormat does: a byte quoted from the input may be CR or LF.
  for (char& c : error_) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  Reset();
  return ParseStatus::kError;
}

void RequestParser::ReleaseExcessCapacity() {
  if (spans_.capacity() > kKeepCapacity) {
    std::vector<std::pair<size_t, size_t>>().swap(spans_);
  }
}

ParseStatus RequestParser::ParseInline(std::string_view data, std::vector<std::string_view>* args,
                                       size_t* consumed) {
  size_t resume = 0;
  const size_t newline = FindLikeStrchr(data, scan_pos_, '\n', &resume);
  if (newline == kNotFound) {
    scan_pos_ = resume;
    if (data.size() > kMaxInlineSize) {
      return Fail("ERR Protocol error: too big inline request");
    }
    return ParseStatus::kNeedMore;
  }
  size_t line_len = newline;
  if (line_len > 0 && data[line_len - 1] == '\r') --line_len;
  const std::string_view line = data.substr(0, line_len);

  const bool quoted = std::memchr(line.data(), '"', line.size()) != nullptr ||
                      std::memchr(line.data(), '\'', line.size()) != nullptr;
  if (!quoted) {
    // Without quotes sdssplitargs copies words verbatim: view them in place.
    size_t i = 0;
    while (true) {
      while (i < line.size() && IsBlank(line[i])) ++i;
      if (i == line.size()) break;
      const size_t start = i;
      while (i < line.size() && !EndsWord(line[i])) ++i;
      args->push_back(line.substr(start, i - start));
    }
  } else {
    if (!SplitArgs(line, &inline_words_)) {
      return Fail("ERR Protocol error: unbalanced quotes in request");
    }
    for (const std::string& word : inline_words_) args->push_back(word);
  }
  *consumed = newline + 1;
  Reset();
  return ParseStatus::kOk;
}

size_t RequestParser::FindHeaderEnd(std::string_view data) {
  size_t resume = 0;
  const size_t cr = FindLikeStrchr(data, scan_pos_, '\r', &resume);
  scan_pos_ = cr == kNotFound ? resume : cr;
  return cr;
}

ParseStatus RequestParser::ParseMultibulk(std::string_view data,
                                          std::vector<std::string_view>* args,
                                          size_t* consumed) {
  if (!in_multibulk_) {
    const size_t cr = FindHeaderEnd(data);
    if (cr == kNotFound) {
      if (data.size() > kMaxInlineSize) {
        return Fail("ERR Protocol error: too big mbulk count string");
      }
      return ParseStatus::kNeedMore;
    }
    // The byte after '\r' must have arrived; like Redis, it is not checked.
    if (cr + 2 > data.size()) return ParseStatus::kNeedMore;
    int64_t count = 0;
    if (!ParseInt64(data.substr(1, cr - 1), &count) || count > INT_MAX) {
      return Fail("ERR Protocol error: invalid multibulk length");
    }
    if (count > kUnauthMaxArgs && !limits_.authenticated) {
      return Fail("ERR Protocol error: unauthenticated multibulk length");
    }
    if (count <= 0) {
      *consumed = cr + 2;
      Reset();
      return ParseStatus::kOk;
    }
    in_multibulk_ = true;
    args_left_ = count;
    pos_ = scan_pos_ = cr + 2;
  }

  while (args_left_ > 0) {
    if (bulk_len_ < 0) {
      const size_t cr = FindHeaderEnd(data);
      if (cr == kNotFound) {
        if (data.size() - pos_ > kMaxInlineSize) {
          return Fail("ERR Protocol error: too big bulk count string");
        }
        return ParseStatus::kNeedMore;
      }
      if (cr + 2 > data.size()) return ParseStatus::kNeedMore;
      if (data[pos_] != '$') {
        std::string text = "ERR Protocol error: expected '$', got '";
        text.push_back(data[pos_]);
        text.push_back('\'');
        return Fail(text);
      }
      int64_t len = 0;
      if (!ParseInt64(data.substr(pos_ + 1, cr - pos_ - 1), &len) || len < 0 ||
          len > limits_.max_bulk_len) {
        return Fail("ERR Protocol error: invalid bulk length");
      }
      if (len > kUnauthMaxBulkLen && !limits_.authenticated) {
        return Fail("ERR Protocol error: unauthenticated bulk length");
      }
      bulk_len_ = len;
      pos_ = scan_pos_ = cr + 2;
    }
    // The bulk and the two bytes after it (meant to be CRLF, not checked).
    const uint64_t needed = static_cast<uint64_t>(bulk_len_) + 2;
    if (data.size() - pos_ < needed) return ParseStatus::kNeedMore;
    spans_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ = scan_pos_ = pos_ + static_cast<size_t>(needed);
    bulk_len_ = -1;
    --args_left_;
  }

  for (const auto& [offset, len] : spans_) args->push_back(data.substr(offset, len));
  *consumed = pos_;
  Reset();
  ReleaseExcessCapacity();
  return ParseStatus::kOk;
}

}  // namespace lodestone::protocol
