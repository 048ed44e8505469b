/* SPDX-License-Identifier: BSD-3-Clause */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "answer.h"
#include "load.h"
#include "wire.h"

/* clang-format off */
static const char *zone_json =
"{\"Changes\": ["
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"example.com.\", \"Type\": \"SOA\", \"TTL\": 3600,"
"  \"ResourceRecords\": [{\"Value\": \"ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"example.com.\", \"Type\": \"NS\", \"TTL\": 3600,"
"  \"ResourceRecords\": [{\"Value\": \"ns1.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"www.example.com.\", \"Type\": \"A\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"192.0.2.1\"}, {\"Value\": \"192.0.2.2\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"www.example.com.\", \"Type\": \"AAAA\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"2001:db8::1\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"alias.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"www.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"ext.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"www.example.net.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"dangling.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"nothere.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"loop1.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"loop2.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"loop2.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"loop1.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"a.b.example.com.\", \"Type\": \"A\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"192.0.2.9\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"big.example.com.\", \"Type\": \"TXT\", \"TTL\": 60,"
"  \"ResourceRecords\": ["
"   {\"Value\": \"\\\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\\"\"},"
"   {\"Value\": \"\\\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\\\"\"},"
"   {\"Value\": \"\\\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\\\"\"},"
"   {\"Value\": \"\\\"dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd\\\"\"},"
"   {\"Value\": \"\\\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\\\"\"}"
"  ]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"myapp.example.com.\", \"Type\": \"A\", \"TTL\": 60,"
"  \"SetIdentifier\": \"one\", \"MultiValueAnswer\": true, \"ResourceRecords\": [{\"Value\": \"192.0.2.11\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"myapp.example.com.\", \"Type\": \"A\", \"TTL\": 60,"
"  \"SetIdentifier\": \"two\", \"MultiValueAnswer\": true, \"ResourceRecords\": [{\"Value\": \"192.0.2.12\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"*.wild.example.com.\", \"Type\": \"A\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"192.0.2.50\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"sub.wild.example.com.\", \"Type\": \"TXT\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"\\\"here\\\"\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"\\\\052.cn.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"www.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"tgt.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"x.wild.example.com.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"sub.example.com.\", \"Type\": \"NS\", \"TTL\": 86400,"
"  \"ResourceRecords\": [{\"Value\": \"NS1.sub.example.com.\"}, {\"Value\": \"ns.example.net.\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"sub.example.com.\", \"Type\": \"DS\", \"TTL\": 86400,"
"  \"ResourceRecords\": [{\"Value\": \"12345 13 2 ABCD\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"ns1.sub.example.com.\", \"Type\": \"A\", \"TTL\": 86400,"
"  \"ResourceRecords\": [{\"Value\": \"192.0.2.53\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"ns1.sub.example.com.\", \"Type\": \"AAAA\", \"TTL\": 86400,"
"  \"ResourceRecords\": [{\"Value\": \"2001:db8::53\"}]}},"
"{\"Action\": \"CREATE\", \"ResourceRecordSet\": {\"Name\": \"insub.example.com.\", \"Type\": \"CNAME\", \"TTL\": 60,"
"  \"ResourceRecords\": [{\"Value\": \"www.sub.example.com.\"}]}}"
"]}";
/* clang-format on */

static struct mv_table *table;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static void setup(void)
{
	char err[4096];
	const char *docs[] = {zone_json};

	table = mv_table_create(16, NULL, NULL);
	cr_assert_not_null(table);
	long n = mv_load_docs(table, docs, 1, err, sizeof(err));
	cr_assert_gt(n, 0, "load failed: %s", err);
}

static void teardown(void)
{
	mv_table_destroy(table);
}

TestSuite(answer, .init = setup, .fini = teardown);

/* A query being built and its reply. */
struct q {
	uint8_t b[4096];
	uint16_t len;
	uint16_t qend; /* end of the question */
	enum mv_verdict v;
};

static uint16_t wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

/* Build a query for a dotted name (case kept), with EDNS payload (0 = no OPT). */
static void build(struct q *q, const char *name, uint16_t type, uint16_t payload, uint8_t version)
{
	uint8_t *p = q->b;
	memset(q, 0, sizeof(*q));
	p += wr16(p, 0xbeef);
	p += wr16(p, 0x0110); /* RD, and CD in the second octet */
	p += wr16(p, 1);
	p += wr16(p, 0);
	p += wr16(p, 0);
	p += wr16(p, payload ? 1 : 0);
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);
		*p++ = (uint8_t)n;
		memcpy(p, name, n);
		p += n;
		name += n + (dot ? 1 : 0);
	}
	*p++ = 0;
	p += wr16(p, type);
	p += wr16(p, DNS_CLASS_IN);
	q->qend = (uint16_t)(p - q->b);
	if (payload) {
		*p++ = 0;
		p += wr16(p, DNS_TYPE_OPT);
		p += wr16(p, payload);
		*p++ = 0;
		*p++ = version;
		p += wr16(p, 0x8000);
		p += wr16(p, 0);
	}
	q->len = (uint16_t)(p - q->b);
}

static uint16_t ask(struct q *q, const char *name, uint16_t type, uint16_t payload)
{
	build(q, name, type, payload, 0);
	q->len = mv_answer(table, q->b, q->len, sizeof(q->b), &rng, &q->v);
	return q->len;
}

static unsigned rcode(const struct q *q)
{
	return q->b[DNS_HDR_FLAGS2] & 0xf;
}

/* Offset of the i-th record after the question (answer, authority, additional in order). */
static uint16_t rr_at(const struct q *q, unsigned i)
{
	uint16_t off = q->qend;
	for (unsigned k = 0; k < i; k++) {
		while (q->b[off] != 0 && (q->b[off] & 0xc0) != 0xc0)
			off = (uint16_t)(off + 1 + q->b[off]);
		off = (uint16_t)(off + ((q->b[off] & 0xc0) == 0xc0 ? 2 : 1));
		off = (uint16_t)(off + 10 + dns_get_u16(q->b + off + 8));
	}
	return off;
}

Test(answer, a_record)
{
	struct q q;

	cr_assert_eq(ask(&q, "www.example.com", DNS_TYPE_A, 0), q.qend + 2 * 16);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_id(q.b), 0xbeef);
	cr_assert_eq(q.b[DNS_HDR_FLAGS1], DNS_FLAG1_QR | DNS_FLAG1_AA | DNS_FLAG1_RD);
	cr_assert_eq(q.b[DNS_HDR_FLAGS2], DNS_FLAG2_CD, "CD copied, RA clear, NOERROR");
	cr_assert_eq(dns_hdr_qdcount(q.b), 1);
	cr_assert_eq(dns_hdr_ancount(q.b), 2);
	cr_assert_eq(dns_hdr_nscount(q.b), 0);
	cr_assert_eq(dns_hdr_arcount(q.b), 0, "no OPT without EDNS in the query");
	const uint8_t *rr = q.b + rr_at(&q, 0);
	cr_assert_eq(dns_get_u16(rr), DNS_PTR_QNAME);
	cr_assert_eq(dns_get_u16(rr + 2), DNS_TYPE_A);
	cr_assert_eq(dns_get_u16(rr + 4), DNS_CLASS_IN);
	cr_assert_eq(dns_get_u32(rr + 6), 60);
	cr_assert_eq(dns_get_u16(rr + 10), 4);
	cr_assert(memcmp(rr + 12, "\xc0\x00\x02\x01", 4) == 0);
	cr_assert(memcmp(q.b + rr_at(&q, 1) + 12, "\xc0\x00\x02\x02", 4) == 0);
}

Test(answer, case_is_echoed_and_matched_insensitively)
{
	struct q q;

	cr_assert_gt(ask(&q, "WwW.ExAmPlE.cOm", DNS_TYPE_AAAA, 0), 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert(memcmp(q.b + 12, "\3WwW\7ExAmPlE\3cOm", 17) == 0,
		  "question echoed byte for byte");
	cr_assert_eq(dns_hdr_ancount(q.b), 1);
}

Test(answer, nxdomain_carries_soa_with_negative_ttl)
{
	struct q q;

	ask(&q, "nope.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NXDOMAIN);
	cr_assert_eq(rcode(&q), DNS_RCODE_NXDOMAIN);
	cr_assert(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_AA);
	cr_assert_eq(dns_hdr_ancount(q.b), 0);
	cr_assert_eq(dns_hdr_nscount(q.b), 1);
	const uint8_t *rr = q.b + rr_at(&q, 0);
	/* Owner: the apex, as a pointer into the question name ("\7example..." at 12 + 5). */
	cr_assert_eq(dns_get_u16(rr), 0xc000 | 17);
	cr_assert_eq(dns_get_u16(rr + 2), DNS_TYPE_SOA);
	cr_assert_eq(dns_get_u32(rr + 6), 300, "min(SOA TTL 3600, MINIMUM 300)");
}

Test(answer, nodata_and_empty_non_terminal)
{
	struct q q;

	ask(&q, "www.example.com", DNS_TYPE_MX, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NODATA);
	cr_assert_eq(rcode(&q), DNS_RCODE_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 0);
	cr_assert_eq(dns_hdr_nscount(q.b), 1);
	cr_assert_eq(dns_get_u16(q.b + rr_at(&q, 0) + 2), DNS_TYPE_SOA);

	ask(&q, "b.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NODATA, "RFC 8020: an empty non-terminal exists");
	cr_assert_eq(rcode(&q), DNS_RCODE_NOERROR);
	cr_assert_eq(dns_hdr_nscount(q.b), 1);
	cr_assert_eq(dns_get_u16(q.b + rr_at(&q, 0)), 0xc000 | 14);

	ask(&q, "x.b.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NXDOMAIN);
}

Test(answer, refused_outside_every_zone)
{
	struct q q;

	ask(&q, "www.example.org", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_REFUSED);
	cr_assert_eq(rcode(&q), DNS_RCODE_REFUSED);
	cr_assert_not(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_AA);
	cr_assert_eq(dns_hdr_qdcount(q.b), 1);
	cr_assert_eq(dns_hdr_ancount(q.b) + dns_hdr_nscount(q.b), 0);
	ask(&q, "com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_REFUSED, "a parent of the zone is not ours");
}

Test(answer, cname_is_followed_inside_the_zone)
{
	struct q q;

	ask(&q, "alias.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 3);
	const uint8_t *cname = q.b + rr_at(&q, 0);
	cr_assert_eq(dns_get_u16(cname + 2), DNS_TYPE_CNAME);
	uint16_t target = (uint16_t)(rr_at(&q, 0) + 12);
	cr_assert(memcmp(q.b + target, "\3www\7example\3com", 17) == 0);
	const uint8_t *a = q.b + rr_at(&q, 1);
	cr_assert_eq(dns_get_u16(a), 0xc000 | target, "target RRs owned by the CNAME's target");
	cr_assert_eq(dns_get_u16(a + 2), DNS_TYPE_A);

	ask(&q, "alias.example.com", DNS_TYPE_CNAME, 0);
	cr_assert_eq(dns_hdr_ancount(q.b), 1, "a CNAME query is not followed");

	ask(&q, "alias.example.com", DNS_TYPE_MX, 0);
	cr_assert_eq(dns_hdr_ancount(q.b), 1);
	cr_assert_eq(dns_hdr_nscount(q.b), 1, "NODATA at the target: SOA");
	cr_assert_eq(dns_get_u16(q.b + rr_at(&q, 1)), 0xc000 | (target + 4));
}

Test(answer, cname_edge_cases)
{
	struct q q;

	ask(&q, "ext.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 1, "out of zone: the CNAME alone");
	cr_assert_eq(dns_hdr_nscount(q.b), 0);

	ask(&q, "dangling.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NXDOMAIN);
	cr_assert_eq(rcode(&q), DNS_RCODE_NXDOMAIN, "RFC 6604: the last name's rcode");
	cr_assert_eq(dns_hdr_ancount(q.b), 1);
	cr_assert_eq(dns_hdr_nscount(q.b), 1);

	ask(&q, "loop1.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_leq(dns_hdr_ancount(q.b), 8, "a CNAME loop ends");
}

/* RFC 4592: a name that does not exist below a wildcard's parent is answered from it. */
Test(answer, wildcards)
{
	struct q q;

	for (unsigned i = 0; i < 2; i++) { /* one label or several in place of the "*" */
		ask(&q, i == 0 ? "x.wild.example.com" : "A.b.wild.example.com", DNS_TYPE_A, 0);
		cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
		cr_assert(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_AA);
		cr_assert_eq(dns_hdr_ancount(q.b), 1);
		const uint8_t *rr = q.b + rr_at(&q, 0);
		cr_assert_eq(dns_get_u16(rr), DNS_PTR_QNAME, "owner: the query's name");
		cr_assert(memcmp(rr + 12, "\xc0\x00\x02\x32", 4) == 0);
	}
	ask(&q, "x.wild.example.com", DNS_TYPE_AAAA, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NODATA, "the wildcard has no AAAA");
	cr_assert_eq(dns_hdr_nscount(q.b), 1);

	/* Existing names are not matched, nor names below them. */
	ask(&q, "sub.wild.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NODATA);
	ask(&q, "a.sub.wild.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NXDOMAIN);
	ask(&q, "wild.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NODATA, "an empty non-terminal");
	ask(&q, "*.wild.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR, "the wildcard's own name");
	ask(&q, "nope.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NXDOMAIN, "no wildcard at the apex");

	/* A wildcard CNAME (written \052 as Route 53 does), and a CNAME to a synthesized name. */
	ask(&q, "q.cn.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 3, "the CNAME and www's two addresses");
	cr_assert_eq(dns_get_u16(q.b + rr_at(&q, 0) + 2), DNS_TYPE_CNAME);
	ask(&q, "tgt.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 2);
	cr_assert(memcmp(q.b + rr_at(&q, 1) + 12, "\xc0\x00\x02\x32", 4) == 0);
}

/*
 * RFC 1034 4.3.2: at and below a delegation (sub.example.com NS), a referral:
 * no AA, the NS RRset in authority, glue for the name server below the cut.
 */
Test(answer, delegation_referral)
{
	static const char *const names[] = {"sub.example.com", "www.sub.example.com",
					    "a.b.sub.example.com", "ns1.sub.example.com"};
	struct q q;

	for (unsigned i = 0; i < 4; i++) {
		ask(&q, names[i], DNS_TYPE_A, 1232);
		cr_assert_eq(q.v, MV_VERDICT_ANSWER_REFERRAL, "%s", names[i]);
		cr_assert_eq(rcode(&q), DNS_RCODE_NOERROR);
		cr_assert_not(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_AA, "%s: not authoritative",
			      names[i]);
		cr_assert_eq(dns_hdr_ancount(q.b), 0);
		cr_assert_eq(dns_hdr_nscount(q.b), 2);
		cr_assert_eq(dns_hdr_arcount(q.b), 3, "%s: A and AAAA glue, and OPT", names[i]);
		const uint8_t *ns = q.b + rr_at(&q, 0);
		cr_assert_eq(dns_get_u16(ns + 2), DNS_TYPE_NS);
		/* Owner: "sub.example.com" as a pointer into the question name. */
		cr_assert_eq(dns_get_u16(ns) & 0x3fff,
			     DNS_HDR_LEN + strlen(names[i]) + 2 - sizeof("\3sub\7example\3com"));
		const uint8_t *a = q.b + rr_at(&q, 2), *aaaa = q.b + rr_at(&q, 3);
		cr_assert_eq(dns_get_u16(a + 2), DNS_TYPE_A);
		cr_assert_eq(dns_get_u16(aaaa + 2), DNS_TYPE_AAAA);
		cr_assert(memcmp(a + 12, "\xc0\x00\x02\x35", 4) == 0);
		/* The glue's owner points at the NS RR's name, NS1.sub.example.com. */
		uint16_t owner = dns_get_u16(a) & 0x3fff;
		cr_assert(strncasecmp((const char *)q.b + owner, "\3ns1\3sub", 8) == 0);
		cr_assert_eq(dns_get_u16(aaaa), dns_get_u16(a));
	}
	/* DS at the cut is the parent's to answer; below it, a referral again. */
	ask(&q, "sub.example.com", DNS_TYPE_DS, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_AA);
	cr_assert_eq(dns_hdr_ancount(q.b), 1);
	ask(&q, "x.sub.example.com", DNS_TYPE_DS, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_REFERRAL);
	/* A CNAME into the delegated zone stops at the cut: the resolver follows. */
	ask(&q, "insub.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 1);
	cr_assert(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_AA);
	/* Glue that does not fit: TC (RFC 9471), the question only. */
	uint16_t full = ask(&q, "www.sub.example.com", DNS_TYPE_A, 0);
	build(&q, "www.sub.example.com", DNS_TYPE_A, 0, 0);
	q.len = mv_answer(table, q.b, q.len, (uint16_t)(full - 1), &rng, &q.v);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_TRUNCATED);
	cr_assert(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_TC);
	cr_assert_eq(dns_hdr_arcount(q.b), 0);
}

/* The query of q (built with EDNS) asks for the NSID: an empty option 3 in its OPT. */
static void ask_nsid(struct q *q)
{
	uint8_t *rdlen = q->b + q->len - 2;
	wr16(rdlen, 4);
	wr16(q->b + q->len, 3);
	wr16(q->b + q->len + 2, 0);
	q->len = (uint16_t)(q->len + 4);
}

/* RFC 5001: the NSID in the reply's OPT record, only when asked and when it fits. */
Test(answer, nsid)
{
	static const char id[] = "mvdns-lab-1";
	struct q q;

	cr_assert_eq(mv_answer_set_nsid((const uint8_t *)id, strlen(id)), 0);
	build(&q, "www.example.com", DNS_TYPE_A, 1232, 0);
	ask_nsid(&q);
	uint16_t n = mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 2);
	const uint8_t *opt = q.b + n - (11 + 4 + strlen(id));
	cr_assert_eq(dns_get_u16(opt + 1), DNS_TYPE_OPT);
	cr_assert_eq(dns_get_u16(opt + 9), 4 + strlen(id), "RDLENGTH: one option");
	cr_assert_eq(dns_get_u16(opt + 11), 3, "option code NSID");
	cr_assert_eq(dns_get_u16(opt + 13), strlen(id));
	cr_assert(memcmp(opt + 15, id, strlen(id)) == 0);

	/* Not asked: a plain OPT record. */
	n = ask(&q, "www.example.com", DNS_TYPE_A, 1232);
	cr_assert_eq(dns_get_u16(q.b + n - 2), 0, "RDLENGTH 0");
	/* No room left for it: the answer stays, the NSID goes. */
	build(&q, "big.example.com", DNS_TYPE_TXT, 1232, 0);
	ask_nsid(&q);
	uint16_t full = mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v);
	build(&q, "big.example.com", DNS_TYPE_TXT, 1232, 0);
	ask_nsid(&q);
	n = mv_answer(table, q.b, q.len, (uint16_t)(full - 1), &rng, &q.v);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR, "%s", mv_verdict_name(q.v));
	cr_assert_eq(n, full - 4 - strlen(id));
	cr_assert_eq(dns_get_u16(q.b + n - 2), 0);
	/* CH TXT id.server and hostname.bind (RFC 4892): the same identifier. */
	for (unsigned i = 0; i < 2; i++) {
		build(&q, i ? "HOSTNAME.bind" : "id.server", DNS_TYPE_TXT, 0, 0);
		wr16(q.b + q.qend - 2, DNS_CLASS_CH);
		n = mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v);
		cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
		cr_assert_eq(dns_hdr_ancount(q.b), 1);
		const uint8_t *txt = q.b + rr_at(&q, 0);
		cr_assert_eq(dns_get_u16(txt), DNS_PTR_QNAME);
		cr_assert_eq(dns_get_u16(txt + 2), DNS_TYPE_TXT);
		cr_assert_eq(dns_get_u16(txt + 4), DNS_CLASS_CH);
		cr_assert_eq(txt[12], strlen(id));
		cr_assert(memcmp(txt + 13, id, strlen(id)) == 0);
		cr_assert_eq(n, q.qend + 13 + strlen(id));
	}
	build(&q, "version.bind", DNS_TYPE_TXT, 0, 0);
	wr16(q.b + q.qend - 2, DNS_CLASS_CH);
	mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_REFUSED, "other CH names: REFUSED, as before");
	/* None set: none sent, and CH is refused. */
	cr_assert_eq(mv_answer_set_nsid(NULL, 0), 0);
	build(&q, "id.server", DNS_TYPE_TXT, 0, 0);
	wr16(q.b + q.qend - 2, DNS_CLASS_CH);
	mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_REFUSED);
	build(&q, "www.example.com", DNS_TYPE_A, 1232, 0);
	ask_nsid(&q);
	n = mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v);
	cr_assert_eq(dns_get_u16(q.b + n - 2), 0);
	uint8_t too_long[MV_NSID_MAX + 1] = {0};
	cr_assert_eq(mv_answer_set_nsid(too_long, sizeof(too_long)), -EINVAL);
}

Test(answer, edns_reply_has_opt)
{
	struct q q;

	ask(&q, "www.example.com", DNS_TYPE_A, 4096);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_arcount(q.b), 1);
	const uint8_t *opt = q.b + rr_at(&q, 2);
	cr_assert_eq(opt[0], 0);
	cr_assert_eq(dns_get_u16(opt + 1), DNS_TYPE_OPT);
	cr_assert_eq(dns_get_u16(opt + 3), 1232);
	cr_assert_eq(opt[5], 0, "extended rcode");
	cr_assert_eq(opt[6], 0, "version");
	cr_assert_eq(opt[7], 0x80, "DO copied");
	cr_assert_eq(dns_get_u16(opt + 9), 0);
	cr_assert_eq(q.len, rr_at(&q, 3));
}

Test(answer, badvers)
{
	struct q q;

	build(&q, "www.example.com", DNS_TYPE_A, 1232, 1);
	q.len = mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_BADVERS);
	cr_assert_eq(rcode(&q), 0, "BADVERS is 16: the low bits are 0");
	cr_assert_eq(dns_hdr_ancount(q.b), 0);
	cr_assert_eq(dns_hdr_arcount(q.b), 1);
	const uint8_t *opt = q.b + q.qend;
	cr_assert_eq(opt[5], 1, "extended rcode 1 << 4 = 16");
	cr_assert_eq(opt[6], 0, "we speak version 0");
}

Test(answer, truncation_without_edns)
{
	struct q q;

	ask(&q, "big.example.com", DNS_TYPE_TXT, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_TRUNCATED);
	cr_assert(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_TC);
	cr_assert_eq(dns_hdr_ancount(q.b), 0, "question only, never a partial RRset");
	cr_assert_eq(q.len, q.qend);

	ask(&q, "big.example.com", DNS_TYPE_TXT, 1232);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_not(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_TC);
	cr_assert_eq(dns_hdr_ancount(q.b), 5);
	cr_assert_gt(q.len, 512);

	ask(&q, "big.example.com", DNS_TYPE_TXT, 400);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_TRUNCATED, "payload under 512 counts as 512");
	cr_assert_eq(dns_hdr_arcount(q.b), 1, "the OPT stays in a truncated reply");
	cr_assert_eq(q.len, q.qend + 11);
}

Test(answer, reply_never_exceeds_the_buffer)
{
	struct q q;

	build(&q, "big.example.com", DNS_TYPE_TXT, 1232, 0);
	uint16_t len = mv_answer(table, q.b, q.len, 600, &rng, &q.v);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_TRUNCATED);
	cr_assert_leq(len, 600);
}

Test(answer, any_is_minimal)
{
	struct q q;

	ask(&q, "www.example.com", DNS_TYPE_ANY, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_get_u16(q.b + rr_at(&q, 0) + 2), DNS_TYPE_A, "RFC 8482: one RRset");
	cr_assert_eq(dns_hdr_ancount(q.b), 2);
}

Test(answer, multivalue_sets_form_one_pool)
{
	struct q q;

	ask(&q, "myapp.example.com", DNS_TYPE_A, 0);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOERROR);
	cr_assert_eq(dns_hdr_ancount(q.b), 2);
}

Test(answer, errors)
{
	struct q q;

	build(&q, "www.example.com", DNS_TYPE_A, 0, 0);
	q.b[DNS_HDR_FLAGS1] = 5 << 3; /* UPDATE */
	cr_assert_eq(mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v), DNS_HDR_LEN);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_NOTIMP);
	cr_assert_eq(rcode(&q), DNS_RCODE_NOTIMP);
	cr_assert(q.b[DNS_HDR_FLAGS1] & DNS_FLAG1_QR);
	cr_assert_eq(dns_hdr_id(q.b), 0xbeef);

	build(&q, "www.example.com", DNS_TYPE_A, 0, 0);
	q.b[DNS_HDR_QDCOUNT + 1] = 2;
	cr_assert_eq(mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v), DNS_HDR_LEN);
	cr_assert_eq(q.v, MV_VERDICT_ANSWER_FORMERR);
	cr_assert_eq(rcode(&q), DNS_RCODE_FORMERR);
	cr_assert_eq(dns_hdr_qdcount(q.b), 0);

	build(&q, "www.example.com", DNS_TYPE_A, 0, 0);
	q.b[DNS_HDR_FLAGS1] |= DNS_FLAG1_QR;
	cr_assert_eq(mv_answer(table, q.b, q.len, sizeof(q.b), &rng, &q.v), 0);
	cr_assert_eq(q.v, MV_VERDICT_DROP_NOT_QUERY);

	cr_assert_eq(mv_answer(table, q.b, 11, sizeof(q.b), &rng, &q.v), 0);
	cr_assert_eq(q.v, MV_VERDICT_DROP_SHORT);
}
