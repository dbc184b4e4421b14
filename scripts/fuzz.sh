#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs the RESP
# request parser fuzzer.
#
# Usage: scripts/fuzz.sh [seconds]     (default 30)
# Exits non-zero if the build fails or the fuzzer finds a crash, a leak or a
# broken invariant; the input that triggered it is left in
# build-fuzz/artifacts/. New interesting inputs go to build-fuzz/corpus/resp/,
# so the checked-in seeds in fuzz/corpus/resp/ stay small.
set -euo pipefail

seconds="${1:-30}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${root}/build-fuzz"

cmake -S "${root}" -B "${build}" -G Ninja \
  -DCMAKE_C_COMPILER="${FUZZ_CC:-clang}" \
  -DCMAKE_CXX_COMPILER="${FUZZ_CXX:-clang++}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLODESTONE_FUZZ=ON \
  -DLODESTONE_TESTS=OFF
cmake --build "${build}" --target resp_parser_fuzz

mkdir -p "${build}/corpus/resp" "${build}/artifacts"
"${build}/fuzz/resp_parser_fuzz" \
  -max_total_time="${seconds}" \
  -max_len=4096 \
  -print_final_stats=1 \
  -artifact_prefix="${build}/artifacts/" \
  "${build}/corpus/resp" "${root}/fuzz/corpus/resp"
