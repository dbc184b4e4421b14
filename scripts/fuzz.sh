#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs one: the
# RESP request parser fuzzer (resp, the default) or the RESTORE payload loader
# fuzzer (dump).
#
# Usage: scripts/fuzz.sh [seconds] [resp|dump]     (default 30 resp)
# Exits non-zero if the build fails or the fuzzer finds a crash, a leak or a
# broken invariant; the input that triggered it is left in
# build-fuzz/artifacts/. New interesting inputs go to build-fuzz/corpus/<target>/,
# so the checked-in seeds in fuzz/corpus/<target>/ stay small.
set -euo pipefail

seconds="${1:-30}"
target="${2:-resp}"
case "${target}" in
  resp) binary=resp_parser_fuzz ;;
  dump) binary=dump_payload_fuzz ;;
  *) echo "unknown fuzz target ${target}" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${root}/build-fuzz"

cmake -S "${root}" -B "${build}" -G Ninja \
  -DCMAKE_C_COMPILER="${FUZZ_CC:-clang}" \
  -DCMAKE_CXX_COMPILER="${FUZZ_CXX:-clang++}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLODESTONE_FUZZ=ON \
  -DLODESTONE_TESTS=OFF
cmake --build "${build}" --target "${binary}"

mkdir -p "${build}/corpus/${target}" "${build}/artifacts"
"${build}/fuzz/${binary}" \
  -max_total_time="${seconds}" \
  -max_len=4096 \
  -print_final_stats=1 \
  -artifact_prefix="${build}/artifacts/" \
  "${build}/corpus/${target}" "${root}/fuzz/corpus/${target}"
