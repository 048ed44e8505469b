#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""DNS over TCP beyond what dig does, from the client namespace, printing
"ok - " / "not ok - " lines for tests/lab/test_tcp.sh:
  - two queries sent in one segment on one connection get two answers, then
    the server closes the connection (RFC 7766 6.2.1.1 pipelining; 6.2.3);
  - a query split over two segments (length, then message) is answered once
    the client's retransmission brings it whole, or the connection is closed.
Usage: tcp_pipeline.py SERVER_ADDRESS
"""
import socket
import struct
import sys
import time

import dns.message
import dns.rrset

server = sys.argv[1]
family = socket.AF_INET6 if ":" in server else socket.AF_INET


def check(ok, desc, detail=""):
    print(("ok - " if ok else "not ok - ") + desc)
    if not ok and detail:
        print("# " + detail)


def framed(name, qid):
    q = dns.message.make_query(name, "A")
    q.id = qid
    wire = q.to_wire()
    return struct.pack("!H", len(wire)) + wire


def read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(65535)
        if not chunk:
            return data
        data += chunk


def messages(data):
    out = []
    while len(data) >= 2:
        (n,) = struct.unpack("!H", data[:2])
        if len(data) < 2 + n:
            break
        out.append(dns.message.from_wire(data[2 : 2 + n]))
        data = data[2 + n :]
    return out, data


with socket.socket(family, socket.SOCK_STREAM) as s:
    s.settimeout(5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((server, 53))
    s.sendall(framed("www.example.com", 1) + framed("nope.example.com", 2))
    try:
        msgs, rest = messages(read_all(s))
    except OSError as e:
        msgs, rest = [], str(e)
    ids = sorted(m.id for m in msgs)
    check(ids == [1, 2] and not rest, "two queries in one segment: two answers, then the server closes",
          f"ids {ids}, rest {rest!r}")
    if ids == [1, 2]:
        by_id = {m.id: m for m in msgs}
        a = by_id[1].answer
        check(len(a) == 1 and sorted(r.address for r in a[0]) == ["192.0.2.10", "192.0.2.11"],
              "first answer: www A", str(by_id[1]))
        check(by_id[2].rcode() == 3, "second answer: NXDOMAIN", str(by_id[2]))

with socket.socket(family, socket.SOCK_STREAM) as s:
    s.settimeout(10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((server, 53))
    q = framed("www.example.com", 3)
    s.send(q[:2])
    s.send(q[2:])
    try:
        msgs, rest = messages(read_all(s))
    except OSError as e:
        msgs, rest = [], str(e)
    check([m.id for m in msgs] == [3], "length and message in two segments: answered after the retransmission",
          f"{len(msgs)} answers, rest {rest!r}")

# A query on the same connection after the server's FIN: reset at once,
# so the client asks again on a new connection instead of timing out.
with socket.socket(family, socket.SOCK_STREAM) as s:
    s.settimeout(5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((server, 53))
    s.sendall(framed("www.example.com", 4))
    first, _ = messages(read_all(s))
    s.sendall(framed("www.example.com", 5))
    time.sleep(0.5)  # the reset arrives; the next send reports it
    try:
        s.send(b"\0\0")
        outcome = "no reset"
    except (ConnectionResetError, BrokenPipeError):
        outcome = "reset"
    except OSError as e:
        outcome = "error %s" % e
    check([m.id for m in first] == [4] and outcome == "reset",
          "a query after the server's FIN is reset at once",
          f"first answers {[m.id for m in first]}, then {outcome}")
