#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Health checks end to end: mvdns-control (its Route 53 operations and its
# health-check engine) feeding the real dataplane, asked from the client
# namespace with dnspython.
#  (a) issue 4's conformance scenario: 20 multivalue A sets on one name, each
#      with an EXTERNAL check; at most 8 distinct values per answer, all 20
#      served, the first value varying; 15 set Unhealthy: only the other 5
#      within 2 s (and still after the control restarts: no flap); all 20
#      Unhealthy: fail open; all Healthy again: the full spread.
#  (b) real endpoints in the server namespace (HTTP, TCP, HTTP_STR_MATCH, an
#      Inverted HTTP check; RequestInterval 10, FailureThreshold 1): stopping
#      or breaking each takes its value out within two intervals, repairing
#      it brings the value back.
#  (c) the time from SetHealthCheckStatus (sent on the control socket) to the
#      first answer that reflects it, p50/p99 over 50 flips (HEALTH_FLIPS),
#      reported as a diagnostic.
# Usage: test_health.sh [af_packet|af_xdp|tap]
# drivers: af_packet
# (The health path is the same on every driver, and (b) waits on real probe
# intervals: one driver keeps the suite short.)
#
# The control runs in the server namespace (lab_start_control: its probes
# reach the endpoints on that namespace's loopback), scans only the lab's
# private /dev/shm and feeds only the lab's channel (--channel).

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

H_TMP=
H_PIDS=()     # the endpoints
H_INTERVAL=10 # RequestInterval of the probed checks
# Status flips timed in (c); more for a steadier p99.
H_FLIPS=${HEALTH_FLIPS:-50}

# --- helpers ------------------------------------------------------------------

h_fatal() {
	t_not_ok "$1"
	shift
	(($#)) && t_diag "$*"
	exit 1
}

# The EXIT trap: our processes and files, then lab.sh's teardown, which reads
# the script's exit status from $?.
# shellcheck disable=SC2317 # called by the trap
h_on_exit() {
	local rc=$1
	set +e
	h_cleanup
	(exit "$rc")
	lab__on_exit
}

# shellcheck disable=SC2317 # called by the EXIT trap
h_cleanup() {
	local pid
	for pid in "${H_PIDS[@]}"; do
		lab__kill_wait "$pid" 5 >/dev/null 2>&1 || true
	done
	H_PIDS=()
	[[ -n $H_TMP && -d $H_TMP ]] && rm -rf "$H_TMP"
	return 0
}

# Remember a process for the cleanup and for run.sh's leftover check.
h_record() {
	H_PIDS+=("$1")
	if [[ -n ${LAB_PID_RECORD:-} ]]; then
		echo "$1 $2" >>"$LAB_PID_RECORD"
	fi
}

h_ctl() {
	lab_ctl "$@"
}

h_py() {
	lab_exec_c "$T_PY" "$H_TMP/dnsq.py" "$@"
}

# h_create_check REF CONFIG - print the new check's id.
h_create_check() {
	h_ctl create-health-check --caller-reference "$1" --health-check-config "$2" --output json |
		"$T_PY" -c 'import json, sys; print(json.load(sys.stdin)["HealthCheck"]["Id"])'
}

h_set() {
	h_ctl set-health-check-status --health-check-id "$1" --status "$2" >/dev/null
}

# h_pool_batch NAME VALUE:CHECK_ID... - a change batch of multivalue A sets.
h_pool_batch() {
	local name=$1 vc sep=
	shift
	printf '{"Changes": ['
	for vc in "$@"; do
		printf '%s{"Action": "CREATE", "ResourceRecordSet": {"Name": "%s", "Type": "A",' \
			"$sep" "$name"
		printf ' "TTL": 60, "SetIdentifier": "%s", "MultiValueAnswer": true,' "${vc%%:*}"
		[[ -n ${vc#*:} ]] && printf ' "HealthCheckId": "%s",' "${vc#*:}"
		printf ' "ResourceRecords": [{"Value": "%s"}]}}' "${vc%%:*}"
		sep=', '
	done
	printf ']}\n'
}

declare -A H_EP=() # endpoint name -> pid

# h_endpoint NAME http|tcp PORT [DIR] - start an endpoint.py in the server
# namespace and wait until it listens.
h_endpoint() {
	local name=$1 kind=$2 port=$3 dir=${4:-}
	# Not through the lab_exec_s function: $! must be the endpoint itself
	# (ip and env exec it), not a subshell running the function.
	ip netns exec "$LAB_NS_S" env --default-signal=INT,QUIT "$T_PY" "$H_TMP/endpoint.py" \
		"$kind" "$port" ${dir:+"$dir"} </dev/null >>"$H_TMP/endpoints.log" 2>&1 &
	H_EP[$name]=$!
	h_record "$!" "endpoint.py $kind $port"
	lab_wait_for 5 h_listening "$port"
}

# shellcheck disable=SC2317 # called through lab_wait_for
h_listening() {
	[[ -n $(lab_exec_s ss -Hltn "sport = :$1") ]]
}

h_stop_endpoint() {
	lab__kill_wait "${H_EP[$1]}" 5 || true
	wait "${H_EP[$1]}" 2>/dev/null || true
}

# h_status ID - the newest StatusReport.Status of a check ("" before any probe).
h_status() {
	h_ctl get-health-check-status --health-check-id "$1" --output json | "$T_PY" -c '
import json, sys
obs = json.load(sys.stdin)["HealthCheckObservations"]
print(obs[0]["StatusReport"]["Status"] if obs else "")'
}

# shellcheck disable=SC2317 # called through lab_wait_for
h_probed() {
	local id
	for id in "$@"; do
		[[ -n $(h_status "$id") ]] || return 1
	done
}

# h_expect DESC JSON PYTHON-EXPR - a check on a JSON summary (d in the expression).
h_expect() {
	if "$T_PY" -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(not eval(sys.argv[2]))' \
		"$2" "$3" 2>/dev/null; then
		t_ok "$1"
	else
		t_not_ok "$1"
		t_diag "wanted: $3"
		t_diag "got:    $2"
	fi
}

# --- python: endpoints (server namespace) and queries (client namespace) --------

h_write_helpers() {
	cat >"$H_TMP/endpoint.py" <<'EOF'
# endpoint.py http PORT DIR | tcp PORT - a server on 127.0.0.1:PORT.
# http answers every GET with the status in DIR/status (default 200) and the
# body in DIR/body, read at each request; tcp accepts and closes.
import http.server, os, socket, sys

kind, port = sys.argv[1], int(sys.argv[2])
if kind == "http":
    d = sys.argv[3]

    def read(name, default):
        try:
            with open(os.path.join(d, name), "rb") as f:
                return f.read()
        except OSError:
            return default

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = read("body", b"ok\n")
            self.send_response(int(read("status", b"200")))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        allow_reuse_address = True

    Server(("127.0.0.1", port), Handler).serve_forever()
else:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.close()
EOF
	cat >"$H_TMP/dnsq.py" <<'EOF'
# dnsq.py - A queries to the dataplane with dnspython, raw enough to see
# duplicates (ANCOUNT against distinct values) and the order of the values.
#   spread NAME N                   N queries: JSON summary
#   converge NAME ALLOWED TIMEOUT   until 10 answers in a row hold only ALLOWED
#                                   (comma-separated) and, together, all of it
#   latency SOCKET NAME ID KEEP FLIPS
#                                   FLIPS SetHealthCheckStatus on the control
#                                   socket; each time, the delay to the first
#                                   answer without (or with again) the checked
#                                   value (queries sent back to back), and to
#                                   the control's response (seen between two
#                                   queries); KEEP is the value without a check.
#                                   "slowest": the 3 slowest flips, [to the
#                                   answer, to the control's response] in ms
import json, os, socket, sys, time
import dns.flags, dns.message

SERVER = ("10.53.0.1", 53)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(1.0)


def ask(name):
    """The answer's A values in order, and ANCOUNT; None without a reply."""
    q = dns.message.make_query(name, "A")
    q.flags &= ~dns.flags.RD
    wire = q.to_wire()
    for _ in range(3):
        sock.sendto(wire, SERVER)
        try:
            while True:
                raw, _ = sock.recvfrom(4096)
                if raw[:2] == wire[:2]:
                    break
        except socket.timeout:
            continue
        r = dns.message.from_wire(raw)
        values = [rr.address for rrset in r.answer for rr in rrset]
        return values, int.from_bytes(raw[6:8], "big")
    return None


def spread(name, n):
    seen, firsts, counts, dups, noreply = {}, set(), [], 0, 0
    for _ in range(n):
        a = ask(name)
        if a is None:
            noreply += 1
            continue
        values, ancount = a
        counts.append(ancount)
        dups += ancount != len(set(values))
        for v in values:
            seen[v] = seen.get(v, 0) + 1
        if values:
            firsts.add(values[0])
    print(json.dumps({"answers": len(counts), "noreply": noreply, "min": min(counts, default=0),
                      "max": max(counts, default=0), "dups": dups, "firsts": len(firsts),
                      "seen": sorted(seen, key=lambda v: tuple(map(int, v.split("."))))}))


def converge(name, allowed, timeout):
    allowed = set(allowed.split(","))
    start, window, last = time.monotonic(), [], None
    while time.monotonic() - start < timeout:
        a = ask(name)
        last = a
        window = (window + [set(a[0]) if a and a[1] == len(set(a[0])) else None])[-10:]
        if len(window) == 10 and all(w is not None and w <= allowed for w in window) \
                and set().union(*window) == allowed:
            print("%.3f" % (time.monotonic() - start))
            return 0
    print("not within %ss; last answer: %s" % (timeout, last))
    return 1


def control(check, status):
    req = {"Operation": "SetHealthCheckStatus",
           "Params": {"HealthCheckId": check, "Status": status}}
    return (json.dumps(req) + "\n").encode()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def replied(ctl):
    """Whether the control's response has arrived (without reading it)."""
    try:
        return bool(ctl.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False


def latency(path, name, check, keep, flips):
    ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ctl.connect(path)
    reader = ctl.makefile("rb")
    delays, rtts, replies = [], [], []
    for i in range(flips):
        down = i % 2 == 0
        reply = None
        ctl.sendall(control(check, "Unhealthy" if down else "Healthy"))
        t0 = time.perf_counter()
        while True:
            t1 = time.perf_counter()
            a = ask(name)
            t2 = time.perf_counter()
            rtts.append(t2 - t1)
            if reply is None and replied(ctl):
                reply = t2 - t0
            if a is None:
                continue
            checked = [v for v in a[0] if v != keep]
            if (down and not checked) or (not down and checked):
                delays.append(t2 - t0)
                break
            if t2 - t0 > 5:
                print(json.dumps({"error": "flip %d not seen within 5 s" % i}))
                return 1
        line = reader.readline()  # sent once the change was on its way to the dataplane
        replies.append(reply if reply is not None else time.perf_counter() - t0)
        if b'"Result"' not in line:
            print(json.dumps({"error": line.decode(errors="replace")}))
            return 1
    ms = lambda x: round(x * 1000, 3)
    print(json.dumps({"flips": flips, "p50_ms": ms(pct(delays, 50)), "p99_ms": ms(pct(delays, 99)),
                      "max_ms": ms(max(delays)), "query_rtt_p50_ms": ms(pct(rtts, 50)),
                      "control_reply_p50_ms": ms(pct(replies, 50)),
                      "slowest": [[ms(d), ms(r)] for d, r in sorted(zip(delays, replies))[-3:]]}))
    return 0


cmd = sys.argv[1]
if cmd == "spread":
    spread(sys.argv[2], int(sys.argv[3]))
elif cmd == "converge":
    sys.exit(converge(sys.argv[2], sys.argv[3], float(sys.argv[4])))
elif cmd == "latency":
    sys.exit(latency(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])))
EOF
}

# --- the lab, the control, the dataplane ----------------------------------------

t_begin "$@"
trap 'h_on_exit $?' EXIT
H_TMP=$(mktemp -d /tmp/mvdns-lab-health.XXXXXX)
chmod 0755 "$H_TMP" # the namespaces' processes read the helpers
h_write_helpers
declare -F lab_start_control >/dev/null || h_fatal "lab.sh runs mvdns-control (lab_start_control)"
lab_start_control || h_fatal "mvdns-control starts (lab_start_control)"
lab_start_dataplane "$T_DRIVER" ||
	h_fatal "dataplane starts on $T_DRIVER and applies the control's full state"
t_ok "mvdns-control feeds the dataplane on channel $LAB_CHANNEL (--channel)"

zone=$(h_ctl create-hosted-zone --name health.test --caller-reference "zone-$$" --output json |
	"$T_PY" -c 'import json, sys; print(json.load(sys.stdin)["HostedZone"]["Id"])') ||
	h_fatal "create-hosted-zone health.test"

# --- (a) the conformance scenario ------------------------------------------------

ids=()
pool=()
for i in $(seq 1 20); do
	ids[i]=$(h_create_check "ext-$i-$$" '{"Type": "EXTERNAL"}') ||
		h_fatal "create-health-check EXTERNAL #$i"
	pool+=("192.0.2.$i:${ids[i]}")
done
t_expect_eq "20 EXTERNAL health checks listed" 20 \
	"$(h_ctl list-health-checks --output json | "$T_PY" -c \
		'import json, sys; print(len(json.load(sys.stdin)["HealthChecks"]))')"
t_check "20 multivalue A record sets on pool.health.test, each with its check (INSYNC)" \
	h_ctl change-resource-record-sets --hosted-zone-id "$zone" --wait \
	--change-batch "$(h_pool_batch pool.health.test "${pool[@]}")"
all20=$(seq -s, -f '192.0.2.%g' 1 20)
healthy5=$(seq -s, -f '192.0.2.%g' 1 5)

s=$(h_py spread pool.health.test 300)
h_expect "300 answers, at most 8 values each, never one twice" "$s" \
	'd["answers"] == 300 and d["max"] <= 8 and d["min"] == 8 and d["dups"] == 0'
h_expect "all 20 values served over 300 answers" "$s" "d['seen'] == '$all20'.split(',')"
h_expect "the first value varies from answer to answer" "$s" 'd["firsts"] >= 10'

for i in $(seq 6 20); do
	h_set "${ids[i]}" Unhealthy || t_not_ok "set-health-check-status #$i Unhealthy"
done
if t=$(h_py converge pool.health.test "$healthy5" 2); then
	t_ok "15 Unhealthy: only the 5 healthy values within 2 s (${t}s)"
else
	t_not_ok "15 Unhealthy: only the 5 healthy values within 2 s"
	t_diag "$t"
fi
s=$(h_py spread pool.health.test 100)
h_expect "15 Unhealthy: every answer holds exactly the 5 healthy values" "$s" \
	"d['min'] == d['max'] == 5 and d['dups'] == 0 and d['seen'] == '$healthy5'.split(',')"

# A crash of the control (no checkpoint) and a restart: the statuses come back
# from its journal, so the dataplane's new full state keeps the 15 out.
lab_stop_control KILL || true
lab_start_control || h_fatal "mvdns-control restarts after SIGKILL"
s=$(h_py spread pool.health.test 100)
h_expect "after the control's restart the 15 stay out (statuses persisted, no flap)" "$s" \
	"d['min'] == d['max'] == 5 and d['seen'] == '$healthy5'.split(',')"

for i in $(seq 1 5); do
	h_set "${ids[i]}" Unhealthy || t_not_ok "set-health-check-status #$i Unhealthy"
done
h_py converge pool.health.test "$all20" 2 >/dev/null || true
s=$(h_py spread pool.health.test 300)
h_expect "all 20 Unhealthy: fail open, 8 values per answer, never one twice" "$s" \
	'd["min"] == 8 and d["max"] == 8 and d["dups"] == 0'
h_expect "all 20 Unhealthy: all 20 values still served" "$s" "d['seen'] == '$all20'.split(',')"

for i in $(seq 1 20); do
	h_set "${ids[i]}" Healthy || t_not_ok "set-health-check-status #$i Healthy"
done
s=$(h_py spread pool.health.test 300)
h_expect "all Healthy again: 8 distinct values per answer" "$s" \
	'd["min"] == 8 and d["max"] == 8 and d["dups"] == 0'
h_expect "all Healthy again: the full spread of 20" "$s" "d['seen'] == '$all20'.split(',')"

# --- (b) real endpoints --------------------------------------------------------

mkdir -p "$H_TMP/www" "$H_TMP/str"
echo "up: mvdns-ok" >"$H_TMP/str/body"
h_endpoint http http 18081 "$H_TMP/www" || h_fatal "an HTTP endpoint listens on 127.0.0.1:18081"
h_endpoint tcp tcp 18082 || h_fatal "a TCP endpoint listens on 127.0.0.1:18082"
h_endpoint str http 18083 "$H_TMP/str" || h_fatal "an HTTP endpoint listens on 127.0.0.1:18083"
every="\"RequestInterval\": $H_INTERVAL, \"FailureThreshold\": 1"
hc_http=$(h_create_check "http-$$" "{\"Type\": \"HTTP\", \"IPAddress\": \"127.0.0.1\",
	\"Port\": 18081, \"ResourcePath\": \"/health\", $every}") || h_fatal "create an HTTP check"
hc_tcp=$(h_create_check "tcp-$$" "{\"Type\": \"TCP\", \"IPAddress\": \"127.0.0.1\",
	\"Port\": 18082, $every}") || h_fatal "create a TCP check"
hc_str=$(h_create_check "str-$$" "{\"Type\": \"HTTP_STR_MATCH\", \"IPAddress\": \"127.0.0.1\",
	\"Port\": 18083, \"SearchString\": \"mvdns-ok\", $every}") ||
	h_fatal "create an HTTP_STR_MATCH check"
# Nothing listens on 18084 yet: the probe fails, which Inverted reads as healthy.
hc_inv=$(h_create_check "inv-$$" "{\"Type\": \"HTTP\", \"IPAddress\": \"127.0.0.1\",
	\"Port\": 18084, \"Inverted\": true, $every}") || h_fatal "create an Inverted HTTP check"
t_check "real.health.test: 4 values with probed checks and 192.0.2.100 without" \
	h_ctl change-resource-record-sets --hosted-zone-id "$zone" --wait \
	--change-batch "$(h_pool_batch real.health.test 192.0.2.100: "192.0.2.101:$hc_http" \
		"192.0.2.102:$hc_tcp" "192.0.2.103:$hc_str" "192.0.2.104:$hc_inv")"
real5=192.0.2.100,192.0.2.101,192.0.2.102,192.0.2.103,192.0.2.104

# The first probe of each check comes within one interval.
if lab_wait_for $((H_INTERVAL + 3)) h_probed "$hc_http" "$hc_tcp" "$hc_str" "$hc_inv"; then
	t_ok "every check probed within one interval"
else
	t_not_ok "every check probed within one interval"
fi
t_expect_eq "HTTP probe: 200 is a success" "Success: HTTP Status Code 200, OK" \
	"$(h_status "$hc_http")"
t_expect_eq "TCP probe: connected" "Success: TCP connection established" "$(h_status "$hc_tcp")"
got=$(h_status "$hc_inv")
t_expect_eq "Inverted probe: the endpoint's own result is reported (refused)" "Failure" \
	"${got%%:*}"
if t=$(h_py converge real.health.test "$real5" 5); then
	t_ok "all 5 values answered while every endpoint is as its check wants ($t s)"
else
	t_not_ok "all 5 values answered while every endpoint is as its check wants"
	t_diag "$t"
fi

# Break every endpoint at once, each its own way.
h_stop_endpoint http
h_stop_endpoint tcp
echo "up, but without the string" >"$H_TMP/str/body"
h_endpoint inv http 18084 "$H_TMP/www" || h_fatal "an HTTP endpoint listens on 127.0.0.1:18084"
bound=$((2 * H_INTERVAL + 3))
if t=$(h_py converge real.health.test 192.0.2.100 "$bound"); then
	t_ok "HTTP and TCP endpoints stopped, the string gone from the body, the Inverted check's endpoint up: all 4 values out within two intervals (${t}s)"
else
	t_not_ok "broken endpoints: all 4 values out within two intervals (${bound}s)"
	t_diag "$t"
fi
got=$(h_status "$hc_str")
t_expect_eq "HTTP_STR_MATCH: a 200 without the string is a failure" "Failure" "${got%%:*}"
t_expect_eq "Inverted: the endpoint's success is reported as such" \
	"Success: HTTP Status Code 200, OK" "$(h_status "$hc_inv")"

# Repair them all.
h_endpoint http http 18081 "$H_TMP/www" || h_fatal "the HTTP endpoint listens again"
h_endpoint tcp tcp 18082 || h_fatal "the TCP endpoint listens again"
echo "up again: mvdns-ok" >"$H_TMP/str/body"
h_stop_endpoint inv
if t=$(h_py converge real.health.test "$real5" "$bound"); then
	t_ok "endpoints repaired: all 5 values back within two intervals (${t}s)"
else
	t_not_ok "endpoints repaired: all 5 values back within two intervals (${bound}s)"
	t_diag "$t"
fi

# --- (c) latency: SetHealthCheckStatus to the first changed answer ------------------

hc_lat=$(h_create_check "lat-$$" '{"Type": "EXTERNAL"}') || h_fatal "create the latency check"
t_check "lat.health.test: 192.0.2.201 with a check, 192.0.2.202 without" \
	h_ctl change-resource-record-sets --hosted-zone-id "$zone" --wait \
	--change-batch "$(h_pool_batch lat.health.test "192.0.2.201:$hc_lat" 192.0.2.202:)"
lat=$(h_py latency "$LAB_CTL_SOCK" lat.health.test "$hc_lat" 192.0.2.202 "$H_FLIPS") || true
# Every flip must show in the answers; how fast is a figure, printed below and
# measured by the benchmarks, never asserted here (the machine is shared).
h_expect "$H_FLIPS status flips, every one seen in the answers" "$lat" \
	"d['flips'] == $H_FLIPS"
t_diag "SetHealthCheckStatus (control socket) to the first changed answer (client): $lat"

# --- the end ---------------------------------------------------------------------

lab_stop_control TERM || true
t_expect_eq "mvdns-control exits 0 on SIGTERM" 0 "${LAB_CTL_STATUS:-unknown}"
t_end
