/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * memif_gen - a DNS query generator that talks to mvdns-dataplane over
 * net_memif: two DPDK processes, shared memory, no kernel in the path.
 *
 *   memif_gen [EAL options] -- --queries FILE [--server IP] [--client IP]
 *             [--seconds S] [--warmup S] [--rate QPS] [--window W]
 *             [--burst B] [--timeout-ms T] [--json]
 *
 * EAL: one lcore (-l CPU) and one memif port, e.g.
 *   -l 1 --no-huge --no-shconf -m 512 --no-pci --file-prefix gen
 *   --vdev=net_memif0,role=client,socket=/tmp/x/memif.sock
 * while the dataplane runs with --vdev=net_memif0,role=server,socket=... and
 * --addr IP, or the roles the other way round (bench/memif.sh starts both).
 *
 * FILE holds "name TYPE" lines (dnsperf's format, bench/gen.py queries);
 * each becomes a real Ethernet/IPv4/UDP/DNS query frame (with EDNS), sent
 * in turn. The dataplane's MAC comes from an ARP request for --server.
 *
 * Every query carries a 32-bit sequence number: the DNS id holds its low 16
 * bits and the UDP source port its high 16 bits, both echoed by the reply.
 * A ring of slots indexed by the sequence keeps each outstanding query's
 * send time (TSC); a reply counts only if it matches an outstanding query
 * (same id and port, not answered yet, a DNS response), and its latency is
 * the TSC now minus the slot's. At most --window queries are outstanding
 * (default 512, below the memif ring of 1024, so replies never overflow
 * it); one unanswered for --timeout-ms is lost. --rate 0 (the default)
 * sends flat out within the window. Queries sent during --warmup are not
 * counted; after --seconds the generator stops sending and waits up to
 * --timeout-ms for the last replies.
 *
 * Prints answered/s, sent/s, loss, latency p50/p90/p99/p99.9/max and the
 * replies' rcodes (one JSON object with --json). Exit 0 when it measured,
 * 1 when it could not (no link, no ARP reply, bad arguments).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "mvdns.h"
#include "text.h"
#include "wire.h"

#define GEN_MBUFS      8191
#define GEN_MBUF_CACHE 256
#define GEN_RING       1024
#define GEN_BURST_MAX  64
#define GEN_FRAME_MAX  128
#define GEN_SLOTS      (1u << 20) /* sequence ring: > window and > rate x timeout */
#define GEN_ETH_HLEN   14
#define GEN_IP_HLEN    20
#define GEN_UDP_HLEN   8
#define GEN_DNS_OFF    (GEN_ETH_HLEN + GEN_IP_HLEN + GEN_UDP_HLEN)
#define GEN_EDNS_SIZE  1232

/* Latency histogram: 10 ns steps up to 100 us, then 1 us steps up to 1 s. */
#define GEN_FINE_NS   10
#define GEN_FINE_N    10000
#define GEN_COARSE_NS 1000
#define GEN_COARSE_N  1000000

enum gen_slot_state { GEN_SLOT_FREE, GEN_SLOT_WARMUP, GEN_SLOT_MEASURED };

struct gen_slot {
	uint64_t tsc;   /* when the query went to tx_burst */
	uint32_t seq;   /* its full sequence number */
	uint32_t state; /* enum gen_slot_state */
};

/* One query frame, built once; id and source port patched per send. */
struct gen_template {
	uint16_t len;
	uint8_t frame[GEN_FRAME_MAX];
};

struct gen_options {
	const char *queries;
	uint8_t server[4], client[4];
	double seconds, warmup;
	uint64_t rate;
	unsigned window, burst;
	double timeout_ms;
	bool json;
};

struct gen_stats {
	uint64_t sent, answered, lost, late_or_unknown, not_dns, tx_full;
	uint64_t rcode[16];
	uint64_t fine[GEN_FINE_N], coarse[GEN_COARSE_N], over;
	uint64_t max_ns, sum_ns;
};

/* Everything the send/receive loop touches; one generator, one lcore. */
struct gen {
	uint16_t port;
	struct rte_mempool *pool;
	struct gen_template *tpl;
	size_t ntpl, next_tpl;
	struct gen_slot *slots;
	uint32_t head, tail; /* next sequence to send; oldest possibly outstanding */
	unsigned outstanding;
	uint64_t hz, timeout_tsc;
	bool measuring;
	struct gen_stats st;
};

static volatile bool stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = true;
}

static void usage(void)
{
	fprintf(stderr, "usage: memif_gen [EAL options] -- --queries FILE [--server IP] "
			"[--client IP] [--seconds S] [--warmup S] [--rate QPS] [--window W] "
			"[--burst B] [--timeout-ms T] [--json]\n");
}

static int parse_options(int argc, char **argv, struct gen_options *o)
{
	static const struct option longopts[] = {
		{"queries", required_argument, NULL, 'q'},
		{"server", required_argument, NULL, 's'},
		{"client", required_argument, NULL, 'c'},
		{"seconds", required_argument, NULL, 't'},
		{"warmup", required_argument, NULL, 'w'},
		{"rate", required_argument, NULL, 'r'},
		{"window", required_argument, NULL, 'W'},
		{"burst", required_argument, NULL, 'b'},
		{"timeout-ms", required_argument, NULL, 'T'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'q':
			o->queries = optarg;
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, o->server) != 1)
				return -EINVAL;
			break;
		case 'c':
			if (inet_pton(AF_INET, optarg, o->client) != 1)
				return -EINVAL;
			break;
		case 't':
			o->seconds = atof(optarg);
			break;
		case 'w':
			o->warmup = atof(optarg);
			break;
		case 'r':
			o->rate = strtoull(optarg, NULL, 10);
			break;
		case 'W':
			o->window = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'b':
			o->burst = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'T':
			o->timeout_ms = atof(optarg);
			break;
		case 'j':
			o->json = true;
			break;
		default:
			usage();
			return -EINVAL;
		}
	}
	if (optind != argc || o->queries == NULL || o->seconds <= 0 || o->window == 0 ||
	    o->window >= GEN_SLOTS / 2 || o->burst == 0 || o->burst > GEN_BURST_MAX ||
	    o->timeout_ms <= 0) {
		usage();
		return -EINVAL;
	}
	return 0;
}

static uint16_t ip_checksum(const uint8_t *ip)
{
	uint32_t sum = 0;

	for (int i = 0; i < GEN_IP_HLEN; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * A query frame for qname/qtype, to dst_mac (patched in later) from our
 * MAC. UDP checksum 0 (none, allowed over IPv4); id and source port 0 until
 * sent.
 */
static int template_build(struct gen_template *t, const uint8_t *src_mac,
			  const struct gen_options *o, const uint8_t *qname, size_t qlen,
			  uint16_t qtype)
{
	size_t dns_len = DNS_HDR_LEN + qlen + 4 + 11; /* header, question, OPT */
	size_t len = GEN_DNS_OFF + dns_len;
	uint8_t *f = t->frame, *ip = f + GEN_ETH_HLEN, *udp = ip + GEN_IP_HLEN;
	uint8_t *dns = udp + GEN_UDP_HLEN;

	if (len > GEN_FRAME_MAX)
		return -ENAMETOOLONG;
	memset(t, 0, sizeof(*t));
	memcpy(f + 6, src_mac, 6);
	dns_put_u16(f + 12, 0x0800);
	ip[0] = 0x45;
	dns_put_u16(ip + 2, (uint16_t)(len - GEN_ETH_HLEN));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, o->client, 4);
	memcpy(ip + 16, o->server, 4);
	dns_put_u16(ip + 10, ip_checksum(ip));
	dns_put_u16(udp + 2, MVDNS_DNS_PORT);
	dns_put_u16(udp + 4, (uint16_t)(GEN_UDP_HLEN + dns_len));
	dns_put_u16(dns + 2, 0x0100); /* RD, as dnsperf sends */
	dns_put_u16(dns + 4, 1);
	dns_put_u16(dns + 10, 1);
	memcpy(dns + DNS_HDR_LEN, qname, qlen);
	dns_put_u16(dns + DNS_HDR_LEN + qlen, qtype);
	dns_put_u16(dns + DNS_HDR_LEN + qlen + 2, DNS_CLASS_IN);
	uint8_t *opt = dns + DNS_HDR_LEN + qlen + 4;
	dns_put_u16(opt + 1, DNS_TYPE_OPT);
	dns_put_u16(opt + 3, GEN_EDNS_SIZE);
	t->len = (uint16_t)len;
	return 0;
}

/* Read "name TYPE" lines into templates. Returns how many, or -errno. */
static long templates_load(struct gen *g, const struct gen_options *o, const uint8_t *src_mac)
{
	FILE *f = fopen(o->queries, "r");
	size_t cap = 1024, n = 0;
	char line[1024], name[512], type[32], err[128];
	uint8_t wire[MVDNS_NAME_MAX];

	if (f == NULL)
		return -errno;
	g->tpl = malloc(cap * sizeof(*g->tpl));
	while (g->tpl != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		int fields = sscanf(line, "%511s %31s", name, type);
		int qtype = fields == 2 ? dns_type_from_text(type) : DNS_TYPE_A;
		int qlen = fields >= 1 ? dns_name_from_text(name, wire, err, sizeof(err)) : -EINVAL;
		if (qtype < 0 || qlen < 0) {
			fprintf(stderr, "memif_gen: %s: bad line: %s", o->queries, line);
			continue;
		}
		if (n == cap) {
			struct gen_template *more = realloc(g->tpl, 2 * cap * sizeof(*g->tpl));
			if (more == NULL)
				break;
			g->tpl = more;
			cap *= 2;
		}
		if (template_build(&g->tpl[n], src_mac, o, wire, (size_t)qlen, (uint16_t)qtype) ==
		    0)
			n++;
	}
	fclose(f);
	if (g->tpl == NULL)
		return -ENOMEM;
	g->ntpl = n;
	return n > 0 ? (long)n : -ENODATA;
}

static void templates_set_dst(struct gen *g, const uint8_t *mac)
{
	for (size_t i = 0; i < g->ntpl; i++)
		memcpy(g->tpl[i].frame, mac, 6);
}

static int port_start(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	uint16_t rxd = GEN_RING, txd = GEN_RING;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, rxd, rte_eth_dev_socket_id(port), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, txd, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

/* Wait until memif has connected to the server (its link goes up). */
static int link_wait(uint16_t port, double seconds)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(seconds * rte_get_tsc_hz());
	struct rte_eth_link link;

	while (!stop && rte_rdtsc() < end) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		/* Sleep, not spin: the server's control thread may share our CPU. */
		rte_delay_us_sleep(10000);
	}
	return -ETIMEDOUT;
}

/* ARP for the server's address until it answers. Out: mac. */
static int arp_resolve(struct gen *g, const struct gen_options *o, const uint8_t *our_mac,
		       uint8_t *mac, double seconds)
{
	uint64_t end = rte_rdtsc() + (uint64_t)(seconds * g->hz), next = 0;

	while (!stop && rte_rdtsc() < end) {
		if (rte_rdtsc() >= next) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
			if (m == NULL)
				return -ENOMEM;
			uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *), *arp = f + GEN_ETH_HLEN;
			memset(f, 0, 60);
			memset(f, 0xff, 6);
			memcpy(f + 6, our_mac, 6);
			dns_put_u16(f + 12, 0x0806);
			dns_put_u16(arp, 1);          /* Ethernet */
			dns_put_u16(arp + 2, 0x0800); /* IPv4 */
			arp[4] = 6;
			arp[5] = 4;
			dns_put_u16(arp + 6, 1); /* request */
			memcpy(arp + 8, our_mac, 6);
			memcpy(arp + 14, o->client, 4);
			memcpy(arp + 24, o->server, 4);
			m->data_len = m->pkt_len = 60;
			if (rte_eth_tx_burst(g->port, 0, &m, 1) != 1)
				rte_pktmbuf_free(m);
			next = rte_rdtsc() + g->hz / 10;
		}
		struct rte_mbuf *rx[GEN_BURST_MAX];
		uint16_t n = rte_eth_rx_burst(g->port, 0, rx, GEN_BURST_MAX);
		int found = 0;
		for (uint16_t i = 0; i < n; i++) {
			const uint8_t *f = rte_pktmbuf_mtod(rx[i], const uint8_t *);
			const uint8_t *arp = f + GEN_ETH_HLEN;
			if (!found && rx[i]->data_len >= GEN_ETH_HLEN + 28 &&
			    dns_get_u16(f + 12) == 0x0806 && dns_get_u16(arp + 6) == 2 &&
			    memcmp(arp + 14, o->server, 4) == 0) {
				memcpy(mac, arp + 8, 6);
				found = 1;
			}
		}
		rte_pktmbuf_free_bulk(rx, n);
		if (found)
			return 0;
	}
	return -ETIMEDOUT;
}

static void latency_add(struct gen_stats *st, uint64_t ns)
{
	if (ns < (uint64_t)GEN_FINE_NS * GEN_FINE_N)
		st->fine[ns / GEN_FINE_NS]++;
	else if (ns < (uint64_t)GEN_COARSE_NS * GEN_COARSE_N)
		st->coarse[ns / GEN_COARSE_NS]++;
	else
		st->over++;
	if (ns > st->max_ns)
		st->max_ns = ns;
	st->sum_ns += ns;
}

/* The latency (ns, upper edge of its bucket) below which a fraction p of answers lie. */
static double latency_pct(const struct gen_stats *st, double p)
{
	uint64_t total = st->answered, want = (uint64_t)(p * (double)total + 0.5), seen = 0;

	if (total == 0)
		return -1;
	if (want == 0)
		want = 1;
	for (unsigned i = 0; i < GEN_FINE_N; i++) {
		seen += st->fine[i];
		if (seen >= want)
			return (double)(i + 1) * GEN_FINE_NS;
	}
	for (unsigned i = 0; i < GEN_COARSE_N; i++) {
		seen += st->coarse[i];
		if (seen >= want)
			return (double)(i + 1) * GEN_COARSE_NS;
	}
	return (double)st->max_ns;
}

/* Account for one received frame: a reply to an outstanding query, or not. */
static void reply_handle(struct gen *g, const struct rte_mbuf *m, uint64_t now)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = f + GEN_ETH_HLEN, *udp = ip + GEN_IP_HLEN, *dns = udp + GEN_UDP_HLEN;

	if (m->data_len < GEN_DNS_OFF + DNS_HDR_LEN || dns_get_u16(f + 12) != 0x0800 ||
	    ip[0] != 0x45 || ip[9] != 17 || dns_get_u16(udp) != MVDNS_DNS_PORT ||
	    !(dns[2] & 0x80)) {
		g->st.not_dns++;
		return;
	}
	uint32_t seq = (uint32_t)dns_get_u16(udp + 2) << 16 | dns_get_u16(dns);
	struct gen_slot *s = &g->slots[seq & (GEN_SLOTS - 1)];
	if ((uint32_t)(seq - g->tail) >= (uint32_t)(g->head - g->tail) || s->seq != seq ||
	    s->state == GEN_SLOT_FREE) {
		g->st.late_or_unknown++;
		return;
	}
	g->outstanding--;
	if (s->state == GEN_SLOT_MEASURED) {
		g->st.answered++;
		g->st.rcode[dns[3] & 0xf]++;
		latency_add(&g->st, (now - s->tsc) * 1000000000ull / g->hz);
	}
	s->state = GEN_SLOT_FREE;
}

/* Move the tail past answered slots, counting those outstanding too long as lost. */
static void slots_expire(struct gen *g, uint64_t now)
{
	while (g->tail != g->head) {
		struct gen_slot *s = &g->slots[g->tail & (GEN_SLOTS - 1)];
		if (s->state != GEN_SLOT_FREE) {
			if (now - s->tsc < g->timeout_tsc)
				break;
			g->outstanding--;
			g->st.lost += s->state == GEN_SLOT_MEASURED;
			s->state = GEN_SLOT_FREE;
		}
		g->tail++;
	}
}

static void rx_poll(struct gen *g)
{
	struct rte_mbuf *rx[GEN_BURST_MAX];
	uint16_t n = rte_eth_rx_burst(g->port, 0, rx, GEN_BURST_MAX);

	if (n == 0)
		return;
	uint64_t now = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++)
		reply_handle(g, rx[i], now);
	rte_pktmbuf_free_bulk(rx, n);
}

/* Send up to n queries; returns how many left. */
static unsigned tx_queries(struct gen *g, unsigned n)
{
	struct rte_mbuf *m[GEN_BURST_MAX];

	if (rte_pktmbuf_alloc_bulk(g->pool, m, n) != 0)
		return 0;
	uint64_t now = rte_rdtsc();
	uint32_t seq = g->head;
	for (unsigned i = 0; i < n; i++, seq++) {
		const struct gen_template *t = &g->tpl[g->next_tpl];
		if (++g->next_tpl == g->ntpl)
			g->next_tpl = 0;
		uint8_t *f = rte_pktmbuf_mtod(m[i], uint8_t *);
		memcpy(f, t->frame, GEN_FRAME_MAX);
		dns_put_u16(f + GEN_ETH_HLEN + GEN_IP_HLEN, (uint16_t)(seq >> 16));
		dns_put_u16(f + GEN_DNS_OFF, (uint16_t)seq);
		m[i]->data_len = m[i]->pkt_len = t->len;
		struct gen_slot *s = &g->slots[seq & (GEN_SLOTS - 1)];
		s->tsc = now;
		s->seq = seq;
		s->state = g->measuring ? GEN_SLOT_MEASURED : GEN_SLOT_WARMUP;
	}
	uint16_t sent = rte_eth_tx_burst(g->port, 0, m, (uint16_t)n);
	if (sent < n) {
		/* The unsent are the last ones: give their sequence numbers back. */
		g->st.tx_full++;
		for (unsigned i = sent; i < n; i++)
			g->slots[(g->head + i) & (GEN_SLOTS - 1)].state = GEN_SLOT_FREE;
		rte_pktmbuf_free_bulk(m + sent, n - sent);
		if (g->next_tpl >= n - sent)
			g->next_tpl -= n - sent;
		else
			g->next_tpl = g->ntpl - (n - sent - g->next_tpl);
	}
	g->head += sent;
	g->outstanding += sent;
	if (g->measuring)
		g->st.sent += sent;
	return sent;
}

/*
 * The loop: receive, expire, send what the window (and the rate) allow.
 * Returns the measured seconds.
 */
static double gen_run(struct gen *g, const struct gen_options *o)
{
	uint64_t start = rte_rdtsc();
	uint64_t measure = start + (uint64_t)(o->warmup * g->hz);
	uint64_t end = measure + (uint64_t)(o->seconds * g->hz), now = start;
	/* Rate: queries allowed so far = (now - start) * rate / hz; credit kept in sends. */
	uint64_t sends = 0;

	g->measuring = o->warmup <= 0;
	while (!stop && (now = rte_rdtsc()) < end) {
		if (!g->measuring && now >= measure)
			g->measuring = true;
		rx_poll(g);
		slots_expire(g, now);
		unsigned room = o->window - g->outstanding;
		if (room > o->burst)
			room = o->burst;
		if (g->head - g->tail >= GEN_SLOTS - GEN_BURST_MAX)
			room = 0; /* the sequence ring is full of old outstanding queries */
		if (o->rate > 0) {
			uint64_t due =
				(uint64_t)((double)(now - start) / (double)g->hz * (double)o->rate);
			uint64_t credit = due > sends ? due - sends : 0;
			if (credit > GEN_BURST_MAX * 4)
				sends = due - GEN_BURST_MAX * 4; /* no bursts after a stall */
			if (room > credit)
				room = (unsigned)credit;
		}
		if (room > 0)
			sends += tx_queries(g, room);
	}
	double measured = (double)(now - measure) / (double)g->hz;
	/* Drain: the last replies, until every query is answered or timed out. */
	uint64_t drain_end = rte_rdtsc() + g->timeout_tsc;
	while (g->outstanding > 0 && (now = rte_rdtsc()) < drain_end) {
		rx_poll(g);
		slots_expire(g, now);
	}
	slots_expire(g, UINT64_MAX / 2 + now); /* whatever is left is lost */
	return measured;
}

static void report(const struct gen *g, const struct gen_options *o, double secs)
{
	const struct gen_stats *st = &g->st;
	double answered_s = st->answered / secs, sent_s = st->sent / secs;
	double loss = st->sent ? 100.0 * (double)(st->sent - st->answered) / (double)st->sent : 0;
	double p50 = latency_pct(st, 0.50) / 1000, p90 = latency_pct(st, 0.90) / 1000;
	double p99 = latency_pct(st, 0.99) / 1000, p999 = latency_pct(st, 0.999) / 1000;
	double avg = st->answered ? (double)st->sum_ns / (double)st->answered / 1000 : -1;
	uint64_t other = st->answered - st->rcode[0] - st->rcode[3];

	if (o->json) {
		printf("{\"seconds\": %.3f, \"queries\": %zu, \"window\": %u, \"burst\": %u, "
		       "\"rate\": %" PRIu64 ", \"sent\": %" PRIu64 ", \"answered\": %" PRIu64
		       ", \"lost\": %" PRIu64 ", \"sent_per_s\": %.0f, \"answered_per_s\": %.0f, "
		       "\"loss_pct\": %.4f, \"lat_avg_us\": %.2f, \"lat_p50_us\": %.2f, "
		       "\"lat_p90_us\": %.2f, \"lat_p99_us\": %.2f, \"lat_p999_us\": %.2f, "
		       "\"lat_max_us\": %.2f, \"noerror\": %" PRIu64 ", \"nxdomain\": %" PRIu64
		       ", \"other_rcode\": %" PRIu64 ", \"late_or_unknown\": %" PRIu64
		       ", \"not_dns\": %" PRIu64 ", \"tx_full\": %" PRIu64 "}\n",
		       secs, g->ntpl, o->window, o->burst, o->rate, st->sent, st->answered,
		       st->lost, sent_s, answered_s, loss, avg, p50, p90, p99, p999,
		       (double)st->max_ns / 1000, st->rcode[0], st->rcode[3], other,
		       st->late_or_unknown, st->not_dns, st->tx_full);
	} else {
		printf("memif_gen: %.2f s, %zu query frames, window %u, burst %u, rate %s\n", secs,
		       g->ntpl, o->window, o->burst, o->rate ? "fixed" : "flat out");
		printf("  sent %" PRIu64 " (%.0f/s), answered %" PRIu64 " (%.0f/s), loss %.4f%%\n",
		       st->sent, sent_s, st->answered, answered_s, loss);
		printf("  latency us: avg %.2f p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f\n",
		       avg, p50, p90, p99, p999, (double)st->max_ns / 1000);
		printf("  rcodes: NOERROR %" PRIu64 " NXDOMAIN %" PRIu64 " other %" PRIu64
		       "; late or unknown replies %" PRIu64 ", not DNS %" PRIu64
		       ", tx ring full %" PRIu64 "\n",
		       st->rcode[0], st->rcode[3], other, st->late_or_unknown, st->not_dns,
		       st->tx_full);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct gen_options opt = {
		.server = {10, 53, 0, 1},
		.client = {10, 53, 0, 2},
		.seconds = 10,
		.warmup = 0.5,
		.window = 512,
		.burst = 32,
		.timeout_ms = 100,
	};
	struct gen *g = NULL;
	struct rte_ether_addr our;
	uint8_t server_mac[6];
	int rc = EXIT_FAILURE;
	bool port_up = false;

	int eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "memif_gen: EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (parse_options(argc - eal, argv + eal, &opt) != 0)
		goto out;
	if (rte_eth_dev_count_avail() != 1) {
		fprintf(stderr,
			"memif_gen: want exactly one port (--vdev=net_memif0,...), have %u\n",
			(unsigned)rte_eth_dev_count_avail());
		goto out;
	}
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		goto out;
	g->slots = calloc(GEN_SLOTS, sizeof(*g->slots));
	g->port = 0;
	g->hz = rte_get_tsc_hz();
	g->timeout_tsc = (uint64_t)(opt.timeout_ms / 1000 * (double)g->hz);
	g->pool = rte_pktmbuf_pool_create("gen", GEN_MBUFS, GEN_MBUF_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (g->slots == NULL || g->pool == NULL) {
		fprintf(stderr, "memif_gen: out of memory (try -m 512)\n");
		goto out;
	}
	rc = port_start(g->port, g->pool);
	if (rc != 0) {
		fprintf(stderr, "memif_gen: port: %s\n", strerror(-rc));
		rc = EXIT_FAILURE;
		goto out;
	}
	port_up = true;
	rc = EXIT_FAILURE;
	rte_eth_macaddr_get(g->port, &our);
	long n = templates_load(g, &opt, our.addr_bytes);
	if (n < 0) {
		fprintf(stderr, "memif_gen: %s: %s\n", opt.queries, strerror((int)-n));
		goto out;
	}
	if (link_wait(g->port, 20) != 0) {
		fprintf(stderr, "memif_gen: the memif link did not come up in 20 s "
				"(is the dataplane on the same socket, in the other role?)\n");
		goto out;
	}
	if (arp_resolve(g, &opt, our.addr_bytes, server_mac, 5) != 0) {
		fprintf(stderr, "memif_gen: no ARP reply for the server address in 5 s\n");
		goto out;
	}
	templates_set_dst(g, server_mac);
	if (!opt.json)
		printf("memif_gen: server at " RTE_ETHER_ADDR_PRT_FMT ", %zu query frames\n",
		       server_mac[0], server_mac[1], server_mac[2], server_mac[3], server_mac[4],
		       server_mac[5], g->ntpl);
	double secs = gen_run(g, &opt);
	report(g, &opt, secs);
	rc = EXIT_SUCCESS;
out:
	if (port_up) {
		rte_eth_dev_stop(0);
		rte_eth_dev_close(0);
	}
	if (g != NULL) {
		free(g->tpl);
		free(g->slots);
		rte_mempool_free(g->pool);
		free(g);
	}
	rte_eal_cleanup();
	return rc;
}
