// Microbenchmarks of Value's string encodings: building a value from client
// bytes (the encoding choice of SET: int, inline embstr of <= 8 bytes, heap
// embstr up to 44 bytes, raw), reading its bytes back (GET), and APPEND's
// amortized growth.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "storage/value.h"

namespace lodestone {
namespace {

void Construct(benchmark::State& state, std::string_view bytes) {
  for (auto _ : state) {
    Value v = Value::String(bytes);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ValueStringInt(benchmark::State& state) { Construct(state, "1234567"); }
BENCHMARK(BM_ValueStringInt);

void BM_ValueStringInline(benchmark::State& state) { Construct(state, "xxx"); }
BENCHMARK(BM_ValueStringInline);

void BM_ValueStringEmbstr16(benchmark::State& state) {
  Construct(state, "0123456789abcdef");
}
BENCHMARK(BM_ValueStringEmbstr16);

void BM_ValueStringRaw1KiB(benchmark::State& state) {
  const std::string bytes(1024, 'v');
  Construct(state, bytes);
}
BENCHMARK(BM_ValueStringRaw1KiB);

void Read(benchmark::State& state, std::string_view bytes) {
  const Value v = Value::String(bytes);
  char scratch[kValueScratchSize];
  for (auto _ : state) {
    std::string_view read = v.StringBytes(scratch);
    benchmark::DoNotOptimize(read.data());
    benchmark::DoNotOptimize(read.size());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ValueReadInt(benchmark::State& state) { Read(state, "1234567"); }
BENCHMARK(BM_ValueReadInt);

void BM_ValueReadInline(benchmark::State& state) { Read(state, "xxx"); }
BENCHMARK(BM_ValueReadInline);

void BM_ValueReadEmbstr16(benchmark::State& state) { Read(state, "0123456789abcdef"); }
BENCHMARK(BM_ValueReadEmbstr16);

// INCR's store: replacing an int value with the next one.
void BM_ValueIntReplace(benchmark::State& state) {
  Value v = Value::Int(0);
  for (auto _ : state) {
    v = Value::Int(v.int_value() + 1);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValueIntReplace);

// 16-byte appends onto one string, restarted every 4096 appends (64 KiB).
void BM_ValueAppend16(benchmark::State& state) {
  const std::string chunk(16, 'a');
  Value v = Value::RawString("");
  int n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(v.Append(chunk));
    if (++n == 4096) {
      v = Value::RawString("");
      n = 0;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValueAppend16);

}  // namespace
}  // namespace lodestone
