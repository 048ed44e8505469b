/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames assembled by hand for the packet-path tests (test_packet.c,
 * test_tcp.c) and the in-process benchmark (bench/inproc.c): addresses,
 * byte helpers, an RFC 1071 checksum written independently of
 * dataplane/packet.c, and builders for Ethernet, ARP, IPv4, IPv6, UDP,
 * ICMP, neighbour discovery and DNS queries. Plain C, no test framework:
 * what the tests check replies with is in frames_check.h.
 */
#ifndef MV_TEST_FRAMES_H
#define MV_TEST_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ETH_LEN     14
#define IP4_LEN     20
#define IP6_LEN     40
#define UDP_LEN     8
#define ARP_BODY    28
#define ET_IPV4     0x0800
#define ET_ARP      0x0806
#define ET_IPV6     0x86dd
#define ET_VLAN     0x8100
#define PROTO_ICMP  1
#define PROTO_TCP   6
#define PROTO_UDP   17
#define PROTO_ICMP6 58
#define QTYPE_A     1
#define QTYPE_SOA   6
#define BUF         2048

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t other_mac[6] = {0x02, 0, 0, 0, 0, 0x99};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ns_mac[6] = {0x33, 0x33, 0xff, 0, 0, 0x01}; /* for ff02::1:ff00:1 */
static const uint8_t our_v4[4] = {10, 53, 0, 1};
static const uint8_t peer_v4[4] = {10, 53, 0, 2};
static const uint8_t other_v4[4] = {10, 53, 0, 9};
static const uint8_t our_v6[16] = {0xfd, 0x53, [15] = 1};
static const uint8_t peer_v6[16] = {0xfd, 0x53, [15] = 2};
static const uint8_t other_v6[16] = {0xfd, 0x53, [15] = 9};
static const uint8_t unspec_v6[16];
static const uint8_t all_nodes_v6[16] = {0xff, 0x02, [15] = 1};
static const uint8_t solicited_v6[16] = {0xff, 0x02, [11] = 1, 0xff, 0, 0, 1};

/* ---- byte helpers ---- */

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/*
 * RFC 1071 ones' complement sum, written independently of packet.c: 64-bit
 * accumulator over big-endian 16-bit words, odd octet padded with zero.
 */
static inline uint64_t sum_bytes(uint64_t acc, const uint8_t *p, size_t n)
{
	while (n >= 2) {
		acc += rd16(p);
		p += 2;
		n -= 2;
	}
	if (n == 1)
		acc += (uint64_t)p[0] << 8;
	return acc;
}

static inline uint16_t sum_fold(uint64_t acc)
{
	while (acc > 0xffff)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* The checksum to store: complement of the folded sum. */
static inline uint16_t csum(uint64_t acc)
{
	return (uint16_t)~sum_fold(acc);
}

/* Sum of the IPv4 or IPv6 pseudo-header (alen 4 or 16). */
static inline uint64_t pseudo(const uint8_t *src, const uint8_t *dst, size_t alen, uint8_t proto,
			      size_t l4_len)
{
	uint64_t acc = sum_bytes(0, src, alen);
	acc = sum_bytes(acc, dst, alen);
	return acc + proto + (l4_len & 0xffff) + (l4_len >> 16);
}

/* Whether an IPv4 header (with its checksum field) verifies. */
static inline bool ip4_csum_ok(const uint8_t *ip)
{
	return sum_fold(sum_bytes(0, ip, (ip[0] & 0xfu) * 4)) == 0xffff;
}

/* Whether an upper-layer packet (checksum field included) verifies with its pseudo-header. */
static inline bool l4_csum_ok(const uint8_t *src, const uint8_t *dst, size_t alen, uint8_t proto,
			      const uint8_t *l4, size_t len)
{
	return sum_fold(sum_bytes(pseudo(src, dst, alen, proto, len), l4, len)) == 0xffff;
}

/* ---- frame builders ---- */

static inline size_t put_eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	wr16(f + 12, type);
	return ETH_LEN;
}

/* Recompute the IPv4 header checksum after editing the header. */
static inline void ip4_fix(uint8_t *f)
{
	uint8_t *ip = f + ETH_LEN;
	wr16(ip + 10, 0);
	wr16(ip + 10, csum(sum_bytes(0, ip, (ip[0] & 0xfu) * 4)));
}

/* IPv4 header without options: TOS, ID, TTL set to values a reply must change. */
static inline void put_ip4(uint8_t *ip, size_t total, uint8_t proto, const uint8_t *src,
			   const uint8_t *dst)
{
	memset(ip, 0, IP4_LEN);
	ip[0] = 0x45;
	ip[1] = 0x28;
	wr16(ip + 2, (uint16_t)total);
	wr16(ip + 4, 0xbeef);
	ip[8] = 57;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	wr16(ip + 10, csum(sum_bytes(0, ip, IP4_LEN)));
}

/* Recompute the UDP checksum of an IPv4 frame (header without options). */
static inline void udp4_fix(uint8_t *f)
{
	uint8_t *ip = f + ETH_LEN, *udp = ip + IP4_LEN;
	size_t len = rd16(ip + 2) - IP4_LEN;
	wr16(udp + 6, 0);
	uint16_t c = csum(sum_bytes(pseudo(ip + 12, ip + 16, 4, PROTO_UDP, len), udp, len));
	wr16(udp + 6, c == 0 ? 0xffff : c);
}

/* Ethernet + IPv4 + UDP around payload, checksums correct. */
static inline size_t frame_udp4(uint8_t *f, const uint8_t *payload, size_t plen, uint16_t sport,
				uint16_t dport)
{
	size_t n = put_eth(f, our_mac, peer_mac, ET_IPV4);
	uint8_t *ip = f + n, *udp = ip + IP4_LEN;

	put_ip4(ip, IP4_LEN + UDP_LEN + plen, PROTO_UDP, peer_v4, our_v4);
	wr16(udp, sport);
	wr16(udp + 2, dport);
	wr16(udp + 4, (uint16_t)(UDP_LEN + plen));
	memcpy(udp + UDP_LEN, payload, plen);
	udp4_fix(f);
	return n + IP4_LEN + UDP_LEN + plen;
}

/* Ethernet + IPv4 + ICMP echo request with a small payload. */
static inline size_t frame_icmp4(uint8_t *f, uint8_t type)
{
	static const char data[] = "mvdns-ping-0123456789";
	size_t n = put_eth(f, our_mac, peer_mac, ET_IPV4);
	uint8_t *ip = f + n, *icmp = ip + IP4_LEN;
	size_t l4 = 8 + sizeof(data);

	put_ip4(ip, IP4_LEN + l4, PROTO_ICMP, peer_v4, our_v4);
	icmp[0] = type;
	icmp[1] = 0;
	wr16(icmp + 2, 0);
	wr16(icmp + 4, 0x4242); /* identifier */
	wr16(icmp + 6, 7);      /* sequence */
	memcpy(icmp + 8, data, sizeof(data));
	wr16(icmp + 2, csum(sum_bytes(0, icmp, l4)));
	return n + IP4_LEN + l4;
}

/* Ethernet + IPv6 around l4 (copied in); the caller fixes the checksum. */
static inline size_t frame_ip6(uint8_t *f, const uint8_t *dmac, const uint8_t *src,
			       const uint8_t *dst, uint8_t nh, uint8_t hop, const uint8_t *l4,
			       size_t l4_len)
{
	size_t n = put_eth(f, dmac, peer_mac, ET_IPV6);
	uint8_t *ip = f + n;

	memset(ip, 0, IP6_LEN);
	ip[0] = 0x60;
	ip[1] = 0x0a; /* a traffic class and flow label, kept as is */
	ip[3] = 0x5e;
	wr16(ip + 4, (uint16_t)l4_len);
	ip[6] = nh;
	ip[7] = hop;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	memcpy(ip + IP6_LEN, l4, l4_len);
	return n + IP6_LEN + l4_len;
}

/* Recompute the checksum at offset csum_off of the upper layer of an IPv6 frame. */
static inline void ip6_fix(uint8_t *f, size_t csum_off)
{
	uint8_t *ip = f + ETH_LEN, *l4 = ip + IP6_LEN;
	size_t len = rd16(ip + 4);

	wr16(l4 + csum_off, 0);
	uint16_t c = csum(sum_bytes(pseudo(ip + 8, ip + 24, 16, ip[6], len), l4, len));
	wr16(l4 + csum_off, c == 0 && ip[6] == PROTO_UDP ? 0xffff : c);
}

static inline size_t frame_udp6(uint8_t *f, const uint8_t *payload, size_t plen, uint16_t sport,
				uint16_t dport)
{
	uint8_t l4[BUF];

	wr16(l4, sport);
	wr16(l4 + 2, dport);
	wr16(l4 + 4, (uint16_t)(UDP_LEN + plen));
	wr16(l4 + 6, 0);
	memcpy(l4 + UDP_LEN, payload, plen);
	size_t n = frame_ip6(f, our_mac, peer_v6, our_v6, PROTO_UDP, 64, l4, UDP_LEN + plen);
	ip6_fix(f, 6);
	return n;
}

static inline size_t frame_icmp6_echo(uint8_t *f)
{
	uint8_t l4[8 + 16] = {128, 0, 0, 0, 0x12, 0x34, 0, 9, 'm', 'v', 'd', 'n', 's'};
	size_t n = frame_ip6(f, our_mac, peer_v6, our_v6, PROTO_ICMP6, 64, l4, sizeof(l4));
	ip6_fix(f, 2);
	return n;
}

/*
 * Neighbour solicitation from src for target, to the solicited-node
 * multicast group of fd53::1, with a source link-layer option unless src is
 * the unspecified address (duplicate address detection).
 */
static inline size_t frame_ns(uint8_t *f, const uint8_t *src, const uint8_t *target, uint8_t hop)
{
	uint8_t l4[32] = {135, 0};
	size_t l4_len = 24;

	memcpy(l4 + 8, target, 16);
	if (memcmp(src, unspec_v6, 16) != 0) {
		l4[24] = 1; /* source link-layer address */
		l4[25] = 1;
		memcpy(l4 + 26, peer_mac, 6);
		l4_len = 32;
	}
	size_t n = frame_ip6(f, ns_mac, src, solicited_v6, PROTO_ICMP6, hop, l4, l4_len);
	ip6_fix(f, 2);
	return n;
}

static inline size_t frame_arp(uint8_t *f, const uint8_t *dmac, uint16_t op, const uint8_t *tip)
{
	size_t n = put_eth(f, dmac, peer_mac, ET_ARP);
	uint8_t *a = f + n;

	wr16(a, 1);
	wr16(a + 2, ET_IPV4);
	a[4] = 6;
	a[5] = 4;
	wr16(a + 6, op);
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, peer_v4, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, tip, 4);
	return n + ARP_BODY;
}

/* Wire form of a dotted name. */
static inline size_t name_wire(uint8_t *out, const char *text)
{
	size_t n = 0;

	while (*text != '\0') {
		size_t l = strcspn(text, ".");
		out[n++] = (uint8_t)l;
		memcpy(out + n, text, l);
		n += l;
		text += l;
		if (*text == '.')
			text++;
	}
	out[n++] = 0;
	return n;
}

/* A DNS query with RD set, optionally with an OPT record (payload 1232). */
static inline size_t dns_query(uint8_t *q, uint16_t id, const char *name, uint16_t qtype, bool edns)
{
	memset(q, 0, 12);
	wr16(q, id);
	q[2] = 0x01;
	wr16(q + 4, 1);
	size_t n = 12 + name_wire(q + 12, name);
	wr16(q + n, qtype);
	wr16(q + n + 2, 1);
	n += 4;
	if (edns) {
		wr16(q + 10, 1);
		q[n] = 0;
		wr16(q + n + 1, 41);
		wr16(q + n + 3, 1232);
		memset(q + n + 5, 0, 6);
		n += 11;
	}
	return n;
}

#endif /* MV_TEST_FRAMES_H */
