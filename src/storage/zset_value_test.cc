// Tests for ZSetPack and ZSetValue: the packed format (front coding, score
// tags), zsetAdd's flag semantics, conversions at the thresholds, and
// randomized runs of both encodings against a std::map model.
#include "storage/zset_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/random.h"
#include "storage/zset_pack.h"

namespace lodestone {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<std::pair<std::string, double>> Sorted(const std::map<std::string, double>& model) {
  std::vector<std::pair<std::string, double>> v(model.begin(), model.end());
  std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second < b.second;
    return CompareMembers(a.first, b.first) < 0;
  });
  return v;
}

std::vector<std::pair<std::string, double>> Contents(const ZSetValue& z) {
  std::vector<std::pair<std::string, double>> v;
  z.ForEach([&](std::string_view m, double s) { v.emplace_back(std::string(m), s); });
  return v;
}

bool SameScore(double a, double b) {
  return a == b && std::signbit(a) == std::signbit(b);
}

TEST(ZSetPackTest, FrontCodingIsCompact) {
  ZSetPack::Builder b;
  for (int i = 10; i < 20; ++i) b.Add("member:0000000" + std::to_string(i), i * 1000);
  ZSetPack pack = b.Finish();
  EXPECT_TRUE(pack.CheckConsistency());
  EXPECT_EQ(pack.Size(), 10u);
  // First pair: 2 + 1 + 16 + 2 bytes; then 2 + 1 + 2 each; header 2.
  EXPECT_EQ(pack.BytesUsed(), 2u + 21u + 9u * 5u);
}

TEST(ZSetPackTest, CloseIntegralScoresAreDeltas) {
  ZSetPack::Builder b;
  for (int i = 0; i < 10; ++i) b.Add("member:00000001" + std::to_string(i), 100000 + i);
  ZSetPack pack = b.Finish();
  EXPECT_TRUE(pack.CheckConsistency());
  // First pair: 2 + 1 + 16 + 3 bytes; then 2 + 1 + 1 each (a 1-byte distance).
  EXPECT_EQ(pack.BytesUsed(), 2u + 22u + 9u * 4u);
  ZSetPack::Cursor c(pack);
  for (int i = 0; c.Next(); ++i) EXPECT_EQ(c.score(), 100000 + i);
}

TEST(ZSetPackTest, ScoresRoundTrip) {
  std::vector<double> scores = {0.0,  -0.0, 1.0,    -1.0,  127.0, 128.0,  -129.0, 1e15,
                                -1e15, 0.5, 1.0 / 3, kInf, -kInf, 9007199254740992.0,
                                9007199254740994.0, -9007199254740992.0, 1e300, 5e-324,
                                1e15 + 1, 1e15 + 300, 5.0, 5.0, 5.0, -9007199254740991.0};
  ZSetPack pack;
  for (size_t i = 0; i < scores.size(); ++i) pack.Insert("m" + std::to_string(i), scores[i]);
  EXPECT_TRUE(pack.CheckConsistency());
  for (size_t i = 0; i < scores.size(); ++i) {
    double s;
    ASSERT_TRUE(pack.Find("m" + std::to_string(i), &s, nullptr));
    EXPECT_TRUE(SameScore(s, scores[i])) << i << " " << s;
  }
}

TEST(ZSetPackTest, InsertRemoveKeepsFrontCoding) {
  ZSetPack pack;
  pack.Insert("abcdef", 1);
  pack.Insert("abcxyz", 1);
  pack.Insert("abc", 1);
  pack.Insert(std::string(300, 'q'), 0);  // long suffix and shared > 255 later
  pack.Insert(std::string(300, 'q') + "r", 0);
  EXPECT_TRUE(pack.CheckConsistency());
  EXPECT_TRUE(pack.Remove("abcdef"));
  EXPECT_FALSE(pack.Remove("abcdef"));
  EXPECT_TRUE(pack.CheckConsistency());
  pack.RemoveRanks(0, 1);
  EXPECT_TRUE(pack.CheckConsistency());
  EXPECT_EQ(pack.Size(), 2u);
  pack.RemoveRanks(0, 1);
  EXPECT_TRUE(pack.Empty());
  EXPECT_EQ(pack.BytesUsed(), 0u);
}

TEST(ZSetValueTest, AddFlags) {
  ZSetLimits limits;
  ZSetValue z(Encoding::kListpack);
  auto r = z.Add("a", 1, ZSetValue::kAddNone, limits);
  EXPECT_TRUE(r.added);
  r = z.Add("a", 1, ZSetValue::kAddNone, limits);
  EXPECT_FALSE(r.added || r.updated || r.nop);
  r = z.Add("a", 2, ZSetValue::kAddNx, limits);
  EXPECT_TRUE(r.nop);
  r = z.Add("b", 2, ZSetValue::kAddXx, limits);
  EXPECT_TRUE(r.nop);
  EXPECT_EQ(z.Size(), 1u);
  r = z.Add("a", 0, ZSetValue::kAddGt, limits);
  EXPECT_TRUE(r.nop);
  r = z.Add("a", 5, ZSetValue::kAddGt, limits);
  EXPECT_TRUE(r.updated);
  r = z.Add("a", 3, ZSetValue::kAddIncr | ZSetValue::kAddLt, limits);
  EXPECT_TRUE(r.nop);  // 5 + 3 is not less than 5
  r = z.Add("a", -3, ZSetValue::kAddIncr | ZSetValue::kAddLt, limits);
  EXPECT_TRUE(r.updated);
  EXPECT_EQ(r.score, 2);
  r = z.Add("a", kInf, ZSetValue::kAddIncr, limits);
  EXPECT_EQ(r.score, kInf);
  r = z.Add("a", -kInf, ZSetValue::kAddIncr, limits);
  EXPECT_TRUE(r.nan);
  r = z.Add("c", std::nan(""), ZSetValue::kAddNone, limits);
  EXPECT_TRUE(r.nan);
  r = z.Add("d", 4, ZSetValue::kAddIncr, limits);
  EXPECT_TRUE(r.added);
  EXPECT_EQ(r.score, 4);
}

TEST(ZSetValueTest, ConversionThresholds) {
  ZSetLimits limits{4, 8};
  auto z = ZSetValue::Create(1, 3, limits);
  EXPECT_EQ(z->encoding(), Encoding::kListpack);
  for (int i = 0; i < 4; ++i) z->Add("m" + std::to_string(i), i, 0, limits);
  EXPECT_EQ(z->encoding(), Encoding::kListpack);
  z->Add("m4", 4, 0, limits);
  EXPECT_EQ(z->encoding(), Encoding::kSkiplist);
  EXPECT_TRUE(z->CheckConsistency());
  for (int i = 0; i < 5; ++i) z->Remove("m" + std::to_string(i));
  EXPECT_EQ(z->encoding(), Encoding::kSkiplist);  // never converts back by itself

  auto y = ZSetValue::Create(1, 3, limits);
  y->Add("123456789", 1, 0, limits);  // 9 bytes > 8
  EXPECT_EQ(y->encoding(), Encoding::kSkiplist);
  y->ConvertToListpackIfNeeded(9, 9, limits);
  EXPECT_EQ(y->encoding(), Encoding::kSkiplist);
  y->Remove("123456789");
  y->Add("short", 1, 0, limits);
  y->ConvertToListpackIfNeeded(5, 5, limits);
  EXPECT_EQ(y->encoding(), Encoding::kListpack);
  EXPECT_EQ(Contents(*y), (std::vector<std::pair<std::string, double>>{{"short", 1}}));

  EXPECT_EQ(ZSetValue::Create(5, 1, limits)->encoding(), Encoding::kSkiplist);
  EXPECT_EQ(ZSetValue::Create(1, 9, limits)->encoding(), Encoding::kSkiplist);
  auto x = ZSetValue::Create(1, 1, limits);
  x->MaybeConvert(5, limits);
  EXPECT_EQ(x->encoding(), Encoding::kSkiplist);
}

// Runs random operations on a ZSetValue and a model, crossing the thresholds.
void RandomRun(uint64_t seed, ZSetLimits limits) {
  Random rng(seed);
  auto z = ZSetValue::Create(1, 1, limits);
  std::map<std::string, double> model;
  bool went_big = false;
  for (int step = 0; step < 3000; ++step) {
    uint64_t op = rng.Uniform(20);
    std::string member = "k" + std::to_string(rng.Uniform(200));
    if (rng.Uniform(50) == 0) member += std::string(70, 'x');  // over the value limit
    double score = static_cast<double>(static_cast<int64_t>(rng.Uniform(40)) - 20);
    if (rng.Uniform(4) == 0) score += 0.25;
    if (rng.Uniform(8) == 0) score *= 1e9;  // multi-byte distances
    if (op < 9) {
      unsigned flags = static_cast<unsigned>(rng.Uniform(32));
      if ((flags & ZSetValue::kAddNx) && (flags & ZSetValue::kAddXx)) flags &= ~ZSetValue::kAddXx;
      if (flags & ZSetValue::kAddNx) flags &= ~(ZSetValue::kAddGt | ZSetValue::kAddLt);
      if ((flags & ZSetValue::kAddGt) && (flags & ZSetValue::kAddLt)) flags &= ~ZSetValue::kAddLt;
      auto r = z->Add(member, score, flags, limits);
      auto it = model.find(member);
      bool exists = it != model.end();
      double target = score;
      if (exists && (flags & ZSetValue::kAddIncr)) target += it->second;
      bool skip = (exists && (flags & ZSetValue::kAddNx)) || (!exists && (flags & ZSetValue::kAddXx)) ||
                  (exists && (flags & ZSetValue::kAddGt) && !(target > it->second)) ||
                  (exists && (flags & ZSetValue::kAddLt) && !(target < it->second));
      ASSERT_EQ(r.nop, skip);
      if (!skip) {
        ASSERT_EQ(r.added, !exists);
        ASSERT_EQ(r.updated, exists && target != it->second);
        ASSERT_EQ(r.score, target);
        model[member] = target;
      }
    } else if (op < 13) {
      ASSERT_EQ(z->Remove(member), model.erase(member) == 1);
    } else if (op < 14 && !model.empty()) {
      size_t a = rng.Uniform(model.size());
      size_t b = std::min(model.size() - 1, a + rng.Uniform(4));
      auto sorted = Sorted(model);
      ASSERT_EQ(z->RemoveRanks(a, b), b - a + 1);
      for (size_t i = a; i <= b; ++i) model.erase(sorted[i].first);
    } else if (op < 17) {
      double s;
      auto it = model.find(member);
      ASSERT_EQ(z->Score(member, &s), it != model.end());
      if (it != model.end()) {
        ASSERT_EQ(s, it->second);
        auto sorted = Sorted(model);
        size_t expected = static_cast<size_t>(
            std::find_if(sorted.begin(), sorted.end(), [&](auto& p) { return p.first == member; }) -
            sorted.begin());
        size_t rank;
        ASSERT_TRUE(z->Rank(member, false, &rank, nullptr));
        ASSERT_EQ(rank, expected);
        ASSERT_TRUE(z->Rank(member, true, &rank, nullptr));
        ASSERT_EQ(rank, sorted.size() - 1 - expected);
      }
    } else {
      auto sorted = Sorted(model);
      double lo = static_cast<double>(static_cast<int64_t>(rng.Uniform(44)) - 22);
      double hi = lo + static_cast<double>(rng.Uniform(10));
      ScoreRange range{lo, hi, rng.Uniform(2) == 0, rng.Uniform(2) == 0};
      if (rng.Uniform(8) == 0) range.min = -kInf;
      if (rng.Uniform(8) == 0) range.max = kInf;
      std::vector<size_t> in;
      for (size_t i = 0; i < sorted.size(); ++i) {
        if (range.Contains(sorted[i].second)) in.push_back(i);
      }
      size_t first, last;
      bool found = z->RanksIn(range, &first, &last);
      ASSERT_EQ(found, !in.empty());
      if (found) {
        ASSERT_EQ(first, in.front());
        ASSERT_EQ(last, in.back());
        bool reverse = rng.Uniform(2) == 0;
        std::vector<std::string> got;
        z->ForRanks(first, last, reverse, [&](std::string_view m, double) { got.emplace_back(m); });
        std::vector<std::string> want;
        for (size_t i : in) want.push_back(sorted[i].first);
        if (reverse) std::reverse(want.begin(), want.end());
        ASSERT_EQ(got, want);
      }
    }
    went_big |= z->encoding() == Encoding::kSkiplist;
    if (step % 100 == 0) {
      ASSERT_TRUE(z->CheckConsistency());
      ASSERT_EQ(Contents(*z), Sorted(model));
    }
  }
  ASSERT_TRUE(z->CheckConsistency());
  ASSERT_EQ(Contents(*z), Sorted(model));
  EXPECT_TRUE(went_big);

  auto copy = z->Clone();
  EXPECT_EQ(Contents(*static_cast<ZSetValue*>(copy.get())), Sorted(model));
}

TEST(ZSetValueTest, RandomizedAgainstModel) {
  for (uint64_t seed : {11, 12, 13, 14, 15}) {
    RandomRun(seed, ZSetLimits{16, 8});
    RandomRun(seed, ZSetLimits{128, 64});
  }
}

TEST(ZSetValueTest, LexRanges) {
  ZSetLimits limits;
  for (Encoding enc : {Encoding::kListpack, Encoding::kSkiplist}) {
    ZSetValue z(enc);
    for (const char* m : {"a", "b", "c", "d", "e"}) z.Add(m, 0, 0, limits);
    LexRange range;
    range.min.value = "b";
    range.max.value = "d";
    range.max.exclusive = true;
    size_t first, last;
    ASSERT_TRUE(z.RanksIn(range, &first, &last));
    EXPECT_EQ(first, 1u);
    EXPECT_EQ(last, 2u);
    range.min.value = "da";
    EXPECT_FALSE(z.RanksIn(range, &first, &last));
  }
}

TEST(ZSetValueTest, ScanCoversEverythingAcrossResizes) {
  ZSetLimits limits{0, 0};
  ZSetValue z(Encoding::kSkiplist);
  for (int i = 0; i < 1000; ++i) z.Add("m" + std::to_string(i), i, 0, limits);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = z.Scan(cursor, 10, [&](std::string_view m, double) { seen.emplace(m); });
    ++calls;
    // Shrink and grow the table between calls; the originals must all appear.
    if (calls == 20) {
      for (int i = 1000; i < 3000; ++i) z.Add("n" + std::to_string(i), i, 0, limits);
    }
    if (calls == 40) {
      for (int i = 1000; i < 3000; ++i) z.Remove("n" + std::to_string(i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.count("m" + std::to_string(i))) << i;
  EXPECT_TRUE(z.CheckConsistency());
}

TEST(ZSetValueTest, MemoryOfSmallSet) {
  ZSetLimits limits;
  auto z = ZSetValue::Create(10, 16, limits);
  char buf[32];
  for (int i = 0; i < 10; ++i) {
    snprintf(buf, sizeof(buf), "member:%09d", 990000 + i);
    z->Add(buf, 990000 + i, 0, limits);
  }
  EXPECT_EQ(sizeof(ZSetValue), 24u);
  EXPECT_LE(z->MemoryUsage(), 24u + 80u);
}

}  // namespace
}  // namespace lodestone
