#include "storage/stream_value.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace lodestone {
namespace {

TEST(StreamIdTest, ParseAndFormat) {
  StreamId id;
  ASSERT_TRUE(ParseStreamId("5-3", 0, &id));
  EXPECT_EQ(id, (StreamId{5, 3}));
  ASSERT_TRUE(ParseStreamId("7", UINT64_MAX, &id));
  EXPECT_EQ(id, (StreamId{7, UINT64_MAX}));
  ASSERT_TRUE(ParseStreamId("-", 0, &id));
  EXPECT_TRUE(id.IsZero());
  ASSERT_TRUE(ParseStreamId("+", 0, &id));
  EXPECT_EQ(id, StreamId::Max());
  bool seq_given;
  ASSERT_TRUE(ParseStreamId("9-*", 0, &id, &seq_given));
  EXPECT_FALSE(seq_given);
  EXPECT_FALSE(ParseStreamId("9-*", 0, &id));
  EXPECT_FALSE(ParseStreamId("abc", 0, &id));
  EXPECT_FALSE(ParseStreamId("1-", 0, &id));
  EXPECT_FALSE(ParseStreamId("18446744073709551616", 0, &id));
  EXPECT_EQ((StreamId{12, 34}).ToString(), "12-34");
  StreamId m = StreamId::Max();
  EXPECT_FALSE(m.Incr());
  StreamId z;
  EXPECT_FALSE(z.Decr());
  StreamId w{1, UINT64_MAX};
  ASSERT_TRUE(w.Incr());
  EXPECT_EQ(w, (StreamId{2, 0}));
}

TEST(StreamValueTest, RandomizedAgainstMap) {
  for (uint32_t seed = 1; seed <= 4; seed++) {
    std::mt19937 rng(seed);
    StreamValue s;
    std::map<StreamId, std::string> model;
    uint64_t ms = 1;
    for (int op = 0; op < 3000; op++) {
      int r = int(rng() % 10);
      if (r < 6) {
        ms += rng() % 3;
        StreamId id{ms, 0};
        if (!(id > s.last_id())) {
          id = s.last_id();
          id.Incr();
        }
        s.Append(id, {"f", std::to_string(op)});
        model[id] = std::to_string(op);
      } else if (r < 8 && !model.empty()) {
        auto it = std::next(model.begin(), long(rng() % model.size()));
        EXPECT_TRUE(s.Delete(it->first));
        model.erase(it);
      } else if (r == 8) {
        uint64_t maxlen = rng() % 200;
        s.TrimByLength(maxlen, false, 0);
        while (model.size() > maxlen) model.erase(model.begin());
      } else {
        StreamId min{ms > 50 ? ms - 50 : 0, 0};
        s.TrimByMinId(min, false, 0);
        while (!model.empty() && model.begin()->first < min) model.erase(model.begin());
      }
      ASSERT_EQ(s.length(), model.size());
    }
    auto it = model.begin();
    for (const auto& [id, fields] : s.entries()) {
      EXPECT_EQ(id, it->first);
      std::vector<std::string> elements;
      StreamValue::ForEachElement(fields, [&](std::string_view e) { elements.emplace_back(e); });
      ASSERT_EQ(elements.size(), 2u);
      EXPECT_EQ(elements[1], it->second);
      ++it;
    }
    auto copy = s.Clone();
    EXPECT_EQ(static_cast<StreamValue*>(copy.get())->length(), s.length());
    EXPECT_GT(s.MemoryUsage(), 0u);
  }
}

TEST(StreamValueTest, PackRoundTrip) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; round++) {
    StreamValue::Fields fields;
    size_t n = 2 * (1 + rng() % 4);
    for (size_t i = 0; i < n; i++) {
      size_t len = rng() % 3 == 0 ? rng() % 40000 : rng() % 20;
      fields.emplace_back(len, char('a' + rng() % 26));
    }
    if (round == 0) fields[0].clear();
    std::string packed = StreamValue::Pack(fields);
    EXPECT_EQ(StreamValue::ElementCount(packed), n);
    size_t i = 0;
    StreamValue::ForEachElement(packed, [&](std::string_view e) { EXPECT_EQ(e, fields[i++]); });
  }
  // A small entry stays within the string's inline buffer.
  EXPECT_LE(StreamValue::Pack({"item", "2", "value", "b"}).size(), 15u);
}

TEST(StreamValueTest, ApproxTrimRemovesWholeNodes) {
  StreamValue s;
  for (uint64_t i = 1; i <= 250; i++) s.Append({i, 0}, {"a", "b"});
  EXPECT_EQ(s.TrimByLength(120, true, 0), 100);
  EXPECT_EQ(s.length(), 150u);
  EXPECT_EQ(s.RadixKeys(), 2u);
  EXPECT_EQ(s.TrimByLength(0, true, 0), 150);  // the partial tail node goes too
  EXPECT_EQ(s.length(), 0u);
  EXPECT_EQ(s.RadixKeys(), 0u);
  // Exact trimming leaves a partial head node; approximate trimming then
  // drops it whole, as Redis's listpack nodes do.
  StreamValue t;
  for (uint64_t i = 1; i <= 250; i++) t.Append({i, 0}, {"a", "b"});
  EXPECT_EQ(t.TrimByLength(220, false, 0), 30);
  EXPECT_EQ(t.TrimByLength(100, true, 0), 70);
  EXPECT_EQ(t.length(), 150u);
  EXPECT_EQ(t.TrimByMinId({201, 0}, true, 0), 100);
  EXPECT_EQ(t.length(), 50u);
  // XDEL of a node's last live entry removes the node.
  StreamValue d;
  for (uint64_t i = 1; i <= 150; i++) d.Append({i, 0}, {"a", "b"});
  for (uint64_t i = 101; i <= 150; i++) d.Delete({i, 0});
  EXPECT_EQ(d.RadixKeys(), 1u);
  // Big values split nodes by bytes.
  StreamValue big;
  for (uint64_t i = 1; i <= 3; i++) big.Append({i, 0}, {"a", std::string(5000, 'x')});
  EXPECT_EQ(big.RadixKeys(), 3u);
}

TEST(StreamValueTest, LagAndEntriesRead) {
  StreamValue s;
  for (uint64_t i = 1; i <= 5; i++) s.Append({i, 0}, {"a", "b"});
  StreamGroup g;
  int64_t lag;
  ASSERT_TRUE(s.GroupLag(g, &lag));
  EXPECT_EQ(lag, 5);
  s.AdvanceGroup(g, {1, 0});
  EXPECT_EQ(g.entries_read, 1);
  s.AdvanceGroup(g, {2, 0});
  EXPECT_EQ(g.entries_read, 2);
  ASSERT_TRUE(s.GroupLag(g, &lag));
  EXPECT_EQ(lag, 3);
  s.Delete({4, 0});
  EXPECT_FALSE(s.GroupLag(g, &lag));
  StreamGroup copy_src;
  copy_src.pel[{1, 0}] = StreamNack{"alice", 10, 2};
  copy_src.consumers["alice"].pel.insert({1, 0});
  s.groups()["g"] = copy_src;
  auto c = s.Clone();
  auto* cs = static_cast<StreamValue*>(c.get());
  s.groups().clear();
  ASSERT_NE(cs->FindGroup("g"), nullptr);
  EXPECT_EQ(cs->FindGroup("g")->pel.at({1, 0}).delivery_count, 2u);
  EXPECT_EQ(cs->max_deleted_id(), (StreamId{4, 0}));
}

}  // namespace
}  // namespace lodestone
