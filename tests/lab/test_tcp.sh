#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# DNS over TCP (RFC 7766), answered by the dataplane without connection
# state (dataplane/tcp.h), asked with dig, kdig and dnspython from the
# client namespace: answers over TCP, the fallback from a truncated UDP
# answer, IPv6, multivalue, pipelining, and the verdict counters.
# Usage: test_tcp.sh [af_packet|af_xdp|tap]   (zone: zones/lab.json)

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

t_begin "$@"
t_start_dataplane

declare -A before after
t_snapshot before

t_query "TCP: www A" +tcp www.example.com A <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "TCP: NXDOMAIN with the SOA" +tcp nope.example.com A <<'EOF'
status NXDOMAIN
flags qr aa
answer -
authority example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300
EOF

t_query "TCP: big TXT without EDNS is whole (no 512-octet limit over TCP)" +tcp +noedns big.example.com TXT <<EOF
status NOERROR
flags qr aa
edns none
$(t_big_answer)
EOF

t_query "UDP answer truncated, dig retries over TCP and gets it whole" +noignore +noedns big.example.com TXT <<EOF
status NOERROR
flags qr aa
$(t_big_answer)
EOF

t_query "TCP over IPv6: www AAAA" @"$LAB_ADDR6_S" +tcp www.example.com AAAA <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF

t_query "TCP: multivalue myapp A" +tcp myapp.example.com A <<'EOF'
status NOERROR
flags qr aa
answer myapp.example.com. 60 IN A 192.0.2.1
answer myapp.example.com. 60 IN A 192.0.2.2
answer myapp.example.com. 60 IN A 192.0.2.3
EOF

out=$(lab_exec_c kdig +tcp +short +time=2 +retry=1 @"$LAB_ADDR4_S" www.example.com A 2>&1 |
	sort | tr '\n' ' ') || true
t_expect_eq "kdig +tcp: www A" "192.0.2.10 192.0.2.11 " "$out"

ok=0
for i in {1..20}; do
	out=$(lab_exec_c dig +tcp +short +time=2 +tries=1 @"$LAB_ADDR4_S" www.example.com A 2>&1) || true
	if grep -q 192.0.2.10 <<<"$out"; then
		ok=$((ok + 1))
	else
		t_diag "connection $i: $out"
	fi
done
t_expect_eq "20 TCP connections in a row, each answered" 20 "$ok"

t_run_checks lab_exec_c /usr/bin/python3 "$T_DIR/tcp_pipeline.py" "$LAB_ADDR4_S"
t_run_checks lab_exec_c /usr/bin/python3 "$T_DIR/tcp_pipeline.py" "$LAB_ADDR6_S"

t_snapshot after
t_expect_ge "verdict tcp-syn-ack counts the handshakes" 29 "$(t_delta before after tcp-syn-ack)"
t_expect_ge "verdict tcp-fin-ack counts the clients' FINs" 20 \
	"$(t_delta before after tcp-fin-ack)"
t_expect_ge "verdict drop-tcp-partial counts the split queries" 2 \
	"$(t_delta before after drop-tcp-partial)"
t_expect_ge "verdict tcp-reset counts the queries sent after our FIN" 2 \
	"$(t_delta before after tcp-reset)"

t_end
