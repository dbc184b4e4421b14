# Shared by redis_tcl.sh and redis_tcl_spawn.sh (sourced, not run).
#
# Before sourcing, set `default_tags`. Sets `tags` (TCL_TAGS or the
# default) and `skip_args` (one --skiptest per name in TCL_SKIP, separated
# by '|': tests that would abort a unit on a feature not built yet).
tags=${TCL_TAGS:-$default_tags}
skip_args=()
if [ -n "${TCL_SKIP:-}" ]; then
  IFS='|' read -r -a skip_names <<< "$TCL_SKIP"
  for name in "${skip_names[@]}"; do skip_args+=(--skiptest "$name"); done
fi

# run_units SUITE_DIR THREADS LOG_DIR UNITS... -- RUNTEST_ARGS...
# Runs each unit with ./runtest in SUITE_DIR and prints ok/err counts per
# unit (each failed test once), its first failures, and the totals.
run_units() {
  local suite=$1 threads=$2 logdir=$3
  shift 3
  local units=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do units+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  local total_ok=0 total_err=0 unit out ok err aborted
  for unit in "${units[@]}"; do
    out="$logdir/$(echo "$unit" | tr / _).log"
    (cd "$suite" && timeout 900 ./runtest --single "unit/$unit" --tags "$tags" --clients 1 \
        "${skip_args[@]}" "$@" > "$out" 2>&1)
    ok=$(grep -c '\[.*ok.*\]:' "$out")
    err=$(grep -cE '^\[.*(err|exception).*\]:' "$out")
    aborted=""
    grep -q "exception" "$out" && aborted=" (aborted by an exception)"
    echo "threads=$threads unit/$unit ok=$ok err=$err$aborted"
    grep -E '^\[.*(err|exception).*\]:' "$out" | sed 's/\x1b\[[0-9;]*m//g' | head -5 | sed 's/^/    /'
    total_ok=$((total_ok + ok)); total_err=$((total_err + err))
  done
  echo "threads=$threads total ok=$total_ok err=$total_err (logs in $logdir)"
}
