// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: the commands of
// client-side caching (engine/tracking.h holds the machinery).
//
// CLIENT TRACKING runs with every shard parked (kAllShards): it checks that a
// REDIRECT target exists on any shard and writes the BCAST prefixes into every
// shard's table at once, so a write that follows its reply can never miss
// them. The others only read or change the calling client.
#include <algorithm>
#include <string>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"
#include "engine/client.h"
#include "engine/tracking.h"

namespace lodestone {
namespace {

constexpr std::string_view kPrefixNeedsBcast =
    "ERR PREFIX option requires BCAST mode to be enabled";
constexpr std::string_view kBcastSwitch =
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
constexpr std::string_view kBcastOptInOut = "ERR OPTIN and OPTOUT are not compatible with BCAST";
constexpr std::string_view kOptInAndOut = "ERR You can't specify both OPTIN mode and OPTOUT mode";
constexpr std::string_view kOptSwitch =
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
    "re-enabling it with a different mode.";
constexpr std::string_view kOneRedirect = "ERR A client can only redirect to a single other client";
constexpr std::string_view kNoRedirectTarget =
    "ERR The client ID you want redirect to does not exist";
constexpr std::string_view kCachingNotTracking =
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
    "OPTOUT mode enabled";
constexpr std::string_view kCachingYes =
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.";
constexpr std::string_view kCachingNo =
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.";

// Options of CLIENT TRACKING ON as parsed.
struct TrackingOptions {
  bool bcast = false;
  bool optin = false;
  bool optout = false;
  bool noloop = false;
  uint64_t redirect_id = 0;
  int redirect_shard = -1;
  std::vector<std::string> prefixes;
};

// Two prefixes collide when one starts the other: a key could match both.
bool PrefixesOverlap(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

// Redis's checks for new prefixes: against the client's own, then among
// themselves. Returns the error text, or empty.
std::string PrefixCollision(const ClientTracking* current, const std::vector<std::string>& added) {
  for (size_t i = 0; i < added.size(); i++) {
    if (current != nullptr) {
      for (const std::string& old : current->prefixes) {
        if (PrefixesOverlap(old, added[i])) {
          return "ERR Prefix '" + added[i] + "' overlaps with an existing prefix '" + old +
                 "'. Prefixes for a single client must not overlap.";
        }
      }
    }
    for (size_t j = i + 1; j < added.size(); j++) {
      if (PrefixesOverlap(added[i], added[j])) {
        return "ERR Prefix '" + added[i] + "' overlaps with another provided prefix '" +
               added[j] + "'. Prefixes for a single client must not overlap.";
      }
    }
  }
  return {};
}

// Parses the options after ON|OFF. Replies with the error and returns false
// on bad input.
bool ParseTrackingOptions(CommandContext& ctx, TrackingOptions* opts) {
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view a = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(a, "redirect") && more) {
      j++;
      if (opts->redirect_id != 0) return ctx.reply.Error(kOneRedirect), false;
      int64_t id;
      if (!ParseInt64(ctx.arg(j), &id)) return ctx.reply.Error(protocol::kNotInteger), false;
      for (int s = 0; s < ctx.engine.shard_count() && id > 0; s++) {
        if (ctx.engine.shard(s).FindClient(uint64_t(id)) != nullptr) opts->redirect_shard = s;
      }
      if (opts->redirect_shard < 0) return ctx.reply.Error(kNoRedirectTarget), false;
      opts->redirect_id = uint64_t(id);
    } else if (EqualsIgnoreCase(a, "bcast")) {
      opts->bcast = true;
    } else if (EqualsIgnoreCase(a, "optin")) {
      opts->optin = true;
    } else if (EqualsIgnoreCase(a, "optout")) {
      opts->optout = true;
    } else if (EqualsIgnoreCase(a, "noloop")) {
      opts->noloop = true;
    } else if (EqualsIgnoreCase(a, "prefix") && more) {
      opts->prefixes.emplace_back(ctx.arg(++j));
    } else {
      return ctx.reply.Error(protocol::kSyntaxError), false;
    }
  }
  return true;
}

// Redis's compatibility checks between the options and the current state.
std::string_view TrackingOptionsError(const TrackingOptions& o, const ClientTracking* current) {
  if (!o.bcast && !o.prefixes.empty()) return kPrefixNeedsBcast;
  if (current != nullptr && current->bcast != o.bcast) return kBcastSwitch;
  if (o.bcast && (o.optin || o.optout)) return kBcastOptInOut;
  if (o.optin && o.optout) return kOptInAndOut;
  if (current != nullptr && ((o.optin && current->optout) || (o.optout && current->optin))) {
    return kOptSwitch;
  }
  return {};
}

// Turns tracking on (or changes its options) for the calling client.
// REQUIRES: every shard parked.
void EnableTracking(CommandContext& ctx, const TrackingOptions& o) {
  Client& client = *ctx.client;
  if (!client.tracking) {
    client.tracking = std::make_unique<ClientTracking>();
    client.tracking->generation = ctx.engine.tracking().NextGeneration();
  }
  ClientTracking& t = *client.tracking;
  t.bcast = o.bcast;
  t.optin = o.optin;
  t.optout = o.optout;
  t.noloop = o.noloop;
  t.broken_redirect = false;
  t.redirect_id = o.redirect_id;
  if (o.bcast) {
    std::vector<std::string> added = o.prefixes;
    if (added.empty()) added.emplace_back();
    for (const std::string& p : added) {
      if (std::find(t.prefixes.begin(), t.prefixes.end(), p) != t.prefixes.end()) continue;
      t.prefixes.push_back(p);
      for (int s = 0; s < ctx.engine.shard_count(); s++) {
        ctx.engine.shard(s).tracking().AddPrefix(p, client.id(), t.generation);
      }
    }
    std::sort(t.prefixes.begin(), t.prefixes.end());
  }
  TrackingTarget target;
  target.home_shard = client.shard().id();
  target.redirect_id = o.redirect_id;
  target.redirect_shard = o.redirect_shard;
  target.noloop = o.noloop;
  target.bcast = o.bcast;
  target.generation = t.generation;
  ctx.engine.tracking().Set(client.id(), target);
}

// CLIENT TRACKING <ON | OFF> [REDIRECT clientid] [PREFIX prefix [PREFIX prefix ...]]
//   [BCAST] [OPTIN] [OPTOUT] [NOLOOP]
void ClientTrackingOnOff(CommandContext& ctx) {
  TrackingOptions opts;
  if (!ParseTrackingOptions(ctx, &opts)) return;
  Client& client = *ctx.client;
  if (EqualsIgnoreCase(ctx.arg(2), "on")) {
    std::string_view err = TrackingOptionsError(opts, client.tracking.get());
    if (!err.empty()) return ctx.reply.Error(err);
    if (opts.bcast) {
      std::string collision = PrefixCollision(client.tracking.get(), opts.prefixes);
      if (!collision.empty()) return ctx.reply.Error(collision);
    }
    EnableTracking(ctx, opts);
  } else if (EqualsIgnoreCase(ctx.arg(2), "off")) {
    TrackingDisable(ctx.engine, client, true);
  } else {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  ctx.reply.Ok();
}

// CLIENT CACHING <YES | NO>
void ClientCaching(CommandContext& ctx) {
  ClientTracking* t = ctx.client->tracking.get();
  if (t == nullptr) return ctx.reply.Error(kCachingNotTracking);
  if (EqualsIgnoreCase(ctx.arg(2), "yes")) {
    if (!t->optin) return ctx.reply.Error(kCachingYes);
  } else if (EqualsIgnoreCase(ctx.arg(2), "no")) {
    if (!t->optout) return ctx.reply.Error(kCachingNo);
  } else {
    return ctx.reply.Error(protocol::kSyntaxError);
  }
  t->caching = true;
  ctx.reply.Ok();
}

// CLIENT GETREDIR
void ClientGetRedir(CommandContext& ctx) {
  const ClientTracking* t = ctx.client->tracking.get();
  ctx.reply.Integer(t == nullptr ? -1 : int64_t(t->redirect_id));
}

// CLIENT TRACKINGINFO
void ClientTrackingInfo(CommandContext& ctx) {
  const ClientTracking* t = ctx.client->tracking.get();
  std::vector<std::string_view> flags;
  flags.push_back(t != nullptr ? "on" : "off");
  if (t != nullptr) {
    if (t->bcast) flags.push_back("bcast");
    if (t->optin) flags.push_back("optin");
    if (t->optin && t->caching) flags.push_back("caching-yes");
    if (t->optout) flags.push_back("optout");
    if (t->optout && t->caching) flags.push_back("caching-no");
    if (t->noloop) flags.push_back("noloop");
    if (t->broken_redirect) flags.push_back("broken_redirect");
  }
  ctx.reply.MapHeader(3);
  ctx.reply.Bulk("flags");
  ctx.reply.SetHeader(flags.size());
  for (std::string_view f : flags) ctx.reply.Bulk(f);
  ctx.reply.Bulk("redirect");
  ctx.reply.Integer(t == nullptr ? -1 : int64_t(t->redirect_id));
  ctx.reply.Bulk("prefixes");
  size_t n = t == nullptr ? 0 : t->prefixes.size();
  ctx.reply.ArrayHeader(n);
  for (size_t i = 0; i < n; i++) ctx.reply.Bulk(t->prefixes[i]);
}

}  // namespace

void RegisterTrackingSubcommands(CommandTable& table, CommandSpec& client) {
  auto sub = [&](const char* name, int arity, uint64_t flags, CommandHandler h, CommandDoc doc) {
    table.AddSubcommand(client, Row(name, arity, flags | kNoScript | kLoading | kStale | kSentinel,
                                    "connection", h, {}, doc, {"connection"}));
  };
  sub("tracking", -3, kAllShards, ClientTrackingOnOff,
      {"Controls server-assisted client-side caching for the connection.", "6.0.0",
       "O(1). Some options may introduce additional complexity."});
  sub("caching", 3, kClientState, ClientCaching,
      {"Instructs the server whether to track the keys in the next request.", "6.0.0", "O(1)"});
  sub("getredir", 2, kClientState, ClientGetRedir,
      {"Returns the client ID to which the connection's tracking notifications are redirected.",
       "6.0.0", "O(1)"});
  sub("trackinginfo", 2, kClientState, ClientTrackingInfo,
      {"Returns information about server-assisted client-side caching for the connection.",
       "6.2.0", "O(1)"});
}

}  // namespace lodestone
