/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: "packet in, reply out". Each input is fed
 *   1. as a DNS message to mv_answer, in buffers of several capacities,
 *   2. as the payload of an Ethernet + IPv4 + UDP frame to port 53, to
 *      mv_packet_handle,
 *   3. as a raw Ethernet frame to mv_packet_handle (ARP, ND, ICMP, IPv6),
 *   4. as a TCP segment (header, options and data) to port 53, checksums
 *      made right, and as the data after a completed handshake,
 * the frames of 2 and 3 also as a burst of one to mv_packet_handle_burst,
 * which must give the same verdict, length and octets,
 * against a table loaded from an embedded zone. Every buffer is allocated
 * at exactly its capacity, so AddressSanitizer sees any write past it.
 * A broken invariant traps:
 *   - a reply never exceeds the capacity, nor 512 octets without an OPT
 *     record, nor 1232 with one;
 *   - a reply is a well-formed DNS message (every record inside it, every
 *     compression pointer backwards, nothing after the last record) with the
 *     query's ID, QR set, and the question echoed as it came;
 *   - the verdict says whether a reply was sent;
 *   - a UDP reply frame has swapped addresses and ports, consistent lengths
 *     and correct IPv4 and UDP checksums, and carries what mv_answer says;
 *   - a TCP reply segment has swapped ports, consistent lengths and correct
 *     checksums, and its data is whole length-prefixed DNS messages.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "load.h"
#include "packet.h"

#define DNS_MAX   4096
#define ETH_LEN   14
#define IP4_LEN   20
#define UDP_LEN   8
#define HDRS      (ETH_LEN + IP4_LEN + UDP_LEN)
#define PLAIN_MAX 512
#define EDNS_MAX  1232
#define RAW_SLACK 64

#define CHECK(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t our_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t our_v4[4] = {10, 53, 0, 1};
static const uint8_t peer_v4[4] = {10, 53, 0, 2};
static const uint8_t our_v6[16] = {0xfd, 0x53, [15] = 1};

static struct mv_addrs addrs;
static struct mv_table *table;
static uint64_t rng = 0x9e3779b97f4a7c15ull; /* multivalue choices */
static struct mv_packet_ctx ctx;

/* Whether a verdict comes with a reply (the third column of MV_VERDICTS). */
static const bool verdict_replies[MV_VERDICT_COUNT] = {
#define FUZZ_VERDICT_REPLY(e, name, reply) [MV_VERDICT_##e] = (reply),
	MV_VERDICTS(FUZZ_VERDICT_REPLY)
#undef FUZZ_VERDICT_REPLY
};

/* clang-format off */
#define RRSET(name, type, ttl, values) \
	"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"" name "\", \"Type\": \"" type \
	"\", \"TTL\": " #ttl ", \"ResourceRecords\": [" values "]}},"
#define MULTI(name, id, value) \
	"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"" name "\", \"Type\": \"A\"," \
	" \"TTL\": 60, \"SetIdentifier\": \"" id "\", \"MultiValueAnswer\": true," \
	" \"ResourceRecords\": [{\"Value\": \"" value "\"}]}},"
#define V(s) "{\"Value\": \"" s "\"}"
#define Q(s) "\\\"" s "\\\""
#define S50 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"
#define S250 S50 S50 S50 S50 S50
#define TXT2(c) V(Q(c S250) " " Q(S250))

static const char zone_json[] =
"{\"Comment\": \"fuzz zone\", \"Changes\": ["
RRSET("example.com.", "SOA", 3600, V("ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"))
RRSET("example.com.", "NS", 172800, V("ns1.example.com.") "," V("ns2.example.net."))
RRSET("example.com.", "MX", 300, V("10 mail.example.com.") "," V("20 mx.example.net."))
RRSET("example.com.", "TXT", 300, V(Q("v=spf1 -all")))
RRSET("ns1.example.com.", "A", 300, V("192.0.2.53"))
RRSET("mail.example.com.", "A", 300, V("192.0.2.25"))
RRSET("www.example.com.", "A", 60, V("192.0.2.1") "," V("192.0.2.2"))
RRSET("www.example.com.", "AAAA", 60, V("2001:db8::1"))
RRSET("alias.example.com.", "CNAME", 60, V("www.example.com."))
RRSET("chain.example.com.", "CNAME", 60, V("alias.example.com."))
RRSET("ext.example.com.", "CNAME", 60, V("www.example.net."))
RRSET("other.example.com.", "CNAME", 60, V("host.example.net."))
RRSET("dangling.example.com.", "CNAME", 60, V("nothere.example.com."))
RRSET("toent.example.com.", "CNAME", 60, V("b.example.com."))
RRSET("loop1.example.com.", "CNAME", 60, V("loop2.example.com."))
RRSET("loop2.example.com.", "CNAME", 60, V("loop1.example.com."))
RRSET("a.b.example.com.", "A", 60, V("192.0.2.9"))
RRSET("x.y.z.example.com.", "TXT", 60, V(Q("deep")))
RRSET("big.example.com.", "TXT", 60, TXT2("1") "," TXT2("2") "," TXT2("3") "," TXT2("4") "," TXT2("5") "," TXT2("6"))
RRSET("mid.example.com.", "TXT", 60, TXT2("1") "," TXT2("2"))
MULTI("multi.example.com.", "one", "192.0.2.11")
MULTI("multi.example.com.", "two", "192.0.2.12")
MULTI("multi.example.com.", "three", "192.0.2.13")
RRSET("srv.example.com.", "SRV", 60, V("10 5 5060 sip.example.com."))
RRSET("caa.example.com.", "CAA", 60, V("0 issue \\\"ca.example.net\\\""))
RRSET("example.net.", "SOA", 3600, V("ns2.example.net. hostmaster.example.net. 7 7200 900 1209600 60"))
RRSET("example.net.", "NS", 3600, V("ns2.example.net."))
RRSET("host.example.net.", "A", 60, V("198.51.100.1"))
RRSET("back.example.net.", "CNAME", 60, V("www.example.com."))
RRSET("sub.example.com.", "SOA", 3600, V("ns1.example.com. hostmaster.example.com. 3 7200 900 1209600 30"))
RRSET("host.sub.example.com.", "AAAA", 60, V("2001:db8::53"))
RRSET("*.wild.example.com.", "A", 60, V("192.0.2.77"))
RRSET("*.wc.example.com.", "CNAME", 60, V("x.wild.example.com."))
RRSET("del.example.com.", "NS", 3600, V("ns1.del.example.com.") "," V("ns.example.net.") "," V("ns2.del.example.com."))
RRSET("ns1.del.example.com.", "A", 3600, V("192.0.2.54"))
RRSET("ns2.del.example.com.", "AAAA", 3600, V("2001:db8::54"))
RRSET("todel.example.com.", "CNAME", 60, V("a.del.example.com."))
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"last.example.com.\", \"Type\": \"A\","
" \"TTL\": 60, \"ResourceRecords\": [" V("192.0.2.99") "]}}"
"]}";
/* clang-format on */

/*
 * The table lives as long as the fuzzer; release it at exit, before
 * LeakSanitizer's final check: its slots hold tagged node addresses in a
 * mapping of their own (table_grow.c), which the leak scan cannot follow.
 */
static void release_table(void)
{
	mv_table_destroy(table);
	table = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *docs[] = {zone_json};
	char err[4096] = "";

	(void)argc;
	(void)argv;
	addrs.n4 = 1;
	memcpy(addrs.v4[0], our_v4, 4);
	addrs.n6 = 1;
	memcpy(addrs.v6[0], our_v6, 16);
	table = mv_table_create(64, NULL, NULL);
	if (table == NULL)
		abort();
	long n = mv_load_docs(table, docs, 1, err, sizeof(err));
	if (n <= 0) {
		fprintf(stderr, "fuzz_packet: cannot load the zone: %s\n", err);
		abort();
	}
	atexit(release_table);
	memcpy(ctx.mac, our_mac, 6);
	ctx.addrs = &addrs;
	ctx.table = table;
	ctx.rng = &rng;
	return 0;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * Step over the name at *pos in m[0..len), following compression pointers
 * (each must point strictly backwards, past the header) to check the whole
 * name decodes to at most 255 octets. Returns false if it does not.
 * Out: *pos just past the name's own octets; *root whether it is the root.
 */
static bool name_skip(const uint8_t *m, size_t len, size_t *pos, bool *root)
{
	size_t p = *pos, total = 0;
	bool jumped = false;

	*root = p < len && m[p] == 0;
	for (unsigned hops = 0; hops < 128; hops++) {
		if (p >= len)
			return false;
		uint8_t l = m[p];
		if ((l & 0xc0) == 0xc0) {
			if (p + 1 >= len)
				return false;
			size_t target = (size_t)(l & 0x3f) << 8 | m[p + 1];
			if (target >= p || target < 12)
				return false;
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			p = target;
			continue;
		}
		if ((l & 0xc0) != 0)
			return false;
		total += 1u + l;
		if (total > 255)
			return false;
		if (l == 0) {
			if (!jumped)
				*pos = p + 1;
			return true;
		}
		p += 1u + l;
	}
	return false;
}

/*
 * Check a DNS reply r[0..rlen) to the query q[0..qlen) within cap octets.
 * Traps on any violation.
 */
static void check_reply(const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen, size_t cap)
{
	size_t pos = 12;
	bool has_opt = false, root;

	CHECK(rlen <= cap);
	CHECK(rlen >= 12);
	CHECK(qlen >= 12);
	CHECK(rd16(r) == rd16(q)); /* ID */
	CHECK(r[2] & 0x80);        /* QR */
	CHECK(rd16(r + 4) <= 1);
	if (rd16(r + 4) == 1) {
		if (!name_skip(r, rlen, &pos, &root))
			__builtin_trap();
		pos += 4;
		CHECK(pos <= rlen);
		/* The question as it came, case included. */
		CHECK(pos <= qlen && memcmp(r + 12, q + 12, pos - 12) == 0);
	}
	unsigned records = (unsigned)rd16(r + 6) + rd16(r + 8) + rd16(r + 10);
	for (unsigned i = 0; i < records; i++) {
		if (!name_skip(r, rlen, &pos, &root))
			__builtin_trap();
		CHECK(pos + 10 <= rlen);
		uint16_t type = rd16(r + pos);
		uint16_t rdlen = rd16(r + pos + 8);
		if (type == 41) {
			/* OPT: additional section only, root owner, at most one. */
			CHECK(i >= records - rd16(r + 10));
			CHECK(root && !has_opt);
			has_opt = true;
		}
		pos += 10u + rdlen;
		CHECK(pos <= rlen);
	}
	CHECK(pos == rlen);
	CHECK(rlen <= (has_opt ? EDNS_MAX : PLAIN_MAX));
}

/* mv_answer on a copy of the query in a buffer of exactly cap octets. */
static void fuzz_answer(const uint8_t *data, size_t size, size_t cap, enum mv_verdict *v,
			uint16_t *out)
{
	uint8_t *buf = malloc(cap);

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	*v = MV_VERDICT_COUNT;
	*out = mv_answer(table, buf, (uint16_t)size, (uint16_t)cap, &rng, v);
	CHECK(*v < MV_VERDICT_COUNT);
	CHECK((*out > 0) == verdict_replies[*v]);
	if (*out > 0)
		check_reply(data, size, buf, *out, cap);
	free(buf);
}

static uint32_t csum_sum(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		acc += rd16(p + i);
	if (n & 1)
		acc += (uint32_t)p[n - 1] << 8;
	return acc;
}

static uint16_t csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/*
 * mv_packet_handle on frame f[0..len) in a buffer of cap octets, checked
 * against mv_packet_handle_burst on a copy with the same random state.
 */
static uint16_t handle(uint8_t *f, uint16_t len, uint16_t cap, enum mv_verdict *v)
{
	uint8_t *g = malloc(cap);
	uint64_t seed = rng;
	enum mv_verdict vb = MV_VERDICT_COUNT;
	uint16_t ob;

	if (g == NULL)
		abort();
	memcpy(g, f, cap);
	mv_packet_handle_burst(&ctx, &g, &len, &cap, 1, &ob, &vb);
	uint64_t after = rng;
	rng = seed;
	uint16_t out = mv_packet_handle(&ctx, f, len, cap, v);
	CHECK(*v == vb && out == ob && rng == after);
	CHECK(memcmp(f, g, out) == 0);
	free(g);
	return out;
}

/* The query wrapped in Ethernet + IPv4 + UDP, to a buffer of exactly cap octets. */
static void fuzz_udp4(const uint8_t *data, size_t size, size_t cap, enum mv_verdict want_v,
		      uint16_t want_out)
{
	uint8_t *f = malloc(cap);
	uint8_t *ip = f + ETH_LEN, *udp = ip + IP4_LEN;
	enum mv_verdict v = MV_VERDICT_COUNT;

	if (f == NULL)
		abort();
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	wr16(f + 12, 0x0800);
	memset(ip, 0, IP4_LEN);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(IP4_LEN + UDP_LEN + size));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, peer_v4, 4);
	memcpy(ip + 16, our_v4, 4);
	wr16(ip + 10, (uint16_t)~csum_fold(csum_sum(0, ip, IP4_LEN)));
	wr16(udp, 12345);
	wr16(udp + 2, 53);
	wr16(udp + 4, (uint16_t)(UDP_LEN + size));
	wr16(udp + 6, 0);
	memcpy(udp + UDP_LEN, data, size);

	uint16_t out = handle(f, (uint16_t)(HDRS + size), (uint16_t)cap, &v);
	CHECK(v < MV_VERDICT_COUNT);
	CHECK((out > 0) == verdict_replies[v]);
	CHECK(out <= cap);
	/* The same DNS answer as mv_answer gave with the same room. */
	CHECK(v == want_v);
	if (out == 0) {
		CHECK(want_out == 0);
		free(f);
		return;
	}
	CHECK(out >= HDRS);
	CHECK(out - HDRS == want_out);
	CHECK(memcmp(f, peer_mac, 6) == 0 && memcmp(f + 6, our_mac, 6) == 0);
	CHECK(rd16(f + 12) == 0x0800);
	CHECK(ip[0] == 0x45 && ip[8] == 64 && ip[9] == 17);
	CHECK(rd16(ip + 2) == out - ETH_LEN);
	CHECK((rd16(ip + 6) & 0x3fff) == 0);
	CHECK(csum_fold(csum_sum(0, ip, IP4_LEN)) == 0xffff);
	CHECK(memcmp(ip + 12, our_v4, 4) == 0 && memcmp(ip + 16, peer_v4, 4) == 0);
	CHECK(rd16(udp) == 53 && rd16(udp + 2) == 12345);
	CHECK(rd16(udp + 4) == out - ETH_LEN - IP4_LEN);
	uint32_t acc = csum_sum(0, ip + 12, 8) + 17 + rd16(udp + 4);
	CHECK(rd16(udp + 6) != 0);
	CHECK(csum_fold(csum_sum(acc, udp, rd16(udp + 4))) == 0xffff);
	check_reply(data, size, udp + UDP_LEN, out - HDRS, cap - HDRS);
	free(f);
}

#define TCP_LEN 20

/*
 * An IPv4 frame to us carrying the TCP segment seg[0..len) (its ports and
 * checksum set here), handed to mv_packet_handle. Returns the reply's TCP
 * segment length (0: none), checked, with the reply left in f.
 */
static uint16_t tcp_exchange(uint8_t *f, size_t cap, const uint8_t *seg, size_t len)
{
	uint8_t *ip = f + ETH_LEN, *tcp = ip + IP4_LEN;
	enum mv_verdict v = MV_VERDICT_COUNT;

	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	wr16(f + 12, 0x0800);
	memset(ip, 0, IP4_LEN);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(IP4_LEN + len));
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, peer_v4, 4);
	memcpy(ip + 16, our_v4, 4);
	wr16(ip + 10, (uint16_t)~csum_fold(csum_sum(0, ip, IP4_LEN)));
	memcpy(tcp, seg, len);
	wr16(tcp, 40000);
	wr16(tcp + 2, 53);
	wr16(tcp + 16, 0);
	uint32_t acc = csum_sum(0, ip + 12, 8) + 6 + (uint32_t)len;
	wr16(tcp + 16, (uint16_t)~csum_fold(csum_sum(acc, tcp, len)));

	uint16_t out =
		mv_packet_handle(&ctx, f, (uint16_t)(ETH_LEN + IP4_LEN + len), (uint16_t)cap, &v);
	CHECK(v < MV_VERDICT_COUNT);
	CHECK((out > 0) == verdict_replies[v]);
	CHECK(out <= cap);
	if (out == 0)
		return 0;
	uint16_t tlen = (uint16_t)(out - ETH_LEN - IP4_LEN);
	CHECK(out >= ETH_LEN + IP4_LEN + TCP_LEN);
	CHECK(rd16(ip + 2) == out - ETH_LEN && ip[9] == 6);
	CHECK(csum_fold(csum_sum(0, ip, IP4_LEN)) == 0xffff);
	CHECK(memcmp(ip + 12, our_v4, 4) == 0 && memcmp(ip + 16, peer_v4, 4) == 0);
	CHECK(rd16(tcp) == 53 && rd16(tcp + 2) == 40000);
	CHECK((tcp[12] >> 4) * 4u >= TCP_LEN && (tcp[12] >> 4) * 4u <= tlen);
	acc = csum_sum(0, ip + 12, 8) + 6 + tlen;
	CHECK(csum_fold(csum_sum(acc, tcp, tlen)) == 0xffff);
	/* The data: whole messages, each after its length. */
	for (size_t at = (tcp[12] >> 4) * 4u; at < tlen;) {
		CHECK(at + 2 <= tlen);
		at += 2 + rd16(tcp + at);
		CHECK(at <= tlen);
	}
	return tlen;
}

/* The input as a TCP segment, then as the data after a handshake. */
static void fuzz_tcp(const uint8_t *data, size_t size)
{
	size_t cap = ETH_LEN + IP4_LEN + TCP_LEN + size + RAW_SLACK + 1500;
	uint8_t *f = malloc(cap), *seg = malloc(TCP_LEN + size);

	if (f == NULL || seg == NULL)
		abort();
	if (size >= TCP_LEN)
		tcp_exchange(f, cap, data, size);

	static const uint8_t syn[TCP_LEN + 4] = {
		[4] = 0, [7] = 1, [12] = 0x60, [13] = 0x02, [20] = 2, 4, 0x05, 0xb4};
	uint16_t n = tcp_exchange(f, cap, syn, sizeof(syn));
	CHECK(n == TCP_LEN + 4);
	uint32_t ours =
		(uint32_t)rd16(f + ETH_LEN + IP4_LEN + 4) << 16 | rd16(f + ETH_LEN + IP4_LEN + 6);
	memset(seg, 0, TCP_LEN);
	wr16(seg + 6, 2); /* our SYN's sequence number + 1 */
	wr16(seg + 8, (uint16_t)((ours + 1) >> 16));
	wr16(seg + 10, (uint16_t)(ours + 1));
	seg[12] = 0x50;
	seg[13] = 0x18; /* ACK, PSH */
	memcpy(seg + TCP_LEN, data, size);
	tcp_exchange(f, cap, seg, TCP_LEN + size);
	free(seg);
	free(f);
}

/* The input as a raw Ethernet frame, with some tailroom as mbufs have. */
static void fuzz_raw(const uint8_t *data, size_t size)
{
	size_t cap = size + RAW_SLACK;
	uint8_t *f = malloc(cap);
	enum mv_verdict v = MV_VERDICT_COUNT;

	if (f == NULL)
		abort();
	memcpy(f, data, size);
	uint16_t out = handle(f, (uint16_t)size, (uint16_t)cap, &v);
	CHECK(v < MV_VERDICT_COUNT);
	CHECK((out > 0) == verdict_replies[v]);
	CHECK(out <= cap);
	if (out > 0) {
		CHECK(out >= ETH_LEN + 28); /* ARP is the shortest reply */
		CHECK(memcmp(f + 6, our_mac, 6) == 0);
		CHECK(memcmp(f, data + 6, 6) == 0);
	}
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum mv_verdict v;
	uint16_t out;

	if (size > DNS_MAX)
		return -1;
	size_t caps[3] = {size, DNS_MAX, size};
	/* A capacity between the two, chosen by the input's last octets. */
	if (size >= 2)
		caps[2] = size + (rd16(data + size - 2) % (DNS_MAX - size + 1));
	for (unsigned i = 0; i < 3; i++) {
		size_t cap = caps[i] > 0 ? caps[i] : 1;
		fuzz_answer(data, size, cap, &v, &out);
		fuzz_udp4(data, size, HDRS + cap, v, out);
	}
	fuzz_raw(data, size);
	fuzz_tcp(data, size);
	return 0;
}
