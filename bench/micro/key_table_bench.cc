// Microbenchmarks of KeyTable, the keyspace hash table, at one million keys:
// the size at which entries no longer fit in cache, so a lookup's cost is
// mostly its memory accesses. Keys are redis-benchmark's ("key:" and 12
// digits), looked up in a shuffled order so that consecutive operations touch
// unrelated buckets. The hash seed is fixed so runs are comparable.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "storage/key_table.h"

namespace lodestone {
namespace {

constexpr size_t kKeys = 1'000'000;
constexpr size_t kKeyWidth = 16;  // "key:" + 12 digits, as redis-benchmark -r.

// kKeys fixed-width keys in one buffer, and a shuffled visiting order.
class KeySet {
 public:
  KeySet() : bytes_(kKeys * 2 * kKeyWidth + 1), order_(kKeys) {
    // Keys 0..kKeys-1 are the ones tables hold; kKeys..2*kKeys-1 are misses.
    for (size_t i = 0; i < 2 * kKeys; ++i) {
      snprintf(&bytes_[i * kKeyWidth], kKeyWidth + 1, "key:%012zu", i);
    }
    for (size_t i = 0; i < kKeys; ++i) order_[i] = i;
    std::mt19937_64 shuffle_random(42);
    std::shuffle(order_.begin(), order_.end(), shuffle_random);
  }
  std::string_view Key(size_t i) const { return {&bytes_[i * kKeyWidth], kKeyWidth}; }
  std::string_view Miss(size_t i) const { return Key(kKeys + i); }
  size_t Order(size_t i) const { return order_[i]; }

 private:
  std::vector<char> bytes_;
  std::vector<size_t> order_;
};

const KeySet& Keys() {
  static const KeySet* keys = [] {
    KeyTable::SetHashSeed(1);
    return new KeySet();
  }();
  return *keys;
}

// A table holding all kKeys keys with 3-byte inline values, rehash finished.
KeyTable& FullTable() {
  static KeyTable* table = [] {
    const KeySet& keys = Keys();
    auto* t = new KeyTable();
    for (size_t i = 0; i < kKeys; ++i) t->Insert(keys.Key(i), Value::String("xxx"));
    while (t->RehashStep(1000)) {
    }
    return t;
  }();
  return *table;
}

// Inserting kKeys keys into an empty table, growth and incremental rehash
// included; the table is freed outside the timed region.
void BM_KeyTableInsert1M(benchmark::State& state) {
  const KeySet& keys = Keys();
  for (auto _ : state) {
    auto table = std::make_unique<KeyTable>();
    for (size_t i = 0; i < kKeys; ++i) {
      table->Insert(keys.Key(keys.Order(i)), Value::String("xxx"));
    }
    state.PauseTiming();
    table.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_KeyTableInsert1M)->Unit(benchmark::kMillisecond);

void BM_KeyTableFindHit1M(benchmark::State& state) {
  const KeySet& keys = Keys();
  KeyTable& table = FullTable();
  size_t i = 0;
  for (auto _ : state) {
    Entry* e = table.Find(keys.Key(keys.Order(i)));
    benchmark::DoNotOptimize(e);
    if (++i == kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyTableFindHit1M);

void BM_KeyTableFindMiss1M(benchmark::State& state) {
  const KeySet& keys = Keys();
  KeyTable& table = FullTable();
  size_t i = 0;
  for (auto _ : state) {
    Entry* e = table.Find(keys.Miss(keys.Order(i)));
    benchmark::DoNotOptimize(e);
    if (++i == kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyTableFindMiss1M);

// A pipelined batch of 16 lookups, as Client's look-ahead runs them: every
// key's bucket slot prefetched, then every chain's first entry, then the
// lookups (PrefetchWindow spreads the stages over the commands' own work;
// here there is none, so this is the least the overlap gives). An item is
// one lookup: compare with BM_KeyTableFindHit1M.
void BM_KeyTableFindHitBatch16Prefetched1M(benchmark::State& state) {
  const KeySet& keys = Keys();
  KeyTable& table = FullTable();
  constexpr size_t kBatch = 16;
  size_t i = 0;
  for (auto _ : state) {
    uint64_t hashes[kBatch];
    for (size_t j = 0; j < kBatch; ++j) {
      hashes[j] = KeyTable::Hash(keys.Key(keys.Order(i + j)));
      table.PrefetchBucket(hashes[j]);
    }
    for (size_t j = 0; j < kBatch; ++j) table.PrefetchChainHead(hashes[j]);
    for (size_t j = 0; j < kBatch; ++j) {
      Entry* e = table.Find(keys.Key(keys.Order(i + j)));
      benchmark::DoNotOptimize(e);
    }
    i += kBatch;
    if (i + kBatch > kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_KeyTableFindHitBatch16Prefetched1M);

// Erase a key and insert it again: the steady-state cost of DEL + SET at 1M
// keys (the table never changes size, so no rehash).
void BM_KeyTableEraseInsert1M(benchmark::State& state) {
  const KeySet& keys = Keys();
  KeyTable& table = FullTable();
  size_t i = 0;
  for (auto _ : state) {
    std::string_view key = keys.Key(keys.Order(i));
    if (!table.Erase(key)) {
      state.SkipWithError("key missing");
      return;
    }
    table.Insert(key, Value::String("xxx"));
    if (++i == kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyTableEraseInsert1M);

// The hash alone, for a 16-byte key.
void BM_KeyHash16(benchmark::State& state) {
  const KeySet& keys = Keys();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(KeyTable::Hash(keys.Key(i)));
    if (++i == kKeys) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyHash16);

}  // namespace
}  // namespace lodestone
