// CLUSTER, READONLY, READWRITE and ASKING on a server without cluster mode:
// every one answers Redis's "cluster support disabled" error, as Redis does
// when cluster-enabled is no. The rows exist so that the flags of each
// subcommand hold (CLUSTER RESET may not run from a script, ACL rules can
// name them) and COMMAND lists them.
#include <string_view>

#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"

namespace lodestone {
namespace {

constexpr std::string_view kClusterDisabled = "ERR This instance has cluster support disabled";

void ClusterDisabled(CommandContext& ctx) { ctx.reply.Error(kClusterDisabled); }

struct Sub {
  const char* name;
  int arity;
  uint64_t flags;
  const char* summary;
};

constexpr uint64_t kAdm = kAdmin | kStale;
constexpr uint64_t kAdmNoLoad = kNoAsyncLoading | kAdmin | kStale;

const Sub kSubcommands[] = {
    {"addslots", -3, kAdmNoLoad, "Assigns slots to this node."},
    {"addslotsrange", -4, kAdmNoLoad, "Assigns ranges of slots to this node."},
    {"bumpepoch", 2, kAdmNoLoad, "Advances this node's config epoch."},
    {"count-failure-reports", 3, kAdm, "Counts the failure reports about a node."},
    {"countkeysinslot", 3, kStale, "Counts the keys in a slot."},
    {"delslots", -3, kAdmNoLoad, "Unassigns slots from this node."},
    {"delslotsrange", -4, kAdmNoLoad, "Unassigns ranges of slots from this node."},
    {"failover", -2, kAdmNoLoad, "Makes a replica take over from its master."},
    {"flushslots", 2, kAdmNoLoad, "Unassigns every slot of this node."},
    {"forget", 3, kAdmNoLoad, "Removes a node from this node's table."},
    {"getkeysinslot", 4, kStale, "Lists key names in a slot."},
    {"help", 2, kLoading | kStale, "Lists the CLUSTER subcommands."},
    {"info", 2, kStale, "Reports the state of the cluster."},
    {"keyslot", 3, kStale, "Gives a key's hash slot."},
    {"links", 2, kStale, "Lists this node's cluster bus links."},
    {"meet", -4, kAdmNoLoad, "Joins another node to the cluster."},
    {"myid", 2, kStale, "Gives this node's id."},
    {"myshardid", 2, kStale, "Gives this node's shard id."},
    {"nodes", 2, kStale, "Describes every node, in the nodes.conf format."},
    {"replicas", 3, kAdm, "Lists the replicas of a master."},
    {"replicate", 3, kAdmNoLoad, "Makes this node a replica of a master."},
    {"reset", -2, kAdm | kNoScript, "Resets this node's cluster state."},
    {"saveconfig", 2, kAdmNoLoad, "Writes the cluster configuration to disk."},
    {"set-config-epoch", 3, kAdmNoLoad, "Sets this node's config epoch."},
    {"setslot", -4, kAdmNoLoad, "Binds a slot to a node."},
    {"shards", 2, kLoading | kStale, "Describes the cluster's shards."},
    {"slaves", 3, kAdm, "Lists the replicas of a master (old name)."},
    {"slots", 2, kLoading | kStale, "Maps slot ranges to nodes."},
};

}  // namespace

void RegisterClusterCommands(CommandTable& table) {
  CommandSpec& cluster = table.Add(Row("cluster", -2, 0, "cluster", ContainerHelpHint, {},
                                       {"A container for Redis Cluster commands.", "3.0.0",
                                        "Depends on subcommand."}));
  for (const Sub& sub : kSubcommands) {
    table.AddSubcommand(cluster, Row(sub.name, sub.arity, sub.flags, "cluster", ClusterDisabled,
                                     {}, {sub.summary, "3.0.0", "O(1)"}));
  }
  const uint64_t conn = kFast | kLoading | kStale;
  table.Add(Row("readonly", 1, conn, "cluster", ClusterDisabled, {},
                {"Allows reads from a cluster replica.", "3.0.0", "O(1)"}, {"connection"}));
  table.Add(Row("readwrite", 1, conn, "cluster", ClusterDisabled, {},
                {"Turns READONLY off.", "3.0.0", "O(1)"}, {"connection"}));
  table.Add(Row("asking", 1, kFast, "cluster", ClusterDisabled, {},
                {"Lets the next command reach an importing slot.", "3.0.0", "O(1)"},
                {"connection"}));
}

}  // namespace lodestone
