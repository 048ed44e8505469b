#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""report.py - merge the families' result rows and print the tables.

  report.py --meta META.json [--json OUT.json] [--md OUT.md] [--readme README.md] ROWS.jsonl...

ROWS.jsonl: one JSON object per line, as bench/lib.sh's bench_row writes
them (every row has "family" and "kind"). The markdown goes to stdout (and
to --md); --json gets {"meta": ..., "rows": [...]}; --readme replaces what
lies between the "<!-- results:begin -->" and "<!-- results:end -->" lines.
"""
import argparse
import json
import sys

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


def fmt(v, digits=0, unit=""):
    if v is None or v == "":
        return "-"
    if isinstance(v, (int, float)):
        if digits == 0:
            return "{:,.0f}{}".format(v, unit)
        return "{:,.{}f}{}".format(v, digits, unit)
    return str(v)


def median(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out) + "\n"


def names(n):
    for div, suffix in ((1000000, "M"), (1000, "k")):
        if n >= div and n % div == 0:
            return "%d%s" % (n // div, suffix)
    return str(n)


def section_inproc(rows):
    rs = [r for r in rows if r["kind"] == "inproc"]
    if not rs:
        return ""
    out = ["## 1. In process, one core (bench/inproc)\n",
           table(["names", "mix", "Mqps", "ns/query", "instructions/query"],
                 [[names(r["names"]), r["mix"], fmt(r.get("mqps"), 2),
                   fmt(r.get("ns_per_query"), 1), fmt(r.get("instr_per_query"), 0)] for r in rs])]
    ratios = [r for r in rows if r["kind"] == "inproc-ratio"]
    if ratios:
        r0 = ratios[0]
        out.append("\nns/query with %s names over %s names, side by side: both tables in "
                   "one process, %s alternated rounds (`inproc --against`); the median of the "
                   "rounds' own ratios (range), and of each table's ns/query:\n" % (
                       names(r0["large"]), names(r0["small"]), r0.get("rounds")))
        out.append(table(["mix", "ratio", "ns/query %s" % names(r0["large"]),
                          "ns/query %s" % names(r0["small"])],
                         [[r["mix"], "%sx (%s-%s)" % (fmt(r.get("ratio"), 2),
                                                      fmt(r.get("ratio_min"), 2),
                                                      fmt(r.get("ratio_max"), 2)),
                           fmt(r.get("ns_large"), 1), fmt(r.get("ns_small"), 1)]
                          for r in ratios]))
    thp = [r for r in rows if r["kind"] == "inproc-thp"]
    if thp:
        out.append("\nThe same with malloc on transparent huge pages "
                   "(GLIBC_TUNABLES=glibc.malloc.hugetlb=1; THP mode %s):\n" % thp[0].get("thp_mode"))
        out.append(table(["names", "mix", "Mqps", "ns/query", "ns/query on 4 KiB pages"],
                         [[names(r["names"]), r["mix"], fmt(r.get("mqps"), 2),
                           fmt(r.get("ns_per_query"), 1), fmt(r.get("ns_4k"), 1)] for r in thp]))
    tx = [r for r in rows if r["kind"] == "inproc-txcsum"]
    if tx:
        out.append("\nMix a with the IPv4 and UDP checksums left to the port, as on a NIC "
                   "with checksum offload (`--tx-csum`):\n")
        out.append(table(["names", "mix", "Mqps", "ns/query", "instructions/query",
                          "ns/query in software"],
                         [[names(r["names"]), r["mix"], fmt(r.get("mqps"), 2),
                           fmt(r.get("ns_per_query"), 1), fmt(r.get("instr_per_query"), 0),
                           fmt(r.get("ns_software"), 1)] for r in tx]))
    return "\n".join(out)


def peer_rows(rs, ref):
    out = []
    for r in rs:
        lat = "-"
        if r.get("latency_avg_ms") is not None:
            lat = "%s / %s / %s" % (fmt(r["latency_avg_ms"], 3), fmt(r.get("latency_sd_ms"), 3),
                                    fmt(r.get("latency_max_ms"), 2))
        base = ref.get((r["tool"], r["qset"]))
        ratio = "-"
        if base and r.get("answered_per_s") is not None:
            ratio = fmt(r["answered_per_s"] / base, 2) + "x"
        out.append([r["server"], r["tool"], r["qset"], fmt(r.get("answered_per_s")),
                    fmt(r.get("sent_per_s")), fmt(r.get("loss_pct"), 1, "%"), lat,
                    fmt(r.get("reply_bytes")), fmt(r.get("server_cpu"), 2),
                    fmt(r.get("softirq_cpu"), 2)
                    + (" (%s)" % r["softirq_per_cpu"] if r.get("softirq_per_cpu") else ""),
                    gen_busy(r), fmt(r.get("other_cpu"), 2), ratio])
    return out


def gen_busy(r):
    """The generator's CPU: its number and how busy it was (all of it, softirq too)."""
    if r.get("gen_cpu_busy") is None:
        return "-"
    return "%s: %s" % (r.get("gen_cpu"), fmt(r["gen_cpu_busy"], 2))


PEER_HEAD = ["server", "tool", "queries", "answered/s", "sent/s", "loss",
             "latency ms avg / sd / max", "reply B", "server CPU", "softirq CPU",
             "generator's CPU busy", "other CPU", "vs knotd XDP"]


def spread(values):
    """The median of values, with their range when there are several."""
    v = [x for x in values if x is not None]
    med = median(v)
    return fmt(med) if len(v) < 2 else "%s (%s-%s)" % (fmt(med), fmt(min(v)), fmt(max(v)))


def ratio_spread(values):
    v = [x for x in values if x is not None]
    if not v:
        return "-"
    med = fmt(median(v), 2) + "x"
    return med if len(v) < 2 else "%s (%s-%s)" % (med, fmt(min(v), 2), fmt(max(v), 2))


def section_duel(rows, qsets):
    """Head to head in rounds: per query set and server, the median answered/s,
    and the median of the rounds' ratios (each round's runs paired)."""
    ds = [r for r in rows if r["kind"] == "duel"]
    if not ds:
        return ""
    by = {}
    for r in ds:
        by.setdefault((r["qset"], r["server"]), {})[r.get("round", 1)] = r.get("answered_per_s")
    order = {"reflector": 0, "knotd-xdp": 1}

    def ratios(q, a, b):
        x, y = by.get((q, a), {}), by.get((q, b), {})
        return [x[k] / y[k] for k in x if a != b and x[k] and y.get(k)]

    out = ["\n### Head to head with kxdpgun, %d round(s)\n" % max(r.get("round", 1) for r in ds),
           "The servers one after another in each round, every query set; answered/s "
           "as the median (range) of the rounds, ratios as the median (range) of each "
           "round's own ratio. The reflector (XDP_TX, no DNS work at all) is the most "
           "this lab answers with kxdpgun: the generator's and veth's ceiling. "
           "+napi-defer: napi_defer_hard_irqs 2 and gro_flush_timeout 200000 on veth-s "
           "while that server runs. @cpu0: knotd XDP's placement, main and worker lcores "
           "on CPU 0 (--lcores 0@0,1@0), the generator on CPU 1.\n"]
    body = []
    for q, server in sorted(by, key=lambda k: (qsets.get(k[0], 9), order.get(k[1], 2), k[1])):
        body.append([q, server, spread(by[(q, server)].values()),
                     ratio_spread(ratios(q, server, "knotd-xdp")),
                     ratio_spread(ratios(q, server, "reflector"))])
    out.append(table(["queries", "server", "answered/s", "vs knotd XDP", "vs reflector"], body))
    return "\n".join(out)


def section_latency(rows, order, qsets):
    """dnsperf at fixed rates (-Q, -v): percentiles of every answer's latency."""
    ls = [r for r in rows if r["kind"] == "latency"]
    if not ls:
        return ""
    ls.sort(key=lambda r: (int(r.get("qps", 0)), qsets.get(r["qset"], 9),
                           order.get(r["server"], 9)))
    out = ["\n### Latency at a fixed rate (dnsperf -Q, every answer timed with -v)\n",
           "dnsperf as above but held to a rate every server sustains, printing each "
           "answer's latency: percentiles by nearest rank over the answered queries "
           "(lost ones count in loss); \"answers timed\": how many each row rests on.\n"]
    body = []
    for r in ls:
        body.append([fmt(int(r["qps"])), r["qset"], r["server"], fmt(r.get("answered_per_s")),
                     fmt(r.get("loss_pct"), 2, "%"),
                     " / ".join(fmt(r.get(k), 3) for k in
                                ("latency_p50_ms", "latency_p90_ms", "latency_p99_ms",
                                 "latency_p999_ms")),
                     fmt(r.get("latency_max_ms"), 2), fmt(r.get("latency_samples")),
                     fmt(r.get("server_cpu"), 2), stalled(r), fmt(r.get("other_cpu"), 2)])
    out.append(table(["queries/s", "queries", "server", "answered/s", "loss",
                      "latency ms p50 / p90 / p99 / p99.9", "max ms", "answers timed",
                      "server CPU", "worker stalled ms (stalls)", "other CPU"], body))
    out.append("\nWorker stalled: mvdns's worker.stalled-us and worker.stalls over the run, "
               "the turns of its loop that came 1 ms or more late (its CPU taken: by "
               "another thread, or by the host, section 0); long: those of 50 ms or more "
               "(worker.long-stalls), the host's stops.\n")
    return "\n".join(out)


def stalled(r):
    """A run's worker stalls: "MS (COUNT)", "MS (COUNT; L long)" when L of them
    lasted 50 ms or more (the host's stops), or "-" where not measured."""
    if r is None or r.get("worker_stalled_ms") is None:
        return "-"
    long = r.get("worker_long_stalls")
    return "%s (%s%s)" % (fmt(r["worker_stalled_ms"], 1), fmt(r.get("worker_stalls")),
                          "; %s long" % fmt(long) if long else "")


def storm_runs(rows):
    """The update-storm rows by (tool, storm on): every attempt, in order.
    The last attempt is the one kept; the ones before it had a host stop."""
    runs = {}
    for r in rows:
        if r["kind"] == "ctl-storm":
            runs.setdefault((r["tool"], bool(r["storm"])), []).append(r)
    for rs in runs.values():
        rs.sort(key=lambda r: r.get("attempt", 1))
    return runs


def section_host(rows):
    hs = [r for r in rows if r["kind"] == "host-stalls"]
    ms = [r for r in rows if r["kind"] == "host-memory"]
    if not hs and not ms:
        return ""
    out = ["## 0. The machine below the figures (bench/host_stalls, bench/host_memory)\n"]
    if hs:
        out.append("Every CPU kept busy at once by a thread that only reads the clock, as the "
                   "lab's busy-polling servers and generators keep them; a stop: %s ms or more "
                   "between two readings. In an otherwise quiet guest, its own scheduler takes "
                   "such a thread off its CPU for a few ms at most: longer stops are the host's "
                   "(no guest timer tick runs meanwhile, bench/HISTORY.md, eleventh stop). Lab "
                   "and memif figures, their losses and latency maxima, were taken on CPUs that "
                   "stop this way.\n" % fmt(hs[0].get("min_ms")))
        out.append(table(["CPU", "seconds busy", "stops", "stopped ms (share)", "longest ms",
                          "other CPU"],
                         [[fmt(r["cpu"]), fmt(r["seconds"]), fmt(r["stops"]),
                           "%s (%s)" % (fmt(r["stopped_ms"], 1),
                                        fmt(100 * r["stopped_ms"] / 1000 / r["seconds"], 2, "%")),
                           fmt(r["longest_ms"], 1), fmt(r.get("other_cpu"), 2)] for r in hs]))
    if ms:
        out.append("A random cache line in a region of the given size, on transparent huge "
                   "pages as the record table's arrays are: latency, each load waiting for the "
                   "one before; and, when %s random items are prefetched, then read, as a "
                   "burst's slots and nodes are, the cost of an item that is one line, or two "
                   "lines of one 4 KiB page, or two of one 2 MiB page. A query for a random "
                   "name in a table far larger than the caches reads two random places (its "
                   "slot's line, its node's): at 10M names (about 1.2 GiB), twice the last "
                   "row's line is most of what the in-process `random` mix pays over 1k. Where "
                   "two lines of one 4 KiB page cost little more than one, and two of one 2 MiB "
                   "page as much as two lines, the host maps this guest's memory in 4 KiB "
                   "pages and charges each page a query touches. Machines differ most here.\n"
                   % fmt(ms[0].get("burst")))
        out.append(table(["region", "latency ns", "ns a line in bursts",
                          "two lines, one 4 KiB page", "two lines, one 2 MiB page"],
                         [["%s MiB" % fmt(r["mib"]), fmt(r["latency_ns"], 1),
                           fmt(r["burst_ns_per_line"], 1),
                           fmt(r.get("burst_ns_per_pair_4k"), 1),
                           fmt(r.get("burst_ns_per_pair_2m"), 1)] for r in ms]))
    return "\n".join(out)


def big_set(rows):
    """What the "million" query set held when it was not a million names (QUICK)."""
    n = next((r["names"] for r in rows if r.get("names")), None)
    if n is None or n == 1000000:
        return ""
    return " The \"million\" query set held %s distinct names in this run." % names(n)


def section_peers(rows):
    rs = [r for r in rows if r["kind"] == "peer"]
    bp = [r for r in rows if r["kind"] == "busypoll"]
    if not rs and not bp and not any(r["kind"] in ("duel", "latency") for r in rows):
        return ""
    ref = {(r["tool"], r["qset"]): r.get("answered_per_s") for r in rs
           if r["server"] == "knotd-xdp" and r.get("answered_per_s")}
    order = {"reflector": 0, "mvdns-af_xdp": 1, "mvdns-af_packet": 2, "knotd-xdp": 3,
             "knotd-udp": 4, "nsd": 5}
    tools = {"kxdpgun": 0, "dnsperf": 1}
    qsets = {"few": 0, "million": 1, "pool": 2}
    rs.sort(key=lambda r: (tools.get(r["tool"], 9), qsets.get(r["qset"], 9),
                           order.get(r["server"], 9)))
    any_run = rs + bp + [r for r in rows if r["kind"] in ("duel", "latency")]
    secs = any_run[0]["seconds"] if any_run else "?"
    window = next((r["load_seconds"] for r in any_run if r.get("load_seconds")), None)
    out = ["## 2. The lab against peers (%s s per run)\n" % secs,
           ("The CPU columns cover about %.1f s of each run's load, from 0.1 s after the server "
            "received its first queries: a tool's own start and end are left out (kxdpgun "
            "idles about a second before its first query and after its last). " % window
            if window is not None else "")
           + "Server CPU: cores busy in the server's processes (utime + stime); softirq CPU: "
           "cores busy in softirq on the whole machine (veth and XDP work, both sides; "
           "per CPU in brackets); "
           "other CPU: cores other jobs on this shared machine used just before the run "
           "(0.5 s sample); generator's CPU busy: the CPU the generator is pinned to, and the "
           "cores' worth of it busy (its own work and softirq there): at 1.00 the "
           "generator's CPU, not the server, sets the pace. "
           "Latency from dnsperf only (kxdpgun reports none).%s\n" % big_set(any_run)]
    if rs:
        out.append(table(PEER_HEAD, peer_rows(rs, ref)))
    latency = section_latency(rows, order, qsets)
    if latency:
        out.append(latency)
    duel = section_duel(rows, qsets)
    if duel:
        out.append(duel)
    if bp:
        out.append("\n### Busy polling on two shared CPUs (mvdns af_xdp, few names)\n")
        out.append("Each variant in turn, %d round(s): the median (and the range when there "
                   "are several rounds).\n" % max(r.get("round", 1) for r in bp))
        groups = {}
        for r in bp:
            key = (r["tool"], str(r.get("lcores")), str(r.get("busy_budget")), r.get("gen_cpu"))
            groups.setdefault(key, []).append(r)
        rows, best = [], {}
        for key in sorted(groups, key=lambda k: (tools.get(k[0], 9),)):
            g = groups[key]
            med = median([r.get("answered_per_s") for r in g])
            rng = ""
            vals = [r.get("answered_per_s") for r in g if r.get("answered_per_s") is not None]
            if len(vals) > 1:
                rng = " (%s-%s)" % (fmt(min(vals)), fmt(max(vals)))
            base = ref.get((key[0], "few"))
            rows.append([key[1], key[2], key[3], key[0], fmt(med) + rng,
                         fmt(median([r.get("loss_pct") for r in g]), 1, "%"),
                         fmt(median([r.get("server_cpu") for r in g]), 2),
                         fmt(median([r.get("softirq_cpu") for r in g]), 2)
                         + (" (%s)" % g[0]["softirq_per_cpu"] if len(g) == 1 and
                            g[0].get("softirq_per_cpu") else ""),
                         fmt(median([r.get("other_cpu") for r in g]), 2),
                         (fmt(med / base, 2) + "x") if base and med is not None else "-"])
            if med is not None and (key[0] not in best or med > best[key[0]][1]):
                best[key[0]] = (key, med)
        out.append(table(["lcores", "busy_budget (vdev)", "generator CPU", "tool", "answered/s",
                          "loss", "server CPU", "softirq CPU", "other CPU", "vs knotd XDP"],
                         rows))
        for tool, (key, med) in sorted(best.items(), key=lambda t: tools.get(t[0], 9)):
            out.append("\nBest with %s: %s, busy_budget %s, generator on CPU %s (%s answered/s)."
                       % (tool, key[1], key[2], key[3], fmt(med)))
        out.append("")
    return "\n".join(out)


def section_control(rows):
    lat = [r for r in rows if r["kind"] == "ctl-latency"]
    sus = [r for r in rows if r["kind"] == "ctl-sustained"]
    storm = storm_runs(rows)
    load = [r for r in rows if r["kind"] == "ctl-load"]
    if not (lat or sus or storm or load):
        return ""
    out = ["## 3. Control plane (mvdns-control + dataplane on af_xdp)\n"]
    if lat:
        out.append("Apply-to-served latency: from the request written to the socket to the "
                   "first answer in the client namespace with the new data.\n")
        out.append(table(["changes per batch", "served p50 ms", "served p99 ms", "served max ms",
                          "acknowledged p50 ms", "acknowledged p99 ms", "batches", "timeouts"],
                         [[fmt(r["changes"]), fmt(r.get("served_p50_ms"), 2),
                           fmt(r.get("served_p99_ms"), 2), fmt(r.get("served_max_ms"), 2),
                           fmt(r.get("ack_p50_ms"), 2), fmt(r.get("ack_p99_ms"), 2),
                           fmt(r.get("iterations")), fmt(r.get("timeouts"))] for r in lat]))
    if sus or load:
        out.append("\nSustained record changes per second (batches back to back until INSYNC):\n")
        rs = [["CREATE (initial load, no dataplane attached)", fmt(1000), "-",
               fmt(r.get("changes_per_s"))] for r in load]
        rs += [[r["action"], fmt(r.get("batch")), fmt(r.get("batches")),
                fmt(r.get("changes_per_s"))] for r in sus]
        out.append(table(["action", "changes per batch", "batches", "changes/s"], rs))
    if storm:
        out.append("\nQueries lost at a fixed rate on names that always exist, without and "
                   "with an update storm (UPSERT batches of 500 back to back):\n")
        rs = []
        def drops(r):
            if not r or r.get("veth_drops") is None:
                return "-"
            return "%s, %s" % (fmt(r["veth_drops"]), fmt(r.get("dataplane_drops")))

        def attempts(rs):
            return "%d of %d" % (sum(1 for r in rs if r.get("worker_long_stalls")), len(rs)) \
                if rs else "-"

        voided = []
        for tool in ("kxdpgun", "dnsperf"):
            calm_runs, busy_runs = storm.get((tool, False), []), storm.get((tool, True), [])
            calm = calm_runs[-1] if calm_runs else None
            busy = busy_runs[-1] if busy_runs else None
            if not (calm or busy):
                continue
            voided += calm_runs[:-1] + busy_runs[:-1]
            pick = busy or calm
            rs.append([tool, fmt(pick.get("sent_per_s")),
                       fmt(calm.get("loss_pct"), 3, "%") if calm else "-",
                       fmt(busy.get("loss_pct"), 3, "%") if busy else "-",
                       fmt(busy.get("noerror")) if busy else "-",
                       fmt(busy.get("storm_changes_per_s")) if busy else "-",
                       "%s / %s" % (fmt(calm.get("dataplane_cpu"), 2) if calm else "-",
                                    fmt(busy.get("dataplane_cpu"), 2) if busy else "-"),
                       fmt(busy.get("control_cpu"), 2) if busy else "-",
                       "%s / %s" % (drops(calm), drops(busy)),
                       "%s / %s" % (stalled(calm), stalled(busy)),
                       "%s / %s" % (attempts(calm_runs), attempts(busy_runs))])
        out.append(table(["tool", "queries/s", "lost without storm", "lost with storm",
                          "NOERROR with storm", "storm changes/s",
                          "dataplane CPU without / with", "control CPU with",
                          "dropped at veth-s, by the dataplane: without / with",
                          "worker stalled ms (stalls): without / with",
                          "runs with a host stop: without / with"], rs))
        out.append("\nDropped at veth-s: the XDP program ran and the redirect into the "
                   "AF_XDP socket failed (its RX ring full: the worker did not empty it in "
                   "time); by the dataplane: its port's rx-missed and rx-nombuf, and "
                   "replies it could not send (tx-dropped). Worker stalled: the turns of "
                   "the worker's loop that came 1 ms or more late (its CPU taken, section "
                   "0), added up; its RX ring of 1,024 holds 10 ms of kxdpgun's queries. "
                   "Long: stalls of 50 ms or more (worker.long-stalls), the host stopping "
                   "the worker's vCPU. A run with one is run again, up to "
                   "BENCH_STORM_ATTEMPTS runs in all (3 by default): the table shows the "
                   "last run of each, the runs set aside are listed below it.\n")
        for r in voided:
            out.append("- set aside: %s, storm %s, run %s: lost %s (dropped at veth-s, by the "
                       "dataplane: %s), worker stalled ms (stalls): %s" % (
                           r["tool"], "on" if r["storm"] else "off", fmt(r.get("attempt", 1)),
                           fmt(r.get("loss_pct"), 3, "%"), drops(r), stalled(r)))
        if voided:
            out.append("")
    return "\n".join(out)


def mb(kb):
    return fmt(kb / 1024, 1) if kb is not None else "-"


def batch_ms(r):
    """A row's batch wait percentiles, "p50 / p99 / max" in ms."""
    keys = ("batch_p50_ms", "batch_p99_ms", "batch_max_ms")
    if r.get(keys[0]) is None:
        return "-"
    return " / ".join(fmt(r.get(k), 1) for k in keys)


def snapshots(r):
    """How many background snapshots the control took during the load, and the longest."""
    if r.get("snapshots") is None:
        return "-"
    if not r["snapshots"]:
        return "0"
    return "%d, %s" % (r["snapshots"], fmt(r.get("snapshot_max_s"), 2))


def section_scale(rows):
    rs = [r for r in rows if r["kind"] == "scale"]
    cs = [r for r in rows if r["kind"] == "scale_control"]
    if not rs and not cs:
        return ""
    out = ["## 4. Scale (dataplane on a net_null port)\n"]
    if rs:
        out.append("Loaded by --load: the dataplane reads a JSON file itself, start-up from "
                   "exec to its ready line. Loaded by mvdns-control, as a deployment starts: "
                   "the control holds the record sets and sends its full state over the "
                   "shared-memory channel when the dataplane attaches, start-up from exec "
                   "until the dataplane has applied it; meanwhile, the control's API: "
                   "the slowest of ListHostedZones requests sent back to back (the control "
                   "writes the state into the channel's ring a slice at a time, serving "
                   "requests between slices). "
                   "Bytes per set: (VmRSS with N - VmRSS with the SOA alone) / N.\n")
        out.append(table(
            ["record sets", "loaded by", "start-up s", "VmRSS MB", "VmHWM MB", "bytes per set",
             "control VmRSS MB", "control API slowest ms"],
            [[names(r["sets"]) if r["sets"] else "0 (SOA only)",
              "--load" if r["via"] == "load" else "mvdns-control",
              fmt(r.get("startup_s"), 2), mb(r.get("rss_kb")), mb(r.get("hwm_kb")),
              fmt(r.get("bytes_per_set"), 0), mb(r.get("control_rss_kb")),
              fmt(r.get("api_max_ms"), 1)]
             for r in rs]))
    if cs:
        out += ["",
                "mvdns-control holding the record sets: sent to it in ChangeResourceRecordSets "
                "batches of 1,000 (snapshots of its state as by default), then stopped (it "
                "leaves the whole state in one snapshot first), started again on that state "
                "and stopped again with nothing changed since (idle stop). Bytes per "
                "set: (VmRSS with them - VmRSS with none) / N. Background snapshots: "
                "those the control's log reports from the load to the stop, and the "
                "longest, from its fork to its reap.\n",
                table(["record sets", "changes/s", "batch ms p50 / p99 / max", "VmRSS MB",
                       "VmHWM MB", "bytes per set", "stop s", "restart s",
                       "VmRSS MB after restart", "VmHWM MB after restart", "idle stop s",
                       "background snapshots, longest s"],
                      [[names(r["sets"]), fmt(r.get("load_per_s")), batch_ms(r),
                        mb(r.get("rss_kb")),
                        mb(r.get("hwm_kb")), fmt(r.get("bytes_per_set"), 0),
                        fmt(r.get("stop_s"), 2), fmt(r.get("restart_s"), 2),
                        mb(r.get("restart_rss_kb")), mb(r.get("restart_hwm_kb")),
                        fmt(r.get("idle_stop_s"), 2), snapshots(r)]
                       for r in cs])]
    return "\n".join(out)


def zero_copy(r):
    """Which side of a memif run was the zero-copy client: "", "generator" or
    "dataplane" (runs before the dataplane's side was measured: 0 or 1)."""
    z = r.get("zero_copy")
    return "generator" if z in (1, "1") else ("" if z in (None, 0, "0", "none") else z)


def zero_copy_label(side):
    return " (%s zero-copy)" % side if side else ""


def section_memif(rows):
    rs = [r for r in rows if r["kind"] == "memif"]
    if not rs:
        return ""
    groups = {}
    for r in rs:
        key = (r["lcores"], r["gen_cpu"], r["qset"], r.get("rate") or 0, zero_copy(r))
        groups.setdefault(key, []).append(r)
    qsets = {"few": 0, "many": 1, "pool": 2}
    order = []
    for key in groups:
        if key[:2] not in order:
            order.append(key[:2])
    out = ["## 5. DPDK to DPDK over memif (bench/memif_gen, %s s per run)\n" % rs[0]["seconds"],
           "The dataplane (one worker) and bench/memif_gen (one lcore) joined by a net_memif "
           "port, no kernel in the path; %s names in the zone; at most %s queries outstanding. "
           "Each variant in turn, %d round(s): the median (and the range when there are "
           "several). Latency: from tx_burst of the query to rx_burst of its answer, in "
           "microseconds (medians of the rounds' percentiles). Dataplane and generator CPU: "
           "utime + stime, in cores; other CPU: cores other jobs on this shared machine used "
           "in the 0.5 s before the run, and during it (all busy time but ours). Zero-copy is "
           "memif's client's mode only: \"generator zero-copy\", the generator is the "
           "zero-copy client and the dataplane the server, which copies; \"dataplane "
           "zero-copy\", the roles swapped (the dataplane attached as an application to a "
           "vswitch's memif server, such as VPP's): only the generator copies.\n"
           % (names(rs[0]["names"]), fmt(rs[0].get("window")), max(r.get("round", 1) for r in rs))]
    table_rows, best = [], None
    for key in sorted(groups, key=lambda k: (order.index(k[:2]), k[3] != 0, k[4],
                                             qsets.get(k[2], 9))):
        g = groups[key]
        vals = [r.get("answered_per_s") for r in g if r.get("answered_per_s") is not None]
        med = median(vals)
        rng = " (%s-%s)" % (fmt(min(vals)), fmt(max(vals))) if len(vals) > 1 else ""
        lat = " / ".join(fmt(median([r.get(f) for r in g]), 1)
                         for f in ("lat_p50_us", "lat_p90_us", "lat_p99_us", "lat_max_us"))
        table_rows.append([key[0], key[1], key[2] + zero_copy_label(key[4]),
                           "flat out" if not key[3] else fmt(key[3]),
                           fmt(med) + rng, fmt(median([r.get("loss_pct") for r in g]), 3, "%"),
                           lat, fmt(median([r.get("dataplane_cpu") for r in g]), 2),
                           fmt(median([r.get("generator_cpu") for r in g]), 2),
                           "%s / %s" % (fmt(median([r.get("other_cpu") for r in g]), 2),
                                        fmt(median([r.get("other_cpu_during") for r in g]), 2))])
        if med is not None and not key[3] and (best is None or med > best[1]):
            best = (key, med)
    out.append(table(["dataplane lcores", "generator CPU", "queries", "offered/s",
                      "answered/s", "loss", "latency us p50 / p90 / p99 / max",
                      "dataplane CPU", "generator CPU", "other CPU before / during"],
                     table_rows))
    if best:
        out.append("\nBest flat out: %s, generator on CPU %s, %s queries%s: %s answered/s "
                   "(aim: 5,000,000 on one worker core)." % (
                       best[0][0], best[0][1], best[0][2], zero_copy_label(best[0][4]),
                       fmt(best[1])))
    return "\n".join(out)


def section_health(rows):
    rs = [r for r in rows if r["kind"] == "health"]
    if not rs:
        return ""
    both = next((r for r in rs if r["to"] == "both"), rs[-1])
    out = ["## 6. Health change to answer (mvdns-control + dataplane on af_xdp)\n",
           "SetHealthCheckStatus of one EXTERNAL check (one of %s multivalue values at one "
           "name) on the control socket, Unhealthy and Healthy in turn, to the first answer in "
           "the client namespace without (or again with) its value. \"sent\": from the request "
           "written to the socket; \"acknowledged\": from the control's response (negative "
           "when the answer changed first). Probe round trip p50 %s ms (%s queries); other CPU "
           "%s, server CPU %s.\n" % (both.get("checks"), fmt(both.get("probe_rtt_p50_ms"), 3),
                                      fmt(both.get("probes")), fmt(both.get("other_cpu"), 2),
                                      fmt(both.get("server_cpu"), 2))]
    out.append(table(["to", "flips", "from sent p50 ms", "p90", "p99", "max",
                      "from acknowledged p50 ms", "p99", "max", "response p50 ms", "p99",
                      "timeouts"],
                     [[r["to"], fmt(r.get("flips")), fmt(r.get("sent_p50_ms"), 3),
                       fmt(r.get("sent_p90_ms"), 3), fmt(r.get("sent_p99_ms"), 3),
                       fmt(r.get("sent_max_ms"), 3), fmt(r.get("acked_p50_ms"), 3),
                       fmt(r.get("acked_p99_ms"), 3), fmt(r.get("acked_max_ms"), 3),
                       fmt(r.get("ack_p50_ms"), 3), fmt(r.get("ack_p99_ms"), 3),
                       fmt(r.get("timeouts")) if "timeouts" in r else "-"] for r in rs]))
    return "\n".join(out)


def verdict(ok):
    """None: this run does not measure what the aim is about."""
    return "-" if ok is None else ("met" if ok else "**not met**")


def aim_inproc(rows):
    r = next((r for r in rows if r["kind"] == "inproc" and r["names"] == 1000000
              and r["mix"] == "a"), None)
    if not r or r.get("mqps") is None:
        return None
    return ["In process, 1M names, mix `a`: at least 15 Mqps on one core (under 70 ns)",
            "%s Mqps (%s ns)" % (fmt(r["mqps"], 2), fmt(r.get("ns_per_query"), 1)),
            verdict(r["mqps"] >= 15)]


def aim_ratio(rows):
    rs = [r for r in rows if r["kind"] == "inproc-ratio" and r.get("ratio") is not None]
    if not rs:
        return None
    # What the machine charges for a random line in a table that size (section 0).
    big = max((r for r in rows if r["kind"] == "host-memory"), key=lambda r: r["mib"],
              default=None)
    memory = ("; in bursts in %s MiB here a random line costs %s ns, two lines of one 4 KiB "
              "page %s ns (section 0)" % (fmt(big["mib"]), fmt(big["burst_ns_per_line"], 1),
                                          fmt(big.get("burst_ns_per_pair_4k"), 1))
              if big else "")
    return ["In process, %s names at most 1.5x the ns/query of %s (%s)" % (
                names(rs[0]["large"]), names(rs[0]["small"]),
                "side by side" if rs[0].get("rounds") else "separate runs"),
            ", ".join("%s %sx" % (r["mix"], fmt(r["ratio"], 2)) for r in rs) + memory,
            # the aim is at 10M names: a smaller largest size (QUICK) only shows the trend
            verdict(all(r["ratio"] <= 1.5 for r in rs) if rs[0]["large"] >= 10000000 else None)]


def aim_memif(rows):
    groups = {}
    for r in rows:
        if r["kind"] == "memif" and not r.get("rate") and r.get("answered_per_s") is not None:
            key = (r["lcores"], r["gen_cpu"], r["qset"], zero_copy(r))
            groups.setdefault(key, []).append(r["answered_per_s"])
    if not groups:
        return None
    key, best = max(((k, median(v)) for k, v in groups.items()), key=lambda kv: kv[1])
    return ["memif: at least 5M answered/s on one worker core",
            "%s (%s, %s queries%s; median of rounds)" % (
                fmt(best), key[0], key[2], ", %s zero-copy" % key[3] if key[3] else ""),
            verdict(best >= 5e6)]


def mvdns_vs(rows, kind, tool, q, base):
    """Per mvdns variant, the ratios of its answered/s to base's, paired by round."""
    by = {}
    for r in rows:
        if r["kind"] == kind and r["tool"] == tool and r["qset"] == q and r.get("answered_per_s"):
            by.setdefault(r["server"], {})[r.get("round", 1)] = r["answered_per_s"]
    ref = by.get(base, {})
    return {s: median([v[k] / ref[k] for k in v if ref.get(k)])
            for s, v in by.items() if s != base and ref}


def aim_kxdpgun(rows):
    kind = "duel" if any(r["kind"] == "duel" for r in rows) else "peer"
    qsets = sorted({r["qset"] for r in rows if r["kind"] == kind and r["tool"] == "kxdpgun"},
                   key=lambda q: {"few": 0, "million": 1, "pool": 2}.get(q, 9))
    parts, ok = [], True
    for q in qsets:
        ratios = mvdns_vs(rows, kind, "kxdpgun", q, "knotd-xdp")
        mv = [v for s, v in ratios.items() if s.startswith("mvdns-af_xdp") and v is not None]
        if not mv:
            continue
        best = max(mv)
        ok = ok and best >= 1.5
        ceiling = ratios.get("reflector")
        n = next((r.get("names") for r in rows if r["kind"] == kind and r["qset"] == q), None)
        label = "%s (%s names)" % (q, names(n)) if q == "million" and n and n != 1000000 else q
        parts.append("%s %sx%s" % (label, fmt(best, 2), " (reflector %sx)" % fmt(ceiling, 2)
                                   if ceiling is not None else ""))
    if not parts:
        return None
    return ["kxdpgun: mvdns af_xdp (its best variant) at least 1.5x knotd XDP's "
            "answered/s (%s)" % (
                "head to head, median of rounds" if kind == "duel" else "one run each"),
            "; ".join(parts), verdict(ok)]


def aim_dnsperf(rows):
    rs = [r for r in rows if r["kind"] == "peer" and r["tool"] == "dnsperf"
          and r["server"] == "mvdns-af_xdp"]
    if not rs:
        return None
    ok = all((r.get("gen_cpu_busy") or 0) >= 0.95 and (r.get("loss_pct") or 0) < 1 for r in rs)
    return ["dnsperf: mvdns af_xdp at dnsperf's ceiling (the generator's CPU busy, "
            "no loss)",
            "; ".join("%s: generator CPU %s, loss %s" % (r["qset"], fmt(r.get("gen_cpu_busy"), 2),
                                                         fmt(r.get("loss_pct"), 2, "%"))
                      for r in rs), verdict(ok)]


def aim_scale(rows):
    rs = [r for r in rows if r["kind"] == "scale" and r["sets"] >= 1000000
          and r.get("bytes_per_set") is not None]
    if not rs:
        return None
    paths = []
    for via, label in (("load", "--load"), ("control", "fed by mvdns-control")):
        vs = [r for r in rs if r["via"] == via]
        if vs:
            paths.append("%s %s" % (label, ", ".join(
                "%s: %s B" % (names(r["sets"]), fmt(r["bytes_per_set"])) for r in vs)))
    return ["Scale: at most 150 bytes per single-A record set", "; ".join(paths),
            verdict(all(r["bytes_per_set"] <= 150 for r in rs))]


def host_stops(rs):
    """What a tool's update-storm runs rs say about the host's stops (storm_runs)."""
    if rs[-1].get("worker_long_stalls"):
        return " (the host stopped the worker in %s)" % (
            "all %d runs" % len(rs) if len(rs) > 1 else "the run")
    if len(rs) > 1:
        return " (run %d: the host stopped the worker in the %s before)" % (
            len(rs), "one" if len(rs) == 2 else "runs")
    return ""


def aim_control(rows):
    out = []
    lat = next((r for r in rows if r["kind"] == "ctl-latency" and r["changes"] == 1000), None)
    if lat and lat.get("served_p99_ms") is not None:
        out.append(["Control: 1,000-change batch served at p99 within 10 ms",
                    "%s ms (%s batches)" % (fmt(lat["served_p99_ms"], 2), fmt(lat["iterations"])),
                    verdict(lat["served_p99_ms"] <= 10 and not lat.get("timeouts"))])
    sus = [r for r in rows if r["kind"] == "ctl-sustained" and r.get("changes_per_s")]
    if sus:
        out.append(["Control: at least 50,000 record changes per second",
                    ", ".join("%s %s/s" % (r["action"], fmt(r["changes_per_s"])) for r in sus),
                    verdict(all(r["changes_per_s"] >= 50000 for r in sus))])
    runs = [rs for (tool, on), rs in storm_runs(rows).items() if on]
    if runs:
        # The last run of each tool; one that still had a host stop (every
        # attempt did) does not measure the storm.
        kept = [rs[-1] for rs in runs]
        clean = [r for r in kept if not r.get("worker_long_stalls")]
        ok = all(r.get("loss_pct") == 0 for r in clean)
        if ok and len(clean) < len(kept):
            ok = None
        out.append(["Control: no query lost to an update storm",
                    ", ".join("%s %s" % (r["tool"], fmt(r.get("loss_pct"), 3, "%"))
                              + (" (dropped at veth-s %s, by the dataplane %s; worker "
                                 "stalled %s ms%s)"
                                 % (fmt(r["veth_drops"]), fmt(r.get("dataplane_drops")),
                                    fmt(r.get("worker_stalled_ms"), 1),
                                    ", %s of 50 ms or more" % fmt(r["worker_long_stalls"])
                                    if r.get("worker_long_stalls") else "")
                                 if r.get("veth_drops") or r.get("dataplane_drops") else "")
                              + host_stops(rs)
                              for rs, r in zip(runs, kept)),
                    verdict(ok)])
    return out


def section_aims(rows):
    """The aims of the benchmark issue (and the control's update figures),
    each against the figure this run measured."""
    found = [a for a in (aim_inproc(rows), aim_ratio(rows), aim_memif(rows),
                         aim_kxdpgun(rows), aim_dnsperf(rows), aim_scale(rows)) if a]
    found += aim_control(rows)
    if not found:
        return ""
    return "\n".join(["## Aims\n",
                      "Each aim against this run's figure (the sections below have them all).\n",
                      table(["aim", "this run", "aim met"], found)])


def section_problems(rows, meta):
    errors = [r for r in rows if r["kind"] == "error"]
    notes = [r for r in rows if r["kind"] == "note"]
    failed = [f for f, rc in (meta.get("families") or {}).items() if rc.get("status") != 0]
    if not (errors or notes or failed):
        return ""
    out = ["## Problems and notes\n"]
    for f in failed:
        out.append("- **family %s exited with status %s**" % (f, meta["families"][f]["status"]))
    for r in errors:
        out.append("- **ERROR (%s): %s**\n  - command: `%s`\n  - output:\n\n```\n%s\n```" % (
            r["family"], r["what"], r.get("command", ""), r.get("output", "")))
    for r in notes:
        out.append("- note (%s): %s" % (r["family"], r["text"]))
    return "\n".join(out) + "\n"


def render(meta, rows):
    m = meta
    head = ["# mvdns benchmarks%s\n" % (" (QUICK)" if m.get("quick") else ""),
            "%s, commit %s. Machine: %s vCPUs, %s, kernel %s, %s.\n" % (
                m.get("date", "?"), m.get("commit", "?"), m.get("nproc", "?"),
                m.get("cpu", "?"), m.get("kernel", "?"), m.get("memory", "?"))]
    parts = [section_aims(rows), section_host(rows), section_inproc(rows), section_peers(rows), section_control(rows),
             section_scale(rows), section_memif(rows), section_health(rows),
             section_problems(rows, meta)]
    return "\n".join(head + [p for p in parts if p])


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--meta", required=True)
    p.add_argument("--json")
    p.add_argument("--md")
    p.add_argument("--readme")
    p.add_argument("rows", nargs="*")
    a = p.parse_args()
    meta = json.load(open(a.meta))
    rows = []
    for path in a.rows:
        with open(path) as f:
            rows += [json.loads(line) for line in f if line.strip()]
    md = render(meta, rows)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"meta": meta, "rows": rows}, f, indent=1)
            f.write("\n")
    if a.md:
        with open(a.md, "w") as f:
            f.write(md)
    if a.readme:
        text = open(a.readme).read()
        if BEGIN in text and END in text:
            pre, rest = text.split(BEGIN, 1)
            _, post = rest.split(END, 1)
            # the README has its own title, and the tables go under a heading
            body = md.split("\n", 1)[1].lstrip("\n")
            body = "\n".join("#" + line if line.startswith("##") else line
                              for line in body.split("\n"))
            with open(a.readme, "w") as f:
                f.write(pre + BEGIN + "\n" + body + "\n" + END + post)
        else:
            print("report.py: %s has no %s ... %s markers" % (a.readme, BEGIN, END),
                  file=sys.stderr)
    sys.stdout.write(md)


if __name__ == "__main__":
    main()
