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

#endif /* MV_PORT_H */
