/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a packet's fate is decided. Ethernet, ARP, IPv4, IPv6, ICMP, ICMPv6
 * neighbour discovery and UDP, down to the DNS payload that answer.c
 * handles. A reply is built in place over the received frame: addresses and
 * ports swapped, lengths and checksums computed fresh (or, on a port with
 * checksum offload, left to the port: tx_csum). Pure function of the
 * bytes, the addresses and the table; no allocation, no I/O, lock-free.
 */
#ifndef MV_PACKET_H
#define MV_PACKET_H

#include <stdint.h>

#include "table.h"
#include "verdict.h"

#define MV_ADDRS_MAX 16
/* Frames mv_packet_handle_burst prefetches for at once. */
#define MV_PACKET_BURST_MAX 64

/* The addresses the dataplane answers for. Read-only once workers run. */
struct mv_addrs {
	unsigned n4, n6;
	uint8_t v4[MV_ADDRS_MAX][4];
	uint8_t v6[MV_ADDRS_MAX][16];
};

/* Everything a worker needs to decide about a packet from one port. */
struct mv_packet_ctx {
	uint8_t mac[6]; /* the port's MAC address */
	const struct mv_addrs *addrs;
	const struct mv_table *table;
	uint64_t *rng;       /* the worker's random state for multivalue choices (never 0) */
	uint64_t tcp_key[2]; /* the secret of TCP SYN cookies (tcp.h): random per start */
	/* The port computes the checksums of UDP and TCP replies on transmit
	 * (DPDK's checksum offload): their IPv4 header checksum is left 0 and
	 * their UDP or TCP checksum holds the pseudo-header's sum, as a NIC
	 * expects. Other replies (ICMP, ND, ARP) are always complete. */
	bool tx_csum;
};

/* What the port has to compute for a reply when ctx->tx_csum is set. */
enum mv_tx_csum {
	MV_TX_CSUM_NONE, /* nothing: the reply is complete */
	MV_TX_CSUM_UDP4, /* IPv4 header and UDP checksums; IPv4 replies have no options */
	MV_TX_CSUM_TCP4, /* IPv4 header and TCP checksums */
	MV_TX_CSUM_UDP6, /* UDP checksum */
	MV_TX_CSUM_TCP6, /* TCP checksum */
};

/* For a reply mv_packet_handle wrote with ctx->tx_csum set: what is left to the port. */
enum mv_tx_csum mv_packet_tx_csum(const uint8_t *reply);

/*
 * Handle one Ethernet frame frame[0..len) in a buffer of cap octets.
 * Out: *verdict.
 * Returns the length of the reply now in the buffer, or 0 to drop the frame.
 */
uint16_t mv_packet_handle(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t len,
			  uint16_t cap, enum mv_verdict *verdict);

/*
 * Handle a burst of n frames: frames[i][0..lens[i]) in buffers of caps[i]
 * octets, as mv_packet_handle would one by one. Parses the burst's queries
 * first, then answers from those parses; on a table too large for the
 * caches, prefetches their names' slots, then their nodes in between, so
 * that the cache misses overlap instead of adding up.
 * Out: out[i], the reply length of frame i (0 to drop it); verdicts[i].
 */
void mv_packet_handle_burst(const struct mv_packet_ctx *ctx, uint8_t *const *frames,
			    const uint16_t *lens, const uint16_t *caps, unsigned n, uint16_t *out,
			    enum mv_verdict *verdicts);

#endif /* MV_PACKET_H */
