/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the packet-path tests (test_packet.c, test_tcp.c) check replies
 * with, on top of the frames of frames.h: a NIC's checksum offload, a
 * packet context over a loaded zone, and the Ethernet and DNS headers of a
 * reply. Criterion asserts.
 */
#ifndef MV_TEST_FRAMES_CHECK_H
#define MV_TEST_FRAMES_CHECK_H

#include <criterion/criterion.h>

#include "frames.h"
#include "load.h"
#include "packet.h"

/*
 * What a NIC with checksum offload does to a reply the handler wrote with
 * ctx.tx_csum set (DPDK's convention): the IPv4 header checksum is computed
 * from 0, the UDP or TCP one over the segment with the pseudo-header's sum
 * already in its field. Checks that the handler left the IPv4 one 0.
 */
static inline void nic_complete(uint8_t *f, enum mv_tx_csum what)
{
	uint8_t *ip = f + ETH_LEN;
	bool v4 = what == MV_TX_CSUM_UDP4 || what == MV_TX_CSUM_TCP4;
	bool udp = what == MV_TX_CSUM_UDP4 || what == MV_TX_CSUM_UDP6;

	if (what == MV_TX_CSUM_NONE)
		return;
	size_t l4_len = v4 ? rd16(ip + 2) - (size_t)IP4_LEN : rd16(ip + 4);
	uint8_t *l4 = ip + (v4 ? IP4_LEN : IP6_LEN), *sum = l4 + (udp ? 6 : 16);
	if (v4) {
		cr_assert_eq(rd16(ip + 10), 0, "the IPv4 header checksum is left to the NIC");
		wr16(ip + 10, csum(sum_bytes(0, ip, IP4_LEN)));
	}
	uint16_t c = csum(sum_bytes(0, l4, l4_len));
	wr16(sum, udp && c == 0 ? 0xffff : c);
}

/* ---- the context ---- */

/*
 * A packet context answering for our_mac, our_v4 and our_v6 from a table
 * loaded from zone_json, which must hold nsets record sets. Returns the
 * table (mv_table_destroy it).
 */
static inline struct mv_table *frames_setup(struct mv_packet_ctx *ctx, struct mv_addrs *addrs,
					    uint64_t *rng, const char *zone_json, long nsets)
{
	char err[4096] = "";
	const char *docs[] = {zone_json};
	struct mv_table *table = mv_table_create(16, NULL, NULL);

	cr_assert_not_null(table);
	long n = mv_load_docs(table, docs, 1, err, sizeof(err));
	cr_assert_eq(n, nsets, "load: %ld %s", n, err);
	memset(addrs, 0, sizeof(*addrs));
	addrs->n4 = 1;
	memcpy(addrs->v4[0], our_v4, 4);
	addrs->n6 = 1;
	memcpy(addrs->v6[0], our_v6, 16);
	memset(ctx, 0, sizeof(*ctx));
	memcpy(ctx->mac, our_mac, 6);
	ctx->addrs = addrs;
	ctx->table = table;
	ctx->rng = rng;
	return table;
}

/* ---- checking replies ---- */

static inline void expect_mac(const uint8_t *got, const uint8_t *want, const char *what)
{
	cr_assert(memcmp(got, want, 6) == 0, "%s: %02x:%02x:%02x:%02x:%02x:%02x", what, got[0],
		  got[1], got[2], got[3], got[4], got[5]);
}

/* DNS header of a reply: ID, QR, opcode, rcode and counts. */
static inline void check_dns(const uint8_t *m, uint16_t id, unsigned rcode, uint16_t an,
			     uint16_t ns, uint16_t ar)
{
	cr_assert_eq(rd16(m), id, "ID %#x", rd16(m));
	cr_assert(m[2] & 0x80, "QR not set");
	cr_assert_eq((m[2] >> 3) & 0xf, 0, "opcode");
	cr_assert_eq(m[3] & 0xf, rcode, "rcode %u, want %u", m[3] & 0xf, rcode);
	cr_assert_eq(rd16(m + 4), 1, "QDCOUNT");
	cr_assert_eq(rd16(m + 6), an, "ANCOUNT %u", rd16(m + 6));
	cr_assert_eq(rd16(m + 8), ns, "NSCOUNT %u", rd16(m + 8));
	cr_assert_eq(rd16(m + 10), ar, "ARCOUNT %u", rd16(m + 10));
}

#endif /* MV_TEST_FRAMES_CHECK_H */
