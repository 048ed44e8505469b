#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send malformed DNS queries over plain UDP sockets and check the replies.

Run inside the client namespace (tests/lab/test_malformed.sh does):

  malformed.py cases  [--server ADDR]   fixed malformed messages, each with
                                        the reply (or silence) it must get
  malformed.py random [--server ADDR] [--count N] [--seed S]
                                        random byte strings: no reply to a
                                        short or QR=1 one, a well-formed
                                        reply to anything else
  malformed.py mutate [--server ADDR] [--count N] [--seed S]
                                        the same with valid queries that
                                        have a few random bytes changed
  malformed.py checksums [--server ADDR] [--port-checks]
                                        a query with its UDP checksum, with
                                        0 and with a wrong one, each with
                                        the reply (or silence) it must get

Output follows tests/lab/lib.sh: "ok - ..." / "not ok - ..." per check,
"# ..." diagnostics, and one "# expect-counters name=N ..." line giving by
how much each dataplane verdict counter must grow for what was sent.
Standard library only.
"""

import argparse
import collections
import random
import select
import socket
import struct
import sys
import time

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN",
          4: "NOTIMP", 5: "REFUSED"}
VERDICT_OF_RCODE = {"NOERROR": "answer-noerror", "FORMERR": "answer-formerr",
                    "NXDOMAIN": "answer-nxdomain", "NOTIMP": "answer-notimp",
                    "REFUSED": "answer-refused"}
NO_REPLY_WAIT = 0.5   # seconds of silence that count as "no reply"
REPLY_WAIT = 2.0      # seconds to wait for an expected reply

T_A, T_SOA, T_TXT, T_OPT = 1, 6, 16, 41
C_IN, C_CH = 1, 3
OP_QUERY, OP_NOTIFY, OP_UPDATE = 0, 4, 5


def name_wire(name):
    """A domain name in wire form, no compression, no length checks."""
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def header(qid, qr=0, opcode=OP_QUERY, qd=1, an=0, ns=0, ar=0):
    flags = (qr << 15) | (opcode << 11)
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def question(name, qtype=T_A, qclass=C_IN):
    return name_wire(name) + struct.pack("!HH", qtype, qclass)


OPT_RR = b"\x00" + struct.pack("!HHIH", T_OPT, 1232, 0, 0)


def long_name(wire_len):
    """A name under example.com exactly wire_len octets long on the wire."""
    rest = wire_len - len(name_wire("example.com"))
    labels = []
    while rest > 0:
        n = min(63, rest - 1)
        labels.append("a" * n)
        rest -= n + 1
    assert rest == 0 and all(labels), "no name of that length"
    return ".".join(labels + ["example.com"])


def cases():
    """(name, payload builder taking the query id, expected rcode or None)."""
    www = question("www.example.com")
    return [
        ("short, 0 bytes", lambda i: b"", None),
        ("short, 1 byte", lambda i: b"\x12", None),
        ("short, 11 bytes", lambda i: header(i)[:11], None),
        ("QDCOUNT 0", lambda i: header(i, qd=0), "FORMERR"),
        ("QDCOUNT 2", lambda i: header(i, qd=2) + www + www, "FORMERR"),
        ("compression pointer to itself", lambda i:
            header(i) + b"\xc0\x0c" + struct.pack("!HH", T_A, C_IN), "FORMERR"),
        ("compression pointer loop of two", lambda i:
            header(i) + b"\xc0\x0e\xc0\x0c\x00\x01", "FORMERR"),
        ("compression pointer in the question to a valid name after it",
         lambda i: header(i) + b"\xc0\x12" + struct.pack("!HH", T_A, C_IN)
            + name_wire("www.example.com"), "FORMERR"),
        ("compression pointer in the question into the header", lambda i:
            header(i) + b"\x03www\xc0\x04" + struct.pack("!HH", T_A, C_IN),
         "FORMERR"),
        ("label type 0x40 (extended label)", lambda i:
            header(i) + b"\x41" + b"a" * 65 + b"\x00"
            + struct.pack("!HH", T_A, C_IN), "FORMERR"),
        ("label type 0x80 (reserved)", lambda i:
            header(i) + b"\x83www\x00" + struct.pack("!HH", T_A, C_IN),
         "FORMERR"),
        ("label length past the end of the message", lambda i:
            header(i) + b"\x3fwww", "FORMERR"),
        ("name of 256 octets", lambda i:
            header(i) + question(long_name(256)), "FORMERR"),
        ("name of 255 octets is legal (NXDOMAIN)", lambda i:
            header(i) + question(long_name(255)), "NXDOMAIN"),
        ("question without its class", lambda i:
            header(i) + name_wire("www.example.com") + b"\x00\x01", "FORMERR"),
        ("trailing garbage after the question", lambda i:
            header(i) + www + b"\xde\xad\xbe\xef", "FORMERR"),
        ("ARCOUNT 1 with no record", lambda i: header(i, ar=1) + www,
         "FORMERR"),
        ("two OPT records", lambda i:
            header(i, ar=2) + www + OPT_RR + OPT_RR, "FORMERR"),
        ("QR=1 (a response)", lambda i: header(i, qr=1) + www, None),
        ("QR=1 and QDCOUNT 0", lambda i: header(i, qr=1, qd=0), None),
        ("opcode NOTIFY", lambda i:
            header(i, opcode=OP_NOTIFY) + question("example.com", T_SOA),
         "NOTIMP"),
        ("opcode UPDATE", lambda i:
            header(i, opcode=OP_UPDATE) + question("example.com", T_SOA),
         "NOTIMP"),
        ("class CH: version.bind TXT", lambda i:
            header(i) + question("version.bind", T_TXT, C_CH), "REFUSED"),
        ("class CH for a name in a zone", lambda i:
            header(i) + question("www.example.com", T_A, C_CH), "REFUSED"),
    ]


def open_socket(server):
    family = socket.AF_INET6 if ":" in server else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.connect((server, 53))
    return sock


def recv_within(sock, timeout):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None
        try:
            return sock.recv(65535)
        except ConnectionRefusedError:   # ICMP port unreachable
            return b"ICMP-UNREACHABLE"


def describe(reply):
    if reply is None:
        return "no reply"
    if reply == b"ICMP-UNREACHABLE":
        return "ICMP port unreachable"
    if len(reply) < 12:
        return "a %d-byte reply" % len(reply)
    qid, flags = struct.unpack("!HH", reply[:4])
    return "id %d qr=%d opcode %d rcode %s" % (
        qid, flags >> 15, (flags >> 11) & 15,
        RCODES.get(flags & 15, str(flags & 15)))


def check_reply(payload, reply, expect):
    """None when reply is what payload should get, else what is wrong."""
    if expect is None:
        return None if reply is None else "expected no reply, got " + describe(reply)
    if reply is None or reply == b"ICMP-UNREACHABLE" or len(reply) < 12:
        return "expected %s, got %s" % (expect, describe(reply))
    qid, qflags = struct.unpack("!HH", payload[:4])
    rid, rflags = struct.unpack("!HH", reply[:4])
    got = RCODES.get(rflags & 15, str(rflags & 15))
    problems = []
    if rid != qid:
        problems.append("id %d, not the query's %d" % (rid, qid))
    if not rflags >> 15:
        problems.append("QR=0")
    if (rflags >> 11) & 15 != (qflags >> 11) & 15:
        problems.append("opcode %d, not the query's %d"
                        % ((rflags >> 11) & 15, (qflags >> 11) & 15))
    if expect != "any" and got != expect:
        problems.append("rcode %s" % got)
    if problems:
        return "expected %s, got %s (%s)" % (expect, describe(reply),
                                              "; ".join(problems))
    return None


def print_counts(counts):
    print("# expect-counters " + " ".join(
        "%s=%d" % kv for kv in sorted(counts.items())))


def run_cases(args):
    rng = random.Random(args.seed)
    counts = collections.Counter()
    failed = 0
    for name, build, expect in cases():
        payload = build(rng.randrange(65536))
        with open_socket(args.server) as sock:
            sock.send(payload)
            reply = recv_within(sock, REPLY_WAIT if expect else NO_REPLY_WAIT)
        problem = check_reply(payload, reply, expect)
        label = "malformed over %s: %s -> %s" % (
            args.server, name, expect or "no reply")
        if problem:
            failed += 1
            print("not ok - " + label)
            print("# " + problem)
            print("# sent %d bytes: %s" % (len(payload), payload.hex()))
        else:
            print("ok - " + label)
        if expect is None:
            counts["drop-short" if len(payload) < 12 else "drop-not-query"] += 1
        else:
            counts[VERDICT_OF_RCODE[expect]] += 1
    print_counts(counts)
    return failed


def collect(sent):
    """Replies to a batch of (socket, payload, silent) sends, by socket: wait
    until every non-silent one has its reply (at most REPLY_WAIT) and at
    least NO_REPLY_WAIT, so that a reply to a silent one would be seen."""
    got = {}
    t0 = time.monotonic()
    want = {sock for sock, _, silent in sent if not silent}
    while True:
        elapsed = time.monotonic() - t0
        done = want.issubset(got) and elapsed >= NO_REPLY_WAIT
        if done or elapsed >= REPLY_WAIT:
            return got
        socks = [sock for sock, _, _ in sent if sock not in got]
        if not socks:
            return got
        ready = select.select(socks, [], [], 0.05)[0]
        for sock in ready:
            try:
                got[sock] = sock.recv(65535)
            except ConnectionRefusedError:
                got[sock] = b"ICMP-UNREACHABLE"


def random_strings(rng, count):
    """Byte strings of random length (one in five shorter than a header)."""
    out = []
    for _ in range(count):
        n = rng.randrange(12) if rng.random() < 0.2 else rng.randrange(12, 300)
        out.append(bytes(rng.randrange(256) for _ in range(n)))
    return out


def mutated_queries(rng, count):
    """Valid queries (some with an OPT record) with 1-4 random bytes changed,
    QR kept clear half of the time so that most reach the parser."""
    names = ["www.example.com", "alias.example.com", "a.b.example.com",
             "big.example.com", "myapp.example.com", "nope.example.org"]
    out = []
    for _ in range(count):
        qid = rng.randrange(65536)
        q = question(rng.choice(names), rng.choice([T_A, T_TXT, T_SOA]))
        msg = bytearray(header(qid, ar=1) + q + OPT_RR if rng.random() < 0.5
                        else header(qid) + q)
        for _ in range(rng.randint(1, 4)):
            msg[rng.randrange(len(msg))] = rng.randrange(256)
        if rng.random() < 0.5:
            msg[2] &= 0x7f
        out.append(bytes(msg))
    return out


def run_random(args):
    rng = random.Random(args.seed)
    counts = collections.Counter()
    if args.mode == "random":
        packets = random_strings(rng, args.count)
        what = "byte strings"
    else:
        packets = mutated_queries(rng, args.count)
        what = "mutated valid queries"
    problems = []
    replies = 0
    batch = 20
    for start in range(0, len(packets), batch):
        sent = []
        for payload in packets[start:start + batch]:
            short = len(payload) < 12
            silent = short or bool(payload[2] & 0x80)
            if short:
                counts["drop-short"] += 1
            elif silent:
                counts["drop-not-query"] += 1
            sock = open_socket(args.server)
            sock.send(payload)
            sent.append((sock, payload, silent))
        got = collect(sent)
        for sock, payload, silent in sent:
            sock.close()
            reply = got.get(sock)
            if reply is not None:
                replies += 1
            problem = check_reply(payload, reply, None if silent else "any")
            if problem:
                problems.append("%s; sent %d bytes: %s"
                                % (problem, len(payload), payload.hex()))
    counts["answers"] = replies
    label = ("%s over %s: %d %s (seed %d): no reply to short or QR=1 ones, "
             "a reply with the same id and opcode to the others"
             % (args.mode, args.server, args.count, what, args.seed))
    if problems:
        print("not ok - " + label)
        for p in problems[:20]:
            print("# " + p)
        if len(problems) > 20:
            print("# ... and %d more" % (len(problems) - 20))
    else:
        print("ok - " + label)
    print("# %d replies to %d packets" % (replies, args.count))
    print_counts(counts)
    return len(problems)


def inet_sum(data):
    """The Internet checksum (RFC 1071) of data, complemented, 0 as 0xffff."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return (~total & 0xffff) or 0xffff


def run_checksums(args):
    """The same query sent from a raw socket (the kernel leaves the UDP
    header as written) with its UDP checksum, with 0 and with a wrong one;
    the replies come to a UDP socket on the port. 0 means none over IPv4
    (RFC 768) and is discarded over IPv6 (RFC 8200 8.1); a wrong one is
    dropped where the port checks received checksums (--port-checks), and
    answered elsewhere: the dataplane cannot tell it from the unfinished
    checksum a local veth delivers."""
    failed = 0
    counts = collections.Counter()
    family = socket.AF_INET6 if ":" in args.server else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as udp, \
            socket.socket(family, socket.SOCK_RAW, socket.IPPROTO_UDP) as raw:
        udp.connect((args.server, 53))
        src, sport = udp.getsockname()[:2]
        for n, kind in enumerate(("right", "zero", "wrong")):
            qid = 0x5300 + n
            payload = header(qid) + question("www.example.com")
            length = 8 + len(payload)
            if family == socket.AF_INET6:
                pseudo = struct.pack("!IxxxB", length, socket.IPPROTO_UDP)
            else:
                pseudo = struct.pack("!xBH", socket.IPPROTO_UDP, length)
            pseudo = (socket.inet_pton(family, src) +
                      socket.inet_pton(family, args.server) + pseudo)
            right = inet_sum(
                pseudo + struct.pack("!HHHH", sport, 53, length, 0) + payload)
            csum = {"right": right, "zero": 0,
                    "wrong": right % 0xffff + 1}[kind]
            raw.sendto(struct.pack("!HHHH", sport, 53, length, csum) + payload,
                       (args.server, 0))
            dropped = ((kind == "zero" and family == socket.AF_INET6) or
                       (kind == "wrong" and args.port_checks))
            expect = None if dropped else "NOERROR"
            reply = recv_within(udp, NO_REPLY_WAIT if dropped else REPLY_WAIT)
            problem = check_reply(payload, reply, expect)
            label = "UDP to %s with checksum %#06x (%s) -> %s" % (
                args.server, csum, kind, expect or "no reply")
            if problem:
                failed += 1
                print("not ok - " + label)
                print("# " + problem)
            else:
                print("ok - " + label)
            counts["drop-malformed" if dropped else "answer-noerror"] += 1
    print_counts(counts)
    return failed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["cases", "random", "mutate", "checksums"])
    ap.add_argument("--server", default="10.53.0.1")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=53)
    ap.add_argument("--port-checks", action="store_true",
                    help="the dataplane's port checks received checksums")
    args = ap.parse_args()
    if args.mode == "cases":
        failed = run_cases(args)
    elif args.mode == "checksums":
        failed = run_checksums(args)
    else:
        failed = run_random(args)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
