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
default_tags="-needs:debug -needs:repl -needs:save -slow"
source "$here/scripts/tcl_common.sh"
port=$(( 30000 + RANDOM % 20000 ))
log=$(mktemp -d)
"$bin" --port "$port" --bind 127.0.0.1 --threads "$threads" --dir "$log" > "$log/server.log" 2>&1 &
pid=$!
for _ in $(seq 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done
run_units "$src" "$threads" "$log" "$@" -- --host 127.0.0.1 --port "$port"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
