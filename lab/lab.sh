#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# lab.sh - a two-host lab in network namespaces for mvdns-dataplane and
# mvdns-control.
#
#   mvdns-c (client)                         mvdns-s (server)
#   veth-c 10.53.0.2/24 fd53::2/64  <---->  veth-s (no kernel address)
#                                            mvdns-dataplane owns 10.53.0.1
#                                            and fd53::1 through a DPDK vdev;
#                                            mvdns-control feeds it
#
# Source it from tests, benchmarks and the demo:
#
#   . lab/lab.sh
#   lab_install_traps                # tear everything down on exit/interrupt
#   lab_up
#   lab_start_dataplane af_xdp zone.json [more.json ...]    # --load, or:
#   lab_start_control                # mvdns-control with a private state dir
#   lab_start_dataplane af_xdp       # no zone: fed (and synced) by the control
#   lab_ctl create-hosted-zone --name example.com --caller-reference r1
#   lab_exec_c dig @10.53.0.1 www.example.com A
#   lab_counter answer-noerror
#   lab_stop_dataplane               # SIGTERM; the counters stay in the log
#   lab_stop_control                 # SIGTERM (lab_stop_control KILL for kill -9)
#   lab_down                         # idempotent; also removes the control's state
#
# or run it:  lab/lab.sh up [xdp]|down|status
#             lab/lab.sh start DRIVER [ZONE.json...]   (for an interactive lab)
#             lab/lab.sh control-start|control-stop
#             lab/lab.sh ctl MVDNSCTL-ARGS...   (mvdnsctl against the lab's control)
#             lab/lab.sh stop|counters
#
# Isolation. Every dataplane of the lab runs with a private directory
# (/dev/shm/mvdns-lab.XXXXXX, made by lab_up) bind-mounted over /dev/shm in
# its own mount namespace, and the lab's mvdns-control scans only that
# directory (--shm-dir) for the lab's channel only (--channel). So the lab's
# control feeds only the lab's dataplane, and no other control process on the
# machine (they scan /dev/shm) sees it.
# A dataplane started with --load uses a subdirectory the control does not
# scan: it serves its files and nothing else.
#
# Drivers: af_packet, af_xdp (one vdev per veth queue), tap (net_tap's
# interface tap-s is wired to veth-s with tc mirred redirects, see
# lab__wire_tap for why not a bridge); and xdp, the deployment beside a
# kernel that keeps the host: `lab_up xdp` gives veth-s one queue and the
# kernel the server's addresses, and the dataplane's af_xdp port loads
# bpf/xdp_dns.bpf.o, which steers DNS (UDP and TCP to port 53) to it and
# leaves ARP, ND, ping and every other port to the kernel.
#
# DPDK runs without hugepages (--no-huge --no-shconf -m 512 --no-pci), so the
# lab reserves none. The functions return non-zero on failure (they do not
# exit) and work with or without `set -euo pipefail` in the caller.
#
# Environment (all optional):
#   LAB_NS_S, LAB_NS_C  the namespaces (default: mvdns-s, mvdns-c); other
#                       names (and another LAB_STATE_DIR) give a second lab
#                       beside the first
#   LAB_DATAPLANE       binary (default: <repo>/build/dataplane/mvdns-dataplane)
#   LAB_XDP_PROG        the xdp driver's XDP object (default:
#                       <repo>/build/bpf/xdp_dns.bpf.o)
#   LAB_STATE_DIR       pid file, driver and logs (default: /run/mvdns-lab)
#   LAB_LOG_DIR         where dataplane logs go (default: $LAB_STATE_DIR; logs
#                       elsewhere survive lab_down)
#   LAB_READY_TIMEOUT   seconds to wait for the ready line (default: 30)
#   LAB_STOP_TIMEOUT    seconds to wait for exit after SIGTERM (default: 10)
#   LAB_LCORES          EAL -l list (default: 0,1: main on 0, one worker on 1)
#   LAB_EAL_EXTRA       extra EAL options, split on whitespace
#   LAB_APP_EXTRA       extra mvdns-dataplane options (after --), split on whitespace
#   LAB_CHANNEL         the dataplane's control channel, mvdns-dp-NAME in the
#                       lab's private shm directory (default: lab-PID, PID of
#                       the shell that ran lab_up, so unique per run)
#   LAB_CONTROL         mvdns-control binary (default:
#                       <repo>/build/control/daemon/mvdns-control)
#   LAB_CLI             mvdnsctl binary (default: <repo>/build/control/cli/mvdnsctl)
#   LAB_CTL_DIR         the control's state directory and socket (default:
#                       $LAB_STATE_DIR/control; removed by lab_down)
#   LAB_PID_RECORD      file to which every started PID is appended (the test
#                       runner checks that none survives a test)

LAB_NS_S=${LAB_NS_S:-mvdns-s}
LAB_NS_C=${LAB_NS_C:-mvdns-c}
LAB_IF_S=veth-s
LAB_IF_C=veth-c
LAB_IF_TAP=tap-s
LAB_ADDR4_S=10.53.0.1
LAB_ADDR4_C=10.53.0.2
LAB_ADDR6_S=fd53::1
LAB_ADDR6_C=fd53::2
LAB_DRIVERS=(af_packet af_xdp tap) # every test runs on these
LAB_DRIVER_XDP=xdp                  # only tests that ask for it (their "# drivers:")
LAB_READY_PATTERN='^mvdns-dataplane: ready'
# Every counter the dataplane prints on SIGUSR1, as it names them: what a dump
# must hold to be complete, what lab__dump_parse keeps, and the names that
# lab_counter_name takes as they are.
LAB_COUNTER_NAMES=(
	verdict.answer-noerror verdict.answer-nodata verdict.answer-nxdomain verdict.answer-referral
	verdict.answer-refused verdict.answer-formerr verdict.answer-notimp
	verdict.answer-badvers verdict.answer-truncated verdict.arp-reply
	verdict.nd-advert verdict.icmp-echo verdict.drop-short
	verdict.drop-not-query verdict.drop-not-for-us verdict.drop-unsupported
	verdict.drop-malformed verdict.tcp-syn-ack verdict.tcp-fin-ack
	verdict.tcp-reset verdict.tcp-no-reply verdict.drop-tcp-partial tx-dropped
	port.rx-packets port.rx-missed port.rx-nombuf port.rx-errors port.tx-packets port.tx-errors
	worker.stalls worker.stalled-us worker.longest-stall-us worker.long-stalls
)

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_DATAPLANE=${LAB_DATAPLANE:-$LAB_ROOT/build/dataplane/mvdns-dataplane}
LAB_XDP_PROG=${LAB_XDP_PROG:-$LAB_ROOT/build/bpf/xdp_dns.bpf.o}
LAB_STATE_DIR=${LAB_STATE_DIR:-/run/mvdns-lab}
LAB_LOG_DIR=${LAB_LOG_DIR:-$LAB_STATE_DIR}
LAB_READY_TIMEOUT=${LAB_READY_TIMEOUT:-30}
LAB_STOP_TIMEOUT=${LAB_STOP_TIMEOUT:-10}
LAB_LCORES=${LAB_LCORES:-0,1}
LAB_EAL_EXTRA=${LAB_EAL_EXTRA:-}
LAB_APP_EXTRA=${LAB_APP_EXTRA:-}
LAB_CHANNEL=${LAB_CHANNEL:-}
LAB_PID_RECORD=${LAB_PID_RECORD:-}
LAB_CONTROL=${LAB_CONTROL:-$LAB_ROOT/build/control/daemon/mvdns-control}
LAB_CLI=${LAB_CLI:-$LAB_ROOT/build/control/cli/mvdnsctl}
LAB_CTL_DIR=${LAB_CTL_DIR:-$LAB_STATE_DIR/control}
LAB_CTL_SOCK=$LAB_CTL_DIR/control.sock
LAB_CTL_READY_PATTERN='^mvdns-control: ready'
# The dataplanes' private /dev/shm (made by lab_up, recorded in $LAB_STATE_DIR).
LAB_SHM_DIR=${LAB_SHM_DIR:-}

# Set by lab_start_dataplane (and read back from $LAB_STATE_DIR by the
# command-line entry points): PID, log path, driver, and the exit status
# collected by lab_stop_dataplane.
LAB_DP_PID=${LAB_DP_PID:-}
LAB_DP_LOG=${LAB_DP_LOG:-}
LAB_DP_DRIVER=${LAB_DP_DRIVER:-}
LAB_DP_STATUS=
LAB_DP_CHILD=0
LAB_DP_ATTACHED=${LAB_DP_ATTACHED:-0}
# Scratch directories of the caller's, removed by the exit trap.
LAB_TMP_DIRS=()
# 1 once this shell's lab_up got past "a lab is already up": the exit trap
# tears down only a lab of its own, never one that someone else runs.
LAB_OWNED=0

# The same for mvdns-control (lab_start_control).
LAB_CTL_PID=${LAB_CTL_PID:-}
LAB_CTL_LOG=${LAB_CTL_LOG:-}
LAB_CTL_STATUS=
LAB_CTL_CHILD=0

lab_log() {
	printf 'lab: %s\n' "$*" >&2
}

lab_exec_s() {
	ip netns exec "$LAB_NS_S" "$@"
}

lab_exec_c() {
	ip netns exec "$LAB_NS_C" "$@"
}

lab_is_up() {
	[[ -e /run/netns/$LAB_NS_S || -e /run/netns/$LAB_NS_C ]]
}

# Wait until "$@" succeeds, polling every 0.1 s; fail after $1 seconds.
lab_wait_for() {
	local timeout=$1 deadline
	shift
	deadline=$((SECONDS + timeout))
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

lab__check_prereqs() {
	local cmd
	if ((EUID != 0)); then
		lab_log "must run as root"
		return 1
	fi
	for cmd in ip ethtool tc sysctl; do
		if ! command -v "$cmd" >/dev/null; then
			lab_log "missing command: $cmd"
			return 1
		fi
	done
}

# Create the namespaces and the veth pair. Fails (without touching anything)
# if a lab is already up: it may belong to someone else's run.
# lab_up [xdp] - create the namespaces; "xdp": the shape of the xdp driver.
lab_up() {
	local shape=${1:-bypass}
	[[ $shape == "$LAB_DRIVER_XDP" ]] || shape=bypass
	lab__check_prereqs || return 1
	if lab_is_up; then
		lab_log "a lab is already up (namespace $LAB_NS_S or $LAB_NS_C exists);" \
			"run '$LAB_ROOT/lab/lab.sh down' first"
		return 1
	fi
	# From here on the lab is this shell's: the exit trap may take it down.
	LAB_OWNED=1
	if ! lab__create "$shape"; then
		lab_log "lab_up failed; tearing down"
		lab_down
		return 1
	fi
	if [[ $shape == bypass ]]; then
		lab_log "up: $LAB_NS_C ($LAB_IF_C $LAB_ADDR4_C $LAB_ADDR6_C)" \
			"<-> $LAB_NS_S ($LAB_IF_S, no kernel address)"
	else
		lab_log "up: $LAB_NS_C ($LAB_IF_C $LAB_ADDR4_C $LAB_ADDR6_C)" \
			"<-> $LAB_NS_S ($LAB_IF_S, one queue, kernel $LAB_ADDR4_S $LAB_ADDR6_S)"
	fi
}

# lab__create SHAPE - bypass: the dataplane owns the server's addresses;
# xdp: the kernel does, on a one-queue veth-s (see Drivers above).
lab__create() {
	local shape=$1 queues=2
	[[ $shape == bypass ]] || queues=1
	mkdir -p "$LAB_STATE_DIR" "$LAB_LOG_DIR" &&
		echo "$shape" >"$LAB_STATE_DIR/shape" &&
		LAB_SHM_DIR=$(mktemp -d /dev/shm/mvdns-lab.XXXXXX) &&
		echo "$LAB_SHM_DIR" >"$LAB_STATE_DIR/shm.dir" &&
		mkdir "$LAB_SHM_DIR/standalone" &&
		LAB_CHANNEL=${LAB_CHANNEL:-lab-$$} &&
		echo "$LAB_CHANNEL" >"$LAB_STATE_DIR/channel" &&
		ip netns add "$LAB_NS_S" &&
		ip netns add "$LAB_NS_C" &&
		# Bypass: the server's kernel must stay quiet: no IPv6 on its
		# interfaces (veth-s and the tap are created after this), so it
		# sends no router solicitations or MLD reports and answers nothing.
		{ [[ $shape != bypass ]] ||
			lab_exec_s sysctl -qw net.ipv6.conf.default.disable_ipv6=1; } &&
		ip link add "$LAB_IF_S" netns "$LAB_NS_S" numtxqueues $queues numrxqueues $queues \
			type veth peer name "$LAB_IF_C" netns "$LAB_NS_C" \
			numtxqueues $queues numrxqueues $queues &&
		{ [[ $shape == bypass ]] || {
			ip -n "$LAB_NS_S" addr add "$LAB_ADDR4_S/24" dev "$LAB_IF_S" &&
				ip -n "$LAB_NS_S" addr add "$LAB_ADDR6_S/64" dev "$LAB_IF_S" nodad
		}; } &&
		ip -n "$LAB_NS_S" link set lo up &&
		ip -n "$LAB_NS_C" link set lo up &&
		ip -n "$LAB_NS_C" addr add "$LAB_ADDR4_C/24" dev "$LAB_IF_C" &&
		ip -n "$LAB_NS_C" addr add "$LAB_ADDR6_C/64" dev "$LAB_IF_C" nodad &&
		lab_exec_c sysctl -qw "net.ipv6.conf.$LAB_IF_C.router_solicitations=0" &&
		# Queries through XDP/AF_XDP would otherwise carry unfinished
		# UDP checksums (see LAB.md).
		lab_exec_c ethtool -K "$LAB_IF_C" tx off >/dev/null &&
		ip -n "$LAB_NS_S" link set "$LAB_IF_S" up &&
		ip -n "$LAB_NS_C" link set "$LAB_IF_C" up &&
		lab_wait_for 5 lab__links_up
}

lab__links_up() {
	[[ $(ip -n "$LAB_NS_S" -br link show "$LAB_IF_S" | awk '{ print $2 }') == UP &&
		$(ip -n "$LAB_NS_C" -br link show "$LAB_IF_C" | awk '{ print $2 }') == UP ]]
}

# Remove everything the lab made. Safe to call at any time, any number of
# times.
lab_down() {
	local ns pid pids=()

	lab__load_state
	if [[ -n $LAB_CTL_PID ]]; then
		lab_stop_control >/dev/null 2>&1 || true
	fi
	if [[ -n $LAB_DP_PID ]]; then
		lab_stop_dataplane >/dev/null 2>&1 || true
	fi
	# Whatever else still runs inside the lab's namespaces was started in
	# them by the lab or by a test (dig, ping, tcpdump...).
	for ns in "$LAB_NS_S" "$LAB_NS_C"; do
		[[ -e /run/netns/$ns ]] || continue
		while read -r pid; do
			[[ -n $pid ]] && pids+=("$pid")
		done < <(ip netns pids "$ns" 2>/dev/null)
	done
	if ((${#pids[@]})); then
		lab_log "stopping leftover processes in the lab: ${pids[*]}"
		for pid in "${pids[@]}"; do
			lab__kill_wait "$pid" 5 || true
		done
	fi
	for ns in "$LAB_NS_S" "$LAB_NS_C"; do
		if [[ -e /run/netns/$ns ]]; then
			ip netns del "$ns" 2>/dev/null || lab_log "cannot delete namespace $ns"
		fi
	done
	rm -f "$LAB_STATE_DIR/dataplane.pid" "$LAB_STATE_DIR/dataplane.driver" \
		"$LAB_STATE_DIR/dataplane.logpath" "$LAB_STATE_DIR/dataplane.attached" \
		"$LAB_STATE_DIR/control.pid" "$LAB_STATE_DIR/control.logpath" \
		"$LAB_STATE_DIR/channel" "$LAB_STATE_DIR/shape"
	# The control's journal and snapshots, its socket, and the dataplanes'
	# private /dev/shm (with whatever a killed dataplane left in it).
	rm -rf "$LAB_CTL_DIR"
	if [[ $LAB_SHM_DIR == /dev/shm/mvdns-lab.* && -d $LAB_SHM_DIR ]]; then
		rm -rf "$LAB_SHM_DIR"
	fi
	rm -f "$LAB_STATE_DIR/shm.dir"
	if [[ $LAB_LOG_DIR == "$LAB_STATE_DIR" ]]; then
		rm -f "$LAB_STATE_DIR"/dataplane-*.log "$LAB_STATE_DIR"/control-*.log
	fi
	rmdir "$LAB_STATE_DIR" 2>/dev/null || true
	LAB_DP_PID='' LAB_DP_DRIVER='' LAB_DP_CHILD=0 LAB_DP_ATTACHED=0
	LAB_CTL_PID='' LAB_CTL_CHILD=0 LAB_SHM_DIR='' LAB_OWNED=0
	return 0
}

lab_status() {
	local ns
	if ! lab_is_up; then
		echo "lab: down"
		return 0
	fi
	for ns in "$LAB_NS_S" "$LAB_NS_C"; do
		echo "== $ns"
		ip -n "$ns" -br addr 2>/dev/null || echo "(missing)"
	done
	lab__load_state
	if [[ -n $LAB_DP_PID ]] && lab__pid_alive "$LAB_DP_PID"; then
		echo "== dataplane: $LAB_DP_DRIVER, pid $LAB_DP_PID, channel $LAB_CHANNEL," \
			"$( ((LAB_DP_ATTACHED)) && echo "fed by the control" || echo "--load")," \
			"log $LAB_DP_LOG"
	else
		echo "== dataplane: not running"
	fi
	if [[ -n $LAB_CTL_PID ]] && lab__pid_alive "$LAB_CTL_PID"; then
		echo "== control: pid $LAB_CTL_PID, socket $LAB_CTL_SOCK, state $LAB_CTL_DIR/state," \
			"log $LAB_CTL_LOG"
	else
		echo "== control: not running"
	fi
}

# Read the dataplane's state written by lab_start_dataplane in another shell.
# A recorded PID counts only while that process lives in the server
# namespace: a stale pid file must never make us signal someone else.
lab__load_state() {
	local pid
	if [[ -z $LAB_SHM_DIR && -r $LAB_STATE_DIR/shm.dir ]]; then
		LAB_SHM_DIR=$(<"$LAB_STATE_DIR/shm.dir")
	fi
	if [[ -z $LAB_CHANNEL && -r $LAB_STATE_DIR/channel ]]; then
		LAB_CHANNEL=$(<"$LAB_STATE_DIR/channel")
	fi
	if [[ -z $LAB_CTL_PID && -r $LAB_STATE_DIR/control.pid ]]; then
		pid=$(<"$LAB_STATE_DIR/control.pid")
		if lab__pid_in_lab "$pid"; then
			LAB_CTL_PID=$pid LAB_CTL_CHILD=0
			LAB_CTL_LOG=$(cat "$LAB_STATE_DIR/control.logpath" 2>/dev/null || true)
		else
			lab__forget_control
		fi
	fi
	[[ -z $LAB_DP_PID && -r $LAB_STATE_DIR/dataplane.pid ]] || return 0
	pid=$(<"$LAB_STATE_DIR/dataplane.pid")
	if ! lab__pid_in_lab "$pid"; then
		lab__forget_dataplane
		return 0
	fi
	LAB_DP_PID=$pid LAB_DP_CHILD=0
	LAB_DP_DRIVER=$(cat "$LAB_STATE_DIR/dataplane.driver" 2>/dev/null || true)
	LAB_DP_LOG=$(cat "$LAB_STATE_DIR/dataplane.logpath" 2>/dev/null || true)
	LAB_DP_ATTACHED=0
	[[ -e $LAB_STATE_DIR/dataplane.attached ]] && LAB_DP_ATTACHED=1
	return 0
}

lab__pid_in_lab() {
	local want got
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	want=$(stat -L -c %i "/run/netns/$LAB_NS_S" 2>/dev/null) || return 1
	got=$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null) || return 1
	[[ $want == "$got" ]]
}

# True while $1 exists and is not a zombie.
lab__pid_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# Send $3 (default TERM) to $1, wait up to $2 seconds, then SIGKILL. Fails
# if it had to kill.
lab__kill_wait() {
	local pid=$1 timeout=$2 sig=${3:-TERM}
	lab__pid_alive "$pid" || return 0
	kill "-$sig" "$pid" 2>/dev/null || return 0
	lab_wait_for "$timeout" lab__pid_dead "$pid" && return 0
	lab_log "pid $pid ignored SIG$sig for ${timeout}s; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	lab_wait_for 5 lab__pid_dead "$pid" || true
	return 1
}

# lab__kill_wait, without bash's "Killed" job notice when $3 is KILL (a
# crash on purpose).
lab__kill_quietly() {
	if [[ ${3:-} == KILL ]]; then
		{ lab__kill_wait "$@"; } 2>/dev/null
	else
		lab__kill_wait "$@"
	fi
}

lab__pid_dead() {
	! lab__pid_alive "$1"
}

# The vdev (and EAL) arguments for a driver.
lab__vdev_args() {
	case $1 in
	af_packet)
		echo "--vdev=net_af_packet0,iface=$LAB_IF_S"
		;;
	af_xdp)
		# queue_count=2 fails on veth (separate RX/TX channels): one
		# vdev per queue, or the other queue's packets reach the kernel.
		echo "--vdev=net_af_xdp0,iface=$LAB_IF_S,start_queue=0,queue_count=1"
		echo "--vdev=net_af_xdp1,iface=$LAB_IF_S,start_queue=1,queue_count=1"
		;;
	"$LAB_DRIVER_XDP")
		echo "--vdev=net_af_xdp0,iface=$LAB_IF_S,start_queue=0,queue_count=1,xdp_prog=$LAB_XDP_PROG"
		;;
	tap)
		echo "--vdev=net_tap0,iface=$LAB_IF_TAP"
		;;
	*)
		lab_log "unknown driver '$1' (want one of: ${LAB_DRIVERS[*]} $LAB_DRIVER_XDP)"
		return 1
		;;
	esac
}

# Join the tap to veth-s with a tc mirred redirect each way. A bridge would
# not do: net_tap gives the kernel's tap-s the same MAC as the DPDK port, so
# the bridge treats frames for the dataplane's MAC as its own and never
# forwards them to the tap. The redirects are a plain wire, ARP included.
lab__wire_tap() {
	local from to
	for from in "$LAB_IF_S" "$LAB_IF_TAP"; do
		to=$LAB_IF_TAP
		[[ $from == "$LAB_IF_TAP" ]] && to=$LAB_IF_S
		lab_exec_s tc qdisc add dev "$from" clsact || return 1
		lab_exec_s tc filter add dev "$from" ingress protocol all prio 1 \
			u32 match u32 0 0 action mirred egress redirect dev "$to" ||
			return 1
	done
}

lab__unwire_tap() {
	lab_exec_s tc qdisc del dev "$LAB_IF_S" clsact 2>/dev/null || true
}

lab__log_has_ready() {
	grep -q -- "$LAB_READY_PATTERN" "$1" 2>/dev/null
}

lab__tap_exists() {
	ip -n "$LAB_NS_S" link show "$LAB_IF_TAP" >/dev/null 2>&1
}

lab__show_log() {
	local log=$1 lines=${2:-40}
	[[ -r $log ]] || return 0
	lab_log "last $lines lines of $log:"
	tail -n "$lines" "$log" | sed 's/^/  | /' >&2
}

# lab_start_dataplane DRIVER [ZONE.json...] - start the dataplane in mvdns-s
# in the background and wait until it prints its ready line. With zone files
# it serves them (--load) and nothing else. Without, it starts empty on the
# lab's channel: when the lab's control runs (lab_start_control, before or
# after), the control feeds it, and this waits until the dataplane has
# applied the control's full state. Sets LAB_DP_PID and LAB_DP_LOG and
# records them in $LAB_STATE_DIR.
lab_start_dataplane() {
	local driver=${1:-} zone log pid wired=0 deadline eal=() app=() vdevs
	local shm bpffs=0 attached=1
	shift || true
	if [[ -z $driver ]]; then
		lab_log "usage: lab_start_dataplane DRIVER [ZONE.json...]"
		return 1
	fi
	vdevs=$(lab__vdev_args "$driver") || return 1
	if ! lab_is_up; then
		lab_log "the lab is not up (lab_up first)"
		return 1
	fi
	local shape=bypass want=bypass
	[[ ! -r $LAB_STATE_DIR/shape ]] || shape=$(<"$LAB_STATE_DIR/shape")
	[[ $driver != "$LAB_DRIVER_XDP" ]] || want=$driver
	if [[ $shape != "$want" ]]; then
		lab_log "driver $driver needs the lab up as '$want', it is '$shape'" \
			"(lab_up $([[ $want == bypass ]] || echo "$want"))"
		return 1
	fi
	lab__load_state
	if [[ -n $LAB_DP_PID ]] && lab__pid_alive "$LAB_DP_PID"; then
		lab_log "a dataplane is already running (pid $LAB_DP_PID)"
		return 1
	fi
	if [[ ! -x $LAB_DATAPLANE ]]; then
		lab_log "no dataplane binary at $LAB_DATAPLANE (build it: make -C $LAB_ROOT build)"
		return 1
	fi
	if [[ -z $LAB_SHM_DIR || ! -d $LAB_SHM_DIR/standalone ]]; then
		lab_log "the lab has no private shm directory (bring it up with this lab.sh)"
		return 1
	fi
	for zone in "$@"; do
		if [[ ! -r $zone ]]; then
			lab_log "cannot read zone file $zone"
			return 1
		fi
		app+=(--load "$(realpath "$zone")")
		attached=0
	done
	shm=$LAB_SHM_DIR
	((attached)) || shm=$LAB_SHM_DIR/standalone
	mapfile -t eal <<<"$vdevs"
	# shellcheck disable=SC2206 # LAB_EAL_EXTRA is a whitespace-split list.
	eal=(-l "$LAB_LCORES" --no-huge --no-shconf -m 512 --no-pci "${eal[@]}" $LAB_EAL_EXTRA)
	# shellcheck disable=SC2206 # LAB_APP_EXTRA is a whitespace-split list.
	app=(--addr "$LAB_ADDR4_S" --addr "$LAB_ADDR6_S" "${app[@]}" --channel "$LAB_CHANNEL"
		$LAB_APP_EXTRA)

	mkdir -p "$LAB_STATE_DIR" "$LAB_LOG_DIR" || return 1
	log=$LAB_LOG_DIR/dataplane-$driver-$(date +%H%M%S)-$$.log
	: >"$log" || return 1
	echo "lab: $LAB_DATAPLANE ${eal[*]} -- ${app[*]} (/dev/shm: $shm)" >>"$log"
	# `ip netns exec` gives the process a mount namespace of its own: bind
	# the private shm directory over /dev/shm there, and for af_xdp mount
	# bpffs, which libxdp wants (`ip netns exec` remounts /sys without it).
	# Both mounts live and die with the process. The shell execs the
	# dataplane, so $! is the dataplane's PID. A background job of a
	# non-interactive shell starts with SIGINT and SIGQUIT ignored; env
	# gives them back their default, as from a terminal.
	[[ $driver == af_xdp || $driver == "$LAB_DRIVER_XDP" ]] && bpffs=1
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$LAB_NS_S" env --default-signal=INT,QUIT /bin/sh -c '
		mount --bind "$1" /dev/shm || { echo "lab: cannot bind $1 over /dev/shm" >&2; exit 1; }
		if [ "$2" = 1 ]; then mount -t bpf bpf /sys/fs/bpf || echo "lab: no bpffs" >&2; fi
		shift 2
		exec "$@"' lab-dataplane "$shm" "$bpffs" \
		"$LAB_DATAPLANE" "${eal[@]}" -- "${app[@]}" </dev/null >>"$log" 2>&1 &
	pid=$!
	LAB_DP_PID=$pid LAB_DP_LOG=$log LAB_DP_DRIVER=$driver LAB_DP_STATUS='' LAB_DP_CHILD=1
	LAB_DP_ATTACHED=$attached
	echo "$pid" >"$LAB_STATE_DIR/dataplane.pid"
	echo "$driver" >"$LAB_STATE_DIR/dataplane.driver"
	echo "$log" >"$LAB_STATE_DIR/dataplane.logpath"
	if ((attached)); then
		: >"$LAB_STATE_DIR/dataplane.attached"
	else
		rm -f "$LAB_STATE_DIR/dataplane.attached"
	fi
	if [[ -n $LAB_PID_RECORD ]]; then
		echo "$pid $LAB_DATAPLANE" >>"$LAB_PID_RECORD"
	fi

	[[ $driver == tap ]] || wired=1
	deadline=$((SECONDS + LAB_READY_TIMEOUT))
	until ((wired)) && lab__log_has_ready "$log"; do
		if ! lab__pid_alive "$pid"; then
			LAB_DP_STATUS=0
			wait "$pid" 2>/dev/null || LAB_DP_STATUS=$?
			lab_log "dataplane ($driver) exited with status $LAB_DP_STATUS before it was ready"
			lab__show_log "$log"
			lab__forget_dataplane
			return 1
		fi
		if ((SECONDS >= deadline)); then
			lab_log "dataplane ($driver) not ready after ${LAB_READY_TIMEOUT}s"
			lab__show_log "$log"
			lab_stop_dataplane >/dev/null 2>&1 || true
			return 1
		fi
		if ((!wired)) && lab__tap_exists; then
			if ! lab__wire_tap; then
				lab_log "cannot wire $LAB_IF_TAP to $LAB_IF_S"
				lab_stop_dataplane >/dev/null 2>&1 || true
				return 1
			fi
			wired=1
			continue
		fi
		sleep 0.1
	done
	# EAL carries on when a vdev fails to probe: the dataplane would then
	# serve on fewer ports, and the missing queue's packets go to the kernel.
	if grep -q -e 'probe failed' -e 'failed to initialize' "$log"; then
		lab_log "dataplane ($driver) is up but a vdev failed to probe"
		lab__show_log "$log"
		lab_stop_dataplane >/dev/null 2>&1 || true
		return 1
	fi
	# A dataplane on tap gets a new MAC address each start and announces
	# none: forget what the client learnt from a previous one.
	ip -n "$LAB_NS_C" neigh flush dev "$LAB_IF_C" 2>/dev/null || true
	lab_log "dataplane ($driver) ready, pid $pid, log $log"
	if ((attached)) && lab_control_running; then
		if ! lab_wait_synced "$LAB_READY_TIMEOUT"; then
			lab_stop_dataplane >/dev/null 2>&1 || true
			return 1
		fi
	fi
}

lab__forget_dataplane() {
	rm -f "$LAB_STATE_DIR/dataplane.pid" "$LAB_STATE_DIR/dataplane.driver" \
		"$LAB_STATE_DIR/dataplane.logpath" "$LAB_STATE_DIR/dataplane.attached"
	LAB_DP_PID='' LAB_DP_CHILD=0 LAB_DP_ATTACHED=0
}

# lab_stop_dataplane [SIGNAL] - stop the dataplane with SIGTERM (or SIGNAL,
# e.g. INT) and wait for it. Sets LAB_DP_STATUS to its exit status when this
# shell started it (else leaves it empty). Fails if it had to be killed or
# exited non-zero. The log (with the final counters) stays at $LAB_DP_LOG.
lab_stop_dataplane() {
	local sig=${1:-TERM} pid rc=0
	lab__load_state
	pid=$LAB_DP_PID
	[[ -n $pid ]] || return 0
	if [[ $LAB_DP_DRIVER == tap ]]; then
		lab__unwire_tap
	fi
	if ! lab__kill_quietly "$pid" "$LAB_STOP_TIMEOUT" "$sig"; then
		lab_log "dataplane pid $pid did not stop on SIG$sig within ${LAB_STOP_TIMEOUT}s"
		rc=1
	fi
	# af_xdp's PMD detaches its XDP program when it closes the port; one
	# left by a killed dataplane would swallow the next run's packets.
	ip -n "$LAB_NS_S" link set dev "$LAB_IF_S" xdp off 2>/dev/null || true
	LAB_DP_STATUS=
	if ((LAB_DP_CHILD)); then
		LAB_DP_STATUS=0
		wait "$pid" 2>/dev/null || LAB_DP_STATUS=$?
		if [[ $LAB_DP_STATUS != 0 ]]; then
			lab_log "dataplane exited with status $LAB_DP_STATUS"
			rc=1
		fi
	fi
	lab__forget_dataplane
	return "$rc"
}

# --- mvdns-control -----------------------------------------------------------

lab_control_running() {
	lab__load_state
	[[ -n $LAB_CTL_PID ]] && lab__pid_alive "$LAB_CTL_PID"
}

# lab_start_control [OPTION...] - start mvdns-control in mvdns-s (so that
# whatever a health check probes stays in the lab) on the lab's state
# directory ($LAB_CTL_DIR/state, kept across restarts until lab_down) and
# socket ($LAB_CTL_SOCK), feeding only the lab's channel in the lab's
# private shm directory.
# OPTIONs go to mvdns-control (e.g. --snapshot-every 5). Waits for its ready
# line and, when a dataplane of the lab runs on the channel, until that
# dataplane has applied the control's full state. Sets LAB_CTL_PID and
# LAB_CTL_LOG and records them in $LAB_STATE_DIR.
lab_start_control() {
	local log pid args deadline
	if ! lab_is_up; then
		lab_log "the lab is not up (lab_up first)"
		return 1
	fi
	lab__load_state
	if lab_control_running; then
		lab_log "a control process is already running (pid $LAB_CTL_PID)"
		return 1
	fi
	if [[ ! -x $LAB_CONTROL ]]; then
		lab_log "no control binary at $LAB_CONTROL (build it: make -C $LAB_ROOT build)"
		return 1
	fi
	if [[ -z $LAB_SHM_DIR || ! -d $LAB_SHM_DIR ]]; then
		lab_log "the lab has no private shm directory (bring it up with this lab.sh)"
		return 1
	fi
	mkdir -p "$LAB_CTL_DIR/state" "$LAB_LOG_DIR" || return 1
	chmod 0700 "$LAB_CTL_DIR" || return 1
	args=(--foreground --state-dir "$LAB_CTL_DIR/state" --socket "$LAB_CTL_SOCK"
		--shm-dir "$LAB_SHM_DIR" --channel "$LAB_CHANNEL" "$@")
	log=$LAB_LOG_DIR/control-$(date +%H%M%S)-$$-$RANDOM.log
	echo "lab: $LAB_CONTROL ${args[*]}" >"$log" || return 1
	ip netns exec "$LAB_NS_S" env --default-signal=INT,QUIT \
		"$LAB_CONTROL" "${args[@]}" </dev/null >>"$log" 2>&1 &
	pid=$!
	LAB_CTL_PID=$pid LAB_CTL_LOG=$log LAB_CTL_STATUS='' LAB_CTL_CHILD=1
	echo "$pid" >"$LAB_STATE_DIR/control.pid"
	echo "$log" >"$LAB_STATE_DIR/control.logpath"
	if [[ -n $LAB_PID_RECORD ]]; then
		echo "$pid $LAB_CONTROL" >>"$LAB_PID_RECORD"
	fi
	deadline=$((SECONDS + LAB_READY_TIMEOUT))
	until grep -q -- "$LAB_CTL_READY_PATTERN" "$log" 2>/dev/null; do
		if ! lab__pid_alive "$pid"; then
			LAB_CTL_STATUS=0
			wait "$pid" 2>/dev/null || LAB_CTL_STATUS=$?
			lab_log "mvdns-control exited with status $LAB_CTL_STATUS before it was ready"
			lab__show_log "$log"
			lab__forget_control
			return 1
		fi
		if ((SECONDS >= deadline)); then
			lab_log "mvdns-control not ready after ${LAB_READY_TIMEOUT}s"
			lab__show_log "$log"
			lab_stop_control >/dev/null 2>&1 || true
			return 1
		fi
		sleep 0.1
	done
	lab_log "control ready, pid $pid, socket $LAB_CTL_SOCK, log $log"
	if ((LAB_DP_ATTACHED)) && [[ -n $LAB_DP_PID ]] && lab__pid_alive "$LAB_DP_PID"; then
		lab_wait_synced "$LAB_READY_TIMEOUT" || return 1
	fi
}

lab__forget_control() {
	rm -f "$LAB_STATE_DIR/control.pid" "$LAB_STATE_DIR/control.logpath"
	LAB_CTL_PID='' LAB_CTL_CHILD=0
}

# lab_stop_control [SIGNAL] - stop mvdns-control with SIGTERM (or SIGNAL:
# KILL for a crash) and wait for it. Sets LAB_CTL_STATUS as
# lab_stop_dataplane sets LAB_DP_STATUS; fails if it had to be killed or
# exited non-zero. The state directory stays (lab_down removes it).
lab_stop_control() {
	local sig=${1:-TERM} pid rc=0
	lab__load_state
	pid=$LAB_CTL_PID
	[[ -n $pid ]] || return 0
	if ! lab__kill_quietly "$pid" "$LAB_STOP_TIMEOUT" "$sig"; then
		lab_log "control pid $pid did not stop on SIG$sig within ${LAB_STOP_TIMEOUT}s"
		rc=1
	fi
	LAB_CTL_STATUS=
	if ((LAB_CTL_CHILD)); then
		LAB_CTL_STATUS=0
		wait "$pid" 2>/dev/null || LAB_CTL_STATUS=$?
		if [[ $LAB_CTL_STATUS != 0 ]]; then
			[[ $sig == KILL ]] || lab_log "control exited with status $LAB_CTL_STATUS"
			rc=1
		fi
	fi
	lab__forget_control
	return "$rc"
}

# lab_ctl ARGS... - mvdnsctl against the lab's control.
lab_ctl() {
	"$LAB_CLI" --socket "$LAB_CTL_SOCK" "$@"
}

# The lab dataplane's channel segment, as the control sees it.
lab__segment() {
	echo "$LAB_SHM_DIR/mvdns-dp-$LAB_CHANNEL"
}

# lab_dp_applied_seq - the sequence number of the last batch the dataplane
# applied and published to its workers: applied_seq in the channel's header
# (common/channel.h: a u64 at offset 72, host order).
lab_dp_applied_seq() {
	local v
	v=$(od -An -t u8 -j 72 -N 8 "$(lab__segment)" 2>/dev/null) || return 1
	v=${v//[[:space:]]/}
	[[ -n $v ]] || return 1
	echo "$v"
}

# The batch number of the full state the control sent to the running
# dataplane (from the control's log), or nothing yet.
lab__sync_seq() {
	sed -n "s/^mvdns-control: dataplane mvdns-dp-$LAB_CHANNEL: pid $LAB_DP_PID attached; full state sent as batch \([0-9][0-9]*\)\$/\1/p" \
		"$LAB_CTL_LOG" 2>/dev/null | tail -n 1
}

lab__synced() {
	local want got
	want=$(lab__sync_seq)
	[[ -n $want ]] || return 1
	got=$(lab_dp_applied_seq) || return 1
	((got >= want))
}

# lab_wait_synced [SECONDS] - wait until the control has attached the lab's
# dataplane and the dataplane has applied the full state it was sent.
lab_wait_synced() {
	local timeout=${1:-$LAB_READY_TIMEOUT} sent applied
	lab__load_state
	if ! lab_wait_for "$timeout" lab__synced; then
		sent=$(lab__sync_seq)
		applied=$(lab_dp_applied_seq) || applied=none
		lab_log "the dataplane (pid ${LAB_DP_PID:-none}, channel $LAB_CHANNEL) did not" \
			"apply the control's full state within ${timeout}s" \
			"(full state: ${sent:-not sent}; applied: $applied)"
		lab__show_log "$LAB_CTL_LOG" 20
		return 1
	fi
	lab_log "dataplane pid $LAB_DP_PID serves the control's state (batch $(lab__sync_seq))"
}

# lab_counters - ask the running dataplane for its counters (SIGUSR1) and
# print them, one "name value" line each, from the dump that follows.
lab_counters() {
	local offset
	lab__load_state
	if [[ -z $LAB_DP_PID ]] || ! lab__pid_alive "$LAB_DP_PID"; then
		lab_log "lab_counters: the dataplane is not running"
		return 1
	fi
	offset=$(($(stat -c %s "$LAB_DP_LOG") + 1))
	kill -USR1 "$LAB_DP_PID" || return 1
	if ! lab_wait_for 5 lab__dump_complete "$LAB_DP_LOG" "$offset"; then
		lab_log "lab_counters: no complete counter dump after SIGUSR1;" \
			"missing: $(lab__dump_missing "$LAB_DP_LOG" "$offset")"
		lab__show_log "$LAB_DP_LOG" 20
		return 1
	fi
	lab__dump_parse "$LAB_DP_LOG" "$offset"
}

# Counter lines ("name value", first occurrence of each) in $1 from byte $2.
# Only complete lines count: a line still being written has no newline yet.
lab__dump_parse() {
	local text
	text=$(tail -c "+$2" "$1"; echo .)
	text=${text%.}
	if [[ $text == *$'\n'* ]]; then
		text=${text%$'\n'*}
	else
		text=
	fi
	awk -v names="${LAB_COUNTER_NAMES[*]}" '
		BEGIN { n = split(names, list, " "); for (i = 1; i <= n; i++) known[list[i]] = 1 }
		NF == 2 && ($1 in known) && $2 ~ /^[0-9]+$/ && !seen[$1]++ { print $1, $2 }' <<<"$text"
}

lab__dump_missing() {
	local name found missing=()
	found=$(lab__dump_parse "$1" "$2" | cut -d' ' -f1)
	for name in "${LAB_COUNTER_NAMES[@]}"; do
		grep -qx -- "$name" <<<"$found" || missing+=("$name")
	done
	echo "${missing[*]}"
}

lab__dump_complete() {
	[[ -z $(lab__dump_missing "$1" "$2") ]]
}

# lab_counter_name NAME - the dump's name of a counter: a name of
# LAB_COUNTER_NAMES as it is (tx-dropped, port.rx-missed, worker.stalls,
# verdict.answer-formerr), else a verdict's with verdict. implied
# (answer-formerr).
lab_counter_name() {
	local known
	for known in "${LAB_COUNTER_NAMES[@]}"; do
		if [[ $1 == "$known" ]]; then
			echo "$1"
			return 0
		fi
	done
	echo "verdict.$1"
}

# lab_counter NAME - one counter (lab_counter_name NAME), e.g. answer-formerr,
# tx-dropped or port.rx-missed.
lab_counter() {
	local name dump value
	name=$(lab_counter_name "${1:?usage: lab_counter NAME}")
	dump=$(lab_counters) || return 1
	value=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$dump")
	if [[ -z $value ]]; then
		lab_log "lab_counter: no counter named $name"
		return 1
	fi
	echo "$value"
}

# The MAC address the dataplane answers ARP/ND with: the veth's for
# af_packet and af_xdp, the tap's (which net_tap gives the DPDK port too).
lab_dataplane_mac() {
	local ifname=$LAB_IF_S
	lab__load_state
	[[ $LAB_DP_DRIVER == tap ]] && ifname=$LAB_IF_TAP
	ip -n "$LAB_NS_S" -br link show "$ifname" | awk '{ print $3 }'
}

lab__on_exit() {
	local rc=$?
	trap - EXIT
	if ((rc != 0)) && [[ -n $LAB_DP_PID && -r $LAB_DP_LOG ]]; then
		lab__show_log "$LAB_DP_LOG" 30
	fi
	if ((rc != 0)) && [[ -n $LAB_CTL_PID && -r $LAB_CTL_LOG ]]; then
		lab__show_log "$LAB_CTL_LOG" 30
	fi
	if ((LAB_OWNED)); then
		lab_down
	fi
	if ((${#LAB_TMP_DIRS[@]})); then
		rm -rf "${LAB_TMP_DIRS[@]}"
	fi
	exit "$rc"
}

# Tear the lab down when the calling script exits, fails or is interrupted
# (only a lab this shell's lab_up made: a lab_up that found another lab up
# leaves it alone).
lab_install_traps() {
	trap lab__on_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

lab__main() {
	set -euo pipefail
	local cmd=${1:-}
	shift || true
	case $cmd in
	up) lab_up "$@" ;;
	down) lab_down ;;
	status) lab_status ;;
	start) lab_start_dataplane "$@" ;;
	stop) lab_stop_dataplane "$@" ;;
	control-start) lab_start_control "$@" ;;
	control-stop) lab_stop_control "$@" ;;
	ctl)
		lab__load_state
		lab_ctl "$@"
		;;
	counters) lab_counters ;;
	*)
		echo "usage: $0 up|down|status|start DRIVER [ZONE.json...]|stop|counters" >&2
		echo "       $0 control-start [MVDNS-CONTROL-OPTION...]|control-stop|ctl MVDNSCTL-ARGS..." >&2
		return 2
		;;
	esac
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	lab__main "$@"
fi
