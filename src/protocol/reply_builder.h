// ReplyBuilder: writes RESP2 or RESP3 replies onto the end of a caller's string.
//
// The protocol version is chosen per connection (HELLO) and only changes how
// the RESP3-only types are spelled; a handler writes the same calls either way:
//
//   type         RESP3                     RESP2
//   Null         "_\r\n"                   "$-1\r\n"
//   NullArray    "_\r\n"                   "*-1\r\n"
//   Map(n)       "%n\r\n"                  "*<2n>\r\n"
//   Set(n)       "~n\r\n"                  "*n\r\n"
//   Push(n)      ">n\r\n"                  "*n\r\n"
//   Double       ",<d>\r\n"                bulk "<d>"
//   Bool         "#t\r\n" / "#f\r\n"       ":1\r\n" / ":0\r\n"
//   BigNumber    "(<digits>\r\n"           bulk "<digits>"
//   Verbatim     "=<n+4>\r\ntxt:<s>\r\n"   bulk "<s>"
//
// Integer, Bulk and SimpleString are on every hot path: they format numbers
// in place and append straight to the output, without temporaries.
// A ReplyBuilder is owned by one connection and not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lodestone::protocol {

class ReplyBuilder {
 public:
  // `out` must outlive the builder (or be replaced with set_out first).
  explicit ReplyBuilder(std::string* out, int resp = 2) : out_(out), resp_(resp) {}
  ReplyBuilder(const ReplyBuilder&) = delete;
  ReplyBuilder& operator=(const ReplyBuilder&) = delete;

  void set_out(std::string* out) { out_ = out; }
  std::string* out() const { return out_; }
  // REQUIRES: resp is 2 or 3.
  void set_resp(int resp) { resp_ = resp; }
  int resp() const { return resp_; }

  // "+<s>\r\n". REQUIRES: s holds no CR or LF.
  void SimpleString(std::string_view s);
  void Ok() { out_->append("+OK\r\n", 5); }

  // "-<text>\r\n". `text` is the full error with its code and without the '-'
  // ("ERR syntax error", usually a constant from protocol/errors.h); any CR or
  // LF in it is written as a space. Counted in errors() and last_error().
  void Error(std::string_view text);

  void Integer(int64_t v);  // ":<v>\r\n"
  void Bulk(std::string_view s);  // "$<len>\r\n<s>\r\n", binary-safe
  void Null();
  void NullArray();

  // Aggregate headers: the caller then writes n elements (n pairs for a map).
  void ArrayHeader(size_t n);
  void MapHeader(size_t n);
  void SetHeader(size_t n);
  void PushHeader(size_t n);
  void EmptyArray() { out_->append("*0\r\n", 4); }

  // Formatted as Redis 7.4 does ("3.5", "1e+20", "inf", "-inf", "nan").
  void Double(double v);
  void Bool(bool v);
  // REQUIRES: digits is an optionally signed decimal integer.
  void BigNumber(std::string_view digits);
  // `ext` is cut or space-padded to three bytes, as Redis does.
  void Verbatim(std::string_view s, std::string_view ext = "txt");

  // Deferred length, for aggregates whose size is known only after writing
  // their elements (KEYS, SCAN):
  //   size_t token = rb.BeginDeferred();  ...elements...  rb.EndDeferredArray(token, n);
  // The header is inserted at the token's position, moving what follows it, so
  // keep the deferred span small or the element count cheap to know upfront.
  // REQUIRES: the bytes before the token are not removed from *out and out is
  // not replaced until the matching End call; nested deferred replies end in
  // the reverse order of their Begin calls.
  size_t BeginDeferred() const { return out_->size(); }
  void EndDeferredArray(size_t token, size_t n);
  void EndDeferredMap(size_t token, size_t pairs);
  void EndDeferredSet(size_t token, size_t n);

  // Appends bytes that are already RESP (a cached reply, a proxied stream).
  void Raw(std::string_view bytes) { out_->append(bytes); }

  // An error reply whose statistics were already counted where it arose (a
  // script passing on the error of a command it called): counted in
  // errors() and in counted_elsewhere().
  void ErrorCountedElsewhere(std::string_view text) {
    Error(text);
    ++counted_elsewhere_;
  }

  // Error replies written since construction, and the last one's text.
  uint64_t errors() const { return errors_; }
  uint64_t counted_elsewhere() const { return counted_elsewhere_; }
  const std::string& last_error() const { return last_error_; }

 private:
  void Header(char prefix, size_t n);
  void InsertHeader(size_t token, char prefix, size_t n);

  std::string* out_;
  int resp_;
  uint64_t errors_ = 0;
  uint64_t counted_elsewhere_ = 0;
  std::string last_error_;
};

}  // namespace lodestone::protocol
