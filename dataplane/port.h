/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: every ethdev EAL created (from --vdev or a bound NIC), configured
 * with one RX/TX queue pair per worker (RSS across them) or as many as the
 * port has, and its queues dealt out to the workers. No driver is special.
 */
#ifndef MV_PORT_H
#define MV_PORT_H

#include <rte_mempool.h>

#include "worker.h"

/*
 * Configure and start every port, and give each worker its (port, queue)
 * pairs with the packet context for that port. Main lcore, before launch.
 * Returns the number of ports started, or -errno with a message logged.
 */
int mv_ports_start(struct mv_worker *workers, unsigned nworkers, struct rte_mempool *pool,
		   const struct mv_addrs *addrs);

/* Stop and close every port. */
void mv_ports_stop(void);

/*
 * Every port's counters (rte_eth_stats), summed: frames received; frames
 * the port dropped for want of room (missed: the workers did not empty its
 * RX ring in time; what a driver counts there is its own: net_af_xdp counts
 * an empty fill ring, not a full RX ring) or of an mbuf to receive into
 * (nombuf); receive errors; frames sent and send errors.
 * Any lcore, while the workers run.
 */
struct mv_port_totals {
	uint64_t rx_packets, rx_missed, rx_nombuf, rx_errors, tx_packets, tx_errors;
};

void mv_ports_totals(struct mv_port_totals *t);

#endif /* MV_PORT_H */
