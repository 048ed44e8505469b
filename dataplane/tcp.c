/* SPDX-License-Identifier: BSD-3-Clause */
#include "tcp.h"

#include <stdbool.h>
#include <string.h>

#include "answer.h"
#include "mvdns.h"
#include "wire.h"

#define TCP_HLEN     20
#define TCP_FIN      0x01
#define TCP_SYN      0x02
#define TCP_RST      0x04
#define TCP_PSH      0x08
#define TCP_ACK      0x10
#define TCP_OPT_END  0
#define TCP_OPT_NOP  1
#define TCP_OPT_MSS  2
#define TCP_WINDOW   65535
#define DEFAULT_MSS  536 /* RFC 9293 3.7.1: when the SYN announces none */
#define LENGTH_FIELD 2   /* RFC 1035 4.2.2: each message after its length */

/* The MSS a cookie can carry: its low two bits index this. */
static const uint16_t mss_table[4] = {536, 1220, 1440, 1460};
/* Our own, for a 1,500-octet MTU: minus the IPv4 or IPv6 and TCP headers. */
#define OUR_MSS_V4 1460
#define OUR_MSS_V6 1440

static inline uint64_t rotl(uint64_t x, unsigned b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

/* SipHash-2-4 (Aumasson and Bernstein) of in[0..len), keyed by key. */
static uint64_t siphash(const uint64_t key[2], const uint8_t *in, size_t len)
{
	uint64_t v[4] = {key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
			 key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull};
	uint64_t m, last = (uint64_t)len << 56;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&m, in + i, 8);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	for (unsigned k = 0; i + k < len; k++) /* the tail, little-endian */
		last |= (uint64_t)in[i + k] << (8 * k);
	v[3] ^= last;
	sip_round(v);
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (unsigned r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* The cookie of a connection, its two low bits clear (they carry the MSS). */
static uint32_t cookie(const uint64_t key[2], const uint8_t *src, const uint8_t *dst, unsigned alen,
		       const uint8_t *ports)
{
	uint8_t in[2 * 16 + 4];

	memcpy(in, src, alen);
	memcpy(in + alen, dst, alen);
	memcpy(in + 2 * alen, ports, 4);
	return (uint32_t)siphash(key, in, 2 * alen + 4) & ~3u;
}

/* The MSS option of a SYN, or DEFAULT_MSS. */
static uint16_t syn_mss(const uint8_t *opt, unsigned len)
{
	for (unsigned i = 0; i < len && opt[i] != TCP_OPT_END;) {
		if (opt[i] == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len || opt[i + 1] < 2 || i + opt[i + 1] > len)
			break;
		if (opt[i] == TCP_OPT_MSS && opt[i + 1] == 4)
			return dns_get_u16(opt + i + 2);
		i += opt[i + 1];
	}
	return DEFAULT_MSS;
}

/* Write the reply header over the segment's: ports swapped, no options. */
static void put_header(uint8_t *l4, uint32_t seq, uint32_t ack, uint8_t flags, unsigned hlen)
{
	uint8_t port[2];

	memcpy(port, l4, 2);
	memcpy(l4, l4 + 2, 2);
	memcpy(l4 + 2, port, 2);
	dns_put_u32(l4 + 4, seq);
	dns_put_u32(l4 + 8, ack);
	l4[12] = (uint8_t)(hlen / 4 << 4);
	l4[13] = flags;
	dns_put_u16(l4 + 14, TCP_WINDOW);
	dns_put_u32(l4 + 16, 0); /* checksum (the caller's), urgent pointer */
}

/*
 * A segment no connection of ours explains: data after our FIN (a client
 * that pipelined more queries) or a cookie that does not match. RST it
 * (RFC 9293 3.10.7.1: SEQ = the segment's ACK), so that the client learns
 * at once and asks again on a new connection instead of waiting out its
 * timeout.
 */
static uint16_t reset(uint8_t *l4, uint32_t ack, enum mv_verdict *verdict)
{
	put_header(l4, ack, 0, TCP_RST, TCP_HLEN);
	*verdict = MV_VERDICT_TCP_RESET;
	return TCP_HLEN;
}

/*
 * Answer the complete DNS messages in in[0..len) into out[0..room), each
 * after its length. Out: *consumed, the octets of in used. Returns the
 * octets written (0: none answered).
 */
static uint16_t answer_messages(const struct mv_packet_ctx *ctx, const uint8_t *in, uint16_t len,
				uint8_t *out, uint16_t room, uint16_t *consumed,
				enum mv_verdict *verdict)
{
	uint16_t ipos = 0, opos = 0;
	enum mv_verdict v;

	*verdict = MV_VERDICT_DROP_TCP_PARTIAL; /* then: the last answer's, or drop's */
	while (ipos + LENGTH_FIELD <= len) {
		uint16_t mlen = dns_get_u16(in + ipos);
		if (ipos + LENGTH_FIELD + mlen > len ||
		    opos + LENGTH_FIELD + mlen > room) /* incomplete, or no room to answer in */
			break;
		uint8_t *msg = out + opos + LENGTH_FIELD;
		memcpy(msg, in + ipos + LENGTH_FIELD, mlen);
		ipos = (uint16_t)(ipos + LENGTH_FIELD + mlen);
		uint16_t n = mv_answer_stream(ctx->table, msg, mlen,
					      (uint16_t)(room - opos - LENGTH_FIELD), ctx->rng, &v);
		if (opos == 0 || n > 0)
			*verdict = v;
		if (n == 0)
			continue; /* not a query: no answer, as over UDP */
		dns_put_u16(out + opos, n);
		opos = (uint16_t)(opos + LENGTH_FIELD + n);
	}
	*consumed = ipos;
	return opos;
}

uint16_t mv_tcp_handle(const struct mv_packet_ctx *ctx, const uint8_t *src, const uint8_t *dst,
		       unsigned alen, uint8_t *l4, uint16_t l4_len, uint16_t l4_cap,
		       enum mv_verdict *verdict)
{
	unsigned hlen = (unsigned)(l4[12] >> 4) * 4;

	*verdict = MV_VERDICT_DROP_MALFORMED;
	if (l4_len < TCP_HLEN || hlen < TCP_HLEN || hlen > l4_len)
		return 0;
	*verdict = MV_VERDICT_DROP_UNSUPPORTED;
	if (dns_get_u16(l4 + 2) != MVDNS_DNS_PORT)
		return 0;
	uint8_t flags = l4[13];
	uint32_t seq = dns_get_u32(l4 + 4), ack = dns_get_u32(l4 + 8);
	uint16_t payload = (uint16_t)(l4_len - hlen);
	uint16_t our_mss = alen == 4 ? OUR_MSS_V4 : OUR_MSS_V6;

	/* RSTs, the handshake's last ACK and the ACKs of our replies: no reply,
	 * and no cookie to compute. */
	*verdict = MV_VERDICT_TCP_NO_REPLY;
	if ((flags & TCP_RST) ||
	    ((flags & (TCP_SYN | TCP_FIN | TCP_ACK)) == TCP_ACK && payload == 0))
		return 0;
	uint32_t isn = cookie(ctx->tcp_key, src, dst, alen, l4);
	if (flags & TCP_SYN) {
		*verdict = MV_VERDICT_DROP_MALFORMED;
		if (flags & (TCP_ACK | TCP_FIN) || l4_cap < TCP_HLEN + 4)
			return 0;
		uint16_t mss = syn_mss(l4 + TCP_HLEN, hlen - TCP_HLEN);
		unsigned idx = 0;
		while (idx + 1 < 4 && mss_table[idx + 1] <= mss && mss_table[idx + 1] <= our_mss)
			idx++;
		put_header(l4, isn | idx, seq + 1, TCP_SYN | TCP_ACK, TCP_HLEN + 4);
		const uint8_t opt[4] = {TCP_OPT_MSS, 4, (uint8_t)(our_mss >> 8), (uint8_t)our_mss};
		memcpy(l4 + TCP_HLEN, opt, 4);
		*verdict = MV_VERDICT_TCP_SYN_ACK;
		return TCP_HLEN + 4;
	}
	if (!(flags & TCP_ACK)) {
		*verdict = MV_VERDICT_DROP_MALFORMED;
		return 0;
	}
	uint32_t sent = ack - 1 - isn; /* octets we sent (the MSS bits included) */

	if (payload > 0) {
		/* Data: only as the first segment after the handshake. */
		if (sent > 3)
			return reset(l4, ack, verdict);
		uint16_t mss = mss_table[sent];
		uint16_t room = (uint16_t)(l4_cap - TCP_HLEN < mss ? l4_cap - TCP_HLEN : mss);
		uint8_t in[UINT16_MAX];
		uint16_t consumed;
		memcpy(in, l4 + hlen, payload);
		uint16_t out =
			answer_messages(ctx, in, payload, l4 + TCP_HLEN, room, &consumed, verdict);
		if (out == 0)
			return 0;
		uint32_t fin = consumed == payload && (flags & TCP_FIN) ? 1 : 0;
		put_header(l4, ack, seq + consumed + fin, TCP_ACK | TCP_PSH | TCP_FIN, TCP_HLEN);
		return (uint16_t)(TCP_HLEN + out);
	}
	/* A FIN: before we sent anything (sent: the MSS bits), or after our reply. */
	if (sent > 3 + UINT16_MAX + 1)
		return reset(l4, ack, verdict);
	put_header(l4, ack, seq + 1, (uint8_t)(TCP_ACK | (sent <= 3 ? TCP_FIN : 0)), TCP_HLEN);
	*verdict = MV_VERDICT_TCP_FIN_ACK;
	return TCP_HLEN;
}
