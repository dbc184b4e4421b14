// Pins every error text to the bytes Redis 7.4 sends.
#include "protocol/errors.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace lodestone::protocol {
namespace {

using namespace std::string_view_literals;

TEST(ErrorsTest, Constants) {
  EXPECT_EQ(kSyntaxError, "ERR syntax error");
  EXPECT_EQ(kWrongType, "WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(kNotInteger, "ERR value is not an integer or out of range");
  EXPECT_EQ(kNotFloat, "ERR value is not a valid float");
  EXPECT_EQ(kValueOutOfRange, "ERR value is out of range");
  EXPECT_EQ(kValueMustBePositive, "ERR value is out of range, must be positive");
  EXPECT_EQ(kOutOfRange, "ERR index out of range");
  EXPECT_EQ(kOffsetOutOfRange, "ERR offset is out of range");
  EXPECT_EQ(kTimeoutNotFloat, "ERR timeout is not a float or out of range");
  EXPECT_EQ(kTimeoutNotInteger, "ERR timeout is not an integer or out of range");
  EXPECT_EQ(kTimeoutNegative, "ERR timeout is negative");
  EXPECT_EQ(kTimeoutOutOfRange, "ERR timeout is out of range");
  EXPECT_EQ(kInvalidCursor, "ERR invalid cursor");
  EXPECT_EQ(kNoValuesOnlyHscan, "ERR NOVALUES option can only be used in HSCAN");
  EXPECT_EQ(kMinMaxNotFloat, "ERR min or max is not a float");
  EXPECT_EQ(kMinMaxNotStringRange, "ERR min or max not valid string range item");
  EXPECT_EQ(kNoSuchKey, "ERR no such key");
  EXPECT_EQ(kSameObject, "ERR source and destination objects are the same");
  EXPECT_EQ(kBusyKey, "BUSYKEY Target key name already exists.");
  EXPECT_EQ(kDbIndexOutOfRange, "ERR DB index is out of range");
  EXPECT_EQ(kIncrOverflow, "ERR increment or decrement would overflow");
  EXPECT_EQ(kIncrFloatNaN, "ERR increment would produce NaN or Infinity");
  EXPECT_EQ(kHashValueNotInteger, "ERR hash value is not an integer");
  EXPECT_EQ(kHashValueNotFloat, "ERR hash value is not a float");
  EXPECT_EQ(kScoreNaN, "ERR resulting score is not a number (NaN)");
  EXPECT_EQ(kBitOffset, "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(kBitValue, "ERR bit is not an integer or out of range");
  EXPECT_EQ(kStringTooLong, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(kNoAuth, "NOAUTH Authentication required.");
  EXPECT_EQ(kWrongPass, "WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_EQ(kNestedMulti, "ERR MULTI calls can not be nested");
  EXPECT_EQ(kExecWithoutMulti, "ERR EXEC without MULTI");
  EXPECT_EQ(kDiscardWithoutMulti, "ERR DISCARD without MULTI");
  EXPECT_EQ(kWatchInsideMulti, "ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(kExecAbort, "EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(kNotAllowedInMulti, "ERR Command not allowed inside a transaction");
  EXPECT_EQ(kLoading, "LOADING Redis is loading the dataset in memory");
  EXPECT_EQ(kReadOnlyReplica, "READONLY You can't write against a read only replica.");
  EXPECT_EQ(kOom, "OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(kNoProto, "NOPROTO unsupported protocol version");
}

TEST(ErrorsTest, InvalidExpire) {
  EXPECT_EQ(InvalidExpire("set"), "ERR invalid expire time in 'set' command");
  EXPECT_EQ(InvalidExpire("getex"), "ERR invalid expire time in 'getex' command");
}

TEST(ErrorsTest, WrongArity) {
  EXPECT_EQ(WrongArity("get"), "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(WrongArity("client|kill"),
            "ERR wrong number of arguments for 'client|kill' command");
}

TEST(ErrorsTest, UnknownCommandWithoutArgs) {
  EXPECT_EQ(UnknownCommand("foo", std::vector<std::string_view>{}),
            "ERR unknown command 'foo', with args beginning with: ");
}

TEST(ErrorsTest, UnknownCommandQuotesEachArg) {
  std::vector<std::string_view> args = {"a", "b c", ""};
  EXPECT_EQ(UnknownCommand("FOO", args),
            "ERR unknown command 'FOO', with args beginning with: 'a' 'b c' '' ");
  std::vector<std::string> owned = {"x", "y"};
  EXPECT_EQ(UnknownCommand("bar", owned),
            "ERR unknown command 'bar', with args beginning with: 'x' 'y' ");
}

TEST(ErrorsTest, UnknownCommandTruncatesName) {
  const std::string name(200, 'n');
  EXPECT_EQ(UnknownCommand(name, std::vector<std::string_view>{}),
            "ERR unknown command '" + std::string(128, 'n') + "', with args beginning with: ");
}

TEST(ErrorsTest, UnknownCommandArgsBudget) {
  // First arg: 100 bytes -> args text "'<100>' " (103 bytes). Second gets
  // precision 128 - 103 = 25 bytes. Then the text is 131 >= 128: stop.
  const std::string a(100, 'a');
  const std::string b(50, 'b');
  const std::string c = "never";
  std::vector<std::string_view> args = {a, b, c};
  EXPECT_EQ(UnknownCommand("x", args), "ERR unknown command 'x', with args beginning with: '" +
                                           a + "' '" + std::string(25, 'b') + "' ");
}

TEST(ErrorsTest, UnknownCommandLongFirstArg) {
  // A single arg longer than 128 bytes is cut to 128 ("%.128s").
  const std::string a(300, 'a');
  std::vector<std::string_view> args = {a, "b"};
  EXPECT_EQ(UnknownCommand("x", args),
            "ERR unknown command 'x', with args beginning with: '" + std::string(128, 'a') + "' ");
}

TEST(ErrorsTest, UnknownCommandExactBudget) {
  // "'<123>' " is 126 bytes: under 128, so the next arg is added with
  // precision 2.
  const std::string a(123, 'a');
  std::vector<std::string_view> args = {a, "bcdef", "g"};
  EXPECT_EQ(UnknownCommand("x", args),
            "ERR unknown command 'x', with args beginning with: '" + a + "' 'bc' ");
}

TEST(ErrorsTest, UnknownCommandSanitises) {
  std::vector<std::string_view> args = {"a\r\nb", "c\0d"sv};
  EXPECT_EQ(UnknownCommand("f\no\0zz"sv, args),
            "ERR unknown command 'f o', with args beginning with: 'a  b' 'c' ");
}

TEST(ErrorsTest, UnknownSubcommand) {
  EXPECT_EQ(UnknownSubcommand("client", "foo"),
            "ERR unknown subcommand 'foo'. Try CLIENT HELP.");
  EXPECT_EQ(UnknownSubcommand("Config", "x\r\ny"),
            "ERR unknown subcommand 'x  y'. Try CONFIG HELP.");
  const std::string sub(200, 's');
  EXPECT_EQ(UnknownSubcommand("object", sub),
            "ERR unknown subcommand '" + std::string(128, 's') + "'. Try OBJECT HELP.");
}

TEST(ErrorsTest, SubcommandSyntaxError) {
  EXPECT_EQ(SubcommandSyntaxError("xinfo", "stream"),
            "ERR unknown subcommand or wrong number of arguments for 'stream'. Try XINFO HELP.");
}

TEST(ErrorsTest, ErrorCode) {
  EXPECT_EQ(ErrorCode(kSyntaxError), "ERR");
  EXPECT_EQ(ErrorCode(kWrongType), "WRONGTYPE");
  EXPECT_EQ(ErrorCode(kNoAuth), "NOAUTH");
  EXPECT_EQ(ErrorCode("ERR"), "ERR");                            // No space: ERR.
  EXPECT_EQ(ErrorCode(""), "ERR");
  EXPECT_EQ(ErrorCode(std::string(30, 'X') + " y"), std::string(30, 'X'));
  EXPECT_EQ(ErrorCode(std::string(31, 'X') + " y"), "ERR");      // Past the window.
  EXPECT_EQ(ErrorCode("MYCODE"), "ERR");
}

}  // namespace
}  // namespace lodestone::protocol
