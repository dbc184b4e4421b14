// The command table: one row per command (and per subcommand), holding
// everything the server knows about it: name, arity, flags, key specs, group,
// documentation and handler. Arity checks, key extraction (and so routing to
// shards), COMMAND INFO/DOCS/GETKEYS and ACL categories all come from here.
//
// Registration is explicit: each command group has a Register*Commands(table)
// function called from one place (commands/register.cc). Rows are immutable
// after start-up, so any thread may read the table without locks.
//
// Flags (documented once, here):
//   kWrite       may modify the keyspace.            kReadonly   reads only.
//   kDenyOom     refused when over maxmemory.        kAdmin      administrative.
//   kPubSub      pub/sub related.                    kNoScript   not allowed in scripts.
//   kBlocking    may block the client.               kLoading    allowed while loading.
//   kStale       allowed on a stale replica.         kSkipMonitor not shown in MONITOR.
//   kSkipSlowlog not logged in SLOWLOG.              kFast       O(1) or O(log N).
//   kNoAuth      allowed before AUTH.                kMayReplicate may be replicated.
//   kNoMulti     not allowed inside MULTI.           kAllowBusy  allowed while a script runs.
//   kNoMandatoryKeys keys are optional (movable).    kNoAsyncLoading, kSentinel, kOnlySentinel:
//                                                    reported as Redis does.
//   Ours (not reported by COMMAND):
//   kAllShards   runs as a cross-shard execution over every shard (KEYS, DBSIZE,
//                FLUSHALL, INFO, CONFIG SET, CLIENT LIST...): the handler may read
//                and write any shard's data and any client registry. Such a row
//                may still carry key specs for COMMAND and GETKEYS (SORT does);
//                routing ignores them.
//   kClientState a keyless command that must run on the client's own thread
//                (it reads or changes the calling client: SELECT, HELLO, CLIENT ...).
//                Every keyless command runs there anyway; the flag documents intent.
//   kNoHop       never sent to another shard as a hop (EVAL, FCALL): runs on the
//                client's thread, inline when every key is on its shard, else as a
//                cross-shard execution over its keys' shards; the handler may ask
//                (ExecHooks::retry_on_all_shards) to be run again over every shard.
//   kTransactionControl executed at once even inside MULTI, never queued (MULTI,
//                EXEC, DISCARD, WATCH, QUIT, RESET). Runs on the client's thread once
//                every earlier command of the pipeline is back, whatever its key
//                specs say (WATCH and EXEC reach other shards themselves).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lodestone {

class CommandContext;
using CommandHandler = void (*)(CommandContext& ctx);
// A key position found by a command's own key extraction, with its key spec
// flags (kKs*).
struct KeyRef {
  int pos;
  uint32_t flags;
};
// A command's own key extraction, for keys its key specs cannot describe
// (Redis's getkeys_proc; e.g. SORT's STORE key). Appends to *out; returns
// false when the arguments are malformed for extraction.
using GetKeysFn = bool (*)(const std::vector<std::string_view>& args, std::vector<KeyRef>* out);

enum CommandFlag : uint64_t {
  kWrite = 1ull << 0,
  kReadonly = 1ull << 1,
  kDenyOom = 1ull << 2,
  kAdmin = 1ull << 3,
  kPubSub = 1ull << 4,
  kNoScript = 1ull << 5,
  kBlocking = 1ull << 6,
  kLoading = 1ull << 7,
  kStale = 1ull << 8,
  kSkipMonitor = 1ull << 9,
  kSkipSlowlog = 1ull << 10,
  kFast = 1ull << 11,
  kNoAuth = 1ull << 12,
  kMayReplicate = 1ull << 13,
  kSentinel = 1ull << 14,
  kOnlySentinel = 1ull << 15,
  kNoMandatoryKeys = 1ull << 16,
  kNoAsyncLoading = 1ull << 17,
  kNoMulti = 1ull << 18,
  kAllowBusy = 1ull << 19,
  // Ours, see above.
  kAllShards = 1ull << 40,
  kClientState = 1ull << 41,
  kNoHop = 1ull << 42,
  kTransactionControl = 1ull << 43,
};

// Key spec flags, reported by COMMAND INFO as Redis names them.
enum KeySpecFlag : uint32_t {
  kKsRO = 1 << 0,
  kKsRW = 1 << 1,
  kKsOW = 1 << 2,
  kKsRM = 1 << 3,
  kKsAccess = 1 << 4,
  kKsUpdate = 1 << 5,
  kKsInsert = 1 << 6,
  kKsDelete = 1 << 7,
  kKsNotKey = 1 << 8,
  kKsIncomplete = 1 << 9,
  kKsVariableFlags = 1 << 10,
};

// A Redis 7 key spec: where the search for keys begins, then how keys are found.
struct KeySpec {
  uint32_t flags = 0;
  // begin_search: either an argument index, or the first occurrence of a
  // keyword (searched from `startfrom`, negative = from the end).
  bool begin_keyword = false;
  int begin_index = 1;
  std::string_view keyword;
  int keyword_startfrom = 1;
  // find_keys: either a range (lastkey relative to the begin position,
  // -1 = last argument, keystep, limit), or a key count stored in an argument
  // (keynumidx relative to begin, firstkey relative to begin, keystep).
  bool find_keynum = false;
  int lastkey = 0;
  int keystep = 1;
  int limit = 0;
  int keynumidx = 0;
  int firstkey = 1;
};

struct CommandDoc {
  std::string_view summary;
  std::string_view since;
  std::string_view complexity;
};

struct CommandSpec {
  std::string name;       // lowercase, e.g. "get", or "client|kill" for subcommands
  int arity = 0;          // Redis convention: negative = at least -arity
  uint64_t flags = 0;
  std::string group;      // "string", "generic", "connection", "server", ...
  std::vector<std::string> acl_categories;  // without '@'; derived ones are added at Finalize
  std::vector<KeySpec> key_specs;
  CommandHandler handler = nullptr;
  // When set, replaces the key specs for finding keys (GetKeyPositions,
  // COMMAND GETKEYS); the command is then reported as movablekeys.
  GetKeysFn get_keys = nullptr;
  CommandDoc doc;
  std::vector<std::string_view> tips;
  // Subcommands by lowercase name; a container command's handler is used for
  // its HELP or when it has no subcommands.
  std::unordered_map<std::string, std::unique_ptr<CommandSpec>> subcommands;
  const CommandSpec* parent = nullptr;

  // Set by Finalize: legacy (first, last, step) triple and "movablekeys".
  int first_key = 0;
  int last_key = 0;
  int key_step = 0;
  bool movable_keys = false;
  // The position of the command's only key when it always sits at one place
  // (first_key == last_key, not movable), else 0: the dispatcher's fast route.
  int single_key = 0;
  int id = -1;  // dense index across the whole table, for per-shard statistics

  // Full name for error texts and stats: "get" or "client|kill".
  const std::string& full_name() const { return name; }
  bool IsSubcommand() const { return parent != nullptr; }
};

// Finds the positions of keys in `args` (args[0] is the command name)
// according to the spec's key specs. Positions are appended to *out in
// argument order. Returns false if the arguments are malformed for key
// extraction (e.g. numkeys out of range); the handler reports the real error.
bool GetKeyPositions(const CommandSpec& spec, const std::vector<std::string_view>& args,
                     std::vector<int>* out);
// The same, with each key's key spec flags (ACL checks read vs write).
bool GetKeyRefs(const CommandSpec& spec, const std::vector<std::string_view>& args,
                std::vector<KeyRef>* out);

class CommandTable {
 public:
  // Adds a top-level command. Returns a reference for adding subcommands.
  CommandSpec& Add(CommandSpec spec);
  // Adds a subcommand of `parent` ("client", "kill"); name becomes "client|kill".
  CommandSpec& AddSubcommand(CommandSpec& parent, CommandSpec spec);

  // Computes derived fields (legacy key triple, ids, derived ACL categories).
  // Call once after every Register*Commands.
  void Finalize();

  // Case-insensitive lookup of a top-level command; nullptr if unknown.
  const CommandSpec* Find(std::string_view name) const;
  // Resolves "CLIENT KILL" style calls: returns the subcommand if the command
  // has subcommands and args[1] names one, the container if it has none, or
  // nullptr (with *unknown_sub set) if args[1] is not a known subcommand.
  const CommandSpec* Resolve(const std::vector<std::string_view>& args, bool* unknown_sub) const {
    return Resolve(Find(args[0]), args, unknown_sub);
  }
  // The same, for a caller that already knows `top`, Find(args[0]).
  const CommandSpec* Resolve(const CommandSpec* top, const std::vector<std::string_view>& args,
                             bool* unknown_sub) const;

  const std::vector<const CommandSpec*>& all() const { return all_; }  // every row incl. subcommands
  const std::vector<const CommandSpec*>& top_level() const { return top_; }
  size_t size() const { return top_.size(); }

 private:
  // FNV-1a over the lowercase name: Find's hash.
  static constexpr uint32_t kNameHashBasis = 2166136261u;
  static constexpr uint32_t kNameHashPrime = 16777619u;
  static uint32_t NameHash(std::string_view lower) {
    uint32_t h = kNameHashBasis;
    for (char ch : lower) h = (h ^ uint8_t(ch)) * kNameHashPrime;
    return h;
  }
  struct IndexSlot {
    uint32_t hash = 0;
    const CommandSpec* spec = nullptr;
  };

  std::unordered_map<std::string, std::unique_ptr<CommandSpec>> commands_;
  std::vector<IndexSlot> index_;  // built by Finalize, for Find
  std::vector<const CommandSpec*> top_;
  std::vector<const CommandSpec*> all_;
};

// Arity check as Redis does it: exact when positive, minimum when negative.
inline bool ArityOk(const CommandSpec& spec, size_t argc) {
  int a = spec.arity;
  return (a > 0 && int(argc) == a) || (a < 0 && int(argc) >= -a);
}

}  // namespace lodestone

namespace lodestone {

// Shorthands for the common key spec shapes, used by the Register* functions.
// Range of keys starting at argument `index`: lastkey -1 = through the last
// argument, 0 = just one key.
inline KeySpec KeysAt(int index, int lastkey, int step, uint32_t flags) {
  KeySpec ks;
  ks.flags = flags;
  ks.begin_index = index;
  ks.lastkey = lastkey;
  ks.keystep = step;
  return ks;
}
// "numkeys key [key ...]" with the count at argument `index`.
inline KeySpec KeysCounted(int index, int step, uint32_t flags) {
  KeySpec ks;
  ks.flags = flags;
  ks.begin_index = index;
  ks.find_keynum = true;
  ks.keynumidx = 0;
  ks.firstkey = 1;
  ks.keystep = step;
  return ks;
}
// Keys after a keyword: KEYWORD key [key ...] (lastkey relative to the keyword).
inline KeySpec KeysAfterKeyword(std::string_view keyword, int startfrom, int lastkey, int step,
                                uint32_t flags) {
  KeySpec ks;
  ks.flags = flags;
  ks.begin_keyword = true;
  ks.keyword = keyword;
  ks.keyword_startfrom = startfrom;
  ks.lastkey = lastkey;
  ks.keystep = step;
  return ks;
}

}  // namespace lodestone
