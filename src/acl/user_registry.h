// The set of ACL users, shared by every thread, and the ACL log.
//
// Users are immutable values held by shared_ptr: a change (ACL SETUSER,
// DELUSER, LOAD, CONFIG SET requirepass) builds new User objects under the
// mutex, swaps them in and bumps `generation`. The command path never takes
// the mutex while nothing changes: a client keeps the shared_ptr of its user
// together with the generation it was read at, and compares that with
// generation() (one relaxed load) before each command; only after a change
// does it look its user up again (engine/acl_check.h).
//
// The ACL log is written only when a command is refused, and read by
// ACL LOG; it has its own mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "acl/command_catalog.h"
#include "acl/user.h"
#include "common/status.h"

namespace lodestone::acl {

enum class LogContext { kToplevel, kMulti, kLua, kModule };

struct LogEntry {
  uint64_t count = 1;
  Denial reason = Denial::kCommand;
  LogContext context = LogContext::kToplevel;
  std::string object;
  std::string username;
  std::string client_info;
  uint64_t entry_id = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// INFO's acl_access_denied_* counters.
struct DenialCounters {
  std::atomic<uint64_t> auth{0};
  std::atomic<uint64_t> command{0};
  std::atomic<uint64_t> key{0};
  std::atomic<uint64_t> channel{0};
};

using UserMap = std::map<std::string, std::shared_ptr<const User>, std::less<>>;

class UserRegistry {
 public:
  // Starts with the default user: on, nopass, every command, key and channel.
  explicit UserRegistry(CommandCatalog catalog);

  const CommandCatalog& catalog() const { return catalog_; }
  // Bumped by every change to any user. Any thread.
  uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  // Whether new connections start authenticated (default user on and nopass).
  bool default_auto_auth() const { return default_auto_auth_.load(std::memory_order_relaxed); }

  std::shared_ptr<const User> Find(std::string_view name) const;
  UserMap Users() const;

  // ACL SETUSER: applies `ops` to a copy of the user (a new one if absent)
  // and publishes it. The error is the full reply text.
  Status SetUser(std::string_view name, std::span<const std::string> ops,
                 bool allchannels_default, std::shared_ptr<const User>* before = nullptr,
                 std::shared_ptr<const User>* after = nullptr);
  // ACL DELUSER: removes the users that exist; returns how many.
  int DelUsers(std::span<const std::string> names);
  // ACL LOAD / start-up: replaces every user at once.
  void ReplaceAll(UserMap users);
  // CONFIG SET requirepass: the default user's only password, or nopass.
  void SetDefaultPassword(std::string_view password, bool allchannels_default);

  // --- ACL log ---
  void Log(LogEntry entry, int64_t max_len);
  std::vector<LogEntry> LogEntries(size_t count) const;
  void LogReset();
  void LogTrim(int64_t max_len);
  DenialCounters& denials() { return denials_; }

 private:
  void PublishLocked();

  const CommandCatalog catalog_;
  mutable std::mutex mu_;
  UserMap users_;  // guarded by mu_
  std::atomic<uint64_t> generation_{1};
  std::atomic<bool> default_auto_auth_{true};

  mutable std::mutex log_mu_;
  std::vector<LogEntry> log_;  // newest first; guarded by log_mu_
  uint64_t next_entry_id_ = 0;
  DenialCounters denials_;
};

// Parses an ACL file (lines "user <name> <rules...>", blank lines and
// blank lines allowed) into users, or returns Redis's error text (which
// names `filename`). A file without a default user gets the initial one.
Result<UserMap> ParseAclFile(std::string_view text, std::string_view filename,
                             const CommandCatalog& catalog, bool allchannels_default);
// The initial default user: on, nopass, every command, key and channel.
std::shared_ptr<const User> MakeDefaultUser(const CommandCatalog& catalog);

}  // namespace lodestone::acl
