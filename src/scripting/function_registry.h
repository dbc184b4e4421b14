// FunctionRegistry: the libraries of FUNCTION LOAD, engine-wide.
//
// Threads. The registry is read by every shard thread (FCALL, FUNCTION LIST)
// and written rarely (FUNCTION LOAD/DELETE/FLUSH/RESTORE). It publishes
// immutable snapshots (FunctionSet): a writer changes a working set under the
// mutex and bumps the generation, and the first reader of that generation
// copies it into a new snapshot (so a run of loads copies nothing); a reader takes a reference
// to the current set and uses it without any lock for as long as it likes.
// Each shard's Lua VM compiles a library the first time it runs one of its
// functions and keys the compiled copy by the library's id (unique per load),
// so a replaced or deleted library is simply never asked for again; a VM
// drops the copies of libraries that left the registry when it sees a new
// generation (see function_loader.h).
//
// A library is validated before it is added: its code is run once in a
// loading sandbox (function_loader.h) that collects the registered functions.
// Add() then only checks names against the current set, so two threads
// loading at once are serialized by the mutex and see each other's result.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lodestone {

class Engine;

struct FunctionInfo {
  std::string name;
  std::optional<std::string> description;
  uint32_t flags = 0;  // ScriptFlag bits (script_runner.h)
};

struct FunctionLibrary {
  uint64_t id = 0;  // unique per load (FunctionRegistry::NextLibraryId)
  std::string name;
  std::string engine;  // "LUA", as Redis names it
  // The whole payload, shebang included (FUNCTION LIST WITHCODE, DUMP).
  std::string code;
  // Offset in `code` of the shebang line's '\n': the code compiled starts
  // there, so that line numbers match the payload's.
  size_t body_offset = 0;
  std::vector<FunctionInfo> functions;  // in registration order

  std::string_view body() const { return std::string_view(code).substr(body_offset); }
};

// The shebang line of a library: "#!<engine> name=<name>".
struct LibraryMetadata {
  std::string engine;
  std::string name;
  size_t body_offset = 0;
};

// Parses the shebang. On failure returns false and sets *err to Redis's
// text without the "ERR " prefix.
bool ParseLibraryMetadata(std::string_view code, LibraryMetadata* out, std::string* err);

// Library and function names: [A-Za-z0-9_]+.
bool IsValidFunctionName(std::string_view name);
inline constexpr std::string_view kBadFunctionName =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least "
    "one character long";

// An immutable set of libraries.
class FunctionSet {
 public:
  struct Function {
    const FunctionLibrary* library;
    const FunctionInfo* info;
  };

  uint64_t generation() const { return generation_; }
  // Libraries by name (case-sensitive, as Redis), in name order.
  const std::map<std::string, std::shared_ptr<const FunctionLibrary>>& libraries() const {
    return libraries_;
  }
  const FunctionLibrary* FindLibrary(std::string_view name) const;
  // Function names are case-insensitive. Null when absent.
  const Function* FindFunction(std::string_view name) const;
  size_t function_count() const { return functions_.size(); }
  // Bytes of library code and names held (INFO used_memory_functions).
  size_t code_bytes() const { return code_bytes_; }

 private:
  friend class FunctionRegistry;
  void Link(std::shared_ptr<const FunctionLibrary> library);
  void Unlink(const std::string& name);

  uint64_t generation_ = 0;
  std::map<std::string, std::shared_ptr<const FunctionLibrary>> libraries_;
  std::unordered_map<std::string, Function> functions_;  // by lowercase name
  size_t code_bytes_ = 0;
};

class FunctionRegistry {
 public:
  enum class RestorePolicy { kAppend, kReplace, kFlush };

  FunctionRegistry();

  // The engine's registry (created with the engine's scripting state).
  static FunctionRegistry& Of(Engine& engine);

  // Any thread. The returned set stays valid while referenced.
  std::shared_ptr<const FunctionSet> Snapshot() const;
  // FCALL's fast path, on shard `shard`'s own thread only: the current set,
  // taking the mutex only when the generation changed since this thread's
  // last look. The reference stays valid until this thread calls again.
  const FunctionSet& CurrentFor(int shard, int shard_count);
  // Cheap check for VMs: changes whenever the set does.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  uint64_t NextLibraryId() { return next_library_id_.fetch_add(1, std::memory_order_relaxed) + 1; }

  // Adds a validated library. Without `replace` an existing library of the
  // same name is an error. Returns false with *err (no "ERR " prefix):
  //   "Library '<name>' already exists", "Function <f> already exists".
  bool Add(std::shared_ptr<const FunctionLibrary> library, bool replace, std::string* err);
  // False when there is no such library.
  bool Delete(std::string_view name);
  // Whether a library of that name is loaded now.
  bool HasLibrary(std::string_view name) const;
  void Flush();
  // FUNCTION RESTORE: joins `libraries` (validated, distinct names and
  // functions) with the current ones by `policy`. All or nothing.
  bool Restore(std::vector<std::shared_ptr<const FunctionLibrary>> libraries, RestorePolicy policy,
               std::string* err);

  // FUNCTION STATS's running_script. FCALL runs on its client's thread, one
  // at a time per thread, and records itself in that thread's slot (an
  // uncontended mutex) for the duration of the call; `name` and `command`
  // must stay valid until EndRun.
  struct RunningFunction {
    std::string name;
    std::vector<std::string> command;
    int64_t start_ms;
  };
  void BeginRun(int shard, int shard_count, const std::string* name,
                const std::vector<std::string_view>* command, int64_t start_ms);
  void EndRun(int shard);
  // The function running for the longest time, if any. Any thread.
  std::optional<RunningFunction> LongestRunning(int shard_count);

 private:
  struct RunSlot {
    std::mutex mu;
    const std::string* name = nullptr;  // null: idle
    const std::vector<std::string_view>* command = nullptr;
    int64_t start_ms = 0;
    std::shared_ptr<const FunctionSet> cached;  // own thread only (CurrentFor)
  };
  RunSlot* Slots(int shard_count);

  // After master_ changed: a new generation; the next Snapshot copies it.
  // REQUIRES: mu_ held.
  void MarkChanged();

  mutable std::mutex mu_;
  // Writers change master_ in place; Snapshot() publishes an immutable copy
  // of it, at most once per generation that is read, so loading many
  // libraries in a row costs no copy each (all guarded by mu_).
  std::shared_ptr<FunctionSet> master_;
  mutable std::shared_ptr<const FunctionSet> current_;
  mutable bool stale_ = false;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> next_library_id_{0};
  std::once_flag slots_once_;
  std::unique_ptr<RunSlot[]> slots_;  // one per shard, sized once
  int slot_count_ = 0;
};

}  // namespace lodestone
