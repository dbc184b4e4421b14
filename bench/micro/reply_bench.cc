// Microbenchmarks of protocol::ReplyBuilder: the replies of the string hot
// paths (+OK, :<int>, $<bulk>, null, a 10-element array) appended to an output
// buffer that is cleared every 64 replies, as a connection's output buffer is
// drained after each write.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "protocol/reply_builder.h"

namespace lodestone::protocol {
namespace {

constexpr int kRepliesPerFlush = 64;

template <typename Fn>
void Build(benchmark::State& state, Fn&& write_reply) {
  std::string out;
  out.reserve(64 * 1024);
  ReplyBuilder rb(&out);
  for (auto _ : state) {
    out.clear();
    for (int i = 0; i < kRepliesPerFlush; ++i) write_reply(rb, i);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kRepliesPerFlush);
  benchmark::ClobberMemory();
}

void BM_ReplyOk(benchmark::State& state) {
  Build(state, [](ReplyBuilder& rb, int) { rb.Ok(); });
}
BENCHMARK(BM_ReplyOk);

void BM_ReplyInteger(benchmark::State& state) {
  Build(state, [](ReplyBuilder& rb, int i) { rb.Integer(int64_t{1234567} + i); });
}
BENCHMARK(BM_ReplyInteger);

void BM_ReplyBulkSmall(benchmark::State& state) {
  Build(state, [](ReplyBuilder& rb, int) { rb.Bulk("xxx"); });
}
BENCHMARK(BM_ReplyBulkSmall);

void BM_ReplyBulk1KiB(benchmark::State& state) {
  const std::string value(1024, 'v');
  Build(state, [&value](ReplyBuilder& rb, int) { rb.Bulk(value); });
}
BENCHMARK(BM_ReplyBulk1KiB);

void BM_ReplyNull(benchmark::State& state) {
  Build(state, [](ReplyBuilder& rb, int) { rb.Null(); });
}
BENCHMARK(BM_ReplyNull);

// MGET of 10 keys: an array header and ten small bulks.
void BM_ReplyArray10(benchmark::State& state) {
  Build(state, [](ReplyBuilder& rb, int) {
    rb.ArrayHeader(10);
    for (int j = 0; j < 10; ++j) rb.Bulk("xxx");
  });
}
BENCHMARK(BM_ReplyArray10);

void BM_ReplyDouble(benchmark::State& state) {
  Build(state, [](ReplyBuilder& rb, int i) { rb.Double(3.25 + i); });
}
BENCHMARK(BM_ReplyDouble);

}  // namespace
}  // namespace lodestone::protocol
