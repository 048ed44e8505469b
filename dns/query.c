/* SPDX-License-Identifier: BSD-3-Clause */
#include "query.h"

#include <errno.h>

#include "cursor.h"
#include "name.h"
#include "wire.h"

/* The EDNS option that asks for the server's identifier (RFC 5001). */
#define OPT_CODE_NSID 3
/* OPT TTL field: extended rcode (8) | version (8) | DO (1) | Z (15), RFC 6891 6.1.3. */
#define OPT_TTL_VERSION_SHIFT 16
#define OPT_TTL_DO            0x8000u

/* The query carried an OPT record with this payload size and TTL field. */
static void set_edns(struct dns_query *q, uint16_t payload, uint32_t ttl)
{
	q->edns = true;
	q->udp_max = payload < MVDNS_UDP_PAYLOAD_PLAIN  ? MVDNS_UDP_PAYLOAD_PLAIN
		     : payload > MVDNS_UDP_PAYLOAD_EDNS ? MVDNS_UDP_PAYLOAD_EDNS
							: payload;
	q->edns_version = (uint8_t)(ttl >> OPT_TTL_VERSION_SHIFT);
	q->edns_do = (ttl & OPT_TTL_DO) != 0;
}

/* Read one OPT record's fields after its owner; the owner must have been the root. */
static void read_opt(struct dns_cursor *c, struct dns_query *q)
{
	uint16_t payload = dns_cursor_u16(c);
	uint32_t ttl = dns_cursor_u32(c);
	uint16_t rdlen = dns_cursor_u16(c);

	if (!dns_cursor_need(c, rdlen))
		return;
	/* Options: code, length, data; each must lie inside RDLENGTH. */
	struct dns_cursor opts;
	dns_cursor_init(&opts, c->pos, rdlen);
	while (opts.err == 0 && dns_cursor_left(&opts) > 0) {
		uint16_t code = dns_cursor_u16(&opts);
		dns_cursor_skip(&opts, dns_cursor_u16(&opts));
		q->edns_nsid |= code == OPT_CODE_NSID;
	}
	if (opts.err != 0) {
		dns_cursor_fail(c, -EBADMSG);
		return;
	}
	dns_cursor_skip(c, rdlen);
	set_edns(q, payload, ttl);
}

/*
 * The records after the question of nearly every query: one OPT record
 * without options and nothing else. Reads it and returns true, or returns
 * false without reading for anything else, which read_records handles.
 */
static bool read_plain_opt(struct dns_cursor *c, const uint8_t *msg, struct dns_query *q)
{
	const uint8_t *opt = c->pos; /* owner, type, payload, TTL, RDLENGTH */

	/* ANCOUNT and NSCOUNT in one word; the owner (the root) and the type in
	 * the first three octets. */
	if (c->err != 0 || dns_cursor_left(c) != 1 + DNS_RR_FIXED_LEN ||
	    dns_get_u32(msg + DNS_HDR_ANCOUNT) != 0 || dns_hdr_arcount(msg) != 1 ||
	    dns_get_u32(opt) >> 8 != DNS_TYPE_OPT || dns_get_u16(opt + 9) != 0)
		return false;
	set_edns(q, dns_get_u16(opt + 3), dns_get_u32(opt + 5));
	c->pos += 1 + DNS_RR_FIXED_LEN;
	return true;
}

/* Skip or interpret the records after the question. */
static void read_records(struct dns_cursor *c, const uint8_t *msg, struct dns_query *q)
{
	unsigned skipped = (unsigned)dns_hdr_ancount(msg) + dns_hdr_nscount(msg);
	unsigned additional = dns_hdr_arcount(msg);

	for (unsigned i = 0; i < skipped + additional && c->err == 0; i++) {
		bool root_owner = dns_cursor_left(c) > 0 && *c->pos == 0;
		if (root_owner)
			dns_cursor_skip(c, 1); /* OPT's owner: no need for the general walk */
		else
			dns_name_skip(c);
		if (i >= skipped && root_owner && dns_cursor_left(c) >= 2 &&
		    dns_get_u16(c->pos) == DNS_TYPE_OPT) {
			if (q->edns) { /* a second OPT: RFC 6891 6.1.1 */
				dns_cursor_fail(c, -EBADMSG);
				return;
			}
			dns_cursor_skip(c, 2);
			read_opt(c, q);
			continue;
		}
		uint16_t type = dns_cursor_u16(c);
		dns_cursor_skip(c, 6); /* class, TTL */
		uint16_t rdlen = dns_cursor_u16(c);
		if (type == DNS_TYPE_OPT) /* OPT with an owner other than root, or outside AR */
			dns_cursor_fail(c, -EBADMSG);
		dns_cursor_skip(c, rdlen);
	}
}

enum dns_query_status dns_query_parse(const uint8_t *msg, uint16_t len, struct dns_query *q)
{
	struct dns_cursor c;

	if (len < DNS_HDR_LEN)
		return DNS_QUERY_SHORT;
	if (dns_hdr_qr(msg))
		return DNS_QUERY_RESPONSE;
	if (dns_hdr_opcode(msg) != DNS_OPCODE_QUERY)
		return DNS_QUERY_NOTIMP;
	if (dns_hdr_qdcount(msg) != 1)
		return DNS_QUERY_FORMERR;

	dns_cursor_init(&c, msg, len);
	dns_cursor_skip(&c, DNS_HDR_LEN);
	q->qname_len = (uint8_t)dns_name_read_lower(&c, q->qname, &q->qname_hash);
	uint32_t type_class = dns_cursor_u32(&c); /* QTYPE, QCLASS: one bounds check */
	if (c.err != 0)
		return DNS_QUERY_FORMERR;
	q->qtype = (uint16_t)(type_class >> 16);
	q->qclass = (uint16_t)type_class;
	q->question_end = (uint16_t)dns_cursor_offset(&c);

	q->edns = false;
	q->edns_do = false;
	q->edns_nsid = false;
	q->edns_version = 0;
	q->udp_max = MVDNS_UDP_PAYLOAD_PLAIN;
	if (!read_plain_opt(&c, msg, q))
		read_records(&c, msg, q);
	if (c.err != 0 || dns_cursor_left(&c) != 0)
		return DNS_QUERY_FORMERR;

	if (q->edns_version > 0) /* 0 without EDNS */
		return DNS_QUERY_BADVERS;
	/* Meta-types that only make sense as questions in other contexts. */
	if (q->qtype == DNS_TYPE_OPT)
		return DNS_QUERY_FORMERR;
	if (q->qclass != DNS_CLASS_IN || q->qtype == DNS_TYPE_AXFR || q->qtype == DNS_TYPE_IXFR)
		return DNS_QUERY_REFUSED;
	return DNS_QUERY_OK;
}
