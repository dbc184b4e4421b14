// Tests of StringSet (the hashtable encoding) and SetValue (all three set
// encodings and the conversions between them), each against a std::set
// reference model with randomized operations over several seeds, crossing the
// encoding thresholds both ways.
#include "storage/set_value.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/strings.h"
#include "storage/string_set.h"

namespace lodestone {
namespace {

std::string RandomMemberText(Random& rng, bool ints_only) {
  uint64_t kind = ints_only ? 0 : rng.Uniform(4);
  switch (kind) {
    case 0:
      return std::to_string(static_cast<int64_t>(rng.Uniform(400)) - 200);
    case 1:
      return "m" + std::to_string(rng.Uniform(300));
    case 2:
      return std::string(rng.Uniform(20), static_cast<char>('a' + rng.Uniform(3)));
    default:
      return "long-member-" + std::to_string(rng.Uniform(200)) + std::string(rng.Uniform(80), 'x');
  }
}

std::set<std::string> Members(const SetValue& set) {
  std::set<std::string> out;
  set.ForEach([&out](SetValue::Member m) { EXPECT_TRUE(out.insert(m.ToString()).second); });
  return out;
}

// ---- StringSet --------------------------------------------------------------

TEST(StringSetTest, InsertEraseContains) {
  StringSet s;
  EXPECT_FALSE(s.Contains("a"));
  EXPECT_FALSE(s.Erase("a"));
  EXPECT_TRUE(s.Insert(""));
  EXPECT_TRUE(s.Insert("short"));
  EXPECT_TRUE(s.Insert("1234567"));
  EXPECT_TRUE(s.Insert("12345678"));
  EXPECT_TRUE(s.Insert(std::string(300, 'z')));
  EXPECT_FALSE(s.Insert("short"));
  EXPECT_FALSE(s.Insert(std::string(300, 'z')));
  EXPECT_EQ(s.size(), 5u);
  EXPECT_TRUE(s.Contains(""));
  EXPECT_TRUE(s.Contains("12345678"));
  EXPECT_FALSE(s.Contains("1234567 "));
  EXPECT_FALSE(s.Contains(std::string(299, 'z')));
  EXPECT_TRUE(s.Erase(""));
  EXPECT_FALSE(s.Contains(""));
  EXPECT_TRUE(s.Erase(std::string(300, 'z')));
  EXPECT_EQ(s.size(), 3u);
}

TEST(StringSetTest, RandomizedAgainstModel) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    Random rng(seed);
    StringSet s;
    std::set<std::string> model;
    for (int step = 0; step < 20000; ++step) {
      std::string m = RandomMemberText(rng, false) + std::to_string(rng.Uniform(8));
      // Phases that grow and then shrink the table.
      bool grow = (step / 5000) % 2 == 0;
      if (rng.Uniform(10) < (grow ? 7u : 3u)) {
        ASSERT_EQ(s.Insert(m), model.insert(m).second);
      } else {
        ASSERT_EQ(s.Erase(m), model.erase(m) == 1);
      }
      ASSERT_EQ(s.size(), model.size());
      if (step % 997 == 0) {
        std::set<std::string> seen;
        s.ForEach([&seen](std::string_view v) { seen.insert(std::string(v)); });
        ASSERT_EQ(seen, model);
        for (const auto& x : model) ASSERT_TRUE(s.Contains(x));
      }
    }
    StringSet copy = s.Clone();
    std::set<std::string> seen;
    copy.ForEach([&seen](std::string_view v) { seen.insert(std::string(v)); });
    EXPECT_EQ(seen, model);
  }
}

TEST(StringSetTest, ScanReturnsEveryStableMemberAcrossResizes) {
  Random rng(7);
  StringSet s;
  for (int i = 0; i < 1000; ++i) s.Insert("stable" + std::to_string(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = s.Scan(cursor, [&seen](std::string_view v) { seen.insert(std::string(v)); });
    // Churn between calls: grow a lot, then shrink, forcing resizes.
    if (step < 40) {
      for (int i = 0; i < 200; ++i) s.Insert("temp" + std::to_string(step * 200 + i));
    } else {
      for (int i = 0; i < 200; ++i) s.Erase("temp" + std::to_string((step - 40) * 200 + i));
    }
    ++step;
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("stable" + std::to_string(i))) << i;
  (void)rng;
}

TEST(StringSetTest, RandomMemberIsRoughlyUniform) {
  Random rng(11);
  StringSet s;
  for (int i = 0; i < 10; ++i) s.Insert("member-number-" + std::to_string(i));
  std::map<std::string, int> counts;
  for (int i = 0; i < 20000; ++i) counts[std::string(s.RandomMember(rng))]++;
  ASSERT_EQ(counts.size(), 10u);
  for (const auto& [member, n] : counts) {
    EXPECT_GT(n, 1600) << member;
    EXPECT_LT(n, 2400) << member;
  }
}

// ---- SetValue ---------------------------------------------------------------

TEST(SetValueTest, CreateChoosesRedisEncoding) {
  SetLimits limits;  // 512 / 128 / 64
  EXPECT_EQ(SetValue::Create("12", 1, limits)->encoding(), Encoding::kIntset);
  EXPECT_EQ(SetValue::Create("12", 600, limits)->encoding(), Encoding::kHashtable);
  EXPECT_EQ(SetValue::Create("012", 1, limits)->encoding(), Encoding::kListpack);
  EXPECT_EQ(SetValue::Create("a", 128, limits)->encoding(), Encoding::kListpack);
  EXPECT_EQ(SetValue::Create("a", 129, limits)->encoding(), Encoding::kHashtable);
}

TEST(SetValueTest, IntsetConversions) {
  SetLimits limits{4, 3, 5};
  SetValue s(Encoding::kIntset);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(s.Add(SetValue::Member(i), limits));
  EXPECT_FALSE(s.Add(SetValue::Member("1"), limits));
  EXPECT_EQ(s.encoding(), Encoding::kIntset);
  // A string into a small intset whose members fit a listpack: listpack.
  SetValue t(Encoding::kIntset);
  t.Add(SetValue::Member(1), limits);
  t.Add(SetValue::Member(2), limits);
  EXPECT_TRUE(t.Add(SetValue::Member("abc"), limits));
  EXPECT_EQ(t.encoding(), Encoding::kListpack);
  EXPECT_TRUE(t.Contains(SetValue::Member("1")));
  EXPECT_TRUE(t.Contains(SetValue::Member(2)));
  EXPECT_TRUE(s.Add(SetValue::Member("x"), limits));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  // Overflowing intset entries.
  SetValue u(Encoding::kIntset);
  for (int i = 0; i < 5; ++i) u.Add(SetValue::Member(i), limits);
  EXPECT_EQ(u.encoding(), Encoding::kHashtable);
  EXPECT_EQ(Members(u), (std::set<std::string>{"0", "1", "2", "3", "4"}));
  // An intset whose members are too wide for the listpack value limit.
  SetValue w(Encoding::kIntset);
  w.Add(SetValue::Member(int64_t{1234567}), limits);
  w.Add(SetValue::Member("a"), limits);
  EXPECT_EQ(w.encoding(), Encoding::kHashtable);
}

TEST(SetValueTest, ListpackConversions) {
  SetLimits limits{512, 3, 5};
  SetValue s(Encoding::kListpack);
  EXPECT_TRUE(s.Add(SetValue::Member("a"), limits));
  EXPECT_TRUE(s.Add(SetValue::Member("7"), limits));
  EXPECT_FALSE(s.Add(SetValue::Member(int64_t{7}), limits));
  EXPECT_TRUE(s.Add(SetValue::Member("c"), limits));
  EXPECT_EQ(s.encoding(), Encoding::kListpack);
  EXPECT_TRUE(s.Add(SetValue::Member("d"), limits));
  EXPECT_EQ(s.encoding(), Encoding::kHashtable);
  SetValue t(Encoding::kListpack);
  EXPECT_TRUE(t.Add(SetValue::Member("toolong"), limits));
  EXPECT_EQ(t.encoding(), Encoding::kHashtable);
  SetValue v(Encoding::kListpack);
  v.MaybeConvert(4, limits);
  EXPECT_EQ(v.encoding(), Encoding::kHashtable);
  // An all-integer hashtable converts to an intset on request.
  SetValue h(Encoding::kHashtable);
  for (int i = 0; i < 10; ++i) h.Add(SetValue::Member(i * 3), limits);
  h.ConvertToIntset(limits);
  EXPECT_EQ(h.encoding(), Encoding::kIntset);
  EXPECT_TRUE(h.Contains(SetValue::Member("27")));
  EXPECT_TRUE(h.CheckConsistency());
}

TEST(SetValueTest, RandomizedAgainstModel) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    Random rng(seed * 7919);
    SetLimits limits{seed % 2 ? 512u : 20u, seed % 3 ? 128u : 10u, seed % 2 ? 64u : 16u};
    bool ints_only = seed % 4 == 0;
    SetValue s(Encoding::kIntset);
    std::set<std::string> model;
    for (int step = 0; step < 4000; ++step) {
      std::string m = RandomMemberText(rng, ints_only);
      uint64_t op = rng.Uniform(100);
      bool shrink = (step / 1000) % 2 == 1;
      if (op < (shrink ? 30u : 60u)) {
        SetValue::Member member = m;
        int64_t v;
        if (rng.Uniform(2) == 0 && ParseInt64(m, &v)) member = SetValue::Member(v);
        ASSERT_EQ(s.Add(member, limits), model.insert(m).second) << m;
      } else if (op < 90) {
        ASSERT_EQ(s.Remove(SetValue::Member(m)), model.erase(m) == 1) << m;
      } else if (op < 95 && !model.empty()) {
        std::string popped = s.PopRandom(rng);
        ASSERT_EQ(model.erase(popped), 1u) << popped;
      } else if (model.size() > 2) {
        size_t count = 1 + rng.Uniform(model.size() - 1);
        for (const std::string& popped : s.PopRandom(count, rng, limits)) {
          ASSERT_EQ(model.erase(popped), 1u) << popped;
        }
      }
      ASSERT_EQ(s.Size(), model.size());
      ASSERT_TRUE(s.Contains(SetValue::Member(m)) == (model.count(m) == 1));
      // Encoding invariants under fixed limits.
      if (s.encoding() == Encoding::kIntset) {
        ASSERT_LE(s.Size(), limits.max_intset_entries);
      }
      if (s.encoding() == Encoding::kListpack) {
        ASSERT_LE(s.Size(), limits.max_listpack_entries);
      }
      if (step % 250 == 0) {
        ASSERT_EQ(Members(s), model);
        ASSERT_TRUE(s.CheckConsistency());
        auto clone = s.Clone();
        ASSERT_EQ(Members(static_cast<SetValue&>(*clone)), model);
      }
    }
  }
}

TEST(SetValueTest, RandomMembersFollowTheContract) {
  SetLimits limits;
  for (Encoding enc : {Encoding::kIntset, Encoding::kListpack, Encoding::kHashtable}) {
    Random rng(42);
    SetValue s(enc);
    for (int i = 0; i < 100; ++i) s.Add(SetValue::Member(i), limits);
    ASSERT_EQ(s.encoding(), enc);
    for (size_t count : {1u, 2u, 10u, 40u, 99u, 100u, 150u}) {
      std::vector<std::string> got;
      s.RandomMembers(count, true, rng, [&got](SetValue::Member m) { got.push_back(m.ToString()); });
      EXPECT_EQ(got.size(), std::min<size_t>(count, 100));
      std::set<std::string> distinct(got.begin(), got.end());
      EXPECT_EQ(distinct.size(), got.size());
      for (const auto& g : got) EXPECT_TRUE(s.Contains(SetValue::Member(g)));
    }
    std::map<std::string, int> counts;
    s.RandomMembers(20000, false, rng, [&counts](SetValue::Member m) { counts[m.ToString()]++; });
    EXPECT_EQ(counts.size(), 100u);
    for (const auto& [member, n] : counts) {
      EXPECT_GT(n, 100) << member;
      EXPECT_LT(n, 320) << member;
    }
  }
}

TEST(SetValueTest, AlgebraAgainstModel) {
  SetLimits limits{64, 16, 16};
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Random rng(seed);
    std::vector<std::unique_ptr<SetValue>> owned;
    std::vector<std::set<std::string>> models;
    for (int k = 0; k < 3; ++k) {
      owned.push_back(std::make_unique<SetValue>(Encoding::kIntset));
      models.emplace_back();
      size_t n = rng.Uniform(seed % 2 ? 30 : 200);
      for (size_t i = 0; i < n; ++i) {
        std::string m = RandomMemberText(rng, seed % 3 == 0);
        owned[k]->Add(SetValue::Member(m), limits);
        models[k].insert(m);
      }
    }
    std::vector<const SetValue*> sets = {owned[0].get(), owned[1].get(), owned[2].get()};
    std::set<std::string> inter, uni, diff = models[0];
    for (const auto& m : models[0]) {
      if (models[1].count(m) && models[2].count(m)) inter.insert(m);
    }
    for (const auto& model : models) uni.insert(model.begin(), model.end());
    for (size_t k = 1; k < 3; ++k) {
      for (const auto& m : models[k]) diff.erase(m);
    }
    auto copy = sets;
    EXPECT_EQ(Members(*SetValue::Intersection(copy, limits)), inter);
    copy = sets;
    EXPECT_EQ(Members(*SetValue::Union(copy, seed % 2 == 0, limits)), uni);
    copy = sets;
    EXPECT_EQ(Members(*SetValue::Difference(copy, seed % 2 == 0, limits)), diff);
    copy = {sets[0], nullptr, sets[2]};
    std::set<std::string> diff02 = models[0];
    for (const auto& m : models[2]) diff02.erase(m);
    EXPECT_EQ(Members(*SetValue::Difference(copy, true, limits)), diff02);
    copy = {sets[1], sets[0], sets[1]};
    EXPECT_TRUE(SetValue::Difference(copy, true, limits)->Empty());
    size_t limited = 0;
    copy = sets;
    SetValue::ForEachInIntersection(copy, [&limited](SetValue::Member) { return ++limited < 2; });
    EXPECT_EQ(limited, std::min<size_t>(inter.size(), 2));
  }
}

TEST(SetValueTest, ScanOfHashtableCoversEverything) {
  SetLimits limits;
  SetValue s(Encoding::kHashtable);
  for (int i = 0; i < 1000; ++i) s.Add(SetValue::Member("member:" + std::to_string(i)), limits);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = s.Scan(cursor, 10, [&seen](SetValue::Member m) { seen.insert(m.ToString()); });
    ++calls;
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(calls, 20);
}

TEST(SetValueTest, MemoryUsageIsCompact) {
  SetLimits limits;
  SetValue s(Encoding::kHashtable);
  for (int i = 0; i < 100000; ++i) s.Add(SetValue::Member("m:" + std::to_string(i)), limits);
  // Members of up to 7 bytes live inside their slots.
  EXPECT_LT(s.MemoryUsage() / 100000.0, 24.0);
}

}  // namespace
}  // namespace lodestone

namespace lodestone {
namespace {

// The prefetch hints read the table (the home slot, then the block a
// matching tag points at): safe before the first member, for inline and
// block members, present or not, and they change nothing.
TEST(StringSetTest, PrefetchIsSafeAndChangesNothing) {
  StringSet set;
  for (int stage = 0; stage < 2; stage++) set.Prefetch("absent", stage);
  for (int i = 0; i < 300; i++) set.Insert("member:" + std::to_string(i));
  set.Insert("short");
  for (std::string m : {"member:7", "member:299", "short", "absent", "member:x", ""}) {
    for (int stage = 0; stage < 2; stage++) set.Prefetch(m, stage);
  }
  EXPECT_EQ(set.size(), 301u);
  EXPECT_TRUE(set.Contains("member:7"));
  EXPECT_FALSE(set.Contains("absent"));
  SetLimits limits;
  auto big = SetValue::Create("member:0", 600, limits);
  const Collection& collection = *big;
  for (int stage = 0; stage < 2; stage++) collection.PrefetchMember("member:0", stage);
}

}  // namespace
}  // namespace lodestone
