// ACL and its subcommands: users (SETUSER, GETUSER, DELUSER, USERS, LIST,
// WHOAMI), categories (CAT), DRYRUN, GENPASS, the ACL log, and the ACL file
// (SAVE, LOAD). The rules themselves live in src/acl; the registry is the
// engine's (engine/acl_check.h).
//
// SETUSER, DELUSER and LOAD run with every shard parked (kAllShards): after
// changing users they close the clients Redis closes (those of a deleted
// user, and subscribers that lost a channel), which live on every thread.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "acl/user_registry.h"
#include "commands/command_util.h"
#include "commands/register.h"
#include "common/clock.h"
#include "common/strings.h"
#include "engine/acl_check.h"
#include "engine/client.h"
#include "engine/engine.h"
#include "engine/shard.h"
#include "server/config.h"

namespace lodestone {
namespace {

constexpr std::string_view kNoAclFile =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

bool AllChannelsDefault(CommandContext& ctx) {
  return ctx.config().acl_pubsub_default == AclPubsubDefault::kAllChannels;
}

// Closes a client as CLIENT KILL does: the caller after its reply, any other
// by its own thread.
void CloseClient(CommandContext& ctx, Client& c) {
  if (&c == ctx.client) {
    c.flags |= kClientCloseAfterReply;
    return;
  }
  c.RequestClose();
  Shard& owner = c.shard();
  uint64_t id = c.id();
  owner.Post([&owner, id] {
    if (Client* target = owner.FindClient(id)) target->Close();
  });
}

// Whether a subscriber keeps every subscription under `user`'s rules.
bool KeepsSubscriptions(Client& c, const acl::User& user) {
  for (PubSubKind kind : {PubSubKind::kChannel, PubSubKind::kShardChannel}) {
    for (const std::string& ch : c.subscriptions(kind)) {
      if (!user.CheckChannel(ch, false)) return false;
    }
  }
  for (const std::string& pat : c.subscriptions(PubSubKind::kPattern)) {
    if (!user.CheckChannel(pat, true)) return false;
  }
  return true;
}

// After users changed: closes the clients whose user is gone, and
// subscribers that lost a channel. `only` limits it to one user's clients.
// REQUIRES: every shard parked.
void CloseAffectedClients(CommandContext& ctx, const std::string* only) {
  for (int i = 0; i < ctx.engine.shard_count(); i++) {
    std::vector<Client*> doomed;
    for (auto& [id, c] : ctx.engine.shard(i).clients()) {
      if (c->closed() || !c->authenticated) continue;
      if (only != nullptr && c->user != *only) continue;
      std::shared_ptr<const acl::User> user = ctx.engine.acl().Find(c->user);
      if (user == nullptr || (c->in_pubsub_mode() && !KeepsSubscriptions(*c, *user))) {
        doomed.push_back(c);
      }
    }
    for (Client* c : doomed) CloseClient(ctx, *c);
  }
}

// ACL SETUSER username [rule [rule ...]]
void AclSetUser(CommandContext& ctx) {
  std::string name(ctx.arg(2));
  if (!acl::ValidUsername(name)) {
    return ctx.reply.Error("ERR Usernames can't contain spaces or null characters");
  }
  std::vector<std::string> ops;
  for (size_t i = 3; i < ctx.argc(); i++) ops.emplace_back(ctx.arg(i));
  Status st = ctx.engine.acl().SetUser(name, ops, AllChannelsDefault(ctx));
  if (!st.ok()) return ctx.reply.Error(st.message());
  CloseAffectedClients(ctx, &name);
  ctx.reply.Ok();
}

// ACL DELUSER username [username ...]
void AclDelUser(CommandContext& ctx) {
  std::vector<std::string> names;
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (ctx.arg(i) == "default") return ctx.reply.Error("ERR The 'default' user cannot be removed");
    names.emplace_back(ctx.arg(i));
  }
  int deleted = ctx.engine.acl().DelUsers(names);
  for (const std::string& name : names) CloseAffectedClients(ctx, &name);
  ctx.reply.Integer(deleted);
}

void ReplySelector(CommandContext& ctx, const acl::Selector& s) {
  ctx.reply.Bulk("commands");
  ctx.reply.Bulk(s.DescribeCommands());
  ctx.reply.Bulk("keys");
  ctx.reply.Bulk(s.DescribeKeys());
  ctx.reply.Bulk("channels");
  ctx.reply.Bulk(s.DescribeChannels());
}

// ACL GETUSER username
void AclGetUser(CommandContext& ctx) {
  std::shared_ptr<const acl::User> u = ctx.engine.acl().Find(ctx.arg(2));
  if (u == nullptr) return ctx.reply.Null();
  ctx.reply.MapHeader(6);
  ctx.reply.Bulk("flags");
  std::vector<std::string_view> flags = u->Flags();
  ctx.reply.SetHeader(flags.size());
  for (std::string_view f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("passwords");
  ctx.reply.ArrayHeader(u->passwords().size());
  for (const std::string& p : u->passwords()) ctx.reply.Bulk(p);
  ReplySelector(ctx, u->root());
  ctx.reply.Bulk("selectors");
  ctx.reply.ArrayHeader(u->selectors().size() - 1);
  for (size_t i = 1; i < u->selectors().size(); i++) {
    ctx.reply.MapHeader(3);
    ReplySelector(ctx, u->selectors()[i]);
  }
}

// ACL USERS
void AclUsers(CommandContext& ctx) {
  acl::UserMap users = ctx.engine.acl().Users();
  ctx.reply.ArrayHeader(users.size());
  for (const auto& [name, u] : users) ctx.reply.Bulk(name);
}

// ACL LIST
void AclList(CommandContext& ctx) {
  acl::UserMap users = ctx.engine.acl().Users();
  ctx.reply.ArrayHeader(users.size());
  for (const auto& [name, u] : users) ctx.reply.Bulk("user " + name + " " + u->Describe());
}

// ACL WHOAMI
void AclWhoAmI(CommandContext& ctx) { ctx.reply.Bulk(ctx.client->user); }

// ACL CAT [category]
void AclCat(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::SubcommandSyntaxError("acl", ctx.arg(1)));
  if (ctx.argc() == 2) {
    ctx.reply.ArrayHeader(acl::kCategoryNames.size());
    for (std::string_view name : acl::kCategoryNames) ctx.reply.Bulk(name);
    return;
  }
  uint64_t bit = acl::CategoryBit(ctx.arg(2));
  if (bit == 0) {
    return ctx.reply.Error("ERR Unknown category '" + std::string(ctx.arg(2).substr(0, 128)) + "'");
  }
  const acl::CommandCatalog& catalog = ctx.engine.acl().catalog();
  std::vector<std::string_view> names;
  for (int id = 0; id < catalog.size(); id++) {
    if (catalog.at(id).categories & bit) names.push_back(catalog.at(id).name);
  }
  ctx.reply.ArrayHeader(names.size());
  for (std::string_view n : names) ctx.reply.Bulk(n);
}

// ACL GENPASS [bits]
void AclGenPass(CommandContext& ctx) {
  constexpr int64_t kMaxBits = 4096;
  int64_t bits = 256;
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::SubcommandSyntaxError("acl", ctx.arg(1)));
  if (ctx.argc() == 3 && !ParseInt64(ctx.arg(2), &bits)) {
    return ctx.reply.Error(protocol::kNotInteger);
  }
  if (bits <= 0 || bits > kMaxBits) {
    return ctx.reply.Error(
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive "
        "number up to 4096");
  }
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size_t((bits + 3) / 4), '0');
  for (char& c : out) c = kHex[rd() & 0xf];
  ctx.reply.Bulk(out);
}

const char* ReasonName(acl::Denial d) {
  switch (d) {
    case acl::Denial::kCommand: return "command";
    case acl::Denial::kKey: return "key";
    case acl::Denial::kChannel: return "channel";
    case acl::Denial::kAuth: return "auth";
    default: return "unknown";
  }
}

const char* ContextName(acl::LogContext c) {
  switch (c) {
    case acl::LogContext::kToplevel: return "toplevel";
    case acl::LogContext::kMulti: return "multi";
    case acl::LogContext::kLua: return "lua";
    default: return "module";
  }
}

// ACL LOG [count | RESET]
void AclLog(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::SubcommandSyntaxError("acl", ctx.arg(1)));
  if (ctx.argc() == 3) {
    if (EqualsIgnoreCase(ctx.arg(2), "reset")) {
      ctx.engine.acl().LogReset();
      return ctx.reply.Ok();
    }
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(protocol::kNotInteger);
    if (count < 0) count = 0;
  }
  std::vector<acl::LogEntry> entries = ctx.engine.acl().LogEntries(size_t(count));
  int64_t now_ms = WallTimeMs();
  ctx.reply.ArrayHeader(entries.size());
  for (const acl::LogEntry& e : entries) {
    ctx.reply.MapHeader(10);
    ctx.reply.Bulk("count");
    ctx.reply.Integer(int64_t(e.count));
    ctx.reply.Bulk("reason");
    ctx.reply.Bulk(ReasonName(e.reason));
    ctx.reply.Bulk("context");
    ctx.reply.Bulk(ContextName(e.context));
    ctx.reply.Bulk("object");
    ctx.reply.Bulk(e.object);
    ctx.reply.Bulk("username");
    ctx.reply.Bulk(e.username);
    ctx.reply.Bulk("age-seconds");
    ctx.reply.Double(double(now_ms - e.updated_ms) / 1000);
    ctx.reply.Bulk("client-info");
    ctx.reply.Bulk(e.client_info);
    ctx.reply.Bulk("entry-id");
    ctx.reply.Integer(int64_t(e.entry_id));
    ctx.reply.Bulk("timestamp-created");
    ctx.reply.Integer(e.created_ms);
    ctx.reply.Bulk("timestamp-last-updated");
    ctx.reply.Integer(e.updated_ms);
  }
}

// ACL DRYRUN username command [arg ...]
void AclDryRun(CommandContext& ctx) {
  std::shared_ptr<const acl::User> u = ctx.engine.acl().Find(ctx.arg(2));
  if (u == nullptr) return ctx.reply.Error("ERR User '" + std::string(ctx.arg(2)) + "' not found");
  std::vector<std::string_view> args(ctx.args.begin() + 3, ctx.args.end());
  bool unknown_sub = false;
  const CommandSpec* spec = ctx.engine.commands().Resolve(args, &unknown_sub);
  if (spec == nullptr || unknown_sub) {
    return ctx.reply.Error("ERR Command '" + std::string(args[0]) + "' not found");
  }
  if (!ArityOk(*spec, args.size())) {
    return ctx.reply.Error("ERR wrong number of arguments for '" + spec->name + "' command");
  }
  int errpos = 0;
  acl::Denial d = AclCheckUser(ctx.engine, *u, *spec, args, &errpos);
  if (d != acl::Denial::kNone) {
    return ctx.reply.Bulk(AclDenialMessage(d, u->name(), *spec, args[errpos], true));
  }
  ctx.reply.Ok();
}

// ACL SAVE: every user, one "user" line each, written to a temporary file
// renamed over the aclfile.
void AclSave(CommandContext& ctx) {
  const std::string& path = ctx.config().aclfile;
  if (path.empty()) return ctx.reply.Error(kNoAclFile);
  std::string text;
  for (const auto& [name, u] : ctx.engine.acl().Users()) {
    text += "user " + name + " " + u->Describe() + "\n";
  }
  std::string tmp = path + ".tmp-" + std::to_string(ctx.client->id());
  FILE* f = fopen(tmp.c_str(), "w");
  bool ok = f != nullptr && fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f != nullptr) ok = (fclose(f) == 0) && ok;
  if (ok) ok = rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    unlink(tmp.c_str());
    return ctx.reply.Error(
        "ERR There was an error trying to save the ACLs. Please check the server logs for more "
        "information");
  }
  ctx.reply.Ok();
}

// ACL LOAD: replaces every user with the aclfile's, or changes nothing.
void AclLoad(CommandContext& ctx) {
  const std::string& path = ctx.config().aclfile;
  if (path.empty()) return ctx.reply.Error(kNoAclFile);
  FILE* f = fopen(path.c_str(), "r");
  if (f == nullptr) {
    return ctx.reply.Error("ERR Error loading ACLs, opening file '" + path +
                           "': " + strerror(errno));
  }
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), f)) > 0) text.append(buf, n);
  fclose(f);
  auto users = acl::ParseAclFile(text, path, ctx.engine.acl().catalog(), AllChannelsDefault(ctx));
  if (!users.ok()) return ctx.reply.Error("ERR " + users.message());
  ctx.engine.acl().ReplaceAll(std::move(*users));
  CloseAffectedClients(ctx, nullptr);
  ctx.reply.Ok();
}

// ACL HELP
void AclHelp(CommandContext& ctx) {
  static const char* const kHelp[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.ArrayHeader(std::size(kHelp));
  for (const char* line : kHelp) ctx.reply.SimpleString(line);
}

// ACL (container): reached only when a subcommand is missing.
void AclContainer(CommandContext& ctx) { ctx.reply.Error(protocol::WrongArity("acl")); }

}  // namespace

void RegisterAclCommands(CommandTable& table) {
  CommandSpec& acl = table.Add(Row("acl", -2, kSentinel, "server", AclContainer, {},
                                   {"A container for Access List Control commands.", "6.0.0",
                                    "Depends on subcommand."}));
  constexpr uint64_t kBase = kNoScript | kLoading | kStale | kSentinel;
  auto sub = [&](const char* name, int arity, uint64_t flags, CommandHandler h, CommandDoc doc) {
    table.AddSubcommand(acl, Row(name, arity, flags, "server", h, {}, doc));
  };
  sub("cat", -2, kBase, AclCat,
      {"Lists the ACL categories, or the commands inside a category.", "6.0.0",
       "O(1) since the categories and commands are a fixed set."});
  sub("deluser", -3, kBase | kAdmin | kAllShards, AclDelUser,
      {"Deletes ACL users, and terminates their connections.", "6.0.0",
       "O(1) amortized time considering the typical user."});
  sub("dryrun", -4, kBase | kAdmin, AclDryRun,
      {"Simulates the execution of a command by a user, without executing the command.", "7.0.0",
       "O(1)."});
  sub("genpass", -2, kBase, AclGenPass,
      {"Generates a pseudorandom, secure password that can be used to identify ACL users.",
       "6.0.0", "O(1)"});
  sub("getuser", 3, kBase | kAdmin, AclGetUser,
      {"Lists the ACL rules of a user.", "6.0.0",
       "O(N). Where N is the number of password, command and pattern rules that the user has."});
  sub("list", 2, kBase | kAdmin, AclList,
      {"Dumps the effective rules in ACL file format.", "6.0.0",
       "O(N). Where N is the number of configured users."});
  sub("load", 2, kBase | kAdmin | kAllShards, AclLoad,
      {"Reloads the rules from the configured ACL file.", "6.0.0",
       "O(N). Where N is the number of configured users."});
  sub("log", -2, kBase | kAdmin, AclLog,
      {"Lists recent security events generated due to commands rejected by ACL rules.", "6.0.0",
       "O(N) with N being the number of entries shown."});
  sub("save", 2, kBase | kAdmin, AclSave,
      {"Saves the effective ACL rules in the configured ACL file.", "6.0.0",
       "O(N). Where N is the number of configured users."});
  sub("setuser", -3, kBase | kAdmin | kAllShards, AclSetUser,
      {"Creates and modifies an ACL user and its rules.", "6.0.0",
       "O(N). Where N is the number of rules provided."});
  sub("users", 2, kBase | kAdmin, AclUsers,
      {"Lists all ACL users.", "6.0.0", "O(N). Where N is the number of configured users."});
  sub("whoami", 2, kBase, AclWhoAmI,
      {"Returns the authenticated username of the current connection.", "6.0.0", "O(1)"});
  sub("help", 2, kLoading | kStale | kSentinel, AclHelp,
      {"Returns helpful text about the different subcommands.", "6.0.0", "O(1)"});
}

}  // namespace lodestone
