// The Redis error texts Lodestone replies with, kept in one place.
//
// Every text is the full error reply without the leading '-' and without the
// trailing CRLF: it starts with the error code ("ERR", "WRONGTYPE", ...), which
// is what INFO errorstats counts (see ErrorCode). The texts match Redis 7.4 byte
// for byte; errors_test.cc pins each of them. Texts that embed user input are
// built by the functions below, which also apply Redis's sanitising rules
// (truncation, CR/LF replaced by spaces) so the reply is valid RESP.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lodestone::protocol {

// Generic argument errors.
inline constexpr std::string_view kSyntaxError = "ERR syntax error";
inline constexpr std::string_view kNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kValueOutOfRange = "ERR value is out of range";
inline constexpr std::string_view kValueMustBePositive =
    "ERR value is out of range, must be positive";
inline constexpr std::string_view kOutOfRange = "ERR index out of range";
inline constexpr std::string_view kOffsetOutOfRange = "ERR offset is out of range";
inline constexpr std::string_view kTimeoutNotFloat = "ERR timeout is not a float or out of range";
inline constexpr std::string_view kTimeoutNotInteger =
    "ERR timeout is not an integer or out of range";
inline constexpr std::string_view kTimeoutNegative = "ERR timeout is negative";
inline constexpr std::string_view kTimeoutOutOfRange = "ERR timeout is out of range";
inline constexpr std::string_view kInvalidCursor = "ERR invalid cursor";
inline constexpr std::string_view kNoValuesOnlyHscan =
    "ERR NOVALUES option can only be used in HSCAN";
inline constexpr std::string_view kMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kMinMaxNotStringRange =
    "ERR min or max not valid string range item";

// Keyspace and type errors.
inline constexpr std::string_view kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view kNoSuchKey = "ERR no such key";
inline constexpr std::string_view kSameObject =
    "ERR source and destination objects are the same";
inline constexpr std::string_view kBusyKey = "BUSYKEY Target key name already exists.";
// Scripting.
inline constexpr std::string_view kBusyScript =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kBusyFunction =
    "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
inline constexpr std::string_view kNoScript = "NOSCRIPT No matching script. Please use EVAL.";
inline constexpr std::string_view kNotBusy = "NOTBUSY No scripts in execution right now.";
inline constexpr std::string_view kUnkillable =
    "UNKILLABLE Sorry the script already executed write commands against the dataset. You can "
    "either wait the script termination or kill the server in a hard way using the SHUTDOWN "
    "NOSAVE command.";
inline constexpr std::string_view kDbIndexOutOfRange = "ERR DB index is out of range";

// Arithmetic and value-size errors.
inline constexpr std::string_view kIncrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kIncrFloatNaN = "ERR increment would produce NaN or Infinity";
inline constexpr std::string_view kHashValueNotInteger = "ERR hash value is not an integer";
inline constexpr std::string_view kHashValueNotFloat = "ERR hash value is not a float";
inline constexpr std::string_view kScoreNaN = "ERR resulting score is not a number (NaN)";
inline constexpr std::string_view kBitOffset = "ERR bit offset is not an integer or out of range";
inline constexpr std::string_view kBitValue = "ERR bit is not an integer or out of range";
inline constexpr std::string_view kStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

// Authentication.
inline constexpr std::string_view kNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

// Transactions.
inline constexpr std::string_view kNestedMulti = "ERR MULTI calls can not be nested";
inline constexpr std::string_view kExecWithoutMulti = "ERR EXEC without MULTI";
inline constexpr std::string_view kDiscardWithoutMulti = "ERR DISCARD without MULTI";
inline constexpr std::string_view kWatchInsideMulti = "ERR WATCH inside MULTI is not allowed";
inline constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";
inline constexpr std::string_view kNotAllowedInMulti =
    "ERR Command not allowed inside a transaction";

// Server state.
inline constexpr std::string_view kLoading = "LOADING Redis is loading the dataset in memory";
inline constexpr std::string_view kReadOnlyReplica =
    "READONLY You can't write against a read only replica.";
inline constexpr std::string_view kOom =
    "OOM command not allowed when used memory > 'maxmemory'.";
inline constexpr std::string_view kNoProto = "NOPROTO unsupported protocol version";

// "ERR invalid expire time in '<command>' command". `command` is the command's
// full name as the command table spells it (lowercase, e.g. "set", "getex").
std::string InvalidExpire(std::string_view command);

// "ERR wrong number of arguments for '<full_name>' command". For a subcommand
// `full_name` is "parent|sub" ("client|kill"), as in Redis 7.
std::string WrongArity(std::string_view full_name);

// "ERR unknown command '<name>', with args beginning with: 'a' 'b' ". `name` and
// `args` are the request as the client sent it (args excludes the name). Like
// Redis's printf-based formatting, each string stops at its first NUL byte, the
// name is cut to 128 bytes, quoted args are appended while their total is under
// 128 bytes (the last one cut so the total reaches 128), and CR/LF become spaces.
std::string UnknownCommand(std::string_view name, std::span<const std::string_view> args);
std::string UnknownCommand(std::string_view name, std::span<const std::string> args);

// "ERR unknown subcommand '<sub>'. Try <COMMAND> HELP." with `sub` cut to 128
// bytes and `command` uppercased, CR/LF replaced by spaces.
std::string UnknownSubcommand(std::string_view command, std::string_view sub);

// "ERR unknown subcommand or wrong number of arguments for '<sub>'. Try
// <COMMAND> HELP." (Redis's addReplySubcommandSyntaxError).
std::string SubcommandSyntaxError(std::string_view command, std::string_view sub);

// The error code of a full error text, as INFO errorstats counts it: the bytes
// before the first space, looked for among the first 31 bytes; "ERR" when there
// is no space there. The returned view points into `text` or at a literal.
std::string_view ErrorCode(std::string_view text);

}  // namespace lodestone::protocol
