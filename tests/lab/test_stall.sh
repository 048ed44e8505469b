#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The worker's stall counters: a worker that loses its CPU (here: the whole
# dataplane stopped with SIGSTOP for 300 ms, as a hypervisor stops a vCPU)
# counts a stall and its length, and answers again once it runs; a stop of
# 50 ms or more is also a long stall, a short one is not; a worker that
# sleeps when idle (--idle-sleep-us) does not count its own sleeps.
# The loop is the same on every port, so one driver is enough.
# Usage: test_stall.sh [af_packet|af_xdp|tap]
# drivers: af_packet

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

STOP_MS=300

# shellcheck disable=SC2034 # filled and read through namerefs
declare -A before=() after=()

expect_www() { # DESC: www.example.com A is answered
	t_query "$1" www.example.com A <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF
}

t_begin "$@"
t_start_dataplane

t_snapshot before
kill -STOP "$LAB_DP_PID"
sleep "0.$STOP_MS"
kill -CONT "$LAB_DP_PID"
expect_www "after a ${STOP_MS} ms stop: www A is answered"
t_snapshot after
t_expect_ge "a ${STOP_MS} ms stop: worker.stalls grew" 1 "$(t_delta before after worker.stalls)"
t_expect_ge "a ${STOP_MS} ms stop: worker.stalled-us grew by at least $((STOP_MS - 20)) ms" \
	$(((STOP_MS - 20) * 1000)) "$(t_delta before after worker.stalled-us)"
t_expect_ge "a ${STOP_MS} ms stop: worker.longest-stall-us is at least $((STOP_MS - 20)) ms" \
	$(((STOP_MS - 20) * 1000)) "${after[worker.longest-stall-us]:-0}"
t_expect_ge "a ${STOP_MS} ms stop: worker.long-stalls grew" 1 "$(t_delta before after worker.long-stalls)"

# Five stops of 10 ms: stalls, not long ones. One may still come out long
# (a stop the host adds on this shared machine, a late SIGCONT); all five
# only if every stall counted as long.
t_snapshot before
for _ in 1 2 3 4 5; do
	kill -STOP "$LAB_DP_PID"
	sleep 0.01
	kill -CONT "$LAB_DP_PID"
	sleep 0.05
done
t_snapshot after
t_expect_ge "five 10 ms stops: worker.stalls grew by at least 5" 5 "$(t_delta before after worker.stalls)"
t_expect_lt "five 10 ms stops: fewer than 5 long stalls" 5 "$(t_delta before after worker.long-stalls)"
t_stop_dataplane

# A worker that sleeps 10 ms whenever it is idle: about 50 sleeps in half a
# second, none of them a stall (a few real ones may come from this shared
# machine's scheduler).
LAB_APP_EXTRA="--idle-sleep-us 10000" t_start_dataplane
t_snapshot before
sleep 0.5
t_snapshot after
t_expect_lt "an idle worker's 10 ms sleeps are not stalls (fewer than 10 over 0.5 s)" 10 \
	"$(t_delta before after worker.stalls)"
expect_www "a sleeping worker wakes and answers"

t_end
