/* SPDX-License-Identifier: BSD-3-Clause */
#include "packet.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "answer.h"
#include "mvdns.h"
#include "tcp.h"
#include "wire.h"

#define ETH_HLEN   14
#define ETH_P_IPV4 0x0800
#define ETH_P_ARP  0x0806
#define ETH_P_IPV6 0x86dd

#define ARP_LEN        28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

#define IPV4_HLEN        20
#define IPV4_MF          0x2000
#define IPV4_OFFSET_MASK 0x1fff
#define IPV6_HLEN        40
#define IPPROTO_ICMP_    1
#define IPPROTO_TCP_     6
#define IPPROTO_UDP_     17
#define IPPROTO_ICMPV6_  58
#define UDP_HLEN         8
#define REPLY_TTL        64

#define ICMP_ECHO_REPLY     0
#define ICMP_ECHO_REQUEST   8
#define ICMP6_ECHO_REQUEST  128
#define ICMP6_ECHO_REPLY    129
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT  136
#define ND_OPT_SOURCE_LL    1
#define ND_OPT_TARGET_LL    2
#define ND_NA_SOLICITED     0x40
#define ND_NA_OVERRIDE      0x20
#define ND_HOP_LIMIT        255
#define ND_ADVERT_LEN       32 /* header, target, target link-layer address option */

static const uint8_t mac_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/*
 * Ones' complement addition of two 64-bit words: the carry out of the top
 * is added back in (end-around carry). A 64-bit ones' complement sum folds
 * to the same 16-bit sum as adding the 16-bit words one by one (RFC 1071
 * 2(C)), with a quarter of the additions; compilers emit add + adc.
 */
static inline uint64_t csum_add64(uint64_t sum, uint64_t w)
{
	sum += w;
	return sum + (sum < w);
}

/*
 * Ones' complement sum of data taken as native-order 16-bit words, eight
 * octets at a time. The sum is independent of byte order (RFC 1071 2(B)):
 * csum_fold turns it into the host-order value to store with dns_put_u16.
 * A 4- or 2-octet rest is added as a word of its own: only the position of
 * an octet within its 16-bit word matters, not within the 64-bit one.
 */
static uint64_t csum_add(uint64_t sum, const uint8_t *data, size_t len)
{
	for (; len >= 32;
	     data += 32, len -= 32) { /* four words a turn: a quarter of the loop's work */
		uint64_t w0, w1, w2, w3;
		memcpy(&w0, data, 8);
		memcpy(&w1, data + 8, 8);
		memcpy(&w2, data + 16, 8);
		memcpy(&w3, data + 24, 8);
		sum = csum_add64(csum_add64(csum_add64(csum_add64(sum, w0), w1), w2), w3);
	}
	if (len >= 16) {
		uint64_t w0, w1;
		memcpy(&w0, data, 8);
		memcpy(&w1, data + 8, 8);
		sum = csum_add64(csum_add64(sum, w0), w1);
		data += 16;
		len -= 16;
	}
	if (len >= 8) {
		uint64_t w;
		memcpy(&w, data, 8);
		sum = csum_add64(sum, w);
		data += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, data, 4);
		sum = csum_add64(sum, w);
		data += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, data, 2);
		sum = csum_add64(sum, w);
		data += 2;
		len -= 2;
	}
	if (len > 0) { /* the odd octet, padded with a zero octet after it */
		const uint8_t last[2] = {data[0], 0};
		uint16_t w;
		memcpy(&w, last, 2);
		sum = csum_add64(sum, w);
	}
	return sum;
}

/* Fold a 64-bit ones' complement sum to 16 bits, complement it, in host order. */
static inline uint16_t csum_fold(uint64_t sum)
{
	uint32_t s = (uint32_t)sum, high = (uint32_t)(sum >> 32);

	s += high;
	s += s < high; /* end-around carry: cannot carry again */
	/* Adding the halves swapped leaves in the upper half their sum with the
	 * lower half's carry added back: the 16-bit ones' complement sum. */
	s += s >> 16 | s << 16;
	return ntohs((uint16_t) ~(s >> 16));
}

/* Ones' complement sum of an IPv4 header of ihl 32-bit words: straight for 5. */
static inline uint64_t csum_ipv4_header(const uint8_t *ip, unsigned ihl)
{
	uint64_t w0, w1;
	uint32_t w2;

	if (ihl != 5)
		return csum_add(0, ip, ihl * 4u);
	memcpy(&w0, ip, 8);
	memcpy(&w1, ip + 8, 8);
	memcpy(&w2, ip + 16, 4);
	return csum_add64(csum_add64(w0, w1), w2);
}

/* Ones' complement sum of the pseudo-header's protocol and upper-layer length. */
static inline uint64_t csum_pseudo_fixed(uint8_t proto, uint16_t l4_len)
{
	return (uint64_t)htons(proto) + htons(l4_len); /* two 16-bit words: no carry */
}

/*
 * Checksum of an upper-layer packet with the IPv4 or IPv6 pseudo-header.
 * addrs: the source address, the destination right after it (alen octets
 * each) and the l4_len octets of the packet right after them. IPv4 without
 * options and IPv6 without extension headers, the only ones answered, end
 * with the addresses: the pseudo-header's addresses and the packet are then
 * one run of octets, summed in one pass.
 */
static inline uint16_t csum_l4(const uint8_t *addrs, size_t alen, uint8_t proto, uint16_t l4_len)
{
	return csum_fold(csum_add(csum_pseudo_fixed(proto, l4_len), addrs, 2 * alen + l4_len));
}

/*
 * Store the checksum of a UDP or TCP reply laid out as csum_l4 takes it, its
 * checksum field 0, or with ctx->tx_csum what the port completes it from:
 * the pseudo-header's sum, folded and not complemented. A UDP checksum that
 * computes to 0 is sent as all ones (RFC 768: 0 means none). The sum does
 * not depend on which address is the source: callers may store it before
 * they swap them. Inlined where the protocol is a constant.
 */
static inline __attribute__((always_inline)) void put_l4_csum(const struct mv_packet_ctx *ctx,
							      uint8_t *addrs, size_t alen,
							      uint8_t proto, uint16_t l4_len)
{
	uint8_t *sum = addrs + 2 * alen + (proto == IPPROTO_UDP_ ? 6 : 16);

	if (ctx->tx_csum) {
		uint64_t pseudo = csum_add(csum_pseudo_fixed(proto, l4_len), addrs, 2 * alen);
		dns_put_u16(sum, (uint16_t)~csum_fold(pseudo));
		return;
	}
	uint16_t c = csum_l4(addrs, alen, proto, l4_len);
	dns_put_u16(sum, proto == IPPROTO_UDP_ && c == 0 ? 0xffff : c);
}

/* Drop the packet: *v = verdict. Returns 0, the length of no reply. */
static inline uint16_t drop(enum mv_verdict *v, enum mv_verdict verdict)
{
	*v = verdict;
	return 0;
}

/* A check failed: *v = verdict. Returns false. */
static inline bool refuse(enum mv_verdict *v, enum mv_verdict verdict)
{
	*v = verdict;
	return false;
}

static bool is_our_v4(const struct mv_addrs *a, const uint8_t *ip)
{
	for (unsigned i = 0; i < a->n4; i++)
		if (memcmp(a->v4[i], ip, 4) == 0)
			return true;
	return false;
}

static bool is_our_v6(const struct mv_addrs *a, const uint8_t *ip)
{
	for (unsigned i = 0; i < a->n6; i++)
		if (memcmp(a->v6[i], ip, 16) == 0)
			return true;
	return false;
}

/* Reply at layer 2: back to the sender, from our MAC. */
static void eth_turn(uint8_t *frame, const uint8_t mac[6])
{
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, mac, 6);
}

static uint16_t handle_arp(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t len,
			   enum mv_verdict *v)
{
	uint8_t *arp = frame + ETH_HLEN;
	uint8_t ip[4];

	if (len < ETH_HLEN + ARP_LEN)
		return drop(v, MV_VERDICT_DROP_SHORT);
	/* Ethernet/IPv4 requests only: htype 1, ptype 0x0800, hlen 6, plen 4. */
	if (dns_get_u16(arp) != 1 || dns_get_u16(arp + 2) != ETH_P_IPV4 || arp[4] != 6 ||
	    arp[5] != 4 || dns_get_u16(arp + 6) != ARP_OP_REQUEST)
		return drop(v, MV_VERDICT_DROP_UNSUPPORTED);
	if (!is_our_v4(ctx->addrs, arp + 24))
		return drop(v, MV_VERDICT_DROP_NOT_FOR_US);
	memcpy(ip, arp + 24, 4);
	dns_put_u16(arp + 6, ARP_OP_REPLY);
	memcpy(arp + 18, arp + 8, 10); /* target = requester's MAC and IP */
	memcpy(arp + 8, ctx->mac, 6);
	memcpy(arp + 14, ip, 4);
	eth_turn(frame, ctx->mac);
	*v = MV_VERDICT_ARP_REPLY;
	return ETH_HLEN + ARP_LEN;
}

/*
 * The checks of a UDP datagram to port 53, l4 pointing at its header and
 * l4_len octets after it in the IP packet (IPv6 if v6). Returns whether it
 * passes; else *v says why not. The checksum itself is not verified: a
 * query from a local veth or through XDP carries an unfinished one (the
 * sender's kernel left it to an offload that never runs).
 */
static inline bool udp_ok(const uint8_t *l4, uint16_t l4_len, bool v6, enum mv_verdict *v)
{
	if (l4_len < UDP_HLEN || dns_get_u16(l4 + 4) < UDP_HLEN || dns_get_u16(l4 + 4) > l4_len)
		return refuse(v, MV_VERDICT_DROP_MALFORMED);
	/* RFC 8200 8.1: over IPv6 the checksum is mandatory; 0 is discarded. */
	if (v6 && dns_get_u16(l4 + 6) == 0)
		return refuse(v, MV_VERDICT_DROP_MALFORMED);
	if (dns_get_u16(l4 + 2) != MVDNS_DNS_PORT)
		return refuse(v, MV_VERDICT_DROP_UNSUPPORTED);
	return true;
}

/* The UDP header of a reply of `out` DNS octets: ports swapped, its length,
 * no checksum yet. Returns the UDP length. */
static inline uint16_t udp_turn(uint8_t *l4, uint16_t out)
{
	uint16_t sport = dns_get_u16(l4);
	dns_put_u16(l4, MVDNS_DNS_PORT);
	dns_put_u16(l4 + 2, sport);
	dns_put_u16(l4 + 4, (uint16_t)(UDP_HLEN + out));
	dns_put_u16(l4 + 6, 0);
	return (uint16_t)(UDP_HLEN + out);
}

/* Turn a UDP datagram to port 53 into the reply; l4 points at the UDP header
 * (in IPv6 if v6). */
static inline uint16_t handle_udp(const struct mv_packet_ctx *ctx, uint8_t *l4, uint16_t l4_len,
				  uint16_t l4_cap, bool v6, enum mv_verdict *v)
{
	if (!udp_ok(l4, l4_len, v6, v))
		return 0;
	uint16_t out =
		mv_answer(ctx->table, l4 + UDP_HLEN, (uint16_t)(dns_get_u16(l4 + 4) - UDP_HLEN),
			  (uint16_t)(l4_cap - UDP_HLEN), ctx->rng, v);
	return out == 0 ? 0 : udp_turn(l4, out);
}

/* A TCP segment from src to dst (alen octets each, dst right after src as in the
 * IP header, which the checksum relies on): its checksum, then tcp.c. */
static uint16_t handle_tcp(const struct mv_packet_ctx *ctx, const uint8_t *src, const uint8_t *dst,
			   unsigned alen, uint8_t *l4, uint16_t l4_len, uint16_t l4_cap,
			   enum mv_verdict *v)
{
	if (csum_l4(src, alen, IPPROTO_TCP_, l4_len) != 0)
		return drop(v, MV_VERDICT_DROP_MALFORMED);
	return mv_tcp_handle(ctx, src, dst, alen, l4, l4_len, l4_cap, v);
}

/*
 * The checks of an IPv4 packet in frame[0..len) before its protocol is
 * looked at: well formed, from a unicast source, to one of our addresses in
 * a unicast frame, no options, not a fragment. Returns whether it passes;
 * else *v says why not.
 */
static inline bool ipv4_ok(const struct mv_packet_ctx *ctx, const uint8_t *frame, uint16_t len,
			   bool l2_unicast, enum mv_verdict *v)
{
	const uint8_t *ip = frame + ETH_HLEN;

	if (len < ETH_HLEN + IPV4_HLEN)
		return refuse(v, MV_VERDICT_DROP_SHORT);
	uint16_t total = dns_get_u16(ip + 2);
	unsigned ihl = ip[0] & 0xfu;
	/* Version 4 without options, the usual 0x45, passes the first test in one. */
	bool plain = ip[0] == 0x45;
	if ((!plain && ((ip[0] >> 4) != 4 || ihl < 5)) || total < ihl * 4u ||
	    total > len - ETH_HLEN || csum_fold(csum_ipv4_header(ip, ihl)) != 0)
		return refuse(v, MV_VERDICT_DROP_MALFORMED);
	/* A multicast or broadcast source is never answered (RFC 1122 3.2.1.3). */
	if (ip[12] >= 224 || (ip[12] == 0 && ip[13] == 0 && ip[14] == 0 && ip[15] == 0))
		return refuse(v, MV_VERDICT_DROP_MALFORMED);
	/* RFC 1122 3.3.6: unicast IP in a link-layer broadcast is not for us. */
	if (!l2_unicast || !is_our_v4(ctx->addrs, ip + 16))
		return refuse(v, MV_VERDICT_DROP_NOT_FOR_US);
	/* Options and fragments: nothing a DNS query needs; drop. */
	if (!plain || (dns_get_u16(ip + 6) & (IPV4_MF | IPV4_OFFSET_MASK)) != 0)
		return refuse(v, MV_VERDICT_DROP_UNSUPPORTED);
	return true;
}

/* Swap an IP header's source address (alen octets at src) and the
 * destination right after it: a reply goes back where the query came from. */
static inline void swap_addrs(uint8_t *src, size_t alen)
{
	uint8_t tmp[16];

	memcpy(tmp, src, alen);
	memcpy(src, src + alen, alen);
	memcpy(src + alen, tmp, alen);
}

/*
 * The IPv4 header of a reply of `out` octets after it, and the Ethernet
 * header: back to the sender. Returns the frame's length.
 */
static inline uint16_t ipv4_turn(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t out)
{
	uint8_t *ip = frame + ETH_HLEN;

	swap_addrs(ip + 12, 4);
	ip[1] = 0; /* DSCP/ECN */
	dns_put_u16(ip + 2, (uint16_t)(IPV4_HLEN + out));
	dns_put_u16(ip + 6, 0x4000); /* DF, no fragment offset */
	ip[8] = REPLY_TTL;
	dns_put_u16(ip + 10, 0);
	if (!ctx->tx_csum || ip[9] == IPPROTO_ICMP_)
		dns_put_u16(ip + 10, csum_fold(csum_ipv4_header(ip, IPV4_HLEN / 4)));
	eth_turn(frame, ctx->mac);
	return (uint16_t)(ETH_HLEN + IPV4_HLEN + out);
}

static uint16_t handle_ipv4(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t len,
			    uint16_t cap, bool l2_unicast, enum mv_verdict *v)
{
	uint8_t *ip = frame + ETH_HLEN;
	uint16_t out;

	if (!ipv4_ok(ctx, frame, len, l2_unicast, v))
		return 0;
	uint8_t *l4 = ip + IPV4_HLEN;
	uint16_t l4_len = (uint16_t)(dns_get_u16(ip + 2) - IPV4_HLEN);
	uint16_t l4_cap = (uint16_t)(cap - ETH_HLEN - IPV4_HLEN);
	if (ip[9] == IPPROTO_UDP_) {
		out = handle_udp(ctx, l4, l4_len, l4_cap, false, v);
		if (out == 0)
			return 0;
		put_l4_csum(ctx, ip + 12, 4, IPPROTO_UDP_, out);
	} else if (ip[9] == IPPROTO_TCP_) {
		out = handle_tcp(ctx, ip + 12, ip + 16, 4, l4, l4_len, l4_cap, v);
		if (out == 0)
			return 0;
		put_l4_csum(ctx, ip + 12, 4, IPPROTO_TCP_, out);
	} else if (ip[9] == IPPROTO_ICMP_) {
		if (l4_len < 8 || l4[0] != ICMP_ECHO_REQUEST)
			return drop(v, MV_VERDICT_DROP_UNSUPPORTED);
		if (csum_fold(csum_add(0, l4, l4_len)) != 0)
			return drop(v, MV_VERDICT_DROP_MALFORMED);
		l4[0] = ICMP_ECHO_REPLY;
		dns_put_u16(l4 + 2, 0);
		dns_put_u16(l4 + 2, csum_fold(csum_add(0, l4, l4_len)));
		out = l4_len;
		*v = MV_VERDICT_ICMP_ECHO;
	} else {
		return drop(v, MV_VERDICT_DROP_UNSUPPORTED);
	}
	return ipv4_turn(ctx, frame, out);
}

/* Neighbour solicitation for one of our addresses: advertisement in place. */
static uint16_t handle_nd(const struct mv_packet_ctx *ctx, uint8_t *ip, uint8_t *icmp,
			  uint16_t l4_len, uint16_t l4_cap, enum mv_verdict *v)
{
	/* RFC 4861 7.1.1: hop limit 255, code 0, at least 24 octets. */
	if (ip[7] != ND_HOP_LIMIT || icmp[1] != 0 || l4_len < 24)
		return drop(v, MV_VERDICT_DROP_MALFORMED);
	if (l4_cap < ND_ADVERT_LEN) /* no room for the advertisement's 32 octets */
		return drop(v, MV_VERDICT_DROP_SHORT);
	if (!is_our_v6(ctx->addrs, icmp + 8))
		return drop(v, MV_VERDICT_DROP_NOT_FOR_US);
	static const uint8_t unspecified[16];
	bool dad = memcmp(ip + 8, unspecified, 16) == 0;

	/* Destination: the solicitor, or all-nodes for duplicate address detection. */
	if (dad) {
		static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
		memcpy(ip + 24, all_nodes, 16);
	} else {
		memcpy(ip + 24, ip + 8, 16);
	}
	memcpy(ip + 8, icmp + 8, 16); /* source: the target address */
	icmp[0] = ND_NEIGHBOR_ADVERT;
	icmp[4] = (uint8_t)((dad ? 0 : ND_NA_SOLICITED) | ND_NA_OVERRIDE);
	icmp[5] = icmp[6] = icmp[7] = 0;
	icmp[24] = ND_OPT_TARGET_LL;
	icmp[25] = 1; /* in units of 8 octets */
	memcpy(icmp + 26, ctx->mac, 6);
	*v = MV_VERDICT_ND_ADVERT;
	return ND_ADVERT_LEN;
}

/*
 * The checks of an IPv6 packet in frame[0..len) before its addresses and
 * next header are looked at: well formed, from a unicast source. Returns
 * whether it passes; else *v says why not.
 */
static inline bool ipv6_ok(const uint8_t *frame, uint16_t len, enum mv_verdict *v)
{
	const uint8_t *ip = frame + ETH_HLEN;

	if (len < ETH_HLEN + IPV6_HLEN)
		return refuse(v, MV_VERDICT_DROP_SHORT);
	if ((ip[0] >> 4) != 6 || dns_get_u16(ip + 4) > len - ETH_HLEN - IPV6_HLEN)
		return refuse(v, MV_VERDICT_DROP_MALFORMED);
	if (ip[8] == 0xff) /* a multicast source is never answered (RFC 4291 2.7) */
		return refuse(v, MV_VERDICT_DROP_MALFORMED);
	return true;
}

/*
 * The IPv6 header of a reply of `out` octets after it, and the Ethernet
 * header: back to the sender. Returns the frame's length.
 */
static inline uint16_t ipv6_turn(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t out)
{
	uint8_t *ip = frame + ETH_HLEN;

	swap_addrs(ip + 8, 16);
	ip[7] = REPLY_TTL;
	dns_put_u16(ip + 4, out);
	eth_turn(frame, ctx->mac);
	return (uint16_t)(ETH_HLEN + IPV6_HLEN + out);
}

/* The ICMPv6 checksum of the message at l4, len octets, in IPv6 packet ip. */
static void icmp6_csum(uint8_t *ip, uint8_t *l4, uint16_t len)
{
	dns_put_u16(l4 + 2, 0);
	dns_put_u16(l4 + 2, csum_l4(ip + 8, 16, IPPROTO_ICMPV6_, len));
}

static uint16_t handle_ipv6(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t len,
			    uint16_t cap, bool l2_unicast, enum mv_verdict *v)
{
	uint8_t *ip = frame + ETH_HLEN;
	uint16_t out;

	if (!ipv6_ok(frame, len, v))
		return 0;
	uint16_t l4_len = dns_get_u16(ip + 4);
	uint8_t *l4 = ip + IPV6_HLEN;
	uint16_t l4_cap = (uint16_t)(cap - ETH_HLEN - IPV6_HLEN);
	bool solicit = ip[6] == IPPROTO_ICMPV6_ && l4_len >= 24 && l4[0] == ND_NEIGHBOR_SOLICIT;

	/* Solicitations go to a solicited-node multicast address, not to ours. */
	if (!solicit && (!l2_unicast || !is_our_v6(ctx->addrs, ip + 24)))
		return drop(v, MV_VERDICT_DROP_NOT_FOR_US);
	if (ip[6] == IPPROTO_UDP_) {
		out = handle_udp(ctx, l4, l4_len, l4_cap, true, v);
		if (out == 0)
			return 0;
		put_l4_csum(ctx, ip + 8, 16, IPPROTO_UDP_, out);
	} else if (ip[6] == IPPROTO_TCP_) {
		out = handle_tcp(ctx, ip + 8, ip + 24, 16, l4, l4_len, l4_cap, v);
		if (out == 0)
			return 0;
		put_l4_csum(ctx, ip + 8, 16, IPPROTO_TCP_, out);
	} else if (ip[6] == IPPROTO_ICMPV6_) {
		if (l4_len < 8 || csum_l4(ip + 8, 16, IPPROTO_ICMPV6_, l4_len) != 0)
			return drop(v, MV_VERDICT_DROP_MALFORMED);
		if (solicit) { /* the advertisement has addresses of its own */
			out = handle_nd(ctx, ip, l4, l4_len, l4_cap, v);
			if (out == 0)
				return 0;
			dns_put_u16(ip + 4, out);
			icmp6_csum(ip, l4, out);
			eth_turn(frame, ctx->mac);
			if (ip[24] ==
			    0xff) { /* to a multicast address (DAD): 33:33 + its low 32 bits */
				frame[0] = frame[1] = 0x33;
				memcpy(frame + 2, ip + 24 + 12, 4);
			}
			return (uint16_t)(ETH_HLEN + IPV6_HLEN + out);
		}
		if (l4[0] != ICMP6_ECHO_REQUEST)
			return drop(v, MV_VERDICT_DROP_UNSUPPORTED);
		l4[0] = ICMP6_ECHO_REPLY;
		icmp6_csum(ip, l4,
			   l4_len); /* the sum does not depend on which address is the source */
		out = l4_len;
		*v = MV_VERDICT_ICMP_ECHO;
	} else {
		return drop(v, MV_VERDICT_DROP_UNSUPPORTED); /* extension headers included */
	}
	return ipv6_turn(ctx, frame, out);
}

uint16_t mv_packet_handle(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t len,
			  uint16_t cap, enum mv_verdict *verdict)
{
	if (len < ETH_HLEN)
		return drop(verdict, MV_VERDICT_DROP_SHORT);
	/* Unicast to us, broadcast (ARP) or multicast (neighbour solicitation). */
	bool l2_unicast = memcmp(frame, ctx->mac, 6) == 0;
	if (!l2_unicast && memcmp(frame, mac_broadcast, 6) != 0 && !(frame[0] & 1))
		return drop(verdict, MV_VERDICT_DROP_NOT_FOR_US);
	/* Tested in the order of their frequency: a switch tests ARP first. */
	uint16_t type = dns_get_u16(frame + 12);
	if (type == ETH_P_IPV4)
		return handle_ipv4(ctx, frame, len, cap, l2_unicast, verdict);
	if (type == ETH_P_IPV6)
		return handle_ipv6(ctx, frame, len, cap, l2_unicast, verdict);
	if (type == ETH_P_ARP)
		return handle_arp(ctx, frame, len, verdict);
	return drop(verdict, MV_VERDICT_DROP_UNSUPPORTED);
}

enum mv_tx_csum mv_packet_tx_csum(const uint8_t *reply)
{
	switch (dns_get_u16(reply + 12)) {
	case ETH_P_IPV4:
		return reply[ETH_HLEN + 9] == IPPROTO_UDP_   ? MV_TX_CSUM_UDP4
		       : reply[ETH_HLEN + 9] == IPPROTO_TCP_ ? MV_TX_CSUM_TCP4
							     : MV_TX_CSUM_NONE;
	case ETH_P_IPV6:
		return reply[ETH_HLEN + 6] == IPPROTO_UDP_   ? MV_TX_CSUM_UDP6
		       : reply[ETH_HLEN + 6] == IPPROTO_TCP_ ? MV_TX_CSUM_TCP6
							     : MV_TX_CSUM_NONE;
	default:
		return MV_TX_CSUM_NONE;
	}
}

/* A frame's DNS query, parsed by a burst's first pass. */
struct query {
	struct mv_parsed parsed; /* the UDP payload, parsed */
	bool v6;                 /* in IPv6, else in IPv4 */
};

/*
 * Whether frame[0..len) is a query to answer: a unicast frame to us with an
 * IPv4 or IPv6 packet and a UDP datagram to port 53 that pass every check
 * mv_packet_handle makes on the way, and a payload that parses as a query
 * (into *q). Anything else, and any failed check, is left to
 * mv_packet_handle, which gives the frame its fate: so the two can differ
 * only in how fast they get there.
 */
static inline bool query_of(const struct mv_packet_ctx *ctx, uint8_t *frame, uint16_t len,
			    struct query *q)
{
	enum mv_verdict not_now; /* mv_packet_handle's to say */
	uint8_t *l4;
	uint16_t l4_len;

	if (len < ETH_HLEN || memcmp(frame, ctx->mac, 6) != 0)
		return false;
	switch (dns_get_u16(frame + 12)) {
	case ETH_P_IPV4:
		if (!ipv4_ok(ctx, frame, len, true, &not_now) ||
		    frame[ETH_HLEN + 9] != IPPROTO_UDP_)
			return false;
		l4 = frame + ETH_HLEN + IPV4_HLEN;
		l4_len = (uint16_t)(dns_get_u16(frame + ETH_HLEN + 2) - IPV4_HLEN);
		q->v6 = false;
		break;
	case ETH_P_IPV6:
		if (!ipv6_ok(frame, len, &not_now) || frame[ETH_HLEN + 6] != IPPROTO_UDP_ ||
		    !is_our_v6(ctx->addrs, frame + ETH_HLEN + 24))
			return false;
		l4 = frame + ETH_HLEN + IPV6_HLEN;
		l4_len = dns_get_u16(frame + ETH_HLEN + 4);
		q->v6 = true;
		break;
	default:
		return false;
	}
	if (!udp_ok(l4, l4_len, q->v6, &not_now))
		return false;
	struct mv_parsed *p = &q->parsed;
	p->msg = l4 + UDP_HLEN;
	p->len = (uint16_t)(dns_get_u16(l4 + 4) - UDP_HLEN);
	p->status = dns_query_parse(p->msg, p->len, &p->q);
	return p->status == DNS_QUERY_OK;
}

/* The reply to a frame query_of took, in a buffer of cap octets: the rest of
 * mv_packet_handle's way for it. Returns the reply's length, 0 to drop. */
static inline uint16_t answer_query(const struct mv_packet_ctx *ctx, const struct query *q,
				    uint8_t *frame, uint16_t cap, enum mv_verdict *v)
{
	const struct mv_parsed *p = &q->parsed;
	uint8_t *l4 = p->msg - UDP_HLEN;
	uint16_t out =
		mv_answer_parsed(ctx->table, p, (uint16_t)(cap - (p->msg - frame)), ctx->rng, v);

	if (out == 0)
		return 0;
	out = udp_turn(l4, out);
	if (q->v6) {
		put_l4_csum(ctx, frame + ETH_HLEN + 8, 16, IPPROTO_UDP_, out);
		return ipv6_turn(ctx, frame, out);
	}
	put_l4_csum(ctx, frame + ETH_HLEN + 12, 4, IPPROTO_UDP_, out);
	return ipv4_turn(ctx, frame, out);
}

void mv_packet_handle_burst(const struct mv_packet_ctx *ctx, uint8_t *const *frames,
			    const uint16_t *lens, const uint16_t *caps, unsigned n, uint16_t *out,
			    enum mv_verdict *verdicts)
{
	struct query q[MV_PACKET_BURST_MAX];
	bool dns[MV_PACKET_BURST_MAX];

	if (n > MV_PACKET_BURST_MAX) {
		mv_packet_handle_burst(ctx, frames, lens, caps, MV_PACKET_BURST_MAX, out, verdicts);
		mv_packet_handle_burst(ctx, frames + MV_PACKET_BURST_MAX,
				       lens + MV_PACKET_BURST_MAX, caps + MV_PACKET_BURST_MAX,
				       n - MV_PACKET_BURST_MAX, out + MV_PACKET_BURST_MAX,
				       verdicts + MV_PACKET_BURST_MAX);
		return;
	}
	/*
	 * The queries first, then the answers: two short loops run faster than
	 * one long one even when the names are in the caches (1k names, mix a:
	 * bench/HISTORY.md, nineteenth stop). In between, on a table too large
	 * for the caches, the names' slots are prefetched, then their nodes. The
	 * slot prefetches get a loop of their own: issued between parses, each
	 * held the parse behind it for as long as it took (10M names: 270-430
	 * cycles per query in the parse's loop, 93 in a loop of its own;
	 * bench/HISTORY.md, sixth stop).
	 */
	for (unsigned i = 0; i < n; i++)
		dns[i] = query_of(ctx, frames[i], lens[i], &q[i]);
	if (mv_table_is_large(ctx->table)) {
		for (unsigned i = 0; i < n; i++)
			if (dns[i])
				mv_table_prefetch_slot(ctx->table, q[i].parsed.q.qname_hash);
		for (unsigned i = 0; i < n; i++)
			if (dns[i])
				mv_table_prefetch_node(ctx->table, q[i].parsed.q.qname_hash);
	}
	for (unsigned i = 0; i < n; i++)
		out[i] = dns[i] ? answer_query(ctx, &q[i], frames[i], caps[i], &verdicts[i])
				: mv_packet_handle(ctx, frames[i], lens[i], caps[i], &verdicts[i]);
}
