#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# DNS answers from the dataplane, asked with dig from the client namespace:
# records, CNAMEs, negative answers, EDNS, truncation, 0x20, IPv6 transport.
# Usage: test_dns.sh [af_packet|af_xdp|tap]   (zone: zones/lab.json)

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

t_begin "$@"
LAB_APP_EXTRA="--nsid mvdns-lab-1" t_start_dataplane

SOA_COM='example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300'
SOA_ORG='example.org. 60 IN SOA ns1.example.org. hostmaster.example.org. 7 7200 900 1209600 86400'

# --- positive answers --------------------------------------------------------

t_query "www A: both records, nothing else (minimal response)" www.example.com A <<'EOF'
status NOERROR
flags qr aa
question www.example.com. IN A
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
authority -
additional -
EOF

t_query "www AAAA" www.example.com AAAA <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF

t_query "apex MX" example.com MX <<'EOF'
status NOERROR
flags qr aa
answer example.com. 3600 IN MX 10 mail.example.com.
answer example.com. 3600 IN MX 20 mail2.example.com.
EOF

t_query "apex TXT" example.com TXT <<'EOF'
status NOERROR
flags qr aa
answer example.com. 300 IN TXT "v=spf1 mx -all"
EOF

t_query "apex SOA" example.com SOA <<'EOF'
status NOERROR
flags qr aa
answer example.com. 900 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300
EOF

t_query "apex NS" example.com NS <<'EOF'
status NOERROR
flags qr aa
answer example.com. 172800 IN NS ns1.example.com.
answer example.com. 172800 IN NS ns2.example.com.
EOF

t_query "multivalue myapp A: all three values" myapp.example.com A <<'EOF'
status NOERROR
flags qr aa
answer myapp.example.com. 60 IN A 192.0.2.1
answer myapp.example.com. 60 IN A 192.0.2.2
answer myapp.example.com. 60 IN A 192.0.2.3
EOF

t_query "RD is copied into the response" +rec www.example.com A <<'EOF'
status NOERROR
flags qr aa rd
EOF

t_query "CD is copied into the response" +cdflag www.example.com A <<'EOF'
status NOERROR
flags qr aa cd
EOF

t_query "a type with no data at an existing name (TYPE65400) is NODATA" www.example.com TYPE65400 <<EOF
status NOERROR
flags qr aa
answer -
authority $SOA_COM
EOF

# ANY (RFC 8482): one RRset of the name, whichever.
any_rrsets() {
	t_dig example.com ANY | awk '$1 == "answer" { print $2, $4, $5 }' | sort -u
}
t_expect_eq "ANY at the apex: exactly one RRset in the answer" 1 \
	"$(any_rrsets | grep -c . || true)"

t_query "second zone: www.example.org A" www.example.org A <<'EOF'
status NOERROR
flags qr aa
answer www.example.org. 120 IN A 198.51.100.10
EOF

# --- CNAME -------------------------------------------------------------------

t_query "CNAME to an in-zone name: target's A records follow" alias.example.com A <<'EOF'
status NOERROR
flags qr aa
answer alias.example.com. 300 IN CNAME www.example.com.
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "CNAME to an in-zone name: target's AAAA follows" alias.example.com AAAA <<'EOF'
status NOERROR
flags qr aa
answer alias.example.com. 300 IN CNAME www.example.com.
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF

t_query "CNAME query type: the CNAME alone" alias.example.com CNAME <<'EOF'
status NOERROR
flags qr aa
answer alias.example.com. 300 IN CNAME www.example.com.
EOF

t_query "CNAME to an out-of-zone name: the CNAME alone" external.example.com A <<'EOF'
status NOERROR
flags qr aa
answer external.example.com. 300 IN CNAME www.example.net.
EOF

t_query "CNAME into the other hosted zone is not followed" cross.example.com A <<'EOF'
status NOERROR
flags qr aa
answer cross.example.com. 300 IN CNAME www.example.org.
EOF

t_query "CNAME chain of two, followed to the end" chain.example.com A <<'EOF'
status NOERROR
flags qr aa
answer chain.example.com. 300 IN CNAME alias.example.com.
answer alias.example.com. 300 IN CNAME www.example.com.
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "CNAME to a missing in-zone name: NXDOMAIN (RFC 6604), CNAME and SOA" dangling.example.com A <<EOF
status NXDOMAIN
flags qr aa
answer dangling.example.com. 300 IN CNAME nothere.example.com.
authority $SOA_COM
EOF

t_query "CNAME to an in-zone name without that type: NOERROR, CNAME and SOA" alias.example.com MX <<EOF
status NOERROR
flags qr aa
answer alias.example.com. 300 IN CNAME www.example.com.
authority $SOA_COM
EOF

# --- negative answers --------------------------------------------------------

t_query "NXDOMAIN with the SOA, TTL min(SOA TTL 900, MINIMUM 300)" nope.example.com A <<EOF
status NXDOMAIN
flags qr aa
answer -
authority $SOA_COM
EOF

t_query "NXDOMAIN in the second zone, TTL min(SOA TTL 60, MINIMUM 86400)" nope.example.org A <<EOF
status NXDOMAIN
flags qr aa
answer -
authority $SOA_ORG
EOF

t_query "NXDOMAIN below an existing name" x.www.example.com A <<EOF
status NXDOMAIN
flags qr aa
answer -
authority $SOA_COM
EOF

t_query "NODATA: www MX" www.example.com MX <<EOF
status NOERROR
flags qr aa
answer -
authority $SOA_COM
EOF

t_query "NODATA at the apex: example.com A" example.com A <<EOF
status NOERROR
flags qr aa
answer -
authority $SOA_COM
EOF

t_query "empty non-terminal b.example.com is NODATA, not NXDOMAIN" b.example.com A <<EOF
status NOERROR
flags qr aa
answer -
authority $SOA_COM
EOF

t_query "the name below the empty non-terminal exists" a.b.example.com A <<'EOF'
status NOERROR
flags qr aa
answer a.b.example.com. 300 IN A 192.0.2.30
EOF

t_query "REFUSED outside every zone, no AA" www.example.net A <<'EOF'
status REFUSED
flags qr
answer -
authority -
EOF

t_query "REFUSED for a parent of the zones (com.)" com. SOA <<'EOF'
status REFUSED
flags qr
answer -
EOF

# --- wildcards (RFC 4592): *.apps.example.org A, admin.apps.example.org TXT ---

t_query "wildcard: a name below apps is answered with its own name" web1.apps.example.org A <<'EOF'
status NOERROR
flags qr aa
question web1.apps.example.org. IN A
answer web1.apps.example.org. 120 IN A 198.51.100.80
authority -
EOF

t_query "wildcard: several labels in place of the *" a.b.apps.example.org A <<'EOF'
status NOERROR
flags qr aa
answer a.b.apps.example.org. 120 IN A 198.51.100.80
EOF

t_query "wildcard: a type it does not have is NODATA" web1.apps.example.org AAAA <<EOF
status NOERROR
flags qr aa
answer -
authority $SOA_ORG
EOF

t_query "wildcard: an existing name is not matched" admin.apps.example.org A <<EOF
status NOERROR
flags qr aa
answer -
authority $SOA_ORG
EOF

t_query "wildcard: nor a name below an existing one" x.admin.apps.example.org A <<EOF
status NXDOMAIN
flags qr aa
answer -
authority $SOA_ORG
EOF

# --- delegation: dept.example.org NS ns1.dept.example.org (glue), ns.example.net

for q in "below a delegation|www.dept.example.org A" "at the delegation point|dept.example.org NS"; do
	# shellcheck disable=SC2086 # the name and the type
	t_query "referral ${q%%|*}: NS in authority, glue, no AA" ${q#*|} <<'EOF'
status NOERROR
flags qr
answer -
authority dept.example.org. 3600 IN NS ns1.dept.example.org.
authority dept.example.org. 3600 IN NS ns.example.net.
additional ns1.dept.example.org. 3600 IN A 198.51.100.54
EOF
done

# --- EDNS --------------------------------------------------------------------

t_check "NSID (RFC 5001): dig +nsid gets the --nsid identifier" \
	sh -c "ip netns exec $LAB_NS_C dig +nsid +norec @$LAB_ADDR4_S www.example.com A |
		grep -F '(\"mvdns-lab-1\")'"
t_query "CH TXT id.server (RFC 4892): the same identifier" id.server CH TXT <<'EOF'
status NOERROR
answer id.server. 0 CH TXT "mvdns-lab-1"
EOF
t_check "NSID: not sent unasked" \
	sh -c "! ip netns exec $LAB_NS_C dig +norec @$LAB_ADDR4_S www.example.com A | grep -F NSID"


t_query "EDNS query: OPT in the response, udp 1232" www.example.com A <<'EOF'
status NOERROR
edns version=0 udp=1232
EOF

t_query "EDNS query with a 4096 buffer: the server still says 1232" +bufsize=4096 www.example.com A <<'EOF'
status NOERROR
edns version=0 udp=1232
EOF

t_query "no EDNS in the query: no OPT in the response" +noedns www.example.com A <<'EOF'
status NOERROR
flags qr aa
edns none
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "EDNS version 1: BADVERS with an OPT of version 0" +edns=1 +noednsnegotiation www.example.com A <<'EOF'
status BADVERS
edns version=0 udp=1232
answer -
EOF

t_query "NXDOMAIN without EDNS: no OPT" +noedns nope.example.com A <<EOF
status NXDOMAIN
edns none
authority $SOA_COM
EOF

t_query "unknown EDNS option (COOKIE) in the query is ignored" +cookie www.example.com A <<'EOF'
status NOERROR
flags qr aa
edns version=0 udp=1232
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

# --- truncation: big.example.com TXT is about 950 bytes ----------------------

t_query "big TXT without EDNS: TC set (512-byte limit), the question only" +noedns big.example.com TXT <<'EOF'
status NOERROR
flags qr aa tc
edns none
question big.example.com. IN TXT
answer -
authority -
additional -
EOF

t_query "big TXT with EDNS bufsize 1232: full answer, no TC" +bufsize=1232 big.example.com TXT <<EOF
status NOERROR
flags qr aa
edns version=0 udp=1232
$(t_big_answer)
EOF

t_query "big TXT with EDNS bufsize 512: TC set" +bufsize=512 big.example.com TXT <<'EOF'
status NOERROR
flags qr aa tc
answer -
EOF

t_query "EDNS bufsize below 512 counts as 512: a 76-byte answer is whole" +bufsize=50 www.example.com A <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

# --- 0x20 --------------------------------------------------------------------

t_query "mixed case question is echoed as asked" WwW.ExAmPlE.cOm A <<'EOF'
status NOERROR
flags qr aa
question WwW.ExAmPlE.cOm. IN A
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "mixed case NXDOMAIN keeps the question" NoPe.ExAmPlE.CoM A <<EOF
status NXDOMAIN
flags qr aa
question NoPe.ExAmPlE.CoM. IN A
authority $SOA_COM
EOF

# --- IPv6 transport ----------------------------------------------------------

t_query "IPv6 transport: www AAAA" @"$LAB_ADDR6_S" www.example.com AAAA <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN AAAA 2001:db8::10
EOF

t_query "IPv6 transport: multivalue myapp A" @"$LAB_ADDR6_S" myapp.example.com A <<'EOF'
status NOERROR
flags qr aa
answer myapp.example.com. 60 IN A 192.0.2.1
answer myapp.example.com. 60 IN A 192.0.2.2
answer myapp.example.com. 60 IN A 192.0.2.3
EOF

t_query "IPv6 transport: NXDOMAIN" @"$LAB_ADDR6_S" nope.example.com A <<EOF
status NXDOMAIN
flags qr aa
authority $SOA_COM
EOF

t_query "IPv6 transport: big TXT without EDNS is truncated" @"$LAB_ADDR6_S" +noedns big.example.com TXT <<'EOF'
status NOERROR
flags qr aa tc
EOF

t_query "IPv6 transport: REFUSED" @"$LAB_ADDR6_S" www.example.net A <<'EOF'
status REFUSED
flags qr
EOF

t_end
