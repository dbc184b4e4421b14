// WAIT and WAITAOF: wait until writes reach replicas (and, for WAITAOF, the
// local AOF). Lodestone has neither replicas nor an AOF yet, so nothing ever
// acknowledges: a wait that asks for acknowledgements blocks until its
// timeout (0 = forever, or CLIENT UNBLOCK) and then answers the counts,
// which are 0, exactly as Redis answers with no replica connected. Inside
// MULTI and scripts the commands never block and answer at once.
#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"

namespace lodestone {
namespace {

// Redis's getTimeoutFromObjectOrReply for milliseconds.
bool ParseWaitTimeout(CommandContext& ctx, std::string_view arg, int64_t* timeout_ms) {
  if (!ParseInt64(arg, timeout_ms)) {
    ctx.reply.Error(protocol::kNotInteger);
    return false;
  }
  if (*timeout_ms < 0) {
    ctx.reply.Error("ERR timeout is negative");
    return false;
  }
  return true;
}

// Blocks for `timeout_ms` with `reply` as the answer on timeout; false when
// the client cannot block (MULTI, scripts).
bool WaitForAcks(CommandContext& ctx, int64_t timeout_ms, std::string reply) {
  if (!ctx.BlockOn({}, timeout_ms)) return false;
  ctx.block->timeout_reply = std::move(reply);
  return true;
}

// WAIT numreplicas timeout
void Wait(CommandContext& ctx) {
  int64_t numreplicas, timeout_ms;
  if (!ParseInt64(ctx.arg(1), &numreplicas)) return ctx.reply.Error(protocol::kNotInteger);
  if (!ParseWaitTimeout(ctx, ctx.arg(2), &timeout_ms)) return;
  constexpr int64_t kAcked = 0;  // no replicas
  if (kAcked >= numreplicas || !WaitForAcks(ctx, timeout_ms, ":0\r\n")) {
    ctx.reply.Integer(kAcked);
  }
}

// WAITAOF numlocal numreplicas timeout
void WaitAof(CommandContext& ctx) {
  int64_t numlocal, numreplicas, timeout_ms;
  if (!ParseInt64(ctx.arg(1), &numlocal)) return ctx.reply.Error(protocol::kNotInteger);
  if (numlocal < 0 || numlocal > 1) {
    return ctx.reply.Error("ERR value is out of range, value must between 0 and 1");
  }
  if (!ParseInt64(ctx.arg(2), &numreplicas)) return ctx.reply.Error(protocol::kNotInteger);
  if (numreplicas < 0) return ctx.reply.Error("ERR value is out of range, must be positive");
  if (!ParseWaitTimeout(ctx, ctx.arg(3), &timeout_ms)) return;
  if (numlocal > 0 && !ctx.config().appendonly) {
    return ctx.reply.Error(
        "ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.");
  }
  // Nothing is fsynced to an AOF nor acknowledged by a replica yet.
  constexpr int64_t kAckedLocal = 0, kAckedReplicas = 0;
  bool satisfied = kAckedLocal >= numlocal && kAckedReplicas >= numreplicas;
  if (satisfied || !WaitForAcks(ctx, timeout_ms, "*2\r\n:0\r\n:0\r\n")) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(kAckedLocal);
    ctx.reply.Integer(kAckedReplicas);
  }
}

}  // namespace

void RegisterWaitCommands(CommandTable& table) {
  table.Add(Row("wait", 3, kBlocking, "generic", Wait, {},
                {"Blocks until the asynchronous replication of all preceding write commands "
                 "sent by the connection is completed.",
                 "3.0.0", "O(1)"},
                {"connection"}));
  table.Add(Row("waitaof", 4, kBlocking, "generic", WaitAof, {},
                {"Blocks until all of the preceding write commands sent by the connection are "
                 "written to the append-only file of the master and/or replicas.",
                 "7.2.0", "O(1)"},
                {"connection"}));
}

}  // namespace lodestone
