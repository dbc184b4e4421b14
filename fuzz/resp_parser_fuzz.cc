// libFuzzer target for protocol::RequestParser.
//
// Input layout: byte 0 holds flags, byte 1 seeds the chunk sizes, the rest is
// the byte stream a client sends. The stream is fed the way a connection feeds
// it (chunks appended to a buffer that sometimes moves, consumed bytes
// dropped), and these invariants are checked:
//   - kOk consumes 1..size bytes; kNeedMore and kError consume nothing;
//   - every argument view lies inside the buffer, except words of an inline
//     line with quotes, which lie in parser storage (read here, so ASan checks);
//   - inline words viewed in place equal SplitArgs() of the line;
//   - a protocol error is a one-line "ERR Protocol error: ..." text;
//   - the commands and final state do not depend on how the stream was split
//     (true below the 64KB limits, i.e. for every input with -max_len=4096).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "common/split_args.h"
#include "protocol/request_parser.h"

namespace {

using lodestone::protocol::ParserLimits;
using lodestone::protocol::ParseStatus;
using lodestone::protocol::RequestParser;

struct Outcome {
  std::vector<std::vector<std::string>> commands;
  std::string error;
  size_t pending = 0;
  bool operator==(const Outcome&) const = default;
};

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

bool Within(std::string_view part, std::string_view whole) {
  const auto p = reinterpret_cast<uintptr_t>(part.data());
  const auto w = reinterpret_cast<uintptr_t>(whole.data());
  return p >= w && p + part.size() <= w + whole.size();
}

void CheckCommand(std::string_view buffer, size_t consumed,
                  const std::vector<std::string_view>& args) {
  const bool multibulk = buffer[0] == '*';
  // The line of an inline command, without its "\n" or "\r\n".
  std::string_view line = buffer.substr(0, consumed - 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const bool quoted = line.find_first_of("\"'") != std::string_view::npos;
  uint8_t sum = 0;
  for (std::string_view arg : args) {
    for (char c : arg) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
    if (multibulk || !quoted) {
      Check(Within(arg, buffer.substr(0, consumed)), "argument view outside the command");
    }
  }
  (void)sum;
  if (!multibulk) {
    Check(buffer[consumed - 1] == '\n', "inline command does not end at a newline");
    if (!quoted) {
      std::vector<std::string> words;
      Check(lodestone::SplitArgs(line, &words), "SplitArgs rejects an unquoted line");
      Check(words.size() == args.size(), "inline word count differs from SplitArgs");
      for (size_t i = 0; i < words.size(); ++i) {
        Check(words[i] == args[i], "inline word differs from SplitArgs");
      }
    }
  }
}

// Feeds `input` in chunks whose sizes come from `seed` (one chunk if 0).
Outcome Drive(std::string_view input, const ParserLimits& limits, uint32_t seed,
              size_t max_chunk) {
  RequestParser parser;
  parser.set_limits(limits);
  std::vector<std::string_view> args;
  Outcome outcome;
  std::string buffer;
  size_t fed = 0;
  uint32_t state = seed | 1;
  while (fed < input.size()) {
    size_t chunk = input.size() - fed;
    if (seed != 0) {
      state ^= state << 13;  // xorshift32
      state ^= state >> 17;
      state ^= state << 5;
      chunk = std::min(chunk, 1 + state % max_chunk);
    }
    if (state & 0x100) {
      std::string moved;
      moved.reserve(buffer.size() + chunk);
      moved.append(buffer).append(input.substr(fed, chunk));
      buffer.swap(moved);
    } else {
      buffer.append(input.substr(fed, chunk));
    }
    fed += chunk;
    while (true) {
      size_t consumed = 1;
      const ParseStatus status = parser.Parse(buffer, &args, &consumed);
      if (status == ParseStatus::kError) {
        Check(consumed == 0, "kError consumed bytes");
        const std::string& error = parser.error();
        Check(error.rfind("ERR Protocol error: ", 0) == 0, "unexpected error text");
        Check(error.find_first_of("\r\n") == std::string::npos, "error text has CR/LF");
        outcome.error = error;
        return outcome;
      }
      if (status == ParseStatus::kNeedMore) {
        Check(consumed == 0, "kNeedMore consumed bytes");
        Check(args.empty(), "kNeedMore left arguments");
        break;
      }
      Check(consumed > 0 && consumed <= buffer.size(), "kOk consumed out of range");
      CheckCommand(buffer, consumed, args);
      outcome.commands.emplace_back(args.begin(), args.end());
      buffer.erase(0, consumed);
    }
  }
  outcome.pending = buffer.size();
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  ParserLimits limits;
  limits.authenticated = (flags & 1) == 0;
  if (flags & 2) limits.max_bulk_len = 64;
  static constexpr size_t kMaxChunks[] = {1, 2, 3, 7, 16, 64, 256, 4096};
  const size_t max_chunk = kMaxChunks[(flags >> 2) & 7];
  const uint32_t seed = data[1] | (static_cast<uint32_t>(flags) << 8);
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);

  const Outcome split = Drive(input, limits, seed, max_chunk);
  if (input.size() <= RequestParser::kMaxInlineSize) {
    const Outcome whole = Drive(input, limits, 0, 0);
    Check(split == whole, "result depends on how the input was split");
  }
  return 0;
}
