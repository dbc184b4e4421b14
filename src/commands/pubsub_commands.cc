// Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE,
// SSUBSCRIBE, SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB <subcommand>.
//
// The (un)subscribe commands change the calling client's subscriptions and
// run on its thread. PUBLISH runs there too; SPUBLISH, whose channel is a
// key spec (NOT_KEY, as in Redis), is routed like a key to the channel's
// shard. Either way publishing only reads the shared registry and posts
// the message to each subscriber's thread (engine/pubsub.h).
#include <cctype>
#include <string>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "commands/server_commands.h"
#include "engine/client.h"
#include "engine/pubsub.h"

namespace lodestone {
namespace {

struct KindNames {
  const char* subscribe;
  const char* unsubscribe;
};

KindNames NamesOf(PubSubKind kind) {
  switch (kind) {
    case PubSubKind::kChannel: return {"subscribe", "unsubscribe"};
    case PubSubKind::kPattern: return {"psubscribe", "punsubscribe"};
    case PubSubKind::kShardChannel: break;
  }
  return {"ssubscribe", "sunsubscribe"};
}

// The count a (un)subscribe confirmation carries: shard channels count
// apart from channels and patterns, as in Redis.
int64_t ConfirmationCount(const Client& c, PubSubKind kind) {
  if (kind == PubSubKind::kShardChannel) return int64_t(c.subscription_count(kind));
  return int64_t(c.channel_and_pattern_count());
}

// Writes confirmations: in the command's reply normally, or straight to the
// client when its replies are off (Redis sends them regardless).
void EmitConfirmations(CommandContext& ctx, const std::string& bytes) {
  if (ctx.client->reply_suppressed()) {
    ctx.client->WritePush(bytes);
  } else {
    ctx.reply.Raw(bytes);
  }
}

// Clients without a connection (scripts) cannot subscribe; the row's
// noscript flag normally stops them earlier.
bool RequireClient(CommandContext& ctx) {
  if (ctx.client != nullptr) return true;
  std::string name = ctx.spec.name;
  for (char& ch : name) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  ctx.reply.Error("ERR " + name + " isn't allowed for a DENY BLOCKING client");
  return false;
}

void SubscribeGeneric(CommandContext& ctx, PubSubKind kind) {
  if (!RequireClient(ctx)) return;
  Client& c = *ctx.client;
  std::string bytes;
  protocol::ReplyBuilder rb(&bytes, c.resp);
  for (size_t j = 1; j < ctx.argc(); j++) {
    ctx.engine.pubsub().Subscribe(c, kind, ctx.arg(j));
    rb.PushHeader(3);
    rb.Bulk(NamesOf(kind).subscribe);
    rb.Bulk(ctx.arg(j));
    rb.Integer(ConfirmationCount(c, kind));
  }
  EmitConfirmations(ctx, bytes);
}

void UnsubscribeGeneric(CommandContext& ctx, PubSubKind kind) {
  if (!RequireClient(ctx)) return;
  Client& c = *ctx.client;
  PubSub& pubsub = ctx.engine.pubsub();
  std::string bytes;
  protocol::ReplyBuilder rb(&bytes, c.resp);
  auto confirm = [&](const std::string_view* name) {
    rb.PushHeader(3);
    rb.Bulk(NamesOf(kind).unsubscribe);
    if (name != nullptr) {
      rb.Bulk(*name);
    } else {
      rb.Null();
    }
    rb.Integer(ConfirmationCount(c, kind));
  };
  if (ctx.argc() == 1) {
    // Every subscription of this kind; one confirmation even if none.
    std::vector<std::string> names(c.subscriptions(kind).begin(), c.subscriptions(kind).end());
    for (const std::string& name : names) {
      pubsub.Unsubscribe(c, kind, name);
      std::string_view view = name;
      confirm(&view);
    }
    if (names.empty()) confirm(nullptr);
  } else {
    for (size_t j = 1; j < ctx.argc(); j++) {
      pubsub.Unsubscribe(c, kind, ctx.arg(j));
      std::string_view view = ctx.arg(j);
      confirm(&view);
    }
  }
  EmitConfirmations(ctx, bytes);
}

// SUBSCRIBE channel [channel ...]
void Subscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSubKind::kChannel); }
// UNSUBSCRIBE [channel [channel ...]]
void Unsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, PubSubKind::kChannel); }
// PSUBSCRIBE pattern [pattern ...]
void PSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSubKind::kPattern); }
// PUNSUBSCRIBE [pattern [pattern ...]]
void PUnsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, PubSubKind::kPattern); }
// SSUBSCRIBE shardchannel [shardchannel ...]
void SSubscribe(CommandContext& ctx) { SubscribeGeneric(ctx, PubSubKind::kShardChannel); }
// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
void SUnsubscribe(CommandContext& ctx) { UnsubscribeGeneric(ctx, PubSubKind::kShardChannel); }

// Publishes now, or, from a script, when the script commits (a script may
// be rolled back and run again; its receivers are counted now).
void PublishGeneric(CommandContext& ctx, bool shard_channel) {
  PubSub& pubsub = ctx.engine.pubsub();
  if (ctx.hooks != nullptr && ctx.hooks->deferred != nullptr) {
    ctx.reply.Integer(pubsub.CountReceivers(ctx.arg(1), shard_channel));
    ctx.hooks->deferred->push_back([&pubsub, shard_channel, channel = std::string(ctx.arg(1)),
                                    message = std::string(ctx.arg(2))] {
      pubsub.Publish(channel, message, shard_channel);
    });
    return;
  }
  ctx.reply.Integer(pubsub.Publish(ctx.arg(1), ctx.arg(2), shard_channel));
}

// PUBLISH channel message
void Publish(CommandContext& ctx) { PublishGeneric(ctx, false); }

// SPUBLISH shardchannel message
void SPublish(CommandContext& ctx) { PublishGeneric(ctx, true); }

void ReplyNames(CommandContext& ctx, PubSubKind kind) {
  if (ctx.argc() > 3) return ctx.reply.Error(protocol::SubcommandSyntaxError("pubsub", ctx.arg(1)));
  std::string_view pattern;
  if (ctx.argc() == 3) pattern = ctx.arg(2);
  std::vector<std::string> names =
      ctx.engine.pubsub().registry().Names(kind, ctx.argc() == 3 ? &pattern : nullptr);
  ctx.reply.ArrayHeader(names.size());
  for (const std::string& name : names) ctx.reply.Bulk(name);
}

void ReplyNumSub(CommandContext& ctx, PubSubKind kind) {
  const ChannelRegistry& registry = ctx.engine.pubsub().registry();
  ctx.reply.ArrayHeader((ctx.argc() - 2) * 2);
  for (size_t j = 2; j < ctx.argc(); j++) {
    ctx.reply.Bulk(ctx.arg(j));
    ctx.reply.Integer(int64_t(registry.SubscriberCount(kind, ctx.arg(j))));
  }
}

// PUBSUB CHANNELS [pattern]
void PubSubChannels(CommandContext& ctx) { ReplyNames(ctx, PubSubKind::kChannel); }
// PUBSUB SHARDCHANNELS [pattern]
void PubSubShardChannels(CommandContext& ctx) { ReplyNames(ctx, PubSubKind::kShardChannel); }
// PUBSUB NUMSUB [channel [channel ...]]
void PubSubNumSub(CommandContext& ctx) { ReplyNumSub(ctx, PubSubKind::kChannel); }
// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
void PubSubShardNumSub(CommandContext& ctx) { ReplyNumSub(ctx, PubSubKind::kShardChannel); }
// PUBSUB NUMPAT
void PubSubNumPat(CommandContext& ctx) {
  ctx.reply.Integer(int64_t(ctx.engine.pubsub().registry().NameCount(PubSubKind::kPattern)));
}

// PUBSUB HELP
void PubSubHelp(CommandContext& ctx) {
  ReplyHelp(ctx, {
                     "CHANNELS [<pattern>]",
                     "    Return the currently active channels matching a <pattern> (default: '*').",
                     "NUMPAT",
                     "    Return number of subscriptions to patterns.",
                     "NUMSUB [<channel> ...]",
                     "    Return the number of subscribers for the specified channels, excluding",
                     "    pattern subscriptions(default: no channels).",
                     "SHARDCHANNELS [<pattern>]",
                     "    Return the currently active shard level channels matching a <pattern> "
                     "(default: '*').",
                     "SHARDNUMSUB [<shardchannel> ...]",
                     "    Return the number of subscribers for the specified shard level channel(s)",
                 });
}

constexpr uint64_t kSubscribeFlags = kPubSub | kNoScript | kLoading | kStale | kClientState;

// The shard channel of SSUBSCRIBE/SUNSUBSCRIBE/SPUBLISH is declared as a key
// spec with NOT_KEY, as Redis does, so cluster clients find its slot.
KeySpec ShardChannels(int lastkey) { return KeysAt(1, lastkey, 1, kKsNotKey); }

}  // namespace

void RegisterPubSubCommands(CommandTable& table) {
  table.Add(Row("subscribe", -2, kSubscribeFlags | kSentinel, "pubsub", Subscribe, {},
                {"Listens for messages published to channels.", "2.0.0",
                 "O(N) where N is the number of channels to subscribe to."}));
  table.Add(Row("unsubscribe", -1, kSubscribeFlags | kSentinel, "pubsub", Unsubscribe, {},
                {"Stops listening to messages posted to channels.", "2.0.0",
                 "O(N) where N is the number of channels to unsubscribe."}));
  table.Add(Row("psubscribe", -2, kSubscribeFlags | kSentinel, "pubsub", PSubscribe, {},
                {"Listens for messages published to channels that match one or more patterns.",
                 "2.0.0", "O(N) where N is the number of patterns to subscribe to."}));
  table.Add(Row("punsubscribe", -1, kSubscribeFlags | kSentinel, "pubsub", PUnsubscribe, {},
                {"Stops listening to messages published to channels that match one or more "
                 "patterns.",
                 "2.0.0", "O(N) where N is the number of patterns to unsubscribe."}));
  table.Add(Row("ssubscribe", -2, kSubscribeFlags, "pubsub", SSubscribe, {ShardChannels(-1)},
                {"Listens for messages published to shard channels.", "7.0.0",
                 "O(N) where N is the number of shard channels to subscribe to."}));
  table.Add(Row("sunsubscribe", -1, kSubscribeFlags, "pubsub", SUnsubscribe, {ShardChannels(-1)},
                {"Stops listening to messages posted to shard channels.", "7.0.0",
                 "O(N) where N is the number of shard channels to unsubscribe."}));
  table.Add(Row("publish", 3, kPubSub | kLoading | kStale | kFast | kMayReplicate | kSentinel,
                "pubsub", Publish, {},
                {"Posts a message to a channel.", "2.0.0",
                 "O(N+M) where N is the number of clients subscribed to the receiving channel "
                 "and M is the total number of subscribed patterns (by any client)."}));
  table.Add(Row("spublish", 3, kPubSub | kLoading | kStale | kFast | kMayReplicate, "pubsub",
                SPublish, {ShardChannels(0)},
                {"Post a message to a shard channel", "7.0.0",
                 "O(N) where N is the number of clients subscribed to the receiving shard "
                 "channel."}));

  CommandSpec& pubsub = table.Add(Row("pubsub", -2, 0, "pubsub", ContainerHelpHint, {},
                                      {"A container for Pub/Sub commands.", "2.8.0",
                                       "Depends on subcommand."}));
  auto sub = [&](const char* name, int arity, uint64_t flags, CommandHandler h, CommandDoc doc) {
    table.AddSubcommand(pubsub, Row(name, arity, flags | kLoading | kStale, "pubsub", h, {}, doc));
  };
  sub("channels", -2, kPubSub, PubSubChannels,
      {"Returns the active channels.", "2.8.0",
       "O(N) where N is the number of active channels, and assuming constant time pattern "
       "matching (relatively short channels and patterns)"});
  sub("numpat", 2, kPubSub, PubSubNumPat,
      {"Returns a count of unique pattern subscriptions.", "2.8.0", "O(1)"});
  sub("numsub", -2, kPubSub, PubSubNumSub,
      {"Returns a count of subscribers to channels.", "2.8.0",
       "O(N) for the NUMSUB subcommand, where N is the number of requested channels"});
  sub("shardchannels", -2, kPubSub, PubSubShardChannels,
      {"Returns the active shard channels.", "7.0.0",
       "O(N) where N is the number of active shard channels, and assuming constant time "
       "pattern matching (relatively short shard channels)."});
  sub("shardnumsub", -2, kPubSub, PubSubShardNumSub,
      {"Returns the count of subscribers of shard channels.", "7.0.0",
       "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard "
       "channels"});
  sub("help", 2, 0, PubSubHelp,
      {"Returns helpful text about the different subcommands.", "6.2.0", "O(1)"});
}

}  // namespace lodestone
