// Microbenchmarks of protocol::RequestParser: the cost of turning request
// bytes into argument views, per command, for the shapes redis-benchmark
// sends (SET/GET multibulk, pipelined batches, a 1 KiB value, inline).
//
// Each iteration parses a whole pre-built buffer, so items/s is commands
// parsed per second and bytes/s is input bytes per second.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "protocol/request_parser.h"

namespace lodestone::protocol {
namespace {

std::string Multibulk(const std::vector<std::string>& args) {
  std::string out;
  out.append("*").append(std::to_string(args.size())).append("\r\n");
  for (const std::string& arg : args) {
    out.append("$").append(std::to_string(arg.size())).append("\r\n");
    out.append(arg).append("\r\n");
  }
  return out;
}

// Parses every command of `input`, which must hold only complete commands.
void ParseAll(benchmark::State& state, const std::string& input, int commands) {
  RequestParser parser;
  std::vector<std::string_view> args;
  for (auto _ : state) {
    std::string_view rest = input;
    while (!rest.empty()) {
      size_t consumed = 0;
      ParseStatus status = parser.Parse(rest, &args, &consumed);
      if (status != ParseStatus::kOk) {
        state.SkipWithError("parse did not succeed");
        return;
      }
      benchmark::DoNotOptimize(args.data());
      rest.remove_prefix(consumed);
    }
  }
  state.SetItemsProcessed(state.iterations() * commands);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(input.size()));
}

void BM_ParseGet(benchmark::State& state) {
  ParseAll(state, Multibulk({"GET", "key:000000012345"}), 1);
}
BENCHMARK(BM_ParseGet);

void BM_ParseSet(benchmark::State& state) {
  ParseAll(state, Multibulk({"SET", "key:000000012345", "xxx"}), 1);
}
BENCHMARK(BM_ParseSet);

// A pipeline of state.range(0) SET commands in one buffer, as one read of a
// pipelining client delivers them.
void BM_ParseSetPipeline(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::string input;
  for (int i = 0; i < n; ++i) {
    input += Multibulk({"SET", std::string("key:").append(std::to_string(100000000 + i)), "xxx"});
  }
  ParseAll(state, input, n);
}
BENCHMARK(BM_ParseSetPipeline)->Arg(16)->Arg(128);

void BM_ParseSet1KiB(benchmark::State& state) {
  ParseAll(state, Multibulk({"SET", "key:000000012345", std::string(1024, 'v')}), 1);
}
BENCHMARK(BM_ParseSet1KiB);

// MSET with 10 keys: 21 arguments.
void BM_ParseMset10(benchmark::State& state) {
  std::vector<std::string> args = {"MSET"};
  for (int i = 0; i < 10; ++i) {
    args.push_back(std::string("key:").append(std::to_string(100000000 + i)));
    args.push_back("xxx");
  }
  ParseAll(state, Multibulk(args), 1);
}
BENCHMARK(BM_ParseMset10);

void BM_ParseInline(benchmark::State& state) {
  ParseAll(state, "SET key:000000012345 xxx\r\n", 1);
}
BENCHMARK(BM_ParseInline);

// A SET whose bytes arrive in two reads: the cost of resuming a partial
// command (the first call returns kNeedMore).
void BM_ParseSetSplit(benchmark::State& state) {
  const std::string input = Multibulk({"SET", "key:000000012345", std::string(64, 'v')});
  const std::string_view first(input.data(), input.size() / 2);
  RequestParser parser;
  std::vector<std::string_view> args;
  for (auto _ : state) {
    size_t consumed = 0;
    if (parser.Parse(first, &args, &consumed) != ParseStatus::kNeedMore ||
        parser.Parse(input, &args, &consumed) != ParseStatus::kOk) {
      state.SkipWithError("unexpected parse status");
      return;
    }
    benchmark::DoNotOptimize(args.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseSetSplit);

}  // namespace
}  // namespace lodestone::protocol
