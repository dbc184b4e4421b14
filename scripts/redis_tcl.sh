#!/usr/bin/env bash
# Runs units of Redis's own Tcl test suite in external mode against a
# lodestone-server started here, and prints ok/err counts per unit.
#
#   scripts/redis_tcl.sh REDIS_SRC THREADS UNIT [UNIT ...]
#   e.g. scripts/redis_tcl.sh /path/to/redis 4 type/string type/incr keyspace
#
# REDIS_SRC is a checkout of the Redis source (not part of this repository).
# Tags follow the project's acceptance runs:
#   -needs:debug -needs:repl -needs:save -slow  (override with TCL_TAGS).
set -uo pipefail
src=$1; threads=$2; shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${LODESTONE_BIN:-$here/build/lodestone-server}
tags=${TCL_TAGS:-"-needs:debug -needs:repl -needs:save -slow"}
# TCL_SKIP: test names to skip, separated by '|' (runtest --skiptest each),
# for tests that would abort a unit on a feature not built yet.
skip_args=()
if [ -n "${TCL_SKIP:-}" ]; then
  IFS='|' read -r -a skip_names <<< "$TCL_SKIP"
  for name in "${skip_names[@]}"; do skip_args+=(--skiptest "$name"); done
fi
port=$(( 30000 + RANDOM % 20000 ))
log=$(mktemp -d)
"$bin" --port "$port" --bind 127.0.0.1 --threads "$threads" --dir "$log" > "$log/server.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
total_ok=0; total_err=0
for unit in "$@"; do
  out="$log/$(echo "$unit" | tr / _).log"
  (cd "$src" && timeout 900 ./runtest --host 127.0.0.1 --port "$port" --single "unit/$unit" \
      --tags "$tags" --clients 1 "${skip_args[@]}" > "$out" 2>&1)
  ok=$(grep -c '\[.*ok.*\]:' "$out")
  err=$(grep -cE '^\[.*(err|exception).*\]:' "$out")
  aborted=""
  grep -q "exception" "$out" && aborted=" (aborted by an exception)"
  echo "threads=$threads unit/$unit ok=$ok err=$err$aborted"
  grep -E '^\[.*(err|exception).*\]:' "$out" | sed 's/\x1b\[[0-9;]*m//g' | head -5 | sed 's/^/    /'
  total_ok=$((total_ok + ok)); total_err=$((total_err + err))
done
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
echo "threads=$threads total ok=$total_ok err=$total_err (logs in $log)"
