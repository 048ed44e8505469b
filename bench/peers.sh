#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# peers.sh - family 2: the lab against peers. In the client namespace,
# kxdpgun and dnsperf (pinned with -F / taskset to the CPU the server's hot
# thread does not use) query, in turn:
#   reflector        bench/reflector.bpf.c, XDP_TX: the generator's ceiling
#   knotd-xdp        knotd 3.2, XDP mode on veth-s queue 0 (worker on CPU 0)
#   knotd-udp        knotd 3.2, UDP sockets, 2 workers
#   nsd              nsd 4.6, 2 servers, rrl off
#   mvdns-af_xdp     the dataplane, af_xdp vdevs, main lcore 0, worker 1
#   mvdns-af_packet  the same on af_packet
#   mvdns-af_xdp@cpu0  mvdns-af_xdp with knotd XDP's placement: main and
#                    worker lcores on CPU 0, the generator on CPU 1 (head to head)
# all serving bench.example. from gen.py (a few names, a million names, a
# 20-value pool: 8 per answer from mvdns's multivalue sets, all 20 from the
# peers' RRset), each query set (few, million, pool) for the same duration.
# Per run: answered/s, loss, latency (dnsperf: average, deviation, max;
# kxdpgun gives none), reply size, the server's CPU (utime + stime of every
# process in mvdns-s, from /proc/PID/stat) and the machine's softirq time;
# for mvdns, its worker's stalls (worker.stalls, worker.stalled-us, worker.long-stalls).
#
# Then, each server still up (kind latency): dnsperf at fixed rates every
# server sustains (-Q, BENCH_PEERS_LATENCY_QPS), with -v, so that every
# answer's latency is known: percentiles at a given load, which a run flat
# out (queues full) cannot give. Then the same at 1,000 queries/s against
# mvdns af_xdp without and with --idle-sleep-us 50 (kind latency, those
# server labels): what sleeping when idle costs the answers.
#
# Then head to head (kind duel): the reflector, knotd XDP and mvdns af_xdp
# (also with NAPI deferral, see napi_defer, and with that on knotd's CPU,
# mvdns-af_xdp@cpu0) with kxdpgun, server after server, in rounds, for the
# median ratio.
#
# Then the busy-polling question (kind busypoll): mvdns on af_xdp with the
# PMD's busy_budget at its default, 0 (off) and 256, with the main and
# worker lcores placed differently (--lcores), and with the worker sleeping
# 50 us when idle (--idle-sleep-us), few names, both tools; the
# variants in turn, BENCH_PEERS_ROUNDS times (quick 1, full 3: the report
# shows the median).
#
# This machine is shared: before each run, the cores busy outside the server
# for half a second are recorded (other CPU); the lab families first wait
# (a few minutes at most) for other jobs to use less than half a core.
#
# mvdns gets the zone with --load when it takes a million names, else from
# the lab's mvdns-control (the whole state over the channel when it attaches;
# the control then idles in mvdns-s, and counts in the server's CPU).
#
# Usage: bench/peers.sh   (BENCH_QUICK=1: 2 s runs instead of 10, 100k names
#   in the big set instead of 1M, one latency rate and query set, one
#   head-to-head round, two busy-poll variants: it shows that every part works,
#   in about 4 minutes; the figures to quote come from full runs)
#   BENCH_PEERS_SERVERS="reflector knotd-xdp ..."  a subset of the servers
#   BENCH_PEERS_NAMES=N                             names in the big set
#   BENCH_PEERS_BUSYPOLL=0                          skip the busy-poll runs
#   BENCH_PEERS_VARIANTS="-l 0,1|default|0;..."     only these busy-poll variants
#   BENCH_PEERS_ROUNDS=N                            rounds of the busy-poll variants
#   BENCH_PEERS_DUEL="knotd-xdp mvdns-af_xdp"       servers of the head-to-head rounds
#                                                   (NAME+napi-defer: with NAPI deferral)
#   BENCH_PEERS_DUEL_ROUNDS=N                       head-to-head rounds (0: none)
#   BENCH_PEERS_LATENCY_QPS="20000 50000"           fixed rates of the latency runs ("": none)
#   BENCH_PEERS_IDLE=0                              skip the idle-sleep runs at 1,000/s
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

bench_begin peers
bench_need_pkgs dnsperf knot knot-dnsutils nsd clang llvm libbpf-dev iproute2 ethtool iputils-ping
bench_need_cmds dnsperf kxdpgun knotd nsd clang

DURATION=$(bench_pick 2 10)
NAMES=${BENCH_PEERS_NAMES:-$(bench_pick 100000 1000000)}
read -ra SERVERS <<<"${BENCH_PEERS_SERVERS:-reflector knotd-xdp knotd-udp nsd mvdns-af_xdp mvdns-af_packet}"
QSETS=(few million pool)
TOOLS=(kxdpgun dnsperf)
ADDR=$BENCH_ADDR
KXDPGUN_QPS=10000000 # more than it can send: as fast as it can
DNSPERF_OPTS=(-c 2 -T 2 -q 500)
read -ra LATENCY_QPS <<<"${BENCH_PEERS_LATENCY_QPS-$(bench_pick 20000 "20000 50000")}"
read -ra LATENCY_QSETS <<<"$(bench_pick million "million pool")"
D=$BENCH_TMP

# ---- data --------------------------------------------------------------------
bench_log "generating the zone ($NAMES names) and the query files"
"$BENCH_PY" "$BENCH_DIR/gen.py" zonefile --names "$NAMES" "$D/bench.example.zone"
"$BENCH_PY" "$BENCH_DIR/gen.py" r53 --names 0 "$D/small.json"
for q in "${QSETS[@]}"; do
	"$BENCH_PY" "$BENCH_DIR/gen.py" queries "$q" --names "$NAMES" "$D/q-$q.txt"
done
LAST_NAME=n$((NAMES - 1)).bench.example
LAST_ADDR=$("$BENCH_PY" -c "import sys; sys.path.insert(0, '$BENCH_DIR'); import gen; print(gen.many_addr($NAMES - 1))")
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$BENCH_DIR/reflector.bpf.c" -o "$D/reflector.o"

# mvdns: --load of the whole zone if the dataplane takes it (a quick probe on
# a net_null port), else mvdns-control.
MVDNS_FEED=control
"$BENCH_PY" "$BENCH_DIR/gen.py" r53 --names "$NAMES" "$D/zone.json"
bench_on_cleanup bench_nn_stop
bench_nn_start "$D/zone.json" probe
if bench_nn_wait_ready 600; then
	MVDNS_FEED=load
else
	bench_note "mvdns got the zone from mvdns-control: --load refused it ($(bench_nn_output 1))"
	rm -f "$D/zone.json"
fi
bench_nn_stop

bench_lab_up
bench_wait_quiet "$(bench_pick 120 300)"

# ---- servers -----------------------------------------------------------------
# Each start function sets GEN_CPU (the CPU the generator gets) and returns
# non-zero (after bench_error) when the server does not come up.
SERVER_PID=
GEN_CPU=1

kernel_addr() { # on|off: the server's kernel owns 10.53.0.1 (peers) or not (mvdns)
	ip -n "$LAB_NS_S" addr flush dev "$LAB_IF_S"
	[[ $1 == off ]] || ip -n "$LAB_NS_S" addr add "$ADDR/24" dev "$LAB_IF_S"
	ip -n "$LAB_NS_C" neigh flush dev "$LAB_IF_C" 2>/dev/null || true
}

xdp_off() {
	ip -n "$LAB_NS_S" link set dev "$LAB_IF_S" xdp off 2>/dev/null || true
	ip -n "$LAB_NS_C" link set dev "$LAB_IF_C" xdp off 2>/dev/null || true
}

# served TIMEOUT - the last of the million names answers from the client.
served() {
	bench_fg lab_exec_c "$BENCH_PY" "$BENCH_DIR/ctl.py" wait-served --server "$ADDR" \
		--name "$LAST_NAME" --expect "$LAST_ADDR" --timeout "$1" >/dev/null
}

# wait_log PID LOG PATTERN TIMEOUT - until PATTERN shows in LOG; fails if
# PID exits first.
wait_log() {
	local deadline=$((SECONDS + $4))
	until grep -q -- "$3" "$2"; do
		bench__alive "$1" || return 1
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

start_reflector() {
	kernel_addr on # ARP and ping from the kernel; UDP/53 never reaches it
	ip -n "$LAB_NS_S" link set dev "$LAB_IF_S" xdpdrv obj "$D/reflector.o" sec xdp program reflect
	SERVER_PID='' GEN_CPU=1
}

knot_conf() { # MODE DIR
	local mode=$1 dir=$2
	mkdir -p "$dir/db"
	{
		echo "server:"
		echo "    rundir: $dir"
		echo "    pidfile: $dir/knot.pid"
		echo "    listen: $ADDR@53"
		echo "    udp-workers: 2"
		echo "    tcp-workers: 1"
		echo "    background-workers: 1"
		if [[ $mode == xdp ]]; then
			echo "xdp:"
			echo "    listen: $LAB_IF_S@53"
			echo "    udp: on"
			echo "    tcp: off"
		fi
		echo "database:"
		echo "    storage: $dir/db"
		echo "template:"
		echo "  - id: default"
		echo "    storage: $dir"
		echo "    journal-content: none"
		echo "    zonefile-sync: -1"
		echo "    zonefile-load: whole"
		echo "    semantic-checks: off"
		echo "zone:"
		echo "  - domain: bench.example."
		echo "    file: $D/bench.example.zone"
		echo "log:"
		echo "  - target: stderr"
		echo "    any: info"
	} >"$dir/knot.conf"
}

start_knotd() { # xdp|udp
	local dir=$D/knot-$1 cmd
	knot_conf "$1" "$dir"
	kernel_addr on
	cmd="knotd -c $dir/knot.conf"
	: >"$dir/knotd.log"
	# knotd's XDP mode needs bpffs, which `ip netns exec` leaves out of /sys.
	# shellcheck disable=SC2086 # cmd is split on purpose
	ip netns exec "$LAB_NS_S" sh -c 'mount -t bpf bpf /sys/fs/bpf 2>/dev/null; exec "$@"' sh $cmd \
		</dev/null >"$dir/knotd.log" 2>&1 &
	SERVER_PID=$!
	if ! wait_log "$SERVER_PID" "$dir/knotd.log" "server started" 300 || ! served 60; then
		bench_error "knotd ($1) did not start or serve" "ip netns exec $LAB_NS_S $cmd" \
			"$(tail -n 15 "$dir/knotd.log")"
		stop_server
		return 1
	fi
	GEN_CPU=1 # knotd pins its XDP worker to CPU 0
}

start_nsd() {
	local dir=$D/nsd cmd
	mkdir -p "$dir"
	cat >"$dir/nsd.conf" <<-EOF
		server:
		    ip-address: $ADDR
		    port: 53
		    server-count: 2
		    username: ""
		    chroot: ""
		    zonesdir: "$dir"
		    pidfile: "$dir/nsd.pid"
		    database: ""
		    zonelistfile: "$dir/zone.list"
		    xfrdfile: "$dir/xfrd.state"
		    xfrdir: "$dir"
		    rrl-ratelimit: 0
		    rrl-whitelist-ratelimit: 0
		    reuseport: yes
		    round-robin: no
		    verbosity: 1
		remote-control:
		    control-enable: no
		zone:
		    name: "bench.example."
		    zonefile: "$D/bench.example.zone"
	EOF
	kernel_addr on
	cmd="nsd -d -c $dir/nsd.conf"
	: >"$dir/nsd.log"
	# shellcheck disable=SC2086 # cmd is split on purpose
	ip netns exec "$LAB_NS_S" $cmd </dev/null >"$dir/nsd.log" 2>&1 &
	SERVER_PID=$!
	if ! wait_log "$SERVER_PID" "$dir/nsd.log" "nsd started" 300 || ! served 60; then
		bench_error "nsd did not start or serve" "ip netns exec $LAB_NS_S $cmd" \
			"$(tail -n 15 "$dir/nsd.log")"
		stop_server
		return 1
	fi
	GEN_CPU=1
}

CTL_LOADED=0
start_mvdns() { # DRIVER [ZONE]: the whole zone, or ZONE (--load) when given
	local driver=$1 zone=${2:-} check=1 out
	kernel_addr off
	if [[ -n $zone ]]; then
		check=0
	elif [[ $MVDNS_FEED == load ]]; then
		zone=$D/zone.json
	else
		if ((!CTL_LOADED)); then
			bench_lab_control || return 1
			bench_log "loading $NAMES names into mvdns-control"
			if ! bench_fg bench_ctl 3600 load --names "$NAMES" >"$D/load.json" ||
				! out=$(<"$D/load.json"); then
				bench_error "mvdns-control did not take the zone" "bench/ctl.py load --names $NAMES" "$out"
				return 1
			fi
			bench_log "mvdns-control: $(jq -r '"\(.changes) changes in \(.ack_seconds) s"' <<<"$out")"
			CTL_LOADED=1
		fi
	fi
	# shellcheck disable=SC2086 # no zone: fed by the control
	if ! LAB_READY_TIMEOUT=600 bench_dp_start "$driver" $zone 2>"$D/dp-start.log"; then
		bench_error "mvdns-dataplane ($driver) did not start" \
			"lab_start_dataplane $driver ${zone:-(fed by mvdns-control)} (LAB_LCORES=$LAB_LCORES BENCH_LCORES=${BENCH_LCORES:-} BENCH_VDEV_EXTRA=${BENCH_VDEV_EXTRA:-})" \
			"$(cat "$D/dp-start.log")"
		return 1
	fi
	SERVER_PID=$LAB_DP_PID
	if ((check)) && ! served 300; then
		bench_error "mvdns-dataplane ($driver) does not serve the zone" \
			"lab_start_dataplane $driver ${zone:-(fed by mvdns-control)}" "$(tail -n 15 "$LAB_DP_LOG")"
		stop_server
		return 1
	fi
}

stop_server() {
	if [[ -n ${LAB_DP_PID:-} ]]; then
		lab_stop_dataplane >/dev/null 2>&1 || bench_log "the dataplane did not stop cleanly"
	elif [[ -n $SERVER_PID ]]; then
		bench__kill_wait "$SERVER_PID"
	fi
	# nsd's children and anything else the server left behind (but not the
	# lab's mvdns-control, which feeds the next dataplane)
	local pid
	lab__load_state
	for pid in $(ip netns pids "$LAB_NS_S" 2>/dev/null); do
		[[ $pid == "${LAB_CTL_PID:-}" ]] || bench__kill_wait "$pid"
	done
	SERVER_PID=
	xdp_off
	napi_defer off
}
bench_on_cleanup stop_server

# measure KIND SERVER TOOL QSET [KEY VALUE...] - one run, one row. Kind
# latency (measure latency SERVER dnsperf QSET qps RATE ...): dnsperf held to
# RATE, every answer timed. The CPU columns cover the load alone
# (bench_load_window); the rates are the tool's own.
measure() {
	local kind=$1 server=$2 tool=$3 qset=$4 sampler figures kv=() cpu=() other rate=() k v i
	local stalls0=() stalls1=()
	shift 4
	if [[ $kind == latency ]]; then
		[[ $tool == dnsperf && ${1:-} == qps ]] || bench_die "measure latency: dnsperf and qps RATE first"
		rate=(-Q "$2" -v)
	fi
	bench_lab_check
	lab_exec_c ping -c 1 -W 1 "$ADDR" >/dev/null 2>&1 || true # the neighbour entry kxdpgun needs
	if [[ $server == reflector && $tool == dnsperf ]]; then
		# XDP_TX on veth reaches the peer only through an XDP program there
		ip -n "$LAB_NS_C" link set dev "$LAB_IF_C" xdpdrv obj "$D/reflector.o" sec xdp program pass
	fi
	other=$(bench_other_cpu "$LAB_NS_S" 0.5)
	[[ $server != mvdns-* ]] || read -ra stalls0 <<<"$(bench_worker_stalls "$(lab_counters 2>/dev/null)")"
	rm -f "$D/window" "$D/window.why"
	bench_load_window "$LAB_NS_S" "$LAB_IF_S" "$GEN_CPU" "$DURATION" "$D/window" &
	sampler=$!
	case $tool in
	kxdpgun) bench_kxdpgun "$D/q-$qset.txt" "$GEN_CPU" "$DURATION" "$KXDPGUN_QPS" >"$D/figures" ;;
	dnsperf) bench_dnsperf "$D/q-$qset.txt" "$GEN_CPU" "$DURATION" "${DNSPERF_OPTS[@]}" "${rate[@]}" >"$D/figures" ;;
	esac || : >"$D/figures"
	# the window ends before the load; its last sample may still be on its way
	i=0
	while bench__alive "$sampler" && ((i++ < 30)); do sleep 0.1; done
	bench__kill_wait "$sampler" >/dev/null 2>&1 || true
	[[ $server != mvdns-* ]] || read -ra stalls1 <<<"$(bench_worker_stalls "$(lab_counters 2>/dev/null)")"
	figures=$(<"$D/figures")
	ip -n "$LAB_NS_C" link set dev "$LAB_IF_C" xdp off 2>/dev/null || true
	if [[ -z $figures ]]; then
		bench_error "$tool against $server ($qset) gave no figures" "$BENCH_RUN_CMD" "$BENCH_RUN_OUT"
		return 0
	fi
	while read -r k v; do kv+=("$k" "$v"); done <<<"$figures"
	if ((${#stalls0[@]} == 3 && ${#stalls1[@]} == 3)); then
		kv+=(worker_stalls $((stalls1[0] - stalls0[0]))
			worker_stalled_ms "$(bench_div $((stalls1[1] - stalls0[1])) 1000 1)"
			worker_long_stalls $((stalls1[2] - stalls0[2])))
	fi
	while read -r k v; do
		# the reflector has no process: its work is all softirq
		[[ -z $k || ($k == server_cpu && -z $SERVER_PID) ]] || cpu+=("$k" "$v")
	done <<<"$(bench_load_cpu "$D/window")"
	((${#cpu[@]})) || bench_note "$server $tool $qset: no CPU figures: $(bench_load_why "$D/window")"
	bench_row kind "$kind" server "$server" tool "$tool" qset "$qset" seconds "$DURATION" \
		"${kv[@]}" "${cpu[@]}" gen_cpu "$GEN_CPU" names "$NAMES" \
		other_cpu "$other" command "$BENCH_RUN_CMD" "$@"
	bench_log "$server $tool $qset: $(tr '\n' ' ' <<<"$figures")(other jobs: $other cores)"
}

# napi_defer on|off - preferred busy polling on the server's veth: with
# napi_defer_hard_irqs and gro_flush_timeout set, a packet the generator
# sends no longer runs veth-s's NAPI (XDP, the copy to the AF_XDP socket) in
# softirq on the generator's CPU; the PMD's busy poll (busy_budget, a
# recvfrom per RX burst) runs it on the worker's CPU, which polls anyway.
napi_defer() {
	local irqs=0 timeout=0
	[[ $1 == on ]] && irqs=2 timeout=200000
	ip netns exec "$LAB_NS_S" sh -c "echo $irqs >/sys/class/net/$LAB_IF_S/napi_defer_hard_irqs &&
		echo $timeout >/sys/class/net/$LAB_IF_S/gro_flush_timeout" 2>/dev/null || true
}

# start_server NAME[+napi-defer] - one of the table's servers, in its table
# configuration; with +napi-defer, napi_defer on until stop_server.
start_server() {
	if [[ $1 == *+napi-defer ]]; then
		napi_defer on
		start_server "${1%+napi-defer}" || { napi_defer off && return 1; }
		return 0
	fi
	case $1 in
	reflector) start_reflector ;;
	knotd-xdp) start_knotd xdp ;;
	knotd-udp) start_knotd udp ;;
	nsd) start_nsd ;;
	mvdns-af_xdp | mvdns-af_packet | mvdns-af_xdp@cpu0)
		# The worker polls on CPU 1 and the generator gets CPU 0; @cpu0 is
		# knotd XDP's placement: main and worker on CPU 0, the generator on 1.
		local driver=${1#mvdns-} lcores='' gen=0
		if [[ $driver == *@cpu0 ]]; then
			driver=${driver%@cpu0} lcores=0@0,1@0 gen=1
		fi
		LAB_LCORES=0,1 BENCH_LCORES=$lcores BENCH_VDEV_EXTRA=''
		start_mvdns "$driver" || return 1
		GEN_CPU=$gen
		;;
	*) bench_die "unknown server $1" ;;
	esac
}

# ---- the table -----------------------------------------------------------------
for server in "${SERVERS[@]}"; do
	bench_log "== $server"
	bench_lab_check
	start_server "$server" || continue
	for tool in "${TOOLS[@]}"; do
		for qset in "${QSETS[@]}"; do
			measure peer "$server" "$tool" "$qset"
		done
	done
	for qps in "${LATENCY_QPS[@]}"; do
		for qset in "${LATENCY_QSETS[@]}"; do
			measure latency "$server" dnsperf "$qset" qps "$qps"
		done
	done
	stop_server
done

# ---- idle sleeps at a low rate ---------------------------------------------------
# What --idle-sleep-us costs the answers of a worker that is mostly idle, and
# what it saves of its CPU: dnsperf held to 1,000 queries/s (a query every
# millisecond, so the worker sleeps between them) against mvdns af_xdp
# polling without pause and with --idle-sleep-us 50, in the latency table.
if [[ ${BENCH_PEERS_IDLE:-1} == 1 ]]; then
	for idle in 0 50; do
		label=mvdns-af_xdp
		LAB_LCORES=0,1 BENCH_LCORES='' BENCH_VDEV_EXTRA='' BENCH_APP_EXTRA=''
		if ((idle)); then
			BENCH_APP_EXTRA="--idle-sleep-us $idle"
			label+=" $BENCH_APP_EXTRA"
		fi
		bench_log "== idle sleeps at a low rate: $label"
		bench_lab_check
		start_mvdns af_xdp || continue
		GEN_CPU=0
		measure latency "$label" dnsperf few qps 1000
		stop_server
	done
	BENCH_APP_EXTRA=''
fi

# ---- head to head, in rounds ---------------------------------------------------
# The aim's comparison (kxdpgun against mvdns and knotd XDP) and the
# generator's ceiling (the reflector), each query set, server after server,
# BENCH_PEERS_DUEL_ROUNDS times (quick 1, full 5): one 10-second run moves by
# a quarter here from one minute to the next, so the report pairs each
# round's runs and shows the median ratio.
read -ra DUEL <<<"${BENCH_PEERS_DUEL:-reflector knotd-xdp mvdns-af_xdp mvdns-af_xdp+napi-defer mvdns-af_xdp@cpu0+napi-defer}"
DUEL_ROUNDS=${BENCH_PEERS_DUEL_ROUNDS:-$(bench_pick 1 5)}
for ((round = 1; round <= DUEL_ROUNDS; round++)); do
	for server in "${DUEL[@]}"; do
		bench_log "== head to head (round $round): $server"
		bench_lab_check
		start_server "$server" || continue
		for qset in "${QSETS[@]}"; do
			measure duel "$server" kxdpgun "$qset" round "$round"
		done
		stop_server
	done
done

# ---- busy polling on two shared CPUs --------------------------------------------
# "LCORES|BUSY_BUDGET|GENERATOR_CPU[|IDLE_SLEEP_US[|defer]]" (default: the PMD's,
# 64; defer: napi_defer on for the variant). EAL makes the lowest lcore id the main
# one, so -l 1,0 is -l 0,1 (main on CPU 0, worker on 1): it stays in the list
# as a second sample of the same placement; --lcores MAIN@CPU,WORKER@CPU
# really moves them.
if [[ ${BENCH_PEERS_BUSYPOLL:-1} == 1 ]]; then
	VARIANTS=(
		"-l 0,1|default|0"
		"-l 0,1|0|0"
		"-l 0,1|256|0"
		"-l 1,0|default|0"
		"--lcores 0@1,1@0|default|1"
		"--lcores 0@1,1@0|0|1"
		"--lcores 0@0,1@0|default|1"
		"--lcores 0@0,1@0|0|1"
		"-l 0,1|default|0|50"
		"--lcores 0@0,1@0|0|1|50"
		"-l 0,1|default|0||defer"
		"--lcores 0@0,1@0|default|1||defer"
	)
	if [[ -n ${BENCH_PEERS_VARIANTS:-} ]]; then # ";"-separated, to rerun a few
		IFS=';' read -ra VARIANTS <<<"$BENCH_PEERS_VARIANTS"
	elif ((BENCH_QUICK)); then # the default, and the best with dnsperf in full runs (bench/README.md)
		VARIANTS=("-l 0,1|default|0" "--lcores 0@0,1@0|default|1||defer")
	fi
	ROUNDS=${BENCH_PEERS_ROUNDS:-$(bench_pick 1 3)}
	for ((round = 1; round <= ROUNDS; round++)); do
		for v in "${VARIANTS[@]}"; do
			IFS='|' read -r lcores budget gen idle napi <<<"$v"
			LAB_LCORES=0,1 BENCH_LCORES='' BENCH_VDEV_EXTRA='' BENCH_APP_EXTRA=''
			case $lcores in
			-l*) LAB_LCORES=${lcores#-l } ;;
			--lcores*) BENCH_LCORES=${lcores#--lcores } ;;
			esac
			[[ $budget == default ]] || BENCH_VDEV_EXTRA=busy_budget=$budget
			if [[ -n $idle ]]; then
				BENCH_APP_EXTRA="--idle-sleep-us $idle"
				lcores+=" --idle-sleep-us $idle" # as the report shows it
			fi
			if [[ $napi == defer ]]; then
				napi_defer on
				lcores+=" napi-defer"
			fi
			bench_log "== busy polling (round $round): $lcores, $budget, generator on CPU $gen"
			if ! start_mvdns af_xdp "$D/small.json"; then
				napi_defer off
				continue
			fi
			GEN_CPU=$gen
			for tool in "${TOOLS[@]}"; do
				measure busypoll mvdns-af_xdp "$tool" few lcores "$lcores" \
					busy_budget "$budget" round "$round"
			done
			stop_server
			napi_defer off
		done
	done
	LAB_LCORES=0,1 BENCH_LCORES='' BENCH_VDEV_EXTRA='' BENCH_APP_EXTRA=''
fi
bench_end
