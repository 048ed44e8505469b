/* SPDX-License-Identifier: BSD-3-Clause */
#include "worker.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

/* Empty polls of every queue in a row before an idle worker sleeps. */
#define IDLE_POLLS 256

/* Single-writer counter increment: a plain add, published for relaxed readers. */
static inline void count(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static void tx_unsent(struct rte_mbuf **pkts, uint16_t n, void *userdata)
{
	struct mv_worker *w = userdata;

	rte_pktmbuf_free_bulk(pkts, n);
	count(&w->tx_dropped, n);
}

int mv_worker_init(struct mv_worker *w, int socket)
{
	w->rng = (rte_rdtsc() ^ ((uint64_t)w->lcore << 32)) | 1; /* never 0 */
	for (unsigned i = 0; i < w->nqueues; i++) {
		struct rte_eth_dev_tx_buffer *tx =
			rte_zmalloc_socket("tx", RTE_ETH_TX_BUFFER_SIZE(MV_BURST), 0, socket);
		if (tx == NULL)
			return -ENOMEM;
		rte_eth_tx_buffer_init(tx, MV_BURST);
		rte_eth_tx_buffer_set_err_callback(tx, tx_unsent, w);
		w->queues[i].tx = tx;
		w->queues[i].ctx.rng = &w->rng;
		memcpy(w->queues[i].ctx.tcp_key, w->tcp_key, sizeof(w->tcp_key));
	}
	return 0;
}

void mv_worker_fini(struct mv_worker *w)
{
	for (unsigned i = 0; i < w->nqueues; i++) {
		rte_free(w->queues[i].tx);
		w->queues[i].tx = NULL;
	}
}

/* The offload flags of a reply the port completes the checksums of (packet.h tx_csum). */
static uint64_t tx_csum_flags(struct rte_mbuf *m, const uint8_t *reply)
{
	m->l2_len = RTE_ETHER_HDR_LEN;
	switch (mv_packet_tx_csum(reply)) {
	case MV_TX_CSUM_UDP4:
		m->l3_len = sizeof(struct rte_ipv4_hdr);
		return RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM;
	case MV_TX_CSUM_TCP4:
		m->l3_len = sizeof(struct rte_ipv4_hdr);
		return RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_TCP_CKSUM;
	case MV_TX_CSUM_UDP6:
		m->l3_len = sizeof(struct rte_ipv6_hdr);
		return RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
	case MV_TX_CSUM_TCP6:
		m->l3_len = sizeof(struct rte_ipv6_hdr);
		return RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM;
	case MV_TX_CSUM_NONE:
		break;
	}
	return 0;
}

/* No verdict of the worker's own: the packet code decides. */
#define NOT_ASIDE MV_VERDICT_COUNT

/*
 * The verdict of a frame the packet code must not see, or NOT_ASIDE: a
 * chained mbuf (a DNS query fits one segment), or a checksum the port
 * checked and found wrong (ports that check them: port.c RX_CSUM_OFFLOADS).
 */
static inline enum mv_verdict set_aside(const struct rte_mbuf *m)
{
	if (m->nb_segs != 1)
		return MV_VERDICT_DROP_UNSUPPORTED;
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_BAD ||
	    (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		return MV_VERDICT_DROP_MALFORMED;
	return NOT_ASIDE;
}

/*
 * Decide every packet of a burst and queue the replies; drop the rest at
 * once. A frame set aside goes in with length 0, which is never answered,
 * and gets its verdict here.
 */
static void handle_burst(struct mv_worker *w, struct mv_worker_queue *q, struct rte_mbuf **pkts,
			 uint16_t n)
{
	uint8_t *frames[MV_BURST];
	uint16_t lens[MV_BURST], caps[MV_BURST], out[MV_BURST];
	enum mv_verdict v[MV_BURST], aside[MV_BURST];

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		frames[i] = rte_pktmbuf_mtod(m, uint8_t *);
		aside[i] = set_aside(m);
		lens[i] = aside[i] == NOT_ASIDE ? m->data_len : 0;
		caps[i] = (uint16_t)(m->data_len + rte_pktmbuf_tailroom(m));
	}
	mv_packet_handle_burst(&q->ctx, frames, lens, caps, n, out, v);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		if (aside[i] != NOT_ASIDE)
			v[i] = aside[i];
		count(&w->verdicts[v[i]], 1);
		if (out[i] == 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		m->data_len = out[i];
		m->pkt_len = out[i];
		m->ol_flags = q->ctx.tx_csum ? tx_csum_flags(m, frames[i]) : 0;
		rte_eth_tx_buffer(q->port, q->queue, q->tx, m);
	}
}

/*
 * Poll every queue once. Replies wait in the TX buffer while full bursts
 * keep coming (the buffer sends 32 at a time); once a queue returns less
 * than a full burst it is drained, and waiting would only delay them, so
 * they leave (an empty buffer costs a comparison). No reply waits longer
 * than one turn of the loop.
 * Returns the packets received.
 */
static unsigned poll_queues(struct mv_worker *w)
{
	struct rte_mbuf *pkts[MV_BURST];
	const struct mv_table *table = atomic_load_explicit(w->table, memory_order_acquire);
	unsigned total = 0;

	for (unsigned i = 0; i < w->nqueues; i++) {
		struct mv_worker_queue *q = &w->queues[i];
		q->ctx.table = table;
		uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, MV_BURST);
		if (n > 0)
			handle_burst(w, q, pkts, n);
		if (n < MV_BURST)
			rte_eth_tx_buffer_flush(q->port, q->queue, q->tx);
		total += n;
	}
	return total;
}

/*
 * Sleep idle_sleep_us, offline for RCU meanwhile (the table's writer does
 * not wait for a sleeping worker). For hosts where the worker shares its
 * CPU with other work, e.g. the kernel's network processing (bench/README.md
 * has the figures).
 */
static void idle_sleep(struct mv_worker *w)
{
	struct timespec ts = {0, (long)w->idle_sleep_us * 1000};

	rte_rcu_qsbr_thread_offline(w->rcu, w->lcore);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(w->rcu, w->lcore);
}

/* Count a stall if this turn of the loop began stall_tsc or more after the last. */
static inline void check_stall(struct mv_worker *w, uint64_t *last)
{
	uint64_t now = rte_rdtsc(), gap = now - *last;

	*last = now;
	if (likely(gap < w->stall_tsc))
		return;
	count(&w->stalls, 1);
	count(&w->stalled_tsc, gap);
	if (gap >= w->long_stall_tsc)
		count(&w->long_stalls, 1);
	if (gap > w->stall_longest_tsc)
		__atomic_store_n(&w->stall_longest_tsc, gap, __ATOMIC_RELAXED);
}

int mv_worker_run(void *arg)
{
	struct mv_worker *w = arg;
	unsigned idle = 0;
	uint64_t last = rte_rdtsc();

	rte_rcu_qsbr_thread_register(w->rcu, w->lcore);
	rte_rcu_qsbr_thread_online(w->rcu, w->lcore);
	while (!*w->stop) {
		check_stall(w, &last);
		if (poll_queues(w) > 0) {
			idle = 0;
		} else if (w->idle_sleep_us > 0 && ++idle >= IDLE_POLLS) {
			idle_sleep(w);
			last = rte_rdtsc(); /* its own sleep is no stall */
		}
		rte_rcu_qsbr_quiescent(w->rcu, w->lcore);
	}
	for (unsigned i = 0; i < w->nqueues; i++)
		rte_eth_tx_buffer_flush(w->queues[i].port, w->queues[i].queue, w->queues[i].tx);
	rte_rcu_qsbr_thread_offline(w->rcu, w->lcore);
	rte_rcu_qsbr_thread_unregister(w->rcu, w->lcore);
	return 0;
}
