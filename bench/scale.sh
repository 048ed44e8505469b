#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scale.sh - family 4: the dataplane's start-up time and resident memory
# with N single-A record sets (gen.py scale: n0 ... n<N-1>.bench.example.),
# and bytes per record set: (VmRSS with N - VmRSS with the SOA alone) / N.
#
# The dataplane runs on a net_null port that receives nothing (no-rx=1), in
# a mount namespace of its own (unshare -m, dpwrap.sh), so no lab is needed
# and no packet leaves the process. Start-up time: from exec to the ready
# line, which --load prints once every record set is in the table.
#
# Then mvdns-control's own footprint with N record sets sent to it in
# batches, and its stop and restart on that state (kind scale_control).
#
# Then the same dataplane figures the way a deployment starts (via
# control): the records held by mvdns-control, which sends its full state
# over the shared-memory channel when the dataplane attaches; start-up is
# from exec until the dataplane has applied it (GetChange INSYNC of a change
# made once it attached); meanwhile, the slowest answer of the control's API
# (ctl.py responsive). If --load refuses a file, that is reported as an
# error and these rows stand alone.
#
# Usage: bench/scale.sh   (BENCH_QUICK=1: 1M only, control 100k;
#   BENCH_SCALE_SIZES="N ...", BENCH_SCALE_CONTROL_SIZES="N ..." (1M; "" for none))
set -euo pipefail
# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

bench_begin scale
read -ra SIZES <<<"${BENCH_SCALE_SIZES:-$(bench_pick 1000000 "1000000 10000000")}"
READY_TIMEOUT=1800
bench_on_cleanup bench_nn_stop

dp_row() { # via N SECONDS [extra...]
	local via=$1 n=$2 secs=$3 rss hwm
	shift 3
	rss=$(bench_proc_kb "$BENCH_NN_PID" VmRSS) hwm=$(bench_proc_kb "$BENCH_NN_PID" VmHWM)
	bench_row kind scale via "$via" sets "$n" startup_s "$secs" rss_kb "$rss" hwm_kb "$hwm" "$@"
	echo "$rss"
}

bytes_per_set() { # RSS_KB BASE_KB N
	bench_div "$((($1 - $2) * 1024))" "$3" 1
}

# ---- with --load -------------------------------------------------------------
load_blocked=0
base=
for n in 0 "${SIZES[@]}"; do
	zone=$BENCH_TMP/scale-$n.json
	t=$(bench_now)
	timeout 3600 "$BENCH_PY" "$BENCH_DIR/gen.py" scale --names "$n" "$zone"
	gen_s=$(bench_elapsed "$t")
	bench_log "--load $n record sets (JSON $(du -h "$zone" | cut -f1), generated in $gen_s s)"
	t=$(bench_now)
	bench_nn_start "$zone" "$n"
	if ! bench_nn_wait_ready "$READY_TIMEOUT"; then
		out=$(bench_nn_output 5)
		bench_nn_stop
		rm -f "$zone"
		if grep -q 'limit of 1000 exceeded' <<<"$out"; then
			bench_error "--load refuses $n record sets: it applies the 1,000-record limit of one Route 53 request to each file (at most 64 files)" \
				"$BENCH_NN_CMD  # zone: bench/gen.py scale --names $n FILE" "$out"
			load_blocked=1
			break
		fi
		bench_error "the dataplane did not start with $n record sets" "$BENCH_NN_CMD" "$out"
		continue
	fi
	secs=$(bench_elapsed "$t")
	if [[ $n == 0 ]]; then
		base=$(dp_row load 0 "$secs" command "$BENCH_NN_CMD")
	else
		rss=$(bench_proc_kb "$BENCH_NN_PID" VmRSS)
		dp_row load "$n" "$secs" bytes_per_set "$(bytes_per_set "$rss" "${base:-0}" "$n")" \
			json_mb "$(($(stat -c %s "$zone") >> 20))" command "$BENCH_NN_CMD" >/dev/null
	fi
	bench_nn_stop
	rm -f "$zone"
done

# ---- mvdns-control holding the record sets -----------------------------------
# The control's own footprint: VmRSS and VmHWM once N record sets came in
# ChangeResourceRecordSets batches (bench/ctl.py load --scale: 1,000 changes
# a batch, snapshots as by default), then its stop (it leaves the whole
# state in one snapshot first), its start again on that state (to its ready
# line) and its stop once more, with nothing journaled since that start.
read -ra CTL_SIZES <<<"${BENCH_SCALE_CONTROL_SIZES-$(bench_pick 100000 1000000)}"
for n in "${CTL_SIZES[@]}"; do
	bench_ctl_start || break
	ctl_base=$(bench_proc_kb "$BENCH_CTL_PID" VmRSS)
	bench_log "mvdns-control: $n record sets in batches of 1,000"
	if ! out=$(bench_ctl 3600 load --scale --names "$n"); then
		bench_error "mvdns-control did not take $n record sets" "bench/ctl.py load --scale --names $n" "$out"
		bench_ctl_stop 600
		break
	fi
	rss=$(bench_proc_kb "$BENCH_CTL_PID" VmRSS) hwm=$(bench_proc_kb "$BENCH_CTL_PID" VmHWM)
	t=$(bench_now)
	bench_ctl_stop 600
	stop_s=$(bench_elapsed "$t")
	# The background snapshots its log reports (the load's and the one the stop waited for).
	snaps=$(sed -n 's/.*written in the background in \([0-9.]*\) s.*/\1/p' "$BENCH_TMP/control.log" | sort -n)
	t=$(bench_now)
	bench_ctl_start --keep-state 600 || break
	restart_s=$(bench_elapsed "$t")
	restart_rss=$(bench_proc_kb "$BENCH_CTL_PID" VmRSS) restart_hwm=$(bench_proc_kb "$BENCH_CTL_PID" VmHWM)
	t=$(bench_now)
	bench_ctl_stop 600 # nothing journaled since its start: its snapshot holds the state
	bench_row kind scale_control sets "$n" load_per_s "$(jq -r .changes_per_s <<<"$out")" \
		batch_p50_ms "$(jq -r .batch_p50_ms <<<"$out")" \
		batch_p99_ms "$(jq -r .batch_p99_ms <<<"$out")" \
		batch_max_ms "$(jq -r .batch_max_ms <<<"$out")" \
		rss_kb "$rss" hwm_kb "$hwm" bytes_per_set "$(bytes_per_set "$rss" "$ctl_base" "$n")" \
		stop_s "$stop_s" restart_s "$restart_s" idle_stop_s "$(bench_elapsed "$t")" \
		snapshots "$(grep -c . <<<"$snaps")" snapshot_max_s "$(tail -n 1 <<<"$snaps" | grep . || echo null)" \
		restart_rss_kb "$restart_rss" restart_hwm_kb "$restart_hwm" \
		command "bench/ctl.py load --scale --names $n; mvdns-control stopped (SIGTERM), started on its state and stopped again"
done

# ---- fed by mvdns-control -----------------------------------------------------
if ((load_blocked)); then
	bench_note "--load is blocked: the dataplane's scale figures come only from the rows loaded by mvdns-control over the channel (via=control)"
fi
stub=$BENCH_TMP/stub.json
"$BENCH_PY" "$BENCH_DIR/gen.py" scale --names 0 "$stub"
bench_ctl_start || bench_end
loaded=0
base=
for n in 0 "${SIZES[@]}"; do
	bench_log "mvdns-control: $n record sets, then a dataplane attached to it"
	# Only the names not loaded yet: n<loaded> ... n<n-1>.
	if ! out=$(bench_ctl 7200 load --scale --names "$n" --first "$loaded"); then
		bench_error "mvdns-control did not take $n record sets" "bench/ctl.py load --scale --names $n" "$out"
		break
	fi
	loaded=$n
	t=$(bench_now)
	bench_nn_start "$stub" "control-$n"
	# The control's API meanwhile: it writes the full state into the
	# channel's ring a slice at a time, serving requests between slices.
	"$BENCH_PY" "$BENCH_DIR/ctl.py" --socket "$BENCH_CTL_SOCK" responsive \
		--seconds "$READY_TIMEOUT" >"$BENCH_TMP/api.json" &
	api_pid=$! # the client itself, which prints its figures on SIGTERM
	# One more name once it is attached: that change is INSYNC only once the
	# dataplane has applied the full state before it too (a change made
	# while no dataplane was attached is INSYNC already, and stays so).
	if ! bench_nn_wait_ready "$READY_TIMEOUT" ||
		! lab_wait_for 60 grep -q "pid $BENCH_NN_PID attached" "$BENCH_TMP/control.log" ||
		! one=$(bench_ctl 60 load --scale --names "$((n + 1))" --first "$n") ||
		! bench_ctl "$((READY_TIMEOUT + 10))" wait-insync --id "$(jq -r .last_change <<<"$one")" \
			--timeout "$READY_TIMEOUT" >/dev/null; then
		bench_error "the dataplane did not start or sync with $n record sets from mvdns-control" \
			"$BENCH_NN_CMD" "$(bench_nn_output 5; tail -n 5 "$BENCH_TMP/control.log")"
		kill -TERM "$api_pid" 2>/dev/null || true
		bench_nn_stop
		break
	fi
	secs=$(bench_elapsed "$t")
	kill -TERM "$api_pid" 2>/dev/null || true
	wait "$api_pid" || true
	api_max=$(jq -r '.max_ms // "null"' "$BENCH_TMP/api.json" 2>/dev/null || echo null)
	loaded=$((n + 1))
	ctl_rss=$(bench_proc_kb "$BENCH_CTL_PID" VmRSS)
	if [[ $n == 0 ]]; then
		base=$(dp_row control 0 "$secs" control_rss_kb "$ctl_rss" api_max_ms "$api_max" \
			command "$BENCH_NN_CMD")
	else
		rss=$(bench_proc_kb "$BENCH_NN_PID" VmRSS)
		dp_row control "$n" "$secs" bytes_per_set "$(bytes_per_set "$rss" "${base:-0}" "$n")" \
			control_rss_kb "$ctl_rss" control_load_per_s "$(jq -r .changes_per_s <<<"$out")" \
			api_max_ms "$api_max" \
			command "$BENCH_NN_CMD; records from bench/ctl.py load --scale --names $n" >/dev/null
	fi
	bench_nn_stop
done
bench_ctl_stop 600
bench_end
