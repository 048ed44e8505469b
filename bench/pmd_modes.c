/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What each port EAL made offers a worker that should not poll all the
 * time: RX interrupts (a worker sleeps in epoll until a queue has frames,
 * as DPDK's l3fwd-power does) and DPDK's PMD power management
 * (rte_power_pmd_mgmt: monitor, pause and scale, on lcore 1). One line a
 * port, and one for what the CPU offers rte_power_monitor and
 * rte_power_pause.
 *
 *   build/bench/pmd_modes EAL-ARGS (needs lcores 0 and 1: -l 0,1)
 *
 * bench/pmd_modes.sh runs it on the lab's drivers in a namespace of its own.
 * It configures each port with one queue pair and RX interrupts asked for,
 * tries the power modes before the start, as the library requires, and RX
 * interrupts after it; then stops and closes the port.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_cpuflags.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_power_pmd_mgmt.h>

#define QUEUE_DESC   512
#define POOL_MBUFS   4096
#define POOL_CACHE   256
#define WORKER_LCORE 1

/* Items of a port's line: the first after its colon, the others after a comma. */
static bool first_item;

/* One item: what, then "yes", or "no (reason)" for a negative errno rc. */
static void item(const char *what, int rc)
{
	printf("%s %s %s", first_item ? "" : ",", what, rc == 0 ? "yes" : "no");
	if (rc != 0)
		printf(" (%s)", strerror(-rc));
	first_item = false;
}

/* One queue pair, RX interrupts asked for. Returns 0 or -errno. */
static int configure(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	conf.intr_conf.rxq = 1;
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, QUEUE_DESC, rte_eth_dev_socket_id(port), NULL,
					    pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, QUEUE_DESC, rte_eth_dev_socket_id(port), NULL);
	return rc;
}

/* Each power mode on queue 0 of a configured, stopped port, left disabled. */
static void power_modes(uint16_t port)
{
	static const struct {
		const char *name;
		enum rte_power_pmd_mgmt_type type;
	} modes[] = {
		{"monitor", RTE_POWER_MGMT_TYPE_MONITOR},
		{"pause", RTE_POWER_MGMT_TYPE_PAUSE},
		{"scale", RTE_POWER_MGMT_TYPE_SCALE},
	};
	for (size_t i = 0; i < RTE_DIM(modes); i++) {
		char what[32];
		int rc = rte_power_ethdev_pmgmt_queue_enable(WORKER_LCORE, port, 0, modes[i].type);
		snprintf(what, sizeof(what), "pmgmt %s", modes[i].name);
		item(what, rc);
		if (rc == 0)
			rte_power_ethdev_pmgmt_queue_disable(WORKER_LCORE, port, 0);
	}
}

/* RX interrupts on queue 0 of a started port: armed, and an event fd to wait on. */
static void rx_interrupts(uint16_t port)
{
	int armed = rte_eth_dev_rx_intr_enable(port, 0);

	item("rx-interrupt enable", armed);
	/* -1 when the queue has none: not an errno */
	printf(", rx-interrupt fd %s",
	       rte_eth_dev_rx_intr_ctl_q_get_fd(port, 0) >= 0 ? "yes" : "no");
	if (armed == 0)
		rte_eth_dev_rx_intr_disable(port, 0);
}

int main(int argc, char **argv)
{
	struct rte_cpu_intrinsics cpu;
	uint16_t port;

	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "pmd_modes: EAL did not start\n");
		return 1;
	}
	if (!rte_lcore_is_enabled(WORKER_LCORE)) {
		fprintf(stderr, "pmd_modes: lcore %u not enabled (give EAL -l 0,1)\n",
			WORKER_LCORE);
		return 1;
	}
	struct rte_mempool *pool = rte_pktmbuf_pool_create(
		"pmd_modes", POOL_MBUFS, POOL_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "pmd_modes: no mbuf pool\n");
		return 1;
	}
	rte_cpu_get_intrinsics_support(&cpu);
	printf("cpu: power_monitor %s, power_pause %s\n", cpu.power_monitor ? "yes" : "no",
	       cpu.power_pause ? "yes" : "no");
	RTE_ETH_FOREACH_DEV(port)
	{
		char name[RTE_ETH_NAME_MAX_LEN];
		struct rte_eth_dev_info info;
		int rc;

		rte_eth_dev_get_name_by_port(port, name);
		rc = rte_eth_dev_info_get(port, &info);
		printf("port %u %s (%s):", port, name, rc == 0 ? info.driver_name : "-");
		first_item = true;
		if (rc == 0)
			rc = configure(port, pool);
		if (rc == 0) {
			power_modes(port);
			rc = rte_eth_dev_start(port);
			if (rc == 0)
				rx_interrupts(port);
			else
				item("started", rc);
		} else {
			item("configured", rc);
		}
		printf("\n");
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}
