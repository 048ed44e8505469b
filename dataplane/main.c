/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mvdns-dataplane [EAL options] -- --addr IP [--addr IP...] [--load FILE.json...]
 *                                   [--channel NAME]
 *
 * Start-up, the main lcore's loop (control channel, counters) and shutdown.
 * A packet's fate is decided in packet.c (and answer.c for DNS).
 */
#include <sys/random.h>
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "answer.h"
#include "channel.h"
#include "channel_rx.h"
#include "load.h"
#include "port.h"
#include "table.h"
#include "worker.h"

#define MBUFS      16383
#define MBUF_CACHE 256
#define LOADS_MAX  64
/* The main lcore sleeps on an idle channel's doorbell at most this long
 * (signals may reach a worker thread instead, so it looks at them then). */
#define IDLE_WAIT_MS 100

static volatile bool stop;
static volatile sig_atomic_t dump;

struct options {
	struct mv_addrs addrs;
	char *loads[LOADS_MAX];
	size_t nloads;
	const char *channel; /* shared-memory channel name */
	unsigned idle_sleep_us;
};

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump = 1;
	else
		stop = true;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mvdns-dataplane [EAL options] -- --addr IP [--addr IP...] "
		"[--load FILE.json...] [--channel NAME]\n"
		"  --addr IP       an IPv4 or IPv6 address to answer on (ARP/ND, ICMP, DNS)\n"
		"  --load FILE     a Route 53 change batch (JSON) to serve until the control\n"
		"                  process sends its state\n"
		"  --channel NAME  the shared-memory channel /dev/shm/" MV_CHAN_SHM_PREFIX "NAME\n"
		"                  the control process feeds (default: main)\n"
		"  --idle-sleep-us N  a worker that finds no packet for a while sleeps N\n"
		"                  microseconds (1-10000; default 0: it polls without pause)\n"
		"  --nsid TEXT     this server's identifier, for queries that ask (RFC 5001,\n"
		"                  dig +nsid); at most 128 octets\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"addr", required_argument, NULL, 'a'},
		{"load", required_argument, NULL, 'l'},
		{"channel", required_argument, NULL, 'c'},
		{"idle-sleep-us", required_argument, NULL, 's'},
		{"nsid", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (o->addrs.n4 < MV_ADDRS_MAX &&
			    inet_pton(AF_INET, optarg, o->addrs.v4[o->addrs.n4]) == 1) {
				o->addrs.n4++;
			} else if (o->addrs.n6 < MV_ADDRS_MAX &&
				   inet_pton(AF_INET6, optarg, o->addrs.v6[o->addrs.n6]) == 1) {
				o->addrs.n6++;
			} else {
				fprintf(stderr, "mvdns-dataplane: --addr %s: not an IP address\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'l':
			if (o->nloads == LOADS_MAX)
				return -E2BIG;
			o->loads[o->nloads++] = optarg;
			break;
		case 'c':
			o->channel = optarg;
			break;
		case 's': {
			char *end;
			unsigned long us = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || us < 1 || us > 10000) {
				fprintf(stderr,
					"mvdns-dataplane: --idle-sleep-us %s: not 1-10000\n",
					optarg);
				return -EINVAL;
			}
			o->idle_sleep_us = (unsigned)us;
			break;
		}
		case 'n':
			if (mv_answer_set_nsid((const uint8_t *)optarg, strlen(optarg)) != 0) {
				fprintf(stderr, "mvdns-dataplane: --nsid: more than %d octets\n",
					MV_NSID_MAX);
				return -EINVAL;
			}
			break;
		default:
			usage();
			return -EINVAL;
		}
	}
	if (optind != argc || o->addrs.n4 + o->addrs.n6 == 0) {
		usage();
		return -EINVAL;
	}
	return 0;
}

/* --vdev options among the EAL arguments: each must become a port. */
static unsigned count_vdevs(int argc, char **argv)
{
	unsigned n = 0;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		n += strncmp(argv[i], "--vdev", 6) == 0;
	return n;
}

static void rcu_synchronize(void *rcu)
{
	rte_rcu_qsbr_synchronize(rcu, RTE_QSBR_THRID_INVALID);
}

/* TSC cycles per microsecond: the workers count stalls in cycles, the dump shows us. */
static uint64_t tsc_per_us(void)
{
	return rte_get_tsc_hz() / 1000000;
}

static void print_counters(const struct mv_worker *workers, unsigned n)
{
	uint64_t tx_dropped = 0, stalls = 0, stalled = 0, longest = 0, long_stalls = 0;
	uint64_t us = tsc_per_us();

	for (unsigned v = 0; v < MV_VERDICT_COUNT; v++) {
		uint64_t sum = 0;
		for (unsigned i = 0; i < n; i++)
			sum += mv_worker_counter(&workers[i].verdicts[v]);
		printf("verdict.%s %" PRIu64 "\n", mv_verdict_name(v), sum);
	}
	for (unsigned i = 0; i < n; i++) {
		tx_dropped += mv_worker_counter(&workers[i].tx_dropped);
		stalls += mv_worker_counter(&workers[i].stalls);
		stalled += mv_worker_counter(&workers[i].stalled_tsc);
		longest = RTE_MAX(longest, mv_worker_counter(&workers[i].stall_longest_tsc));
		long_stalls += mv_worker_counter(&workers[i].long_stalls);
	}
	printf("tx-dropped %" PRIu64 "\n", tx_dropped);
	printf("worker.stalls %" PRIu64 "\nworker.stalled-us %" PRIu64
	       "\nworker.longest-stall-us %" PRIu64 "\nworker.long-stalls %" PRIu64 "\n",
	       stalls, stalled / us, longest / us, long_stalls);

	struct mv_port_totals p;
	mv_ports_totals(&p);
	printf("port.rx-packets %" PRIu64 "\nport.rx-missed %" PRIu64 "\nport.rx-nombuf %" PRIu64
	       "\nport.rx-errors %" PRIu64 "\nport.tx-packets %" PRIu64 "\nport.tx-errors %" PRIu64
	       "\n",
	       p.rx_packets, p.rx_missed, p.rx_nombuf, p.rx_errors, p.tx_packets, p.tx_errors);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct options opt = {.channel = "main"};
	struct mv_table *_Atomic current = NULL;
	struct mv_channel *channel = NULL;
	struct mv_worker *workers = NULL;
	struct rte_rcu_qsbr *rcu = NULL;
	struct mv_table *table = NULL;
	unsigned nworkers = 0, lcore;
	char err[4096];
	int rc = EXIT_FAILURE;

	unsigned vdevs = count_vdevs(argc, argv);
	int eal = rte_eal_init(argc, argv);
	if (eal < 0) {
		fprintf(stderr, "mvdns-dataplane: EAL: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	if (parse_options(argc - eal, argv + eal, &opt) != 0)
		goto out;
	if (rte_eth_dev_count_avail() < vdevs) {
		fprintf(stderr, "mvdns-dataplane: %u --vdev given, only %u ports probed\n", vdevs,
			(unsigned)rte_eth_dev_count_avail());
		goto out;
	}
	nworkers = rte_lcore_count() - 1;
	if (nworkers == 0) {
		fprintf(stderr, "mvdns-dataplane: needs a worker lcore besides the main one "
				"(for example -l 0,1)\n");
		goto out;
	}

	size_t rcu_size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	rcu = rte_zmalloc("rcu", rcu_size, RTE_CACHE_LINE_SIZE);
	if (rcu == NULL || rte_rcu_qsbr_init(rcu, RTE_MAX_LCORE) != 0)
		goto out;
	table = mv_table_create(1024, rcu_synchronize, rcu);
	if (table == NULL)
		goto out;
	long loaded = mv_load_files(table, opt.loads, opt.nloads, err, sizeof(err));
	if (loaded < 0) {
		fprintf(stderr, "mvdns-dataplane: --load: %s\n", err);
		goto out;
	}
	malloc_trim(0); /* give back what parsing the files took */
	atomic_init(&current, table);
	table = NULL; /* owned through `current` from here on */
	channel = mv_channel_create(opt.channel, &current, rcu_synchronize, rcu);
	if (channel == NULL) {
		fprintf(stderr, "mvdns-dataplane: channel %s: %s%s\n", opt.channel, strerror(errno),
			errno == EBUSY ? " (another dataplane serves it: pick another --channel)"
				       : "");
		goto out;
	}

	struct rte_mempool *pool = rte_pktmbuf_pool_create(
		"mbufs", MBUFS, MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	workers = rte_zmalloc("workers", sizeof(*workers) * nworkers, RTE_CACHE_LINE_SIZE);
	if (pool == NULL || workers == NULL) {
		fprintf(stderr, "mvdns-dataplane: out of memory for mbufs (try -m 512)\n");
		goto out;
	}
	uint64_t tcp_key[2];
	if (getrandom(tcp_key, sizeof(tcp_key), 0) != sizeof(tcp_key)) {
		fprintf(stderr, "mvdns-dataplane: getrandom: %s\n", strerror(errno));
		goto out;
	}
	unsigned i = 0;
	uint64_t us = tsc_per_us();
	RTE_LCORE_FOREACH_WORKER(lcore)
	{
		memcpy(workers[i].tcp_key, tcp_key, sizeof(tcp_key));
		workers[i].idle_sleep_us = opt.idle_sleep_us;
		workers[i].stall_tsc = us * MV_WORKER_STALL_US;
		workers[i].long_stall_tsc = us * MV_WORKER_LONG_STALL_US;
		workers[i].lcore = lcore;
		workers[i].rcu = rcu;
		workers[i].stop = &stop;
		workers[i].table = &current;
		i++;
	}
	int nports = mv_ports_start(workers, nworkers, pool, &opt.addrs);
	if (nports < 0)
		goto out_ports;
	for (i = 0; i < nworkers; i++)
		if (mv_worker_init(&workers[i], (int)rte_socket_id()) != 0)
			goto out_ports;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_signal);
	for (i = 0; i < nworkers; i++)
		rte_eal_remote_launch(mv_worker_run, &workers[i], workers[i].lcore);
	printf("mvdns-dataplane: ready: %ld record sets, %zu names, %d ports, %u workers, "
	       "channel %s\n",
	       loaded, mv_table_count(current), nports, nworkers, opt.channel);
	fflush(stdout);

	while (!stop) {
		if (mv_channel_poll(channel) == 0)
			mv_channel_wait(channel, IDLE_WAIT_MS);
		if (dump) {
			dump = 0;
			print_counters(workers, nworkers);
		}
	}
	rte_eal_mp_wait_lcore();
	printf("mvdns-dataplane: stopped\n");
	print_counters(workers, nworkers);
	rc = EXIT_SUCCESS;

out_ports:
	for (i = 0; i < nworkers; i++)
		mv_worker_fini(&workers[i]);
	mv_ports_stop();
out:
	rte_free(workers);
	mv_channel_destroy(channel);
	mv_table_destroy(current);
	mv_table_destroy(table);
	rte_free(rcu);
	rte_eal_cleanup();
	return rc;
}
