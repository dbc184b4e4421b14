// SetValue: the payload of a set key, in one of Redis's three encodings.
//
//   kIntset     an IntSet (core/intset.h): every member is an integer and
//               there are at most set-max-intset-entries of them;
//   kListpack   a Listpack (core/listpack.h) of members, unordered, while
//               there are at most set-max-listpack-entries members of at most
//               set-max-listpack-value bytes each;
//   kHashtable  a StringSet (storage/string_set.h) otherwise.
//
// The conversions are exactly those of Redis 7.2+'s t_set.c (setTypeAddAux,
// setTypeCreate, setTypeMaybeConvert): intset -> listpack or hashtable,
// listpack -> hashtable, and never back, except where a command builds a new
// set (SINTERSTORE turns an all-integer result into an intset; SPOP with a
// large count keeps the survivors in a new set). Thresholds are passed in as
// SetLimits; storage knows nothing of the config.
//
// Members go in and come out as Member (Listpack::Value): an integer or a
// byte string, compared by their string form ("12" and 12 are the same
// member, "012" and 12 are not). Views returned by any read are valid until
// the set is next modified.
//
// Thread safety: none; a SetValue belongs to one shard's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/random.h"
#include "core/intset.h"
#include "core/listpack.h"
#include "storage/string_set.h"
#include "storage/value.h"

namespace lodestone {

// The conversion thresholds (set-max-intset-entries, set-max-listpack-*).
struct SetLimits {
  size_t max_intset_entries = 512;
  size_t max_listpack_entries = 128;
  size_t max_listpack_value = 64;
};

class SetValue final : public Collection {
 public:
  using Member = Listpack::Value;

  // An empty set in `encoding` (kIntset, kListpack or kHashtable).
  explicit SetValue(Encoding encoding);
  ~SetValue() override;
  SetValue(const SetValue&) = delete;
  SetValue& operator=(const SetValue&) = delete;

  // Redis's setTypeCreate: the encoding a new set that will receive about
  // `size_hint` members, the first being `first`, starts in.
  static std::unique_ptr<SetValue> Create(std::string_view first, size_t size_hint,
                                          const SetLimits& limits);

  Encoding encoding() const { return encoding_; }
  size_t Size() const;
  bool Empty() const { return Size() == 0; }

  // --- Membership. Add and Remove return whether the set changed.
  bool Add(Member member, const SetLimits& limits);
  bool Remove(Member member);
  bool Contains(Member member) const;

  // --- Conversions.
  // Redis's setTypeMaybeConvert: converts to a hashtable sized for
  // `size_hint` when that many additions would overflow the current encoding
  // (SADD calls it with its argument count before adding).
  void MaybeConvert(size_t size_hint, const SetLimits& limits);
  // Converts to an intset when every member is an integer and there are few
  // enough of them (maybeConvertToIntset). REQUIRES: all members integers.
  void ConvertToIntset(const SetLimits& limits);
  // Converts to `encoding`, presized for `capacity` members.
  // REQUIRES: encoding != encoding(); kIntset only via ConvertToIntset.
  void Convert(Encoding encoding, size_t capacity);

  // --- Iteration, in the encoding's order (ascending for an intset).
  // Calls fn(Member) for each member; if fn returns bool, false stops.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // One step of SSCAN: for a hashtable, calls fn for the members of one
  // cursor position at a time until `count` members were seen or the scan
  // ends (at most count * 10 positions), returning the next cursor; for the
  // other encodings, calls fn for every member and returns 0.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;

  // --- Randomness.
  // A uniformly random member. REQUIRES: !Empty().
  Member RandomMember(Random& random) const;
  // Removes and returns a random member. REQUIRES: !Empty().
  std::string PopRandom(Random& random);
  // SPOP's count form: removes `count` distinct random members and returns
  // them. REQUIRES: 0 < count < Size(). May replace the representation (and
  // encoding) when most members go, as Redis does.
  std::vector<std::string> PopRandom(size_t count, Random& random, const SetLimits& limits);
  // SRANDMEMBER's count form: calls fn(Member) `count` times with members
  // drawn with repetition (unique false), or min(count, Size()) times with
  // distinct members (unique true), following Redis's strategies (one pass
  // over a listpack; copy-and-remove when most members are wanted; else
  // sampling until enough distinct ones). REQUIRES: !Empty().
  void RandomMembers(size_t count, bool unique, Random& random,
                     const std::function<void(Member)>& fn) const;

  // --- Set algebra (Redis's sinterGenericCommand and
  // sunionDiffGenericCommand). A nullptr in `sets` is a missing key, that is
  // an empty set; the same SetValue may appear several times.
  //
  // Calls fn(Member) for each member of the intersection, walking the
  // smallest set; fn returns false to stop. REQUIRES: no nullptr in `sets`;
  // sorts `sets` by size.
  static void ForEachInIntersection(std::vector<const SetValue*>& sets,
                                    const std::function<bool(Member)>& fn);
  // The intersection as a new set in the encoding Redis gives SINTERSTORE's
  // result. REQUIRES: as ForEachInIntersection.
  static std::unique_ptr<SetValue> Intersection(std::vector<const SetValue*>& sets,
                                                const SetLimits& limits);
  // The union, or the difference of the first set and the others. `for_store`
  // builds the result as SUNIONSTORE/SDIFFSTORE store it (starting from an
  // intset); otherwise in a hashtable unless every input is an intset (which
  // decides the order of a reply). May reorder sets[1..].
  static std::unique_ptr<SetValue> Union(const std::vector<const SetValue*>& sets,
                                         bool for_store, const SetLimits& limits);
  static std::unique_ptr<SetValue> Difference(std::vector<const SetValue*>& sets,
                                              bool for_store, const SetLimits& limits);

  size_t MemoryUsage() const override;
  void PrefetchMember(std::string_view member, int stage) const override {
    if (encoding_ == Encoding::kHashtable) table_->Prefetch(member, stage);
  }
  std::unique_ptr<Collection> Clone() const override;

  // For tests: the representation is well formed (a listpack holds no
  // duplicates, sizes agree). O(n^2) for a listpack.
  bool CheckConsistency() const;

 private:
  void Destroy();
  // Adds a member known not to be present, by string form.
  bool AddString(std::string_view member, const SetLimits& limits);
  bool AddInteger(int64_t value, const SetLimits& limits);
  void MaybeConvertIntset(const SetLimits& limits);
  // Replaces this set's representation with `other`'s, leaving it empty.
  void TakeFrom(SetValue& other);

  Encoding encoding_;
  union {
    IntSet intset_;
    Listpack listpack_;
    StringSet* table_;
  };
};

template <typename Fn>
void SetValue::ForEach(Fn&& fn) const {
  constexpr bool kStoppable = std::is_same_v<std::invoke_result_t<Fn, Member>, bool>;
  auto call = [&fn](Member m) -> bool {
    if constexpr (kStoppable) {
      return fn(m);
    } else {
      fn(m);
      return true;
    }
  };
  switch (encoding_) {
    case Encoding::kIntset:
      for (size_t i = 0, n = intset_.Size(); i < n; ++i) {
        if (!call(Member(intset_.Get(i)))) return;
      }
      return;
    case Encoding::kListpack:
      for (Member m : listpack_) {
        if (!call(m)) return;
      }
      return;
    default:
      table_->ForEach([&call](std::string_view s) { return call(Member(s)); });
      return;
  }
}

template <typename Fn>
uint64_t SetValue::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (encoding_ != Encoding::kHashtable) {
    ForEach([&fn](Member m) { fn(m); });
    return 0;
  }
  size_t seen = 0;
  size_t max_steps = count * 10;
  do {
    cursor = table_->Scan(cursor, [&](std::string_view s) {
      ++seen;
      fn(Member(s));
    });
  } while (cursor != 0 && max_steps-- > 0 && seen < count);
  return cursor;
}

}  // namespace lodestone
