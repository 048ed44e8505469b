#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# demo.sh - mvdns answering a Route 53 multivalue record set in the lab.
#
# Brings the lab up (lab/lab.sh), serves lab/zones/demo.json with the
# dataplane on af_xdp (af_packet if af_xdp cannot start), asks a few
# questions with dig from the client namespace, prints the counters and
# tears everything down.
#
# Usage: lab/demo.sh [--keep]
#   --keep   leave the lab and the dataplane running afterwards
# Exit status: 0 if myapp.example.com A answered exactly 192.0.2.1-3.

set -euo pipefail

DEMO_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lab.sh
. "$DEMO_DIR/lab.sh"

DEMO_ZONE=$DEMO_DIR/zones/demo.json
DEMO_WANT=$'192.0.2.1\n192.0.2.2\n192.0.2.3'

demo_usage() {
	sed -n 's/^# \{0,1\}//; /^Usage:/,/^Exit/p' "$0" >&2
	exit 2
}

# Print a command as typed on the client, then run it there.
demo_run() {
	local rc=0
	printf '\nmvdns-c$ %s\n' "$*"
	lab_exec_c "$@" || rc=$?
	if ((rc != 0)); then
		echo "demo: FAILED: '$*' exited with status $rc" >&2
		return 1
	fi
}

demo_start() {
	if lab_start_dataplane af_xdp "$DEMO_ZONE"; then
		return 0
	fi
	echo
	echo "demo: the dataplane could not start on af_xdp (see above);" \
		"falling back to af_packet"
	lab_start_dataplane af_packet "$DEMO_ZONE"
}

demo_check_myapp() {
	local got
	got=$(lab_exec_c dig @"$LAB_ADDR4_S" +short +time=1 +tries=2 \
		myapp.example.com A | sort)
	if [[ $got != "$DEMO_WANT" ]]; then
		echo "demo: FAILED: myapp.example.com A should be exactly" \
			"192.0.2.1, 192.0.2.2 and 192.0.2.3; got: ${got:-nothing}" >&2
		return 1
	fi
	echo
	echo "demo: myapp.example.com A answered with all three values of the" \
		"multivalue set: OK"
}

demo_main() {
	local keep=0
	case ${1:-} in
	"") ;;
	--keep) keep=1 ;;
	*) demo_usage ;;
	esac

	lab_install_traps
	lab_up
	demo_start

	echo
	echo "== the multivalue answer (lab/zones/demo.json)"
	demo_run dig @"$LAB_ADDR4_S" +norec myapp.example.com A
	demo_check_myapp

	echo
	echo "== a few more questions"
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +answer example.com SOA
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +comments +authority nope.example.com A |
		grep -v -e '^;; Got answer' -e '^$'
	echo "(IPv6 transport; myapp has no AAAA, so: NOERROR, no answer, the SOA)"
	demo_run dig @"$LAB_ADDR6_S" +norec +noall +comments +authority myapp.example.com AAAA |
		grep -v -e '^;; Got answer' -e '^$'

	echo
	echo "== counters (SIGUSR1)"
	lab_counters | awk '$2 != 0 { printf "  %-28s %s\n", $1, $2 } END { print "  (the others are 0)" }'

	if ((keep)); then
		trap - EXIT INT TERM HUP
		cat <<EOF

The lab is still running ($LAB_DP_DRIVER, dataplane pid $LAB_DP_PID, log $LAB_DP_LOG).
Query it from the client namespace:
  ip netns exec $LAB_NS_C dig @$LAB_ADDR4_S myapp.example.com A
  ip netns exec $LAB_NS_C dig @$LAB_ADDR6_S myapp.example.com A
  ip netns exec $LAB_NS_C ping -c 3 $LAB_ADDR4_S
Counters:     $DEMO_DIR/lab.sh counters
Stop it all:  $DEMO_DIR/lab.sh down
EOF
		return 0
	fi
	echo
	echo "== stopping the dataplane (SIGTERM) and the lab"
	lab_stop_dataplane
	lab_down
	echo "demo: done, the lab is down"
}

demo_main "$@"
