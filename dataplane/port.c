/* SPDX-License-Identifier: BSD-3-Clause */
#include "port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#define RX_DESC 1024
#define TX_DESC 1024
/* What a port must compute for the dataplane to leave it checksums (packet.h tx_csum). */
#define TX_CSUM_OFFLOADS                                                \
	(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM | \
	 RTE_ETH_TX_OFFLOAD_TCP_CKSUM)

/*
 * What a port is asked to check on receive where it can: a frame it marks
 * bad is dropped (worker.c). The dataplane cannot check UDP checksums
 * itself: frames from a local veth carry unfinished ones.
 */
#define RX_CSUM_OFFLOADS                                                \
	(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM | \
	 RTE_ETH_RX_OFFLOAD_TCP_CKSUM)

/*
 * Configure and start a port with nq queue pairs. Out: *tx_csum, the
 * replies' checksums offloaded; *rx_csum, the queries' UDP checksums
 * checked by the port.
 */
static int port_configure(uint16_t port, uint16_t nq, struct rte_mempool *pool, bool *tx_csum,
			  bool *rx_csum)
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		return rc;
	if (nq > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
	}
	*tx_csum = (info.tx_offload_capa & TX_CSUM_OFFLOADS) == TX_CSUM_OFFLOADS;
	if (*tx_csum)
		conf.txmode.offloads = TX_CSUM_OFFLOADS;
	conf.rxmode.offloads = info.rx_offload_capa & RX_CSUM_OFFLOADS;
	*rx_csum = (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) != 0;
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		return rc;
	uint16_t rxd = RX_DESC, txd = TX_DESC;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc != 0)
		return rc;
	int socket = rte_eth_dev_socket_id(port);
	for (uint16_t q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rxd, socket, NULL, pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port, q, txd, socket, NULL);
		if (rc != 0)
			return rc;
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		return rc;
	/* Our filter checks addresses itself; ND needs multicast frames. */
	rte_eth_promiscuous_enable(port);
	rte_eth_allmulticast_enable(port);
	return 0;
}

int mv_ports_start(struct mv_worker *workers, unsigned nworkers, struct rte_mempool *pool,
		   const struct mv_addrs *addrs)
{
	unsigned next = 0; /* worker that receives the next queue */
	int nports = 0;
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port)
	{
		struct rte_eth_dev_info info;
		struct rte_ether_addr mac;
		char name[RTE_ETH_NAME_MAX_LEN];
		int rc = rte_eth_dev_info_get(port, &info);
		if (rc != 0)
			return rc;
		uint16_t nq = info.max_rx_queues < info.max_tx_queues ? info.max_rx_queues
								      : info.max_tx_queues;
		if (nq > nworkers)
			nq = (uint16_t)nworkers;
		bool tx_csum = false, rx_csum = false;
		rc = port_configure(port, nq, pool, &tx_csum, &rx_csum);
		if (rc == 0)
			rc = rte_eth_macaddr_get(port, &mac);
		rte_eth_dev_get_name_by_port(port, name);
		if (rc != 0) {
			fprintf(stderr, "mvdns-dataplane: port %u (%s): %s\n", port, name,
				strerror(-rc));
			return rc;
		}
		for (uint16_t q = 0; q < nq; q++) {
			struct mv_worker *w = &workers[next++ % nworkers];
			if (w->nqueues == MV_WORKER_QUEUES_MAX) {
				fprintf(stderr, "mvdns-dataplane: too many queues per worker\n");
				return -ENOSPC;
			}
			struct mv_worker_queue *wq = &w->queues[w->nqueues++];
			wq->port = port;
			wq->queue = q;
			memcpy(wq->ctx.mac, mac.addr_bytes, 6);
			wq->ctx.addrs = addrs;
			wq->ctx.tx_csum = tx_csum;
		}
		printf("mvdns-dataplane: port %u %s mac " RTE_ETHER_ADDR_PRT_FMT
		       " queues %u checksums %s, received %s\n",
		       port, name, RTE_ETHER_ADDR_BYTES(&mac), nq,
		       tx_csum ? "offloaded" : "in software",
		       rx_csum ? "checked by the port" : "unchecked");
		nports++;
	}
	if (nports == 0) {
		fprintf(stderr, "mvdns-dataplane: no ports; give EAL a --vdev or a NIC\n");
		return -ENODEV;
	}
	return nports;
}

void mv_ports_stop(void)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port)
	{
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
}

void mv_ports_totals(struct mv_port_totals *t)
{
	struct rte_eth_stats s;
	uint16_t port;

	*t = (struct mv_port_totals){0};
	RTE_ETH_FOREACH_DEV(port)
	{
		if (rte_eth_stats_get(port, &s) != 0)
			continue;
		t->rx_packets += s.ipackets;
		t->rx_missed += s.imissed;
		t->rx_nombuf += s.rx_nombuf;
		t->rx_errors += s.ierrors;
		t->tx_packets += s.opackets;
		t->tx_errors += s.oerrors;
	}
}
