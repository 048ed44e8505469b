/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The poll-mode worker: one per lcore, each polling its own RX/TX queue
 * pairs, answering in place, and reporting an RCU quiescent state once per
 * loop turn.
 */
#ifndef MV_WORKER_H
#define MV_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_rcu_qsbr.h>

#include "packet.h"
#include "verdict.h"

#define MV_WORKER_QUEUES_MAX 16
#define MV_BURST             32
/* A gap this long between two turns of a worker's loop is a stall. */
#define MV_WORKER_STALL_US 1000
/* A stall this long is a long one: more than a busy scheduler keeps a
 * runnable thread waiting (CFS's latency target is a few ms); on a
 * virtual machine, the host stopping the vCPU. */
#define MV_WORKER_LONG_STALL_US 50000

struct mv_worker_queue {
	uint16_t port;
	uint16_t queue;
	struct mv_packet_ctx ctx;
	struct rte_eth_dev_tx_buffer *tx; /* replies waiting for tx burst */
};

/*
 * Per-worker state, one cache-aligned struct per lcore. Counters are written
 * only by the worker (relaxed stores) and read by the main lcore (relaxed
 * loads); nothing else is shared.
 */
struct mv_worker {
	unsigned lcore;
	unsigned nqueues;
	struct mv_worker_queue queues[MV_WORKER_QUEUES_MAX];
	struct rte_rcu_qsbr *rcu; /* the table's QSBR variable; thread id = lcore */
	/* The table to answer from: loaded (acquire) once per loop turn, so a
	 * table swapped by the main lcore is released at the next quiescent state. */
	struct mv_table *_Atomic *table;
	const volatile bool *stop; /* written by main, read once per loop turn */
	uint64_t rng;              /* random state for multivalue choices; this worker's alone */
	uint64_t tcp_key[2];       /* the SYN cookies' secret: the same for every worker */
	unsigned idle_sleep_us;    /* 0: poll without pause; else sleep this long when idle */
	uint64_t stall_tsc;        /* MV_WORKER_STALL_US in TSC cycles */
	uint64_t long_stall_tsc;   /* MV_WORKER_LONG_STALL_US in TSC cycles */
	uint64_t verdicts[MV_VERDICT_COUNT];
	uint64_t tx_dropped;
	/* Turns of the loop that began stall_tsc or more after the one before
	 * (the worker had lost its CPU: preempted, or its vCPU stopped by the
	 * host), their gaps added up and the longest, in TSC cycles, and those
	 * of long_stall_tsc or more. Sleeps of its own (idle_sleep_us) are not
	 * stalls. */
	uint64_t stalls;
	uint64_t long_stalls;
	uint64_t stalled_tsc;
	uint64_t stall_longest_tsc;
} __rte_cache_aligned;

/* Allocate the TX buffers of every queue; 0 or -ENOMEM. Main lcore, before launch. */
int mv_worker_init(struct mv_worker *w, int socket);

/* Free what mv_worker_init allocated. */
void mv_worker_fini(struct mv_worker *w);

/* The loop; runs until *stop. Signature fits rte_eal_remote_launch. */
int mv_worker_run(void *worker);

/* Relaxed read of a counter of another worker (main lcore). */
static inline uint64_t mv_worker_counter(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif /* MV_WORKER_H */
