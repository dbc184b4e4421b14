// Builders for the Redis error texts that embed names or user input.
//
// Redis formats these with printf ("%.128s"), so a C string ends at its first
// NUL byte; CutAtNul reproduces that, and ReplaceNewlines the sdsmapchars pass
// that keeps user bytes from breaking the RESP framing.
#include "protocol/errors.h"

#include <algorithm>
#include <cstring>

namespace lodestone::protocol {
namespace {

constexpr size_t kMaxQuotedLen = 128;  // The "%.128s" precision Redis uses.

std::string_view CutAtNul(std::string_view s) {
  const void* nul = std::memchr(s.data(), '\0', s.size());
  if (nul == nullptr) return s;
  return s.substr(0, static_cast<const char*>(nul) - s.data());
}

// "%.<max>s": stops at a NUL byte and after `max` bytes.
std::string_view PrintfString(std::string_view s, size_t max = kMaxQuotedLen) {
  s = CutAtNul(s);
  return s.substr(0, std::min(s.size(), max));
}

void ReplaceNewlines(std::string* s) {
  for (char& c : *s) {
    if (c == '\r' || c == '\n') c = ' ';
  }
}

std::string Uppercase(std::string_view s) {
  std::string upper(s);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

void AppendQuotedArg(std::string_view arg, std::string* args_text) {
  // Redis: sdscatprintf(args, "'%.*s' ", 128 - sdslen(args), arg).
  args_text->push_back('\'');
  args_text->append(PrintfString(arg, kMaxQuotedLen - (args_text->size() - 1)));
  args_text->append("' ");
}

template <typename String>
std::string UnknownCommandImpl(std::string_view name, std::span<const String> args) {
  std::string args_text;
  for (const auto& arg : args) {
    if (args_text.size() >= kMaxQuotedLen) break;
    AppendQuotedArg(std::string_view(arg), &args_text);
  }
  std::string text = "ERR unknown command '";
  text.append(PrintfString(name));
  text.append("', with args beginning with: ");
  text.append(args_text);
  ReplaceNewlines(&text);
  return text;
}

}  // namespace

std::string InvalidExpire(std::string_view command) {
  std::string text = "ERR invalid expire time in '";
  text.append(CutAtNul(command));
  text.append("' command");
  ReplaceNewlines(&text);
  return text;
}

std::string WrongArity(std::string_view full_name) {
  std::string text = "ERR wrong number of arguments for '";
  text.append(CutAtNul(full_name));
  text.append("' command");
  ReplaceNewlines(&text);
  return text;
}

std::string UnknownCommand(std::string_view name, std::span<const std::string_view> args) {
  return UnknownCommandImpl(name, args);
}

std::string UnknownCommand(std::string_view name, std::span<const std::string> args) {
  return UnknownCommandImpl(name, args);
}

std::string UnknownSubcommand(std::string_view command, std::string_view sub) {
  std::string text = "ERR unknown subcommand '";
  text.append(PrintfString(sub));
  text.append("'. Try ");
  text.append(Uppercase(CutAtNul(command)));
  text.append(" HELP.");
  ReplaceNewlines(&text);
  return text;
}

std::string SubcommandSyntaxError(std::string_view command, std::string_view sub) {
  std::string text = "ERR unknown subcommand or wrong number of arguments for '";
  text.append(PrintfString(sub));
  text.append("'. Try ");
  text.append(Uppercase(CutAtNul(command)));
  text.append(" HELP.");
  ReplaceNewlines(&text);
  return text;
}

std::string_view ErrorCode(std::string_view text) {
  // Redis looks for the space among the first 32 bytes of "-<text>".
  const size_t window = std::min<size_t>(text.size(), 31);
  const void* space = std::memchr(text.data(), ' ', window);
  if (space == nullptr) return "ERR";
  return text.substr(0, static_cast<const char*>(space) - text.data());
}

}  // namespace lodestone::protocol
