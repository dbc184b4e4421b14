#include "storage/list_value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace lodestone {
namespace {

using End = ListValue::End;

std::vector<std::string> Elements(const ListValue& list, bool reverse = false) {
  std::vector<std::string> out;
  if (list.Empty()) return out;
  ListValue::Cursor c = list.CursorAt(reverse ? list.Size() - 1 : 0, reverse);
  while (auto e = c.Next()) out.push_back(e->ToString());
  return out;
}

ListLimits Fill(int fill) { return ListLimits{fill, 0}; }

// Pushes as RPUSH does: conversion check first, then the push.
void RPush(ListValue& list, std::string_view v, const ListLimits& limits) {
  std::string_view one[] = {v};
  list.GrowFor(one, limits);
  list.Push(End::kTail, v);
}

TEST(ListValueTest, StartsAsEmptyListpack) {
  ListValue list;
  EXPECT_EQ(list.encoding(), Encoding::kListpack);
  EXPECT_TRUE(list.Empty());
  EXPECT_FALSE(list.Index(0));
  EXPECT_FALSE(list.Index(-1));
}

TEST(ListValueTest, PushPopBothEnds) {
  ListValue list;
  list.Push(End::kTail, "b");
  list.Push(End::kHead, "a");
  list.Push(End::kTail, "12");
  EXPECT_EQ(Elements(list), (std::vector<std::string>{"a", "b", "12"}));
  EXPECT_EQ(Elements(list, true), (std::vector<std::string>{"12", "b", "a"}));
  EXPECT_EQ(list.Pop(End::kTail), "12");
  EXPECT_EQ(list.Pop(End::kHead), "a");
  EXPECT_EQ(list.Size(), 1u);
}

TEST(ListValueTest, CountFillConvertsAndShrinksBack) {
  // Redis's "List quicklist -> listpack encoding conversion" with fill 3.
  ListLimits limits = Fill(3);
  ListValue list;
  for (const char* v : {"a", "b", "c"}) RPush(list, v, limits);
  EXPECT_EQ(list.encoding(), Encoding::kListpack);
  RPush(list, "d", limits);
  EXPECT_EQ(list.encoding(), Encoding::kQuicklist);
  EXPECT_EQ(list.NodeCount(), 2u);
  list.DeleteRange(-3, 3);
  list.TryShrink(limits);
  EXPECT_EQ(list.encoding(), Encoding::kListpack);
  EXPECT_EQ(Elements(list), (std::vector<std::string>{"a"}));
}

TEST(ListValueTest, ZeroFillMeansOneEntry) {
  ListLimits limits = Fill(0);
  ListValue list;
  RPush(list, "a", limits);
  EXPECT_EQ(list.encoding(), Encoding::kListpack);
  RPush(list, "b", limits);
  EXPECT_EQ(list.encoding(), Encoding::kQuicklist);
}

TEST(ListValueTest, ByteFillBelowMinusFiveIs64K) {
  ListLimits limits = Fill(-6);
  ListValue list;
  RPush(list, std::string(60000, 'x'), limits);
  EXPECT_EQ(list.encoding(), Encoding::kListpack);
  RPush(list, std::string(5536, 'x'), limits);
  EXPECT_EQ(list.encoding(), Encoding::kQuicklist);
}

TEST(ListValueTest, LargeElementGetsItsOwnNodeAndBlocksShrink) {
  ListLimits limits = Fill(-1);
  ListValue list;
  std::string large(8192, 'x');
  RPush(list, large, limits);
  RPush(list, "a", limits);
  RPush(list, "b", limits);
  EXPECT_EQ(list.encoding(), Encoding::kQuicklist);
  list.DeleteRange(-2, 2);
  list.TryShrink(limits);
  // One node left, but a plain one: stays a quicklist.
  EXPECT_EQ(list.encoding(), Encoding::kQuicklist);
  ASSERT_TRUE(list.Set(-1, "c"));
  list.TryShrink(limits);
  EXPECT_EQ(list.encoding(), Encoding::kListpack);
  EXPECT_EQ(Elements(list), (std::vector<std::string>{"c"}));
}

TEST(ListValueTest, InsertAndRemove) {
  ListValue list;
  for (const char* v : {"a", "b", "a", "c", "a"}) list.Push(End::kTail, v);
  EXPECT_TRUE(list.Insert("b", "x", /*after=*/true));
  EXPECT_TRUE(list.Insert("a", "y", /*after=*/false));
  EXPECT_FALSE(list.Insert("zz", "q", true));
  EXPECT_EQ(Elements(list), (std::vector<std::string>{"y", "a", "b", "x", "a", "c", "a"}));
  EXPECT_EQ(list.Remove("a", -2), 2u);
  EXPECT_EQ(Elements(list), (std::vector<std::string>{"y", "a", "b", "x", "c"}));
  EXPECT_EQ(list.Remove("a", 0), 1u);
  EXPECT_EQ(list.Remove("nope", 0), 0u);
  EXPECT_EQ(Elements(list), (std::vector<std::string>{"y", "b", "x", "c"}));
}

TEST(ListValueTest, IntegersCompareByStringForm) {
  ListValue list;
  list.Push(End::kTail, "123");
  list.Push(End::kTail, "0123");
  EXPECT_EQ(list.Remove("123", 0), 1u);
  EXPECT_EQ(Elements(list), (std::vector<std::string>{"0123"}));
}

TEST(ListValueTest, CloneIsDeep) {
  ListLimits limits = Fill(2);
  ListValue list;
  for (int i = 0; i < 10; i++) RPush(list, std::to_string(i), limits);
  auto copy = list.Clone();
  auto* c = static_cast<ListValue*>(copy.get());
  list.Pop(End::kHead);
  EXPECT_EQ(c->Size(), 10u);
  EXPECT_EQ(c->encoding(), Encoding::kQuicklist);
  EXPECT_TRUE(c->CheckConsistency());
  EXPECT_GT(c->MemoryUsage(), sizeof(ListValue));
}

// Randomized: every operation against a std::deque, for several fills and
// seeds, with element sizes that cross the node limits (and plain nodes).
class ListValueRandomTest : public ::testing::TestWithParam<std::tuple<int, unsigned>> {};

TEST_P(ListValueRandomTest, MatchesReferenceModel) {
  auto [fill, seed] = GetParam();
  ListLimits limits = Fill(fill);
  std::mt19937 rng(seed);
  auto rnd = [&](size_t n) { return size_t(rng() % n); };
  auto random_value = [&]() -> std::string {
    switch (rnd(10)) {
      case 0:
        return std::string(1000 + rnd(9000), char('a' + rnd(3)));  // may be large
      case 1:
        return std::to_string(int64_t(rng()) - 2000000000);
      case 2:
        return std::string(20 + rnd(200), char('a' + rnd(3)));
      default:
        return std::string(1, char('a' + rnd(4)));
    }
  };
  auto list = std::make_unique<ListValue>();
  std::deque<std::string> model;
  size_t max_nodes = 0;
  for (int step = 0; step < 4000; step++) {
    int op = int(rnd(100));
    if (op < 30) {
      std::string v = random_value();
      std::string_view one[] = {v};
      list->GrowFor(one, limits);
      bool head = rnd(2) == 0;
      list->Push(head ? End::kHead : End::kTail, v);
      if (head) {
        model.push_front(v);
      } else {
        model.push_back(v);
      }
    } else if (op < 45) {
      if (model.empty()) continue;
      bool head = rnd(2) == 0;
      std::string got = list->Pop(head ? End::kHead : End::kTail);
      ASSERT_EQ(got, head ? model.front() : model.back());
      if (head) {
        model.pop_front();
      } else {
        model.pop_back();
      }
      list->TryShrink(limits);
    } else if (op < 55) {
      if (model.empty()) continue;
      int64_t idx = int64_t(rnd(model.size() + 2)) - int64_t(rnd(2) ? model.size() + 1 : 0);
      std::string v = random_value();
      std::string_view one[] = {v};
      list->GrowFor(one, limits);
      int64_t n = int64_t(model.size());
      int64_t norm = idx < 0 ? idx + n : idx;
      bool in_range = norm >= 0 && norm < n;
      ASSERT_EQ(list->Set(idx, v), in_range);
      if (in_range) model[size_t(norm)] = v;
      list->TryShrink(limits);
    } else if (op < 65) {
      if (model.empty()) continue;
      std::string pivot = model[rnd(model.size())];
      if (rnd(4) == 0) pivot = "absent";
      std::string v = random_value();
      std::string_view one[] = {v};
      list->GrowFor(one, limits);
      bool after = rnd(2) == 0;
      auto it = std::find(model.begin(), model.end(), pivot);
      ASSERT_EQ(list->Insert(pivot, v, after), it != model.end());
      if (it != model.end()) model.insert(after ? it + 1 : it, v);
    } else if (op < 72) {
      if (model.empty()) continue;
      std::string v = model[rnd(model.size())];
      int64_t count = int64_t(rnd(5)) - 2;
      size_t removed = 0;
      if (count >= 0) {
        for (auto it = model.begin(); it != model.end();) {
          if (*it == v && (count == 0 || removed < size_t(count))) {
            it = model.erase(it);
            removed++;
          } else {
            ++it;
          }
        }
      } else {
        for (size_t i = model.size(); i-- > 0;) {
          if (model[i] == v && removed < size_t(-count)) {
            model.erase(model.begin() + ptrdiff_t(i));
            removed++;
          }
        }
      }
      ASSERT_EQ(list->Remove(v, count), removed);
      list->TryShrink(limits);
    } else if (op < 77) {
      if (model.empty()) continue;
      int64_t n = int64_t(model.size());
      int64_t start = int64_t(rnd(size_t(n) + 3)) - (rnd(2) ? n + 1 : 0);
      size_t count = rnd(4) == 0 ? rnd(size_t(n) + 2) : rnd(4);
      // Reference: Redis's listTypeDelRange clipping.
      int64_t first = start >= 0 ? start : n + start;
      if (count > 0 && first >= 0 && first < n) {
        size_t extent = start >= 0 ? std::min<size_t>(count, size_t(n - start))
                                   : std::min<size_t>(count, size_t(-start));
        model.erase(model.begin() + first, model.begin() + first + ptrdiff_t(extent));
      }
      list->DeleteRange(start, count);
      list->TryShrink(limits);
    } else if (op < 90) {
      if (model.empty()) continue;
      int64_t idx = int64_t(rnd(model.size() * 2 + 2)) - int64_t(model.size()) - 1;
      int64_t n = int64_t(model.size());
      int64_t norm = idx < 0 ? idx + n : idx;
      bool in_range = norm >= 0 && norm < n;
      auto e = list->Index(idx);
      ASSERT_EQ(e.has_value(), in_range);
      if (in_range) {
        ASSERT_EQ(e->ToString(), model[size_t(norm)]);
      }
    } else {
      if (model.empty()) continue;
      size_t from = rnd(model.size());
      bool reverse = rnd(2) == 0;
      ListValue::Cursor c = list->CursorAt(from, reverse);
      size_t i = from;
      size_t seen = 0;
      while (auto e = c.Next()) {
        ASSERT_EQ(e->ToString(), model[i]) << "from " << from << " step " << step;
        seen++;
        if (reverse) {
          if (i == 0) break;
          i--;
        } else {
          i++;
        }
      }
      ASSERT_EQ(seen, reverse ? from + 1 : model.size() - from);
    }
    ASSERT_EQ(list->Size(), model.size()) << "step " << step;
    max_nodes = std::max(max_nodes, list->NodeCount());
    ASSERT_TRUE(list->CheckConsistency()) << "step " << step;
    // An emptied list is deleted by the commands; start a new one.
    if (model.empty()) list = std::make_unique<ListValue>();
  }
  std::vector<std::string> want(model.begin(), model.end());
  EXPECT_EQ(Elements(*list), want);
  // The walk must have crossed into multi-node quicklists.
  EXPECT_GE(max_nodes, 5u);
}

INSTANTIATE_TEST_SUITE_P(Fills, ListValueRandomTest,
                         ::testing::Combine(::testing::Values(-2, -1, -3, 1, 3, 16, 0),
                                            ::testing::Values(1u, 2u, 3u)));

}  // namespace
}  // namespace lodestone
