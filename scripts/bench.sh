#!/usr/bin/env bash
# bench.sh — ec2lab benchmark figures (make bench BENCH=<figure|all>).
# Runs the go benchmarks behind each figure, saves their raw output under
# var/bench/raw/, then scripts/benchreport writes var/bench/results.json
# (median of the runs, min/max, baseline, ratio) and prints a table.
# Timings are reported, never asserted: it fails only if a benchmark
# command itself fails. Figures whose feature has not landed say so.
set -euo pipefail

cd "$(dirname "$0")/.."
GO=${GO:-go}
OUT_DIR=var/bench
RAW=$OUT_DIR/raw
MEASURED=(scheduler store snapshot launch launch-concurrent api volume-from-snapshot launch-from-ami copy-snapshot)
NOT_LANDED=()
# Tests that need qemu-img must fail, not skip, when it is missing.
export CI=true

usage() {
	local IFS='|'
	echo "usage: $0 [all|${MEASURED[*]}|${NOT_LANDED[*]}]..." >&2
	exit 2
}

# gobench FIGURE PKG ARGS...: run go test benchmarks into $RAW/FIGURE.txt.
gobench() {
	local fig=$1 pkg=$2
	shift 2
	echo "== $fig: go test -run '^\$' $* $pkg" >&2
	if ! "$GO" test -run '^$' "$@" "$pkg" >"$RAW/$fig.txt" 2>&1; then
		cat "$RAW/$fig.txt" >&2
		echo "bench: $fig: benchmark command failed" >&2
		exit 1
	fi
}

bench_scheduler() {
	gobench scheduler ./pkg/scheduler/ -bench 'Place10k' -benchtime 2000x -count 3
}

bench_store() {
	gobench store ./pkg/store/ -bench 'Commit' -count 3
}

# copy_baseline appends, in go bench format, the wall time of a full
# `qemu-img convert -O qcow2` of a 100 GiB sparse qcow2 with 512 MiB written.
copy_baseline() {
	local out=$1 i t0 t1
	# Global, so the EXIT trap still sees it when errexit leaves the function.
	COPY_TMP=$(mktemp -d "${TMPDIR:-/tmp}/ec2lab-bench.XXXXXX")
	trap 'rm -rf "$COPY_TMP"' EXIT
	trap 'rm -rf "$COPY_TMP"; exit 130' INT TERM
	echo "== snapshot: baseline qemu-img convert of 100GiB sparse, 512MiB written ($COPY_TMP)" >&2
	qemu-img create -q -f qcow2 "$COPY_TMP/src.qcow2" 100G
	qemu-io -f qcow2 -c 'write -P 0xab 0 512M' "$COPY_TMP/src.qcow2" >/dev/null
	for i in 1 2 3; do
		rm -f "$COPY_TMP/dst.qcow2"
		t0=$(date +%s%N)
		qemu-img convert -O qcow2 "$COPY_TMP/src.qcow2" "$COPY_TMP/dst.qcow2"
		t1=$(date +%s%N)
		echo "BenchmarkQemuImgConvert100GiB 1 $((t1 - t0)) ns/op" >>"$out"
	done
	rm -rf "$COPY_TMP"
	trap - EXIT INT TERM
}

bench_snapshot() {
	gobench snapshot ./pkg/storage/ -bench 'Freeze' -count 3
	copy_baseline "$RAW/snapshot.txt"
}

# api: control plane only (no guests): 10,000 pending instances in a real
# bbolt store, calls through loopback gRPC and the SigV4 Query API.
bench_api() {
	gobench api ./pkg/controller/ -bench 'API10k' -benchtime "${API_CALLS:-100}x" -count 1
}

# launchbench FIGURE ARGS...: run scripts/benchlaunch (real ec2d + libvirt
# guests vs plain virsh create) into $RAW/FIGURE.txt; progress on stderr.
launchbench() {
	local fig=$1
	shift
	echo "== $fig: go run ./scripts/benchlaunch -figure $fig $*" >&2
	if ! "$GO" run ./scripts/benchlaunch -figure "$fig" "$@" >"$RAW/$fig.txt"; then
		echo "bench: $fig: benchmark command failed" >&2
		exit 1
	fi
}

bench_launch() {
	launchbench launch -runs "${LAUNCH_RUNS:-3}"
}

# 10 TCG guests at once on a small host is heavy: one run by default.
bench_launch_concurrent() {
	launchbench launch-concurrent -runs "${LAUNCH_CONCURRENT_RUNS:-1}" -count 10
}

# Real qcow2 files through ec2d --all-in-one; no guests.
bench_volume_from_snapshot() {
	launchbench volume-from-snapshot -runs "${VOLSNAP_RUNS:-3}"
}

# 1 and 20 GiB images to running (guests terminated once running), then
# 10 instances of the 20 GiB image in one call.
bench_launch_from_ami() {
	launchbench launch-from-ami -runs "${AMI_RUNS:-3}" -count 10
}

# Two peer ec2d regions; no guests.
bench_copy_snapshot() {
	launchbench copy-snapshot -runs "${COPYSNAP_RUNS:-3}"
}

is_in() {
	local x=$1
	shift
	local y
	for y in "$@"; do [[ $x == "$y" ]] && return 0; done
	return 1
}

[[ $# -gt 0 ]] || set -- all
want=()
for arg in "$@"; do
	if [[ $arg == all ]]; then
		want+=("${MEASURED[@]}" "${NOT_LANDED[@]}")
	elif is_in "$arg" "${MEASURED[@]}" "${NOT_LANDED[@]}"; then
		want+=("$arg")
	else
		usage
	fi
done

mkdir -p "$RAW"
ran=()
for fig in "${want[@]}"; do
	if is_in "$fig" "${NOT_LANDED[@]}"; then
		continue
	fi
	rm -f "$RAW/$fig.txt"
	"bench_${fig//-/_}"
	ran+=("$fig")
done

if [[ ${#ran[@]} -gt 0 ]]; then
	echo >&2
	"$GO" run ./scripts/benchreport -raw "$RAW" -out "$OUT_DIR/results.json" "${ran[@]}"
fi
for fig in "${want[@]}"; do
	if is_in "$fig" "${NOT_LANDED[@]}"; then
		echo "$fig: not measured yet (feature not landed)"
	fi
done
