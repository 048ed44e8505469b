#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# control.sh - family 3: control-plane updates (issue 3's benchmark), with
# mvdns-control and mvdns-dataplane (af_xdp, main lcore 0, worker 1) in the
# lab, the zone of gen.py with BENCH_CONTROL_NAMES names (default 100,000)
# loaded through the control socket first.
#
#   latency    apply-to-served: from the moment bench/ctl.py writes a
#              ChangeResourceRecordSets request (1, 100 or 1,000 CREATEs) to
#              the socket, to the first answer in mvdns-c carrying the new
#              data (a tight UDP loop asking for the batch's last name);
#              p50, p99, max per batch size; also when the control answered
#   sustained  record changes per second: batches back to back through the
#              socket, then GetChange until INSYNC; 1,000 CREATEs per batch,
#              and 500 UPSERTs (Route 53 counts an UPSERT twice against the
#              1,000-record limit, so 500 is the most a batch may hold)
#   storm      queries lost under a fixed query rate on names that always
#              exist (the few names), without and with an update storm
#              (UPSERT batches of 500 back to back, the queried names in every
#              batch with new values): kxdpgun and dnsperf, same duration;
#              with the CPU the dataplane and the control used meanwhile, and
#              where queries were dropped: at veth-s on the way into the
#              AF_XDP socket (its RX ring full), or by the dataplane's port.
#              A run during which the host stopped the worker's CPU (a
#              worker.long-stalls: 50 ms or more, on this VM 100 ms, 9,000
#              queries at 100,000/s, whatever the storm) is run again, up to
#              BENCH_STORM_ATTEMPTS times in all (default 3); every attempt
#              is a row, and the report keeps the last
#
# Usage: bench/control.sh   (BENCH_QUICK=1: fewer iterations, shorter runs;
#   BENCH_CONTROL_PARTS: which of "latency sustained storm", default all;
#   BENCH_CONTROL_SIZES: the latency part's batch sizes, default 1,100,1000)
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

bench_begin control
bench_need_pkgs dnsperf knot-dnsutils iproute2 ethtool
bench_need_cmds dnsperf kxdpgun

NAMES=${BENCH_CONTROL_NAMES:-100000}
PARTS=" ${BENCH_CONTROL_PARTS:-latency sustained storm} "
SIZES=${BENCH_CONTROL_SIZES:-1,100,1000}
part() { [[ $PARTS == *" $1 "* ]]; } # PART: whether to run it
ITERATIONS=$(bench_pick 20 100)
SUSTAINED_BATCHES=$(bench_pick 50 200)
STORM_SECONDS=$(bench_pick 5 10)
STORM_ATTEMPTS=${BENCH_STORM_ATTEMPTS:-3}
KXDPGUN_RATE=100000
DNSPERF_RATE=20000
GEN_CPU=0 # the worker polls on CPU 1
D=$BENCH_TMP

"$BENCH_PY" "$BENCH_DIR/gen.py" queries few "$D/q-few.txt"
LAST_NAME=n$((NAMES - 1)).bench.example
LAST_ADDR=$("$BENCH_PY" -c "import sys; sys.path.insert(0, '$BENCH_DIR'); import gen; print(gen.many_addr($NAMES - 1))")

bench_lab_up
bench_lab_control || bench_end
bench_log "loading $NAMES names into mvdns-control"
bench_fg bench_ctl 3600 load --names "$NAMES" >"$D/load.json" ||
	bench_error "mvdns-control did not take the zone" "bench/ctl.py load --names $NAMES" "$(cat "$D/load.json")"
out=$(<"$D/load.json")
bench_row kind ctl-load changes "$(jq -r .changes <<<"$out")" \
	changes_per_s "$(jq -r .changes_per_s <<<"$out")" note "no dataplane attached yet"

LAB_LCORES=0,1 # read by lab_start_dataplane
bench_keep_worker_cpu
if ! LAB_READY_TIMEOUT=300 bench_dp_start af_xdp 2>"$D/dp-start.log" ||
	! bench_fg lab_exec_c "$BENCH_PY" "$BENCH_DIR/ctl.py" wait-served --server "$BENCH_ADDR" \
		--name "$LAST_NAME" --expect "$LAST_ADDR" --timeout 300 >/dev/null; then
	bench_error "mvdns-dataplane did not start or did not get the control's state" \
		"lab_start_dataplane af_xdp (fed by lab_start_control's mvdns-control)" \
		"$(cat "$D/dp-start.log"; tail -n 5 "${LAB_DP_LOG:-/dev/null}"; tail -n 5 "${LAB_CTL_LOG:-/dev/null}")"
	bench_end
fi

# ---- apply-to-served latency ---------------------------------------------------
if part latency; then
	cmd="ip netns exec $LAB_NS_C taskset -c $BENCH_CTL_CPU bench/ctl.py --socket SOCK latency --server $BENCH_ADDR --sizes $SIZES --iterations $ITERATIONS"
	bench_log "$cmd"
	if bench_fg bench_ctl -c 1800 latency --server "$BENCH_ADDR" --sizes "$SIZES" \
		--iterations "$ITERATIONS" >"$D/latency.json" 2>&1; then
		out=$(<"$D/latency.json")
		while read -r row; do
			args=()
			while IFS=$'\t' read -r k v; do args+=("$k" "$v"); done < <(jq -r 'to_entries[] | [.key, .value] | @tsv' <<<"$row")
			bench_row kind ctl-latency "${args[@]}" command "$cmd"
		done < <(jq -c '.[]' <<<"$out")
	else
		bench_error "the latency benchmark failed" "$cmd" "$(cat "$D/latency.json")"
	fi
fi

# ---- sustained changes per second ------------------------------------------------
for spec in "CREATE 1000" "UPSERT 500"; do
	part sustained || break
	read -r action size <<<"$spec"
	cmd="bench/ctl.py --socket SOCK sustained --batches $SUSTAINED_BATCHES --size $size --action $action"
	bench_log "$cmd"
	if bench_fg bench_ctl 1800 sustained --batches "$SUSTAINED_BATCHES" --size "$size" \
		--action "$action" >"$D/sustained.json" 2>&1; then
		out=$(<"$D/sustained.json")
		bench_row kind ctl-sustained action "$action" batch "$size" batches "$SUSTAINED_BATCHES" \
			changes_per_s "$(jq -r .changes_per_s <<<"$out")" \
			insync_seconds "$(jq -r .insync_seconds <<<"$out")" \
			ack_seconds "$(jq -r .ack_seconds <<<"$out")" command "$cmd"
	else
		bench_error "the sustained benchmark ($action) failed" "$cmd" "$(cat "$D/sustained.json")"
	fi
done

# ---- queries lost to an update storm ------------------------------------------------
# drop_counts - "VETH DATAPLANE STALLS STALLED_US LONG": frames veth-s
# dropped on their way in (the XDP program ran, the redirect into the AF_XDP
# socket failed: its RX ring was full, the worker late), frames the
# dataplane's port dropped (port.rx-missed, port.rx-nombuf) or replies it
# could not send (tx-dropped); and the worker's stalls (bench_worker_stalls:
# turns of its loop 1 ms or more late, its CPU taken, and those of 50 ms or
# more), which say why it was late.
drop_counts() {
	local veth dump dp
	veth=$(ip netns exec "$LAB_NS_S" ethtool -S "$LAB_IF_S" |
		awk '$1 ~ /^rx_queue_[0-9]+_drops:$/ { n += $2 } END { print n + 0 }')
	dump=$(lab_counters) || dump=
	dp=$(awk '$1 ~ /^(port\.rx-missed|port\.rx-nombuf|tx-dropped)$/ { n += $2 }
		END { print n + 0 }' <<<"$dump")
	echo "$veth $dp $(bench_worker_stalls "$dump")"
}

# storm_run TOOL STORM(0|1) ATTEMPT - one run, its row; STORM_HOST_STOPS:
# the worker's long stalls meanwhile (0 when the run gave no figures).
storm_run() {
	local tool=$1 storm=$2 attempt=$3 spid='' figures kv=() sout=null t0 dp0 ctl0 secs
	local v0 d0 s0 u0 l0 v1 d1 s1 u1 l1
	STORM_HOST_STOPS=0
	if ((storm)); then
		bench_ctl $((STORM_SECONDS + 120)) storm --seconds $((STORM_SECONDS + 2)) >"$D/storm.json" 2>&1 &
		spid=$!
		sleep 1 # the storm is on before the queries start
	fi
	read -r v0 d0 s0 u0 l0 <<<"$(drop_counts)"
	t0=$(bench_now) dp0=$(bench_cpu_ticks "$LAB_DP_PID") ctl0=$(bench_cpu_ticks "$LAB_CTL_PID")
	case $tool in
	kxdpgun) bench_kxdpgun "$D/q-few.txt" "$GEN_CPU" "$STORM_SECONDS" "$KXDPGUN_RATE" >"$D/figures" ;;
	dnsperf) bench_dnsperf "$D/q-few.txt" "$GEN_CPU" "$STORM_SECONDS" -Q "$DNSPERF_RATE" -c 2 >"$D/figures" ;;
	esac || : >"$D/figures"
	secs=$(bench_elapsed "$t0")
	kv=(dataplane_cpu "$(bench_ticks_per_s $(($(bench_cpu_ticks "$LAB_DP_PID") - dp0)) "$secs")"
		control_cpu "$(bench_ticks_per_s $(($(bench_cpu_ticks "$LAB_CTL_PID") - ctl0)) "$secs")")
	read -r v1 d1 s1 u1 l1 <<<"$(drop_counts)"
	kv+=(veth_drops $((v1 - v0)) dataplane_drops $((d1 - d0)) worker_stalls $((s1 - s0))
		worker_stalled_ms "$(bench_div $((u1 - u0)) 1000 1)" worker_long_stalls $((l1 - l0)))
	if [[ -n $spid ]]; then
		if wait "$spid"; then
			sout=$(jq -r .changes_per_s "$D/storm.json")
		else
			bench_error "the update storm failed" "bench/ctl.py storm --seconds $STORM_SECONDS" "$(cat "$D/storm.json")"
		fi
	fi
	figures=$(<"$D/figures")
	if [[ -z $figures ]]; then
		bench_error "$tool at a fixed rate gave no figures" "$BENCH_RUN_CMD" "$BENCH_RUN_OUT"
		return 0
	fi
	while read -r k v; do kv+=("$k" "$v"); done <<<"$figures"
	bench_row kind ctl-storm tool "$tool" storm "$storm" attempt "$attempt" seconds "$STORM_SECONDS" \
		"${kv[@]}" storm_changes_per_s "$sout" command "$BENCH_RUN_CMD"
	bench_log "storm=$storm $tool (attempt $attempt): $(tr '\n' ' ' <<<"$figures") storm changes/s $sout, dropped by veth-s $((v1 - v0)), by the dataplane $((d1 - d0)); worker stalled $((s1 - s0)) times, $(((u1 - u0) / 1000)) ms, $((l1 - l0)) of them 50 ms or more"
	STORM_HOST_STOPS=$((l1 - l0))
}
for tool in kxdpgun dnsperf; do
	part storm || break
	lab_exec_c ping -c 1 -W 1 "$BENCH_ADDR" >/dev/null 2>&1 || true
	for storm in 0 1; do
		for ((attempt = 1; attempt <= STORM_ATTEMPTS; attempt++)); do
			storm_run "$tool" "$storm" "$attempt"
			((STORM_HOST_STOPS)) || break
			((attempt == STORM_ATTEMPTS)) || bench_log "the host stopped the worker during that run: again"
		done
	done
done

lab_stop_dataplane >/dev/null 2>&1 || bench_log "the dataplane did not stop cleanly"
lab_stop_control >/dev/null 2>&1 || bench_log "mvdns-control did not stop cleanly"
bench_end
