#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# mvdns-control and mvdnsctl with the real dataplane, queried from the client
# namespace with dig (and dnspython where there are hundreds of names): a
# hosted zone, a change batch, UPSERT, DELETE, get-change; an
# InvalidChangeBatch and 80-odd malformed documents (batches/expected.txt,
# plus some generated here) that are refused with Route 53's error and
# change nothing; mvdns-control killed (SIGKILL) in the middle of a stream of
# batches and restarted on its state directory: every acknowledged batch
# served, none half-applied; the dataplane killed and restarted: it serves
# exactly the control's state.
# Usage: test_control.sh [af_packet|af_xdp|tap]

# Functions called through lab_wait_for, and t_start_control without options:
# shellcheck disable=SC2317,SC2119

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

BATCHES=$T_DIR/batches
SOA='example.com. 900 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400'
OP='when calling the ChangeResourceRecordSets operation:'
# Acknowledged batches to see before mvdns-control is killed.
STREAM_ACKED=20
ZONE_ID=

# ctl ARGS... - mvdnsctl against the lab's control: stdout in CTL_OUT, stderr
# in CTL_ERR, exit status in CTL_RC. Never fails.
ctl() {
	CTL_RC=0
	CTL_OUT=$(lab_ctl --cli-read-timeout 10 "$@" 2>"$T_TMP/ctl.err") || CTL_RC=$?
	CTL_ERR=$(<"$T_TMP/ctl.err")
}

# json EXPR - a Python expression over CTL_OUT's JSON (as j); empty if none.
json() {
	/usr/bin/python3 -c '
import json, sys
try:
    print(eval(sys.argv[1], {"j": json.loads(sys.stdin.read())}))
except Exception:
    pass' "$1" <<<"$CTL_OUT"
}

# apply FILE [OPTION...] - change-resource-record-sets on the zone.
apply() {
	local file=$1
	shift
	ctl change-resource-record-sets --hosted-zone-id "$ZONE_ID" \
		--change-batch "file://$file" "$@"
}

# diag_ctl - the last mvdnsctl call, for a failed check.
diag_ctl() {
	t_diag "mvdnsctl exit status $CTL_RC"
	[[ -z $CTL_OUT ]] || t_diag "stdout: $CTL_OUT"
	[[ -z $CTL_ERR ]] || t_diag "stderr: $CTL_ERR"
}

# check_applied DESC FILE - apply FILE with --wait: exit 0 and INSYNC.
check_applied() {
	local desc=$1 file=$2
	apply "$file" --wait --wait-timeout 10
	if [[ $CTL_RC == 0 && $(json 'j["ChangeInfo"]["Status"]') == INSYNC ]]; then
		t_ok "$desc"
	else
		t_not_ok "$desc"
		diag_ctl
	fi
}

# The zone's record sets, in list-resource-record-sets' JSON.
list_json() {
	lab_ctl list-resource-record-sets --hosted-zone-id "$ZONE_ID" 2>&1
}

change_status() {
	ctl get-change --id "$1"
	json 'j["ChangeInfo"]["Status"]'
}

change_insync() {
	[[ $(change_status "$1") == INSYNC ]]
}

# change ACTION NAME TYPE TTL VALUE... - one element of Changes.
change() {
	local action=$1 name=$2 type=$3 ttl=$4 v values=
	shift 4
	for v in "$@"; do
		v=${v//\\/\\\\}
		values+="${values:+, }{\"Value\": \"${v//\"/\\\"}\"}"
	done
	printf '{"Action": "%s", "ResourceRecordSet": {"Name": "%s", "Type": "%s", "TTL": %s, "ResourceRecords": [%s]}}' \
		"$action" "$name" "$type" "$ttl" "$values"
}

# batch FILE CHANGE... - write a change batch of the CHANGEs to FILE.
batch() {
	local file=$1 c sep=
	shift
	{
		printf '{"Comment": "test_control", "Changes": ['
		for c in "$@"; do
			printf '%s\n  %s' "$sep" "$c"
			sep=,
		done
		printf '\n]}\n'
	} >"$file"
}

dnscheck() {
	lab_exec_c /usr/bin/python3 "$T_TMP/dnscheck.py" "$@"
}

# check_state DESC NAME... - the dataplane serves exactly the control's
# listing, and NAMEs are NXDOMAIN.
check_state() {
	local desc=$1 out n
	shift
	list_json >"$T_TMP/state.json"
	out=$(dnscheck state "$T_TMP/state.json" "$@" 2>&1) || true
	n=$(sed -n 's/^checked //p' <<<"$out")
	if [[ -n $n && $(grep -vc '^checked ' <<<"$out") == 0 ]]; then
		t_ok "$desc ($n names and types)"
	else
		t_not_ok "$desc"
		t_diag "$out"
	fi
}

t_begin "$@"
# The dnspython side, run in the client namespace:
#   stream N            for n in 1..N: "n A B", A and B what s<n>-a and
#                       s<n>-b.example.com A answer: the address, NXDOMAIN,
#                       or what else came back
#   state LIST.json NAME...  compare every record set of the listing with
#                       what the server answers, and NAMEs with NXDOMAIN;
#                       prints "checked N" then one line per difference
cat >"$T_TMP/dnscheck.py" <<'EOF'
import json
import sys

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype

SERVER = "10.53.0.1"


def ask(name, rdtype):
    q = dns.message.make_query(name, rdtype)
    q.flags &= ~dns.flags.RD
    for _ in range(5):
        try:
            return dns.query.udp(q, SERVER, timeout=1)
        except dns.exception.Timeout:
            continue
    return None


def values(resp, name, rdtype):
    out = set()
    for rrset in resp.answer:
        if rrset.name == dns.name.from_text(name) and rrset.rdtype == dns.rdatatype.from_text(rdtype):
            out |= {(rrset.ttl, rd.to_text()) for rd in rrset}
    return out


def stream(n):
    for i in range(1, n + 1):
        states = []
        for side in "ab":
            r = ask("s%d-%s.example.com." % (i, side), "A")
            if r is None:
                states.append("noreply")
            elif r.rcode() == dns.rcode.NXDOMAIN:
                states.append("NXDOMAIN")
            elif r.rcode() == dns.rcode.NOERROR:
                v = sorted(x for _, x in values(r, "s%d-%s.example.com." % (i, side), "A"))
                states.append(",".join(v) or "NODATA")
            else:
                states.append(dns.rcode.to_text(r.rcode()))
        print(i, *states)


def state(listing, gone):
    want = {}
    for s in json.load(open(listing))["ResourceRecordSets"]:
        key = (s["Name"].lower(), s["Type"])
        want.setdefault(key, set()).update((s["TTL"], v["Value"]) for v in s["ResourceRecords"])
    n = 0
    for (name, rdtype), w in sorted(want.items()):
        n += 1
        r = ask(name, rdtype)
        if r is None:
            print("%s %s: no reply" % (name, rdtype))
            continue
        got = values(r, name, rdtype)
        if r.rcode() != dns.rcode.NOERROR or got != w:
            print("%s %s: want NOERROR %s; got %s %s" % (name, rdtype, sorted(w),
                  dns.rcode.to_text(r.rcode()), sorted(got)))
    for name in gone:
        n += 1
        r = ask(name, "A")
        if r is None or r.rcode() != dns.rcode.NXDOMAIN:
            print("%s A: want NXDOMAIN; got %s" % (name, r and dns.rcode.to_text(r.rcode())))
    print("checked", n)


if sys.argv[1] == "stream":
    stream(int(sys.argv[2]))
else:
    state(sys.argv[2], sys.argv[3:])
EOF

t_start_control
t_start_dataplane_fed

# --- a hosted zone and its first change batch -------------------------------

ctl create-hosted-zone --name example.com --caller-reference "test-control-$$"
ZONE_ID=$(json 'j["HostedZone"]["Id"].split("/")[-1]')
if [[ $CTL_RC == 0 && -n $ZONE_ID ]]; then
	t_ok "create-hosted-zone example.com"
else
	t_not_ok "create-hosted-zone example.com"
	diag_ctl
	t_end
fi
zone_change=$(json 'j["ChangeInfo"]["Id"]')
t_check "the zone's creation goes INSYNC (get-change)" \
	lab_wait_for 10 change_insync "$zone_change"

t_query "the new zone's SOA, as create-hosted-zone made it" example.com SOA <<EOF
status NOERROR
flags qr aa
answer $SOA
EOF

t_query "the new zone's NS" example.com NS <<'EOF'
status NOERROR
flags qr aa
answer example.com. 172800 IN NS ns1.example.com.
EOF

batch "$T_TMP/base.json" \
	"$(change CREATE www.example.com. A 300 192.0.2.10 192.0.2.11)" \
	"$(change CREATE alias.example.com. CNAME 300 www.example.com.)" \
	"$(change CREATE example.com. MX 3600 '10 mail.example.com.')" \
	"$(change CREATE txt.example.com. TXT 300 '"hello world"')" \
	'{"Action": "CREATE", "ResourceRecordSet": {"Name": "myapp.example.com.", "Type": "A", "TTL": 60, "SetIdentifier": "web-1", "MultiValueAnswer": true, "ResourceRecords": [{"Value": "192.0.2.1"}]}}' \
	'{"Action": "CREATE", "ResourceRecordSet": {"Name": "myapp.example.com.", "Type": "A", "TTL": 60, "SetIdentifier": "web-2", "MultiValueAnswer": true, "ResourceRecords": [{"Value": "192.0.2.2"}]}}'
check_applied "a batch of 6 CREATEs is INSYNC after --wait" "$T_TMP/base.json"

t_query "www A, as created" www.example.com A <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "alias A: the CNAME, then www's records" alias.example.com A <<'EOF'
status NOERROR
answer alias.example.com. 300 IN CNAME www.example.com.
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

t_query "apex MX" example.com MX <<'EOF'
status NOERROR
answer example.com. 3600 IN MX 10 mail.example.com.
EOF

t_query "txt TXT" txt.example.com TXT <<'EOF'
status NOERROR
answer txt.example.com. 300 IN TXT "hello world"
EOF

t_query "myapp A: both multivalue sets" myapp.example.com A <<'EOF'
status NOERROR
answer myapp.example.com. 60 IN A 192.0.2.1
answer myapp.example.com. 60 IN A 192.0.2.2
EOF

# --- UPSERT, get-change, DELETE ----------------------------------------------

batch "$T_TMP/upsert.json" "$(change UPSERT www.example.com. A 120 192.0.2.20)"
apply "$T_TMP/upsert.json"
upsert_change=$(json 'j["ChangeInfo"]["Id"]')
upsert_status=$(json 'j["ChangeInfo"]["Status"]')
if [[ $CTL_RC == 0 && $upsert_change == /change/* && $upsert_status =~ ^(PENDING|INSYNC)$ ]]; then
	t_ok "UPSERT without --wait: ChangeInfo with an Id and $upsert_status"
else
	t_not_ok "UPSERT without --wait: ChangeInfo with an Id and PENDING or INSYNC"
	diag_ctl
fi
t_check "get-change of the UPSERT goes INSYNC" lab_wait_for 10 change_insync "$upsert_change"
t_expect_eq "get-change stays INSYNC" INSYNC "$(change_status "$upsert_change")"

t_query "www A after the UPSERT: the new value and TTL only" www.example.com A <<'EOF'
status NOERROR
flags qr aa
answer www.example.com. 120 IN A 192.0.2.20
EOF

batch "$T_TMP/delete.json" "$(change DELETE www.example.com. A 120 192.0.2.20)"
check_applied "DELETE of www A is INSYNC after --wait" "$T_TMP/delete.json"

t_query "www A after the DELETE: NXDOMAIN with the SOA" www.example.com A <<EOF
status NXDOMAIN
flags qr aa
answer -
authority $SOA
EOF

t_query "alias A now dangles: NXDOMAIN, the CNAME and the SOA" alias.example.com A <<EOF
status NXDOMAIN
answer alias.example.com. 300 IN CNAME www.example.com.
authority $SOA
EOF

# Back to the first batch's www, which the documents below expect.
batch "$T_TMP/recreate.json" "$(change CREATE www.example.com. A 300 192.0.2.10 192.0.2.11)"
check_applied "CREATE of the deleted www A is INSYNC after --wait" "$T_TMP/recreate.json"
t_query "www A is back, and alias A follows it again" alias.example.com A <<'EOF'
status NOERROR
answer alias.example.com. 300 IN CNAME www.example.com.
answer www.example.com. 300 IN A 192.0.2.10
answer www.example.com. 300 IN A 192.0.2.11
EOF

# --- an InvalidChangeBatch changes nothing -----------------------------------

# Answers to compare before and after: a lost reply (a loaded machine) is
# asked again, up to 3 times.
dig_snapshot() {
	local q reply _
	for q in "new.example.com A" "txt.example.com TXT" "myapp.example.com A" "alias.example.com CNAME"; do
		for _ in 1 2 3; do
			# shellcheck disable=SC2086 # a name and a type
			reply=$(t_dig $q)
			[[ $reply == noreply* ]] || break
		done
		echo "$reply"
	done
}

list_before=$(list_json)
dig_before=$(dig_snapshot)
batch "$T_TMP/exists.json" \
	"$(change CREATE new.example.com. A 300 192.0.2.99)" \
	"$(change CREATE txt.example.com. TXT 300 '"hello world"')"
apply "$T_TMP/exists.json"
t_expect_eq "CREATE of an existing set: mvdnsctl exits 254" 254 "$CTL_RC"
want="An error occurred (InvalidChangeBatch) $OP [Tried to create resource record set [name='txt.example.com.', type='TXT'] but it already exists]"
if grep -qxF -- "$want" <<<"$CTL_ERR"; then
	t_ok "CREATE of an existing set: the AWS CLI's error line"
else
	t_not_ok "CREATE of an existing set: the AWS CLI's error line"
	t_diag "want: $want"
	diag_ctl
fi
t_expect_eq "the refused batch changed no record set (list-resource-record-sets)" \
	"$list_before" "$(list_json)"
t_expect_eq "the refused batch changed no answer (its good CREATE is not served)" \
	"$dig_before" "$(dig_snapshot)"

# --- malformed documents -------------------------------------------------------

# Larger documents, made here rather than kept in the tree: FILE EXIT ERROR TEXT
# lines as in batches/expected.txt.
mkdir -p "$T_TMP/gen"
/usr/bin/python3 - "$T_TMP/gen" <<'EOF'
import json, os, sys
d = sys.argv[1]
def rr(name, typ, values, action="CREATE"):
    return {"Action": action, "ResourceRecordSet": {"Name": name, "Type": typ, "TTL": 60,
            "ResourceRecords": [{"Value": v} for v in values]}}
def put(name, doc):
    with open(os.path.join(d, name), "w") as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
ip = lambda i: "198.18.%d.%d" % (i // 256, i % 256)
put("records-1001.json", {"Changes": [rr("big.example.com.", "A", [ip(i) for i in range(1001)])]})
put("upsert-counts-twice.json", {"Changes": [rr("big.example.com.", "A", [ip(i) for i in range(501)], "UPSERT")]})
put("changes-1001.json", {"Changes": [rr("n%d.example.com." % i, "A", ["192.0.2.1"]) for i in range(1001)]})
put("chars-32000.json", {"Changes": [rr("bigtxt.example.com.", "TXT", ['"%03d%s"' % (i, "x" * 247) for i in range(130)])]})
put("value-4001.json", {"Changes": [rr("bigtxt.example.com.", "TXT", [" ".join(['"%s"' % ("y" * 249)] * 16) + ' "z"'])]})
put("name-1025.json", {"Changes": [rr(("a" * 60 + ".") * 17 + "example.com.", "A", ["192.0.2.1"])]})
put("name-256.json", {"Changes": [rr(("a" * 62 + ".") * 4 + "example.com.", "A", ["192.0.2.1"])]})
put("comment-4mb.json", {"Comment": "c" * (4 << 20), "Changes": [rr("new.example.com.", "A", ["192.0.2.1"])]})
put("nesting-100000.json", '{"Changes": ' + "[" * 100000 + "]" * 100000 + "}")
EOF
GENERATED="\
records-1001.json        254 InvalidChangeBatch [Number of records limit of 1000 exceeded.]
upsert-counts-twice.json 254 InvalidChangeBatch [Number of records limit of 1000 exceeded.]
changes-1001.json        254 InvalidChangeBatch [Number of records limit of 1000 exceeded.]
chars-32000.json         254 InvalidChangeBatch [RDATA character limit of 32000 exceeded.]
value-4001.json          254 InvalidInput at 'changeBatch.changes.1.member.resourceRecordSet.resourceRecords.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 4000
name-1025.json           254 InvalidInput at 'changeBatch.changes.1.member.resourceRecordSet.name' failed to satisfy constraint: Member must have length less than or equal to 1024
name-256.json            254 InvalidChangeBatch DomainNameTooLong (Domain name is too long)
comment-4mb.json         252 - The request is 4194565 bytes, more than the control API's 4194304
nesting-100000.json      252 - Error parsing parameter '--change-batch': Invalid JSON: maximum parsing depth reached"

# The control has health checks when it knows ListHealthChecks.
HEALTH=0
lab_ctl list-health-checks >/dev/null 2>&1 && HEALTH=1

# check_refused DIR FILE EXIT ERROR TEXT
check_refused() {
	local dir=$1 file=$2 rc=$3 err=$4 text=$5 desc head problem=
	desc="refuses $file: $([[ $err == - ]] && echo "the CLI's own error" || echo "$err")"
	if [[ $err == NoSuchHealthCheck ]] && ((!HEALTH)); then
		t_ok "$desc # SKIP mvdns-control has no health checks yet"
		return 0
	fi
	apply "$dir/$file"
	head="An error occurred ($err) $OP "
	if [[ $CTL_RC != "$rc" ]]; then
		problem="exit status $CTL_RC, want $rc"
	elif [[ $err == - ]] && grep -q '^An error occurred' <<<"$CTL_ERR"; then
		problem="an error from mvdns-control, want the CLI's own"
	elif [[ $err != - ]] && ! grep -qF -- "$head" <<<"$CTL_ERR"; then
		problem="no line starting \"$head\""
	elif ! grep -qF -- "$text" <<<"$CTL_ERR"; then
		problem="the error does not say: $text"
	elif [[ -n $CTL_OUT ]]; then
		problem="something on stdout"
	fi
	if [[ -z $problem ]]; then
		t_ok "$desc"
	else
		t_not_ok "$desc"
		t_diag "$problem"
		diag_ctl
	fi
	REFUSED=$((REFUSED + 1))
}

list_before=$(list_json)
REFUSED=0
while read -r file rc err text; do
	[[ -z $file || $file == \#* ]] && continue
	check_refused "$BATCHES" "$file" "$rc" "$err" "$text"
done <"$BATCHES/expected.txt"
while read -r file rc err text; do
	check_refused "$T_TMP/gen" "$file" "$rc" "$err" "$text"
done <<<"$GENERATED"

# NoSuchHostedZone: a good document for a zone that does not exist.
batch "$T_TMP/good.json" "$(change CREATE new.example.com. A 300 192.0.2.1)"
ctl change-resource-record-sets --hosted-zone-id Z00000000000000000000 \
	--change-batch "file://$T_TMP/good.json"
want="An error occurred (NoSuchHostedZone) $OP No hosted zone found with ID: Z00000000000000000000"
if [[ $CTL_RC == 254 ]] && grep -qxF -- "$want" <<<"$CTL_ERR"; then
	t_ok "refuses a batch for a zone that does not exist: NoSuchHostedZone"
else
	t_not_ok "refuses a batch for a zone that does not exist: NoSuchHostedZone"
	t_diag "want: exit 254 and: $want"
	diag_ctl
fi
REFUSED=$((REFUSED + 1))

t_expect_ge "50 or more malformed documents refused" 50 "$REFUSED"
t_expect_eq "after $REFUSED refused documents, the record sets are unchanged" \
	"$list_before" "$(list_json)"
t_expect_eq "after $REFUSED refused documents, the answers are unchanged" \
	"$dig_before" "$(dig_snapshot)"
t_query "the dataplane still answers" myapp.example.com A <<'EOF'
status NOERROR
answer myapp.example.com. 60 IN A 192.0.2.1
answer myapp.example.com. 60 IN A 192.0.2.2
EOF

# --- mvdns-control killed in the middle of a stream of batches -----------------

# Batch n creates s<n>-a and s<n>-b.example.com A with the same value. Each
# line of the log says "n EXIT STATUS"; the stream stops at the first failure
# (the control is gone) or after 5000 batches.
stream_value() {
	echo "198.18.$(($1 / 256)).$(($1 % 256))"
}
stream() {
	local n out rc status
	for ((n = 1; n <= 5000; n++)); do
		batch "$T_TMP/stream-$n.json" \
			"$(change CREATE "s$n-a.example.com." A 60 "$(stream_value "$n")")" \
			"$(change CREATE "s$n-b.example.com." A 60 "$(stream_value "$n")")"
		rc=0
		out=$(lab_ctl --cli-read-timeout 10 change-resource-record-sets \
			--hosted-zone-id "$ZONE_ID" --change-batch "file://$T_TMP/stream-$n.json" \
			--wait --wait-timeout 10 2>&1) || rc=$?
		status=$(sed -n 's/.*"Status": "\([A-Z]*\)".*/\1/p' <<<"$out" | head -n 1)
		echo "$n $rc ${status:--}" >>"$T_TMP/stream.log"
		rm -f "$T_TMP/stream-$n.json"
		((rc == 0)) || break
	done
}

stream_acked() {
	awk '$2 == 0 && $3 == "INSYNC"' "$T_TMP/stream.log" 2>/dev/null | wc -l
}

stream_has_acked() {
	(($(stream_acked) >= STREAM_ACKED))
}

stream_done() {
	! kill -0 "$STREAM_PID" 2>/dev/null
}

: >"$T_TMP/stream.log"
stream &
STREAM_PID=$!
if ! lab_wait_for 60 stream_has_acked; then
	t_not_ok "the stream of batches gets $STREAM_ACKED acknowledged within 60 s"
	t_diag "$(tail -n 5 "$T_TMP/stream.log")"
fi
# Somewhere inside the next request.
sleep "0.0$((RANDOM % 10))"
lab_stop_control KILL || true
t_expect_eq "mvdns-control dies of SIGKILL" 137 "${LAB_CTL_STATUS:-unknown}"
if ! lab_wait_for 30 stream_done; then
	kill "$STREAM_PID" 2>/dev/null || true
fi
wait "$STREAM_PID" 2>/dev/null || true
last=$(awk 'END { print $1 }' "$T_TMP/stream.log")
acked=$(stream_acked)
t_diag "stream: $acked batches acknowledged, batch $last was in flight: $(tail -n 1 "$T_TMP/stream.log")"

t_start_control
t_ok "mvdns-control restarts on its state directory and resynchronises the dataplane"

stream_states=$(dnscheck stream "$last" 2>&1) || true
not_served=
half_applied=
applied=0
while read -r n a b; do
	[[ $n =~ ^[0-9]+$ ]] || continue
	v=$(stream_value "$n")
	if awk -v n="$n" '$1 == n && $2 == 0 && $3 == "INSYNC" { f = 1 } END { exit !f }' \
		"$T_TMP/stream.log" && [[ $a != "$v" || $b != "$v" ]]; then
		not_served+=" $n($a $b)"
	fi
	if ! [[ ($a == "$v" && $b == "$v") || ($a == NXDOMAIN && $b == NXDOMAIN) ]]; then
		half_applied+=" $n($a $b)"
	fi
	[[ $a == "$v" ]] && applied=$((applied + 1))
done <<<"$stream_states"
if [[ $(grep -c '^[0-9]' <<<"$stream_states") != "$last" ]]; then
	t_not_ok "every batch of the stream asked about"
	t_diag "$stream_states"
fi
if [[ -z $not_served ]]; then
	t_ok "all $acked acknowledged batches are served after the restart"
else
	t_not_ok "all $acked acknowledged batches are served after the restart"
	t_diag "acknowledged but not served (a b):$not_served"
fi
if [[ -z $half_applied ]]; then
	t_ok "no batch of the stream is half-applied (both names or neither, $applied applied)"
else
	t_not_ok "no batch of the stream is half-applied"
	t_diag "half-applied (a b):$half_applied"
fi
listed=$(list_json | grep -c '"Name": "s[0-9]*-[ab]\.example\.com\."' || true)
t_expect_eq "the restarted control lists the names the dataplane serves" \
	"$((2 * applied))" "$listed"

batch "$T_TMP/after.json" "$(change CREATE after.example.com. A 60 192.0.2.77)"
check_applied "the restarted control applies a new batch" "$T_TMP/after.json"
t_query "the new batch is served" after.example.com A <<'EOF'
status NOERROR
answer after.example.com. 60 IN A 192.0.2.77
EOF

# --- the dataplane killed and restarted ----------------------------------------

# Names deleted before the crash must stay deleted.
batch "$T_TMP/delete-s1.json" \
	"$(change DELETE s1-a.example.com. A 60 "$(stream_value 1)")" \
	"$(change DELETE s1-b.example.com. A 60 "$(stream_value 1)")"
check_applied "DELETE of batch 1's names is INSYNC" "$T_TMP/delete-s1.json"
check_state "before the crash, the dataplane serves exactly the control's state" \
	s1-a.example.com. s1-b.example.com. new.example.com.

lab_stop_dataplane KILL || true
t_expect_eq "the dataplane dies of SIGKILL" 137 "${LAB_DP_STATUS:-unknown}"
reply=$(t_dig +tries=1 after.example.com A)
if [[ $reply == noreply* ]]; then
	t_ok "no answer while the dataplane is down"
else
	t_not_ok "no answer while the dataplane is down"
	t_diag "$reply"
fi

# A change while no dataplane runs: acknowledged, and served once one starts.
batch "$T_TMP/while-down.json" "$(change UPSERT after.example.com. A 60 192.0.2.78)"
check_applied "a batch while the dataplane is down is INSYNC (no dataplane attached)" \
	"$T_TMP/while-down.json"

t_start_dataplane_fed
t_ok "the dataplane restarts and applies the control's full state"
check_state "after the restart, the dataplane serves exactly the control's state" \
	s1-a.example.com. s1-b.example.com. new.example.com.
t_query "the change made while it was down is served" after.example.com A <<'EOF'
status NOERROR
answer after.example.com. 60 IN A 192.0.2.78
EOF

t_end
