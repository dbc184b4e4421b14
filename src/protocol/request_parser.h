// RequestParser: turns the bytes a client sent into command argument vectors.
//
// Two request formats exist, told apart by the first byte of a command (as in
// Redis's processInputBuffer):
//   multibulk  '*' <count> CRLF { '$' <len> CRLF <len bytes> CRLF }   (RESP)
//   inline     any other first byte: one line ended by "\n" or "\r\n", split
//              into words with sdssplitargs rules (quotes and escapes).
// The parser reproduces Redis's networking.c byte for byte, quirks included:
// line ends are found the way strchr finds them in Redis's NUL-terminated
// query buffer (after a NUL byte the line end is never found, and the request
// fails once more than 64KB are buffered), the byte after a header's '\r' and
// the two bytes after bulk data are skipped unchecked, and the error texts are
// Redis's.
//
// The parser is incremental and zero-copy: arguments are views into the
// caller's buffer, and a partial command is resumed from where the previous
// call stopped, so a large multibulk is never rescanned. One parser per
// connection; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lodestone::protocol {

struct ParserLimits {
  // proto-max-bulk-len. Redis does not apply it to the link from its master:
  // that connection sets INT64_MAX.
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  // False while the connection still has to AUTH (Redis's authRequired(): a
  // password is set and the client has not authenticated). A multibulk may
  // then have at most 10 arguments of at most 16384 bytes each.
  bool authenticated = true;
};

enum class ParseStatus { kOk, kNeedMore, kError };

// A look ahead at a complete multibulk command at the start of `data`: its
// argument count, its first kPeekArgs arguments (args[1] is the first key of
// most commands, args[2] for many the member or field after it; a command
// with fewer leaves the rest empty) and its size in bytes. It keeps no state
// and applies no limit; false when no complete, plainly formed command of at
// least two arguments starts there (Parse then decides what the bytes mean).
// A command seen whole (count <= kPeekArgs) parses to exactly these
// arguments when the parser is idle() and every argument is within its
// limits.
constexpr int kPeekArgs = 4;
bool PeekArguments(std::string_view data, std::string_view args[kPeekArgs], int64_t* count,
                   size_t* size);

class RequestParser {
 public:
  // Longest header line or inline request Redis waits for (PROTO_INLINE_MAX_SIZE).
  static constexpr size_t kMaxInlineSize = 64 * 1024;
  // Limits that apply while ParserLimits::authenticated is false.
  static constexpr int64_t kUnauthMaxArgs = 10;
  static constexpr int64_t kUnauthMaxBulkLen = 16384;

  RequestParser() = default;
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses at most one command from `data`, which starts at the first byte of a
  // command not yet consumed.
  //
  // kOk: *args holds the arguments and *consumed the number of bytes of `data`
  //   the command used. The views point into `data`, except for inline commands
  //   whose words needed unescaping: those point into storage owned by the
  //   parser, valid until the next Parse() or Reset(). An empty command (an
  //   empty or blank inline line, "*0\r\n", "*-1\r\n") gives kOk with `args`
  //   empty and *consumed > 0: the caller skips it.
  // kNeedMore: nothing consumed. Call again with the same start and more bytes
  //   appended; the buffer may move in between. Progress is remembered as
  //   offsets from the start of `data`.
  // kError: error() holds the full error reply text, ready for
  //   ReplyBuilder::Error; the caller replies and closes the connection. The
  //   parser is reset. The texts, all prefixed "ERR Protocol error: ":
  //     "too big mbulk count string"   no '\r' after '*' within 64KB
  //     "invalid multibulk length"     count not a strict integer, or > INT_MAX
  //     "unauthenticated multibulk length"   count > 10 before AUTH
  //     "too big bulk count string"    no '\r' after a bulk header within 64KB
  //     "expected '$', got 'X'"        X is the byte found (CR/LF shown as ' ')
  //     "invalid bulk length"          not a strict integer, < 0, > max_bulk_len
  //     "unauthenticated bulk length"  > 16384 before AUTH
  //     "too big inline request"       no '\n' within 64KB
  //     "unbalanced quotes in request" inline quoting error
  //
  // `args` is cleared first and its capacity reused; in the steady state Parse
  // allocates nothing (except to unescape quoted inline words). *consumed is
  // set to 0 unless the result is kOk.
  // REQUIRES: after kNeedMore, the next call's `data` starts with the bytes of
  // the previous one (otherwise call Reset() first).
  ParseStatus Parse(std::string_view data, std::vector<std::string_view>* args,
                    size_t* consumed);

  // Forgets the progress made on a partial command.
  void Reset();

  // The error of the last kError result.
  const std::string& error() const { return error_; }

  // Takes effect from the next header parsed (e.g. right after AUTH succeeds).
  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }
  // No partial command in progress: the next Parse starts afresh at `data`.
  bool idle() const { return !in_multibulk_ && scan_pos_ == 0; }

 private:
  ParseStatus ParseInline(std::string_view data, std::vector<std::string_view>* args,
                          size_t* consumed);
  ParseStatus ParseMultibulk(std::string_view data, std::vector<std::string_view>* args,
                             size_t* consumed);
  // One pass over a complete, well-formed multibulk at the start of `data`
  // (true: parsed, *consumed set); false leaves nothing changed but `args`
  // cleared, for ParseMultibulk to decide.
  bool ParseMultibulkFast(std::string_view data, std::vector<std::string_view>* args,
                          size_t* consumed);
  // Finds the header line starting at pos_: returns the index of its '\r' once
  // the byte after it has arrived too, or npos (remembering how far it looked).
  size_t FindHeaderEnd(std::string_view data);
  ParseStatus Fail(std::string_view text);
  void ReleaseExcessCapacity();

  ParserLimits limits_;
  std::string error_;

  // Progress on the current command, as offsets from the start of `data`.
  bool in_multibulk_ = false;  // the count line has been read
  size_t pos_ = 0;             // first byte not parsed yet
  size_t scan_pos_ = 0;        // where the search for a line end resumes
  int64_t args_left_ = 0;      // multibulk: bulks still to read
  int64_t bulk_len_ = -1;      // length of the bulk whose header was read, or -1
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) of bulks read

  // Unescaped words of the last inline command that used quotes.
  std::vector<std::string> inline_words_;
};

}  // namespace lodestone::protocol
