// ScriptCache: the bodies of EVAL scripts by SHA1, engine-wide (mutex-
// guarded), and each shard's VMs. A VM compiles a body on demand the first
// time its thread runs it and keeps the compiled function in its registry.
// SCRIPT FLUSH empties the cache and bumps a generation counter; each
// shard's VM notices the new generation at its next EVAL and drops its
// compiled functions (by starting a fresh interpreter).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace lodestone {

class Engine;
class LuaVm;

class ScriptCache {
 public:
  static ScriptCache& Of(Engine& engine);

  // Adds `body` (no-op if present); returns its SHA1 (lowercase hex).
  std::string Add(std::string_view body);
  // Any case of the SHA1 is accepted. Returns the body if cached.
  std::optional<std::string> Find(std::string_view sha) const;
  bool Contains(std::string_view sha) const;
  void Flush();
  size_t size() const;
  size_t body_bytes() const;
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> bodies_;  // guarded by mu_
  size_t body_bytes_ = 0;                                // guarded by mu_
  std::atomic<uint64_t> generation_{0};
};

// INFO memory figures. REQUIRES: every shard parked (INFO), since it reads
// each shard's VMs.
struct ScriptingMemory {
  size_t vm_eval_bytes = 0;
  size_t vm_functions_bytes = 0;
  size_t cached_scripts = 0;
  size_t script_bytes = 0;
};
ScriptingMemory GetScriptingMemory(Engine& engine);

// Parses an EVAL script's "#!lua flags=..." first line into ScriptFlag bits
// (kScriptEvalCompat when there is none) and the length of that line.
// Returns false with Redis's error text (without "ERR ") in *err.
bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len, std::string* err);

// Pushes the compiled function of the EVAL script `sha` onto `vm`'s stack,
// compiling `body` first if this VM has not seen it (*flags receives its
// shebang flags). `body` may be empty when the caller knows only the SHA1;
// then a function this VM has not compiled yet is looked up in the cache.
// Returns false with the full error reply text in *err (and pushes
// nothing); *missing is set when the script is not cached at all.
bool PushEvalFunction(Engine& engine, LuaVm& vm, const std::string& sha, std::string_view body,
                      uint32_t* flags, std::string* err, bool* missing);

}  // namespace lodestone
