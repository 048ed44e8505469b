#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The dataplane beside a kernel that keeps the host (bpf/xdp_dns.bpf.c): the
# server's kernel owns 10.53.0.1 and fd53::1 on a one-queue veth-s, and the
# dataplane's af_xdp port loads the XDP program, which steers DNS (UDP and
# TCP to port 53) to the dataplane and passes everything else to the kernel.
# Checked from both sides: the answers, and the dataplane's counters (what it
# saw) against the kernel's own services (ping, ARP, ND, a TCP and a UDP
# service on other ports).
# Usage: test_xdp.sh xdp
# drivers: xdp

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

t_begin "$@"
t_start_dataplane

declare -A before after
t_snapshot before

t_query "UDP www A: answered by the dataplane" www.example.com A <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "UDP over IPv6: www AAAA" @"$LAB_ADDR6_S" www.example.com AAAA <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF

t_query "TCP www A: answered by the dataplane" +tcp www.example.com A <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "TCP over IPv6: www AAAA" @"$LAB_ADDR6_S" +tcp www.example.com AAAA <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF

# The kernel's side: ping (after ARP and ND), and services on other ports.
t_check "ping 10.53.0.1: the kernel answers" lab_exec_c ping -c 2 -W 2 -i 0.2 "$LAB_ADDR4_S"
t_check "ping fd53::1: the kernel answers" lab_exec_c ping -6 -c 2 -W 2 -i 0.2 "$LAB_ADDR6_S"

# A TCP service on port 8053 and a UDP one on 5353, each answering once.
lab_exec_s /usr/bin/python3 -c '
import socket, sys
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 8053)); t.listen(1)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5353))
t.settimeout(10); u.settimeout(10)
print("listening", flush=True)
c, _ = t.accept(); c.sendall(b"kernel-tcp\n"); c.close()
data, peer = u.recvfrom(100); u.sendto(b"kernel-udp:" + data, peer)
' >"$T_TMP/services.out" 2>&1 &
services=$!
lab_wait_for 5 grep -q listening "$T_TMP/services.out" || t_diag "$(cat "$T_TMP/services.out")"
out=$(lab_exec_c /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 8053), timeout=5); print(s.recv(100).decode().strip())
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5)
u.sendto(b"hi", (sys.argv[1], 5353)); print(u.recv(100).decode())
' "$LAB_ADDR4_S" 2>&1) || true
wait "$services" 2>/dev/null || true
t_expect_eq "TCP to port 8053 and UDP to 5353 reach the kernel's services" \
	"kernel-tcp kernel-udp:hi" "$(tr '\n' ' ' <<<"$out" | sed 's/ $//')"

t_snapshot after
t_expect_ge "the dataplane answered the UDP queries" 2 "$(t_delta before after answer-noerror)"
t_expect_ge "the dataplane answered the TCP handshakes" 2 "$(t_delta before after tcp-syn-ack)"
for v in arp-reply nd-advert icmp-echo drop-unsupported drop-not-for-us; do
	t_expect_eq "the dataplane saw no $v (the kernel's traffic)" 0 "$(t_delta before after "$v")"
done

t_end
