#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# health.sh - family 6: from a health change in mvdns-control to the first
# answer that shows it (issue 4: "aim: under 1 ms").
#
# A lab of its own (namespaces mvbh-s and mvbh-c, state in /run/mvbh-lab,
# so it never meets the other lab families or anyone's tests or demo),
# mvdns-control in mvbh-s and the dataplane on af_xdp (-l 0,1) fed by it.
# bench/ctl.py health, in the client namespace:
#   - 8 multivalue A record sets at hpool.bench.example., each with an
#     EXTERNAL health check (8, the most an answer carries: every answer
#     holds every healthy value, so an answer without one tells);
#   - then BENCH_HEALTH_FLIPS times (quick 50, full 200), after a random gap
#     of 2-12 ms: SetHealthCheckStatus of check 1 on the control socket,
#     Unhealthy and Healthy in turn, while asking for hpool over UDP as
#     fast as one prober can (one query, up to 1 ms for its answer, again)
#     until an answer lacks (or again carries) the value.
# Figures per direction and both: from the request written to the socket
# ("sent"), and from the control's response ("acknowledged"; negative when
# the answer changed before the response arrived), to that answer,
# p50/p90/p99/max; the control's response time; the probe's round trip
# (the resolution of the figures).
#
# Usage: bench/health.sh   (BENCH_QUICK=1: 50 flips)
set -euo pipefail
LAB_NS_S=${LAB_NS_S:-mvbh-s}
LAB_NS_C=${LAB_NS_C:-mvbh-c}
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

bench_begin health
LAB_STATE_DIR=/run/mvbh-lab
LAB_CTL_DIR=$LAB_STATE_DIR/control
LAB_CTL_SOCK=$LAB_CTL_DIR/control.sock
FLIPS=${BENCH_HEALTH_FLIPS:-$(bench_pick 50 200)}

# Our namespaces are ours alone: if they exist, another run of this family
# owns them (or one crashed without its exit trap: lab/lab.sh down with the
# same LAB_NS_S, LAB_NS_C and LAB_STATE_DIR clears it).
if lab_is_up; then
	bench_die "$LAB_NS_S or $LAB_NS_C exists: another health benchmark runs (or clear it with LAB_NS_S=$LAB_NS_S LAB_NS_C=$LAB_NS_C LAB_STATE_DIR=$LAB_STATE_DIR lab/lab.sh down)"
fi
BENCH_LAB_OWNED=1
lab_up || bench_die "lab_up failed"
bench_lab_control || bench_end
bench_keep_worker_cpu
out=$(LAB_READY_TIMEOUT=60 bench_dp_start af_xdp 2>&1) || {
	bench_error "the dataplane did not start on af_xdp, fed by mvdns-control" \
		"lab_start_dataplane af_xdp (LAB_NS_S=$LAB_NS_S)" "$out"
	bench_end
}
bench_wait_quiet "$(bench_pick 120 300)"

other=$(bench_other_cpu "$LAB_NS_S" 0.5)
cmd="ip netns exec $LAB_NS_C taskset -c $BENCH_CTL_CPU bench/ctl.py --socket $LAB_CTL_SOCK health --server $BENCH_ADDR --flips $FLIPS"
bench_log "$FLIPS flips: $cmd"
t=$(bench_now)
s0=$(bench_ns_cpu_ticks "$LAB_NS_S")
if ! out=$(bench_fg bench_ctl -c $((FLIPS + 120)) health --server "$BENCH_ADDR" \
	--flips "$FLIPS" 2>&1); then
	bench_error "ctl.py health failed" "$cmd" "$out"
	bench_end
fi
secs=$(bench_elapsed "$t")
server_cpu=$(bench_ticks_per_s $(($(bench_ns_cpu_ticks "$LAB_NS_S") - s0)) "$secs")
while read -r row; do
	# shellcheck disable=SC2046 # key value pairs from ctl.py's JSON
	bench_row kind health $(jq -r 'to_entries[] | "\(.key) \(.value)"' <<<"$row") \
		other_cpu "$other" server_cpu "$server_cpu" command "$cmd"
	bench_log "  $(jq -r '"to \(.to): \(.flips) flips, from sent p50 \(.sent_p50_ms) p99 \(.sent_p99_ms) max \(.sent_max_ms) ms"' <<<"$row")"
done < <(jq -c '.[]' <<<"$out")
bench_end
