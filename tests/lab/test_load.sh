#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# --load and the process life cycle: a bad change batch stops the dataplane
# before it serves, with a message naming the offending change; two --load
# files serve together; SIGINT stops it cleanly. The driver does not matter
# here, so run.sh runs this on one only.
# drivers: af_packet
# Usage: test_load.sh [af_packet|af_xdp|tap]

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

BAD=$T_DIR/zones/bad

# The dataplane's own output in the log (the lab writes the first line).
dataplane_output() {
	tail -n +2 "$LAB_DP_LOG"
}

# check_rejected FILE [WHAT...] - the dataplane refuses to start with FILE,
# exits non-zero before its ready line, and its message names the offending
# change by any of WHAT (fixed strings, any case): its record set's name, the
# bad value, or its place in the batch as Route 53 writes it (Changes[2],
# changes.3 for the third change). No WHAT: any message will do.
check_rejected() {
	local file=$1 desc out what
	shift
	desc="rejects $(basename "$file"): $(sed -n 's/.*Invalid on purpose[^:]*: \(.*\)",$/\1/p' "$file")"
	if LAB_READY_TIMEOUT=15 lab_start_dataplane "$T_DRIVER" "$file" 2>/dev/null; then
		t_not_ok "$desc"
		t_diag "it started and printed its ready line"
		lab_stop_dataplane || true
		return 0
	fi
	out=$(dataplane_output | grep -v -e '^EAL: ' -e '^TELEMETRY: ' || true)
	if [[ ${LAB_DP_STATUS:-0} == 0 ]] || grep -q -- "$LAB_READY_PATTERN" <<<"$out"; then
		t_not_ok "$desc"
		t_diag "expected: a non-zero exit before the ready line"
		t_diag "got: exit status ${LAB_DP_STATUS:-none (killed after the timeout)}"
	elif [[ -z $out ]]; then
		t_not_ok "$desc"
		t_diag "expected: a message; got none"
	elif (($#)) && ! t__mentions_any "$out" "$@"; then
		t_not_ok "$desc"
		t_diag "expected: a message naming the change: any of: $*"
	else
		t_ok "$desc"
		return 0
	fi
	t_diag "its output (EAL lines left out):"
	t_diag "$(t__indent "$(tail -n 15 <<<"$out")")"
}

t__mentions_any() {
	local text=$1 what
	shift
	for what in "$@"; do
		grep -qiF -- "$what" <<<"$text" && return 0
	done
	return 1
}

t_begin "$@"

# Each bad change is the third in its batch (after the SOA and a valid A);
# cname-and-a and duplicate conflict with the fourth, the second of a pair.
third=("Changes[2]" "changes.3")
check_rejected "$BAD/syntax.json"
check_rejected "$BAD/ipv4.json" bad-ipv4.example.com 192.0.2.300 "${third[@]}"
check_rejected "$BAD/ipv6.json" bad-ipv6.example.com 2001:db8::zz "${third[@]}"
check_rejected "$BAD/outside-zone.json" stray.example.net "${third[@]}"
check_rejected "$BAD/cname-and-a.json" both.example.com "Changes[3]" "changes.4"
check_rejected "$BAD/duplicate.json" twice.example.com "Changes[3]" "changes.4"
check_rejected "$BAD/action.json" frob.example.com FROB "${third[@]}"
check_rejected "$BAD/ttl.json" negttl.example.com "${third[@]}"

# Two files: the demo's zone and another.
t_start_dataplane "$T_ROOT/lab/zones/demo.json" "$T_DIR/zones/extra.json"
t_query "two --load files: myapp.example.com from the first" myapp.example.com A <<'EOF'
status NOERROR
flags qr aa
answer myapp.example.com. 60 IN A 192.0.2.1
answer myapp.example.com. 60 IN A 192.0.2.2
answer myapp.example.com. 60 IN A 192.0.2.3
EOF
t_query "two --load files: www.example.net from the second" www.example.net A <<'EOF'
status NOERROR
flags qr aa
answer www.example.net. 300 IN A 203.0.113.10
EOF
t_check "SIGUSR1 prints all the counters (lab_counters)" lab_counters
t_expect_ge "verdict.answer-noerror counts the two answers" 2 \
	"$(lab_counter answer-noerror)"
t_stop_dataplane INT

t_end
