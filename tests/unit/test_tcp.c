/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS over TCP through mv_packet_handle (dataplane/tcp.c): the stateless
 * handshake with SYN cookies, answers in one segment closed with FIN, FIN
 * handling, and every segment the dataplane cannot use.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "frames_check.h"
#include "load.h"
#include "packet.h"

#define TCP_LEN 20
#define FIN     0x01
#define SYN     0x02
#define RST     0x04
#define PSH     0x08
#define ACK     0x10

/* clang-format off */
static const char *zone_json =
"{\"Changes\": ["
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"example.com.\", \"Type\": \"SOA\", \"TTL\": 900,"
"  \"ResourceRecords\": [{\"Value\": \"ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 86400\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"www.example.com.\", \"Type\": \"A\", \"TTL\": 300,"
"  \"ResourceRecords\": [{\"Value\": \"192.0.2.1\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"big.example.com.\", \"Type\": \"TXT\", \"TTL\": 300,"
"  \"ResourceRecords\": ["
"   {\"Value\": \"\\\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\\"\"},"
"   {\"Value\": \"\\\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\\\"\"},"
"   {\"Value\": \"\\\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\\\"\"},"
"   {\"Value\": \"\\\"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\\\"\"},"
"   {\"Value\": \"\\\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\\\"\"},"
"   {\"Value\": \"\\\"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\\\"\"}"
"  ]}}"
"]}";
/* clang-format on */

static struct mv_addrs addrs;
static struct mv_table *table;
static uint64_t rng = 0x9e3779b97f4a7c15ull;
static struct mv_packet_ctx ctx;

static void setup(void)
{
	table = frames_setup(&ctx, &addrs, &rng, zone_json, 3);
	ctx.tcp_key[0] = 0x0123456789abcdefull;
	ctx.tcp_key[1] = 0xfedcba9876543210ull;
}

static void teardown(void)
{
	mv_table_destroy(table);
}

TestSuite(tcp, .init = setup, .fini = teardown);

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, (uint16_t)(v >> 16));
	wr16(p + 2, (uint16_t)v);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)rd16(p) << 16 | rd16(p + 2);
}

/* One segment from the peer to port 53, over IPv4 or IPv6, checksums correct. */
struct seg {
	bool v6;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *opt; /* TCP options, a multiple of 4 octets */
	size_t opt_len;
	const uint8_t *data;
	size_t data_len;
};

static size_t frame_tcp(uint8_t *f, const struct seg *s)
{
	uint8_t l4[BUF];
	size_t hlen = TCP_LEN + s->opt_len, len = hlen + s->data_len;

	memset(l4, 0, TCP_LEN);
	wr16(l4, s->sport);
	wr16(l4 + 2, s->dport ? s->dport : 53);
	wr32(l4 + 4, s->seq);
	wr32(l4 + 8, s->ack);
	l4[12] = (uint8_t)(hlen / 4 << 4);
	l4[13] = s->flags;
	wr16(l4 + 14, 64240);
	if (s->opt_len > 0)
		memcpy(l4 + TCP_LEN, s->opt, s->opt_len);
	if (s->data_len > 0)
		memcpy(l4 + hlen, s->data, s->data_len);
	if (s->v6) {
		size_t n = frame_ip6(f, our_mac, peer_v6, our_v6, PROTO_TCP, 64, l4, len);
		ip6_fix(f, 16);
		return n;
	}
	size_t n = put_eth(f, our_mac, peer_mac, ET_IPV4);
	uint8_t *ip = f + n;
	put_ip4(ip, IP4_LEN + len, PROTO_TCP, peer_v4, our_v4);
	wr16(l4 + 16, csum(sum_bytes(pseudo(peer_v4, our_v4, 4, PROTO_TCP, len), l4, len)));
	memcpy(ip + IP4_LEN, l4, len);
	return n + IP4_LEN + len;
}

/* Run a segment; the reply's TCP header (checked: addresses, ports, checksum) or NULL. */
static const uint8_t *send_seg(uint8_t *f, const struct seg *s, enum mv_verdict *v,
			       uint16_t *tcp_len)
{
	size_t len = frame_tcp(f, s);
	uint16_t out = mv_packet_handle(&ctx, f, (uint16_t)len, BUF, v);

	if (out == 0)
		return NULL;
	expect_mac(f, peer_mac, "Ethernet destination");
	const uint8_t *ip = f + ETH_LEN, *tcp;
	if (s->v6) {
		tcp = ip + IP6_LEN;
		*tcp_len = rd16(ip + 4);
		cr_assert_eq(ip[6], PROTO_TCP);
		cr_assert(memcmp(ip + 24, peer_v6, 16) == 0, "IPv6 destination");
		cr_assert(l4_csum_ok(ip + 8, ip + 24, 16, PROTO_TCP, tcp, *tcp_len), "checksum");
	} else {
		tcp = ip + IP4_LEN;
		*tcp_len = (uint16_t)(rd16(ip + 2) - IP4_LEN);
		cr_assert(ip4_csum_ok(ip));
		cr_assert_eq(ip[9], PROTO_TCP);
		cr_assert(memcmp(ip + 16, peer_v4, 4) == 0, "IPv4 destination");
		cr_assert(l4_csum_ok(ip + 12, ip + 16, 4, PROTO_TCP, tcp, *tcp_len), "checksum");
	}
	cr_assert_eq(rd16(tcp), 53);
	cr_assert_eq(rd16(tcp + 2), s->sport);
	return tcp;
}

/* The handshake: returns our initial sequence number. */
static uint32_t handshake(bool v6, uint16_t sport, uint32_t isn, uint16_t mss)
{
	uint8_t f[BUF], opt[4] = {2, 4, (uint8_t)(mss >> 8), (uint8_t)mss};
	struct seg s = {
		.v6 = v6, .sport = sport, .seq = isn, .flags = SYN, .opt = opt, .opt_len = 4};
	enum mv_verdict v;
	uint16_t len;
	const uint8_t *t = send_seg(f, &s, &v, &len);

	cr_assert_not_null(t, "no SYN-ACK (%s)", mv_verdict_name(v));
	cr_assert_eq(v, MV_VERDICT_TCP_SYN_ACK);
	cr_assert_eq(t[13], SYN | ACK);
	cr_assert_eq(rd32(t + 8), isn + 1, "acknowledges the SYN");
	cr_assert_eq(len, TCP_LEN + 4, "MSS option only");
	cr_assert_eq(t[TCP_LEN], 2);
	cr_assert_eq(rd16(t + TCP_LEN + 2), v6 ? 1440 : 1460, "our MSS");
	return rd32(t + 4);
}

/* A query after its two-octet length. */
static size_t framed_query(uint8_t *out, uint16_t id, const char *name, uint16_t qtype)
{
	size_t n = dns_query(out + 2, id, name, qtype, false);
	wr16(out, (uint16_t)n);
	return n + 2;
}

/* One connection's exchange: the handshake, then one query as its first data. */
struct conn {
	bool v6;
	uint16_t sport, mss;
	uint32_t isn;      /* the client's */
	uint32_t ours;     /* out: our initial sequence number */
	size_t qlen;       /* out: octets of the framed query */
	uint16_t len;      /* out: the reply's TCP segment length */
	enum mv_verdict v; /* out */
};

/* Ask name/qtype (query id) on a new connection; the reply's TCP header, or NULL. */
static const uint8_t *ask(uint8_t *f, struct conn *c, uint16_t id, const char *name, uint16_t qtype)
{
	uint8_t q[512];

	c->ours = handshake(c->v6, c->sport, c->isn, c->mss);
	c->qlen = framed_query(q, id, name, qtype);
	struct seg s = {.v6 = c->v6,
			.sport = c->sport,
			.seq = c->isn + 1,
			.ack = c->ours + 1,
			.flags = ACK | PSH,
			.data = q,
			.data_len = c->qlen};
	return send_seg(f, &s, &c->v, &c->len);
}

Test(tcp, handshake_then_answer_closed_with_fin)
{
	uint8_t f[BUF];
	struct conn c = {.sport = 40000, .isn = 1000, .mss = 1460};
	const uint8_t *t = ask(f, &c, 0x4242, "www.example.com", QTYPE_A);

	cr_assert_not_null(t, "no answer (%s)", mv_verdict_name(c.v));
	cr_assert_eq(c.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(t[13], ACK | PSH | FIN);
	cr_assert_eq(rd32(t + 4), c.ours + 1);
	cr_assert_eq(rd32(t + 8), 1001 + c.qlen, "acknowledges the query");
	cr_assert_eq(t[12] >> 4, 5);
	cr_assert_eq(rd16(t + TCP_LEN) + 2, c.len - TCP_LEN, "one length-prefixed message");
	check_dns(t + TCP_LEN + 2, 0x4242, 0, 1, 0, 0);
}

Test(tcp, over_ipv6)
{
	uint8_t f[BUF];
	struct conn c = {.v6 = true, .sport = 40001, .isn = 7, .mss = 1440};
	const uint8_t *t = ask(f, &c, 7, "www.example.com", QTYPE_A);

	cr_assert_not_null(t);
	check_dns(t + TCP_LEN + 2, 7, 0, 1, 0, 0);
}

Test(tcp, two_queries_in_one_segment_two_answers)
{
	uint8_t f[BUF], q[1024];
	uint32_t ours = handshake(false, 40002, 0xfffffff0u, 1460); /* sequence numbers wrap */
	size_t n = framed_query(q, 1, "www.example.com", QTYPE_A);
	n += framed_query(q + n, 2, "nope.example.com", QTYPE_A);
	struct seg s = {.sport = 40002,
			.seq = 0xfffffff1u,
			.ack = ours + 1,
			.flags = ACK | FIN,
			.data = q,
			.data_len = n};
	enum mv_verdict v;
	uint16_t len;
	const uint8_t *t = send_seg(f, &s, &v, &len);

	cr_assert_not_null(t);
	cr_assert_eq(rd32(t + 8), (uint32_t)(0xfffffff1u + n + 1), "the data and the FIN");
	const uint8_t *m = t + TCP_LEN;
	check_dns(m + 2, 1, 0, 1, 0, 0);
	m += 2 + rd16(m);
	check_dns(m + 2, 2, 3, 0, 1, 0); /* NXDOMAIN with the SOA */
	cr_assert_eq(m + 2 + rd16(m), t + len);
}

/* Over TCP an answer is not held to 512 octets: UDP truncates, TCP does not. */
Test(tcp, larger_than_udp_allows)
{
	uint8_t f[BUF];
	struct conn c = {.sport = 40003, .isn = 5, .mss = 1460};
	const uint8_t *t = ask(f, &c, 3, "big.example.com", 16);

	cr_assert_not_null(t);
	cr_assert_eq(c.v, MV_VERDICT_ANSWER_NOERROR);
	check_dns(t + TCP_LEN + 2, 3, 0, 6, 0, 0);
	cr_assert_gt(rd16(t + TCP_LEN), 512);
	cr_assert_not(t[TCP_LEN + 2 + 2] & 0x02, "TC");
}

/* The client's MSS bounds the reply: 536 octets leave room for 4 of 6 TXT. */
Test(tcp, reply_within_the_clients_mss)
{
	uint8_t f[BUF];
	struct conn c = {.sport = 40004, .isn = 5, .mss = 536};
	const uint8_t *t = ask(f, &c, 4, "big.example.com", 16);

	cr_assert_not_null(t);
	cr_assert_leq(c.len - TCP_LEN, 536);
	cr_assert_eq(c.v, MV_VERDICT_ANSWER_TRUNCATED, "%s", mv_verdict_name(c.v));
}

Test(tcp, fin_is_acknowledged)
{
	uint8_t f[BUF];
	uint32_t ours = handshake(false, 40005, 100, 1460);
	enum mv_verdict v;
	uint16_t len;

	/* Before any answer: our FIN too. */
	struct seg s = {.sport = 40005, .seq = 101, .ack = ours + 1, .flags = ACK | FIN};
	const uint8_t *t = send_seg(f, &s, &v, &len);
	cr_assert_not_null(t);
	cr_assert_eq(v, MV_VERDICT_TCP_FIN_ACK);
	cr_assert_eq(t[13], ACK | FIN);
	cr_assert_eq(rd32(t + 4), ours + 1);
	cr_assert_eq(rd32(t + 8), 102);

	/* After our answer (100 octets and our FIN): an ACK alone. */
	s.ack = ours + 1 + 100 + 1;
	t = send_seg(f, &s, &v, &len);
	cr_assert_not_null(t);
	cr_assert_eq(t[13], ACK);
	cr_assert_eq(rd32(t + 4), ours + 1 + 100 + 1);
	cr_assert_eq(len, TCP_LEN);
}

Test(tcp, segments_needing_no_reply)
{
	uint8_t f[BUF], q[512];
	uint32_t ours = handshake(false, 40006, 100, 1460);
	size_t qlen = framed_query(q, 9, "www.example.com", QTYPE_A);
	enum mv_verdict v;
	uint16_t len;

	struct seg ack = {.sport = 40006, .seq = 101, .ack = ours + 1, .flags = ACK};
	cr_assert_null(send_seg(f, &ack, &v, &len));
	cr_assert_eq(v, MV_VERDICT_TCP_NO_REPLY);

	struct seg rst = {.sport = 40006, .seq = 101, .flags = RST};
	cr_assert_null(send_seg(f, &rst, &v, &len));
	cr_assert_eq(v, MV_VERDICT_TCP_NO_REPLY);

	/* Half a message: nothing until the client resends it whole. */
	struct seg part = {.sport = 40006,
			   .seq = 101,
			   .ack = ours + 1,
			   .flags = ACK,
			   .data = q,
			   .data_len = qlen - 3};
	cr_assert_null(send_seg(f, &part, &v, &len));
	cr_assert_eq(v, MV_VERDICT_DROP_TCP_PARTIAL);
	part.data_len = 1;
	cr_assert_null(send_seg(f, &part, &v, &len));
	cr_assert_eq(v, MV_VERDICT_DROP_TCP_PARTIAL);

	/* Data without ACK, SYN with ACK, another port, bad checksum, short header. */
	struct seg noack = {.sport = 40006, .seq = 101, .flags = PSH, .data = q, .data_len = qlen};
	cr_assert_null(send_seg(f, &noack, &v, &len));
	cr_assert_eq(v, MV_VERDICT_DROP_MALFORMED);
	struct seg synack = {.sport = 40006, .seq = 101, .flags = SYN | ACK};
	cr_assert_null(send_seg(f, &synack, &v, &len));
	cr_assert_eq(v, MV_VERDICT_DROP_MALFORMED);
	struct seg other = {.sport = 40006, .dport = 80, .flags = SYN};
	cr_assert_null(send_seg(f, &other, &v, &len));
	cr_assert_eq(v, MV_VERDICT_DROP_UNSUPPORTED);

	struct seg syn = {.sport = 40006, .seq = 5, .flags = SYN};
	size_t n = frame_tcp(f, &syn);
	f[n - 1] ^= 0x40; /* in the urgent pointer: the checksum no longer verifies */
	cr_assert_eq(mv_packet_handle(&ctx, f, (uint16_t)n, BUF, &v), 0);
	cr_assert_eq(v, MV_VERDICT_DROP_MALFORMED);
	n = frame_tcp(f, &syn);
	f[ETH_LEN + IP4_LEN + 12] = 0x40; /* data offset 16 octets */
	cr_assert_eq(mv_packet_handle(&ctx, f, (uint16_t)n, BUF, &v), 0);
	cr_assert_eq(v, MV_VERDICT_DROP_MALFORMED);
}

/*
 * Data whose acknowledgement is not our cookie (a guess, another
 * connection's, or a query pipelined after our FIN) is reset: SEQ = its ACK.
 */
Test(tcp, segments_no_cookie_explains_are_reset)
{
	uint8_t f[BUF], q[512];
	uint32_t ours = handshake(false, 40009, 100, 1460);
	size_t qlen = framed_query(q, 9, "www.example.com", QTYPE_A);
	uint32_t acks[] = {ours + 1 + 4, ours + 1 + 100 + 1};
	enum mv_verdict v;
	uint16_t len;

	for (unsigned i = 0; i < 2; i++) {
		struct seg bad = {.sport = 40009,
				  .seq = 101,
				  .ack = acks[i],
				  .flags = ACK | PSH,
				  .data = q,
				  .data_len = qlen};
		const uint8_t *t = send_seg(f, &bad, &v, &len);
		cr_assert_not_null(t);
		cr_assert_eq(v, MV_VERDICT_TCP_RESET);
		cr_assert_eq(t[13], RST);
		cr_assert_eq(rd32(t + 4), acks[i]);
		cr_assert_eq(len, TCP_LEN);
	}
	/* The cookie belongs to the addresses and ports. */
	struct seg other = {.sport = 40010,
			    .seq = 101,
			    .ack = ours + 1,
			    .flags = ACK,
			    .data = q,
			    .data_len = qlen};
	cr_assert_not_null(send_seg(f, &other, &v, &len));
	cr_assert_eq(v, MV_VERDICT_TCP_RESET);
	struct seg fin = {.sport = 40009, .seq = 101, .ack = ours + 1 + 100000, .flags = ACK | FIN};
	cr_assert_not_null(send_seg(f, &fin, &v, &len));
	cr_assert_eq(v, MV_VERDICT_TCP_RESET);
}

/* A SYN without an MSS option gets the default 536; the cookie remembers it. */
Test(tcp, syn_without_mss)
{
	uint8_t f[BUF];
	struct seg s = {.sport = 40008, .seq = 1, .flags = SYN};
	enum mv_verdict v;
	uint16_t len;
	const uint8_t *t = send_seg(f, &s, &v, &len);

	cr_assert_not_null(t);
	cr_assert_eq(rd32(t + 4) & 3, 0, "MSS index 0: 536");
}

/* With checksum offload, a SYN-ACK a NIC completes is the one computed in software. */
Test(tcp, tx_csum_offload_gives_the_software_syn_ack)
{
	for (int v6 = 0; v6 <= 1; v6++) {
		struct seg syn = {.v6 = v6, .sport = 40000, .seq = 1000, .flags = SYN};
		uint8_t a[BUF], b[BUF];
		enum mv_verdict va, vb;
		size_t len = frame_tcp(a, &syn);
		memcpy(b, a, BUF);
		uint16_t na = mv_packet_handle(&ctx, a, (uint16_t)len, BUF, &va);
		struct mv_packet_ctx off = ctx;
		off.tx_csum = true;
		uint16_t nb = mv_packet_handle(&off, b, (uint16_t)len, BUF, &vb);
		cr_assert(na > 0);
		cr_assert_eq(nb, na);
		cr_assert_eq(vb, va);
		cr_assert_eq(mv_packet_tx_csum(b), v6 ? MV_TX_CSUM_TCP6 : MV_TX_CSUM_TCP4);
		nic_complete(b, mv_packet_tx_csum(b));
		cr_assert(memcmp(a, b, na) == 0, "%s: the same octets", v6 ? "IPv6" : "IPv4");
	}
}
