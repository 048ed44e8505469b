/* SPDX-License-Identifier: BSD-3-Clause */
#include <criterion/criterion.h>
#include <string.h>

#include "query.h"
#include "wire.h"

/* A message under construction. */
struct msg {
	uint8_t b[1024];
	uint16_t len;
};

static void put(struct msg *m, const void *p, size_t n)
{
	if (n > 0)
		memcpy(m->b + m->len, p, n);
	m->len = (uint16_t)(m->len + n);
}

static void put16(struct msg *m, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
	put(m, b, 2);
}

/* Header with the given flags and counts. */
static void header(struct msg *m, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
		   uint16_t ar)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* www.Example.com IN type */
static void question(struct msg *m, uint16_t type, uint16_t class)
{
	put(m, "\3www\7Example\3com", 17);
	put16(m, type);
	put16(m, class);
}

/* OPT RR: root owner, payload, ext rcode, version, flags, options. */
static void opt(struct msg *m, uint16_t payload, uint8_t version, uint16_t flags,
		const uint8_t *opts, uint16_t optlen)
{
	put(m, "", 1);
	put16(m, DNS_TYPE_OPT);
	put16(m, payload);
	uint8_t ttl[4] = {0, version, (uint8_t)(flags >> 8), (uint8_t)flags};
	put(m, ttl, 4);
	put16(m, optlen);
	put(m, opts, optlen);
}

static struct msg simple(uint16_t type)
{
	struct msg m;
	header(&m, 0x0100, 1, 0, 0, 0);
	question(&m, type, DNS_CLASS_IN);
	return m;
}

Test(query, plain_query)
{
	struct msg m = simple(DNS_TYPE_A);
	struct dns_query q;

	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_OK);
	cr_assert_eq(q.qname_len, 17);
	cr_assert(memcmp(q.qname, "\3www\7example\3com", 17) == 0, "qname is lower-cased");
	cr_assert_eq(q.qtype, DNS_TYPE_A);
	cr_assert_eq(q.qclass, DNS_CLASS_IN);
	cr_assert_eq(q.question_end, 12 + 17 + 4);
	cr_assert_not(q.edns);
	cr_assert_eq(dns_query_max_udp(&q), 512);
	cr_assert(memcmp(m.b + 12, "\3www\7Example", 12) == 0, "message untouched");
}

Test(query, short_and_response_dropped)
{
	struct msg m = simple(DNS_TYPE_A);
	struct dns_query q;

	for (uint16_t len = 0; len < DNS_HDR_LEN; len++)
		cr_assert_eq(dns_query_parse(m.b, len, &q), DNS_QUERY_SHORT);
	m.b[DNS_HDR_FLAGS1] |= DNS_FLAG1_QR;
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_RESPONSE);
}

Test(query, opcodes_other_than_query_are_notimp)
{
	for (unsigned op = 1; op < 16; op++) {
		struct msg m = simple(DNS_TYPE_A);
		struct dns_query q;
		m.b[DNS_HDR_FLAGS1] = (uint8_t)(op << 3);
		cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_NOTIMP, "opcode %u", op);
	}
}

Test(query, qdcount_must_be_one)
{
	struct msg m;
	struct dns_query q;

	header(&m, 0, 0, 0, 0, 0);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
	header(&m, 0, 2, 0, 0, 0);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
}

Test(query, question_name_errors)
{
	struct dns_query q;
	struct msg m;

	/* A compression pointer in the question, even to itself (a loop). */
	header(&m, 0, 1, 0, 0, 0);
	put(&m, "\xc0\x0c", 2);
	put16(&m, 1);
	put16(&m, 1);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);

	/* Reserved label types 0x40 and 0x80. */
	header(&m, 0, 1, 0, 0, 0);
	put(&m, "\x41x", 2);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
	m.b[12] = 0x80;
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);

	/* Name cut short, and no room for QTYPE/QCLASS. */
	header(&m, 0, 1, 0, 0, 0);
	put(&m, "\3ww", 3);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
	header(&m, 0, 1, 0, 0, 0);
	put(&m, "\3www\0\0\1", 7);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
}

/* Names of exactly 255 octets pass; 256 octets fail. */
Test(query, name_length_limit)
{
	struct dns_query q;
	struct msg m;
	uint8_t label[64];

	memset(label, 'a', sizeof(label));
	for (int extra = 0; extra <= 1; extra++) {
		header(&m, 0, 1, 0, 0, 0);
		for (int i = 0; i < 3; i++) { /* 3 x 64 = 192 */
			label[0] = 63;
			put(&m, label, 64);
		}
		label[0] = (uint8_t)(61 + extra); /* 192 + 62 + 1 = 255 */
		put(&m, label, 62u + (unsigned)extra);
		put(&m, "", 1);
		put16(&m, 1);
		put16(&m, 1);
		cr_assert_eq(dns_query_parse(m.b, m.len, &q),
			     extra ? DNS_QUERY_FORMERR : DNS_QUERY_OK, "extra %d", extra);
		if (!extra)
			cr_assert_eq(q.qname_len, 255);
	}
}

Test(query, trailing_garbage_is_formerr)
{
	struct msg m = simple(DNS_TYPE_A);
	struct dns_query q;

	put(&m, "x", 1);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
}

Test(query, edns)
{
	struct msg m;
	struct dns_query q;

	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	opt(&m, 4096, 0, 0x8000,
	    (const uint8_t *)"\0\x0a\0\x02"
			     "ab",
	    6); /* cookie-ish option */
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_OK);
	cr_assert(q.edns);
	cr_assert(q.edns_do);
	cr_assert_eq(dns_query_max_udp(&q), 1232);

	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	opt(&m, 100, 0, 0, NULL, 0);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_OK);
	cr_assert_not(q.edns_do);
	cr_assert_eq(dns_query_max_udp(&q), 512, "payload below 512 counts as 512");

	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	opt(&m, 900, 0, 0, NULL, 0);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_OK);
	cr_assert_eq(dns_query_max_udp(&q), 900);
}

Test(query, edns_version_above_zero_is_badvers)
{
	struct msg m;
	struct dns_query q;

	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	opt(&m, 1232, 1, 0, NULL, 0);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_BADVERS);
	cr_assert(q.edns);
	cr_assert_eq(q.edns_version, 1);
}

Test(query, edns_errors)
{
	struct msg m;
	struct dns_query q;

	/* Two OPT records (RFC 6891 6.1.1). */
	header(&m, 0, 1, 0, 0, 2);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	opt(&m, 1232, 0, 0, NULL, 0);
	opt(&m, 1232, 0, 0, NULL, 0);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);

	/* An option running past RDLENGTH. */
	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	opt(&m, 1232, 0, 0,
	    (const uint8_t *)"\0\x0a\0\x09"
			     "ab",
	    6);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);

	/* RDLENGTH past the end of the message. */
	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	opt(&m, 1232, 0, 0, NULL, 0);
	m.b[m.len - 1] = 4;
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);

	/* OPT with an owner other than the root. */
	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	put(&m, "\1x", 2);
	opt(&m, 1232, 0, 0, NULL, 0);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);

	/* ARCOUNT claims a record that is not there. */
	header(&m, 0, 1, 0, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
}

Test(query, other_records_are_skipped)
{
	struct msg m;
	struct dns_query q;

	/* An answer record with a compressed owner, then OPT. */
	header(&m, 0, 1, 1, 0, 1);
	question(&m, DNS_TYPE_A, DNS_CLASS_IN);
	put(&m, "\xc0\x0c\0\1\0\1\0\0\0\x3c\0\4\xc0\0\2\1", 16);
	opt(&m, 1232, 0, 0, NULL, 0);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_OK);
	cr_assert(q.edns);
}

Test(query, classes_and_meta_types)
{
	struct dns_query q;
	struct msg m;

	header(&m, 0, 1, 0, 0, 0);
	question(&m, DNS_TYPE_A, DNS_CLASS_CH);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_REFUSED);
	m = simple(DNS_TYPE_AXFR);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_REFUSED);
	m = simple(DNS_TYPE_OPT);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_FORMERR);
	m = simple(DNS_TYPE_ANY);
	cr_assert_eq(dns_query_parse(m.b, m.len, &q), DNS_QUERY_OK);
}
