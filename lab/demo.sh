#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# demo.sh - mvdns answering a Route 53 multivalue record set in the lab.
#
# Brings the lab up (lab/lab.sh), starts mvdns-control (a private state
# directory and socket under the lab's run directory) and the dataplane on
# af_xdp (af_packet if af_xdp cannot start), fed by the control. Then, as an
# operator would with the AWS CLI, creates the hosted zone example.com and
# applies Route 53's multivalue example (lab/zones/demo-batch.json) with
# mvdnsctl, asks dig from the client namespace, lists the record sets, and,
# when mvdns-control has health checks, shows a pool of four values losing
# one to an Unhealthy check and failing open when all are Unhealthy. Prints
# the counters and tears everything down.
#
# Usage: lab/demo.sh [--keep] [--load]
#   --keep   leave the lab, the control and the dataplane running afterwards
#            (KEEP=1 in the environment does the same)
#   --load   the quick way, without the control: the dataplane serves
#            lab/zones/demo.json (--load) and nothing else
# Exit status: 0 if myapp.example.com A answered exactly 192.0.2.1-3 (and the
# health-check steps, when they run, answered as Route 53 would).

set -euo pipefail

DEMO_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lab.sh
. "$DEMO_DIR/lab.sh"

DEMO_ZONE=$DEMO_DIR/zones/demo.json
DEMO_BATCH=$DEMO_DIR/zones/demo-batch.json
DEMO_WANT=$'192.0.2.1\n192.0.2.2\n192.0.2.3'
DEMO_STAMP=$(date +%Y%m%d-%H%M%S)-$$
# Set by demo_cli: what the last mvdnsctl command printed on stdout.
DEMO_OUT=
DEMO_ZONE_ID=

demo_usage() {
	sed -n 's/^# \{0,1\}//; /^Usage:/,/^$/p' "$0" >&2
	exit 2
}

demo_fail() {
	echo "demo: FAILED: $*" >&2
	return 1
}

# Print a command as typed on the client, then run it there.
demo_run() {
	local rc=0
	printf '\n%s$ %s\n' "$LAB_NS_C" "$*"
	lab_exec_c "$@" || rc=$?
	if ((rc != 0)); then
		demo_fail "'$*' exited with status $rc"
	fi
}

# demo_cli ARGS... - print "$ mvdnsctl ARGS" and run it against the lab's
# control; its output is shown as is and kept in DEMO_OUT.
demo_cli() {
	local rc=0
	printf '\n$ mvdnsctl %s\n' "$*"
	DEMO_OUT=$(lab_ctl "$@") || rc=$?
	[[ -z $DEMO_OUT ]] || printf '%s\n' "$DEMO_OUT"
	if ((rc != 0)); then
		demo_fail "'mvdnsctl $*' exited with status $rc"
	fi
}

# demo_json EXPR - evaluate a Python expression over DEMO_OUT's JSON (as j).
demo_json() {
	/usr/bin/python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' \
		"$1" <<<"$DEMO_OUT"
}

demo_start() {
	if lab_start_dataplane af_xdp "$@"; then
		return 0
	fi
	echo
	echo "demo: the dataplane could not start on af_xdp (see above);" \
		"falling back to af_packet"
	lab_start_dataplane af_packet "$@"
}

# The A values of myapp.example.com in one answer, sorted, one per line.
demo_answer() {
	lab_exec_c dig @"$LAB_ADDR4_S" +short +norec +time=1 +tries=2 myapp.example.com A | sort
}

demo_check_myapp() {
	local got
	got=$(demo_answer)
	if [[ $got != "$DEMO_WANT" ]]; then
		demo_fail "myapp.example.com A should be exactly 192.0.2.1, 192.0.2.2" \
			"and 192.0.2.3; got: ${got:-nothing}"
		return 1
	fi
	echo
	echo "demo: myapp.example.com A answered with all three values of the" \
		"multivalue set: OK"
}

# demo_answers_become WANT... - wait (up to 5 s) until an answer holds
# exactly the values WANT, then check that 5 answers in a row do.
demo_answers_become() {
	local want got i
	want=$(printf '%s\n' "$@" | sort)
	lab_wait_for 5 demo__answer_is "$want" || true
	for i in 1 2 3 4 5; do
		got=$(demo_answer)
		if [[ $got != "$want" ]]; then
			demo_fail "answer $i: myapp.example.com A should be exactly" \
				"${want//$'\n'/ }; got: ${got//$'\n'/ }"
			return 1
		fi
	done
}

demo__answer_is() {
	[[ $(demo_answer) == "$1" ]]
}

demo_more_questions() {
	echo
	echo "== a few more questions"
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +answer example.com SOA
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +comments +authority nope.example.com A |
		grep -v -e '^;; Got answer' -e '^$'
	echo "(IPv6 transport; myapp has no AAAA, so: NOERROR, no answer, the SOA)"
	demo_run dig @"$LAB_ADDR6_S" +norec +noall +comments +authority myapp.example.com AAAA |
		grep -v -e '^;; Got answer' -e '^$'
}

demo_counters() {
	echo
	echo "== counters (SIGUSR1)"
	lab_counters | awk '$2 != 0 { printf "  %-28s %s\n", $1, $2 } END { print "  (the others are 0)" }'
}

# The Route 53 example through the control plane.
demo_control() {
	echo
	echo "== mvdns-control and the dataplane it feeds"
	lab_start_control
	demo_start
	export MVDNS_CONTROL_SOCKET=$LAB_CTL_SOCK
	cat <<EOF

mvdnsctl below is $LAB_CLI,
talking to the lab's mvdns-control through MVDNS_CONTROL_SOCKET=$LAB_CTL_SOCK.
EOF

	echo
	echo "== a hosted zone, then Route 53's multivalue example as a change batch"
	demo_cli create-hosted-zone --name example.com --caller-reference "demo-$DEMO_STAMP"
	DEMO_ZONE_ID=$(demo_json 'j["HostedZone"]["Id"].split("/")[-1]')
	# From the repository, as the README has it: file://lab/zones/demo-batch.json.
	cd "$LAB_ROOT"
	printf '\n$ cat %s\n' "${DEMO_BATCH#"$LAB_ROOT"/}"
	cat "$DEMO_BATCH"
	demo_cli change-resource-record-sets --hosted-zone-id "$DEMO_ZONE_ID" \
		--change-batch "file://${DEMO_BATCH#"$LAB_ROOT"/}" --wait
	if [[ $(demo_json 'j["ChangeInfo"]["Status"]') != INSYNC ]]; then
		demo_fail "the change is not INSYNC after --wait"
		return 1
	fi

	echo
	echo "== the multivalue answer, served by the dataplane"
	demo_run dig @"$LAB_ADDR4_S" +norec myapp.example.com A
	demo_check_myapp
	demo_more_questions

	echo
	echo "== the record sets, as the control holds them"
	demo_cli list-resource-record-sets --hosted-zone-id "$DEMO_ZONE_ID" --output table

	if lab_ctl list-health-checks >/dev/null 2>&1; then
		demo_health
	else
		echo
		echo "(this mvdns-control has no health checks yet: the health-check part is skipped)"
	fi
}

# Four values, each with an EXTERNAL health check (mvdns's type whose status
# only set-health-check-status changes): one Unhealthy value leaves the
# answers; with all of them Unhealthy the pool fails open, as Route 53's does.
demo_health() {
	local i ids=() batch=$LAB_CTL_DIR/demo-health-batch.json sep=

	echo
	echo "== health checks: the pool as four values, each with an EXTERNAL health check"
	for i in 1 2 3 4; do
		demo_cli create-health-check --caller-reference "demo-$DEMO_STAMP-web-$i" \
			--health-check-config Type=EXTERNAL
		ids+=("$(demo_json 'j["HealthCheck"]["Id"]')")
	done
	{
		echo '{'
		echo '  "Comment": "The pool as four health-checked values",'
		echo '  "Changes": ['
		echo '    {"Action": "DELETE", "ResourceRecordSet": {"Name": "myapp.example.com.", "Type": "A", "TTL": 60,'
		echo '      "ResourceRecords": [{"Value": "192.0.2.1"}, {"Value": "192.0.2.2"}, {"Value": "192.0.2.3"}],'
		echo '      "SetIdentifier": "webserver-pool", "RoutingPolicy": {"Type": "MULTIVALUE"}}},'
		for i in 1 2 3 4; do
			((i < 4)) && sep=, || sep=
			echo "    {\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"myapp.example.com.\", \"Type\": \"A\", \"TTL\": 60,"
			echo "      \"ResourceRecords\": [{\"Value\": \"192.0.2.$i\"}], \"SetIdentifier\": \"web-$i\","
			echo "      \"MultiValueAnswer\": true, \"HealthCheckId\": \"${ids[i - 1]}\"}}$sep"
		done
		echo '  ]'
		echo '}'
	} >"$batch"
	printf '\n$ cat %s\n' "$batch"
	cat "$batch"
	demo_cli change-resource-record-sets --hosted-zone-id "$DEMO_ZONE_ID" \
		--change-batch "file://$batch" --wait
	demo_answers_become 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +answer myapp.example.com A
	echo "demo: all four healthy values answered: OK"

	echo
	echo "== web-2 (192.0.2.2) becomes Unhealthy: it leaves the answers"
	demo_cli set-health-check-status --health-check-id "${ids[1]}" --status Unhealthy
	demo_answers_become 192.0.2.1 192.0.2.3 192.0.2.4
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +answer myapp.example.com A
	echo "demo: 192.0.2.2 is gone from 5 answers in a row: OK"

	echo
	echo "== all four Unhealthy: the pool fails open and answers with all of them"
	for i in 0 2 3; do
		demo_cli set-health-check-status --health-check-id "${ids[i]}" --status Unhealthy
	done
	demo_answers_become 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +answer myapp.example.com A
	echo "demo: with every value Unhealthy, answers still carry all four: OK"

	echo
	echo "== all four Healthy again"
	for i in 0 1 2 3; do
		demo_cli set-health-check-status --health-check-id "${ids[i]}" --status Healthy
	done
	demo_cli get-health-check-status --health-check-id "${ids[1]}"
	demo_answers_become 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4
	demo_run dig @"$LAB_ADDR4_S" +norec +noall +answer myapp.example.com A
	echo "demo: all four healthy values answered: OK"
}

# The quick way: lab/zones/demo.json loaded at start-up, no control.
demo_load() {
	demo_start "$DEMO_ZONE"
	echo
	echo "== the multivalue answer (${DEMO_ZONE#"$LAB_ROOT"/})"
	demo_run dig @"$LAB_ADDR4_S" +norec myapp.example.com A
	demo_check_myapp
	demo_more_questions
}

demo_keep_notes() {
	local cli=${LAB_CLI#"$LAB_ROOT"/} lab=${DEMO_DIR#"$LAB_ROOT"/}/lab.sh
	cat <<EOF

The lab is still running ($LAB_DP_DRIVER, dataplane pid $LAB_DP_PID, log $LAB_DP_LOG).
Query it from the client namespace:
  ip netns exec $LAB_NS_C dig @$LAB_ADDR4_S myapp.example.com A
  ip netns exec $LAB_NS_C dig @$LAB_ADDR6_S myapp.example.com A
  ip netns exec $LAB_NS_C ping -c 3 $LAB_ADDR4_S
EOF
	if [[ -n $LAB_CTL_PID ]]; then
		cat <<EOF
Change it with mvdnsctl (mvdns-control pid $LAB_CTL_PID, log $LAB_CTL_LOG),
from $LAB_ROOT:
  export MVDNS_CONTROL_SOCKET=$LAB_CTL_SOCK
  $cli list-hosted-zones --output table
  $cli list-resource-record-sets --hosted-zone-id $DEMO_ZONE_ID --output table
  $cli change-resource-record-sets --hosted-zone-id $DEMO_ZONE_ID \\
      --change-batch file://batch.json --wait
  (or, without the variable: $lab ctl list-hosted-zones)
EOF
	fi
	cat <<EOF
Counters:     $lab counters
Status:       $lab status
Stop it all:  $lab down   (the control's state goes with it)
EOF
}

demo_main() {
	local keep=0 load=0 arg
	[[ ${KEEP:-0} == 0 ]] || keep=1
	for arg in "$@"; do
		case $arg in
		--keep) keep=1 ;;
		--load) load=1 ;;
		*) demo_usage ;;
		esac
	done

	lab_install_traps
	lab_up
	if ((load)); then
		demo_load
	else
		demo_control
	fi
	demo_counters

	if ((keep)); then
		trap - EXIT INT TERM HUP
		demo_keep_notes
		return 0
	fi
	echo
	if ((load)); then
		echo "== stopping the dataplane (SIGTERM) and the lab"
	else
		echo "== stopping the control and the dataplane (SIGTERM), and the lab"
	fi
	lab_stop_control
	lab_stop_dataplane
	lab_down
	echo "demo: done, the lab is down"
}

demo_main "$@"
