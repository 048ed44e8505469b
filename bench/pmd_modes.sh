#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# pmd_modes.sh - what the lab's drivers offer a worker that should not poll
# all the time (bench/pmd_modes.c): RX interrupts and DPDK's PMD power
# management, for net_af_xdp and net_af_packet on a veth pair, net_tap and
# net_memif (server, no peer), in a namespace of its own that it removes
# again, also on failure. Needs root; sends no traffic.
#
#   bench/pmd_modes.sh   (BENCH_BUILD: the build directory, default build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
probe=${BENCH_BUILD:-$root/build}/bench/pmd_modes
ns=mvdns-pmd-$$
dir=$(mktemp -d)
[[ -x $probe ]] || {
	echo "pmd_modes.sh: no $probe: build first (make build)" >&2
	exit 1
}
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$ns"
ip -n "$ns" link add veth-s type veth peer name veth-c
ip -n "$ns" link set veth-s up
ip -n "$ns" link set veth-c up
ip netns exec "$ns" "$probe" -l 0,1 --no-huge --no-shconf -m 512 --no-pci \
	--log-level=lib.eal:error --log-level=pmd.net.*:error \
	--vdev=net_af_xdp0,iface=veth-s,start_queue=0,queue_count=1 \
	--vdev=net_af_packet0,iface=veth-c \
	--vdev=net_tap0,iface=tap-pmd \
	--vdev="net_memif0,role=server,socket=$dir/memif.sock" 2>"$dir/stderr" |
	grep -E '^(cpu|port)[: ]' || {
	cat "$dir/stderr" >&2
	exit 1
}
