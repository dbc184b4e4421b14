#include "acl/user.h"

#include <algorithm>
#include <cctype>

#include "acl/sha256.h"
#include "common/glob.h"
#include "common/split_args.h"
#include "common/strings.h"

namespace lodestone::acl {
namespace {

constexpr std::string_view kErrUnknown = "Unknown command or category name in ACL";
constexpr std::string_view kErrSyntax = "Syntax error";
constexpr std::string_view kErrAllKeys =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kErrAllChannels =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
constexpr std::string_view kErrNoSuchPass =
    "The password you are trying to remove from the user does not exist";
constexpr std::string_view kErrBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
constexpr std::string_view kErrFirstArgOfSub =
    "Allowing first-arg of a subcommand is not supported";

bool ValidHash(std::string_view hash) {
  if (hash.size() != 64) return false;
  for (char c : hash) {
    if (!((c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

// Compares without stopping at the first difference, so that the time taken
// says nothing about how much of a hash matched.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < a.size(); i++) diff |= unsigned(a[i] ^ b[i]);
  return diff == 0;
}

std::string PatternString(const KeyPattern& p) {
  switch (p.perms) {
    case kKeyRead: return "%R~" + p.pattern;
    case kKeyWrite: return "%W~" + p.pattern;
    default: return "~" + p.pattern;
  }
}

}  // namespace

bool HasSpaces(std::string_view s) {
  for (char c : s) {
    if (isspace((unsigned char)c) || c == '\0') return true;
  }
  return false;
}

bool ValidUsername(std::string_view name) { return !HasSpaces(name); }

// ---------------------------------------------------------------------------
// Selector

void Selector::SetBit(int id, bool allow) {
  size_t word = size_t(id) / 64;
  if (word >= allowed_.size()) allowed_.resize(word + 1, future_commands_ ? ~0ull : 0);
  if (allow) {
    allowed_[word] |= 1ull << (id % 64);
  } else {
    allowed_[word] &= ~(1ull << (id % 64));
    all_commands_ = false;
  }
}

// Allowing or refusing a command does the same to its subcommands, and
// forgets first arguments allowed for it.
void Selector::ChangeCommand(const CommandCatalog& catalog, int id, bool allow) {
  SetBit(id, allow);
  first_args_.erase(id);
  for (int sub : catalog.at(id).subcommands) SetBit(sub, allow);
}

void Selector::ChangeCategory(const CommandCatalog& catalog, uint64_t bit, bool allow) {
  for (int id = 0; id < catalog.size(); id++) {
    if (catalog.at(id).categories & bit) ChangeCommand(catalog, id, allow);
  }
}

// Keeps command_rules_ free of repeats: a rule for the same command (or
// category) given earlier is dropped, and so are earlier rules for its
// subcommands when the rule names the whole command.
void Selector::RecordRule(std::string_view rule, bool allow) {
  std::string lower = ToLowerCopy(rule);
  std::vector<std::string> kept;
  size_t start = 0;
  while (start < command_rules_.size()) {
    size_t end = command_rules_.find(' ', start);
    if (end == std::string::npos) end = command_rules_.size();
    std::string_view existing(command_rules_.data() + start + 1, end - start - 1);
    bool same = existing == lower ||
                (existing.size() > lower.size() && existing.starts_with(lower) &&
                 existing[lower.size()] == '|');
    if (!same) kept.emplace_back(command_rules_.substr(start, end - start));
    start = end + 1;
  }
  kept.push_back((allow ? "+" : "-") + lower);
  command_rules_.clear();
  for (const std::string& r : kept) {
    if (!command_rules_.empty()) command_rules_ += ' ';
    command_rules_ += r;
  }
}

Status Selector::ApplyCommandRule(std::string_view op, const CommandCatalog& catalog) {
  bool allow = op[0] == '+';
  std::string_view name = op.substr(1);
  if (!name.empty() && name[0] == '@') {
    uint64_t bit = CategoryBit(name.substr(1));
    if (bit == 0) return Status::Error(kErrUnknown);
    RecordRule(name, allow);
    ChangeCategory(catalog, bit, allow);
    return Status::Ok();
  }
  size_t bar = name.rfind('|');
  if (!allow || bar == std::string_view::npos) {
    int id = catalog.Find(name);
    if (id < 0) return Status::Error(kErrUnknown);
    ChangeCommand(catalog, id, allow);
    RecordRule(catalog.at(id).name, allow);
    return Status::Ok();
  }
  // +command|subcommand, or +command|first-arg for a command without
  // subcommands (SELECT|0, DEBUG|OBJECT).
  int id = catalog.Find(name.substr(0, bar));
  if (id < 0) return Status::Error(kErrUnknown);
  if (catalog.at(id).parent >= 0) return Status::Error(kErrFirstArgOfSub);
  std::string_view sub = name.substr(bar + 1);
  if (sub.empty()) return Status::Error(kErrSyntax);
  if (!catalog.at(id).subcommands.empty()) {
    int sub_id = catalog.Find(name);
    if (sub_id < 0) return Status::Error(kErrUnknown);
    ChangeCommand(catalog, sub_id, true);
  } else {
    std::vector<std::string>& args = first_args_[id];
    bool have = std::any_of(args.begin(), args.end(),
                            [&](const std::string& a) { return EqualsIgnoreCase(a, sub); });
    if (!have) args.emplace_back(sub);
  }
  RecordRule(name, true);
  return Status::Ok();
}

Status Selector::Apply(std::string_view op, const CommandCatalog& catalog) {
  if (EqualsIgnoreCase(op, "allkeys") || op == "~*") {
    all_keys_ = true;
    keys_.clear();
  } else if (EqualsIgnoreCase(op, "resetkeys")) {
    all_keys_ = false;
    keys_.clear();
  } else if (EqualsIgnoreCase(op, "allchannels") || op == "&*") {
    all_channels_ = true;
    channels_.clear();
  } else if (EqualsIgnoreCase(op, "resetchannels")) {
    all_channels_ = false;
    channels_.clear();
  } else if (EqualsIgnoreCase(op, "allcommands") || EqualsIgnoreCase(op, "+@all")) {
    allowed_.assign(allowed_.size(), ~0ull);
    all_commands_ = future_commands_ = true;
    command_rules_.clear();
    first_args_.clear();
  } else if (EqualsIgnoreCase(op, "nocommands") || EqualsIgnoreCase(op, "-@all")) {
    allowed_.assign(allowed_.size(), 0);
    all_commands_ = future_commands_ = false;
    command_rules_.clear();
    first_args_.clear();
  } else if (op[0] == '~' || op[0] == '%') {
    if (all_keys_) return Status::Error(kErrAllKeys);
    int perms = 0;
    size_t offset = 1;
    if (op[0] == '%') {
      bool tilde = false;
      for (; offset < op.size(); offset++) {
        char c = char(toupper((unsigned char)op[offset]));
        if (c == 'R' && !(perms & kKeyRead)) {
          perms |= kKeyRead;
        } else if (c == 'W' && !(perms & kKeyWrite)) {
          perms |= kKeyWrite;
        } else if (op[offset] == '~' && perms != 0) {
          offset++;
          tilde = true;
          break;
        } else {
          return Status::Error(kErrSyntax);
        }
      }
      if (!tilde) return Status::Error(kErrSyntax);
    } else {
      perms = kKeyReadWrite;
    }
    std::string_view pattern = op.substr(offset);
    if (HasSpaces(pattern)) return Status::Error(kErrSyntax);
    auto it = std::find_if(keys_.begin(), keys_.end(),
                           [&](const KeyPattern& k) { return k.pattern == pattern; });
    if (it == keys_.end()) {
      keys_.push_back(KeyPattern{std::string(pattern), perms});
    } else {
      it->perms |= perms;
    }
  } else if (op[0] == '&') {
    if (all_channels_) return Status::Error(kErrAllChannels);
    std::string_view pattern = op.substr(1);
    if (HasSpaces(pattern)) return Status::Error(kErrSyntax);
    if (std::find(channels_.begin(), channels_.end(), pattern) == channels_.end()) {
      channels_.emplace_back(pattern);
    }
  } else if ((op[0] == '+' || op[0] == '-') && op.size() > 1) {
    return ApplyCommandRule(op, catalog);
  } else {
    return Status::Error(kErrSyntax);
  }
  return Status::Ok();
}

bool Selector::AllowsCommand(const CommandCatalog& catalog, int id,
                             std::span<const std::string_view> args) const {
  if (all_commands_ || catalog.at(id).no_auth) return true;
  if (future_commands_ && size_t(id / 64) >= allowed_.size()) return true;
  if (Bit(id)) return true;
  auto it = first_args_.find(id);
  if (it == first_args_.end() || args.size() < 2) return false;
  size_t idx = catalog.at(id).parent >= 0 ? 2 : 1;
  if (idx >= args.size()) return false;
  for (const std::string& a : it->second) {
    if (EqualsIgnoreCase(a, args[idx])) return true;
  }
  return false;
}

bool Selector::AllowsKey(std::string_view key, int needs) const {
  if (all_keys_) return true;
  for (const KeyPattern& p : keys_) {
    if ((p.perms & needs) != needs) continue;
    if (StringMatch(p.pattern, key, false)) return true;
  }
  return false;
}

bool Selector::AllowsAllKeys(int needs) const {
  if (all_keys_) return true;
  for (const KeyPattern& p : keys_) {
    if ((p.perms & needs) == needs && p.pattern == "*") return true;
  }
  return false;
}

// A pattern subscription is allowed only by the very same pattern; a
// channel by any pattern that matches it.
bool Selector::AllowsChannel(std::string_view channel, bool is_pattern) const {
  if (all_channels_) return true;
  for (const std::string& p : channels_) {
    if (is_pattern ? p == channel : StringMatch(p, channel, false)) return true;
  }
  return false;
}

std::string Selector::DescribeCommands() const {
  std::string out = future_commands_ ? "+@all" : "-@all";
  if (!command_rules_.empty()) out += " " + command_rules_;
  return out;
}

std::string Selector::DescribeKeys() const {
  if (all_keys_) return "~*";
  std::string out;
  for (const KeyPattern& p : keys_) {
    if (!out.empty()) out += ' ';
    out += PatternString(p);
  }
  return out;
}

std::string Selector::DescribeChannels() const {
  if (all_channels_) return "&*";
  std::string out;
  for (const std::string& p : channels_) {
    if (!out.empty()) out += ' ';
    out += "&" + p;
  }
  return out;
}

std::string Selector::Describe() const {
  std::string out;
  if (all_keys_) {
    out += "~* ";
  } else {
    for (const KeyPattern& p : keys_) out += PatternString(p) + " ";
  }
  if (all_channels_) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    for (const std::string& p : channels_) out += "&" + p + " ";
  }
  out += DescribeCommands();
  return out;
}

// ---------------------------------------------------------------------------
// User

User::User(std::string name, bool allchannels_default) : name_(std::move(name)) {
  selectors_.emplace_back(true, allchannels_default);
}

Status User::Apply(std::string_view op, const CommandCatalog& catalog, bool allchannels_default) {
  if (op.empty()) return Status::Ok();
  if (EqualsIgnoreCase(op, "on")) {
    enabled_ = true;
  } else if (EqualsIgnoreCase(op, "off")) {
    enabled_ = false;
  } else if (EqualsIgnoreCase(op, "skip-sanitize-payload")) {
    skip_sanitize_ = true;
  } else if (EqualsIgnoreCase(op, "sanitize-payload")) {
    skip_sanitize_ = false;
  } else if (EqualsIgnoreCase(op, "nopass")) {
    nopass_ = true;
    passwords_.clear();
  } else if (EqualsIgnoreCase(op, "resetpass")) {
    nopass_ = false;
    passwords_.clear();
  } else if (op[0] == '>' || op[0] == '#') {
    std::string hash;
    if (op[0] == '>') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return Status::Error(kErrBadHash);
      hash = std::string(op.substr(1));
    }
    if (std::find(passwords_.begin(), passwords_.end(), hash) == passwords_.end()) {
      passwords_.push_back(std::move(hash));
    }
    nopass_ = false;
  } else if (op[0] == '<' || op[0] == '!') {
    std::string hash;
    if (op[0] == '<') {
      hash = Sha256Hex(op.substr(1));
    } else {
      if (!ValidHash(op.substr(1))) return Status::Error(kErrBadHash);
      hash = std::string(op.substr(1));
    }
    auto it = std::find(passwords_.begin(), passwords_.end(), hash);
    if (it == passwords_.end()) return Status::Error(kErrNoSuchPass);
    passwords_.erase(it);
  } else if (op[0] == '(' && op.back() == ')') {
    Selector selector(false, allchannels_default);
    std::vector<std::string> rules;
    if (!SplitArgs(op.substr(1, op.size() - 2), &rules)) return Status::Error(kErrSyntax);
    for (const std::string& rule : rules) {
      Status st = selector.Apply(rule, catalog);
      if (!st.ok()) return st;
    }
    selectors_.push_back(std::move(selector));
  } else if (EqualsIgnoreCase(op, "clearselectors")) {
    selectors_.resize(1);
  } else if (EqualsIgnoreCase(op, "reset")) {
    passwords_.clear();
    nopass_ = false;
    enabled_ = false;
    skip_sanitize_ = false;
    selectors_.resize(1);
    Selector& root = selectors_[0];
    (void)root.Apply("resetkeys", catalog);
    (void)root.Apply(allchannels_default ? "allchannels" : "resetchannels", catalog);
    (void)root.Apply("-@all", catalog);
  } else {
    return selectors_[0].Apply(op, catalog);
  }
  return Status::Ok();
}

Status User::ApplyAll(std::span<const std::string> ops, const CommandCatalog& catalog,
                      bool allchannels_default) {
  // "(~a" "+get)" arrive as separate arguments: join them back.
  std::vector<std::string> merged;
  std::string open;
  bool in_selector = false;
  std::string open_at;
  for (const std::string& op : ops) {
    if (!in_selector && !op.empty() && op[0] == '(' && op.back() != ')') {
      open = op;
      open_at = op;
      in_selector = true;
      continue;
    }
    if (in_selector) {
      open += " " + op;
      if (!op.empty() && op.back() == ')') {
        merged.push_back(std::move(open));
        in_selector = false;
      }
      continue;
    }
    merged.push_back(op);
  }
  if (in_selector) {
    return Status::Error("ERR Unmatched parenthesis in acl selector starting at '" + open_at +
                         "'.");
  }
  for (const std::string& op : merged) {
    Status st = Apply(op, catalog, allchannels_default);
    if (!st.ok()) {
      return Status::Error("ERR Error in ACL SETUSER modifier '" + op + "': " + st.message());
    }
  }
  return Status::Ok();
}

bool User::AllowsWithAllKeys(const CommandCatalog& catalog, int id,
                             std::span<const std::string_view> args,
                             std::span<const KeyAccess> keys,
                             std::span<const ChannelAccess> channels, int needs) const {
  for (const Selector& s : selectors_) {
    if (!s.AllowsAllKeys(needs)) continue;
    User one(name_, false);
    one.selectors_[0] = s;
    if (one.Check(catalog, id, args, keys, channels, nullptr) == Denial::kNone) return true;
  }
  return false;
}

Denial User::Check(const CommandCatalog& catalog, int id, std::span<const std::string_view> args,
                   std::span<const KeyAccess> keys, std::span<const ChannelAccess> channels,
                   int* errpos) const {
  Denial worst = Denial::kCommand;
  int worst_pos = 0;
  for (const Selector& s : selectors_) {
    Denial d = Denial::kNone;
    int pos = 0;
    if (!s.AllowsCommand(catalog, id, args)) {
      d = Denial::kCommand;
    } else {
      for (const KeyAccess& k : keys) {
        if (!s.AllowsKey(args[k.pos], k.needs)) {
          d = Denial::kKey;
          pos = k.pos;
          break;
        }
      }
      if (d == Denial::kNone) {
        for (const ChannelAccess& c : channels) {
          if (!s.AllowsChannel(args[c.pos], c.pattern)) {
            d = Denial::kChannel;
            pos = c.pos;
            break;
          }
        }
      }
    }
    if (d == Denial::kNone) return Denial::kNone;
    if (int(d) > int(worst) || (d == worst && pos > worst_pos)) {
      worst = d;
      worst_pos = pos;
    }
  }
  if (errpos != nullptr) *errpos = worst_pos;
  return worst;
}

bool User::CheckKey(std::string_view key, int needs) const {
  return std::any_of(selectors_.begin(), selectors_.end(),
                     [&](const Selector& s) { return s.AllowsKey(key, needs); });
}

bool User::CheckChannel(std::string_view channel, bool is_pattern) const {
  return std::any_of(selectors_.begin(), selectors_.end(),
                     [&](const Selector& s) { return s.AllowsChannel(channel, is_pattern); });
}

bool User::Unrestricted() const {
  return std::any_of(selectors_.begin(), selectors_.end(), [](const Selector& s) {
    return s.all_commands() && s.all_keys() && s.all_channels();
  });
}

bool User::PasswordMatches(std::string_view cleartext) const {
  if (nopass_) return true;
  std::string hash = Sha256Hex(cleartext);
  bool found = false;
  for (const std::string& p : passwords_) found |= ConstantTimeEquals(p, hash);
  return found;
}

std::vector<std::string_view> User::Flags() const {
  std::vector<std::string_view> out;
  out.push_back(enabled_ ? "on" : "off");
  if (nopass_) out.push_back("nopass");
  out.push_back(skip_sanitize_ ? "skip-sanitize-payload" : "sanitize-payload");
  return out;
}

std::string User::Describe() const {
  std::string out;
  for (std::string_view f : Flags()) {
    out += f;
    out += ' ';
  }
  for (const std::string& p : passwords_) out += "#" + p + " ";
  for (const Selector& s : selectors_) {
    if (s.root()) {
      out += s.Describe();
    } else {
      out += " (" + s.Describe() + ")";
    }
  }
  return out;
}

}  // namespace lodestone::acl
