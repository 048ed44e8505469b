/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dataplane/packet.c: frames are assembled by hand (Ethernet,
 * ARP, IPv4, IPv6, UDP, ICMP, ICMPv6 neighbour discovery, DNS), handed to
 * mv_packet_handle, and every field of the reply is checked, checksums
 * recomputed here independently of packet.c.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frames_check.h"
#include "load.h"
#include "packet.h"

/* clang-format off */
static const char *zone_json =
"{\"Changes\": ["
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"example.com.\", \"Type\": \"SOA\", \"TTL\": 900,"
"  \"ResourceRecords\": [{\"Value\": \"ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"example.com.\", \"Type\": \"NS\", \"TTL\": 172800,"
"  \"ResourceRecords\": [{\"Value\": \"ns1.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"www.example.com.\", \"Type\": \"A\", \"TTL\": 300,"
"  \"ResourceRecords\": [{\"Value\": \"192.0.2.1\"}]}}"
"]}";
/* clang-format on */

static struct mv_addrs addrs;
static struct mv_table *table;
static uint64_t rng = 0x9e3779b97f4a7c15ull; /* multivalue choices */
static struct mv_packet_ctx ctx;

static void setup(void)
{
	table = frames_setup(&ctx, &addrs, &rng, zone_json, 3);
}

static void teardown(void)
{
	mv_table_destroy(table);
}

TestSuite(packet, .init = setup, .fini = teardown);

/* ---- running and checking ---- */

static const char *vname(enum mv_verdict v)
{
	return mv_verdict_name(v);
}

static bool is_drop(enum mv_verdict v)
{
	return v >= MV_VERDICT_DROP_SHORT && v < MV_VERDICT_COUNT;
}

/*
 * Hand f[0..len) to mv_packet_handle in a heap buffer of exactly cap octets
 * (so that AddressSanitizer sees any access beyond it); copy the result back.
 */
static uint16_t run_cap(uint8_t *f, size_t len, size_t cap, enum mv_verdict *v)
{
	uint8_t *b = malloc(cap ? cap : 1);
	cr_assert_not_null(b);
	memcpy(b, f, len);
	*v = MV_VERDICT_COUNT;
	uint16_t out = mv_packet_handle(&ctx, b, (uint16_t)len, (uint16_t)cap, v);
	cr_assert(*v < MV_VERDICT_COUNT, "no verdict set");
	memcpy(f, b, out > len ? out : len);
	free(b);
	return out;
}

static uint16_t run(uint8_t *f, size_t len, enum mv_verdict *v)
{
	return run_cap(f, len, BUF, v);
}

/* The frame must be dropped with verdict want. */
static void expect_drop(uint8_t *f, size_t len, enum mv_verdict want)
{
	enum mv_verdict v;
	uint16_t out = run_cap(f, len, len, &v);

	cr_assert_eq(out, 0, "reply of %u octets, want drop %s (verdict %s)", out, vname(want),
		     vname(v));
	cr_assert_eq(v, want, "verdict %s, want %s", vname(v), vname(want));
}

/*
 * Check the layers of an IPv4 UDP reply to a frame from peer port sport;
 * returns the DNS message and its length.
 */
static const uint8_t *check_udp4_reply(const uint8_t *f, uint16_t out, uint16_t sport,
				       uint16_t *dns_len)
{
	const uint8_t *ip = f + ETH_LEN, *udp = ip + IP4_LEN;

	cr_assert_geq(out, ETH_LEN + IP4_LEN + UDP_LEN + 12);
	expect_mac(f, peer_mac, "Ethernet destination");
	expect_mac(f + 6, our_mac, "Ethernet source");
	cr_assert_eq(rd16(f + 12), ET_IPV4);
	cr_assert_eq(ip[0], 0x45);
	cr_assert_eq(ip[1], 0, "DSCP/ECN %#x", ip[1]);
	cr_assert_eq(rd16(ip + 2), out - ETH_LEN, "total length %u, frame %u", rd16(ip + 2), out);
	cr_assert_eq(rd16(ip + 6) & 0x3fff, 0, "MF/offset in reply: %#x", rd16(ip + 6));
	cr_assert_eq(ip[8], 64, "TTL %u", ip[8]);
	cr_assert_eq(ip[9], PROTO_UDP);
	cr_assert(ip4_csum_ok(ip), "IPv4 header checksum %#x wrong", rd16(ip + 10));
	cr_assert(memcmp(ip + 12, our_v4, 4) == 0, "IPv4 source");
	cr_assert(memcmp(ip + 16, peer_v4, 4) == 0, "IPv4 destination");
	cr_assert_eq(rd16(udp), 53, "UDP source port %u", rd16(udp));
	cr_assert_eq(rd16(udp + 2), sport, "UDP destination port %u", rd16(udp + 2));
	cr_assert_eq(rd16(udp + 4), out - ETH_LEN - IP4_LEN, "UDP length %u", rd16(udp + 4));
	cr_assert_neq(rd16(udp + 6), 0, "UDP checksum left out");
	cr_assert(l4_csum_ok(ip + 12, ip + 16, 4, PROTO_UDP, udp, rd16(udp + 4)),
		  "UDP checksum %#x wrong", rd16(udp + 6));
	*dns_len = (uint16_t)(rd16(udp + 4) - UDP_LEN);
	return udp + UDP_LEN;
}

static const uint8_t *check_udp6_reply(const uint8_t *f, uint16_t out, uint16_t sport,
				       uint16_t *dns_len)
{
	const uint8_t *ip = f + ETH_LEN, *udp = ip + IP6_LEN;

	cr_assert_geq(out, ETH_LEN + IP6_LEN + UDP_LEN + 12);
	expect_mac(f, peer_mac, "Ethernet destination");
	expect_mac(f + 6, our_mac, "Ethernet source");
	cr_assert_eq(rd16(f + 12), ET_IPV6);
	cr_assert_eq(ip[0] >> 4, 6);
	cr_assert_eq(rd16(ip + 4), out - ETH_LEN - IP6_LEN, "payload length %u", rd16(ip + 4));
	cr_assert_eq(ip[6], PROTO_UDP);
	cr_assert_eq(ip[7], 64, "hop limit %u", ip[7]);
	cr_assert(memcmp(ip + 8, our_v6, 16) == 0, "IPv6 source");
	cr_assert(memcmp(ip + 24, peer_v6, 16) == 0, "IPv6 destination");
	cr_assert_eq(rd16(udp), 53);
	cr_assert_eq(rd16(udp + 2), sport);
	cr_assert_eq(rd16(udp + 4), rd16(ip + 4), "UDP length %u", rd16(udp + 4));
	cr_assert_neq(rd16(udp + 6), 0, "UDP checksum is mandatory in IPv6");
	cr_assert(l4_csum_ok(ip + 8, ip + 24, 16, PROTO_UDP, udp, rd16(udp + 4)),
		  "UDP checksum %#x wrong", rd16(udp + 6));
	*dns_len = (uint16_t)(rd16(udp + 4) - UDP_LEN);
	return udp + UDP_LEN;
}

/* ---- ARP ---- */

Test(packet, arp_request_for_us)
{
	uint8_t f[BUF];
	enum mv_verdict v;
	size_t len = frame_arp(f, bcast_mac, 1, our_v4);
	uint16_t out = run(f, len, &v);

	cr_assert_eq(v, MV_VERDICT_ARP_REPLY, "verdict %s", vname(v));
	cr_assert_eq(out, ETH_LEN + ARP_BODY);
	expect_mac(f, peer_mac, "Ethernet destination");
	expect_mac(f + 6, our_mac, "Ethernet source");
	cr_assert_eq(rd16(f + 12), ET_ARP);
	const uint8_t *a = f + ETH_LEN;
	cr_assert_eq(rd16(a), 1, "htype");
	cr_assert_eq(rd16(a + 2), ET_IPV4, "ptype");
	cr_assert_eq(a[4], 6);
	cr_assert_eq(a[5], 4);
	cr_assert_eq(rd16(a + 6), 2, "opcode %u", rd16(a + 6));
	expect_mac(a + 8, our_mac, "sender MAC");
	cr_assert(memcmp(a + 14, our_v4, 4) == 0, "sender IP");
	expect_mac(a + 18, peer_mac, "target MAC");
	cr_assert(memcmp(a + 24, peer_v4, 4) == 0, "target IP");
}

Test(packet, arp_request_padded_unicast)
{
	uint8_t f[BUF] = {0};
	enum mv_verdict v;

	frame_arp(f, our_mac, 1, our_v4);
	/* Minimum Ethernet frame: 18 octets of padding; the reply is the ARP only. */
	uint16_t out = run(f, 60, &v);
	cr_assert_eq(v, MV_VERDICT_ARP_REPLY, "verdict %s", vname(v));
	cr_assert_eq(out, ETH_LEN + ARP_BODY);
	expect_mac(f, peer_mac, "Ethernet destination");
}

Test(packet, arp_for_another_ip)
{
	uint8_t f[BUF];
	size_t len = frame_arp(f, bcast_mac, 1, other_v4);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
}

Test(packet, arp_reply_and_garbage)
{
	uint8_t f[BUF];
	size_t len = frame_arp(f, bcast_mac, 2, our_v4);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);

	len = frame_arp(f, bcast_mac, 1, our_v4);
	f[ETH_LEN + 1] = 6; /* htype 6 */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_arp(f, bcast_mac, 1, our_v4);
	wr16(f + ETH_LEN + 2, ET_IPV6); /* ptype */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_arp(f, bcast_mac, 1, our_v4);
	f[ETH_LEN + 4] = 8; /* hlen */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_arp(f, bcast_mac, 1, our_v4);
	f[ETH_LEN + 5] = 16; /* plen */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_arp(f, bcast_mac, 3, our_v4); /* RARP request */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	memset(f + ETH_LEN, 0xa5, ARP_BODY);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
}

/* ---- IPv4 UDP ---- */

Test(packet, udp4_query_answered)
{
	uint8_t q[512], f[BUF];
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 0xabcd, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 40000, 53);
	uint16_t out = run(f, len, &v);

	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR, "verdict %s", vname(v));
	const uint8_t *m = check_udp4_reply(f, out, 40000, &dlen);
	/* The question echoed, then one A RR: pointer, type, class, TTL, rdata. */
	cr_assert_eq(dlen, qlen + 16, "DNS length %u", dlen);
	check_dns(m, 0xabcd, 0, 1, 0, 0);
	cr_assert(m[2] & 0x04, "AA not set");
	cr_assert(memcmp(m + 12, q + 12, qlen - 12) == 0, "question not echoed");
	const uint8_t *rr = m + qlen;
	static const uint8_t want[16] = {0xc0, 0x0c, 0, 1, 0,   1, 0, 0,
					 0x01, 0x2c, 0, 4, 192, 0, 2, 1};
	cr_assert(memcmp(rr, want, 16) == 0, "answer RR");
	/* The checker itself notices a single flipped bit. */
	f[out - 1] ^= 0x10;
	const uint8_t *ip = f + ETH_LEN;
	cr_assert_not(
		l4_csum_ok(ip + 12, ip + 16, 4, PROTO_UDP, ip + IP4_LEN, out - ETH_LEN - IP4_LEN));
}

Test(packet, udp4_query_edns_nxdomain_refused)
{
	uint8_t q[512], f[BUF];
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 7, "nope.example.com", QTYPE_A, true);
	size_t len = frame_udp4(f, q, qlen, 1053, 53);
	uint16_t out = run(f, len, &v);

	cr_assert_eq(v, MV_VERDICT_ANSWER_NXDOMAIN, "verdict %s", vname(v));
	const uint8_t *m = check_udp4_reply(f, out, 1053, &dlen);
	check_dns(m, 7, 3, 0, 1, 1);
	/* The OPT record closes the reply. */
	cr_assert_eq(m[dlen - 11], 0);
	cr_assert_eq(rd16(m + dlen - 10), 41, "last RR is not OPT");

	qlen = dns_query(q, 8, "www.example.org", QTYPE_A, false);
	len = frame_udp4(f, q, qlen, 1054, 53);
	out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_REFUSED, "verdict %s", vname(v));
	m = check_udp4_reply(f, out, 1054, &dlen);
	cr_assert_eq(dlen, qlen);
	check_dns(m, 8, 5, 0, 0, 0);
}

Test(packet, udp4_bad_query_checksum_still_answered)
{
	uint8_t q[512], f[BUF];
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 0x1111, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 5353, 53);

	/* Garbage: the NIC verifies (or not); the reply's checksum is computed fresh. */
	wr16(f + ETH_LEN + IP4_LEN + 6, 0x1234);
	uint16_t out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR, "verdict %s", vname(v));
	check_udp4_reply(f, out, 5353, &dlen);

	/* Partial: only the pseudo-header sum, as checksum offload leaves it. */
	len = frame_udp4(f, q, qlen, 5353, 53);
	const uint8_t *ip = f + ETH_LEN;
	wr16(f + ETH_LEN + IP4_LEN + 6,
	     sum_fold(pseudo(ip + 12, ip + 16, 4, PROTO_UDP, UDP_LEN + qlen)));
	out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR, "verdict %s", vname(v));
	check_udp4_reply(f, out, 5353, &dlen);

	/* No checksum at all (0) is legal in IPv4. */
	len = frame_udp4(f, q, qlen, 5353, 53);
	wr16(f + ETH_LEN + IP4_LEN + 6, 0);
	out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR, "verdict %s", vname(v));
	check_udp4_reply(f, out, 5353, &dlen);
}

Test(packet, udp4_ethernet_padding_ignored)
{
	uint8_t q[512], f[BUF] = {0};
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 0x2222, "", QTYPE_A, false); /* the root: REFUSED */
	size_t len = frame_udp4(f, q, qlen, 999, 53);

	cr_assert_lt(len, 60);
	memset(f + len, 0xee, 60 - len);
	uint16_t out = run(f, 60, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_REFUSED, "verdict %s", vname(v));
	check_udp4_reply(f, out, 999, &dlen);
	cr_assert_eq(dlen, qlen);
}

Test(packet, udp4_reply_fits_cap)
{
	uint8_t q[512], f[BUF];
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 0x3333, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 4444, 53);

	/* No room after the query: the answer does not fit, TC and the question only. */
	uint16_t out = run_cap(f, len, len, &v);
	cr_assert_leq(out, len);
	cr_assert_eq(v, MV_VERDICT_ANSWER_TRUNCATED, "verdict %s", vname(v));
	const uint8_t *m = check_udp4_reply(f, out, 4444, &dlen);
	cr_assert(m[2] & 0x02, "TC not set");
	check_dns(m, 0x3333, 0, 0, 0, 0);
}

Test(packet, udp4_other_port)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 53, 5353);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
}

Test(packet, udp4_lengths)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);
	uint8_t *udp = f + ETH_LEN + IP4_LEN;

	/* UDP length past the IP payload. */
	wr16(udp + 4, (uint16_t)(UDP_LEN + qlen + 1));
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	/* UDP length below its own header. */
	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(udp + 4, 7);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	/* IP total length past the frame. */
	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 2, (uint16_t)(len - ETH_LEN + 1));
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	/* IP total length below its header. */
	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 2, 19);
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	/* IP payload too short for a UDP header. */
	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 2, IP4_LEN + 4);
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
}

Test(packet, udp4_shorter_udp_length_uses_udp_length)
{
	uint8_t q[512], f[BUF];
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 0x4444, "x", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	/* Two trailing octets inside the IP payload but outside the UDP datagram. */
	f[len] = 0xde;
	f[len + 1] = 0xad;
	wr16(f + ETH_LEN + 2, (uint16_t)(rd16(f + ETH_LEN + 2) + 2));
	ip4_fix(f);
	uint16_t out = run(f, len + 2, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_REFUSED, "verdict %s", vname(v));
	check_udp4_reply(f, out, 1000, &dlen);
	cr_assert_eq(dlen, qlen);
}

Test(packet, udp4_not_a_query)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);

	q[2] |= 0x80; /* a response: never answered */
	size_t len = frame_udp4(f, q, qlen, 1000, 53);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_QUERY);
	/* Shorter than a DNS header. */
	len = frame_udp4(f, q, 11, 1000, 53);
	expect_drop(f, len, MV_VERDICT_DROP_SHORT);
}

/* ---- IPv4 header ---- */

Test(packet, ip4_bad_header_checksum)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	f[ETH_LEN + 10] ^= 0x01;
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
}

Test(packet, ip4_bad_version_ihl)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	f[ETH_LEN] = 0x65;
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	len = frame_udp4(f, q, qlen, 1000, 53);
	f[ETH_LEN] = 0x44;
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
}

Test(packet, ip4_fragments)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len;

	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 6, 0x2000); /* MF */
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 6, 0x0001); /* offset 8 */
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 6, 0x1fff); /* last offset */
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);

	/* DF alone is no fragment: answered, and the reply has no MF either. */
	enum mv_verdict v;
	uint16_t dlen;
	len = frame_udp4(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 6, 0x4000);
	ip4_fix(f);
	uint16_t out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR, "verdict %s", vname(v));
	check_udp4_reply(f, out, 1000, &dlen);
}

Test(packet, ip4_options)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);
	uint8_t *ip = f + ETH_LEN;

	/* Insert four NOP option octets after the base header: IHL 6. */
	memmove(ip + 24, ip + 20, len - ETH_LEN - IP4_LEN);
	memset(ip + 20, 1, 4);
	ip[0] = 0x46;
	wr16(ip + 2, (uint16_t)(rd16(ip + 2) + 4));
	ip4_fix(f);
	cr_assert(ip4_csum_ok(ip));
	expect_drop(f, len + 4, MV_VERDICT_DROP_UNSUPPORTED);
}

Test(packet, ip4_not_for_us)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	memcpy(f + ETH_LEN + 16, other_v4, 4);
	ip4_fix(f);
	udp4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
}

Test(packet, ip4_other_protocol)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	f[ETH_LEN + 9] = 132; /* SCTP */
	ip4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
}

/* ---- ICMP ---- */

Test(packet, icmp4_echo)
{
	uint8_t f[BUF], orig[BUF];
	enum mv_verdict v;
	size_t len = frame_icmp4(f, 8);

	memcpy(orig, f, len);
	uint16_t out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ICMP_ECHO, "verdict %s", vname(v));
	cr_assert_eq(out, len);
	expect_mac(f, peer_mac, "Ethernet destination");
	expect_mac(f + 6, our_mac, "Ethernet source");
	const uint8_t *ip = f + ETH_LEN, *icmp = ip + IP4_LEN;
	cr_assert_eq(rd16(ip + 2), len - ETH_LEN);
	cr_assert_eq(ip[8], 64);
	cr_assert_eq(ip[9], PROTO_ICMP);
	cr_assert(ip4_csum_ok(ip), "IPv4 header checksum");
	cr_assert(memcmp(ip + 12, our_v4, 4) == 0, "IPv4 source");
	cr_assert(memcmp(ip + 16, peer_v4, 4) == 0, "IPv4 destination");
	cr_assert_eq(icmp[0], 0, "type %u", icmp[0]);
	cr_assert_eq(icmp[1], 0);
	cr_assert_eq(sum_fold(sum_bytes(0, icmp, len - ETH_LEN - IP4_LEN)), 0xffff,
		     "ICMP checksum %#x", rd16(icmp + 2));
	/* Identifier, sequence and data echoed. */
	cr_assert(memcmp(icmp + 4, orig + ETH_LEN + IP4_LEN + 4, len - ETH_LEN - IP4_LEN - 4) == 0);
}

Test(packet, icmp4_echo_padded)
{
	uint8_t f[BUF] = {0};
	enum mv_verdict v;
	size_t len = put_eth(f, our_mac, peer_mac, ET_IPV4);
	uint8_t *ip = f + len, *icmp = ip + IP4_LEN;

	/* An 8-octet echo in a 60-octet frame. */
	put_ip4(ip, IP4_LEN + 8, PROTO_ICMP, peer_v4, our_v4);
	icmp[0] = 8;
	wr16(icmp + 4, 1);
	wr16(icmp + 2, csum(sum_bytes(0, icmp, 8)));
	memset(icmp + 8, 0x55, 60 - ETH_LEN - IP4_LEN - 8);
	uint16_t out = run(f, 60, &v);
	cr_assert_eq(v, MV_VERDICT_ICMP_ECHO, "verdict %s", vname(v));
	cr_assert_eq(out, ETH_LEN + IP4_LEN + 8);
	cr_assert_eq(rd16(ip + 2), IP4_LEN + 8);
	cr_assert(ip4_csum_ok(ip));
	cr_assert_eq(sum_fold(sum_bytes(0, icmp, 8)), 0xffff);
}

Test(packet, icmp4_not_echo_or_bad)
{
	uint8_t f[BUF];
	enum mv_verdict v;
	size_t len = frame_icmp4(f, 13); /* timestamp request */

	cr_assert_eq(run_cap(f, len, len, &v), 0);
	cr_assert(is_drop(v), "verdict %s", vname(v));
	len = frame_icmp4(f, 0); /* an echo reply */
	cr_assert_eq(run_cap(f, len, len, &v), 0);
	cr_assert(is_drop(v), "verdict %s", vname(v));
	len = frame_icmp4(f, 8);
	f[len - 1] ^= 0xff; /* checksum no longer matches */
	cr_assert_eq(run_cap(f, len, len, &v), 0);
	cr_assert(is_drop(v), "verdict %s", vname(v));
}

/* ---- IPv6 ---- */

Test(packet, udp6_query_answered)
{
	uint8_t q[512], f[BUF];
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 0x6666, "www.example.com", QTYPE_A, true);
	size_t len = frame_udp6(f, q, qlen, 33333, 53);
	uint16_t out = run(f, len, &v);

	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR, "verdict %s", vname(v));
	const uint8_t *m = check_udp6_reply(f, out, 33333, &dlen);
	cr_assert_eq(dlen, qlen + 16, "DNS length %u", dlen);
	check_dns(m, 0x6666, 0, 1, 0, 1);
	cr_assert_eq(f[ETH_LEN], 0x60, "version/traffic class changed");
	cr_assert_eq(f[ETH_LEN + 1], 0x0a, "traffic class/flow label changed");
}

Test(packet, udp6_bad_query_checksum_still_answered)
{
	uint8_t q[512], f[BUF];
	enum mv_verdict v;
	uint16_t dlen;
	size_t qlen = dns_query(q, 0x6667, "example.com", QTYPE_SOA, false);
	size_t len = frame_udp6(f, q, qlen, 33334, 53);

	wr16(f + ETH_LEN + IP6_LEN + 6, 0xdead);
	uint16_t out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ANSWER_NOERROR, "verdict %s", vname(v));
	const uint8_t *m = check_udp6_reply(f, out, 33334, &dlen);
	check_dns(m, 0x6667, 0, 1, 0, 0);
}

Test(packet, udp6_errors)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len;

	len = frame_udp6(f, q, qlen, 1000, 5300);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_udp6(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + IP6_LEN + 4, (uint16_t)(UDP_LEN + qlen + 1));
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	len = frame_udp6(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + 4, (uint16_t)(UDP_LEN + qlen + 1)); /* payload length past frame */
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	len = frame_udp6(f, q, qlen, 1000, 53);
	wr16(f + ETH_LEN + IP6_LEN + 6, 0); /* no checksum: not allowed over IPv6 (RFC 8200 8.1) */
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	len = frame_udp6(f, q, qlen, 1000, 53);
	f[ETH_LEN] = 0x40; /* version 4 in an IPv6 frame */
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	len = frame_udp6(f, q, qlen, 1000, 53);
	memcpy(f + ETH_LEN + 24, other_v6, 16);
	ip6_fix(f, 6);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
	len = frame_udp6(f, q, qlen, 1000, 53);
	f[ETH_LEN + 6] = 0; /* hop-by-hop options header */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
}

Test(packet, icmp6_echo)
{
	uint8_t f[BUF], orig[BUF];
	enum mv_verdict v;
	size_t len = frame_icmp6_echo(f);

	memcpy(orig, f, len);
	uint16_t out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ICMP_ECHO, "verdict %s", vname(v));
	cr_assert_eq(out, len);
	expect_mac(f, peer_mac, "Ethernet destination");
	expect_mac(f + 6, our_mac, "Ethernet source");
	const uint8_t *ip = f + ETH_LEN, *icmp = ip + IP6_LEN;
	size_t l4 = len - ETH_LEN - IP6_LEN;
	cr_assert_eq(rd16(ip + 4), l4);
	cr_assert_eq(ip[6], PROTO_ICMP6);
	cr_assert_eq(ip[7], 64);
	cr_assert(memcmp(ip + 8, our_v6, 16) == 0, "IPv6 source");
	cr_assert(memcmp(ip + 24, peer_v6, 16) == 0, "IPv6 destination");
	cr_assert_eq(icmp[0], 129, "type %u", icmp[0]);
	cr_assert_eq(icmp[1], 0);
	cr_assert(l4_csum_ok(ip + 8, ip + 24, 16, PROTO_ICMP6, icmp, l4), "ICMPv6 checksum %#x",
		  rd16(icmp + 2));
	cr_assert(memcmp(icmp + 4, orig + ETH_LEN + IP6_LEN + 4, l4 - 4) == 0, "data echoed");
}

Test(packet, icmp6_bad_or_other)
{
	uint8_t f[BUF];
	size_t len = frame_icmp6_echo(f);

	f[len - 1] ^= 0x5a;
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	len = frame_icmp6_echo(f);
	f[ETH_LEN + IP6_LEN] = 129; /* an echo reply */
	ip6_fix(f, 2);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	len = frame_icmp6_echo(f);
	f[ETH_LEN + IP6_LEN] = 136; /* an unsolicited advertisement */
	ip6_fix(f, 2);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
}

/* ---- neighbour discovery ---- */

/* Checks common to every advertisement for fd53::1. */
static void check_na(const uint8_t *f, uint16_t out, const uint8_t *dst_ip, uint8_t flags)
{
	const uint8_t *ip = f + ETH_LEN, *icmp = ip + IP6_LEN;

	cr_assert_eq(out, ETH_LEN + IP6_LEN + 32, "length %u", out);
	expect_mac(f + 6, our_mac, "Ethernet source");
	cr_assert_eq(rd16(f + 12), ET_IPV6);
	cr_assert_eq(rd16(ip + 4), 32, "payload length %u", rd16(ip + 4));
	cr_assert_eq(ip[6], PROTO_ICMP6);
	cr_assert_eq(ip[7], 255, "hop limit %u", ip[7]);
	cr_assert(memcmp(ip + 8, our_v6, 16) == 0, "source is not the target address");
	cr_assert(memcmp(ip + 24, dst_ip, 16) == 0, "destination");
	cr_assert_eq(icmp[0], 136, "type %u", icmp[0]);
	cr_assert_eq(icmp[1], 0, "code");
	cr_assert_eq(icmp[4], flags, "flags %#x, want %#x", icmp[4], flags);
	cr_assert(icmp[5] == 0 && icmp[6] == 0 && icmp[7] == 0, "reserved");
	cr_assert(memcmp(icmp + 8, our_v6, 16) == 0, "target address");
	cr_assert_eq(icmp[24], 2, "option type %u", icmp[24]);
	cr_assert_eq(icmp[25], 1, "option length %u", icmp[25]);
	expect_mac(icmp + 26, our_mac, "target link-layer address");
	cr_assert(l4_csum_ok(ip + 8, ip + 24, 16, PROTO_ICMP6, icmp, 32), "ICMPv6 checksum %#x",
		  rd16(icmp + 2));
}

Test(packet, nd_solicitation)
{
	uint8_t f[BUF];
	enum mv_verdict v;
	size_t len = frame_ns(f, peer_v6, our_v6, 255);
	uint16_t out = run(f, len, &v);

	cr_assert_eq(v, MV_VERDICT_ND_ADVERT, "verdict %s", vname(v));
	check_na(f, out, peer_v6, 0x60); /* Solicited | Override */
	expect_mac(f, peer_mac, "Ethernet destination");
}

Test(packet, nd_solicitation_unicast)
{
	uint8_t f[BUF];
	enum mv_verdict v;
	size_t len = frame_ns(f, peer_v6, our_v6, 255);

	/* Reachability confirmation: sent to our unicast address and MAC. */
	memcpy(f, our_mac, 6);
	memcpy(f + ETH_LEN + 24, our_v6, 16);
	ip6_fix(f, 2);
	uint16_t out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ND_ADVERT, "verdict %s", vname(v));
	check_na(f, out, peer_v6, 0x60);
}

Test(packet, nd_solicitation_hop_limit)
{
	uint8_t f[BUF];
	size_t len = frame_ns(f, peer_v6, our_v6, 64);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
}

Test(packet, nd_solicitation_bad)
{
	uint8_t f[BUF];
	size_t len = frame_ns(f, peer_v6, our_v6, 255);

	f[ETH_LEN + IP6_LEN + 1] = 1; /* code 1 */
	ip6_fix(f, 2);
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
	len = frame_ns(f, peer_v6, our_v6, 255);
	f[ETH_LEN + IP6_LEN + 2] ^= 0xff; /* checksum */
	expect_drop(f, len, MV_VERDICT_DROP_MALFORMED);
}

Test(packet, nd_solicitation_not_for_us)
{
	uint8_t f[BUF];
	size_t len = frame_ns(f, peer_v6, other_v6, 255);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
}

/*
 * Duplicate address detection (source ::, no option, 24 octets): the
 * advertisement goes to all-nodes without the S flag (RFC 4861 7.2.4). The
 * reply is 8 octets longer than the solicitation; the buffer has room.
 */
Test(packet, nd_dad)
{
	uint8_t f[BUF];
	enum mv_verdict v;
	size_t len = frame_ns(f, unspec_v6, our_v6, 255);

	cr_assert_eq(len, ETH_LEN + IP6_LEN + 24);
	uint16_t out = run(f, len, &v);
	cr_assert_eq(v, MV_VERDICT_ND_ADVERT, "verdict %s", vname(v));
	check_na(f, out, all_nodes_v6, 0x20);
}

Test(packet, nd_dad_no_room)
{
	uint8_t f[BUF];
	enum mv_verdict v;
	size_t len = frame_ns(f, unspec_v6, our_v6, 255);
	uint16_t out = run_cap(f, len, len, &v);

	cr_assert_leq(out, len);
}

Test(packet, nd_dad_ethernet_multicast)
{
	uint8_t f[BUF];
	enum mv_verdict v;
	size_t len = frame_ns(f, unspec_v6, our_v6, 255);
	uint16_t out = run(f, len, &v);
	static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};

	cr_assert_eq(v, MV_VERDICT_ND_ADVERT, "verdict %s", vname(v));
	cr_assert_gt(out, 0);
	expect_mac(f, all_nodes_mac, "Ethernet destination");
}

/* ---- Ethernet ---- */

Test(packet, wrong_destination_mac)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	memcpy(f, other_mac, 6);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
	len = frame_arp(f, other_mac, 1, our_v4);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
	len = frame_icmp6_echo(f);
	memcpy(f, other_mac, 6);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
}

Test(packet, vlan_and_other_ethertypes)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	wr16(f + 12, ET_VLAN);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	wr16(f + 12, 0x88a8); /* QinQ */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	wr16(f + 12, 0x0842); /* wake-on-LAN */
	memcpy(f, bcast_mac, 6);
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
	wr16(f + 12, 0x05dc); /* an 802.3 length field */
	expect_drop(f, len, MV_VERDICT_DROP_UNSUPPORTED);
}

Test(packet, broadcast_and_multicast)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len;
	static const uint8_t mcast_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
	static const uint8_t mcast4_mac[6] = {0x01, 0x00, 0x5e, 0, 0, 0xfb};
	static const uint8_t bcast_v4[4] = {255, 255, 255, 255};
	static const uint8_t mdns_v4[4] = {224, 0, 0, 251};

	/* IPv4 to the broadcast address, in a broadcast frame: not ours. */
	len = frame_udp4(f, q, qlen, 1000, 53);
	memcpy(f, bcast_mac, 6);
	memcpy(f + ETH_LEN + 16, bcast_v4, 4);
	ip4_fix(f);
	udp4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
	/* IPv4 multicast (mDNS-like) in a multicast frame: not ours. */
	len = frame_udp4(f, q, qlen, 5353, 53);
	memcpy(f, mcast4_mac, 6);
	memcpy(f + ETH_LEN + 16, mdns_v4, 4);
	ip4_fix(f);
	udp4_fix(f);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
	/* IPv6 echo to all-nodes: not answered. */
	len = frame_icmp6_echo(f);
	memcpy(f, mcast_mac, 6);
	memcpy(f + ETH_LEN + 24, all_nodes_v6, 16);
	ip6_fix(f, 2);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
	/* UDP to the solicited-node group: only solicitations may use it. */
	len = frame_udp6(f, q, qlen, 1000, 53);
	memcpy(f, ns_mac, 6);
	memcpy(f + ETH_LEN + 24, solicited_v6, 16);
	ip6_fix(f, 6);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
}

Test(packet, broadcast_frame_unicast_ip)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, false);
	size_t len = frame_udp4(f, q, qlen, 1000, 53);

	memcpy(f, bcast_mac, 6);
	expect_drop(f, len, MV_VERDICT_DROP_NOT_FOR_US);
}

/* ---- truncated frames ---- */

/* Every strict prefix of a valid frame is dropped; header-sized prefixes as short. */
static void check_prefixes(const uint8_t *full, size_t len, size_t hdr, const char *what)
{
	uint8_t f[BUF];

	for (size_t l = 0; l < len; l++) {
		enum mv_verdict v;
		memcpy(f, full, len);
		uint16_t out = run_cap(f, l, l, &v);
		cr_assert_eq(out, 0, "%s cut to %zu: reply of %u", what, l, out);
		cr_assert(is_drop(v), "%s cut to %zu: verdict %s", what, l, vname(v));
		if (l < hdr)
			cr_assert_eq(v, MV_VERDICT_DROP_SHORT, "%s cut to %zu: verdict %s", what, l,
				     vname(v));
	}
}

Test(packet, truncated_frames)
{
	uint8_t q[512], f[BUF];
	size_t qlen = dns_query(q, 1, "www.example.com", QTYPE_A, true);
	size_t len;

	len = frame_arp(f, bcast_mac, 1, our_v4);
	check_prefixes(f, len, ETH_LEN + ARP_BODY, "ARP");
	len = frame_udp4(f, q, qlen, 1000, 53);
	check_prefixes(f, len, ETH_LEN + IP4_LEN, "UDP/IPv4");
	len = frame_icmp4(f, 8);
	check_prefixes(f, len, ETH_LEN + IP4_LEN, "ICMP");
	len = frame_udp6(f, q, qlen, 1000, 53);
	check_prefixes(f, len, ETH_LEN + IP6_LEN, "UDP/IPv6");
	len = frame_icmp6_echo(f);
	check_prefixes(f, len, ETH_LEN + IP6_LEN, "ICMPv6");
	len = frame_ns(f, peer_v6, our_v6, 255);
	check_prefixes(f, len, ETH_LEN + IP6_LEN, "NS");
	/* An Ethernet header alone, of every type. */
	len = put_eth(f, our_mac, peer_mac, ET_IPV4);
	check_prefixes(f, len, ETH_LEN, "Ethernet");
}

/* Short IP payloads with consistent length fields, for each upper layer. */
Test(packet, short_upper_layers)
{
	uint8_t f[BUF] = {0};
	enum mv_verdict v;

	for (size_t l4 = 0; l4 < 24; l4++) {
		static const uint8_t protos4[] = {PROTO_UDP, PROTO_ICMP};
		for (size_t i = 0; i < sizeof(protos4); i++) {
			memset(f, 0, sizeof(f));
			size_t n = put_eth(f, our_mac, peer_mac, ET_IPV4);
			put_ip4(f + n, IP4_LEN + l4, protos4[i], peer_v4, our_v4);
			if (protos4[i] == PROTO_UDP && l4 >= 8) {
				wr16(f + n + IP4_LEN + 2, 53);
				wr16(f + n + IP4_LEN + 4, (uint16_t)l4);
			}
			size_t len = n + IP4_LEN + l4;
			uint16_t out = run_cap(f, len, len, &v);
			if (protos4[i] == PROTO_UDP && l4 >= 20) { /* a DNS header of zeros */
				cr_assert_eq(v, MV_VERDICT_ANSWER_FORMERR, "%zu: %s", l4, vname(v));
				continue;
			}
			cr_assert_eq(out, 0, "IPv4 proto %u, %zu octets: reply", protos4[i], l4);
			cr_assert(is_drop(v), "IPv4 proto %u, %zu: %s", protos4[i], l4, vname(v));
		}
		uint8_t body[24] = {0};
		static const uint8_t types6[] = {128, 135};
		for (size_t i = 0; i < sizeof(types6); i++) {
			body[0] = types6[i];
			size_t len =
				frame_ip6(f, ns_mac, peer_v6, our_v6, PROTO_ICMP6, 255, body, l4);
			if (l4 >= 4)
				ip6_fix(f, 2);
			uint16_t out = run_cap(f, len, len, &v);
			if (types6[i] == 128 && l4 >= 8) /* a short but valid echo */
				continue;
			cr_assert_eq(out, 0, "ICMPv6 type %u, %zu octets: reply", types6[i], l4);
			cr_assert(is_drop(v), "ICMPv6 type %u, %zu: %s", types6[i], l4, vname(v));
		}
		size_t len = frame_ip6(f, our_mac, peer_v6, our_v6, PROTO_UDP, 64, body, l4);
		uint16_t out = run_cap(f, len, len, &v);
		cr_assert_eq(out, 0, "UDP/IPv6 %zu octets: reply", l4);
		cr_assert(is_drop(v), "UDP/IPv6 %zu: %s", l4, vname(v));
	}
}

/* ---- checksum offload ---- */

/*
 * With ctx.tx_csum, every reply a NIC completes (mv_packet_tx_csum) is the
 * reply computed in software, octet for octet; ICMP, ND and ARP replies
 * are complete already.
 */
Test(packet, tx_csum_offload_gives_the_software_replies)
{
	uint8_t q[512], a[BUF], b[BUF];
	size_t qlen = dns_query(q, 7, "WwW.example.com", QTYPE_A, true);
	struct {
		size_t len;
		enum mv_tx_csum what;
	} cases[6];
	uint8_t frames[6][BUF];

	cases[0].len = frame_udp4(frames[0], q, qlen, 40000, 53);
	cases[0].what = MV_TX_CSUM_UDP4;
	cases[1].len = frame_udp6(frames[1], q, qlen, 40001, 53);
	cases[1].what = MV_TX_CSUM_UDP6;
	cases[2].len = frame_icmp4(frames[2], 8);
	cases[3].len = frame_icmp6_echo(frames[3]);
	cases[4].len = frame_arp(frames[4], bcast_mac, 1, our_v4);
	cases[5].len = frame_ns(frames[5], peer_v6, our_v6, 255);
	for (unsigned i = 2; i < 6; i++)
		cases[i].what = MV_TX_CSUM_NONE;

	for (unsigned i = 0; i < 6; i++) {
		enum mv_verdict va, vb;
		memcpy(a, frames[i], BUF);
		memcpy(b, frames[i], BUF);
		uint16_t na = mv_packet_handle(&ctx, a, (uint16_t)cases[i].len, BUF, &va);
		struct mv_packet_ctx off = ctx;
		off.tx_csum = true;
		uint16_t nb = mv_packet_handle(&off, b, (uint16_t)cases[i].len, BUF, &vb);
		cr_assert(na > 0, "case %u answered", i);
		cr_assert_eq(nb, na, "case %u: length", i);
		cr_assert_eq(vb, va, "case %u: verdict", i);
		cr_assert_eq(mv_packet_tx_csum(b), cases[i].what, "case %u: left to the NIC", i);
		nic_complete(b, cases[i].what);
		cr_assert(memcmp(a, b, na) == 0, "case %u: the same octets", i);
	}
}

/* ---- bursts ---- */

/*
 * A burst gives each frame the same fate and the same bytes as handling the
 * frames one by one, in a small table and in one large enough for the
 * prefetching path.
 */
static void burst_equals_one_by_one(size_t capacity, bool large)
{
	enum { N = 40 };
	static uint8_t a[N][BUF], b[N][BUF];
	uint8_t q[512], *frames[N];
	uint16_t lens[N], caps[N], out[N];
	enum mv_verdict v[N];
	const char *docs[] = {zone_json};
	char err[4096] = "";
	struct mv_table *t = mv_table_create(capacity, NULL, NULL);
	static const char *const names[] = {"www.example.com", "WWW.example.com",
					    "nope.example.com", "www.example.org", "example.com"};

	cr_assert_eq(mv_table_is_large(t), large);
	cr_assert_eq(mv_load_docs(t, docs, 1, err, sizeof(err)), 3, "%s", err);
	for (unsigned i = 0; i < N; i++) {
		size_t qlen = dns_query(q, (uint16_t)i, names[i % 5], QTYPE_A, i % 2);
		size_t len = i % 7 == 6   ? frame_arp(a[i], bcast_mac, 1, our_v4)
			     : i % 3 == 2 ? frame_udp6(a[i], q, qlen, (uint16_t)(1000 + i), 53)
					  : frame_udp4(a[i], q, qlen, (uint16_t)(1000 + i), 53);
		if (i == 13)
			a[i][20] ^= 0xff; /* a broken one among them */
		if (i == 16) { /* UDP says more than IP carries: a query only by the UDP length */
			wr16(a[i] + 16, (uint16_t)(rd16(a[i] + 16) - 4));
			ip4_fix(a[i]);
		}
		if (i == 19) /* IPv4 options: the DNS payload is not where a guess would look */
			a[i][14] = 0x46;
		if (i == 22) /* a query to another host's MAC address */
			a[i][5] ^= 0x01;
		if (i == 25) { /* a query to another IPv4 address */
			a[i][14 + 19] ^= 0x01;
			ip4_fix(a[i]);
		}
		if (i == 26) /* IPv6 to another address */
			a[i][14 + 39] ^= 0x01;
		if (i == 29) /* IPv6 without a UDP checksum */
			wr16(a[i] + 14 + 40 + 6, 0);
		memcpy(b[i], a[i], BUF);
		frames[i] = a[i];
		lens[i] = (uint16_t)len;
		caps[i] = BUF;
	}
	struct mv_packet_ctx c = ctx;
	c.table = t;
	mv_packet_handle_burst(&c, frames, lens, caps, N, out, v);
	for (unsigned i = 0; i < N; i++) {
		enum mv_verdict one;
		uint16_t n = mv_packet_handle(&c, b[i], lens[i], BUF, &one);
		cr_assert_eq(v[i], one, "frame %u: %s in a burst, %s alone", i, vname(v[i]),
			     vname(one));
		cr_assert_eq(out[i], n, "frame %u: length", i);
		cr_assert(memcmp(a[i], b[i], n) == 0, "frame %u: bytes", i);
	}
	cr_assert_eq(v[22], MV_VERDICT_DROP_NOT_FOR_US);
	cr_assert_eq(v[25], MV_VERDICT_DROP_NOT_FOR_US);
	cr_assert_eq(v[26], MV_VERDICT_DROP_NOT_FOR_US);
	cr_assert_eq(v[29], MV_VERDICT_DROP_MALFORMED);
	mv_table_destroy(t);
}

Test(packet, burst_equals_one_by_one_small_table)
{
	burst_equals_one_by_one(64, false);
}

Test(packet, burst_equals_one_by_one_large_table)
{
	burst_equals_one_by_one(300000, true);
}
