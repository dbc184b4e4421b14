// Tests for ZSkiplist: order, ranks, range searches and range deletion,
// against a std::set model under random operations.
#include "core/skiplist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/random.h"

namespace lodestone {
namespace {

struct Less {
  bool operator()(const std::pair<double, std::string>& a,
                  const std::pair<double, std::string>& b) const {
    if (a.first != b.first) return a.first < b.first;
    return CompareMembers(a.second, b.second) < 0;
  }
};
using Model = std::set<std::pair<double, std::string>, Less>;

void ExpectMatches(const ZSkiplist& list, const Model& model) {
  ASSERT_TRUE(list.CheckConsistency());
  ASSERT_EQ(list.size(), model.size());
  size_t rank = 1;
  const ZSkiplist::Node* n = list.first();
  for (const auto& [score, member] : model) {
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->score(), score);
    EXPECT_EQ(n->member(), member);
    EXPECT_EQ(list.Rank(score, member), rank);
    EXPECT_EQ(list.ByRank(rank), n);
    n = n->next();
    ++rank;
  }
  EXPECT_EQ(n, nullptr);
  EXPECT_EQ(list.ByRank(0), nullptr);
  EXPECT_EQ(list.ByRank(model.size() + 1), nullptr);
}

TEST(SkiplistTest, CompareMembersIsSdscmp) {
  EXPECT_LT(CompareMembers("a", "b"), 0);
  EXPECT_LT(CompareMembers("a", "ab"), 0);
  EXPECT_GT(CompareMembers("b", "ab"), 0);
  EXPECT_EQ(CompareMembers("", ""), 0);
  EXPECT_LT(CompareMembers("", "a"), 0);
  EXPECT_GT(CompareMembers(std::string("\xff", 1), "a"), 0);  // unsigned bytes
}

TEST(SkiplistTest, LexRangeEmptiness) {
  auto bound = [](LexBound::Kind kind, std::string v, bool ex) {
    LexBound b;
    b.kind = kind;
    b.value = std::move(v);
    b.exclusive = ex;
    return b;
  };
  using K = LexBound::Kind;
  EXPECT_TRUE((LexRange{bound(K::kMinusInfinity, "", true), bound(K::kMinusInfinity, "", true)})
                  .IsEmpty());
  EXPECT_FALSE((LexRange{bound(K::kMinusInfinity, "", true), bound(K::kPlusInfinity, "", true)})
                   .IsEmpty());
  EXPECT_TRUE((LexRange{bound(K::kPlusInfinity, "", true), bound(K::kValue, "a", false)})
                  .IsEmpty());
  EXPECT_FALSE((LexRange{bound(K::kValue, "a", false), bound(K::kValue, "a", false)}).IsEmpty());
  EXPECT_TRUE((LexRange{bound(K::kValue, "a", true), bound(K::kValue, "a", false)}).IsEmpty());
  EXPECT_TRUE((LexRange{bound(K::kValue, "b", false), bound(K::kValue, "a", false)}).IsEmpty());
}

TEST(SkiplistTest, InsertDeleteUpdate) {
  ZSkiplist list;
  Model model;
  EXPECT_EQ(list.first(), nullptr);
  EXPECT_EQ(list.last(), nullptr);
  list.Insert(2, "b");
  list.Insert(1, "z");
  list.Insert(2, "a");
  model = {{2, "b"}, {1, "z"}, {2, "a"}};
  ExpectMatches(list, model);
  EXPECT_EQ(list.last()->member(), "b");
  EXPECT_FALSE(list.Delete(2, "z"));
  EXPECT_TRUE(list.Delete(2, "a"));
  model.erase({2, "a"});
  ExpectMatches(list, model);
  ZSkiplist::Node* z = list.ByRank(1);
  list.UpdateScore(z, 5);  // moves to the end, same node
  EXPECT_EQ(list.last(), z);
  model = {{2, "b"}, {5, "z"}};
  ExpectMatches(list, model);
  list.UpdateScore(z, 4);  // stays in place
  EXPECT_EQ(list.last(), z);
  model = {{2, "b"}, {4, "z"}};
  ExpectMatches(list, model);
}

TEST(SkiplistTest, RandomizedAgainstModel) {
  for (uint64_t seed : {1, 2, 3, 4}) {
    Random rng(seed);
    ZSkiplist list;
    Model model;
    for (int step = 0; step < 4000; ++step) {
      uint64_t op = rng.Uniform(10);
      double score = static_cast<double>(rng.Uniform(50));
      std::string member = "m" + std::to_string(rng.Uniform(300));
      auto existing = std::find_if(model.begin(), model.end(),
                                   [&](const auto& p) { return p.second == member; });
      if (op < 5) {
        if (existing == model.end()) {
          list.Insert(score, member);
          model.insert({score, member});
        }
      } else if (op < 7) {
        if (existing != model.end()) {
          EXPECT_TRUE(list.Delete(existing->first, member));
          model.erase(existing);
        }
      } else if (op < 9) {
        if (existing != model.end()) {
          ZSkiplist::Node* n = list.ByRank(list.Rank(existing->first, member));
          list.UpdateScore(n, score);
          model.erase(existing);
          model.insert({score, member});
        }
      } else if (!model.empty()) {
        size_t a = 1 + rng.Uniform(model.size());
        size_t b = a + rng.Uniform(std::min<size_t>(5, model.size() - a + 1));
        std::vector<std::string> freed;
        size_t n = list.DeleteRangeByRank(
            a, b, [&](ZSkiplist::Node* node) { freed.emplace_back(node->member()); });
        EXPECT_EQ(n, b - a + 1);
        auto first = std::next(model.begin(), static_cast<long>(a - 1));
        auto last = std::next(first, static_cast<long>(b - a + 1));
        std::vector<std::string> expected;
        for (auto it = first; it != last; ++it) expected.push_back(it->second);
        EXPECT_EQ(freed, expected);
        model.erase(first, last);
      }
      if (step % 200 == 0) ExpectMatches(list, model);
    }
    ExpectMatches(list, model);

    // Score ranges, every combination of bounds over a few values.
    for (double lo : {-1.0, 0.0, 10.5, 25.0, 49.0, 60.0}) {
      for (double hi : {-1.0, 0.0, 10.5, 25.0, 49.0, 60.0}) {
        for (int ex = 0; ex < 4; ++ex) {
          ScoreRange range{lo, hi, (ex & 1) != 0, (ex & 2) != 0};
          size_t expected_first = 0, expected_last = 0, rank = 0;
          for (const auto& [score, member] : model) {
            ++rank;
            if (range.Contains(score)) {
              if (expected_first == 0) expected_first = rank;
              expected_last = rank;
            }
          }
          size_t first = 0, last = 0;
          ZSkiplist::Node* f = list.FirstInRange(range, &first);
          ZSkiplist::Node* l = list.LastInRange(range, &last);
          if (expected_first == 0) {
            EXPECT_EQ(f, nullptr);
            EXPECT_EQ(l, nullptr);
          } else {
            ASSERT_NE(f, nullptr);
            ASSERT_NE(l, nullptr);
            EXPECT_EQ(first, expected_first);
            EXPECT_EQ(last, expected_last);
            EXPECT_EQ(list.ByRank(first), f);
            EXPECT_EQ(list.ByRank(last), l);
          }
        }
      }
    }
  }
}

TEST(SkiplistTest, LexRangesOnEqualScores) {
  ZSkiplist list;
  std::vector<std::string> members = {"a", "aa", "ab", "b", "c", "cat", "d"};
  for (const auto& m : members) list.Insert(0, m);
  auto value = [](std::string v, bool ex) {
    LexBound b;
    b.value = std::move(v);
    b.exclusive = ex;
    return b;
  };
  LexBound minus{LexBound::Kind::kMinusInfinity, true, ""};
  LexBound plus{LexBound::Kind::kPlusInfinity, true, ""};
  size_t first = 0, last = 0;
  ASSERT_NE(list.FirstInRange(LexRange{minus, plus}, &first), nullptr);
  ASSERT_NE(list.LastInRange(LexRange{minus, plus}, &last), nullptr);
  EXPECT_EQ(first, 1u);
  EXPECT_EQ(last, 7u);
  ASSERT_NE(list.FirstInRange(LexRange{value("aa", true), value("c", false)}, &first), nullptr);
  ASSERT_NE(list.LastInRange(LexRange{value("aa", true), value("c", false)}, &last), nullptr);
  EXPECT_EQ(first, 3u);
  EXPECT_EQ(last, 5u);
  EXPECT_EQ(list.FirstInRange(LexRange{value("ca", false), value("cat", true)}, &first), nullptr);
  EXPECT_EQ(list.FirstInRange(LexRange{value("e", false), plus}, &first), nullptr);
  EXPECT_EQ(list.LastInRange(LexRange{minus, value("0", false)}, &last), nullptr);
}

TEST(SkiplistTest, InfinitiesAndMoves) {
  ZSkiplist list;
  double inf = std::numeric_limits<double>::infinity();
  list.Insert(-inf, "low");
  list.Insert(inf, "high");
  list.Insert(0, "zero");
  size_t rank;
  EXPECT_EQ(list.FirstInRange(ScoreRange{-inf, -inf, false, false}, &rank)->member(), "low");
  EXPECT_EQ(list.LastInRange(ScoreRange{-inf, inf, false, true}, &rank)->member(), "zero");
  EXPECT_EQ(list.FirstInRange(ScoreRange{inf, inf, true, false}, &rank), nullptr);
  ZSkiplist moved = std::move(list);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_TRUE(moved.CheckConsistency());
  EXPECT_GT(moved.MemoryUsage(), 0u);
}

}  // namespace
}  // namespace lodestone
