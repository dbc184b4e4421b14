// RequestParser tests. Every input is fed whole, in two chunks split at every
// byte boundary, and byte by byte, through a driver that behaves like a
// connection (appends what arrives, moves its buffer, drops consumed bytes);
// all ways must give the same commands and the same final state.
#include "protocol/request_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone::protocol {
namespace {

using namespace std::string_literals;
using Command = std::vector<std::string>;

// What a connection sees from a byte stream.
struct Outcome {
  std::vector<Command> commands;  // Empty commands included, as empty vectors.
  std::string error;              // Empty unless the stream ended in kError.
  size_t pending = 0;             // Unconsumed bytes the parser waits on.

  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  os << "{commands:";
  for (const Command& c : o.commands) {
    os << " [";
    for (const std::string& a : c) os << '"' << a << "\" ";
    os << "]";
  }
  return os << " error:\"" << o.error << "\" pending:" << o.pending << "}";
}

// Feeds `input` to a fresh parser in pieces ending at the given cut points.
Outcome Drive(std::string_view input, const std::vector<size_t>& cuts,
              const ParserLimits& limits = {}) {
  RequestParser parser;
  parser.set_limits(limits);
  std::vector<std::string_view> args;
  Outcome outcome;
  std::string buffer;  // Unconsumed bytes, as a connection keeps them.
  size_t fed = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(input.size());
  size_t feeds = 0;
  for (size_t end : ends) {
    if (end < fed) continue;
    // Alternate between growing in place and moving to a new allocation, so
    // a parser holding pointers into an old buffer would be caught (by ASan).
    // Big buffers move less often, to keep the test fast.
    const bool move = ++feeds % 2 == 0 && (buffer.size() < 8192 || feeds % 1024 == 0);
    if (move) {
      std::string moved;
      moved.reserve(buffer.size() + (end - fed) + 1);
      moved.append(buffer).append(input.substr(fed, end - fed));
      buffer.swap(moved);
    } else {
      buffer.append(input.substr(fed, end - fed));
    }
    fed = end;
    while (true) {
      size_t consumed = 12345;
      const ParseStatus status = parser.Parse(buffer, &args, &consumed);
      if (status == ParseStatus::kError) {
        EXPECT_EQ(consumed, 0u);
        outcome.error = parser.error();
        return outcome;
      }
      if (status == ParseStatus::kNeedMore) {
        EXPECT_EQ(consumed, 0u);
        EXPECT_TRUE(args.empty());
        break;
      }
      EXPECT_GT(consumed, 0u);
      EXPECT_LE(consumed, buffer.size());
      outcome.commands.emplace_back(args.begin(), args.end());
      buffer.erase(0, consumed);
    }
  }
  outcome.pending = buffer.size();
  return outcome;
}

// Feeds `input` whole, split in two at every byte, and byte by byte (for long
// inputs: at a sample of boundaries and in small chunks), expecting `expected`
// every time.
void ExpectEverySplit(std::string_view input, const Outcome& expected,
                      const ParserLimits& limits = {}) {
  SCOPED_TRACE(testing::Message() << "input size " << input.size());
  ASSERT_EQ(Drive(input, {}, limits), expected) << "whole";
  const bool exhaustive = input.size() <= 4096;
  const size_t stride = std::max<size_t>(509, input.size() / 256);
  for (size_t cut = 1; cut < input.size(); ++cut) {
    if (!exhaustive && cut > 300 && cut + 300 < input.size() && cut % stride != 0) continue;
    ASSERT_EQ(Drive(input, {cut}, limits), expected) << "split at " << cut;
  }
  std::vector<size_t> cuts;
  const size_t step = exhaustive ? 1 : 7;
  for (size_t cut = step; cut < input.size(); cut += step) cuts.push_back(cut);
  ASSERT_EQ(Drive(input, cuts, limits), expected) << "chunks of " << step;
}

// Encodes a command as a RESP multibulk.
// (Appends piece by piece: "literal" + std::string trips GCC 12's -Wrestrict
// false positive at -O3.)
std::string Resp(std::initializer_list<std::string_view> args) {
  std::string out = "*";
  out.append(std::to_string(args.size())).append("\r\n");
  for (std::string_view a : args) {
    out.append("$").append(std::to_string(a.size())).append("\r\n");
    out.append(a).append("\r\n");
  }
  return out;
}

Outcome Commands(std::vector<Command> commands, size_t pending = 0) {
  return Outcome{std::move(commands), "", pending};
}

Outcome Error(std::vector<Command> commands, std::string error) {
  return Outcome{std::move(commands), std::move(error), 0};
}

// ---- Multibulk -------------------------------------------------------------

// Whole inputs take the one-pass path, split ones the resumable path: on
// mutated requests (headers with odd bytes, wrong lengths, NULs, signs,
// leading zeros) both must agree on every command, error and pending byte.
TEST(RequestParserTest, OnePassAndResumablePathsAgree) {
  const std::string base = Resp({"SET", "key:000000012345", "value"}) + Resp({"GET", ""}) +
                           Resp({"INCRBY", "n", "-12"});
  const char kBytes[] = {'0', '1', '9', '-', '+', '$', '*', '\r', '\n', '\0', 'x', ' '};
  uint64_t seed = 88172645463325252ull;
  auto next = [&seed] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  for (int round = 0; round < 3000; round++) {
    std::string input = base;
    int edits = 1 + int(next() % 3);
    for (int e = 0; e < edits; e++) {
      size_t at = next() % input.size();
      char b = kBytes[next() % sizeof(kBytes)];
      switch (next() % 3) {
        case 0: input[at] = b; break;
        case 1: input.insert(input.begin() + long(at), b); break;
        default: input.erase(at, 1); break;
      }
    }
    SCOPED_TRACE(testing::Message() << "round " << round);
    std::vector<size_t> every_byte;
    for (size_t cut = 1; cut < input.size(); cut++) every_byte.push_back(cut);
    ASSERT_EQ(Drive(input, {}), Drive(input, every_byte));
  }
}

TEST(RequestParserTest, SingleMultibulk) {
  ExpectEverySplit("*1\r\n$4\r\nPING\r\n", Commands({{"PING"}}));
  ExpectEverySplit(Resp({"SET", "key", "value"}), Commands({{"SET", "key", "value"}}));
}

TEST(RequestParserTest, EmptyBulkArgument) {
  ExpectEverySplit(Resp({"SET", "k", ""}), Commands({{"SET", "k", ""}}));
}

TEST(RequestParserTest, BinarySafeBulks) {
  const std::string value = "a\0\r\nb\r\n$3\r\n*1\r\n\0"s;
  ExpectEverySplit(Resp({"SET", "k\0"s, value}), Commands({{"SET", "k\0"s, value}}));
}

TEST(RequestParserTest, Pipeline) {
  const std::string input = Resp({"GET", "a"}) + Resp({"SET", "k", "value"}) + "PING\r\n" +
                            "*0\r\n" + "*-1\r\n" + "\r\n" + Resp({"ECHO", "\r\n"}) + "*-7\r\n";
  ExpectEverySplit(input, Commands({{"GET", "a"},
                                    {"SET", "k", "value"},
                                    {"PING"},
                                    {},
                                    {},
                                    {},
                                    {"ECHO", "\r\n"},
                                    {}}));
}

TEST(RequestParserTest, IncompleteCommandStaysPending) {
  const std::string partial = "*2\r\n$3\r\nfoo\r\n$3\r\nba";
  ExpectEverySplit(partial, Commands({}, partial.size()));
  ExpectEverySplit("*1\r\n$3\r\nfoo\r", Commands({}, 12));  // Trailer incomplete.
  ExpectEverySplit("*1\r", Commands({}, 3));                // Count line's '\r' last.
  ExpectEverySplit("PING\r\n*1\r\n$4\r\nPI", Commands({{"PING"}}, 10));
}

TEST(RequestParserTest, CrlfAfterHeadersAndBulksIsNotChecked) {
  // Redis skips the byte after a header's '\r' and the two bytes after a
  // bulk without looking at them.
  ExpectEverySplit("*2\rX$3\rYfooAB$1\r\nzCD*1\r\n$4\r\nPING\r\n",
                   Commands({{"foo", "z"}, {"PING"}}));
}

TEST(RequestParserTest, LargeBulk) {
  const std::string value(1 << 20, 'v');
  ExpectEverySplit(Resp({"SET", "big", value}) + Resp({"GET", "big"}),
                   Commands({{"SET", "big", value}, {"GET", "big"}}));
}

TEST(RequestParserTest, ManyArguments) {
  std::string input = "*300\r\n";
  Command expected;
  for (int i = 0; i < 300; ++i) {
    const std::string arg = std::to_string(i);
    input.append("$").append(std::to_string(arg.size())).append("\r\n");
    input.append(arg).append("\r\n");
    expected.push_back(arg);
  }
  ExpectEverySplit(input, Commands({expected}));
}

TEST(RequestParserTest, HugeCountWaitsForArguments) {
  ExpectEverySplit("*2147483647\r\n$1\r\na\r\n", Commands({}, 20));
}

// ---- Multibulk errors --------------------------------------------------------

TEST(RequestParserTest, InvalidMultibulkLength) {
  const std::string error = "ERR Protocol error: invalid multibulk length";
  for (const char* input : {"*abc\r\n", "*\r\n", "* 1\r\n", "*+1\r\n", "*01\r\n", "*1 \r\n",
                            "*2147483648\r\n", "*99999999999999999999\r\n", "*-0\r\n",
                            "*1\n\r\n"}) {
    SCOPED_TRACE(input);
    ExpectEverySplit(input, Error({}, error));
  }
  ExpectEverySplit("PING\r\n*x\r\n", Error({{"PING"}}, error));
}

TEST(RequestParserTest, ExpectedDollar) {
  ExpectEverySplit("*1\r\nfoo\r\n", Error({}, "ERR Protocol error: expected '$', got 'f'"));
  ExpectEverySplit("*2\r\n$1\r\na\r\n:1\r\n",
                   Error({}, "ERR Protocol error: expected '$', got ':'"));
  // A CR or LF quoted in the error becomes a space, as in Redis.
  ExpectEverySplit("*1\r\n\r\n", Error({}, "ERR Protocol error: expected '$', got ' '"));
  ExpectEverySplit("*1\r\n\n\r\n", Error({}, "ERR Protocol error: expected '$', got ' '"));
}

TEST(RequestParserTest, InvalidBulkLength) {
  const std::string error = "ERR Protocol error: invalid bulk length";
  for (const char* input : {"*1\r\n$-1\r\n", "*1\r\n$abc\r\n", "*1\r\n$\r\n", "*1\r\n$ 3\r\n",
                            "*1\r\n$3x\r\n", "*1\r\n$03\r\n", "*1\r\n$536870913\r\n",
                            "*1\r\n$9223372036854775808\r\n"}) {
    SCOPED_TRACE(input);
    ExpectEverySplit(input, Error({}, error));
  }
  ExpectEverySplit("*1\r\n$536870912\r\n", Commands({}, 16));  // Exactly the limit.
}

TEST(RequestParserTest, ConfiguredMaxBulkLen) {
  ParserLimits limits;
  limits.max_bulk_len = 10;
  ExpectEverySplit("*1\r\n$11\r\n", Error({}, "ERR Protocol error: invalid bulk length"),
                   limits);
  ExpectEverySplit(Resp({"0123456789"}), Commands({{"0123456789"}}), limits);
}

TEST(RequestParserTest, TooBigMbulkCountString) {
  const std::string error = "ERR Protocol error: too big mbulk count string";
  // More than 64KB without a '\r': Redis gives up.
  ExpectEverySplit("*" + std::string(RequestParser::kMaxInlineSize, '1'), Error({}, error));
  // Exactly 64KB: still waiting.
  ExpectEverySplit("*" + std::string(RequestParser::kMaxInlineSize - 1, '1'),
                   Commands({}, RequestParser::kMaxInlineSize));
}

TEST(RequestParserTest, TooBigBulkCountString) {
  const std::string error = "ERR Protocol error: too big bulk count string";
  // Counted from the start of the bulk header.
  const std::string header = "$" + std::string(RequestParser::kMaxInlineSize, '1');
  ExpectEverySplit("*1\r\n" + header, Error({}, error));
  ExpectEverySplit("*1\r\n" + header.substr(1), Commands({}, 4 + header.size() - 1));
}

TEST(RequestParserTest, NulBeforeHeaderEndBlocksLikeStrchr) {
  // Redis searches for '\r' with strchr, which stops at a NUL byte: the line
  // is never found, and the request fails once 64KB are buffered.
  ExpectEverySplit("*1\0\r\n$1\r\na\r\n"s, Commands({}, 12));
  ExpectEverySplit("*1\r\n$1\0\r\na\r\n"s, Commands({}, 12));
  std::string padded = "*1\0\r\n"s + std::string(RequestParser::kMaxInlineSize, 'x');
  ExpectEverySplit(padded, Error({}, "ERR Protocol error: too big mbulk count string"));
  padded = "*1\r\n$1\0\r\n"s + std::string(RequestParser::kMaxInlineSize, 'x');
  ExpectEverySplit(padded, Error({}, "ERR Protocol error: too big bulk count string"));
}

TEST(RequestParserTest, UnauthenticatedLimits) {
  ParserLimits limits;
  limits.authenticated = false;
  ExpectEverySplit("*11\r\n", Error({}, "ERR Protocol error: unauthenticated multibulk length"),
                   limits);
  ExpectEverySplit("*1\r\n$16385\r\n",
                   Error({}, "ERR Protocol error: unauthenticated bulk length"), limits);
  ExpectEverySplit("*-1\r\n" + Resp({"AUTH", "pw"}), Commands({{}, {"AUTH", "pw"}}), limits);
  const std::string value(16384, 'p');
  ExpectEverySplit(Resp({"a", "b", "c", "d", "e", "f", "g", "h", "i", value}),
                   Commands({{"a", "b", "c", "d", "e", "f", "g", "h", "i", value}}), limits);
  // Checks run in Redis's order: a bad length is reported as such.
  ExpectEverySplit("*1\r\n$-5\r\n", Error({}, "ERR Protocol error: invalid bulk length"),
                   limits);
  // Inline requests have no argument limit.
  ExpectEverySplit("a b c d e f g h i j k l\r\n",
                   Commands({{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}}),
                   limits);
}

// ---- Inline ------------------------------------------------------------------

TEST(RequestParserTest, InlineBasics) {
  ExpectEverySplit("PING\r\n", Commands({{"PING"}}));
  ExpectEverySplit("SET k v\n", Commands({{"SET", "k", "v"}}));
  ExpectEverySplit("  GET \t key  \r\n", Commands({{"GET", "key"}}));
  ExpectEverySplit("PING", Commands({}, 4));
  ExpectEverySplit("PING\r", Commands({}, 5));
}

TEST(RequestParserTest, InlineEmptyLines) {
  ExpectEverySplit("\r\n\n   \r\n\t\n", Commands({{}, {}, {}, {}}));
}

TEST(RequestParserTest, InlineWhitespaceRules) {
  // One trailing '\r' is the line end; another one ends a word.
  ExpectEverySplit("GET a\r\r\n", Commands({{"GET", "a"}}));
  ExpectEverySplit("GET a\rb\n", Commands({{"GET", "a", "b"}}));
  // '\v' and '\f' are skipped between words but do not end one.
  ExpectEverySplit("\va\vb \fc\n", Commands({{"a\vb", "c"}}));
  // Non-ASCII bytes are ordinary.
  ExpectEverySplit("SET \xff\xfe \x80\n", Commands({{"SET", "\xff\xfe", "\x80"}}));
}

TEST(RequestParserTest, InlineQuotesAndEscapes) {
  ExpectEverySplit("SET \"a b\" 'c d'\r\n", Commands({{"SET", "a b", "c d"}}));
  ExpectEverySplit("SET k \"\\x41\\x4a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n",
                   Commands({{"SET", "k", "AJ\n\r\t\b\a\\\"q"}}));
  ExpectEverySplit("SET k 'it\\'s \\n'\n", Commands({{"SET", "k", "it's \\n"}}));
  ExpectEverySplit("SET \"\" ''\n", Commands({{"SET", "", ""}}));
  ExpectEverySplit("ECHO \"\\x00z\"\n", Commands({{"ECHO", "\0z"s}}));
  ExpectEverySplit("a\"b c\"\n", Commands({{"ab c"}}));
}

TEST(RequestParserTest, InlineUnbalancedQuotes) {
  const std::string error = "ERR Protocol error: unbalanced quotes in request";
  for (const char* input : {"SET \"abc\r\n", "SET 'abc\n", "SET \"foo\"bar\n", "'a'b\n"}) {
    SCOPED_TRACE(input);
    ExpectEverySplit(input, Error({}, error));
  }
  ExpectEverySplit("PING\n\"\n", Error({{"PING"}}, error));
}

TEST(RequestParserTest, InlineTooBig) {
  const std::string error = "ERR Protocol error: too big inline request";
  ExpectEverySplit(std::string(RequestParser::kMaxInlineSize + 1, 'a'), Error({}, error));
  ExpectEverySplit(std::string(RequestParser::kMaxInlineSize, 'a'),
                   Commands({}, RequestParser::kMaxInlineSize));
  // A NUL hides the newline from strchr, as in Redis.
  ExpectEverySplit("GET a\0b\n"s, Commands({}, 8));
  ExpectEverySplit("GET a\0b\n"s + std::string(RequestParser::kMaxInlineSize, 'x'),
                   Error({}, error));
}

TEST(RequestParserTest, InlineAndMultibulkMixed) {
  ExpectEverySplit("SET a 1\r\n" + Resp({"INCR", "a"}) + "GET \"a\"\n",
                   Commands({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}}));
}

// ---- Contract details --------------------------------------------------------

bool Within(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

TEST(RequestParserTest, ViewsPointIntoData) {
  RequestParser parser;
  std::vector<std::string_view> args;
  size_t consumed = 0;
  const std::string multibulk = Resp({"SET", "k", "v"});
  ASSERT_EQ(parser.Parse(multibulk, &args, &consumed), ParseStatus::kOk);
  ASSERT_EQ(args.size(), 3u);
  for (std::string_view a : args) EXPECT_TRUE(Within(a, multibulk));

  const std::string plain = "SET k v\r\n";
  ASSERT_EQ(parser.Parse(plain, &args, &consumed), ParseStatus::kOk);
  ASSERT_EQ(args.size(), 3u);
  for (std::string_view a : args) EXPECT_TRUE(Within(a, plain));

  const std::string quoted = "SET \"k\" v\r\n";
  ASSERT_EQ(parser.Parse(quoted, &args, &consumed), ParseStatus::kOk);
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[1], "k");
  EXPECT_FALSE(Within(args[1], quoted));  // Unescaped into parser storage.
}

TEST(RequestParserTest, ArgsCapacityIsReused) {
  RequestParser parser;
  std::vector<std::string_view> args;
  size_t consumed = 0;
  const std::string first = Resp({"a", "b", "c", "d"});
  ASSERT_EQ(parser.Parse(first, &args, &consumed), ParseStatus::kOk);
  const auto* storage = args.data();
  const size_t capacity = args.capacity();
  const std::string second = Resp({"x", "y"});
  ASSERT_EQ(parser.Parse(second, &args, &consumed), ParseStatus::kOk);
  EXPECT_EQ(args.data(), storage);
  EXPECT_EQ(args.capacity(), capacity);
  EXPECT_EQ(args, (std::vector<std::string_view>{"x", "y"}));
}

TEST(RequestParserTest, ResumesFromOffsetsWithoutRescanning) {
  // After kNeedMore the parser trusts the bytes it already read: corrupting
  // them (same length) does not change the result, which proves it resumes
  // from its offsets instead of parsing again from the start.
  RequestParser parser;
  std::vector<std::string_view> args;
  size_t consumed = 0;
  std::string data = "*2\r\n$3\r\nfoo\r\n$3\r\nb";
  ASSERT_EQ(parser.Parse(data, &args, &consumed), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 0u);
  data = "*X\r\n$X\r\nfoo\r\n$3\r\nbar\r\n";
  ASSERT_EQ(parser.Parse(data, &args, &consumed), ParseStatus::kOk);
  EXPECT_EQ(consumed, data.size());
  EXPECT_EQ(args, (std::vector<std::string_view>{"foo", "bar"}));
}

TEST(RequestParserTest, ResetForgetsProgress) {
  RequestParser parser;
  std::vector<std::string_view> args;
  size_t consumed = 0;
  ASSERT_EQ(parser.Parse("*2\r\n$3\r\nfoo\r\n", &args, &consumed), ParseStatus::kNeedMore);
  parser.Reset();
  ASSERT_EQ(parser.Parse("PING\r\n", &args, &consumed), ParseStatus::kOk);
  EXPECT_EQ(consumed, 6u);
  EXPECT_EQ(args, (std::vector<std::string_view>{"PING"}));
}

TEST(RequestParserTest, ParserIsReusableAfterError) {
  RequestParser parser;
  std::vector<std::string_view> args;
  size_t consumed = 0;
  ASSERT_EQ(parser.Parse("*1\r\n$x\r\n", &args, &consumed), ParseStatus::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: invalid bulk length");
  ASSERT_EQ(parser.Parse("*1\r\n$4\r\nPING\r\n", &args, &consumed), ParseStatus::kOk);
  EXPECT_EQ(args, (std::vector<std::string_view>{"PING"}));
}

TEST(RequestParserTest, EmptyDataNeedsMore) {
  RequestParser parser;
  std::vector<std::string_view> args{"stale"};
  size_t consumed = 7;
  EXPECT_EQ(parser.Parse("", &args, &consumed), ParseStatus::kNeedMore);
  EXPECT_EQ(consumed, 0u);
  EXPECT_TRUE(args.empty());
}

TEST(RequestParserTest, LimitsApplyToTheNextHeader) {
  RequestParser parser;
  ParserLimits limits;
  limits.authenticated = false;
  parser.set_limits(limits);
  EXPECT_FALSE(parser.limits().authenticated);
  std::vector<std::string_view> args;
  size_t consumed = 0;
  const std::string auth = Resp({"AUTH", "pw"});
  ASSERT_EQ(parser.Parse(auth, &args, &consumed), ParseStatus::kOk);
  limits.authenticated = true;
  parser.set_limits(limits);
  const std::string big = Resp({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"});
  ASSERT_EQ(parser.Parse(big, &args, &consumed), ParseStatus::kOk);
  EXPECT_EQ(args.size(), 11u);
}

}  // namespace
}  // namespace lodestone::protocol

namespace lodestone::protocol {
namespace {

TEST(PeekArgumentsTest, ArgumentsCountAndSize) {
  std::string_view args[kPeekArgs];
  int64_t count = 0;
  size_t size = 0;
  std::string two = "*2\r\n$3\r\nGET\r\n$5\r\nkey:1\r\n";
  std::string two_then_ping = two + "*1\r\n$4\r\nPING\r\n";  // the views point into it
  ASSERT_TRUE(PeekArguments(two_then_ping, args, &count, &size));
  EXPECT_EQ(count, 2);
  EXPECT_EQ(args[0], "GET");
  EXPECT_EQ(args[1], "key:1");
  EXPECT_EQ(args[2], "");
  EXPECT_EQ(size, two.size());
  std::string five = "*5\r\n$4\r\nHSET\r\n$1\r\nh\r\n$5\r\nfield\r\n$1\r\nv\r\n$2\r\nf2\r\n";
  ASSERT_TRUE(PeekArguments(five, args, &count, &size));
  EXPECT_EQ(count, 5);
  EXPECT_EQ(args[1], "h");
  EXPECT_EQ(args[2], "field");
  EXPECT_EQ(args[3], "v");  // the first kPeekArgs only
  EXPECT_EQ(size, five.size());
  // A ten-argument command with a two-digit bulk length.
  std::string ten = "*10\r\n";
  for (int i = 0; i < 10; i++) ten += "$12\r\nabcdefghijkl\r\n";
  ASSERT_TRUE(PeekArguments(ten, args, &count, &size));
  EXPECT_EQ(count, 10);
  EXPECT_EQ(size, ten.size());
}

// What it sees whole is what Parse returns, for every shape it accepts.
TEST(PeekArgumentsTest, AgreesWithParse) {
  for (std::string text : {"*2\r\n$3\r\nGET\r\n$16\r\nkey:000000012345\r\n"s,
                           "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nxxx\r\n"s,
                           "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$2\r\nf1\r\n$100\r\n" + std::string(100, 'v') + "\r\n"}) {
    std::string_view args[kPeekArgs];
    int64_t count = 0;
    size_t size = 0;
    ASSERT_TRUE(PeekArguments(text, args, &count, &size)) << text;
    RequestParser parser;
    std::vector<std::string_view> parsed;
    size_t consumed = 0;
    ASSERT_EQ(parser.Parse(text, &parsed, &consumed), ParseStatus::kOk);
    EXPECT_EQ(consumed, size);
    ASSERT_EQ(int64_t(parsed.size()), count);
    for (int64_t i = 0; i < count; i++) EXPECT_EQ(parsed[i], args[i]) << i;
  }
}

TEST(PeekArgumentsTest, DeclinesWhatParseMustDecide) {
  std::string_view args[kPeekArgs];
  int64_t count = 0;
  size_t size = 0;
  std::string four = "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$5\r\nfield\r\n$1\r\nv\r\n";
  // Every incomplete prefix.
  for (size_t n = 0; n < four.size(); n++) {
    EXPECT_FALSE(PeekArguments(std::string_view(four).substr(0, n), args, &count, &size)) << n;
  }
  for (std::string_view text : {"*1\r\n$4\r\nPING\r\n", "GET key\r\n", "*2\r\n$3\r\nGET\r\n$0\r\n\r\n",
                                "*2\r\n$3\r\nGET\r\n+x\r\n", "*-1\r\n", "*2\r\n$-1\r\n$1\r\nk\r\n",
                                "*02\r\n$3\r\nGET\r\n$1\r\nk\r\n", "*2\r\n$03\r\nGET\r\n$1\r\nk\r\n"}) {
    EXPECT_FALSE(PeekArguments(text, args, &count, &size)) << text;
  }
}

}  // namespace
}  // namespace lodestone::protocol
