#!/usr/bin/env bash
# The whole suite, as CI runs it (`make test`):
#   1. Release build with warnings as errors; unit tests (ctest); integration
#      tests (pytest + redis-py against the real binary, including the
#      differential test against Debian's redis-server).
#   2. ASan+UBSan build; unit tests and the integration suite against it.
#   3. TSan build; the engine's threaded tests and the multi-threaded
#      integration tests against it.
#   4. The RESP parser fuzzer, briefly.
# Set LODESTONE_QUICK=1 to run only step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
PY=/usr/bin/python3
start=$(date +%s)
stamp() { echo "=== [$(( $(date +%s) - start ))s] $*"; }
# pytest exits 5 when a marker selects no test; that is not a failure here.
pytest_run() {
  local rc=0
  $PY -m pytest -q -p no:cacheprovider "$@" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then exit "$rc"; fi
}

stamp "release build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLODESTONE_WERROR=ON >/dev/null
cmake --build build -j "$JOBS"

stamp "unit tests"
(cd build && ctest --output-on-failure -j "$JOBS")

stamp "integration tests"
LODESTONE_BIN="$PWD/build/lodestone-server" pytest_run tests/integration

if [ "${LODESTONE_QUICK:-0}" = "1" ]; then
  stamp "quick mode: done"
  exit 0
fi

stamp "ASan/UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLODESTONE_SANITIZE=address \
  -DLODESTONE_WERROR=ON >/dev/null
cmake --build build-asan -j "$JOBS"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
stamp "ASan/UBSan unit tests"
(cd build-asan && ctest --output-on-failure -j "$JOBS")
stamp "ASan/UBSan integration tests"
LODESTONE_BIN="$PWD/build-asan/lodestone-server" LODESTONE_SANITIZED=1 \
  pytest_run -m "not slow" tests/integration

stamp "TSan build"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLODESTONE_SANITIZE=thread \
  -DLODESTONE_WERROR=ON >/dev/null
cmake --build build-tsan -j "$JOBS"
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
stamp "TSan engine tests"
(cd build-tsan && ctest --output-on-failure -R 'engine' -j 1)
stamp "TSan threaded integration tests"
LODESTONE_BIN="$PWD/build-tsan/lodestone-server" LODESTONE_SANITIZED=1 \
  pytest_run -m threads tests/integration

stamp "fuzzing the RESP parser"
scripts/fuzz.sh 30

stamp "all passed"
