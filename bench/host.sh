#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# host.sh - family 0: the machine below the figures.
#   - How often its CPUs stop under a busy thread, the share of the host
#     below the guest (bench/host_stalls.c). Every CPU busy at once for
#     BENCH_HOST_SECONDS (quick 10, full 30), as the lab's busy-polling
#     servers and generators keep them: stops of 10 ms or more per CPU,
#     their total and the longest. The lab and memif figures were taken on
#     CPUs that stop this way; the report says how often.
#   - What a random cache line costs in regions the sizes of the record
#     table's, and two lines in one 4 KiB or one 2 MiB page (bench/
#     host_memory.c): what the in-process figures for large tables pay,
#     and where machines differ most.
#
# Usage: bench/host.sh   (BENCH_HOST_SECONDS=S)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

bench_begin host
SECONDS_BUSY=${BENCH_HOST_SECONDS:-$(bench_pick 10 30)}
for bin in "$BENCH_HOST_STALLS" "$BENCH_HOST_MEMORY"; do
	[[ -x $bin ]] || bench_die "no $bin: build first (make build)"
done

bench_wait_quiet "$(bench_pick 120 300)"
other=$(bench_other_cpu none 0.5)
cmd="build/bench/host_stalls --seconds $SECONDS_BUSY --json"
bench_log "$cmd"
if ! out=$(bench_fg timeout $((SECONDS_BUSY + 60)) "$BENCH_HOST_STALLS" --seconds "$SECONDS_BUSY" \
	--json 2>&1) || ! jq -e .cpus <<<"$out" >/dev/null 2>&1; then
	bench_error "host_stalls failed" "$cmd" "$out"
else
	while read -r cpu stops stopped longest; do
		bench_row kind host-stalls cpu "$cpu" seconds "$SECONDS_BUSY" \
			min_ms "$(jq -r .min_ms <<<"$out")" stops "$stops" stopped_ms "$stopped" \
			longest_ms "$longest" other_cpu "$other" command "$cmd"
		bench_log "CPU $cpu: $stops stops, $stopped ms in all, longest $longest ms"
	done < <(jq -r '.cpus[] | "\(.cpu) \(.stops) \(.stopped_ms) \(.longest_ms)"' <<<"$out")
fi

cmd="build/bench/host_memory --json"
bench_log "$cmd"
if ! out=$(bench_fg timeout 300 "$BENCH_HOST_MEMORY" --json 2>&1) ||
	! jq -e .regions <<<"$out" >/dev/null 2>&1; then
	bench_error "host_memory failed" "$cmd" "$out"
else
	while read -r mib latency line pair_4k pair_2m; do
		bench_row kind host-memory mib "$mib" latency_ns "$latency" \
			burst_ns_per_line "$line" burst_ns_per_pair_4k "$pair_4k" \
			burst_ns_per_pair_2m "$pair_2m" burst "$(jq -r .burst <<<"$out")" command "$cmd"
		bench_log "$mib MiB: latency $latency ns; in bursts $line ns a line," \
			"$pair_4k ns two in one 4 KiB page, ${pair_2m/null/-} ns two in one 2 MiB page"
	done < <(jq -r '.regions[] | "\(.mib) \(.latency_ns) \(.burst_ns_per_line)" +
		" \(.burst_ns_per_pair_4k) \(.burst_ns_per_pair_2m)"' <<<"$out")
fi
bench_end
