// FunctionRegistry: published immutable sets of libraries (see the header).
#include "scripting/function_registry.h"

#include <cstring>

#include "common/split_args.h"
#include "common/strings.h"

namespace lodestone {

bool ParseLibraryMetadata(std::string_view code, LibraryMetadata* out, std::string* err) {
  if (code.substr(0, 2) != "#!") {
    *err = "Missing library metadata";
    return false;
  }
  // Redis reads the payload as a C string here: a NUL ends the search.
  std::string_view text = code.substr(0, std::min(code.find('\0'), code.size()));
  size_t newline = text.find('\n');
  if (newline == std::string_view::npos) {
    *err = "Invalid library metadata";
    return false;
  }
  std::vector<std::string> parts;
  if (!SplitArgs(code.substr(0, newline), &parts) || parts.empty()) {
    *err = "Invalid library metadata";
    return false;
  }
  std::string engine = parts[0].substr(2);
  std::optional<std::string> name;
  for (size_t i = 1; i < parts.size(); i++) {
    if (parts[i].size() >= 5 && EqualsIgnoreCase(std::string_view(parts[i]).substr(0, 5), "name=")) {
      if (name) {
        *err = "Invalid metadata value, name argument was given multiple times";
        return false;
      }
      name = parts[i].substr(5);
      continue;
    }
    *err = "Invalid metadata value given: " + parts[i];
    return false;
  }
  if (!name) {
    *err = "Library name was not given";
    return false;
  }
  out->engine = std::move(engine);
  out->name = std::move(*name);
  out->body_offset = newline;
  return true;
}

bool IsValidFunctionName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

namespace {

size_t LibraryBytes(const FunctionLibrary& library) {
  size_t bytes = library.code.size() + library.name.size();
  for (const FunctionInfo& fn : library.functions) {
    bytes += fn.name.size() + (fn.description ? fn.description->size() : 0);
  }
  return bytes;
}

}  // namespace

const FunctionLibrary* FunctionSet::FindLibrary(std::string_view name) const {
  auto it = libraries_.find(std::string(name));
  return it == libraries_.end() ? nullptr : it->second.get();
}

const FunctionSet::Function* FunctionSet::FindFunction(std::string_view name) const {
  auto it = functions_.find(ToLowerCopy(name));
  return it == functions_.end() ? nullptr : &it->second;
}

void FunctionSet::Link(std::shared_ptr<const FunctionLibrary> library) {
  for (const FunctionInfo& fn : library->functions) {
    // Names differing only in case within one library: the first wins, as
    // in Redis.
    functions_.emplace(ToLowerCopy(fn.name), Function{library.get(), &fn});
  }
  code_bytes_ += LibraryBytes(*library);
  libraries_[library->name] = std::move(library);
}

void FunctionSet::Unlink(const std::string& name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) return;
  code_bytes_ -= LibraryBytes(*it->second);
  for (const FunctionInfo& fn : it->second->functions) {
    auto entry = functions_.find(ToLowerCopy(fn.name));
    if (entry != functions_.end() && entry->second.info == &fn) functions_.erase(entry);
  }
  libraries_.erase(it);
}

namespace {

// The first function of `library` whose name `set` already has in another
// library than one named as `library` itself (the one it replaces), or null.
const FunctionInfo* FirstCollision(const FunctionSet& set, const FunctionLibrary& library) {
  for (const FunctionInfo& fn : library.functions) {
    const FunctionSet::Function* found = set.FindFunction(fn.name);
    if (found != nullptr && found->library->name != library.name) return &fn;
  }
  return nullptr;
}

}  // namespace

FunctionRegistry::FunctionRegistry()
    : master_(std::make_shared<FunctionSet>()), current_(std::make_shared<FunctionSet>()) {}

std::shared_ptr<const FunctionSet> FunctionRegistry::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (stale_) {
    current_ = std::make_shared<const FunctionSet>(*master_);
    stale_ = false;
  }
  return current_;
}

const FunctionSet& FunctionRegistry::CurrentFor(int shard, int shard_count) {
  RunSlot& slot = Slots(shard_count)[shard];
  if (slot.cached == nullptr || slot.cached->generation() != generation()) slot.cached = Snapshot();
  return *slot.cached;
}

void FunctionRegistry::MarkChanged() {
  master_->generation_ = generation_.load(std::memory_order_relaxed) + 1;
  stale_ = true;
  generation_.store(master_->generation(), std::memory_order_release);
}

bool FunctionRegistry::Add(std::shared_ptr<const FunctionLibrary> library, bool replace, std::string* err) {
  std::lock_guard<std::mutex> lock(mu_);
  if (master_->FindLibrary(library->name) != nullptr && !replace) {
    *err = "Library '" + library->name + "' already exists";
    return false;
  }
  if (const FunctionInfo* fn = FirstCollision(*master_, *library)) {
    *err = "Function " + fn->name + " already exists";
    return false;
  }
  master_->Unlink(library->name);
  master_->Link(std::move(library));
  MarkChanged();
  return true;
}

bool FunctionRegistry::HasLibrary(std::string_view name) const {
  std::lock_guard<std::mutex> lock(mu_);
  return master_->FindLibrary(name) != nullptr;
}

bool FunctionRegistry::Delete(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (master_->FindLibrary(name) == nullptr) return false;
  master_->Unlink(std::string(name));
  MarkChanged();
  return true;
}

void FunctionRegistry::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  master_ = std::make_shared<FunctionSet>();
  MarkChanged();
}

bool FunctionRegistry::Restore(std::vector<std::shared_ptr<const FunctionLibrary>> libraries,
                               RestorePolicy policy, std::string* err) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<FunctionSet> next = policy == RestorePolicy::kFlush
                                          ? std::make_shared<FunctionSet>()
                                          : std::make_shared<FunctionSet>(*master_);
  for (const auto& library : libraries) {
    if (next->FindLibrary(library->name) != nullptr) {
      if (policy != RestorePolicy::kReplace) {
        *err = "Library " + library->name + " already exists";
        return false;
      }
      next->Unlink(library->name);
    }
  }
  for (const auto& library : libraries) {
    if (const FunctionInfo* fn = FirstCollision(*next, *library)) {
      *err = "Function " + fn->name + " already exists";
      return false;
    }
    next->Link(library);
  }
  master_ = std::move(next);
  MarkChanged();
  return true;
}

FunctionRegistry::RunSlot* FunctionRegistry::Slots(int shard_count) {
  std::call_once(slots_once_, [&] {
    slots_ = std::make_unique<RunSlot[]>(size_t(shard_count));
    slot_count_ = shard_count;
  });
  return slots_.get();
}

void FunctionRegistry::BeginRun(int shard, int shard_count, const std::string* name,
                                const std::vector<std::string_view>* command, int64_t start_ms) {
  RunSlot& slot = Slots(shard_count)[shard];
  std::lock_guard<std::mutex> lock(slot.mu);
  slot.name = name;
  slot.command = command;
  slot.start_ms = start_ms;
}

void FunctionRegistry::EndRun(int shard) {
  RunSlot& slot = slots_[shard];
  std::lock_guard<std::mutex> lock(slot.mu);
  slot.name = nullptr;
  slot.command = nullptr;
}

std::optional<FunctionRegistry::RunningFunction> FunctionRegistry::LongestRunning(int shard_count) {
  RunSlot* slots = Slots(shard_count);
  std::optional<RunningFunction> longest;
  for (int i = 0; i < slot_count_; i++) {
    std::lock_guard<std::mutex> lock(slots[i].mu);
    if (slots[i].name == nullptr) continue;
    if (longest && longest->start_ms <= slots[i].start_ms) continue;
    longest = RunningFunction{*slots[i].name,
                              std::vector<std::string>(slots[i].command->begin(), slots[i].command->end()),
                              slots[i].start_ms};
  }
  return longest;
}

}  // namespace lodestone
