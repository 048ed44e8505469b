#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The dataplane resolves itself: the client finds its MAC through ARP and
# IPv6 neighbour discovery (no static entries), and it answers ping.
# Usage: test_neighbours.sh [af_packet|af_xdp|tap]

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

# neigh_entry ADDR - "LLADDR STATE" of the client's entry for ADDR, if any.
neigh_entry() {
	ip -n "$LAB_NS_C" neigh show "$1" dev "$LAB_IF_C" |
		awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1), $NF }'
}

# check_neigh ADDR MAC - the entry for ADDR is MAC, learned (not static,
# not failed).
check_neigh() {
	local addr=$1 mac=$2 entry
	entry=$(neigh_entry "$addr")
	case ${entry#* } in
	REACHABLE | STALE | DELAY | PROBE)
		t_expect_eq "neighbour $addr resolved to the dataplane's MAC" \
			"$mac" "${entry%% *}"
		;;
	*)
		t_not_ok "neighbour $addr resolved to the dataplane's MAC"
		t_diag "expected: $mac (REACHABLE, STALE, DELAY or PROBE)"
		t_diag "got:      ${entry:-no entry}; ip neigh: $(ip -n "$LAB_NS_C" neigh show)"
		;;
	esac
}

# ping_ok DESC COUNT ARGS... - all COUNT echo requests answered.
ping_ok() {
	local desc=$1 count=$2 out
	shift 2
	out=$(lab_exec_c ping -c "$count" -i 0.2 -W 2 "$@" 2>&1) || true
	if grep -q " $count received" <<<"$out"; then
		t_ok "$desc"
	else
		t_not_ok "$desc"
		t_diag "ping -c $count -i 0.2 -W 2 $*:"
		t_diag "$out"
	fi
}

t_begin "$@"

t_expect_eq "the server's kernel carries none of the dataplane's addresses" "" \
	"$(ip -n "$LAB_NS_S" addr show | grep -F -e " $LAB_ADDR4_S/" -e " $LAB_ADDR6_S/" || true)"

t_start_dataplane
mac=$(lab_dataplane_mac)
ip -n "$LAB_NS_C" neigh flush dev "$LAB_IF_C"
t_expect_eq "no static neighbour entries on the client" "" \
	"$(ip -n "$LAB_NS_C" neigh show nud permanent)"

# shellcheck disable=SC2034 # filled and read through namerefs
declare -A before=() after=()
t_snapshot before

t_query "a query over IPv4 with an empty ARP cache is answered" www.example.com A <<'EOF'
status NOERROR
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF
check_neigh "$LAB_ADDR4_S" "$mac"

t_query "a query over IPv6 with an empty neighbour cache is answered" @"$LAB_ADDR6_S" www.example.com AAAA <<'EOF'
status NOERROR
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF
check_neigh "$LAB_ADDR6_S" "$mac"

t_snapshot after
t_expect_ge "verdict.arp-reply grew" 1 "$(t_delta before after arp-reply)"
t_expect_ge "verdict.nd-advert grew" 1 "$(t_delta before after nd-advert)"

t_snapshot before
ping_ok "ping 10.53.0.1" 3 "$LAB_ADDR4_S"
ping_ok "ping 10.53.0.1 with 1400-byte payloads" 2 -s 1400 "$LAB_ADDR4_S"
ping_ok "ping -6 fd53::1" 3 -6 "$LAB_ADDR6_S"
ping_ok "ping -6 fd53::1 with 1400-byte payloads" 2 -6 -s 1400 "$LAB_ADDR6_S"
t_snapshot after
t_expect_eq "verdict.icmp-echo grew by the 10 echo requests" 10 \
	"$(t_delta before after icmp-echo)"

# Only its own addresses: nobody answers for 10.53.0.99 or fd53::99.
ip -n "$LAB_NS_C" neigh flush dev "$LAB_IF_C"
lab_exec_c ping -c 1 -W 1 10.53.0.99 >/dev/null 2>&1 || true
lab_exec_c ping -6 -c 1 -W 1 fd53::99 >/dev/null 2>&1 || true
t_expect_eq "no ARP answer for an address that is not the dataplane's" "" \
	"$(neigh_entry 10.53.0.99)"
t_expect_eq "no ND answer for an address that is not the dataplane's" "" \
	"$(neigh_entry fd53::99)"

t_end
