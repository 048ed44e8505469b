#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run.sh - every benchmark family, then one report (what `make bench` runs).
#
#   bench/run.sh [--quick] [--update-readme] [FAMILY...]
#
# Families, in this order: host (bench/host.sh: how often the CPUs stop
# under a busy thread, what a random cache line costs), inproc (inproc.sh),
# scale (scale.sh), peers (peers.sh: the lab against knotd and nsd), control (control.sh),
# memif (memif.sh: DPDK to DPDK over net_memif), health (health.sh: health
# change to answer).
# Each writes bench/results/<family>.jsonl; this merges them into
# bench/results/latest.json and prints the markdown tables (also in
# bench/results/latest.md). --update-readme puts the tables into
# bench/README.md. Figures never fail a run; a component that does not start
# does: the other families still run, and the exit status is 1.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

BENCH_FAMILY=run # for bench_log
FAMILIES=(host inproc scale peers control memif health)
update_readme=0
wanted=()
while (($#)); do
	case $1 in
	--quick) BENCH_QUICK=1 ;;
	--update-readme) update_readme=1 ;;
	-h | --help)
		sed -n 's/^# \{0,1\}//; 3,17p' "$0"
		exit 0
		;;
	host | inproc | scale | peers | control | memif | health) wanted+=("$1") ;;
	*) bench_die "unknown argument $1 (want --quick, --update-readme or families: ${FAMILIES[*]})" ;;
	esac
	shift
done
((${#wanted[@]})) || wanted=("${FAMILIES[@]}")
export BENCH_QUICK BENCH_OUT BENCH_BUILD

((EUID == 0)) || bench_die "must run as root (namespaces, XDP, DPDK)"
bench_need_pkgs jq valgrind dnsperf knot knot-dnsutils nsd clang llvm libbpf-dev \
	iproute2 ethtool iputils-ping python3
BENCH_MEMIF_GEN=${BENCH_MEMIF_GEN:-$BENCH_BUILD/bench/memif_gen}
BINS=(BENCH_DATAPLANE BENCH_CONTROL BENCH_INPROC BENCH_MEMIF_GEN BENCH_HOST_STALLS BENCH_HOST_MEMORY)
for var in "${BINS[@]}"; do
	[[ -x ${!var} ]] || bench_die "no ${!var}: build first (make build)"
done
# The families run copies: someone rebuilding build/ meanwhile changes nothing.
BENCH_BIN=$(mktemp -d /tmp/mvdns-bench-bin.XXXXXX)
trap 'rm -rf "$BENCH_BIN"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for var in "${BINS[@]}"; do
	cp "${!var}" "$BENCH_BIN/"
	declare -x "$var=$BENCH_BIN/$(basename "${!var}")"
done
# The tree as it is now, when the binaries are copied: a commit made while
# the families run does not change what they measure.
commit=$(git -C "$BENCH_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$BENCH_ROOT" diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"

# Time limits per family (seconds), quick and full; the lab families include
# up to 10 minutes of waiting for the lab. On SIGTERM a family tears its lab
# down once its current step returns (at most a few minutes), before SIGKILL.
declare -A LIMIT=([host]="600 900" [inproc]="900 7200" [scale]="900 5400" [peers]="2400 4800" [control]="1500 3000" [memif]="900 1800" [health]="900 1200")

mkdir -p "$BENCH_OUT"
rm -f "$BENCH_OUT"/*.jsonl
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
status=0
families_json='{}'
for f in "${wanted[@]}"; do
	read -r quick_limit full_limit <<<"${LIMIT[$f]}"
	limit=$(bench_pick "$quick_limit" "$full_limit")
	bench_log "=== $f (at most $limit s)"
	t=$(bench_now)
	rc=0
	timeout -k 400 "$limit" "$BENCH_DIR/$f.sh" || rc=$?
	secs=$(bench_elapsed "$t")
	((rc == 124)) && bench_log "$f did not finish within $limit s"
	((rc == 0)) || status=1
	bench_log "=== $f: status $rc after $secs s"
	families_json=$(jq -c --arg f "$f" --argjson rc "$rc" --argjson s "$secs" \
		'.[$f] = {status: $rc, seconds: $s}' <<<"$families_json")
done

bench_json date "$started" quick "$BENCH_QUICK" commit "$commit" nproc "$(nproc)" \
	cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	kernel "$(uname -r)" memory "$(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)" \
	os "$(. /etc/os-release && echo "$PRETTY_NAME")" |
	jq -c --argjson f "$families_json" '.families = $f' >"$BENCH_OUT/meta.json"

readme=()
((update_readme)) && readme=(--readme "$BENCH_DIR/README.md")
shopt -s nullglob
"$BENCH_PY" "$BENCH_DIR/report.py" --meta "$BENCH_OUT/meta.json" --json "$BENCH_OUT/latest.json" \
	--md "$BENCH_OUT/latest.md" "${readme[@]}" "$BENCH_OUT"/*.jsonl
bench_log "results: $BENCH_OUT/latest.json and $BENCH_OUT/latest.md"
((status == 0)) || bench_log "some families failed (see Problems above)"
exit "$status"
