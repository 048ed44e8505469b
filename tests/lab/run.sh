#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Run the lab integration tests (tests/lab/test_*.sh) against the real
# dataplane on each driver and print TAP-like results:
#
#   ok 1 - af_packet: test_dns: www A: both records
#   not ok 2 - af_packet: test_dns: ...
#   # diagnostics
#   1..N
#   N passed, N failed
#
# Usage: tests/lab/run.sh [-d DRIVER]... [-t SECONDS] [TEST...]
#   -d DRIVER   af_packet, af_xdp, tap or xdp (repeatable; default: all; a
#               script runs on xdp only when its "# drivers:" line names it)
#   -t SECONDS  time limit per test script and driver (default: 300)
#   TEST        test script names (test_dns or test_dns.sh; default: all)
# A script may restrict its drivers with a "# drivers: ..." line.
# Needs root and the dataplane (make -C <repo> build, or set LAB_DATAPLANE).
# Exit status: 0 if every check passed, 1 otherwise, 2 on a usage error.

set -euo pipefail

RUN_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/../../lab/lab.sh
. "$RUN_DIR/../../lab/lab.sh"

RUN_N=0
RUN_PASSED=0
RUN_FAILED=0

run_usage() {
	sed -n 's/^# \{0,1\}//; /^Usage:/,/^Exit/p' "$0" >&2
	exit 2
}

run_result() {
	local ok=$1 desc=$2
	RUN_N=$((RUN_N + 1))
	if ((ok)); then
		RUN_PASSED=$((RUN_PASSED + 1))
		echo "ok $RUN_N - $desc"
	else
		RUN_FAILED=$((RUN_FAILED + 1))
		echo "not ok $RUN_N - $desc"
	fi
}

# The drivers a script runs on: its "# drivers:" line, else all wanted ones.
run_script_drivers() {
	local script=$1 line
	line=$(sed -n 's/^# drivers: *//p' "$script" | head -n 1)
	echo "${line:-${LAB_DRIVERS[*]}}"
}

# run_script SCRIPT DRIVER TIMEOUT - run one script and renumber its checks.
RUN_CHILD=
RUN_TMP=()
run_script() {
	local script=$1 driver=$2 timeout=$3 name line rc=0 failed=0 pid
	local record fifo leftovers=
	name=$(basename "$script" .sh)
	record=$(mktemp /tmp/mvdns-lab-pids.XXXXXX)
	fifo=$(mktemp -u /tmp/mvdns-lab-out.XXXXXX)
	RUN_TMP=("$record" "$fifo")
	mkfifo "$fifo"
	LAB_PID_RECORD=$record LAB_DRIVER=$driver \
		timeout -k 15 "$timeout" bash "$script" "$driver" >"$fifo" 2>&1 &
	RUN_CHILD=$!
	while IFS= read -r line; do
		case $line in
		"ok - "*) run_result 1 "$driver: $name: ${line#ok - }" ;;
		"not ok - "*)
			run_result 0 "$driver: $name: ${line#not ok - }"
			failed=1
			;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done <"$fifo"
	wait "$RUN_CHILD" || rc=$?
	RUN_CHILD=
	rm -f "$fifo"
	if ((rc == 124 || rc == 137)); then
		run_result 0 "$driver: $name: finished within ${timeout}s"
	elif ((rc != 0 && failed == 0)); then
		run_result 0 "$driver: $name: exited with status $rc"
	fi

	# Whatever the script did, nothing of the lab may survive it.
	if lab_is_up; then
		leftovers+=" namespaces:$(ip netns list | awk '/^mvdns-[sc]( |$)/ { printf " %s", $1 }')"
		lab_down
	fi
	while read -r pid _; do
		if [[ -n $pid ]] && lab__pid_alive "$pid"; then
			leftovers+=" process:$pid"
			lab__kill_wait "$pid" 5 || true
		fi
	done <"$record"
	rm -f "$record"
	RUN_TMP=()
	run_result "$([[ -z $leftovers ]] && echo 1 || echo 0)" \
		"$driver: $name: left no namespace or process behind"
	[[ -z $leftovers ]] || echo "# left behind:$leftovers (now removed)"
}

# On an interrupt: stop the running script (timeout passes SIGTERM on and
# the script tears its lab down), then make sure the lab is gone.
run_interrupted() {
	if [[ -n $RUN_CHILD ]]; then
		kill -TERM "$RUN_CHILD" 2>/dev/null || true
		wait "$RUN_CHILD" 2>/dev/null || true
	fi
	lab_down
	rm -f "${RUN_TMP[@]}"
	echo "# interrupted; dataplane logs: $LAB_LOG_DIR"
	exit "$1"
}

run_main() {
	local drivers=() timeout=300 scripts=() opt driver script t
	while getopts "d:t:h" opt; do
		case $opt in
		d)
			lab__vdev_args "$OPTARG" >/dev/null 2>&1 || run_usage
			drivers+=("$OPTARG")
			;;
		t) timeout=$OPTARG ;;
		*) run_usage ;;
		esac
	done
	shift $((OPTIND - 1))
	((${#drivers[@]})) || drivers=("${LAB_DRIVERS[@]}" "$LAB_DRIVER_XDP")
	for t in "$@"; do
		t=${t%.sh}
		[[ -f $RUN_DIR/${t#"$RUN_DIR"/}.sh ]] || {
			echo "run.sh: no test $t" >&2
			exit 2
		}
		scripts+=("$RUN_DIR/${t#"$RUN_DIR"/}.sh")
	done
	((${#scripts[@]})) || scripts=("$RUN_DIR"/test_*.sh)

	if lab_is_up; then
		echo "run.sh: a lab is already up; run '$LAB_ROOT/lab/lab.sh down' first" >&2
		exit 2
	fi
	if [[ ! -x $LAB_DATAPLANE ]]; then
		echo "# no dataplane at $LAB_DATAPLANE (make -C $LAB_ROOT build); every test will fail"
	fi
	# Dataplane logs outlive each script's lab; kept if anything failed.
	LAB_LOG_DIR=$(mktemp -d /tmp/mvdns-lab-logs.XXXXXX)
	export LAB_LOG_DIR
	trap 'run_interrupted 130' INT
	trap 'run_interrupted 143' TERM

	for driver in "${drivers[@]}"; do
		for script in "${scripts[@]}"; do
			[[ " $(run_script_drivers "$script") " == *" $driver "* ]] || continue
			echo "# $driver: $(basename "$script")"
			run_script "$script" "$driver" "$timeout"
		done
	done
	if ((RUN_FAILED)); then
		echo "# dataplane logs: $LAB_LOG_DIR"
	else
		rm -rf "$LAB_LOG_DIR"
	fi
	echo "1..$RUN_N"
	echo "$RUN_PASSED passed, $RUN_FAILED failed"
	((RUN_FAILED == 0))
}

run_main "$@"
