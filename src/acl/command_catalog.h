// What the ACL rules need to know about commands, independent of the engine:
// each command's id (dense, the command table's CommandSpec::id), full name
// ("get", "client|kill"), ACL categories as a bitmask, parent and
// subcommands. The engine builds one catalog from its command table at
// start-up (engine/acl_check.cc); unit tests build small ones by hand.
// Immutable once built, so any thread may read it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lodestone::acl {

// Redis's command categories, in the order ACL CAT lists them; bit i of a
// category mask is kCategoryNames[i].
inline constexpr std::array<std::string_view, 21> kCategoryNames = {
    "keyspace", "read",   "write",    "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",    "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking", "dangerous", "connection", "transaction", "scripting"};

// Bit of a category name (case-insensitive), or 0 if unknown.
uint64_t CategoryBit(std::string_view name);

struct CatalogCommand {
  std::string name;         // lowercase full name
  uint64_t categories = 0;  // CategoryBit()s
  int parent = -1;
  std::vector<int> subcommands;
  bool no_auth = false;     // allowed before AUTH: never refused by command rules
};

class CommandCatalog {
 public:
  // Adds a command; its id is the number of commands added before it. A
  // subcommand names its parent's id and is listed in the parent's subcommands.
  int Add(std::string name, uint64_t categories, int parent = -1, bool no_auth = false);
  // Id of a full name ("CONFIG|GET" or "get"), case-insensitive; -1 if unknown.
  int Find(std::string_view name) const;
  const CatalogCommand& at(int id) const { return commands_[id]; }
  int size() const { return int(commands_.size()); }

 private:
  std::vector<CatalogCommand> commands_;
  std::unordered_map<std::string, int> by_name_;
};

}  // namespace lodestone::acl
