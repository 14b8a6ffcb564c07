#!/usr/bin/env bash
# fuzz.sh runs every fuzz target (func FuzzXxx in a _test.go file) for
# FUZZTIME each (default 5s), one at a time: `go test -fuzz` takes one
# target per package per run. It prints each target's wall time and fails
# on the first target that fails (the failing input is then written to the
# package's testdata/fuzz/FuzzXxx/: commit it as a seed once fixed).
# FUZZPARALLEL sets the fuzz workers (default: go test's, GOMAXPROCS).
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-5s}
par=()
if [[ -n "${FUZZPARALLEL:-}" ]]; then
	par=(-parallel "$FUZZPARALLEL")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
n=0
while IFS=: read -r file _ decl; do
	name=${decl#func }
	name=${name%%(*}
	pkg=./$(dirname "$file")
	t0=$(date +%s)
	if ! "$GO" test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "${par[@]}" >"$log" 2>&1; then
		cat "$log"
		echo "fuzz: $pkg $name FAILED"
		exit 1
	fi
	echo "fuzz: $pkg $name ok ($(( $(date +%s) - t0 ))s)"
	n=$((n + 1))
done < <(grep -rn --include='*_test.go' -E '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' cmd pkg test | sort)
echo "fuzz: $n targets, $FUZZTIME each, $(( $(date +%s) - start ))s wall"
