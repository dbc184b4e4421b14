#include "acl/user_registry.h"

#include <algorithm>

#include "common/strings.h"

namespace lodestone::acl {

std::shared_ptr<const User> MakeDefaultUser(const CommandCatalog& catalog) {
  auto user = std::make_shared<User>("default", false);
  for (const char* op : {"+@all", "~*", "&*", "on", "nopass"}) (void)user->Apply(op, catalog, false);
  return user;
}

UserRegistry::UserRegistry(CommandCatalog catalog) : catalog_(std::move(catalog)) {
  users_["default"] = MakeDefaultUser(catalog_);
}

std::shared_ptr<const User> UserRegistry::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second;
}

UserMap UserRegistry::Users() const {
  std::lock_guard lock(mu_);
  return users_;
}

void UserRegistry::PublishLocked() {
  auto it = users_.find("default");
  bool auto_auth = it != users_.end() && it->second->enabled() && it->second->nopass();
  default_auto_auth_.store(auto_auth, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
}

Status UserRegistry::SetUser(std::string_view name, std::span<const std::string> ops,
                             bool allchannels_default, std::shared_ptr<const User>* before,
                             std::shared_ptr<const User>* after) {
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  std::shared_ptr<User> copy = it == users_.end()
                                   ? std::make_shared<User>(std::string(name), allchannels_default)
                                   : std::make_shared<User>(*it->second);
  Status st = copy->ApplyAll(ops, catalog_, allchannels_default);
  if (!st.ok()) return st;
  if (before != nullptr) *before = it == users_.end() ? nullptr : it->second;
  if (after != nullptr) *after = copy;
  users_[std::string(name)] = std::move(copy);
  PublishLocked();
  return Status::Ok();
}

int UserRegistry::DelUsers(std::span<const std::string> names) {
  std::lock_guard lock(mu_);
  int deleted = 0;
  for (const std::string& name : names) deleted += int(users_.erase(name));
  if (deleted > 0) PublishLocked();
  return deleted;
}

void UserRegistry::ReplaceAll(UserMap users) {
  std::lock_guard lock(mu_);
  users_ = std::move(users);
  if (users_.find("default") == users_.end()) users_["default"] = MakeDefaultUser(catalog_);
  PublishLocked();
}

void UserRegistry::SetDefaultPassword(std::string_view password, bool allchannels_default) {
  std::lock_guard lock(mu_);
  auto it = users_.find("default");
  auto copy = it == users_.end() ? std::make_shared<User>(*MakeDefaultUser(catalog_))
                                 : std::make_shared<User>(*it->second);
  (void)copy->Apply("resetpass", catalog_, allchannels_default);
  if (password.empty()) {
    (void)copy->Apply("nopass", catalog_, allchannels_default);
  } else {
    (void)copy->Apply(">" + std::string(password), catalog_, allchannels_default);
  }
  users_["default"] = std::move(copy);
  PublishLocked();
}

// Entries like a recent one (same reason, context, object and user within
// a minute) are counted on it instead of added, as Redis does; only the
// ten newest are compared.
void UserRegistry::Log(LogEntry entry, int64_t max_len) {
  switch (entry.reason) {
    case Denial::kAuth: denials_.auth++; break;
    case Denial::kCommand: denials_.command++; break;
    case Denial::kKey: denials_.key++; break;
    case Denial::kChannel: denials_.channel++; break;
    case Denial::kNone: break;
  }
  std::lock_guard lock(log_mu_);
  if (max_len <= 0) {
    log_.clear();
    return;
  }
  constexpr int64_t kGroupingMs = 60000;
  size_t scan = std::min<size_t>(log_.size(), 10);
  for (size_t i = 0; i < scan; i++) {
    LogEntry& e = log_[i];
    if (e.reason == entry.reason && e.context == entry.context && e.object == entry.object &&
        e.username == entry.username && std::abs(e.updated_ms - entry.created_ms) <= kGroupingMs) {
      LogEntry match = std::move(e);
      log_.erase(log_.begin() + long(i));
      match.count++;
      match.updated_ms = entry.created_ms;
      match.client_info = std::move(entry.client_info);
      log_.insert(log_.begin(), std::move(match));
      return;
    }
  }
  entry.entry_id = next_entry_id_++;
  entry.updated_ms = entry.created_ms;
  log_.insert(log_.begin(), std::move(entry));
  if (int64_t(log_.size()) > max_len) log_.resize(size_t(max_len));
}

std::vector<LogEntry> UserRegistry::LogEntries(size_t count) const {
  std::lock_guard lock(log_mu_);
  return std::vector<LogEntry>(log_.begin(), log_.begin() + long(std::min(count, log_.size())));
}

void UserRegistry::LogReset() {
  std::lock_guard lock(log_mu_);
  log_.clear();
}

void UserRegistry::LogTrim(int64_t max_len) {
  std::lock_guard lock(log_mu_);
  if (int64_t(log_.size()) > max_len) log_.resize(size_t(std::max<int64_t>(max_len, 0)));
}

namespace {

std::string_view Trim(std::string_view s, std::string_view chars) {
  size_t b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

}  // namespace

Result<UserMap> ParseAclFile(std::string_view text, std::string_view filename,
                             const CommandCatalog& catalog, bool allchannels_default) {
  UserMap users;
  std::string errors;
  std::string file(filename);
  int linenum = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = Trim(text.substr(start, end - start), " \t\r\n");
    start = end + 1;
    linenum++;
    if (line.empty()) continue;
    // Words are separated by single spaces, as Redis splits them.
    std::vector<std::string> argv;
    size_t p = 0;
    while (p <= line.size()) {
      size_t q = line.find(' ', p);
      if (q == std::string_view::npos) q = line.size();
      argv.emplace_back(line.substr(p, q - p));
      p = q + 1;
    }
    if (argv[0] != "user" || argv.size() < 2) {
      errors += file + ":" + std::to_string(linenum) +
                " should start with user keyword followed by the username. ";
      continue;
    }
    if (HasSpaces(argv[1])) {
      errors += "'" + file + ":" + std::to_string(linenum) + ": username '" + argv[1] +
                "' contains invalid characters. ";
      continue;
    }
    if (users.count(argv[1]) > 0) {
      errors += "WARNING: Duplicate user '" + argv[1] + "' found on line " +
                std::to_string(linenum) + ". ";
      continue;
    }
    auto user = std::make_shared<User>(argv[1], allchannels_default);
    // Merge "(a" "b)" selector pieces as SETUSER does.
    std::vector<std::string> ops;
    std::string open;
    bool in_selector = false;
    for (size_t j = 2; j < argv.size(); j++) {
      const std::string& op = argv[j];
      if (!in_selector && !op.empty() && op[0] == '(' && op.back() != ')') {
        open = op;
        in_selector = true;
      } else if (in_selector) {
        open += " " + op;
        if (!op.empty() && op.back() == ')') {
          ops.push_back(std::move(open));
          in_selector = false;
        }
      } else {
        ops.push_back(op);
      }
    }
    if (in_selector) {
      errors += file + ":" + std::to_string(linenum) + ": Unmatched parenthesis in selector definition.";
    }
    bool syntax_error = false;
    for (const std::string& raw : ops) {
      std::string op(Trim(raw, "\t\r\n"));
      Status st = user->Apply(op, catalog, allchannels_default);
      if (st.ok()) continue;
      if (st.message().starts_with("Unknown command")) {
        errors += file + ":" + std::to_string(linenum) + ": Error in applying operation '" + op +
                  "': " + st.message() + ". ";
      } else if (!syntax_error) {
        errors += file + ":" + std::to_string(linenum) + ": " + st.message() + ". ";
        syntax_error = true;
      }
    }
    users[argv[1]] = std::move(user);
  }
  if (!errors.empty()) {
    errors += "WARNING: ACL errors detected, no change to the previously active ACL rules was "
              "performed";
    return Status::Error(errors);
  }
  if (users.find("default") == users.end()) users["default"] = MakeDefaultUser(catalog);
  return users;
}

}  // namespace lodestone::acl
