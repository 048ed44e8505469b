#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Malformed and hostile packets from the client (malformed.py, plain UDP
# sockets): each gets the reply or the silence it should, the verdict
# counters grow by exactly what was sent, and valid queries still work.
# Usage: test_malformed.sh [af_packet|af_xdp|tap]

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

MALFORMED=$T_DIR/malformed.py
SEED=${MALFORMED_SEED:-$RANDOM}

# check_counters DESC BEFORE AFTER NAME... - each counter NAME grew by
# T_EXPECT[NAME] (0 when not expected to grow at all).
check_counters() {
	local desc=$1 snap0=$2 snap1=$3 name want got
	shift 3
	for name in "$@"; do
		want=${T_EXPECT[$name]:-0}
		got=$(t_delta "$snap0" "$snap1" "$name")
		t_expect_eq "$desc: verdict.$name grew by $want" "$want" "$got"
	done
}

t_begin "$@"
t_start_dataplane

# shellcheck disable=SC2034 # filled and read through namerefs
declare -A before=() after=()

# Fixed cases, over both transports.
t_snapshot before
t_run_checks lab_exec_c "$T_PY" "$MALFORMED" cases --server "$LAB_ADDR4_S"
t_run_checks lab_exec_c "$T_PY" "$MALFORMED" cases --server "$LAB_ADDR6_S"
t_snapshot after
check_counters "malformed cases" before after drop-short drop-not-query \
	answer-formerr answer-notimp answer-refused answer-nxdomain \
	answer-noerror answer-nodata answer-truncated answer-badvers
t_expect_eq "malformed cases: tx-dropped did not grow" 0 \
	"$(t_delta before after tx-dropped)"

# UDP checksums: right, 0 and wrong, each with its fate. A wrong one is
# dropped only where the port checks them (the dataplane says so).
port_checks=()
grep -q 'received checked by the port' "$LAB_DP_LOG" && port_checks=(--port-checks)
if [[ $T_DRIVER == tap ]]; then # net_tap checks them in software
	t_expect_eq "net_tap checks received checksums" "--port-checks" "${port_checks[*]}"
fi
T_EXPECT=()
t_snapshot before
for server in "$LAB_ADDR4_S" "$LAB_ADDR6_S"; do
	t_run_checks lab_exec_c "$T_PY" "$MALFORMED" checksums --server "$server" "${port_checks[@]}"
done
t_snapshot after
check_counters "UDP checksums (${port_checks[*]:-not checked by the port})" before after \
	drop-malformed answer-noerror

# Random byte strings, then valid queries with a few bytes changed.
for mode in random mutate; do
	T_EXPECT=()
	t_snapshot before
	t_run_checks lab_exec_c "$T_PY" "$MALFORMED" "$mode" --count 200 \
		--seed "$SEED" --server "$LAB_ADDR4_S"
	t_snapshot after
	check_counters "$mode" before after drop-short drop-not-query
	t_expect_eq "$mode: the answer-* verdicts grew by the replies received" \
		"${T_EXPECT[answers]:-0}" "$(t_delta_answers before after)"
	t_expect_eq "$mode: tx-dropped did not grow" 0 \
		"$(t_delta before after tx-dropped)"
	t_expect_ge "$mode: port.rx-packets grew by at least the 200 sent" 200 \
		"$(t_delta before after port.rx-packets)"
	t_expect_eq "$mode: port.rx-missed did not grow" 0 "$(t_delta before after port.rx-missed)"
done

# Still serving.
t_query "after the malformed packets: www A is still answered" www.example.com A <<'EOF2'
status NOERROR
flags qr aa
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF2
t_query "after the malformed packets: IPv6 transport still answered" @"$LAB_ADDR6_S" www.example.com AAAA <<'EOF2'
status NOERROR
flags qr aa
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF2

t_end
