// ACL enforcement: the bridge between the command table and the ACL rules
// of src/acl (which know nothing of CommandSpec).
//
// Cost on the command path: Client::Dispatch compares the client's
// acl_free_generation with the registry's generation (one relaxed load).
// They are equal while the client's user may run anything and no user has
// changed since that was established; only otherwise is AclAllows called.
// The user's rules are then read from the client's cached shared_ptr; the
// registry's mutex is taken only after a change, to look the user up again.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "acl/command_catalog.h"
#include "acl/user.h"
#include "acl/user_registry.h"

namespace lodestone {

class Client;
class CommandTable;
class Engine;
struct CommandSpec;

// The catalog of every row of `table` (ids are CommandSpec::id).
acl::CommandCatalog BuildAclCatalog(const CommandTable& table);

// Checks `spec` with `args` against the client's user. On refusal logs it
// (ACL LOG, with `context`) and sets *error to the NOPERM reply. Also sets
// the client's acl_free_generation when its user turns out unrestricted.
// The log's client-info shows the client's last_command as cmd=.
// Client's thread only, or with the client's shard held.
bool AclAllows(Client& client, const CommandSpec& spec, const std::vector<std::string_view>& args,
               acl::LogContext context, std::string* error);

// Like AclAllows without logging or side effects on the client: the
// verdict of `user` for the command (ACL DRYRUN, redis.acl_check_cmd).
// *errpos is the offending argument.
acl::Denial AclCheckUser(const Engine& engine, const acl::User& user, const CommandSpec& spec,
                         const std::vector<std::string_view>& args, int* errpos);

// Whether the client's user may run the command with read access to every
// key (SORT's BY and GET patterns reach keys not named in the arguments).
bool AclMayReadAnyKey(Client& client, const CommandSpec& spec,
                      const std::vector<std::string_view>& args);

// The NOPERM text (without "NOPERM ") Redis gives for a refusal; `verbose`
// names the key or channel (ACL DRYRUN).
std::string AclDenialMessage(acl::Denial denial, const std::string& username,
                             const CommandSpec& spec, std::string_view arg, bool verbose);

// A blocked command about to be served (on the key's shard, away from its
// client): false, with the NOPERM reply in *error, when the user (`bc`'s)
// may no longer run it, as Redis rejects a blocked command it reprocesses
// after a permission change. Cheap while the user was unrestricted at block
// time and no user changed since.
struct BlockedClient;
bool AclAllowsBlocked(Engine& engine, const BlockedClient& bc,
                      const std::vector<std::string_view>& args, std::string* error);

// Records a failed AUTH/HELLO for `username` in the ACL log.
void AclLogAuthFailure(Client& client, std::string_view command, std::string_view username);

// Sets the client's user after a successful AUTH (authenticated, cached
// rules refreshed on the next command).
void AclSetClientUser(Client& client, std::string_view username);

}  // namespace lodestone
