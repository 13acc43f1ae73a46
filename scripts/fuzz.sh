#!/usr/bin/env bash
# Runs every fuzz target for a while: scripts/fuzz.sh [DURATION] (default 60s).
# CI runs it with a few seconds per target; run it longer before releases.
#
# A target fails when the fuzzer finds an input that fails (it writes it to
# testdata/fuzz/). Go's fuzzer can also end a run with "context deadline
# exceeded" when the time runs out while it is still minimizing a new
# interesting input; that is not a finding and is reported, not failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
time="${1:-60s}"
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //' | sort -u); do
    echo "== $pkg $target ($time)"
    if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" >"$log" 2>&1; then
      tail -n 1 "$log"
    elif grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written' "$log"; then
      echo "note: $target stopped while minimizing an interesting input (not a finding)"
    else
      cat "$log"
      status=1
    fi
  done
done
exit $status
