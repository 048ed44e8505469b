#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dpwrap.sh - how the benchmarks start mvdns-dataplane, in a mount namespace
# of its own (lab_start_dataplane execs this as LAB_DATAPLANE inside the
# server namespace; outside the lab, `unshare -m dpwrap.sh ...`). It execs
# the dataplane (same PID), after:
#   - bind-mounting $BENCH_SHM, if set, over /dev/shm (in that mount
#     namespace only), so that the control channel appears where our
#     mvdns-control looks (--shm-dir) and nowhere another control process
#     looks (in the lab, lab.sh does this itself);
#   - appending $BENCH_VDEV_EXTRA (e.g. busy_budget=0) to every af_xdp vdev;
#   - replacing "-l LIST" by "--lcores=$BENCH_LCORES" when that is set
#     (e.g. 0@0,1@0: both lcores on CPU 0);
#   - appending $BENCH_APP_EXTRA (e.g. --idle-sleep-us 50) to the
#     dataplane's own options.
# Environment: BENCH_DATAPLANE (the binary), BENCH_SHM, BENCH_VDEV_EXTRA,
# BENCH_LCORES, BENCH_APP_EXTRA.
set -euo pipefail

if [[ -n ${BENCH_SHM:-} ]]; then
	mount --bind "$BENCH_SHM" /dev/shm
fi
args=()
while (($#)); do
	case $1 in
	--vdev=net_af_xdp*)
		args+=("$1${BENCH_VDEV_EXTRA:+,$BENCH_VDEV_EXTRA}")
		;;
	-l)
		if [[ -n ${BENCH_LCORES:-} ]]; then
			args+=("--lcores=$BENCH_LCORES")
		else
			args+=(-l "$2")
		fi
		shift
		;;
	*)
		args+=("$1")
		;;
	esac
	shift
done
# shellcheck disable=SC2206 # BENCH_APP_EXTRA is a whitespace-split list.
args+=(${BENCH_APP_EXTRA:-})
exec "${BENCH_DATAPLANE:?}" "${args[@]}"
