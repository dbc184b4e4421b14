#include "storage/key_table.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lodestone {
namespace {

std::string Key(uint64_t i) { return "key:" + std::to_string(i); }

int64_t IntOf(const Entry* e) { return e->value.int_value(); }

// Checks the table holds exactly the model's keys and values.
void ExpectSameContents(const KeyTable& table,
                        const std::unordered_map<std::string, int64_t>& model) {
  ASSERT_EQ(table.size(), model.size());
  size_t seen = 0;
  table.ForEach([&](const Entry* e) {
    ++seen;
    auto it = model.find(std::string(e->key()));
    ASSERT_NE(it, model.end()) << e->key();
    EXPECT_EQ(IntOf(e), it->second);
  });
  EXPECT_EQ(seen, model.size());
}

TEST(KeyTableTest, EmptyTable) {
  KeyTable table;
  Random random(1);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find("a"), nullptr);
  EXPECT_FALSE(table.Erase("a"));
  EXPECT_EQ(table.RandomEntry(random), nullptr);
  EXPECT_EQ(table.Scan(0, [](Entry*) { FAIL(); }), 0u);
  EXPECT_EQ(table.BucketCount(), 0u);
}

TEST(KeyTableTest, BasicOperations) {
  KeyTable table;
  Entry* a = table.Insert("a", Value::Int(1));
  EXPECT_EQ(a->key(), "a");
  Entry* empty = table.Insert("", Value::Int(2));
  EXPECT_EQ(table.Find("a"), a);
  EXPECT_EQ(table.Find(""), empty);
  EXPECT_EQ(table.Find("b"), nullptr);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_TRUE(table.Erase("a"));
  EXPECT_FALSE(table.Erase("a"));
  EXPECT_EQ(table.Find("a"), nullptr);
  table.EraseEntry(empty);
  EXPECT_EQ(table.size(), 0u);
  // Keys are binary-safe, and prefixes are different keys.
  std::string nul("x\0y", 3);
  table.Insert(nul, Value::Int(3));
  table.Insert("x", Value::Int(4));
  EXPECT_EQ(IntOf(table.Find(nul)), 3);
  EXPECT_EQ(IntOf(table.Find("x")), 4);
  EXPECT_EQ(table.Find(std::string_view("x\0", 2)), nullptr);
  EXPECT_EQ(table.Clear(), 2u);
  EXPECT_EQ(table.size(), 0u);
}

TEST(KeyTableTest, GrowsIncrementallyAndShrinks) {
  KeyTable table;
  bool saw_rehash = false;
  for (int i = 0; i < 100000; ++i) {
    table.Insert(Key(i), Value::Int(i));
    saw_rehash |= table.IsRehashing();
    // At most two tables, and load factor stays bounded while growing.
    ASSERT_LE(table.size(), 2 * table.BucketCount());
  }
  EXPECT_TRUE(saw_rehash);
  while (table.RehashStep(100)) {
  }
  EXPECT_EQ(table.BucketCount(), 131072u);
  for (int i = 0; i < 100000; ++i) ASSERT_EQ(IntOf(table.Find(Key(i))), i);

  for (int i = 0; i < 99990; ++i) ASSERT_TRUE(table.Erase(Key(i)));
  while (table.RehashStep(100)) {
  }
  EXPECT_LE(table.BucketCount(), 64u);
  for (int i = 99990; i < 100000; ++i) ASSERT_EQ(IntOf(table.Find(Key(i))), i);
  for (int i = 99990; i < 100000; ++i) ASSERT_TRUE(table.Erase(Key(i)));
  while (table.RehashStep(100)) {
  }
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.BucketCount(), 4u);
}

TEST(KeyTableTest, RandomizedAgainstUnorderedMap) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    KeyTable table;
    std::unordered_map<std::string, int64_t> model;
    Random random(seed);
    // Phases with different key ranges and insert/erase mixes, so the table
    // grows, shrinks, and does both while rehashing.
    struct Phase {
      uint64_t key_range;
      int insert_percent;
      int ops;
    };
    for (Phase phase : {Phase{1000, 70, 20000}, Phase{50000, 80, 100000},
                        Phase{50000, 20, 150000}, Phase{200, 50, 20000},
                        Phase{100000, 90, 100000}, Phase{100000, 5, 200000}}) {
      for (int op = 0; op < phase.ops; ++op) {
        std::string key = Key(random.Uniform(phase.key_range));
        uint64_t dice = random.Uniform(100);
        if (dice < static_cast<uint64_t>(phase.insert_percent)) {
          Entry* e = table.Find(key);
          auto it = model.find(key);
          ASSERT_EQ(e != nullptr, it != model.end());
          if (e == nullptr) {
            table.Insert(key, Value::Int(op));
            model[key] = op;
          } else {
            e->value = Value::Int(op);
            it->second = op;
          }
        } else if (dice < 97) {
          ASSERT_EQ(table.Erase(key), model.erase(key) == 1) << key;
        } else {
          table.RehashStep(static_cast<int>(random.Uniform(5)));
        }
        if (op % 50021 == 0) ExpectSameContents(table, model);
        ASSERT_EQ(table.size(), model.size());
      }
      ExpectSameContents(table, model);
      for (const auto& [key, value] : model) {
        Entry* e = table.Find(key);
        ASSERT_NE(e, nullptr);
        ASSERT_EQ(IntOf(e), value);
      }
    }
  }
}

// Runs a full scan while `between` mutates the table between calls; returns
// the keys seen. `max_calls` guards against a cursor that never returns to 0.
std::unordered_set<std::string> FullScan(KeyTable& table, const std::function<void()>& between,
                                         size_t max_calls) {
  std::unordered_set<std::string> seen;
  uint64_t cursor = 0;
  size_t calls = 0;
  do {
    cursor = table.Scan(cursor, [&](Entry* e) { seen.insert(std::string(e->key())); });
    between();
    ++calls;
    EXPECT_LT(calls, max_calls);
    if (calls >= max_calls) break;
  } while (cursor != 0);
  return seen;
}

TEST(KeyTableTest, ScanReturnsEverythingOnceWithoutChanges) {
  KeyTable table;
  for (int i = 0; i < 5000; ++i) table.Insert(Key(i), Value::Int(i));
  while (table.RehashStep(100)) {
  }
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = table.Scan(cursor, [&](Entry* e) { seen.insert(std::string(e->key())); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 5000u);
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(seen.count(Key(i)), 1u);
}

TEST(KeyTableTest, ScanGuaranteeWhileGrowing) {
  for (uint64_t seed : {7u, 8u, 9u}) {
    KeyTable table;
    Random random(seed);
    // Stable keys are present for the whole scan; doomed keys are erased
    // during it; new keys are added during it, growing the table 64-fold.
    for (int i = 0; i < 2000; ++i) table.Insert("stable:" + std::to_string(i), Value::Int(i));
    for (int i = 0; i < 2000; ++i) table.Insert("doomed:" + std::to_string(i), Value::Int(i));
    int next_new = 0;
    int next_doomed = 0;
    auto seen = FullScan(
        table,
        [&] {
          // A scan visits one bucket per call, so it only ends if the table
          // grows more slowly than that: 3 keys per call grows it ~20-fold.
          for (int j = 0; j < 3; ++j) {
            table.Insert("new:" + std::to_string(next_new++), Value::Int(0));
          }
          if (next_doomed < 2000) table.Erase("doomed:" + std::to_string(next_doomed++));
          table.RehashStep(static_cast<int>(random.Uniform(3)));
        },
        1 << 22);
    for (int i = 0; i < 2000; ++i) {
      ASSERT_TRUE(seen.count("stable:" + std::to_string(i))) << i << " seed " << seed;
    }
    EXPECT_GT(next_new, 40000);
  }
}

TEST(KeyTableTest, ScanGuaranteeWhileShrinking) {
  for (uint64_t seed : {11u, 12u}) {
    KeyTable table;
    Random random(seed);
    for (int i = 0; i < 1000; ++i) table.Insert("stable:" + std::to_string(i), Value::Int(i));
    const int kDoomed = 100000;
    for (int i = 0; i < kDoomed; ++i) table.Insert("doomed:" + std::to_string(i), Value::Int(i));
    while (table.RehashStep(100)) {
    }
    size_t initial_buckets = table.BucketCount();
    int next_doomed = 0;
    auto seen = FullScan(
        table,
        [&] {
          for (int j = 0; j < 400 && next_doomed < kDoomed; ++j) {
            table.Erase("doomed:" + std::to_string(next_doomed++));
          }
          table.RehashStep(static_cast<int>(random.Uniform(3)));
        },
        1 << 22);
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(seen.count("stable:" + std::to_string(i))) << i << " seed " << seed;
    }
    EXPECT_LT(table.BucketCount(), initial_buckets);
  }
}

TEST(KeyTableTest, ScanGuaranteeUnderRandomChurn) {
  // Grow and shrink repeatedly during one scan.
  KeyTable table;
  Random random(99);
  for (int i = 0; i < 500; ++i) table.Insert("stable:" + std::to_string(i), Value::Int(i));
  std::vector<std::string> churn;
  int counter = 0;
  size_t calls = 0;
  auto seen = FullScan(
      table,
      [&] {
        ++calls;
        bool growing = (calls / 300) % 2 == 0;
        for (int j = 0; j < 50; ++j) {
          if (growing || churn.empty()) {
            churn.push_back("churn:" + std::to_string(counter++));
            table.Insert(churn.back(), Value::Int(0));
          } else {
            table.Erase(churn.back());
            churn.pop_back();
          }
        }
      },
      1 << 22);
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(seen.count("stable:" + std::to_string(i))) << i;
}

TEST(KeyTableTest, ScanCallbackMayEraseGivenEntry) {
  KeyTable table;
  for (int i = 0; i < 10000; ++i) table.Insert(Key(i), Value::Int(i));
  size_t erased = 0;
  uint64_t cursor = 0;
  do {
    cursor = table.Scan(cursor, [&](Entry* e) {
      if (IntOf(e) % 2 == 0) {
        table.EraseEntry(e);
        ++erased;
      }
    });
  } while (cursor != 0);
  EXPECT_EQ(erased, 5000u);
  EXPECT_EQ(table.size(), 5000u);
  for (int i = 0; i < 10000; ++i) EXPECT_EQ(table.Find(Key(i)) != nullptr, i % 2 == 1);
  // Shrinking was deferred during the scan and resumes on later erases.
  for (int i = 1; i < 10000; i += 2) table.Erase(Key(i));
  while (table.RehashStep(100)) {
  }
  EXPECT_EQ(table.BucketCount(), 4u);
}

TEST(KeyTableTest, RandomEntryCoversAllKeysRoughlyUniformly) {
  KeyTable table;
  const int kKeys = 100;
  for (int i = 0; i < kKeys; ++i) table.Insert(Key(i), Value::Int(i));
  Random random(5);
  std::vector<int> counts(kKeys, 0);
  const int kDraws = 200000;
  for (int d = 0; d < kDraws; ++d) {
    Entry* e = table.RandomEntry(random);
    ASSERT_NE(e, nullptr);
    ++counts[IntOf(e)];
  }
  // dictGetRandomKey-style picks favour keys in short chains, by at most the
  // chain length ratio; all keys must show up with a sane frequency.
  for (int i = 0; i < kKeys; ++i) {
    EXPECT_GT(counts[i], kDraws / kKeys / 5) << i;
    EXPECT_LT(counts[i], kDraws / kKeys * 5) << i;
  }
}

TEST(KeyTableTest, RandomEntryWhileRehashing) {
  KeyTable table;
  Random random(6);
  int inserted = 0;
  // Stop right after a growth begins.
  while (!table.IsRehashing() || inserted < 1000) table.Insert(Key(inserted++), Value::Int(0));
  std::unordered_set<std::string> seen;
  for (int d = 0; d < 200000 && seen.size() < static_cast<size_t>(inserted); ++d) {
    Entry* e = table.RandomEntry(random);
    ASSERT_NE(e, nullptr);
    seen.insert(std::string(e->key()));
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(inserted));
}

TEST(KeyTableTest, HashDistribution) {
  // Sequential keys into 2^16 buckets by low bits, and by high bits: the
  // empty fraction of a uniform hash is (1 - 1/m)^n ~ e^-1.
  const int kBits = 16;
  const size_t kBuckets = size_t{1} << kBits;
  for (int shift : {0, 64 - kBits}) {
    std::vector<int> low(kBuckets, 0);
    for (size_t i = 0; i < kBuckets; ++i) {
      ++low[(KeyTable::Hash(Key(i)) >> shift) & (kBuckets - 1)];
    }
    size_t empty = 0;
    int longest = 0;
    for (int c : low) {
      empty += c == 0;
      longest = std::max(longest, c);
    }
    double empty_fraction = static_cast<double>(empty) / kBuckets;
    EXPECT_NEAR(empty_fraction, std::exp(-1.0), 0.01) << "shift " << shift;
    EXPECT_LE(longest, 12);
  }
  // Every bit flips about half the time when one input bit changes.
  Random random(3);
  std::vector<int> flips(64, 0);
  const int kTrials = 20000;
  for (int t = 0; t < kTrials; ++t) {
    std::string s(1 + random.Uniform(40), '\0');
    for (char& c : s) c = static_cast<char>(random.Next());
    uint64_t h = KeyTable::Hash(s);
    size_t bit = random.Uniform(s.size() * 8);
    s[bit / 8] = static_cast<char>(s[bit / 8] ^ (1 << (bit % 8)));
    uint64_t diff = h ^ KeyTable::Hash(s);
    for (int b = 0; b < 64; ++b) flips[b] += (diff >> b) & 1;
  }
  for (int b = 0; b < 64; ++b) {
    EXPECT_NEAR(static_cast<double>(flips[b]) / kTrials, 0.5, 0.03) << "bit " << b;
  }
}

TEST(KeyTableTest, HashDependsOnSeedAndLength) {
  EXPECT_NE(KeyTable::Hash("abc", 1), KeyTable::Hash("abc", 2));
  EXPECT_EQ(KeyTable::Hash("abc", 1), KeyTable::Hash("abc", 1));
  std::set<uint64_t> hashes;
  std::string zeros;
  for (int n = 0; n < 40; ++n) {
    hashes.insert(KeyTable::Hash(zeros, 5));
    zeros.push_back('\0');
  }
  EXPECT_EQ(hashes.size(), 40u);
}

TEST(KeyTableTest, SetHashSeedIsRepeatable) {
  uint64_t old_seed = KeyTable::hash_seed();
  KeyTable::SetHashSeed(12345);
  uint64_t h1 = KeyTable::Hash("foo");
  EXPECT_EQ(h1, KeyTable::Hash("foo", 12345));
  KeyTable::SetHashSeed(old_seed);
  EXPECT_EQ(KeyTable::hash_seed(), old_seed);
}

TEST(KeyTableTest, Swap) {
  KeyTable a;
  KeyTable b;
  for (int i = 0; i < 1000; ++i) a.Insert(Key(i), Value::Int(i));
  b.Insert("only-b", Value::Int(-1));
  a.Swap(b);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 1000u);
  EXPECT_NE(a.Find("only-b"), nullptr);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(IntOf(b.Find(Key(i))), i);
}

}  // namespace
}  // namespace lodestone

namespace lodestone {
namespace {

// ChainHead is the chain Find searches first, in whichever table of a rehash
// holds the bucket, and moves nothing: following it finds every key that was
// there when the rehash began (keys added since go to the new table and may
// be in either chain: a hint may miss them). The prefetch hints are safe on an
// empty table and mid-rehash.
TEST(KeyTableTest, ChainHeadAndPrefetchAcrossRehash) {
  KeyTable table;
  table.PrefetchBucket(KeyTable::Hash("absent"));
  table.PrefetchChainHead(KeyTable::Hash("absent"));
  EXPECT_EQ(table.ChainHead(KeyTable::Hash("absent")), nullptr);
  auto follow = [&](const std::string& key) -> const Entry* {
    for (const Entry* e = table.ChainHead(KeyTable::Hash(key)); e != nullptr; e = e->next) {
      if (e->key() == key) return e;
    }
    return nullptr;
  };
  bool checked_mid_rehash = false;
  int before_rehash = 0;  // keys inserted before the current rehash began
  for (int i = 0; i < 5000; i++) {
    if (!table.IsRehashing()) before_rehash = i;
    table.Insert(Key(i), Value::Int(i));
    if (table.IsRehashing() && i % 7 == 0) {
      checked_mid_rehash = true;
      for (int j = 0; j < before_rehash; j += 13) {
        uint64_t hash = KeyTable::Hash(Key(j));
        table.PrefetchBucket(hash);
        table.PrefetchChainHead(hash);
        const Entry* e = follow(Key(j));
        ASSERT_NE(e, nullptr) << j;
        EXPECT_EQ(IntOf(e), j);
      }
      EXPECT_TRUE(table.IsRehashing());  // nothing moved
    }
  }
  EXPECT_TRUE(checked_mid_rehash);
  while (table.RehashStep(100)) {
  }
  for (int j = 0; j < 5000; j += 7) ASSERT_NE(follow(Key(j)), nullptr) << j;
  std::string missing = Key(99999);
  EXPECT_EQ(follow(missing), nullptr);
}

}  // namespace
}  // namespace lodestone
