/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS message layout: header offsets, typed accessors, and the registry
 * numbers (types, classes, opcodes, rcodes) the rest of mvdns uses.
 * Pure functions over bytes; callers guarantee at least DNS_HDR_LEN bytes.
 */
#ifndef DNS_WIRE_H
#define DNS_WIRE_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#define DNS_HDR_LEN 12

/* Header field offsets (RFC 1035 section 4.1.1). */
#define DNS_HDR_ID      0
#define DNS_HDR_FLAGS1  2 /* QR | Opcode(4) | AA | TC | RD */
#define DNS_HDR_FLAGS2  3 /* RA | Z | AD | CD | RCODE(4) */
#define DNS_HDR_QDCOUNT 4
#define DNS_HDR_ANCOUNT 6
#define DNS_HDR_NSCOUNT 8
#define DNS_HDR_ARCOUNT 10

#define DNS_FLAG1_QR          0x80
#define DNS_FLAG1_OPCODE_MASK 0x78
#define DNS_FLAG1_AA          0x04
#define DNS_FLAG1_TC          0x02
#define DNS_FLAG1_RD          0x01
#define DNS_FLAG2_RA          0x80
#define DNS_FLAG2_Z           0x40
#define DNS_FLAG2_AD          0x20
#define DNS_FLAG2_CD          0x10
#define DNS_FLAG2_RCODE_MASK  0x0f

enum dns_opcode { DNS_OPCODE_QUERY = 0, DNS_OPCODE_NOTIFY = 4, DNS_OPCODE_UPDATE = 5 };

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16, /* extended: upper 8 bits live in the OPT TTL */
};

enum dns_class { DNS_CLASS_IN = 1, DNS_CLASS_CH = 3, DNS_CLASS_ANY = 255 };

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_NAPTR = 35,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_DS = 43,
	DNS_TYPE_SPF = 99,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_MAILB = 253,
	DNS_TYPE_MAILA = 254,
	DNS_TYPE_ANY = 255,
	DNS_TYPE_CAA = 257,
};

/* Fixed part of a resource record after its owner name: type, class, TTL, rdlength. */
#define DNS_RR_FIXED_LEN 10
/* A compression pointer to the question name, which always starts at offset 12. */
#define DNS_PTR_QNAME 0xc00c

/*
 * Big-endian fields as one load or store and a byte swap: compilers merge the
 * byte-by-byte form of a load, but not of a store, into one access.
 */
static inline uint16_t dns_get_u16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof(v));
	return ntohs(v);
}

static inline uint32_t dns_get_u32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

static inline void dns_put_u16(uint8_t *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, sizeof(v));
}

static inline void dns_put_u32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, sizeof(v));
}

static inline uint16_t dns_hdr_id(const uint8_t *msg)
{
	return dns_get_u16(msg + DNS_HDR_ID);
}
static inline int dns_hdr_qr(const uint8_t *msg)
{
	return (msg[DNS_HDR_FLAGS1] & DNS_FLAG1_QR) != 0;
}
static inline unsigned dns_hdr_opcode(const uint8_t *msg)
{
	return (msg[DNS_HDR_FLAGS1] & DNS_FLAG1_OPCODE_MASK) >> 3;
}
static inline uint16_t dns_hdr_qdcount(const uint8_t *msg)
{
	return dns_get_u16(msg + DNS_HDR_QDCOUNT);
}
static inline uint16_t dns_hdr_ancount(const uint8_t *msg)
{
	return dns_get_u16(msg + DNS_HDR_ANCOUNT);
}
static inline uint16_t dns_hdr_nscount(const uint8_t *msg)
{
	return dns_get_u16(msg + DNS_HDR_NSCOUNT);
}
static inline uint16_t dns_hdr_arcount(const uint8_t *msg)
{
	return dns_get_u16(msg + DNS_HDR_ARCOUNT);
}

#endif /* DNS_WIRE_H */
