/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parsing a DNS query: the header, exactly one question and the EDNS OPT
 * record. Decides which queries get an answer from zone data and which get
 * an error rcode or are dropped, before any lookup happens.
 */
#ifndef DNS_QUERY_H
#define DNS_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "mvdns.h"

/* What the parser decided about a message. */
enum dns_query_status {
	DNS_QUERY_OK,       /* a well-formed query: look it up */
	DNS_QUERY_SHORT,    /* shorter than a header: drop */
	DNS_QUERY_RESPONSE, /* QR=1: drop silently, never answer an answer */
	DNS_QUERY_NOTIMP,   /* opcode other than QUERY: NOTIMP, header only */
	DNS_QUERY_FORMERR,  /* malformed: FORMERR, header only */
	DNS_QUERY_BADVERS,  /* EDNS version above 0: BADVERS with OPT */
	DNS_QUERY_REFUSED,  /* class other than IN, or a zone transfer over UDP */
};

struct dns_query {
	uint8_t qname[MVDNS_NAME_MAX]; /* lower-cased copy, for lookups */
	uint8_t qname_len;             /* wire length, root label included */
	uint32_t qname_hash;           /* dns_name_hash of qname */
	uint16_t qtype;
	uint16_t qclass;
	uint16_t question_end; /* offset just past QCLASS: the reply is written from here */
	bool edns;             /* the query carried an OPT record */
	bool edns_do;          /* DNSSEC OK bit */
	bool edns_nsid;        /* the OPT record asked for the server's NSID (RFC 5001) */
	uint8_t edns_version;
	uint16_t udp_max; /* dns_query_max_udp's answer, worked out once by the parse */
};

/*
 * Parse the DNS message msg[0..len). Checks: QR=0, opcode QUERY, QDCOUNT 1
 * (RFC 9619), an uncompressed QNAME of at most 255 octets, the records after
 * the question well-formed (answer and authority records are skipped, the
 * additional section searched for OPT: its owner must be the root, at most
 * one, options within its RDLENGTH), and no trailing bytes.
 * Out: q (meaningful fields depend on the status: for OK, BADVERS and REFUSED
 * every field; otherwise none).
 * Lock-free, no allocation.
 */
enum dns_query_status dns_query_parse(const uint8_t *msg, uint16_t len, struct dns_query *q);

/*
 * Largest reply this query allows over UDP: 512 without EDNS, else the
 * requestor's payload size raised to at least 512 and cut to at most 1232.
 */
static inline uint16_t dns_query_max_udp(const struct dns_query *q)
{
	return q->udp_max;
}

#endif /* DNS_QUERY_H */
