#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""ctl.py - the benchmarks' client of mvdns-control and DNS prober.

It speaks control/api.h's protocol on the unix socket directly (one JSON
request line, one JSON response line) and sends DNS queries over UDP from
whatever network namespace it runs in (run it with `ip netns exec mvdns-c`
to query the lab's dataplane; the unix socket is reachable from any
namespace). Every command prints one JSON object on stdout.

  ctl.py --socket S load --names N [--scale [--first K]]
      create bench.example. (if missing) and CREATE gen.py's zone in it (with
      --scale: only the N single-A names), in change batches of at most 1,000
      records (--first: only n<K> ... n<N-1>)
  ctl.py --socket S wait-insync --id ID [--timeout T]
  ctl.py wait-served --server IP --name NAME --expect ADDR [--timeout T]
  ctl.py --socket S latency --server IP --sizes 1,100,1000 --iterations K
      apply-to-served latency: per batch, from the moment the request is
      written to the socket to the first answer carrying the new data
  ctl.py --socket S sustained --batches M [--size 1000] [--action CREATE|UPSERT]
      record changes per second, batches back to back until INSYNC
  ctl.py --socket S storm --seconds D [--size 500]
      UPSERT batches back to back for D seconds (the query-loss benchmark's
      storm); the FEW names are in every batch, with a new value each time

  ctl.py --socket S responsive [--seconds D]
      the control's API as a client sees it meanwhile: ListHostedZones
      back to back, 10 ms apart, for D seconds or until SIGTERM; the
      slowest answer and the percentiles, in ms

  ctl.py --socket S health --server IP --flips K [--checks C]
      health change to answer latency: C multivalue A sets (at most 8, so
      that every answer carries every healthy value) at hpool.bench.example.,
      each with an EXTERNAL health check; then check 1 set Unhealthy and
      Healthy in turn, K times, and from each SetHealthCheckStatus request
      (sent, and acknowledged) to the first answer without (or again with)
      its value

Route 53 counts an UPSERT twice against the 1,000-record limit of a batch,
so an UPSERT batch holds at most 500 changes.
"""
import argparse
import json
import os
import random
import select
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

BATCH_RECORDS_MAX = 1000


class Control:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buf = b""

    @staticmethod
    def encode(op, params):
        """The request line, ready to write."""
        line = json.dumps({"Operation": op, "Params": params}, separators=(",", ":"))
        return line.encode() + b"\n"

    def send(self, op, params):
        self.sock.sendall(self.encode(op, params))

    def ready(self):
        return b"\n" in self.buf or bool(select.select([self.sock], [], [], 0)[0])

    def recv(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise SystemExit("ctl.py: mvdns-control closed the socket")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call(self, op, params):
        self.send(op, params)
        return result(op, self.recv())


def result(op, response):
    if "Error" in response:
        raise SystemExit("ctl.py: %s: %s: %s" % (op, response["Error"].get("Code"),
                                                 response["Error"].get("Message")))
    return response["Result"]


def zone_id(ctl, created=None):
    """bench.example.'s id; created (a list) gets the change id if it is new."""
    for z in ctl.call("ListHostedZones", {}).get("HostedZones", []):
        if z["Name"] == gen.ZONE:
            return z["Id"]
    r = ctl.call("CreateHostedZone", {"Name": gen.ZONE,
                                      "CallerReference": "bench-%d" % time.time_ns()})
    if created is not None:
        created.append(r["ChangeInfo"]["Id"])
    return r["HostedZone"]["Id"]


def change_params(zid, changes):
    return {"HostedZoneId": zid, "ChangeBatch": {"Changes": changes}}


def a_change(action, name, addr, ttl=gen.TTL):
    return {"Action": action, "ResourceRecordSet": {
        "Name": name, "Type": "A", "TTL": ttl, "ResourceRecords": [{"Value": addr}]}}


def addr_of(i):
    return "100.%d.%d.%d" % (64 + ((i >> 16) & 63), (i >> 8) & 255, i & 255)


def wait_insync(ctl, change_id, timeout):
    deadline = time.monotonic() + timeout
    while True:
        if ctl.call("GetChange", {"Id": change_id})["ChangeInfo"]["Status"] == "INSYNC":
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)


# ---- DNS over UDP ----------------------------------------------------------

def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(name, qid):
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + wire_name(name) + struct.pack(">HH", 1, 1)


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n >= 0xC0:
            return off + 2
        if n == 0:
            return off + 1
        off += n + 1


def answers(msg):
    """(rcode, set of IPv4 addresses in the answer section) of a reply."""
    if len(msg) < 12:
        return None, set()
    _, flags, qd, an, _, _ = struct.unpack(">HHHHHH", msg[:12])
    off = 12
    try:
        for _ in range(qd):
            off = skip_name(msg, off) + 4
        addrs = set()
        for _ in range(an):
            off = skip_name(msg, off)
            rtype, _, _, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
            off += 10
            if rtype == 1 and rdlen == 4:
                addrs.add(socket.inet_ntoa(msg[off:off + 4]))
            off += rdlen
    except (IndexError, struct.error):
        return None, set()
    return flags & 0xF, addrs


class Prober:
    """Ask one question again and again until the answer carries `expect`."""

    def __init__(self, server):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect((server, 53))
        self.sock.setblocking(False)
        self.qid = random.randrange(65536)
        self.sent = 0
        self.rtts = []

    def poll_has(self, name, value, wait=0.01):
        """One query and its reply: whether the answer carries value (None: no reply)."""
        self.qid = (self.qid + 1) & 0xFFFF
        msg = query(name, self.qid)
        self.sock.send(msg)
        self.sent += 1
        deadline = time.perf_counter() + wait
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            try:
                while True:
                    reply = self.sock.recv(4096)
                    if reply[:2] == msg[:2]:
                        rcode, addrs = answers(reply)
                        return None if rcode is None else value in addrs
            except BlockingIOError:
                pass

    def until(self, name, value, want, deadline, on_idle, inflight=4):
        """Ask again and again, up to `inflight` queries outstanding, until an
        answer carries value (want True) or lacks it (want False); returns
        when that answer arrived (perf_counter), or None at deadline.
        on_idle() runs between receives (the control's response)."""
        pending = {}  # qid -> send time
        while True:
            now = time.perf_counter()
            if now > deadline:
                return None
            for qid, t in list(pending.items()):
                if now - t > 0.005:  # lost or very late: stop waiting for it
                    del pending[qid]
            while len(pending) < inflight:
                self.qid = (self.qid + 1) & 0xFFFF
                self.sock.send(query(name, self.qid))
                self.sent += 1
                pending[self.qid] = time.perf_counter()
            on_idle()
            if not select.select([self.sock], [], [], 0.001)[0]:
                continue
            try:
                while True:
                    reply = self.sock.recv(4096)
                    now = time.perf_counter()
                    qid = struct.unpack(">H", reply[:2])[0] if len(reply) >= 2 else None
                    t = pending.pop(qid, None)
                    if t is None:
                        continue
                    self.rtts.append((now - t) * 1e3)
                    rcode, addrs = answers(reply)
                    if rcode is not None and (value in addrs) == want:
                        return now
            except BlockingIOError:
                pass

    def poll(self, name, expect, wait=0.0005):
        """One query; True if a reply (to it or an earlier one) shows `expect`."""
        self.qid = (self.qid + 1) & 0xFFFF
        self.sock.send(query(name, self.qid))
        self.sent += 1
        deadline = time.perf_counter() + wait
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return False
            try:
                while True:
                    _, addrs = answers(self.sock.recv(4096))
                    if expect in addrs:
                        return True
            except BlockingIOError:
                pass


# ---- commands --------------------------------------------------------------

def cmd_load(a, ctl):
    created = []
    zid = zone_id(ctl, created)
    start = time.perf_counter()
    batch, records, total, last, waits = [], 0, 0, None, []

    def send():
        # Each batch's own wait, from its request to its answer (the
        # client encodes it first, as cmd_latency does).
        line = ctl.encode("ChangeResourceRecordSets", change_params(zid, batch))
        t0 = time.perf_counter()
        ctl.sock.sendall(line)
        answer = result("ChangeResourceRecordSets", ctl.recv())
        waits.append((time.perf_counter() - t0) * 1e3)
        return answer

    changes = gen.scale_changes(a.names, False, a.first) if a.scale else \
        gen.zone_changes(a.names, apex=False)
    for change in changes:
        n = len(change["ResourceRecordSet"]["ResourceRecords"])
        if records + n > BATCH_RECORDS_MAX:
            last = send()
            batch, records = [], 0
        batch.append(change)
        records += n
        total += 1
    if batch:
        last = send()
    acked = time.perf_counter() - start
    out = {"zone": zid, "changes": total, "ack_seconds": round(acked, 3),
           "changes_per_s": round(total / acked) if acked else None,
           "batches": len(waits),
           "batch_p50_ms": round(percentile(waits, 50), 3) if waits else None,
           "batch_p99_ms": round(percentile(waits, 99), 3) if waits else None,
           "batch_max_ms": round(max(waits), 3) if waits else None,
           "last_change": last["ChangeInfo"]["Id"] if last else (created or [None])[0]}
    print(json.dumps(out))


def cmd_wait_insync(a, ctl):
    start = time.perf_counter()
    ok = wait_insync(ctl, a.id, a.timeout)
    print(json.dumps({"insync": ok, "seconds": round(time.perf_counter() - start, 3)}))
    return 0 if ok else 1


def cmd_wait_served(a, _ctl):
    p = Prober(a.server)
    start = time.perf_counter()
    deadline = start + a.timeout
    while time.perf_counter() < deadline:
        if p.poll(a.name, a.expect, wait=0.01):
            print(json.dumps({"served": True, "seconds": round(time.perf_counter() - start, 3)}))
            return 0
    print(json.dumps({"served": False, "seconds": a.timeout}))
    return 1


def percentile(values, p):
    """Nearest rank: the smallest value with at least p% of them at or below
    it (p an integer; the rank, ceil(p * n / 100), in integers)."""
    v = sorted(values)
    return v[max(1, -(-p * len(v) // 100)) - 1]


def cmd_latency(a, ctl):
    zid = zone_id(ctl)
    p = Prober(a.server)
    rows = []
    for size in (int(s) for s in a.sizes.split(",")):
        seen, acked, timeouts = [], [], 0
        for it in range(a.iterations):
            tag = "l%d-%d-%d" % (size, it, time.time_ns() % 1000000)
            changes = [a_change("CREATE", "%s-%d.%s" % (tag, j, gen.ZONE), addr_of(it * size + j))
                       for j in range(size)]
            name = changes[-1]["ResourceRecordSet"]["Name"]
            expect = changes[-1]["ResourceRecordSet"]["ResourceRecords"][0]["Value"]
            # Encoded before the clock starts: Python's json.dumps of 1,000
            # changes takes about 5 ms here, the client's cost, not mvdns's.
            line = ctl.encode("ChangeResourceRecordSets", change_params(zid, changes))
            t0 = time.perf_counter()
            ctl.sock.sendall(line)
            t_ack = t_seen = None
            deadline = t0 + a.timeout
            while t_seen is None and time.perf_counter() < deadline:
                if p.poll(name, expect):
                    t_seen = time.perf_counter()
                if t_ack is None and ctl.ready():
                    result("ChangeResourceRecordSets", ctl.recv())
                    t_ack = time.perf_counter()
            if t_ack is None:
                result("ChangeResourceRecordSets", ctl.recv())
                t_ack = time.perf_counter()
            acked.append((t_ack - t0) * 1e3)
            if t_seen is None:
                timeouts += 1
            else:
                seen.append((t_seen - t0) * 1e3)
        row = {"changes": size, "iterations": a.iterations, "timeouts": timeouts,
               "probes": p.sent}
        if seen:
            row.update({"served_p50_ms": round(percentile(seen, 50), 3),
                        "served_p99_ms": round(percentile(seen, 99), 3),
                        "served_max_ms": round(max(seen), 3)})
        row.update({"ack_p50_ms": round(percentile(acked, 50), 3),
                    "ack_p99_ms": round(percentile(acked, 99), 3)})
        rows.append(row)
    print(json.dumps(rows))


def cmd_sustained(a, ctl):
    zid = zone_id(ctl)
    if a.action == "UPSERT":
        a.size = min(a.size, BATCH_RECORDS_MAX // 2)
    run = time.time_ns() % 1000000
    start = time.perf_counter()
    last = None
    for b in range(a.batches):
        if a.action == "UPSERT":  # the same names, new values each round
            changes = [a_change("UPSERT", "u%d.%s" % (j, gen.ZONE), addr_of(b * a.size + j))
                       for j in range(a.size)]
        else:
            changes = [a_change("CREATE", "s%d-%d-%d.%s" % (run, b, j, gen.ZONE),
                                addr_of(b * a.size + j)) for j in range(a.size)]
        last = ctl.call("ChangeResourceRecordSets", change_params(zid, changes))
    acked = time.perf_counter() - start
    ok = wait_insync(ctl, last["ChangeInfo"]["Id"], a.timeout)
    insync = time.perf_counter() - start
    total = a.batches * a.size
    print(json.dumps({"action": a.action, "batch": a.size, "batches": a.batches,
                      "changes": total, "insync": ok,
                      "ack_seconds": round(acked, 3), "insync_seconds": round(insync, 3),
                      "changes_per_s": round(total / insync) if ok else None}))
    return 0 if ok else 1


def cmd_storm(a, ctl):
    zid = zone_id(ctl)
    size = min(a.size, BATCH_RECORDS_MAX // 2)
    few = ["%s.%s" % (label, gen.ZONE) for label in gen.FEW]
    start = time.perf_counter()
    batches = 0
    last = None
    while time.perf_counter() - start < a.seconds:
        names = few + ["st%d.%s" % (j, gen.ZONE) for j in range(size - len(few))]
        changes = [a_change("UPSERT", n, addr_of(batches * size + j)) for j, n in enumerate(names)]
        last = ctl.call("ChangeResourceRecordSets", change_params(zid, changes))
        batches += 1
    elapsed = time.perf_counter() - start
    ok = last is not None and wait_insync(ctl, last["ChangeInfo"]["Id"], 30)
    print(json.dumps({"batches": batches, "changes": batches * size, "seconds": round(elapsed, 3),
                      "changes_per_s": round(batches * size / elapsed), "insync": ok}))


HEALTH_NAME = "hpool." + gen.ZONE


def health_addr(i):
    return "203.0.113.%d" % (i + 1)


def pct_row(values):
    if not values:
        return {}
    return {"p50_ms": round(percentile(values, 50), 3), "p90_ms": round(percentile(values, 90), 3),
            "p99_ms": round(percentile(values, 99), 3), "max_ms": round(max(values), 3),
            "min_ms": round(min(values), 3)}


def cmd_responsive(a, ctl):
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    waits = []
    deadline = time.perf_counter() + a.seconds
    while not stop and time.perf_counter() < deadline:
        start = time.perf_counter()
        ctl.call("ListHostedZones", {})
        waits.append((time.perf_counter() - start) * 1000)
        time.sleep(0.01)
    print(json.dumps({"requests": len(waits), **pct_row(waits)}))


def cmd_health(a, ctl):
    zid = zone_id(ctl)
    run = time.time_ns() % 1000000000
    checks = []
    for i in range(a.checks):
        r = ctl.call("CreateHealthCheck", {"CallerReference": "bench-health-%d-%d" % (run, i),
                                           "HealthCheckConfig": {"Type": "EXTERNAL"}})
        checks.append(r["HealthCheck"]["Id"])
    changes = [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": HEALTH_NAME, "Type": "A", "TTL": 60, "SetIdentifier": "hp-%02d" % (i + 1),
        "MultiValueAnswer": True, "HealthCheckId": checks[i],
        "ResourceRecords": [{"Value": health_addr(i)}]}} for i in range(a.checks)]
    r = ctl.call("ChangeResourceRecordSets", change_params(zid, changes))
    if not wait_insync(ctl, r["ChangeInfo"]["Id"], 60):
        raise SystemExit("ctl.py: the pool did not become INSYNC in 60 s")
    p = Prober(a.server)
    value, check = health_addr(0), checks[0]
    if not wait_for(p, value, True, 10):
        raise SystemExit("ctl.py: %s never answered with %s" % (HEALTH_NAME, value))
    rng = random.Random(4)
    flips = {"Unhealthy": [], "Healthy": []}
    timeouts = 0
    for i in range(a.flips):
        status = "Unhealthy" if i % 2 == 0 else "Healthy"
        # A random gap, so that the flips do not keep one phase of the
        # dataplane's channel polling (it sleeps 200 us when idle).
        time.sleep(rng.uniform(0.002, 0.012))
        t0 = time.perf_counter()
        ctl.send("SetHealthCheckStatus", {"HealthCheckId": check, "Status": status})
        acked = []

        def check_ack():
            if not acked and ctl.ready():
                result("SetHealthCheckStatus", ctl.recv())
                acked.append(time.perf_counter())
        t_seen = p.until(HEALTH_NAME, value, status == "Healthy", t0 + a.timeout, check_ack,
                         a.inflight)
        t_ack = acked[0] if acked else None
        if t_ack is None:
            result("SetHealthCheckStatus", ctl.recv())
            t_ack = time.perf_counter()
        if t_seen is None:
            timeouts += 1
            continue
        flips[status].append(((t_seen - t0) * 1e3, (t_ack - t0) * 1e3, (t_seen - t_ack) * 1e3))
    rows = []
    for status in ("Unhealthy", "Healthy", "both"):
        f = flips["Unhealthy"] + flips["Healthy"] if status == "both" else flips[status]
        row = {"to": status, "flips": len(f), "checks": a.checks}
        row.update({"sent_" + k: v for k, v in pct_row([x[0] for x in f]).items()})
        row.update({"acked_" + k: v for k, v in pct_row([x[2] for x in f]).items()})
        row.update({"ack_" + k: v for k, v in pct_row([x[1] for x in f]).items()})
        rows.append(row)
    rows[-1].update({"timeouts": timeouts, "probes": p.sent,
                     "probe_rtt_p50_ms": round(percentile(p.rtts, 50), 3) if p.rtts else None,
                     "probe_rtt_p99_ms": round(percentile(p.rtts, 99), 3) if p.rtts else None})
    print(json.dumps(rows))


def wait_for(p, value, present, timeout):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if p.poll_has(HEALTH_NAME, value, wait=0.01) == present:
            return True
    return False


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--socket", default="/run/mvdns/control.sock")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("load")
    s.add_argument("--names", type=int, default=1000000)
    s.add_argument("--scale", action="store_true")
    s.add_argument("--first", type=int, default=0)
    s = sub.add_parser("wait-insync")
    s.add_argument("--id", required=True)
    s.add_argument("--timeout", type=float, default=120)
    s = sub.add_parser("wait-served")
    s.add_argument("--server", required=True)
    s.add_argument("--name", required=True)
    s.add_argument("--expect", required=True)
    s.add_argument("--timeout", type=float, default=120)
    s = sub.add_parser("latency")
    s.add_argument("--server", required=True)
    s.add_argument("--sizes", default="1,100,1000")
    s.add_argument("--iterations", type=int, default=100)
    s.add_argument("--timeout", type=float, default=10)
    s = sub.add_parser("sustained")
    s.add_argument("--batches", type=int, default=100)
    s.add_argument("--size", type=int, default=BATCH_RECORDS_MAX)
    s.add_argument("--action", choices=["CREATE", "UPSERT"], default="CREATE")
    s.add_argument("--timeout", type=float, default=120)
    s = sub.add_parser("storm")
    s.add_argument("--seconds", type=float, required=True)
    s.add_argument("--size", type=int, default=BATCH_RECORDS_MAX // 2)
    s = sub.add_parser("responsive")
    s.add_argument("--seconds", type=float, default=60)
    s = sub.add_parser("health")
    s.add_argument("--server", required=True)
    s.add_argument("--flips", type=int, default=200)
    s.add_argument("--checks", type=int, default=8)
    s.add_argument("--timeout", type=float, default=5)
    s.add_argument("--inflight", type=int, default=4)
    a = p.parse_args()
    ctl = None if a.cmd == "wait-served" else Control(a.socket)
    fn = {"load": cmd_load, "wait-insync": cmd_wait_insync, "wait-served": cmd_wait_served,
          "latency": cmd_latency, "sustained": cmd_sustained, "storm": cmd_storm,
          "health": cmd_health, "responsive": cmd_responsive}[a.cmd]
    sys.exit(fn(a, ctl) or 0)


if __name__ == "__main__":
    main()
