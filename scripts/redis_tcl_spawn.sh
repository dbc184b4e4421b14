#!/usr/bin/env bash
# Runs units of Redis's Tcl suite in its normal (not external) mode, where the
# harness starts a server per test group: for units whose tests are all
# tagged external:skip (acl, acl-v2, auth, ...), which scripts/redis_tcl.sh
# cannot reach. The harness is pointed at a copy of the suite whose
# src/redis-server starts lodestone-server instead.
#
#   scripts/redis_tcl_spawn.sh REDIS_SRC THREADS UNIT [UNIT ...]
#   e.g. scripts/redis_tcl_spawn.sh /path/to/redis 4 acl auth
#
# REDIS_SRC is a checkout of the Redis source (not part of this repository).
# Tags: TCL_TAGS (default "-needs:repl -needs:save -slow"); TCL_SKIP as in
# redis_tcl.sh. The harness reads the server's pid from its log line
# "PID: <pid>", which the wrapper prints before starting the server.
set -uo pipefail
src=$1; threads=$2; shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${LODESTONE_BIN:-$here/build/lodestone-server}
default_tags="-needs:repl -needs:save -slow"
source "$here/scripts/tcl_common.sh"
work=$(mktemp -d)
cp -r "$src/tests" "$src/runtest" "$work/"
mkdir -p "$work/src"
cat > "$work/src/redis-server" <<EOF
#!/bin/bash
echo "\$\$:M PID: \$\$ Server initialized"
exec "$bin" "\$@" --threads $threads
EOF
chmod +x "$work/src/redis-server"
ln -s "$(command -v redis-cli)" "$work/src/redis-cli"
ln -s "$(command -v redis-benchmark)" "$work/src/redis-benchmark"
run_units "$work" "$threads" "$work" "$@"
