#include "engine/acl_check.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "common/clock.h"
#include "common/strings.h"
#include "engine/blocking.h"
#include "engine/client.h"
#include "engine/client_info.h"
#include "engine/command_table.h"
#include "engine/engine.h"
#include "engine/shard.h"
#include "server/config.h"

namespace lodestone {
namespace {

uint64_t CategoryMask(const CommandSpec& spec) {
  uint64_t mask = 0;
  for (const std::string& cat : spec.acl_categories) mask |= acl::CategoryBit(cat);
  return mask;
}

// Key specs with variable flags take them from the arguments, as Redis's
// getkeys procs do: SET reads its key only with GET, BITFIELD writes only
// with SET or INCRBY.
int VariableNeeds(const CommandSpec& spec, const std::vector<std::string_view>& args, int needs) {
  if (spec.name == "set") {
    for (size_t i = 3; i < args.size(); i++) {
      if (EqualsIgnoreCase(args[i], "get")) return needs;
    }
    return acl::kKeyWrite;
  }
  if (spec.name == "bitfield") {
    for (size_t i = 2; i < args.size(); i++) {
      if (EqualsIgnoreCase(args[i], "set") || EqualsIgnoreCase(args[i], "incrby")) return needs;
    }
    return acl::kKeyRead;
  }
  return needs;
}

// Key arguments and what each needs: read for key specs that access the
// value, write for those that insert, delete or update (Redis's rules).
void KeysOf(const CommandSpec& spec, const std::vector<std::string_view>& args,
            std::vector<acl::KeyAccess>* out) {
  if (spec.key_specs.empty() && spec.get_keys == nullptr) return;
  std::vector<KeyRef> refs;
  GetKeyRefs(spec, args, &refs);
  for (const KeyRef& ref : refs) {
    int needs = 0;
    if (ref.flags & kKsAccess) needs |= acl::kKeyRead;
    if (ref.flags & (kKsInsert | kKsDelete | kKsUpdate)) needs |= acl::kKeyWrite;
    if (ref.flags & kKsVariableFlags) needs = VariableNeeds(spec, args, needs);
    out->push_back(acl::KeyAccess{ref.pos, needs});
  }
}

// Channels published or subscribed to (unsubscribing needs no right).
void ChannelsOf(const CommandSpec& spec, const std::vector<std::string_view>& args,
                std::vector<acl::ChannelAccess>* out) {
  if (!(spec.flags & kPubSub)) return;
  const std::string& n = spec.name;
  if (n == "publish" || n == "spublish") {
    out->push_back(acl::ChannelAccess{1, false});
  } else if (n == "subscribe" || n == "ssubscribe" || n == "psubscribe") {
    for (int i = 1; i < int(args.size()); i++) {
      out->push_back(acl::ChannelAccess{i, n == "psubscribe"});
    }
  }
}

}  // namespace

acl::CommandCatalog BuildAclCatalog(const CommandTable& table) {
  acl::CommandCatalog catalog;
  for (const CommandSpec* spec : table.all()) {
    int parent = spec->parent != nullptr ? spec->parent->id : -1;
    catalog.Add(spec->name, CategoryMask(*spec), parent, (spec->flags & kNoAuth) != 0);
  }
  return catalog;
}

acl::Denial AclCheckUser(const Engine& engine, const acl::User& user, const CommandSpec& spec,
                         const std::vector<std::string_view>& args, int* errpos) {
  std::vector<acl::KeyAccess> keys;
  std::vector<acl::ChannelAccess> channels;
  KeysOf(spec, args, &keys);
  ChannelsOf(spec, args, &channels);
  Engine& e = const_cast<Engine&>(engine);
  return user.Check(e.acl().catalog(), spec.id, args, keys, channels, errpos);
}

bool AclMayReadAnyKey(Client& client, const CommandSpec& spec,
                      const std::vector<std::string_view>& args) {
  Engine& engine = client.shard().engine();
  if (client.acl_free_generation == engine.acl().generation()) return true;
  std::shared_ptr<const acl::User> user = engine.acl().Find(client.user);
  if (user == nullptr) return false;
  std::vector<acl::KeyAccess> keys;
  std::vector<acl::ChannelAccess> channels;
  KeysOf(spec, args, &keys);
  return user->AllowsWithAllKeys(engine.acl().catalog(), spec.id, args, keys, channels,
                                 acl::kKeyRead);
}

std::string AclDenialMessage(acl::Denial denial, const std::string& username,
                             const CommandSpec& spec, std::string_view arg, bool verbose) {
  switch (denial) {
    case acl::Denial::kKey:
      if (verbose) {
        return "User " + username + " has no permissions to access the '" + std::string(arg) +
               "' key";
      }
      return "No permissions to access a key";
    case acl::Denial::kChannel:
      if (verbose) {
        return "User " + username + " has no permissions to access the '" + std::string(arg) +
               "' channel";
      }
      return "No permissions to access a channel";
    default:
      return "User " + username + " has no permissions to run the '" + spec.name + "' command";
  }
}

bool AclAllows(Client& client, const CommandSpec& spec, const std::vector<std::string_view>& args,
               acl::LogContext context, std::string* error) {
  Engine& engine = client.shard().engine();
  acl::UserRegistry& registry = engine.acl();
  uint64_t generation = registry.generation();
  if (client.acl_user_generation != generation) {
    client.acl_user = registry.Find(client.user);
    client.acl_user_generation = generation;
  }
  const acl::User* user = client.acl_user.get();
  if (user != nullptr && user->Unrestricted()) {
    client.acl_free_generation = generation;
    return true;
  }
  int errpos = 0;
  acl::Denial denial = acl::Denial::kCommand;
  if (user != nullptr) denial = AclCheckUser(engine, *user, spec, args, &errpos);
  if (denial == acl::Denial::kNone) return true;

  acl::LogEntry entry;
  entry.reason = denial;
  entry.context = context;
  entry.object = denial == acl::Denial::kCommand ? spec.name : std::string(args[errpos]);
  entry.username = client.user;
  entry.created_ms = WallTimeMs();
  entry.client_info = ClientInfoLine(client, entry.created_ms);
  registry.Log(std::move(entry), engine.config().acllog_max_len);
  *error = "NOPERM " + AclDenialMessage(denial, client.user, spec, args[errpos], false);
  return false;
}

bool AclAllowsBlocked(Engine& engine, const BlockedClient& bc,
                      const std::vector<std::string_view>& args, std::string* error) {
  acl::UserRegistry& registry = engine.acl();
  if (bc.acl_unrestricted && registry.generation() == bc.acl_generation) return true;
  std::shared_ptr<const acl::User> user = registry.Find(bc.username);
  if (user != nullptr && user->Unrestricted()) return true;
  int errpos = 0;
  acl::Denial denial = acl::Denial::kCommand;
  if (user != nullptr) denial = AclCheckUser(engine, *user, *bc.spec, args, &errpos);
  if (denial == acl::Denial::kNone) return true;
  *error = "NOPERM " + AclDenialMessage(denial, bc.username, *bc.spec, args[errpos], false);
  return false;
}

void AclLogAuthFailure(Client& client, std::string_view command, std::string_view username) {
  Engine& engine = client.shard().engine();
  acl::LogEntry entry;
  entry.reason = acl::Denial::kAuth;
  entry.context = acl::LogContext::kToplevel;
  entry.object = std::string(command);
  entry.username = std::string(username);
  entry.created_ms = WallTimeMs();
  entry.client_info = ClientInfoLine(client, entry.created_ms);
  engine.acl().Log(std::move(entry), engine.config().acllog_max_len);
}

void AclSetClientUser(Client& client, std::string_view username) {
  client.user = std::string(username);
  client.acl_user_generation = 0;
  client.acl_free_generation = 0;
  client.SetAuthenticated(true);
}

}  // namespace lodestone

namespace lodestone {

// Redis refuses both sources of users at once; the aclfile wins otherwise
// only when it exists (a missing file is an error, as in Redis).
Status Engine::LoadAclAtStartup() {
  bool allchannels = config_.acl_pubsub_default == AclPubsubDefault::kAllChannels;
  if (!config_.requirepass.empty()) acl_.SetDefaultPassword(config_.requirepass, allchannels);
  registry_.SetApplyHook("requirepass", [this] {
    bool all = config_.acl_pubsub_default == AclPubsubDefault::kAllChannels;
    acl_.SetDefaultPassword(config_.requirepass, all);
    return Status::Ok();
  });
  if (!config_.user_directives.empty() && !config_.aclfile.empty()) {
    return Status::Error(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and security "
        "holes, please define either an ACL file or declare users directly in your redis.conf, "
        "but not both.");
  }
  if (!config_.user_directives.empty()) {
    std::string text;
    for (const std::vector<std::string>& words : config_.user_directives) {
      text += "user";
      for (const std::string& w : words) text += " " + w;
      text += "\n";
    }
    auto users = acl::ParseAclFile(text, "redis.conf", acl_.catalog(), allchannels);
    if (!users.ok()) return Status::Error("Error loading ACL users from config: " + users.message());
    // Users from the config start from the default user requirepass gave.
    acl_.ReplaceAll(std::move(*users));
  } else if (!config_.aclfile.empty()) {
    std::string text;
    if (FILE* f = fopen(config_.aclfile.c_str(), "r")) {
      char buf[4096];
      size_t n;
      while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
      fclose(f);
    } else {
      return Status::Error("Error loading ACLs, opening file '" + config_.aclfile +
                           "': " + strerror(errno));
    }
    auto users = acl::ParseAclFile(text, config_.aclfile, acl_.catalog(), allchannels);
    if (!users.ok()) return Status::Error(users.message());
    acl_.ReplaceAll(std::move(*users));
  }
  return Status::Ok();
}

}  // namespace lodestone
