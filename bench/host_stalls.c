/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * host_stalls - how often this machine's CPUs stop while a thread keeps
 * them busy, as a busy-polling worker does.
 *
 *   host_stalls [--seconds S] [--min-ms M] [--json]
 *
 * One thread per CPU, pinned, reads CLOCK_MONOTONIC in a loop for S seconds
 * (default 10), all at once. A gap of M ms or more (default 10) between two
 * readings is a stop: the thread did not run. On an otherwise quiet machine
 * the guest's own scheduler preempts such a thread for a few ms at most
 * (its kernel threads); longer stops come from below the guest, a host
 * that deschedules the vCPU (bench/HISTORY.md, eleventh stop: 100 ms at a
 * time, with no guest timer tick in between). Prints, per CPU, the stops,
 * their total and the longest; one JSON object with --json.
 * Exit 0, or 1 on bad arguments or when a thread cannot be started.
 */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CPUS_MAX 256

struct probe {
	pthread_t thread;
	int cpu;
	uint64_t seconds_ns, min_gap_ns;
	uint64_t stops, stopped_ns, longest_ns;
	int err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *probe_run(void *arg)
{
	struct probe *p = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	p->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (p->err != 0)
		return NULL;
	uint64_t prev = now_ns(), end = prev + p->seconds_ns;
	while (prev < end) {
		uint64_t t = now_ns(), gap = t - prev;
		if (gap >= p->min_gap_ns) {
			p->stops++;
			p->stopped_ns += gap;
			if (gap > p->longest_ns)
				p->longest_ns = gap;
		}
		prev = t;
	}
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: host_stalls [--seconds S] [--min-ms M] [--json]\n");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"seconds", required_argument, NULL, 's'},
					     {"min-ms", required_argument, NULL, 'm'},
					     {"json", no_argument, NULL, 'j'},
					     {NULL, 0, NULL, 0}};
	static struct probe probes[CPUS_MAX];
	double seconds = 10, min_ms = 10;
	bool json = false;
	cpu_set_t online;
	int c, n = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's':
			seconds = strtod(optarg, &end);
			if (*end != '\0' || !(seconds > 0 && seconds <= 3600))
				return usage();
			break;
		case 'm':
			min_ms = strtod(optarg, &end);
			if (*end != '\0' || !(min_ms > 0 && min_ms <= 10000))
				return usage();
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
	if (sched_getaffinity(0, sizeof(online), &online) != 0) {
		perror("host_stalls: sched_getaffinity");
		return 1;
	}
	for (int cpu = 0; cpu < CPU_SETSIZE && n < CPUS_MAX; cpu++) {
		if (!CPU_ISSET(cpu, &online))
			continue;
		probes[n] = (struct probe){.cpu = cpu,
					   .seconds_ns = (uint64_t)(seconds * 1e9),
					   .min_gap_ns = (uint64_t)(min_ms * 1e6)};
		int rc = pthread_create(&probes[n].thread, NULL, probe_run, &probes[n]);
		if (rc != 0) {
			fprintf(stderr, "host_stalls: thread for CPU %d: %s\n", cpu, strerror(rc));
			return 1;
		}
		n++;
	}
	int failed = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(probes[i].thread, NULL);
		if (probes[i].err != 0) {
			fprintf(stderr, "host_stalls: pin to CPU %d: %s\n", probes[i].cpu,
				strerror(probes[i].err));
			failed = 1;
		}
	}
	if (failed)
		return 1;
	if (json)
		printf("{\"seconds\":%g,\"min_ms\":%g,\"cpus\":[", seconds, min_ms);
	for (int i = 0; i < n; i++) {
		const struct probe *p = &probes[i];
		if (json)
			printf("%s{\"cpu\":%d,\"stops\":%llu,\"stopped_ms\":%.1f,\"longest_ms\":%."
			       "1f}",
			       i ? "," : "", p->cpu, (unsigned long long)p->stops,
			       (double)p->stopped_ns / 1e6, (double)p->longest_ns / 1e6);
		else
			printf("CPU %d: %llu stops of %g ms or more, %.1f ms in all, longest %.1f "
			       "ms\n",
			       p->cpu, (unsigned long long)p->stops, min_ms,
			       (double)p->stopped_ns / 1e6, (double)p->longest_ns / 1e6);
	}
	if (json)
		printf("]}\n");
	return 0;
}
