// SetValue: the three set encodings behind one interface; see set_value.h.
//
// The representation is a union chosen by encoding_: an IntSet or a Listpack
// (8 bytes each, nothing allocated while empty) or a heap StringSet, so a set
// key's payload object is 24 bytes whatever its encoding.
#include "storage/set_value.h"

#include <algorithm>
#include <new>
#include <unordered_set>
#include <utility>

#include "common/strings.h"

namespace lodestone {

namespace {

// Redis caps intsets at 2^30 entries whatever set-max-intset-entries says.
size_t IntsetMaxEntries(const SetLimits& limits) {
  return std::min<size_t>(limits.max_intset_entries, size_t{1} << 30);
}

size_t Digits10(int64_t v) {
  char buf[kInt64BufferSize];
  return FormatInt64(v, buf);
}

}  // namespace

// ---- Lifetime -----------------------------------------------------------------

SetValue::SetValue(Encoding encoding) : encoding_(encoding) {
  switch (encoding) {
    case Encoding::kIntset:
      new (&intset_) IntSet();
      break;
    case Encoding::kListpack:
      new (&listpack_) Listpack();
      break;
    default:
      encoding_ = Encoding::kHashtable;
      table_ = new StringSet();
      break;
  }
}

SetValue::~SetValue() { Destroy(); }

void SetValue::Destroy() {
  switch (encoding_) {
    case Encoding::kIntset:
      intset_.~IntSet();
      break;
    case Encoding::kListpack:
      listpack_.~Listpack();
      break;
    default:
      delete table_;
      break;
  }
}

void SetValue::TakeFrom(SetValue& other) {
  if (&other == this) return;
  Destroy();
  encoding_ = other.encoding_;
  switch (encoding_) {
    case Encoding::kIntset:
      new (&intset_) IntSet(std::move(other.intset_));
      break;
    case Encoding::kListpack:
      new (&listpack_) Listpack(std::move(other.listpack_));
      break;
    default:
      table_ = other.table_;
      other.encoding_ = Encoding::kIntset;
      new (&other.intset_) IntSet();
      break;
  }
}

std::unique_ptr<SetValue> SetValue::Create(std::string_view first, size_t size_hint,
                                           const SetLimits& limits) {
  int64_t ignored;
  if (ParseInt64(first, &ignored) && size_hint <= limits.max_intset_entries) {
    return std::make_unique<SetValue>(Encoding::kIntset);
  }
  if (size_hint <= limits.max_listpack_entries) {
    return std::make_unique<SetValue>(Encoding::kListpack);
  }
  auto set = std::make_unique<SetValue>(Encoding::kHashtable);
  set->table_->Reserve(size_hint);
  return set;
}

std::unique_ptr<Collection> SetValue::Clone() const {
  auto copy = std::make_unique<SetValue>(encoding_);
  switch (encoding_) {
    case Encoding::kIntset:
      copy->intset_ = intset_.Clone();
      break;
    case Encoding::kListpack:
      copy->listpack_ = listpack_.Clone();
      break;
    default:
      *copy->table_ = table_->Clone();
      break;
  }
  return copy;
}

size_t SetValue::Size() const {
  switch (encoding_) {
    case Encoding::kIntset:
      return intset_.Size();
    case Encoding::kListpack:
      return listpack_.Size();
    default:
      return table_->size();
  }
}

size_t SetValue::MemoryUsage() const {
  switch (encoding_) {
    case Encoding::kIntset:
      return sizeof(SetValue) + (intset_.Empty() ? 0 : intset_.BytesUsed());
    case Encoding::kListpack:
      return sizeof(SetValue) + (listpack_.Empty() ? 0 : listpack_.BytesUsed());
    default:
      return sizeof(SetValue) + sizeof(StringSet) + table_->MemoryUsage();
  }
}

// ---- Membership -------------------------------------------------------------

bool SetValue::Contains(Member member) const {
  char buf[kInt64BufferSize];
  switch (encoding_) {
    case Encoding::kIntset: {
      int64_t v;
      if (member.is_int()) return intset_.Contains(member.integer());
      return ParseInt64(member.bytes(), &v) && intset_.Contains(v);
    }
    case Encoding::kListpack:
      return bool(listpack_.Find(member.AsString(buf)));
    default:
      return table_->Contains(member.AsString(buf));
  }
}

bool SetValue::Add(Member member, const SetLimits& limits) {
  if (member.is_int()) {
    if (encoding_ == Encoding::kIntset) return AddInteger(member.integer(), limits);
    char buf[kInt64BufferSize];
    return AddString(member.AsString(buf), limits);
  }
  return AddString(member.bytes(), limits);
}

bool SetValue::AddInteger(int64_t value, const SetLimits& limits) {
  if (!intset_.Add(value)) return false;
  MaybeConvertIntset(limits);
  return true;
}

void SetValue::MaybeConvertIntset(const SetLimits& limits) {
  if (intset_.Size() > IntsetMaxEntries(limits)) Convert(Encoding::kHashtable, intset_.Size());
}

// Redis's setTypeAddAux for a member given as a string.
bool SetValue::AddString(std::string_view member, const SetLimits& limits) {
  switch (encoding_) {
    case Encoding::kHashtable:
      return table_->Insert(member);
    case Encoding::kListpack: {
      if (listpack_.Find(member)) return false;
      if (listpack_.Size() < limits.max_listpack_entries &&
          member.size() <= limits.max_listpack_value &&
          listpack_.SafeToAdd(Listpack::EntryBytes(member))) {
        listpack_.Append(member);
      } else {
        Convert(Encoding::kHashtable, listpack_.Size() + 1);
        table_->Insert(member);
      }
      return true;
    }
    default:
      break;
  }
  int64_t value;
  if (ParseInt64(member, &value)) return AddInteger(value, limits);
  // An intset receiving a string: a listpack if every member (at its widest)
  // and the new one fit the listpack limits, else a hashtable.
  size_t n = intset_.Size();
  size_t widest = 0;
  size_t total = 0;
  if (n != 0) {
    widest = std::max(Digits10(intset_.Min()), Digits10(intset_.Max()));
    total = n * std::max(Listpack::EntryBytes(intset_.Min()), Listpack::EntryBytes(intset_.Max()));
  }
  if (n < limits.max_listpack_entries && member.size() <= limits.max_listpack_value &&
      widest <= limits.max_listpack_value &&
      total + Listpack::EntryBytes(member) <= Listpack::kMaxBytes) {
    Convert(Encoding::kListpack, n + 1);
    listpack_.Append(member);
  } else {
    Convert(Encoding::kHashtable, n + 1);
    table_->Insert(member);
  }
  return true;
}

bool SetValue::Remove(Member member) {
  char buf[kInt64BufferSize];
  switch (encoding_) {
    case Encoding::kIntset: {
      int64_t v;
      if (member.is_int()) return intset_.Remove(member.integer());
      return ParseInt64(member.bytes(), &v) && intset_.Remove(v);
    }
    case Encoding::kListpack: {
      Listpack::Position p = listpack_.Find(member.AsString(buf));
      if (!p) return false;
      listpack_.Delete(p);
      return true;
    }
    default:
      return table_->Erase(member.AsString(buf));
  }
}

// ---- Conversions ------------------------------------------------------------

void SetValue::MaybeConvert(size_t size_hint, const SetLimits& limits) {
  if ((encoding_ == Encoding::kListpack && size_hint > limits.max_listpack_entries) ||
      (encoding_ == Encoding::kIntset && size_hint > limits.max_intset_entries)) {
    Convert(Encoding::kHashtable, size_hint);
  }
}

void SetValue::Convert(Encoding encoding, size_t capacity) {
  SetValue fresh(encoding);
  if (encoding == Encoding::kHashtable) {
    fresh.table_->Reserve(std::max(capacity, Size()));
    char buf[kInt64BufferSize];
    ForEach([&](Member m) { fresh.table_->Insert(m.AsString(buf)); });
  } else if (encoding == Encoding::kListpack) {
    std::vector<Member> members;
    members.reserve(Size());
    ForEach([&members](Member m) { members.push_back(m); });
    fresh.listpack_.Append(members);
  } else {
    ForEach([&fresh](Member m) {
      int64_t v = 0;
      if (m.is_int()) {
        v = m.integer();
      } else {
        ParseInt64(m.bytes(), &v);
      }
      fresh.intset_.Add(v);
    });
  }
  TakeFrom(fresh);
}

void SetValue::ConvertToIntset(const SetLimits& limits) {
  if (encoding_ == Encoding::kIntset || Size() > IntsetMaxEntries(limits)) return;
  Convert(Encoding::kIntset, Size());
}

// ---- Randomness ---------------------------------------------------------------

SetValue::Member SetValue::RandomMember(Random& random) const {
  switch (encoding_) {
    case Encoding::kIntset:
      return Member(intset_.Random(random));
    case Encoding::kListpack:
      return listpack_.Get(static_cast<int64_t>(random.Uniform(listpack_.Size())));
    default:
      return Member(table_->RandomMember(random));
  }
}

std::string SetValue::PopRandom(Random& random) {
  switch (encoding_) {
    case Encoding::kIntset: {
      size_t index = random.Uniform(intset_.Size());
      int64_t v = intset_.Get(index);
      intset_.RemoveAt(index);
      return Int64ToString(v);
    }
    case Encoding::kListpack: {
      Listpack::Position p = listpack_.Seek(static_cast<int64_t>(random.Uniform(listpack_.Size())));
      std::string member = listpack_.Get(p).ToString();
      listpack_.Delete(p);
      return member;
    }
    default: {
      std::string member(table_->RandomMember(random));
      table_->Erase(member);
      return member;
    }
  }
}

namespace {

// Selection sampling (Knuth's algorithm S) over n items: returns a mask of
// exactly k chosen ones, each k-subset equally likely. The walk visits items
// in order, which is what lets a listpack be traversed once.
std::vector<bool> ChooseSubset(size_t n, size_t k, Random& random) {
  std::vector<bool> chosen(n, false);
  for (size_t i = 0; i < n && k > 0; ++i) {
    if (random.Uniform(n - i) < k) {
      chosen[i] = true;
      --k;
    }
  }
  return chosen;
}

}  // namespace

std::vector<std::string> SetValue::PopRandom(size_t count, Random& random,
                                             const SetLimits& limits) {
  // Redis's spopWithCountCommand: when few members go, pop them one by one
  // (one pass for a listpack); when most go, pick the survivors into a new
  // set, return everything else, and keep the new set.
  constexpr size_t kMoveStrategyMul = 5;
  const size_t size = Size();
  const size_t remaining = size - count;
  std::vector<std::string> popped;
  popped.reserve(count);
  if (encoding_ == Encoding::kListpack) {
    bool keep_few = remaining * kMoveStrategyMul <= count;
    std::vector<bool> chosen = ChooseSubset(size, keep_few ? remaining : count, random);
    SetValue survivors(Encoding::kListpack);
    std::vector<Member> kept;
    size_t i = 0;
    for (Member m : listpack_) {
      // chosen means "popped" in the first strategy and "kept" in the second.
      bool pop = keep_few ? !chosen[i] : chosen[i];
      if (pop) {
        popped.push_back(m.ToString());
      } else if (keep_few) {
        survivors.Add(m, limits);
      } else {
        kept.push_back(m);
      }
      ++i;
    }
    if (!keep_few) survivors.listpack_.Append(kept);
    TakeFrom(survivors);
    return popped;
  }
  if (remaining * kMoveStrategyMul > count) {
    for (size_t i = 0; i < count; ++i) popped.push_back(PopRandom(random));
    return popped;
  }
  SetValue survivors(encoding_ == Encoding::kIntset ? Encoding::kIntset : Encoding::kListpack);
  for (size_t i = 0; i < remaining; ++i) {
    Member m = RandomMember(random);
    std::string copy = m.ToString();
    survivors.Add(Member(copy), limits);
    Remove(Member(copy));
  }
  ForEach([&popped](Member m) { popped.push_back(m.ToString()); });
  TakeFrom(survivors);
  return popped;
}

void SetValue::RandomMembers(size_t count, bool unique, Random& random,
                             const std::function<void(Member)>& fn) const {
  const size_t size = Size();
  if (!unique || count == 1) {
    if (encoding_ == Encoding::kListpack && count > 1) {
      // Index the listpack once instead of seeking for every draw.
      std::vector<Member> members(listpack_.begin(), listpack_.end());
      for (size_t i = 0; i < count; ++i) fn(members[random.Uniform(size)]);
      return;
    }
    for (size_t i = 0; i < count; ++i) fn(RandomMember(random));
    return;
  }
  if (count >= size) {
    ForEach([&fn](Member m) { fn(m); });
    return;
  }
  if (encoding_ == Encoding::kListpack) {
    std::vector<bool> chosen = ChooseSubset(size, count, random);
    size_t i = 0;
    for (Member m : listpack_) {
      if (chosen[i++]) fn(m);
    }
    return;
  }
  constexpr size_t kSubStrategyMul = 3;
  if (count * kSubStrategyMul > size) {
    // Most members are wanted: take them all and drop random ones.
    std::vector<Member> members;
    members.reserve(size);
    ForEach([&members](Member m) { members.push_back(m); });
    while (members.size() > count) {
      size_t victim = random.Uniform(members.size());
      members[victim] = members.back();
      members.pop_back();
    }
    for (Member m : members) fn(m);
    return;
  }
  // Few members wanted from a big set: draw until enough distinct ones.
  StringSet seen;
  seen.Reserve(count);
  char buf[kInt64BufferSize];
  while (seen.size() < count) {
    Member m = RandomMember(random);
    if (seen.Insert(m.AsString(buf))) fn(m);
  }
}

// ---- Set algebra --------------------------------------------------------------

void SetValue::ForEachInIntersection(std::vector<const SetValue*>& sets,
                                     const std::function<bool(Member)>& fn) {
  std::stable_sort(sets.begin(), sets.end(),
                   [](const SetValue* a, const SetValue* b) { return a->Size() < b->Size(); });
  sets[0]->ForEach([&](Member m) -> bool {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] != sets[0] && !sets[j]->Contains(m)) return true;
    }
    return fn(m);
  });
}

std::unique_ptr<SetValue> SetValue::Intersection(std::vector<const SetValue*>& sets,
                                                 const SetLimits& limits) {
  // An intset's intersection is an intset; otherwise start with a listpack
  // (cheap appends) and turn an all-integer result into an intset at the end.
  const SetValue* smallest =
      *std::min_element(sets.begin(), sets.end(), [](const SetValue* a, const SetValue* b) {
        return a->Size() < b->Size();
      });
  auto result = std::make_unique<SetValue>(
      smallest->encoding() == Encoding::kIntset ? Encoding::kIntset : Encoding::kListpack);
  bool only_integers = true;
  ForEachInIntersection(sets, [&](Member m) {
    int64_t ignored;
    if (!m.is_int() && !ParseInt64(m.bytes(), &ignored)) only_integers = false;
    result->Add(m, limits);
    return true;
  });
  if (only_integers && !result->Empty()) result->ConvertToIntset(limits);
  return result;
}

namespace {

std::unique_ptr<SetValue> AlgebraResult(const std::vector<const SetValue*>& sets, bool for_store) {
  bool all_intsets = std::all_of(sets.begin(), sets.end(), [](const SetValue* s) {
    return s == nullptr || s->encoding() == Encoding::kIntset;
  });
  return std::make_unique<SetValue>(for_store || all_intsets ? Encoding::kIntset
                                                             : Encoding::kHashtable);
}

}  // namespace

std::unique_ptr<SetValue> SetValue::Union(const std::vector<const SetValue*>& sets,
                                          bool for_store, const SetLimits& limits) {
  std::unique_ptr<SetValue> result = AlgebraResult(sets, for_store);
  for (const SetValue* s : sets) {
    if (s != nullptr) s->ForEach([&](Member m) { result->Add(m, limits); });
  }
  return result;
}

std::unique_ptr<SetValue> SetValue::Difference(std::vector<const SetValue*>& sets,
                                               bool for_store, const SetLimits& limits) {
  std::unique_ptr<SetValue> result = AlgebraResult(sets, for_store);
  const SetValue* first = sets[0];
  if (first == nullptr || std::find(sets.begin() + 1, sets.end(), first) != sets.end()) {
    return result;  // Nothing to subtract from, or a set minus itself.
  }
  // Redis's choice: algorithm 1 costs |first| per other set, algorithm 2 the
  // total size of all sets; algorithm 1 gets a 2x advantage.
  uint64_t algo_one = 0, algo_two = 0;
  for (const SetValue* s : sets) {
    if (s == nullptr) continue;
    algo_one += first->Size();
    algo_two += s->Size();
  }
  if (algo_one / 2 <= algo_two) {
    // Each member of the first set against the others, biggest first (the
    // most likely to contain it).
    std::stable_sort(sets.begin() + 1, sets.end(), [](const SetValue* a, const SetValue* b) {
      return (a ? a->Size() : 0) > (b ? b->Size() : 0);
    });
    first->ForEach([&](Member m) {
      for (size_t j = 1; j < sets.size(); ++j) {
        if (sets[j] != nullptr && sets[j]->Contains(m)) return;
      }
      result->Add(m, limits);
    });
    return result;
  }
  // Copy the first set, then remove the members of every other one.
  first->ForEach([&](Member m) { result->Add(m, limits); });
  for (size_t j = 1; j < sets.size() && !result->Empty(); ++j) {
    if (sets[j] != nullptr) sets[j]->ForEach([&](Member m) { result->Remove(m); });
  }
  return result;
}

// ---- Tests ------------------------------------------------------------------

bool SetValue::CheckConsistency() const {
  switch (encoding_) {
    case Encoding::kIntset:
      for (size_t i = 1; i < intset_.Size(); ++i) {
        if (intset_.Get(i - 1) >= intset_.Get(i)) return false;
      }
      return true;
    case Encoding::kListpack: {
      if (!listpack_.CheckConsistency()) return false;
      std::unordered_set<std::string> seen;
      for (Member m : listpack_) {
        if (!seen.insert(m.ToString()).second) return false;
      }
      return true;
    }
    default: {
      size_t n = 0;
      table_->ForEach([&n](std::string_view) { ++n; });
      return n == table_->size();
    }
  }
}

}  // namespace lodestone
