# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# bench/lib.sh - helpers shared by the benchmark scripts (sourced).
#
#   . "$(dirname "$0")/lib.sh"
#   bench_begin inproc               # temp dir, exit trap, results file
#   bench_row key value key value... # one result row (JSON) for the report
#   bench_error WHAT COMMAND OUTPUT  # a component failed: recorded, and the
#                                    # family exits 1 at bench_end
#   bench_end
#
# A family writes its rows as JSON lines to $BENCH_OUT/<family>.jsonl; run.sh
# merges them. Benchmarks report figures and never fail because one is low;
# they fail (exit 1) when a component does not start or a tool breaks.
#
# Environment: BENCH_QUICK (1: the quick variant), BENCH_OUT (results
# directory, default bench/results), BENCH_BUILD (default <repo>/build),
# BENCH_DATAPLANE, BENCH_CONTROL, BENCH_INPROC (the binaries, default in
# BENCH_BUILD).

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_ROOT=$(cd "$BENCH_DIR/.." && pwd)
BENCH_BUILD=${BENCH_BUILD:-$BENCH_ROOT/build}
BENCH_QUICK=${BENCH_QUICK:-0}
BENCH_OUT=${BENCH_OUT:-$BENCH_DIR/results}
BENCH_PY=/usr/bin/python3 # Debian's, with dnspython
# The binaries (run.sh points these at copies, so that a rebuild during the
# run changes nothing).
BENCH_DATAPLANE=${BENCH_DATAPLANE:-$BENCH_BUILD/dataplane/mvdns-dataplane}
BENCH_CONTROL=${BENCH_CONTROL:-$BENCH_BUILD/control/daemon/mvdns-control}
BENCH_INPROC=${BENCH_INPROC:-$BENCH_BUILD/bench/inproc}
BENCH_HOST_STALLS=${BENCH_HOST_STALLS:-$BENCH_BUILD/bench/host_stalls}
BENCH_HOST_MEMORY=${BENCH_HOST_MEMORY:-$BENCH_BUILD/bench/host_memory}
BENCH_CLK_TCK=$(getconf CLK_TCK)
BENCH_FAMILY=
BENCH_TMP=
BENCH_ROWS=
BENCH_ERRORS=0
BENCH_LAB_OWNED=0
BENCH_ADDR=10.53.0.1 # the server's address in the lab
BENCH_CLEANUPS=()

# shellcheck source=SCRIPTDIR/../lab/lab.sh
. "$BENCH_ROOT/lab/lab.sh"
LAB_CONTROL=$BENCH_CONTROL # for lab_start_control

bench_log() {
	printf 'bench[%s]: %s\n' "${BENCH_FAMILY:-?}" "$*" >&2
}

bench_die() {
	bench_log "FATAL: $*"
	exit 1
}

# bench_begin FAMILY - start a family: results file, temp dir, exit trap.
bench_begin() {
	BENCH_FAMILY=$1
	((EUID == 0)) || bench_die "must run as root (namespaces, XDP, DPDK)"
	mkdir -p "$BENCH_OUT"
	BENCH_ROWS=$BENCH_OUT/$BENCH_FAMILY.jsonl
	: >"$BENCH_ROWS"
	BENCH_TMP=$(mktemp -d "/tmp/mvdns-bench-$BENCH_FAMILY.XXXXXX")
	# The lab's pid file and logs live with ours, not in /run/mvdns-lab
	# (another engineer's lab state).
	LAB_STATE_DIR=$BENCH_TMP/lab
	LAB_LOG_DIR=$BENCH_TMP/lab-logs
	LAB_CTL_DIR=$LAB_STATE_DIR/control
	LAB_CTL_SOCK=$LAB_CTL_DIR/control.sock
	trap bench__on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	bench_need_cmds jq timeout taskset
}

# bench_end - exit 1 if a component failed (the rows written so far stay).
bench_end() {
	if ((BENCH_ERRORS)); then
		bench_log "$BENCH_ERRORS component(s) failed; see the errors in $BENCH_ROWS"
		exit 1
	fi
	bench_log "done"
	exit 0
}

# bench_on_cleanup CMD... - run CMD at exit (last registered, first run).
bench_on_cleanup() {
	BENCH_CLEANUPS+=("$(printf '%q ' "$@")")
}

bench__on_exit() {
	local rc=$? i pid
	trap - EXIT INT TERM HUP
	for ((i = ${#BENCH_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${BENCH_CLEANUPS[i]}" >/dev/null 2>&1 || true
	done
	# Whatever this shell still runs in the background (bench_fg, servers).
	for pid in $(ps -o pid= --ppid "$$" 2>/dev/null); do
		bench__kill_wait "$pid" >/dev/null 2>&1 || true
	done
	if ((BENCH_LAB_OWNED)); then
		lab_down >/dev/null 2>&1 || bench_log "lab_down failed"
	fi
	[[ -n $BENCH_TMP && -d $BENCH_TMP ]] && rm -rf "$BENCH_TMP"
	exit "$rc"
}

# bench_fg CMD... - run CMD in the background and wait for it: bash runs a
# trap (timeout's SIGTERM) only once the foreground command returns, but at
# once during `wait`; the exit trap then ends CMD.
bench_fg() {
	"$@" &
	wait "$!"
}

# bench_need_cmds CMD... - fail unless every command exists.
bench_need_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || bench_die "missing command $c (make bench installs it)"
	done
}

# bench_need_pkgs PKG... - install the Debian packages that are missing.
bench_need_pkgs() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]})) || return 0
	bench_log "installing: ${missing[*]}"
	timeout 600 apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
}

# bench_json KEY VALUE... - a JSON object; values that parse as numbers are
# numbers, "null" is null, the rest strings.
bench_json() {
	# On stdin, separated by RS (0x1e): jq would take an argument such as "--load"
	# for one of its options, even after --args.
	printf '%s\x1e' "$@" | jq -sRc 'split("\u001e")[:-1] as $a
		| [range(0; $a | length; 2) | {($a[.]): ($a[. + 1]
			| if . == "null" then null else (tonumber? // .) end)}]
		| add // {}'
}

# bench_row KEY VALUE... - one result row, tagged with the family.
bench_row() {
	bench_json family "$BENCH_FAMILY" quick "$BENCH_QUICK" "$@" >>"$BENCH_ROWS"
}

# bench_error WHAT COMMAND OUTPUT - a component failed: say so loudly, keep
# the command and its output for the report, fail the family at the end.
bench_error() {
	BENCH_ERRORS=$((BENCH_ERRORS + 1))
	bench_log "ERROR: $1"
	bench_log "  command: $2"
	[[ -n ${3:-} ]] && printf '%s\n' "$3" | tail -n 15 | sed 's/^/  | /' >&2
	bench_json family "$BENCH_FAMILY" kind error what "$1" command "$2" \
		output "$(printf '%s\n' "${3:-}" | tail -n 15)" >>"$BENCH_ROWS"
}

# bench_note TEXT - a remark printed under the family's table.
bench_note() {
	bench_log "note: $1"
	bench_json family "$BENCH_FAMILY" kind note text "$1" >>"$BENCH_ROWS"
}

# bench_pick QUICK_VALUE FULL_VALUE
bench_pick() {
	if ((BENCH_QUICK)); then echo "$1"; else echo "$2"; fi
}

bench_now() {
	date +%s.%N
}

# bench_elapsed START - seconds since START (from bench_now), 3 decimals.
bench_elapsed() {
	awk -v a="$1" -v b="$(bench_now)" 'BEGIN { printf "%.3f", b - a }'
}

# bench_div A B [DECIMALS] - A / B, "null" when B is 0 or either is empty.
bench_div() {
	awk -v a="${1:-}" -v b="${2:-}" -v d="${3:-3}" 'BEGIN {
		if (a == "" || b == "" || a == "null" || b == "null" || b + 0 == 0) print "null";
		else printf "%.*f\n", d, a / b }'
}

# ---- CPU accounting --------------------------------------------------------

# bench_cpu_ticks PID... - utime + stime (clock ticks) of the processes,
# threads and reaped children included.
bench_cpu_ticks() {
	local pid sum=0 stat f
	for pid in "$@"; do
		stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
		read -ra f <<<"${stat##*) }"
		# after "pid (comm) ": state is f[0], utime f[11], stime f[12],
		# cutime f[13], cstime f[14]
		sum=$((sum + f[11] + f[12] + f[13] + f[14]))
	done
	echo "$sum"
}

# bench_ns_cpu_ticks NETNS - CPU ticks of every process in a namespace.
bench_ns_cpu_ticks() {
	# shellcheck disable=SC2046 # one PID per word
	bench_cpu_ticks $(ip netns pids "$1" 2>/dev/null)
}

# bench_softirq_ticks - softirq ticks of all CPUs (/proc/stat), then of each.
bench_softirq_ticks() {
	awk '$1 ~ /^cpu[0-9]*$/ { printf "%s%s", sep, $8; sep = " " } END { print "" }' /proc/stat
}

# bench_softirq_per_s BEFORE AFTER SECONDS - "all cpu0/cpu1/..." in cores,
# from two bench_softirq_ticks lines.
bench_softirq_per_s() {
	awk -v a="$1" -v b="$2" -v s="$3" -v hz="$BENCH_CLK_TCK" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		printf "%.2f", (y[1] - x[1]) / hz / s
		for (i = 2; i <= n; i++) printf "%s%.2f", (i == 2 ? " " : "/"), (y[i] - x[i]) / hz / s
		print "" }'
}

# bench_busy_ticks [N] - non-idle ticks of all CPUs, or of CPU N alone
# (/proc/stat: user, nice, system, irq, softirq, steal).
# shellcheck disable=SC2120 # peers.sh passes N
bench_busy_ticks() {
	awk -v c="cpu${1:-}" '$1 == c { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# bench_other_cpu NETNS|-p PID SECONDS - cores busy over SECONDS outside the
# processes of NETNS, or outside process PID (other people's jobs on this
# machine, before or during a run).
bench_other_cpu() {
	local ours=(bench_ns_cpu_ticks "$1") b0 s0 b1 s1
	if [[ $1 == -p ]]; then
		ours=(bench_cpu_ticks "$2")
		shift
	fi
	b0=$(bench_busy_ticks) s0=$("${ours[@]}")
	sleep "$2"
	b1=$(bench_busy_ticks) s1=$("${ours[@]}")
	# (the two counters tick apart: never below 0)
	bench_ticks_per_s $((b1 - b0 > s1 - s0 ? b1 - b0 - (s1 - s0) : 0)) "$2"
}

# bench_cpu_sample NETNS CPU - one line: the time, the CPU ticks of NETNS's
# processes, CPU's busy ticks, then bench_softirq_ticks.
bench_cpu_sample() {
	echo "$(bench_now) $(bench_ns_cpu_ticks "$1") $(bench_busy_ticks "$2") $(bench_softirq_ticks)"
}

# bench_load_window NETNS IFACE CPU SECONDS OUT - the CPU figures of a run
# of SECONDS taken over its load alone: a tool's own start and end are left
# out (kxdpgun idles about a second before its first query and after its
# last). Run in the background as the tool starts. Once IFACE in NETNS
# receives packets (the first came after the last poll that saw none), 0.1 s
# later and 0.3 s before SECONDS from that poll, bench_cpu_sample lines go to
# OUT. A window shorter than 0.5 s, or the sampler killed before its end,
# leaves OUT with fewer than two lines; bench_load_why says which (from
# OUT.why; neither file may exist before).
bench_load_window() {
	local ns=$1 dev=$2 cpu=$3 secs=$4 out=$5 p0 t begin=$EPOCHREALTIME miss=$EPOCHREALTIME left
	p0=$(bench__rx_packets "$ns" "$dev")
	while t=$EPOCHREALTIME && (($(bench__rx_packets "$ns" "$dev") <= p0 + 100)); do
		miss=$t
		sleep 0.02
	done
	sleep 0.1
	bench_cpu_sample "$ns" "$cpu" >"$out"
	left=$(awk -v m="$miss" -v s="$secs" -v now="$EPOCHREALTIME" 'BEGIN { print m + s - 0.3 - now }')
	if awk -v l="$left" 'BEGIN { exit !(l < 0.5) }'; then
		awk -v s="$t" -v b="$begin" 'BEGIN { printf "the load was first seen %.2f s after the run began\n", s - b }' \
			>"$out.why"
		return 0
	fi
	sleep "$left"
	bench_cpu_sample "$ns" "$cpu" >>"$out"
}

# bench_load_why OUT - why bench_load_window's OUT holds no window.
bench_load_why() {
	if [[ -s $1.why ]]; then
		cat "$1.why"
	elif [[ -s $1 ]]; then
		echo "the window's last sample did not come in time"
	else
		echo "the server's interface never received the load"
	fi
}

bench__rx_packets() { # NETNS IFACE
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets" 2>/dev/null || echo 0
}

# bench_load_cpu OUT - from bench_load_window's OUT: "KEY VALUE" lines for
# server_cpu (cores busy in NETNS's processes), softirq_cpu (all CPUs),
# softirq_per_cpu (each, "/"-joined), gen_cpu_busy (the CPU's busy cores)
# and load_seconds; nothing when OUT holds no window.
bench_load_cpu() {
	[[ -f $1 ]] && (($(wc -l <"$1") == 2)) || return 0
	awk -v hz="$BENCH_CLK_TCK" '
		{ for (i = 1; i <= NF; i++) v[NR, i] = $i; n = NF }
		END {
			s = v[2, 1] - v[1, 1]
			printf "load_seconds %.3f\n", s
			printf "server_cpu %.2f\n", (v[2, 2] - v[1, 2]) / hz / s
			printf "gen_cpu_busy %.2f\n", (v[2, 3] - v[1, 3]) / hz / s
			printf "softirq_cpu %.2f\nsoftirq_per_cpu ", (v[2, 4] - v[1, 4]) / hz / s
			for (i = 5; i <= n; i++) printf "%s%.2f", (i == 5 ? "" : "/"), (v[2, i] - v[1, i]) / hz / s
			print ""
		}' "$1"
}

# bench_wait_quiet SECONDS - wait up to SECONDS until other jobs use less
# than half a core (sampled over 2 s); go on anyway after that.
bench_wait_quiet() {
	local deadline=$((SECONDS + $1)) other
	while :; do
		other=$(bench_other_cpu "${LAB_NS_S:-none}" 2)
		awk -v o="$other" 'BEGIN { exit !(o < 0.5) }' && return 0
		if ((SECONDS >= deadline)); then
			bench_log "the machine is busy with other jobs ($other cores): measuring anyway"
			return 0
		fi
		bench_log "waiting for a quieter machine (other jobs use $other cores)"
	done
}

# bench_ticks_per_s TICKS SECONDS - CPU seconds per second (cores busy).
bench_ticks_per_s() {
	awk -v t="$1" -v s="$2" -v hz="$BENCH_CLK_TCK" 'BEGIN {
		if (s + 0 == 0) print "null"; else printf "%.2f\n", t / hz / s }'
}

# bench_proc_kb PID FIELD - VmRSS, VmHWM... from /proc/PID/status, in kB.
bench_proc_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null
}

# ---- the lab ---------------------------------------------------------------

# bench_lab_busy - what holds the lab, if anything: mvdns-* namespaces, or
# the integration tests or the demo running (tests/lab/run.sh tears down any
# lab it finds up, so starting between two of its scripts is not enough).
bench_lab_busy() {
	local ns pid env procs=
	ns=$(ip netns list | awk '$1 ~ /^mvdns-/ { printf "%s ", $1 }')
	for pid in $(pgrep -f -- '(tests/lab/(run|test_)[a-z_]*\.sh|lab/demo\.sh|(^|/)make( -C [^ ]+)? (check|lab|demo)( |$))' || true); do
		# Gone already, or a lab of other namespaces (LAB_NS_S=... in its
		# environment): no business of ours.
		env=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ") || continue
		if grep -q '^LAB_NS_S=' <<<"$env" && ! grep -qx "LAB_NS_S=$LAB_NS_S" <<<"$env"; then
			continue
		fi
		procs+="$pid "
	done
	[[ -n $ns ]] && printf 'namespaces %s' "$ns"
	[[ -n $procs ]] && printf 'tests or demo running (pids %s)' "$procs"
	[[ -n $ns || -n $procs ]]
}

# bench_lab_up - wait (up to BENCH_LAB_WAIT seconds, default 600) until the
# lab is free (bench_lab_busy) twice in a row, then bring it up with
# lab/lab.sh. The lab is ours from then on: it comes down at exit. Fails if
# it stays busy.
bench_lab_up() {
	local deadline=$((SECONDS + ${BENCH_LAB_WAIT:-600})) busy free=0
	while :; do
		if busy=$(bench_lab_busy); then
			free=0
		elif ((++free >= 2)); then
			BENCH_LAB_OWNED=1
			lab_up && break
			BENCH_LAB_OWNED=0
			free=0
		fi
		((SECONDS < deadline)) ||
			bench_die "the lab stayed busy for ${BENCH_LAB_WAIT:-600} s: $busy"
		((free)) || bench_log "waiting for the lab: $busy"
		sleep 5
	done
	# One queue each way on the client, one TX queue on the server: every
	# query reaches the server's RX queue 0 (knotd's XDP mode binds that
	# queue only) and every reply the client's RX queue 0 (kxdpgun's one
	# thread binds that one; XDP_TX on veth picks the peer's queue by CPU).
	# veth allows XDP only with RX queues >= the peer's TX queues.
	lab_exec_s ethtool -L "$LAB_IF_S" tx 1 >/dev/null
	lab_exec_c ethtool -L "$LAB_IF_C" rx 1 tx 1 >/dev/null
}

# bench_lab_check - die if our lab has gone (someone else tore it down).
bench_lab_check() {
	[[ -e /run/netns/$LAB_NS_S && -e /run/netns/$LAB_NS_C ]] ||
		bench_die "the lab's namespaces disappeared during the run: someone else tore the lab down (tests/lab/run.sh removes any lab it finds up)"
}

# bench_shm_dir - a private directory for the control channel of a dataplane
# run outside the lab (the lab makes its own): dpwrap.sh binds it over
# /dev/shm and bench_ctl_start's mvdns-control scans it (--shm-dir), so no
# other control process on this machine feeds our dataplane.
bench_shm_dir() {
	if [[ -z ${BENCH_SHM:-} ]]; then
		BENCH_SHM=$(mktemp -d /dev/shm/mvdns-bench.XXXXXX)
		bench_on_cleanup rm -rf "$BENCH_SHM"
	fi
	export BENCH_SHM
}

# bench_dp_start DRIVER [ZONE...] - lab_start_dataplane through dpwrap.sh
# (no zone: fed by the lab's control, see lab_start_control).
# BENCH_VDEV_EXTRA (appended to af_xdp vdevs), BENCH_LCORES (replaces -l
# with --lcores) and BENCH_APP_EXTRA (the dataplane's own options) shape the
# variants; LAB_LCORES works as in the lab.
bench_dp_start() {
	# The lab binds its own private directory over /dev/shm.
	BENCH_SHM='' BENCH_DATAPLANE=$BENCH_DATAPLANE BENCH_VDEV_EXTRA="${BENCH_VDEV_EXTRA:-}" \
		BENCH_LCORES="${BENCH_LCORES:-}" BENCH_APP_EXTRA="${BENCH_APP_EXTRA:-}" \
		LAB_DATAPLANE=$BENCH_DIR/dpwrap.sh lab_start_dataplane "$@"
}

# bench_lab_control - the lab's mvdns-control (lab_start_control: in mvdns-s,
# state under our temp dir, so on disk); bench_ctl talks to it.
bench_lab_control() {
	local out
	if ! out=$(LAB_READY_TIMEOUT=60 lab_start_control 2>&1); then
		bench_error "mvdns-control did not start in the lab" "lab_start_control" "$out"
		return 1
	fi
	lab__load_state
	BENCH_CTL_SOCK=$LAB_CTL_SOCK
}

# bench_ctl_start [--keep-state SECONDS] - mvdns-control outside the lab, on
# a fresh state directory (on disk, so its fsyncs cost what they cost),
# feeding the dataplanes in $BENCH_SHM (bench_nn_start's). --keep-state:
# restart on the state the last one left, allowing SECONDS to restore it.
# Sets BENCH_CTL_SOCK and BENCH_CTL_PID.
bench_ctl_start() {
	local state=$BENCH_TMP/ctl-state log=$BENCH_TMP/control.log wait=15
	bench_shm_dir
	if [[ ${1:-} == --keep-state ]]; then
		wait=$2
	else
		rm -rf "$state"
	fi
	mkdir -p "$state"
	BENCH_CTL_SOCK=$BENCH_TMP/control.sock
	"$BENCH_CONTROL" --foreground --state-dir "$state" --socket "$BENCH_CTL_SOCK" \
		--shm-dir "$BENCH_SHM" </dev/null >"$log" 2>&1 &
	BENCH_CTL_PID=$!
	bench_on_cleanup bench__kill_wait "$BENCH_CTL_PID"
	if ! lab_wait_for "$wait" grep -q 'mvdns-control: ready' "$log"; then
		bench_error "mvdns-control did not start" \
			"$BENCH_CONTROL --foreground --state-dir $state --socket $BENCH_CTL_SOCK --shm-dir $BENCH_SHM" \
			"$(cat "$log")"
		return 1
	fi
}

# bench_ctl_stop [SECONDS] - stop it (it snapshots its state first), allowing
# SECONDS (10) before SIGKILL.
bench_ctl_stop() {
	[[ -n ${BENCH_CTL_PID:-} ]] || return 0
	bench__kill_wait "$BENCH_CTL_PID" "${1:-10}"
	BENCH_CTL_PID=
}

# bench__kill_wait PID [SECONDS] - SIGTERM, wait up to SECONDS (10), then SIGKILL.
bench__kill_wait() {
	local pid=$1 secs=${2:-10} i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 10; i++)); do
		bench__alive "$pid" || break
		sleep 0.1
	done
	if bench__alive "$pid"; then
		bench_log "pid $pid ignored SIGTERM for $secs s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true # reaps it when it is our child
}

# bench__alive PID - exists and is not a zombie.
bench__alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# bench_worker_stalls DUMP - "STALLS STALLED_US LONG" from DUMP, the lab
# dataplane's counters (lab_counters): worker.stalls and worker.stalled-us,
# the turns of a worker's loop 1 ms or more late (its CPU taken), and
# worker.long-stalls, those of 50 ms or more (the host stopping the vCPU);
# nothing if DUMP lacks them.
bench_worker_stalls() {
	awk '$1 == "worker.stalls" { st = $2 } $1 == "worker.stalled-us" { us = $2 }
		$1 == "worker.long-stalls" { lg = $2 }
		END { if (st != "" && us != "" && lg != "") print st, us, lg }' <<<"$1"
}

# bench_ctl [-c] TIMEOUT ARGS... - bench/ctl.py against our control socket,
# for at most TIMEOUT seconds; with -c in the client namespace (its probes
# reach the dataplane over the lab's veth). Pinned to CPU $BENCH_CTL_CPU
# when that is set (bench_keep_worker_cpu).
bench_ctl() {
	local pin=() ns=()
	if [[ $1 == -c ]]; then
		ns=(ip netns exec "$LAB_NS_C")
		shift
	fi
	[[ -z ${BENCH_CTL_CPU:-} ]] || pin=(taskset -c "$BENCH_CTL_CPU")
	timeout "$1" "${ns[@]}" "${pin[@]}" "$BENCH_PY" "$BENCH_DIR/ctl.py" \
		--socket "$BENCH_CTL_SOCK" "${@:2}"
}

# bench_keep_worker_cpu - for a family that measures mvdns-control beside
# the lab's dataplane (-l 0,1: main lcore on CPU 0, worker on 1): CPU 1 is
# the worker's alone, as isolcpus would keep it on a server. mvdns-control
# (every thread) and the family's clients (bench_ctl, through
# BENCH_CTL_CPU) run on CPU 0 with the main lcore. Unpinned, the scheduler
# put them on CPU 1 for milliseconds at a time, and the AF_XDP socket's
# ring overflowed meanwhile (queries dropped at veth-s in the update
# storms; bench/HISTORY.md, tenth stop). The latency figures moved within
# their noise either way (eleventh stop); they are taken the same way.
bench_keep_worker_cpu() {
	taskset -a -p -c 0 "$LAB_CTL_PID" >/dev/null
	BENCH_CTL_CPU=0
}

# ---- a dataplane with no network ----------------------------------------------
# For start-up and memory figures: a net_null port that receives nothing,
# in a mount namespace of its own (unshare -m; dpwrap.sh binds $BENCH_SHM
# over /dev/shm there). Sets BENCH_NN_PID, BENCH_NN_LOG and BENCH_NN_CMD.
# shellcheck disable=SC2054 # the commas are inside EAL arguments
BENCH_NN_EAL=(-l 0,1 --no-huge --no-shconf -m 512 --no-pci --vdev=net_null0,no-rx=1)
BENCH_NN_PID=

# bench_nn_start ZONE TAG - start it with --load ZONE, in the background.
bench_nn_start() {
	bench_shm_dir
	BENCH_NN_LOG=$BENCH_TMP/dataplane-$2.log
	BENCH_NN_CMD="unshare -m $BENCH_DIR/dpwrap.sh ${BENCH_NN_EAL[*]} -- --addr 10.53.0.1 --load $1 --channel $BENCH_FAMILY-$2"
	: >"$BENCH_NN_LOG" # before bench_nn_wait_ready greps it
	# shellcheck disable=SC2086 # BENCH_NN_CMD is split on purpose
	BENCH_DATAPLANE=$BENCH_DATAPLANE $BENCH_NN_CMD </dev/null >"$BENCH_NN_LOG" 2>&1 &
	BENCH_NN_PID=$!
}

# bench_nn_wait_ready TIMEOUT - until the ready line (0), or exit or timeout (1).
bench_nn_wait_ready() {
	local deadline=$((SECONDS + $1))
	until grep -q 'mvdns-dataplane: ready' "$BENCH_NN_LOG"; do
		bench__alive "$BENCH_NN_PID" || return 1
		((SECONDS < deadline)) || return 1
		sleep 0.01
	done
}

bench_nn_stop() {
	[[ -n $BENCH_NN_PID ]] || return 0
	bench__kill_wait "$BENCH_NN_PID"
	BENCH_NN_PID=
}

# bench_nn_output - what it printed, EAL's chatter left out.
bench_nn_output() {
	grep -v -e '^EAL:' -e '^TELEMETRY:' "$BENCH_NN_LOG" | tail -n "${1:-5}"
}

# ---- load generators in the client namespace ----------------------------------
# Each prints "key value" lines: sent_per_s answered_per_s loss_pct noerror
# reply_bytes, and for dnsperf latency_avg_ms latency_sd_ms latency_max_ms;
# fails when the output has no figures. BENCH_RUN_CMD and BENCH_RUN_OUT keep
# the command (query file relative) and its output: call them directly, not
# in $(...).

# bench_kxdpgun QUERIES CPU SECONDS QPS - kxdpgun's one thread pinned to CPU.
bench_kxdpgun() {
	local q=$1 cpu=$2 secs=$3 qps=$4
	ip -n "$LAB_NS_C" link set dev "$LAB_IF_C" xdp off 2>/dev/null || true
	BENCH_RUN_CMD="ip netns exec $LAB_NS_C kxdpgun -t $secs -Q $qps -F $cpu -i $(basename "$q") $BENCH_ADDR"
	# kxdpgun needs bpffs, which `ip netns exec` leaves out of /sys.
	BENCH_RUN_OUT=$(timeout $((secs + 60)) ip netns exec "$LAB_NS_C" sh -c \
		'mount -t bpf bpf /sys/fs/bpf 2>/dev/null; exec "$@"' sh \
		kxdpgun -t "$secs" -Q "$qps" -F "$cpu" -i "$q" "$BENCH_ADDR" 2>&1) || true
	# it leaves its XDP program on the interface
	ip -n "$LAB_NS_C" link set dev "$LAB_IF_C" xdp off 2>/dev/null || true
	awk '
		/^total queries:/ { q = $3; gsub(/[(]/, "", $4); qps = $4 }
		/^total replies:/ { r = $3; gsub(/[(]/, "", $4); rps = $4 }
		/^responded NOERROR:/ { ne = $3 }
		/^average DNS reply size:/ { sz = $5 }
		END {
			if (q == "") exit 1
			print "sent_per_s", qps; print "answered_per_s", rps + 0
			printf "loss_pct %.2f\n", q ? 100 * (q - r) / q : 0
			print "noerror", ne + 0; print "reply_bytes", sz + 0
		}' <<<"$BENCH_RUN_OUT"
}

# bench_percentiles - latencies in seconds on stdin, one a line: their count,
# p50, p90, p99, p99.9 (nearest rank) and maximum in ms, as "key value" lines.
bench_percentiles() {
	sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) exit
			print "latency_samples", NR
			n = split("50 90 99 99.9", p, " ")
			for (j = 1; j <= n; j++) {
				k = p[j] * NR / 100; r = int(k); if (r < k) r++; if (r < 1) r = 1
				key = p[j]; sub(/[.]/, "", key)
				printf "latency_p%s_ms %.3f\n", key, v[r] * 1000
			}
			printf "latency_max_ms %.3f\n", v[NR] * 1000
		}'
}

# bench_dnsperf QUERIES CPU SECONDS [DNSPERF OPTIONS...] - pinned with taskset.
# With -v among the options (dnsperf prints every answer's latency), the
# answers' percentiles too (bench_percentiles), instead of the maximum of
# dnsperf's summary; queries lost have no latency and count in loss_pct.
# shellcheck disable=SC2034 # BENCH_RUN_CMD is for the caller
bench_dnsperf() {
	local q=$1 cpu=$2 secs=$3 lat=
	shift 3
	BENCH_RUN_CMD="ip netns exec $LAB_NS_C taskset -c $cpu dnsperf -s $BENCH_ADDR -d $(basename "$q") -l $secs $*"
	BENCH_RUN_OUT=$(timeout $((secs + 60)) ip netns exec "$LAB_NS_C" taskset -c "$cpu" \
		dnsperf -s "$BENCH_ADDR" -d "$q" -l "$secs" "$@" 2>&1) || true
	if [[ " $* " == *" -v "* ]]; then # "> NOERROR NAME TYPE SECONDS" a line
		lat=$(awk '$1 == ">" && $NF ~ /^[0-9.]+$/ { print $NF }' <<<"$BENCH_RUN_OUT" | bench_percentiles)
		BENCH_RUN_OUT=$(grep -v '^> ' <<<"$BENCH_RUN_OUT" || true)
	fi
	awk -v percentiles="${lat:+1}" '
		/Queries sent:/ { s = $3 }
		/Queries lost:/ { l = $3 }
		/Response codes:/ { for (i = 3; i < NF; i++) if ($i == "NOERROR") ne = $(i + 1) }
		/Average packet size:/ { sz = $NF }
		/Run time/ { t = $NF }
		/Queries per second:/ { qps = $NF }
		/Average Latency/ { avg = $4; max = $NF; gsub(/[)]/, "", max) }
		/Latency StdDev/ { sd = $NF }
		END {
			if (s == "" || t == "") exit 1
			printf "sent_per_s %d\nanswered_per_s %d\n", s / t, qps
			printf "loss_pct %.2f\n", s ? 100 * l / s : 0
			print "noerror", ne + 0; print "reply_bytes", sz + 0
			printf "latency_avg_ms %.3f\nlatency_sd_ms %.3f\n", avg * 1000, sd * 1000
			if (!percentiles) printf "latency_max_ms %.3f\n", max * 1000
		}' <<<"$BENCH_RUN_OUT" || return 1
	[[ -z $lat ]] || printf '%s\n' "$lat"
}
