#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# memif.sh - family 5: DPDK to DPDK over net_memif, no kernel in the path.
# The real dataplane (one worker) on a net_memif port in the server role,
# serving gen.py's zone with --load, and bench/memif_gen (build/bench/
# memif_gen, one lcore) on the client side of the same memif socket: real
# Ethernet/IPv4/UDP/DNS query frames, answers matched by DNS id and UDP port,
# latency from a TSC stamp per query (see memif_gen.c).
#
# Variants (the peers study's lcore placements; the generator pinned with
# its EAL -l to the CPU the dataplane's worker does not use):
#   -l 0,1            main lcore on CPU 0, worker on CPU 1; generator on CPU 0
#   --lcores 0@1,1@0  worker on CPU 0, main lcore on CPU 1; generator on CPU 1
#   --lcores 0@0,1@0  main and worker on CPU 0; generator alone on CPU 1
# and per variant the query sets few, many (every name of the zone once,
# shuffled) and pool (the 20-value multivalue pool, 8 per answer), flat out
# (at most 512 queries outstanding, below the 1024-slot memif ring), then
# few at a fixed 1M queries/s for latency below saturation. Each run
# BENCH_MEMIF_ROUNDS times (quick 1, full 2), variants in turn; the report
# shows the median and range.
#
# Both processes run without hugepages (--no-huge --no-shconf -m 512): memif
# in copy mode shares its rings and buffers through memfd, which needs no
# hugepages. memif's zero-copy mode is the client's only (the server copies
# either way) and needs the client's mbufs in one shared hugepage file
# (--in-memory --single-file-segments; "Zero-copy doesn't support
# multi-file segments" otherwise). Per variant, two more runs (few, flat
# out) use it:
#   generator zero-copy  the generator the zero-copy client, the dataplane
#                        the server, as above: only the dataplane copies;
#   dataplane zero-copy  the roles swapped: the dataplane the zero-copy
#                        client (as an application attaches to a vswitch
#                        such as VPP, the memif server there), the
#                        generator the server: only the generator copies.
# The family adds BENCH_MEMIF_HUGEPAGES (160) 2 MB pages to vm.nr_hugepages
# for them (and tops it up before each zero-copy run if others took pages
# meanwhile) and takes them back at exit (BENCH_MEMIF_ZC=0: no zero-copy
# run, no hugepages). The socket is a file
# in our temp dir (socket-abstract=no), the EAL prefixes are ours; the
# dataplane has a private /dev/shm (dpwrap.sh). Everything is removed on
# exit, also on failure or interrupt.
#
# Usage: bench/memif.sh   (BENCH_QUICK=1: 2 s runs, 100k names)
#   BENCH_MEMIF_NAMES=N   names in the zone (default 1M, quick 100k)
#   BENCH_MEMIF_SECONDS=S run length
#   BENCH_MEMIF_ROUNDS=K  rounds of the variants
#   BENCH_MEMIF_ZC=0      no zero-copy runs (and no hugepages)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

bench_begin memif
BENCH_MEMIF_GEN=${BENCH_MEMIF_GEN:-$BENCH_BUILD/bench/memif_gen}
[[ -x $BENCH_MEMIF_GEN ]] || bench_die "no $BENCH_MEMIF_GEN: build first (make build)"
[[ -x $BENCH_DATAPLANE ]] || bench_die "no $BENCH_DATAPLANE: build first (make build)"

NAMES=${BENCH_MEMIF_NAMES:-$(bench_pick 100000 1000000)}
DURATION=${BENCH_MEMIF_SECONDS:-$(bench_pick 2 10)}
ROUNDS=${BENCH_MEMIF_ROUNDS:-$(bench_pick 1 2)}
ZC=${BENCH_MEMIF_ZC:-1}
HUGEPAGES=${BENCH_MEMIF_HUGEPAGES:-160}
WARMUP=0.5
WINDOW=512
FIXED_RATE=1000000
QSETS=(few many pool)
# lcores (as dpwrap.sh's BENCH_LCORES; "" = -l 0,1) | generator CPU
VARIANTS=("|0" "0@1,1@0|1" "0@0,1@0|1")
D=$BENCH_TMP
SOCK=$D/memif.sock
DP_PREFIX=mvbm-dp-$$
GEN_PREFIX=mvbm-gen-$$

# EAL keeps a runtime directory per prefix (the telemetry socket is off, but
# the directory stays): ours go at exit.
bench_on_cleanup rm -rf "/var/run/dpdk/$DP_PREFIX" "/var/run/dpdk/$GEN_PREFIX"
bench_on_cleanup bench_nn_stop

# ---- hugepages for the zero-copy runs -----------------------------------------
# vm.nr_hugepages is the machine's: we add what we need and take back what we
# added, never set it outright. Before each zero-copy run, top it up again:
# another job on this machine may have set it to a value of its own meanwhile.
HP_ADDED=0
HP_NEED=$((HUGEPAGES < 144 ? HUGEPAGES : 144)) # -m 256 on 2 MB pages, and EAL's own
hugepages_free() {
	awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo
}
# hugepages_ensure - at least HP_NEED free 2 MB pages (0), or not even after
# asking for more (1).
hugepages_ensure() {
	local short
	short=$((HP_NEED - $(hugepages_free)))
	if ((short > 0)); then
		echo $(($(cat /proc/sys/vm/nr_hugepages) + short)) >/proc/sys/vm/nr_hugepages
		HP_ADDED=$((HP_ADDED + short))
	fi
	(($(hugepages_free) >= HP_NEED))
}
# shellcheck disable=SC2317 # run by the exit trap (bench_on_cleanup)
hugepages_give_back() {
	local now
	now=$(cat /proc/sys/vm/nr_hugepages)
	echo $((now > HP_ADDED ? now - HP_ADDED : 0)) >/proc/sys/vm/nr_hugepages
}
if ((ZC)); then
	bench_on_cleanup hugepages_give_back
	HP_NEED=$HUGEPAGES
	hugepages_ensure || bench_note "only $(hugepages_free) free 2 MB hugepages after asking for $HUGEPAGES"
	HP_NEED=$((HUGEPAGES < 144 ? HUGEPAGES : 144))
fi

# ---- data --------------------------------------------------------------------
bench_log "generating the zone ($NAMES names) and the query files"
"$BENCH_PY" "$BENCH_DIR/gen.py" r53 --names "$NAMES" "$D/zone.json"
"$BENCH_PY" "$BENCH_DIR/gen.py" queries few --names "$NAMES" "$D/q-few.txt"
"$BENCH_PY" "$BENCH_DIR/gen.py" queries million --names "$NAMES" "$D/q-many.txt"
"$BENCH_PY" "$BENCH_DIR/gen.py" queries pool --names "$NAMES" "$D/q-pool.txt"

# memif_side ROLE ZEROCOPY - MEMIF_EAL: the EAL options of one side of the
# memif socket, ROLE server or client; ZEROCOPY 1 (a client only): its
# mbufs in one shared hugepage file, else no hugepages at all. Called just
# before that side starts: a server's side also removes the socket file an
# earlier server left, so that socket_wait never takes it for the new one.
memif_side() {
	local vdev="net_memif0,role=$1,socket=$SOCK,socket-abstract=no"
	[[ $1 != server ]] || rm -f "$SOCK"
	MEMIF_EAL=(--no-huge --no-shconf -m 512)
	if (($2)); then
		vdev+=,zero-copy=yes
		MEMIF_EAL=(--in-memory --single-file-segments -m 256)
	fi
	MEMIF_EAL+=(--no-pci --no-telemetry "--vdev=$vdev")
}

# dp_eal ROLE - bench_nn_start's dataplane on a memif port instead of
# net_null: the server, or the zero-copy client.
dp_eal() {
	local zc=0
	[[ $1 == client ]] && zc=1
	memif_side "$1" "$zc"
	# shellcheck disable=SC2054 # the comma is inside an EAL argument
	BENCH_NN_EAL=(-l 0,1 --file-prefix "$DP_PREFIX" "${MEMIF_EAL[@]}")
}

# children_cpu - CHILD_CPU: CPU seconds (user + system) of this shell's
# reaped children so far (the second line of bash's `times`, run in this
# shell, not in a $(...) subshell): the generator's among them once its
# timeout wrapper has been waited for.
children_cpu() {
	times >"$D/times"
	CHILD_CPU=$(awk 'NR == 2 {
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.3f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$D/times")
}

# gen_start CPU QSET RATE ZEROCOPY - one generator run, started in the
# background (GEN_PID); sets CMD. ZEROCOPY: none, generator (it is the
# zero-copy client) or dataplane (the dataplane is: the generator is the
# server). gen_wait - until it ends; sets OUT (its JSON) or OUT_ERR.
# run_gen CPU QSET RATE ZEROCOPY - both.
gen_start() {
	local cpu=$1 qset=$2 rate=$3 zc=$4
	case $zc in
	generator) memif_side client 1 ;;
	dataplane) memif_side server 0 ;;
	*) memif_side client 0 ;;
	esac
	local eal=(-l "$cpu" --file-prefix "$GEN_PREFIX" "${MEMIF_EAL[@]}")
	local app=(--queries "$D/q-$qset.txt" --seconds "$DURATION" --warmup "$WARMUP"
		--window "$WINDOW" --rate "$rate" --json)
	CMD="build/bench/memif_gen ${eal[*]} -- ${app[*]}"
	CMD=${CMD//$D\//}
	timeout -k 10 $((${DURATION%.*} + 60)) "$BENCH_MEMIF_GEN" "${eal[@]}" -- \
		"${app[@]}" </dev/null >"$D/gen.log" 2>&1 &
	GEN_PID=$!
}
gen_wait() {
	wait "$GEN_PID" || true
	OUT=$(grep '^{' "$D/gen.log" | tail -n 1) || true
	[[ -n $OUT ]] || OUT_ERR=$(grep -v -e '^EAL:' -e 'mp action callback' "$D/gen.log" | tail -n 10)
}
run_gen() {
	gen_start "$@"
	gen_wait
}

# socket_wait - until the generator, the memif server, has made the socket
# (0), or 10 s (1). Every server start removes the socket file first
# (memif_side), so that one left by an earlier server is never taken for it.
socket_wait() {
	local i
	for ((i = 0; i < 1000; i++)); do
		[[ -S $SOCK ]] && return 0
		sleep 0.01
	done
	return 1
}

# dp_start TAG - the dataplane of this placement in role DP_ROLE (server or
# client), started and ready (0), or an error recorded (1).
dp_start() {
	dp_eal "$DP_ROLE"
	bench_nn_start "$D/zone.json" "$1"
	if ! bench_nn_wait_ready 600; then
		bench_error "the dataplane did not start on memif ($label)" "$BENCH_NN_CMD" \
			"$(bench_nn_output 10)"
		bench_nn_stop
		return 1
	fi
	dp_cmd=${BENCH_NN_CMD//$D\//}
}

# dp_died - whether the dataplane has died (DPDK 22.11's memif PMD can crash
# it as its peer disconnects: README.md, "Running the dataplane"); if so,
# say so with how it ended and its last lines. The crash stays in the
# report; the runs after it keep their figures.
dp_died() {
	local status=0
	[[ -n $BENCH_NN_PID ]] || return 1 # none started
	bench__alive "$BENCH_NN_PID" && return 1
	wait "$BENCH_NN_PID" 2>/dev/null || status=$?
	BENCH_NN_PID=
	bench_note "the dataplane died ($label, $DP_ROLE, exit status $status$( ((status > 128)) && echo ", signal $((status - 128))")); its last lines: $(bench_nn_output 2 | tr '\n' ' ')"
}

# dp_revive - when the dataplane has died, start another (0); 1 if that fails.
dp_revive() {
	dp_died || return 0
	restarts=$((restarts + 1))
	dp_start "r$round-v$vi-$restarts"
}

# ---- the runs ----------------------------------------------------------------
bench_wait_quiet "$(bench_pick 120 300)"
for ((round = 1; round <= ROUNDS; round++)); do
	for vi in "${!VARIANTS[@]}"; do
		v=${VARIANTS[vi]}
		lcores=${v%%|*} gen_cpu=${v##*|}
		label=${lcores:+--lcores $lcores}
		label=${label:--l 0,1}
		bench_log "round $round: dataplane $label, generator on CPU $gen_cpu"
		BENCH_LCORES=$lcores
		export BENCH_LCORES
		restarts=0
		DP_ROLE=server
		dp_start "r$round-v$vi" || continue
		runs=()
		for q in "${QSETS[@]}"; do runs+=("$q 0 none"); done
		((ZC)) && runs+=("few 0 generator")
		runs+=("few $FIXED_RATE none")
		((ZC)) && runs+=("few 0 dataplane") # last: the dataplane restarts as the client
		for r in "${runs[@]}"; do
			read -r qset rate zc <<<"$r"
			if [[ $zc != none ]] && ! hugepages_ensure; then
				bench_note "no $zc zero-copy run ($label): $(hugepages_free) free 2 MB hugepages, $HP_NEED needed"
				continue
			fi
			OUT='' OUT_ERR=''
			if [[ $zc == dataplane ]]; then
				# memif's client does not start without its server: the
				# generator first, then the dataplane, measured from its ready.
				bench_nn_stop
				DP_ROLE=client
				other=$(bench_other_cpu -p $$ 0.5)
				gen_start "$gen_cpu" "$qset" "$rate" "$zc"
				if ! socket_wait || ! dp_start "r$round-v$vi-client"; then
					[[ -S $SOCK ]] || bench_error "memif_gen made no socket ($label, server)" "$CMD" ""
					kill "$GEN_PID" 2>/dev/null
					gen_wait
					break
				fi
			else
				dp_revive || break
				other=$(bench_other_cpu -p "$BENCH_NN_PID" 0.5)
			fi
			t0=$(bench_cpu_ticks "$BENCH_NN_PID") b0=$(bench_busy_ticks)
			children_cpu
			c0=$CHILD_CPU w0=$(bench_now)
			if [[ $zc == dataplane ]]; then
				gen_wait
			else
				run_gen "$gen_cpu" "$qset" "$rate" "$zc"
			fi
			if [[ -z $OUT && $zc != dataplane ]]; then
				bench_note "memif_gen gave no figures ($label, $qset, rate $rate), once: again (${OUT_ERR##*$'\n'})"
				pid=$BENCH_NN_PID
				dp_revive || break
				if [[ $BENCH_NN_PID != "$pid" ]]; then # another dataplane: measure it from now
					t0=$(bench_cpu_ticks "$BENCH_NN_PID") b0=$(bench_busy_ticks)
					children_cpu
					c0=$CHILD_CPU w0=$(bench_now)
				fi
				run_gen "$gen_cpu" "$qset" "$rate" "$zc"
			fi
			wall=$(bench_elapsed "$w0")
			if bench__alive "$BENCH_NN_PID"; then
				dp_ticks=$(($(bench_cpu_ticks "$BENCH_NN_PID") - t0))
				dp_cpu=$(bench_ticks_per_s "$dp_ticks" "$wall")
				children_cpu
				gen_cpu_s=$(awk -v a="$c0" -v b="$CHILD_CPU" 'BEGIN { printf "%.3f", b - a }')
				gen_share=$(bench_div "$gen_cpu_s" "$wall" 2)
				# Everything busy during the run but the dataplane and the generator.
				other_during=$(awk -v b="$(($(bench_busy_ticks) - b0))" -v d="$dp_ticks" \
					-v g="$gen_cpu_s" -v w="$wall" -v hz="$BENCH_CLK_TCK" 'BEGIN {
					o = (b - d) / hz - g; printf "%.2f", (o > 0 ? o : 0) / w }')
			else
				# It died as the generator left (dp_revive says so at the next
				# run): its CPU time is gone with it, or counted among the
				# reaped children as if the generator's.
				dp_cpu=null gen_share=null other_during=null
			fi
			if [[ -z $OUT ]]; then
				bench_error "memif_gen gave no figures ($label, $qset, rate $rate)" \
					"$CMD  # dataplane: $dp_cmd" "$OUT_ERR"
				continue
			fi
			bench_log "  $qset rate $rate$([[ $zc == none ]] || echo " $zc zero-copy"): $(jq -r '"\(.answered_per_s) answered/s, loss \(.loss_pct)%, p50 \(.lat_p50_us) us, p99 \(.lat_p99_us) us"' <<<"$OUT"), other CPU $other before, $other_during during"
			# shellcheck disable=SC2046 # key value pairs from the generator's JSON
			bench_row kind memif round "$round" lcores "$label" gen_cpu "$gen_cpu" \
				qset "$qset" names "$NAMES" rate "$rate" zero_copy "$zc" window "$WINDOW" seconds "$DURATION" \
				$(jq -r 'to_entries[] | select(.key != "seconds") | "\(.key) \(.value)"' <<<"$OUT") \
				measured_s "$(jq -r .seconds <<<"$OUT")" dataplane_cpu "$dp_cpu" \
				generator_cpu "$gen_share" other_cpu "$other" \
				other_cpu_during "$other_during" command "$CMD" dataplane_command "$dp_cmd"
		done
		dp_died || bench_nn_stop
		# The dataplane's own count of replies it could not send.
		dropped=$(awk '$1 == "tx-dropped" { print $2 }' "$BENCH_NN_LOG")
		[[ ${dropped:-0} == 0 ]] || bench_note "dataplane $label: tx-dropped $dropped over its runs"
	done
done
bench_end
