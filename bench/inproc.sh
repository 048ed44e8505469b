#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# inproc.sh - family 1: the packet path in process, one core, no I/O
# (bench/inproc.c). For every table size and query mix:
#   - Mqps and ns/query: build/bench/inproc --names N --mix M --seconds S --json
#   - instructions/query: valgrind --tool=callgrind on inproc --queries Q1 and
#     --queries Q2; (Ir(Q2) - Ir(Q1)) / (Q2 - Q1), so that building the table
#     and the query ring cancels out. Callgrind counts do not depend on the
#     load of the machine, so the two runs go in parallel.
# and, per mix, the largest table's ns/query over the smallest's, side by
# side: the largest size's timed run builds the smallest table too and runs
# the two in alternated rounds (inproc --against), so that the ratio is the
# median of paired rounds, not of two runs minutes apart; then mixes
# a and random at the largest size again with malloc on transparent huge
# pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1), for comparison; and mix a
# at the smallest and largest size with checksums offloaded (--tx-csum).
#
# Usage: bench/inproc.sh   (BENCH_QUICK=1: 1k and 1M names, 1 s runs,
# instructions counted at 1k only)
# BENCH_INPROC_SIZES="1000 ..." and BENCH_INPROC_MIXES="a ..." narrow a run.
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

bench_begin inproc
bench_need_cmds valgrind

INPROC=$BENCH_INPROC
[[ -x $INPROC ]] || bench_die "no $INPROC (make build)"
SHOWN=build/bench/inproc # in the commands the report shows
read -ra SIZES <<<"${BENCH_INPROC_SIZES:-$(bench_pick "1000 1000000" "1000 100000 1000000 10000000")}"
read -ra MIXES <<<"${BENCH_INPROC_MIXES:-a random nxdomain aaaa6 multivalue}"
SECONDS_PER_RUN=$(bench_pick 1 3)
ROUNDS=$(bench_pick 5 9) # alternated rounds of the side-by-side ratio
AGAINST=                 # set: the timed run goes side by side with this many names
Q1=10240
Q2=30720

# callgrind_ir N MIX QUERIES OUT [ARGS...] - total instructions (Ir) into OUT.
callgrind_ir() {
	local n=$1 mix=$2 q=$3 out=$4 log
	shift 4
	log=$BENCH_TMP/cg-$n-$mix-$q.log
	if timeout 3600 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$INPROC" --names "$n" --mix "$mix" --queries "$q" "$@" >"$log" 2>&1; then
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log" | tail -n 1 >"$out"
	else
		echo "failed: $(tail -n 5 "$log")" >"$out"
	fi
}

# measure N MIX [ARGS...] - one cell: the run's JSON into OUT, instructions
# per query into IPQ (null if callgrind failed or was not run), the command
# shown into CMD.
# Returns 1 (after bench_error) if the run failed.
measure() {
	local n=$1 mix=$2 p1 p2 ir1 ir2 cmd
	shift 2
	cmd="$INPROC --names $n --mix $mix --seconds $SECONDS_PER_RUN --json"
	cmd+="${AGAINST:+ --against $AGAINST --rounds $ROUNDS}${*:+ $*}"
	CMD=${cmd/#$INPROC/$SHOWN}
	bench_log "$CMD"
	# shellcheck disable=SC2086 # cmd is split on purpose
	if ! OUT=$(timeout 900 $cmd 2>&1) || ! jq -e . >/dev/null 2>&1 <<<"$OUT"; then
		bench_error "inproc failed ($mix, $n names${*:+, $*})" "$cmd" "$OUT"
		return 1
	fi
	IPQ=null ICMD=
	# QUICK counts at the smallest size only: valgrind builds a big table slowly.
	if ((BENCH_QUICK)) && [[ $n != "${SIZES[0]}" ]]; then return 0; fi
	# Both callgrind runs at once: counts are exact whatever the load.
	callgrind_ir "$n" "$mix" "$Q1" "$BENCH_TMP/ir1" "$@" &
	p1=$!
	callgrind_ir "$n" "$mix" "$Q2" "$BENCH_TMP/ir2" "$@" &
	p2=$!
	wait "$p1" "$p2" || true
	ir1=$(<"$BENCH_TMP/ir1") ir2=$(<"$BENCH_TMP/ir2")
	if [[ $ir1 =~ ^[0-9]+$ && $ir2 =~ ^[0-9]+$ ]]; then
		IPQ=$(bench_div "$((ir2 - ir1))" "$((Q2 - Q1))" 1)
	else
		bench_error "callgrind failed ($mix, $n names${*:+, $*})" \
			"valgrind --tool=callgrind $INPROC --names $n --mix $mix --queries $Q1|$Q2 $*" \
			"$ir1 $ir2"
	fi
	ICMD="valgrind --tool=callgrind $SHOWN --names $n --mix $mix --queries {$Q1,$Q2}${*:+ $*}"
}

declare -A NS
small=${SIZES[0]} large=${SIZES[-1]}
for n in "${SIZES[@]}"; do
	AGAINST=
	if [[ $n == "$large" && $n != "$small" ]]; then AGAINST=$small; fi
	for mix in "${MIXES[@]}"; do
		measure "$n" "$mix" || continue
		NS[$n/$mix]=$(jq -r .ns_per_query <<<"$OUT")
		bench_row kind inproc names "$n" mix "$mix" \
			mqps "$(jq -r .mqps <<<"$OUT")" ns_per_query "${NS[$n/$mix]}" \
			instr_per_query "$IPQ" table_build_s "$(jq -r .load_seconds <<<"$OUT")" \
			command "$CMD" instr_command "$ICMD"
		[[ -n $AGAINST ]] || continue
		bench_row kind inproc-ratio mix "$mix" small "$small" large "$large" \
			ratio "$(jq -r .ratio <<<"$OUT")" ratio_min "$(jq -r .ratio_min <<<"$OUT")" \
			ratio_max "$(jq -r .ratio_max <<<"$OUT")" rounds "$ROUNDS" \
			ns_large "$(jq -r .ns_median <<<"$OUT")" \
			ns_small "$(jq -r .against_ns_median <<<"$OUT")" command "$CMD"
	done
done
AGAINST=

# The same at the largest size with transparent huge pages for malloc
# (glibc >= 2.35 madvises its heap; the machine's THP mode is "madvise"):
# how much of the cost of a big table is TLB misses on 4 KiB pages.
THP=glibc.malloc.hugetlb=1
for mix in a random; do
	[[ " ${MIXES[*]} " == *" $mix "* && -n ${NS[$large/$mix]:-} ]] || continue
	cmd="$INPROC --names $large --mix $mix --seconds $SECONDS_PER_RUN --json"
	shown="GLIBC_TUNABLES=$THP ${cmd/#$INPROC/$SHOWN}"
	bench_log "$shown"
	# shellcheck disable=SC2086 # cmd is split on purpose
	if ! out=$(GLIBC_TUNABLES=$THP timeout 900 $cmd 2>&1) || ! jq -e . >/dev/null 2>&1 <<<"$out"; then
		bench_error "inproc failed with huge pages ($mix, $large names)" "$shown" "$out"
		continue
	fi
	bench_row kind inproc-thp names "$large" mix "$mix" mqps "$(jq -r .mqps <<<"$out")" \
		ns_per_query "$(jq -r .ns_per_query <<<"$out")" ns_4k "${NS[$large/$mix]}" \
		thp_mode "$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)" \
		command "$shown"
done
# Mix a again as on a port with checksum offload (a NIC's, net_tap): the
# dataplane leaves the IPv4 header and UDP checksums to the port.
ends=("$small")
[[ $large == "$small" ]] || ends+=("$large")
for n in "${ends[@]}"; do
	[[ " ${MIXES[*]} " == *" a "* && -n ${NS[$n/a]:-} ]] || continue
	measure "$n" a --tx-csum || continue
	bench_row kind inproc-txcsum names "$n" mix a mqps "$(jq -r .mqps <<<"$OUT")" \
		ns_per_query "$(jq -r .ns_per_query <<<"$OUT")" instr_per_query "$IPQ" \
		ns_software "${NS[$n/a]}" command "$CMD" instr_command "$ICMD"
done
bench_end
