/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * In-process, per-core speed of the packet path: real query frames
 * (Ethernet/IP/UDP/DNS) through mv_packet_handle, no I/O, one thread.
 *
 *   bench/inproc [--names N] [--seconds S] [--mix NAME] [--json] [--tx-csum]
 *                [--queries Q | --against N2 [--rounds R]]
 *
 * Mixes: a (one A answer from a hot set of 1,000 names), random (A for a
 * random name of all N: cache-missing), nxdomain, aaaa6 (AAAA over IPv6),
 * multivalue (8 of a 20-value pool). Prints queries per second and
 * nanoseconds per query; under valgrind --tool=callgrind pass --queries to
 * count instructions for a fixed number of queries. --against builds a
 * second table of N2 names and runs the two in R alternated rounds (9),
 * S seconds each in all: the ratio of their ns/query side by side, which
 * two separate runs on this shared machine do not give.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frames.h"
#include "node.h"
#include "packet.h"
#include "table.h"
#include "wire.h"

#define BURST     32
#define FRAME_MAX 256
#define HOT       1000

/* Owner i's name, "n<i>.example.com", in text. */
#define NAME_TEXT 32
static void name_text(uint64_t i, char text[NAME_TEXT])
{
	snprintf(text, NAME_TEXT, "n%llu.example.com", (unsigned long long)i);
}

/* One record set of one value (rdata copied into the caller's storage). */
struct one_set {
	struct mv_rrset set;
	uint8_t owner[MVDNS_NAME_MAX];
	uint16_t len;
	uint8_t data[64];
	uint8_t *pdata;
};

static const struct mv_rrset *one_set(struct one_set *o, const uint8_t *owner, uint8_t len,
				      uint16_t type, const void *rdata, uint16_t rdlen,
				      bool multivalue)
{
	memset(&o->set, 0, sizeof(o->set));
	o->set.owner = memcpy(o->owner, owner, len);
	o->set.owner_len = len;
	o->set.type = type;
	o->set.ttl = 60;
	o->set.count = 1;
	o->set.multivalue = multivalue;
	memcpy(o->data, rdata, rdlen);
	o->len = rdlen;
	o->pdata = o->data;
	o->set.rdata_len = &o->len;
	o->set.rdata = &o->pdata;
	return &o->set;
}

static void put_name(struct mv_table *t, const uint8_t *owner, uint8_t len,
		     const struct mv_rrset **sets, size_t n)
{
	if (mv_table_set_name(t, owner, len, sets, n) != 0) {
		fprintf(stderr, "inproc: cannot add a name\n");
		exit(1);
	}
}

static struct mv_table *build(uint64_t names)
{
	static const char soa[] = "\3ns1\7example\3com\12hostmaster\7example\3com"
				  "\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\x3c";
	struct mv_table *t = mv_table_create(names + 2, NULL, NULL);
	uint8_t owner[MVDNS_NAME_MAX];
	char text[NAME_TEXT];
	struct one_set o[20];
	const struct mv_rrset *p[20];

	p[0] = one_set(&o[0], (const uint8_t *)"\7example\3com", 13, DNS_TYPE_SOA, soa,
		       sizeof(soa) - 1, false);
	put_name(t, (const uint8_t *)"\7example\3com", 13, p, 1);
	for (uint64_t i = 0; i < names; i++) {
		name_text(i, text);
		uint8_t len = (uint8_t)name_wire(owner, text);
		const uint8_t a[4] = {192, 0, 2, (uint8_t)i};
		const uint8_t aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)i};
		p[0] = one_set(&o[0], owner, len, DNS_TYPE_A, a, 4, false);
		p[1] = one_set(&o[1], owner, len, DNS_TYPE_AAAA, aaaa, 16, false);
		put_name(t, owner, len, p, i < HOT ? 2 : 1); /* the hot set has AAAA too */
	}
	for (unsigned i = 0; i < 20; i++) {
		const uint8_t a[4] = {192, 0, 2, (uint8_t)(i + 1)};
		p[i] = one_set(&o[i], (const uint8_t *)"\4pool\7example\3com", 18, DNS_TYPE_A, a, 4,
			       true);
	}
	put_name(t, (const uint8_t *)"\4pool\7example\3com", 18, p, 20);
	mv_table_commit(t);
	return t;
}

/* A query frame from 10.53.0.2 or fd53::2 (v6) for qname, with EDNS, as a
 * client's kernel sends it (checksums complete: tests/unit/frames.h). */
static uint16_t frame(uint8_t *f, bool v6, const char *qname, uint16_t qtype)
{
	uint8_t q[FRAME_MAX];
	size_t n = dns_query(q, 0x1234, qname, qtype, true);

	return (uint16_t)(v6 ? frame_udp6(f, q, n, 40000, 53) : frame_udp4(f, q, n, 40000, 53));
}

static uint64_t rand64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Query frames for a mix: a ring of `count` frames the loop cycles through. */
static uint8_t *queries(const char *mix, uint64_t names, unsigned count, uint16_t *lens)
{
	uint8_t *frames = malloc((size_t)count * FRAME_MAX);
	uint64_t seed = 88172645463325252ull, hot = names < HOT ? names : HOT;

	for (unsigned i = 0; i < count; i++) {
		uint64_t r = rand64(&seed);
		char qname[NAME_TEXT];
		bool v6 = false;
		uint16_t qtype = DNS_TYPE_A;
		if (strcmp(mix, "a") == 0) {
			name_text(r % hot, qname);
		} else if (strcmp(mix, "random") == 0) {
			name_text(r % names, qname);
		} else if (strcmp(mix, "nxdomain") == 0) {
			name_text(names + r % names, qname);
		} else if (strcmp(mix, "aaaa6") == 0) {
			name_text(r % hot, qname);
			v6 = true;
			qtype = DNS_TYPE_AAAA;
		} else if (strcmp(mix, "multivalue") == 0) {
			snprintf(qname, sizeof(qname), "pool.example.com");
		} else {
			fprintf(stderr, "inproc: unknown mix %s\n", mix);
			exit(2);
		}
		lens[i] = frame(frames + (size_t)i * FRAME_MAX, v6, qname, qtype);
	}
	return frames;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* One table with its query ring, and what has been run through it. */
struct job {
	uint64_t names;
	struct mv_table *table;
	uint8_t *frames;
	uint16_t *lens;
	uint64_t rng;
	struct mv_packet_ctx ctx;
	double load; /* seconds to build the table */
	uint64_t done, answered;
	double elapsed;
};

#define RING (1u << 16)

static void job_init(struct job *j, uint64_t names, const char *mix, const struct mv_addrs *addrs,
		     bool tx_csum)
{
	double t0 = now();

	j->names = names;
	j->table = build(names);
	j->load = now() - t0;
	j->lens = malloc(RING * sizeof(*j->lens));
	j->frames = queries(mix, names, RING, j->lens);
	j->rng = 0x9e3779b97f4a7c15ull;
	j->ctx = (struct mv_packet_ctx){
		.addrs = addrs, .table = j->table, .rng = &j->rng, .tx_csum = tx_csum};
	memcpy(j->ctx.mac, our_mac, 6);
	j->done = j->answered = 0;
	j->elapsed = 0;
}

static void job_free(struct job *j)
{
	mv_table_destroy(j->table);
	free(j->frames);
	free(j->lens);
}

/* Run j's queries, bursts of 1,024 at a time, for `seconds` or, when fixed
 * is not 0, until it has done `fixed` in all. Returns this run's ns/query. */
static double job_run(struct job *j, double seconds, uint64_t fixed)
{
	static uint8_t burst[BURST][2048];
	uint64_t done = 0;
	double start = now(), elapsed;

	do {
		for (unsigned k = 0; k < 1024; k += BURST) {
			/* A burst arrives (copied in, as a NIC writes mbufs), then is handled. */
			uint64_t at = j->done + done;
			for (unsigned i = 0; i < BURST; i++) {
				unsigned q = (unsigned)((at + i) & (RING - 1));
				memcpy(burst[i], j->frames + (size_t)q * FRAME_MAX, j->lens[q]);
			}
			uint8_t *fr[BURST];
			uint16_t len[BURST], cap[BURST], out[BURST];
			enum mv_verdict v[BURST];
			for (unsigned i = 0; i < BURST; i++) {
				fr[i] = burst[i];
				len[i] = j->lens[(at + i) & (RING - 1)];
				cap[i] = sizeof(burst[i]);
			}
			mv_packet_handle_burst(&j->ctx, fr, len, cap, BURST, out, v);
			for (unsigned i = 0; i < BURST; i++)
				j->answered += out[i] > 0;
			done += BURST;
		}
		elapsed = now() - start;
	} while (fixed ? j->done + done < fixed : elapsed < seconds);
	j->done += done;
	j->elapsed += elapsed;
	return elapsed * 1e9 / (double)done;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define ROUNDS_MAX 99

int main(int argc, char **argv)
{
	uint64_t names = 1000, fixed = 0, against = 0;
	double seconds = 3;
	unsigned rounds = 9;
	const char *mix = "a";
	bool json = false, tx_csum = false;
	static const struct option opts[] = {
		{"names", required_argument, NULL, 'n'},
		{"seconds", required_argument, NULL, 's'},
		{"mix", required_argument, NULL, 'm'},
		{"queries", required_argument, NULL, 'q'},
		{"against", required_argument, NULL, 'a'},
		{"rounds", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{"tx-csum", no_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			names = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'm':
			mix = optarg;
			break;
		case 'q':
			fixed = strtoull(optarg, NULL, 10);
			break;
		case 'a':
			against = strtoull(optarg, NULL, 10);
			break;
		case 'r':
			rounds = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'j':
			json = true;
			break;
		case 'c': /* as on a port with checksum offload: the NIC completes them */
			tx_csum = true;
			break;
		default:
			return 2;
		}
	}
	if (against != 0 && (fixed != 0 || rounds == 0 || rounds > ROUNDS_MAX)) {
		fprintf(stderr, "inproc: --against takes 1 to %u --rounds and no --queries\n",
			ROUNDS_MAX);
		return 2;
	}
	struct mv_addrs addrs = {.n4 = 1, .n6 = 1};
	memcpy(addrs.v4[0], "\x0a\x35\0\1", 4);
	memcpy(addrs.v6[0], "\xfd\x53\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16);
	struct job main_job, other;
	bool other_all = true; /* every query of the --against table answered */
	job_init(&main_job, names, mix, &addrs, tx_csum);

	if (against == 0) {
		job_run(&main_job, seconds, fixed);
	} else {
		/*
		 * Side by side: both tables in this process, their runs in turn,
		 * `seconds` each in all; the order swaps every round so that
		 * neither always runs on the caches the other left. The ratio
		 * is the median of the rounds' own ratios: a drift of the
		 * machine's speed between rounds cancels out.
		 */
		double ratio[ROUNDS_MAX], ns_main[ROUNDS_MAX], ns_other[ROUNDS_MAX];
		job_init(&other, against, mix, &addrs, tx_csum);
		for (unsigned r = 0; r < rounds; r++) {
			double slice = seconds / rounds;
			if (r % 2 == 0) {
				ns_main[r] = job_run(&main_job, slice, 0);
				ns_other[r] = job_run(&other, slice, 0);
			} else {
				ns_other[r] = job_run(&other, slice, 0);
				ns_main[r] = job_run(&main_job, slice, 0);
			}
			ratio[r] = ns_main[r] / ns_other[r];
		}
		double m = median(ratio, rounds), nm = median(ns_main, rounds),
		       no = median(ns_other, rounds);
		double lo = ratio[0], hi = ratio[rounds - 1]; /* median sorted them */
		if (json)
			printf("{\"against\": %llu, \"rounds\": %u, \"ratio\": %.3f, "
			       "\"ratio_min\": %.3f, \"ratio_max\": %.3f, \"ns_median\": %.1f, "
			       "\"against_ns_median\": %.1f, \"against_answered\": %llu, ",
			       (unsigned long long)against, rounds, m, lo, hi, nm, no,
			       (unsigned long long)other.answered);
		else
			printf("side by side, %u rounds: %llu names %.1f ns/query, %llu names %.1f "
			       "ns/query (medians); ratio %.2f (rounds %.2f-%.2f)\n",
			       rounds, (unsigned long long)names, nm, (unsigned long long)against,
			       no, m, lo, hi);
		other_all = other.answered == other.done;
		job_free(&other);
	}

	double qps = (double)main_job.done / main_job.elapsed;
	if (json)
		printf("%s\"mix\": \"%s\", \"names\": %llu, \"queries\": %llu, \"answered\": %llu, "
		       "\"mqps\": %.3f, \"ns_per_query\": %.1f, \"load_seconds\": %.2f}\n",
		       against != 0 ? "" : "{", mix, (unsigned long long)names,
		       (unsigned long long)main_job.done, (unsigned long long)main_job.answered,
		       qps / 1e6, 1e9 / qps, main_job.load);
	else
		printf("mix %-10s names %-9llu %.2f Mqps  %.1f ns/query  (%llu queries, %llu "
		       "answered, table built in %.2f s)\n",
		       mix, (unsigned long long)names, qps / 1e6, 1e9 / qps,
		       (unsigned long long)main_job.done, (unsigned long long)main_job.answered,
		       main_job.load);
	bool all = main_job.answered == main_job.done && other_all;
	job_free(&main_job);
	return all ? 0 : 1;
}
