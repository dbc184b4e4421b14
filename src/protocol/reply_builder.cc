// ReplyBuilder: RESP encoding. Every reply is assembled in a small stack buffer
// where it can be (headers, integers, doubles) and appended in one call.
#include "protocol/reply_builder.h"

#include <algorithm>

#include "common/strings.h"

namespace lodestone::protocol {
namespace {

// A prefix byte, FormatInt64's buffer (INT64_MIN and a NUL) and CRLF.
constexpr size_t kHeaderBufSize = 1 + kInt64BufferSize + 2;

// Writes "<prefix><n>\r\n" into buf and returns its length. Lengths under 100
// (nearly all headers) skip the general integer formatter.
inline size_t FormatHeader(char prefix, int64_t n, char* buf) {
  buf[0] = prefix;
  size_t len;
  if (n >= 0 && n < 10) {
    buf[1] = static_cast<char>('0' + n);
    len = 2;
  } else if (n >= 10 && n < 100) {
    buf[1] = static_cast<char>('0' + n / 10);
    buf[2] = static_cast<char>('0' + n % 10);
    len = 3;
  } else {
    len = 1 + FormatInt64(n, buf + 1);
  }
  buf[len] = '\r';
  buf[len + 1] = '\n';
  return len + 2;
}

}  // namespace

void ReplyBuilder::Header(char prefix, size_t n) {
  char buf[kHeaderBufSize];
  out_->append(buf, FormatHeader(prefix, static_cast<int64_t>(n), buf));
}

void ReplyBuilder::SimpleString(std::string_view s) {
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Error(std::string_view text) {
  out_->push_back('-');
  const size_t start = out_->size();
  out_->append(text);
  // Keep user bytes quoted in an error from breaking the framing.
  for (size_t i = start; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  last_error_.assign(*out_, start, text.size());
  out_->append("\r\n", 2);
  ++errors_;
}

void ReplyBuilder::Integer(int64_t v) {
  char buf[kHeaderBufSize];
  out_->append(buf, FormatHeader(':', v, buf));
}

void ReplyBuilder::Bulk(std::string_view s) {
  char buf[kHeaderBufSize];
  out_->append(buf, FormatHeader('$', static_cast<int64_t>(s.size()), buf));
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Null() {
  if (resp_ == 2) {
    out_->append("$-1\r\n", 5);
  } else {
    out_->append("_\r\n", 3);
  }
}

void ReplyBuilder::NullArray() {
  if (resp_ == 2) {
    out_->append("*-1\r\n", 5);
  } else {
    out_->append("_\r\n", 3);
  }
}

void ReplyBuilder::ArrayHeader(size_t n) { Header('*', n); }

void ReplyBuilder::MapHeader(size_t n) {
  if (resp_ == 2) {
    Header('*', n * 2);
  } else {
    Header('%', n);
  }
}

void ReplyBuilder::SetHeader(size_t n) { Header(resp_ == 2 ? '*' : '~', n); }

void ReplyBuilder::PushHeader(size_t n) { Header(resp_ == 2 ? '*' : '>', n); }

void ReplyBuilder::Double(double v) {
  // ',' + the formatted double + CRLF.
  char buf[1 + kDoubleBufferSize + 2];
  const size_t len = FormatDouble(v, buf + 1);
  if (resp_ == 2) {
    Bulk(std::string_view(buf + 1, len));
    return;
  }
  buf[0] = ',';
  buf[len + 1] = '\r';
  buf[len + 2] = '\n';
  out_->append(buf, len + 3);
}

void ReplyBuilder::Bool(bool v) {
  if (resp_ == 2) {
    out_->append(v ? ":1\r\n" : ":0\r\n", 4);
  } else {
    out_->append(v ? "#t\r\n" : "#f\r\n", 4);
  }
}

void ReplyBuilder::BigNumber(std::string_view digits) {
  if (resp_ == 2) {
    Bulk(digits);
    return;
  }
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n", 2);
}

void ReplyBuilder::Verbatim(std::string_view s, std::string_view ext) {
  if (resp_ == 2) {
    Bulk(s);
    return;
  }
  Header('=', s.size() + 4);
  char format[4] = {' ', ' ', ' ', ':'};
  std::copy_n(ext.data(), std::min<size_t>(ext.size(), 3), format);
  out_->append(format, 4);
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyBuilder::InsertHeader(size_t token, char prefix, size_t n) {
  char buf[kHeaderBufSize];
  out_->insert(token, buf, FormatHeader(prefix, static_cast<int64_t>(n), buf));
}

void ReplyBuilder::EndDeferredArray(size_t token, size_t n) { InsertHeader(token, '*', n); }

void ReplyBuilder::EndDeferredMap(size_t token, size_t pairs) {
  if (resp_ == 2) {
    InsertHeader(token, '*', pairs * 2);
  } else {
    InsertHeader(token, '%', pairs);
  }
}

void ReplyBuilder::EndDeferredSet(size_t token, size_t n) {
  InsertHeader(token, resp_ == 2 ? '*' : '~', n);
}

}  // namespace lodestone::protocol
