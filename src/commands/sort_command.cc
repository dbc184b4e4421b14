// SORT and SORT_RO: sort the elements of a list, set or sorted set,
// numerically or by bytes (ALPHA), optionally by external weights (BY
// pattern), fetching external values (GET pattern), and storing the result
// as a list (STORE, SORT only).
//
// Behaviour, option parsing order, LIMIT clamping and error texts follow
// Redis's sort.c. Patterns substitute the first '*' with the element; a
// "->field" suffix after the '*' reads a hash field; GET "#" is the element.
// With C-locale collation Redis's strcoll is byte order, so ALPHA compares
// bytes.
//
// Routing: BY/GET patterns and STORE reach keys that cannot be known before
// parsing, so both rows are kAllShards (every shard parked, no key specs of
// our own) and the handler reads any key through ctx.DbFor. This costs a
// cross-shard execution on every call; a later optimisation can route a SORT
// without BY/GET/STORE to its key's shard.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_util.h"
#include "commands/register.h"
#include "common/strings.h"
#include "engine/acl_check.h"
#include "engine/client.h"
#include "server/config.h"
#include "storage/hash_value.h"
#include "storage/list_value.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace lodestone {
namespace {

constexpr std::string_view kBadScore = "ERR One or more scores can't be converted into double";

struct SortOptions {
  bool desc = false;
  bool alpha = false;
  bool dontsort = false;
  int64_t limit_start = 0;
  int64_t limit_count = -1;
  std::optional<std::string_view> by;
  std::optional<std::string_view> store;
  std::vector<std::string_view> gets;
};

struct SortItem {
  std::string element;
  double score = 0;
  std::optional<std::string> cmp;  // ALPHA with BY: the weight, if found.
};

// Parses the options after the key; replies and returns false on error.
// BY and GET patterns read keys the arguments do not name: only a user
// who may read every key may use them (Redis's rule).
bool MayReadAnyKey(CommandContext& ctx) {
  return ctx.client == nullptr || AclMayReadAnyKey(*ctx.client, ctx.spec, ctx.args);
}

bool ParseSortOptions(CommandContext& ctx, bool readonly, SortOptions* o) {
  for (size_t j = 2; j < ctx.argc(); j++) {
    std::string_view a = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (EqualsIgnoreCase(a, "asc")) {
      o->desc = false;
    } else if (EqualsIgnoreCase(a, "desc")) {
      o->desc = true;
    } else if (EqualsIgnoreCase(a, "alpha")) {
      o->alpha = true;
    } else if (EqualsIgnoreCase(a, "limit") && left >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &o->limit_start) ||
          !ParseInt64(ctx.arg(j + 2), &o->limit_count)) {
        ctx.reply.Error(protocol::kNotInteger);
        return false;
      }
      j += 2;
    } else if (!readonly && EqualsIgnoreCase(a, "store") && left >= 1) {
      o->store = ctx.arg(++j);
    } else if (EqualsIgnoreCase(a, "by") && left >= 1) {
      o->by = ctx.arg(++j);
      // A constant BY pattern means "don't sort".
      if (o->by->find('*') == std::string_view::npos) {
        o->dontsort = true;
      } else if (!MayReadAnyKey(ctx)) {
        ctx.reply.Error("ERR BY option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
    } else if (EqualsIgnoreCase(a, "get") && left >= 1) {
      if (!MayReadAnyKey(ctx)) {
        ctx.reply.Error("ERR GET option of SORT denied due to insufficient ACL permissions.");
        return false;
      }
      o->gets.push_back(ctx.arg(++j));
    } else {
      ctx.reply.Error(protocol::kSyntaxError);
      return false;
    }
  }
  return true;
}

// Redis's lookupKeyByPattern: the string value, or hash field value, that
// `pattern` names for element `subst`; nullopt when there is none.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view subst) {
  if (pattern == "#") return std::string(subst);
  size_t star = pattern.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  std::string_view field;
  size_t arrow = pattern.find("->", star + 1);
  size_t key_end = pattern.size();
  if (arrow != std::string_view::npos && arrow + 2 < pattern.size()) {
    field = pattern.substr(arrow + 2);
    key_end = arrow;
  }
  std::string key(pattern.substr(0, star));
  key.append(subst);
  key.append(pattern.substr(star + 1, key_end - star - 1));
  Db& db = ctx.DbFor(key);
  Entry* e = LookupRead(ctx, db, key);
  if (e == nullptr) return std::nullopt;
  if (field.empty()) {
    if (!e->value.IsString()) return std::nullopt;
    char scratch[kValueScratchSize];
    return std::string(e->value.StringBytes(scratch));
  }
  if (e->value.type() != ObjType::kHash) return std::nullopt;
  auto& hash = *static_cast<HashValue*>(e->value.collection());
  Listpack::Value v(0);
  HashValue::Lookup r = hash.Get(field, ctx.now_ms, &v);
  if (r == HashValue::Lookup::kFound) return v.ToString();
  if (r == HashValue::Lookup::kExpired) {
    if (hash.Size() == 0) db.DeleteEntry(e);
    ctx.KeyModified(db, key);
  }
  return std::nullopt;
}

// The elements of the collection at `e` (nullptr: none), in its own order.
std::vector<std::string> LoadElements(const Entry* e) {
  std::vector<std::string> out;
  if (e == nullptr) return out;
  const Collection* c = e->value.collection();
  switch (e->value.type()) {
    case ObjType::kList: {
      const auto& list = *static_cast<const ListValue*>(c);
      out.reserve(list.Size());
      if (list.Empty()) break;
      auto cursor = list.CursorAt(0, false);
      while (auto el = cursor.Next()) out.push_back(el->ToString());
      break;
    }
    case ObjType::kSet:
      static_cast<const SetValue*>(c)->ForEach(
          [&](SetValue::Member m) { out.push_back(m.ToString()); });
      break;
    case ObjType::kZSet:
      static_cast<const ZSetValue*>(c)->ForEach(
          [&](std::string_view member, double) { out.emplace_back(member); });
      break;
    default:
      break;
  }
  return out;
}

// Redis's strtod check on a sort weight.
bool ParseWeight(const std::string& s, double* out) {
  errno = 0;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

int CompareBytes(std::string_view a, std::string_view b) { return a.compare(b); }

// Computes weights and sorts items[0..n); false on a non-numeric weight.
bool SortItems(CommandContext& ctx, const SortOptions& o, std::vector<SortItem>& items) {
  bool ok = true;
  for (SortItem& it : items) {
    std::optional<std::string> by;
    if (o.by) {
      by = LookupByPattern(ctx, *o.by, it.element);
      if (!by) continue;
    }
    if (o.alpha) {
      if (o.by) it.cmp = std::move(by);
    } else if (!ParseWeight(o.by ? *by : it.element, &it.score)) {
      ok = false;
    }
  }
  bool by_pattern = o.by.has_value();
  auto compare = [&](const SortItem& a, const SortItem& b) {
    int cmp;
    if (!o.alpha) {
      cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : CompareBytes(a.element, b.element);
    } else if (by_pattern) {
      if (!a.cmp || !b.cmp) {
        cmp = a.cmp.has_value() == b.cmp.has_value() ? 0 : a.cmp ? 1 : -1;
      } else {
        cmp = CompareBytes(*a.cmp, *b.cmp);
      }
    } else {
      cmp = CompareBytes(a.element, b.element);
    }
    return o.desc ? cmp > 0 : cmp < 0;
  };
  std::stable_sort(items.begin(), items.end(), compare);
  return ok;
}

// Writes the result list to the STORE destination ("sortstore"), deleting it
// when empty ("del"), and replies its length.
void StoreResult(CommandContext& ctx, std::string_view dest, std::vector<std::string>& values) {
  Db& db = ctx.DbFor(dest);
  if (values.empty()) {
    if (db.Delete(dest)) {
      ctx.KeyModified(db, dest);
      ctx.Notify(kNotifyGeneric, "del", dest);
    }
    ctx.reply.Integer(0);
    return;
  }
  const ServerConfig& cfg = ctx.config();
  ListLimits limits{cfg.list_max_listpack_size, cfg.list_compress_depth};
  auto list = std::make_unique<ListValue>();
  std::vector<std::string_view> views(values.begin(), values.end());
  list->GrowFor(views, limits);
  for (std::string_view v : views) list->Push(ListValue::End::kTail, v);
  list->TryShrink(limits, false);
  Encoding enc = list->encoding();
  db.Upsert(dest, Value::Object(ObjType::kList, enc, std::move(list)), false);
  ctx.KeyModified(db, dest);
  ctx.Notify(kNotifyList, "sortstore", dest);
  ctx.SignalKeyReady(db, dest);
  ctx.reply.Integer(int64_t(values.size()));
}

// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
//      [ASC | DESC] [ALPHA] [STORE destination]
// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC | DESC] [ALPHA]
void SortGeneric(CommandContext& ctx, bool readonly) {
  SortOptions o;
  if (!ParseSortOptions(ctx, readonly, &o)) return;
  std::string_view key = ctx.arg(1);
  Entry* e = LookupRead(ctx, ctx.DbFor(key), key);
  ObjType type = e == nullptr ? ObjType::kList : e->value.type();
  if (type != ObjType::kList && type != ObjType::kSet && type != ObjType::kZSet) {
    ctx.reply.Error(protocol::kWrongType);
    return;
  }
  // An unsorted set would give a nondeterministic stored result: sort it.
  // The same for a script (its replies and writes must be deterministic).
  bool from_script = ctx.hooks != nullptr && ctx.hooks->from_script;
  if (o.dontsort && type == ObjType::kSet && (o.store || from_script)) {
    o.dontsort = false;
    o.alpha = true;
    o.by.reset();
  }
  std::vector<std::string> elements = LoadElements(e);
  int64_t len = int64_t(elements.size());
  int64_t start = std::min(std::max<int64_t>(o.limit_start, 0), len);
  int64_t count = std::min(std::max<int64_t>(o.limit_count, -1), len);
  int64_t end = count < 0 ? len - 1 : start + count - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  std::vector<SortItem> items;
  items.reserve(elements.size());
  if (o.dontsort && type != ObjType::kSet) {
    // Lists and sorted sets keep their own order (reversed by DESC); LIMIT
    // picks the range directly.
    for (int64_t i = start; i <= end; i++) {
      items.push_back({std::move(elements[size_t(o.desc ? len - 1 - i : i)]), 0, std::nullopt});
    }
    end -= start;
    start = 0;
  } else {
    for (std::string& s : elements) items.push_back({std::move(s), 0, std::nullopt});
  }
  if (!o.dontsort && !SortItems(ctx, o, items)) {
    ctx.reply.Error(kBadScore);
    return;
  }

  size_t rows = end >= start ? size_t(end - start + 1) : 0;
  if (o.store) {
    std::vector<std::string> values;
    for (size_t j = 0; j < rows; j++) {
      const std::string& el = items[size_t(start) + j].element;
      if (o.gets.empty()) values.push_back(el);
      for (std::string_view pattern : o.gets) {
        values.push_back(LookupByPattern(ctx, pattern, el).value_or(std::string()));
      }
    }
    StoreResult(ctx, *o.store, values);
    return;
  }
  ctx.reply.ArrayHeader(o.gets.empty() ? rows : rows * o.gets.size());
  for (size_t j = 0; j < rows; j++) {
    const std::string& el = items[size_t(start) + j].element;
    if (o.gets.empty()) ctx.reply.Bulk(el);
    for (std::string_view pattern : o.gets) {
      std::optional<std::string> v = LookupByPattern(ctx, pattern, el);
      if (v) {
        ctx.reply.Bulk(*v);
      } else {
        ctx.reply.Null();
      }
    }
  }
}

// SORT's keys: the sorted key, and the destination of the last STORE
// option (BY/GET patterns name keys too, but only at run time). Options with
// arguments are skipped whole so that "GET store" is not taken for STORE.
bool SortGetKeys(const std::vector<std::string_view>& args, std::vector<KeyRef>* out) {
  out->push_back({1, kKsRO | kKsAccess});
  int store = -1;
  for (size_t i = 2; i < args.size(); i++) {
    if (EqualsIgnoreCase(args[i], "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(args[i], "get") || EqualsIgnoreCase(args[i], "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(args[i], "store") && i + 1 < args.size()) {
      store = int(i + 1);
    }
  }
  if (store > 0) out->push_back({store, kKsOW | kKsUpdate});
  return true;
}

void Sort(CommandContext& ctx) { SortGeneric(ctx, false); }
void SortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

}  // namespace

void RegisterSortCommands(CommandTable& table) {
  // kAllShards: see the routing note at the top of this file. COMMAND INFO
  // reports the sorted key's spec; Redis's STORE spec is an "unknown" search
  // that KeySpec cannot express, so SORT finds its keys with SortGetKeys
  // (COMMAND GETKEYS), as Redis's getkeys procedure does. Routing ignores key
  // specs on kAllShards rows.
  CommandSpec& sort = table.Add(Row("sort", -2, kWrite | kDenyOom | kAllShards, "generic", Sort,
                {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Sorts the elements in a list, a set, or a sorted set, optionally storing the "
                 "result.",
                 "1.0.0",
                 "O(N+M*log(M)) where N is the number of elements in the list or set to sort, "
                 "and M the number of returned elements. When the elements are not sorted, "
                 "complexity is O(N)."},
                {"set", "sortedset", "list", "dangerous"}));
  sort.get_keys = SortGetKeys;
  table.Add(Row("sort_ro", -2, kReadonly | kAllShards, "generic", SortRo,
                {KeysAt(1, 0, 1, kKsRO | kKsAccess)},
                {"Returns the sorted elements of a list, a set, or a sorted set.", "7.0.0",
                 "O(N+M*log(M)) where N is the number of elements in the list or set to sort, "
                 "and M the number of returned elements. When the elements are not sorted, "
                 "complexity is O(N)."},
                {"set", "sortedset", "list", "dangerous"}));
}

}  // namespace lodestone
