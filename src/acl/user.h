// An ACL user and its selectors: the rules of ACL SETUSER, as pure logic.
//
// A user has flags (on/off, nopass, sanitize-payload), password hashes and
// one or more selectors. The root selector holds the rules given outside
// parentheses; "(...)" adds another selector. A command is allowed when any
// selector allows it together with all its keys and channels.
//
// A selector keeps what it allows as a bitmap over command ids (from a
// CommandCatalog) plus, for commands allowed only with given first
// arguments ("+select|0"), those arguments. It also keeps `command_rules`,
// the +/- command and category rules as given (a rule given again moves to
// the end), so ACL GETUSER and ACL LIST can show them back in order.
//
// Users are values: the registry (acl/user_registry.h) copies one, applies
// rules to the copy and publishes it, so readers never see a half-applied
// change.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "acl/command_catalog.h"
#include "common/status.h"

namespace lodestone::acl {

// Why a check failed, with Redis's numbering (the most relevant failure of
// several selectors is the highest).
enum class Denial { kNone = 0, kCommand = 1, kKey = 2, kAuth = 3, kChannel = 4 };

enum KeyPermission { kKeyRead = 1, kKeyWrite = 2, kKeyReadWrite = 3 };

// A key argument of a command, and what the command does with it (the key
// spec flags reduced to read and/or write).
struct KeyAccess {
  int pos;        // index into the arguments
  int needs;      // KeyPermission bits
};

// A channel argument: published to, or subscribed to (as a pattern or not).
struct ChannelAccess {
  int pos;
  bool pattern;
};

struct KeyPattern {
  std::string pattern;
  int perms = kKeyReadWrite;
  bool operator==(const KeyPattern&) const = default;
};

class Selector {
 public:
  // A new selector allows nothing; acl-pubsub-default decides its channels.
  explicit Selector(bool root = false, bool all_channels = false)
      : root_(root), all_channels_(all_channels) {}

  // Applies one rule (allkeys, ~pat, %RW~pat, &chan, +cmd, -@cat, ...).
  Status Apply(std::string_view op, const CommandCatalog& catalog);

  // Whether the command `id` may run with these arguments (first-arg rules
  // look at args[1], or args[2] for a subcommand), ignoring keys.
  bool AllowsCommand(const CommandCatalog& catalog, int id,
                     std::span<const std::string_view> args) const;
  bool AllowsKey(std::string_view key, int needs) const;
  // Whether a pattern grants `needs` on every key ("*" with those rights).
  bool AllowsAllKeys(int needs) const;
  bool AllowsChannel(std::string_view channel, bool is_pattern) const;

  bool all_keys() const { return all_keys_; }
  bool all_channels() const { return all_channels_; }
  bool all_commands() const { return all_commands_; }
  bool root() const { return root_; }
  const std::vector<KeyPattern>& key_patterns() const { return keys_; }
  const std::vector<std::string>& channel_patterns() const { return channels_; }

  // "+@all -get ..." as ACL GETUSER's "commands".
  std::string DescribeCommands() const;
  // "~a %R~b" as ACL GETUSER's "keys" ("~*" for allkeys).
  std::string DescribeKeys() const;
  // "&a &b" as ACL GETUSER's "channels" ("&*" for allchannels).
  std::string DescribeChannels() const;
  // Keys, channels and commands in ACL LIST form.
  std::string Describe() const;

 private:
  Status ApplyCommandRule(std::string_view op, const CommandCatalog& catalog);
  void SetBit(int id, bool allow);
  bool Bit(int id) const {
    return size_t(id / 64) < allowed_.size() && (allowed_[id / 64] >> (id % 64)) & 1;
  }
  void ChangeCommand(const CommandCatalog& catalog, int id, bool allow);
  void ChangeCategory(const CommandCatalog& catalog, uint64_t bit, bool allow);
  void RecordRule(std::string_view rule, bool allow);

  bool root_;
  bool all_keys_ = false;
  bool all_channels_ = false;
  bool all_commands_ = false;     // every command, no bit needs testing
  bool future_commands_ = false;  // +@all given last: commands added later too
  std::vector<uint64_t> allowed_;
  std::unordered_map<int, std::vector<std::string>> first_args_;
  std::string command_rules_;
  std::vector<KeyPattern> keys_;
  std::vector<std::string> channels_;
};

class User {
 public:
  // A new user is off, has no passwords, and may do nothing (but reach
  // every channel when acl-pubsub-default is allchannels).
  User(std::string name, bool allchannels_default);

  // Applies one SETUSER argument (a user flag, a password rule, "(...)",
  // reset, or a rule for the root selector). `allchannels_default` is
  // acl-pubsub-default for "reset". The error text is Redis's
  // ACLSetUserStringError.
  Status Apply(std::string_view op, const CommandCatalog& catalog, bool allchannels_default);
  // Applies SETUSER's arguments in order, merging "(a" "b)" into one
  // selector first. On error the user may be half changed: apply to a copy.
  // The error is the full reply text ("ERR Error in ACL SETUSER modifier ...").
  Status ApplyAll(std::span<const std::string> ops, const CommandCatalog& catalog,
                  bool allchannels_default);

  // The reason the command would be refused, and at which argument.
  Denial Check(const CommandCatalog& catalog, int id, std::span<const std::string_view> args,
               std::span<const KeyAccess> keys, std::span<const ChannelAccess> channels,
               int* errpos) const;
  // Whether one selector allows the command together with every key having
  // `needs` (SORT's BY and GET patterns need this).
  bool AllowsWithAllKeys(const CommandCatalog& catalog, int id,
                         std::span<const std::string_view> args, std::span<const KeyAccess> keys,
                         std::span<const ChannelAccess> channels, int needs) const;
  bool CheckKey(std::string_view key, int needs) const;
  bool CheckChannel(std::string_view channel, bool is_pattern) const;
  // True if some selector allows every command, key and channel: checks may
  // be skipped for this user.
  bool Unrestricted() const;

  bool PasswordMatches(std::string_view cleartext) const;

  const std::string& name() const { return name_; }
  bool enabled() const { return enabled_; }
  bool nopass() const { return nopass_; }
  const std::vector<std::string>& passwords() const { return passwords_; }
  const std::vector<Selector>& selectors() const { return selectors_; }
  const Selector& root() const { return selectors_[0]; }
  // "on", "nopass", "sanitize-payload"... as ACL GETUSER's "flags".
  std::vector<std::string_view> Flags() const;
  // The rules after "user <name> " in ACL LIST and the ACL file.
  std::string Describe() const;

 private:
  std::string name_;
  bool enabled_ = false;
  bool nopass_ = false;
  bool skip_sanitize_ = false;
  std::vector<std::string> passwords_;  // hex SHA-256, in the order added
  std::vector<Selector> selectors_;
};

// Whether a username is valid (no spaces or NUL), as Redis checks it.
bool ValidUsername(std::string_view name);
// A string with no whitespace or NUL: key and channel patterns must be one.
bool HasSpaces(std::string_view s);

}  // namespace lodestone::acl
