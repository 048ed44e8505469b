/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * host_memory - what a random cache line costs on this machine, in regions
 * the sizes of the record table's.
 *
 *   host_memory [--mib M[,M...]] [--json]
 *
 * For each region of M MiB (default 1, 16, 128 and 1024: within the
 * caches, then about what tables of 100 thousand, 1 million and 10
 * million names take), on transparent huge pages as the table's arrays
 * are (MADV_HUGEPAGE), these figures:
 *   - latency: ns per load of a chase through every line of the region in
 *     a random order, each load waiting for the one before;
 *   - line: ns per line when lines are taken as the dataplane takes a
 *     burst's slots and nodes: 32 random lines prefetched, then read;
 *   - pair in 4 KiB, pair in 2 MiB: the same with two lines per item, the
 *     second in the same 4 KiB (2 MiB) page as the first: what a slot and
 *     its node would cost if they lay that close.
 * A query for a random name in a table far larger than the caches reads
 * two random places, its slot's line and its node's, in bursts: twice the
 * line figure at the table's size is what the in-process bench's random
 * mix pays beyond the same query on a small table. Machines differ most
 * here: where a guest's memory is mapped by the host in 4 KiB pages, each
 * page a query touches costs a walk of the host's page tables, and a pair
 * in one 4 KiB page costs little more than a line while a pair in one
 * 2 MiB page costs two (bench/HISTORY.md, twenty-second and twenty-third
 * stops). Each figure is the median of 3 runs.
 * Exit 0, or 1 on bad arguments or when memory cannot be had.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define LINE        64
#define BURST       32
#define RUNS        3
#define SIZES_MAX   8
#define CHASE_LOADS (1u << 21)
#define BURST_ITEMS (1u << 22)
#define PAGE_4K     4096u
#define PAGE_2M     (2u << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Link every line of the region into one cycle in a random order
 * (Sattolo's shuffle): the first word of each line holds the offset of
 * the next line to load.
 */
static bool link_cycle(uint8_t *region, size_t lines, uint64_t *seed)
{
	uint32_t *order = malloc(lines * sizeof(*order));

	if (order == NULL)
		return false;
	for (size_t i = 0; i < lines; i++)
		order[i] = (uint32_t)i;
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j = next_random(seed) % i; /* j < i: one cycle through all */
		uint32_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < lines; i++) {
		uint64_t next = (uint64_t)order[(i + 1) % lines] * LINE;
		memcpy(region + (size_t)order[i] * LINE, &next, sizeof(next));
	}
	free(order);
	return true;
}

/* ns per load of the chase. */
static double chase(const uint8_t *region)
{
	uint64_t at = 0;
	double t0 = now();

	for (unsigned i = 0; i < CHASE_LOADS; i++)
		memcpy(&at, region + at, sizeof(at));
	double ns = (now() - t0) * 1e9 / CHASE_LOADS;
	__asm__ volatile("" : : "r"(at)); /* the chase is the result */
	return ns;
}

/*
 * ns per item, bursts of BURST random items prefetched and then read. An
 * item is one random line (span 0), or two distinct lines in one random
 * aligned span of `span` lines (a 4 KiB or a 2 MiB page): a slot and its
 * node, were they placed that close.
 */
static double bursts(const uint8_t *region, size_t lines, size_t span, uint64_t *seed)
{
	uint64_t sum = 0;
	double t0 = now();

	for (unsigned done = 0; done < BURST_ITEMS; done += BURST) {
		const uint8_t *at[BURST], *near[BURST];
		for (unsigned i = 0; i < BURST; i++) {
			/* a line below `lines` without a division (multiply-shift) */
			size_t line = (size_t)(((next_random(seed) >> 32) * lines) >> 32);
			at[i] = region + line * LINE;
			__builtin_prefetch(at[i]);
			if (span == 0)
				continue;
			/* another line of the same span: XOR with 1 .. span - 1 */
			size_t other = line ^ (1 + (size_t)(next_random(seed) >> 40) % (span - 1));
			near[i] = region + other * LINE;
			__builtin_prefetch(near[i]);
		}
		for (unsigned i = 0; i < BURST; i++)
			sum += at[i][8] + (span ? near[i][8] : 0);
	}
	double ns = (now() - t0) * 1e9 / BURST_ITEMS;
	__asm__ volatile("" : : "r"(sum));
	return ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median3(double *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_double);
	return v[RUNS / 2];
}

/* A region's figures, each the median of RUNS runs. */
struct figures {
	double latency; /* ns a load, chased */
	double line;    /* ns a line, in bursts */
	double pair_4k; /* ns two lines of one 4 KiB page, in bursts */
	double pair_2m; /* ns two lines of one 2 MiB page, in bursts; < 0: not measured */
};

/* Measure a region of mib MiB into *f. Returns false without memory. */
static bool measure(size_t mib, struct figures *f)
{
	size_t len = mib << 20, lines = len / LINE;
	uint64_t seed = 88172645463325252ull;
	double lat[RUNS], bur[RUNS], p4k[RUNS], p2m[RUNS];
	/* 2 MiB more than asked, so that the region starts on a 2 MiB boundary:
	 * its 2 MiB spans are then the huge pages themselves */
	size_t map_len = len + PAGE_2M;
	uint8_t *map =
		mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED)
		return false;
	uint8_t *region = map + (-(uintptr_t)map & (PAGE_2M - 1));
	(void)madvise(region, len, MADV_HUGEPAGE); /* as the table's arrays: a hint */
	memset(region, 1, len);
	if (!link_cycle(region, lines, &seed)) {
		munmap(map, map_len);
		return false;
	}
	for (unsigned r = 0; r < RUNS; r++) {
		lat[r] = chase(region);
		bur[r] = bursts(region, lines, 0, &seed);
		p4k[r] = bursts(region, lines, PAGE_4K / LINE, &seed);
		/* only where every 2 MiB span lies wholly inside the region */
		p2m[r] = len % PAGE_2M == 0 ? bursts(region, lines, PAGE_2M / LINE, &seed) : -1;
	}
	munmap(map, map_len);
	f->latency = median3(lat);
	f->line = median3(bur);
	f->pair_4k = median3(p4k);
	f->pair_2m = median3(p2m);
	return true;
}

static int usage(void)
{
	fprintf(stderr, "usage: host_memory [--mib M[,M...]] [--json]   (1 <= M <= 65536)\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"mib", required_argument, NULL, 'm'},
					     {"json", no_argument, NULL, 'j'},
					     {NULL, 0, NULL, 0}};
	size_t sizes[SIZES_MAX] = {1, 16, 128, 1024};
	unsigned n = 4;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			n = 0;
			for (char *s = optarg, *end;; s = end + 1) {
				unsigned long v = strtoul(s, &end, 10);
				if (end == s || v < 1 || v > 65536 || n == SIZES_MAX ||
				    (*end != ',' && *end != '\0'))
					return usage();
				sizes[n++] = v;
				if (*end == '\0')
					break;
			}
			break;
		case 'j':
			json = true;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	if (json)
		printf("{\"line\":%d,\"burst\":%d,\"regions\":[", LINE, BURST);
	for (unsigned i = 0; i < n; i++) {
		struct figures f;
		char pair_2m[32];
		if (!measure(sizes[i], &f)) {
			fprintf(stderr, "host_memory: no memory for %zu MiB\n", sizes[i]);
			return 1;
		}
		if (f.pair_2m >= 0)
			snprintf(pair_2m, sizeof(pair_2m), "%.1f", f.pair_2m);
		else /* not measured */
			snprintf(pair_2m, sizeof(pair_2m), "%s", json ? "null" : "-");
		if (json)
			printf("%s{\"mib\":%zu,\"latency_ns\":%.1f,\"burst_ns_per_line\":%.1f,"
			       "\"burst_ns_per_pair_4k\":%.1f,\"burst_ns_per_pair_2m\":%s}",
			       i ? "," : "", sizes[i], f.latency, f.line, f.pair_4k, pair_2m);
		else
			printf("%5zu MiB: latency %.1f ns; in bursts of %d, %.1f ns a line, "
			       "%.1f ns two lines of one 4 KiB page, %s ns of one 2 MiB page\n",
			       sizes[i], f.latency, BURST, f.line, f.pair_4k, pair_2m);
		fflush(stdout);
	}
	if (json)
		printf("]}\n");
	return 0;
}
