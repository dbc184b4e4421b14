// The engine-wide script cache and each shard's scripting state.
#include "scripting/script_cache.h"

#include "common/sha1.h"
#include "common/strings.h"
#include "engine/engine.h"
#include "engine/shard.h"
#include "common/split_args.h"
#include "scripting/function_registry.h"
#include "scripting/lua_api.h"
#include "scripting/lua_vm.h"
#include "scripting/script_runner.h"

namespace lodestone {
namespace {

class EngineScripting : public EngineExtension {
 public:
  ScriptCache cache;
  FunctionRegistry functions;  // FUNCTION libraries (function_registry.h)
};

// One shard thread's VMs. The EVAL VM is rebuilt when SCRIPT FLUSH has
// bumped the cache generation since it was made.
class ShardScripting : public ShardExtension {
 public:
  std::unique_ptr<LuaVm> eval_vm;
  uint64_t eval_generation = 0;
  std::unique_ptr<LuaVm> function_vm;
};

std::string Lower(std::string_view s) { return ToLowerCopy(s); }

}  // namespace

ScriptCache& ScriptCache::Of(Engine& engine) {
  std::call_once(engine.scripting_once,
                 [&] { engine.scripting = std::make_unique<EngineScripting>(); });
  return static_cast<EngineScripting*>(engine.scripting.get())->cache;
}

FunctionRegistry& FunctionRegistry::Of(Engine& engine) {
  ScriptCache::Of(engine);  // creates the engine's scripting state
  return static_cast<EngineScripting*>(engine.scripting.get())->functions;
}

std::string ScriptCache::Add(std::string_view body) {
  std::string sha = Sha1Hex(body);
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = bodies_.try_emplace(sha, body);
  if (inserted) body_bytes_ += body.size();
  return sha;
}

std::optional<std::string> ScriptCache::Find(std::string_view sha) const {
  std::string key = Lower(sha);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = bodies_.find(key);
  if (it == bodies_.end()) return std::nullopt;
  return it->second;
}

bool ScriptCache::Contains(std::string_view sha) const {
  std::string key = Lower(sha);
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_.count(key) > 0;
}

void ScriptCache::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  bodies_.clear();
  body_bytes_ = 0;
  generation_.fetch_add(1, std::memory_order_acq_rel);
}

size_t ScriptCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bodies_.size();
}

size_t ScriptCache::body_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return body_bytes_;
}

bool ParseShebang(std::string_view body, uint32_t* flags, size_t* shebang_len, std::string* err) {
  *flags = kScriptEvalCompat;
  *shebang_len = 0;
  if (body.substr(0, 2) != "#!") return true;
  size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    *err = "Invalid script shebang";
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(body.substr(0, end), &parts) || parts.empty()) {
    *err = "Invalid engine in script shebang";
    return false;
  }
  if (parts[0] != "#!lua") {
    *err = "Unexpected engine in script shebang: " + parts[0];
    return false;
  }
  uint32_t result = 0;
  for (size_t i = 1; i < parts.size(); i++) {
    if (parts[i].compare(0, 6, "flags=") != 0) {
      *err = "Unknown lua shebang option: " + parts[i];
      return false;
    }
    std::string_view list = std::string_view(parts[i]).substr(6);
    while (!list.empty()) {  // "flags=" alone declares none

      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      uint32_t flag = 0;
      if (!ParseScriptFlag(name, &flag)) {
        *err = "Unexpected flag in script shebang: " + std::string(name);
        return false;
      }
      result |= flag;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
      if (list.empty()) {  // a trailing comma names an empty flag
        *err = "Unexpected flag in script shebang: ";
        return false;
      }
    }
  }
  *flags = result;
  *shebang_len = end;
  return true;
}

bool PushEvalFunction(Engine& engine, LuaVm& vm, const std::string& sha, std::string_view body,
                      uint32_t* flags, std::string* err, bool* missing) {
  *missing = false;
  lua_State* L = vm.state();
  std::string fn_name = "f_" + sha;
  auto known = vm.script_flags.find(sha);
  if (known != vm.script_flags.end()) {
    lua_getfield(L, LUA_REGISTRYINDEX, fn_name.c_str());
    *flags = known->second;
    return true;
  }
  std::optional<std::string> cached;
  if (body.empty()) {
    cached = ScriptCache::Of(engine).Find(sha);
    if (!cached) {
      *missing = true;
      return false;
    }
    body = *cached;
  }
  size_t shebang_len = 0;
  if (!ParseShebang(body, flags, &shebang_len, err)) {
    *err = "ERR " + *err;
    return false;
  }
  // The shebang line is skipped but its newline kept, so line numbers hold.
  std::string_view code = body.substr(shebang_len);
  if (luaL_loadbuffer(L, code.data(), code.size(), "@user_script") != 0) {
    *err = std::string("ERR Error compiling script (new function): ") + lua_tostring(L, -1);
    lua_pop(L, 1);
    return false;
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, fn_name.c_str());
  vm.script_flags[sha] = *flags;
  return true;
}

ScriptingMemory GetScriptingMemory(Engine& engine) {
  ScriptingMemory m;
  ScriptCache& cache = ScriptCache::Of(engine);
  m.cached_scripts = cache.size();
  m.script_bytes = cache.body_bytes();
  for (int i = 0; i < engine.shard_count(); i++) {
    auto* state = static_cast<ShardScripting*>(engine.shard(i).scripting.get());
    if (state == nullptr) continue;
    if (state->eval_vm) m.vm_eval_bytes += state->eval_vm->MemoryBytes();
    if (state->function_vm) m.vm_functions_bytes += state->function_vm->MemoryBytes();
  }
  // An interpreter that has not been created yet would use about this much
  // (Redis reports its idle VM's size).
  if (m.vm_eval_bytes == 0) m.vm_eval_bytes = 31 * 1024;
  return m;
}

LuaVm& VmForShard(Shard& shard, LuaVm::Kind kind) {
  if (!shard.scripting) shard.scripting = std::make_unique<ShardScripting>();
  auto* state = static_cast<ShardScripting*>(shard.scripting.get());
  if (kind == LuaVm::Kind::kFunction) {
    if (!state->function_vm) state->function_vm = std::make_unique<LuaVm>(kind);
    return *state->function_vm;
  }
  uint64_t generation = ScriptCache::Of(shard.engine()).generation();
  if (!state->eval_vm || state->eval_generation != generation) {
    // A VM may be running a script further up this thread's stack only if
    // a script could run a script, which kNoScript forbids.
    state->eval_vm = std::make_unique<LuaVm>(kind);
    state->eval_generation = generation;
  }
  return *state->eval_vm;
}

}  // namespace lodestone
