#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen.py - the benchmark's zone and query files, all from one definition.

The zone bench.example. holds:
  - the apex SOA and NS (ns1.bench.example., with its A record);
  - a few names (FEW: www, mail, ...), one A value each;
  - a million names (n0 ... n<N-1>), one A value each;
  - a pool of 20 values at pool.bench.example.: for mvdns 20 multivalue
    record sets (SetIdentifier pool-01 ... pool-20, one value each, so an
    answer carries 8 of them, as Route 53 does); for the peers one RRset of 20.

Usage:
  gen.py r53 --names N OUT.json          the zone as one Route 53 change batch
                                         (mvdns --load); streamed
  gen.py zonefile --names N OUT.zone     the same zone as an RFC 1035 zone file
                                         (knotd, nsd); streamed
  gen.py queries SET --names N OUT.txt   a dnsperf/kxdpgun query file: SET is
                                         few, million (every name once, shuffled)
                                         or pool
  gen.py scale --names N OUT.json        N single-A record sets under the SOA
                                         (the scale benchmark); streamed
Everything is written with a fixed seed: two runs give the same files.
"""
import argparse
import json
import random
import sys

ZONE = "bench.example."
SOA = "ns1.bench.example. hostmaster.bench.example. 1 7200 900 1209600 86400"
NS = "ns1.bench.example."
NS_ADDR = "10.53.0.1"
FEW = ["www", "mail", "api", "cdn", "app", "ftp", "blog", "shop", "news", "docs"]
POOL = "pool"
POOL_SIZE = 20
TTL = 300
POOL_TTL = 60


def few_addr(i):
    return "192.0.2.%d" % (i + 1)


def many_addr(i):
    return "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)


def pool_addr(i):
    return "198.51.100.%d" % (i + 1)


def many_name(i):
    return "n%d.%s" % (i, ZONE)


def r53_set(name, rtype, ttl, values, set_id=None):
    rrset = {"Name": name, "Type": rtype, "TTL": ttl,
             "ResourceRecords": [{"Value": v} for v in values]}
    if set_id is not None:
        rrset["SetIdentifier"] = set_id
        rrset["MultiValueAnswer"] = True
    return {"Action": "CREATE", "ResourceRecordSet": rrset}


def zone_changes(names, apex=True):
    """Every change of the zone, in order (a generator: a million is fine)."""
    if apex:
        yield r53_set(ZONE, "SOA", 900, [SOA])
        yield r53_set(ZONE, "NS", 172800, [NS])
    yield r53_set(NS, "A", TTL, [NS_ADDR])
    for i, label in enumerate(FEW):
        yield r53_set("%s.%s" % (label, ZONE), "A", TTL, [few_addr(i)])
    for i in range(POOL_SIZE):
        yield r53_set("%s.%s" % (POOL, ZONE), "A", POOL_TTL, [pool_addr(i)],
                      "pool-%02d" % (i + 1))
    yield from many_changes(names)


def many_changes(names, first=0):
    for i in range(first, names):
        yield r53_set(many_name(i), "A", TTL, [many_addr(i)])


def scale_changes(names, apex=True, first=0):
    if apex:
        yield r53_set(ZONE, "SOA", 900, [SOA])
    yield from many_changes(names, first)


def write_batch(out, changes, comment):
    out.write('{"Comment": %s, "Changes": [\n' % json.dumps(comment))
    first = True
    for change in changes:
        if not first:
            out.write(",\n")
        out.write(json.dumps(change, separators=(",", ":")))
        first = False
    out.write("\n]}\n")


def write_zonefile(out, names):
    w = out.write
    w("$ORIGIN %s\n$TTL %d\n" % (ZONE, TTL))
    w("@ 900 IN SOA %s\n" % SOA)
    w("@ 172800 IN NS %s\n" % NS)
    w("%s IN A %s\n" % (NS, NS_ADDR))
    for i, label in enumerate(FEW):
        w("%s IN A %s\n" % (label, few_addr(i)))
    for i in range(POOL_SIZE):
        w("%s %d IN A %s\n" % (POOL, POOL_TTL, pool_addr(i)))
    for i in range(names):
        w("n%d IN A %s\n" % (i, many_addr(i)))


def write_queries(out, which, names):
    if which == "few":
        for label in FEW:
            out.write("%s.%s A\n" % (label, ZONE))
    elif which == "pool":
        out.write("%s.%s A\n" % (POOL, ZONE))
    elif which == "million":
        order = list(range(names))
        random.Random(53).shuffle(order)
        out.writelines("n%d.%s A\n" % (i, ZONE) for i in order)
    else:
        sys.exit("gen.py: unknown query set %s" % which)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["r53", "zonefile", "queries", "scale"])
    p.add_argument("set", nargs="?", help="queries: few, million or pool")
    p.add_argument("out")
    p.add_argument("--names", type=int, default=1000000)
    a = p.parse_intermixed_args()
    with open(a.out, "w", buffering=1 << 20) as out:
        if a.what == "r53":
            write_batch(out, zone_changes(a.names), "mvdns benchmark zone")
        elif a.what == "zonefile":
            write_zonefile(out, a.names)
        elif a.what == "queries":
            write_queries(out, a.set, a.names)
        else:
            write_batch(out, scale_changes(a.names), "%d single-A record sets" % a.names)


if __name__ == "__main__":
    main()
