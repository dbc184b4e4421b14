// sdssplitargs() semantics for inline commands and config lines (see split_args.h).
#include "common/split_args.h"

#include <cstddef>
#include <utility>

namespace lodestone {
namespace {

bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte "\c" stands for inside double quotes: a control character for
// n r t b a, the character itself otherwise.
char Unescape(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'b':
      return '\b';
    case 'a':
      return '\a';
    default:
      return c;
  }
}

// A cursor over the line that reads '\0' past its end, mirroring the
// terminating NUL the C original relies on.
class Cursor {
 public:
  explicit Cursor(std::string_view line) : line_(line) {}
  char Peek(size_t ahead = 0) const {
    return pos_ + ahead < line_.size() ? line_[pos_ + ahead] : '\0';
  }
  void Advance(size_t n = 1) { pos_ += n; }

 private:
  std::string_view line_;
  size_t pos_ = 0;
};

// Reads one argument starting at a non-blank byte. Returns false on a quoting
// error.
bool ReadArg(Cursor* cur, std::string* arg) {
  enum class Mode { kPlain, kDoubleQuoted, kSingleQuoted } mode = Mode::kPlain;
  while (true) {
    char c = cur->Peek();
    if (mode == Mode::kDoubleQuoted) {
      if (c == '\0') return false;  // Unterminated.
      if (c == '\\' && cur->Peek(1) == 'x' && HexValue(cur->Peek(2)) >= 0 &&
          HexValue(cur->Peek(3)) >= 0) {
        arg->push_back(static_cast<char>(HexValue(cur->Peek(2)) * 16 + HexValue(cur->Peek(3))));
        cur->Advance(4);
      } else if (c == '\\' && cur->Peek(1) != '\0') {
        arg->push_back(Unescape(cur->Peek(1)));
        cur->Advance(2);
      } else if (c == '"') {
        char next = cur->Peek(1);
        if (next != '\0' && !IsCSpace(next)) return false;
        cur->Advance();
        return true;
      } else {
        arg->push_back(c);
        cur->Advance();
      }
    } else if (mode == Mode::kSingleQuoted) {
      if (c == '\0') return false;  // Unterminated.
      if (c == '\\' && cur->Peek(1) == '\'') {
        arg->push_back('\'');
        cur->Advance(2);
      } else if (c == '\'') {
        char next = cur->Peek(1);
        if (next != '\0' && !IsCSpace(next)) return false;
        cur->Advance();
        return true;
      } else {
        arg->push_back(c);
        cur->Advance();
      }
    } else {
      switch (c) {
        case '\0':
          return true;
        case ' ':
        case '\n':
        case '\r':
        case '\t':
          cur->Advance();
          return true;
        case '"':
          mode = Mode::kDoubleQuoted;
          cur->Advance();
          break;
        case '\'':
          mode = Mode::kSingleQuoted;
          cur->Advance();
          break;
        default:
          arg->push_back(c);
          cur->Advance();
          break;
      }
    }
  }
}

}  // namespace

bool SplitArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  Cursor cur(line);
  while (true) {
    while (cur.Peek() != '\0' && IsCSpace(cur.Peek())) cur.Advance();
    if (cur.Peek() == '\0') return true;
    std::string arg;
    if (!ReadArg(&cur, &arg)) {
      out->clear();
      return false;
    }
    out->push_back(std::move(arg));
  }
}

}  // namespace lodestone
