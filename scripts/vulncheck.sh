#!/usr/bin/env bash
# Reviews Pedigree's own dependencies against the Go vulnerability database:
#
#   scripts/vulncheck.sh
#
# Needs only Go and the Go module proxy (not vuln.go.dev). It downloads
# golang.org/x/vulndb (a pinned pseudo-version, about 100 MB unpacked),
# builds a v1 database directory from its data/osv records with
# scripts/vulndb/main.go, installs a pinned govulncheck into a temporary GOBIN
# and runs it twice:
#
#   1. module level (-scan module, from cmd/pedigree): every advisory that
#      affects a module version the pedigree command builds with, or the
#      standard library of the local Go toolchain, called or not (seconds);
#   2. symbol level (the default, over ./...): advisories whose vulnerable
#      functions the call graph reaches from Pedigree code, with call stacks
#      (several minutes; the call graph is conservative, so docs/dependencies.md
#      reviews each stack).
#
# Exits 1 when the symbol-level scan finds a reachable vulnerability, 0 when
# it finds none, and 2 when a step cannot run. Module-level findings alone do
# not fail the run.
# It is not part of .ci/run because of the download; docs/dependencies.md
# says when to run it.
#
# Environment:
#   VULNDB_VERSION        golang.org/x/vulndb version (default below)
#   GOVULNCHECK_VERSION   golang.org/x/vuln version (default below)
#   VULNCHECK_OUT         if set, a directory that receives the database
#                         (db/) and the JSON output of both scans
#                         (module.json, symbol.json) for later study;
#                         "govulncheck -mode convert < symbol.json" prints
#                         it again as text
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export GOTOOLCHAIN=local

vulndb_version="${VULNDB_VERSION:-v0.0.0-20261105234957-e22db6528018}"
govulncheck_version="${GOVULNCHECK_VERSION:-v1.9.0}"

fail() { echo "vulncheck: $*" >&2; exit 2; }

work=$(mktemp -d) || fail "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
if [ -n "${VULNCHECK_OUT:-}" ]; then
  mkdir -p "$VULNCHECK_OUT" || fail "cannot create VULNCHECK_OUT=$VULNCHECK_OUT"
  out=$(cd "$VULNCHECK_OUT" && pwd)
  db="$out/db"
  rm -rf "$db"
else
  out=""
  db="$work/db"
fi

echo "== go version"
go version || fail "go is not on PATH"

# Module downloads and installs run outside the main module so that they
# neither read nor change go.mod.
echo "== golang.org/x/vulndb@$vulndb_version (module proxy)"
info=$(cd "$work" && GOFLAGS= go mod download -json "golang.org/x/vulndb@$vulndb_version") \
  || fail "cannot download golang.org/x/vulndb@$vulndb_version; check GOPROXY or set VULNDB_VERSION"
vulndb_dir=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
[ -d "$vulndb_dir/data/osv" ] || fail "golang.org/x/vulndb@$vulndb_version has no data/osv directory"
# The records carry a zero "modified" time; date the database by the commit
# time in the pseudo-version (vX.Y.Z-YYYYMMDDhhmmss-hash).
modified=""
if [[ "$vulndb_version" =~ -([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})-[0-9a-f]{12}$ ]]; then
  m=("${BASH_REMATCH[@]}")
  modified="${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z"
fi

echo "== build v1 database"
go run "$root/scripts/vulndb/main.go" -osv "$vulndb_dir/data/osv" -out "$db" ${modified:+-modified "$modified"} \
  || fail "cannot build the database from $vulndb_dir/data/osv"

echo "== install govulncheck@$govulncheck_version"
(cd "$work" && GOFLAGS= GOBIN="$work/bin" go install "golang.org/x/vuln/cmd/govulncheck@$govulncheck_version") \
  || fail "cannot install golang.org/x/vuln/cmd/govulncheck@$govulncheck_version; set GOVULNCHECK_VERSION to one that builds with $(go env GOVERSION)"
govulncheck="$work/bin/govulncheck"
"$govulncheck" -db "file://$db" -version

# check reports a govulncheck exit status: 0 (no findings) and 3 (findings)
# are results, anything else is an error.
check() {
  local rc=$1 what=$2
  case $rc in
    0|3) return 0 ;;
    *) fail "govulncheck ($what) failed with exit status $rc" ;;
  esac
}

# A module-level scan takes no package patterns: it loads the package in its
# -C directory, so it runs from the CLI's main package and covers every
# module the pedigree command builds with.
echo "== module level: advisories affecting imported modules and the standard library"
"$govulncheck" -db "file://$db" -C "$root/cmd/pedigree" -scan module
check $? "module scan"
if [ -n "$out" ]; then
  "$govulncheck" -db "file://$db" -C "$root/cmd/pedigree" -scan module -format json >"$out/module.json"
  check $? "module scan, JSON"
fi

# The symbol-level scan builds a call graph of every package in ./...
# (several minutes); it runs once, to JSON, and -mode convert prints the
# text report, with call stacks, from that JSON.
echo "== symbol level: advisories reachable from Pedigree code (./...)"
symbol_json="${out:-$work}/symbol.json"
"$govulncheck" -db "file://$db" -C "$root" -format json ./... >"$symbol_json"
check $? "symbol scan"
"$govulncheck" -mode convert -show verbose,traces <"$symbol_json"
symbol_rc=$?
check $symbol_rc "convert of $symbol_json"

if [ "$symbol_rc" -eq 3 ]; then
  echo "vulncheck: reachable vulnerabilities found (see the symbol-level results above; docs/dependencies.md reviews them)" >&2
  exit 1
fi
echo "vulncheck: no reachable vulnerabilities"
