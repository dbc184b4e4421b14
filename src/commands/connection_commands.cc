// Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET, and
// CLIENT with its subcommands. All are keyless and run on the calling
// client's thread; CLIENT LIST and CLIENT KILL see every shard's clients
// (kAllShards) because they run with every shard parked.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"
#include "engine/acl_check.h"
#include "engine/client.h"
#include "engine/engine.h"
#include "engine/client_info.h"
#include "server/config.h"

namespace lodestone {
namespace {

constexpr std::string_view kAuthNoPassword =
    "ERR AUTH <password> called without any password configured for the default user. Are you "
    "sure your configuration is correct?";
constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
    "RESP protocol version at the same time";
constexpr std::string_view kBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// What Redis answers when a CLIENT subcommand gets more arguments than it
// takes: "pause" or "unblock" is quoted as the client spelled it.
std::string SubcommandSyntaxError(CommandContext& ctx) {
  return "ERR unknown subcommand or wrong number of arguments for '" + std::string(ctx.arg(1)) +
         "'. Try CLIENT HELP.";
}

// Redis's validateClientAttr: printable ASCII without spaces.
bool ValidClientAttr(std::string_view s) {
  for (unsigned char ch : s) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

// AUTH and HELLO AUTH: the user must exist, be on, and accept the password
// (any password when nopass). On success the client becomes that user; a
// failure is recorded in the ACL log with the command's name as typed.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view pass) {
  std::shared_ptr<const acl::User> u = ctx.engine.acl().Find(user);
  if (u == nullptr || !u->enabled() || !u->PasswordMatches(pass)) {
    AclLogAuthFailure(*ctx.client, ctx.arg(0), user);
    return false;
  }
  AclSetClientUser(*ctx.client, user);
  return true;
}

// PING [message]
void Ping(CommandContext& ctx) {
  if (ctx.argc() > 2) return ctx.reply.Error(protocol::WrongArity("ping"));
  // A subscribed RESP2 client gets ["pong", message-or-empty], as in Redis.
  if (ctx.client != nullptr && ctx.client->resp == 2 && ctx.client->in_pubsub_mode()) {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk("pong");
    return ctx.reply.Bulk(ctx.argc() == 2 ? ctx.arg(1) : std::string_view());
  }
  if (ctx.argc() == 2) return ctx.reply.Bulk(ctx.arg(1));
  ctx.reply.SimpleString("PONG");
}

// ECHO message
void Echo(CommandContext& ctx) { ctx.reply.Bulk(ctx.arg(1)); }

// QUIT
void Quit(CommandContext& ctx) {
  ctx.reply.Ok();
  ctx.client->flags |= kClientCloseAfterReply;
}

// SELECT index
void Select(CommandContext& ctx) {
  int64_t index;
  if (!ParseInt64(ctx.arg(1), &index)) return ctx.reply.Error(protocol::kNotInteger);
  if (index < 0 || index >= ctx.config().databases) {
    return ctx.reply.Error(protocol::kDbIndexOutOfRange);
  }
  ctx.client->db = int(index);
  ctx.reply.Ok();
}

// AUTH [username] password
void Auth(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::kSyntaxError);
  std::string_view user = "default";
  std::string_view pass = ctx.arg(1);
  if (ctx.argc() == 2) {
    std::shared_ptr<const acl::User> def = ctx.engine.acl().Find("default");
    if (def == nullptr || def->nopass()) return ctx.reply.Error(kAuthNoPassword);
  } else {
    user = ctx.arg(1);
    pass = ctx.arg(2);
  }
  if (!Authenticate(ctx, user, pass)) return ctx.reply.Error(protocol::kWrongPass);
  ctx.reply.Ok();
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void Hello(CommandContext& ctx) {
  Client& client = *ctx.client;
  int64_t version = 0;
  size_t next = 1;
  if (ctx.argc() >= 2) {
    if (!ParseInt64(ctx.arg(1), &version)) {
      return ctx.reply.Error("ERR Protocol version is not an integer or out of range");
    }
    next = 2;
    if (version < 2 || version > 3) return ctx.reply.Error("NOPROTO unsupported protocol version");
  }
  std::string_view user, pass, name;
  bool has_auth = false, has_name = false;
  for (size_t j = next; j < ctx.argc(); j++) {
    size_t more = ctx.argc() - 1 - j;
    std::string_view opt = ctx.arg(j);
    if (EqualsIgnoreCase(opt, "AUTH") && more >= 2) {
      user = ctx.arg(j + 1);
      pass = ctx.arg(j + 2);
      has_auth = true;
      j += 2;
    } else if (EqualsIgnoreCase(opt, "SETNAME") && more >= 1) {
      name = ctx.arg(j + 1);
      if (!name.empty() && !ValidClientAttr(name)) return ctx.reply.Error(kBadClientName);
      has_name = true;
      j++;
    } else {
      return ctx.reply.Error("ERR Syntax error in HELLO option '" + std::string(opt) + "'");
    }
  }
  if (has_auth) {
    if (!Authenticate(ctx, user, pass)) return ctx.reply.Error(protocol::kWrongPass);
  }
  if (!client.authenticated) return ctx.reply.Error(kHelloNoAuth);
  if (has_name) client.name = std::string(name);
  if (version != 0) {
    client.resp = int(version);
    ctx.reply.set_resp(int(version));
  }
  ctx.reply.MapHeader(7);
  ctx.reply.Bulk("server");
  ctx.reply.Bulk("redis");
  ctx.reply.Bulk("version");
  ctx.reply.Bulk("7.4.0");
  ctx.reply.Bulk("proto");
  ctx.reply.Integer(client.resp);
  ctx.reply.Bulk("id");
  ctx.reply.Integer(int64_t(client.id()));
  ctx.reply.Bulk("mode");
  ctx.reply.Bulk("standalone");
  ctx.reply.Bulk("role");
  ctx.reply.Bulk("master");
  ctx.reply.Bulk("modules");
  ctx.reply.EmptyArray();
}

// RESET
void Reset(CommandContext& ctx) {
  Client& client = *ctx.client;
  if (client.flags & kClientMonitor) {
    ctx.engine.RemoveMonitor(client.id());
    client.flags &= ~kClientMonitor;
  }
  ctx.engine.pubsub().UnsubscribeAll(client);
  client.transaction().Reset(ctx.shard);  // discards MULTI, unwatches
  client.db = 0;
  client.resp = 2;
  ctx.reply.set_resp(2);
  client.name.clear();
  AclSetClientUser(client, "default");
  client.SetAuthenticated(ctx.engine.acl().default_auto_auth());
  client.flags &= ~(kClientReplyOff | kClientReplySkipNext | kClientNoTouch | kClientNoEvict);
  TrackingDisable(ctx.engine, client, false);
  ctx.reply.SimpleString("RESET");
}

// Client types as CLIENT LIST TYPE / CLIENT KILL TYPE name them: a client
// with subscriptions is "pubsub", any other "normal" (until replication).
bool ValidClientType(std::string_view t) {
  return EqualsIgnoreCase(t, "normal") || EqualsIgnoreCase(t, "master") ||
         EqualsIgnoreCase(t, "replica") || EqualsIgnoreCase(t, "slave") ||
         EqualsIgnoreCase(t, "pubsub");
}
bool ClientIsType(const Client& c, std::string_view t) {
  if (EqualsIgnoreCase(t, "pubsub")) return c.in_pubsub_mode();
  return EqualsIgnoreCase(t, "normal") && !c.in_pubsub_mode();
}

// Visits every open client in id order (oldest first), as Redis lists them.
template <typename Fn>
void ForEachClient(CommandContext& ctx, Fn&& fn) {
  std::vector<Client*> all;
  for (int i = 0; i < ctx.engine.shard_count(); i++) {
    for (auto& [id, c] : ctx.engine.shard(i).clients()) {
      // A killed client is gone as far as anyone can tell, as in Redis
      // (whose event loop frees it before the next command).
      if (!c->closed() && !(c->flags & kClientCloseAsap)) all.push_back(c);
    }
  }
  std::sort(all.begin(), all.end(), [](Client* a, Client* b) { return a->id() < b->id(); });
  for (Client* c : all) fn(*c);
}

// CLIENT ID
void ClientId(CommandContext& ctx) { ctx.reply.Integer(int64_t(ctx.client->id())); }

// CLIENT INFO
void ClientInfo(CommandContext& ctx) {
  ctx.reply.Verbatim(ClientInfoLine(*ctx.client, ctx.now_ms) + "\n");
}

// CLIENT LIST [TYPE <NORMAL | MASTER | REPLICA | PUBSUB>] [ID client-id [client-id ...]]
void ClientList(CommandContext& ctx) {
  std::string out;
  if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(2), "TYPE")) {
    if (!ValidClientType(ctx.arg(3))) {
      return ctx.reply.Error("ERR Unknown client type '" + std::string(ctx.arg(3)) + "'");
    }
    ForEachClient(ctx, [&](Client& c) {
      if (ClientIsType(c, ctx.arg(3))) out += ClientInfoLine(c, ctx.now_ms) + "\n";
    });
  } else if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(2), "ID")) {
    for (size_t j = 3; j < ctx.argc(); j++) {
      int64_t id;
      if (!ParseInt64(ctx.arg(j), &id)) return ctx.reply.Error("ERR Invalid client ID");
      ForEachClient(ctx, [&](Client& c) {
        if (int64_t(c.id()) == id) out += ClientInfoLine(c, ctx.now_ms) + "\n";
      });
    }
  } else if (ctx.argc() != 2) {
    return ctx.reply.Error(protocol::kSyntaxError);
  } else {
    ForEachClient(ctx, [&](Client& c) { out += ClientInfoLine(c, ctx.now_ms) + "\n"; });
  }
  ctx.reply.Verbatim(out);
}

struct KillFilter {
  std::string_view addr, laddr, type, user;
  uint64_t id = 0;
  int64_t max_age = 0;
  bool skipme = true;
};

// Parses CLIENT KILL's filters; replies and returns false on error.
bool ParseKillFilter(CommandContext& ctx, KillFilter* f) {
  if (ctx.argc() == 3) {
    f->addr = ctx.arg(2);
    f->skipme = false;  // the old form may kill the caller
    return true;
  }
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    if (i + 1 >= ctx.argc()) {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
    std::string_view val = ctx.arg(i + 1);
    if (EqualsIgnoreCase(opt, "ID")) {
      int64_t id;
      if (!ParseInt64(val, &id) || id < 1) {
        ctx.reply.Error("ERR client-id should be greater than 0");
        return false;
      }
      f->id = uint64_t(id);
    } else if (EqualsIgnoreCase(opt, "MAXAGE")) {
      if (!ParseInt64(val, &f->max_age)) {
        ctx.reply.Error("ERR maxage is not an integer or out of range");
        return false;
      }
      if (f->max_age <= 0) {
        ctx.reply.Error("ERR maxage should be greater than 0");
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "TYPE")) {
      if (!ValidClientType(val)) {
        ctx.reply.Error("ERR Unknown client type '" + std::string(val) + "'");
        return false;
      }
      f->type = val;
    } else if (EqualsIgnoreCase(opt, "ADDR")) {
      f->addr = val;
    } else if (EqualsIgnoreCase(opt, "LADDR")) {
      f->laddr = val;
    } else if (EqualsIgnoreCase(opt, "USER")) {
      if (ctx.engine.acl().Find(val) == nullptr) {
        ctx.reply.Error("ERR No such user '" + std::string(val) + "'");
        return false;
      }
      f->user = val;
    } else if (EqualsIgnoreCase(opt, "SKIPME")) {
      if (EqualsIgnoreCase(val, "yes")) {
        f->skipme = true;
      } else if (EqualsIgnoreCase(val, "no")) {
        f->skipme = false;
      } else {
        ctx.reply.Error(protocol::kSyntaxError);
        return false;
      }
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  return true;
}

// CLIENT KILL <ip:port> | <[ID client-id] | [TYPE type] | [USER username] |
//     [ADDR ip:port] | [LADDR ip:port] | [SKIPME yes/no] | [MAXAGE maxage]> ...
void ClientKill(CommandContext& ctx) {
  KillFilter f;
  if (!ParseKillFilter(ctx, &f)) return;
  int64_t killed = 0;
  bool close_self = false;
  ForEachClient(ctx, [&](Client& c) {
    if (!f.addr.empty() && c.peer() != f.addr) return;
    if (!f.laddr.empty() && c.local() != f.laddr) return;
    if (!f.type.empty() && !ClientIsType(c, f.type)) return;
    if (f.id != 0 && c.id() != f.id) return;
    if (!f.user.empty() && c.user != f.user) return;
    if (&c == ctx.client && f.skipme) return;
    if (f.max_age != 0 && (ctx.now_ms - c.created_ms) / 1000 < f.max_age) return;
    if (&c == ctx.client) {
      close_self = true;
    } else {
      // The owning shard closes it; post so it happens promptly.
      c.RequestClose();
      Shard& owner = c.shard();
      uint64_t id = c.id();
      owner.Post([&owner, id] {
        if (Client* target = owner.FindClient(id)) target->Close();
      });
    }
    killed++;
  });
  if (ctx.argc() == 3) {
    if (killed == 0) return ctx.reply.Error("ERR No such client");
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(killed);
  }
  if (close_self) ctx.client->flags |= kClientCloseAfterReply;
}

// CLIENT SETNAME connection-name
void ClientSetName(CommandContext& ctx) {
  if (!ValidClientAttr(ctx.arg(2))) return ctx.reply.Error(kBadClientName);
  ctx.client->name = std::string(ctx.arg(2));
  ctx.reply.Ok();
}

// CLIENT GETNAME
void ClientGetName(CommandContext& ctx) {
  if (ctx.client->name.empty()) return ctx.reply.Null();
  ctx.reply.Bulk(ctx.client->name);
}

// CLIENT SETINFO <LIB-NAME libname | LIB-VER libver>
void ClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2), val = ctx.arg(3);
  std::string* dest;
  if (EqualsIgnoreCase(attr, "lib-name")) {
    dest = &ctx.client->lib_name;
  } else if (EqualsIgnoreCase(attr, "lib-ver")) {
    dest = &ctx.client->lib_ver;
  } else {
    return ctx.reply.Error("ERR Unrecognized option '" + std::string(attr) + "'");
  }
  if (!ValidClientAttr(val)) {
    return ctx.reply.Error("ERR " + std::string(attr) +
                           " cannot contain spaces, newlines or special characters.");
  }
  *dest = std::string(val);
  ctx.reply.Ok();
}

// CLIENT REPLY <ON | OFF | SKIP>
void ClientReply(CommandContext& ctx) {
  Client& c = *ctx.client;
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "ON")) {
    c.flags &= ~(kClientReplyOff | kClientReplySkip);
    // This reply was headed for the discard buffer if replies were off; the
    // dispatcher created its target before the handler ran, so write it now.
    ctx.reply.Ok();
  } else if (EqualsIgnoreCase(mode, "OFF")) {
    c.flags |= kClientReplyOff;
  } else if (EqualsIgnoreCase(mode, "SKIP")) {
    if (!(c.flags & kClientReplyOff)) c.flags |= kClientReplySkipNext;
  } else {
    ctx.reply.Error(protocol::kSyntaxError);
  }
}

// CLIENT PAUSE timeout [WRITE | ALL]
void ClientPause(CommandContext& ctx) {
  bool writes_only = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "WRITE")) {
      writes_only = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "ALL")) {
      return ctx.reply.Error("ERR CLIENT PAUSE mode must be WRITE or ALL");
    }
  } else if (ctx.argc() != 3) {
    return ctx.reply.Error(SubcommandSyntaxError(ctx));
  }
  int64_t timeout_ms;
  if (!ParseInt64(ctx.arg(2), &timeout_ms)) {
    return ctx.reply.Error("ERR timeout is not an integer or out of range");
  }
  if (timeout_ms < 0) return ctx.reply.Error("ERR timeout is negative");
  int64_t until = ctx.now_ms + timeout_ms;
  // A longer or stricter pause already in force wins, as in Redis.
  int64_t current = ctx.engine.pause_until_ms().load();
  bool current_writes_only = ctx.engine.pause_writes_only().load();
  if (current > ctx.now_ms) {
    if (until < current) until = current;
    if (!current_writes_only) writes_only = false;
  }
  ctx.engine.pause_writes_only().store(writes_only);
  ctx.engine.pause_until_ms().store(until);
  ctx.reply.Ok();
}

// CLIENT UNPAUSE
void ClientUnpause(CommandContext& ctx) {
  ctx.engine.pause_until_ms().store(0);
  ctx.engine.pause_writes_only().store(false);
  ctx.reply.Ok();
}

// CLIENT NO-EVICT <ON | OFF>, CLIENT NO-TOUCH <ON | OFF>
void ClientToggle(CommandContext& ctx, uint32_t flag) {
  if (EqualsIgnoreCase(ctx.arg(2), "ON")) {
    ctx.client->flags |= flag;
  } else if (EqualsIgnoreCase(ctx.arg(2), "OFF")) {
    ctx.client->flags &= ~flag;
  } else {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  ctx.reply.Ok();
}
void ClientNoEvict(CommandContext& ctx) { ClientToggle(ctx, kClientNoEvict); }
void ClientNoTouch(CommandContext& ctx) { ClientToggle(ctx, kClientNoTouch); }

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
// Runs with every shard parked, so it may look at any client; the unblocking
// itself happens on the client's own thread.
void ClientUnblock(CommandContext& ctx) {
  if (ctx.argc() > 4) return ctx.reply.Error(SubcommandSyntaxError(ctx));
  bool error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "ERROR")) {
      error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "TIMEOUT")) {
      return ctx.reply.Error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  int64_t id;
  if (!ParseInt64(ctx.arg(2), &id)) return ctx.reply.Error(protocol::kNotInteger);
  Client* target = nullptr;
  ForEachClient(ctx, [&](Client& c) {
    if (int64_t(c.id()) == id) target = &c;
  });
  if (target == nullptr || !target->blocked() || !target->blocked_request()->TryClaim()) {
    return ctx.reply.Integer(0);
  }
  Shard& home = target->shard();
  uint64_t client_id = target->id();
  home.Post([&home, client_id, error] {
    if (Client* c = home.FindClient(client_id)) c->OnBlockTimeout(true, error);
  });
  ctx.reply.Integer(1);
}

// CLIENT HELP
void ClientHelp(CommandContext& ctx) {
  static const char* const kHelp[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CACHING (YES|NO)",
      "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
      "GETREDIR",
      "    Return the client ID we are redirecting to when tracking is enabled.",
      "GETNAME",
      "    Return the name of the current connection.",
      "ID",
      "    Return the ID of the current connection.",
      "INFO",
      "    Return information about the current client connection.",
      "KILL <ip:port>",
      "    Kill connection made from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Kill connections. Options are:",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made from the specified address",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "      Kill connections made to specified local address",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Kill connections by type.",
      "    * USER <username>",
      "      Kill connections authenticated by <username>.",
      "    * SKIPME (YES|NO)",
      "      Skip killing current connection (default: yes).",
      "    * ID <client-id>",
      "      Kill connections by client id.",
      "    * MAXAGE <maxage>",
      "      Kill connections older than the specified age.",
      "LIST [options ...]",
      "    Return information about client connections. Options:",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "      Return clients of specified type.",
      "UNPAUSE",
      "    Stop the current client pause, resuming traffic.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Suspend all, or just write, clients for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Control the replies sent to the current connection.",
      "SETNAME <name>",
      "    Assign the name <name> to the current connection.",
      "SETINFO <option> <value>",
      "    Set client meta attr. Options are:",
      "    * LIB-NAME: the client lib name.",
      "    * LIB-VER: the client lib version.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Unblock the specified blocked client.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
      "         [OPTIN] [OPTOUT] [NOLOOP]",
      "    Control server assisted client side caching.",
      "TRACKINGINFO",
      "    Report tracking status for the current connection.",
      "NO-EVICT (ON|OFF)",
      "    Protect current client connection from eviction.",
      "NO-TOUCH (ON|OFF)",
      "    Will not touch LRU/LFU stats when this mode is on.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply.ArrayHeader(std::size(kHelp));
  for (const char* line : kHelp) ctx.reply.SimpleString(line);
}

// CLIENT (container): reached only when a subcommand is missing.
void ClientContainer(CommandContext& ctx) {
  ctx.reply.Error(protocol::WrongArity("client"));
}

// "POST" and "Host:": someone is talking HTTP to us (cross protocol
// scripting). Redis logs and drops the connection without a reply.
void SecurityWarning(CommandContext& ctx) {
  ctx.client->flags |= kClientCloseAsap;
}

constexpr uint64_t kConn = kClientState | kNoScript | kLoading | kStale;

}  // namespace

void RegisterConnectionCommands(CommandTable& table) {
  table.Add(Row("ping", -1, kFast | kSentinel, "connection", Ping, {},
                {"Returns the server's liveliness response.", "1.0.0", "O(1)"}, {"connection"}));
  table.Add(Row("echo", 2, kFast, "connection", Echo, {},
                {"Returns the given string.", "1.0.0", "O(1)"}, {"connection"}));
  table.Add(Row("quit", -1, kAllowBusy | kNoAuth | kNoScript | kLoading | kStale | kFast |
                                kClientState | kTransactionControl,
                "connection", Quit, {}, {"Closes the connection.", "1.0.0", "O(1)"},
                {"connection"}));
  table.Add(Row("select", 2, kLoading | kStale | kFast | kClientState, "connection", Select, {},
                {"Changes the selected database.", "1.0.0", "O(1)"}, {"connection"}));
  table.Add(Row("auth", -2, kConn | kNoAuth | kFast | kSentinel | kAllowBusy, "connection", Auth,
                {}, {"Authenticates the connection.", "1.0.0", "O(N) where N is the number of passwords defined for the user"},
                {"connection"}));
  table.Add(Row("hello", -1, kConn | kNoAuth | kFast | kSentinel | kAllowBusy, "connection",
                Hello, {}, {"Handshakes with the Redis server.", "6.0.0", "O(1)"},
                {"connection"}));
  table.Add(Row("reset", 1, kConn | kNoAuth | kFast | kSentinel | kAllowBusy | kTransactionControl,
                "connection",
                Reset, {}, {"Resets the connection.", "6.2.0", "O(1)"}, {"connection"}));
  table.Add(Row("post", -1, kConn | kNoAuth | kAllowBusy, "connection", SecurityWarning, {},
                {"An internal command used to drop HTTP clients.", "3.2.0", "O(1)"}, {}));
  table.Add(Row("host:", -1, kConn | kNoAuth | kAllowBusy, "connection", SecurityWarning, {},
                {"An internal command used to drop HTTP clients.", "3.2.0", "O(1)"}, {}));

  CommandSpec& client = table.Add(Row("client", -2, kSentinel, "connection", ClientContainer, {},
                                      {"A container for client connection commands.", "2.4.0",
                                       "Depends on subcommand."}));
  auto sub = [&](const char* name, int arity, uint64_t flags, CommandHandler h, CommandDoc doc) {
    table.AddSubcommand(client, Row(name, arity, flags | kNoScript | kLoading | kStale, "connection",
                                    h, {}, doc, {"connection"}));
  };
  sub("id", 2, kClientState | kSentinel, ClientId,
      {"Returns the unique client ID of the connection.", "5.0.0", "O(1)"});
  sub("info", 2, kClientState | kSentinel, ClientInfo,
      {"Returns information about the connection.", "6.2.0", "O(1)"});
  sub("list", -2, kAdmin | kAllShards | kSentinel, ClientList,
      {"Lists open connections.", "2.4.0", "O(N) where N is the number of client connections"});
  sub("kill", -3, kAdmin | kAllShards | kSentinel, ClientKill,
      {"Terminates open connections.", "2.4.0", "O(N) where N is the number of client connections"});
  sub("setname", 3, kClientState | kSentinel, ClientSetName,
      {"Sets the connection name.", "2.6.9", "O(1)"});
  sub("getname", 2, kClientState | kSentinel, ClientGetName,
      {"Returns the name of the connection.", "2.6.9", "O(1)"});
  sub("setinfo", 4, kClientState | kSentinel, ClientSetInfo,
      {"Sets information specific to the client or connection.", "7.2.0", "O(1)"});
  sub("reply", 3, kClientState, ClientReply,
      {"Instructs the server whether to reply to commands.", "3.2.0", "O(1)"});
  sub("pause", -3, kAdmin | kSentinel, ClientPause,
      {"Suspends commands processing.", "3.0.0", "O(1)"});
  sub("unpause", 2, kAdmin | kSentinel, ClientUnpause,
      {"Resumes processing commands from paused clients.", "6.2.0", "O(N) Where N is the number of paused clients"});
  sub("no-evict", 3, kAdmin | kClientState | kSentinel, ClientNoEvict,
      {"Sets the client eviction mode of the connection.", "7.0.0", "O(1)"});
  sub("no-touch", 3, kClientState, ClientNoTouch,
      {"Controls whether commands sent by the client affect the LRU/LFU of accessed keys.", "7.2.0", "O(1)"});
  sub("unblock", -3, kAdmin | kAllShards | kSentinel, ClientUnblock,
      {"Unblocks a client blocked by a blocking command from a different connection.", "5.0.0",
       "O(log N) where N is the number of client connections"});
  sub("help", 2, kSentinel, ClientHelp,
      {"Returns helpful text about the different subcommands.", "5.0.0", "O(1)"});
  // TRACKING, CACHING, GETREDIR, TRACKINGINFO (commands/tracking_commands.cc).
  RegisterTrackingSubcommands(table, client);
}

}  // namespace lodestone
