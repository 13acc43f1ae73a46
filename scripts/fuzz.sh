#!/usr/bin/env bash
# Runs every fuzz target for a while: scripts/fuzz.sh [DURATION] (default 60s).
# CI runs it with a few seconds per target; run it longer before releases.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
time="${1:-60s}"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/func //' | sort -u); do
    echo "== $pkg $target ($time)"
    go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time"
  done
done
