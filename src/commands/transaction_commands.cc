// Transaction commands: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The state and
// the cross-shard work live in engine/transaction.h; these rows only give
// the commands their table entries. All run on the calling client's thread:
// every row but UNWATCH is kTransactionControl (executed at once inside
// MULTI, after everything before it in the pipeline), and WATCH's key spec
// serves COMMAND and GETKEYS only.
#include "commands/command_util.h"
#include "commands/register.h"
#include "engine/client.h"

namespace lodestone {
namespace {

// MULTI
void Multi(CommandContext& ctx) { ctx.client->transaction().Multi(ctx); }

// EXEC
void Exec(CommandContext& ctx) { ctx.client->transaction().Exec(ctx); }

// DISCARD
void Discard(CommandContext& ctx) { ctx.client->transaction().Discard(ctx); }

// WATCH key [key ...]
void Watch(CommandContext& ctx) { ctx.client->transaction().Watch(ctx); }

// UNWATCH
void Unwatch(CommandContext& ctx) { ctx.client->transaction().Unwatch(ctx); }

constexpr uint64_t kTx = kNoScript | kLoading | kStale | kClientState;

}  // namespace

void RegisterTransactionCommands(CommandTable& table) {
  table.Add(Row("multi", 1, kTx | kFast | kAllowBusy | kTransactionControl, "transactions", Multi,
                {}, {"Starts a transaction.", "1.2.0", "O(1)"}, {"transaction"}));
  table.Add(Row("exec", 1, kTx | kSkipSlowlog | kTransactionControl, "transactions", Exec, {},
                {"Executes all commands in a transaction.", "1.2.0",
                 "Depends on commands in the transaction"},
                {"transaction"}));
  table.Add(Row("discard", 1, kTx | kFast | kAllowBusy | kTransactionControl, "transactions",
                Discard, {},
                {"Discards a transaction.", "2.0.0",
                 "O(N), when N is the number of queued commands"},
                {"transaction"}));
  table.Add(Row("watch", -2, kTx | kFast | kAllowBusy | kTransactionControl, "transactions", Watch,
                {KeysAt(1, -1, 1, kKsRO)},
                {"Monitors changes to keys to determine the execution of a transaction.", "2.2.0",
                 "O(1) for every key."},
                {"transaction"}));
  table.Add(Row("unwatch", 1, kTx | kFast | kAllowBusy, "transactions", Unwatch, {},
                {"Forgets about watched keys of a transaction.", "2.2.0", "O(1)"},
                {"transaction"}));
}

}  // namespace lodestone
