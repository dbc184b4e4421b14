#include "engine/command_table.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "common/strings.h"

namespace lodestone {

namespace {

// Where a key spec's begin_search lands, or -1 when the keyword is absent.
int BeginPosition(const KeySpec& ks, const std::vector<std::string_view>& args) {
  int argc = int(args.size());
  if (!ks.begin_keyword) return ks.begin_index;
  if (ks.keyword_startfrom >= 0) {
    for (int i = ks.keyword_startfrom; i < argc; i++) {
      if (EqualsIgnoreCase(args[i], ks.keyword)) return i;
    }
  } else {
    for (int i = argc + ks.keyword_startfrom; i > 0; i--) {
      if (EqualsIgnoreCase(args[i], ks.keyword)) return i;
    }
  }
  return -1;
}

// Calls emit(position, key spec flags) for each key of the call.
template <typename Emit>
bool WalkKeys(const CommandSpec& spec, const std::vector<std::string_view>& args, Emit&& emit) {
  if (spec.get_keys != nullptr) {
    std::vector<KeyRef> refs;
    bool ok = spec.get_keys(args, &refs);
    for (const KeyRef& ref : refs) emit(ref.pos, ref.flags);
    return ok;
  }
  int argc = int(args.size());
  for (const KeySpec& ks : spec.key_specs) {
    int begin = BeginPosition(ks, args);
    if (begin < 0 || begin >= argc) continue;
    if (ks.begin_keyword) begin++;  // keys start after the keyword
    int first, last, step = ks.keystep > 0 ? ks.keystep : 1;
    if (!ks.find_keynum) {
      first = begin;
      if (ks.lastkey >= 0) {
        last = begin + ks.lastkey;
      } else if (ks.limit <= 1) {
        last = argc + ks.lastkey;  // -1 = last argument
      } else {
        last = begin + (argc - 1 - begin) / ks.limit;
      }
    } else {
      int idx = begin + ks.keynumidx;
      if (idx >= argc) return false;
      int64_t numkeys;
      if (!ParseInt64(args[idx], &numkeys) || numkeys < 0) return false;
      if (numkeys == 0) continue;
      first = begin + ks.firstkey;
      last = first + int(numkeys - 1) * step;
      if (last >= argc) return false;
    }
    if (first >= argc) continue;
    if (last >= argc) last = argc - 1;
    for (int i = first; i <= last; i += step) {
      if (ks.flags & kKsNotKey) continue;
      emit(i, ks.flags);
    }
  }
  return true;
}

}  // namespace

bool GetKeyPositions(const CommandSpec& spec, const std::vector<std::string_view>& args,
                     std::vector<int>* out) {
  return WalkKeys(spec, args, [out](int pos, uint32_t) { out->push_back(pos); });
}

bool GetKeyRefs(const CommandSpec& spec, const std::vector<std::string_view>& args,
                std::vector<KeyRef>* out) {
  return WalkKeys(spec, args, [out](int pos, uint32_t flags) { out->push_back(KeyRef{pos, flags}); });
}

CommandSpec& CommandTable::Add(CommandSpec spec) {
  std::string name = spec.name;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec& ref = *owned;
  commands_[name] = std::move(owned);
  index_.clear();  // rebuilt by Finalize
  return ref;
}

CommandSpec& CommandTable::AddSubcommand(CommandSpec& parent, CommandSpec spec) {
  std::string sub = spec.name;
  spec.name = parent.name + "|" + sub;
  spec.parent = &parent;
  if (spec.group.empty()) spec.group = parent.group;
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  CommandSpec& ref = *owned;
  parent.subcommands[sub] = std::move(owned);
  return ref;
}

namespace {

void DeriveLegacyKeys(CommandSpec& c) {
  c.first_key = c.last_key = c.key_step = 0;
  c.single_key = 0;
  c.movable_keys = false;
  if (c.key_specs.empty()) return;
  // Redis derives (first, last, step) from the leading index/range specs and
  // marks the command movable when any spec is not a plain range at an index.
  bool first_set = false;
  for (const KeySpec& ks : c.key_specs) {
    if (ks.begin_keyword || ks.find_keynum) {
      c.movable_keys = true;
      continue;
    }
    if (ks.flags & kKsIncomplete) c.movable_keys = true;
    int first = ks.begin_index;
    int last = ks.lastkey >= 0 ? first + ks.lastkey : ks.lastkey;
    if (!first_set) {
      c.first_key = first;
      c.last_key = last;
      c.key_step = ks.keystep;
      first_set = true;
    } else if (first == (c.last_key < 0 ? first + 1 : c.last_key + 1) && ks.keystep == c.key_step) {
      c.last_key = last;
    } else if (c.last_key >= 0 && first > c.last_key) {
      // Non-contiguous additional range: Redis still extends last over it
      // when steps agree (e.g. SMOVE, LMOVE, RENAME).
      if (ks.keystep == c.key_step) {
        c.last_key = last;
      } else {
        c.movable_keys = true;
      }
    }
  }
  if (c.flags & kNoMandatoryKeys) c.movable_keys = true;
  if (c.get_keys != nullptr) c.movable_keys = true;
  if (!c.movable_keys && c.first_key > 0 && c.first_key == c.last_key) c.single_key = c.first_key;
}

void AddDerivedCategories(CommandSpec& c) {
  auto add = [&](const char* cat) {
    if (std::find(c.acl_categories.begin(), c.acl_categories.end(), cat) == c.acl_categories.end()) {
      c.acl_categories.push_back(cat);
    }
  };
  // Same rules as Redis's setImplicitACLCategories.
  if (c.flags & kWrite) add("write");
  if (c.flags & kReadonly && c.group != "scripting") add("read");
  if (c.flags & kAdmin) {
    add("admin");
    add("dangerous");
  }
  if (c.flags & kPubSub) add("pubsub");
  if (c.flags & kFast) add("fast");
  if (c.flags & kBlocking) add("blocking");
  if (!(c.flags & kFast)) add("slow");
}

}  // namespace

void CommandTable::Finalize() {
  top_.clear();
  all_.clear();
  for (auto& [name, spec] : commands_) top_.push_back(spec.get());
  std::sort(top_.begin(), top_.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  int next_id = 0;
  for (const CommandSpec* c : top_) {
    auto* mc = const_cast<CommandSpec*>(c);
    DeriveLegacyKeys(*mc);
    AddDerivedCategories(*mc);
    mc->id = next_id++;
    all_.push_back(mc);
    std::vector<CommandSpec*> subs;
    for (auto& [sub_name, sub] : mc->subcommands) subs.push_back(sub.get());
    std::sort(subs.begin(), subs.end(),
              [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
    for (CommandSpec* s : subs) {
      DeriveLegacyKeys(*s);
      AddDerivedCategories(*s);
      s->id = next_id++;
      all_.push_back(s);
    }
  }
  // The lookup index: open addressing, at most a quarter full.
  size_t slots = 16;
  while (slots < top_.size() * 4) slots *= 2;
  index_.assign(slots, IndexSlot{});
  for (const CommandSpec* c : top_) {
    uint32_t h = NameHash(c->name);
    size_t i = h & (slots - 1);
    while (index_[i].spec != nullptr) i = (i + 1) & (slots - 1);
    index_[i] = IndexSlot{h, c};
  }
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  char buf[64];
  if (name.size() >= sizeof(buf)) return nullptr;
  // Lowercase and hash in one pass (NameHash's function).
  uint32_t h = kNameHashBasis;
  for (size_t i = 0; i < name.size(); i++) {
    char ch = name[i];
    ch = (ch >= 'A' && ch <= 'Z') ? char(ch + 32) : ch;
    buf[i] = ch;
    h = (h ^ uint8_t(ch)) * kNameHashPrime;
  }
  if (!index_.empty()) {
    const size_t mask = index_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const IndexSlot& slot = index_[i];
      if (slot.spec == nullptr) return nullptr;
      if (slot.hash == h && slot.spec->name.size() == name.size() &&
          std::memcmp(slot.spec->name.data(), buf, name.size()) == 0) {
        return slot.spec;
      }
    }
  }
  // Before Finalize.
  auto it = commands_.find(std::string(buf, name.size()));
  return it == commands_.end() ? nullptr : it->second.get();
}

const CommandSpec* CommandTable::Resolve(const CommandSpec* top,
                                         const std::vector<std::string_view>& args,
                                         bool* unknown_sub) const {
  *unknown_sub = false;
  const CommandSpec* c = top;
  if (c == nullptr || c->subcommands.empty() || args.size() < 2) return c;
  std::string sub = ToLowerCopy(args[1]);
  auto it = c->subcommands.find(sub);
  if (it == c->subcommands.end()) {
    *unknown_sub = true;
    return c;
  }
  return it->second.get();
}

}  // namespace lodestone
