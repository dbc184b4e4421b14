#include "storage/hash_value.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace lodestone {
namespace {

constexpr int64_t kNow = 1'000'000;

std::string Str(Listpack::Value v) { return v.ToString(); }

std::map<std::string, std::string> Contents(const HashValue& h, int64_t now_ms) {
  std::map<std::string, std::string> out;
  h.ForEach(now_ms, [&](Listpack::Value f, Listpack::Value v) {
    EXPECT_TRUE(out.emplace(Str(f), Str(v)).second) << "duplicate field " << Str(f);
  });
  return out;
}

TEST(HashValueTest, EmptyIsListpack) {
  HashValue h;
  EXPECT_EQ(h.kind(), HashValue::Kind::kListpack);
  EXPECT_EQ(h.encoding(), Encoding::kListpack);
  EXPECT_EQ(h.Size(), 0u);
  EXPECT_FALSE(h.HasVolatileFields());
  EXPECT_EQ(sizeof(HashValue), 4 * sizeof(void*));  // vtable, pack, listpack, aux
}

TEST(HashValueTest, SetGetDelete) {
  HashValue h;
  HashLimits limits;
  EXPECT_TRUE(h.Set("a", "1", limits));
  EXPECT_TRUE(h.Set("b", "hello", limits));
  EXPECT_FALSE(h.Set("a", "2", limits));
  Listpack::Value v(0);
  ASSERT_EQ(h.Get("a", kNow, &v), HashValue::Lookup::kFound);
  EXPECT_TRUE(v.is_int());
  EXPECT_EQ(v.integer(), 2);
  ASSERT_EQ(h.Get("b", kNow, &v), HashValue::Lookup::kFound);
  EXPECT_EQ(Str(v), "hello");
  EXPECT_EQ(h.Get("c", kNow, &v), HashValue::Lookup::kAbsent);
  EXPECT_TRUE(h.Delete("a"));
  EXPECT_FALSE(h.Delete("a"));
  EXPECT_EQ(h.Size(), 1u);
}

TEST(HashValueTest, ConvertsOnEntriesAndValueLength) {
  HashLimits limits{4, 8};
  HashValue h;
  for (int i = 0; i < 4; i++) h.Set("f" + std::to_string(i), "v", limits);
  EXPECT_EQ(h.kind(), HashValue::Kind::kListpack);
  h.Set("f4", "v", limits);
  EXPECT_EQ(h.kind(), HashValue::Kind::kTable);
  EXPECT_EQ(h.encoding(), Encoding::kHashtable);
  EXPECT_EQ(h.Size(), 5u);

  HashValue g;
  g.Set("a", "12345678", limits);
  EXPECT_EQ(g.kind(), HashValue::Kind::kListpack);
  g.Set("a", "123456789", limits);
  EXPECT_EQ(g.kind(), HashValue::Kind::kTable);
  Listpack::Value v(0);
  ASSERT_EQ(g.Get("a", kNow, &v), HashValue::Lookup::kFound);
  EXPECT_EQ(Str(v), "123456789");

  HashValue p;
  p.PrepareForPairs(5, 1, 5, limits);
  EXPECT_EQ(p.kind(), HashValue::Kind::kTable);
}

TEST(HashValueTest, ListpackExKeepsTtlOrder) {
  HashLimits limits;
  HashValue h;
  for (const char* f : {"a", "b", "c", "d"}) h.Set(f, f, limits);
  h.EnableFieldExpiry();
  EXPECT_EQ(h.kind(), HashValue::Kind::kListpackEx);
  EXPECT_EQ(h.SetFieldExpire("c", kNow + 300, FieldExpireCondition::kNone, kNow),
            FieldExpireResult::kSet);
  EXPECT_EQ(h.SetFieldExpire("a", kNow + 100, FieldExpireCondition::kNone, kNow),
            FieldExpireResult::kSet);
  EXPECT_EQ(h.SetFieldExpire("d", kNow + 200, FieldExpireCondition::kNone, kNow),
            FieldExpireResult::kSet);
  std::vector<std::string> order;
  h.ForEach(kNow, [&](Listpack::Value f, Listpack::Value) { order.push_back(Str(f)); });
  EXPECT_EQ(order, (std::vector<std::string>{"a", "d", "c", "b"}));
  EXPECT_EQ(h.NextExpire(), kNow + 100);
  EXPECT_EQ(h.LiveSize(kNow + 250), 2u);
  EXPECT_EQ(h.Size(), 4u);
  EXPECT_EQ(h.PurgeExpired(kNow + 250), 2u);
  EXPECT_EQ(h.Size(), 2u);
  EXPECT_EQ(h.NextExpire(), kNow + 300);
  EXPECT_EQ(h.PersistField("c", kNow), FieldPersistResult::kPersisted);
  EXPECT_EQ(h.PersistField("c", kNow), FieldPersistResult::kNoTtl);
  EXPECT_EQ(h.PersistField("zz", kNow), FieldPersistResult::kNoField);
  EXPECT_FALSE(h.HasVolatileFields());
  EXPECT_EQ(h.kind(), HashValue::Kind::kListpackEx);
}

TEST(HashValueTest, ExpireConditions) {
  for (bool table : {false, true}) {
    HashLimits limits{table ? 0u : 128u, 64};
    HashValue h;
    h.PrepareForPairs(1, 1, 2, limits);
    h.Set("f", "v", limits);
    h.EnableFieldExpiry();
    using C = FieldExpireCondition;
    using R = FieldExpireResult;
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 10, C::kXx, kNow), R::kConditionNotMet);
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 10, C::kGt, kNow), R::kConditionNotMet);
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 10, C::kLt, kNow), R::kSet);
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 20, C::kNx, kNow), R::kConditionNotMet);
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 5, C::kGt, kNow), R::kConditionNotMet);
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 20, C::kGt, kNow), R::kSet);
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 30, C::kLt, kNow), R::kConditionNotMet);
    EXPECT_EQ(h.SetFieldExpire("f", kNow + 30, C::kXx, kNow), R::kSet);
    EXPECT_EQ(h.SetFieldExpire("g", kNow + 30, C::kNone, kNow), R::kNoField);
    int64_t at;
    ASSERT_TRUE(h.Peek("f", nullptr, &at));
    EXPECT_EQ(at, kNow + 30);
    // HSET drops the TTL; keep_ttl keeps it.
    h.Set("f", "w", limits, true);
    ASSERT_TRUE(h.Peek("f", nullptr, &at));
    EXPECT_EQ(at, kNow + 30);
    h.Set("f", "w", limits);
    ASSERT_TRUE(h.Peek("f", nullptr, &at));
    EXPECT_EQ(at, HashValue::kNoTtl);
    EXPECT_EQ(h.SetFieldExpire("f", kNow, C::kNone, kNow), R::kDeleted);
    EXPECT_EQ(h.Size(), 0u);
  }
}

TEST(HashValueTest, LazyExpiryOnGet) {
  HashLimits limits;
  HashValue h;
  h.Set("a", "1", limits);
  h.Set("b", "2", limits);
  h.EnableFieldExpiry();
  h.SetFieldExpire("a", kNow + 10, FieldExpireCondition::kNone, kNow);
  Listpack::Value v(0);
  EXPECT_EQ(h.Get("a", kNow + 10, &v), HashValue::Lookup::kFound);
  EXPECT_EQ(h.Get("a", kNow + 11, &v), HashValue::Lookup::kExpired);
  EXPECT_EQ(h.Size(), 1u);
}

TEST(HashValueTest, ConversionKeepsTtls) {
  HashLimits limits{8, 64};
  HashValue h;
  for (int i = 0; i < 8; i++) h.Set("f" + std::to_string(i), std::to_string(i), limits);
  h.EnableFieldExpiry();
  h.SetFieldExpire("f3", kNow + 50, FieldExpireCondition::kNone, kNow);
  h.Set("f8", "8", limits);
  ASSERT_EQ(h.kind(), HashValue::Kind::kTable);
  int64_t at;
  ASSERT_TRUE(h.Peek("f3", nullptr, &at));
  EXPECT_EQ(at, kNow + 50);
  EXPECT_EQ(h.NextExpire(), kNow + 50);
  EXPECT_EQ(h.PurgeExpired(kNow + 51), 1u);
  EXPECT_EQ(h.Size(), 8u);
  EXPECT_FALSE(h.HasVolatileFields());
}

TEST(HashValueTest, CloneIsDeep) {
  for (size_t entries : {size_t{128}, size_t{0}}) {
    HashLimits limits{entries, 64};
    HashValue h;
    h.PrepareForPairs(2, 1, 4, limits);
    h.Set("a", "1", limits);
    h.Set("b", "2", limits);
    h.EnableFieldExpiry();
    h.SetFieldExpire("a", kNow + 5, FieldExpireCondition::kNone, kNow);
    auto copy = h.Clone();
    auto* c = static_cast<HashValue*>(copy.get());
    h.Delete("a");
    EXPECT_EQ(c->Size(), 2u);
    EXPECT_EQ(c->kind(), h.kind());
    int64_t at;
    ASSERT_TRUE(c->Peek("a", nullptr, &at));
    EXPECT_EQ(at, kNow + 5);
    EXPECT_GT(c->MemoryUsage(), sizeof(HashValue));
  }
}

TEST(HashValueTest, ScanReturnsEveryFieldAcrossResizes) {
  HashLimits limits{0, 64};
  HashValue h;
  h.PrepareForPairs(1, 1, 1, limits);
  for (int i = 0; i < 1000; i++) h.Set("k" + std::to_string(i), "v", limits);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = h.ScanStep(cursor, [&](Listpack::Value f, Listpack::Value, int64_t) {
      seen.insert(Str(f));
    });
    // Grow and shrink the table while scanning; fields 0..499 stay.
    if (++step == 50) {
      for (int i = 1000; i < 5000; i++) h.Set("k" + std::to_string(i), "v", limits);
    } else if (step == 300) {
      for (int i = 500; i < 5000; i++) h.Delete("k" + std::to_string(i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 500; i++) EXPECT_TRUE(seen.count("k" + std::to_string(i))) << i;
}

TEST(HashValueTest, SampleDistinct) {
  for (size_t entries : {size_t{128}, size_t{0}}) {
    HashLimits limits{entries, 64};
    HashValue h;
    h.PrepareForPairs(1, 1, 1, limits);
    for (int i = 0; i < 100; i++) h.Set("f" + std::to_string(i), std::to_string(i), limits);
    Random random(7);
    for (size_t count : {size_t{1}, size_t{10}, size_t{60}, size_t{99}}) {
      std::set<std::string> got;
      h.SampleDistinct(random, count, [&](Listpack::Value f, Listpack::Value v) {
        EXPECT_EQ(Str(f), "f" + Str(v));
        got.insert(Str(f));
      });
      EXPECT_EQ(got.size(), count);
    }
    Listpack::Value f(0), v(0);
    h.RandomField(random, &f, &v);
    EXPECT_EQ(Str(f), "f" + Str(v));
  }
}

// A randomized run against a std::map model, crossing the encoding limits.
class HashValueModelTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(HashValueModelTest, MatchesModel) {
  Random random(GetParam());
  HashLimits limits{16 + random.Uniform(48), 12};
  HashValue h;
  struct Field {
    std::string value;
    int64_t ttl;
  };
  std::map<std::string, Field> model;
  int64_t now = kNow;
  auto random_field = [&] { return "f" + std::to_string(random.Uniform(80)); };
  auto random_value = [&] {
    uint64_t kind = random.Uniform(3);
    if (kind == 0) return std::to_string(static_cast<int64_t>(random.Uniform(2000)) - 1000);
    // Rarely longer than max_listpack_value, so both encodings get exercised.
    size_t len = random.Uniform(800) == 0 ? 20 : 1 + random.Uniform(6);
    return std::string(len, static_cast<char>('a' + kind));
  };
  auto model_live = [&](const std::string& f) {
    auto it = model.find(f);
    return it != model.end() && !(it->second.ttl != HashValue::kNoTtl && it->second.ttl < now);
  };
  std::set<HashValue::Kind> kinds_seen;
  for (int op = 0; op < 4000; op++) {
    kinds_seen.insert(h.kind());
    std::string f = random_field();
    switch (random.Uniform(7)) {
      case 0:
      case 1: {
        std::string v = random_value();
        bool keep = random.Uniform(4) == 0;
        bool created = h.Set(f, v, limits, keep);
        auto it = model.find(f);
        EXPECT_EQ(created, it == model.end());
        if (it == model.end()) {
          model[f] = {v, HashValue::kNoTtl};
        } else {
          it->second.value = v;
          if (!keep) it->second.ttl = HashValue::kNoTtl;
        }
        break;
      }
      case 2: {
        EXPECT_EQ(h.Delete(f), model.erase(f) == 1);
        break;
      }
      case 3: {
        h.EnableFieldExpiry();
        int64_t at = now + static_cast<int64_t>(random.Uniform(200)) - 20;
        FieldExpireResult r = h.SetFieldExpire(f, at, FieldExpireCondition::kNone, now);
        if (!model_live(f)) {
          EXPECT_EQ(r, FieldExpireResult::kNoField);
          model.erase(f);
        } else if (at <= now) {
          EXPECT_EQ(r, FieldExpireResult::kDeleted);
          model.erase(f);
        } else {
          EXPECT_EQ(r, FieldExpireResult::kSet);
          model[f].ttl = at;
        }
        break;
      }
      case 4: {
        Listpack::Value v(0);
        HashValue::Lookup r = h.Get(f, now, &v);
        if (model_live(f)) {
          ASSERT_EQ(r, HashValue::Lookup::kFound);
          EXPECT_EQ(Str(v), model[f].value);
        } else {
          EXPECT_EQ(r, model.count(f) ? HashValue::Lookup::kExpired : HashValue::Lookup::kAbsent);
          model.erase(f);
        }
        break;
      }
      case 5: {
        now += static_cast<int64_t>(random.Uniform(30));
        if (random.Uniform(3) == 0) {
          size_t purged = h.PurgeExpired(now);
          size_t expected = 0;
          for (auto it = model.begin(); it != model.end();) {
            if (it->second.ttl != HashValue::kNoTtl && it->second.ttl < now) {
              it = model.erase(it);
              expected++;
            } else {
              ++it;
            }
          }
          EXPECT_EQ(purged, expected);
        }
        break;
      }
      case 6: {
        if (model_live(f) && model[f].ttl != HashValue::kNoTtl) {
          EXPECT_EQ(h.PersistField(f, now), FieldPersistResult::kPersisted);
          model[f].ttl = HashValue::kNoTtl;
        }
        break;
      }
    }
    ASSERT_EQ(h.Size(), model.size());
    if (op % 50 == 0) {
      std::map<std::string, std::string> live;
      int64_t min_ttl = HashValue::kNoTtl;
      for (auto& [k, fv] : model) {
        if (fv.ttl != HashValue::kNoTtl && (min_ttl == HashValue::kNoTtl || fv.ttl < min_ttl)) {
          min_ttl = fv.ttl;
        }
        if (model_live(k)) live[k] = fv.value;
      }
      EXPECT_EQ(Contents(h, now), live);
      EXPECT_EQ(h.LiveSize(now), live.size());
      EXPECT_EQ(h.NextExpire(), min_ttl);
      for (auto& [k, fv] : model) {
        int64_t at;
        ASSERT_TRUE(h.Peek(k, nullptr, &at));
        EXPECT_EQ(at, fv.ttl);
      }
    }
  }
  EXPECT_GE(kinds_seen.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, HashValueModelTest, ::testing::Values(1, 2, 3, 42, 1234));

}  // namespace
}  // namespace lodestone

namespace lodestone {
namespace {

TEST(HashValueTest, PrefetchMemberIsSafeInEveryEncoding) {
  HashLimits limits{4, 8};
  HashValue h;
  const Collection& collection = h;
  for (int stage = 0; stage < 2; stage++) collection.PrefetchMember("f0", stage);  // listpack
  for (int i = 0; i < 50; i++) h.Set("f" + std::to_string(i), "v", limits);
  ASSERT_EQ(h.encoding(), Encoding::kHashtable);
  for (std::string f : {"f0", "f49", "absent", ""}) {
    for (int stage = 0; stage < 2; stage++) collection.PrefetchMember(f, stage);
  }
  EXPECT_EQ(h.Size(), 50u);
}

}  // namespace
}  // namespace lodestone
